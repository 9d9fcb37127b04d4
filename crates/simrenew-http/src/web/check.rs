//! The portal's check of a message: a reminder's verification code, pasted by whoever received
//! it, says whether we sent it, about which line and expiry.

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use serde::Deserialize;
use simrenew_domain::reminder::VerificationCode;

use super::forms::csrf_ok;
use super::i18n::{shown, Shown};
use super::page::Page;
use super::{error_page, html, preferred_lang, status_of};
use crate::api::auth::ClientAddr;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/check", get(to_own_language))
        .route("/{lang}/check", get(check_page).post(check))
}

/// `/check`, the address printed in messages: the page in the reader's language.
async fn to_own_language(headers: HeaderMap) -> Redirect {
    Redirect::to(&format!("/{}/check", preferred_lang(&headers).code()))
}

/// What the page says about a genuine message.
#[derive(Debug, Clone)]
pub struct GenuineView {
    pub brand: String,
    pub line: String,
    pub expiry: String,
    pub portal_url: String,
}

#[derive(Template)]
#[template(path = "portal/check.html")]
struct CheckPage {
    page: Page,
    code: String,
    /// `None` before a check; `Some(None)` when the code is not ours.
    result: Option<Option<GenuineView>>,
    error: Option<Shown>,
}

async fn check_page(page: Page) -> Response {
    html(&CheckPage {
        page: page.titled("check-title", "check"),
        code: String::new(),
        result: None,
        error: None,
    })
    .into_response()
}

#[derive(Debug, Deserialize)]
struct CheckForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    code: String,
}

async fn check(
    State(state): State<AppState>,
    page: Page,
    ClientAddr(client): ClientAddr,
    Form(form): Form<CheckForm>,
) -> Response {
    if !csrf_ok(&page, &form.csrf) {
        return error_page(&page, StatusCode::FORBIDDEN, "error-form-expired");
    }
    let page = page.titled("check-title", "check");
    let code: String = form.code.chars().take(32).collect();
    let answer = |page, status, result, error| {
        (
            status,
            html(&CheckPage {
                page,
                code: code.clone(),
                result,
                error,
            }),
        )
            .into_response()
    };
    let parsed = match VerificationCode::parse(&code) {
        Ok(c) => c,
        Err(_) => {
            let e = Shown::new(Some("code"), page.t("error-invalid-check-code"));
            return answer(page, StatusCode::UNPROCESSABLE_ENTITY, None, Some(e));
        }
    };
    match state.app.check_message(&parsed, &client).await {
        Ok(Some(m)) => {
            let expiry = page
                .lang
                .format_date(m.expires_at.to_zoned(m.time_zone.clone()).date());
            let view = GenuineView {
                brand: m.brand_name,
                line: crate::api::messages::masked(m.msisdn.as_str()),
                expiry,
                portal_url: m.portal_url,
            };
            answer(page, StatusCode::OK, Some(Some(view)), None)
        }
        Ok(None) => answer(page, StatusCode::NOT_FOUND, Some(None), None),
        Err(e) => {
            let status = status_of(&e);
            let shown = shown(&page, &e);
            answer(page, status, None, Some(shown))
        }
    }
}
