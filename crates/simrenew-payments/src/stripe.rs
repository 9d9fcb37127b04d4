//! Stripe PaymentIntents for card and Bancontact (API version 2020-03-02), refunds, and
//! `Stripe-Signature` webhook verification.
//!
//! A payment is a PaymentIntent created and confirmed at once with the payment method token
//! Stripe.js gave the portal (`pm_...`) and a `return_url`; when the bank wants 3-D Secure or
//! the Bancontact redirect, the intent is `requires_action` and `next_action.redirect_to_url`
//! is where the customer goes. Our payment id rides along in `metadata[payment_id]`.
//!
//! Every id sent or read is parsed into its type (`pm_`, `pi_`, `cus_`, `re_`, see
//! `simrenew_domain::provider_ids`) first, and every URL is built from encoded path segments.

use std::time::Duration;

use async_trait::async_trait;
use hmac::{Hmac, Mac};
use jiff::Timestamp;
use reqwest::Url;
use serde_json::Value;
use sha2::Sha256;
use simrenew_app::payments::providers::{
    CreatePayment, PaymentProvider, ProviderError, ProviderEvent, ProviderState, SaveMethod,
    SavedToken, WebhookError,
};
use simrenew_domain::ids::ProviderPaymentId;
use simrenew_domain::money::{Currency, Money};
use simrenew_domain::order::{PaymentMethod, ProviderName, ProviderPayment, ProviderPaymentStatus};
use simrenew_domain::provider_ids::{
    SavableToken, StripeCustomerId, StripePaymentIntentId, StripePaymentMethodId, StripeRefundId,
};
use simrenew_domain::ParseError;

use crate::http::{api_base, endpoint, Caller, RetryPolicy};
use crate::Secret;

/// The API version these requests and the webhook parsing are written for.
pub const API_VERSION: &str = "2020-03-02";

/// How old a webhook's signed timestamp may be (Stripe's own default).
pub const DEFAULT_TOLERANCE: Duration = Duration::from_secs(300);

#[derive(Debug, Clone)]
pub struct StripeConfig {
    /// `https://api.stripe.com` in production.
    pub api_base: String,
    pub secret_key: Secret,
    /// The endpoint's signing secret (`whsec_...`).
    pub webhook_secret: Secret,
    pub tolerance: Duration,
    pub retry: RetryPolicy,
}

pub struct StripeProvider {
    config: StripeConfig,
    base: Url,
    caller: Caller,
}

const P: ProviderName = ProviderName::Stripe;

fn protocol(detail: impl Into<String>) -> ProviderError {
    ProviderError::Protocol {
        provider: P,
        detail: detail.into(),
    }
}

/// An id (stored by us, or in Stripe's answer) parsed into its type; one not in Stripe's form
/// is refused without being sent anywhere (nor echoed into the logs).
fn id<T>(parsed: Result<T, ParseError>, what: &str) -> Result<T, ProviderError> {
    parsed.map_err(|e| protocol(format!("{what} {}", e.reason)))
}

impl StripeProvider {
    pub fn new(config: StripeConfig) -> Result<Self, ProviderError> {
        let caller = Caller::new(P, config.retry)?;
        let base = api_base(P, &config.api_base)?;
        Ok(Self {
            config,
            base,
            caller,
        })
    }

    /// Paces this provider's calls from this process: at most `per_second` requests a second
    /// to Stripe, retries included, each waiting its turn.
    pub fn paced(mut self, per_second: std::num::NonZeroU32) -> Self {
        self.caller = self.caller.paced(per_second);
        self
    }

    async fn post(
        &self,
        operation: &str,
        path: &[&str],
        form: &[(String, String)],
        idempotency_key: &str,
    ) -> Result<Value, ProviderError> {
        let url = endpoint(&self.base, path);
        self.caller
            .call(operation, || {
                self.caller
                    .http
                    .post(url.clone())
                    .bearer_auth(self.config.secret_key.expose())
                    .header("Stripe-Version", API_VERSION)
                    .header("Idempotency-Key", idempotency_key)
                    .form(form)
            })
            .await
    }
}

fn pair(k: &str, v: impl ToString) -> (String, String) {
    (k.to_owned(), v.to_string())
}

