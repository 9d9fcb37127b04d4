//! One write transaction, and the way into it: the store's side of `simrenew_app::Store` and
//! `simrenew_app::Tx`, whose capability ports are implemented in the capability modules.

use async_trait::async_trait;
use simrenew_app::{Store, StoreResult, Tx};
use sqlx::{Any, Transaction};
use tokio::sync::OwnedMutexGuard;

use crate::error::map;
use crate::{Db, Dialect};

/// Reminder rows per `INSERT`: 7 parameters each, well under SQLite's and PostgreSQL's limits.
const REMINDERS_PER_STATEMENT: usize = 500;

pub(crate) struct SqlTx {
    pub(crate) tx: Transaction<'static, Any>,
    pub(crate) dialect: Dialect,
    /// Held until commit or rollback on SQLite; see `Db::write_lock`.
    pub(crate) _guard: Option<OwnedMutexGuard<()>>,
    pub(crate) audit_key: Option<simrenew_app::audit::AuditKey>,
    /// The idempotent request this transaction runs for, if any, and the effect it records
    /// (the order it placed, else the subject of its first audit entry): marked on the key
    /// at commit, in this transaction.
    pub(crate) attempt: Option<simrenew_app::idempotency::Attempt>,
    pub(crate) effect: Option<String>,
    /// An audit chain's head this transaction holds locked, as it last left it: the next
    /// entry of that chain follows it without locking it again.
    pub(crate) held_head: Option<HeldHead>,
}

/// An audit chain's head locked by the transaction holding it: its last entry's number and
/// MAC (see `audit::lock_head`).
#[derive(Debug, Clone)]
pub(crate) struct HeldHead {
    pub chain: String,
    pub seq: i64,
    pub hash: String,
}

/// What a line holds that no other may: its number, its card (ICCID).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Holding {
    Number,
    Card,
}

impl SqlTx {
    /// Which of `values` a line holds as its `key`, 500 to a statement. A released number is
    /// free again; a card is never used twice.
    pub(crate) async fn held_by_lines(
        &mut self,
        key: Holding,
        values: &[&str],
    ) -> StoreResult<Vec<String>> {
        let (column, held) = match key {
            Holding::Number => ("msisdn", " AND number_released_at IS NULL"),
            Holding::Card => ("iccid", ""),
        };
        let mut found = Vec::new();
        for chunk in values.chunks(500) {
            let sql = format!(
                "SELECT {column} FROM lines WHERE {column} IN ({}){held}",
                crate::codec::placeholders(1, chunk.len())
            );
            let mut q = sqlx::query_scalar::<_, String>(&sql);
            for v in chunk {
                q = q.bind(*v);
            }
            found.extend(q.fetch_all(self.conn()).await.map_err(map)?);
        }
        Ok(found)
    }

    pub(crate) fn conn(&mut self) -> &mut sqlx::AnyConnection {
        &mut self.tx
    }

    /// An outbox row for the line, written in the transaction of what it announces.
    pub(crate) async fn insert_outbox(
        &mut self,
        brand: i64,
        line: simrenew_domain::ids::LineId,
        topic: &str,
        payload: &str,
        order: Option<i64>,
        now: jiff::Timestamp,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO outbox (brand_id, line_id, topic, payload, created_at, order_id) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(brand)
        .bind(line.0)
        .bind(topic)
        .bind(payload)
        .bind(now.as_second())
        .bind(order)
        .execute(self.conn())
        .await
        .map_err(map)?;
        Ok(())
    }

    /// Reminders planned in this transaction, those not there yet (one per line, expiry, step
    /// and channel); how many were new. A day's plan is tens of thousands of rows: they go in
    /// [`REMINDERS_PER_STATEMENT`] at a time, one multi-row `INSERT` each.
    pub(crate) async fn insert_reminders(
        &mut self,
        rows: &[simrenew_app::notifications::NewReminder],
        now: jiff::Timestamp,
    ) -> StoreResult<u32> {
        let mut new = 0;
        for chunk in rows.chunks(REMINDERS_PER_STATEMENT) {
            let values = (0..chunk.len())
                .map(|i| {
                    let p = i * 7;
                    format!(
                        "(${}, ${}, ${}, ${}, ${}, ${}, 'pending', ${}, $1)",
                        p + 2,
                        p + 3,
                        p + 4,
                        p + 5,
                        p + 6,
                        p + 7,
                        p + 8
                    )
                })
                .collect::<Vec<_>>()
                .join(", ");
            let sql = format!(
                "INSERT INTO reminders (brand_id, line_id, subscriber_id, expires_at, step, \
                 channel, state, due_at, created_at) VALUES {values} \
                 ON CONFLICT (line_id, expires_at, step, channel) DO NOTHING"
            );
            let mut q = sqlx::query(&sql).bind(now.as_second());
            for r in chunk {
                q = q
                    .bind(r.brand.0)
                    .bind(r.line.0)
                    .bind(r.subscriber.0)
                    .bind(r.expires_at.as_second())
                    .bind(i64::from(r.step))
                    .bind(r.channel.as_str())
                    .bind(r.due_at.as_second());
            }
            new += q.execute(self.conn()).await.map_err(map)?.rows_affected();
        }
        Ok(u32::try_from(new).unwrap_or(u32::MAX))
    }

    /// Records what this transaction did, for its idempotency key: an order outranks
    /// anything else, otherwise the first effect stays.
    pub(crate) fn record_effect(&mut self, effect: String) {
        let is_order = effect.starts_with("order:");
        match &self.effect {
            Some(e) if e.starts_with("order:") || !is_order => {}
            _ => self.effect = Some(effect),
        }
    }
}

impl Db {
    /// A write transaction, behind SQLite's write lock: what a single write outside a use
    /// case's transaction goes through too, so that it queues instead of failing when writers
    /// meet.
    pub(crate) async fn begin_sql(&self) -> StoreResult<SqlTx> {
        let guard = match &self.write_lock {
            Some(lock) => Some(lock.clone().lock_owned().await),
            None => None,
        };
        let tx = self.begin_raw().await.map_err(map)?;
        Ok(SqlTx {
            tx,
            dialect: self.dialect,
            _guard: guard,
            audit_key: self.audit_key.clone(),
            attempt: simrenew_app::idempotency::current_attempt(),
            effect: None,
            held_head: None,
        })
    }
}

impl SqlTx {
    pub(crate) async fn commit_sql(self) -> StoreResult<()> {
        let SqlTx {
            mut tx,
            _guard,
            attempt,
            effect,
            ..
        } = self;
        if let (Some(attempt), Some(effect)) = (attempt, effect) {
            crate::idempotency::mark_effect(
                &mut tx,
                &attempt,
                &effect,
                simrenew_app::idempotency::wall_clock(),
            )
            .await?;
        }
        tx.commit().await.map_err(map)
    }
}

#[async_trait]
impl Store for Db {
    async fn begin(&self) -> StoreResult<Box<dyn Tx>> {
        Ok(Box::new(self.begin_sql().await?))
    }
}

#[async_trait]
impl Tx for SqlTx {
    async fn commit(self: Box<Self>) -> StoreResult<()> {
        (*self).commit_sql().await
    }
}
