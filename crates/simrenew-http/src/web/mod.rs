//! The pages: the subscriber portal (`/LANG/...`), the store counter console
//! (`/LANG/counter/...`) and the demo's simulated card step (`/demo-card/...`).
//!
//! Server-rendered HTML (askama templates, type-checked with the code) that works without
//! JavaScript; `static/app.js`, served by us, adds what it can (passkeys, printing, following
//! an order while it syncs). Every page is in the language of its URL, every string comes from
//! the catalog (`locales/LANG/web.ftl`), and every error is a message of that catalog: never
//! the API's English problem. Handlers gather data and pick a template; the use cases are the
//! API's.
//!
//! The Content-Security-Policy allows no inline script or style: the brand's colours come
//! from a stylesheet we render (`/brand/CODE/look.css`), the gauges are `<meter>` elements.

// A handler answers a page whether it succeeds or not: `Result<Response, Response>` lets it
// use `?` on the way, and a page is as large as a page is.
#![allow(clippy::result_large_err)]

pub mod auto_renew;
pub mod calendar;
pub mod check;
pub mod cookies;
pub mod counter;
pub mod counter_new_line;
pub mod demo_card;
pub mod esims;
pub mod forms;
pub mod i18n;
pub mod page;
pub mod portal;
pub mod views;

use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use simrenew_domain::brand_look::BrandLook;
use simrenew_i18n::Lang;

pub use crate::state::pages::WebState;
use crate::state::AppState;
use page::Page;

/// The pages' routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(root))
        .merge(portal::router())
        .merge(esims::router())
        .merge(auto_renew::router())
        .merge(check::router())
        .merge(calendar::router())
        .merge(counter::router())
        .merge(counter_new_line::router())
        .merge(demo_card::router())
        .route("/static/{file}", get(static_file))
        .route("/brand/{code}/look.css", get(look_css))
        .route("/brand/{code}/logo.svg", get(logo_svg))
        .layer(axum::middleware::from_fn(cookies::layer))
        .layer(axum::middleware::from_fn(security_headers))
}

/// The language a browser prefers: the one it chose last (cookie), else its
/// `Accept-Language`, else Dutch (the first language of the first market).
pub fn preferred_lang(headers: &HeaderMap) -> Lang {
    cookies::cookie(headers, cookies::LANG_COOKIE)
        .and_then(|c| Lang::parse(&c))
        .unwrap_or_else(|| {
            Lang::negotiate(
                headers
                    .get(header::ACCEPT_LANGUAGE)
                    .and_then(|v| v.to_str().ok()),
                Lang::Nl,
            )
        })
}

/// `/`: the portal in the browser's language.
async fn root(headers: HeaderMap, req: axum::extract::RawQuery) -> Redirect {
    let lang = preferred_lang(&headers);
    let query = req.0.map(|q| format!("?{q}")).unwrap_or_default();
    Redirect::to(&format!("/{}/{query}", lang.code()))
}

/// A 303 to `location` (after a form: the browser follows with a GET).
pub fn redirect(location: &str) -> Redirect {
    Redirect::to(location)
}

/// The Content-Security-Policy of every page: our own scripts, styles and images only; forms
/// post to us (a payment provider's page is reached by a redirect, which `https:` allows).
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
    img-src 'self' data:; connect-src 'self'; form-action 'self' https:; \
    frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

async fn security_headers(req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    let set = |h: &mut HeaderMap, name: header::HeaderName, value: &'static str| {
        if !h.contains_key(&name) {
            h.insert(name, HeaderValue::from_static(value));
        }
    };
    set(h, header::CONTENT_SECURITY_POLICY, CSP);
    set(h, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(h, header::REFERRER_POLICY, "same-origin");
    set(h, header::X_FRAME_OPTIONS, "DENY");
    // Pages show personal data: never kept by a shared cache or the back-forward cache of
    // another person's visit.
    set(h, header::CACHE_CONTROL, "no-store");
    res
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    page: Page,
    message: String,
}

/// A page saying what went wrong, in the page's language.
pub fn error_page(page: &Page, status: StatusCode, key: &str) -> Response {
    let message = page.t(key);
    render_error(page, status, message)
}

fn render_error(page: &Page, status: StatusCode, message: String) -> Response {
    let page = page.clone().titled("error-title", "");
    (status, html(&ErrorPage { page, message })).into_response()
}

/// The page for a use case's refusal.
pub fn app_error_page(page: &Page, e: &simrenew_app::AppError) -> Response {
    render_error(page, status_of(e), i18n::shown(page, e).message)
}

