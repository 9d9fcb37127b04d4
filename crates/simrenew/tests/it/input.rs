//! Input correctness: only JSON objects are taken as objects, every text field has a bound and
//! a refusal names the field, amounts are checked before anything is written, and the payment
//! methods offered are those that work.

use std::sync::Arc;

use axum::http::StatusCode;
use serde_json::{json, Value};
use simrenew_app::payments::providers::Providers;
use simrenew_domain::catalog::LineKind;
use simrenew_domain::line::LineState;
use simrenew_payments::StripeProvider;
use simrenew_store::CountedTable;

use crate::payments::pending_order;
use crate::provider_mock::ProviderMock;
use crate::support::{both, days, TestApp};

async fn refused(app: &TestApp, uri: &str, body: Value, field: &str) {
    let (status, problem) = app.post(uri, body.clone()).await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{uri} {body}: {problem}"
    );
    assert_eq!(problem["field"], field, "{uri} {body}: {problem}");
    let detail = problem["detail"].as_str().unwrap_or_default();
    assert!(!detail.contains("constraint"), "{problem}");
}

async fn methods(app: &TestApp) -> Vec<String> {
    let (status, body) = app
        .get("/api/v1/payment-methods?brand=test&channel=portal")
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["methods"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m.as_str().unwrap().to_owned())
        .collect()
}

