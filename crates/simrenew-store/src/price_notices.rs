//! Price changes with notice: the versions not noticed yet, the rises they bring to lines
//! renewing automatically, and the notices recorded with their messages (a line's notices as
//! its automatic renewal is priced are read by `sales::tx`).

use async_trait::async_trait;
use jiff::Timestamp;
use simrenew_app::automation::price_notices::{
    LinePriceNotice, NoticeMessage, PriceNoticeStore, PriceRise, VersionToNotice,
};
use simrenew_app::notifications::{MessageChannel, NewReminder, ReminderState};
use simrenew_app::StoreResult;
use simrenew_domain::ids::{BrandId, CatalogVersionId, LineId, SubscriberId};
use simrenew_domain::money::{Currency, Money};
use simrenew_domain::price_notice::PriceNotice;
use simrenew_domain::reminder::PRICE_NOTICE_STEP;

use crate::codec::{get, opt_ts, ts, u32_of};
use crate::error::{corrupt, map};
use crate::Db;

#[async_trait]
impl PriceNoticeStore for Db {
    async fn versions_to_notice(&self, limit: u32) -> StoreResult<Vec<VersionToNotice>> {
        // The version in force just before one comes into force: of those published before
        // it, the latest in force at its start.
        let rows = sqlx::query(
            "SELECT v.id, v.brand_id, v.effective_from, \
             (SELECT p.id FROM catalog_versions p WHERE p.brand_id = v.brand_id \
              AND p.version < v.version AND p.effective_from <= v.effective_from \
              ORDER BY p.effective_from DESC, p.version DESC LIMIT 1) AS previous \
             FROM catalog_versions v WHERE v.noticed_at IS NULL ORDER BY v.id LIMIT $1",
        )
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(map)?;
        rows.iter()
            .map(|r| {
                Ok(VersionToNotice {
                    id: CatalogVersionId(get(r, "id")?),
                    brand: BrandId(get(r, "brand_id")?),
                    effective_from: ts(get(r, "effective_from")?)?,
                    previous: get::<Option<i64>>(r, "previous")?.map(CatalogVersionId),
                })
            })
            .collect()
    }

    async fn price_rises(&self, version: &VersionToNotice) -> StoreResult<Vec<PriceRise>> {
        let Some(previous) = version.previous else {
            return Ok(vec![]);
        };
        let rows = sqlx::query(
            "SELECT l.id, s.id AS subscriber_id, s.email, np.code, \
             op.price_cents AS old_cents, np.price_cents AS new_cents \
             FROM lines l \
             JOIN plans np ON np.catalog_version_id = $1 AND np.code = l.auto_renew_plan \
             JOIN plans op ON op.catalog_version_id = $2 AND op.code = l.auto_renew_plan \
             LEFT JOIN subscribers s ON s.id = l.subscriber_id AND s.erased_at IS NULL \
             WHERE l.brand_id = $3 AND l.auto_renew = TRUE AND np.price_cents > op.price_cents \
             ORDER BY l.id",
        )
        .bind(version.id.0)
        .bind(previous.0)
        .bind(version.brand.0)
        .fetch_all(&self.pool)
        .await
        .map_err(map)?;
        rows.iter()
            .map(|r| {
                Ok(PriceRise {
                    line: LineId(get(r, "id")?),
                    subscriber: get::<Option<i64>>(r, "subscriber_id")?.map(SubscriberId),
                    has_email: get::<Option<String>>(r, "email")?.is_some(),
                    plan_code: get(r, "code")?,
                    old_price_cents: get(r, "old_cents")?,
                    new_price_cents: get(r, "new_cents")?,
                })
            })
            .collect()
    }

