//! The reminders and automatic renewals as jobs: those that gave up, what waits, and a retry.

use async_trait::async_trait;
use jiff::Timestamp;
use simrenew_app::jobs::{DeadJob, JobId, JobStore, Retried};
use simrenew_app::StoreResult;
use simrenew_domain::identifiers::Msisdn;
use simrenew_domain::ids::{BrandId, LineId};

use crate::codec::{get, ts};
use crate::error::{corrupt, map};
use crate::Db;

fn msisdn(row: &sqlx::any::AnyRow) -> StoreResult<Msisdn> {
    Msisdn::parse(&get::<String>(row, "msisdn")?).map_err(|e| corrupt("msisdn", e))
}

fn attempts(row: &sqlx::any::AnyRow) -> StoreResult<u32> {
    Ok(u32::try_from(get::<i64>(row, "attempts")?).unwrap_or(u32::MAX))
}

#[async_trait]
impl JobStore for Db {
    async fn dead_reminders(
        &self,
        brand: Option<BrandId>,
        limit: u32,
    ) -> StoreResult<Vec<DeadJob>> {
        let rows = sqlx::query(
            "SELECT r.id, r.brand_id, r.channel, r.step, r.attempts, r.last_error, \
             COALESCE(r.claimed_at, r.due_at) AS since, l.msisdn FROM reminders r \
             JOIN lines l ON l.id = r.line_id WHERE r.state = 'failed' \
             AND ($2 IS NULL OR r.brand_id = $2) ORDER BY since DESC, r.id DESC LIMIT $1",
        )
        .bind(i64::from(limit))
        .bind(brand.map(|b| b.0))
        .fetch_all(&self.pool)
        .await
        .map_err(map)?;
        rows.iter()
            .map(|r| {
                Ok(DeadJob {
                    id: JobId::Reminder(get(r, "id")?),
                    brand: BrandId(get(r, "brand_id")?),
                    msisdn: msisdn(r)?,
                    what: format!(
                        "{} reminder, step {}",
                        get::<String>(r, "channel")?,
                        get::<i64>(r, "step")?
                    ),
                    attempts: attempts(r)?,
                    error: get::<Option<String>>(r, "last_error")?.unwrap_or_default(),
                    since: ts(get(r, "since")?)?,
                })
            })
            .collect()
    }

    async fn spent_auto_renewals(
        &self,
        brand: Option<BrandId>,
        limit: u32,
    ) -> StoreResult<Vec<DeadJob>> {
        // Out of retries: failed at least once, and no attempt due any more.
        let rows = sqlx::query(
            "SELECT id, brand_id, msisdn, auto_renew_plan, auto_renew_attempts AS attempts, \
             expires_at FROM lines WHERE auto_renew = TRUE AND auto_renew_attempts > 0 \
             AND auto_renew_next_at IS NULL AND expires_at IS NOT NULL \
             AND ($2 IS NULL OR brand_id = $2) ORDER BY expires_at DESC, id DESC LIMIT $1",
        )
        .bind(i64::from(limit))
        .bind(brand.map(|b| b.0))
        .fetch_all(&self.pool)
        .await
        .map_err(map)?;
        rows.iter()
            .map(|r| {
                Ok(DeadJob {
                    id: JobId::AutoRenew(LineId(get(r, "id")?)),
                    brand: BrandId(get(r, "brand_id")?),
                    msisdn: msisdn(r)?,
                    what: format!(
                        "automatic renewal of {}",
                        get::<Option<String>>(r, "auto_renew_plan")?.unwrap_or_default()
                    ),
                    attempts: attempts(r)?,
                    error: "every retry failed; the subscriber can renew by hand".to_owned(),
                    since: ts(get(r, "expires_at")?)?,
                })
            })
            .collect()
    }

    async fn retry_reminder(
        &self,
        id: i64,
        brand: Option<BrandId>,
        now: Timestamp,
    ) -> StoreResult<Retried> {
        let mut tx = self.begin_sql().await?;
        let lock = self.dialect.for_update();
        let row = sqlx::query(&format!(
            "SELECT r.expires_at, l.expires_at AS line_expires_at FROM reminders r \
             JOIN lines l ON l.id = r.line_id WHERE r.id = $1 AND r.state = 'failed' \
             AND ($2 IS NULL OR r.brand_id = $2){lock}"
        ))
        .bind(id)
        .bind(brand.map(|b| b.0))
        .fetch_optional(tx.conn())
        .await
        .map_err(map)?;
        let Some(row) = row else {
            return Ok(Retried::NotDead);
        };
        if get::<Option<i64>>(&row, "line_expires_at")? != Some(get::<i64>(&row, "expires_at")?) {
            return Ok(Retried::Stale);
        }
        sqlx::query(
            "UPDATE reminders SET state = 'pending', attempts = 0, due_at = $1, \
             last_error = NULL, claimed_at = NULL WHERE id = $2",
        )
        .bind(now.as_second())
        .bind(id)
        .execute(tx.conn())
        .await
        .map_err(map)?;
        tx.commit_sql().await?;
        Ok(Retried::Queued)
    }

    async fn retry_auto_renewal(
        &self,
        line: LineId,
        brand: Option<BrandId>,
    ) -> StoreResult<Retried> {
        let mut tx = self.begin_sql().await?;
        let n = sqlx::query(
            "UPDATE lines SET auto_renew_attempts = 0, auto_renew_next_at = NULL \
             WHERE id = $1 AND auto_renew = TRUE AND auto_renew_attempts > 0 \
             AND auto_renew_next_at IS NULL AND ($2 IS NULL OR brand_id = $2)",
        )
        .bind(line.0)
        .bind(brand.map(|b| b.0))
        .execute(tx.conn())
        .await
        .map_err(map)?
        .rows_affected();
        tx.commit_sql().await?;
        Ok(if n == 1 {
            Retried::Queued
        } else {
            Retried::NotDead
        })
    }

    async fn waiting_jobs(&self) -> StoreResult<(u64, u64)> {
        let reminders: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM reminders WHERE state = 'pending'")
                .fetch_one(&self.pool)
                .await
                .map_err(map)?;
        let retries: i64 = sqlx::query_scalar(&format!(
            "SELECT COUNT(*) FROM lines WHERE {} AND auto_renew_next_at IS NOT NULL",
            crate::auto_renew::AUTO_RENEWABLE
        ))
        .fetch_one(&self.pool)
        .await
        .map_err(map)?;
        Ok((
            u64::try_from(reminders).unwrap_or(0),
            u64::try_from(retries).unwrap_or(0),
        ))
    }
}
