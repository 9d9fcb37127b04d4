//! Reminders: the lines due for a step, the planned rows, their claim and outcome, and the
//! lookup of a verification code; the calendar feeds' tokens.

use async_trait::async_trait;
use jiff::Timestamp;
use simrenew_app::notifications::calendar::{CalendarStore, CalendarTx};
use simrenew_app::notifications::{
    CheckedMessage, ClaimedReminder, DataNoticeDue, MessageChannel, NewReminder, ReminderRecord,
    ReminderState, ReminderStore, StepPlan,
};
use simrenew_app::StoreResult;
use simrenew_domain::identifiers::{Email, Msisdn};
use simrenew_domain::ids::{BrandId, LineId, SubscriberId};
use simrenew_domain::line::LineState;
use sqlx::any::AnyRow;

use crate::codec::{get, opt_ts, placeholders, ts, u32_of};
use crate::error::{corrupt, map};
use crate::tx::SqlTx;
use crate::Db;

fn msisdn(row: &AnyRow) -> StoreResult<Msisdn> {
    Msisdn::parse(&get::<String>(row, "msisdn")?).map_err(|e| corrupt("msisdn", e))
}

fn channel(row: &AnyRow) -> StoreResult<MessageChannel> {
    let c: String = get(row, "channel")?;
    MessageChannel::parse(&c).ok_or_else(|| corrupt("channel", c))
}

/// A notice of a price change's facts, when the row is one.
fn price_change(row: &AnyRow) -> StoreResult<Option<simrenew_app::notifications::PriceChange>> {
    let (Some(old), Some(new)) = (
        get::<Option<i64>>(row, "old_price_cents")?,
        get::<Option<i64>>(row, "new_price_cents")?,
    ) else {
        return Ok(None);
    };
    let currency: String = get(row, "currency")?;
    let currency =
        simrenew_domain::money::Currency::parse(&currency).map_err(|e| corrupt("currency", e))?;
    let name = match get::<Option<String>>(row, "plan_name")? {
        Some(n) => n,
        None => get::<Option<String>>(row, "plan_code")?.unwrap_or_default(),
    };
    Ok(Some(simrenew_app::notifications::PriceChange {
        plan_name: name,
        old_price: simrenew_domain::money::Money::new(old, currency),
        new_price: simrenew_domain::money::Money::new(new, currency),
    }))
}

fn step(row: &AnyRow) -> StoreResult<i32> {
    i32::try_from(get::<i64>(row, "step")?).map_err(|e| corrupt("step", e))
}

