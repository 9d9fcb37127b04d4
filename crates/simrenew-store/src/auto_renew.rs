//! Automatic renewal: each line's setting, the lines due for it (claimed with a lease), and
//! the stop that plans its messages in the same transaction.

use async_trait::async_trait;
use jiff::Timestamp;
use simrenew_app::automation::auto_renew::{
    AutoRenewSetting, AutoRenewStore, AutoRenewTx, DataTopUp, DueRenewal,
};
use simrenew_app::notifications::NewReminder;
use simrenew_app::StoreResult;
use simrenew_domain::auto_debit::AutoDebits;
use simrenew_domain::catalog::Channel;
use simrenew_domain::identifiers::Msisdn;
use simrenew_domain::ids::{BrandId, LineId, OrderId, SavedPaymentMethodId, SubscriberId};
use simrenew_domain::order::OrderState;

use crate::codec::{bool_of, get, placeholders, ts};
use crate::error::{corrupt, map};
use crate::tx::SqlTx;
use crate::Db;

/// The predicate of the index `lines_auto_renew_due` (migration 0084), word for word, so that
/// both databases read through it the statements that repeat it: the lines that may renew
/// automatically, not those whose retries are spent or that were stopped (attempts > 0 and no
/// next attempt: they wait).
pub(crate) const AUTO_RENEWABLE: &str = "auto_renew = TRUE AND auto_renew_plan IS NOT NULL \
     AND state IN ('active', 'grace') \
     AND (auto_renew_attempts = 0 OR auto_renew_next_at IS NOT NULL)";

/// Of those, the lines due for automatic renewal: expiring before $1, not past their grace at
/// $2, and with an attempt due. One held by another worker has its lease in the future.
const AUTO_RENEWAL_DUE: &str = "expires_at IS NOT NULL AND expires_at <= $1 \
     AND (grace_until IS NULL OR grace_until > $2) \
     AND ((auto_renew_attempts = 0 AND auto_renew_next_at IS NULL) OR auto_renew_next_at <= $2)";

#[async_trait]
impl AutoRenewStore for Db {
    async fn auto_renew_setting(&self, line: LineId) -> StoreResult<(AutoRenewSetting, u32, bool)> {
        let row = sqlx::query(
            "SELECT auto_renew, auto_renew_plan, auto_renew_method_id, auto_renew_cap_cents, \
             auto_renew_attempts, auto_renew_next_at, top_up_plan, top_up_below_mb \
             FROM lines WHERE id = $1",
        )
        .bind(line.0)
        .fetch_one(&self.pool)
        .await
        .map_err(map)?;
        let enabled = bool_of(&row, "auto_renew")?;
        let attempts = u32::try_from(get::<i64>(&row, "auto_renew_attempts")?).unwrap_or(0);
        let next: Option<i64> = get(&row, "auto_renew_next_at")?;
        Ok((
            AutoRenewSetting {
                enabled,
                plan: get(&row, "auto_renew_plan")?,
                saved_method: get::<Option<i64>>(&row, "auto_renew_method_id")?
                    .map(SavedPaymentMethodId),
                monthly_cap_cents: get(&row, "auto_renew_cap_cents")?,
                top_up: match (
                    get::<Option<String>>(&row, "top_up_plan")?,
                    get::<Option<i64>>(&row, "top_up_below_mb")?,
                ) {
                    (Some(plan), Some(below)) => Some(DataTopUp {
                        below_mb: u64::try_from(below).unwrap_or(0),
                        plan,
                    }),
                    _ => None,
                },
            },
            attempts,
            enabled && attempts > 0 && next.is_none(),
        ))
    }

