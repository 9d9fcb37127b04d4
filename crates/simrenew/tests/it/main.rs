//! The integration tests: one binary, one module per feature. Every test runs twice, on
//! SQLite and on PostgreSQL (`TEST_DATABASE_URL`), through the [`both!`] macro.

mod support;

mod catalog;
mod cli;
mod concurrency;
mod idempotency;
mod lines;
mod openapi;
mod renewals;
mod vouchers;