#[async_trait]
impl ReminderStore for Db {
    async fn plan_step(
        &self,
        plan: &StepPlan,
        state: LineState,
        from: Option<(Timestamp, LineId)>,
        limit: u32,
    ) -> StoreResult<(u32, Option<(Timestamp, LineId)>)> {
        let channels: Vec<(MessageChannel, Timestamp)> = [
            (MessageChannel::Email, plan.email_due),
            (MessageChannel::Sms, plan.sms_due),
        ]
        .into_iter()
        .filter_map(|(c, due)| Some((c, due?)))
        .collect();
        if channels.is_empty() || limit == 0 {
            return Ok((0, None));
        }
        let step = plan.window.step;
        // The window's lines of the brand in `state` from past `from`, in the order of
        // lines_due, which holds every column named here: $1 brand, $2 state, $3 until,
        // $4 after, $5 and $6 the expiry and line read on from.
        const WINDOW: &str = "l.brand_id = $1 AND l.state = $2 AND l.expires_at <= $3 \
             AND l.expires_at > $4 AND l.expires_at >= $5 AND (l.expires_at > $5 OR l.id > $6)";
        let (from_expiry, from_line) =
            from.map_or((i64::MIN, i64::MIN), |(e, l)| (e.as_second(), l.0));
        let window = |sql| {
            sqlx::query(sql)
                .bind(plan.brand.0)
                .bind(state.as_str())
                .bind(plan.window.until.as_second())
                .bind(plan.window.after.map_or(i64::MIN, |a| a.as_second()))
                .bind(from_expiry)
                .bind(from_line)
        };
        let mut tx = self.begin_sql().await?;
        // Where this batch ends: the limit-th line of the window, or the window's end.
        let sql = format!(
            "SELECT l.expires_at, l.id FROM lines l WHERE {WINDOW} \
             ORDER BY l.expires_at, l.id LIMIT 1 OFFSET {}",
            limit - 1
        );
        let last = match window(&sql).fetch_optional(tx.conn()).await.map_err(map)? {
            Some(r) => Some((get::<i64>(&r, "expires_at")?, get::<i64>(&r, "id")?)),
            None => None,
        };
        let (to_expiry, to_line) = last.unwrap_or((plan.window.until.as_second(), i64::MAX));
        // One row per channel of this process, from $11 on: the channel and when it is due.
        let offered = (0..channels.len())
            .map(|i| {
                format!(
                    "SELECT CAST(${} AS TEXT) AS channel, CAST(${} AS BIGINT) AS due_at",
                    2 * i + 11,
                    2 * i + 12
                )
            })
            .collect::<Vec<_>>()
            .join(" UNION ALL ");
        // The subscriber is looked up line by line (a scalar subquery, which neither database
        // turns into a join): a batch's lines are few beside all subscribers.
        let sql = format!(
            "INSERT INTO reminders (brand_id, line_id, subscriber_id, expires_at, step, channel, \
             state, due_at, created_at) \
             SELECT l.brand_id, l.id, l.subscriber_id, l.expires_at, $7, c.channel, 'pending', \
             c.due_at, $8 FROM lines l CROSS JOIN ({offered}) AS c \
             WHERE {WINDOW} AND l.expires_at <= $9 AND (l.expires_at < $9 OR l.id <= $10) \
             {auto_renew}{grace}\
             AND NOT EXISTS (SELECT 1 FROM reminders r WHERE r.line_id = l.id \
                 AND r.expires_at = l.expires_at AND r.step <= $7) \
             AND (SELECT CASE WHEN s.erased_at IS NULL \
                      AND (c.channel <> '{email}' OR s.email IS NOT NULL) THEN 1 ELSE 0 END \
                  FROM subscribers s WHERE s.id = l.subscriber_id) = 1 \
             ON CONFLICT (line_id, expires_at, step, channel) DO NOTHING",
            email = MessageChannel::Email.as_str(),
            // A line that renews by itself is told only once the renewal did not happen.
            auto_renew = if step > 0 {
                "AND l.auto_renew = FALSE "
            } else {
                ""
            },
            // A reminder during grace only while the line is in grace.
            grace = if step < 0 {
                "AND l.grace_until > $8 "
            } else {
                ""
            },
        );
        let mut q = window(&sql)
            .bind(i64::from(step))
            .bind(plan.now.as_second())
            .bind(to_expiry)
            .bind(to_line);
        for (channel, due) in &channels {
            q = q.bind(channel.as_str()).bind(due.as_second());
        }
        let new = q.execute(tx.conn()).await.map_err(map)?.rows_affected();
        tx.commit_sql().await?;
        let last = match last {
            Some((expiry, line)) => Some((ts(expiry)?, LineId(line))),
            None => None,
        };
        Ok((u32::try_from(new).unwrap_or(u32::MAX), last))
    }

    async fn data_notices_due(&self, limit: u32) -> StoreResult<Vec<DataNoticeDue>> {
        let rows = sqlx::query(
            "SELECT n.id, n.brand_id, n.line_id, n.percent, n.ends_at, s.id AS subscriber_id, \
             s.email FROM data_notices n JOIN lines l ON l.id = n.line_id \
             LEFT JOIN subscribers s ON s.id = l.subscriber_id AND s.erased_at IS NULL \
             WHERE n.planned_at IS NULL ORDER BY n.id LIMIT $1",
        )
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(map)?;
        rows.iter()
            .map(|r| {
                Ok(DataNoticeDue {
                    id: get(r, "id")?,
                    brand: BrandId(get(r, "brand_id")?),
                    line: LineId(get(r, "line_id")?),
                    subscriber: get::<Option<i64>>(r, "subscriber_id")?.map(SubscriberId),
                    has_email: get::<Option<String>>(r, "email")?.is_some(),
                    percent: u8::try_from(get::<i64>(r, "percent")?)
                        .map_err(|e| corrupt("percent", e))?,
                    ends_at: ts(get(r, "ends_at")?)?,
                })
            })
            .collect()
    }

