//! The `Idempotency-Key` rows, and the mark a transaction leaves on its attempt's key when it
//! commits an effect.

use async_trait::async_trait;
use jiff::Timestamp;
use simrenew_app::idempotency::{Attempt, IdempotencyStore, KeyState};
use simrenew_app::{StoreError, StoreResult};
use sqlx::AnyConnection;

use crate::codec::get;
use crate::error::map;
use crate::Db;

#[async_trait]
impl IdempotencyStore for Db {
    async fn idempotency_take(
        &self,
        attempt: &Attempt,
        request_hash: &str,
        now: Timestamp,
        wall: Timestamp,
        lease_until: Timestamp,
    ) -> StoreResult<KeyState> {
        for _ in 0..3 {
            let inserted = sqlx::query(
                "INSERT INTO idempotency_keys (scope, key, request_hash, created_at, attempt, \
                 lease_until) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
            )
            .bind(&attempt.scope)
            .bind(&attempt.key)
            .bind(request_hash)
            .bind(now.as_second())
            .bind(&attempt.token)
            .bind(lease_until.as_second())
            .execute(&self.bookkeeping)
            .await
            .map_err(map)?
            .rows_affected();
            if inserted == 1 {
                return Ok(KeyState::Taken);
            }
            let row = sqlx::query(
                "SELECT request_hash, status, body, attempt, lease_until, effect \
                 FROM idempotency_keys WHERE scope = $1 AND key = $2",
            )
            .bind(&attempt.scope)
            .bind(&attempt.key)
            .fetch_optional(&self.bookkeeping)
            .await
            .map_err(map)?;
            let Some(row) = row else {
                // Forgotten in between: the first attempt failed without effect.
                continue;
            };
            if get::<String>(&row, "request_hash")? != request_hash {
                return Ok(KeyState::Mismatch);
            }
            if let Some(status) = get::<Option<i64>>(&row, "status")? {
                return Ok(KeyState::Answered {
                    status: u16::try_from(status).unwrap_or(500),
                    body: get(&row, "body")?,
                });
            }
            if let Some(effect) = get::<Option<String>>(&row, "effect")? {
                return Ok(KeyState::Effect { effect });
            }
            let leased = get::<Option<i64>>(&row, "lease_until")?
                .is_some_and(|until| until > wall.as_second());
            if leased {
                return Ok(KeyState::Leased);
            }
            // The attempt holding it went silent with no effect: take the key over. Fenced by
            // the old token, so that of two retries only one takes it.
            let taken = sqlx::query(
                "UPDATE idempotency_keys SET attempt = $1, lease_until = $2 \
                 WHERE scope = $3 AND key = $4 AND attempt IS NOT DISTINCT FROM $5 \
                 AND status IS NULL AND effect IS NULL",
            )
            .bind(&attempt.token)
            .bind(lease_until.as_second())
            .bind(&attempt.scope)
            .bind(&attempt.key)
            .bind(get::<Option<String>>(&row, "attempt")?)
            .execute(&self.bookkeeping)
            .await
            .map_err(map)?
            .rows_affected();
            if taken == 1 {
                return Ok(KeyState::Taken);
            }
        }
        Ok(KeyState::Leased)
    }

    async fn idempotency_renew(
        &self,
        attempt: &Attempt,
        lease_until: Timestamp,
    ) -> StoreResult<()> {
        sqlx::query(
            "UPDATE idempotency_keys SET lease_until = $1 \
             WHERE scope = $2 AND key = $3 AND attempt = $4",
        )
        .bind(lease_until.as_second())
        .bind(&attempt.scope)
        .bind(&attempt.key)
        .bind(&attempt.token)
        .execute(&self.bookkeeping)
        .await
        .map_err(map)?;
        Ok(())
    }

    async fn idempotency_answer(
        &self,
        attempt: &Attempt,
        status: u16,
        body: Option<&str>,
    ) -> StoreResult<()> {
        sqlx::query(
            "UPDATE idempotency_keys SET status = $1, body = $2, lease_until = NULL \
             WHERE scope = $3 AND key = $4 AND attempt = $5",
        )
        .bind(i64::from(status))
        .bind(body)
        .bind(&attempt.scope)
        .bind(&attempt.key)
        .bind(&attempt.token)
        .execute(&self.bookkeeping)
        .await
        .map_err(map)?;
        Ok(())
    }

    async fn idempotency_release(&self, attempt: &Attempt) -> StoreResult<()> {
        sqlx::query(
            "DELETE FROM idempotency_keys WHERE scope = $1 AND key = $2 AND attempt = $3 \
             AND status IS NULL AND effect IS NULL",
        )
        .bind(&attempt.scope)
        .bind(&attempt.key)
        .bind(&attempt.token)
        .execute(&self.bookkeeping)
        .await
        .map_err(map)?;
        sqlx::query(
            "UPDATE idempotency_keys SET lease_until = NULL \
             WHERE scope = $1 AND key = $2 AND attempt = $3",
        )
        .bind(&attempt.scope)
        .bind(&attempt.key)
        .bind(&attempt.token)
        .execute(&self.bookkeeping)
        .await
        .map_err(map)?;
        Ok(())
    }
}

/// Marks `effect` as committed by `attempt`, inside the transaction that commits it. Refuses
/// (and so rolls the transaction back) when the attempt no longer holds the key.
pub(crate) async fn mark_effect(
    conn: &mut AnyConnection,
    attempt: &Attempt,
    effect: &str,
    now: Timestamp,
) -> StoreResult<()> {
    let marked = sqlx::query(
        "UPDATE idempotency_keys SET effect = COALESCE(effect, $1), effect_at = \
         COALESCE(effect_at, $2) WHERE scope = $3 AND key = $4 AND attempt = $5",
    )
    .bind(effect)
    .bind(now.as_second())
    .bind(&attempt.scope)
    .bind(&attempt.key)
    .bind(&attempt.token)
    .execute(&mut *conn)
    .await
    .map_err(map)?
    .rows_affected();
    if marked == 1 {
        Ok(())
    } else {
        Err(StoreError::Unavailable(
            "this request's Idempotency-Key was taken over by a retry; nothing was done".into(),
        ))
    }
}
