//! The adapters against Prism mock servers generated from the official specs
//! (`shared/specs/`): Stripe (a cut of the spec, `tools/cut-stripe-spec.py`), PayPal Orders v2,
//! Payments v2, Webhooks and Vault v3. A recording proxy in front of Prism also checks every request
//! body against the spec itself (Prism lets some invalid bodies through), and the test shows
//! that a known-bad request is rejected by that check.
//!
//! Prism is found through `SIMRENEW_PRISM_STRIPE_URL`, `SIMRENEW_PRISM_PAYPAL_ORDERS_URL`,
//! `SIMRENEW_PRISM_PAYPAL_PAYMENTS_URL`, `SIMRENEW_PRISM_PAYPAL_WEBHOOKS_URL` and
//! `SIMRENEW_PRISM_PAYPAL_VAULT_URL` (set by
//! `.ci/run`, which starts them), or started here from `target/prism` (where `.ci/run`
//! installs it). Without Prism the test is skipped, except in CI, where it fails.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use simrenew_app::payments::providers::{
    CreatePayment, PaymentProvider, ProviderError, SaveMethod, SavedRef,
};
use simrenew_domain::ids::{BrandId, LineId, OrderId, ProviderPaymentId};
use simrenew_domain::money::Money;
use simrenew_domain::order::{PaymentMethod, ProviderName, ProviderPayment, ProviderPaymentStatus};
use simrenew_domain::provider_ids::{PaypalBillingToken, SavableToken, StripePaymentMethodId};
use simrenew_payments::{PaypalConfig, PaypalProvider, Secret, StripeConfig, StripeProvider};

use crate::provider_mock::ProviderMock;
use crate::spec_check::specs_dir;

/// A Prism process started by this test, stopped when dropped.
struct PrismProcess(Child);

