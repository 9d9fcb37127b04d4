//! The reads of the subscriber portal and the counter console, and writing a brand's look.

use async_trait::async_trait;
use simrenew_app::sales::portal::{
    Holdings, IdentificationRecord, OrderSummary, PortalReads, StoreInfo,
};
use simrenew_app::StoreResult;
use simrenew_domain::brand_look::{parse_logo_svg, BrandLook, Colour};
use simrenew_domain::catalog::Channel;
use simrenew_domain::identifiers::{Iccid, Msisdn};
use simrenew_domain::ids::{BrandId, LineId, OrderId, PlanId, QuoteId, StoreId, SubscriberId};
use simrenew_domain::money::{Currency, Money};
use simrenew_domain::order::{OrderState, PaymentMethod, StoredQuote};
use sqlx::any::AnyRow;
use tracing::instrument;

use crate::codec::{self, get};
use crate::error::{corrupt, map};
use crate::Db;

const STORE_COLUMNS: &str = "id, brand_id, code, name, address, opening_hours, capabilities";

fn store_info(row: &AnyRow) -> StoreResult<StoreInfo> {
    Ok(StoreInfo {
        id: StoreId(get(row, "id")?),
        brand_id: BrandId(get(row, "brand_id")?),
        code: get(row, "code")?,
        name: get(row, "name")?,
        address: get(row, "address")?,
        opening_hours: get(row, "opening_hours")?,
        capabilities: get::<String>(row, "capabilities")?
            .split(',')
            .filter(|c| !c.is_empty())
            .map(str::to_owned)
            .collect(),
    })
}

fn colour(row: &AnyRow, col: &'static str) -> StoreResult<Colour> {
    Colour::parse(col, &get::<String>(row, col)?).map_err(|e| corrupt(col, e))
}

#[async_trait]
impl PortalReads for Db {
    #[instrument(skip_all, fields(brand.id = %brand))]
    async fn stores_of_brand(&self, brand: BrandId) -> StoreResult<Vec<StoreInfo>> {
        sqlx::query(&format!(
            "SELECT {STORE_COLUMNS} FROM stores WHERE brand_id = $1 ORDER BY name, id"
        ))
        .bind(brand.0)
        .fetch_all(&self.pool)
        .await
        .map_err(map)?
        .iter()
        .map(store_info)
        .collect()
    }

    async fn store_info(&self, id: StoreId) -> StoreResult<Option<StoreInfo>> {
        sqlx::query(&format!("SELECT {STORE_COLUMNS} FROM stores WHERE id = $1"))
            .bind(id.0)
            .fetch_optional(&self.pool)
            .await
            .map_err(map)?
            .as_ref()
            .map(store_info)
            .transpose()
    }

    async fn store_by_code(&self, brand: BrandId, code: &str) -> StoreResult<Option<StoreInfo>> {
        sqlx::query(&format!(
            "SELECT {STORE_COLUMNS} FROM stores WHERE brand_id = $1 AND code = $2"
        ))
        .bind(brand.0)
        .bind(code)
        .fetch_optional(&self.pool)
        .await
        .map_err(map)?
        .as_ref()
        .map(store_info)
        .transpose()
    }

    #[instrument(skip_all, fields(subscriber.id = %subscriber))]
    async fn orders_of_subscriber(
        &self,
        subscriber: SubscriberId,
        limit: u32,
    ) -> StoreResult<Vec<OrderSummary>> {
        let rows = sqlx::query(
            "SELECT o.id, o.state, o.total_cents, o.currency, o.quote, o.created_at, o.paid_at, \
             l.msisdn, (SELECT p.method FROM payments p WHERE p.order_id = o.id \
                        ORDER BY p.id LIMIT 1) AS method \
             FROM lines l JOIN orders o ON o.line_id = l.id \
             WHERE l.subscriber_id = $1 ORDER BY o.id DESC LIMIT $2",
        )
        .bind(subscriber.0)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(map)?;
        rows.iter()
            .map(|r| {
                let quote = codec::decode_quote(&get::<String>(r, "quote")?)?;
                let currency = Currency::parse(&get::<String>(r, "currency")?)
                    .map_err(|e| corrupt("currency", e))?;
                Ok(OrderSummary {
                    id: OrderId(get(r, "id")?),
                    msisdn: Msisdn::parse(&get::<String>(r, "msisdn")?)
                        .map_err(|e| corrupt("msisdn", e))?,
                    plan_code: quote.plan_code.clone(),
                    periods: quote.periods,
                    free_periods: quote.free_periods,
                    state: OrderState::parse(&get::<String>(r, "state")?)
                        .map_err(|e| corrupt("state", e))?,
                    total: Money::new(get(r, "total_cents")?, currency),
                    created_at: codec::ts(get(r, "created_at")?)?,
                    paid_at: codec::opt_ts(get(r, "paid_at")?)?,
                    method: get::<Option<String>>(r, "method")?
                        .map(|m| PaymentMethod::parse(&m).map_err(|e| corrupt("method", e)))
                        .transpose()?,
                })
            })
            .collect()
    }

