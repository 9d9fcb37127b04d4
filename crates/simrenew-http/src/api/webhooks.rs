//! Payment provider webhooks. Not behind a bearer token: each delivery is verified by its
//! signature (Stripe: `Stripe-Signature`; PayPal: its verify-webhook-signature API). A bad
//! signature is a 400 and changes nothing; duplicates and event types not acted on are
//! acknowledged with 200.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::Json;
use serde::Serialize;
use simrenew_app::payments::checkout::WebhookOutcome;
use simrenew_domain::order::ProviderName;
use utoipa::ToSchema;

use crate::error::{ApiError, Problem};
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookAckJson {
    /// `handled`, `duplicate` or `ignored`.
    pub outcome: &'static str,
}

async fn receive(
    state: &AppState,
    provider: ProviderName,
    headers: &HeaderMap,
    body: &Bytes,
) -> Result<Json<WebhookAckJson>, ApiError> {
    let headers: Vec<(String, String)> = headers
        .iter()
        .filter_map(|(k, v)| Some((k.as_str().to_owned(), v.to_str().ok()?.to_owned())))
        .collect();
    let outcome = state.app.handle_webhook(provider, &headers, body).await?;
    Ok(Json(WebhookAckJson {
        outcome: match outcome {
            WebhookOutcome::Handled(_) => "handled",
            WebhookOutcome::Duplicate => "duplicate",
            WebhookOutcome::Ignored => "ignored",
        },
    }))
}

/// Stripe events (`payment_intent.succeeded`, `payment_intent.payment_failed`, ...), signed
/// with the endpoint's secret.
#[utoipa::path(
    post,
    path = "/api/v1/webhooks/stripe",
    tag = "payments",
    params(("Stripe-Signature" = String, Header, description = "t=<unix time>,v1=<HMAC-SHA256>")),
    request_body(content = String, content_type = "application/json"),
    responses(
        (status = 200, body = WebhookAckJson),
        (status = "4XX", body = Problem, content_type = "application/problem+json"),
        (status = "5XX", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn stripe(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<WebhookAckJson>, ApiError> {
    receive(&state, ProviderName::Stripe, &headers, &body).await
}

/// PayPal events (`PAYMENT.CAPTURE.COMPLETED`, `CHECKOUT.ORDER.APPROVED`, ...), verified
/// through PayPal's verify-webhook-signature API.
#[utoipa::path(
    post,
    path = "/api/v1/webhooks/paypal",
    tag = "payments",
    request_body(content = String, content_type = "application/json"),
    responses(
        (status = 200, body = WebhookAckJson),
        (status = "4XX", body = Problem, content_type = "application/problem+json"),
        (status = "5XX", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn paypal(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<WebhookAckJson>, ApiError> {
    receive(&state, ProviderName::Paypal, &headers, &body).await
}
