//! Everything HTTP: the router, handlers, problem+json errors, idempotency and the OpenAPI
//! document.
//!
//! **Architecture Invariant:** this is the only crate that knows axum and the JSON wire shapes;
//! handlers parse requests into domain types, call one use case, and shape the answer.

#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub mod api;
pub mod error;
pub mod extract;
pub mod idempotency;
mod lease;
mod observe;
pub mod openapi;
pub mod serve;
pub mod state;
pub mod web;

use std::future::Future;

use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use tokio::net::TcpListener;
use tower_http::request_id::{
    MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};
use tower_http::trace::TraceLayer;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub use error::{ApiError, Problem};
pub use serve::{serve_with, ServeLimits};
pub use state::{AppState, TrustedProxies};

/// The largest request body accepted.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// The API's routes and the OpenAPI document describing them.
pub fn api() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    OpenApiRouter::with_openapi(openapi::ApiDoc::openapi())
        .routes(routes!(api::auth::request_code))
        .routes(routes!(api::auth::sign_in))
        .routes(routes!(api::auth::staff_sign_in))
        .routes(routes!(api::auth::enroll_totp))
        .routes(routes!(api::auth::confirm_totp))
        .routes(routes!(api::auth::sign_out))
        .routes(routes!(api::auth::sign_out_everywhere))
        .routes(routes!(api::passkeys::start_registration))
        .routes(routes!(api::passkeys::finish_registration))
        .routes(routes!(api::passkeys::list))
        .routes(routes!(api::passkeys::remove))
        .routes(routes!(api::passkeys::start_sign_in))
        .routes(routes!(api::passkeys::finish_sign_in))
        .routes(routes!(api::catalog::list_brands))
        .routes(routes!(api::catalog::list_plans))
        .routes(routes!(
            api::catalog::publish_catalog_version,
            api::catalog::list_catalog_versions
        ))
        .routes(routes!(
            api::promotions::create_promotion,
            api::promotions::list_promotions
        ))
        .routes(routes!(api::promotions::change_promotion))
        .routes(routes!(api::promotions::end_promotion))
        .routes(routes!(api::counter::look_up, api::counter::next_customer))
        .routes(routes!(api::lines::list_lines))
        .routes(routes!(api::lines::get_line))
        .routes(routes!(
            api::auto_renew::get_auto_renew,
            api::auto_renew::set_auto_renew
        ))
        .routes(routes!(api::auto_renew::list_price_notices))
        .routes(routes!(api::identification::identify))
        .routes(routes!(api::subscribers::export))
        .routes(routes!(api::subscribers::erase))
        .routes(routes!(api::subscribers::new_calendar_link))
        .routes(routes!(api::esims::sell))
        .routes(routes!(api::esims::get_esim))
        .routes(routes!(api::esims::qr_svg))
        .routes(routes!(api::esims::qr_png))
        .routes(routes!(api::orders::create_quote))
        .routes(routes!(api::orders::create_order))
        .routes(routes!(api::orders::get_order))
        .routes(routes!(api::orders::pay_order))
        .routes(routes!(api::vouchers::redeem))
        .routes(routes!(api::messages::check))
        .routes(routes!(api::network::list_dead_letters))
        .routes(routes!(api::network::replay_dead_letter))
        .routes(routes!(api::network::list_dead_jobs))
        .routes(routes!(api::network::retry_job))
        .routes(routes!(api::payments::start_payment))
        .routes(routes!(api::payments::get_payment))
        .routes(routes!(api::payments::confirm_payment))
        .routes(routes!(api::payments::store_payment))
        .routes(routes!(api::payments::refund))
        .routes(routes!(api::payments::refund_to_credit))
        .routes(routes!(api::payments::payment_methods))
        .routes(routes!(
            api::payments::save_method,
            api::payments::list_saved_methods
        ))
        .routes(routes!(api::payments::remove_saved_method))
        .routes(routes!(api::webhooks::stripe))
        .routes(routes!(api::webhooks::paypal))
        .split_for_parts()
}

/// The whole application as a router, for `serve` and for tests that call it in-process.
pub fn router(state: AppState) -> Router {
    let (api, doc) = api();
    let mut doc = serde_json::to_value(&doc).unwrap_or_default();
    openapi::add_links(&mut doc);
    let doc = std::sync::Arc::new(doc);
    let api = api.layer(axum::middleware::from_fn_with_state(
        state.clone(),
        idempotency::layer,
    ));
    Router::new()
        .merge(api)
        .merge(web::router())
        .route(
            "/api/v1/openapi.json",
            get(move || {
                let doc = doc.clone();
                async move { Json((*doc).clone()) }
            }),
        )
        .route("/healthz", get(|| async { "ok" }))
        .route(
            "/gsma/rsp2/es2plus/handleDownloadProgressInfo",
            axum::routing::post(api::esims::download_progress),
        )
        .fallback(fallback)
        .method_not_allowed_fallback(|| async {
            ApiError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "method-not-allowed",
                "Method not allowed",
                "this route does not take that method",
            )
            .into_response()
        })
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(axum::middleware::from_fn(observe::count))
        .layer(TraceLayer::new_for_http())
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(SetRequestIdLayer::x_request_id(ProcessRequestIds::default()))
        .with_state(state)
}

/// A path that names nothing: problem+json under `/api/`, a page in the browser's language
/// elsewhere.
async fn fallback(
    axum::extract::State(state): axum::extract::State<AppState>,
    req: axum::extract::Request,
) -> axum::response::Response {
    if req.uri().path().starts_with("/api/") {
        return ApiError::not_found("route").into_response();
    }
    let lang = web::preferred_lang(req.headers());
    web::not_found_page(&state, lang).await
}

/// Request ids unique within this process: a random process prefix and a counter, so that no
/// request waits on the system's random source.
#[derive(Clone)]
struct ProcessRequestIds {
    prefix: u32,
    next: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

impl Default for ProcessRequestIds {
    fn default() -> Self {
        let prefix = std::collections::hash_map::RandomState::new();
        let prefix = std::hash::BuildHasher::hash_one(&prefix, std::process::id()) as u32;
        Self {
            prefix,
            next: Default::default(),
        }
    }
}

impl MakeRequestId for ProcessRequestIds {
    fn make_request_id<B>(&mut self, _: &axum::http::Request<B>) -> Option<RequestId> {
        let n = self.next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        axum::http::HeaderValue::from_str(&format!("{:08x}-{n}", self.prefix))
            .ok()
            .map(RequestId::new)
    }
}

/// Serves the application on `listener` within the default [`ServeLimits`] until `shutdown`
/// resolves, then drains requests.
pub async fn serve(
    state: AppState,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_with(state, listener, ServeLimits::default(), shutdown).await
}
