//! The single place where errors become HTTP status codes and `application/problem+json`
//! bodies (RFC 9457).
//!
//! Handlers return [`ApiError`]; use cases' [`AppError`]s convert into it here. A 5xx never
//! shows its cause to the caller: the cause is logged once, here, and the body says only that
//! something failed.

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use simrenew_app::payments::providers::{ProviderError, WebhookError};
use simrenew_app::{AppError, StoreError};
use simrenew_domain::DomainError;
use utoipa::ToSchema;

/// An error answer: `application/problem+json`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem.
    #[serde(rename = "type")]
    #[schema(example = "https://simrenew.org/problems/invalid-field")]
    pub kind: String,
    #[schema(example = "Invalid field")]
    pub title: String,
    #[schema(example = 422)]
    pub status: u16,
    #[schema(example = "msisdn: must start with +, country code, then the number")]
    pub detail: String,
    /// The request field at fault, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "msisdn")]
    pub field: Option<String>,
}

#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    pub slug: &'static str,
    pub title: &'static str,
    pub detail: String,
    pub field: Option<String>,
}

impl ApiError {
    pub fn new(
        status: StatusCode,
        slug: &'static str,
        title: &'static str,
        detail: impl Into<String>,
    ) -> Self {
        Self {
            status,
            slug,
            title,
            detail: detail.into(),
            field: None,
        }
    }

    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    /// 422: a field's value is not acceptable.
    pub fn invalid(field: &str, detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid-field",
            "Invalid field",
            detail,
        )
        .with_field(field)
    }

    /// 400: the request itself is malformed (not JSON, missing header).
    pub fn bad_request(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "bad-request",
            "Bad request",
            detail,
        )
    }

    pub fn not_found(what: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "not-found",
            "Not found",
            format!("no such {what}"),
        )
    }

    pub fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "Unauthorized",
            "send Authorization: Bearer <token>",
        )
    }

    pub fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "Internal error",
            "something failed on our side; nothing was changed, try again",
        )
    }

    pub fn problem(&self) -> Problem {
        Problem {
            kind: format!("https://simrenew.org/problems/{}", self.slug),
            title: self.title.to_owned(),
            status: self.status.as_u16(),
            detail: self.detail.clone(),
            field: self.field.clone(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::to_vec(&self.problem()).unwrap_or_default();
        let mut res = (self.status, body).into_response();
        res.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        res
    }
}

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        match e {
            AppError::Domain(d) => domain(d),
            AppError::NotFound { what, field } => {
                let err = ApiError::not_found(what);
                match field {
                    Some(f) => err.with_field(f),
                    None => err,
                }
            }
            AppError::Conflict { field, message } => {
                let err = ApiError::new(StatusCode::CONFLICT, "conflict", "Conflict", message);
                match field {
                    Some(f) => err.with_field(f),
                    None => err,
                }
            }
            AppError::Store(StoreError::Conflict { constraint }) => {
                tracing::warn!(constraint, "write refused by a constraint");
                ApiError::new(
                    StatusCode::CONFLICT,
                    "conflict",
                    "Conflict",
                    format!("this would duplicate an existing record ({constraint})"),
                )
            }
            AppError::Store(StoreError::Unavailable(cause)) => {
                tracing::error!(%cause, "database unavailable");
                ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "unavailable",
                    "Service unavailable",
                    "the database is busy or unreachable; nothing was changed, try again",
                )
            }
            AppError::Store(StoreError::Internal(cause)) => {
                tracing::error!(%cause, "database error");
                ApiError::internal()
            }
            AppError::RateLimited { retry_after_secs } => ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "rate-limited",
                "Too many requests",
                format!("too many requests; try again in {retry_after_secs} seconds"),
            ),
            AppError::Unauthenticated { field, message } => ApiError::new(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "Unauthorized",
                message,
            )
            .with_field(field),
            AppError::Provider(e) => provider(e),
            AppError::Webhook(WebhookError::Provider(e)) => provider(e),
            AppError::Webhook(e) => {
                tracing::warn!(cause = %e, "webhook refused");
                ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "bad-webhook",
                    "Webhook not accepted",
                    "the delivery's signature or body was not accepted; nothing was changed",
                )
            }
        }
    }
}

/// A payment provider's failure: 402 when it refused (a declined card), 503 when it could not
/// be reached (the outcome is unknown and a retry is safe), 502 otherwise. Details are logged.
fn provider(e: ProviderError) -> ApiError {
    match e {
        ProviderError::Refused { provider, detail } => {
            tracing::info!(%provider, %detail, "payment refused by the provider");
            ApiError::new(
                StatusCode::PAYMENT_REQUIRED,
                "payment-refused",
                "Payment refused",
                format!("{provider} refused the payment"),
            )
        }
        ProviderError::AuthenticationRequired { provider } => ApiError::new(
            StatusCode::PAYMENT_REQUIRED,
            "authentication-required",
            "Authentication required",
            format!("{provider}: the bank asks the card holder to confirm this payment; pay with the customer present"),
        ),
        ProviderError::Unavailable { provider, detail } => {
            tracing::error!(%provider, %detail, "payment provider unavailable");
            ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "provider-unavailable",
                "Payment provider unavailable",
                format!("{provider} did not answer; try again, you will not be charged twice"),
            )
        }
        ProviderError::NotConfigured { provider } => ApiError::new(
            StatusCode::CONFLICT,
            "conflict",
            "Conflict",
            format!("{provider} payments are not offered here"),
        )
        .with_field("method"),
        ProviderError::Protocol { provider, detail } => {
            tracing::error!(%provider, %detail, "payment provider answered unexpectedly");
            ApiError::new(
                StatusCode::BAD_GATEWAY,
                "provider-error",
                "Payment provider error",
                format!("{provider} answered unexpectedly; try again"),
            )
        }
    }
}