/// The form of `POST /v1/payment_intents` for a payment.
pub fn create_form(req: &CreatePayment) -> Result<Vec<(String, String)>, ProviderError> {
    let method_type = match req.method {
        PaymentMethod::Card => "card",
        PaymentMethod::Bancontact => "bancontact",
        other => return Err(protocol(format!("Stripe does not take {other} here"))),
    };
    let mut form = vec![
        pair("amount", req.amount.cents),
        pair(
            "currency",
            req.amount.currency.as_str().to_ascii_lowercase(),
        ),
        pair("payment_method_types[]", method_type),
        pair("description", &req.description),
        pair("metadata[payment_id]", req.payment),
        pair("metadata[order_id]", req.order),
    ];
    if let Some(saved) = &req.saved {
        // The customer is away (automatic renewal): charge the saved method off-session.
        if let Some(customer) = &saved.customer_ref {
            let customer = id(StripeCustomerId::parse(customer), "the saved customer")?;
            form.push(pair("customer", customer));
        }
        let method = id(
            StripePaymentMethodId::parse(&saved.token_ref),
            "the saved payment method",
        )?;
        form.push(pair("payment_method", method));
        form.push(pair("confirm", "true"));
        form.push(pair("off_session", "true"));
    } else if let Some(pm) = &req.payment_method_token {
        form.push(pair("payment_method", pm));
        form.push(pair("confirm", "true"));
        if let Some(url) = &req.return_url {
            form.push(pair("return_url", url));
        }
    }
    Ok(form)
}

/// Reads a PaymentIntent.
pub fn intent_state(v: &Value) -> Result<ProviderState, ProviderError> {
    let intent = v["id"]
        .as_str()
        .ok_or_else(|| protocol("payment intent without id"))?;
    let intent = id(
        StripePaymentIntentId::parse(intent),
        "the payment intent's id",
    )?;
    let status = v["status"].as_str().unwrap_or_default();
    let currency = v["currency"]
        .as_str()
        .map(str::to_ascii_uppercase)
        .and_then(|c| Currency::parse(&c).ok())
        .ok_or_else(|| protocol("payment intent without a currency"))?;
    let status = match status {
        "succeeded" => ProviderPaymentStatus::Captured,
        "processing" | "requires_capture" => ProviderPaymentStatus::Processing,
        "requires_payment_method" if !v["last_payment_error"].is_null() => {
            ProviderPaymentStatus::Failed
        }
        "requires_payment_method" | "requires_confirmation" | "requires_action" => {
            ProviderPaymentStatus::RequiresAction
        }
        "canceled" => ProviderPaymentStatus::Failed,
        other => return Err(protocol(format!("unknown payment intent status {other:?}"))),
    };
    let cents = if status == ProviderPaymentStatus::Captured {
        v["amount_received"].as_i64()
    } else {
        v["amount"].as_i64()
    }
    .ok_or_else(|| protocol("payment intent without an amount"))?;
    Ok(ProviderState {
        provider_ref: intent.to_string(),
        status,
        amount: Money::new(cents, currency),
        next_action_url: v["next_action"]["redirect_to_url"]["url"]
            .as_str()
            .map(str::to_owned),
        capture_ref: None,
        our_payment: v["metadata"]["payment_id"]
            .as_str()
            .and_then(|s| s.parse().ok())
            .map(ProviderPaymentId),
    })
}

/// Checks a `Stripe-Signature` header (`t=...,v1=...[,v1=...]`) against the payload: the
/// HMAC-SHA256 of `timestamp.payload` with the endpoint secret, and a timestamp no further
/// than `tolerance` from `now`.
pub fn verify_signature(
    header: &str,
    payload: &[u8],
    secret: &str,
    tolerance: Duration,
    now: Timestamp,
) -> Result<(), WebhookError> {
    let bad = |why: &str| WebhookError::BadSignature(why.to_owned());
    let mut t = None;
    let mut signatures = vec![];
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", v)) => t = v.parse::<i64>().ok(),
            Some(("v1", v)) => signatures.push(v),
            _ => {}
        }
    }
    let t = t.ok_or_else(|| bad("no timestamp"))?;
    if signatures.is_empty() {
        return Err(bad("no v1 signature"));
    }
    let age = now.as_second().saturating_sub(t).unsigned_abs();
    if age > tolerance.as_secs() {
        return Err(bad("timestamp outside the tolerance"));
    }
    for sig in signatures {
        let Ok(sig) = hex::decode(sig) else { continue };
        let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
            return Err(bad("unusable secret"));
        };
        mac.update(t.to_string().as_bytes());
        mac.update(b".");
        mac.update(payload);
        // Constant-time comparison.
        if mac.verify_slice(&sig).is_ok() {
            return Ok(());
        }
    }
    Err(bad("no signature matches"))
}

