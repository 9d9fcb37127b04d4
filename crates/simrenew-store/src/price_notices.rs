//! Price changes with notice: the versions not noticed yet, the rises they bring to lines
//! renewing automatically, and the notices recorded with their messages (a line's notices as
//! its automatic renewal is priced are read by `sales::tx`).

use async_trait::async_trait;
use jiff::Timestamp;
use simrenew_app::automation::price_notices::{PriceNoticeStore, PriceRise, VersionToNotice};
use simrenew_app::notifications::NewReminder;
use simrenew_app::StoreResult;
use simrenew_domain::ids::{BrandId, CatalogVersionId, LineId, SubscriberId};

use crate::codec::{get, ts};
use crate::error::map;
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
}
