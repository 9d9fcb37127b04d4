//! Automatic renewal: each line's setting, and the lines due for it.

use async_trait::async_trait;
use jiff::Timestamp;
use simrenew_app::automation::auto_renew::{
    AutoRenewSetting, AutoRenewStore, AutoRenewTx, DueRenewal,
};
use simrenew_app::StoreResult;
use simrenew_domain::identifiers::Msisdn;
use simrenew_domain::ids::LineId;
use simrenew_domain::line::LineState;

use crate::codec::{bool_of, get};
use crate::error::{corrupt, map};
use crate::tx::SqlTx;
use crate::Db;

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
             WHERE auto_renew = TRUE AND auto_renew_plan IS NOT NULL \
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
