//! The outbox as the network workers see it: claims, confirmations, retries, dead letters.

use async_trait::async_trait;
use jiff::Timestamp;
use simrenew_app::network::{
    Confirmation, DeadLetter, NetworkStore, OutboxItem, ProvisioningState, ESIM_TOPICS,
};
use simrenew_app::sales::ports::{ESIM_CANCELLED, ESIM_ORDERED, ESIM_RELEASED};
use simrenew_app::StoreResult;
use simrenew_domain::identifiers::{Iccid, Msisdn};
use simrenew_domain::ids::{BrandId, LineId, OrderId};
use simrenew_domain::order::OrderState;
use sqlx::any::AnyRow;

use crate::codec::{bool_of, get, placeholders, ts};
use crate::error::{corrupt, map};
use crate::tx::SqlTx;
use crate::Db;

const ITEM_COLUMNS: &str = "o.id, o.brand_id, o.line_id, o.order_id, o.topic, o.payload, \
     o.attempts, l.msisdn, l.iccid";

fn item(row: &AnyRow) -> StoreResult<OutboxItem> {
    let iccid: Option<String> = get(row, "iccid")?;
    Ok(OutboxItem {
        id: get(row, "id")?,
        brand: BrandId(get(row, "brand_id")?),
        line: LineId(get(row, "line_id")?),
        msisdn: Msisdn::parse(&get::<String>(row, "msisdn")?).map_err(|e| corrupt("msisdn", e))?,
        iccid: iccid
            .map(|i| Iccid::parse(&i).map_err(|e| corrupt("iccid", e)))
            .transpose()?,
        order: get::<Option<i64>>(row, "order_id")?.map(OrderId),
        topic: get(row, "topic")?,
        payload: get(row, "payload")?,
        // Counted at the claim: the deliveries tried before this one.
        attempts: u32::try_from(get::<i64>(row, "attempts")? - 1).unwrap_or(0),
    })
}

/// An outbox row (of `outbox`) that waits for its line's identification: its bundle is told
/// to the network once the line is identified, with the dates it then starts and ends on.
fn held_for_identification() -> String {
    format!(
        "(outbox.topic = '{granted}' AND EXISTS (SELECT 1 FROM lines l \
         WHERE l.id = outbox.line_id AND l.state = '{waiting}'))",
        granted = simrenew_app::sales::ports::BUNDLE_GRANTED,
        waiting = simrenew_domain::line::LineState::PendingIdentification.as_str(),
    )
}

#[async_trait]
impl NetworkStore for Db {
    async fn claim_outbox(
        &self,
        topics: &[&str],
        now: Timestamp,
        claim_until: Timestamp,
        limit: u32,
    ) -> StoreResult<Vec<OutboxItem>> {
        if topics.is_empty() {
            return Ok(vec![]);
        }
        let topic_list = placeholders(4, topics.len());
        let skip_locked = self.dialect.skip_locked();
        // One statement: the due rows are chosen, skipping those another worker is claiming
        // right now, and claimed; SQLite's writers queue behind its write lock. A line awaiting
        // identification cannot be used: its bundles are told to the network once it is
        // identified, with the dates they then start and end on.
        let claim = format!(
            "UPDATE outbox SET claimed_until = $1, attempts = attempts + 1 WHERE id IN ( \
             SELECT id FROM outbox WHERE processed_at IS NULL AND dead_at IS NULL \
             AND COALESCE(next_attempt_at, 0) <= $2 AND COALESCE(claimed_until, 0) <= $2 \
             AND topic IN ({topic_list}) AND NOT {held} \
             ORDER BY id LIMIT $3{skip_locked}) RETURNING id",
            held = held_for_identification(),
        );
        let mut tx = self.begin_sql().await?;
        let mut q = sqlx::query_scalar::<_, i64>(&claim)
            .bind(claim_until.as_second())
            .bind(now.as_second())
            .bind(i64::from(limit));
        for t in topics {
            q = q.bind(*t);
        }
        let mut ids = q.fetch_all(tx.conn()).await.map_err(map)?;
        ids.sort_unstable();
        let mut items = Vec::with_capacity(ids.len());
        if !ids.is_empty() {
            let list = placeholders(1, ids.len());
            let sql = format!(
                "SELECT {ITEM_COLUMNS} FROM outbox o JOIN lines l ON l.id = o.line_id \
                 WHERE o.id IN ({list}) ORDER BY o.id"
            );
            let mut q = sqlx::query(&sql);
            for id in &ids {
                q = q.bind(*id);
            }
            for row in q.fetch_all(tx.conn()).await.map_err(map)? {
                items.push(item(&row)?);
            }
        }
        tx.commit_sql().await?;
        Ok(items)
    }

