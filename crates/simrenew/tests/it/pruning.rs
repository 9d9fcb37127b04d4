//! What only lives a while — sessions, sign-in codes, rate counters, WebAuthn ceremonies,
//! counter lookups, idempotency keys, unconfirmed enrolments — is forgotten once over:
//! by `simrenew maintenance prune`, and by `simrenew serve` on its own.

use std::process::Command;
use std::time::Duration;

use sqlx::AnyPool;

use crate::support::{both, Served, TestApp};

/// 2001: long over, by any clock.
const LONG_AGO: i64 = 1_000_000_000;
/// 2100: not over, by any clock.
const LATER: i64 = 4_102_444_800;

/// The tables and, for each, how many rows an over and a live row make.
const TABLES: &[&str] = &[
    "sessions",
    "staff_sessions",
    "sign_in_codes",
    "rate_counters",
    "rate_events",
    "webauthn_challenges",
    "counter_customers",
    "idempotency_keys",
];

async fn pool(app: &TestApp) -> AnyPool {
    sqlx::any::install_default_drivers();
    AnyPool::connect(&app.cli_url).await.unwrap()
}

/// One row that is over and one that is not in each table; a waiting enrolment of long ago.
async fn fill(app: &TestApp, db: &AnyPool) {
    let (_, subscriber) = app.subscriber_line().await;
    let staff: i64 = sqlx::query_scalar("SELECT id FROM staff WHERE email = 'admin@test.example'")
        .fetch_one(db)
        .await
        .unwrap();
    let line: i64 = sqlx::query_scalar("SELECT id FROM lines WHERE subscriber_id = $1")
        .bind(subscriber.0)
        .fetch_one(db)
        .await
        .unwrap();
    for (n, at) in [(0, LONG_AGO), (1, LATER)] {
        let q = [
            format!("INSERT INTO sessions (token_hash, subscriber_id, csrf_hash, created_at, last_seen_at, expires_at) VALUES ('s{n}', {}, 'c', {at}, {at}, {at})", subscriber.0),
            format!("INSERT INTO staff_sessions (token_hash, staff_id, csrf_hash, created_at, last_seen_at, expires_at) VALUES ('s{n}', {staff}, 'c', {at}, {at}, {at})"),
            format!("INSERT INTO sign_in_codes (address, code_hash, created_at, expires_at) VALUES ('+32470000000', 'h', {at}, {at})"),
            format!("INSERT INTO rate_counters (bucket, window_start, count, expires_at) VALUES ('b{n}', {at}, 1, {at})"),
            format!("INSERT INTO rate_events (key, at) VALUES ('k', {at})"),
            format!("INSERT INTO webauthn_challenges (token_hash, kind, state, created_at, expires_at) VALUES ('w{n}', 'authentication', '{{}}', {at}, {at})"),
            format!("INSERT INTO counter_customers (credential_hash, staff_id, line_id, since) VALUES ('c{n}', {staff}, {line}, {at})"),
            format!("INSERT INTO idempotency_keys (scope, key, request_hash, created_at) VALUES ('scope', 'k{n}', 'h', {at})"),
        ];
        for q in q {
            sqlx::query(&q).execute(db).await.unwrap();
        }
    }
    sqlx::query(&format!(
        "UPDATE staff SET totp_pending_secret = 'sealed', totp_pending_at = {LONG_AGO} WHERE id = {staff}"
    ))
    .execute(db)
    .await
    .unwrap();
}

/// Rows left in each table, and whether the enrolment still waits.
async fn left(db: &AnyPool) -> (Vec<i64>, bool) {
    let mut counts = vec![];
    for t in TABLES {
        let n: i64 = sqlx::query_scalar(&format!("SELECT CAST(COUNT(*) AS BIGINT) FROM {t}"))
            .fetch_one(db)
            .await
            .unwrap();
        counts.push(n);
    }
    let waiting: i64 = sqlx::query_scalar(
        "SELECT CAST(COUNT(*) AS BIGINT) FROM staff WHERE totp_pending_secret IS NOT NULL",
    )
    .fetch_one(db)
    .await
    .unwrap();
    (counts, waiting > 0)
}

both! {
    async fn maintenance_prune_forgets_what_is_over(app: TestApp) {
        let db = pool(&app).await;
        fill(&app, &db).await;
        assert_eq!(left(&db).await, (vec![2; TABLES.len()], true));
        let out = Command::new(env!("CARGO_BIN_EXE_simrenew"))
            .args(["--database-url", &app.cli_url, "maintenance", "prune"])
            .env("SIMRENEW_LOG", "warn")
            .output()
            .unwrap();
        let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        assert!(out.status.success(), "{stderr}");
        assert!(stdout.contains("sessions: 1"), "{stdout}");
        assert_eq!(left(&db).await, (vec![1; TABLES.len()], false), "{stdout}");
        db.close().await;
    }

    async fn serve_prunes_on_its_own(app: TestApp) {
        let db = pool(&app).await;
        fill(&app, &db).await;
        let _served = Served::start(&app, &[]).await;
        let mut now = left(&db).await;
        for _ in 0..100 {
            if now == (vec![1; TABLES.len()], false) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
            now = left(&db).await;
        }
        assert_eq!(now, (vec![1; TABLES.len()], false));
        db.close().await;
    }
}

both! {
    async fn pruning_keeps_what_still_lives(app: TestApp) {
        use simrenew_app::maintenance::Prunable;
        let mut app = app;
        let outbox = std::sync::Arc::new(crate::support::Outbox::default());
        app.router = simrenew_http::router(simrenew_http::AppState::new(app.app.clone().with_sms(outbox.clone())));
        let (mine, _) = app.subscriber_line().await;
        let phone = mine.to_string();
        app.anonymous("/api/v1/auth/codes", serde_json::json!({"phone": phone})).await;
        let code = outbox.last_code(&mine);
        let (status, _, _) = app.anonymous("/api/v1/auth/sessions", serde_json::json!({"phone": phone, "code": code})).await;
        assert_eq!(status.as_u16(), 201);
        // Nothing is over yet: the session, the code and the counters stay.
        let report = app.app.prune().await.unwrap();
        assert_eq!(report.total(), 0, "{report:?}");
        app.clock.advance(jiff::SignedDuration::from_hours(25));
        let report = app.app.prune().await.unwrap();
        let pruned = |what| report.0.iter().find(|(w, _)| *w == what).unwrap().1;
        assert_eq!(pruned(Prunable::Sessions), 1);
        assert_eq!(pruned(Prunable::SignInCodes), 1);
        assert!(pruned(Prunable::RateCounters) >= 3, "{report:?}");
        assert_eq!(app.app.prune().await.unwrap().total(), 0);
    }
}
