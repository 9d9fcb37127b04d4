//! Brands and the plans on sale.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use simrenew_app::sales::ports::{NewPlan, PlanFilter};
use simrenew_domain::catalog::{Channel, DataAllowance, LineKind, Plan, Validity};
use utoipa::{IntoParams, ToSchema};

use super::wire::{brand_filter, MoneyJson};
use crate::error::{ApiError, Problem};
use crate::extract::{denied, ApiJson, ApiPath, ApiQuery, Caller};
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
    /// Days a lapsed line keeps its number before it is released.
    pub number_retention_days: u32,
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
                number_retention_days: b.number_retention_days,
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

/// A plan of a catalog version to publish.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPlanJson {
    /// Stable across versions: the same code in a later version is the same product at a new
    /// price.
    #[schema(min_length = 1, max_length = 40, example = "LUMO-5GB-30D")]
    pub code: String,
    #[schema(min_length = 1, max_length = 80, example = "Easy 5 GB")]
    pub name: String,
    /// Null when unlimited.
    #[schema(minimum = 1, maximum = 100_000_000)]
    pub data_mb: Option<u64>,
    /// `days`, `months` or `current_period` (an add-on).
    #[schema(example = "days")]
    pub validity_unit: String,
    /// Days (1 to 366) or months (1 to 24); 0 for an add-on.
    #[schema(minimum = 0, maximum = 366)]
    pub validity_count: u32,
    /// Price of one period, VAT included, in the brand's currency.
    pub price: MoneyJson,
    #[schema(example = json!(["physical_sim", "esim"]))]
    pub line_kinds: Vec<String>,
    #[schema(example = json!(["portal", "store", "auto_renew"]))]
    pub channels: Vec<String>,
}

/// A catalog version to publish.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CatalogVersionRequestJson {
    /// When it comes into force (RFC 3339), now or later. Lines renewing automatically a plan
    /// whose price rises keep their price until 30 days after they were sent a notice.
    #[schema(example = "2027-03-01T00:00:00+01:00")]
    pub effective_from: String,
    #[schema(min_items = 1, max_items = 200)]
    pub plans: Vec<NewPlanJson>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CatalogVersionJson {
    pub id: i64,
    pub brand: String,
    /// The version's number within its brand.
    pub version: u32,
    pub effective_from: String,
}

/// A plan as published, or the field at fault (`plans[N].field`).
pub fn new_plan(i: usize, p: &NewPlanJson) -> Result<NewPlan, ApiError> {
    let at = |field: &str| format!("plans[{i}].{field}");
    let code = simrenew_domain::catalog::parse_plan_code(&p.code)
        .map_err(|e| ApiError::invalid(&at("code"), e.reason))?;
    let name = p.name.trim();
    if name.is_empty() || name.chars().count() > 80 {
        return Err(ApiError::invalid(&at("name"), "1 to 80 characters"));
    }
    let data = match p.data_mb {
        None => DataAllowance::Unlimited,
        Some(mb) if (1..=100_000_000).contains(&mb) => DataAllowance::Megabytes(mb),
        Some(_) => {
            return Err(ApiError::invalid(
                &at("data_mb"),
                "1 to 100 000 000, or null",
            ))
        }
    };
    let validity = match (p.validity_unit.as_str(), p.validity_count) {
        ("days", n @ 1..=366) => Validity::Days(n),
        ("months", n @ 1..=24) => Validity::Months(n),
        ("current_period", 0) => Validity::CurrentPeriod,
        _ => {
            return Err(ApiError::invalid(
                &at("validity_unit"),
                "days (1 to 366), months (1 to 24) or current_period (count 0)",
            ))
        }
    };
    let price = p.price.parse(&at("price"), 0)?;
    let kinds = p
        .line_kinds
        .iter()
        .map(|k| LineKind::parse(k).map_err(|e| ApiError::invalid(&at("line_kinds"), e.reason)))
        .collect::<Result<Vec<_>, _>>()?;
    let channels = p
        .channels
        .iter()
        .map(|c| Channel::parse(c).map_err(|e| ApiError::invalid(&at("channels"), e.reason)))
        .collect::<Result<Vec<_>, _>>()?;
    if kinds.is_empty() || channels.is_empty() {
        return Err(ApiError::invalid(
            &at("channels"),
            "name at least one line kind and one channel",
        ));
    }
    Ok(NewPlan {
        code,
        name: name.to_owned(),
        data,
        validity,
        price,
        line_kinds: kinds,
        channels,
    })
}

