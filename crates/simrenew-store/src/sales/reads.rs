//! The sales reads: brands, plans in force, lines with their bundles, orders, quotes.

use async_trait::async_trait;
use jiff::Timestamp;
use simrenew_app::sales::ports::{
    LineDetails, LineFilter, ListedPromotion, ListedVersion, OrderDetails, PlanFilter, SalesStore,
};
use simrenew_app::StoreResult;
use simrenew_domain::brand::Brand;
use simrenew_domain::catalog::Channel;
use simrenew_domain::catalog::Plan;
use simrenew_domain::identifiers::Msisdn;
use simrenew_domain::ids::{BrandId, OrderId, QuoteId};
use simrenew_domain::line::Line;
use simrenew_domain::money::Currency;
use sqlx::any::AnyArguments;
use sqlx::query::Query;
use sqlx::Any;
use tracing::instrument;

use crate::codec::{
    self, get, BRAND_COLUMNS, BRAND_COLUMNS_AS_B, BUNDLE_COLUMNS, LINE_COLUMNS, ORDER_COLUMNS,
    PLAN_COLUMNS, PROMOTION_COLUMNS,
};
use crate::error::{corrupt, map};
use crate::Db;

/// The state of a line at `$1` (the rule of `simrenew_domain::line::effective_state`).
pub(crate) const EFFECTIVE_STATE: &str = "CASE \
    WHEN l.state IN ('active', 'grace') AND l.expires_at IS NOT NULL AND l.expires_at <= $1 \
        THEN CASE WHEN l.grace_until IS NOT NULL AND l.grace_until > $1 \
            THEN 'grace' ELSE 'lapsed' END \
    WHEN l.state = 'grace' THEN 'active' \
    ELSE l.state END";

/// The catalog version of the plan's brand in force at `$1`.
const VERSION_IN_FORCE: &str = "p.catalog_version_id = (SELECT v.id FROM catalog_versions v \
    WHERE v.brand_id = p.brand_id AND v.effective_from <= $1 \
    ORDER BY v.effective_from DESC, v.version DESC LIMIT 1)";

#[async_trait]
impl SalesStore for Db {
    async fn brands(&self) -> StoreResult<Vec<Brand>> {
        let rows = sqlx::query(&format!("SELECT {BRAND_COLUMNS} FROM brands ORDER BY code"))
            .fetch_all(&self.pool)
            .await
            .map_err(map)?;
        rows.iter().map(codec::brand).collect()
    }

    async fn brand_by_code(&self, code: &str) -> StoreResult<Option<Brand>> {
        let row = sqlx::query(&format!(
            "SELECT {BRAND_COLUMNS} FROM brands WHERE code = $1"
        ))
        .bind(code)
        .fetch_optional(&self.pool)
        .await
        .map_err(map)?;
        row.as_ref().map(codec::brand).transpose()
    }

    async fn plans_in_force(&self, filter: &PlanFilter, now: Timestamp) -> StoreResult<Vec<Plan>> {
        let mut sql = format!("SELECT {PLAN_COLUMNS} FROM plans p WHERE {VERSION_IN_FORCE}");
        if filter.brand.is_some() {
            sql.push_str(" AND p.brand_id = $2");
        }
        sql.push_str(" ORDER BY p.brand_id, p.price_cents, p.code");
        let mut q = sqlx::query(&sql).bind(now.as_second());
        if let Some(BrandId(b)) = filter.brand {
            q = q.bind(b);
        }
        let rows = q.fetch_all(&self.pool).await.map_err(map)?;
        let plans = rows
            .iter()
            .map(codec::plan)
            .collect::<StoreResult<Vec<_>>>()?;
        Ok(plans
            .into_iter()
            .filter(|p| filter.kind.is_none_or(|k| p.fits(k)))
            .filter(|p| filter.channel.is_none_or(|c| p.sold_through(c)))
            .collect())
    }

