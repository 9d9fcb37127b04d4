//! simrenew's storage ports implemented with sqlx, on SQLite (the embedded default) and
//! PostgreSQL (production).
//!
//! One implementation serves both databases through sqlx's `Any` driver: the SQL is written in
//! the subset both speak (`$n` placeholders, `ON CONFLICT`, `RETURNING`), and the few places
//! where they differ go through [`Dialect`]. Each database has its own migrations.
//!
//! Instants are stored as seconds since the Unix epoch in `BIGINT` columns; time zones are the
//! domain's business.
//!
//! **Architecture Invariant:** this is the only crate that writes SQL.

#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod admin;
mod audit;
mod auto_renew;
mod codec;
mod db;
mod error;
mod esims;
mod forget;
mod idempotency;
mod identity;
mod jobs;
mod lifecycle;
mod maintenance;
mod network;
mod notifications;
mod payments;
mod portal;
mod price_notices;
mod sales;
mod tx;
mod usage;

pub use admin::{CountedTable, NewPlan, NewPromotion, NewStore};
pub use db::{ConnectOptions, Db, Dialect};
pub use usage::{POSTGRES_BATCH, POSTGRES_LANES};
