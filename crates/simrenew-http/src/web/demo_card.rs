//! The 3-D Secure step of the demo's simulated card payments: a page of ours, clearly
//! labelled as a simulation, where the customer approves or declines, and is then sent back
//! to the portal. Mounted only when the demo's card provider is installed.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Form, Router};
use serde::Deserialize;
use simrenew_i18n::Lang;

use super::forms::csrf_ok;
use super::page::Page;
use super::{error_page, html, redirect};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/{lang}/demo-card/{reference}", get(step).post(answer))
        .route("/demo-card/{reference}", get(step_in_language))
}

#[derive(Template)]
#[template(path = "demo_card.html")]
struct StepPage {
    page: Page,
    reference: String,
    amount: String,
    description: String,
}

/// The provider's link: the step in the browser's language.
async fn step_in_language(headers: HeaderMap, Path(reference): Path<String>) -> Response {
    let lang: Lang = super::preferred_lang(&headers);
    redirect(&format!("/{}/demo-card/{reference}", lang.code())).into_response()
}

async fn step(
    State(state): State<AppState>,
    page: Page,
    Path((_, reference)): Path<(String, String)>,
) -> Response {
    let challenge = state
        .web
        .card_challenges
        .as_ref()
        .and_then(|c| c.challenge(&reference));
    match challenge {
        Some(c) if c.answer.is_none() => html(&StepPage {
            amount: page.money(c.amount),
            description: c.description,
            reference,
            page: page.titled("demo-card-title", ""),
        }),
        Some(c) => {
            redirect(c.return_url.as_deref().unwrap_or(&page.href("/orders"))).into_response()
        }
        None => error_page(&page, StatusCode::NOT_FOUND, "error-page-not-found"),
    }
}

#[derive(Debug, Deserialize)]
struct AnswerForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    answer: String,
}

async fn answer(
    State(state): State<AppState>,
    page: Page,
    Path((_, reference)): Path<(String, String)>,
    Form(form): Form<AnswerForm>,
) -> Response {
    let Some(challenges) = state.web.card_challenges.as_ref() else {
        return error_page(&page, StatusCode::NOT_FOUND, "error-page-not-found");
    };
    if !csrf_ok(&page, &form.csrf) {
        return error_page(&page, StatusCode::FORBIDDEN, "error-form-expired");
    }
    let approve = match form.answer.as_str() {
        "approve" => true,
        "decline" => false,
        _ => {
            return error_page(
                &page,
                StatusCode::UNPROCESSABLE_ENTITY,
                "error-invalid-input",
            )
        }
    };
    match challenges.answer(&reference, approve) {
        Some(c) => {
            redirect(c.return_url.as_deref().unwrap_or(&page.href("/orders"))).into_response()
        }
        None => error_page(&page, StatusCode::NOT_FOUND, "error-page-not-found"),
    }
}
