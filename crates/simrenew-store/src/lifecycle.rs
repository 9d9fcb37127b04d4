//! The line lifecycle's writes: due lines taken in batches (skipping those another worker holds
//! on PostgreSQL), each transition written with its outbox row in the batch's transaction.

use async_trait::async_trait;
use jiff::Timestamp;
use serde_json::json;
use simrenew_app::automation::auto_renew::{
    AutoRenewSetting, AutoRenewStore, AutoRenewTx, DueRenewal,
};
use simrenew_app::automation::{LifecycleStore, LINE_SUSPENDED};
use simrenew_app::StoreResult;
use simrenew_domain::identifiers::Msisdn;
use simrenew_domain::ids::LineId;
use simrenew_domain::line::LineState;

use crate::codec::{bool_of, get};
use crate::error::{corrupt, map};
use crate::tx::SqlTx;
use crate::{Db, Dialect};

fn skip_locked(d: Dialect) -> &'static str {
    match d {
        Dialect::Postgres => " FOR UPDATE SKIP LOCKED",
        Dialect::Sqlite => "",
    }
}

/// Takes up to `limit` lines matching `due` (a condition on `lines`, its parameters from $1).
async fn take(
    tx: &mut SqlTx,
    due: &str,
    now: Timestamp,
    limit: u32,
) -> StoreResult<Vec<(i64, i64, String)>> {
    let sql = format!(
        "SELECT id, brand_id, msisdn FROM lines WHERE {due} ORDER BY id LIMIT $2{}",
        skip_locked(tx.dialect)
    );
    let rows = sqlx::query(&sql)
        .bind(now.as_second())
        .bind(i64::from(limit))
        .fetch_all(tx.conn())
        .await
        .map_err(map)?;
    rows.iter()
        .map(|r| Ok((get(r, "id")?, get(r, "brand_id")?, get(r, "msisdn")?)))
        .collect()
}