impl Drop for PrismProcess {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Waits until something answers HTTP at `url`.
async fn wait_for(url: &str, what: &str) {
    let http = reqwest::Client::new();
    for _ in 0..1_200 {
        if http.get(url).send().await.is_ok() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("Prism for {what} did not start at {url} within 4 minutes");
}

struct Prisms {
    stripe: String,
    orders: String,
    payments: String,
    webhooks: String,
    vault: String,
    _processes: Vec<PrismProcess>,
}

/// The Prism servers, from the environment or started here; `None` to skip.
async fn prisms() -> Option<Prisms> {
    let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    if let (Some(stripe), Some(orders), Some(payments), Some(webhooks), Some(vault)) = (
        env("SIMRENEW_PRISM_STRIPE_URL"),
        env("SIMRENEW_PRISM_PAYPAL_ORDERS_URL"),
        env("SIMRENEW_PRISM_PAYPAL_PAYMENTS_URL"),
        env("SIMRENEW_PRISM_PAYPAL_WEBHOOKS_URL"),
        env("SIMRENEW_PRISM_PAYPAL_VAULT_URL"),
    ) {
        for (url, what) in [
            (&stripe, "Stripe"),
            (&orders, "PayPal orders"),
            (&payments, "PayPal payments"),
            (&webhooks, "PayPal webhooks"),
            (&vault, "PayPal vault"),
        ] {
            wait_for(url, what).await;
        }
        return Some(Prisms {
            stripe,
            orders,
            payments,
            webhooks,
            vault,
            _processes: vec![],
        });
    }
    let bin = repo().join("target/prism/node_modules/.bin/prism");
    if !bin.exists() {
        if std::env::var("CI").is_ok() {
            panic!(
                "Prism is not installed at {}: .ci/run installs it",
                bin.display()
            );
        }
        eprintln!("Prism not installed (npm install --prefix target/prism @stoplight/prism-cli@5): skipped");
        return None;
    }
    let cut = std::env::temp_dir().join(format!("simrenew-stripe-cut-{}.json", std::process::id()));
    let status = Command::new("python3")
        .arg(repo().join("tools/cut-stripe-spec.py"))
        .arg(specs_dir().join("stripe/spec3.json"))
        .arg(&cut)
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "cutting the Stripe spec failed");
    let mut processes = vec![];
    let mut urls = vec![];
    for spec in [
        cut.clone(),
        specs_dir().join("paypal/checkout_orders_v2.json"),
        specs_dir().join("paypal/payments_payment_v2.json"),
        specs_dir().join("paypal/notifications_webhooks_v1.json"),
        specs_dir().join("paypal/vault_payment_tokens_v3.json"),
    ] {
        let port = free_port();
        let child = Command::new(&bin)
            .args(["mock", "-h", "127.0.0.1", "-p", &port.to_string()])
            .arg(&spec)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        processes.push(PrismProcess(child));
        urls.push(format!("http://127.0.0.1:{port}"));
    }
    for (url, what) in urls.iter().zip([
        "Stripe",
        "PayPal orders",
        "PayPal payments",
        "PayPal webhooks",
        "PayPal vault",
    ]) {
        wait_for(url, what).await;
    }
    let _ = std::fs::remove_file(&cut);
    Some(Prisms {
        stripe: urls[0].clone(),
        orders: urls[1].clone(),
        payments: urls[2].clone(),
        webhooks: urls[3].clone(),
        vault: urls[4].clone(),
        _processes: processes,
    })
}

#[derive(Debug, Clone)]
struct Seen {
    path: String,
    /// What Prism answered.
    status: u16,
    violations: Vec<String>,
}

#[derive(Clone)]
struct Proxy {
    stripe: String,
    orders: String,
    payments: String,
    webhooks: String,
    vault: String,
    seen: Arc<Mutex<Vec<Seen>>>,
    http: reqwest::Client,
}

fn spec_violations(method: &Method, path: &str, body: &[u8]) -> Vec<String> {
    crate::provider_mock::check(method, path, body)
}

async fn forward(
    State(proxy): State<Proxy>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri.path().to_owned();
    if path == "/v1/oauth2/token" {
        // Not part of the published PayPal specs.
        return axum::Json(json!({"access_token": "A21-prism", "token_type": "Bearer",
            "expires_in": 32400}))
        .into_response();
    }
    let violations = spec_violations(&method, &path, &body);
    let stripe = [
        "/v1/payment_intents",
        "/v1/refunds",
        "/v1/customers",
        "/v1/payment_methods",
    ];
    let base = if stripe.iter().any(|p| path.starts_with(p)) {
        &proxy.stripe
    } else if path.starts_with("/v2/checkout") {
        &proxy.orders
    } else if path.starts_with("/v2/payments") {
        &proxy.payments
    } else if path.starts_with("/v3/vault") {
        &proxy.vault
    } else {
        &proxy.webhooks
    };
    let mut req = proxy.http.request(
        method.clone(),
        format!("{base}{}", uri.path_and_query().map_or("", |p| p.as_str())),
    );
    for (k, v) in &headers {
        if k != "host" && k != "content-length" {
            req = req.header(k, v);
        }
    }
    let res = req.body(body.to_vec()).send().await.unwrap();
    let status = res.status().as_u16();
    let body = res.bytes().await.unwrap();
    proxy.seen.lock().unwrap().push(Seen {
        path,
        status,
        violations,
    });
    (
        StatusCode::from_u16(status).unwrap(),
        [("content-type", "application/json")],
        body,
    )
        .into_response()
}

async fn start_proxy(p: &Prisms) -> (String, Arc<Mutex<Vec<Seen>>>) {
    let seen = Arc::new(Mutex::new(vec![]));
    let proxy = Proxy {
        stripe: p.stripe.clone(),
        orders: p.orders.clone(),
        payments: p.payments.clone(),
        webhooks: p.webhooks.clone(),
        vault: p.vault.clone(),
        seen: seen.clone(),
        http: reqwest::Client::new(),
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let router = axum::Router::new().fallback(forward).with_state(proxy);
    tokio::spawn(async move { axum::serve(listener, router).await });
    (base, seen)
}

/// Prism answers with schema-shaped placeholders (`"currency": "string"`), which the adapter
/// cannot read as money: what counts here is that Prism accepted the request (not a 4xx) and
/// answered from the spec, so the adapter either read it or failed on the placeholders.
fn accepted<T: std::fmt::Debug>(what: &str, r: Result<T, ProviderError>) {
    match r {
        Ok(_) | Err(ProviderError::Protocol { .. }) => {}
        Err(e) => panic!("{what}: {e}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_adapters_requests_are_accepted_by_prism_and_pass_the_spec_check() {
    let Some(prisms) = prisms().await else {
        return;
    };
    let (base, seen) = start_proxy(&prisms).await;
    let retry = ProviderMock::retry();
    let stripe = StripeProvider::new(StripeConfig {
        api_base: base.clone(),
        secret_key: Secret::new("sk_test_prism"),
        webhook_secret: Secret::new("whsec_prism"),
        tolerance: simrenew_payments::stripe::DEFAULT_TOLERANCE,
        retry: simrenew_payments::RetryPolicy {
            timeout: Duration::from_secs(30),
            ..retry
        },
    })
    .unwrap();
    let paypal = PaypalProvider::new(PaypalConfig {
        api_base: base.clone(),
        client_id: "client".into(),
        client_secret: Secret::new("secret"),
        webhook_id: "WH1234567890".into(),
        retry: simrenew_payments::RetryPolicy {
            timeout: Duration::from_secs(30),
            ..retry
        },
    })
    .unwrap();
    for (method, provider) in [
        (PaymentMethod::Card, &stripe as &dyn PaymentProvider),
        (PaymentMethod::Bancontact, &stripe),
        (PaymentMethod::Paypal, &paypal),
    ] {
        let req = CreatePayment {
            payment: ProviderPaymentId(41),
            order: OrderId(7),
            idempotency_key: format!("simrenew-pay-41-{method}"),
            method,
            amount: Money::eur(1000),
            description: "order 7 TEST-5GB-30D".into(),
            return_url: Some("https://portal.example/return".into()),
            payment_method_token: (method != PaymentMethod::Paypal)
                .then(|| StripePaymentMethodId::parse("pm_card_visa").unwrap()),
            saved: None,
        };
        accepted("create", provider.create(&req).await);
    }
    accepted(
        "stripe complete",
        stripe.complete("pi_123", "simrenew-pay-41-complete").await,
    );
    accepted(
        "paypal retrieve",
        paypal.retrieve("5O190127TN364715T").await,
    );
    let captured = ProviderPayment {
        id: ProviderPaymentId(41),
        brand_id: BrandId(1),
        order_id: OrderId(7),
        provider: ProviderName::Stripe,
        method: PaymentMethod::Card,
        provider_ref: Some("pi_123".into()),
        idempotency_key: "simrenew-pay-41".into(),
        amount: Money::eur(1000),
        status: ProviderPaymentStatus::Captured,
        next_action_url: None,
        capture_ref: Some("2GG279541U471931P".into()),
        refunded: Money::eur(0),
        store_code: None,
        applied: true,
        created_at: jiff::Timestamp::UNIX_EPOCH,
        updated_at: jiff::Timestamp::UNIX_EPOCH,
    };
    accepted(
        "stripe refund",
        stripe
            .refund(&captured, Money::eur(400), "simrenew-refund-1")
            .await,
    );
    let paypal_payment = ProviderPayment {
        provider: ProviderName::Paypal,
        method: PaymentMethod::Paypal,
        ..captured
    };
    accepted(
        "paypal refund",
        paypal
            .refund(&paypal_payment, Money::eur(400), "simrenew-refund-2")
            .await,
    );
    // Prism's placeholder ids (`"id": "string"`) are not in the providers' forms, so the
    // customer it creates cannot be used: the attach is also tried for a known customer.
    for (provider, token, customer) in [
        (
            &stripe as &dyn PaymentProvider,
            SavableToken::StripeCard(StripePaymentMethodId::parse("pm_card_visa").unwrap()),
            None,
        ),
        (
            &stripe,
            SavableToken::StripeCard(StripePaymentMethodId::parse("pm_card_visa").unwrap()),
            Some("cus_123".to_owned()),
        ),
        (
            &paypal,
            SavableToken::PaypalAccount(PaypalBillingToken::parse("B-5YM64573DP4721234").unwrap()),
            None,
        ),
    ] {
        let req = SaveMethod {
            line: LineId(7),
            customer_ref: customer,
            idempotency_key: format!("simrenew-save-7-{}", token.as_str()),
            token,
        };
        accepted("save method", provider.save_method(&req).await);
    }
    // With a saved method: Stripe off-session, PayPal vault_id.
    for (method, provider) in [
        (PaymentMethod::Card, &stripe as &dyn PaymentProvider),
        (PaymentMethod::Paypal, &paypal),
    ] {
        let req = CreatePayment {
            payment: ProviderPaymentId(42),
            order: OrderId(8),
            idempotency_key: format!("simrenew-pay-42-{method}"),
            method,
            amount: Money::eur(1000),
            description: "order 8 TEST-5GB-30D".into(),
            return_url: None,
            payment_method_token: None,
            saved: Some(SavedRef {
                customer_ref: Some("cus_123".into()),
                token_ref: if method == PaymentMethod::Card {
                    "pm_123".into()
                } else {
                    "8kk8451t".into()
                },
            }),
        };
        accepted("create with a saved method", provider.create(&req).await);
    }
    // Removing a saved method: Stripe detaches it, PayPal deletes the vault token.
    accepted(
        "forget a card",
        stripe.forget_method("pm_123", "simrenew-forget-1").await,
    );
    accepted(
        "forget a PayPal account",
        paypal.forget_method("8kk8451t", "simrenew-forget-2").await,
    );
    let headers: Vec<(String, String)> = [
        ("paypal-auth-algo", "SHA256withRSA"),
        (
            "paypal-cert-url",
            "https://api.paypal.com/v1/notifications/certs/CERT-360caa42",
        ),
        (
            "paypal-transmission-id",
            "69cd13f0-d67a-11e5-baa3-778b53f4ae55",
        ),
        (
            "paypal-transmission-sig",
            "lmI95Jx3Y9nhR5SJWlHVIWpg4AgFk7n9bCHSRxbrd8A9zrhdu2rMyFrmz+",
        ),
        ("paypal-transmission-time", "2016-02-18T20:01:35Z"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    let event = json!({"id": "WH-1", "event_type": "PAYMENT.CAPTURE.COMPLETED",
        "resource": {"id": "CAP1", "amount": {"currency_code": "EUR", "value": "10.00"},
            "supplementary_data": {"related_ids": {"order_id": "5O190127TN364715T"}}}});
    // Prism's answer decides verified or not; either way it accepted the request.
    let _ = paypal
        .verify_webhook(
            &headers,
            event.to_string().as_bytes(),
            jiff::Timestamp::UNIX_EPOCH,
        )
        .await;

    let seen = seen.lock().unwrap().clone();
    let paths: Vec<&str> = seen.iter().map(|s| s.path.as_str()).collect();
    for expected in [
        "/v1/payment_intents",
        "/v1/refunds",
        "/v2/checkout/orders",
        "/v2/payments/captures/2GG279541U471931P/refund",
        "/v1/notifications/verify-webhook-signature",
        "/v1/customers",
        "/v1/payment_methods/pm_card_visa/attach",
        "/v3/vault/payment-tokens",
    ] {
        assert!(
            paths.contains(&expected),
            "{expected} never called: {paths:?}"
        );
    }
    for s in &seen {
        assert!(s.violations.is_empty(), "{}: {:?}", s.path, s.violations);
        assert!(s.status < 400, "Prism answered {} to {}", s.status, s.path);
    }

    // A known-bad request: the spec check rejects it, and so does Prism.
    let bad = b"amount=ten&currency=eur&colour=blue";
    let violations = spec_violations(&Method::POST, "/v1/payment_intents", bad);
    assert!(violations.len() >= 2, "{violations:?}");
    let res = reqwest::Client::new()
        .post(format!("{}/v1/payment_intents", prisms.stripe))
        .bearer_auth("sk_test_prism")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(bad.to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 422);
    let bad = json!({"purchase_units": {"amount": "10"}});
    assert!(!spec_violations(
        &Method::POST,
        "/v2/checkout/orders",
        bad.to_string().as_bytes()
    )
    .is_empty());
}
