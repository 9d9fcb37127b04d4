use axum::body::Body;
use axum::http::{header, HeaderMap, Method, Request, StatusCode};
use serde_json::{json, Value};
use simrenew_app::idempotency::{IdempotencyBegin, ATTEMPT};
use simrenew_app::sales::payment::PaymentInstruction;
use simrenew_app::sales::renewal::{OrderSource, PurchaseRequest};
use simrenew_domain::catalog::Channel;
use simrenew_domain::catalog::LineKind;
use simrenew_store::CountedTable;

use crate::support::{both, days, Session, TestApp};

/// Who sends a request.
enum Who<'a> {
    Session(&'a Session),
    Bearer(&'a str),
    Nobody,
}

async fn send(
    app: &TestApp,
    who: Who<'_>,
    key: &str,
    uri: &str,
    body: Option<Value>,
) -> (StatusCode, Value, HeaderMap) {
    let mut req = Request::builder()
        .method(Method::POST)
        .uri(uri)
        .header("idempotency-key", key);
    req = match who {
        Who::Session(s) => req
            .header(header::COOKIE, &s.cookie)
            .header("x-csrf-token", &s.csrf),
        Who::Bearer(t) => req.header(header::AUTHORIZATION, format!("Bearer {t}")),
        Who::Nobody => req,
    };
    let req = match body {
        Some(b) => req
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(b.to_string())),
        None => req.body(Body::empty()),
    }
    .unwrap();
    app.send(req).await
}

/// Runs SQL behind the application's back, as a crash at the wrong instant would leave it.
async fn tamper(app: &TestApp, sql: &str) {
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&app.cli_url).await.unwrap();
    sqlx::query(sql).execute(&pool).await.unwrap();
    pool.close().await;
}

async fn kept_bodies(app: &TestApp) -> Vec<String> {
    use sqlx::Row;
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&app.cli_url).await.unwrap();
    let rows = sqlx::query("SELECT body FROM idempotency_keys WHERE body IS NOT NULL")
        .fetch_all(&pool)
        .await
        .unwrap();
    pool.close().await;
    rows.iter().map(|r| r.get::<String, _>("body")).collect()
}

