use axum::http::{Method, StatusCode};
use serde_json::{json, Value};
use simrenew_domain::catalog::LineKind;
use simrenew_domain::line::LineState;
use simrenew_store::CountedTable;

use crate::support::{both, days, TestApp};

fn renew(msisdn: &impl ToString, plan: &str, periods: i64) -> Value {
    json!({
        "msisdn": msisdn.to_string(),
        "plan": plan,
        "periods": periods,
        "payment": {"method": "credit"},
    })
}

/// Counts of every table a renewal writes, to show a refusal wrote nothing.
async fn footprint(app: &TestApp) -> Vec<i64> {
    let mut v = vec![];
    for t in [
        CountedTable::Orders,
        CountedTable::Bundles,
        CountedTable::LedgerEntries,
        CountedTable::Outbox,
    ] {
        v.push(app.count(t).await);
    }
    v
}

both! {
    async fn early_renewal_stacks_on_the_current_expiry(app: TestApp) {
        let msisdn = app.line(LineKind::Esim, 5_000, Some(days(10))).await;
        let (status, order) = app.post("/api/v1/orders", renew(&msisdn, "TEST-5GB-30D", 1)).await;
        assert_eq!(status, StatusCode::CREATED, "{order}");
        assert_eq!(order["state"], "syncing");
        assert_eq!(order["total"]["amount_cents"], 1000);
        assert_eq!(order["vat"]["amount_cents"], 174);
        assert_eq!(order["payment"]["method"], "credit");
        // The new bundle starts when the current one ends: no day lost.
        assert_eq!(order["renewal"]["starts_at"], "2027-01-25T10:00:00+01:00");
        assert_eq!(order["renewal"]["expires_at"], "2027-02-24T10:00:00+01:00");

        let (_, line) = app.get(&format!("/api/v1/lines/{msisdn}")).await;
        assert_eq!(line["expires_at"], "2027-02-24T10:00:00+01:00");
        assert_eq!(line["credit"]["amount_cents"], 4000);
        let bundles = line["bundles"].as_array().unwrap();
        assert_eq!(bundles.len(), 2);
        assert_eq!(bundles[1]["status"], "queued");
        // One outbox row per bundle granted, for provisioning, the same on both databases.
        let outbox = app.db.pending_outbox(10).await.unwrap();
        assert_eq!(outbox.len(), 1);
        assert_eq!(outbox[0].0, "bundle_granted");
        let payload: Value = serde_json::from_str(&outbox[0].1).unwrap();
        assert_eq!(payload["msisdn"], msisdn.to_string());
        assert_eq!(payload["order_id"], order["id"]);
        assert_eq!(payload["bundle_id"], bundles[1]["id"]);
        assert_eq!(payload["plan"], "TEST-5GB-30D");
        assert_eq!(payload["data_mb"], 5000);
        assert_eq!(payload["starts_at"], "2027-01-25T09:00:00Z");
        assert_eq!(payload["ends_at"], "2027-02-24T09:00:00Z");
        assert_eq!(app.count(CountedTable::LedgerEntries).await, 1);
    }

    async fn months_follow_the_calendar_in_the_brand_zone(app: TestApp) {
        // Expiry on 31 January 10:00 Brussels: one calendar month later is 28 February, the
        // next is 28 March (after the DST change, still 10:00 local).
        app.clock.set("2027-01-20T10:00:00+01:00".parse().unwrap());
        let msisdn = app.line(LineKind::PhysicalSim, 10_000, Some(days(11))).await;
        let (_, order) = app.post("/api/v1/orders", renew(&msisdn, "TEST-20GB-1M", 1)).await;
        assert_eq!(order["renewal"]["starts_at"], "2027-01-31T10:00:00+01:00");
        assert_eq!(order["renewal"]["expires_at"], "2027-02-28T10:00:00+01:00");
        let (_, order) = app.post("/api/v1/orders", renew(&msisdn, "TEST-20GB-1M", 1)).await;
        assert_eq!(order["renewal"]["expires_at"], "2027-03-28T10:00:00+02:00");
    }

    async fn renewal_in_grace_reactivates_from_now(app: TestApp) {
        let msisdn = app.line(LineKind::VirtualSim, 5_000, Some(days(-3))).await;
        let (_, line) = app.get(&format!("/api/v1/lines/{msisdn}")).await;
        assert_eq!(line["state"], "grace");
        let (status, order) = app.post("/api/v1/orders", renew(&msisdn, "TEST-5GB-30D", 2)).await;
        assert_eq!(status, StatusCode::CREATED, "{order}");
        assert_eq!(order["renewal"]["starts_at"], "2027-01-15T10:00:00+01:00");
        assert_eq!(order["renewal"]["expires_at"], "2027-03-16T10:00:00+01:00");
        assert_eq!(order["renewal"]["bundles"].as_array().unwrap().len(), 2);
        let (_, line) = app.get(&format!("/api/v1/lines/{msisdn}")).await;
        assert_eq!(line["state"], "active");
        assert_eq!(line["data_left_mb"], 5000);
    }

    async fn lines_that_cannot_be_renewed_are_refused(app: TestApp) {
        let lapsed = app.line(LineKind::Esim, 5_000, Some(days(-30))).await;
        let pending = app
            .line_in_state(LineKind::Esim, 5_000, None, LineState::PendingIdentification)
            .await;
        let suspended = app.line_in_state(LineKind::Esim, 5_000, Some(days(5)), LineState::Suspended).await;
        let before = footprint(&app).await;
        for msisdn in [lapsed, pending, suspended] {
            let (status, body) = app.post("/api/v1/orders", renew(&msisdn, "TEST-5GB-30D", 1)).await;
            assert_eq!(status, StatusCode::CONFLICT, "{body}");
            assert_eq!(body["field"], "msisdn");
        }
        assert_eq!(footprint(&app).await, before);
    }

    async fn bad_input_is_named_and_changes_nothing(app: TestApp) {
        let msisdn = app.line(LineKind::PhysicalSim, 500, Some(days(10))).await;
        let before = footprint(&app).await;
        let cases: Vec<(Value, StatusCode, &str)> = vec![
            (renew(&msisdn, "NO-SUCH-PLAN", 1), StatusCode::NOT_FOUND, "plan"),
            (renew(&msisdn, "TEST-ESIM-7D", 1), StatusCode::UNPROCESSABLE_ENTITY, "plan"),
            (renew(&msisdn, "TEST-5GB-30D", 0), StatusCode::UNPROCESSABLE_ENTITY, "periods"),
            (renew(&msisdn, "TEST-5GB-30D", -3), StatusCode::UNPROCESSABLE_ENTITY, "periods"),
            (renew(&msisdn, "TEST-5GB-30D", 1), StatusCode::PAYMENT_REQUIRED, "payment"),
            (renew(&"+32 abc", "TEST-5GB-30D", 1), StatusCode::UNPROCESSABLE_ENTITY, "msisdn"),
            (renew(&"+32470000001", "TEST-5GB-30D", 1), StatusCode::NOT_FOUND, "msisdn"),
            (json!({"msisdn": msisdn.to_string(), "plan": "TEST-5GB-30D", "channel": "partner", "promo_code": "OLD", "payment": {"method": "credit"}}), StatusCode::UNPROCESSABLE_ENTITY, "promo_code"),
            (json!({"msisdn": msisdn.to_string(), "plan": "TEST-5GB-30D", "promo_code": "NOSUCH"}), StatusCode::UNPROCESSABLE_ENTITY, "promo_code"),
            (json!({"msisdn": msisdn.to_string(), "plan": "TEST-STORE-7D", "channel": "portal"}), StatusCode::UNPROCESSABLE_ENTITY, "plan"),
            (json!({"msisdn": msisdn.to_string(), "plan": "TEST-5GB-30D", "channel": "fax"}), StatusCode::UNPROCESSABLE_ENTITY, "channel"),
            (json!({"msisdn": msisdn.to_string(), "plan": "TEST-5GB-30D", "payment": {"method": "gold"}}), StatusCode::UNPROCESSABLE_ENTITY, "method"),
            (json!({"msisdn": msisdn.to_string(), "plan": "TEST-5GB-30D", "periods": "two"}), StatusCode::UNPROCESSABLE_ENTITY, "periods"),
            (json!({"msisdn": msisdn.to_string(), "plan": "TEST-5GB-30D", "colour": "red"}), StatusCode::UNPROCESSABLE_ENTITY, "colour"),
            (json!({"msisdn": msisdn.to_string(), "plan": "TEST-1GB-ADDON", "periods": 2}), StatusCode::UNPROCESSABLE_ENTITY, "periods"),
        ];
        for (body, status, field) in cases {
            let (got, problem) = app.post("/api/v1/orders", body.clone()).await;
            assert_eq!(got, status, "{body} → {problem}");
            assert_eq!(problem["field"], field, "{body} → {problem}");
            assert!(problem["detail"].as_str().is_some_and(|d| !d.is_empty()));
        }
        // Malformed and oversized bodies.
        let (status, problem, headers) = app
            .request(Method::POST, "/api/v1/orders", None, &[("content-type", "application/json")])
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
        assert_eq!(headers["content-type"], "application/problem+json");
        let huge = json!({"msisdn": "x".repeat(100_000), "plan": "TEST-5GB-30D"});
        let (status, _) = app.post("/api/v1/orders", huge).await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(footprint(&app).await, before);
        let (_, line) = app.get(&format!("/api/v1/lines/{msisdn}")).await;
        assert_eq!(line["credit"]["amount_cents"], 500);
        assert_eq!(line["expires_at"], "2027-01-25T10:00:00+01:00");
    }

    async fn quote_then_order_then_pay(app: TestApp) {
        let msisdn = app.line(LineKind::Esim, 50_000, Some(days(3))).await;
        let (status, quote) = app
            .post("/api/v1/quotes", json!({"msisdn": msisdn.to_string(), "plan": "TEST-20GB-1M", "periods": 12}))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{quote}");
        // Buy 12 months, get 6 free.
        assert_eq!(quote["free_periods"], 6);
        assert_eq!(quote["total"]["amount_cents"], 24_000);
        assert_eq!(quote["promotions"][0]["name"], "Buy 12 months, get 6 free");
        let vat: i64 = quote["lines"].as_array().unwrap().iter().map(|l| l["vat"]["amount_cents"].as_i64().unwrap()).sum();
        assert_eq!(quote["vat"]["amount_cents"].as_i64().unwrap(), vat);

        let (status, order) = app.post("/api/v1/orders", json!({"quote_id": quote["id"]})).await;
        assert_eq!(status, StatusCode::CREATED, "{order}");
        assert_eq!(order["state"], "pending_payment");
        assert!(order["renewal"].is_null());
        let id = order["id"].as_i64().unwrap();

        let (status, paid) = app.post(&format!("/api/v1/orders/{id}/payment"), json!({"method": "credit"})).await;
        assert_eq!(status, StatusCode::OK, "{paid}");
        assert_eq!(paid["state"], "syncing");
        assert_eq!(paid["renewal"]["bundles"].as_array().unwrap().len(), 18);
        // 18 calendar months from 18 January 2027.
        assert_eq!(paid["renewal"]["expires_at"], "2028-07-18T10:00:00+02:00");

        let (status, again) = app.post(&format!("/api/v1/orders/{id}/payment"), json!({"method": "credit"})).await;
        assert_eq!(status, StatusCode::CONFLICT, "{again}");
        let (status, got) = app.get(&format!("/api/v1/orders/{id}")).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(got["renewal"]["expires_at"], paid["renewal"]["expires_at"]);
        assert_eq!(got["payment"]["amount"]["amount_cents"], 24_000);

        // A quote expires after 30 minutes.
        let (_, quote) = app
            .post("/api/v1/quotes", json!({"msisdn": msisdn.to_string(), "plan": "TEST-5GB-30D"}))
            .await;
        app.clock.advance(jiff::SignedDuration::from_mins(31));
        let (status, body) = app.post("/api/v1/orders", json!({"quote_id": quote["id"]})).await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        assert_eq!(body["field"], "quote_id");
    }

    async fn promo_codes_have_limits(app: TestApp) {
        let a = app.line(LineKind::Esim, 50_000, Some(days(3))).await;
        let b = app.line(LineKind::Esim, 50_000, Some(days(3))).await;
        let c = app.line(LineKind::Esim, 50_000, Some(days(3))).await;
        let with_code = |m: &simrenew_domain::identifiers::Msisdn| json!({
            "msisdn": m.to_string(), "plan": "TEST-5GB-30D", "promo_code": "half",
            "payment": {"method": "credit"},
        });
        let (status, order) = app.post("/api/v1/orders", with_code(&a)).await;
        assert_eq!(status, StatusCode::CREATED, "{order}");
        assert_eq!(order["total"]["amount_cents"], 500);
        assert_eq!(order["promotions"][0]["code"], "HALF");
        // Once per customer.
        let (status, body) = app.post("/api/v1/orders", with_code(&a)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(body["field"], "promo_code");
        // Twice in all.
        let (status, _) = app.post("/api/v1/orders", with_code(&b)).await;
        assert_eq!(status, StatusCode::CREATED);
        let (status, body) = app.post("/api/v1/orders", with_code(&c)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body["detail"].as_str().unwrap().contains("all uses"), "{body}");
    }

    async fn add_on_adds_data_inside_the_period(app: TestApp) {
        let msisdn = app.line(LineKind::Esim, 5_000, Some(days(10))).await;
        let (status, order) = app.post("/api/v1/orders", renew(&msisdn, "TEST-1GB-ADDON", 1)).await;
        assert_eq!(status, StatusCode::CREATED, "{order}");
        let (_, line) = app.get(&format!("/api/v1/lines/{msisdn}")).await;
        assert_eq!(line["expires_at"], "2027-01-25T10:00:00+01:00");
        assert_eq!(line["data_left_mb"], 6000);

        let expired = app.line(LineKind::Esim, 5_000, Some(days(-1))).await;
        let (status, body) = app.post("/api/v1/orders", renew(&expired, "TEST-1GB-ADDON", 1)).await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        assert_eq!(body["field"], "plan");
    }
}
