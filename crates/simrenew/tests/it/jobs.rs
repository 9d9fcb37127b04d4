//! The jobs that run by themselves, as one list: an outbox row the network refused, a reminder
//! no gateway took, an automatic renewal out of retries are listed as dead with their reason
//! (`simrenew jobs list --dead`, `GET /api/v1/jobs/dead`, of a brand to its administrators),
//! and each is put back in its queue once (`jobs retry ID`, `POST /api/v1/jobs/{id}/retry`).

use axum::http::{Method, StatusCode};
use serde_json::json;
use simrenew_app::identity::accounts::NewStaff;
use simrenew_app::identity::api_keys::KeyOwner;
use simrenew_app::network::NetworkStore;
use simrenew_domain::access::Role;

use crate::support::{both, TestApp, AUDIT_KEY};

fn simrenew(app: &TestApp, args: &[&str]) -> (bool, String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_simrenew"))
        .arg("--database-url")
        .arg(&app.cli_url)
        .args(args)
        .env("SIMRENEW_LOG", "warn")
        .env("SIMRENEW_AUDIT_KEY", AUDIT_KEY)
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

async fn sql(app: &TestApp, statement: &str) {
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&app.cli_url).await.unwrap();
    sqlx::query(statement).execute(&pool).await.unwrap();
    pool.close().await;
}

/// One dead job of each kind; their ids.
async fn dead_jobs(app: &TestApp) -> (String, String, String) {
    // An outbox row the network refused.
    let (msisdn, subscriber) = app.subscriber_line().await;
    let (s, order) = app
        .post("/api/v1/orders", json!({"msisdn": msisdn.to_string(), "plan": "TEST-5GB-30D", "payment": {"method": "credit"}}))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{order}");
    let now = app.now();
    let claimed = app
        .db
        .claim_outbox(
            &simrenew_app::network::DELIVERED_TOPICS,
            now,
            now.checked_add(crate::support::days(1)).unwrap(),
            10,
        )
        .await
        .unwrap();
    app.db
        .outbox_dead(
            claimed[0].id,
            "http_provisioning: refused: unknown number",
            now,
        )
        .await
        .unwrap();
    // A reminder that failed on the line's current expiry, and one of an expiry it left.
    let (line_id, expires): (i64, i64) = {
        sqlx::any::install_default_drivers();
        let pool = sqlx::AnyPool::connect(&app.cli_url).await.unwrap();
        let row: (i64, i64) = sqlx::query_as(&format!(
            "SELECT id, expires_at FROM lines WHERE msisdn = '{msisdn}'"
        ))
        .fetch_one(&pool)
        .await
        .unwrap();
        pool.close().await;
        row
    };
    for (id, expiry) in [(1, expires), (2, expires - 86_400 * 30)] {
        sql(app, &format!(
            "INSERT INTO reminders (id, brand_id, line_id, subscriber_id, expires_at, step, channel, \
             state, due_at, attempts, last_error, created_at) VALUES ({id}, {}, {line_id}, {}, {expiry}, 7, \
             'email', 'failed', {}, 4, 'smtp: 550 mailbox unavailable', {})",
            app.brand.id.0, subscriber.0, now.as_second() - 3600, now.as_second() - 7200
        ))
        .await;
    }
    // An automatic renewal whose retries are spent.
    sql(
        app,
        &format!(
            "UPDATE lines SET auto_renew = TRUE, auto_renew_plan = 'TEST-5GB-30D', \
         auto_renew_attempts = 3, auto_renew_next_at = NULL WHERE id = {line_id}"
        ),
    )
    .await;
    (
        format!("outbox-{}", claimed[0].id),
        "reminder-1".to_owned(),
        format!("auto-renew-{line_id}"),
    )
}