both! {
    async fn the_same_key_and_body_replay_the_first_answer(app: TestApp) {
        let msisdn = app.line(LineKind::Esim, 5_000, Some(days(10))).await;
        let body = json!({"msisdn": msisdn.to_string(), "plan": "TEST-5GB-30D", "payment": {"method": "credit"}});
        let key = [("idempotency-key", "order-1")];
        let (s1, first, _) = app.request(Method::POST, "/api/v1/orders", Some(body.clone()), &key).await;
        assert_eq!(s1, StatusCode::CREATED, "{first}");
        let (s2, second, headers) = app.request(Method::POST, "/api/v1/orders", Some(body.clone()), &key).await;
        assert_eq!(s2, StatusCode::CREATED);
        assert_eq!(second, first);
        assert_eq!(headers["idempotent-replayed"], "true");
        assert_eq!(app.count(CountedTable::Orders).await, 1);
        let (_, line) = app.get(&format!("/api/v1/lines/{msisdn}")).await;
        assert_eq!(line["credit"]["amount_cents"], 4000);

        // The same key with another body is refused and changes nothing.
        let other = json!({"msisdn": msisdn.to_string(), "plan": "TEST-20GB-1M", "payment": {"method": "credit"}});
        let (s3, problem, _) = app.request(Method::POST, "/api/v1/orders", Some(other), &key).await;
        assert_eq!(s3, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
        assert_eq!(problem["field"], "Idempotency-Key");
        assert_eq!(app.count(CountedTable::Orders).await, 1);

        // Another key is another request.
        let (s4, _, _) = app.request(Method::POST, "/api/v1/orders", Some(body), &[("idempotency-key", "order-2")]).await;
        assert_eq!(s4, StatusCode::CREATED);
        assert_eq!(app.count(CountedTable::Orders).await, 2);
    }

    async fn refusals_are_replayed_too(app: TestApp) {
        let msisdn = app.line(LineKind::Esim, 100, Some(days(10))).await;
        let body = json!({"msisdn": msisdn.to_string(), "plan": "TEST-5GB-30D", "payment": {"method": "credit"}});
        let key = [("idempotency-key", "poor")];
        let (s1, p1, _) = app.request(Method::POST, "/api/v1/orders", Some(body.clone()), &key).await;
        assert_eq!(s1, StatusCode::PAYMENT_REQUIRED);
        let (s2, p2, headers) = app.request(Method::POST, "/api/v1/orders", Some(body), &key).await;
        assert_eq!((s2, p2), (s1, p1));
        assert_eq!(headers["content-type"], "application/problem+json");
    }

    async fn concurrent_requests_with_one_key_apply_once(app: TestApp) {
        let msisdn = app.line(LineKind::Esim, 50_000, Some(days(10))).await;
        let body = json!({"msisdn": msisdn.to_string(), "plan": "TEST-5GB-30D", "payment": {"method": "credit"}});
        let app = std::sync::Arc::new(app);
        let mut tasks = vec![];
        for _ in 0..8 {
            let (app, body) = (app.clone(), body.clone());
            tasks.push(tokio::spawn(async move {
                app.request(Method::POST, "/api/v1/orders", Some(body), &[("idempotency-key", "same")]).await.0
            }));
        }
        for t in tasks {
            let status = t.await.unwrap();
            assert!(status == StatusCode::CREATED || status == StatusCode::CONFLICT, "{status}");
        }
        assert_eq!(app.count(CountedTable::Orders).await, 1);
    }

    async fn a_kept_answer_is_given_only_to_the_principal_that_sent_it(app: TestApp) {
        let mut app = app;
        let (mine, _) = app.subscriber_line().await;
        let (theirs, _) = app.subscriber_line_with_email("noor@mail.example").await;
        let a = app.signed_in(&mine).await;
        let b = app.signed_in(&theirs).await;
        let body = json!({"msisdn": mine.to_string(), "plan": "TEST-5GB-30D", "payment": {"method": "credit"}});
        let (s, first, _) = send(&app, Who::Session(&a), "k-1", "/api/v1/orders", Some(body.clone())).await;
        assert_eq!(s, StatusCode::CREATED, "{first}");

        // Without credentials, or with a wrong one: refused, and nothing of the kept answer.
        for who in [Who::Nobody, Who::Bearer("not-a-key")] {
            let (s, p, h) = send(&app, who, "k-1", "/api/v1/orders", Some(body.clone())).await;
            assert_eq!(s, StatusCode::UNAUTHORIZED, "{p}");
            assert!(h.get("idempotent-replayed").is_none());
            assert!(p.get("order_id").is_none() && p.get("id").is_none(), "{p}");
        }
        // Another subscriber with the same key and body runs their own request: not their line.
        let (s, p, h) = send(&app, Who::Session(&b), "k-1", "/api/v1/orders", Some(body.clone())).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{p}");
        assert!(h.get("idempotent-replayed").is_none());
        // A staff member too: the platform admin's own order, not the subscriber's answer.
        let (s, own, h) = send(&app, Who::Bearer(&app.token), "k-1", "/api/v1/orders", Some(body.clone())).await;
        assert_eq!(s, StatusCode::CREATED, "{own}");
        assert!(h.get("idempotent-replayed").is_none());
        assert_ne!(own["id"], first["id"]);
        // The subscriber who sent it gets it again.
        let (s, again, h) = send(&app, Who::Session(&a), "k-1", "/api/v1/orders", Some(body)).await;
        assert_eq!((s, &again), (StatusCode::CREATED, &first));
        assert_eq!(h["idempotent-replayed"], "true");
        assert_eq!(app.count(CountedTable::Orders).await, 2);
    }

    async fn answers_with_secrets_are_kept_sealed(app: TestApp) {
        let mut app = app;
        let (mine, _) = app.subscriber_line().await;
        let a = app.signed_in(&mine).await;
        let (s, enrolment, _) = send(&app, Who::Session(&a), "totp-1", "/api/v1/auth/totp", None).await;
        assert_eq!(s, StatusCode::CREATED, "{enrolment}");
        let url = enrolment["otpauth_url"].as_str().unwrap();
        let secret = url.split("secret=").nth(1).unwrap().split('&').next().unwrap().to_owned();
        let kept = kept_bodies(&app).await;
        assert!(!kept.is_empty());
        for body in &kept {
            assert!(body.starts_with("v1:"), "kept in clear: {body}");
            assert!(!body.contains(&secret));
        }
        let (s, again, h) = send(&app, Who::Session(&a), "totp-1", "/api/v1/auth/totp", None).await;
        assert_eq!((s, &again), (StatusCode::CREATED, &enrolment));
        assert_eq!(h["idempotent-replayed"], "true");
    }

    async fn a_quote_is_ordered_once(app: TestApp) {
        let msisdn = app.line(LineKind::Esim, 50_000, Some(days(10))).await;
        let (s, quote) = app.post("/api/v1/quotes", json!({"msisdn": msisdn.to_string(), "plan": "TEST-5GB-30D"})).await;
        assert_eq!(s, StatusCode::CREATED, "{quote}");
        let order = json!({"quote_id": quote["id"], "payment": {"method": "credit"}});
        let app = std::sync::Arc::new(app);
        let mut tasks = vec![];
        for _ in 0..6 {
            let (app, order) = (app.clone(), order.clone());
            tasks.push(tokio::spawn(async move { app.post("/api/v1/orders", order).await }));
        }
        let mut created = 0;
        for t in tasks {
            let (s, body) = t.await.unwrap();
            match s {
                StatusCode::CREATED => created += 1,
                StatusCode::CONFLICT => assert_eq!(body["field"], "quote_id", "{body}"),
                other => panic!("{other}: {body}"),
            }
        }
        assert_eq!(created, 1);
        assert_eq!(app.count(CountedTable::Orders).await, 1);
        let (_, line) = app.get(&format!("/api/v1/lines/{msisdn}")).await;
        assert_eq!(line["credit"]["amount_cents"], 50_000 - 1_000);
    }

    async fn a_retry_after_a_crash_answers_the_committed_effect_or_runs_again(app: TestApp) {
        let msisdn = app.line(LineKind::Esim, 50_000, Some(days(10))).await;
        let body = json!({"msisdn": msisdn.to_string(), "plan": "TEST-5GB-30D", "payment": {"method": "credit"}});
        let key = [("idempotency-key", "crash-1")];
        let (s, first, _) = app.request(Method::POST, "/api/v1/orders", Some(body.clone()), &key).await;
        assert_eq!(s, StatusCode::CREATED, "{first}");
        // The order's transaction marked the key with its effect: a process that stopped before
        // keeping the answer leaves the effect, and the retry answers the order it placed.
        tamper(&app, "UPDATE idempotency_keys SET status = NULL, body = NULL, lease_until = 0").await;
        let (s, again, h) = app.request(Method::POST, "/api/v1/orders", Some(body.clone()), &key).await;
        assert_eq!(s, StatusCode::CREATED, "{again}");
        assert_eq!(again["id"], first["id"]);
        assert_eq!(again["state"], first["state"]);
        assert_eq!(h["idempotent-replayed"], "true");
        assert_eq!(app.count(CountedTable::Orders).await, 1);

        // A process that stopped before any effect: while its lease runs the key is busy, then
        // the request runs.
        let key = [("idempotency-key", "crash-2")];
        let (s, _, _) = app.request(Method::POST, "/api/v1/orders", Some(body.clone()), &key).await;
        assert_eq!(s, StatusCode::CREATED);
        assert_eq!(app.count(CountedTable::Orders).await, 2);
        let later = simrenew_app::idempotency::wall_clock().as_second() + 60;
        tamper(&app, &format!("UPDATE idempotency_keys SET status = NULL, body = NULL, effect = NULL, effect_at = NULL, lease_until = {later} WHERE key = 'crash-2'")).await;
        let (s, p, h) = app.request(Method::POST, "/api/v1/orders", Some(body.clone()), &key).await;
        assert_eq!(s, StatusCode::CONFLICT, "{p}");
        assert!(h.contains_key(header::RETRY_AFTER));
        tamper(&app, "UPDATE idempotency_keys SET lease_until = 0 WHERE key = 'crash-2'").await;
        let (s, p, h) = app.request(Method::POST, "/api/v1/orders", Some(body), &key).await;
        assert_eq!(s, StatusCode::CREATED, "{p}");
        assert!(h.get("idempotent-replayed").is_none());
        assert_eq!(app.count(CountedTable::Orders).await, 3);
    }

    async fn an_attempt_whose_lease_was_taken_over_commits_nothing(app: TestApp) {
        let msisdn = app.line(LineKind::Esim, 50_000, Some(days(10))).await;
        let IdempotencyBegin::Started(slow) = app.app.idempotency_begin("staff:1", "k", "h").await.unwrap() else {
            panic!("the key is new");
        };
        tamper(&app, "UPDATE idempotency_keys SET lease_until = 0").await;
        let IdempotencyBegin::Started(retry) = app.app.idempotency_begin("staff:1", "k", "h").await.unwrap() else {
            panic!("a lapsed lease is taken over");
        };
        assert_ne!(slow.token, retry.token);
        let order = OrderSource::Purchase(PurchaseRequest {
            msisdn: msisdn.clone(),
            plan_code: "TEST-5GB-30D".into(),
            periods: 1,
            channel: Channel::Portal,
            promo_code: None,
        });
        let late = ATTEMPT
            .scope(slow, app.app.create_order(&order, Some(&PaymentInstruction::Credit)))
            .await;
        assert!(late.is_err(), "{late:?}");
        assert_eq!(app.count(CountedTable::Orders).await, 0);
        let (_, line) = app.get(&format!("/api/v1/lines/{msisdn}")).await;
        assert_eq!(line["credit"]["amount_cents"], 50_000);
        // The attempt holding the key commits.
        ATTEMPT
            .scope(retry, app.app.create_order(&order, Some(&PaymentInstruction::Credit)))
            .await
            .unwrap();
        assert_eq!(app.count(CountedTable::Orders).await, 1);
    }
}
