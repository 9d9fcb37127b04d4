//! What every form carries: the CSRF token, and on forms that buy something a one-time token,
//! so that a double submit (a double click, a reload, the back button) never orders twice.
//!
//! The one-time token is an idempotency key like the API's `Idempotency-Key`, scoped to the
//! signed-in principal: the first submit does the work and keeps where it led; a repeat is
//! sent there again (to the order it placed, when the first stopped before saying so); a
//! repeat while the first is still running is told to wait.

use std::future::Future;

use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use simrenew_app::idempotency::{IdempotencyBegin, ATTEMPT};
use simrenew_app::identity::sessions::csrf_matches;

use super::page::Page;
use crate::state::AppState;

/// Whether a form's CSRF token is the page's: the session's token when signed in, else the
/// browser's form cookie.
pub fn csrf_ok(page: &Page, sent: &str) -> bool {
    match &page.session {
        Some(s) => csrf_matches(sent.trim(), &s.csrf_hash),
        None => !page.csrf.is_empty() && same(sent.trim(), &page.csrf),
    }
}

/// Equal strings, compared in time that does not depend on where they differ.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |d, (x, y)| d | (x ^ y)) == 0
}

/// A new one-time token for a form.
pub fn one_time_token() -> String {
    super::cookies::random_token()
}

/// Runs `action` once for this one-time `token`: `action` answers where to send the browser
/// (a 303), or a page to show (a refusal, after which the token may be used again).
/// `fingerprint` names what the form asks, so that a token cannot be reused for something
/// else.
pub async fn once<F, Fut>(
    state: &AppState,
    page: &Page,
    token: &str,
    fingerprint: &str,
    action: F,
) -> Response
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = Result<String, Response>>,
{
    let token = token.trim();
    if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return super::error_page(
            page,
            axum::http::StatusCode::BAD_REQUEST,
            "error-form-expired",
        )
        .into_response();
    }
    // Kept per signed-in principal; before sign-in, per the browser's form cookie.
    let scope = match &page.session {
        Some(s) => s.principal.label(),
        None => format!(
            "web:{}",
            hex::encode(&Sha256::digest(page.csrf.as_bytes())[..16])
        ),
    };
    let hash = hex::encode(Sha256::digest(fingerprint.as_bytes()));
    let app = &state.app;
    match app.idempotency_begin(&scope, token, &hash).await {
        Err(e) => super::app_error_page(page, &e),
        Ok(IdempotencyBegin::Started(attempt)) => {
            let _heartbeat = crate::lease::Heartbeat::start(&state.app, &attempt);
            let outcome = ATTEMPT.scope(attempt.clone(), action()).await;
            match outcome {
                Ok(location) => {
                    if let Err(e) = app
                        .idempotency_finish(&attempt, 303, &location, false)
                        .await
                    {
                        tracing::error!(error = %e, "a form's outcome could not be kept");
                    }
                    super::redirect(&location).into_response()
                }
                Err(page_shown) => {
                    if let Err(e) = app.idempotency_release(&attempt).await {
                        tracing::error!(error = %e, "a refused form's token could not be freed");
                    }
                    page_shown
                }
            }
        }
        Ok(IdempotencyBegin::Replay { body, .. }) => super::redirect(&body).into_response(),
        // The first submit placed an order and stopped before it could say where it led.
        Ok(IdempotencyBegin::Recover { effect }) => match effect.strip_prefix("order:") {
            Some(id) if id.parse::<i64>().is_ok() => {
                super::redirect(&format!("/{}/orders/{id}", page.lang.code())).into_response()
            }
            _ => super::redirect(&format!("/{}/lines", page.lang.code())).into_response(),
        },
        Ok(IdempotencyBegin::InProgress) | Ok(IdempotencyBegin::AnswerNotKept) => {
            super::error_page(
                page,
                axum::http::StatusCode::CONFLICT,
                "error-form-in-progress",
            )
            .into_response()
        }
        Ok(IdempotencyBegin::Mismatch) => {
            super::error_page(page, axum::http::StatusCode::CONFLICT, "error-form-expired")
                .into_response()
        }
    }
}
