use axum::http::{Method, Request, StatusCode};
use serde_json::json;
use simrenew_domain::catalog::LineKind;
use simrenew_domain::line::LineState;

use crate::support::{both, days};

both! {
    async fn a_line_shows_state_expiry_data_and_credit(app: TestApp) {
        let msisdn = app.line(LineKind::Esim, 1_250, Some(days(10))).await;
        let (status, body) = app.get(&format!("/api/v1/lines/{msisdn}")).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["msisdn"], msisdn.to_string());
        assert_eq!(body["kind"], "esim");
        assert_eq!(body["state"], "active");
        assert_eq!(body["brand"], "test");
        // 2027-01-25 10:00 in Brussels, in RFC 3339 with the brand's offset.
        assert_eq!(body["expires_at"], "2027-01-25T10:00:00+01:00");
        assert_eq!(body["data_left_mb"], 5000);
        assert_eq!(body["credit"], json!({"amount_cents": 1250, "currency": "EUR"}));
        assert_eq!(body["bundles"].as_array().unwrap().len(), 1);
        assert_eq!(body["bundles"][0]["status"], "current");
    }

    async fn expiry_moves_a_line_to_grace_then_lapsed(app: TestApp) {
        let msisdn = app.line(LineKind::VirtualSim, 0, Some(days(1))).await;
        let state = |v: serde_json::Value| v["state"].as_str().unwrap().to_owned();
        assert_eq!(state(app.get(&format!("/api/v1/lines/{msisdn}")).await.1), "active");
        app.clock.advance(days(2));
        let (_, body) = app.get(&format!("/api/v1/lines/{msisdn}")).await;
        assert_eq!(state(body.clone()), "grace");
        assert_eq!(body["data_left_mb"], 0);
        app.clock.advance(days(7));
        assert_eq!(state(app.get(&format!("/api/v1/lines/{msisdn}")).await.1), "lapsed");
    }

    async fn bad_and_unknown_numbers_are_told_apart(app: TestApp) {
        let (status, body) = app.get("/api/v1/lines/12345").await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(body["field"], "msisdn");
        assert_eq!(body["status"], 422);
        let (status, body) = app.get("/api/v1/lines/+32470999999").await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
        assert_eq!(body["field"], "msisdn");
    }

    async fn every_call_needs_the_token(app: TestApp) {
        let msisdn = app.line(LineKind::Esim, 0, Some(days(10))).await;
        for auth in [None, Some("Bearer wrong"), Some("Basic dGVzdA==")] {
            let mut req = Request::builder().method(Method::GET).uri(format!("/api/v1/lines/{msisdn}"));
            if let Some(a) = auth {
                req = req.header("authorization", a);
            }
            let (status, body, headers) = app.send(req.body(axum::body::Body::empty()).unwrap()).await;
            assert_eq!(status, StatusCode::UNAUTHORIZED);
            assert_eq!(headers["content-type"], "application/problem+json");
            assert_eq!(body["status"], 401);
        }
    }

    async fn lines_page_through_filters(app: TestApp) {
        for _ in 0..5 {
            app.line(LineKind::Esim, 0, Some(days(10))).await;
        }
        for _ in 0..3 {
            app.line(LineKind::PhysicalSim, 0, Some(days(-2))).await;
        }
        app.line_in_state(LineKind::VirtualSim, 0, None, LineState::PendingIdentification).await;

        let (status, page) = app.get("/api/v1/lines?brand=test&kind=esim&limit=2").await;
        assert_eq!(status, StatusCode::OK, "{page}");
        assert_eq!(page["items"].as_array().unwrap().len(), 2);
        // A listing does not pretend to know data left (null would read as unlimited).
        assert!(page["items"][0].get("data_left_mb").is_none(), "{page}");
        assert_eq!(page["items"][0]["kind"], "esim");
        let mut seen = 2;
        let mut after = page["next_after"].as_i64().unwrap();
        loop {
            let (_, page) = app.get(&format!("/api/v1/lines?kind=esim&limit=2&after={after}")).await;
            seen += page["items"].as_array().unwrap().len();
            match page["next_after"].as_i64() {
                Some(a) => after = a,
                None => break,
            }
        }
        assert_eq!(seen, 5);

        let (_, grace) = app.get("/api/v1/lines?state=grace").await;
        assert_eq!(grace["items"].as_array().unwrap().len(), 3);
        assert!(grace["items"].as_array().unwrap().iter().all(|l| l["kind"] == "physical_sim"));
        let (_, pending) = app.get("/api/v1/lines?state=pending_identification").await;
        assert_eq!(pending["items"].as_array().unwrap().len(), 1);

        let (status, body) = app.get("/api/v1/lines?state=sleeping").await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(body["field"], "state");
        let (status, body) = app.get("/api/v1/lines?limit=0").await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(body["field"], "limit");
        let (status, body) = app.get("/api/v1/lines?limit=abc").await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(body["field"], "limit");
        let (status, body) = app.get("/api/v1/lines?brand=nope").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_eq!(body["field"], "brand");
    }
}
