//! What goes to the payment providers: every provider identifier is checked against its
//! documented form before it is used, whether it comes from a client, from the database or
//! from a provider's answer, so that none can steer a request to another path (a token
//! `pm_x/../../refunds` once made the server send `POST /v1/refunds` with the platform's key).

use axum::http::{Method, StatusCode};
use serde_json::json;
use simrenew_domain::catalog::LineKind;

use crate::payments::{pending_order, with_providers};
use crate::provider_mock::ProviderMock;
use crate::support::{both, days, TestApp};

/// Identifiers a hostile client (or a tampered database) might offer.
const HOSTILE: &[&str] = &[
    "pm_x/../../refunds?payment_intent=pi_mock1&amount=100",
    "pm_x/../../../v1/refunds",
    "pm_x?expand[]=customer",
    "pm_x#/../refunds",
    "pm_x%2F..%2F..%2Frefunds",
    "pm_x y",
    "pm_x\u{2215}..\u{2215}refunds",
    "pm_é",
];

/// The paths the providers were asked for since `from`.
fn paths_since(mock: &ProviderMock, from: usize) -> Vec<String> {
    mock.requests()[from..]
        .iter()
        .map(|r| format!("{} {}", r.method, r.path))
        .collect()
}

async fn tamper(app: &TestApp, sql: &str) {
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&app.cli_url).await.unwrap();
    sqlx::query(sql).execute(&pool).await.unwrap();
    pool.close().await;
}

both! {
    async fn hostile_tokens_from_a_client_are_refused_before_any_request(app: TestApp) {
        let (app, mock) = with_providers(app).await;
        let msisdn = app.line(LineKind::Esim, 0, Some(days(2))).await.to_string();
        let uri = format!("/api/v1/lines/{msisdn}/saved-payment-methods");
        let order = pending_order(&app).await;
        for token in HOSTILE {
            let (status, problem) = app.post(&uri, json!({"method": "card", "token": token})).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{token}: {problem}");
            assert_eq!(problem["field"], "token", "{problem}");
            let paypal = token.trim_start_matches("pm_");
            let (status, problem) = app.post(&uri, json!({"method": "paypal", "token": paypal})).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{paypal}: {problem}");
            assert_eq!(problem["field"], "token", "{problem}");
            let (status, problem) = app
                .post(&format!("/api/v1/orders/{order}/provider-payments"),
                    json!({"method": "card", "payment_method_token": token,
                        "return_url": "https://portal.test.example/return"}))
                .await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{token}: {problem}");
            assert_eq!(problem["field"], "payment_method_token", "{problem}");
        }
        assert_eq!(paths_since(&mock, 0), Vec::<String>::new());
    }

    async fn a_tampered_stored_reference_is_never_sent(app: TestApp) {
        let (app, mock) = with_providers(app).await;
        let msisdn = app.line(LineKind::Esim, 0, Some(days(2))).await.to_string();
        let uri = format!("/api/v1/lines/{msisdn}/saved-payment-methods");
        let (status, card) = app.post(&uri, json!({"method": "card", "token": "pm_card_visa"})).await;
        assert_eq!(status, StatusCode::CREATED, "{card}");
        let (status, paypal) = app.post(&uri, json!({"method": "paypal", "token": "B-5YM64573DP4721234"})).await;
        assert_eq!(status, StatusCode::CREATED, "{paypal}");
        let order = pending_order(&app).await;
        let (status, three_ds) = app
            .post(&format!("/api/v1/orders/{order}/provider-payments"),
                json!({"method": "card", "payment_method_token": "pm_card_threeDSecure2Required",
                    "return_url": "https://portal.test.example/return"}))
            .await;
        assert_eq!((status, &three_ds["status"]), (StatusCode::CREATED, &json!("requires_action")), "{three_ds}");
        let before = mock.requests().len();

        for hostile in HOSTILE {
            let quoted = hostile.replace('\'', "''");
            tamper(&app, &format!("UPDATE saved_payment_methods SET token_ref = '{quoted}', \
                customer_ref = 'cus_x/../../refunds'")).await;
            tamper(&app, &format!("UPDATE provider_payments SET provider_ref = '{}' WHERE id = {}",
                quoted.replacen("pm_", "pi_", 1), three_ds["id"])).await;
            // Forgetting a saved method, charging one, confirming a payment: refused here.
            for id in [&card["id"], &paypal["id"]] {
                let (status, body, _) = app.request(Method::DELETE, &format!("{uri}/{id}"), None, &[]).await;
                assert_eq!(status, StatusCode::BAD_GATEWAY, "{hostile}: {body}");
            }
            let (_, order) = app
                .post("/api/v1/orders", json!({"msisdn": msisdn, "plan": "TEST-5GB-30D"}))
                .await;
            let order = &order["id"];
            for (method, saved) in [("card", &card["id"]), ("paypal", &paypal["id"])] {
                let (status, body) = app
                    .post(&format!("/api/v1/orders/{order}/provider-payments"),
                        json!({"method": method, "saved_method_id": saved}))
                    .await;
                assert_eq!(status, StatusCode::BAD_GATEWAY, "{hostile}: {body}");
            }
            let (status, body) = app
                .post(&format!("/api/v1/payments/{}/confirmation", three_ds["id"]), json!({}))
                .await;
            assert_eq!(status, StatusCode::BAD_GATEWAY, "{hostile}: {body}");
        }
        assert_eq!(paths_since(&mock, before), Vec::<String>::new());
        assert!(mock.refunds().is_empty());
        assert!(mock.forgotten().is_empty());
    }
}
