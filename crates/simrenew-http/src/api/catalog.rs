//! Brands and the plans on sale.

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};
use simrenew_app::sales::ports::PlanFilter;
use simrenew_domain::catalog::{Channel, LineKind, Plan, Validity};
use utoipa::{IntoParams, ToSchema};

use super::wire::{brand_filter, MoneyJson};
use crate::error::{ApiError, Problem};
use crate::extract::{denied, ApiQuery, Caller};
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct BrandJson {
    #[schema(example = "lumo")]
    pub code: String,
    pub name: String,
    #[schema(example = "Europe/Brussels")]
    pub time_zone: String,
    pub currency: String,
    pub vat_rate_bp: u32,
    pub grace_days: u32,
    /// Days before expiry on which reminders go out (negative: days in grace).
    pub reminder_days: Vec<i32>,
    pub monthly_auto_debit_limit: u32,
    pub portal_url: String,
    /// When no reminder goes out by SMS, in the brand's zone.
    #[schema(example = "21:00-08:00")]
    pub quiet_hours: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BrandList {
    pub items: Vec<BrandJson>,
}

/// Lists the brands of this deployment.
#[utoipa::path(
    get,
    path = "/api/v1/brands",
    tag = "catalog",
    security(("api_key" = [])),
    responses(
        (status = 200, body = BrandList),
        (status = "4XX", body = Problem, content_type = "application/problem+json"),
        (status = "5XX", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_brands(
    State(state): State<AppState>,
    Caller(caller): Caller,
) -> Result<Json<BrandList>, ApiError> {
    let brands = state.app.brands().await?;
    Ok(Json(BrandList {
        items: brands
            .into_iter()
            .filter(|b| caller.brand().is_none_or(|own| own == b.id))
            .map(|b| BrandJson {
                time_zone: b.time_zone_name().to_owned(),
                code: b.code,
                name: b.name,
                currency: b.currency.to_string(),
                vat_rate_bp: b.vat_rate_bp,
                grace_days: b.grace_days,
                reminder_days: b.reminder_days,
                monthly_auto_debit_limit: b.monthly_auto_debit_limit,
                portal_url: b.portal_url,
                quiet_hours: b.quiet_hours.to_text(),
            })
            .collect(),
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PlanQuery {
    /// Brand code, such as `lumo`.
    #[param(pattern = r"^[A-Za-z0-9-]{1,32}$")]
    pub brand: Option<String>,
    /// `physical_sim`, `esim` or `virtual_sim`.
    #[param(pattern = r"^(physical_sim|esim|virtual_sim)$")]
    pub kind: Option<String>,
    /// `portal`, `store`, `partner` or `auto_renew`.
    #[param(pattern = r"^(portal|store|partner|auto_renew)$")]
    pub channel: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PlanJson {
    #[schema(example = "LUMO-5GB-30D")]
    pub code: String,
    pub brand: String,
    pub name: String,
    /// Null when unlimited.
    pub data_mb: Option<u64>,
    /// `days`, `months` or `current_period` (an add-on).
    pub validity_unit: &'static str,
    pub validity_count: u32,
    /// Price of one period, VAT included.
    pub price: MoneyJson,
    pub line_kinds: Vec<&'static str>,
    pub channels: Vec<&'static str>,
    pub add_on: bool,
    pub catalog_version_id: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PlanList {
    pub items: Vec<PlanJson>,
}

pub(crate) fn plan_json(p: &Plan, brand: &str) -> PlanJson {
    let (validity_unit, validity_count) = match p.validity {
        Validity::Days(d) => ("days", d),
        Validity::Months(m) => ("months", m),
        Validity::CurrentPeriod => ("current_period", 1),
    };
    PlanJson {
        code: p.code.clone(),
        brand: brand.to_owned(),
        name: p.name.clone(),
        data_mb: p.data.megabytes(),
        validity_unit,
        validity_count,
        price: p.price.into(),
        line_kinds: p.line_kinds.iter().map(LineKind::as_str).collect(),
        channels: p.channels.iter().map(Channel::as_str).collect(),
        add_on: p.is_add_on(),
        catalog_version_id: p.catalog_version_id.0,
    }
}

/// Lists the plans on sale now: each brand's catalog version in force.
#[utoipa::path(
    get,
    path = "/api/v1/plans",
    tag = "catalog",
    params(PlanQuery),
    security(("api_key" = [])),
    responses(
        (status = 200, body = PlanList),
        (status = "4XX", body = Problem, content_type = "application/problem+json"),
        (status = "5XX", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_plans(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiQuery(q): ApiQuery<PlanQuery>,
) -> Result<Json<PlanList>, ApiError> {
    let brands = state.app.brands().await?;
    let brand = brand_filter(&brands, q.brand.as_deref())?;
    let brand = caller
        .may_read_catalog(brand)
        .map_err(|d| denied(d, "brand").with_field("brand"))?;
    let filter = PlanFilter {
        brand,
        kind: q
            .kind
            .as_deref()
            .map(LineKind::parse)
            .transpose()
            .map_err(|e| ApiError::invalid(e.field, e.reason))?,
        channel: q
            .channel
            .as_deref()
            .map(Channel::parse)
            .transpose()
            .map_err(|e| ApiError::invalid(e.field, e.reason))?,
    };
    let plans = state.app.plans(&filter).await?;
    Ok(Json(PlanList {
        items: plans
            .iter()
            .map(|p| {
                let brand = brands
                    .iter()
                    .find(|b| b.id == p.brand_id)
                    .map_or("", |b| b.code.as_str());
                plan_json(p, brand)
            })
            .collect(),
    }))
}