/// Signs a payload as Stripe does: the `Stripe-Signature` header value for `timestamp`.
pub fn sign(payload: &[u8], secret: &str, timestamp: i64) -> String {
    let mut mac = match Hmac::<Sha256>::new_from_slice(secret.as_bytes()) {
        Ok(m) => m,
        Err(_) => return String::new(),
    };
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(payload);
    format!(
        "t={timestamp},v1={}",
        hex::encode(mac.finalize().into_bytes())
    )
}

#[async_trait]
impl PaymentProvider for StripeProvider {
    fn name(&self) -> ProviderName {
        P
    }

    #[tracing::instrument(skip_all, fields(payment.id = %req.payment))]
    async fn create(&self, req: &CreatePayment) -> Result<ProviderState, ProviderError> {
        let form = create_form(req)?;
        let v = self
            .post(
                "create payment intent",
                &["v1", "payment_intents"],
                &form,
                &req.idempotency_key,
            )
            .await?;
        intent_state(&v)
    }

    #[tracing::instrument(skip_all, fields(provider.reference = %provider_ref))]
    async fn complete(
        &self,
        provider_ref: &str,
        idempotency_key: &str,
    ) -> Result<ProviderState, ProviderError> {
        // Only an intent waiting for confirmation can be confirmed by us; one waiting for the
        // customer (3-D Secure) or done is answered as it is.
        let intent = id(
            StripePaymentIntentId::parse(provider_ref),
            "the payment intent",
        )?;
        let raw = self.raw_intent(&intent).await?;
        if raw["status"].as_str() != Some("requires_confirmation") {
            return intent_state(&raw);
        }
        let v = self
            .post(
                "confirm payment intent",
                &["v1", "payment_intents", intent.as_str(), "confirm"],
                &[],
                idempotency_key,
            )
            .await?;
        intent_state(&v)
    }

    async fn retrieve(&self, provider_ref: &str) -> Result<ProviderState, ProviderError> {
        let intent = id(
            StripePaymentIntentId::parse(provider_ref),
            "the payment intent",
        )?;
        intent_state(&self.raw_intent(&intent).await?)
    }

    #[tracing::instrument(skip_all, fields(payment.id = %payment.id))]
    async fn refund(
        &self,
        payment: &ProviderPayment,
        amount: Money,
        idempotency_key: &str,
    ) -> Result<String, ProviderError> {
        let intent = payment
            .provider_ref
            .as_deref()
            .ok_or_else(|| protocol("refund of a payment without a payment intent"))?;
        let intent = id(StripePaymentIntentId::parse(intent), "the payment intent")?;
        let form = vec![
            pair("payment_intent", intent),
            pair("amount", amount.cents),
            pair("metadata[payment_id]", payment.id),
        ];
        let v = self
            .post("refund", &["v1", "refunds"], &form, idempotency_key)
            .await?;
        let refund = v["id"]
            .as_str()
            .ok_or_else(|| protocol("refund without id"))?;
        Ok(id(StripeRefundId::parse(refund), "the refund's id")?.to_string())
    }