both! {
    async fn dead_jobs_of_every_kind_are_listed_and_retried_once(app: TestApp) {
        let (outbox, reminder, auto_renew) = dead_jobs(&app).await;
        let (s, list) = app.get("/api/v1/jobs/dead").await;
        assert_eq!(s, StatusCode::OK, "{list}");
        let ids: Vec<&str> = list["items"].as_array().unwrap().iter().map(|j| j["id"].as_str().unwrap()).collect();
        for id in [&outbox, &reminder, &auto_renew] {
            assert!(ids.contains(&id.as_str()), "{id} in {list}");
        }
        assert!(ids.contains(&"reminder-2"), "{list}");
        let r = list["items"].as_array().unwrap().iter().find(|j| j["id"] == reminder.as_str()).unwrap();
        assert_eq!(r["kind"], "reminder");
        assert_eq!(r["error"], "smtp: 550 mailbox unavailable");
        assert_eq!(r["brand"], "test");

        // The CLI says the same, and retries one.
        let (ok, out, err) = simrenew(&app, &["jobs", "list", "--dead"]);
        assert!(ok, "{err}");
        assert!(out.contains(&outbox) && out.contains(&auto_renew) && out.contains("unknown number"), "{out}");
        let (ok, out, err) = simrenew(&app, &["jobs", "retry", &outbox]);
        assert!(ok, "{err}");
        assert!(out.contains("queued again"), "{out}");
        let (ok, _, err) = simrenew(&app, &["jobs", "retry", &outbox]);
        assert!(!ok && err.contains("dead job not found"), "{err}");
        let (ok, _, err) = simrenew(&app, &["jobs", "retry", "job-1"]);
        assert!(!ok && err.contains("outbox-N"), "{err}");
        let (ok, out, err) = simrenew(&app, &["jobs", "list"]);
        assert!(ok, "{err}");
        assert!(out.contains("outbox rows to deliver   1"), "{out}");

        // Over the API: each once; a reminder of an expiry left behind is not sent.
        for id in [&reminder, &auto_renew] {
            let (s, body) = app.post(&format!("/api/v1/jobs/{id}/retry"), json!({})).await;
            assert_eq!(s, StatusCode::NO_CONTENT, "{id}: {body}");
            let (s, _) = app.post(&format!("/api/v1/jobs/{id}/retry"), json!({})).await;
            assert_eq!(s, StatusCode::NOT_FOUND, "{id} twice");
        }
        let (s, body) = app.post("/api/v1/jobs/reminder-2/retry", json!({})).await;
        assert_eq!(s, StatusCode::CONFLICT, "{body}");
        let (s, body) = app.post("/api/v1/jobs/outbox-x/retry", json!({})).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let (_, list) = app.get("/api/v1/jobs/dead").await;
        let ids: Vec<&str> = list["items"].as_array().unwrap().iter().map(|j| j["id"].as_str().unwrap()).collect();
        assert_eq!(ids, vec!["reminder-2"], "{list}");
        let w = app.app.waiting_jobs().await.unwrap();
        assert_eq!((w.outbox, w.reminders), (1, 1));
    }

    async fn only_administrators_handle_jobs_and_a_brand_s_only_its_own(app: TestApp) {
        let (_, reminder, _) = dead_jobs(&app).await;
        let other = app
            .db
            .insert_brand(&simrenew_domain::brand::Brand { code: "other".into(), name: "Other".into(), ..app.brand.clone() })
            .await
            .unwrap();
        let key = |role: Role, brand: simrenew_domain::ids::BrandId| {
            let app = &app;
            async move {
                let email = format!("{role}-{}@jobs.example", brand.0);
                let id = app
                    .app
                    .create_staff("test", &NewStaff { email: email.clone(), name: "S".into(), role, brand: Some(brand), stores: vec![] })
                    .await
                    .unwrap();
                app.app.create_api_key("test", &email, &KeyOwner::Staff(id)).await.unwrap().1
            }
        };
        let theirs = key(Role::BrandAdmin, other).await;
        let ours = key(Role::BrandAdmin, app.brand.id).await;
        let (s, list) = app.request_as(Some(&theirs), Method::GET, "/api/v1/jobs/dead", None).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(list["items"].as_array().unwrap().len(), 0, "{list}");
        let (s, _) = app
            .request_as(Some(&theirs), Method::POST, &format!("/api/v1/jobs/{reminder}/retry"), Some(json!({})))
            .await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let (s, list) = app.request_as(Some(&ours), Method::GET, "/api/v1/jobs/dead", None).await;
        assert_eq!(s, StatusCode::OK);
        assert!(list["items"].as_array().unwrap().len() >= 3, "{list}");
        let (s, _) = app.request_as(None, Method::GET, "/api/v1/jobs/dead", None).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
        let partner = app
            .app
            .create_api_key("test", "p", &KeyOwner::Partner { brand: app.brand.id, scopes: vec![simrenew_domain::access::Scope::Orders] })
            .await
            .unwrap()
            .1;
        let (s, _) = app.request_as(Some(&partner), Method::GET, "/api/v1/jobs/dead", None).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
    }
}
