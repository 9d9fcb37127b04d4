//! Telling the network: the outbox rows the sales and payments capabilities write (a bundle
//! granted by a renewal) are delivered by a worker through the brand's provisioning adapter
//! (the [`Provisioner`] port), each with the row's own idempotency key, retried with back-off,
//! and kept as a dead letter an admin sees and replays when the network refuses or never
//! answers. An order leaves `syncing` for `completed` when the network has confirmed every
//! bundle it granted, in the transaction that records the last confirmation.
//!
//! Rows are claimed for a while (`claimed_until`) before the network is called, outside any
//! transaction: on PostgreSQL with `FOR UPDATE SKIP LOCKED`, so that any number of workers
//! share the outbox and none sends a row another is sending. A worker that dies lets its claim
//! lapse; the row is sent again, under the same key, which the network answers as the first
//! time. May use: `sales` (the topics) and the ground.

pub mod usage;

use std::time::Duration;

use async_trait::async_trait;
use jiff::{SignedDuration, Timestamp};
use simrenew_domain::identifiers::{Iccid, Msisdn};
use simrenew_domain::ids::{BrandId, LineId, OrderId};

use crate::{App, AppResult, StoreResult};

/// The topics a provisioning API delivers.
pub const DELIVERED_TOPICS: [&str; 3] = [
    crate::sales::ports::BUNDLE_GRANTED,
    LINE_SUSPENDED,
    NUMBER_RELEASED,
];

/// The topics an SM-DP+ delivers (ES2+): a new eSIM's profile ordered, a held one released,
/// one refunded before install given up.
pub const ESIM_TOPICS: [&str; 3] = [
    crate::sales::ports::ESIM_ORDERED,
    crate::sales::ports::ESIM_RELEASED,
    crate::sales::ports::ESIM_CANCELLED,
];

/// The outbox topic of a line lapsed: suspend it at the network.
pub const LINE_SUSPENDED: &str = "line_suspended";

/// The outbox topic of a lapsed line's number released after its brand's retention.
pub const NUMBER_RELEASED: &str = "number_released";

/// The topic as a metric's label: the ones delivered, or `other`.
fn topic_label(topic: &str) -> &'static str {
    DELIVERED_TOPICS
        .iter()
        .chain(ESIM_TOPICS.iter())
        .find(|t| **t == topic)
        .copied()
        .unwrap_or("other")
}

/// How long a claimed row is left to its worker before another may send it.
pub const CLAIM: Duration = Duration::from_secs(120);

/// Lines delivered at once by one worker.
pub const PARALLEL: usize = 64;

/// Deliveries in all before a row that the network never confirmed becomes a dead letter.
pub const MAX_ATTEMPTS: u32 = 8;

/// The wait after the `attempts`-th failed delivery: 30 s, doubled each time, at most an hour.
pub fn backoff(attempts: u32) -> Duration {
    let secs = 30u64.saturating_mul(1 << attempts.saturating_sub(1).min(7));
    Duration::from_secs(secs.min(3600))
}

/// One outbox row to deliver.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxItem {
    pub id: i64,
    pub brand: BrandId,
    pub line: LineId,
    pub msisdn: Msisdn,
    pub iccid: Option<Iccid>,
    pub order: Option<OrderId>,
    pub topic: String,
    /// The row's JSON, as written with the effect.
    pub payload: String,
    /// Deliveries tried before this one.
    pub attempts: u32,
}

impl OutboxItem {
    /// The key the network sees on every delivery of this row.
    pub fn idempotency_key(&self) -> String {
        format!("simrenew-outbox-{}", self.id)
    }
}

/// What one delivery came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    /// The network did it; its reference of the operation (for [`ESIM_TOPICS`]'s
    /// `esim_ordered`, the profile's activation code, which is kept on the line).
    Confirmed { operation_id: String },
    /// The network refused, and asking again will not change its mind: a dead letter.
    Rejected { reason: String },
    /// Nothing known for sure (no answer, a timeout, a 5xx): try again later, same key.
    TryAgain { why: String },
}

/// A network's provisioning API, for one brand or all.
#[async_trait]
pub trait Provisioner: Send + Sync {
    /// The adapter's name, as in logs and dead letters (`http_provisioning`).
    fn name(&self) -> &'static str;
    /// The outbox topics it delivers.
    fn topics(&self) -> &'static [&'static str];
    async fn deliver(&self, item: &OutboxItem) -> Delivery;
}