    async fn plan_data_notices(
        &self,
        notices: &[i64],
        rows: &[NewReminder],
        now: Timestamp,
    ) -> StoreResult<u32> {
        if notices.is_empty() {
            return Ok(0);
        }
        let mut tx = self.begin_sql().await?;
        let new = tx.insert_reminders(rows, now).await?;
        let ids = placeholders(2, notices.len());
        let sql = format!(
            "UPDATE data_notices SET planned_at = $1 WHERE planned_at IS NULL AND id IN ({ids})"
        );
        let mut q = sqlx::query(&sql).bind(now.as_second());
        for id in notices {
            q = q.bind(*id);
        }
        q.execute(tx.conn()).await.map_err(map)?;
        tx.commit_sql().await?;
        Ok(new)
    }
    async fn claim_reminders(
        &self,
        now: Timestamp,
        code_hashes: &[String],
    ) -> StoreResult<Vec<ClaimedReminder>> {
        if code_hashes.is_empty() {
            return Ok(vec![]);
        }
        let skip_locked = self.dialect.skip_locked();
        let mut tx = self.begin_sql().await?;
        let ids: Vec<i64> = sqlx::query_scalar(&format!(
            "SELECT id FROM reminders WHERE state = 'pending' AND due_at <= $1 \
             ORDER BY due_at, id LIMIT $2{skip_locked}"
        ))
        .bind(now.as_second())
        .bind(i64::try_from(code_hashes.len()).unwrap_or(i64::MAX))
        .fetch_all(tx.conn())
        .await
        .map_err(map)?;
        if ids.is_empty() {
            tx.commit_sql().await?;
            return Ok(vec![]);
        }
        // The claim of the round in one statement (each row its own code), then what the
        // messages say in one more, whatever the round's size.
        let (cases, listed) = crate::codec::case_by_id(2, ids.len());
        let sql = format!(
            "UPDATE reminders SET state = 'sending', code_hash = CASE id {cases} END, \
             claimed_at = $1, attempts = attempts + 1 WHERE id IN ({listed})"
        );
        let mut q = sqlx::query(&sql).bind(now.as_second());
        for (code_index, id) in ids.iter().enumerate() {
            q = q.bind(*id).bind(&code_hashes[code_index]);
        }
        q.execute(tx.conn()).await.map_err(map)?;
        let sql = format!(
            "SELECT r.id, r.brand_id, r.expires_at, r.step, r.channel, r.attempts, \
             l.msisdn, l.grace_until, l.currency, s.name, s.email, s.language, \
             pn.old_price_cents, pn.new_price_cents, pn.plan_code, p.name AS plan_name \
             FROM reminders r \
             JOIN lines l ON l.id = r.line_id JOIN subscribers s ON s.id = r.subscriber_id \
             LEFT JOIN price_notices pn ON pn.id = (SELECT MAX(n.id) FROM price_notices n \
                 WHERE r.step = $1 AND n.line_id = r.line_id \
                 AND n.effective_from = r.expires_at) \
             LEFT JOIN plans p ON p.catalog_version_id = pn.catalog_version_id \
                 AND p.code = pn.plan_code \
             WHERE r.id IN ({})",
            placeholders(2, ids.len())
        );
        let mut q = sqlx::query(&sql).bind(i64::from(simrenew_domain::reminder::PRICE_NOTICE_STEP));
        for id in &ids {
            q = q.bind(*id);
        }
        let mut rows: std::collections::HashMap<i64, AnyRow> = std::collections::HashMap::new();
        for row in q.fetch_all(tx.conn()).await.map_err(map)? {
            rows.insert(get(&row, "id")?, row);
        }
        let mut claimed = Vec::with_capacity(ids.len());
        for (code_index, id) in ids.into_iter().enumerate() {
            let r = rows
                .get(&id)
                .ok_or_else(|| corrupt("reminder", format!("{id} has no line or subscriber")))?;
            claimed.push(ClaimedReminder {
                id,
                code_index,
                brand: BrandId(get(r, "brand_id")?),
                msisdn: msisdn(r)?,
                subscriber_name: get(r, "name")?,
                email: get::<Option<String>>(r, "email")?
                    .map(|e| Email::parse(&e).map_err(|e| corrupt("email", e)))
                    .transpose()?,
                language: get(r, "language")?,
                expires_at: ts(get(r, "expires_at")?)?,
                grace_until: opt_ts(get(r, "grace_until")?)?,
                step: step(r)?,
                channel: channel(r)?,
                attempts: u32_of(get(r, "attempts")?, "attempts")?,
                price_change: price_change(r)?,
            });
        }
        tx.commit_sql().await?;
        Ok(claimed)
    }

    async fn reminders_sent(&self, ids: &[i64], now: Timestamp) -> StoreResult<()> {
        if ids.is_empty() {
            return Ok(());
        }
        let mut tx = self.begin_sql().await?;
        let sql = format!(
            "UPDATE reminders SET state = 'sent', sent_at = $1, last_error = NULL \
             WHERE state = 'sending' AND id IN ({})",
            placeholders(2, ids.len())
        );
        let mut q = sqlx::query(&sql).bind(now.as_second());
        for id in ids {
            q = q.bind(*id);
        }
        q.execute(tx.conn()).await.map_err(map)?;
        tx.commit_sql().await
    }

