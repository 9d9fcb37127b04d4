//! Use cases of simrenew and the ports they need.
//!
//! A use case takes its inputs already parsed into domain types, reads and writes through the
//! [`ports::Store`] port inside one transaction, and asks the domain for every decision.
//!
//! **Architecture Invariant:** this crate knows no database, no HTTP and no wire format; it
//! depends on `simrenew-domain` only. Time comes from the [`clock::Clock`] port.

#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub mod catalog;
pub mod clock;
pub mod error;
pub mod lines;
pub mod payment;
pub mod ports;
pub mod renewal;
pub mod vouchers;

pub use clock::{Clock, ManualClock};
pub use error::{AppError, AppResult, StoreError, StoreResult};
pub use ports::Store;

use std::sync::Arc;

/// Everything a use case needs: the store and the clock.
#[derive(Clone)]
pub struct App {
    pub store: Arc<dyn Store>,
    pub clock: Arc<dyn Clock>,
}

impl App {
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>) -> Self {
        Self { store, clock }
    }

    pub fn now(&self) -> simrenew_domain::Timestamp {
        self.clock.now()
    }
}