/// A row the network refused or never confirmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadLetter {
    pub id: i64,
    pub brand: BrandId,
    pub msisdn: Msisdn,
    pub order: Option<OrderId>,
    pub topic: String,
    pub attempts: u32,
    pub error: String,
    pub dead_at: Timestamp,
}

/// Where an order stands with the network.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProvisioningState {
    pub confirmed: u32,
    /// Being told, or to be told after a retry.
    pub pending: u32,
    pub dead: u32,
    /// Bundles of a line awaiting identification: told once the subscriber is identified.
    pub awaiting_identification: u32,
}

/// A delivery the network confirmed, to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confirmation {
    pub id: i64,
    pub line: LineId,
    pub topic: String,
    /// The network's reference of the operation; for `esim_ordered`, the activation code.
    pub operation_id: String,
}

/// The outbox, outside any transaction (a supertrait of [`crate::Store`]).
#[async_trait]
pub trait NetworkStore {
    /// Claims up to `limit` rows of `topics` that are due (never delivered, not dead, past
    /// their next attempt and any other claim) until `claim_until`, oldest first.
    async fn claim_outbox(
        &self,
        topics: &[&str],
        now: Timestamp,
        claim_until: Timestamp,
        limit: u32,
    ) -> StoreResult<Vec<OutboxItem>>;
    /// Records the network's confirmations and moves each order whose last row waiting was
    /// among them from `syncing` to `completed`, all in one transaction, with what a
    /// confirmation means for the line: a new eSIM's activation code kept (and its profile
    /// released, or held until its subscriber is identified), a held profile ready. Answers
    /// the orders completed.
    async fn outbox_confirmed(
        &self,
        confirmed: &[Confirmation],
        now: Timestamp,
    ) -> StoreResult<Vec<OrderId>>;
    async fn outbox_retry_at(&self, id: i64, error: &str, at: Timestamp) -> StoreResult<()>;
    async fn outbox_dead(&self, id: i64, error: &str, now: Timestamp) -> StoreResult<()>;
    /// Dead letters, newest first; of one brand only when `brand` is given.
    async fn dead_letters(
        &self,
        brand: Option<BrandId>,
        limit: u32,
    ) -> StoreResult<Vec<DeadLetter>>;
    /// Puts a dead letter back in the queue, due now; false when `id` is no dead letter (of
    /// `brand`, when given).
    async fn outbox_replay(
        &self,
        id: i64,
        brand: Option<BrandId>,
        now: Timestamp,
    ) -> StoreResult<bool>;
    async fn provisioning_state(&self, order: OrderId) -> StoreResult<ProvisioningState>;
    /// Rows waiting for delivery, and the creation time of the oldest.
    async fn outbox_backlog(&self) -> StoreResult<(u64, Option<Timestamp>)>;
}

/// What a drain did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DrainReport {
    pub confirmed: u32,
    pub retried: u32,
    pub dead: u32,
    pub orders_completed: u32,
}

impl DrainReport {
    pub fn delivered_any(&self) -> bool {
        self.confirmed + self.retried + self.dead > 0
    }
}

fn after(t: Timestamp, d: Duration) -> Timestamp {
    t.checked_add(SignedDuration::try_from(d).unwrap_or(SignedDuration::ZERO))
        .unwrap_or(t)
}

