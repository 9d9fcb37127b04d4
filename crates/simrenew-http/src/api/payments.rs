//! Paying an order through a provider (card and Bancontact through Stripe, PayPal), recording
//! a payment taken at a store (cash, card terminal), and refunds.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use simrenew_app::payments::checkout::{StartPayment, StorePayment};
use simrenew_domain::access::{LineAccess, Principal};
use simrenew_domain::catalog::Channel;
use simrenew_domain::identifiers::Msisdn;
use simrenew_domain::ids::{OrderId, ProviderPaymentId, SavedPaymentMethodId};
use simrenew_domain::money::Money;
use simrenew_domain::order::{
    may_record_store_payment, Order, PaymentMethod, ProviderPayment, SavedPaymentMethod,
};
use simrenew_domain::provider_ids::{PaypalBillingToken, SavableToken, StripePaymentMethodId};
use utoipa::ToSchema;

use super::orders::{order_json, OrderJson};
use super::wire::MoneyJson;
use crate::error::{ApiError, Problem};
use crate::extract::{denied, ApiJson, ApiPath, Caller};
use crate::state::AppState;

/// How the customer wants to pay.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StartPaymentJson {
    /// `card`, `bancontact` or `paypal`.
    #[schema(example = "card")]
    pub method: String,
    /// Where the provider sends the customer back (3-D Secure, the bank, PayPal).
    #[schema(example = "https://portal.example/orders/42/return")]
    pub return_url: Option<String>,
    /// Card and Bancontact: the payment method token Stripe.js made (`pm_...`). Never card
    /// numbers: this API refuses anything else.
    #[schema(example = "pm_card_visa")]
    pub payment_method_token: Option<String>,
    /// Charge a saved payment method of the line instead (automatic renewal).
    pub saved_method_id: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProviderPaymentJson {
    pub id: i64,
    pub order_id: i64,
    /// `stripe`, `paypal` or `store`.
    pub provider: &'static str,
    pub method: &'static str,
    /// `created`, `requires_action`, `processing`, `captured`, `failed` or `refunded`.
    pub status: &'static str,
    pub amount: MoneyJson,
    pub refunded: MoneyJson,
    /// Where to send the customer now (3-D Secure, the bank, the PayPal approval page).
    pub next_action_url: Option<String>,
    /// The order's state after this payment: `syncing` once the renewal is applied.
    pub order_state: &'static str,
}

async fn payment_json(
    state: &AppState,
    p: &ProviderPayment,
) -> Result<ProviderPaymentJson, ApiError> {
    let order = state
        .app
        .store
        .order(p.order_id)
        .await
        .map_err(simrenew_app::AppError::from)?
        .ok_or_else(|| ApiError::not_found("order"))?;
    Ok(ProviderPaymentJson {
        id: p.id.0,
        order_id: p.order_id.0,
        provider: p.provider.as_str(),
        method: p.method.as_str(),
        status: p.status.as_str(),
        amount: p.amount.into(),
        refunded: p.refunded.into(),
        next_action_url: p.next_action_url.clone(),
        order_state: order.order.state.as_str(),
    })
}

/// The order and its line's access facts, if the caller may sell to its line through
/// `channel` (its own channel when `None`); "not found" for a line the caller may not see.
async fn sellable_order(
    state: &AppState,
    caller: &Principal,
    id: OrderId,
    channel: Option<Channel>,
) -> Result<(Order, LineAccess), ApiError> {
    let not_found = || ApiError::not_found("order").with_field("id");
    let d = state
        .app
        .store
        .order(id)
        .await
        .map_err(simrenew_app::AppError::from)?
        .ok_or_else(not_found)?;
    let line = state.app.line(&d.msisdn).await?;
    let access = super::lines::access(&line.line);
    caller.may_see_line(access).map_err(|_| not_found())?;
    caller
        .may_sell(access, channel.unwrap_or(d.order.channel))
        .map_err(|e| denied(e, "order"))?;
    Ok((d.order, access))
}

