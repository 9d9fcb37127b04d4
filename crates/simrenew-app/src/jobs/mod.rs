//! What runs by itself, seen as one list of jobs: each kind is a durable row of its own
//! capability, claimed with `FOR UPDATE SKIP LOCKED` on PostgreSQL and retried with back-off
//! there — an outbox row (`network`), a reminder (`notifications`), a line's automatic renewal
//! (`automation`). This module names them with one id (`outbox-12`, `reminder-5`,
//! `auto-renew-7`), lists those that gave up (dead: refused, or out of retries) with their
//! reason, counts what waits, and puts a dead one back in its queue once its cause is fixed.
//!
//! May use: `network`, `notifications`, `automation` and the ground.

use async_trait::async_trait;
use jiff::Timestamp;
use simrenew_domain::identifiers::Msisdn;
use simrenew_domain::ids::{BrandId, LineId};
use simrenew_domain::ParseError;

use crate::{App, AppError, AppResult, StoreResult};

/// A job, by kind and the id of its row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum JobId {
    /// An outbox row: telling the network.
    Outbox(i64),
    /// A reminder or notice to a subscriber.
    Reminder(i64),
    /// A line's automatic renewal.
    AutoRenew(LineId),
}

impl JobId {
    /// `outbox-12`, `reminder-5`, `auto-renew-7`.
    pub fn parse(s: &str) -> Result<Self, ParseError> {
        let bad = || {
            ParseError::new(
                "id",
                "a job id is outbox-N, reminder-N or auto-renew-N (as `jobs list --dead` shows)",
            )
        };
        let s = s.trim();
        let (kind, n) = s.rsplit_once('-').ok_or_else(bad)?;
        let n: i64 = n.parse().ok().filter(|n| *n > 0).ok_or_else(bad)?;
        match kind {
            "outbox" => Ok(Self::Outbox(n)),
            "reminder" => Ok(Self::Reminder(n)),
            "auto-renew" => Ok(Self::AutoRenew(LineId(n))),
            _ => Err(bad()),
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Self::Outbox(_) => "outbox",
            Self::Reminder(_) => "reminder",
            Self::AutoRenew(_) => "auto_renew",
        }
    }
}

impl std::fmt::Display for JobId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Outbox(n) => write!(f, "outbox-{n}"),
            Self::Reminder(n) => write!(f, "reminder-{n}"),
            Self::AutoRenew(l) => write!(f, "auto-renew-{}", l.0),
        }
    }
}

/// A job that gave up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadJob {
    pub id: JobId,
    pub brand: BrandId,
    pub msisdn: Msisdn,
    /// What it was: the outbox topic, the reminder's channel, the plan to renew.
    pub what: String,
    pub attempts: u32,
    pub error: String,
    /// When it gave up (for an automatic renewal: its last try).
    pub since: Timestamp,
}

/// What waits to run, by kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Waiting {
    pub outbox: u64,
    pub reminders: u64,
    /// Lines whose automatic renewal failed and is tried again later.
    pub auto_renew_retries: u64,
}

/// What a retry found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retried {
    /// Back in its queue, due now.
    Queued,
    /// No such dead job (of the brand, when given).
    NotDead,
    /// Dead, but no longer wanted: a reminder for an expiry the line has left behind.
    Stale,
}

/// The jobs of the reminders and automatic renewals, as this module sees them (a supertrait
/// of [`crate::Store`]; the outbox's are [`crate::network::NetworkStore`]'s).
#[async_trait]
pub trait JobStore {
    async fn dead_reminders(&self, brand: Option<BrandId>, limit: u32)
        -> StoreResult<Vec<DeadJob>>;
    async fn spent_auto_renewals(
        &self,
        brand: Option<BrandId>,
        limit: u32,
    ) -> StoreResult<Vec<DeadJob>>;
    async fn retry_reminder(
        &self,
        id: i64,
        brand: Option<BrandId>,
        now: Timestamp,
    ) -> StoreResult<Retried>;
    async fn retry_auto_renewal(
        &self,
        line: LineId,
        brand: Option<BrandId>,
    ) -> StoreResult<Retried>;
    /// Reminders waiting to be sent, and lines whose automatic renewal waits for a retry.
    async fn waiting_jobs(&self) -> StoreResult<(u64, u64)>;
}

impl App {
    /// The jobs that gave up, newest first (of one brand only, when given), at most `limit`.
    pub async fn dead_jobs(&self, brand: Option<BrandId>, limit: u32) -> AppResult<Vec<DeadJob>> {
        let mut jobs: Vec<DeadJob> = self
            .store
            .dead_letters(brand, limit)
            .await?
            .into_iter()
            .map(|d| DeadJob {
                id: JobId::Outbox(d.id),
                brand: d.brand,
                msisdn: d.msisdn,
                what: d.topic,
                attempts: d.attempts,
                error: d.error,
                since: d.dead_at,
            })
            .collect();
        jobs.extend(self.store.dead_reminders(brand, limit).await?);
        jobs.extend(self.store.spent_auto_renewals(brand, limit).await?);
        jobs.sort_by(|a, b| {
            b.since
                .cmp(&a.since)
                .then(b.id.to_string().cmp(&a.id.to_string()))
        });
        jobs.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
        Ok(jobs)
    }

    /// What waits to run now or later, by kind.
    pub async fn waiting_jobs(&self) -> AppResult<Waiting> {
        let (outbox, _) = self.store.outbox_backlog().await?;
        let (reminders, auto_renew_retries) = self.store.waiting_jobs().await?;
        Ok(Waiting {
            outbox,
            reminders,
            auto_renew_retries,
        })
    }

    /// Puts a dead job back in its queue, due now (one of `brand` only, when given).
    pub async fn retry_job(&self, id: JobId, brand: Option<BrandId>) -> AppResult<()> {
        let now = self.now();
        let retried = match id {
            JobId::Outbox(n) => {
                if self.store.outbox_replay(n, brand, now).await? {
                    Retried::Queued
                } else {
                    Retried::NotDead
                }
            }
            JobId::Reminder(n) => self.store.retry_reminder(n, brand, now).await?,
            JobId::AutoRenew(line) => self.store.retry_auto_renewal(line, brand).await?,
        };
        match retried {
            Retried::Queued => {
                tracing::info!(job = %id, "a dead job was put back in its queue");
                Ok(())
            }
            Retried::NotDead => Err(AppError::not_found("dead job", "id")),
            Retried::Stale => Err(AppError::conflict(
                "id",
                format!("{id} is for an expiry the line has left behind: nothing to send"),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn job_ids_read_back_as_written() {
        for id in [
            JobId::Outbox(12),
            JobId::Reminder(5),
            JobId::AutoRenew(LineId(7)),
        ] {
            assert_eq!(JobId::parse(&id.to_string()).unwrap(), id);
        }
        for bad in [
            "",
            "outbox",
            "outbox-",
            "outbox-0",
            "outbox--3",
            "job-4",
            "auto-renew-x",
        ] {
            assert_eq!(JobId::parse(bad).unwrap_err().field, "id", "{bad}");
        }
    }
}
