//! Quotes, orders and their payment.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use simrenew_app::sales::payment::PaymentInstruction;
use simrenew_app::sales::renewal::{OrderReceipt, OrderSource, PurchaseRequest};
use simrenew_domain::access::Principal;
use simrenew_domain::catalog::{parse_plan_code, Channel};
use simrenew_domain::identifiers::Msisdn;
use simrenew_domain::ids::{OrderId, QuoteId};
use simrenew_domain::promotion::PromoCode;
use simrenew_domain::voucher::VoucherCode;
use simrenew_domain::ParseError;
use utoipa::ToSchema;

use super::wire::{rfc3339, MoneyJson, PricingJson};
use crate::error::{ApiError, Problem};
use crate::extract::{denied, ApiJson, ApiPath, Caller};
use crate::state::AppState;

fn invalid(e: ParseError) -> ApiError {
    ApiError::invalid(e.field, e.reason)
}

/// What to buy.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PurchaseJson {
    #[schema(example = "+32470123456", pattern = r"^\+[1-9][0-9]{6,14}$")]
    pub msisdn: String,
    /// Plan code.
    #[schema(example = "LUMO-5GB-30D", pattern = r"^[A-Za-z0-9_-]{1,40}$")]
    pub plan: String,
    /// Periods to buy, 1 to 36 (default 1).
    #[serde(default = "one")]
    #[schema(minimum = 1, maximum = 36)]
    pub periods: i64,
    /// `portal`, `store`, `partner` or `auto_renew`: the caller's own (subscribers buy
    /// through `portal`, agents through `store`, partners through `partner`); administrators
    /// choose, `portal` by default.
    #[schema(pattern = r"^(portal|store|partner|auto_renew)$")]
    pub channel: Option<String>,
    #[schema(pattern = r"^[A-Za-z0-9-]{3,32}$")]
    pub promo_code: Option<String>,
}

/// The channel the caller sells through (`Principal::sales_channel`); asking for another is
/// refused naming `channel`.
pub(crate) fn sales_channel(
    caller: &Principal,
    asked: Option<&str>,
    default: Channel,
) -> Result<Channel, ApiError> {
    let asked = asked.map(Channel::parse).transpose().map_err(invalid)?;
    caller
        .sales_channel(asked, default)
        .map_err(|d| denied(d, "line").with_field("channel"))
}

fn one() -> i64 {
    1
}

