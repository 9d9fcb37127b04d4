//! A brand's promotions, written by its administrators: create, change (name, end, limits)
//! and end. Each is audited; quotes see the change at once.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use simrenew_app::sales::ports::{NewPromotion, PromotionChange};
use simrenew_domain::catalog::{parse_plan_code, Channel};
use simrenew_domain::ids::PromotionId;
use simrenew_domain::promotion::{PromoCode, PromotionRule};
use utoipa::ToSchema;

use super::wire::MoneyJson;
use crate::error::{ApiError, Problem};
use crate::extract::{denied, ApiJson, ApiPath, Caller};
use crate::state::AppState;

/// What a promotion gives.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleJson {
    /// `percent_off`, `amount_off` or `period_bonus`.
    #[schema(example = "percent_off")]
    pub kind: String,
    /// For `percent_off`: basis points off (2 500 = 25 %).
    #[schema(minimum = 1, maximum = 10_000)]
    pub percent_bp: Option<u32>,
    /// For `amount_off`: the amount off the order, in the brand's currency.
    pub amount: Option<MoneyJson>,
    /// For `period_bonus`: every `buy` periods bought give `free` more.
    #[schema(minimum = 1, maximum = 120)]
    pub buy: Option<u32>,
    #[schema(minimum = 1, maximum = 120)]
    pub free: Option<u32>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PromotionRequestJson {
    #[schema(min_length = 1, max_length = 80, example = "Spring 25 %")]
    pub name: String,
    /// The code a customer types; absent: it applies by itself.
    #[schema(example = "SPRING25")]
    pub code: Option<String>,
    pub rule: RuleJson,
    #[serde(default)]
    pub first_renewal_only: bool,
    /// Plan codes it applies to; empty: every plan.
    #[serde(default)]
    pub plan_codes: Vec<String>,
    /// Channels it applies through; empty: every channel.
    #[serde(default)]
    pub channels: Vec<String>,
    /// RFC 3339; absent: now.
    pub valid_from: Option<String>,
    /// RFC 3339, exclusive; absent: no end.
    pub valid_until: Option<String>,
    #[schema(minimum = 1)]
    pub per_customer_limit: Option<u32>,
    #[schema(minimum = 1)]
    pub global_limit: Option<u32>,
    #[serde(default)]
    pub stackable: bool,
}

/// What to change; what is absent stays.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PromotionChangeJson {
    #[schema(min_length = 1, max_length = 80)]
    pub name: Option<String>,
    /// RFC 3339, exclusive; after its start and not in the past.
    pub valid_until: Option<String>,
    #[schema(minimum = 1)]
    pub per_customer_limit: Option<u32>,
    #[schema(minimum = 1)]
    pub global_limit: Option<u32>,
}

