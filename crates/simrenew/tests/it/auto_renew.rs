//! The brand's monthly auto-debit limit: automatic charges per line per calendar month of the
//! brand's zone, counted where the order is paid, under the line's lock.

use axum::http::StatusCode;
use serde_json::json;
use simrenew_domain::catalog::LineKind;
use simrenew_store::CountedTable;

use crate::support::{both, days};

both! {
    async fn concurrent_automatic_renewals_stop_at_the_monthly_limit(app: TestApp) {
        // The fixture brand allows 2 automatic charges a month.
        let msisdn = app.line(LineKind::Esim, 50_000, Some(days(10))).await.to_string();
        let body = json!({"msisdn": msisdn, "plan": "TEST-5GB-30D", "channel": "auto_renew", "payment": {"method": "credit"}});
        let app = std::sync::Arc::new(app);
        let mut tasks = vec![];
        for _ in 0..6 {
            let (app, body) = (app.clone(), body.clone());
            tasks.push(tokio::spawn(async move { app.post("/api/v1/orders", body).await }));
        }
        let mut paid = 0;
        for t in tasks {
            let (s, answer) = t.await.unwrap();
            match s {
                StatusCode::CREATED => paid += 1,
                StatusCode::CONFLICT => {
                    assert_eq!(answer["field"], "channel", "{answer}");
                    assert!(answer["detail"].as_str().unwrap().contains("by hand"), "{answer}");
                }
                other => panic!("{other}: {answer}"),
            }
        }
        assert_eq!(paid, 2);
        let (_, line) = app.get(&format!("/api/v1/lines/{msisdn}")).await;
        assert_eq!(line["credit"]["amount_cents"], 50_000 - 2 * 1_000);

        // By hand it renews; the limit is for automatic charges only.
        let by_hand = json!({"msisdn": msisdn, "plan": "TEST-5GB-30D", "payment": {"method": "credit"}});
        let (s, answer) = app.post("/api/v1/orders", by_hand).await;
        assert_eq!(s, StatusCode::CREATED, "{answer}");

        // Next month (in Brussels) the count starts again.
        app.clock.advance(days(17));
        let (s, answer) = app.post("/api/v1/orders", body).await;
        assert_eq!(s, StatusCode::CREATED, "{answer}");
        assert_eq!(app.count(CountedTable::Orders).await, 4);
    }
}

/// The credit the database holds for a line (the worker is another process: this one's
/// cached reads lag it by up to `LINE_CACHE_TTL`).
async fn credit(app: &crate::support::TestApp, msisdn: &str) -> i64 {
    use sqlx::Row;
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&app.cli_url).await.unwrap();
    let row = sqlx::query(&format!(
        "SELECT credit_cents FROM lines WHERE msisdn = '{msisdn}'"
    ))
    .fetch_one(&pool)
    .await
    .unwrap();
    pool.close().await;
    row.get::<i64, _>("credit_cents")
}

/// Runs `simrenew worker --once` at the tests' time, without a network.
fn worker(app: &crate::support::TestApp) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_simrenew"))
        .args([
            "--database-url",
            &app.cli_url,
            "worker",
            "--once",
            "--force",
            "--now",
        ])
        .arg(app.now().to_string())
        .env("SIMRENEW_LOG", "warn")
        .env("SIMRENEW_AUDIT_KEY", crate::support::AUDIT_KEY)
        .env_remove("SIMRENEW_PROVISIONING_URL")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

both! {
    async fn the_worker_renews_a_line_a_day_before_it_expires(app: TestApp) {
        let msisdn = app.line(LineKind::Esim, 5_000, Some(days(3))).await.to_string();
        let poor = app.line(LineKind::Esim, 100, Some(days(3))).await.to_string();
        let off = app.line(LineKind::Esim, 5_000, Some(days(3))).await.to_string();
        let uri = |m: &str| format!("/api/v1/lines/{m}/auto-renew");
        let on = json!({"enabled": true, "plan": "TEST-5GB-30D"});
        for m in [&msisdn, &poor] {
            let (s, set, _) = app.request(axum::http::Method::PUT, &uri(m), Some(on.clone()), &[]).await;
            assert_eq!(s, StatusCode::OK, "{set}");
            assert_eq!(set["enabled"], true);
            assert_eq!(set["monthly_auto_debit_limit"], 2);
        }
        // Switching on needs a plan the brand sells; nothing changes otherwise.
        let (s, p, _) = app.request(axum::http::Method::PUT, &uri(&off), Some(json!({"enabled": true})), &[]).await;
        assert_eq!((s, p["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("plan")), "{p}");
        let (s, p, _) = app.request(axum::http::Method::PUT, &uri(&off), Some(json!({"enabled": true, "plan": "NO-SUCH-PLAN"})), &[]).await;
        assert_eq!((s, p["field"].as_str()), (StatusCode::NOT_FOUND, Some("plan")), "{p}");
        let (_, got) = app.get(&uri(&off)).await;
        assert_eq!(got["enabled"], false);
        assert_eq!(app.audit_entries("auto_renew.on").await.len(), 2);

        // Two days before expiry: not yet.
        app.clock.advance(days(1));
        worker(&app);
        assert_eq!(app.count(CountedTable::Orders).await, 0);

        // Within a day of it: renewed from credit, once; the poor line fails and waits.
        app.clock.advance(jiff::SignedDuration::from_hours(30));
        worker(&app);
        assert_eq!(app.count(CountedTable::Orders).await, 1);
        assert_eq!(credit(&app, &msisdn).await, 4_000);
        let renewals = app.audit_entries("payment.settle").await;
        assert_eq!(renewals.len(), 1);
        assert_eq!(renewals[0].actor, "system:auto_renew");
        worker(&app);
        assert_eq!(app.count(CountedTable::Orders).await, 1, "renewed once");

        // The poor line is tried again after an hour, with credit topped up by then.
        sqlx::any::install_default_drivers();
        let pool = sqlx::AnyPool::connect(&app.cli_url).await.unwrap();
        sqlx::query(&format!("UPDATE lines SET credit_cents = 5000 WHERE msisdn = '{poor}'"))
            .execute(&pool)
            .await
            .unwrap();
        pool.close().await;
        worker(&app);
        assert_eq!(app.count(CountedTable::Orders).await, 1, "not before its next attempt");
        app.clock.advance(jiff::SignedDuration::from_mins(61));
        worker(&app);
        assert_eq!(app.count(CountedTable::Orders).await, 2);
        assert_eq!(credit(&app, &poor).await, 4_000);
        assert_eq!(credit(&app, &off).await, 5_000, "auto-renew off: not renewed");
    }
}