impl PurchaseJson {
    fn parse(&self, caller: &Principal) -> Result<PurchaseRequest, ApiError> {
        let periods = u32::try_from(self.periods)
            .ok()
            .filter(|p| (1..=simrenew_domain::quote::MAX_PERIODS).contains(p))
            .ok_or_else(|| {
                ApiError::invalid(
                    "periods",
                    format!(
                        "periods must be between 1 and {}",
                        simrenew_domain::quote::MAX_PERIODS
                    ),
                )
            })?;
        Ok(PurchaseRequest {
            msisdn: Msisdn::parse(&self.msisdn).map_err(invalid)?,
            plan_code: parse_plan_code(&self.plan).map_err(invalid)?,
            periods,
            channel: sales_channel(caller, self.channel.as_deref(), Channel::Portal)?,
            promo_code: self
                .promo_code
                .as_deref()
                .filter(|c| !c.trim().is_empty())
                .map(PromoCode::parse)
                .transpose()
                .map_err(invalid)?,
        })
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct QuoteJson {
    pub id: i64,
    pub msisdn: String,
    pub channel: &'static str,
    #[serde(flatten)]
    pub pricing: PricingJson,
    /// Order it with `quote_id` before then.
    pub valid_until: String,
    /// The subscriber's details on record, to confirm with them before the renewal is paid;
    /// null for a line without an identified subscriber, and for partners, who sell to a
    /// number and are never told who holds it.
    pub subscriber: Option<PersonJson>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PersonJson {
    pub name: String,
    pub email: Option<String>,
    pub language: String,
}

/// The details on record of a line's subscriber, to confirm with them; `None` for a line
/// without one, or once erased.
pub(crate) async fn person(
    state: &AppState,
    subscriber: Option<simrenew_domain::ids::SubscriberId>,
) -> Result<Option<PersonJson>, ApiError> {
    let Some(id) = subscriber else {
        return Ok(None);
    };
    Ok(state
        .app
        .store
        .subscriber_details(id)
        .await
        .map_err(simrenew_app::AppError::from)?
        .map(|p| PersonJson {
            name: p.name,
            email: p.email,
            language: p.language,
        }))
}

/// Prices a plan for a line, with promotions and VAT lines. The quote can be ordered for 30
/// minutes at exactly this price.
#[utoipa::path(
    post,
    path = "/api/v1/quotes",
    tag = "orders",
    request_body = PurchaseJson,
    params(("Idempotency-Key" = Option<String>, Header, description = "Repeat a request safely: 1 to 255 visible ASCII characters", min_length = 1, max_length = 255, pattern = r"^[!-~]([ -~]*[!-~])?$")),
    security(("api_key" = [])),
    responses(
        (status = 201, body = QuoteJson),
        (status = "4XX", body = Problem, content_type = "application/problem+json"),
        (status = "5XX", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn create_quote(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiJson(body): ApiJson<PurchaseJson>,
) -> Result<(StatusCode, Json<QuoteJson>), ApiError> {
    let req = body.parse(&caller)?;
    may_sell(&state, &caller, &req.msisdn, req.channel).await?;
    let (stored, tz) = state.app.quote(&req).await?;
    let access = state.app.line_access(&req.msisdn).await?;
    let subscriber = if caller.may_see_person(access) {
        person(&state, access.subscriber).await?
    } else {
        None
    };
    Ok((
        StatusCode::CREATED,
        Json(QuoteJson {
            id: stored.id.0,
            msisdn: req.msisdn.to_string(),
            channel: stored.channel.as_str(),
            pricing: (&stored.quote).into(),
            valid_until: rfc3339(stored.valid_until, &tz),
            subscriber,
        }),
    ))
}

/// How to pay.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PaymentJson {
    /// `credit` (the line's balance) or `voucher`.
    #[schema(example = "credit", pattern = r"^(credit|voucher)$")]
    pub method: String,
    /// With `voucher`: the code, dashes optional.
    pub voucher_code: Option<String>,
}

impl PaymentJson {
    pub(crate) fn parse(&self) -> Result<PaymentInstruction, ApiError> {
        match self.method.as_str() {
            "credit" => Ok(PaymentInstruction::Credit),
            "voucher" => {
                let code = self.voucher_code.as_deref().ok_or_else(|| {
                    ApiError::invalid("voucher_code", "a voucher payment needs voucher_code")
                })?;
                Ok(PaymentInstruction::Voucher(
                    VoucherCode::parse(code).map_err(invalid)?,
                ))
            }
            other => Err(ApiError::invalid(
                "method",
                format!("unknown payment method {other:?}; expected credit or voucher"),
            )),
        }
    }
}

/// An order from a quote (`quote_id`) or priced now (`msisdn`, `plan`, ...), paid at once when
/// `payment` is given.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrderRequestJson {
    #[schema(minimum = 1)]
    pub quote_id: Option<i64>,
    #[schema(example = "+32470123456", pattern = r"^\+[1-9][0-9]{6,14}$")]
    pub msisdn: Option<String>,
    #[schema(example = "LUMO-5GB-30D", pattern = r"^[A-Za-z0-9_-]{1,40}$")]
    pub plan: Option<String>,
    #[schema(minimum = 1, maximum = 36)]
    pub periods: Option<i64>,
    #[schema(pattern = r"^(portal|store|partner|auto_renew)$")]
    pub channel: Option<String>,
    #[schema(pattern = r"^[A-Za-z0-9-]{3,32}$")]
    pub promo_code: Option<String>,
    pub payment: Option<PaymentJson>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PaymentDoneJson {
    /// `credit` or `voucher`.
    pub method: &'static str,
    pub amount: MoneyJson,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RenewalJson {
    /// One bundle per period, queued one after the other.
    pub bundles: Vec<i64>,
    /// Where the new time starts: the old expiry, or now if the line had none left.
    pub starts_at: String,
    pub ends_at: String,
    /// The line's expiry after the renewal.
    pub expires_at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OrderJson {
    pub id: i64,
    /// `pending_payment`, `syncing` (paid and applied, the network is being told),
    /// `completed` or `cancelled`.
    pub state: &'static str,
    pub msisdn: String,
    pub channel: &'static str,
    #[serde(flatten)]
    pub pricing: PricingJson,
    pub created_at: String,
    pub paid_at: Option<String>,
    pub payment: Option<PaymentDoneJson>,
    pub renewal: Option<RenewalJson>,
    /// Where the order stands with the network (on `GET`): what it confirmed, what is still
    /// being told, and what it refused or never confirmed (then the order stays `syncing`
    /// and an admin sees it among the dead letters: `simrenew outbox dead-letters`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub network: Option<NetworkJson>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NetworkJson {
    /// `confirmed` (every bundle), `pending` (being told, retried with back-off),
    /// `awaiting_identification` (the line's subscriber is to be identified first: its
    /// bundles are told then, with the dates they start and end on from there) or `failed`
    /// (refused or never confirmed: a person must look).
    #[schema(example = "pending")]
    pub state: &'static str,
    pub bundles_confirmed: u32,
    pub bundles_pending: u32,
    pub bundles_awaiting_identification: u32,
    pub bundles_failed: u32,
}

/// The order with its payments and bundles, if the caller may see it; "not found" otherwise,
/// as for an unknown id.
async fn visible_order(
    state: &AppState,
    caller: &Principal,
    id: i64,
) -> Result<simrenew_app::sales::ports::OrderDetails, ApiError> {
    let not_found = || ApiError::not_found("order").with_field("id");
    let d = state
        .app
        .store
        .order(OrderId(id))
        .await
        .map_err(simrenew_app::AppError::from)?
        .ok_or_else(not_found)?;
    let access = state.app.line_access(&d.msisdn).await?;
    caller
        .may_see_order(access, d.order.placed_by.as_deref())
        .map_err(|_| not_found())?;
    Ok(d)
}

/// May the caller sell to this line through `channel`? A line they may not see is "not
/// found", like one that does not exist.
pub(crate) async fn may_sell(
    state: &AppState,
    caller: &Principal,
    msisdn: &Msisdn,
    channel: Channel,
) -> Result<(), ApiError> {
    let access = state.app.line_access(msisdn).await?;
    caller
        .may_sell(access, channel)
        .map_err(|d| denied(d, "line").with_field("msisdn"))
}

pub(crate) fn order_json(r: &OrderReceipt) -> OrderJson {
    let o = &r.order;
    let tz = &r.time_zone;
    OrderJson {
        id: o.id.0,
        state: o.state.as_str(),
        msisdn: r.msisdn.to_string(),
        channel: o.channel.as_str(),
        pricing: (&o.quote).into(),
        created_at: rfc3339(o.created_at, tz),
        paid_at: o.paid_at.map(|t| rfc3339(t, tz)),
        network: None,
        payment: r.settlement.as_ref().map(|s| PaymentDoneJson {
            method: s.method.as_str(),
            amount: s.amount.into(),
        }),
        renewal: r.renewal.as_ref().map(|n| RenewalJson {
            bundles: n.bundles.iter().map(|b| b.0).collect(),
            starts_at: rfc3339(n.starts_at, tz),
            ends_at: rfc3339(n.ends_at, tz),
            expires_at: rfc3339(n.expires_at, tz),
        }),
    }
}

/// Creates an order, and pays it and applies the renewal when `payment` is given.
#[utoipa::path(
    post,
    path = "/api/v1/orders",
    tag = "orders",
    request_body = OrderRequestJson,
    params(("Idempotency-Key" = Option<String>, Header, description = "Repeat a request safely: 1 to 255 visible ASCII characters", min_length = 1, max_length = 255, pattern = r"^[!-~]([ -~]*[!-~])?$")),
    security(("api_key" = [])),
    responses(
        (status = 201, body = OrderJson),
        (status = "4XX", body = Problem, content_type = "application/problem+json"),
        (status = "5XX", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn create_order(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiJson(body): ApiJson<OrderRequestJson>,
) -> Result<(StatusCode, Json<OrderJson>), ApiError> {
    let source = match (body.quote_id, &body.msisdn) {
        (Some(id), None) => {
            if body.plan.is_some() || body.periods.is_some() || body.promo_code.is_some() {
                return Err(ApiError::invalid(
                    "quote_id",
                    "give either quote_id or msisdn/plan/periods/promo_code, not both",
                ));
            }
            OrderSource::Quote(QuoteId(id))
        }
        (None, Some(msisdn)) => OrderSource::Purchase(
            PurchaseJson {
                msisdn: msisdn.clone(),
                plan: body
                    .plan
                    .clone()
                    .ok_or_else(|| ApiError::invalid("plan", "missing field `plan`"))?,
                periods: body.periods.unwrap_or(1),
                channel: body.channel.clone(),
                promo_code: body.promo_code.clone(),
            }
            .parse(&caller)?,
        ),
        (Some(_), Some(_)) => {
            return Err(ApiError::invalid(
                "quote_id",
                "give either quote_id or msisdn, not both",
            ))
        }
        (None, None) => {
            return Err(ApiError::invalid(
                "msisdn",
                "give quote_id, or msisdn and plan",
            ))
        }
    };
    let (msisdn, channel) = match &source {
        OrderSource::Purchase(p) => (p.msisdn.clone(), p.channel),
        OrderSource::Quote(id) => state
            .app
            .store
            .quote_target(*id)
            .await
            .map_err(simrenew_app::AppError::from)?
            .ok_or_else(|| ApiError::not_found("quote").with_field("quote_id"))?,
    };
    may_sell(&state, &caller, &msisdn, channel)
        .await
        .map_err(|e| match &source {
            OrderSource::Quote(_) if e.status == StatusCode::NOT_FOUND => {
                ApiError::not_found("quote").with_field("quote_id")
            }
            _ => e,
        })?;
    let payment = body.payment.as_ref().map(PaymentJson::parse).transpose()?;
    let actor = caller.label();
    let receipt = state
        .app
        .create_order_as(Some(&actor), &source, payment.as_ref())
        .await?;
    Ok((StatusCode::CREATED, Json(order_json(&receipt))))
}

/// Pays an order waiting for payment and applies its renewal, in one transaction.
#[utoipa::path(
    post,
    path = "/api/v1/orders/{id}/payment",
    tag = "orders",
    params(
        ("id" = i64, Path, description = "Order id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Repeat a request safely: 1 to 255 visible ASCII characters", min_length = 1, max_length = 255, pattern = r"^[!-~]([ -~]*[!-~])?$"),
    ),
    request_body = PaymentJson,
    security(("api_key" = [])),
    responses(
        (status = 200, body = OrderJson),
        (status = "4XX", body = Problem, content_type = "application/problem+json"),
        (status = "5XX", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn pay_order(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<PaymentJson>,
) -> Result<Json<OrderJson>, ApiError> {
    let d = visible_order(&state, &caller, id).await?;
    may_sell(&state, &caller, &d.msisdn, d.order.channel).await?;
    let payment = body.parse()?;
    let actor = caller.label();
    let receipt = state
        .app
        .pay_order_as(Some(&actor), OrderId(id), &payment)
        .await?;
    Ok(Json(order_json(&receipt)))
}

/// An order, its payment and the renewal it applied.
#[utoipa::path(
    get,
    path = "/api/v1/orders/{id}",
    tag = "orders",
    params(("id" = i64, Path, description = "Order id")),
    security(("api_key" = [])),
    responses(
        (status = 200, body = OrderJson),
        (status = "4XX", body = Problem, content_type = "application/problem+json"),
        (status = "5XX", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_order(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<OrderJson>, ApiError> {
    Ok(Json(order_answer(&state, &caller, id).await?))
}

/// An order as `caller` may see it: `GET /api/v1/orders/{id}`, and the answer recovered for
/// an idempotent request that placed or paid it when its own answer was not kept.
pub(crate) async fn order_answer(
    state: &AppState,
    caller: &Principal,
    id: i64,
) -> Result<OrderJson, ApiError> {
    let d = visible_order(state, caller, id).await?;
    let tz = state.app.line(&d.msisdn).await?.brand.time_zone.clone();
    let renewal = match (d.bundles.first(), d.bundles.last()) {
        (Some(first), Some(last)) => Some(simrenew_app::sales::renewal::AppliedRenewal {
            bundles: d.bundles.iter().map(|b| b.id).collect(),
            starts_at: first.starts_at,
            ends_at: last.ends_at,
            expires_at: last.ends_at,
        }),
        _ => None,
    };
    let receipt = OrderReceipt {
        settlement: d
            .payments
            .first()
            .map(|p| simrenew_app::sales::payment::Settlement {
                method: p.method,
                amount: p.amount,
                voucher: p.voucher_id,
                credit_debit: None,
            }),
        order: d.order,
        msisdn: d.msisdn,
        time_zone: tz,
        renewal,
    };
    let mut json = order_json(&receipt);
    if receipt.renewal.is_some() {
        let n = state.app.provisioning_state(receipt.order.id).await?;
        json.network = Some(NetworkJson {
            state: if n.dead > 0 {
                "failed"
            } else if n.pending > 0 {
                "pending"
            } else if n.awaiting_identification > 0 {
                "awaiting_identification"
            } else {
                "confirmed"
            },
            bundles_confirmed: n.confirmed,
            bundles_pending: n.pending,
            bundles_awaiting_identification: n.awaiting_identification,
            bundles_failed: n.dead,
        });
    }
    Ok(json)
}