async fn outbox(
    tx: &mut SqlTx,
    brand: i64,
    line: i64,
    topic: &str,
    msisdn: &str,
    now: Timestamp,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO outbox (brand_id, line_id, topic, payload, created_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(brand)
    .bind(line)
    .bind(topic)
    .bind(json!({ "msisdn": msisdn }).to_string())
    .bind(now.as_second())
    .execute(tx.conn())
    .await
    .map_err(map)?;
    Ok(())
}

#[async_trait]
impl LifecycleStore for Db {
    async fn lines_into_grace(&self, now: Timestamp, limit: u32) -> StoreResult<u32> {
        let mut tx = self.begin_sql().await?;
        let due = format!(
            "state = '{}' AND expires_at <= $1 AND grace_until > $1",
            LineState::Active.as_str()
        );
        let lines = take(&mut tx, &due, now, limit).await?;
        for (id, _, _) in &lines {
            sqlx::query("UPDATE lines SET state = $1 WHERE id = $2")
                .bind(LineState::Grace.as_str())
                .bind(id)
                .execute(tx.conn())
                .await
                .map_err(map)?;
        }
        tx.commit_sql().await?;
        Ok(lines.len() as u32)
    }

    async fn lines_lapse(&self, now: Timestamp, limit: u32) -> StoreResult<u32> {
        let mut tx = self.begin_sql().await?;
        let due = format!(
            "state IN ('{}', '{}') AND expires_at <= $1 AND (grace_until IS NULL \
             OR grace_until <= $1)",
            LineState::Active.as_str(),
            LineState::Grace.as_str()
        );
        let lines = take(&mut tx, &due, now, limit).await?;
        for (id, brand, msisdn) in &lines {
            sqlx::query(
                "UPDATE lines SET state = $1, lapsed_at = $2, network_suspended_at = $2 WHERE id = $3",
            )
            .bind(LineState::Lapsed.as_str())
            .bind(now.as_second())
            .bind(id)
            .execute(tx.conn())
            .await
            .map_err(map)?;
            outbox(&mut tx, *brand, *id, LINE_SUSPENDED, msisdn, now).await?;
        }
        tx.commit_sql().await?;
        Ok(lines.len() as u32)
    }
}

#[async_trait]
impl AutoRenewStore for Db {
    async fn auto_renew_setting(&self, line: LineId) -> StoreResult<AutoRenewSetting> {
        let row = sqlx::query("SELECT auto_renew, auto_renew_plan FROM lines WHERE id = $1")
            .bind(line.0)
            .fetch_one(&self.pool)
            .await
            .map_err(map)?;
        Ok(AutoRenewSetting {
            enabled: bool_of(&row, "auto_renew")?,
            plan: get(&row, "auto_renew_plan")?,
        })
    }

    async fn due_auto_renewals(
        &self,
        now: Timestamp,
        before: Timestamp,
        limit: u32,
    ) -> StoreResult<Vec<DueRenewal>> {
        // A line whose retries are spent has attempts > 0 and no next attempt: it waits.
        let rows = sqlx::query(&format!(
            "SELECT id, msisdn, auto_renew_plan, auto_renew_attempts FROM lines \
             WHERE auto_renew = $4 AND auto_renew_plan IS NOT NULL \
             AND state IN ('{}', '{}') AND expires_at IS NOT NULL AND expires_at <= $1 \
             AND (grace_until IS NULL OR grace_until > $2) \
             AND ((auto_renew_attempts = 0 AND auto_renew_next_at IS NULL) \
                  OR auto_renew_next_at <= $2) \
             ORDER BY expires_at, id LIMIT $3",
            LineState::Active.as_str(),
            LineState::Grace.as_str()
        ))
        .bind(before.as_second())
        .bind(now.as_second())
        .bind(i64::from(limit))
        .bind(true)
        .fetch_all(&self.pool)
        .await
        .map_err(map)?;
        rows.iter()
            .map(|r| {
                Ok(DueRenewal {
                    line: LineId(get(r, "id")?),
                    msisdn: Msisdn::parse(&get::<String>(r, "msisdn")?)
                        .map_err(|e| corrupt("msisdn", e))?,
                    plan: get(r, "auto_renew_plan")?,
                    attempts: u32::try_from(get::<i64>(r, "auto_renew_attempts")?).unwrap_or(0),
                })
            })
            .collect()
    }

    async fn auto_renew_failed(&self, line: LineId, next: Option<Timestamp>) -> StoreResult<()> {
        let mut tx = self.begin_sql().await?;
        sqlx::query(
            "UPDATE lines SET auto_renew_attempts = auto_renew_attempts + 1, \
             auto_renew_next_at = $1 WHERE id = $2",
        )
        .bind(next.map(|t| t.as_second()))
        .bind(line.0)
        .execute(tx.conn())
        .await
        .map_err(map)?;
        tx.commit_sql().await
    }

    async fn auto_renew_succeeded(&self, line: LineId) -> StoreResult<()> {
        let mut tx = self.begin_sql().await?;
        sqlx::query(
            "UPDATE lines SET auto_renew_attempts = 0, auto_renew_next_at = NULL WHERE id = $1",
        )
        .bind(line.0)
        .execute(tx.conn())
        .await
        .map_err(map)?;
        tx.commit_sql().await
    }
}

#[async_trait]
impl AutoRenewTx for SqlTx {
    async fn set_auto_renew(
        &mut self,
        line: LineId,
        setting: &AutoRenewSetting,
    ) -> StoreResult<()> {
        sqlx::query(
            "UPDATE lines SET auto_renew = $1, auto_renew_plan = $2, auto_renew_attempts = 0, \
             auto_renew_next_at = NULL WHERE id = $3",
        )
        .bind(setting.enabled)
        .bind(&setting.plan)
        .bind(line.0)
        .execute(self.conn())
        .await
        .map_err(map)?;
        Ok(())
    }
}
