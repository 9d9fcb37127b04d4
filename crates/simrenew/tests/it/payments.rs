//! Renewals paid by card and Bancontact (Stripe), PayPal, cash and card terminal, through the
//! real adapters speaking HTTP to a spec-checking mock of each provider; exactly once under
//! duplicated, reordered and concurrent confirmations, and under provider faults.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::{json, Value};
use simrenew_app::payments::checkout::{StartPayment, StorePayment};
use simrenew_app::payments::providers::{ProviderError, Providers};
use simrenew_app::sales::renewal::{OrderSource, PurchaseRequest};
use simrenew_app::AppError;
use simrenew_domain::catalog::{Channel, LineKind};
use simrenew_domain::ids::OrderId;
use simrenew_domain::money::Money;
use simrenew_domain::order::{OrderState, PaymentMethod, ProviderPaymentStatus};
use simrenew_domain::provider_ids::StripePaymentMethodId;
use simrenew_payments::{stripe, PaypalProvider, StripeProvider};

use crate::provider_mock::{Fault, ProviderMock, PAYPAL_GOOD_SIG, STRIPE_WEBHOOK_SECRET};
use crate::support::{both, days, TestApp};

/// The test app paying through the mock's Stripe and PayPal.
pub(crate) async fn with_providers(app: TestApp) -> (TestApp, ProviderMock) {
    let mock = ProviderMock::start().await;
    let providers = Providers::default()
        .with(Arc::new(StripeProvider::new(mock.stripe_config()).unwrap()))
        .with(Arc::new(PaypalProvider::new(mock.paypal_config()).unwrap()));
    assert!(app.app.install_providers(providers));
    (app, mock)
}

/// An order waiting for payment for a line whose bundle ends in 10 days.
pub(crate) async fn pending_order(app: &TestApp) -> OrderId {
    let msisdn = app.line(LineKind::Esim, 0, Some(days(10))).await;
    let receipt = app
        .app
        .create_order(
            &OrderSource::Purchase(PurchaseRequest {
                msisdn,
                plan_code: "TEST-5GB-30D".into(),
                periods: 1,
                channel: Channel::Portal,
                promo_code: None,
            }),
            None,
        )
        .await
        .unwrap();
    assert_eq!(receipt.order.state, OrderState::PendingPayment);
    receipt.order.id
}

/// A store of the fixture brand, taking `capabilities`.
async fn store(app: &TestApp, code: &str, capabilities: &[&str]) -> simrenew_domain::ids::StoreId {
    app.db
        .insert_store(&simrenew_store::NewStore {
            brand_id: app.brand.id,
            code: code.into(),
            name: code.into(),
            address: "Rue Neuve 1, 1000 Bruxelles".into(),
            opening_hours: "Mon-Sat 10:00-18:00".into(),
            capabilities: capabilities.iter().map(|c| (*c).to_owned()).collect(),
        })
        .await
        .unwrap()
}

fn start(order: OrderId, method: PaymentMethod, token: Option<&str>) -> StartPayment {
    StartPayment {
        order,
        method,
        return_url: Some("https://portal.test.example/return".into()),
        payment_method_token: token.map(|t| StripePaymentMethodId::parse(t).unwrap()),
        saved_method: None,
    }
}

/// The order's state, and how many payments and bundles it has.
async fn footprint(app: &TestApp, order: OrderId) -> (OrderState, usize, usize) {
    let d = app.app.store.order(order).await.unwrap().unwrap();
    (d.order.state, d.payments.len(), d.bundles.len())
}

async fn stripe_webhook(app: &TestApp, event: &Value, signed_at: i64) -> (StatusCode, Value) {
    let body = event.to_string();
    let sig = stripe::sign(body.as_bytes(), STRIPE_WEBHOOK_SECRET, signed_at);
    webhook(app, "stripe", body, &[("stripe-signature", sig)]).await
}

async fn webhook(
    app: &TestApp,
    provider: &str,
    body: String,
    headers: &[(&str, String)],
) -> (StatusCode, Value) {
    let mut req = Request::post(format!("/api/v1/webhooks/{provider}"))
        .header("content-type", "application/json");
    for (k, v) in headers {
        req = req.header(*k, v);
    }
    let (status, body, _) = app.send(req.body(Body::from(body)).unwrap()).await;
    (status, body)
}

fn intent_event(id: &str, kind: &str, intent: Value) -> Value {
    json!({"id": id, "object": "event", "type": kind, "api_version": "2020-03-02",
        "data": {"object": intent}})
}

fn paypal_headers(sig: &str) -> Vec<(&'static str, String)> {
    vec![
        ("paypal-auth-algo", "SHA256withRSA".into()),
        (
            "paypal-cert-url",
            "https://api.paypal.com/v1/notifications/certs/CERT".into(),
        ),
        (
            "paypal-transmission-id",
            "69cd13f0-d67a-11e5-baa3-778b53f4ae55".into(),
        ),
        ("paypal-transmission-sig", sig.into()),
        ("paypal-transmission-time", "2027-01-15T09:00:00Z".into()),
    ]
}

/// A process's calls to a provider are paced under the configured rate however many are made
/// at once: evenly spaced, no second sees more than the rate (one more at a window's edges).
#[tokio::test]
async fn provider_calls_are_paced_under_the_configured_rate() {
    use simrenew_app::payments::providers::PaymentProvider;
    let mock = ProviderMock::start().await;
    let rate = std::num::NonZeroU32::new(5).unwrap();
    let stripe = Arc::new(
        StripeProvider::new(mock.stripe_config())
            .unwrap()
            .paced(rate),
    );
    let calls: Vec<_> = (0..12)
        .map(|i| {
            let s = stripe.clone();
            tokio::spawn(async move { s.retrieve(&format!("pi_paced{i}")).await })
        })
        .collect();
    for c in calls {
        let _ = c.await.unwrap();
    }
    let mut at: Vec<std::time::Instant> = mock.requests().iter().map(|r| r.at).collect();
    at.sort();
    assert_eq!(at.len(), 12, "one request per call");
    let second = std::time::Duration::from_secs(1);
    for (i, start) in at.iter().enumerate() {
        let within = at[i..]
            .iter()
            .take_while(|t| t.duration_since(*start) < second)
            .count();
        assert!(
            within <= 6,
            "{within} requests within a second of request {i}"
        );
    }
    let span = at[11].duration_since(at[0]);
    assert!(
        span >= std::time::Duration::from_millis(2_000),
        "12 calls at 5/s took {span:?}"
    );
}