    async fn auto_debits_of(&self, line: LineId, since: Timestamp) -> StoreResult<AutoDebits> {
        let row = sqlx::query(
            "SELECT COUNT(id) AS n, CAST(COALESCE(SUM(total_cents), 0) AS BIGINT) AS spent \
             FROM orders WHERE line_id = $1 AND channel = $2 \
             AND paid_at IS NOT NULL AND paid_at >= $3",
        )
        .bind(line.0)
        .bind(Channel::AutoRenew.as_str())
        .bind(since.as_second())
        .fetch_one(&self.pool)
        .await
        .map_err(map)?;
        Ok(AutoDebits {
            count: u32::try_from(get::<i64>(&row, "n")?).unwrap_or(u32::MAX),
            spent_cents: get(&row, "spent")?,
        })
    }

    async fn claim_auto_renewals(
        &self,
        now: Timestamp,
        before: Timestamp,
        lease_until: Timestamp,
        limit: u32,
    ) -> StoreResult<Vec<DueRenewal>> {
        // Most passes find nothing due: a read says so without taking the write lock.
        let any: Option<i64> = sqlx::query_scalar(&format!(
            "SELECT id FROM lines WHERE {AUTO_RENEWABLE} AND {AUTO_RENEWAL_DUE} LIMIT 1"
        ))
        .bind(before.as_second())
        .bind(now.as_second())
        .fetch_optional(&self.pool)
        .await
        .map_err(map)?;
        if any.is_none() {
            return Ok(vec![]);
        }
        let mut tx = self.begin_sql().await?;
        let rows = sqlx::query(&format!(
            "SELECT {DUE_COLUMNS}, auto_renew_plan AS plan, auto_renew_attempts AS attempts, \
             CAST(NULL AS BIGINT) AS top_up_since FROM lines WHERE {AUTO_RENEWABLE} AND {AUTO_RENEWAL_DUE} \
             ORDER BY expires_at, id LIMIT $3{}",
            tx.dialect.skip_locked(),
        ))
        .bind(before.as_second())
        .bind(now.as_second())
        .bind(i64::from(limit))
        .fetch_all(tx.conn())
        .await
        .map_err(map)?;
        if rows.is_empty() {
            // Let the write lock go at once (a dropped transaction's rollback is lazy).
            tx.commit_sql().await?;
            return Ok(vec![]);
        }
        let mut due = due_of(&rows)?;
        hold(&mut tx, "auto_renew_next_at", lease_until, &due).await?;
        tell_whom(&mut tx, &mut due).await?;
        tx.commit_sql().await?;
        Ok(due)
    }

    async fn claim_top_ups(
        &self,
        now: Timestamp,
        lease_until: Timestamp,
        limit: u32,
    ) -> StoreResult<Vec<DueRenewal>> {
        const DUE: &str = "top_up_due_at IS NOT NULL AND top_up_plan IS NOT NULL \
             AND state = 'active' AND expires_at IS NOT NULL AND expires_at > $1 \
             AND (top_up_next_at IS NULL OR top_up_next_at <= $1)";
        // Most passes find nothing due: a read says so without taking the write lock.
        let any: Option<i64> =
            sqlx::query_scalar(&format!("SELECT id FROM lines WHERE {DUE} LIMIT 1"))
                .bind(now.as_second())
                .fetch_optional(&self.pool)
                .await
                .map_err(map)?;
        if any.is_none() {
            return Ok(vec![]);
        }
        let mut tx = self.begin_sql().await?;
        let rows = sqlx::query(&format!(
            "SELECT {DUE_COLUMNS}, top_up_plan AS plan, top_up_attempts AS attempts, \
             top_up_due_at AS top_up_since FROM lines WHERE {DUE} \
             ORDER BY top_up_due_at, id LIMIT $2{}",
            tx.dialect.skip_locked(),
        ))
        .bind(now.as_second())
        .bind(i64::from(limit))
        .fetch_all(tx.conn())
        .await
        .map_err(map)?;
        if rows.is_empty() {
            tx.commit_sql().await?;
            return Ok(vec![]);
        }
        let mut due = due_of(&rows)?;
        hold(&mut tx, "top_up_next_at", lease_until, &due).await?;
        tell_whom(&mut tx, &mut due).await?;
        tx.commit_sql().await?;
        Ok(due)
    }

