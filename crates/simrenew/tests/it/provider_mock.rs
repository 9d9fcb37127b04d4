//! A configurable mock of the Stripe and PayPal APIs the adapters use, on 127.0.0.1:0, that
//! checks every request body against the official spec (`spec_check`), keeps state like the
//! real providers (a 3-D Secure intent succeeds once authenticated, a PayPal order is captured
//! once approved), replays answers for a repeated idempotency key, and injects faults: 500s,
//! hangs past the client's timeout, and answers dropped after the work was done.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};
use simrenew_payments::{PaypalConfig, RetryPolicy, Secret, StripeConfig};

use crate::spec_check::{check_form, check_json, Spec};

pub const STRIPE_KEY: &str = "sk_test_mock";
pub const STRIPE_WEBHOOK_SECRET: &str = "whsec_mock";
pub const PAYPAL_CLIENT: &str = "client-mock";
pub const PAYPAL_SECRET: &str = "secret-mock";
pub const PAYPAL_WEBHOOK_ID: &str = "WHMOCK1";
/// The PayPal transmission signature the mock's verify API accepts.
pub const PAYPAL_GOOD_SIG: &str = "good-signature";

/// What to do to the next requests matching a path fragment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Answer 500 without doing anything.
    Error500,
    /// Wait past the client's timeout before doing anything (the client gives up first).
    HangBefore,
    /// Do the work, then wait past the client's timeout: the answer is lost.
    DropAfter,
}

#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: Method,
    pub path: String,
    pub idempotency_key: Option<String>,
    pub violations: Vec<String>,
    /// When it arrived.
    pub at: std::time::Instant,
}

#[derive(Default)]
struct Inner {
    faults: Vec<(String, Fault)>,
    requests: Vec<Recorded>,
    /// Idempotency key → (request fingerprint, status, body).
    replies: HashMap<String, (String, u16, Value)>,
    intents: HashMap<String, Value>,
    orders: HashMap<String, Value>,
    refunds: Vec<Value>,
    /// Saved methods detached (Stripe) or vault tokens deleted (PayPal).
    forgotten: Vec<String>,
    next: u64,
}

#[derive(Clone)]
pub struct ProviderMock {
    pub base: String,
    inner: Arc<Mutex<Inner>>,
    shutdown: Arc<Mutex<Option<tokio::sync::oneshot::Sender<()>>>>,
}

/// How long the adapters wait for the mock in tests; a hang lasts longer.
pub const CLIENT_TIMEOUT: Duration = Duration::from_millis(700);
const HANG: Duration = Duration::from_millis(1_500);

