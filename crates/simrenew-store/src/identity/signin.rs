//! Subscriber sign-in: codes, sessions, the second factor and rate counters.

use async_trait::async_trait;
use jiff::Timestamp;
use simrenew_app::identity::signin::{NewSession, SignInCode, SignInStore, StoredSession};
use simrenew_app::StoreResult;
use simrenew_domain::ids::SubscriberId;

use crate::codec::{self, get};
use crate::error::map;
use crate::Db;
use simrenew_app::identity::second_factor::TotpHolder;

#[async_trait]
impl SignInStore for Db {
    async fn subscriber_totp(&self, id: SubscriberId) -> StoreResult<Option<String>> {
        let secret: Option<Option<String>> = sqlx::query_scalar(
            "SELECT totp_secret FROM subscribers WHERE id = $1 AND totp_enrolled_at IS NOT NULL",
        )
        .bind(id.0)
        .fetch_optional(&self.pool)
        .await
        .map_err(map)?;
        Ok(secret.flatten())
    }

    async fn use_subscriber_recovery_code(
        &self,
        id: SubscriberId,
        hash: &str,
        now: Timestamp,
    ) -> StoreResult<bool> {
        self.use_recovery(TotpHolder::Subscriber(id), hash, now)
            .await
    }

    async fn subscriber_by_email(
        &self,
        brand_code: &str,
        email: &str,
    ) -> StoreResult<Option<SubscriberId>> {
        let ids: Vec<i64> = sqlx::query_scalar(
            "SELECT s.id FROM subscribers s JOIN brands b ON b.id = s.brand_id \
             WHERE b.code = $1 AND lower(s.email) = $2 LIMIT 2",
        )
        .bind(brand_code)
        .bind(email)
        .fetch_all(&self.pool)
        .await
        .map_err(map)?;
        Ok(match ids.as_slice() {
            [one] => Some(SubscriberId(*one)),
            _ => None,
        })
    }