    async fn auto_renew_failed(&self, due: &DueRenewal, next: Timestamp) -> StoreResult<()> {
        let sql = match due.top_up_since {
            None => {
                "UPDATE lines SET auto_renew_attempts = auto_renew_attempts + 1, \
                 auto_renew_next_at = $1 WHERE id = $2"
            }
            Some(_) => {
                "UPDATE lines SET top_up_attempts = top_up_attempts + 1, \
                 top_up_next_at = $1 WHERE id = $2"
            }
        };
        let mut tx = self.begin_sql().await?;
        sqlx::query(sql)
            .bind(next.as_second())
            .bind(due.line.0)
            .execute(tx.conn())
            .await
            .map_err(map)?;
        tx.commit_sql().await
    }

    async fn auto_renew_stopped(
        &self,
        due: &DueRenewal,
        messages: &[NewReminder],
        now: Timestamp,
    ) -> StoreResult<()> {
        // A stopped top-up waits for the line's next fall under its threshold.
        let sql = match due.top_up_since {
            None => {
                "UPDATE lines SET auto_renew_attempts = auto_renew_attempts + 1, \
                 auto_renew_next_at = NULL WHERE id = $1"
            }
            Some(_) => {
                "UPDATE lines SET top_up_due_at = NULL, top_up_attempts = 0, \
                 top_up_next_at = NULL WHERE id = $1"
            }
        };
        let mut tx = self.begin_sql().await?;
        sqlx::query(sql)
            .bind(due.line.0)
            .execute(tx.conn())
            .await
            .map_err(map)?;
        tx.insert_reminders(messages, now).await?;
        tx.commit_sql().await
    }

    async fn auto_renew_succeeded(&self, due: &DueRenewal) -> StoreResult<()> {
        let sql = match due.top_up_since {
            None => {
                "UPDATE lines SET auto_renew_attempts = 0, auto_renew_next_at = NULL WHERE id = $1"
            }
            Some(_) => {
                "UPDATE lines SET top_up_due_at = NULL, top_up_attempts = 0, \
                 top_up_next_at = NULL WHERE id = $1"
            }
        };
        let mut tx = self.begin_sql().await?;
        sqlx::query(sql)
            .bind(due.line.0)
            .execute(tx.conn())
            .await
            .map_err(map)?;
        tx.commit_sql().await
    }

    async fn pending_auto_order(
        &self,
        line: LineId,
        plan: &str,
        since: Timestamp,
    ) -> StoreResult<Option<OrderId>> {
        let id: Option<i64> = sqlx::query_scalar(
            "SELECT o.id FROM orders o JOIN plans p ON p.id = o.plan_id \
             WHERE o.line_id = $1 AND o.channel = $2 AND o.state = $3 \
             AND o.created_at >= $4 AND p.code = $5 ORDER BY o.id DESC LIMIT 1",
        )
        .bind(line.0)
        .bind(Channel::AutoRenew.as_str())
        .bind(OrderState::PendingPayment.as_str())
        .bind(since.as_second())
        .bind(plan)
        .fetch_optional(&self.pool)
        .await
        .map_err(map)?;
        Ok(id.map(OrderId))
    }
}

/// The columns of a due line that renewals and top-ups share; each query adds `plan`,
/// `attempts` and `top_up_since`.
const DUE_COLUMNS: &str = "id, brand_id, msisdn, expires_at, auto_renew_method_id, subscriber_id";