impl ProviderMock {
    pub async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let inner = Arc::new(Mutex::new(Inner::default()));
        let mock = ProviderMock {
            base,
            inner,
            shutdown: Default::default(),
        };
        let router = axum::Router::new()
            .fallback(handle)
            .with_state(mock.clone());
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        *mock.shutdown.lock().unwrap() = Some(tx);
        tokio::spawn(async move {
            axum::serve(listener, router)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await
                .unwrap();
        });
        mock
    }

    pub fn retry() -> RetryPolicy {
        RetryPolicy {
            timeout: CLIENT_TIMEOUT,
            attempts: 3,
            backoff: Duration::from_millis(20),
        }
    }

    pub fn stripe_config(&self) -> StripeConfig {
        StripeConfig {
            api_base: self.base.clone(),
            secret_key: Secret::new(STRIPE_KEY),
            webhook_secret: Secret::new(STRIPE_WEBHOOK_SECRET),
            tolerance: simrenew_payments::stripe::DEFAULT_TOLERANCE,
            retry: Self::retry(),
        }
    }

    pub fn paypal_config(&self) -> PaypalConfig {
        PaypalConfig {
            api_base: self.base.clone(),
            client_id: PAYPAL_CLIENT.into(),
            client_secret: Secret::new(PAYPAL_SECRET),
            webhook_id: PAYPAL_WEBHOOK_ID.into(),
            retry: Self::retry(),
        }
    }

    /// Applies `fault` to the next `times` requests whose path contains `path_part`.
    pub fn fault(&self, path_part: &str, fault: Fault, times: usize) {
        let mut inner = self.inner.lock().unwrap();
        for _ in 0..times {
            inner.faults.push((path_part.to_owned(), fault));
        }
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.inner.lock().unwrap().requests.clone()
    }

    /// Every request broke no schema; every POST but the token carried an idempotency key.
    pub fn assert_requests_valid(&self) {
        let requests = self.requests();
        assert!(!requests.is_empty(), "no request reached the mock");
        for r in &requests {
            assert!(
                r.violations.is_empty(),
                "{} {}: {:?}",
                r.method,
                r.path,
                r.violations
            );
            let needs_key = r.method == Method::POST
                && !r.path.starts_with("/v1/oauth2")
                && !r.path.starts_with("/v1/notifications");
            assert!(
                !needs_key || r.idempotency_key.is_some(),
                "{} {} without an idempotency key",
                r.method,
                r.path
            );
        }
    }

    pub fn intent(&self, id: &str) -> Value {
        self.inner.lock().unwrap().intents[id].clone()
    }

    pub fn order(&self, id: &str) -> Value {
        self.inner.lock().unwrap().orders[id].clone()
    }

    /// Stripe intents that took money, and PayPal captures: what the customer was charged.
    pub fn charges(&self) -> usize {
        let inner = self.inner.lock().unwrap();
        let stripe = inner
            .intents
            .values()
            .filter(|i| i["status"] == "succeeded")
            .count();
        let paypal = inner
            .orders
            .values()
            .filter(|o| o["status"] == "COMPLETED")
            .count();
        stripe + paypal
    }

    /// Refunds the providers made, in order.
    pub fn refunds(&self) -> Vec<Value> {
        self.inner.lock().unwrap().refunds.clone()
    }

    /// The saved methods removed at the providers.
    pub fn forgotten(&self) -> Vec<String> {
        self.inner.lock().unwrap().forgotten.clone()
    }

    /// The customer passes 3-D Secure or the Bancontact redirect.
    pub fn authenticate(&self, intent: &str) {
        let mut inner = self.inner.lock().unwrap();
        let i = inner.intents.get_mut(intent).unwrap();
        i["status"] = json!("succeeded");
        i["amount_received"] = i["amount"].clone();
        i["next_action"] = Value::Null;
    }

    /// The payer approves the PayPal order.
    pub fn approve(&self, order: &str) {
        let mut inner = self.inner.lock().unwrap();
        let o = inner.orders.get_mut(order).unwrap();
        o["status"] = json!("APPROVED");
        o["links"] = json!([]);
    }

    /// Changes what the provider says it holds (an amount that differs from the order).
    pub fn tamper_intent_amount(&self, intent: &str, cents: i64) {
        let mut inner = self.inner.lock().unwrap();
        inner.intents.get_mut(intent).unwrap()["amount"] = json!(cents);
    }

    /// Puts an intent in another status (one the customer's browser left it in).
    pub fn set_intent_status(&self, intent: &str, status: &str) {
        let mut inner = self.inner.lock().unwrap();
        let i = inner.intents.get_mut(intent).unwrap();
        i["status"] = json!(status);
        i["next_action"] = Value::Null;
    }

    /// Changes the currency the PayPal order is in (a currency that differs from the order).
    pub fn tamper_order_currency(&self, order: &str, currency: &str) {
        let mut inner = self.inner.lock().unwrap();
        let o = inner.orders.get_mut(order).unwrap();
        o["purchase_units"][0]["amount"]["currency_code"] = json!(currency);
    }
}

impl Drop for ProviderMock {
    fn drop(&mut self) {
        if Arc::strong_count(&self.shutdown) == 1 {
            if let Some(tx) = self.shutdown.lock().unwrap().take() {
                let _ = tx.send(());
            }
        }
    }
}

fn reply(status: u16, body: Value) -> Response {
    if status == 204 {
        return StatusCode::NO_CONTENT.into_response();
    }
    (
        StatusCode::from_u16(status).unwrap(),
        [("content-type", "application/json")],
        body.to_string(),
    )
        .into_response()
}

