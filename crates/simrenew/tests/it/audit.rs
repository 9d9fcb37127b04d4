//! The audit log: staff actions and money movements are chained, and `simrenew audit verify`
//! finds an edited or deleted entry.

use std::process::Command;

use serde_json::json;
use simrenew_domain::catalog::LineKind;

use crate::support::{both, days, TestApp};

fn verify(app: &TestApp) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_simrenew"))
        .args(["--database-url", &app.cli_url, "audit", "verify"])
        .env("SIMRENEW_LOG", "warn")
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Runs SQL behind the application's back, as someone tampering with the database would.
async fn tamper(app: &TestApp, sql: &str) {
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&app.cli_url).await.unwrap();
    sqlx::query(sql).execute(&pool).await.unwrap();
    pool.close().await;
}

async fn activity(app: &TestApp) -> String {
    let msisdn = app
        .line(LineKind::Esim, 10_000, Some(days(5)))
        .await
        .to_string();
    for _ in 0..3 {
        let (status, body) = app
            .post(
                "/api/v1/orders",
                json!({"msisdn": msisdn, "plan": "TEST-5GB-30D", "payment": {"method": "credit"}}),
            )
            .await;
        assert_eq!(status.as_u16(), 201, "{body}");
    }
    msisdn
}

both! {
    async fn money_movements_and_staff_actions_are_chained(app: TestApp) {
        activity(&app).await;
        let report = app.app.verify_audit().await.unwrap();
        assert!(report.problems.is_empty(), "{:?}", report.problems);
        // staff.create + api_key.create by the fixture, and three settled payments.
        assert_eq!(report.entries, 5);
        assert_eq!(report.chains, 2);
        let (ok, out, err) = verify(&app);
        assert!(ok, "{out}{err}");
        assert!(out.contains("intact: 5 entries in 2 chains"), "{out}");
    }

    async fn an_edited_entry_is_found(app: TestApp) {
        activity(&app).await;
        tamper(&app, "UPDATE audit_log SET details = 'method=credit amount_cents=1 currency=EUR' WHERE seq = 2 AND chain LIKE 'line:%'").await;
        let (ok, _, err) = verify(&app);
        assert!(!ok);
        assert!(err.contains("was altered"), "{err}");
    }

    async fn a_deleted_entry_is_found(app: TestApp) {
        activity(&app).await;
        tamper(&app, "DELETE FROM audit_log WHERE seq = 2 AND chain LIKE 'line:%'").await;
        let (ok, _, err) = verify(&app);
        assert!(!ok);
        assert!(err.contains("entries deleted") || err.contains("does not follow"), "{err}");
    }

    async fn a_deleted_last_entry_is_found(app: TestApp) {
        activity(&app).await;
        tamper(&app, "DELETE FROM audit_log WHERE seq = 3 AND chain LIKE 'line:%'").await;
        let (ok, _, err) = verify(&app);
        assert!(!ok);
        assert!(err.contains("its head says 3"), "{err}");
    }

    async fn a_recomputed_forgery_is_found_at_the_next_entry(app: TestApp) {
        // Editing an entry and fixing its own hash still breaks the link from the next one.
        activity(&app).await;
        tamper(&app, "UPDATE audit_log SET hash = '1111111111111111111111111111111111111111111111111111111111111111' WHERE seq = 1 AND chain LIKE 'line:%'").await;
        let (ok, _, err) = verify(&app);
        assert!(!ok);
        assert!(err.contains("does not follow"), "{err}");
    }
}