/// Rules that say no: 409 when the state of things refuses (a used voucher, a line that
/// cannot be renewed, too little credit), 422 when the input cannot be sold as asked.
fn domain(e: DomainError) -> ApiError {
    let field = e.field();
    let detail = e.to_string();
    let err = match &e {
        DomainError::LineNotRenewable { .. }
        | DomainError::VoucherUsed { .. }
        | DomainError::VoucherExpired { .. }
        | DomainError::AddOnWithoutBundle
        | DomainError::AutoRenewStopped(_) => {
            ApiError::new(StatusCode::CONFLICT, "conflict", "Conflict", detail)
        }
        DomainError::InsufficientCredit { .. } => ApiError::new(
            StatusCode::PAYMENT_REQUIRED,
            "insufficient-credit",
            "Credit too low",
            detail,
        ),
        DomainError::Money(_) | DomainError::TimeOutOfRange => ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "out-of-range",
            "Out of range",
            detail,
        ),
        _ => ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid-field",
            "Invalid field",
            detail,
        ),
    };
    match field {
        Some(f) => err.with_field(f),
        None => err,
    }
}

impl From<JsonRejection> for ApiError {
    fn from(r: JsonRejection) -> Self {
        match r {
            JsonRejection::JsonDataError(e) => {
                // "Failed to deserialize the JSON body into the target type: periods: invalid
                // type ..." — the path before the colon names the field.
                let text = e.body_text();
                let detail = text
                    .split_once("target type: ")
                    .map_or(text.as_str(), |(_, rest)| rest)
                    .to_owned();
                let field = field_of(&detail);
                let err = ApiError::invalid("body", detail);
                match field {
                    Some(f) => err.with_field(f),
                    None => err,
                }
            }
            JsonRejection::MissingJsonContentType(_) => {
                ApiError::bad_request("send the body as JSON with Content-Type: application/json")
            }
            JsonRejection::JsonSyntaxError(e) => {
                ApiError::bad_request(format!("the body is not valid JSON: {}", e.body_text()))
            }
            other if other.status() == StatusCode::PAYLOAD_TOO_LARGE => ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "too-large",
                "Body too large",
                format!("the body is larger than {} bytes", crate::MAX_BODY_BYTES),
            ),
            other => ApiError::bad_request(other.body_text()),
        }
    }
}

/// The field a serde message is about: `periods: invalid type` or `missing field `plan``.
pub(crate) fn field_of(detail: &str) -> Option<String> {
    if let Some(rest) = detail.split("missing field `").nth(1) {
        return rest.split('`').next().map(str::to_owned);
    }
    if let Some(rest) = detail.split("unknown field `").nth(1) {
        return rest.split('`').next().map(str::to_owned);
    }
    let (path, _) = detail.split_once(": ")?;
    (!path.contains(' ') && !path.is_empty()).then(|| path.to_owned())
}

impl From<QueryRejection> for ApiError {
    fn from(r: QueryRejection) -> Self {
        let text = r.body_text();
        let detail = text
            .split_once("query string: ")
            .map_or(text.as_str(), |(_, rest)| rest)
            .to_owned();
        let field = field_of(&detail);
        let err = ApiError::invalid("query", detail);
        match field {
            Some(f) => err.with_field(f),
            None => err,
        }
    }
}

impl From<PathRejection> for ApiError {
    fn from(r: PathRejection) -> Self {
        ApiError::bad_request(r.body_text())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use simrenew_domain::ParseError;

    #[test]
    fn status_codes_are_chosen_here() {
        let cases: Vec<(AppError, u16, Option<&str>)> = vec![
            (
                AppError::from(ParseError::new("msisdn", "bad")),
                422,
                Some("msisdn"),
            ),
            (AppError::not_found("line", "msisdn"), 404, Some("msisdn")),
            (
                AppError::conflict("order_id", "paid"),
                409,
                Some("order_id"),
            ),
            (
                AppError::Domain(DomainError::VoucherUsed { code: "X".into() }),
                409,
                Some("voucher_code"),
            ),
            (
                AppError::Domain(DomainError::InsufficientCredit {
                    needed: simrenew_domain::money::Money::eur(2),
                    available: simrenew_domain::money::Money::eur(1),
                }),
                402,
                Some("payment"),
            ),
            (
                AppError::Store(StoreError::Internal("secret detail".into())),
                500,
                None,
            ),
        ];
        for (err, status, field) in cases {
            let api = ApiError::from(err);
            assert_eq!(api.status.as_u16(), status);
            assert_eq!(api.field.as_deref(), field);
            assert!(!api.detail.contains("secret detail"));
        }
    }

    #[test]
    fn serde_messages_name_their_field() {
        assert_eq!(
            field_of("periods: invalid type: string").as_deref(),
            Some("periods")
        );
        assert_eq!(
            field_of("missing field `plan` at line 1").as_deref(),
            Some("plan")
        );
        assert_eq!(
            field_of("unknown field `foo`, expected").as_deref(),
            Some("foo")
        );
        assert_eq!(field_of("expected value at line 1"), None);
    }
}