/// What a promotion gives, as listed.
#[derive(Debug, Serialize, ToSchema)]
pub struct RuleOutJson {
    /// `percent_off`, `amount_off` or `period_bonus`.
    pub kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub percent_bp: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub amount: Option<MoneyJson>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub buy: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub free: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PromotionJson {
    pub id: i64,
    pub name: String,
    /// Null: it applies by itself.
    pub code: Option<String>,
    pub rule: RuleOutJson,
    pub first_renewal_only: bool,
    /// Empty: every plan.
    pub plan_codes: Vec<String>,
    /// Empty: every channel.
    pub channels: Vec<&'static str>,
    pub valid_from: String,
    /// Exclusive; null: no end.
    pub valid_until: Option<String>,
    pub per_customer_limit: Option<u32>,
    pub global_limit: Option<u32>,
    pub stackable: bool,
    /// Orders that used it.
    pub uses: u32,
    /// At the time of the request: `scheduled`, `running` or `ended`.
    #[schema(example = "running")]
    pub status: &'static str,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PromotionList {
    pub brand: String,
    /// The latest first.
    pub items: Vec<PromotionJson>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PromotionWrittenJson {
    pub id: i64,
}

fn instant(field: &str, s: &str) -> Result<jiff::Timestamp, ApiError> {
    s.trim().parse::<jiff::Timestamp>().map_err(|_| {
        ApiError::invalid(
            field,
            "an RFC 3339 instant, such as 2027-03-01T00:00:00+01:00",
        )
    })
}

fn positive(field: &str, n: Option<u32>) -> Result<Option<u32>, ApiError> {
    match n {
        Some(0) => Err(ApiError::invalid(
            field,
            "at least 1, or absent for no limit",
        )),
        other => Ok(other),
    }
}

/// A promotion as asked for, parsed field by field (the use case checks the rest).
pub fn new_promotion(
    brand: simrenew_domain::ids::BrandId,
    now: jiff::Timestamp,
    b: &PromotionRequestJson,
) -> Result<NewPromotion, ApiError> {
    let rule = match b.rule.kind.as_str() {
        "percent_off" => PromotionRule::PercentOff {
            percent_bp: b
                .rule
                .percent_bp
                .ok_or_else(|| ApiError::invalid("rule.percent_bp", "required for percent_off"))?,
        },
        "amount_off" => PromotionRule::AmountOff {
            amount: b
                .rule
                .amount
                .as_ref()
                .ok_or_else(|| ApiError::invalid("rule.amount", "required for amount_off"))?
                .parse("rule.amount", 1)?,
        },
        "period_bonus" => PromotionRule::PeriodBonus {
            buy: b
                .rule
                .buy
                .ok_or_else(|| ApiError::invalid("rule.buy", "required for period_bonus"))?,
            free: b
                .rule
                .free
                .ok_or_else(|| ApiError::invalid("rule.free", "required for period_bonus"))?,
        },
        _ => {
            return Err(ApiError::invalid(
                "rule.kind",
                "percent_off, amount_off or period_bonus",
            ))
        }
    };
    let code = b
        .code
        .as_deref()
        .map(PromoCode::parse)
        .transpose()
        .map_err(|e| ApiError::invalid("code", e.reason))?;
    let plan_codes = b
        .plan_codes
        .iter()
        .map(|c| parse_plan_code(c).map_err(|e| ApiError::invalid("plan_codes", e.reason)))
        .collect::<Result<Vec<_>, _>>()?;
    let channels = b
        .channels
        .iter()
        .map(|c| Channel::parse(c).map_err(|e| ApiError::invalid("channels", e.reason)))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(NewPromotion {
        brand_id: brand,
        name: b.name.clone(),
        code,
        rule,
        first_renewal_only: b.first_renewal_only,
        plan_codes,
        channels,
        valid_from: match &b.valid_from {
            Some(s) => instant("valid_from", s)?,
            None => now,
        },
        valid_until: b
            .valid_until
            .as_deref()
            .map(|s| instant("valid_until", s))
            .transpose()?,
        per_customer_limit: positive("per_customer_limit", b.per_customer_limit)?,
        global_limit: positive("global_limit", b.global_limit)?,
        stackable: b.stackable,
    })
}

/// Creates a promotion of a brand. Administrators of the platform and of the brand only;
/// audited.
#[utoipa::path(
    post,
    path = "/api/v1/brands/{code}/promotions",
    tag = "catalog",
    params(("code" = String, Path, description = "The brand's code", pattern = r"^[a-z0-9-]{1,32}$")),
    request_body = PromotionRequestJson,
    security(("api_key" = []), ("session" = [])),
    responses(
        (status = 201, body = PromotionWrittenJson),
        (status = "4XX", body = Problem, content_type = "application/problem+json"),
        (status = "5XX", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn create_promotion(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(code): ApiPath<String>,
    ApiJson(body): ApiJson<PromotionRequestJson>,
) -> Result<(StatusCode, Json<PromotionWrittenJson>), ApiError> {
    let brand = super::catalog::administered_brand(&state, &caller, &code).await?;
    let p = new_promotion(brand.id, state.app.now(), &body)?;
    let id = state.app.create_promotion(&caller.label(), &p).await?;
    Ok((StatusCode::CREATED, Json(PromotionWrittenJson { id: id.0 })))
}

/// Lists a brand's promotions, ended and scheduled ones included, with how often each was
/// used. Administrators of the platform and of the brand only.
#[utoipa::path(
    get,
    path = "/api/v1/brands/{code}/promotions",
    tag = "catalog",
    params(("code" = String, Path, description = "The brand's code", pattern = r"^[a-z0-9-]{1,32}$")),
    security(("api_key" = []), ("session" = [])),
    responses(
        (status = 200, body = PromotionList),
        (status = "4XX", body = Problem, content_type = "application/problem+json"),
        (status = "5XX", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_promotions(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(code): ApiPath<String>,
) -> Result<Json<PromotionList>, ApiError> {
    let brand = super::catalog::administered_brand(&state, &caller, &code).await?;
    let now = state.app.now();
    let listed = state.app.promotions_of(brand.id).await?;
    Ok(Json(PromotionList {
        brand: brand.code.clone(),
        items: listed
            .into_iter()
            .map(|l| {
                let p = l.promotion;
                let rule = match p.rule {
                    PromotionRule::PercentOff { percent_bp } => RuleOutJson {
                        kind: "percent_off",
                        percent_bp: Some(percent_bp),
                        amount: None,
                        buy: None,
                        free: None,
                    },
                    PromotionRule::AmountOff { amount } => RuleOutJson {
                        kind: "amount_off",
                        percent_bp: None,
                        amount: Some(amount.into()),
                        buy: None,
                        free: None,
                    },
                    PromotionRule::PeriodBonus { buy, free } => RuleOutJson {
                        kind: "period_bonus",
                        percent_bp: None,
                        amount: None,
                        buy: Some(buy),
                        free: Some(free),
                    },
                };
                PromotionJson {
                    id: p.id.0,
                    status: p.status(now),
                    name: p.name,
                    code: p.code.map(|c| c.as_str().to_owned()),
                    rule,
                    first_renewal_only: p.first_renewal_only,
                    plan_codes: p.plan_codes,
                    channels: p.channels.iter().map(|c| c.as_str()).collect(),
                    valid_from: p.valid_from.to_string(),
                    valid_until: p.valid_until.map(|t| t.to_string()),
                    per_customer_limit: p.per_customer_limit,
                    global_limit: p.global_limit,
                    stackable: p.stackable,
                    uses: l.uses,
                }
            })
            .collect(),
    }))
}

/// The promotion `raw` names, if the caller administers its brand: "not found" otherwise.
async fn administered(
    state: &AppState,
    caller: &simrenew_domain::access::Principal,
    raw: i64,
) -> Result<PromotionId, ApiError> {
    let id = PromotionId(raw);
    let not_found = || ApiError::not_found("promotion").with_field("id");
    let brand = state.app.promotion_brand(id).await?.ok_or_else(not_found)?;
    if caller.brand().is_some_and(|own| own != brand) {
        return Err(not_found());
    }
    caller
        .may_administer(Some(brand))
        .map_err(|e| denied(e, "promotion"))?;
    Ok(id)
}

/// Changes a promotion's name, end or limits; audited.
#[utoipa::path(
    patch,
    path = "/api/v1/promotions/{id}",
    tag = "catalog",
    params(("id" = i64, Path, description = "The promotion's id", minimum = 1)),
    request_body = PromotionChangeJson,
    security(("api_key" = []), ("session" = [])),
    responses(
        (status = 200, body = PromotionWrittenJson),
        (status = "4XX", body = Problem, content_type = "application/problem+json"),
        (status = "5XX", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn change_promotion(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(raw): ApiPath<i64>,
    ApiJson(body): ApiJson<PromotionChangeJson>,
) -> Result<Json<PromotionWrittenJson>, ApiError> {
    let id = administered(&state, &caller, raw).await?;
    let change = PromotionChange {
        name: body.name.map(|n| n.trim().to_owned()),
        valid_until: body
            .valid_until
            .as_deref()
            .map(|s| instant("valid_until", s))
            .transpose()?,
        per_customer_limit: positive("per_customer_limit", body.per_customer_limit)?,
        global_limit: positive("global_limit", body.global_limit)?,
    };
    state
        .app
        .change_promotion(&caller.label(), id, &change)
        .await?;
    Ok(Json(PromotionWrittenJson { id: id.0 }))
}

/// Ends a promotion now: quotes from now on do not apply it; audited.
#[utoipa::path(
    post,
    path = "/api/v1/promotions/{id}/end",
    tag = "catalog",
    params(("id" = i64, Path, description = "The promotion's id", minimum = 1)),
    security(("api_key" = []), ("session" = [])),
    responses(
        (status = 200, body = PromotionWrittenJson),
        (status = "4XX", body = Problem, content_type = "application/problem+json"),
        (status = "5XX", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn end_promotion(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(raw): ApiPath<i64>,
) -> Result<Json<PromotionWrittenJson>, ApiError> {
    let id = administered(&state, &caller, raw).await?;
    state.app.end_promotion(&caller.label(), id).await?;
    Ok(Json(PromotionWrittenJson { id: id.0 }))
}
