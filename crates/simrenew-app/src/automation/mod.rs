//! What runs by itself: automatic renewal ([`auto_renew`]) and the line lifecycle, written when it is due — `active → grace`
//! at expiry, `grace → lapsed` when grace ends (with an outbox row that suspends the line at
//! the network; a lapsed line cannot be renewed). Reads
//! compute the same states from the expiry (`simrenew_domain::line::effective_state`), so
//! reads and the database agree once the worker has passed; the worker only makes the
//! database say it, and tells the network.
//!
//! Each pass takes a batch of due lines (`FOR UPDATE SKIP LOCKED` on PostgreSQL) and writes
//! each transition with its outbox row in one transaction: a worker killed mid-batch leaves
//! every line either moved with its row or not moved, and the next pass takes the rest. May
//! use: `network` (the outbox topics), `sales` and the ground.

pub mod auto_renew;
pub mod price_notices;

use async_trait::async_trait;
use jiff::Timestamp;

use crate::{App, AppResult, StoreResult};

pub use crate::network::LINE_SUSPENDED;

/// Lines moved per statement.
pub const BATCH: u32 = 500;

/// The lifecycle's writes (a supertrait of [`crate::Store`]); each call is one transaction.
#[async_trait]
pub trait LifecycleStore {
    /// Active lines whose expiry has passed but not their grace: now in grace.
    async fn lines_into_grace(&self, now: Timestamp, limit: u32) -> StoreResult<u32>;
    /// Active or grace lines whose grace has ended: lapsed, each with a [`LINE_SUSPENDED`]
    /// outbox row, in one transaction.
    async fn lines_lapse(&self, now: Timestamp, limit: u32) -> StoreResult<u32>;
}

/// What a lifecycle pass moved.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LifecycleReport {
    pub into_grace: u32,
    pub lapsed: u32,
}

impl LifecycleReport {
    pub fn moved_any(&self) -> bool {
        self.into_grace + self.lapsed > 0
    }
}

impl App {
    /// Writes the transitions that are due now, up to [`BATCH`] of each kind.
    pub async fn run_lifecycle(&self) -> AppResult<LifecycleReport> {
        let now = self.now();
        let report = LifecycleReport {
            into_grace: self.store.lines_into_grace(now, BATCH).await?,
            lapsed: self.store.lines_lapse(now, BATCH).await?,
        };
        if report.moved_any() {
            // Cached reads computed the same states; forget them so that none is stale.
            self.forget(crate::forget::Forget::AllLines);
        }
        Ok(report)
    }
}