    async fn stored_quote(&self, id: QuoteId) -> StoreResult<Option<StoredQuote>> {
        let row = sqlx::query(
            "SELECT id, brand_id, line_id, plan_id, channel, quote, created_at, valid_until \
             FROM quotes WHERE id = $1",
        )
        .bind(id.0)
        .fetch_optional(&self.pool)
        .await
        .map_err(map)?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some(StoredQuote {
            id,
            brand_id: BrandId(get(&row, "brand_id")?),
            line_id: LineId(get(&row, "line_id")?),
            plan_id: PlanId(get(&row, "plan_id")?),
            channel: Channel::parse(&get::<String>(&row, "channel")?)
                .map_err(|e| corrupt("channel", e))?,
            quote: codec::decode_quote(&get::<String>(&row, "quote")?)?,
            created_at: codec::ts(get(&row, "created_at")?)?,
            valid_until: codec::ts(get(&row, "valid_until")?)?,
        }))
    }

    async fn msisdn_by_iccid(&self, iccid: &Iccid) -> StoreResult<Option<Msisdn>> {
        let msisdn: Option<String> =
            sqlx::query_scalar("SELECT msisdn FROM lines WHERE iccid = $1")
                .bind(iccid.to_string())
                .fetch_optional(&self.pool)
                .await
                .map_err(map)?;
        msisdn
            .map(|m| Msisdn::parse(&m).map_err(|e| corrupt("msisdn", e)))
            .transpose()
    }

    async fn identifications_of_line(
        &self,
        line: LineId,
    ) -> StoreResult<Vec<IdentificationRecord>> {
        sqlx::query(
            "SELECT method, verifier, verified_at FROM identifications WHERE line_id = $1 \
             ORDER BY verified_at DESC, id DESC",
        )
        .bind(line.0)
        .fetch_all(&self.pool)
        .await
        .map_err(map)?
        .iter()
        .map(|r| {
            Ok(IdentificationRecord {
                method: get(r, "method")?,
                verifier: get(r, "verifier")?,
                verified_at: codec::ts(get(r, "verified_at")?)?,
            })
        })
        .collect()
    }

    async fn brand_look(&self, brand: BrandId) -> StoreResult<Option<BrandLook>> {
        let row = sqlx::query(
            "SELECT primary_colour, accent_colour, logo_svg FROM brand_looks WHERE brand_id = $1",
        )
        .bind(brand.0)
        .fetch_optional(&self.pool)
        .await
        .map_err(map)?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some(BrandLook {
            primary: colour(&row, "primary_colour")?,
            accent: colour(&row, "accent_colour")?,
            logo_svg: get(&row, "logo_svg")?,
        }))
    }

    async fn subscriber_holdings(
        &self,
        subscriber: SubscriberId,
        limit: u32,
    ) -> StoreResult<Holdings> {
        let rows = sqlx::query(
            "SELECT CASE WHEN s.erased_at IS NULL THEN s.name END AS name, l.msisdn \
             FROM subscribers s LEFT JOIN lines l ON l.subscriber_id = s.id \
             AND l.number_released_at IS NULL \
             WHERE s.id = $1 ORDER BY l.id LIMIT $2",
        )
        .bind(subscriber.0)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(map)?;
        let mut holdings = Holdings::default();
        for row in &rows {
            holdings.name = get(row, "name")?;
            if let Some(m) = get::<Option<String>>(row, "msisdn")? {
                holdings
                    .lines
                    .push(Msisdn::parse(&m).map_err(|e| corrupt("lines.msisdn", e))?);
            }
        }
        Ok(holdings)
    }

    async fn line_syncing(&self, line: LineId) -> StoreResult<bool> {
        let syncing: Option<i64> = sqlx::query_scalar(
            "SELECT 1 FROM orders WHERE line_id = $1 AND state = 'syncing' LIMIT 1",
        )
        .bind(line.0)
        .fetch_optional(&self.pool)
        .await
        .map_err(map)?;
        Ok(syncing.is_some())
    }
}

impl Db {
    /// Sets a brand's colours and logo (the logo is checked to be an SVG document first).
    pub async fn set_brand_look(&self, brand: BrandId, look: &BrandLook) -> StoreResult<()> {
        let logo = look
            .logo_svg
            .as_deref()
            .map(parse_logo_svg)
            .transpose()
            .map_err(|e| corrupt("logo_svg", e))?;
        sqlx::query(
            "INSERT INTO brand_looks (brand_id, primary_colour, accent_colour, logo_svg) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (brand_id) DO UPDATE SET \
             primary_colour = excluded.primary_colour, accent_colour = excluded.accent_colour, \
             logo_svg = excluded.logo_svg",
        )
        .bind(brand.0)
        .bind(look.primary.to_string())
        .bind(look.accent.to_string())
        .bind(logo)
        .execute(&self.pool)
        .await
        .map_err(map)?;
        Ok(())
    }
}