    async fn reminder_refused(
        &self,
        id: i64,
        retry_at: Option<Timestamp>,
        error: &str,
    ) -> StoreResult<()> {
        let mut tx = self.begin_sql().await?;
        let error: String = error.chars().take(500).collect();
        sqlx::query(
            "UPDATE reminders SET state = $1, due_at = COALESCE($2, due_at), last_error = $3, \
             code_hash = NULL WHERE id = $4 AND state = 'sending'",
        )
        .bind(match retry_at {
            Some(_) => ReminderState::Pending.as_str(),
            None => ReminderState::Failed.as_str(),
        })
        .bind(retry_at.map(|t| t.as_second()))
        .bind(error)
        .bind(id)
        .execute(tx.conn())
        .await
        .map_err(map)?;
        tx.commit_sql().await
    }

    async fn message_by_code(&self, code_hash: &str) -> StoreResult<Option<CheckedMessage>> {
        let row = sqlx::query(
            "SELECT r.channel, r.expires_at, r.sent_at, l.msisdn, b.name, b.portal_url, \
             b.time_zone FROM reminders r JOIN lines l ON l.id = r.line_id \
             JOIN brands b ON b.id = r.brand_id WHERE r.code_hash = $1",
        )
        .bind(code_hash)
        .fetch_optional(&self.pool)
        .await
        .map_err(map)?;
        row.map(|r| {
            Ok(CheckedMessage {
                brand_name: get(&r, "name")?,
                portal_url: get(&r, "portal_url")?,
                channel: channel(&r)?,
                msisdn: msisdn(&r)?,
                expires_at: ts(get(&r, "expires_at")?)?,
                time_zone: simrenew_domain::brand::parse_time_zone(&get::<String>(
                    &r,
                    "time_zone",
                )?)
                .map_err(|e| corrupt("time_zone", e))?,
                sent_at: opt_ts(get(&r, "sent_at")?)?,
            })
        })
        .transpose()
    }

    async fn reminders(
        &self,
        line: Option<&Msisdn>,
        limit: u32,
    ) -> StoreResult<Vec<ReminderRecord>> {
        let sql = format!(
            "SELECT r.id, l.msisdn, r.expires_at, r.step, r.channel, r.state, r.due_at, \
             r.attempts, r.sent_at, r.last_error FROM reminders r \
             JOIN lines l ON l.id = r.line_id {} ORDER BY r.id DESC LIMIT $1",
            if line.is_some() {
                "WHERE l.msisdn = $2 AND l.number_released_at IS NULL"
            } else {
                ""
            }
        );
        let mut q = sqlx::query(&sql).bind(i64::from(limit));
        if let Some(line) = line {
            q = q.bind(line.as_str());
        }
        let rows = q.fetch_all(&self.pool).await.map_err(map)?;
        rows.iter()
            .map(|r| {
                let state: String = get(r, "state")?;
                Ok(ReminderRecord {
                    id: get(r, "id")?,
                    msisdn: msisdn(r)?,
                    expires_at: ts(get(r, "expires_at")?)?,
                    step: step(r)?,
                    channel: channel(r)?,
                    state: ReminderState::parse(&state).ok_or_else(|| corrupt("state", state))?,
                    due_at: ts(get(r, "due_at")?)?,
                    attempts: u32_of(get(r, "attempts")?, "attempts")?,
                    sent_at: opt_ts(get(r, "sent_at")?)?,
                    last_error: get(r, "last_error")?,
                })
            })
            .collect()
    }
}

#[async_trait]
impl CalendarStore for Db {
    async fn calendar_owner(
        &self,
        token_hash: &str,
    ) -> StoreResult<Option<(SubscriberId, String)>> {
        let row = sqlx::query(
            "SELECT id, language FROM subscribers \
             WHERE calendar_token_hash = $1 AND erased_at IS NULL",
        )
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await
        .map_err(map)?;
        row.map(|r| Ok((SubscriberId(get(&r, "id")?), get(&r, "language")?)))
            .transpose()
    }
}

#[async_trait]
impl CalendarTx for SqlTx {
    async fn set_calendar_token(
        &mut self,
        subscriber: SubscriberId,
        token_hash: &str,
    ) -> StoreResult<bool> {
        let n = sqlx::query(
            "UPDATE subscribers SET calendar_token_hash = $1 WHERE id = $2 AND erased_at IS NULL",
        )
        .bind(token_hash)
        .bind(subscriber.0)
        .execute(self.conn())
        .await
        .map_err(map)?
        .rows_affected();
        Ok(n == 1)
    }
}
