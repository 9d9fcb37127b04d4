//! Deleting what is over, in batches: each statement picks at most a batch of rows by an
//! indexed instant and deletes them by key.

use async_trait::async_trait;
use simrenew_app::maintenance::{Cutoffs, MaintenanceStore, Prunable};
use simrenew_app::StoreResult;

use crate::codec::get;
use crate::error::map;
use crate::Db;
use simrenew_domain::ids::VoucherId;

#[async_trait]
impl MaintenanceStore for Db {
    async fn prune(&self, what: Prunable, c: &Cutoffs, batch: u32) -> StoreResult<u64> {
        let batch = i64::from(batch);
        let now = c.now.as_second();
        // (statement, its instant, whether its rows are counted): each statement takes the
        // instant as $1 and the batch as $2. Recovery codes go with their enrolment, which is
        // what is counted.
        let statements: Vec<(String, i64, bool)> = match what {
            Prunable::Sessions | Prunable::StaffSessions => {
                let t = if what == Prunable::Sessions {
                    "sessions"
                } else {
                    "staff_sessions"
                };
                let by = |cond: &str| {
                    format!(
                        "DELETE FROM {t} WHERE token_hash IN \
                         (SELECT token_hash FROM {t} WHERE {cond} LIMIT $2)"
                    )
                };
                vec![
                    (by("expires_at <= $1"), now, true),
                    (by("last_seen_at <= $1"), c.idle_since.as_second(), true),
                    (by("revoked_at <= $1"), now, true),
                ]
            }
            Prunable::SignInCodes => vec![(
                "DELETE FROM sign_in_codes WHERE id IN \
                 (SELECT id FROM sign_in_codes WHERE expires_at <= $1 LIMIT $2)"
                    .into(),
                c.codes_expired_before.as_second(),
                true,
            )],
            // And the rows of rate_events, which nothing writes any more (the table goes in a
            // later release).
            Prunable::RateCounters => vec![
                (
                    "DELETE FROM rate_counters WHERE (bucket, window_start) IN \
                     (SELECT bucket, window_start FROM rate_counters WHERE expires_at <= $1 \
                     LIMIT $2)"
                        .into(),
                    now,
                    true,
                ),
                (
                    "DELETE FROM rate_events WHERE key IN \
                     (SELECT key FROM rate_events WHERE at <= $1 LIMIT $2) AND at <= $1"
                        .into(),
                    now,
                    true,
                ),
            ],
            Prunable::WebauthnChallenges => vec![(
                "DELETE FROM webauthn_challenges WHERE id IN \
                 (SELECT id FROM webauthn_challenges WHERE expires_at <= $1 LIMIT $2)"
                    .into(),
                now,
                true,
            )],
            Prunable::CounterLookups => vec![(
                "DELETE FROM counter_customers WHERE credential_hash IN \
                 (SELECT credential_hash FROM counter_customers WHERE since <= $1 LIMIT $2)"
                    .into(),
                c.lookups_before.as_second(),
                true,
            )],
            Prunable::IdempotencyKeys => vec![(
                "DELETE FROM idempotency_keys WHERE (scope, key) IN \
                 (SELECT scope, key FROM idempotency_keys WHERE created_at <= $1 LIMIT $2)"
                    .into(),
                c.idempotency_before.as_second(),
                true,
            )],
            Prunable::TotpEnrolments => {
                let mut out = vec![];
                for (table, codes, column) in [
                    ("staff", "staff_recovery_codes", "staff_id"),
                    ("subscribers", "subscriber_recovery_codes", "subscriber_id"),
                ] {
                    out.push((
                        format!(
                            "DELETE FROM {codes} WHERE pending = 1 AND {column} IN \
                             (SELECT id FROM {table} WHERE totp_pending_at <= $1 LIMIT $2)"
                        ),
                        c.enrolments_before.as_second(),
                        false,
                    ));
                    out.push((
                        format!(
                            "UPDATE {table} SET totp_pending_secret = NULL, totp_pending_at = NULL \
                             WHERE id IN (SELECT id FROM {table} WHERE totp_pending_at <= $1 \
                             LIMIT $2)"
                        ),
                        c.enrolments_before.as_second(),
                        true,
                    ));
                }
                out
            }
        };
        let mut total = 0;
        for (sql, at, counted) in statements {
            let mut tx = self.begin_sql().await?;
            let n = sqlx::query(&sql)
                .bind(at)
                .bind(batch)
                .execute(tx.conn())
                .await
                .map_err(map)?
                .rows_affected();
            tx.commit_sql().await?;
            if counted {
                total += n;
            }
        }
        Ok(total)
    }

    async fn clear_voucher_codes(&self, limit: u32) -> StoreResult<Vec<(VoucherId, String)>> {
        let rows = sqlx::query(
            "SELECT id, code FROM vouchers WHERE code IS NOT NULL ORDER BY id LIMIT $1",
        )
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(map)?;
        rows.iter()
            .map(|r| Ok((VoucherId(get(r, "id")?), get(r, "code")?)))
            .collect()
    }

    async fn hash_voucher_code(&self, id: VoucherId, code_hash: &str) -> StoreResult<()> {
        let mut tx = self.begin_sql().await?;
        sqlx::query(
            "UPDATE vouchers SET code_hash = $1, code = NULL WHERE id = $2 AND code IS NOT NULL",
        )
        .bind(code_hash)
        .bind(id.0)
        .execute(tx.conn())
        .await
        .map_err(map)?;
        tx.commit_sql().await
    }
}