/// Twelve or more digits in a row (spaces and dashes between them allowed): what a card
/// number or an IBAN's account part looks like, and no provider token does.
fn looks_like_card_number(s: &str) -> bool {
    let mut run = 0;
    for c in s.chars() {
        match c {
            '0'..='9' => {
                run += 1;
                if run >= 12 {
                    return true;
                }
            }
            ' ' | '-' if run > 0 => {}
            _ => run = 0,
        }
    }
    false
}

fn method(s: &str, allowed: &[PaymentMethod]) -> Result<PaymentMethod, ApiError> {
    PaymentMethod::parse(s)
        .ok()
        .filter(|m| allowed.contains(m))
        .ok_or_else(|| {
            let names: Vec<&str> = allowed.iter().map(PaymentMethod::as_str).collect();
            ApiError::invalid(
                "method",
                format!("method must be one of {}", names.join(", ")),
            )
        })
}

/// Starts paying an order through Stripe (card, Bancontact) or PayPal. The answer says where
/// to send the customer (`next_action_url`); the renewal is applied once the provider confirms
/// the money, by `POST /api/v1/payments/{id}/confirmation` or by its webhook, whichever comes
/// first.
#[utoipa::path(
    post,
    path = "/api/v1/orders/{id}/provider-payments",
    tag = "payments",
    params(
        ("id" = i64, Path, description = "Order id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Repeat a request safely: 1 to 255 visible ASCII characters", min_length = 1, max_length = 255, pattern = r"^[!-~]([ -~]*[!-~])?$"),
    ),
    request_body = StartPaymentJson,
    security(("api_key" = []), ("session" = [])),
    responses(
        (status = 201, body = ProviderPaymentJson),
        (status = "4XX", body = Problem, content_type = "application/problem+json"),
        (status = "5XX", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn start_payment(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<StartPaymentJson>,
) -> Result<(StatusCode, Json<ProviderPaymentJson>), ApiError> {
    let method = method(
        &body.method,
        &[
            PaymentMethod::Card,
            PaymentMethod::Bancontact,
            PaymentMethod::Paypal,
        ],
    )?;
    let token = body
        .payment_method_token
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|t| {
            // Only Stripe's own form passes; anything that looks like a card number is
            // refused without being logged.
            StripePaymentMethodId::parse(t)
                .ok()
                .filter(|_| !looks_like_card_number(t))
                .ok_or_else(|| {
                    ApiError::invalid(
                        "payment_method_token",
                        "give the pm_... token Stripe.js made, never card details",
                    )
                })
        })
        .transpose()?;
    if matches!(method, PaymentMethod::Card | PaymentMethod::Bancontact)
        && token.is_none()
        && body.saved_method_id.is_none()
    {
        return Err(ApiError::invalid(
            "payment_method_token",
            "card and Bancontact payments need payment_method_token",
        ));
    }
    let (order, access) = sellable_order(&state, &caller, OrderId(id), None).await?;
    if body.saved_method_id.is_some() {
        caller
            .may_use_saved_methods(access)
            .map_err(|e| denied(e, "saved payment method").with_field("saved_method_id"))?;
    }
    let payment = state
        .app
        .start_payment(&StartPayment {
            order: order.id,
            method,
            return_url: body.return_url,
            payment_method_token: token,
            saved_method: body.saved_method_id.map(SavedPaymentMethodId),
        })
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(payment_json(&state, &payment).await?),
    ))
}

async fn visible_payment(
    state: &AppState,
    caller: &Principal,
    id: i64,
) -> Result<ProviderPayment, ApiError> {
    let payment = state
        .app
        .store
        .provider_payment(ProviderPaymentId(id))
        .await
        .map_err(simrenew_app::AppError::from)?
        .ok_or_else(|| ApiError::not_found("payment").with_field("id"))?;
    sellable_order(state, caller, payment.order_id, None)
        .await
        .map_err(|e| match e.status {
            StatusCode::NOT_FOUND => ApiError::not_found("payment").with_field("id"),
            _ => e,
        })?;
    Ok(payment)
}

