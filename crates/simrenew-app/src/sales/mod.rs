//! Sales: brands and the plans on sale, lines and their import, quotes, orders, the payment
//! step of a renewal, the renewal itself and vouchers.
//!
//! Uses the audit log and the ground (`clock`, `error`); no other capability. Payments sit
//! above it and settle orders through [`renewal`]'s `pay`; identity sits above it and locks and
//! lists lines through it.

pub mod catalog;
pub mod lines;
pub mod payment;
pub mod portal;
pub mod ports;
pub mod renewal;
pub mod vouchers;
