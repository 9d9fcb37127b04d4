//! The `Idempotency-Key` rows.

use async_trait::async_trait;
use jiff::Timestamp;
use simrenew_app::idempotency::{IdempotencyBegin, IdempotencyStore};
use simrenew_app::StoreResult;

use crate::codec::get;
use crate::error::map;
use crate::Db;

#[async_trait]
impl IdempotencyStore for Db {
    async fn idempotency_begin(
        &self,
        scope: &str,
        key: &str,
        request_hash: &str,
        now: Timestamp,
    ) -> StoreResult<IdempotencyBegin> {
        let inserted = sqlx::query(
            "INSERT INTO idempotency_keys (scope, key, request_hash, created_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
        )
        .bind(scope)
        .bind(key)
        .bind(request_hash)
        .bind(now.as_second())
        .execute(&self.pool)
        .await
        .map_err(map)?
        .rows_affected();
        if inserted == 1 {
            return Ok(IdempotencyBegin::Started);
        }
        let row = sqlx::query(
            "SELECT request_hash, status, body FROM idempotency_keys WHERE scope = $1 AND key = $2",
        )
        .bind(scope)
        .bind(key)
        .fetch_optional(&self.pool)
        .await
        .map_err(map)?;
        let Some(row) = row else {
            // Forgotten in between: the first request failed; this one may go ahead.
            return Box::pin(self.idempotency_begin(scope, key, request_hash, now)).await;
        };
        if get::<String>(&row, "request_hash")? != request_hash {
            return Ok(IdempotencyBegin::Mismatch);
        }
        match (
            get::<Option<i64>>(&row, "status")?,
            get::<Option<String>>(&row, "body")?,
        ) {
            (Some(status), Some(body)) => Ok(IdempotencyBegin::Replay {
                status: u16::try_from(status).unwrap_or(500),
                body,
            }),
            _ => Ok(IdempotencyBegin::InProgress),
        }
    }

    async fn idempotency_finish(
        &self,
        scope: &str,
        key: &str,
        status: u16,
        body: &str,
    ) -> StoreResult<()> {
        sqlx::query(
            "UPDATE idempotency_keys SET status = $1, body = $2 WHERE scope = $3 AND key = $4",
        )
        .bind(i64::from(status))
        .bind(body)
        .bind(scope)
        .bind(key)
        .execute(&self.pool)
        .await
        .map_err(map)?;
        Ok(())
    }

    async fn idempotency_forget(&self, scope: &str, key: &str) -> StoreResult<()> {
        sqlx::query(
            "DELETE FROM idempotency_keys WHERE scope = $1 AND key = $2 AND status IS NULL",
        )
        .bind(scope)
        .bind(key)
        .execute(&self.pool)
        .await
        .map_err(map)?;
        Ok(())
    }
}
