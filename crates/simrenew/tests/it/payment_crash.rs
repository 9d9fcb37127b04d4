//! The crash test: the `simrenew serve` process is killed after PayPal captured the money and
//! before our commit. After a restart the renewal is applied exactly once, by PayPal's webhook
//! or by `simrenew payments reconcile`, and the customer is charged once.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{json, Value};
use simrenew_domain::catalog::LineKind;
use simrenew_domain::ids::OrderId;
use simrenew_domain::order::{OrderState, ProviderPaymentStatus};

use crate::provider_mock::{
    Fault, ProviderMock, PAYPAL_CLIENT, PAYPAL_GOOD_SIG, PAYPAL_SECRET, PAYPAL_WEBHOOK_ID,
    STRIPE_KEY, STRIPE_WEBHOOK_SECRET,
};
use crate::support::{both, days, TestApp};

/// A `simrenew serve` child process on a free port of 127.0.0.1, killed when dropped.
struct Server {
    child: Child,
    base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn command(app: &TestApp, mock: &ProviderMock) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_simrenew"));
    cmd.env("SIMRENEW_AUDIT_KEY", crate::support::AUDIT_KEY)
        .arg("--database-url")
        .arg(&app.cli_url)
        .env("SIMRENEW_LOG", "warn")
        .env("SIMRENEW_STRIPE_API_BASE", &mock.base)
        .env("SIMRENEW_STRIPE_SECRET_KEY", STRIPE_KEY)
        .env("SIMRENEW_STRIPE_WEBHOOK_SECRET", STRIPE_WEBHOOK_SECRET)
        .env("SIMRENEW_PAYPAL_API_BASE", &mock.base)
        .env("SIMRENEW_PAYPAL_CLIENT_ID", PAYPAL_CLIENT)
        .env("SIMRENEW_PAYPAL_CLIENT_SECRET", PAYPAL_SECRET)
        .env("SIMRENEW_PAYPAL_WEBHOOK_ID", PAYPAL_WEBHOOK_ID)
        .env("SIMRENEW_PROVIDER_TIMEOUT_MS", "5000")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    cmd
}

