//! Extractors: JSON bodies, query strings and paths whose rejections are problem+json, and the
//! caller's identity.

use axum::extract::{FromRef, FromRequest, FromRequestParts, Path, Query};
use axum::http::{header, request::Parts, Method};
use axum::Json;
use simrenew_app::identity::sessions::csrf_matches;
use simrenew_domain::access::{Denied, Principal};

use crate::error::ApiError;
use crate::state::AppState;

/// `Json<T>` whose rejection names the bad field in a problem+json body.
#[derive(Debug, Clone, Copy, Default, FromRequest)]
#[from_request(via(Json), rejection(ApiError))]
pub struct ApiJson<T>(pub T);

/// `Query<T>` with problem+json rejections.
#[derive(Debug, Clone, Copy, Default, FromRequestParts)]
#[from_request(via(Query), rejection(ApiError))]
pub struct ApiQuery<T>(pub T);

/// `Path<T>` with problem+json rejections.
#[derive(Debug, Clone, Copy, Default, FromRequestParts)]
#[from_request(via(Path), rejection(ApiError))]
pub struct ApiPath<T>(pub T);

/// The authenticated caller: the principal behind `Authorization: Bearer <API key>`.
/// Handlers ask the principal (`simrenew_domain::access`) before acting, and answer a refusal
/// through [`denied`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller(pub Principal);

impl<S> FromRequestParts<S> for Caller
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let state = AppState::from_ref(state);
        if let Some(auth) = parts.headers.get(header::AUTHORIZATION) {
            let token = bearer(auth).ok_or_else(ApiError::unauthorized)?;
            return match state.app.authenticate(token).await? {
                Some(principal) => Ok(Caller(principal)),
                None => Err(ApiError::unauthorized()),
            };
        }
        // A browser's session: the cookie, and on anything but a read the CSRF token too.
        let token = session_cookie(&parts.headers).ok_or_else(ApiError::unauthorized)?;
        let session = state
            .app
            .session(token)
            .await?
            .ok_or_else(ApiError::unauthorized)?;
        if !matches!(parts.method, Method::GET | Method::HEAD) {
            let sent = parts
                .headers
                .get(CSRF_HEADER)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default();
            if !csrf_matches(sent, &session.csrf_hash) {
                return Err(ApiError::new(
                    axum::http::StatusCode::FORBIDDEN,
                    "csrf",
                    "Missing or wrong CSRF token",
                    "send the csrf_token given at sign-in in the X-CSRF-Token header",
                )
                .with_field(CSRF_HEADER));
            }
        }
        Ok(Caller(session.principal))
    }
}

/// The secret the caller authenticated with: the bearer API key, or else the session cookie.
pub fn credential(headers: &axum::http::HeaderMap) -> Option<&str> {
    match headers.get(header::AUTHORIZATION) {
        Some(auth) => bearer(auth),
        None => session_cookie(headers),
    }
}

/// The token of an `Authorization: Bearer <token>` header.
fn bearer(auth: &axum::http::HeaderValue) -> Option<&str> {
    auth.to_str()
        .ok()
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty())
}

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "simrenew_session";
/// The header carrying a session's CSRF token.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// The session token from the `Cookie` header, if any.
pub fn session_cookie(headers: &axum::http::HeaderMap) -> Option<&str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value)
        .filter(|v| !v.is_empty())
}

/// A refusal as an answer: what may not be seen is "not found", exactly as for something that
/// does not exist, so that ids cannot be probed; what may be seen but not done is 403.
pub fn denied(d: Denied, what: &str) -> ApiError {
    match d {
        Denied::Hidden => ApiError::not_found(what),
        Denied::Forbidden(reason) => ApiError::new(
            axum::http::StatusCode::FORBIDDEN,
            "forbidden",
            "Forbidden",
            reason,
        ),
    }
}