    #[instrument(level = "debug", skip_all, fields(line.msisdn = %msisdn))]
    async fn line_details(
        &self,
        msisdn: &Msisdn,
        now: Timestamp,
    ) -> StoreResult<Option<LineDetails>> {
        let sql = format!(
            "SELECT {LINE_COLUMNS}, {BRAND_COLUMNS_AS_B} \
             FROM lines l JOIN brands b ON b.id = l.brand_id WHERE l.msisdn = $1 \
             AND l.number_released_at IS NULL"
        );
        let Some(row) = sqlx::query(&sql)
            .bind(msisdn.as_str())
            .fetch_optional(&self.pool)
            .await
            .map_err(map)?
        else {
            return Ok(None);
        };
        let line = codec::line(&row)?;
        let brand = codec::brand_prefixed(&row, "b_")?;
        let bundles = sqlx::query(&format!(
            "SELECT {BUNDLE_COLUMNS} FROM bundles WHERE line_id = $1 AND ends_at > $2 \
             ORDER BY starts_at, id"
        ))
        .bind(line.id.0)
        .bind(now.as_second())
        .fetch_all(&self.pool)
        .await
        .map_err(map)?
        .iter()
        .map(codec::bundle)
        .collect::<StoreResult<Vec<_>>>()?;
        Ok(Some(LineDetails {
            line,
            brand,
            bundles,
        }))
    }

    async fn lines(&self, filter: &LineFilter, now: Timestamp) -> StoreResult<Vec<Line>> {
        // A line whose number was released is history: not listed.
        let mut sql = format!(
            "SELECT {LINE_COLUMNS} FROM lines l WHERE l.id > $2 AND l.number_released_at IS NULL"
        );
        let mut n = 2;
        let mut param = |sql: &mut String, clause: &str| {
            n += 1;
            sql.push_str(&clause.replace("$?", &format!("${n}")));
        };
        if filter.brand.is_some() {
            param(&mut sql, " AND l.brand_id = $?");
        }
        if filter.subscriber.is_some() {
            param(&mut sql, " AND l.subscriber_id = $?");
        }
        if filter.kind.is_some() {
            param(&mut sql, " AND l.kind = $?");
        }
        if filter.state.is_some() {
            param(&mut sql, &format!(" AND ({EFFECTIVE_STATE}) = $?"));
        }
        param(&mut sql, " ORDER BY l.id LIMIT $?");
        let mut q: Query<'_, Any, AnyArguments<'_>> = sqlx::query(&sql)
            .bind(now.as_second())
            .bind(filter.after.map_or(0, |id| id.0));
        if let Some(b) = filter.brand {
            q = q.bind(b.0);
        }
        if let Some(s) = filter.subscriber {
            q = q.bind(s.0);
        }
        if let Some(k) = filter.kind {
            q = q.bind(k.as_str());
        }
        if let Some(s) = filter.state {
            q = q.bind(s.as_str());
        }
        q = q.bind(i64::from(filter.limit));
        let rows = q.fetch_all(&self.pool).await.map_err(map)?;
        rows.iter().map(codec::line).collect()
    }

