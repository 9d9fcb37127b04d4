//! The REST API under `/api/v1`, one module per resource.

pub mod auth;
pub mod auto_renew;
pub mod bounds;
pub mod catalog;
pub mod counter;
pub mod esims;
pub mod identification;
pub mod lines;
pub mod messages;
pub mod network;
pub mod orders;
pub mod passkeys;
pub mod payments;
pub mod promotions;
pub mod subscribers;
pub mod vouchers;
pub mod webhooks;
pub mod wire;
