//! TOTP enrolment and recovery codes, kept the same way for staff and for subscribers: an
//! enrolment waits beside the factor in force until its first code is confirmed.

use async_trait::async_trait;
use jiff::Timestamp;
use simrenew_app::identity::second_factor::{SecondFactorStore, TotpHolder};
use simrenew_app::StoreResult;

use crate::codec::{self, get};
use crate::error::map;
use crate::Db;

/// Which table holds the seed and which the recovery codes, and the holder's id.
fn tables(holder: TotpHolder) -> (&'static str, &'static str, &'static str, i64) {
    match holder {
        TotpHolder::Staff(id) => ("staff", "staff_recovery_codes", "staff_id", id.0),
        TotpHolder::Subscriber(id) => (
            "subscribers",
            "subscriber_recovery_codes",
            "subscriber_id",
            id.0,
        ),
    }
}

#[async_trait]
impl SecondFactorStore for Db {
    async fn begin_totp(
        &self,
        holder: TotpHolder,
        sealed: &str,
        recovery_hashes: &[String],
        now: Timestamp,
    ) -> StoreResult<()> {
        let (table, codes, column, id) = tables(holder);
        let mut tx = self.begin_sql().await?;
        sqlx::query(&format!(
            "UPDATE {table} SET totp_pending_secret = $1, totp_pending_at = $2 WHERE id = $3"
        ))
        .bind(sealed)
        .bind(now.as_second())
        .bind(id)
        .execute(tx.conn())
        .await
        .map_err(map)?;
        sqlx::query(&format!(
            "DELETE FROM {codes} WHERE {column} = $1 AND pending = 1"
        ))
        .bind(id)
        .execute(tx.conn())
        .await
        .map_err(map)?;
        for hash in recovery_hashes {
            sqlx::query(&format!(
                "INSERT INTO {codes} ({column}, code_hash, pending) VALUES ($1, $2, 1) \
                 ON CONFLICT DO NOTHING"
            ))
            .bind(id)
            .bind(hash)
            .execute(tx.conn())
            .await
            .map_err(map)?;
        }
        tx.commit_sql().await
    }

    async fn pending_totp(&self, holder: TotpHolder) -> StoreResult<Option<(String, Timestamp)>> {
        let (table, _, _, id) = tables(holder);
        let row = sqlx::query(&format!(
            "SELECT totp_pending_secret, totp_pending_at FROM {table} \
             WHERE id = $1 AND totp_pending_secret IS NOT NULL"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await
        .map_err(map)?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some((
            get(&row, "totp_pending_secret")?,
            codec::ts(get(&row, "totp_pending_at")?)?,
        )))
    }

    async fn confirm_totp(
        &self,
        holder: TotpHolder,
        sealed: &str,
        step: u64,
        now: Timestamp,
    ) -> StoreResult<bool> {
        let (table, codes, column, id) = tables(holder);
        let mut tx = self.begin_sql().await?;
        let n = sqlx::query(&format!(
            "UPDATE {table} SET totp_secret = totp_pending_secret, totp_enrolled_at = $1, \
             totp_last_step = $2, totp_pending_secret = NULL, totp_pending_at = NULL \
             WHERE id = $3 AND totp_pending_secret = $4"
        ))
        .bind(now.as_second())
        .bind(step_of(step))
        .bind(id)
        .bind(sealed)
        .execute(tx.conn())
        .await
        .map_err(map)?
        .rows_affected();
        if n != 1 {
            return Ok(false);
        }
        sqlx::query(&format!(
            "DELETE FROM {codes} WHERE {column} = $1 AND pending = 0"
        ))
        .bind(id)
        .execute(tx.conn())
        .await
        .map_err(map)?;
        sqlx::query(&format!(
            "UPDATE {codes} SET pending = 0 WHERE {column} = $1"
        ))
        .bind(id)
        .execute(tx.conn())
        .await
        .map_err(map)?;
        tx.commit_sql().await?;
        Ok(true)
    }

    async fn claim_totp_step(&self, holder: TotpHolder, step: u64) -> StoreResult<bool> {
        let (table, _, _, id) = tables(holder);
        let mut tx = self.begin_sql().await?;
        let n = sqlx::query(&format!(
            "UPDATE {table} SET totp_last_step = $1 \
             WHERE id = $2 AND (totp_last_step IS NULL OR totp_last_step < $1)"
        ))
        .bind(step_of(step))
        .bind(id)
        .execute(tx.conn())
        .await
        .map_err(map)?
        .rows_affected();
        tx.commit_sql().await?;
        Ok(n == 1)
    }
}

/// A time step as stored (steps of 30 s since the epoch fit an `i64` for ages).
fn step_of(step: u64) -> i64 {
    i64::try_from(step).unwrap_or(i64::MAX)
}

impl Db {
    /// Uses a recovery code of the factor in force; false when unknown or used already.
    pub(crate) async fn use_recovery(
        &self,
        holder: TotpHolder,
        hash: &str,
        now: Timestamp,
    ) -> StoreResult<bool> {
        let (_, codes, column, id) = tables(holder);
        let mut tx = self.begin_sql().await?;
        let n = sqlx::query(&format!(
            "UPDATE {codes} SET used_at = $1 \
             WHERE {column} = $2 AND code_hash = $3 AND used_at IS NULL AND pending = 0"
        ))
        .bind(now.as_second())
        .bind(id)
        .bind(hash)
        .execute(tx.conn())
        .await
        .map_err(map)?
        .rows_affected();
        tx.commit_sql().await?;
        Ok(n == 1)
    }
}