/// The status of a page showing a refusal: the API's choices, for the same reasons.
pub fn status_of(e: &simrenew_app::AppError) -> StatusCode {
    use simrenew_app::payments::providers::ProviderError as P;
    use simrenew_app::{AppError as E, StoreError as S};
    use simrenew_domain::DomainError as D;
    match e {
        E::NotFound { .. } => StatusCode::NOT_FOUND,
        E::Conflict { .. } | E::Store(S::Conflict { .. }) => StatusCode::CONFLICT,
        E::Domain(D::InsufficientCredit { .. }) | E::Provider(P::Refused { .. }) => {
            StatusCode::PAYMENT_REQUIRED
        }
        E::Domain(
            D::LineNotRenewable { .. }
            | D::VoucherUsed { .. }
            | D::VoucherExpired { .. }
            | D::AddOnWithoutBundle,
        ) => StatusCode::CONFLICT,
        E::Domain(_) => StatusCode::UNPROCESSABLE_ENTITY,
        E::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
        E::Unauthenticated { .. } => StatusCode::UNAUTHORIZED,
        E::Provider(P::NotConfigured { .. }) => StatusCode::CONFLICT,
        E::Provider(_) | E::Store(S::Unavailable(_)) => StatusCode::SERVICE_UNAVAILABLE,
        E::Store(S::Internal(_)) | E::Webhook(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// Renders a template, or the plain failure page if it cannot be (logged).
pub fn html<T: Template>(t: &T) -> Response {
    match t.render() {
        Ok(body) => ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], body).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "a page could not be rendered");
            (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
        }
    }
}

/// The page of a path that names nothing, in `lang`.
pub async fn not_found_page(state: &AppState, lang: Lang) -> Response {
    let page = Page {
        lang,
        who: page::Who::Nobody,
        session: None,
        credential: None,
        csrf: String::new(),
        brand: None,
        look: Arc::new(BrandLook::plain()),
        rest: "/".into(),
        title: String::new(),
        section: "",
        console: "portal",
        now: state.app.now(),
    };
    error_page(&page, StatusCode::NOT_FOUND, "error-page-not-found")
}

struct Asset {
    name: &'static str,
    content_type: &'static str,
    body: &'static str,
}

const ASSETS: [Asset; 2] = [
    Asset {
        name: "app.css",
        content_type: "text/css; charset=utf-8",
        body: include_str!("../../static/app.css"),
    },
    Asset {
        name: "app.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_str!("../../static/app.js"),
    },
];

/// The version of the static files, for their URLs: a change makes browsers fetch them anew.
pub fn assets_version() -> &'static str {
    static VERSION: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    VERSION.get_or_init(|| {
        use sha2::{Digest, Sha256};
        let mut h = Sha256::new();
        for a in &ASSETS {
            h.update(a.body.as_bytes());
        }
        hex::encode(&h.finalize()[..6])
    })
}

async fn static_file(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(file): Path<String>,
) -> Response {
    match ASSETS.iter().find(|a| a.name == file) {
        Some(a) => (
            [
                (header::CONTENT_TYPE, a.content_type),
                (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
            ],
            a.body,
        )
            .into_response(),
        None => not_found_page(&state, preferred_lang(&headers)).await,
    }
}

/// The brand's colours as CSS variables (`-` is the plain look).
async fn look_css(State(state): State<AppState>, Path(code): Path<String>) -> Response {
    let brands = state.web.brands(&state.app).await;
    let look = match brands.iter().find(|b| b.code == code) {
        Some(b) => state.web.look(&state.app, b.id).await,
        None => Arc::new(BrandLook::plain()),
    };
    let css = format!(
        ":root {{ --primary: {}; --on-primary: {}; --primary-text: {}; --accent: {}; }}\n",
        look.primary,
        look.on_primary(),
        look.primary_text(),
        look.accent
    );
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=300"),
        ],
        css,
    )
        .into_response()
}

/// The brand's logo. Served as an image that can run nothing, even opened on its own.
async fn logo_svg(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(code): Path<String>,
) -> Response {
    let brands = state.web.brands(&state.app).await;
    let logo = match brands.iter().find(|b| b.code == code) {
        Some(b) => state.web.look(&state.app, b.id).await.logo_svg.clone(),
        None => None,
    };
    match logo {
        Some(svg) => (
            [
                (header::CONTENT_TYPE, "image/svg+xml"),
                (header::CACHE_CONTROL, "public, max-age=300"),
                (
                    header::CONTENT_SECURITY_POLICY,
                    "default-src 'none'; style-src 'unsafe-inline'; sandbox",
                ),
            ],
            svg,
        )
            .into_response(),
        None => not_found_page(&state, preferred_lang(&headers)).await,
    }
}
