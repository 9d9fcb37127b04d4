//! `Idempotency-Key` on every mutating call: the same key with the same request replays the
//! first answer; the same key with another request is a 422; a key whose first request is
//! still running is a 409.
//!
//! The key is scoped to the credential that sent it, so that two callers cannot see each
//! other's answers. A request that failed on our side (5xx) or was not authenticated forgets
//! its key, so that it can be retried.

use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use simrenew_app::idempotency::IdempotencyBegin;

use crate::error::ApiError;
use crate::state::AppState;
use crate::MAX_BODY_BYTES;

pub const HEADER: &str = "idempotency-key";

pub async fn layer(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if req.method() != Method::POST {
        return next.run(req).await;
    }
    let Some(key) = req.headers().get(HEADER) else {
        return next.run(req).await;
    };
    let key = match key.to_str() {
        Ok(k) if !k.is_empty() && k.len() <= 255 && k.is_ascii() => k.to_owned(),
        _ => {
            return ApiError::bad_request("Idempotency-Key must be 1 to 255 ASCII characters")
                .with_field("Idempotency-Key")
                .into_response()
        }
    };
    let scope = hex::encode(
        &Sha256::digest(
            req.headers()
                .get(header::AUTHORIZATION)
                .map(HeaderValue::as_bytes)
                .unwrap_or_default(),
        )[..16],
    );
    let (parts, body) = req.into_parts();
    let bytes = match to_bytes(body, MAX_BODY_BYTES).await {
        Ok(b) => b,
        Err(_) => {
            return ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "too-large",
                "Body too large",
                format!("the body is larger than {MAX_BODY_BYTES} bytes"),
            )
            .into_response()
        }
    };
    let mut hasher = Sha256::new();
    hasher.update(parts.method.as_str());
    hasher.update(b" ");
    hasher.update(parts.uri.path());
    hasher.update(b"\n");
    hasher.update(&bytes);
    let hash = hex::encode(hasher.finalize());

    let store = &state.app.store;
    let begin = store
        .idempotency_begin(&scope, &key, &hash, state.app.now())
        .await;
    match begin {
        Err(e) => return ApiError::from(simrenew_app::AppError::from(e)).into_response(),
        Ok(IdempotencyBegin::Mismatch) => {
            return ApiError::invalid(
                "Idempotency-Key",
                "this Idempotency-Key was used with another request; use a new key",
            )
            .into_response()
        }
        Ok(IdempotencyBegin::InProgress) => {
            return ApiError::new(
                StatusCode::CONFLICT,
                "in-progress",
                "Request in progress",
                "the first request with this Idempotency-Key is still running; retry shortly",
            )
            .with_field("Idempotency-Key")
            .into_response()
        }
        Ok(IdempotencyBegin::Replay { status, body }) => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
            let content_type = if status.is_success() {
                "application/json"
            } else {
                "application/problem+json"
            };
            return (
                status,
                [
                    (header::CONTENT_TYPE, content_type),
                    (
                        header::HeaderName::from_static("idempotent-replayed"),
                        "true",
                    ),
                ],
                body,
            )
                .into_response();
        }
        Ok(IdempotencyBegin::Started) => {}
    }

    let response = next
        .run(Request::from_parts(parts, Body::from(bytes)))
        .await;
    let status = response.status();
    if status.is_server_error()
        || status == StatusCode::UNAUTHORIZED
        || status == StatusCode::FORBIDDEN
    {
        if let Err(e) = store.idempotency_forget(&scope, &key).await {
            tracing::error!(error = %e, "could not release an idempotency key");
        }
        return response;
    }
    let (parts, body) = response.into_parts();
    let bytes = match to_bytes(body, usize::MAX).await {
        Ok(b) => b,
        Err(e) => {
            tracing::error!(error = %e, "could not read a response to keep it");
            return ApiError::internal().into_response();
        }
    };
    let text = String::from_utf8_lossy(&bytes);
    if let Err(e) = store
        .idempotency_finish(&scope, &key, status.as_u16(), &text)
        .await
    {
        tracing::error!(error = %e, "could not keep the answer of an idempotent request");
    }
    Response::from_parts(parts, Body::from(bytes))
}
