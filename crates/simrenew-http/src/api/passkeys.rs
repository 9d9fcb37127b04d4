//! Passkeys: a signed-in subscriber adds and removes them; anybody signs in with one.
//!
//! Each ceremony is two calls: the first answers `{ceremony, options}`, where `options` goes
//! to the browser's `navigator.credentials.create` (registration) or `.get` (sign-in, with
//! `mediation: "conditional"` so that the browser offers passkeys in the sign-in form); the
//! second sends the browser's answer, as JSON, to `.../{ceremony}`.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use serde::{Deserialize, Serialize};
use simrenew_app::identity::passkeys::{
    Ceremony, PasskeyInfo, PublicKeyCredential, RegisterPublicKeyCredential,
};
use simrenew_domain::access::Principal;
use simrenew_domain::ids::{PasskeyId, SubscriberId};
use utoipa::ToSchema;

use super::auth::session_response;
use super::wire::rfc3339;
use crate::error::{ApiError, Problem};
use crate::extract::{ApiJson, ApiPath, Caller};
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct CeremonyJson {
    /// Send the browser's answer to this ceremony's URL within 5 minutes; it works once.
    pub ceremony: String,
    /// For `navigator.credentials.create` (registration) or `.get` (sign-in), with its binary
    /// fields in base64url.
    #[schema(value_type = Object)]
    pub options: serde_json::Value,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegistrationJson {
    /// The `PublicKeyCredential` that `navigator.credentials.create` gave, as JSON
    /// (`credential.toJSON()`).
    #[schema(value_type = Object)]
    pub credential: serde_json::Value,
    /// What to call the passkey ("Phone"); a dated name when left out.
    #[schema(example = "Phone")]
    pub label: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasskeySignInJson {
    /// The `PublicKeyCredential` that `navigator.credentials.get` gave, as JSON.
    #[schema(value_type = Object)]
    pub credential: serde_json::Value,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PasskeyJson {
    pub id: i64,
    pub label: String,
    pub created_at: String,
    /// The last sign-in with it, if any.
    pub last_used_at: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PasskeysJson {
    pub passkeys: Vec<PasskeyJson>,
}

fn passkey_json(p: &PasskeyInfo) -> PasskeyJson {
    let utc = simrenew_domain::TimeZone::UTC;
    PasskeyJson {
        id: p.id.0,
        label: p.label.clone(),
        created_at: rfc3339(p.created_at, &utc),
        last_used_at: p.last_used_at.map(|t| rfc3339(t, &utc)),
    }
}

fn ceremony_json<T: Serialize>(c: Ceremony<T>) -> Result<CeremonyJson, ApiError> {
    Ok(CeremonyJson {
        ceremony: c.id,
        options: serde_json::to_value(&c.options).map_err(|_| ApiError::internal())?,
    })
}

/// The browser's answer, read into WebAuthn's shape; a bad one names `credential`.
fn credential<T: serde::de::DeserializeOwned>(value: serde_json::Value) -> Result<T, ApiError> {
    serde_json::from_value(value).map_err(|e| {
        ApiError::invalid(
            "credential",
            format!("credential: not a WebAuthn public key credential ({e})"),
        )
    })
}

/// Passkeys belong to subscribers; staff and partner keys have none.
fn subscriber(caller: &Principal) -> Result<SubscriberId, ApiError> {
    match caller {
        Principal::Subscriber { subscriber } => Ok(*subscriber),
        _ => Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "Forbidden",
            "passkeys are for subscribers: sign in as one",
        )),
    }
}

/// Starts adding a passkey to the signed-in subscriber's account.
#[utoipa::path(
    post,
    path = "/api/v1/auth/passkeys/registrations",
    tag = "auth",
    security(("session" = [])),
    responses(
        (status = 201, body = CeremonyJson),
        (status = "4XX", body = Problem, content_type = "application/problem+json"),
        (status = "5XX", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn start_registration(
    State(state): State<AppState>,
    Caller(caller): Caller,
) -> Result<(StatusCode, Json<CeremonyJson>), ApiError> {
    let subscriber = subscriber(&caller)?;
    let ceremony = state.app.start_passkey_registration(subscriber).await?;
    Ok((StatusCode::CREATED, Json(ceremony_json(ceremony)?)))
}

/// Finishes adding a passkey with the browser's answer.
#[utoipa::path(
    post,
    path = "/api/v1/auth/passkeys/registrations/{ceremony}",
    tag = "auth",
    params(("ceremony" = String, Path, description = "From the registration's start")),
    request_body = RegistrationJson,
    security(("session" = [])),
    responses(
        (status = 201, body = PasskeyJson),
        (status = "4XX", body = Problem, content_type = "application/problem+json"),
        (status = "5XX", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn finish_registration(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(ceremony): ApiPath<String>,
    ApiJson(body): ApiJson<RegistrationJson>,
) -> Result<(StatusCode, Json<PasskeyJson>), ApiError> {
    let subscriber = subscriber(&caller)?;
    let credential: RegisterPublicKeyCredential = credential(body.credential)?;
    let passkey = state
        .app
        .finish_passkey_registration(subscriber, &ceremony, &credential, body.label.as_deref())
        .await?;
    Ok((StatusCode::CREATED, Json(passkey_json(&passkey))))
}

/// The signed-in subscriber's passkeys.
#[utoipa::path(
    get,
    path = "/api/v1/auth/passkeys",
    tag = "auth",
    security(("session" = [])),
    responses(
        (status = 200, body = PasskeysJson),
        (status = "4XX", body = Problem, content_type = "application/problem+json"),
        (status = "5XX", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    Caller(caller): Caller,
) -> Result<Json<PasskeysJson>, ApiError> {
    let subscriber = subscriber(&caller)?;
    let passkeys = state.app.passkeys(subscriber).await?;
    Ok(Json(PasskeysJson {
        passkeys: passkeys.iter().map(passkey_json).collect(),
    }))
}

/// Removes one of the signed-in subscriber's passkeys: it no longer signs in.
#[utoipa::path(
    delete,
    path = "/api/v1/auth/passkeys/{id}",
    tag = "auth",
    params(("id" = i64, Path, description = "Passkey id")),
    security(("session" = [])),
    responses(
        (status = 204),
        (status = "4XX", body = Problem, content_type = "application/problem+json"),
        (status = "5XX", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn remove(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<i64>,
) -> Result<StatusCode, ApiError> {
    let subscriber = subscriber(&caller)?;
    state.app.remove_passkey(subscriber, PasskeyId(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Starts a passkey sign-in; no number is needed, the passkey says whose it is.
#[utoipa::path(
    post,
    path = "/api/v1/auth/passkeys/sign-ins",
    tag = "auth",
    responses(
        (status = 201, body = CeremonyJson),
        (status = "4XX", body = Problem, content_type = "application/problem+json"),
        (status = "5XX", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn start_sign_in(
    State(state): State<AppState>,
    super::auth::ClientAddr(client): super::auth::ClientAddr,
) -> Result<(StatusCode, Json<CeremonyJson>), ApiError> {
    let ceremony = state.app.start_passkey_sign_in(&client).await?;
    Ok((StatusCode::CREATED, Json(ceremony_json(ceremony)?)))
}

/// Signs in with the browser's answer: sets the session cookie like `POST /api/v1/auth/sessions`.
/// A passkey checks its user itself, so no authenticator app code is asked for.
#[utoipa::path(
    post,
    path = "/api/v1/auth/passkeys/sign-ins/{ceremony}",
    tag = "auth",
    params(("ceremony" = String, Path, description = "From the sign-in's start")),
    request_body = PasskeySignInJson,
    responses(
        (status = 201, body = super::auth::SessionJson),
        (status = "4XX", body = Problem, content_type = "application/problem+json"),
        (status = "5XX", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn finish_sign_in(
    State(state): State<AppState>,
    ApiPath(ceremony): ApiPath<String>,
    ApiJson(body): ApiJson<PasskeySignInJson>,
) -> Result<Response, ApiError> {
    let credential: PublicKeyCredential = credential(body.credential)?;
    let grant = state
        .app
        .finish_passkey_sign_in(&ceremony, &credential)
        .await?;
    session_response(&state, grant)
}
