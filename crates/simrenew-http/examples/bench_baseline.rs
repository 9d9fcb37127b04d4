//! The baseline for the line-read benchmark (`bench/run.sh`): a minimal axum handler on the
//! same machine, answering a JSON body shaped like a line, with no database and no auth.
//!
//! `cargo run --release -p simrenew-http --example bench_baseline -- 127.0.0.1:18090`

use axum::extract::Path;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};

async fn line(Path(msisdn): Path<String>) -> Json<Value> {
    Json(json!({
        "msisdn": msisdn,
        "brand": "lumo",
        "kind": "esim",
        "state": "active",
        "iccid": "8932010000001000007",
        "eid": null,
        "activation_code": null,
        "expires_at": "2026-12-25T10:00:00+01:00",
        "grace_until": "2027-01-08T10:00:00+01:00",
        "data_left_mb": 5000,
        "credit": {"amount_cents": 1250, "currency": "EUR"},
        "auto_renew": false,
        "bundles": [{
            "id": 1, "plan": "LUMO-5GB-30D", "data_mb": 5000, "data_left_mb": 5000,
            "starts_at": "2026-11-25T10:00:00+01:00", "ends_at": "2026-12-25T10:00:00+01:00",
            "status": "current"
        }]
    }))
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:18090".to_owned());
    let app = Router::new().route("/api/v1/lines/{msisdn}", get(line));
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    axum::serve(listener, app).await
}