    async fn outbox_confirmed(
        &self,
        confirmed: &[Confirmation],
        now: Timestamp,
    ) -> StoreResult<Vec<OrderId>> {
        if confirmed.is_empty() {
            return Ok(vec![]);
        }
        let mut tx = self.begin_sql().await?;
        let mut orders: Vec<i64> = Vec::new();
        let mut newly: Vec<i64> = Vec::new();
        for chunk in confirmed.chunks(200) {
            let (cases, ids) = crate::codec::case_by_id(2, chunk.len());
            let sql = format!(
                "UPDATE outbox SET processed_at = $1, operation_id = CASE id {cases} END, \
                 claimed_until = NULL, last_error = NULL \
                 WHERE processed_at IS NULL AND id IN ({ids}) RETURNING id, order_id"
            );
            let mut q = sqlx::query_as::<_, (i64, Option<i64>)>(&sql).bind(now.as_second());
            for c in chunk {
                q = q.bind(c.id).bind(c.operation_id.as_str());
            }
            for (id, order) in q.fetch_all(tx.conn()).await.map_err(map)? {
                newly.push(id);
                orders.extend(order);
            }
        }
        // What a confirmation means for a new eSIM, once (a row confirmed before is not in
        // `newly`).
        for c in confirmed {
            if ESIM_TOPICS.contains(&c.topic.as_str()) && newly.contains(&c.id) {
                esim_confirmed(&mut tx, c, now).await?;
            }
        }
        orders.sort_unstable();
        orders.dedup();
        let mut completed = Vec::new();
        for chunk in orders.chunks(500) {
            let ids = placeholders(3, chunk.len());
            let sql = format!(
                "UPDATE orders SET state = $1 WHERE state = $2 AND id IN ({ids}) AND NOT EXISTS \
                 (SELECT 1 FROM outbox WHERE outbox.order_id = orders.id \
                 AND outbox.processed_at IS NULL) RETURNING id"
            );
            let mut q = sqlx::query_scalar::<_, i64>(&sql)
                .bind(OrderState::Completed.as_str())
                .bind(OrderState::Syncing.as_str());
            for id in chunk {
                q = q.bind(*id);
            }
            completed.extend(
                q.fetch_all(tx.conn())
                    .await
                    .map_err(map)?
                    .into_iter()
                    .map(OrderId),
            );
        }
        tx.commit_sql().await?;
        Ok(completed)
    }

    async fn outbox_retry_at(&self, id: i64, error: &str, at: Timestamp) -> StoreResult<()> {
        self.outbox_failed(id, error, "next_attempt_at", at).await
    }

    async fn outbox_dead(&self, id: i64, error: &str, now: Timestamp) -> StoreResult<()> {
        self.outbox_failed(id, error, "dead_at", now).await
    }

    async fn dead_letters(
        &self,
        brand: Option<BrandId>,
        limit: u32,
    ) -> StoreResult<Vec<DeadLetter>> {
        let rows = sqlx::query(
            "SELECT o.id, o.brand_id, o.order_id, o.topic, o.attempts, o.last_error, \
             o.dead_at, l.msisdn FROM outbox o JOIN lines l ON l.id = o.line_id \
             WHERE o.dead_at IS NOT NULL AND ($2 IS NULL OR o.brand_id = $2) \
             ORDER BY o.dead_at DESC, o.id DESC LIMIT $1",
        )
        .bind(i64::from(limit))
        .bind(brand.map(|b| b.0))
        .fetch_all(&self.pool)
        .await
        .map_err(map)?;
        rows.iter()
            .map(|row| {
                Ok(DeadLetter {
                    id: get(row, "id")?,
                    brand: BrandId(get(row, "brand_id")?),
                    msisdn: Msisdn::parse(&get::<String>(row, "msisdn")?)
                        .map_err(|e| corrupt("msisdn", e))?,
                    order: get::<Option<i64>>(row, "order_id")?.map(OrderId),
                    topic: get(row, "topic")?,
                    attempts: u32::try_from(get::<i64>(row, "attempts")?).unwrap_or(0),
                    error: get::<Option<String>>(row, "last_error")?.unwrap_or_default(),
                    dead_at: ts(get(row, "dead_at")?)?,
                })
            })
            .collect()
    }

    async fn outbox_replay(
        &self,
        id: i64,
        brand: Option<BrandId>,
        now: Timestamp,
    ) -> StoreResult<bool> {
        let mut tx = self.begin_sql().await?;
        let replayed = sqlx::query(
            "UPDATE outbox SET dead_at = NULL, attempts = 0, next_attempt_at = $1, \
             claimed_until = NULL WHERE id = $2 AND dead_at IS NOT NULL AND processed_at IS NULL \
             AND ($3 IS NULL OR brand_id = $3)",
        )
        .bind(now.as_second())
        .bind(id)
        .bind(brand.map(|b| b.0))
        .execute(tx.conn())
        .await
        .map_err(map)?
        .rows_affected();
        tx.commit_sql().await?;
        Ok(replayed == 1)
    }

