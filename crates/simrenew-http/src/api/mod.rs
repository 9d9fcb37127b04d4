//! The REST API under `/api/v1`, one module per resource.

pub mod catalog;
pub mod lines;
pub mod orders;
pub mod vouchers;
pub mod wire;
