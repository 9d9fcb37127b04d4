//! Errors of the use cases and of the storage port.
//!
//! Which error type goes where:
//! - `simrenew-domain` returns [`DomainError`] and [`ParseError`]: a rule said no.
//! - Store implementations return [`StoreError`]: the database failed or a constraint fired
//!   (a unique violation is turned into [`StoreError::Conflict`] by the store crate).
//! - Use cases return [`AppError`], which wraps both and adds what only a use case knows
//!   (not found, conflicts of state).
//! - Payment adapters return [`ProviderError`] and [`WebhookError`], which [`AppError`] wraps.
//! - Only the HTTP crate turns [`AppError`] into status codes, in one place; only the binary
//!   uses `anyhow`.

use simrenew_domain::order::ProviderName;
use simrenew_domain::{DomainError, ParseError};

pub type StoreResult<T> = Result<T, StoreError>;
pub type AppResult<T> = Result<T, AppError>;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A uniqueness or foreign-key constraint refused the write; `constraint` is its name.
    #[error("constraint {constraint} refused the write")]
    Conflict { constraint: String },
    /// The database could not be reached or is overloaded; the caller may retry.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// Anything else; details are logged by the store, not shown to users.
    #[error("database error: {0}")]
    Internal(String),
}

/// A payment provider's failure, as the `PaymentProvider` port reports it. Defined here, beside
/// [`AppError`] which wraps it, so that the errors import no capability.
#[derive(Debug, thiserror::Error)]
pub enum ProviderError {
    /// Not answering, timing out or failing (5xx) even after retries; the call may or may not
    /// have taken effect, and repeating it with the same idempotency key is safe.
    #[error("{provider} is unavailable: {detail}")]
    Unavailable {
        provider: ProviderName,
        detail: String,
    },
    /// The provider refused the request (declined card, invalid state).
    #[error("{provider} refused: {detail}")]
    Refused {
        provider: ProviderName,
        detail: String,
    },
    /// The provider answered something this adapter cannot read.
    #[error("{provider} answered unexpectedly: {detail}")]
    Protocol {
        provider: ProviderName,
        detail: String,
    },
    /// The card holder must confirm the payment with their bank: an off-session charge (an
    /// automatic renewal) that the bank wants authenticated (Stripe's
    /// `authentication_required`). Nothing was charged.
    #[error("{provider}: the bank asks the card holder to confirm this payment")]
    AuthenticationRequired { provider: ProviderName },
    #[error("{provider} payments are not configured")]
    NotConfigured { provider: ProviderName },
}

/// A webhook delivery that is not accepted.
#[derive(Debug, thiserror::Error)]
pub enum WebhookError {
    /// Missing or wrong signature, or a timestamp outside the tolerance.
    #[error("webhook signature rejected: {0}")]
    BadSignature(String),
    #[error("webhook body not understood: {0}")]
    Malformed(String),
    #[error(transparent)]
    Provider(#[from] ProviderError),
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error(transparent)]
    Domain(#[from] DomainError),
    /// The thing named (`line`, `plan`, `order`, `voucher`, `brand`, `quote`) does not exist.
    #[error("{what} not found")]
    NotFound {
        what: &'static str,
        field: Option<&'static str>,
    },
    /// The request is well-formed but clashes with the current state.
    #[error("{message}")]
    Conflict {
        field: Option<&'static str>,
        message: String,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Too many requests of this kind; retry after this many seconds.
    #[error("too many requests; retry in {retry_after_secs} seconds")]
    RateLimited { retry_after_secs: i64 },
    /// A credential (code, session) was refused.
    #[error("{message}")]
    Unauthenticated {
        field: &'static str,
        message: String,
    },
    /// A payment provider failed or refused.
    #[error(transparent)]
    Provider(#[from] ProviderError),
    /// A webhook delivery was not accepted (bad signature, unreadable body).
    #[error(transparent)]
    Webhook(#[from] WebhookError),
}

impl From<ParseError> for AppError {
    fn from(e: ParseError) -> Self {
        AppError::Domain(DomainError::Parse(e))
    }
}

impl AppError {
    pub fn not_found(what: &'static str, field: &'static str) -> Self {
        AppError::NotFound {
            what,
            field: Some(field),
        }
    }

    pub fn conflict(field: &'static str, message: impl Into<String>) -> Self {
        AppError::Conflict {
            field: Some(field),
            message: message.into(),
        }
    }
}