    async fn provisioning_state(&self, order: OrderId) -> StoreResult<ProvisioningState> {
        let sql = format!(
            "SELECT \
             COALESCE(SUM(CASE WHEN o.processed_at IS NOT NULL THEN 1 ELSE 0 END), 0) AS confirmed, \
             COALESCE(SUM(CASE WHEN o.processed_at IS NULL AND o.dead_at IS NULL \
                 AND NOT held THEN 1 ELSE 0 END), 0) AS pending, \
             COALESCE(SUM(CASE WHEN o.dead_at IS NOT NULL AND o.processed_at IS NULL \
                 THEN 1 ELSE 0 END), 0) AS dead, \
             COALESCE(SUM(CASE WHEN o.processed_at IS NULL AND o.dead_at IS NULL \
                 AND held THEN 1 ELSE 0 END), 0) AS held \
             FROM (SELECT outbox.*, {held} AS held FROM outbox WHERE order_id = $1) o",
            held = held_for_identification(),
        );
        let row = sqlx::query(&sql)
            .bind(order.0)
            .fetch_one(&self.pool)
            .await
            .map_err(map)?;
        let n =
            |c: &str| -> StoreResult<u32> { Ok(u32::try_from(get::<i64>(&row, c)?).unwrap_or(0)) };
        Ok(ProvisioningState {
            confirmed: n("confirmed")?,
            pending: n("pending")?,
            dead: n("dead")?,
            awaiting_identification: n("held")?,
        })
    }

    async fn outbox_backlog(&self) -> StoreResult<(u64, Option<Timestamp>)> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n, MIN(created_at) AS oldest FROM outbox \
             WHERE processed_at IS NULL AND dead_at IS NULL",
        )
        .fetch_one(&self.pool)
        .await
        .map_err(map)?;
        let n = u64::try_from(get::<i64>(&row, "n")?).unwrap_or(0);
        let oldest = get::<Option<i64>>(&row, "oldest")?.map(ts).transpose()?;
        Ok((n, oldest))
    }
}

impl Db {
    /// Records a delivery that failed: its error, the claim let go, and `column` (when it is
    /// due again, or when it became a dead letter) set to `at`.
    async fn outbox_failed(
        &self,
        id: i64,
        error: &str,
        column: &'static str,
        at: Timestamp,
    ) -> StoreResult<()> {
        let mut tx = self.begin_sql().await?;
        sqlx::query(&format!(
            "UPDATE outbox SET {column} = $1, last_error = $2, claimed_until = NULL \
             WHERE id = $3 AND processed_at IS NULL"
        ))
        .bind(at.as_second())
        .bind(error)
        .bind(id)
        .execute(tx.conn())
        .await
        .map_err(map)?;
        tx.commit_sql().await
    }
}

/// A new eSIM's profile confirmed by the SM-DP+: ordered (its activation code kept on the line;
/// ready when it was released with the order, else held until identification, or released now
/// when identification came meanwhile), or released.
async fn esim_confirmed(tx: &mut SqlTx, c: &Confirmation, now: Timestamp) -> StoreResult<()> {
    use simrenew_domain::esim::ProfileOrderState as S;
    let lock = tx.dialect.for_update();
    let row = sqlx::query(&format!(
        "SELECT state, identified, brand_id, iccid FROM esim_orders WHERE line_id = $1{lock}"
    ))
    .bind(c.line.0)
    .fetch_optional(tx.conn())
    .await
    .map_err(map)?;
    let Some(row) = row else {
        return Ok(());
    };
    let state: String = get(&row, "state")?;
    let next = if c.topic == ESIM_ORDERED {
        if state != S::Ordering.as_str() {
            return Ok(());
        }
        let code = simrenew_domain::identifiers::ActivationCode::parse(&c.operation_id)
            .map_err(|e| corrupt("activation code confirmed", e))?;
        sqlx::query("UPDATE lines SET activation_code = $1 WHERE id = $2")
            .bind(code.to_string())
            .bind(c.line.0)
            .execute(tx.conn())
            .await
            .map_err(map)?;
        let payload: String = sqlx::query_scalar("SELECT payload FROM outbox WHERE id = $1")
            .bind(c.id)
            .fetch_one(tx.conn())
            .await
            .map_err(map)?;
        let released = serde_json::from_str::<serde_json::Value>(&payload)
            .map_err(|e| corrupt("outbox.payload", e))?["release"]
            .as_bool()
            .unwrap_or(false);
        if released {
            S::Ready
        } else if bool_of(&row, "identified")? {
            let payload = serde_json::json!({ "iccid": get::<String>(&row, "iccid")? });
            tx.insert_outbox(
                get::<i64>(&row, "brand_id")?,
                c.line,
                ESIM_RELEASED,
                &payload.to_string(),
                None,
                now,
            )
            .await?;
            S::Releasing
        } else {
            S::Held
        }
    } else if c.topic == ESIM_CANCELLED {
        if state != S::Cancelling.as_str() {
            return Ok(());
        }
        S::Cancelled
    } else {
        if state != S::Releasing.as_str() {
            return Ok(());
        }
        S::Ready
    };
    sqlx::query("UPDATE esim_orders SET state = $1, updated_at = $2 WHERE line_id = $3")
        .bind(next.as_str())
        .bind(now.as_second())
        .bind(c.line.0)
        .execute(tx.conn())
        .await
        .map_err(map)?;
    Ok(())
}
