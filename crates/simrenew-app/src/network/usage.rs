//! What the network tells simrenew a line used: usage records, from files and from a stream,
//! debited from the line's bundles in order of expiry ([`simrenew_domain::bundle::debit`]).
//!
//! A batch is one transaction: its records are kept by their ids (unique for ever, so a record
//! sent again, a file imported twice or a batch redelivered after a crash counts once), the
//! lines they name are locked (in id order, as every writer locks the line first) and their
//! bundles moved. A record of a number simrenew does not know is refused, with the reason, for
//! the caller's rejects file or subject; nothing is kept of it. An unlimited bundle counts the
//! bytes without debiting; bytes no bundle covers are kept on the record as such.

use async_trait::async_trait;
use jiff::Timestamp;
use simrenew_domain::identifiers::Msisdn;

use crate::{App, AppError, AppResult, StoreResult};

/// Records per transaction, at most, unless the store takes more
/// ([`UsageStore::usage_batch`]).
pub const BATCH: usize = 5_000;

/// Bytes a record may carry, at most (what the database's integers hold).
pub const MAX_BYTES: u64 = i64::MAX as u64;

/// Times a batch is counted again after it met another at once (a record id, a deadlock).
const RETRIES: u32 = 3;

/// One usage record, parsed by the network adapter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageRecord {
    /// The network's id of the record (1 to 64 of `A-Z a-z 0-9 . _ : -`).
    pub record_id: String,
    pub msisdn: Msisdn,
    pub start: Timestamp,
    pub end: Timestamp,
    pub bytes: u64,
}

/// Where a batch came from, kept on each record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UsageSource {
    File,
    Stream,
}

impl UsageSource {
    pub fn as_str(self) -> &'static str {
        match self {
            UsageSource::File => "file",
            UsageSource::Stream => "stream",
        }
    }
}

/// What became of one record of a batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UsageOutcome {
    /// Counted now: the bytes debited from limited bundles, and those no bundle covered.
    Counted { debited: u64, uncovered: u64 },
    /// Counted before (the same record id): nothing changed.
    Repeat,
    /// Not taken, and why (no such line).
    Refused(String),
}

/// What a batch did, in sum.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct UsageReport {
    pub counted: u64,
    pub repeats: u64,
    pub refused: u64,
    pub debited_bytes: u64,
    pub uncovered_bytes: u64,
}

impl UsageReport {
    pub fn add(&mut self, outcomes: &[UsageOutcome]) {
        for o in outcomes {
            match o {
                UsageOutcome::Counted { debited, uncovered } => {
                    self.counted += 1;
                    self.debited_bytes += debited;
                    self.uncovered_bytes += uncovered;
                }
                UsageOutcome::Repeat => self.repeats += 1,
                UsageOutcome::Refused(_) => self.refused += 1,
            }
        }
    }
}

/// The answer of [`UsageStore::record_usage`]: an outcome per record, in the batch's order,
/// and the lines whose bundles moved.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UsageCommit {
    pub outcomes: Vec<UsageOutcome>,
    pub lines_changed: Vec<Msisdn>,
}

/// Usage records (a supertrait of [`crate::Store`]).
#[async_trait]
pub trait UsageStore {
    /// Records a transaction takes at most: [`BATCH`], or more where the store writes a batch
    /// in the same few statements whatever its size.
    fn usage_batch(&self) -> usize {
        BATCH
    }

    /// Batches of different lines that may be counted at once: more than one where the
    /// database writes them side by side rather than one after the other.
    fn usage_lanes(&self) -> usize {
        1
    }

    /// Keeps the records not kept before and debits the bundles of their lines, all in one
    /// transaction; a record of an unknown number is refused. At most
    /// [`UsageStore::usage_batch`] records.
    async fn record_usage(
        &self,
        batch: &[UsageRecord],
        source: UsageSource,
        now: Timestamp,
    ) -> StoreResult<UsageCommit>;
}

impl App {
    /// Records counted in one transaction, at most: a caller that gathers records gathers as
    /// many.
    pub fn usage_batch(&self) -> usize {
        self.store.usage_batch().max(1)
    }

    /// Batches of different lines a caller may have counted at once (see
    /// [`UsageStore::usage_lanes`]).
    pub fn usage_lanes(&self) -> usize {
        self.store.usage_lanes().max(1)
    }

    /// Counts a batch of usage records (see the module): the outcome of each, in order.
    pub async fn record_usage(
        &self,
        batch: &[UsageRecord],
        source: UsageSource,
    ) -> AppResult<Vec<UsageOutcome>> {
        let mut outcomes = vec![None; batch.len()];
        let refusal = |r: &UsageRecord| {
            if r.bytes > MAX_BYTES {
                Some(format!("bytes: {} is more than {MAX_BYTES}", r.bytes))
            } else if r.end < r.start {
                Some("end: before the start".to_owned())
            } else {
                None
            }
        };
        // The records as they came when all of them may be counted, as they mostly are.
        let filtered: Vec<UsageRecord>;
        let (taken, at): (&[UsageRecord], Vec<usize>) =
            if batch.iter().all(|r| refusal(r).is_none()) {
                (batch, (0..batch.len()).collect())
            } else {
                let mut kept = Vec::with_capacity(batch.len());
                let mut at = Vec::with_capacity(batch.len());
                for (i, r) in batch.iter().enumerate() {
                    match refusal(r) {
                        Some(why) => outcomes[i] = Some(UsageOutcome::Refused(why)),
                        None => {
                            kept.push(r.clone());
                            at.push(i);
                        }
                    }
                }
                filtered = kept;
                (&filtered, at)
            };
        let size = self.usage_batch();
        for (chunk, idx) in taken.chunks(size).zip(at.chunks(size)) {
            // A batch that met another at once on a record id or a lock is counted again,
            // whole: its transaction left nothing.
            let mut tries = 0;
            let commit = loop {
                match self.store.record_usage(chunk, source, self.now()).await {
                    Err(crate::StoreError::Unavailable(why)) if tries < RETRIES => {
                        tries += 1;
                        tracing::debug!(%why, tries, "usage batch counted again");
                        tokio::time::sleep(std::time::Duration::from_millis(50 << tries)).await;
                    }
                    other => break other?,
                }
            };
            if commit.outcomes.len() != chunk.len() {
                return Err(AppError::Store(crate::StoreError::Internal(format!(
                    "{} outcomes for {} usage records",
                    commit.outcomes.len(),
                    chunk.len()
                ))));
            }
            for msisdn in &commit.lines_changed {
                self.line_changed(msisdn);
            }
            let mut report = UsageReport::default();
            report.add(&commit.outcomes);
            for (outcome, n) in [
                ("counted", report.counted),
                ("repeat", report.repeats),
                ("refused", report.refused),
            ] {
                metrics::counter!("simrenew_usage_outcomes_total", "source" => source.as_str(), "outcome" => outcome)
                    .increment(n);
            }
            metrics::counter!("simrenew_usage_bytes_total", "source" => source.as_str(), "debited" => "yes")
                .increment(report.debited_bytes);
            metrics::counter!("simrenew_usage_bytes_total", "source" => source.as_str(), "debited" => "no")
                .increment(report.uncovered_bytes);
            for (o, i) in commit.outcomes.into_iter().zip(idx) {
                outcomes[*i] = Some(o);
            }
        }
        Ok(outcomes
            .into_iter()
            .map(|o| o.unwrap_or(UsageOutcome::Repeat))
            .collect())
    }
}