async fn handle(
    State(mock): State<ProviderMock>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri.path().to_owned();
    let key = headers
        .get("idempotency-key")
        .or_else(|| headers.get("paypal-request-id"))
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let fault = {
        let mut inner = mock.inner.lock().unwrap();
        let i = inner
            .faults
            .iter()
            .position(|(p, _)| path.contains(p.as_str()));
        i.map(|i| inner.faults.remove(i).1)
    };
    match fault {
        Some(Fault::Error500) => {
            record(&mock, &method, &path, &key, vec![]);
            return reply(500, json!({"error": {"message": "injected"}}));
        }
        Some(Fault::HangBefore) => {
            tokio::time::sleep(HANG).await;
            return reply(500, json!({"error": {"message": "too late"}}));
        }
        _ => {}
    }
    let violations = check(&method, &path, &body);
    record(&mock, &method, &path, &key, violations.clone());
    let res = if !violations.is_empty() {
        reply(400, json!({"error": {"message": violations.join("; ")}}))
    } else if !authorised(&path, &headers) {
        reply(401, json!({"error": {"message": "bad credentials"}}))
    } else {
        let (status, value) = with_idempotency(&mock, &key, &method, &path, &body);
        reply(status, value)
    };
    if fault == Some(Fault::DropAfter) {
        tokio::time::sleep(HANG).await;
    }
    res
}

fn record(mock: &ProviderMock, method: &Method, path: &str, key: &Option<String>, v: Vec<String>) {
    mock.inner.lock().unwrap().requests.push(Recorded {
        method: method.clone(),
        path: path.to_owned(),
        idempotency_key: key.clone(),
        violations: v,
        at: std::time::Instant::now(),
    });
}

fn authorised(path: &str, headers: &HeaderMap) -> bool {
    let auth = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if path == "/v1/oauth2/token" {
        auth.starts_with("Basic ")
    } else if path.starts_with("/v1/payment_intents")
        || path.starts_with("/v1/refunds")
        || path.starts_with("/v1/customers")
        || path.starts_with("/v1/payment_methods")
    {
        auth == format!("Bearer {STRIPE_KEY}")
    } else {
        auth == "Bearer A21-mock-token"
    }
}

/// The spec check of one request: its body against the official spec's request schema, and
/// its operation among those the adapters call.
pub(crate) fn check(method: &Method, path: &str, body: &[u8]) -> Vec<String> {
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let json = || serde_json::from_slice::<Value>(body).unwrap_or(Value::Null);
    match (method.as_str(), segments.as_slice()) {
        ("POST", ["v1", "payment_intents"]) => {
            check_form(Spec::Stripe, "/v1/payment_intents", "post", body)
        }
        ("POST", ["v1", "payment_intents", _, "confirm"]) => check_form(
            Spec::Stripe,
            "/v1/payment_intents/{intent}/confirm",
            "post",
            body,
        ),
        ("POST", ["v1", "refunds"]) => check_form(Spec::Stripe, "/v1/refunds", "post", body),
        ("POST", ["v1", "customers"]) => check_form(Spec::Stripe, "/v1/customers", "post", body),
        ("POST", ["v1", "payment_methods", _, "attach"]) => check_form(
            Spec::Stripe,
            "/v1/payment_methods/{payment_method}/attach",
            "post",
            body,
        ),
        ("POST", ["v1", "payment_methods", _, "detach"]) => check_form(
            Spec::Stripe,
            "/v1/payment_methods/{payment_method}/detach",
            "post",
            body,
        ),
        // A deletion has no body; its path is the spec's `/v3/vault/payment-tokens/{id}`.
        ("DELETE", ["v3", "vault", "payment-tokens", _]) => vec![],
        ("POST", ["v3", "vault", "payment-tokens"]) => check_json(
            Spec::PaypalVault,
            "/v3/vault/payment-tokens",
            "post",
            &json(),
        ),
        ("POST", ["v2", "checkout", "orders"]) => {
            check_json(Spec::PaypalOrders, "/v2/checkout/orders", "post", &json())
        }
        ("POST", ["v2", "checkout", "orders", _, "capture"]) => check_json(
            Spec::PaypalOrders,
            "/v2/checkout/orders/{id}/capture",
            "post",
            &json(),
        ),
        ("POST", ["v2", "payments", "captures", _, "refund"]) => check_json(
            Spec::PaypalPayments,
            "/v2/payments/captures/{capture_id}/refund",
            "post",
            &json(),
        ),
        ("POST", ["v1", "notifications", "verify-webhook-signature"]) => check_json(
            Spec::PaypalWebhooks,
            "/v1/notifications/verify-webhook-signature",
            "post",
            &json(),
        ),
        // The OAuth2 token endpoint is not in the published specs; reads have no body.
        ("POST", ["v1", "oauth2", "token"]) | ("GET", _) => vec![],
        _ => vec![format!(
            "{method} {path} is not an operation the adapters should call"
        )],
    }
}