both! {
    async fn only_objects_are_taken_as_objects(app: TestApp) {
        let msisdn = app.line(LineKind::Esim, 10_000, Some(days(5))).await.to_string();
        let before = app.count(CountedTable::Orders).await;
        let array = json!([null, msisdn, "TEST-5GB-30D", 1, null, null, {"method": "credit"}]);
        refused(&app, "/api/v1/orders", array, "body").await;
        refused(&app, "/api/v1/quotes", json!([msisdn, "TEST-5GB-30D", 1]), "body").await;
        refused(&app, "/api/v1/orders", json!("an order"), "body").await;
        refused(&app, "/api/v1/orders", json!(null), "body").await;
        // Nested objects too.
        refused(&app, "/api/v1/orders",
            json!({"msisdn": msisdn, "plan": "TEST-5GB-30D", "payment": ["credit", null]}), "payment").await;
        let order = pending_order(&app).await;
        refused(&app, &format!("/api/v1/orders/{order}/store-payments"),
            json!({"method": "cash", "store": "X", "amount": [1000, "EUR"]}), "amount").await;
        assert_eq!(app.count(CountedTable::Orders).await, before + 1);
        // An object still works.
        let (status, body) = app
            .post("/api/v1/orders", json!({"msisdn": msisdn, "plan": "TEST-5GB-30D", "payment": {"method": "credit"}}))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }

    async fn every_text_field_has_a_bound_and_a_refusal_names_it(app: TestApp) {
        let msisdn = app.line(LineKind::Esim, 10_000, Some(days(5))).await.to_string();
        let pending = app
            .line_in_state(LineKind::PhysicalSim, 0, None, LineState::PendingIdentification)
            .await
            .to_string();
        let order = pending_order(&app).await;
        let long = |n: usize| "a".repeat(n);
        let identification = |field: &str, value: String| {
            let mut body = json!({"method": "eid", "document_number": "592123456789",
                "name": "Louise Maes", "email": "louise@example.be", "language": "fr"});
            body[field] = json!(value);
            body
        };
        let ident_uri = format!("/api/v1/lines/{pending}/identification");
        for (uri, body, field) in [
            (ident_uri.clone(), identification("name", long(60_000)), "name"),
            (ident_uri.clone(), identification("name", "é".repeat(201)), "name"),
            (ident_uri.clone(), identification("email", format!("{}@example.be", long(300))), "email"),
            (ident_uri.clone(), identification("document_number", long(500)), "document_number"),
            ("/api/v1/orders".into(), json!({"msisdn": msisdn, "plan": long(1_000)}), "plan"),
            ("/api/v1/orders".into(), json!({"msisdn": long(1_000), "plan": "TEST-5GB-30D"}), "msisdn"),
            ("/api/v1/quotes".into(), json!({"msisdn": msisdn, "plan": "TEST-5GB-30D", "promo_code": long(1_000)}), "promo_code"),
            ("/api/v1/voucher-redemptions".into(), json!({"msisdn": msisdn, "code": long(10_000)}), "code"),
            (format!("/api/v1/orders/{order}/store-payments"),
                json!({"method": "card_terminal", "store": "X", "terminal_ref": long(1_000),
                    "amount": {"amount_cents": 1000, "currency": "EUR"}}), "terminal_ref"),
            (format!("/api/v1/orders/{order}/store-payments"),
                json!({"method": "cash", "store": "X",
                    "amount": {"amount_cents": 1000, "currency": long(1_000)}}), "amount.currency"),
            (format!("/api/v1/orders/{order}/provider-payments"),
                json!({"method": "card", "payment_method_token": "pm_card_visa",
                    "return_url": format!("https://portal.example/{}", long(5_000))}), "return_url"),
            ("/api/v1/payments/1/refunds".into(),
                json!({"amount": {"amount_cents": 1, "currency": "EUR"}, "reason": "é".repeat(501)}), "reason"),
            ("/api/v1/auth/staff-sessions".into(),
                json!({"email": "a@example.be", "password": long(60_000)}), "password"),
            ("/api/v1/counter/customer".into(), json!({"msisdn": long(60_000)}), "msisdn"),
        ] {
            let (status, problem) = app.post(&uri, body.clone()).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{uri} {field}: {problem}");
            assert_eq!(problem["field"], field, "{uri}: {problem}");
        }
        // Nothing was identified.
        let (_, line) = app.get(&format!("/api/v1/lines/{pending}")).await;
        assert_eq!(line["state"], "pending_identification");
        // At the bounds, it is taken.
        let (status, body) = app.post(&ident_uri, identification("name", "é".repeat(200))).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }

    async fn a_negative_store_amount_is_refused_naming_amount(app: TestApp) {
        let order = pending_order(&app).await;
        app.db
            .insert_store(&simrenew_store::NewStore {
                brand_id: app.brand.id,
                code: "BXL-01".into(),
                name: "Brussels".into(),
                address: "Rue Neuve 1, 1000 Bruxelles".into(),
                opening_hours: "Mon-Sat 10:00-18:00".into(),
                capabilities: vec!["renews_cash".into()],
            })
            .await
            .unwrap();
        let uri = format!("/api/v1/orders/{order}/store-payments");
        for cents in [-1000, -1, i64::MIN] {
            refused(&app, &uri, json!({"method": "cash", "store": "BXL-01",
                "amount": {"amount_cents": cents, "currency": "EUR"}}), "amount").await;
        }
        // Another amount than the order's is a conflict naming it, before anything is written.
        let (status, problem) = app
            .post(&uri, json!({"method": "cash", "store": "BXL-01",
                "amount": {"amount_cents": 999, "currency": "EUR"}}))
            .await;
        assert_eq!((status, &problem["field"]), (StatusCode::CONFLICT, &json!("amount")), "{problem}");
        let d = app.app.store.order(order).await.unwrap().unwrap();
        assert!(d.payments.is_empty());
        assert!(app.app.store.provider_payments_of_order(order).await.unwrap().is_empty());
        let (status, body) = app
            .post(&uri, json!({"method": "cash", "store": "BXL-01",
                "amount": {"amount_cents": 1000, "currency": "EUR"}}))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }

    async fn only_the_payment_methods_that_work_are_listed(app: TestApp) {
        // No provider configured: no card, Bancontact or PayPal.
        let listed = methods(&app).await;
        assert_eq!(listed, vec!["credit", "voucher", "cash", "card_terminal"], "{listed:?}");

        // Stripe only: card and Bancontact, not PayPal; and a listed method is never a 409.
        let mock = ProviderMock::start().await;
        let providers = Providers::default().with(Arc::new(StripeProvider::new(mock.stripe_config()).unwrap()));
        assert!(app.app.install_providers(providers));
        let listed = methods(&app).await;
        assert!(listed.contains(&"card".to_owned()) && listed.contains(&"bancontact".to_owned()), "{listed:?}");
        assert!(!listed.contains(&"paypal".to_owned()), "{listed:?}");
        for method in ["card", "bancontact"] {
            let order = pending_order(&app).await;
            let (status, body) = app
                .post(&format!("/api/v1/orders/{order}/provider-payments"),
                    json!({"method": method, "payment_method_token": "pm_card_visa",
                        "return_url": "https://portal.test.example/return"}))
                .await;
            assert_ne!(status, StatusCode::CONFLICT, "{method}: {body}");
            assert!(status.is_success(), "{method}: {body}");
        }
        let order = pending_order(&app).await;
        let (status, body) = app
            .post(&format!("/api/v1/orders/{order}/provider-payments"),
                json!({"method": "paypal", "return_url": "https://portal.test.example/return"}))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(body["field"], "method");
    }
}
