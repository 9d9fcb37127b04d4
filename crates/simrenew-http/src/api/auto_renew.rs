//! A line's automatic renewal: on or off, the plan it buys, and the limits it runs within.

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};
use simrenew_app::automation::auto_renew::{AutoRenewSetting, LEAD};
use simrenew_domain::identifiers::Msisdn;
use utoipa::ToSchema;

use crate::error::{ApiError, Problem};
use crate::extract::{denied, ApiJson, ApiPath, Caller};
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AutoRenewRequestJson {
    pub enabled: bool,
    /// The plan code it buys; required to switch it on.
    #[schema(min_length = 1, max_length = 64, example = "LUMO-5GB-30D")]
    pub plan: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AutoRenewJson {
    pub enabled: bool,
    pub plan: Option<String>,
    /// How long before expiry the line is renewed, paid from its credit.
    pub hours_before_expiry: i64,
    /// The brand's limit of automatic charges per line per calendar month; past it, the
    /// line renews by hand.
    pub monthly_auto_debit_limit: u32,
}

/// The line the caller may set automatic renewal for: the subscriber's own, or one of their
/// brand's for its staff; partners may not.
async fn line_of(state: &AppState, caller: &Caller, raw: &str) -> Result<Msisdn, ApiError> {
    let msisdn = Msisdn::parse(raw).map_err(|e| ApiError::invalid("msisdn", e.reason))?;
    let access = state.app.line_access(&msisdn).await?;
    caller
        .0
        .may_use_saved_methods(access)
        .map_err(|e| denied(e, "line").with_field("msisdn"))?;
    Ok(msisdn)
}

async fn answer(
    state: &AppState,
    msisdn: &Msisdn,
    s: AutoRenewSetting,
) -> Result<AutoRenewJson, ApiError> {
    let brand = state.app.line(msisdn).await?.brand.clone();
    Ok(AutoRenewJson {
        enabled: s.enabled,
        plan: s.plan,
        hours_before_expiry: LEAD.as_hours(),
        monthly_auto_debit_limit: brand.monthly_auto_debit_limit,
    })
}

/// The line's automatic renewal.
#[utoipa::path(
    get,
    path = "/api/v1/lines/{msisdn}/auto-renew",
    tag = "lines",
    params(("msisdn" = String, Path, description = "The line's number", pattern = r"^\+[1-9][0-9]{6,14}$")),
    security(("api_key" = []), ("session" = [])),
    responses(
        (status = 200, body = AutoRenewJson),
        (status = "4XX", body = Problem, content_type = "application/problem+json"),
        (status = "5XX", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_auto_renew(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(raw): ApiPath<String>,
) -> Result<Json<AutoRenewJson>, ApiError> {
    let msisdn = line_of(&state, &caller, &raw).await?;
    let setting = state.app.auto_renew_of(&msisdn).await?;
    Ok(Json(answer(&state, &msisdn, setting).await?))
}

/// Switches the line's automatic renewal on (with the plan it buys) or off; audited.
#[utoipa::path(
    put,
    path = "/api/v1/lines/{msisdn}/auto-renew",
    tag = "lines",
    params(("msisdn" = String, Path, description = "The line's number", pattern = r"^\+[1-9][0-9]{6,14}$")),
    request_body = AutoRenewRequestJson,
    security(("api_key" = []), ("session" = [])),
    responses(
        (status = 200, body = AutoRenewJson),
        (status = "4XX", body = Problem, content_type = "application/problem+json"),
        (status = "5XX", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn set_auto_renew(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(raw): ApiPath<String>,
    ApiJson(body): ApiJson<AutoRenewRequestJson>,
) -> Result<Json<AutoRenewJson>, ApiError> {
    let msisdn = line_of(&state, &caller, &raw).await?;
    let plan = match body.plan.as_deref().map(str::trim) {
        Some("") | None => None,
        Some(p) => Some(
            simrenew_domain::catalog::parse_plan_code(p)
                .map_err(|e| ApiError::invalid("plan", e.reason))?,
        ),
    };
    let setting = state
        .app
        .set_auto_renew(
            &caller.0.label(),
            &msisdn,
            &AutoRenewSetting {
                enabled: body.enabled,
                plan,
            },
        )
        .await?;
    Ok(Json(answer(&state, &msisdn, setting).await?))
}