fn with_idempotency(
    mock: &ProviderMock,
    key: &Option<String>,
    method: &Method,
    path: &str,
    body: &[u8],
) -> (u16, Value) {
    let fingerprint = format!("{method} {path} {}", String::from_utf8_lossy(body));
    if let Some(k) = key {
        let inner = mock.inner.lock().unwrap();
        if let Some((f, status, v)) = inner.replies.get(k) {
            if *f != fingerprint {
                return (
                    400,
                    json!({"error": {"message": "idempotency key reused with other parameters"}}),
                );
            }
            return (*status, v.clone());
        }
    }
    let (status, v) = operate(mock, method, path, body);
    if let Some(k) = key {
        mock.inner
            .lock()
            .unwrap()
            .replies
            .insert(k.clone(), (fingerprint, status, v.clone()));
    }
    (status, v)
}

fn operate(mock: &ProviderMock, method: &Method, path: &str, body: &[u8]) -> (u16, Value) {
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let mut inner = mock.inner.lock().unwrap();
    inner.next += 1;
    let n = inner.next;
    let base = mock.base.clone();
    match (method.as_str(), segments.as_slice()) {
        ("POST", ["v1", "payment_intents"]) => {
            let form = crate::spec_check::decode_form(body).unwrap();
            let pm = form["payment_method"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            let amount: i64 = form["amount"].as_str().unwrap().parse().unwrap();
            let id = format!("pi_mock{n}");
            let confirm = form["confirm"] == "true";
            // Stripe's test card whose bank wants every payment authenticated: off-session,
            // the intent is refused with `authentication_required`.
            if confirm && pm == "pm_card_authenticationRequired" && form["off_session"] == "true" {
                return (
                    402,
                    json!({"error": {"type": "card_error", "code": "authentication_required",
                        "message": "This payment requires authentication."}}),
                );
            }
            if confirm && pm == "pm_card_chargeDeclined" {
                return (
                    402,
                    json!({"error": {"type": "card_error", "code": "card_declined",
                        "message": "Your card was declined."}}),
                );
            }
            let (status, next_action) = match (confirm, pm.as_str()) {
                (false, _) => ("requires_payment_method", Value::Null),
                // `pm_card_visa`, and `pm_card_visa_N` for as many lines as a test needs.
                (true, pm) if pm.starts_with("pm_card_visa") => ("succeeded", Value::Null),
                (true, _) => (
                    "requires_action",
                    json!({"type": "redirect_to_url", "redirect_to_url": {
                        "url": format!("{base}/authenticate/{id}"),
                        "return_url": form["return_url"]}}),
                ),
            };
            let intent = json!({
                "id": id, "object": "payment_intent", "amount": amount,
                "amount_received": if status == "succeeded" { amount } else { 0 },
                "currency": form["currency"], "status": status, "next_action": next_action,
                "metadata": form["metadata"], "payment_method": pm,
                "payment_method_types": form["payment_method_types"],
                "last_payment_error": null, "livemode": false,
            });
            inner.intents.insert(id, intent.clone());
            (200, intent)
        }
        ("GET", ["v1", "payment_intents", id]) => match inner.intents.get(*id) {
            Some(i) => (200, i.clone()),
            None => (404, json!({"error": {"message": "No such payment_intent"}})),
        },
        ("POST", ["v1", "payment_intents", id, "confirm"]) => {
            let Some(i) = inner.intents.get_mut(*id) else {
                return (404, json!({"error": {"message": "No such payment_intent"}}));
            };
            if i["status"] != "requires_confirmation" {
                return (
                    400,
                    json!({"error": {"message": "cannot confirm in this state"}}),
                );
            }
            i["status"] = json!("succeeded");
            i["amount_received"] = i["amount"].clone();
            (200, i.clone())
        }
        ("POST", ["v1", "refunds"]) => {
            let form = crate::spec_check::decode_form(body).unwrap();
            let refund = json!({"id": format!("re_mock{n}"), "object": "refund",
                "amount": form["amount"].as_str().unwrap().parse::<i64>().unwrap(),
                "payment_intent": form["payment_intent"], "status": "succeeded"});
            inner.refunds.push(refund.clone());
            (200, refund)
        }
        ("POST", ["v1", "customers"]) => (
            200,
            json!({"id": format!("cus_mock{n}"), "object": "customer"}),
        ),
        ("POST", ["v1", "payment_methods", pm, "attach"]) => {
            let form = crate::spec_check::decode_form(body).unwrap();
            (
                200,
                json!({"id": pm, "object": "payment_method", "type": "card",
                    "card": {"brand": "visa", "last4": "4242"}, "customer": form["customer"]}),
            )
        }
        ("POST", ["v1", "payment_methods", pm, "detach"]) => {
            if inner.forgotten.iter().any(|f| f == pm) {
                return (404, json!({"error": {"message": "No such PaymentMethod"}}));
            }
            inner.forgotten.push((*pm).to_owned());
            (
                200,
                json!({"id": pm, "object": "payment_method", "type": "card", "customer": null}),
            )
        }
        ("DELETE", ["v3", "vault", "payment-tokens", id]) => {
            if inner.forgotten.iter().any(|f| f == id) {
                return (404, json!({"name": "RESOURCE_NOT_FOUND"}));
            }
            inner.forgotten.push((*id).to_owned());
            (204, Value::Null)
        }
        ("POST", ["v3", "vault", "payment-tokens"]) => (
            200,
            json!({"id": format!("VTMOCK{n}"), "customer": {"id": format!("CUSTMOCK{n}")},
                "payment_source": {"paypal": {}}}),
        ),
        ("POST", ["v1", "oauth2", "token"]) => (
            200,
            json!({"access_token": "A21-mock-token", "token_type": "Bearer",
                "expires_in": 32400, "scope": "https://uri.paypal.com/services/payments"}),
        ),
        ("POST", ["v2", "checkout", "orders"]) => {
            let req: Value = serde_json::from_slice(body).unwrap();
            let id = format!("PPMOCK{n}");
            let unit = &req["purchase_units"][0];
            let vaulted = !req["payment_source"]["paypal"]["vault_id"].is_null();
            let order = json!({
                "id": id, "intent": "CAPTURE",
                "status": if vaulted { "APPROVED" } else { "PAYER_ACTION_REQUIRED" },
                "purchase_units": [{"reference_id": unit["reference_id"],
                    "custom_id": unit["custom_id"], "amount": unit["amount"]}],
                "links": [{"rel": "payer-action", "method": "GET",
                    "href": format!("{base}/checkoutnow?token={id}")}],
            });
            inner.orders.insert(id, order.clone());
            (200, order)
        }
        ("GET", ["v2", "checkout", "orders", id]) => match inner.orders.get(*id) {
            Some(o) => (200, o.clone()),
            None => (404, json!({"name": "RESOURCE_NOT_FOUND"})),
        },
        ("POST", ["v2", "checkout", "orders", id, "capture"]) => {
            let Some(o) = inner.orders.get_mut(*id) else {
                return (404, json!({"name": "RESOURCE_NOT_FOUND"}));
            };
            match o["status"].as_str() {
                Some("APPROVED") => {}
                Some("COMPLETED") => {
                    return (
                        422,
                        json!({"name": "UNPROCESSABLE_ENTITY",
                        "details": [{"issue": "ORDER_ALREADY_CAPTURED"}]}),
                    )
                }
                _ => {
                    return (
                        422,
                        json!({"name": "UNPROCESSABLE_ENTITY",
                        "details": [{"issue": "ORDER_NOT_APPROVED"}]}),
                    )
                }
            }
            o["status"] = json!("COMPLETED");
            let amount = o["purchase_units"][0]["amount"].clone();
            o["purchase_units"][0]["payments"] = json!({"captures": [{
                "id": format!("CAPMOCK{n}"), "status": "COMPLETED", "amount": amount,
                "custom_id": o["purchase_units"][0]["custom_id"]}]});
            (201, o.clone())
        }
        ("POST", ["v2", "payments", "captures", capture, "refund"]) => {
            let req: Value = serde_json::from_slice(body).unwrap();
            let refund = json!({"id": format!("RFMOCK{n}"), "status": "COMPLETED",
                "amount": req["amount"], "capture": capture});
            inner.refunds.push(refund.clone());
            (201, refund)
        }
        ("POST", ["v1", "notifications", "verify-webhook-signature"]) => {
            let req: Value = serde_json::from_slice(body).unwrap();
            let ok = req["transmission_sig"] == PAYPAL_GOOD_SIG
                && req["webhook_id"] == PAYPAL_WEBHOOK_ID;
            (
                200,
                json!({"verification_status": if ok { "SUCCESS" } else { "FAILURE" }}),
            )
        }
        _ => (404, json!({"error": {"message": "unknown route"}})),
    }
}
