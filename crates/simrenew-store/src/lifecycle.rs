//! The line lifecycle's writes: due lines taken in batches (skipping those another worker holds
//! on PostgreSQL), each lapse written with its outbox row in the batch's transaction.

use async_trait::async_trait;
use jiff::Timestamp;
use serde_json::json;
use simrenew_app::automation::{LifecycleStore, LINE_SUSPENDED, NUMBER_RELEASED};
use simrenew_app::StoreResult;
use simrenew_domain::identifiers::Msisdn;
use simrenew_domain::ids::BrandId;
use simrenew_domain::line::LineState;

use crate::codec::{get, placeholders};
use crate::error::{corrupt, map};
use crate::tx::SqlTx;
use crate::{Db, Dialect};

fn skip_locked(d: Dialect) -> &'static str {
    d.skip_locked()
}

/// Takes up to `limit` lines of `brand` matching `due` (a condition on `lines`, `now` in $1,
/// the brand in $2) in the order `order`, which an index gives so that the statement reads
/// only the lines it takes.
async fn take(
    tx: &mut SqlTx,
    due: &str,
    order: &str,
    brand: BrandId,
    now: Timestamp,
    limit: u32,
) -> StoreResult<Vec<(i64, i64, String)>> {
    let sql = format!(
        "SELECT id, brand_id, msisdn FROM lines WHERE {due} ORDER BY {order} LIMIT $3{}",
        skip_locked(tx.dialect)
    );
    let rows = sqlx::query(&sql)
        .bind(now.as_second())
        .bind(brand.0)
        .bind(i64::from(limit))
        .fetch_all(tx.conn())
        .await
        .map_err(map)?;
    rows.iter()
        .map(|r| Ok((get(r, "id")?, get(r, "brand_id")?, get(r, "msisdn")?)))
        .collect()
}

/// An outbox row of `topic` for each line, in one statement.
async fn outbox(
    tx: &mut SqlTx,
    lines: &[(i64, i64, String)],
    topic: &str,
    now: Timestamp,
) -> StoreResult<()> {
    let values = (0..lines.len())
        .map(|i| format!("(${}, ${}, $1, ${}, $2)", 3 * i + 3, 3 * i + 4, 3 * i + 5))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "INSERT INTO outbox (brand_id, line_id, topic, payload, created_at) VALUES {values}"
    );
    let mut q = sqlx::query(&sql).bind(topic).bind(now.as_second());
    for (id, brand, msisdn) in lines {
        q = q
            .bind(*brand)
            .bind(*id)
            .bind(json!({ "msisdn": msisdn }).to_string());
    }
    q.execute(tx.conn()).await.map_err(map)?;
    Ok(())
}

#[async_trait]
impl LifecycleStore for Db {
    async fn lines_into_grace(
        &self,
        brand: BrandId,
        now: Timestamp,
        limit: u32,
    ) -> StoreResult<u32> {
        // No outbox row goes with it: one statement moves the batch, found through lines_due
        // (the active lines past their expiry are the ones not moved yet).
        let mut tx = self.begin_sql().await?;
        let moved = sqlx::query(&format!(
            "UPDATE lines SET state = '{grace}' WHERE id IN (SELECT id FROM lines \
             WHERE state = '{active}' AND brand_id = $2 AND expires_at <= $1 \
             AND grace_until > $1 ORDER BY expires_at, id LIMIT $3{lock})",
            grace = LineState::Grace.as_str(),
            active = LineState::Active.as_str(),
            lock = skip_locked(tx.dialect),
        ))
        .bind(now.as_second())
        .bind(brand.0)
        .bind(i64::from(limit))
        .execute(tx.conn())
        .await
        .map_err(map)?
        .rows_affected();
        tx.commit_sql().await?;
        Ok(u32::try_from(moved).unwrap_or(u32::MAX))
    }

