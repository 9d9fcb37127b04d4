use axum::http::{Method, StatusCode};
use serde_json::json;
use simrenew_domain::catalog::LineKind;
use simrenew_store::CountedTable;

use crate::support::{both, days};

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
}
