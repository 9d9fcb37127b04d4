//! Writing the catalog side: brands, catalog versions with their plans, promotions, stores and
//! subscribers. Used by `simrenew demo` to seed a database, by admin commands, and (a catalog
//! version) in the publisher's transaction.

use jiff::Timestamp;
use simrenew_app::StoreResult;
use simrenew_domain::brand::Brand;
use simrenew_domain::ids::{BrandId, CatalogVersionId, PromotionId, StoreId, SubscriberId};
use simrenew_domain::promotion::PromotionRule;

use crate::codec::{get, join, validity_parts};
use crate::error::map;
use crate::Db;

pub use simrenew_app::sales::ports::{NewPlan, NewPromotion};

#[derive(Debug, Clone)]
pub struct NewStore {
    pub brand_id: BrandId,
    pub code: String,
    pub name: String,
    pub address: String,
    pub opening_hours: String,
    pub capabilities: Vec<String>,
}

impl Db {
    /// Inserts a brand; its `id` field is ignored and the new id returned.
    pub async fn insert_brand(&self, b: &Brand) -> StoreResult<BrandId> {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO brands (code, name, time_zone, currency, vat_rate_bp, grace_days, \
             reminder_days, monthly_auto_debit_limit, portal_url, quiet_from_minute, \
             quiet_until_minute, number_retention_days) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
        )
        .bind(&b.code)
        .bind(&b.name)
        .bind(b.time_zone_name())
        .bind(b.currency.as_str())
        .bind(i64::from(b.vat_rate_bp))
        .bind(i64::from(b.grace_days))
        .bind(join(&b.reminder_days))
        .bind(i64::from(b.monthly_auto_debit_limit))
        .bind(&b.portal_url)
        .bind(b.quiet_hours.minutes().0)
        .bind(b.quiet_hours.minutes().1)
        .bind(i64::from(b.number_retention_days))
        .fetch_one(&self.pool)
        .await
        .map_err(map)?;
        Ok(BrandId(id))
    }

    /// Publishes a new catalog version of a brand with its plans, in one transaction.
    pub async fn publish_catalog_version(
        &self,
        brand: BrandId,
        effective_from: Timestamp,
        published_at: Timestamp,
        plans: &[NewPlan],
    ) -> StoreResult<CatalogVersionId> {
        let mut tx = self.begin_raw().await.map_err(map)?;
        let (id, _) = insert_version(&mut tx, brand, effective_from, published_at, plans).await?;
        tx.commit().await.map_err(map)?;
        Ok(id)
    }

    pub async fn insert_promotion(&self, p: &NewPromotion) -> StoreResult<PromotionId> {
        let mut conn = self.pool.acquire().await.map_err(map)?;
        insert_promotion(&mut conn, p).await
    }

    pub async fn insert_store(&self, s: &NewStore) -> StoreResult<StoreId> {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO stores (brand_id, code, name, address, opening_hours, capabilities) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(s.brand_id.0)
        .bind(&s.code)
        .bind(&s.name)
        .bind(&s.address)
        .bind(&s.opening_hours)
        .bind(s.capabilities.join(","))
        .fetch_one(&self.pool)
        .await
        .map_err(map)?;
        Ok(StoreId(id))
    }

    pub async fn insert_subscriber(
        &self,
        brand: BrandId,
        name: &str,
        email: Option<&str>,
        language: &str,
        now: Timestamp,
    ) -> StoreResult<SubscriberId> {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO subscribers (brand_id, name, email, language, created_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(brand.0)
        .bind(name)
        .bind(email)
        .bind(language)
        .bind(now.as_second())
        .fetch_one(&self.pool)
        .await
        .map_err(map)?;
        Ok(SubscriberId(id))
    }

    /// The store with this code, in any brand.
    pub async fn store_by_code(&self, code: &str) -> StoreResult<Option<StoreId>> {
        let id: Option<i64> = sqlx::query_scalar("SELECT id FROM stores WHERE code = $1")
            .bind(code)
            .fetch_optional(&self.pool)
            .await
            .map_err(map)?;
        Ok(id.map(StoreId))
    }

    /// The oldest unprocessed outbox rows, as `(topic, payload)`: what the provisioning job
    /// will send to the network.
    pub async fn pending_outbox(&self, limit: u32) -> StoreResult<Vec<(String, String)>> {
        let rows = sqlx::query(
            "SELECT topic, payload FROM outbox WHERE processed_at IS NULL ORDER BY id LIMIT $1",
        )
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(map)?;
        rows.iter()
            .map(|r| Ok((get(r, "topic")?, get(r, "payload")?)))
            .collect()
    }

    /// Counts rows of the tables the demo prints, by table name.
    pub async fn count(&self, table: CountedTable) -> StoreResult<i64> {
        let sql = format!("SELECT CAST(COUNT(*) AS BIGINT) FROM {}", table.name());
        sqlx::query_scalar(&sql)
            .fetch_one(&self.pool)
            .await
            .map_err(map)
    }
}

/// Tables whose size is worth telling.
#[derive(Debug, Clone, Copy)]
pub enum CountedTable {
    Brands,
    Plans,
    Stores,
    Promotions,
    Subscribers,
    Lines,
    Vouchers,
    Orders,
    Bundles,
    LedgerEntries,
    Outbox,
}

impl CountedTable {
    fn name(self) -> &'static str {
        match self {
            CountedTable::Brands => "brands",
            CountedTable::Plans => "plans",
            CountedTable::Stores => "stores",
            CountedTable::Promotions => "promotions",
            CountedTable::Subscribers => "subscribers",
            CountedTable::Lines => "lines",
            CountedTable::Vouchers => "vouchers",
            CountedTable::Orders => "orders",
            CountedTable::Bundles => "bundles",
            CountedTable::LedgerEntries => "ledger_entries",
            CountedTable::Outbox => "outbox",
        }
    }
}