/// The instant a version comes into force, as written.
pub fn effective_from(s: &str) -> Result<jiff::Timestamp, ApiError> {
    s.trim().parse::<jiff::Timestamp>().map_err(|_| {
        ApiError::invalid(
            "effective_from",
            "an RFC 3339 instant, such as 2027-03-01T00:00:00+01:00",
        )
    })
}

/// The brand `code` names, if the caller administers it: "not found" for another brand's
/// staff, 403 for those who administer nothing.
pub(crate) async fn administered_brand(
    state: &AppState,
    caller: &simrenew_domain::access::Principal,
    code: &str,
) -> Result<simrenew_domain::brand::Brand, ApiError> {
    let code = simrenew_domain::brand::parse_brand_code(code)
        .map_err(|e| ApiError::invalid("code", e.reason))?;
    let brand = state
        .app
        .brands()
        .await?
        .into_iter()
        .find(|b| b.code == code)
        .filter(|b| caller.brand().is_none_or(|own| own == b.id))
        .ok_or_else(|| ApiError::not_found("brand").with_field("code"))?;
    caller
        .may_administer(Some(brand.id))
        .map_err(|e| denied(e, "brand"))?;
    Ok(brand)
}

/// Publishes a catalog version of a brand: its plans and prices, in force from
/// `effective_from`. Administrators of the platform and of the brand only; audited.
#[utoipa::path(
    post,
    path = "/api/v1/brands/{code}/catalog-versions",
    tag = "catalog",
    params(("code" = String, Path, description = "The brand's code", pattern = r"^[a-z0-9-]{1,32}$")),
    request_body = CatalogVersionRequestJson,
    security(("api_key" = []), ("session" = [])),
    responses(
        (status = 201, body = CatalogVersionJson),
        (status = "4XX", body = Problem, content_type = "application/problem+json"),
        (status = "5XX", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn publish_catalog_version(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(code): ApiPath<String>,
    ApiJson(body): ApiJson<CatalogVersionRequestJson>,
) -> Result<(StatusCode, Json<CatalogVersionJson>), ApiError> {
    let brand = administered_brand(&state, &caller, &code).await?;
    let from = effective_from(&body.effective_from)?;
    let plans = body
        .plans
        .iter()
        .enumerate()
        .map(|(i, p)| new_plan(i, p))
        .collect::<Result<Vec<_>, _>>()?;
    let v = state
        .app
        .publish_catalog_version(&caller.label(), brand.id, from, &plans)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(CatalogVersionJson {
            id: v.id.0,
            brand: brand.code.clone(),
            version: v.version,
            effective_from: v.effective_from.to_string(),
        }),
    ))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ListedVersionJson {
    pub id: i64,
    /// The version's number within its brand.
    pub version: u32,
    pub effective_from: String,
    pub published_at: String,
    /// At the time of the request: `in_force`, `upcoming` or `superseded`.
    #[schema(example = "upcoming")]
    pub status: &'static str,
    /// When the worker recorded the price notices it brings to lines renewing automatically;
    /// null: not yet.
    pub noticed_at: Option<String>,
    pub plans: Vec<PlanJson>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CatalogVersionList {
    pub brand: String,
    /// The latest first.
    pub items: Vec<ListedVersionJson>,
}

/// Lists a brand's catalog versions, upcoming and past ones included, with their plans.
/// Administrators of the platform and of the brand only.
#[utoipa::path(
    get,
    path = "/api/v1/brands/{code}/catalog-versions",
    tag = "catalog",
    params(("code" = String, Path, description = "The brand's code", pattern = r"^[a-z0-9-]{1,32}$")),
    security(("api_key" = []), ("session" = [])),
    responses(
        (status = 200, body = CatalogVersionList),
        (status = "4XX", body = Problem, content_type = "application/problem+json"),
        (status = "5XX", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_catalog_versions(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(code): ApiPath<String>,
) -> Result<Json<CatalogVersionList>, ApiError> {
    let brand = administered_brand(&state, &caller, &code).await?;
    let listed = state.app.catalog_versions(brand.id).await?;
    let now = state.app.now();
    let versions: Vec<_> = listed.iter().map(|l| l.version.clone()).collect();
    Ok(Json(CatalogVersionList {
        brand: brand.code.clone(),
        items: listed
            .iter()
            .map(|l| ListedVersionJson {
                id: l.version.id.0,
                version: l.version.version,
                effective_from: l.version.effective_from.to_string(),
                published_at: l.version.published_at.to_string(),
                status: simrenew_domain::catalog::version_status(&versions, &l.version, now)
                    .as_str(),
                noticed_at: l.noticed_at.map(|t| t.to_string()),
                plans: l.plans.iter().map(|p| plan_json(p, &brand.code)).collect(),
            })
            .collect(),
    }))
}
