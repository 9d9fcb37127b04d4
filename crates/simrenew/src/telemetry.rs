//! What operators watch, on a listener of its own (`--metrics-listen`): `GET /metrics` in
//! the Prometheus text format, and `GET /readyz`, whether the database, NATS, the network's
//! provisioning API and the SM-DP+ answer.
//!
//! The series come from the `metrics` facade wherever they happen: HTTP requests by route,
//! method and status (`simrenew_http_*`), renewals by channel and method, sign-in codes sent,
//! provisioning deliveries by adapter and result, network calls by adapter and operation,
//! usage records read, counted and refused. The queues are read at each scrape: the outbox's
//! backlog and the age of its oldest row.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use serde_json::json;
use simrenew_app::App;

use crate::smdp::SmdpProvisioner;
use crate::worker::HttpProvisioner;

/// How long each readiness check may take.
const CHECK_TIMEOUT: Duration = Duration::from_secs(2);

/// What the listener reads.
#[derive(Clone)]
pub struct Watched {
    pub app: App,
    pub provisioner: Option<Arc<HttpProvisioner>>,
    pub smdp: Option<Arc<SmdpProvisioner>>,
    pub nats_url: Option<String>,
}

/// Installs the Prometheus recorder of this process; the handle renders it.
fn install() -> anyhow::Result<PrometheusHandle> {
    let handle = PrometheusBuilder::new()
        .install_recorder()
        .context("installing the metrics recorder")?;
    metrics::describe_counter!(
        "simrenew_http_requests_total",
        "HTTP requests answered, by matched route, method and status"
    );
    metrics::describe_histogram!(
        "simrenew_http_request_duration_seconds",
        metrics::Unit::Seconds,
        "time to answer an HTTP request, by matched route"
    );
    metrics::describe_counter!(
        "simrenew_renewals_total",
        "renewals applied, by channel and payment method"
    );
    metrics::describe_counter!(
        "simrenew_signin_codes_sent_total",
        "sign-in codes handed to a gateway, by channel and result"
    );
    metrics::describe_counter!(
        "simrenew_provisioning_deliveries_total",
        "outbox rows delivered to the network, by adapter, topic and result"
    );
    metrics::describe_counter!(
        "simrenew_network_calls_total",
        "calls to the network, by adapter, operation and outcome"
    );
    metrics::describe_counter!(
        "simrenew_usage_records_total",
        "usage records read, by source and whether they parsed"
    );
    metrics::describe_counter!(
        "simrenew_usage_outcomes_total",
        "usage records counted, repeated or refused, by source"
    );
    metrics::describe_gauge!(
        "simrenew_outbox_backlog",
        "outbox rows waiting for the network"
    );
    metrics::describe_gauge!(
        "simrenew_outbox_oldest_age_seconds",
        metrics::Unit::Seconds,
        "age of the oldest outbox row waiting for the network"
    );
    Ok(handle)
}

/// Binds `listen` (a failure is the caller's error, at start), then serves `/metrics` and
/// `/readyz` there in the background until the process ends.
pub async fn start(listen: SocketAddr, watched: Watched) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("--metrics-listen {listen}"))?;
    let handle = install()?;
    tracing::info!(address = %listener.local_addr()?, "serving metrics and readiness");
    tokio::spawn(async move {
        if let Err(e) = serve(listener, handle, watched).await {
            tracing::error!(error = %format!("{e:#}"), "the metrics listener stopped");
        }
    });
    Ok(())
}

async fn serve(
    listener: tokio::net::TcpListener,
    handle: PrometheusHandle,
    watched: Watched,
) -> anyhow::Result<()> {
    let router = Router::new()
        .route(
            "/metrics",
            get({
                let watched = watched.clone();
                move || metrics_text(handle.clone(), watched.clone())
            }),
        )
        .route("/readyz", get(move || ready(watched.clone())));
    axum::serve(listener, router)
        .await
        .context("the metrics listener")
}

async fn metrics_text(handle: PrometheusHandle, watched: Watched) -> impl IntoResponse {
    if let Ok((waiting, oldest)) = watched.app.store.outbox_backlog().await {
        metrics::gauge!("simrenew_outbox_backlog").set(waiting as f64);
        let age = oldest.map_or(0, |t| (watched.app.now() - t).get_seconds().max(0));
        metrics::gauge!("simrenew_outbox_oldest_age_seconds").set(age as f64);
    }
    handle.run_upkeep();
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        handle.render(),
    )
}

/// 200 when everything configured answers, 503 naming what does not; what is not configured
/// says so and does not count against readiness.
async fn ready(watched: Watched) -> impl IntoResponse {
    let database =
        match tokio::time::timeout(CHECK_TIMEOUT, watched.app.store.outbox_backlog()).await {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(_)) => Err("does not answer".to_owned()),
            Err(_) => Err(format!("no answer within {} ms", CHECK_TIMEOUT.as_millis())),
        };
    let nats = match &watched.nats_url {
        Some(url) => Some(simrenew_network::jetstream::answers(url, CHECK_TIMEOUT).await),
        None => None,
    };
    let network = match &watched.provisioner {
        Some(p) => Some(p.answers(CHECK_TIMEOUT).await),
        None => None,
    };
    let smdp = match &watched.smdp {
        Some(s) => Some(s.answers(CHECK_TIMEOUT).await),
        None => None,
    };
    let word = |r: &Option<Result<(), String>>| match r {
        None => json!({"status": "not configured"}),
        Some(Ok(())) => json!({"status": "ok"}),
        Some(Err(why)) => json!({"status": "failing", "detail": why}),
    };
    let failing = |r: &Option<Result<(), String>>| matches!(r, Some(Err(_)));
    let ready = database.is_ok() && !failing(&nats) && !failing(&network) && !failing(&smdp);
    let body = json!({
        "status": if ready { "ready" } else { "not ready" },
        "checks": {
            "database": word(&Some(database)),
            "nats": word(&nats),
            "network": word(&network),
            "smdp": word(&smdp),
        }
    });
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(body))
}