    #[tracing::instrument(skip_all, fields(line.id = %req.line))]
    async fn save_method(&self, req: &SaveMethod) -> Result<SavedToken, ProviderError> {
        let SavableToken::StripeCard(method) = &req.token else {
            return Err(protocol(format!(
                "Stripe does not save {} here",
                req.method()
            )));
        };
        let customer = match &req.customer_ref {
            Some(c) => id(StripeCustomerId::parse(c), "the line's customer")?,
            None => {
                let v = self
                    .post(
                        "create customer",
                        &["v1", "customers"],
                        &[pair("metadata[line_id]", req.line)],
                        &format!("{}-customer", req.idempotency_key),
                    )
                    .await?;
                let customer = v["id"]
                    .as_str()
                    .ok_or_else(|| protocol("customer without id"))?;
                id(StripeCustomerId::parse(customer), "the customer's id")?
            }
        };
        let v = self
            .post(
                "attach payment method",
                &["v1", "payment_methods", method.as_str(), "attach"],
                &[pair("customer", &customer)],
                &format!("{}-attach", req.idempotency_key),
            )
            .await?;
        let token_ref = v["id"]
            .as_str()
            .ok_or_else(|| protocol("payment method without id"))?;
        let token_ref = id(
            StripePaymentMethodId::parse(token_ref),
            "the payment method's id",
        )?
        .to_string();
        let label = match (v["card"]["brand"].as_str(), v["card"]["last4"].as_str()) {
            (Some(brand), Some(last4)) => format!("{brand} ending {last4}"),
            _ => v["type"].as_str().unwrap_or("card").to_owned(),
        };
        Ok(SavedToken {
            customer_ref: Some(customer.to_string()),
            token_ref,
            label,
        })
    }

    async fn forget_method(
        &self,
        token_ref: &str,
        idempotency_key: &str,
    ) -> Result<(), ProviderError> {
        let method = id(
            StripePaymentMethodId::parse(token_ref),
            "the saved payment method",
        )?;
        let url = endpoint(
            &self.base,
            &["v1", "payment_methods", method.as_str(), "detach"],
        );
        self.caller
            .call_removal("detach payment method", || {
                self.caller
                    .http
                    .post(url.clone())
                    .bearer_auth(self.config.secret_key.expose())
                    .header("Stripe-Version", API_VERSION)
                    .header("Idempotency-Key", idempotency_key)
                    .form(&[] as &[(String, String)])
            })
            .await
    }

    async fn verify_webhook(
        &self,
        headers: &[(String, String)],
        body: &[u8],
        now: Timestamp,
    ) -> Result<ProviderEvent, WebhookError> {
        let header = headers
            .iter()
            .find(|(k, _)| k == "stripe-signature")
            .map(|(_, v)| v.as_str())
            .ok_or_else(|| WebhookError::BadSignature("no Stripe-Signature header".into()))?;
        verify_signature(
            header,
            body,
            self.config.webhook_secret.expose(),
            self.config.tolerance,
            now,
        )?;
        parse_event(body)
    }
}

impl StripeProvider {
    async fn raw_intent(&self, intent: &StripePaymentIntentId) -> Result<Value, ProviderError> {
        let url = endpoint(&self.base, &["v1", "payment_intents", intent.as_str()]);
        self.caller
            .call("retrieve payment intent", || {
                self.caller
                    .http
                    .get(url.clone())
                    .bearer_auth(self.config.secret_key.expose())
                    .header("Stripe-Version", API_VERSION)
            })
            .await
    }
}