    async fn record_price_notices(
        &self,
        version: &VersionToNotice,
        rises: &[PriceRise],
        messages: &[NewReminder],
        now: Timestamp,
    ) -> StoreResult<u32> {
        let mut tx = self.begin_sql().await?;
        // A version another worker noticed meanwhile is left as it is.
        let mine = sqlx::query(
            "UPDATE catalog_versions SET noticed_at = $1 WHERE id = $2 AND noticed_at IS NULL",
        )
        .bind(now.as_second())
        .bind(version.id.0)
        .execute(tx.conn())
        .await
        .map_err(map)?;
        if mine.rows_affected() == 0 {
            tx.commit_sql().await?;
            return Ok(0);
        }
        let mut new = 0;
        for r in rises {
            let done = sqlx::query(
                "INSERT INTO price_notices (brand_id, line_id, catalog_version_id, plan_code, \
                 old_price_cents, new_price_cents, effective_from, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
                 ON CONFLICT (line_id, catalog_version_id, plan_code) DO NOTHING",
            )
            .bind(version.brand.0)
            .bind(r.line.0)
            .bind(version.id.0)
            .bind(&r.plan_code)
            .bind(r.old_price_cents)
            .bind(r.new_price_cents)
            .bind(version.effective_from.as_second())
            .bind(now.as_second())
            .execute(tx.conn())
            .await
            .map_err(map)?;
            new += u32::try_from(done.rows_affected()).unwrap_or(0);
        }
        tx.insert_reminders(messages, now).await?;
        tx.commit_sql().await?;
        Ok(new)
    }

    async fn line_price_notices(&self, line: LineId) -> StoreResult<Vec<LinePriceNotice>> {
        let notices = sqlx::query(
            "SELECT n.plan_code, n.old_price_cents, n.new_price_cents, n.effective_from, \
             n.created_at, v.version, l.currency \
             FROM price_notices n JOIN catalog_versions v ON v.id = n.catalog_version_id \
             JOIN lines l ON l.id = n.line_id \
             WHERE n.line_id = $1 ORDER BY n.effective_from DESC, n.id DESC",
        )
        .bind(line.0)
        .fetch_all(&self.pool)
        .await
        .map_err(map)?;
        // The messages of a notice are the line's reminders of the notice step whose expiry is
        // the new price's first day.
        let messages = sqlx::query(
            "SELECT id, expires_at, channel, state, sent_at FROM reminders \
             WHERE line_id = $1 AND step = $2 ORDER BY id",
        )
        .bind(line.0)
        .bind(i64::from(PRICE_NOTICE_STEP))
        .fetch_all(&self.pool)
        .await
        .map_err(map)?;
        let mut sent = Vec::with_capacity(messages.len());
        for r in &messages {
            let channel: String = get(r, "channel")?;
            let state: String = get(r, "state")?;
            sent.push((
                get::<i64>(r, "expires_at")?,
                NoticeMessage {
                    id: get(r, "id")?,
                    channel: MessageChannel::parse(&channel)
                        .ok_or_else(|| corrupt("channel", channel.clone()))?,
                    state: ReminderState::parse(&state)
                        .ok_or_else(|| corrupt("state", state.clone()))?,
                    sent_at: opt_ts(get(r, "sent_at")?)?,
                },
            ));
        }
        notices
            .iter()
            .map(|r| {
                let currency = Currency::parse(&get::<String>(r, "currency")?)
                    .map_err(|e| corrupt("currency", e))?;
                let effective_from: i64 = get(r, "effective_from")?;
                let messages: Vec<NoticeMessage> = sent
                    .iter()
                    .filter(|(expiry, _)| *expiry == effective_from)
                    .map(|(_, m)| m.clone())
                    .collect();
                let first_sent = messages.iter().filter_map(|m| m.sent_at).min();
                Ok(LinePriceNotice {
                    plan_code: get(r, "plan_code")?,
                    version: u32_of(get(r, "version")?, "version")?,
                    notice: PriceNotice {
                        old_price: Money::new(get(r, "old_price_cents")?, currency),
                        new_price: Money::new(get(r, "new_price_cents")?, currency),
                        effective_from: ts(effective_from)?,
                        sent_at: first_sent,
                    },
                    recorded_at: ts(get(r, "created_at")?)?,
                    messages,
                })
            })
            .collect()
    }
}
