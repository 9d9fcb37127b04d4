//! Staff credentials and sessions.

use async_trait::async_trait;
use jiff::Timestamp;
use simrenew_app::identity::staff_auth::{StaffAuthStore, StaffCredentials};
use simrenew_app::StoreResult;
use simrenew_domain::ids::StaffId;

use crate::codec::{self, get};
use crate::error::map;
use crate::Db;
use simrenew_app::identity::second_factor::TotpHolder;

#[async_trait]
impl StaffAuthStore for Db {
    async fn staff_credentials(&self, email: &str) -> StoreResult<Option<StaffCredentials>> {
        let row = sqlx::query(
            "SELECT id, password_hash, totp_secret, totp_enrolled_at, disabled_at FROM staff \
             WHERE email = $1",
        )
        .bind(email.trim().to_ascii_lowercase())
        .fetch_optional(&self.pool)
        .await
        .map_err(map)?;
        let Some(row) = row else { return Ok(None) };
        let enrolled = get::<Option<i64>>(&row, "totp_enrolled_at")?.is_some();
        Ok(Some(StaffCredentials {
            id: StaffId(get(&row, "id")?),
            password_hash: get(&row, "password_hash")?,
            totp_secret: get::<Option<String>>(&row, "totp_secret")?.filter(|_| enrolled),
            disabled: get::<Option<i64>>(&row, "disabled_at")?.is_some(),
        }))
    }

    async fn set_staff_password(&self, id: StaffId, hash: &str) -> StoreResult<()> {
        sqlx::query("UPDATE staff SET password_hash = $1 WHERE id = $2")
            .bind(hash)
            .bind(id.0)
            .execute(&self.pool)
            .await
            .map_err(map)?;
        Ok(())
    }

    async fn use_recovery_code(
        &self,
        id: StaffId,
        hash: &str,
        now: Timestamp,
    ) -> StoreResult<bool> {
        self.use_recovery(TotpHolder::Staff(id), hash, now).await
    }

    async fn insert_staff_session(
        &self,
        token_hash: &str,
        staff: StaffId,
        csrf_hash: &str,
        now: Timestamp,
        expires_at: Timestamp,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO staff_sessions (token_hash, staff_id, csrf_hash, created_at, \
             last_seen_at, expires_at) VALUES ($1, $2, $3, $4, $4, $5)",
        )
        .bind(token_hash)
        .bind(staff.0)
        .bind(csrf_hash)
        .bind(now.as_second())
        .bind(expires_at.as_second())
        .execute(&self.pool)
        .await
        .map_err(map)?;
        Ok(())
    }

    async fn staff_session(
        &self,
        token_hash: &str,
    ) -> StoreResult<Option<(StaffId, String, Timestamp, Timestamp, bool)>> {
        let row = sqlx::query(
            "SELECT staff_id, csrf_hash, last_seen_at, expires_at, revoked_at \
             FROM staff_sessions WHERE token_hash = $1",
        )
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await
        .map_err(map)?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some((
            StaffId(get(&row, "staff_id")?),
            get(&row, "csrf_hash")?,
            codec::ts(get(&row, "last_seen_at")?)?,
            codec::ts(get(&row, "expires_at")?)?,
            get::<Option<i64>>(&row, "revoked_at")?.is_some(),
        )))
    }

    async fn touch_staff_session(&self, token_hash: &str, now: Timestamp) -> StoreResult<()> {
        sqlx::query("UPDATE staff_sessions SET last_seen_at = $1 WHERE token_hash = $2")
            .bind(now.as_second())
            .bind(token_hash)
            .execute(&self.pool)
            .await
            .map_err(map)?;
        Ok(())
    }

    async fn revoke_staff_sessions(
        &self,
        token_hash: Option<&str>,
        staff: Option<StaffId>,
        now: Timestamp,
    ) -> StoreResult<()> {
        sqlx::query(
            "UPDATE staff_sessions SET revoked_at = $1 WHERE revoked_at IS NULL \
             AND (token_hash = $2 OR staff_id = $3)",
        )
        .bind(now.as_second())
        .bind(token_hash)
        .bind(staff.map(|s| s.0))
        .execute(&self.pool)
        .await
        .map_err(map)?;
        Ok(())
    }
}