/// Reads a (verified) event. Payment intent events carry the intent; others are acknowledged
/// without a payment.
pub fn parse_event(body: &[u8]) -> Result<ProviderEvent, WebhookError> {
    let v: Value =
        serde_json::from_slice(body).map_err(|e| WebhookError::Malformed(e.to_string()))?;
    let id = v["id"]
        .as_str()
        .ok_or_else(|| WebhookError::Malformed("event without id".into()))?;
    let kind = v["type"].as_str().unwrap_or_default();
    let object = &v["data"]["object"];
    let payment = if kind.starts_with("payment_intent.") && object["object"] == "payment_intent" {
        Some(intent_state(object)?)
    } else {
        None
    };
    Ok(ProviderEvent {
        id: id.to_owned(),
        kind: kind.to_owned(),
        payment,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "whsec_test";

    fn now() -> Timestamp {
        Timestamp::from_second(1_800_000_000).unwrap()
    }

    #[test]
    fn a_signature_made_with_the_secret_is_accepted() {
        let body = br#"{"id":"evt_1"}"#;
        let header = sign(body, SECRET, now().as_second() - 10);
        verify_signature(&header, body, SECRET, DEFAULT_TOLERANCE, now()).unwrap();
    }

    #[test]
    fn a_changed_payload_or_another_secret_is_refused() {
        let body = br#"{"id":"evt_1","amount":1000}"#;
        let header = sign(body, SECRET, now().as_second());
        let changed = br#"{"id":"evt_1","amount":9999}"#;
        assert!(verify_signature(&header, changed, SECRET, DEFAULT_TOLERANCE, now()).is_err());
        let other = sign(body, "whsec_other", now().as_second());
        assert!(verify_signature(&other, body, SECRET, DEFAULT_TOLERANCE, now()).is_err());
    }

    #[test]
    fn an_old_or_future_timestamp_is_refused() {
        let body = br#"{"id":"evt_1"}"#;
        let old = sign(body, SECRET, now().as_second() - 301);
        assert!(verify_signature(&old, body, SECRET, DEFAULT_TOLERANCE, now()).is_err());
        let future = sign(body, SECRET, now().as_second() + 301);
        assert!(verify_signature(&future, body, SECRET, DEFAULT_TOLERANCE, now()).is_err());
    }

    #[test]
    fn malformed_headers_are_refused() {
        for h in [
            "",
            "t=abc,v1=00",
            "v1=00",
            "t=1800000000",
            "t=1800000000,v1=zz",
        ] {
            assert!(
                verify_signature(h, b"{}", SECRET, DEFAULT_TOLERANCE, now()).is_err(),
                "{h}"
            );
        }
    }

    #[test]
    fn ids_out_of_stripe_form_are_refused_in_answers_and_stored_references() {
        let hostile = "pi_x/../../refunds";
        let answer = serde_json::json!({"id": hostile, "object": "payment_intent",
            "status": "succeeded", "amount": 1, "amount_received": 1, "currency": "eur"});
        assert!(matches!(
            intent_state(&answer),
            Err(ProviderError::Protocol { .. })
        ));
        let event = serde_json::json!({"id": "evt_1", "type": "payment_intent.succeeded",
            "data": {"object": answer}});
        assert!(parse_event(event.to_string().as_bytes()).is_err());
        let req = |customer: &str, token: &str| CreatePayment {
            payment: ProviderPaymentId(1),
            order: simrenew_domain::ids::OrderId(1),
            idempotency_key: "k".into(),
            method: PaymentMethod::Card,
            amount: Money::eur(100),
            description: "d".into(),
            return_url: None,
            payment_method_token: None,
            saved: Some(simrenew_app::payments::providers::SavedRef {
                customer_ref: Some(customer.into()),
                token_ref: token.into(),
            }),
        };
        assert!(create_form(&req("cus_1", "pm_1")).is_ok());
        assert!(create_form(&req("cus_1&amount=1", "pm_1")).is_err());
        assert!(create_form(&req("cus_1", "pm_1/../x")).is_err());
        assert!(create_form(&req("cus_1", "pi_1")).is_err());
    }

    #[test]
    fn intent_statuses_map_to_ours() {
        let intent = |status: &str| {
            serde_json::json!({
                "id": "pi_1", "object": "payment_intent", "status": status,
                "amount": 1000, "amount_received": 1000, "currency": "eur",
                "metadata": {"payment_id": "7"},
                "next_action": {"type": "redirect_to_url",
                    "redirect_to_url": {"url": "https://bank.example/3ds", "return_url": "x"}},
            })
        };
        let s = intent_state(&intent("requires_action")).unwrap();
        assert_eq!(s.status, ProviderPaymentStatus::RequiresAction);
        assert_eq!(
            s.next_action_url.as_deref(),
            Some("https://bank.example/3ds")
        );
        assert_eq!(s.our_payment, Some(ProviderPaymentId(7)));
        assert_eq!(
            intent_state(&intent("succeeded")).unwrap().status,
            ProviderPaymentStatus::Captured
        );
        assert_eq!(
            intent_state(&intent("canceled")).unwrap().status,
            ProviderPaymentStatus::Failed
        );
        assert_eq!(
            intent_state(&intent("succeeded")).unwrap().amount,
            Money::eur(1000)
        );
    }
}