/// The claimed lines, from rows of [`DUE_COLUMNS`] and their own three.
fn due_of(rows: &[sqlx::any::AnyRow]) -> StoreResult<Vec<DueRenewal>> {
    rows.iter()
        .map(|r| {
            Ok(DueRenewal {
                line: LineId(get(r, "id")?),
                brand: BrandId(get(r, "brand_id")?),
                msisdn: Msisdn::parse(&get::<String>(r, "msisdn")?)
                    .map_err(|e| corrupt("msisdn", e))?,
                plan: get(r, "plan")?,
                attempts: u32::try_from(get::<i64>(r, "attempts")?).unwrap_or(0),
                expires_at: ts(get(r, "expires_at")?)?,
                saved_method: get::<Option<i64>>(r, "auto_renew_method_id")?
                    .map(SavedPaymentMethodId),
                subscriber: get::<Option<i64>>(r, "subscriber_id")?.map(SubscriberId),
                has_email: false,
                top_up_since: get::<Option<i64>>(r, "top_up_since")?.map(ts).transpose()?,
            })
        })
        .collect()
}

/// Holds the claimed lines until `lease_until` in `column` (the renewal's or the top-up's).
async fn hold(
    tx: &mut SqlTx,
    column: &str,
    lease_until: Timestamp,
    due: &[DueRenewal],
) -> StoreResult<()> {
    let ids = placeholders(2, due.len());
    let sql = format!("UPDATE lines SET {column} = $1 WHERE id IN ({ids})");
    let mut q = sqlx::query(&sql).bind(lease_until.as_second());
    for d in due {
        q = q.bind(d.line.0);
    }
    q.execute(tx.conn()).await.map_err(map)?;
    Ok(())
}

/// Whom a stop is told to: the subscriber on record, unless erased.
async fn tell_whom(tx: &mut SqlTx, due: &mut [DueRenewal]) -> StoreResult<()> {
    let subscribers: Vec<i64> = due
        .iter()
        .filter_map(|d| d.subscriber.map(|s| s.0))
        .collect();
    if !subscribers.is_empty() {
        let ids = placeholders(1, subscribers.len());
        let sql = format!("SELECT id, email, erased_at FROM subscribers WHERE id IN ({ids})");
        let mut q = sqlx::query(&sql);
        for s in &subscribers {
            q = q.bind(*s);
        }
        let found = q.fetch_all(tx.conn()).await.map_err(map)?;
        for d in due.iter_mut() {
            let Some(r) = found
                .iter()
                .find(|r| get::<i64>(r, "id").ok() == d.subscriber.map(|s| s.0))
            else {
                d.subscriber = None;
                continue;
            };
            if get::<Option<i64>>(r, "erased_at")?.is_some() {
                d.subscriber = None;
            } else {
                d.has_email = get::<Option<String>>(r, "email")?.is_some();
            }
        }
    }
    Ok(())
}

#[async_trait]
impl AutoRenewTx for SqlTx {
    async fn set_auto_renew(
        &mut self,
        line: LineId,
        setting: &AutoRenewSetting,
        top_up_due: Option<Timestamp>,
    ) -> StoreResult<()> {
        sqlx::query(
            "UPDATE lines SET auto_renew = $1, auto_renew_plan = $2, auto_renew_method_id = $3, \
             auto_renew_cap_cents = $4, auto_renew_attempts = 0, auto_renew_next_at = NULL, \
             top_up_plan = $5, top_up_below_mb = $6, top_up_due_at = $7, top_up_attempts = 0, \
             top_up_next_at = NULL WHERE id = $8",
        )
        .bind(setting.enabled)
        .bind(&setting.plan)
        .bind(setting.saved_method.map(|m| m.0))
        .bind(setting.monthly_cap_cents)
        .bind(setting.top_up.as_ref().map(|t| t.plan.clone()))
        .bind(
            setting
                .top_up
                .as_ref()
                .map(|t| i64::try_from(t.below_mb).unwrap_or(i64::MAX)),
        )
        .bind(top_up_due.map(|t| t.as_second()))
        .bind(line.0)
        .execute(self.conn())
        .await
        .map_err(map)?;
        Ok(())
    }
}