both! {
    async fn a_card_payment_captured_at_once_applies_the_renewal(app: TestApp) {
        let (app, mock) = with_providers(app).await;
        let order = pending_order(&app).await;
        let payment = app
            .app
            .start_payment(&start(order, PaymentMethod::Card, Some("pm_card_visa")))
            .await
            .unwrap();
        assert_eq!(payment.status, ProviderPaymentStatus::Captured);
        assert_eq!(payment.amount, Money::eur(1000));
        assert_eq!(payment.idempotency_key, format!("simrenew-pay-{}", payment.id));
        assert_eq!(footprint(&app, order).await, (OrderState::Syncing, 1, 1));
        let (_, o) = app.get(&format!("/api/v1/orders/{order}")).await;
        assert_eq!(o["payment"]["method"], "card");
        assert_eq!(o["vat"]["amount_cents"], 174);
        assert_eq!(mock.charges(), 1);
        mock.assert_requests_valid();
        let create = &mock.requests()[0];
        assert_eq!(create.idempotency_key.as_deref(), Some(&*format!("simrenew-pay-{}-create", payment.id)));
    }

    async fn three_d_secure_waits_then_the_webhook_and_the_confirmation_apply_once(app: TestApp) {
        let (app, mock) = with_providers(app).await;
        let order = pending_order(&app).await;
        let payment = app
            .app
            .start_payment(&start(order, PaymentMethod::Card, Some("pm_card_threeDSecure2Required")))
            .await
            .unwrap();
        assert_eq!(payment.status, ProviderPaymentStatus::RequiresAction);
        let url = payment.next_action_url.clone().unwrap();
        assert!(url.contains("/authenticate/pi_"), "{url}");
        // No money yet: the order waits.
        assert_eq!(footprint(&app, order).await, (OrderState::PendingPayment, 0, 0));

        let pi = payment.provider_ref.clone().unwrap();
        let requires_action = mock.intent(&pi);
        mock.authenticate(&pi);
        let now = app.now().as_second();
        let succeeded = intent_event("evt_1", "payment_intent.succeeded", mock.intent(&pi));
        let (status, ack) = stripe_webhook(&app, &succeeded, now).await;
        assert_eq!(status, StatusCode::OK, "{ack}");
        assert_eq!(ack["outcome"], "handled");
        assert_eq!(footprint(&app, order).await, (OrderState::Syncing, 1, 1));

        // The customer comes back from the bank: the synchronous confirmation finds it done.
        let confirmed = app.app.confirm_payment(payment.id).await.unwrap();
        assert_eq!(confirmed.status, ProviderPaymentStatus::Captured);
        // The same event again, and a late event from before the capture: harmless.
        let (status, ack) = stripe_webhook(&app, &succeeded, now).await;
        assert_eq!((status, ack["outcome"].as_str()), (StatusCode::OK, Some("duplicate")));
        let late = intent_event("evt_0", "payment_intent.requires_action", requires_action);
        let (status, _) = stripe_webhook(&app, &late, now).await;
        assert_eq!(status, StatusCode::OK);
        let stored = app.app.store.provider_payment(payment.id).await.unwrap().unwrap();
        assert_eq!(stored.status, ProviderPaymentStatus::Captured);
        assert_eq!(footprint(&app, order).await, (OrderState::Syncing, 1, 1));
        assert_eq!(mock.charges(), 1);
        mock.assert_requests_valid();
    }

    async fn bancontact_redirect_then_confirmation_then_webhook_apply_once(app: TestApp) {
        let (app, mock) = with_providers(app).await;
        let order = pending_order(&app).await;
        let payment = app
            .app
            .start_payment(&start(order, PaymentMethod::Bancontact, Some("pm_bancontact")))
            .await
            .unwrap();
        assert_eq!(payment.status, ProviderPaymentStatus::RequiresAction);
        assert!(payment.next_action_url.is_some());
        let pi = payment.provider_ref.clone().unwrap();
        mock.authenticate(&pi);
        // Confirmation first this time.
        let confirmed = app.app.confirm_payment(payment.id).await.unwrap();
        assert_eq!(confirmed.status, ProviderPaymentStatus::Captured);
        assert_eq!(footprint(&app, order).await, (OrderState::Syncing, 1, 1));
        let event = intent_event("evt_b", "payment_intent.succeeded", mock.intent(&pi));
        let (status, _) = stripe_webhook(&app, &event, app.now().as_second()).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(footprint(&app, order).await, (OrderState::Syncing, 1, 1));
        let (_, o) = app.get(&format!("/api/v1/orders/{order}")).await;
        assert_eq!(o["payment"]["method"], "bancontact");
        let form = mock.requests().into_iter().find(|r| r.path == "/v1/payment_intents").unwrap();
        assert!(form.violations.is_empty());
        mock.assert_requests_valid();
    }

    async fn confirmation_and_webhook_racing_apply_once(app: TestApp) {
        let (app, mock) = with_providers(app).await;
        let order = pending_order(&app).await;
        let payment = app
            .app
            .start_payment(&start(order, PaymentMethod::Card, Some("pm_card_threeDSecure2Required")))
            .await
            .unwrap();
        let pi = payment.provider_ref.clone().unwrap();
        mock.authenticate(&pi);
        let event = intent_event("evt_race", "payment_intent.succeeded", mock.intent(&pi));
        let now = app.now().as_second();
        let (confirmed, (status, _)) = tokio::join!(
            app.app.confirm_payment(payment.id),
            stripe_webhook(&app, &event, now),
        );
        assert_eq!(confirmed.unwrap().status, ProviderPaymentStatus::Captured);
        assert_eq!(status, StatusCode::OK);
        assert_eq!(footprint(&app, order).await, (OrderState::Syncing, 1, 1));
    }

    async fn paypal_approve_then_capture_applies_once(app: TestApp) {
        let (app, mock) = with_providers(app).await;
        let order = pending_order(&app).await;
        let payment = app
            .app
            .start_payment(&start(order, PaymentMethod::Paypal, None))
            .await
            .unwrap();
        assert_eq!(payment.status, ProviderPaymentStatus::RequiresAction);
        let approve = payment.next_action_url.clone().unwrap();
        assert!(approve.contains("checkoutnow?token="), "{approve}");
        let paypal_order = payment.provider_ref.clone().unwrap();
        // Confirming before the payer approved captures nothing and changes nothing.
        assert!(app.app.confirm_payment(payment.id).await.is_ok());
        assert_eq!(footprint(&app, order).await, (OrderState::PendingPayment, 0, 0));
        mock.approve(&paypal_order);
        let captured = app.app.confirm_payment(payment.id).await.unwrap();
        assert_eq!(captured.status, ProviderPaymentStatus::Captured);
        assert!(captured.capture_ref.is_some());
        assert_eq!(footprint(&app, order).await, (OrderState::Syncing, 1, 1));

        // PayPal's capture webhook, twice, changes nothing more.
        let completed = mock.order(&paypal_order);
        let capture = &completed["purchase_units"][0]["payments"]["captures"][0];
        let event = json!({
            "id": "WH-EVT-1", "event_type": "PAYMENT.CAPTURE.COMPLETED",
            "resource_type": "capture",
            "resource": {
                "id": capture["id"], "status": "COMPLETED", "amount": capture["amount"],
                "custom_id": payment.id.to_string(),
                "supplementary_data": {"related_ids": {"order_id": paypal_order}},
            },
        });
        for expected in ["handled", "duplicate"] {
            let (status, ack) =
                webhook(&app, "paypal", event.to_string(), &paypal_headers(PAYPAL_GOOD_SIG)).await;
            assert_eq!(status, StatusCode::OK, "{ack}");
            assert_eq!(ack["outcome"], expected);
        }
        assert_eq!(footprint(&app, order).await, (OrderState::Syncing, 1, 1));
        let (_, o) = app.get(&format!("/api/v1/orders/{order}")).await;
        assert_eq!(o["payment"]["method"], "paypal");
        assert_eq!(mock.charges(), 1);
        mock.assert_requests_valid();
    }

    async fn a_paypal_webhook_paypal_does_not_verify_gets_400_and_changes_nothing(app: TestApp) {
        let (app, mock) = with_providers(app).await;
        let order = pending_order(&app).await;
        let payment = app
            .app
            .start_payment(&start(order, PaymentMethod::Paypal, None))
            .await
            .unwrap();
        let event = json!({
            "id": "WH-EVT-FORGED", "event_type": "PAYMENT.CAPTURE.COMPLETED",
            "resource": {"id": "CAP-FORGED", "status": "COMPLETED",
                "amount": {"currency_code": "EUR", "value": "10.00"},
                "supplementary_data": {"related_ids": {"order_id": payment.provider_ref}}},
        });
        let (status, problem) =
            webhook(&app, "paypal", event.to_string(), &paypal_headers("forged")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(problem["status"], 400);
        // Without the signature headers at all.
        let (status, _) = webhook(&app, "paypal", event.to_string(), &[]).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(footprint(&app, order).await, (OrderState::PendingPayment, 0, 0));
        assert!(!app.app.store.webhook_event_seen(
            simrenew_domain::order::ProviderName::Paypal, "WH-EVT-FORGED").await.unwrap());
        mock.assert_requests_valid();
    }

    async fn bad_or_stale_stripe_signatures_get_400_and_change_nothing(app: TestApp) {
        let (app, mock) = with_providers(app).await;
        let order = pending_order(&app).await;
        let payment = app
            .app
            .start_payment(&start(order, PaymentMethod::Card, Some("pm_card_threeDSecure2Required")))
            .await
            .unwrap();
        let pi = payment.provider_ref.clone().unwrap();
        mock.authenticate(&pi);
        let event = intent_event("evt_bad", "payment_intent.succeeded", mock.intent(&pi));
        let body = event.to_string();
        let now = app.now().as_second();
        let forged = stripe::sign(body.as_bytes(), "whsec_someone_else", now);
        let stale = stripe::sign(body.as_bytes(), STRIPE_WEBHOOK_SECRET, now - 600);
        for headers in [
            vec![("stripe-signature", forged)],
            vec![("stripe-signature", stale)],
            vec![("stripe-signature", "t=1,v1=00".to_owned())],
            vec![],
        ] {
            let (status, problem) = webhook(&app, "stripe", body.clone(), &headers).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{headers:?}");
            assert_eq!(problem["type"], "https://simrenew.org/problems/bad-webhook");
        }
        // A payload changed after signing.
        let signed = stripe::sign(body.as_bytes(), STRIPE_WEBHOOK_SECRET, now);
        let changed = body.replace("\"amount\":1000", "\"amount\":1");
        assert_ne!(changed, body);
        let (status, _) = webhook(&app, "stripe", changed, &[("stripe-signature", signed)]).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(footprint(&app, order).await, (OrderState::PendingPayment, 0, 0));
        // Unknown event types are acknowledged.
        let other = json!({"id": "evt_other", "type": "customer.created",
            "data": {"object": {"id": "cus_1", "object": "customer"}}});
        let (status, ack) = stripe_webhook(&app, &other, now).await;
        assert_eq!((status, ack["outcome"].as_str()), (StatusCode::OK, Some("ignored")));
    }

    async fn a_captured_amount_that_differs_flags_the_order_for_review(app: TestApp) {
        let (app, mock) = with_providers(app).await;
        let order = pending_order(&app).await;
        let payment = app
            .app
            .start_payment(&start(order, PaymentMethod::Card, Some("pm_card_threeDSecure2Required")))
            .await
            .unwrap();
        let pi = payment.provider_ref.clone().unwrap();
        mock.tamper_intent_amount(&pi, 900);
        mock.authenticate(&pi);
        let stored = app.app.confirm_payment(payment.id).await.unwrap();
        assert_eq!(stored.status, ProviderPaymentStatus::Captured);
        assert_eq!(footprint(&app, order).await, (OrderState::Review, 0, 0));
        // A later confirmation does not apply it either.
        let event = intent_event("evt_tamper", "payment_intent.succeeded", mock.intent(&pi));
        let (status, _) = stripe_webhook(&app, &event, app.now().as_second()).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(footprint(&app, order).await, (OrderState::Review, 0, 0));
    }

    async fn a_declined_card_fails_the_attempt_and_leaves_the_order_waiting(app: TestApp) {
        let (app, mock) = with_providers(app).await;
        let order = pending_order(&app).await;
        let err = app
            .app
            .start_payment(&start(order, PaymentMethod::Card, Some("pm_card_chargeDeclined")))
            .await
            .unwrap_err();
        assert!(matches!(err, AppError::Provider(ProviderError::Refused { .. })), "{err:?}");
        let payments = app.app.store.provider_payments_of_order(order).await.unwrap();
        assert_eq!(payments[0].status, ProviderPaymentStatus::Failed);
        // Another card works.
        let p = app
            .app
            .start_payment(&start(order, PaymentMethod::Card, Some("pm_card_visa")))
            .await
            .unwrap();
        assert_eq!(p.status, ProviderPaymentStatus::Captured);
        assert_eq!(footprint(&app, order).await, (OrderState::Syncing, 1, 1));
        assert_eq!(mock.charges(), 1);
    }

    async fn provider_500s_are_retried_with_the_same_key(app: TestApp) {
        let (app, mock) = with_providers(app).await;
        let order = pending_order(&app).await;
        mock.fault("/v1/payment_intents", Fault::Error500, 2);
        let p = app
            .app
            .start_payment(&start(order, PaymentMethod::Card, Some("pm_card_visa")))
            .await
            .unwrap();
        assert_eq!(p.status, ProviderPaymentStatus::Captured);
        let keys: Vec<_> = mock.requests().into_iter().map(|r| r.idempotency_key).collect();
        assert_eq!(keys.len(), 3);
        assert!(keys.iter().all(|k| *k == keys[0] && k.is_some()), "{keys:?}");
        assert_eq!(mock.charges(), 1);
        assert_eq!(footprint(&app, order).await, (OrderState::Syncing, 1, 1));
    }

    async fn an_answer_lost_after_the_charge_is_replayed_not_charged_again(app: TestApp) {
        let (app, mock) = with_providers(app).await;
        let order = pending_order(&app).await;
        // The provider charges, then the answer never arrives; the retry with the same key
        // gets the first answer back.
        mock.fault("/v1/payment_intents", Fault::DropAfter, 1);
        let p = app
            .app
            .start_payment(&start(order, PaymentMethod::Card, Some("pm_card_visa")))
            .await
            .unwrap();
        assert_eq!(p.status, ProviderPaymentStatus::Captured);
        assert_eq!(mock.charges(), 1);
        assert_eq!(footprint(&app, order).await, (OrderState::Syncing, 1, 1));
    }

    async fn a_provider_down_leaves_the_order_waiting_and_a_retry_reuses_the_payment(app: TestApp) {
        let (app, mock) = with_providers(app).await;
        let order = pending_order(&app).await;
        mock.fault("/v1/payment_intents", Fault::HangBefore, 3);
        let err = app
            .app
            .start_payment(&start(order, PaymentMethod::Card, Some("pm_card_visa")))
            .await
            .unwrap_err();
        assert!(matches!(err, AppError::Provider(ProviderError::Unavailable { .. })), "{err:?}");
        assert_eq!(footprint(&app, order).await, (OrderState::PendingPayment, 0, 0));
        assert_eq!(mock.charges(), 0);
        // The customer tries again: the same payment, the same key.
        let p = app
            .app
            .start_payment(&start(order, PaymentMethod::Card, Some("pm_card_visa")))
            .await
            .unwrap();
        assert_eq!(p.status, ProviderPaymentStatus::Captured);
        let payments = app.app.store.provider_payments_of_order(order).await.unwrap();
        assert_eq!(payments.len(), 1);
        assert_eq!(mock.charges(), 1);
        assert_eq!(footprint(&app, order).await, (OrderState::Syncing, 1, 1));
    }

    async fn store_cash_and_terminal_payments_apply_the_renewal(app: TestApp) {
        let order = pending_order(&app).await;
        let receipt = app
            .app
            .record_store_payment(&StorePayment {
                order,
                method: PaymentMethod::Cash,
                store_code: "BXL-01".into(),
                terminal_ref: None,
                amount: Money::eur(1000),
            })
            .await
            .unwrap();
        assert_eq!(receipt.order.state, OrderState::Syncing);
        assert_eq!(receipt.settlement.unwrap().method, PaymentMethod::Cash);
        assert_eq!(footprint(&app, order).await, (OrderState::Syncing, 1, 1));
        // Paid: a second recording is refused.
        let again = app
            .app
            .record_store_payment(&StorePayment {
                order,
                method: PaymentMethod::Cash,
                store_code: "BXL-01".into(),
                terminal_ref: None,
                amount: Money::eur(1000),
            })
            .await;
        assert!(matches!(again, Err(AppError::Conflict { .. })), "{again:?}");
        assert_eq!(footprint(&app, order).await, (OrderState::Syncing, 1, 1));

        let order = pending_order(&app).await;
        let terminal = |terminal_ref: Option<&str>, cents| StorePayment {
            order,
            method: PaymentMethod::CardTerminal,
            store_code: "BXL-01".into(),
            terminal_ref: terminal_ref.map(str::to_owned),
            amount: Money::eur(cents),
        };
        assert!(app.app.record_store_payment(&terminal(None, 1000)).await.is_err());
        let wrong = app.app.record_store_payment(&terminal(Some("T-778812"), 900)).await;
        assert!(matches!(wrong, Err(AppError::Conflict { field: Some("amount"), .. })), "{wrong:?}");
        assert_eq!(footprint(&app, order).await, (OrderState::PendingPayment, 0, 0));
        assert!(app.app.store.provider_payments_of_order(order).await.unwrap().is_empty());
        let receipt = app.app.record_store_payment(&terminal(Some("T-778812"), 1000)).await.unwrap();
        assert_eq!(receipt.settlement.unwrap().method, PaymentMethod::CardTerminal);
        let recorded = app.app.store.provider_payments_of_order(order).await.unwrap();
        assert_eq!(recorded[0].provider_ref.as_deref(), Some("T-778812"));
        assert_eq!(recorded[0].store_code.as_deref(), Some("BXL-01"));
    }
}

both! {
    async fn the_api_starts_confirms_and_shows_a_card_payment(app: TestApp) {
        let (app, mock) = with_providers(app).await;
        let msisdn = app.line(LineKind::PhysicalSim, 0, Some(days(3))).await;
        let (status, order) = app
            .post("/api/v1/orders", json!({"msisdn": msisdn.to_string(), "plan": "TEST-5GB-30D"}))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{order}");
        assert_eq!(order["state"], "pending_payment");
        let id = order["id"].as_i64().unwrap();
        let uri = format!("/api/v1/orders/{id}/provider-payments");

        // Card data is refused before anything is recorded or sent.
        let (status, problem) = app
            .post(&uri, json!({"method": "card", "payment_method_token": "4242 4242 4242 4242"}))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
        assert_eq!(problem["field"], "payment_method_token");
        assert!(!problem.to_string().contains("4242 4242"));
        let (status, problem) = app.post(&uri, json!({"method": "credit"})).await;
        assert_eq!((status, problem["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("method")));
        assert!(app.app.store.provider_payments_of_order(OrderId(id)).await.unwrap().is_empty());
        assert!(mock.requests().is_empty());

        let (status, payment) = app
            .post(&uri, json!({"method": "card", "payment_method_token": "pm_card_threeDSecure2Required",
                "return_url": "https://portal.test.example/return"}))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{payment}");
        assert_eq!(payment["status"], "requires_action");
        assert_eq!(payment["order_state"], "pending_payment");
        assert_eq!(payment["amount"]["amount_cents"], 1000);
        let next = payment["next_action_url"].as_str().unwrap();
        let pi = next.rsplit('/').next().unwrap();
        mock.authenticate(pi);
        let pid = payment["id"].as_i64().unwrap();
        let (status, confirmed) = app
            .post(&format!("/api/v1/payments/{pid}/confirmation"), json!({}))
            .await;
        assert_eq!(status, StatusCode::OK, "{confirmed}");
        assert_eq!(confirmed["status"], "captured");
        assert_eq!(confirmed["order_state"], "syncing");
        let (status, shown) = app.get(&format!("/api/v1/payments/{pid}")).await;
        assert_eq!((status, shown["status"].as_str()), (StatusCode::OK, Some("captured")));
        let (_, o) = app.get(&format!("/api/v1/orders/{id}")).await;
        assert_eq!(o["state"], "syncing");
        assert_eq!(o["payment"]["method"], "card");
        let (status, _) = app.get("/api/v1/payments/999999").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        mock.assert_requests_valid();
    }

    async fn the_api_records_a_store_payment(app: TestApp) {
        store(&app, "BXL-01", &["renews_cash", "renews_card_terminal"]).await;
        let msisdn = app.line(LineKind::PhysicalSim, 0, Some(days(3))).await;
        let (_, order) = app
            .post("/api/v1/orders", json!({"msisdn": msisdn.to_string(), "plan": "TEST-STORE-7D",
                "channel": "store"}))
            .await;
        let id = order["id"].as_i64().unwrap();
        let uri = format!("/api/v1/orders/{id}/store-payments");
        let (status, problem) = app
            .post(&uri, json!({"method": "card_terminal", "store": "BXL-01",
                "amount": {"amount_cents": 500, "currency": "EUR"}}))
            .await;
        assert_eq!(status, StatusCode::CONFLICT, "{problem}");
        assert_eq!(problem["field"], "terminal_ref");
        let (status, paid) = app
            .post(&uri, json!({"method": "card_terminal", "store": "BXL-01", "terminal_ref": "T-1",
                "amount": {"amount_cents": 500, "currency": "EUR"}}))
            .await;
        assert_eq!(status, StatusCode::OK, "{paid}");
        assert_eq!(paid["state"], "syncing");
        assert_eq!(paid["payment"]["method"], "card_terminal");
        assert_eq!(paid["vat"]["amount_cents"], 87);
        // Who took the money, where and how, is in the line's audit chain.
        let taken = app.audit_entries("payment.store").await;
        assert_eq!(taken.len(), 1, "{taken:?}");
        assert!(taken[0].actor.starts_with("staff:"), "{taken:?}");
        assert!(taken[0].details.contains("store=BXL-01") && taken[0].details.contains("terminal_ref=T-1"), "{taken:?}");
        let settled = app.audit_entries("payment.settle").await;
        assert_eq!(settled.last().unwrap().actor, taken[0].actor);
    }

    async fn reconciliation_applies_a_capture_nobody_told_us_about_once(app: TestApp) {
        let (app, mock) = with_providers(app).await;
        let order = pending_order(&app).await;
        let payment = app
            .app
            .start_payment(&start(order, PaymentMethod::Card, Some("pm_card_threeDSecure2Required")))
            .await
            .unwrap();
        // The customer authenticates; neither the return nor the webhook ever reaches us.
        mock.authenticate(payment.provider_ref.as_deref().unwrap());
        let day_start = app.now().checked_sub(days(1)).unwrap();
        let day_end = app.now().checked_add(days(1)).unwrap();
        let report = app.app.reconcile(day_start, day_end).await.unwrap();
        assert_eq!(report.checked, 1);
        assert_eq!(report.lines.len(), 1);
        assert_eq!(report.lines[0].repaired, Some(OrderState::Syncing));
        assert_eq!(footprint(&app, order).await, (OrderState::Syncing, 1, 1));
        // Again: nothing differs, nothing applied twice.
        let report = app.app.reconcile(day_start, day_end).await.unwrap();
        assert!(report.lines.is_empty(), "{:?}", report.lines);
        assert_eq!(footprint(&app, order).await, (OrderState::Syncing, 1, 1));
        assert_eq!(mock.charges(), 1);
    }
}

async fn line_json(app: &TestApp, msisdn: &str) -> Value {
    app.get(&format!("/api/v1/lines/{msisdn}")).await.1
}

both! {
    async fn a_full_refund_removes_the_order_time_and_moves_what_was_queued_after(app: TestApp) {
        let (app, mock) = with_providers(app).await;
        let msisdn = app.line(LineKind::Esim, 1_000, Some(days(10))).await.to_string();
        let (_, order) = app
            .post("/api/v1/orders", json!({"msisdn": msisdn, "plan": "TEST-5GB-30D"}))
            .await;
        let order = OrderId(order["id"].as_i64().unwrap());
        let payment = app
            .app
            .start_payment(&start(order, PaymentMethod::Card, Some("pm_card_visa")))
            .await
            .unwrap();
        // Another renewal, from credit, queued behind the card one.
        let (status, later) = app
            .post("/api/v1/orders", json!({"msisdn": msisdn, "plan": "TEST-5GB-30D",
                "payment": {"method": "credit"}}))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{later}");
        assert_eq!(line_json(&app, &msisdn).await["expires_at"], "2027-03-26T10:00:00+01:00");

        let uri = format!("/api/v1/payments/{}/refunds", payment.id);
        let (status, refund) = app
            .post(&uri, json!({"amount": {"amount_cents": 1000, "currency": "EUR"},
                "reason": "bought twice"}))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{refund}");
        assert_eq!(refund["payment_status"], "refunded");
        assert_eq!(refund["refunded"]["amount_cents"], 1000);
        assert_eq!(refund["expires_at"], "2027-02-24T10:00:00+01:00");
        let line = line_json(&app, &msisdn).await;
        assert_eq!(line["expires_at"], "2027-02-24T10:00:00+01:00");
        let bundles = line["bundles"].as_array().unwrap();
        assert_eq!(bundles.len(), 2, "{line}");
        assert_eq!(bundles[1]["starts_at"], "2027-01-25T10:00:00+01:00");
        // The refunded order keeps no time, and its payments add up to nothing kept.
        let d = app.app.store.order(order).await.unwrap().unwrap();
        assert!(d.bundles.is_empty());
        assert_eq!(d.payments.iter().map(|p| p.amount.cents).sum::<i64>(), 0);
        let outbox = app.db.pending_outbox(10).await.unwrap();
        assert!(outbox.iter().any(|(topic, _)| topic == "bundles_changed"), "{outbox:?}");
        // Nothing left to refund: refused, and the provider is not asked again.
        let (status, _) = app
            .post(&uri, json!({"amount": {"amount_cents": 1, "currency": "EUR"}, "reason": "again"}))
            .await;
        assert_eq!(status, StatusCode::CONFLICT);
        assert_eq!(mock.refunds().len(), 1);
        let refund_call = mock.requests().into_iter().find(|r| r.path == "/v1/refunds").unwrap();
        assert!(refund_call.idempotency_key.unwrap().starts_with("simrenew-refund-"));
        mock.assert_requests_valid();
        // The refund names who asked for it, on the refund and in the line's audit chain.
        let refunds = app.audit_entries("payment.refund").await;
        assert_eq!(refunds.len(), 1, "{refunds:?}");
        assert!(refunds[0].actor.starts_with("staff:"), "{refunds:?}");
        assert!(refunds[0].chain.starts_with("line:"));
        assert!(refunds[0].details.contains("amount_cents=1000") && refunds[0].details.contains("reason=bought twice"), "{refunds:?}");
        sqlx::any::install_default_drivers();
        let pool = sqlx::AnyPool::connect(&app.cli_url).await.unwrap();
        let by: Option<String> = sqlx::query_scalar("SELECT requested_by FROM refunds").fetch_one(&pool).await.unwrap();
        assert_eq!(by.as_deref(), Some(refunds[0].actor.as_str()));
        pool.close().await;
        // The capture the provider reported is named as such.
        let settled = app.audit_entries("payment.settle").await;
        assert!(settled.iter().any(|e| e.actor == "provider:stripe"), "{settled:?}");
    }

    async fn partial_paypal_refunds_shorten_the_bundle_and_never_exceed_the_payment(app: TestApp) {
        let (app, mock) = with_providers(app).await;
        let order = pending_order(&app).await;
        let payment = app
            .app
            .start_payment(&start(order, PaymentMethod::Paypal, None))
            .await
            .unwrap();
        mock.approve(payment.provider_ref.as_deref().unwrap());
        app.app.confirm_payment(payment.id).await.unwrap();
        let bundle = app.app.store.order(order).await.unwrap().unwrap().bundles[0].clone();
        let half = app.app.refund_payment(payment.id, Money::eur(500), "half").await.unwrap();
        assert_eq!(half.payment_status, ProviderPaymentStatus::Captured);
        let shortened = app.app.store.order(order).await.unwrap().unwrap().bundles[0].clone();
        assert_eq!(shortened.starts_at, bundle.starts_at);
        assert_eq!(bundle.ends_at.duration_since(shortened.ends_at), days(15));
        // Half the time, half the data.
        assert_eq!(shortened.data.megabytes().unwrap() * 2, bundle.data.megabytes().unwrap());
        let too_much = app.app.refund_payment(payment.id, Money::eur(600), "more").await;
        assert!(matches!(too_much, Err(AppError::Conflict { field: Some("amount"), .. })), "{too_much:?}");
        let rest = app.app.refund_payment(payment.id, Money::eur(500), "rest").await.unwrap();
        assert_eq!(rest.payment_status, ProviderPaymentStatus::Refunded);
        assert!(app.app.store.order(order).await.unwrap().unwrap().bundles.is_empty());
        let refunds = mock.refunds();
        assert_eq!(refunds.len(), 2);
        assert_eq!(refunds[0]["amount"]["value"], "5.00");
        let keys: Vec<_> = mock
            .requests()
            .into_iter()
            .filter(|r| r.path.ends_with("/refund"))
            .map(|r| r.idempotency_key.unwrap())
            .collect();
        assert_eq!(keys.len(), 2);
        assert_ne!(keys[0], keys[1]);
        mock.assert_requests_valid();
    }

    async fn a_refund_whose_answer_was_lost_is_asked_again_with_the_same_key(app: TestApp) {
        let (app, mock) = with_providers(app).await;
        let order = pending_order(&app).await;
        let payment = app
            .app
            .start_payment(&start(order, PaymentMethod::Card, Some("pm_card_visa")))
            .await
            .unwrap();
        mock.fault("/v1/refunds", Fault::DropAfter, 3);
        let err = app.app.refund_payment(payment.id, Money::eur(1000), "lost").await.unwrap_err();
        assert!(matches!(err, AppError::Provider(ProviderError::Unavailable { .. })), "{err:?}");
        // The time is not taken back until the refund is known to be made.
        assert_eq!(footprint(&app, order).await, (OrderState::Syncing, 1, 1));
        let done = app.app.refund_payment(payment.id, Money::eur(1000), "lost").await.unwrap();
        assert_eq!(done.payment_status, ProviderPaymentStatus::Refunded);
        assert_eq!(mock.refunds().len(), 1, "refunded twice");
        let keys: Vec<_> = mock
            .requests()
            .into_iter()
            .filter(|r| r.path == "/v1/refunds")
            .map(|r| r.idempotency_key.unwrap())
            .collect();
        assert_eq!(keys.len(), 4);
        assert!(keys.iter().all(|k| *k == keys[0]), "{keys:?}");
        assert_eq!(footprint(&app, order).await, (OrderState::Syncing, 2, 0));
    }
}

both! {
    async fn each_brand_and_channel_offers_only_its_configured_methods(app: TestApp) {
        store(&app, "BXL-01", &["renews_cash"]).await;
        let mock = ProviderMock::start().await;
        let policy = simrenew_domain::order::PaymentMethodPolicy::parse(
            "portal=card,paypal,credit;store=cash,card_terminal;other.portal=bancontact",
        )
        .unwrap();
        let providers = Providers::default()
            .with(Arc::new(StripeProvider::new(mock.stripe_config()).unwrap()))
            .with_policy(policy);
        assert!(app.app.install_providers(providers));
        let (status, methods) = app.get("/api/v1/payment-methods?brand=test&channel=portal").await;
        assert_eq!(status, StatusCode::OK, "{methods}");
        // PayPal is configured for the portal but not installed here: not offered.
        assert_eq!(methods["methods"], json!(["card", "credit"]));
        let (_, methods) = app.get("/api/v1/payment-methods?brand=test&channel=partner").await;
        assert_eq!(methods["methods"].as_array().unwrap().len(), 6);

        let order = pending_order(&app).await;
        let err = app
            .app
            .start_payment(&start(order, PaymentMethod::Bancontact, Some("pm_bancontact")))
            .await
            .unwrap_err();
        assert!(err.to_string().contains("bancontact"), "{err}");
        assert!(app.app.store.provider_payments_of_order(order).await.unwrap().is_empty());
        assert!(mock.requests().is_empty());

        let msisdn = app.line(LineKind::PhysicalSim, 5_000, Some(days(3))).await;
        let (status, problem) = app
            .post("/api/v1/orders", json!({"msisdn": msisdn.to_string(), "plan": "TEST-STORE-7D",
                "channel": "store", "payment": {"method": "credit"}}))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
        assert_eq!(problem["field"], "method");
        let (status, order) = app
            .post("/api/v1/orders", json!({"msisdn": msisdn.to_string(), "plan": "TEST-STORE-7D",
                "channel": "store"}))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{order}");
        let (status, paid) = app
            .post(&format!("/api/v1/orders/{}/store-payments", order["id"]),
                json!({"method": "cash", "store": "BXL-01",
                    "amount": {"amount_cents": 500, "currency": "EUR"}}))
            .await;
        assert_eq!(status, StatusCode::OK, "{paid}");
    }
}

both! {
    async fn a_saved_card_and_a_saved_paypal_account_pay_an_automatic_renewal(app: TestApp) {
        let (app, mock) = with_providers(app).await;
        let msisdn = app.line(LineKind::Esim, 0, Some(days(2))).await.to_string();
        let uri = format!("/api/v1/lines/{msisdn}/saved-payment-methods");
        // Card details are refused before anything is sent.
        let (status, problem) = app
            .post(&uri, json!({"method": "card", "token": "4242424242424242"}))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
        assert!(mock.requests().is_empty());

        let (status, card) = app.post(&uri, json!({"method": "card", "token": "pm_card_visa"})).await;
        assert_eq!(status, StatusCode::CREATED, "{card}");
        assert_eq!(card["label"], "visa ending 4242");
        let (status, again) = app.post(&uri, json!({"method": "card", "token": "pm_card_visa"})).await;
        assert_eq!((status, &again["id"]), (StatusCode::CREATED, &card["id"]));
        let (status, paypal) = app
            .post(&uri, json!({"method": "paypal", "token": "B-5YM64573DP4721234"}))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{paypal}");
        let (_, list) = app.get(&uri).await;
        assert_eq!(list.as_array().unwrap().len(), 2, "{list}");
        // The line's Stripe customer is reused, not created again.
        let customers = mock.requests().iter().filter(|r| r.path == "/v1/customers").count();
        assert_eq!(customers, 1);

        // Automatic renewal charges the saved card off-session: applied at once.
        let (_, order) = app
            .post("/api/v1/orders", json!({"msisdn": msisdn, "plan": "TEST-5GB-30D",
                "channel": "auto_renew"}))
            .await;
        let order_id = order["id"].as_i64().unwrap();
        let (status, payment) = app
            .post(&format!("/api/v1/orders/{order_id}/provider-payments"),
                json!({"method": "card", "saved_method_id": card["id"]}))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{payment}");
        assert_eq!(payment["status"], "captured");
        assert_eq!(payment["order_state"], "syncing");
        // And the saved PayPal account: no approval, captured at once.
        let (_, order) = app
            .post("/api/v1/orders", json!({"msisdn": msisdn, "plan": "TEST-5GB-30D",
                "channel": "auto_renew"}))
            .await;
        let order_id = order["id"].as_i64().unwrap();
        let (status, payment) = app
            .post(&format!("/api/v1/orders/{order_id}/provider-payments"),
                json!({"method": "paypal", "saved_method_id": paypal["id"]}))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{payment}");
        assert_eq!(payment["status"], "captured");
        assert_eq!(mock.charges(), 2);
        let intent = mock.requests().into_iter().find(|r| r.path == "/v1/payment_intents").unwrap();
        assert!(intent.violations.is_empty());
        mock.assert_requests_valid();

        // Removal starts at the provider: while Stripe fails, nothing changes here.
        let delete = |id: &Value| {
            let app = &app;
            let path = format!("{uri}/{id}");
            async move { app.request(axum::http::Method::DELETE, &path, None, &[]).await.0 }
        };
        mock.fault("/detach", Fault::Error500, 3);
        assert_eq!(delete(&card["id"]).await, StatusCode::SERVICE_UNAVAILABLE);
        let (_, list) = app.get(&uri).await;
        assert_eq!(list.as_array().unwrap().len(), 2);
        assert!(mock.forgotten().is_empty());
        // Removed: detached at Stripe, and not charged any more.
        assert_eq!(delete(&card["id"]).await, StatusCode::NO_CONTENT);
        assert_eq!(mock.forgotten(), vec!["pm_card_visa".to_owned()]);
        let (_, list) = app.get(&uri).await;
        assert_eq!(list.as_array().unwrap().len(), 1);
        assert_eq!(delete(&card["id"]).await, StatusCode::NOT_FOUND);
        // Two automatic charges this month are the fixture brand's most: a third automatic
        // order is refused before any money is asked for.
        let (status, refused) = app
            .post("/api/v1/orders", json!({"msisdn": msisdn, "plan": "TEST-5GB-30D",
                "channel": "auto_renew"}))
            .await;
        assert_eq!((status, refused["field"].as_str()), (StatusCode::CONFLICT, Some("channel")), "{refused}");
        let (_, order) = app
            .post("/api/v1/orders", json!({"msisdn": msisdn, "plan": "TEST-5GB-30D"}))
            .await;
        let (status, _) = app
            .post(&format!("/api/v1/orders/{}/provider-payments", order["id"]),
                json!({"method": "card", "saved_method_id": card["id"]}))
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);

        // The PayPal vault token is deleted at PayPal.
        assert_eq!(delete(&paypal["id"]).await, StatusCode::NO_CONTENT);
        assert_eq!(mock.forgotten().len(), 2);
        let (_, list) = app.get(&uri).await;
        assert_eq!(list, json!([]));
        mock.assert_requests_valid();
    }
}

both! {
    async fn paypal_approval_by_webhook_captures_even_if_the_payer_never_comes_back(app: TestApp) {
        let (app, mock) = with_providers(app).await;
        let order = pending_order(&app).await;
        let payment = app
            .app
            .start_payment(&start(order, PaymentMethod::Paypal, None))
            .await
            .unwrap();
        let paypal_order = payment.provider_ref.clone().unwrap();
        mock.approve(&paypal_order);
        let event = json!({"id": "WH-APPROVED-1", "event_type": "CHECKOUT.ORDER.APPROVED",
            "resource": mock.order(&paypal_order)});
        let (status, ack) =
            webhook(&app, "paypal", event.to_string(), &paypal_headers(PAYPAL_GOOD_SIG)).await;
        assert_eq!(status, StatusCode::OK, "{ack}");
        assert_eq!(footprint(&app, order).await, (OrderState::Syncing, 1, 1));
        // The payer comes back after all: nothing more happens.
        let again = app.app.confirm_payment(payment.id).await.unwrap();
        assert_eq!(again.status, ProviderPaymentStatus::Captured);
        assert_eq!(footprint(&app, order).await, (OrderState::Syncing, 1, 1));
        assert_eq!(mock.charges(), 1);
        mock.assert_requests_valid();
    }
}

both! {
    async fn paypal_capture_faults_are_retried_and_never_capture_twice(app: TestApp) {
        let (app, mock) = with_providers(app).await;
        let order = pending_order(&app).await;
        let payment = app
            .app
            .start_payment(&start(order, PaymentMethod::Paypal, None))
            .await
            .unwrap();
        mock.approve(payment.provider_ref.as_deref().unwrap());
        // A 500, then a capture whose answer is lost, then the replay of its answer.
        mock.fault("/capture", Fault::Error500, 1);
        mock.fault("/capture", Fault::DropAfter, 1);
        let captured = app.app.confirm_payment(payment.id).await.unwrap();
        assert_eq!(captured.status, ProviderPaymentStatus::Captured);
        let keys: Vec<_> = mock
            .requests()
            .into_iter()
            .filter(|r| r.path.ends_with("/capture"))
            .map(|r| r.idempotency_key.unwrap())
            .collect();
        assert_eq!(keys.len(), 3, "{keys:?}");
        assert!(keys.iter().all(|k| *k == keys[0]));
        assert_eq!(mock.charges(), 1);
        assert_eq!(footprint(&app, order).await, (OrderState::Syncing, 1, 1));
        mock.assert_requests_valid();
    }

    async fn a_capture_in_another_currency_flags_the_order_for_review(app: TestApp) {
        let (app, mock) = with_providers(app).await;
        let order = pending_order(&app).await;
        let payment = app
            .app
            .start_payment(&start(order, PaymentMethod::Paypal, None))
            .await
            .unwrap();
        let paypal_order = payment.provider_ref.clone().unwrap();
        mock.tamper_order_currency(&paypal_order, "USD");
        mock.approve(&paypal_order);
        let captured = app.app.confirm_payment(payment.id).await.unwrap();
        assert_eq!(captured.status, ProviderPaymentStatus::Captured);
        assert_eq!(footprint(&app, order).await, (OrderState::Review, 0, 0));
        // Reconciliation reports it and leaves it for a person.
        let report = app
            .app
            .reconcile(app.now().checked_sub(days(1)).unwrap(), app.now().checked_add(days(1)).unwrap())
            .await
            .unwrap();
        assert_eq!(report.lines.len(), 1, "{:?}", report.lines);
        assert_eq!(report.lines[0].repaired, None);
        assert_eq!(footprint(&app, order).await, (OrderState::Review, 0, 0));
    }
}

both! {
    async fn a_credit_paid_order_is_refunded_to_credit_and_the_ledger_balances(app: TestApp) {
        let (app, _mock) = with_providers(app).await;
        let msisdn = app.line(LineKind::Esim, 5_000, Some(days(10))).await.to_string();
        let (_, order) = app
            .post("/api/v1/orders", json!({"msisdn": msisdn, "plan": "TEST-5GB-30D",
                "payment": {"method": "credit"}}))
            .await;
        let id = order["id"].as_i64().unwrap();
        assert_eq!(line_json(&app, &msisdn).await["credit"]["amount_cents"], 4000);
        let uri = format!("/api/v1/orders/{id}/refunds");
        let refund = |cents: i64| json!({"amount": {"amount_cents": cents, "currency": "EUR"},
            "reason": "network outage"});

        let (status, r) = app.post(&uri, refund(400)).await;
        assert_eq!(status, StatusCode::CREATED, "{r}");
        assert_eq!(r["payment_status"], "captured");
        // 40 % of the 30 days: 12 days off the end.
        assert_eq!(r["expires_at"], "2027-02-12T10:00:00+01:00");
        assert_eq!(line_json(&app, &msisdn).await["credit"]["amount_cents"], 4400);
        let (status, _) = app.post(&uri, refund(700)).await;
        assert_eq!(status, StatusCode::CONFLICT);
        let (status, r) = app.post(&uri, refund(600)).await;
        assert_eq!(status, StatusCode::CREATED, "{r}");
        assert_eq!(r["payment_status"], "refunded");
        let line = line_json(&app, &msisdn).await;
        assert_eq!(line["credit"]["amount_cents"], 5000);
        assert_eq!(line["expires_at"], "2027-01-25T10:00:00+01:00");
        let refunds = app.audit_entries("order.refund_to_credit").await;
        assert_eq!(refunds.len(), 2, "{refunds:?}");
        assert!(refunds.iter().all(|r| r.actor.starts_with("staff:") && r.subject == format!("order:{id}")), "{refunds:?}");
        let d = app.app.store.order(OrderId(id)).await.unwrap().unwrap();
        assert!(d.bundles.is_empty());
        assert_eq!(d.payments.iter().map(|p| p.amount.cents).sum::<i64>(), 0);
        // The debit and the two refunds: the ledger adds up to the unchanged balance.
        assert_eq!(app.count(simrenew_store::CountedTable::LedgerEntries).await, 3);

        // An order paid by card is refunded through its payment, not to credit.
        let card_order = pending_order(&app).await;
        app.app
            .start_payment(&start(card_order, PaymentMethod::Card, Some("pm_card_visa")))
            .await
            .unwrap();
        let (status, problem) = app
            .post(&format!("/api/v1/orders/{card_order}/refunds"), refund(100))
            .await;
        assert_eq!(status, StatusCode::CONFLICT, "{problem}");
    }
}

both! {
    async fn agents_record_store_payments_only_at_their_store_and_as_it_takes(app: TestApp) {
        use simrenew_app::identity::accounts::NewStaff;
use simrenew_app::identity::api_keys::KeyOwner;
        let counter = store(&app, "counter", &["renews_cash"]).await;
        store(&app, "elsewhere", &["renews_cash", "renews_card_terminal"]).await;
        let staff = app
            .app
            .create_staff(
                "test",
                &NewStaff {
                    email: "agent@test.example".into(),
                    name: "Agent".into(),
                    role: simrenew_domain::access::Role::Agent,
                    brand: Some(app.brand.id),
                    stores: vec![counter],
                },
            )
            .await
            .unwrap();
        let key = app
            .app
            .create_api_key("test", "agent", &KeyOwner::Staff(staff))
            .await
            .unwrap()
            .1;
        let msisdn = app.line(LineKind::PhysicalSim, 0, Some(days(3))).await;
        app.look_up(&key, msisdn.as_str()).await;
        let (status, order) = app
            .request_as(Some(&key), axum::http::Method::POST, "/api/v1/orders",
                Some(json!({"msisdn": msisdn.to_string(), "plan": "TEST-STORE-7D"})))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{order}");
        let uri = format!("/api/v1/orders/{}/store-payments", order["id"]);
        let pay = |method: &str, store: &str| json!({"method": method, "store": store,
            "terminal_ref": "T-9", "amount": {"amount_cents": 500, "currency": "EUR"}});
        for (body, expected) in [
            (pay("card_terminal", "counter"), 403),
            (pay("cash", "elsewhere"), 403),
            (pay("cash", "nowhere"), 422),
        ] {
            let (status, problem) = app
                .request_as(Some(&key), axum::http::Method::POST, &uri, Some(body))
                .await;
            assert_eq!(status.as_u16(), expected, "{problem}");
        }
        assert!(app
            .app
            .store
            .provider_payments_of_order(OrderId(order["id"].as_i64().unwrap()))
            .await
            .unwrap()
            .is_empty());
        let (status, paid) = app
            .request_as(Some(&key), axum::http::Method::POST, &uri, Some(pay("cash", "counter")))
            .await;
        assert_eq!(status, StatusCode::OK, "{paid}");
        assert_eq!(paid["state"], "syncing");
    }
}

both! {
    async fn a_charge_whose_every_answer_was_lost_is_applied_once_by_the_webhook(app: TestApp) {
        let (app, mock) = with_providers(app).await;
        let order = pending_order(&app).await;
        // Stripe charges the card, and no answer ever reaches us.
        mock.fault("/v1/payment_intents", Fault::DropAfter, 3);
        let err = app
            .app
            .start_payment(&start(order, PaymentMethod::Card, Some("pm_card_visa")))
            .await
            .unwrap_err();
        assert!(matches!(err, AppError::Provider(ProviderError::Unavailable { .. })), "{err:?}");
        assert_eq!(mock.charges(), 1);
        assert_eq!(footprint(&app, order).await, (OrderState::PendingPayment, 0, 0));
        let ours = app.app.store.provider_payments_of_order(order).await.unwrap();
        assert_eq!(ours[0].provider_ref, None);
        // Reconciliation cannot ask about a payment it has no reference for: it says so.
        let report = app
            .app
            .reconcile(app.now().checked_sub(days(1)).unwrap(), app.now().checked_add(days(1)).unwrap())
            .await
            .unwrap();
        assert_eq!(report.lines.len(), 1);
        assert_eq!(report.lines[0].difference, simrenew_app::payments::reconcile::Difference::NoReference);
        // The webhook names our payment in the intent's metadata: applied once.
        // Every attempt reached Stripe with the same key; one intent exists.
        assert_eq!(mock.requests().len(), 3);
        let intent = mock.intent("pi_mock1");
        assert_eq!(intent["metadata"]["payment_id"], ours[0].id.to_string());
        let event = intent_event("evt_lost", "payment_intent.succeeded", intent);
        let (status, ack) = stripe_webhook(&app, &event, app.now().as_second()).await;
        assert_eq!((status, ack["outcome"].as_str()), (StatusCode::OK, Some("handled")));
        assert_eq!(footprint(&app, order).await, (OrderState::Syncing, 1, 1));
        // The customer retries: the order is paid, nothing is charged again.
        let again = app
            .app
            .start_payment(&start(order, PaymentMethod::Card, Some("pm_card_visa")))
            .await;
        assert!(matches!(again, Err(AppError::Conflict { .. })), "{again:?}");
        assert_eq!(mock.charges(), 1);
    }
}

both! {
    async fn an_intent_left_waiting_for_confirmation_is_confirmed_by_us(app: TestApp) {
        let (app, mock) = with_providers(app).await;
        let order = pending_order(&app).await;
        let payment = app
            .app
            .start_payment(&start(order, PaymentMethod::Card, Some("pm_card_threeDSecure2Required")))
            .await
            .unwrap();
        let pi = payment.provider_ref.clone().unwrap();
        mock.set_intent_status(&pi, "requires_confirmation");
        let confirmed = app.app.confirm_payment(payment.id).await.unwrap();
        assert_eq!(confirmed.status, ProviderPaymentStatus::Captured);
        let confirm = mock
            .requests()
            .into_iter()
            .find(|r| r.path.ends_with("/confirm"))
            .unwrap();
        assert_eq!(
            confirm.idempotency_key,
            Some(format!("simrenew-pay-{}-complete", payment.id))
        );
        assert_eq!(footprint(&app, order).await, (OrderState::Syncing, 1, 1));
        mock.assert_requests_valid();
    }
}

both! {
    async fn a_second_capture_for_a_paid_order_is_reported_and_refunded_without_touching_the_line(app: TestApp) {
        let (app, mock) = with_providers(app).await;
        let order = pending_order(&app).await;
        // The customer starts a card payment, leaves it at 3-D Secure, and pays with PayPal.
        let card = app
            .app
            .start_payment(&start(order, PaymentMethod::Card, Some("pm_card_threeDSecure2Required")))
            .await
            .unwrap();
        let paypal = app
            .app
            .start_payment(&start(order, PaymentMethod::Paypal, None))
            .await
            .unwrap();
        mock.approve(paypal.provider_ref.as_deref().unwrap());
        app.app.confirm_payment(paypal.id).await.unwrap();
        assert_eq!(footprint(&app, order).await, (OrderState::Syncing, 1, 1));
        let expiry = app.app.store.order(order).await.unwrap().unwrap().bundles[0].ends_at;
        // Then finishes the card payment too: charged twice, renewed once.
        mock.authenticate(card.provider_ref.as_deref().unwrap());
        let second = app.app.confirm_payment(card.id).await.unwrap();
        assert_eq!(second.status, ProviderPaymentStatus::Captured);
        assert!(!second.applied);
        assert_eq!(footprint(&app, order).await, (OrderState::Syncing, 1, 1));
        assert_eq!(mock.charges(), 2);
        // Reconciliation names the money without renewal.
        let report = app
            .app
            .reconcile(app.now().checked_sub(days(1)).unwrap(), app.now().checked_add(days(1)).unwrap())
            .await
            .unwrap();
        assert_eq!(report.lines.len(), 1, "{:?}", report.lines);
        assert_eq!(report.lines[0].payment.id, card.id);
        assert!(matches!(
            report.lines[0].difference,
            simrenew_app::payments::reconcile::Difference::CapturedWithoutRenewal { .. }
        ));
        // Refunding it gives the money back and leaves the line's time alone.
        let done = app.app.refund_payment(card.id, Money::eur(1000), "charged twice").await.unwrap();
        assert_eq!(done.payment_status, ProviderPaymentStatus::Refunded);
        let d = app.app.store.order(order).await.unwrap().unwrap();
        assert_eq!(d.bundles.len(), 1);
        assert_eq!(d.bundles[0].ends_at, expiry);
        assert_eq!(d.payments.iter().map(|p| p.amount.cents).sum::<i64>(), 1000);
        assert_eq!(mock.refunds().len(), 1);
        let report = app
            .app
            .reconcile(app.now().checked_sub(days(1)).unwrap(), app.now().checked_add(days(1)).unwrap())
            .await
            .unwrap();
        assert!(report.lines.is_empty(), "{:?}", report.lines);
    }
}

both! {
    async fn the_command_line_obeys_the_configured_methods_too(app: TestApp) {
        let msisdn = app.line(LineKind::Esim, 5_000, Some(days(10))).await.to_string();
        let renew = |methods: &str| {
            std::process::Command::new(env!("CARGO_BIN_EXE_simrenew"))
        .env("SIMRENEW_AUDIT_KEY", crate::support::AUDIT_KEY)
                .args(["--database-url", &app.cli_url, "renew", "--line", &msisdn])
                .args(["--plan", "TEST-5GB-30D", "--channel", "store"])
                .env("SIMRENEW_LOG", "warn")
                .env("SIMRENEW_PAYMENT_METHODS", methods)
                .output()
                .unwrap()
        };
        let refused = renew("store=cash,card_terminal");
        assert!(!refused.status.success());
        let err = String::from_utf8_lossy(&refused.stderr);
        assert!(err.contains("--method") && err.contains("credit"), "{err}");
        assert_eq!(app.count(simrenew_store::CountedTable::Orders).await, 0);
        let ok = renew("store=cash,credit");
        assert!(ok.status.success(), "{}", String::from_utf8_lossy(&ok.stderr));
        assert_eq!(app.count(simrenew_store::CountedTable::Orders).await, 1);
    }
}
