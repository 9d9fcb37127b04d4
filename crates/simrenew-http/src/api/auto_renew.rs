//! A line's automatic renewal: on or off, the plan it buys, and the limits it runs within.

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};
use simrenew_app::automation::auto_renew::{AutoRenewSetting, AutoRenewStatus, DataTopUp, LEAD};
use simrenew_domain::identifiers::Msisdn;
use simrenew_domain::ids::SavedPaymentMethodId;
use simrenew_domain::money::Money;
use utoipa::ToSchema;

use crate::api::wire::MoneyJson;
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
    /// A saved payment method of the line to charge off-session; absent or null: the line's
    /// credit.
    #[schema(minimum = 1, example = 3)]
    pub saved_method_id: Option<i64>,
    /// The most automatic renewals may charge the line in a calendar month of the brand's
    /// zone, in the brand's currency; absent or null: no cap of the subscriber's own.
    pub monthly_cap: Option<MoneyJson>,
    /// Buy an add-on plan automatically when the data left falls under a threshold, paid as
    /// automatic renewals are and within the same limits; absent or null: no top-up.
    pub top_up: Option<TopUpJson>,
}

/// A data top-up.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TopUpJson {
    /// Buy when the data left falls under this many MB (less than the add-on gives).
    #[schema(minimum = 1, maximum = 1_000_000, example = 500)]
    pub below_mb: u64,
    /// The add-on plan's code (a plan valid for the current period, sold for automatic
    /// renewals).
    #[schema(min_length = 1, max_length = 64, example = "LUMO-1GB-ADDON")]
    pub plan: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AutoRenewMonthJson {
    /// Automatic renewals paid since the start of this month in the brand's zone.
    pub auto_renewals: u32,
    pub charged: MoneyJson,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AutoRenewJson {
    pub enabled: bool,
    pub plan: Option<String>,
    /// The saved payment method it charges; null: the line's credit.
    pub saved_method_id: Option<i64>,
    /// The subscriber's own cap on a month's automatic charges; null: none.
    pub monthly_cap: Option<MoneyJson>,
    /// The data top-up; null: none.
    pub top_up: Option<TopUpJson>,
    /// How long before expiry the line is renewed.
    pub hours_before_expiry: i64,
    /// The brand's limit of automatic charges per line per calendar month; past it, the
    /// line renews by hand.
    pub monthly_auto_debit_limit: u32,
    pub this_month: AutoRenewMonthJson,
    /// Failed attempts since the last success.
    pub failed_attempts: u32,
    /// The renewal stopped (a limit, the cap, a failed or unconfirmed payment): the subscriber
    /// was told, and renews by hand or sets it again.
    pub stopped: bool,
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
    s: AutoRenewStatus,
) -> Result<AutoRenewJson, ApiError> {
    let currency = state.app.line(msisdn).await?.brand.currency;
    Ok(AutoRenewJson {
        enabled: s.setting.enabled,
        plan: s.setting.plan,
        saved_method_id: s.setting.saved_method.map(|m| m.0),
        monthly_cap: s
            .setting
            .monthly_cap_cents
            .map(|c| Money::new(c, currency).into()),
        top_up: s.setting.top_up.map(|t| TopUpJson {
            below_mb: t.below_mb,
            plan: t.plan,
        }),
        hours_before_expiry: LEAD.as_hours(),
        monthly_auto_debit_limit: s.monthly_limit,
        this_month: AutoRenewMonthJson {
            auto_renewals: s.this_month.count,
            charged: Money::new(s.this_month.spent_cents, currency).into(),
        },
        failed_attempts: s.failed_attempts,
        stopped: s.stopped,
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

/// Switches the line's automatic renewal on (with the plan it buys, paid from credit or a saved
/// payment method, within an optional monthly cap) or off; audited.
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
    let saved_method = match body.saved_method_id {
        None => None,
        Some(id) if id > 0 => Some(SavedPaymentMethodId(id)),
        Some(_) => {
            return Err(ApiError::invalid(
                "saved_method_id",
                "must be a saved method's id",
            ))
        }
    };
    let top_up = match &body.top_up {
        None => None,
        Some(t) => Some(DataTopUp {
            below_mb: t.below_mb,
            plan: simrenew_domain::catalog::parse_plan_code(t.plan.trim())
                .map_err(|e| ApiError::invalid("top_up.plan", e.reason))?,
        }),
    };
    let currency = state.app.line(&msisdn).await?.brand.currency;
    let monthly_cap_cents = match &body.monthly_cap {
        None => None,
        Some(cap) => {
            let cap = cap.parse("monthly_cap", 1)?;
            if cap.currency != currency {
                return Err(ApiError::invalid(
                    "monthly_cap.currency",
                    format!("the line's brand charges in {currency}"),
                ));
            }
            Some(cap.cents)
        }
    };
    let setting = state
        .app
        .set_auto_renew(
            &caller.0.label(),
            &msisdn,
            &AutoRenewSetting {
                enabled: body.enabled,
                plan,
                saved_method,
                monthly_cap_cents,
                top_up,
            },
        )
        .await?;
    Ok(Json(answer(&state, &msisdn, setting).await?))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NoticeMessageJson {
    /// The message's reference among the reminders.
    pub id: i64,
    /// `email` or `sms`.
    pub channel: &'static str,
    /// `pending`, `sending`, `sent` or `failed`.
    pub state: &'static str,
    pub sent_at: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PriceNoticeJson {
    pub plan: String,
    /// The catalog version that raises the price.
    pub catalog_version: u32,
    pub old_price: MoneyJson,
    pub new_price: MoneyJson,
    /// When the new price comes into force in the catalog.
    pub effective_from: String,
    /// When the first message of the notice went out; null: not yet.
    pub sent_at: Option<String>,
    /// From when automatic renewals pay the new price: 30 days after the notice went out and
    /// not before the version is in force; null until it went out.
    pub binds_from: Option<String>,
    pub messages: Vec<NoticeMessageJson>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PriceNoticeList {
    /// The latest first.
    pub items: Vec<PriceNoticeJson>,
}

/// The notices of price rises given to the line for the plan it renews automatically: the
/// prices, when each was sent and by which messages, and from when it binds.
#[utoipa::path(
    get,
    path = "/api/v1/lines/{msisdn}/price-notices",
    tag = "lines",
    params(("msisdn" = String, Path, description = "The line's number", pattern = r"^\+[1-9][0-9]{6,14}$")),
    security(("api_key" = []), ("session" = [])),
    responses(
        (status = 200, body = PriceNoticeList),
        (status = "4XX", body = Problem, content_type = "application/problem+json"),
        (status = "5XX", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_price_notices(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(raw): ApiPath<String>,
) -> Result<Json<PriceNoticeList>, ApiError> {
    let msisdn = line_of(&state, &caller, &raw).await?;
    let notices = state.app.price_notices_of(&msisdn).await?;
    Ok(Json(PriceNoticeList {
        items: notices
            .into_iter()
            .map(|n| PriceNoticeJson {
                binds_from: n.notice.binds_from().map(|t| t.to_string()),
                plan: n.plan_code,
                catalog_version: n.version,
                old_price: n.notice.old_price.into(),
                new_price: n.notice.new_price.into(),
                effective_from: n.notice.effective_from.to_string(),
                sent_at: n.notice.sent_at.map(|t| t.to_string()),
                messages: n
                    .messages
                    .into_iter()
                    .map(|m| NoticeMessageJson {
                        id: m.id,
                        channel: m.channel.as_str(),
                        state: m.state.as_str(),
                        sent_at: m.sent_at.map(|t| t.to_string()),
                    })
                    .collect(),
            })
            .collect(),
    }))
}
