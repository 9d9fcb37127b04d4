//! The rules of simrenew: money, lines, plans, catalog versions, promotions, quotes, bundles
//! and expiry arithmetic.
//!
//! **Architecture Invariant:** this crate does no I/O, is not async and knows nothing of HTTP,
//! SQL or serde wire formats. Time is always a parameter (`now: Timestamp`), never read here.

#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub mod access;
pub mod auto_debit;
pub mod brand;
pub mod brand_look;
pub mod bundle;
pub mod catalog;
pub mod error;
pub mod esim;
pub mod identification;
pub mod identifiers;
pub mod ids;
pub mod line;
pub mod money;
pub mod order;
pub mod parse;
pub mod price_notice;
pub mod promotion;
pub mod provider_ids;
pub mod quote;
pub mod refund;
pub mod reminder;
pub mod time;
pub mod voucher;

pub use error::DomainError;
pub use jiff::{tz::TimeZone, Timestamp};
pub use parse::ParseError;
