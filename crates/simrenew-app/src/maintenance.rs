//! Forgetting what only lives a while: sessions past their end, sign-in codes an hour past
//! theirs, rate counters of windows gone by, WebAuthn ceremonies, counter lookups grown old,
//! idempotency keys after [`IDEMPOTENCY_RETENTION`] and enrolments never confirmed. None of it
//! is history: the audit log keeps what happened.
//!
//! A server runs it every few minutes, `simrenew maintenance prune` on demand; running it
//! twice, or in several processes at once, does no harm. Rows go in batches, so that no
//! statement holds locks for long.
//!
//! It also hashes the voucher codes an older version kept in clear (the expand/contract step
//! of `vouchers.code_hash`, see the migrations' README).
//!
//! Uses identity (its lifetimes) and sales (the voucher key); nothing uses it.

use async_trait::async_trait;
use jiff::{SignedDuration, Timestamp};

use crate::identity::counter::LOOKUP_LIFETIME;
use crate::identity::second_factor::ENROLMENT_LIFETIME;
use crate::identity::sessions::SESSION_IDLE;
use crate::{App, AppError, AppResult, StoreResult};
use simrenew_domain::ids::VoucherId;
use simrenew_domain::voucher::VoucherCode;

/// How long an `Idempotency-Key` is kept: a client retries within this time.
pub const IDEMPOTENCY_RETENTION: SignedDuration = SignedDuration::from_hours(24);
/// How long a sign-in code is kept after it expired, so that a late try is told so.
pub const CODE_RETENTION: SignedDuration = SignedDuration::from_hours(1);
/// Rows deleted per statement.
pub const BATCH: u32 = 5_000;

/// What is pruned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prunable {
    Sessions,
    StaffSessions,
    SignInCodes,
    RateCounters,
    WebauthnChallenges,
    CounterLookups,
    IdempotencyKeys,
    TotpEnrolments,
}

impl Prunable {
    pub const ALL: [Prunable; 8] = [
        Prunable::Sessions,
        Prunable::StaffSessions,
        Prunable::SignInCodes,
        Prunable::RateCounters,
        Prunable::WebauthnChallenges,
        Prunable::CounterLookups,
        Prunable::IdempotencyKeys,
        Prunable::TotpEnrolments,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Prunable::Sessions => "sessions",
            Prunable::StaffSessions => "staff sessions",
            Prunable::SignInCodes => "sign-in codes",
            Prunable::RateCounters => "rate counters",
            Prunable::WebauthnChallenges => "passkey ceremonies",
            Prunable::CounterLookups => "counter lookups",
            Prunable::IdempotencyKeys => "idempotency keys",
            Prunable::TotpEnrolments => "unconfirmed enrolments",
        }
    }
}

/// The instants before which each kind of row is over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cutoffs {
    /// Sessions past their absolute end, ceremonies past theirs, counters of ended windows.
    pub now: Timestamp,
    /// Sessions last used before this are idle too long.
    pub idle_since: Timestamp,
    pub codes_expired_before: Timestamp,
    pub lookups_before: Timestamp,
    pub idempotency_before: Timestamp,
    pub enrolments_before: Timestamp,
}

impl Cutoffs {
    pub fn at(now: Timestamp) -> AppResult<Self> {
        let ago = |d: SignedDuration| {
            now.checked_sub(d)
                .map_err(|_| simrenew_domain::DomainError::TimeOutOfRange)
        };
        Ok(Self {
            now,
            idle_since: ago(SESSION_IDLE)?,
            codes_expired_before: ago(CODE_RETENTION)?,
            lookups_before: ago(LOOKUP_LIFETIME)?,
            idempotency_before: ago(IDEMPOTENCY_RETENTION)?,
            enrolments_before: ago(ENROLMENT_LIFETIME)?,
        })
    }
}

/// How many of each were forgotten.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PruneReport(pub Vec<(Prunable, u64)>);

impl PruneReport {
    pub fn total(&self) -> u64 {
        self.0.iter().map(|(_, n)| n).sum()
    }
}

/// Deleting what is over (a supertrait of [`crate::Store`]).
#[async_trait]
pub trait MaintenanceStore {
    /// Deletes (or, for enrolments, clears) at most `batch` rows of `what` that are over by
    /// `cutoffs`; how many.
    async fn prune(&self, what: Prunable, cutoffs: &Cutoffs, batch: u32) -> StoreResult<u64>;
    /// At most `limit` vouchers whose code is still kept in clear, with it.
    async fn clear_voucher_codes(&self, limit: u32) -> StoreResult<Vec<(VoucherId, String)>>;
    /// Keeps `code_hash` for the voucher instead of its code in clear.
    async fn hash_voucher_code(&self, id: VoucherId, code_hash: &str) -> StoreResult<()>;
}

impl App {
    /// Forgets everything that is over.
    pub async fn prune(&self) -> AppResult<PruneReport> {
        let cutoffs = Cutoffs::at(self.now())?;
        let mut report = PruneReport::default();
        for what in Prunable::ALL {
            let mut total = 0;
            loop {
                let n = self.store.prune(what, &cutoffs, BATCH).await?;
                total += n;
                if n < u64::from(BATCH) {
                    break;
                }
            }
            report.0.push((what, total));
        }
        Ok(report)
    }

    /// Replaces every voucher code kept in clear by its keyed hash; how many. Without the
    /// voucher key, changes nothing (and says so when there is something to change).
    pub async fn hash_clear_voucher_codes(&self) -> AppResult<u64> {
        let mut done = 0;
        loop {
            let clear = self.store.clear_voucher_codes(BATCH).await?;
            if clear.is_empty() {
                return Ok(done);
            }
            let Some(key) = &self.voucher_key else {
                return Err(AppError::Conflict {
                    field: None,
                    message: "voucher codes are kept in clear and no voucher key is configured \
                              to hash them"
                        .into(),
                });
            };
            for (id, code) in &clear {
                let code = VoucherCode::parse(code).map_err(|e| {
                    crate::StoreError::Internal(format!("voucher {id}: {}", e.reason))
                })?;
                self.store.hash_voucher_code(*id, &key.hash(&code)).await?;
                done += 1;
            }
        }
    }
}