/// A provider payment and its order's state.
#[utoipa::path(
    get,
    path = "/api/v1/payments/{id}",
    tag = "payments",
    params(("id" = i64, Path, description = "Payment id")),
    security(("api_key" = []), ("session" = [])),
    responses(
        (status = 200, body = ProviderPaymentJson),
        (status = "4XX", body = Problem, content_type = "application/problem+json"),
        (status = "5XX", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_payment(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<ProviderPaymentJson>, ApiError> {
    let payment = visible_payment(&state, &caller, id).await?;
    Ok(Json(payment_json(&state, &payment).await?))
}

/// The customer is back from 3-D Secure, the bank or PayPal: asks the provider to finish the
/// payment and applies the renewal once the money is captured (once, whatever the webhook
/// did).
#[utoipa::path(
    post,
    path = "/api/v1/payments/{id}/confirmation",
    tag = "payments",
    params(
        ("id" = i64, Path, description = "Payment id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Repeat a request safely: 1 to 255 visible ASCII characters", min_length = 1, max_length = 255, pattern = r"^[!-~]([ -~]*[!-~])?$"),
    ),
    security(("api_key" = []), ("session" = [])),
    responses(
        (status = 200, body = ProviderPaymentJson),
        (status = "4XX", body = Problem, content_type = "application/problem+json"),
        (status = "5XX", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn confirm_payment(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<ProviderPaymentJson>, ApiError> {
    let payment = visible_payment(&state, &caller, id).await?;
    let payment = state.app.confirm_payment(payment.id).await?;
    Ok(Json(payment_json(&state, &payment).await?))
}

/// What an agent took at the counter.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StorePaymentJson {
    /// `cash` or `card_terminal`.
    #[schema(example = "cash")]
    pub method: String,
    /// The store's code.
    #[schema(example = "BXL-01")]
    pub store: String,
    /// The terminal's transaction reference (card terminal only).
    pub terminal_ref: Option<String>,
    /// What was taken; must be the order's total.
    pub amount: MoneyJson,
}

/// Records a payment taken at a store (cash or the card terminal) and applies the renewal, in
/// one transaction. An amount other than the order's total is refused and changes nothing.
#[utoipa::path(
    post,
    path = "/api/v1/orders/{id}/store-payments",
    tag = "payments",
    params(
        ("id" = i64, Path, description = "Order id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Repeat a request safely: 1 to 255 visible ASCII characters", min_length = 1, max_length = 255, pattern = r"^[!-~]([ -~]*[!-~])?$"),
    ),
    request_body = StorePaymentJson,
    security(("api_key" = [])),
    responses(
        (status = 200, body = OrderJson),
        (status = "4XX", body = Problem, content_type = "application/problem+json"),
        (status = "5XX", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn store_payment(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<StorePaymentJson>,
) -> Result<Json<OrderJson>, ApiError> {
    let method = method(
        &body.method,
        &[PaymentMethod::Cash, PaymentMethod::CardTerminal],
    )?;
    let amount = body.amount.parse("amount", 0)?;
    let store = body.store.trim();
    if store.is_empty() || store.len() > 64 {
        return Err(ApiError::invalid("store", "give the store's code"));
    }
    let (order, _) = sellable_order(&state, &caller, OrderId(id), Some(Channel::Store)).await?;
    let store_id = state
        .app
        .store
        .store_id(order.brand_id, store)
        .await
        .map_err(simrenew_app::AppError::from)?
        .ok_or_else(|| ApiError::invalid("store", format!("no store {store:?} in this brand")))?;
    may_record_store_payment(&caller, store_id, method).map_err(|e| denied(e, "store"))?;
    let receipt = state
        .app
        .record_store_payment_as(
            &caller.label(),
            &StorePayment {
                order: order.id,
                method,
                store_code: store.to_owned(),
                terminal_ref: body
                    .terminal_ref
                    .map(|t| t.trim().to_owned())
                    .filter(|t| !t.is_empty()),
                amount,
            },
        )
        .await?;
    Ok(Json(order_json(&receipt)))
}

/// A refund to make, by an admin.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefundRequestJson {
    /// Up to what is left to refund of the payment.
    pub amount: MoneyJson,
    #[schema(example = "customer moved abroad")]
    pub reason: String,
}

impl RefundRequestJson {
    /// The amount and the reason, checked.
    fn parse(&self) -> Result<(Money, &str), ApiError> {
        let amount = self.amount.parse("amount", 1)?;
        let reason = self.reason.trim();
        if reason.is_empty() {
            return Err(ApiError::invalid(
                "reason",
                "say why, in up to 500 characters",
            ));
        }
        Ok((amount, reason))
    }
}

impl RefundJson {
    fn of(
        done: simrenew_app::payments::refunds::RefundDone,
        tz: &simrenew_domain::TimeZone,
    ) -> Self {
        RefundJson {
            id: done.refund_id,
            amount: done.amount.into(),
            refunded: done.refunded.into(),
            payment_status: done.payment_status.as_str(),
            expires_at: done.expires_at.map(|t| super::wire::rfc3339(t, tz)),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RefundJson {
    /// The provider refund's id; none for a refund to credit.
    pub id: Option<i64>,
    pub amount: MoneyJson,
    /// What is refunded of the payment in all.
    pub refunded: MoneyJson,
    /// `captured` (partly refunded) or `refunded`.
    pub payment_status: &'static str,
    /// The line's expiry after its time was shortened.
    pub expires_at: Option<String>,
}

/// Refunds all or part of a captured payment (admins only). The provider refund carries its
/// own idempotency key, so repeating a refund whose answer was lost does not refund twice;
/// the line loses the refunded share of the order's time, never time already used.
#[utoipa::path(
    post,
    path = "/api/v1/payments/{id}/refunds",
    tag = "payments",
    params(
        ("id" = i64, Path, description = "Payment id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Repeat a request safely: 1 to 255 visible ASCII characters", min_length = 1, max_length = 255, pattern = r"^[!-~]([ -~]*[!-~])?$"),
    ),
    request_body = RefundRequestJson,
    security(("api_key" = [])),
    responses(
        (status = 201, body = RefundJson),
        (status = "4XX", body = Problem, content_type = "application/problem+json"),
        (status = "5XX", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn refund(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<RefundRequestJson>,
) -> Result<(StatusCode, Json<RefundJson>), ApiError> {
    let payment = visible_payment(&state, &caller, id).await?;
    caller
        .may_administer(Some(payment.brand_id))
        .map_err(|e| denied(e, "payment"))?;
    let (amount, reason) = body.parse()?;
    let done = state
        .app
        .refund_payment_as(&caller.label(), payment.id, amount, reason)
        .await?;
    let d = state
        .app
        .store
        .order(payment.order_id)
        .await
        .map_err(simrenew_app::AppError::from)?
        .ok_or_else(|| ApiError::not_found("order"))?;
    let tz = state.app.line(&d.msisdn).await?.brand.time_zone.clone();
    Ok((StatusCode::CREATED, Json(RefundJson::of(done, &tz))))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct MethodsQuery {
    /// Brand code.
    #[param(pattern = r"^[A-Za-z0-9-]{1,32}$")]
    pub brand: String,
    /// `portal`, `store`, `partner` or `auto_renew`.
    #[param(pattern = r"^(portal|store|partner|auto_renew)$")]
    pub channel: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PaymentMethodsJson {
    pub brand: String,
    pub channel: &'static str,
    /// The methods offered, as configured per brand and channel.
    pub methods: Vec<&'static str>,
}

/// Refunds all or part of an order paid from the credit balance or with a voucher, back to
/// the line's credit (admins only); the line loses the refunded share of the order's time.
#[utoipa::path(
    post,
    path = "/api/v1/orders/{id}/refunds",
    tag = "payments",
    params(
        ("id" = i64, Path, description = "Order id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Repeat a request safely: 1 to 255 visible ASCII characters", min_length = 1, max_length = 255, pattern = r"^[!-~]([ -~]*[!-~])?$"),
    ),
    request_body = RefundRequestJson,
    security(("api_key" = [])),
    responses(
        (status = 201, body = RefundJson),
        (status = "4XX", body = Problem, content_type = "application/problem+json"),
        (status = "5XX", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn refund_to_credit(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<RefundRequestJson>,
) -> Result<(StatusCode, Json<RefundJson>), ApiError> {
    let not_found = || ApiError::not_found("order").with_field("id");
    let d = state
        .app
        .store
        .order(OrderId(id))
        .await
        .map_err(simrenew_app::AppError::from)?
        .ok_or_else(not_found)?;
    let line = state.app.line(&d.msisdn).await?;
    caller
        .may_see_line(super::lines::access(&line.line))
        .map_err(|_| not_found())?;
    caller
        .may_administer(Some(d.order.brand_id))
        .map_err(|e| denied(e, "order"))?;
    let (amount, reason) = body.parse()?;
    let done = state
        .app
        .refund_to_credit_as(&caller.label(), d.order.id, amount, reason)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(RefundJson::of(done, &line.brand.time_zone)),
    ))
}

/// The payment methods a brand offers on a channel (configuration:
/// `SIMRENEW_PAYMENT_METHODS`).
#[utoipa::path(
    get,
    path = "/api/v1/payment-methods",
    tag = "payments",
    params(MethodsQuery),
    security(("api_key" = []), ("session" = [])),
    responses(
        (status = 200, body = PaymentMethodsJson),
        (status = "4XX", body = Problem, content_type = "application/problem+json"),
        (status = "5XX", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn payment_methods(
    State(state): State<AppState>,
    Caller(caller): Caller,
    crate::extract::ApiQuery(q): crate::extract::ApiQuery<MethodsQuery>,
) -> Result<Json<PaymentMethodsJson>, ApiError> {
    let channel = Channel::parse(&q.channel).map_err(|e| ApiError::invalid("channel", e.reason))?;
    let brand = state
        .app
        .brand(&q.brand.to_ascii_lowercase())
        .await
        .map_err(|_| ApiError::not_found("brand").with_field("brand"))?;
    caller
        .may_read_brand_settings(brand.id)
        .map_err(|d| denied(d, "brand").with_field("brand"))?;
    Ok(Json(PaymentMethodsJson {
        brand: brand.code.clone(),
        channel: channel.as_str(),
        methods: state
            .app
            .payment_methods(&brand, channel)
            .iter()
            .map(PaymentMethod::as_str)
            .collect(),
    }))
}

/// A payment method to save for automatic renewal.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SaveMethodJson {
    /// `card` (Stripe) or `paypal`.
    #[schema(example = "card")]
    pub method: String,
    /// The provider's token: a Stripe.js payment method (`pm_...`) or a PayPal billing
    /// agreement id. Never card details.
    #[schema(example = "pm_card_visa")]
    pub token: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SavedMethodJson {
    pub id: i64,
    pub provider: &'static str,
    pub method: &'static str,
    /// What the provider says it is ("visa ending 4242", "PayPal").
    pub label: String,
}

fn saved_json(m: &SavedPaymentMethod) -> SavedMethodJson {
    SavedMethodJson {
        id: m.id.0,
        provider: m.provider.as_str(),
        method: m.method.as_str(),
        label: m.label.clone(),
    }
}

/// The provider token to save, in its provider's documented form: a Stripe.js payment method
/// for a card, a billing agreement token for PayPal; never card details.
fn savable_token(method: PaymentMethod, token: &str) -> Result<SavableToken, ApiError> {
    let parsed = match method {
        PaymentMethod::Card => StripePaymentMethodId::parse(token)
            .ok()
            .map(SavableToken::StripeCard),
        _ => PaypalBillingToken::parse(token)
            .ok()
            .map(SavableToken::PaypalAccount),
    };
    parsed
        .filter(|_| !looks_like_card_number(token))
        .ok_or_else(|| {
            ApiError::invalid(
                "token",
                "give the provider's token (pm_... or a billing agreement id), never card details",
            )
        })
}

/// The line whose saved payment methods the caller asks about, if they may handle them
/// (`Principal::may_use_saved_methods`): "not found" for a line they may not see.
async fn saved_methods_line(
    state: &AppState,
    caller: &Principal,
    msisdn: &str,
) -> Result<Msisdn, ApiError> {
    let msisdn = Msisdn::parse(msisdn).map_err(|e| ApiError::invalid("msisdn", e.reason))?;
    let access = state.app.line_access(&msisdn).await?;
    caller
        .may_use_saved_methods(access)
        .map_err(|e| denied(e, "line").with_field("msisdn"))?;
    Ok(msisdn)
}

/// Saves a payment method of the line for automatic renewal (the provider keeps it; we keep
/// its references).
#[utoipa::path(
    post,
    path = "/api/v1/lines/{msisdn}/saved-payment-methods",
    tag = "payments",
    params(
        ("msisdn" = String, Path, description = "The line's number", pattern = r"^\+[1-9][0-9]{6,14}$"),
        ("Idempotency-Key" = Option<String>, Header, description = "Repeat a request safely: 1 to 255 visible ASCII characters", min_length = 1, max_length = 255, pattern = r"^[!-~]([ -~]*[!-~])?$"),
    ),
    request_body = SaveMethodJson,
    security(("api_key" = []), ("session" = [])),
    responses(
        (status = 201, body = SavedMethodJson),
        (status = "4XX", body = Problem, content_type = "application/problem+json"),
        (status = "5XX", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn save_method(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(msisdn): ApiPath<String>,
    ApiJson(body): ApiJson<SaveMethodJson>,
) -> Result<(StatusCode, Json<SavedMethodJson>), ApiError> {
    let method = method(&body.method, &[PaymentMethod::Card, PaymentMethod::Paypal])?;
    let token = savable_token(method, body.token.trim())?;
    let msisdn = saved_methods_line(&state, &caller, &msisdn).await?;
    let saved = state
        .app
        .save_payment_method(&caller.label(), &msisdn, &token)
        .await?;
    Ok((StatusCode::CREATED, Json(saved_json(&saved))))
}

/// The line's saved payment methods.
#[utoipa::path(
    get,
    path = "/api/v1/lines/{msisdn}/saved-payment-methods",
    tag = "payments",
    params(("msisdn" = String, Path, description = "The line's number", pattern = r"^\+[1-9][0-9]{6,14}$")),
    security(("api_key" = []), ("session" = [])),
    responses(
        (status = 200, body = [SavedMethodJson]),
        (status = "4XX", body = Problem, content_type = "application/problem+json"),
        (status = "5XX", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_saved_methods(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(msisdn): ApiPath<String>,
) -> Result<Json<Vec<SavedMethodJson>>, ApiError> {
    let msisdn = saved_methods_line(&state, &caller, &msisdn).await?;
    let saved = state.app.saved_payment_methods(&msisdn).await?;
    Ok(Json(saved.iter().map(saved_json).collect()))
}

/// Forgets a saved payment method: automatic renewal no longer charges it.
#[utoipa::path(
    delete,
    path = "/api/v1/lines/{msisdn}/saved-payment-methods/{id}",
    tag = "payments",
    params(
        ("msisdn" = String, Path, description = "The line's number", pattern = r"^\+[1-9][0-9]{6,14}$"),
        ("id" = i64, Path, description = "Saved payment method id"),
    ),
    security(("api_key" = []), ("session" = [])),
    responses(
        (status = 204),
        (status = "4XX", body = Problem, content_type = "application/problem+json"),
        (status = "5XX", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn remove_saved_method(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath((msisdn, id)): ApiPath<(String, i64)>,
) -> Result<StatusCode, ApiError> {
    let msisdn = saved_methods_line(&state, &caller, &msisdn).await?;
    let line = state.app.line(&msisdn).await?;
    let saved = state
        .app
        .store
        .saved_method(SavedPaymentMethodId(id))
        .await
        .map_err(simrenew_app::AppError::from)?
        .filter(|m| m.line_id == line.line.id)
        .ok_or_else(|| ApiError::not_found("saved payment method").with_field("id"))?;
    state
        .app
        .remove_saved_payment_method(&caller.label(), saved.id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests {
    #[test]
    fn card_numbers_are_told_from_tokens() {
        for card in [
            "4242424242424242",
            "4242 4242 4242 4242",
            "x5555-5555-5555-4444",
        ] {
            assert!(super::looks_like_card_number(card), "{card}");
        }
        for token in [
            "pm_card_visa",
            "pm_1Hh1XY2eZvKYlo2C0fS1Kx9z",
            "B-5YM64573DP4721234",
        ] {
            assert!(!super::looks_like_card_number(token), "{token}");
        }
    }
}