    async fn lines_lapse(&self, brand: BrandId, now: Timestamp, limit: u32) -> StoreResult<u32> {
        let mut tx = self.begin_sql().await?;
        // Lines in grace whose grace has ended (lines_grace_end), then active lines whose
        // grace ended before they were moved to it, or that have none (lines_due).
        let mut lines = take(
            &mut tx,
            &format!(
                "state = '{}' AND brand_id = $2 AND grace_until <= $1",
                LineState::Grace.as_str()
            ),
            "grace_until, id",
            brand,
            now,
            limit,
        )
        .await?;
        let left = limit.saturating_sub(u32::try_from(lines.len()).unwrap_or(u32::MAX));
        if left > 0 {
            lines.extend(
                take(
                    &mut tx,
                    &format!(
                        "state = '{}' AND brand_id = $2 AND expires_at <= $1 \
                         AND (grace_until IS NULL OR grace_until <= $1)",
                        LineState::Active.as_str()
                    ),
                    "expires_at, id",
                    brand,
                    now,
                    left,
                )
                .await?,
            );
        }
        if !lines.is_empty() {
            // The batch in two statements, whatever its size: a day's lapses are thousands.
            let sql = format!(
                "UPDATE lines SET state = $1, lapsed_at = $2, network_suspended_at = $2 \
                 WHERE id IN ({})",
                placeholders(3, lines.len())
            );
            let mut q = sqlx::query(&sql)
                .bind(LineState::Lapsed.as_str())
                .bind(now.as_second());
            for (id, _, _) in &lines {
                q = q.bind(id);
            }
            q.execute(tx.conn()).await.map_err(map)?;
            outbox(&mut tx, &lines, LINE_SUSPENDED, now).await?;
        }
        tx.commit_sql().await?;
        Ok(lines.len() as u32)
    }

    async fn numbers_release(
        &self,
        cutoffs: &[(BrandId, Timestamp)],
        now: Timestamp,
        limit: u32,
    ) -> StoreResult<Vec<Msisdn>> {
        let mut released = Vec::new();
        let mut tx = self.begin_sql().await?;
        for (brand, cutoff) in cutoffs {
            let left = i64::from(limit) - released.len() as i64;
            if left <= 0 {
                break;
            }
            let rows = sqlx::query(&format!(
                "SELECT id, msisdn FROM lines WHERE brand_id = $1 AND state = '{lapsed}' \
                 AND number_released_at IS NULL AND lapsed_at <= $2 ORDER BY id LIMIT $3{lock}",
                lapsed = LineState::Lapsed.as_str(),
                lock = skip_locked(tx.dialect),
            ))
            .bind(brand.0)
            .bind(cutoff.as_second())
            .bind(left)
            .fetch_all(tx.conn())
            .await
            .map_err(map)?;
            let lines = rows
                .iter()
                .map(|r| Ok((get(r, "id")?, brand.0, get(r, "msisdn")?)))
                .collect::<StoreResult<Vec<(i64, i64, String)>>>()?;
            if lines.is_empty() {
                continue;
            }
            // The brand's batch in three statements, as a batch of lapses.
            let sql = format!(
                "UPDATE lines SET number_released_at = $1 WHERE id IN ({})",
                placeholders(2, lines.len())
            );
            let mut q = sqlx::query(&sql).bind(now.as_second());
            for (id, _, _) in &lines {
                q = q.bind(id);
            }
            q.execute(tx.conn()).await.map_err(map)?;
            // Back in the pool, free for a new line of the brand.
            let values = (0..lines.len())
                .map(|i| format!("(${}, $1, $2)", i + 3))
                .collect::<Vec<_>>()
                .join(", ");
            let sql = format!(
                "INSERT INTO number_pool (msisdn, brand_id, added_at) VALUES {values} \
                 ON CONFLICT (msisdn) DO UPDATE SET brand_id = excluded.brand_id, \
                 line_id = NULL, taken_at = NULL, added_at = excluded.added_at"
            );
            let mut q = sqlx::query(&sql).bind(brand.0).bind(now.as_second());
            for (_, _, msisdn) in &lines {
                q = q.bind(msisdn);
            }
            q.execute(tx.conn()).await.map_err(map)?;
            outbox(&mut tx, &lines, NUMBER_RELEASED, now).await?;
            for (_, _, msisdn) in &lines {
                released.push(Msisdn::parse(msisdn).map_err(|e| corrupt("lines.msisdn", e))?);
            }
        }
        tx.commit_sql().await?;
        Ok(released)
    }
}