    async fn order(&self, id: OrderId) -> StoreResult<Option<OrderDetails>> {
        let row = sqlx::query(&format!(
            "SELECT {ORDER_COLUMNS}, (SELECT msisdn FROM lines WHERE lines.id = orders.line_id) \
             AS msisdn FROM orders WHERE id = $1"
        ))
        .bind(id.0)
        .fetch_optional(&self.pool)
        .await
        .map_err(map)?;
        let Some(row) = row else { return Ok(None) };
        let order = codec::order(&row)?;
        let msisdn = Msisdn::parse(&get::<String>(&row, "msisdn")?)
            .map_err(|e| crate::error::corrupt("msisdn", e))?;
        let payments = sqlx::query(
            "SELECT id, order_id, method, amount_cents, currency, voucher_id, created_at \
             FROM payments WHERE order_id = $1 ORDER BY id",
        )
        .bind(id.0)
        .fetch_all(&self.pool)
        .await
        .map_err(map)?
        .iter()
        .map(codec::payment)
        .collect::<StoreResult<Vec<_>>>()?;
        let bundles = sqlx::query(&format!(
            "SELECT {BUNDLE_COLUMNS} FROM bundles WHERE order_id = $1 ORDER BY starts_at, id"
        ))
        .bind(id.0)
        .fetch_all(&self.pool)
        .await
        .map_err(map)?
        .iter()
        .map(codec::bundle)
        .collect::<StoreResult<Vec<_>>>()?;
        Ok(Some(OrderDetails {
            order,
            msisdn,
            payments,
            bundles,
        }))
    }

    async fn quote_target(&self, id: QuoteId) -> StoreResult<Option<(Msisdn, Channel)>> {
        let row = sqlx::query(
            "SELECT l.msisdn, q.channel FROM quotes q JOIN lines l ON l.id = q.line_id \
             WHERE q.id = $1",
        )
        .bind(id.0)
        .fetch_optional(&self.pool)
        .await
        .map_err(map)?;
        let Some(row) = row else { return Ok(None) };
        let msisdn = Msisdn::parse(&get::<String>(&row, "msisdn")?)
            .map_err(|e| crate::error::corrupt("msisdn", e))?;
        let channel = Channel::parse(&get::<String>(&row, "channel")?)
            .map_err(|e| crate::error::corrupt("channel", e))?;
        Ok(Some((msisdn, channel)))
    }

    async fn catalog_versions(&self, brand: BrandId) -> StoreResult<Vec<ListedVersion>> {
        let versions = sqlx::query(
            "SELECT id, brand_id, version, effective_from, published_at, noticed_at \
             FROM catalog_versions WHERE brand_id = $1 ORDER BY version DESC",
        )
        .bind(brand.0)
        .fetch_all(&self.pool)
        .await
        .map_err(map)?;
        let plans = sqlx::query(&format!(
            "SELECT {PLAN_COLUMNS} FROM plans p WHERE p.brand_id = $1 ORDER BY p.id"
        ))
        .bind(brand.0)
        .fetch_all(&self.pool)
        .await
        .map_err(map)?
        .iter()
        .map(codec::plan)
        .collect::<StoreResult<Vec<Plan>>>()?;
        versions
            .iter()
            .map(|row| {
                let version = codec::catalog_version(row)?;
                let id = version.id;
                Ok(ListedVersion {
                    version,
                    noticed_at: codec::opt_ts(get(row, "noticed_at")?)?,
                    plans: plans
                        .iter()
                        .filter(|p| p.catalog_version_id == id)
                        .cloned()
                        .collect(),
                })
            })
            .collect()
    }

    async fn promotions(&self, brand: BrandId) -> StoreResult<Vec<ListedPromotion>> {
        let rows = sqlx::query(&format!(
            "SELECT {PROMOTION_COLUMNS}, b.currency AS brand_currency, \
             (SELECT CAST(COUNT(*) AS BIGINT) FROM promotion_uses u \
              WHERE u.promotion_id = p.id) AS uses \
             FROM promotions p JOIN brands b ON b.id = p.brand_id \
             WHERE p.brand_id = $1 ORDER BY p.id DESC"
        ))
        .bind(brand.0)
        .fetch_all(&self.pool)
        .await
        .map_err(map)?;
        rows.iter()
            .map(|row| {
                let currency = Currency::parse(&get::<String>(row, "brand_currency")?)
                    .map_err(|e| corrupt("currency", e))?;
                Ok(ListedPromotion {
                    promotion: codec::promotion(row, currency)?,
                    uses: codec::u32_of(get(row, "uses")?, "uses")?,
                })
            })
            .collect()
    }
}
