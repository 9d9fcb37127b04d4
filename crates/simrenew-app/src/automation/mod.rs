//! What runs by itself: automatic renewal ([`auto_renew`]) and the line lifecycle, written when it is due — `active → grace`
//! at expiry, `grace → lapsed` when grace ends (with an outbox row that suspends the line at
//! the network; a lapsed line cannot be renewed), and a lapsed line's number released when
//! the brand's retention has passed since the lapse, counted in days of the brand's zone
//! (an outbox row tells the network, and the number goes back to the brand's pool for a new
//! line; the line keeps its row and history, and is no longer found by the number). Reads
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

pub use crate::network::{LINE_SUSPENDED, NUMBER_RELEASED};

/// Lines moved per statement.
pub const BATCH: u32 = 2_000;

/// The lifecycle's writes (a supertrait of [`crate::Store`]); each call is one transaction.
#[async_trait]
pub trait LifecycleStore {
    /// Active lines of `brand` whose expiry has passed but not their grace: now in grace,
    /// soonest expiry first.
    async fn lines_into_grace(
        &self,
        brand: simrenew_domain::ids::BrandId,
        now: Timestamp,
        limit: u32,
    ) -> StoreResult<u32>;
    /// Active or grace lines of `brand` whose grace has ended: lapsed, each with a
    /// [`LINE_SUSPENDED`] outbox row, in one transaction.
    async fn lines_lapse(
        &self,
        brand: simrenew_domain::ids::BrandId,
        now: Timestamp,
        limit: u32,
    ) -> StoreResult<u32>;
    /// Lapsed lines of each brand whose lapse is at or before the brand's cutoff: their number
    /// released, each with a [`NUMBER_RELEASED`] outbox row and the number given back to the
    /// brand's pool, in one transaction. Answers the numbers released.
    async fn numbers_release(
        &self,
        cutoffs: &[(simrenew_domain::ids::BrandId, Timestamp)],
        now: Timestamp,
        limit: u32,
    ) -> StoreResult<Vec<simrenew_domain::identifiers::Msisdn>>;
}

/// What a lifecycle pass moved.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LifecycleReport {
    pub into_grace: u32,
    pub lapsed: u32,
    pub numbers_released: u32,
}

impl LifecycleReport {
    pub fn moved_any(&self) -> bool {
        self.into_grace + self.lapsed + self.numbers_released > 0
    }
}

/// The latest lapse whose number is released at `now`: the brand's retention back from now,
/// in calendar days of its zone.
pub fn release_cutoff(brand: &simrenew_domain::brand::Brand, now: Timestamp) -> Option<Timestamp> {
    let days = jiff::Span::new().days(i64::from(brand.number_retention_days));
    now.to_zoned(brand.time_zone.clone())
        .checked_sub(days)
        .ok()
        .map(|z| z.timestamp())
}

impl App {
    /// Writes the transitions that are due now, up to [`BATCH`] of each kind in all.
    pub async fn run_lifecycle(&self) -> AppResult<LifecycleReport> {
        let now = self.now();
        let brands = self.store.brands().await?;
        let cutoffs: Vec<_> = brands
            .iter()
            .filter_map(|b| Some((b.id, release_cutoff(b, now)?)))
            .collect();
        let (mut into_grace, mut lapsed) = (0, 0);
        for brand in &brands {
            if into_grace < BATCH {
                into_grace += self
                    .store
                    .lines_into_grace(brand.id, now, BATCH - into_grace)
                    .await?;
            }
            if lapsed < BATCH {
                lapsed += self
                    .store
                    .lines_lapse(brand.id, now, BATCH - lapsed)
                    .await?;
            }
        }
        let released = self.store.numbers_release(&cutoffs, now, BATCH).await?;
        for msisdn in &released {
            // The number is no longer this line's: a new line may hold it.
            self.forget(crate::forget::Forget::Access(msisdn.as_str().to_owned()));
        }
        let report = LifecycleReport {
            into_grace,
            lapsed,
            numbers_released: u32::try_from(released.len()).unwrap_or(u32::MAX),
        };
        if report.moved_any() {
            // Cached reads computed the same states; forget them so that none is stale.
            self.forget(crate::forget::Forget::AllLines);
        }
        Ok(report)
    }
}