async fn start_server(app: &TestApp, mock: &ProviderMock) -> Server {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = command(app, mock)
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .spawn()
        .unwrap();
    let server = Server {
        child,
        base: format!("http://127.0.0.1:{port}"),
    };
    let http = reqwest::Client::new();
    for _ in 0..300 {
        if let Ok(r) = http.get(format!("{}/healthz", server.base)).send().await {
            if r.status().is_success() {
                return server;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("simrenew serve did not start");
}

async fn post(app: &TestApp, server: &Server, path: &str, body: Value) -> (u16, Value) {
    let r = reqwest::Client::new()
        .post(format!("{}{path}", server.base))
        .bearer_auth(&app.token)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// Today in UTC, the day the server (on the wall clock) recorded the payment.
fn today_utc() -> String {
    #[allow(clippy::disallowed_methods)]
    let now = jiff::Timestamp::now();
    now.to_zoned(jiff::tz::TimeZone::UTC).date().to_string()
}

async fn footprint(app: &TestApp, order: OrderId) -> (OrderState, usize, usize) {
    let d = app.app.store.order(order).await.unwrap().unwrap();
    (d.order.state, d.payments.len(), d.bundles.len())
}

/// Pays an order with PayPal through the server, and kills the server while PayPal's capture
/// answer is on its way: PayPal has the money, our database does not know.
async fn crash_during_capture(app: &TestApp, mock: &ProviderMock) -> (OrderId, i64, String) {
    let msisdn = app.line(LineKind::Esim, 0, Some(days(10))).await;
    let server = start_server(app, mock).await;
    let (status, order) = post(
        app,
        &server,
        "/api/v1/orders",
        json!({"msisdn": msisdn.to_string(), "plan": "TEST-5GB-30D"}),
    )
    .await;
    assert_eq!(status, 201, "{order}");
    let order_id = order["id"].as_i64().unwrap();
    let (status, payment) = post(
        app,
        &server,
        &format!("/api/v1/orders/{order_id}/provider-payments"),
        json!({"method": "paypal", "return_url": "https://portal.test.example/return"}),
    )
    .await;
    assert_eq!(status, 201, "{payment}");
    let payment_id = payment["id"].as_i64().unwrap();
    let paypal_order = app
        .app
        .store
        .provider_payment(simrenew_domain::ids::ProviderPaymentId(payment_id))
        .await
        .unwrap()
        .unwrap()
        .provider_ref
        .unwrap();
    mock.approve(&paypal_order);
    mock.fault("/capture", Fault::DropAfter, 1);
    let confirm = {
        let token = app.token.clone();
        let url = format!("{}/api/v1/payments/{payment_id}/confirmation", server.base);
        tokio::spawn(async move {
            reqwest::Client::new()
                .post(url)
                .bearer_auth(token)
                .json(&json!({}))
                .send()
                .await
        })
    };
    // Wait until PayPal has captured, then kill the server before it hears back.
    for _ in 0..200 {
        if mock.charges() == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(mock.charges(), 1, "PayPal never captured");
    drop(server);
    assert!(
        confirm.await.unwrap().is_err(),
        "the server answered before it was killed"
    );
    assert_eq!(
        footprint(app, OrderId(order_id)).await,
        (OrderState::PendingPayment, 0, 0)
    );
    (OrderId(order_id), payment_id, paypal_order)
}

both! {
    async fn after_a_crash_between_capture_and_commit_the_webhook_applies_once(app: TestApp) {
        let mock = ProviderMock::start().await;
        let (order, payment_id, paypal_order) = crash_during_capture(&app, &mock).await;
        let server = start_server(&app, &mock).await;
        let completed = mock.order(&paypal_order);
        let capture = &completed["purchase_units"][0]["payments"]["captures"][0];
        let event = json!({
            "id": "WH-CRASH-1", "event_type": "PAYMENT.CAPTURE.COMPLETED",
            "resource": {"id": capture["id"], "status": "COMPLETED", "amount": capture["amount"],
                "custom_id": payment_id.to_string(),
                "supplementary_data": {"related_ids": {"order_id": paypal_order}}},
        });
        for _ in 0..2 {
            let r = reqwest::Client::new()
                .post(format!("{}/api/v1/webhooks/paypal", server.base))
                .header("paypal-auth-algo", "SHA256withRSA")
                .header("paypal-cert-url", "https://api.paypal.com/v1/notifications/certs/CERT")
                .header("paypal-transmission-id", "crash-1")
                .header("paypal-transmission-sig", PAYPAL_GOOD_SIG)
                .header("paypal-transmission-time", "2027-01-15T09:00:00Z")
                .body(event.to_string())
                .send()
                .await
                .unwrap();
            assert_eq!(r.status().as_u16(), 200);
        }
        assert_eq!(footprint(&app, order).await, (OrderState::Syncing, 1, 1));
        // Reconciliation afterwards finds nothing to repair.
        drop(server);
        let out = command(&app, &mock)
            .args(["payments", "reconcile", "--date", &today_utc()])
            .stdout(Stdio::piped())
            .output()
            .unwrap();
        assert!(out.status.success());
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("paypal: 0 differ"), "{text}");
        assert_eq!(footprint(&app, order).await, (OrderState::Syncing, 1, 1));
        assert_eq!(mock.charges(), 1);
        mock.assert_requests_valid();
    }

    async fn after_a_crash_between_capture_and_commit_reconcile_applies_once(app: TestApp) {
        let mock = ProviderMock::start().await;
        let (order, payment_id, _) = crash_during_capture(&app, &mock).await;
        for expected in ["paypal: 1 differ", "paypal: 0 differ"] {
            let out = command(&app, &mock)
                .args(["payments", "reconcile", "--date", &today_utc()])
                .stdout(Stdio::piped())
                .output()
                .unwrap();
            assert!(out.status.success());
            let text = String::from_utf8_lossy(&out.stdout);
            assert!(text.contains(expected), "{text}");
            if expected.contains('1') {
                assert!(text.contains("repaired: order now syncing"), "{text}");
            }
            assert_eq!(footprint(&app, order).await, (OrderState::Syncing, 1, 1));
        }
        let stored = app
            .app
            .store
            .provider_payment(simrenew_domain::ids::ProviderPaymentId(payment_id))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(stored.status, ProviderPaymentStatus::Captured);
        assert_eq!(mock.charges(), 1);
        mock.assert_requests_valid();
    }
}

both! {
    async fn after_a_crash_between_stripe_charge_and_commit_the_webhook_applies_once(app: TestApp) {
        let mock = ProviderMock::start().await;
        let msisdn = app.line(LineKind::Esim, 0, Some(days(10))).await;
        let server = start_server(&app, &mock).await;
        let (status, order) = post(
            &app,
            &server,
            "/api/v1/orders",
            json!({"msisdn": msisdn.to_string(), "plan": "TEST-5GB-30D"}),
        )
        .await;
        assert_eq!(status, 201, "{order}");
        let order_id = OrderId(order["id"].as_i64().unwrap());
        // Stripe charges the card at once (no 3-D Secure), and the answer is held back while
        // the server is killed.
        mock.fault("/v1/payment_intents", Fault::DropAfter, 1);
        let pay = {
            let token = app.token.clone();
            let url = format!("{}/api/v1/orders/{}/provider-payments", server.base, order_id);
            tokio::spawn(async move {
                reqwest::Client::new()
                    .post(url)
                    .bearer_auth(token)
                    .json(&json!({"method": "card", "payment_method_token": "pm_card_visa"}))
                    .send()
                    .await
            })
        };
        for _ in 0..200 {
            if mock.charges() == 1 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert_eq!(mock.charges(), 1, "Stripe never charged");
        drop(server);
        assert!(pay.await.unwrap().is_err(), "the server answered before it was killed");
        assert_eq!(footprint(&app, order_id).await, (OrderState::PendingPayment, 0, 0));
        let ours = app.app.store.provider_payments_of_order(order_id).await.unwrap();
        assert_eq!(ours[0].provider_ref, None);

        // Restarted, the server gets Stripe's webhook, which names our payment.
        let server = start_server(&app, &mock).await;
        let event = json!({"id": "evt_crash", "object": "event",
            "type": "payment_intent.succeeded", "data": {"object": mock.intent("pi_mock1")}});
        let body = event.to_string();
        #[allow(clippy::disallowed_methods)]
        let now = jiff::Timestamp::now().as_second();
        let signature = simrenew_payments::stripe::sign(body.as_bytes(), STRIPE_WEBHOOK_SECRET, now);
        for _ in 0..2 {
            let r = reqwest::Client::new()
                .post(format!("{}/api/v1/webhooks/stripe", server.base))
                .header("stripe-signature", &signature)
                .header("content-type", "application/json")
                .body(body.clone())
                .send()
                .await
                .unwrap();
            assert_eq!(r.status().as_u16(), 200);
        }
        assert_eq!(footprint(&app, order_id).await, (OrderState::Syncing, 1, 1));
        let stored = app.app.store.provider_payment(ours[0].id).await.unwrap().unwrap();
        assert_eq!(stored.status, ProviderPaymentStatus::Captured);
        assert_eq!(stored.provider_ref.as_deref(), Some("pi_mock1"));
        assert_eq!(mock.charges(), 1);
        mock.assert_requests_valid();
    }
}
