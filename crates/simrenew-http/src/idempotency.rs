//! `Idempotency-Key` on every mutating call: the same key with the same request from the same
//! principal answers the first answer again; the same key with another request is a 422; a
//! key whose first request is still running is a 409.
//!
//! The caller is authenticated before anything else: keys are kept per principal (the
//! subscriber, the staff member, the partner's API key), and a request without valid
//! credentials is never answered from a kept answer — it runs as if it had no key, and is
//! refused by its handler. Answers are kept sealed (see `simrenew_app::idempotency`).
//!
//! The request runs under its attempt (a task-local read by the store), so that the effect it
//! commits marks the key in the same transaction. A retry after a crash finds either the
//! answer, or the effect (an order: answered as `GET /api/v1/orders/{id}` would), or nothing,
//! and then runs once the lease of the attempt that died has lapsed (at most
//! [`LEASE`](simrenew_app::idempotency::LEASE)). A request that failed on our side (5xx) or
//! was refused (401, 403) lets its key go, so that it can be retried.

use axum::body::{to_bytes, Body};
use axum::extract::{FromRequestParts, Request, State};
use axum::http::{header, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use simrenew_app::idempotency::{IdempotencyBegin, ATTEMPT, LEASE};

use crate::error::ApiError;
use crate::extract::Caller;
use crate::lease::Heartbeat;
use crate::state::AppState;
use crate::MAX_BODY_BYTES;

pub const HEADER: &str = "idempotency-key";

/// Routes whose answers carry a secret shown once (a TOTP seed, recovery codes, a session
/// token): kept only sealed, never in clear.
const SECRET_ANSWERS: [&str; 5] = [
    "/api/v1/auth/totp",
    "/api/v1/auth/totp/confirmation",
    "/api/v1/auth/sessions",
    "/api/v1/auth/staff-sessions",
    "/api/v1/auth/passkeys/sign-ins/",
];

fn carries_secret(path: &str) -> bool {
    SECRET_ANSWERS
        .iter()
        .any(|p| path == *p || (p.ends_with('/') && path.starts_with(p)))
}

pub async fn layer(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if req.method() != Method::POST {
        return next.run(req).await;
    }
    let Some(key) = req.headers().get(HEADER) else {
        return next.run(req).await;
    };
    let key = match key.to_str() {
        Ok(k)
            if !k.is_empty()
                && k.len() <= 255
                && k.bytes().all(|b| b.is_ascii_graphic() || b == b' ') =>
        {
            k.to_owned()
        }
        _ => {
            return ApiError::bad_request(
                "Idempotency-Key must be 1 to 255 visible ASCII characters",
            )
            .with_field("Idempotency-Key")
            .into_response()
        }
    };
    let (mut parts, body) = req.into_parts();
    // Who is asking comes first: no kept answer is given to anyone but its principal.
    let caller = match Caller::from_request_parts(&mut parts, &state).await {
        Ok(caller) => caller,
        Err(_) => return next.run(Request::from_parts(parts, body)).await,
    };
    parts.extensions.insert(caller.clone());
    let scope = caller.0.label();
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
    hasher.update(
        parts
            .uri
            .path_and_query()
            .map(|p| p.as_str())
            .unwrap_or_default(),
    );
    hasher.update(b"\n");
    hasher.update(&bytes);
    let hash = hex::encode(hasher.finalize());
    let path = parts.uri.path().to_owned();

    let attempt = match state.app.idempotency_begin(&scope, &key, &hash).await {
        Err(e) => return ApiError::from(e).into_response(),
        Ok(IdempotencyBegin::Started(attempt)) => attempt,
        Ok(IdempotencyBegin::Mismatch) => {
            return ApiError::invalid(
                "Idempotency-Key",
                "this Idempotency-Key was used with another request; use a new key",
            )
            .into_response()
        }
        Ok(IdempotencyBegin::InProgress) => {
            let mut r = ApiError::new(
                StatusCode::CONFLICT,
                "in-progress",
                "Request in progress",
                "the first request with this Idempotency-Key is still running; retry shortly",
            )
            .with_field("Idempotency-Key")
            .into_response();
            if let Ok(v) = LEASE.as_secs().to_string().parse() {
                r.headers_mut().insert(header::RETRY_AFTER, v);
            }
            return r;
        }
        Ok(IdempotencyBegin::AnswerNotKept) => {
            return ApiError::new(
                StatusCode::CONFLICT,
                "answer-not-kept",
                "Answer not kept",
                "the first request with this Idempotency-Key succeeded; its answer carried a \
                 secret that is shown once and was not kept",
            )
            .with_field("Idempotency-Key")
            .into_response()
        }
        Ok(IdempotencyBegin::Replay { status, body }) => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
            return replayed(status, body);
        }
        Ok(IdempotencyBegin::Recover { effect }) => {
            return recover(&state, &caller, &path, &effect).await;
        }
    };

    let response = {
        let _heartbeat = Heartbeat::start(&state.app, &attempt);
        ATTEMPT
            .scope(
                attempt.clone(),
                next.run(Request::from_parts(parts, Body::from(bytes))),
            )
            .await
    };
    let status = response.status();
    if status.is_server_error()
        || status == StatusCode::UNAUTHORIZED
        || status == StatusCode::FORBIDDEN
    {
        if let Err(e) = state.app.idempotency_release(&attempt).await {
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
    if let Err(e) = state
        .app
        .idempotency_finish(&attempt, status.as_u16(), &text, carries_secret(&path))
        .await
    {
        tracing::error!(error = %e, "could not keep the answer of an idempotent request");
    }
    Response::from_parts(parts, Body::from(bytes))
}

fn replayed(status: StatusCode, body: impl Into<Body>) -> Response {
    let content_type = if status.is_success() {
        "application/json"
    } else {
        "application/problem+json"
    };
    (
        status,
        [
            (header::CONTENT_TYPE, content_type),
            (
                header::HeaderName::from_static("idempotent-replayed"),
                "true",
            ),
        ],
        body.into(),
    )
        .into_response()
}

/// The answer to a retry whose first attempt committed `effect` but stopped before its answer
/// was kept. Requests that answer an order are answered with the order as it stands; others
/// are told what was done and where to read it.
async fn recover(state: &AppState, caller: &Caller, path: &str, effect: &str) -> Response {
    let answers_order = path == "/api/v1/orders"
        || (path.starts_with("/api/v1/orders/")
            && (path.ends_with("/payment") || path.ends_with("/store-payments")));
    let order = effect
        .strip_prefix("order:")
        .and_then(|id| id.parse::<i64>().ok());
    if let (true, Some(id)) = (answers_order, order) {
        return match crate::api::orders::order_answer(state, &caller.0, id).await {
            Ok(order) => {
                let status = if path == "/api/v1/orders" {
                    StatusCode::CREATED
                } else {
                    StatusCode::OK
                };
                match serde_json::to_vec(&order) {
                    Ok(body) => replayed(status, body),
                    Err(_) => ApiError::internal().into_response(),
                }
            }
            Err(e) => e.into_response(),
        };
    }
    ApiError::new(
        StatusCode::CONFLICT,
        "already-done",
        "Already done",
        format!(
            "the first request with this Idempotency-Key took effect ({effect}) but stopped \
             before its answer was kept; read the result instead of repeating the request"
        ),
    )
    .with_field("Idempotency-Key")
    .into_response()
}
