//! Extractors: JSON bodies, query strings and paths whose rejections are problem+json, and the
//! caller's identity.

use axum::extract::{FromRef, FromRequest, FromRequestParts, Path, Query};
use axum::http::{header, request::Parts, Method};
use axum::Json;
use serde::de::DeserializeOwned;
use serde_json::Value;
use simrenew_app::identity::sessions::csrf_matches;
use simrenew_domain::access::{Denied, Principal};

use crate::error::ApiError;
use crate::state::AppState;

/// A JSON request body of type `T` ([`RequestBody`]): a JSON object, each of whose texts is
/// within its field's bound. Every refusal is a problem+json naming the field (`body` for a
/// body that is not an object).
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiJson<T>(pub T);

/// What every request body type declares: how long each of its texts may be. serde takes a
/// JSON array for a struct (its fields in order), so the shape is checked here first: only
/// objects stand for objects, and no array is taken outside the fields declared [`RAW`](
/// RequestBody::RAW).
pub trait RequestBody: DeserializeOwned {
    /// The longest text, in characters, of each field (a dotted path: `amount.currency`); a
    /// field not named takes [`TEXT_LIMIT`].
    const TEXT_LIMITS: &'static [(&'static str, usize)];
    /// Fields taken as JSON of their own shape (a WebAuthn credential), with the bound of every
    /// text inside them.
    const RAW: &'static [(&'static str, usize)] = &[];
}

/// The bound of a text field a request type does not name.
pub const TEXT_LIMIT: usize = 255;

impl<T, S> FromRequest<S> for ApiJson<T>
where
    T: RequestBody,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, ApiError> {
        let Json(value) = Json::<Value>::from_request(req, state).await?;
        if !value.is_object() {
            return Err(ApiError::invalid(
                "body",
                "the body must be a JSON object ({\"field\": value, ...})",
            ));
        }
        check_shape::<T>(&value, "")?;
        serde_path_to_error::deserialize(value)
            .map(ApiJson)
            .map_err(|e| {
                let path = e.path().to_string();
                let message = e.inner().to_string();
                let named = crate::error::field_of(&message);
                let field = match (path.as_str(), named) {
                    (".", Some(f)) => f,
                    (".", None) => "body".to_owned(),
                    // A missing field is reported at its parent's path, every other error
                    // at the field's own.
                    (p, Some(f)) if message.starts_with("missing field") => format!("{p}.{f}"),
                    (p, _) => p.to_owned(),
                };
                let detail = if path == "." {
                    message
                } else {
                    format!("{path}: {message}")
                };
                ApiError::invalid(&field, detail)
            })
    }
}

/// Refuses an array outside a raw field, and a text longer than its field's bound.
fn check_shape<T: RequestBody>(value: &Value, path: &str) -> Result<(), ApiError> {
    match value {
        Value::Object(fields) => {
            for (name, v) in fields {
                let child = if path.is_empty() {
                    name.clone()
                } else {
                    format!("{path}.{name}")
                };
                match T::RAW.iter().find(|(f, _)| *f == child) {
                    Some((_, limit)) => check_raw(v, &child, *limit)?,
                    None => check_shape::<T>(v, &child)?,
                }
            }
            Ok(())
        }
        Value::Array(_) => Err(ApiError::invalid(
            path,
            format!("{path} must be a JSON object or a single value, not an array"),
        )),
        Value::String(text) => {
            let limit = T::TEXT_LIMITS
                .iter()
                .find(|(f, _)| *f == path)
                .map_or(TEXT_LIMIT, |(_, l)| *l);
            if text.chars().count() > limit {
                return Err(ApiError::invalid(
                    path,
                    format!("{path} must be at most {limit} characters"),
                ));
            }
            Ok(())
        }
        Value::Null | Value::Bool(_) | Value::Number(_) => Ok(()),
    }
}

/// Every text inside a raw field within `limit` characters.
fn check_raw(value: &Value, field: &str, limit: usize) -> Result<(), ApiError> {
    match value {
        Value::Object(m) => m.values().try_for_each(|v| check_raw(v, field, limit)),
        Value::Array(a) => a.iter().try_for_each(|v| check_raw(v, field, limit)),
        Value::String(t) if t.chars().count() > limit => Err(ApiError::invalid(
            field,
            format!("a text in {field} is longer than {limit} characters"),
        )),
        _ => Ok(()),
    }
}

/// A body that may be left out: `None` when the request has no `Content-Type`, else read as
/// [`ApiJson`] reads a body.
impl<T, S> axum::extract::OptionalFromRequest<S> for ApiJson<T>
where
    T: RequestBody,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(
        req: axum::extract::Request,
        state: &S,
    ) -> Result<Option<Self>, Self::Rejection> {
        if !req.headers().contains_key(header::CONTENT_TYPE) {
            return Ok(None);
        }
        <Self as FromRequest<S>>::from_request(req, state)
            .await
            .map(Some)
    }
}

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
        // Authenticated already by the idempotency layer, which needs the principal first.
        if let Some(caller) = parts.extensions.get::<Caller>() {
            return Ok(caller.clone());
        }
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