impl App {
    /// Delivers up to `limit` due outbox rows through `provisioner`: the rows of one line one
    /// after the other, in the order they were written, and up to [`PARALLEL`] lines at once.
    pub async fn drain_outbox(
        &self,
        provisioner: &dyn Provisioner,
        limit: u32,
    ) -> AppResult<DrainReport> {
        use futures_util::stream::{self, StreamExt, TryStreamExt};
        let now = self.now();
        let items = self
            .store
            .claim_outbox(provisioner.topics(), now, after(now, CLAIM), limit)
            .await?;
        let mut by_line: Vec<Vec<OutboxItem>> = Vec::new();
        for item in items {
            match by_line.iter_mut().find(|g| g[0].line == item.line) {
                Some(group) => group.push(item),
                None => by_line.push(vec![item]),
            }
        }
        let delivered: Vec<(DrainReport, Vec<(OutboxItem, String)>)> = stream::iter(by_line)
            .map(|group| self.deliver_in_order(provisioner, group))
            .buffer_unordered(PARALLEL)
            .try_collect()
            .await?;
        let mut report = DrainReport::default();
        let mut confirmed = Vec::new();
        for (r, c) in delivered {
            report.confirmed += r.confirmed;
            report.retried += r.retried;
            report.dead += r.dead;
            confirmed.extend(c);
        }
        // The confirmations of the round in one transaction: a crash before it sends those
        // rows again, under their keys, which the network answers as the first time.
        if !confirmed.is_empty() {
            let rows: Vec<Confirmation> = confirmed
                .iter()
                .map(|(item, op)| Confirmation {
                    id: item.id,
                    line: item.line,
                    topic: item.topic.clone(),
                    operation_id: op.clone(),
                })
                .collect();
            let completed = self.store.outbox_confirmed(&rows, self.now()).await?;
            report.orders_completed = u32::try_from(completed.len()).unwrap_or(u32::MAX);
            for (item, _) in &confirmed {
                self.line_changed(&item.msisdn);
            }
        }
        Ok(report)
    }

    /// Delivers one line's rows in order; answers what happened and the rows confirmed, with
    /// the network's operation ids, for the caller to record together.
    async fn deliver_in_order(
        &self,
        provisioner: &dyn Provisioner,
        items: Vec<OutboxItem>,
    ) -> AppResult<(DrainReport, Vec<(OutboxItem, String)>)> {
        let mut report = DrainReport::default();
        let mut confirmed = Vec::new();
        for item in items {
            let outcome = provisioner.deliver(&item).await;
            let result = match &outcome {
                Delivery::Confirmed { .. } => "confirmed",
                Delivery::Rejected { .. } => "rejected",
                Delivery::TryAgain { .. } => "try_again",
            };
            metrics::counter!(
                "simrenew_provisioning_deliveries_total",
                "adapter" => provisioner.name(),
                "topic" => topic_label(&item.topic),
                "result" => result
            )
            .increment(1);
            let now = self.now();
            match outcome {
                Delivery::Confirmed { operation_id } => {
                    report.confirmed += 1;
                    confirmed.push((item, operation_id));
                }
                Delivery::Rejected { reason } => {
                    report.dead += 1;
                    let error = format!("{}: refused: {reason}", provisioner.name());
                    tracing::warn!(outbox = item.id, %error, "the network refused an outbox row");
                    self.store.outbox_dead(item.id, &error, now).await?;
                }
                Delivery::TryAgain { why } => {
                    let attempts = item.attempts + 1;
                    let error = format!("{}: {why}", provisioner.name());
                    if attempts >= MAX_ATTEMPTS {
                        report.dead += 1;
                        tracing::warn!(outbox = item.id, %error, attempts, "an outbox row was never confirmed");
                        self.store.outbox_dead(item.id, &error, now).await?;
                    } else {
                        report.retried += 1;
                        self.store
                            .outbox_retry_at(item.id, &error, after(now, backoff(attempts)))
                            .await?;
                        // The line's later rows wait for this one.
                        break;
                    }
                }
            }
        }
        Ok((report, confirmed))
    }

    /// The rows the network refused or never confirmed, newest first; of one brand only when
    /// `brand` is given.
    pub async fn dead_letters(
        &self,
        brand: Option<BrandId>,
        limit: u32,
    ) -> AppResult<Vec<DeadLetter>> {
        Ok(self.store.dead_letters(brand, limit).await?)
    }

    /// Sends a dead letter again (after its cause was fixed); one of `brand` only, when given.
    pub async fn replay_dead_letter(&self, id: i64, brand: Option<BrandId>) -> AppResult<()> {
        if self.store.outbox_replay(id, brand, self.now()).await? {
            Ok(())
        } else {
            Err(crate::AppError::not_found("dead letter", "id"))
        }
    }

    /// Where an order stands with the network.
    pub async fn provisioning_state(&self, order: OrderId) -> AppResult<ProvisioningState> {
        Ok(self.store.provisioning_state(order).await?)
    }
}
