//! TOTP enrolment and recovery codes, kept the same way for staff and for subscribers.

use jiff::Timestamp;
use simrenew_app::StoreResult;

use crate::error::map;
use crate::Db;

/// Who holds a second factor: which table holds the seed and which the recovery codes.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Holder {
    Staff,
    Subscriber,
}

impl Holder {
    /// (holder table, recovery-code table, its holder column)
    fn tables(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Holder::Staff => ("staff", "staff_recovery_codes", "staff_id"),
            Holder::Subscriber => ("subscribers", "subscriber_recovery_codes", "subscriber_id"),
        }
    }
}

impl Db {
    /// Stores a (sealed) TOTP seed and replaces the holder's recovery codes, at once.
    pub(crate) async fn set_totp(
        &self,
        holder: Holder,
        id: i64,
        secret: &str,
        recovery_hashes: &[String],
        now: Timestamp,
    ) -> StoreResult<()> {
        let (table, codes, column) = holder.tables();
        let mut tx = self.begin_raw().await.map_err(map)?;
        sqlx::query(&format!(
            "UPDATE {table} SET totp_secret = $1, totp_enrolled_at = $2 WHERE id = $3"
        ))
        .bind(secret)
        .bind(now.as_second())
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(map)?;
        sqlx::query(&format!("DELETE FROM {codes} WHERE {column} = $1"))
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(map)?;
        for hash in recovery_hashes {
            sqlx::query(&format!(
                "INSERT INTO {codes} ({column}, code_hash) VALUES ($1, $2)"
            ))
            .bind(id)
            .bind(hash)
            .execute(&mut *tx)
            .await
            .map_err(map)?;
        }
        tx.commit().await.map_err(map)
    }

    /// Uses a recovery code; false when unknown or used already.
    pub(crate) async fn use_recovery(
        &self,
        holder: Holder,
        id: i64,
        hash: &str,
        now: Timestamp,
    ) -> StoreResult<bool> {
        let (_, codes, column) = holder.tables();
        let n = sqlx::query(&format!(
            "UPDATE {codes} SET used_at = $1 \
             WHERE {column} = $2 AND code_hash = $3 AND used_at IS NULL"
        ))
        .bind(now.as_second())
        .bind(id)
        .bind(hash)
        .execute(&self.pool)
        .await
        .map_err(map)?
        .rows_affected();
        Ok(n == 1)
    }
}