/// Inserts the brand's next catalog version with its plans on `conn`; its id and number.
pub(crate) async fn insert_version(
    conn: &mut sqlx::AnyConnection,
    brand: BrandId,
    effective_from: Timestamp,
    published_at: Timestamp,
    plans: &[NewPlan],
) -> StoreResult<(CatalogVersionId, u32)> {
    let version: i64 = sqlx::query_scalar(
        "SELECT CAST(COALESCE(MAX(version), 0) + 1 AS BIGINT) FROM catalog_versions \
         WHERE brand_id = $1",
    )
    .bind(brand.0)
    .fetch_one(&mut *conn)
    .await
    .map_err(map)?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO catalog_versions (brand_id, version, effective_from, published_at) \
         VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(brand.0)
    .bind(version)
    .bind(effective_from.as_second())
    .bind(published_at.as_second())
    .fetch_one(&mut *conn)
    .await
    .map_err(map)?;
    for p in plans {
        let (unit, count) = validity_parts(p.validity);
        sqlx::query(
            "INSERT INTO plans (brand_id, catalog_version_id, code, name, data_mb, \
             validity_unit, validity_count, price_cents, currency, line_kinds, channels) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(brand.0)
        .bind(id)
        .bind(&p.code)
        .bind(&p.name)
        .bind(p.data.megabytes().map(|mb| mb as i64))
        .bind(unit)
        .bind(count)
        .bind(p.price.cents)
        .bind(p.price.currency.as_str())
        .bind(join(&p.line_kinds))
        .bind(join(&p.channels))
        .execute(&mut *conn)
        .await
        .map_err(map)?;
    }
    Ok((
        CatalogVersionId(id),
        u32::try_from(version).unwrap_or(u32::MAX),
    ))
}

#[async_trait::async_trait]
impl simrenew_app::sales::ports::CatalogTx for crate::tx::SqlTx {
    async fn insert_promotion(&mut self, p: &NewPromotion) -> StoreResult<PromotionId> {
        insert_promotion(self.conn(), p).await
    }

    async fn lock_promotion(
        &mut self,
        id: PromotionId,
    ) -> StoreResult<Option<(BrandId, Timestamp, Option<Timestamp>)>> {
        let lock = match self.dialect {
            crate::Dialect::Postgres => " FOR UPDATE",
            crate::Dialect::Sqlite => "",
        };
        let row = sqlx::query(&format!(
            "SELECT brand_id, valid_from, valid_until FROM promotions WHERE id = $1{lock}"
        ))
        .bind(id.0)
        .fetch_optional(self.conn())
        .await
        .map_err(map)?;
        row.map(|r| {
            Ok((
                BrandId(get(&r, "brand_id")?),
                crate::codec::ts(get(&r, "valid_from")?)?,
                crate::codec::opt_ts(get(&r, "valid_until")?)?,
            ))
        })
        .transpose()
    }

    async fn change_promotion(
        &mut self,
        id: PromotionId,
        change: &simrenew_app::sales::ports::PromotionChange,
    ) -> StoreResult<()> {
        sqlx::query(
            "UPDATE promotions SET name = COALESCE($1, name), \
             valid_until = COALESCE($2, valid_until), \
             per_customer_limit = COALESCE($3, per_customer_limit), \
             global_limit = COALESCE($4, global_limit) WHERE id = $5",
        )
        .bind(change.name.as_deref())
        .bind(change.valid_until.map(|t| t.as_second()))
        .bind(change.per_customer_limit.map(i64::from))
        .bind(change.global_limit.map(i64::from))
        .bind(id.0)
        .execute(self.conn())
        .await
        .map_err(map)?;
        Ok(())
    }

    async fn insert_catalog_version(
        &mut self,
        brand: BrandId,
        effective_from: Timestamp,
        published_at: Timestamp,
        plans: &[NewPlan],
    ) -> StoreResult<(CatalogVersionId, u32)> {
        insert_version(self.conn(), brand, effective_from, published_at, plans).await
    }
}

/// Inserts a promotion on `conn`.
pub(crate) async fn insert_promotion(
    conn: &mut sqlx::AnyConnection,
    p: &NewPromotion,
) -> StoreResult<PromotionId> {
    let (rule, buy, free, percent, amount) = match p.rule {
        PromotionRule::PeriodBonus { buy, free } => {
            ("period_bonus", Some(buy), Some(free), None, None)
        }
        PromotionRule::PercentOff { percent_bp } => {
            ("percent_off", None, None, Some(percent_bp), None)
        }
        PromotionRule::AmountOff { amount } => ("amount_off", None, None, None, Some(amount.cents)),
    };
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO promotions (brand_id, name, code, rule, buy_periods, free_periods, \
         percent_bp, amount_cents, first_renewal_only, plan_codes, channels, valid_from, \
         valid_until, per_customer_limit, global_limit, stackable) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) \
         RETURNING id",
    )
    .bind(p.brand_id.0)
    .bind(&p.name)
    .bind(p.code.as_ref().map(|c| c.as_str().to_owned()))
    .bind(rule)
    .bind(buy.map(i64::from))
    .bind(free.map(i64::from))
    .bind(percent.map(i64::from))
    .bind(amount)
    .bind(p.first_renewal_only)
    .bind(join(&p.plan_codes))
    .bind(join(&p.channels))
    .bind(p.valid_from.as_second())
    .bind(p.valid_until.map(|t| t.as_second()))
    .bind(p.per_customer_limit.map(i64::from))
    .bind(p.global_limit.map(i64::from))
    .bind(p.stackable)
    .fetch_one(&mut *conn)
    .await
    .map_err(map)?;
    Ok(PromotionId(id))
}