    async fn line_brand_and_owner(
        &self,
        msisdn: &str,
    ) -> StoreResult<Option<(String, Option<SubscriberId>)>> {
        let row = sqlx::query(
            "SELECT b.code, l.subscriber_id FROM lines l JOIN brands b ON b.id = l.brand_id \
             WHERE l.msisdn = $1 AND l.number_released_at IS NULL",
        )
        .bind(msisdn)
        .fetch_optional(&self.pool)
        .await
        .map_err(map)?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some((
            get(&row, "code")?,
            get::<Option<i64>>(&row, "subscriber_id")?.map(SubscriberId),
        )))
    }

    async fn count_in_window(
        &self,
        bucket: &str,
        start: Timestamp,
        end: Timestamp,
    ) -> StoreResult<i64> {
        let mut tx = self.begin_sql().await?;
        let n: i64 = sqlx::query_scalar(
            "INSERT INTO rate_counters (bucket, window_start, count, expires_at) \
             VALUES ($1, $2, 1, $3) ON CONFLICT (bucket, window_start) \
             DO UPDATE SET count = rate_counters.count + 1 RETURNING count",
        )
        .bind(bucket)
        .bind(start.as_second())
        .bind(end.as_second())
        .fetch_one(tx.conn())
        .await
        .map_err(map)?;
        tx.commit_sql().await?;
        Ok(n)
    }

    async fn uncount_in_window(&self, bucket: &str, start: Timestamp) -> StoreResult<()> {
        let mut tx = self.begin_sql().await?;
        sqlx::query(
            "UPDATE rate_counters SET count = count - 1 \
             WHERE bucket = $1 AND window_start = $2 AND count > 0",
        )
        .bind(bucket)
        .bind(start.as_second())
        .execute(tx.conn())
        .await
        .map_err(map)?;
        tx.commit_sql().await
    }

    async fn insert_sign_in_code(
        &self,
        address: &str,
        code_hash: &str,
        now: Timestamp,
        expires_at: Timestamp,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO sign_in_codes (address, code_hash, created_at, expires_at) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(address)
        .bind(code_hash)
        .bind(now.as_second())
        .bind(expires_at.as_second())
        .execute(&self.pool)
        .await
        .map_err(map)?;
        Ok(())
    }

    async fn latest_sign_in_code(&self, address: &str) -> StoreResult<Option<SignInCode>> {
        let row = sqlx::query(
            "SELECT id, code_hash, expires_at, attempts, used_at FROM sign_in_codes \
             WHERE address = $1 ORDER BY id DESC LIMIT 1",
        )
        .bind(address)
        .fetch_optional(&self.pool)
        .await
        .map_err(map)?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some(SignInCode {
            id: get(&row, "id")?,
            code_hash: get(&row, "code_hash")?,
            expires_at: codec::ts(get(&row, "expires_at")?)?,
            attempts: codec::u32_of(get(&row, "attempts")?, "attempts")?,
            used: get::<Option<i64>>(&row, "used_at")?.is_some(),
        }))
    }

    async fn take_code_attempt(&self, id: i64, max: u32) -> StoreResult<Option<u32>> {
        let mut tx = self.begin_sql().await?;
        let n: Option<i64> = sqlx::query_scalar(
            "UPDATE sign_in_codes SET attempts = attempts + 1 \
             WHERE id = $1 AND attempts < $2 AND used_at IS NULL RETURNING attempts",
        )
        .bind(id)
        .bind(i64::from(max))
        .fetch_optional(tx.conn())
        .await
        .map_err(map)?;
        tx.commit_sql().await?;
        n.map(|n| codec::u32_of(n, "attempts")).transpose()
    }

    async fn use_sign_in_code(&self, id: i64, now: Timestamp) -> StoreResult<bool> {
        let n =
            sqlx::query("UPDATE sign_in_codes SET used_at = $1 WHERE id = $2 AND used_at IS NULL")
                .bind(now.as_second())
                .bind(id)
                .execute(&self.pool)
                .await
                .map_err(map)?
                .rows_affected();
        Ok(n == 1)
    }

    async fn insert_session(&self, s: &NewSession) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO sessions (token_hash, subscriber_id, csrf_hash, created_at, \
             last_seen_at, expires_at) VALUES ($1, $2, $3, $4, $4, $5)",
        )
        .bind(&s.token_hash)
        .bind(s.subscriber.0)
        .bind(&s.csrf_hash)
        .bind(s.created_at.as_second())
        .bind(s.expires_at.as_second())
        .execute(&self.pool)
        .await
        .map_err(map)?;
        Ok(())
    }

    async fn session(&self, token_hash: &str) -> StoreResult<Option<StoredSession>> {
        let row = sqlx::query(
            "SELECT subscriber_id, csrf_hash, last_seen_at, expires_at, revoked_at \
             FROM sessions WHERE token_hash = $1",
        )
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await
        .map_err(map)?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some(StoredSession {
            subscriber: SubscriberId(get(&row, "subscriber_id")?),
            csrf_hash: get(&row, "csrf_hash")?,
            last_seen_at: codec::ts(get(&row, "last_seen_at")?)?,
            expires_at: codec::ts(get(&row, "expires_at")?)?,
            revoked: get::<Option<i64>>(&row, "revoked_at")?.is_some(),
        }))
    }

    async fn touch_session(&self, token_hash: &str, now: Timestamp) -> StoreResult<()> {
        sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2")
            .bind(now.as_second())
            .bind(token_hash)
            .execute(&self.pool)
            .await
            .map_err(map)?;
        Ok(())
    }

    async fn revoke_session(&self, token_hash: &str, now: Timestamp) -> StoreResult<()> {
        sqlx::query(
            "UPDATE sessions SET revoked_at = $1 WHERE token_hash = $2 AND revoked_at IS NULL",
        )
        .bind(now.as_second())
        .bind(token_hash)
        .execute(&self.pool)
        .await
        .map_err(map)?;
        Ok(())
    }

    async fn revoke_sessions_of(
        &self,
        subscriber: SubscriberId,
        now: Timestamp,
    ) -> StoreResult<u64> {
        let n = sqlx::query(
            "UPDATE sessions SET revoked_at = $1 WHERE subscriber_id = $2 AND revoked_at IS NULL",
        )
        .bind(now.as_second())
        .bind(subscriber.0)
        .execute(&self.pool)
        .await
        .map_err(map)?
        .rows_affected();
        Ok(n)
    }
}
