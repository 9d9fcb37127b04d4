//! PayPal Orders v2 (create, approve link, capture), refunds through Payments v2, and webhook
//! verification through PayPal's verify-webhook-signature API.
//!
//! Our payment id rides along as the purchase unit's `custom_id`, so that a webhook about a
//! capture can be matched even when the create answer was lost.
//!
//! Every id sent or read (orders, captures, refunds, vault tokens, customers, billing
//! agreement tokens) is parsed into its type against PayPal's documented form first, and every
//! URL is built from encoded path segments.

use std::time::{Duration, Instant};

use async_trait::async_trait;
use jiff::Timestamp;
use reqwest::Url;
use serde_json::{json, Value};
use simrenew_app::payments::providers::{
    CreatePayment, PaymentProvider, ProviderError, ProviderEvent, ProviderState, SaveMethod,
    SavedToken, WebhookError,
};
use simrenew_domain::ids::ProviderPaymentId;
use simrenew_domain::money::{Currency, Money};
use simrenew_domain::order::{PaymentMethod, ProviderName, ProviderPayment, ProviderPaymentStatus};
use simrenew_domain::provider_ids::{
    PaypalCaptureId, PaypalCustomerId, PaypalOrderId, PaypalRefundId, PaypalVaultTokenId,
    SavableToken,
};
use simrenew_domain::ParseError;
use tokio::sync::Mutex;

use crate::http::{api_base, endpoint, Caller, RetryPolicy};
use crate::{cents_of, decimal, Secret};

#[derive(Debug, Clone)]
pub struct PaypalConfig {
    /// `https://api-m.paypal.com` in production.
    pub api_base: String,
    pub client_id: String,
    pub client_secret: Secret,
    /// The id PayPal gave the webhook subscription, needed to verify deliveries.
    pub webhook_id: String,
    pub retry: RetryPolicy,
}

pub struct PaypalProvider {
    config: PaypalConfig,
    base: Url,
    caller: Caller,
    token: Mutex<Option<(Secret, Instant)>>,
}

const P: ProviderName = ProviderName::Paypal;

fn protocol(detail: impl Into<String>) -> ProviderError {
    ProviderError::Protocol {
        provider: P,
        detail: detail.into(),
    }
}

/// An id (stored by us, or in PayPal's answer) parsed into its type; one not in PayPal's form
/// is refused without being sent anywhere (nor echoed into the logs).
fn id<T>(parsed: Result<T, ParseError>, what: &str) -> Result<T, ProviderError> {
    parsed.map_err(|e| protocol(format!("{what} {}", e.reason)))
}

/// The body of `POST /v2/checkout/orders` for a payment.
pub fn order_request(req: &CreatePayment) -> Result<Value, ProviderError> {
    if req.method != PaymentMethod::Paypal {
        return Err(protocol(format!("PayPal does not take {}", req.method)));
    }
    let mut body = json!({
        "intent": "CAPTURE",
        "purchase_units": [{
            "reference_id": req.order.to_string(),
            "custom_id": req.payment.to_string(),
            "description": req.description.chars().take(127).collect::<String>(),
            "amount": {
                "currency_code": req.amount.currency.as_str(),
                "value": decimal(req.amount.cents),
            },
        }],
    });
    if let Some(saved) = &req.saved {
        // A vaulted PayPal account: no approval, the order is captured at once.
        let vault = id(
            PaypalVaultTokenId::parse(&saved.token_ref),
            "the saved vault token",
        )?;
        body["payment_source"] = json!({"paypal": {"vault_id": vault.as_str()}});
    } else if let Some(url) = &req.return_url {
        body["payment_source"] = json!({
            "paypal": {
                "experience_context": {
                    "return_url": url,
                    "cancel_url": url,
                    "user_action": "PAY_NOW",
                    "shipping_preference": "NO_SHIPPING",
                },
            },
        });
    }
    Ok(body)
}

fn money_of(v: &Value) -> Option<Money> {
    let currency = Currency::parse(v["currency_code"].as_str()?).ok()?;
    Some(Money::new(cents_of(v["value"].as_str()?)?, currency))
}

/// Reads an order (the answer of create, get and capture).
pub fn order_state(v: &Value) -> Result<ProviderState, ProviderError> {
    let order = v["id"]
        .as_str()
        .ok_or_else(|| protocol("order without id"))?;
    let order = id(PaypalOrderId::parse(order), "the order's id")?;
    let unit = &v["purchase_units"][0];
    let capture = &unit["payments"]["captures"][0];
    let (status, amount) = match v["status"].as_str().unwrap_or_default() {
        "COMPLETED" => match capture["status"].as_str() {
            Some("COMPLETED") => (
                ProviderPaymentStatus::Captured,
                money_of(&capture["amount"]),
            ),
            Some("DECLINED" | "FAILED") => {
                (ProviderPaymentStatus::Failed, money_of(&capture["amount"]))
            }
            _ => (
                ProviderPaymentStatus::Processing,
                money_of(&capture["amount"]),
            ),
        },
        "APPROVED" => (ProviderPaymentStatus::Processing, money_of(&unit["amount"])),
        "CREATED" | "SAVED" | "PAYER_ACTION_REQUIRED" => (
            ProviderPaymentStatus::RequiresAction,
            money_of(&unit["amount"]),
        ),
        "VOIDED" => (ProviderPaymentStatus::Failed, money_of(&unit["amount"])),
        other => return Err(protocol(format!("unknown order status {other:?}"))),
    };
    let amount = amount.ok_or_else(|| protocol("order without a readable amount"))?;
    let approve = v["links"].as_array().and_then(|links| {
        links
            .iter()
            .find(|l| l["rel"] == "approve" || l["rel"] == "payer-action")
            .and_then(|l| l["href"].as_str())
            .map(str::to_owned)
    });
    let capture_ref = capture["id"]
        .as_str()
        .map(|c| id(PaypalCaptureId::parse(c), "the capture's id"))
        .transpose()?;
    Ok(ProviderState {
        provider_ref: order.to_string(),
        status,
        amount,
        next_action_url: (status == ProviderPaymentStatus::RequiresAction)
            .then_some(approve)
            .flatten(),
        capture_ref: capture_ref.map(|c| c.to_string()),
        our_payment: unit["custom_id"]
            .as_str()
            .and_then(|s| s.parse().ok())
            .map(ProviderPaymentId),
    })
}

impl PaypalProvider {
    pub fn new(config: PaypalConfig) -> Result<Self, ProviderError> {
        let caller = Caller::new(P, config.retry)?;
        let base = api_base(P, &config.api_base)?;
        Ok(Self {
            config,
            base,
            caller,
            token: Mutex::new(None),
        })
    }

    /// Paces this provider's calls from this process: at most `per_second` requests a second
    /// to PayPal, retries included, each waiting its turn.
    pub fn paced(mut self, per_second: std::num::NonZeroU32) -> Self {
        self.caller = self.caller.paced(per_second);
        self
    }

    /// An OAuth2 access token (client credentials), kept until shortly before it expires.
    async fn token(&self) -> Result<Secret, ProviderError> {
        let mut cached = self.token.lock().await;
        if let Some((token, until)) = cached.as_ref() {
            if Instant::now() < *until {
                return Ok(token.clone());
            }
        }
        let url = endpoint(&self.base, &["v1", "oauth2", "token"]);
        let v = self
            .caller
            .call("get access token", || {
                self.caller
                    .http
                    .post(url.clone())
                    .basic_auth(
                        &self.config.client_id,
                        Some(self.config.client_secret.expose()),
                    )
                    .form(&[("grant_type", "client_credentials")])
            })
            .await?;
        let token = Secret::new(
            v["access_token"]
                .as_str()
                .ok_or_else(|| protocol("token answer without access_token"))?,
        );
        let lifetime = v["expires_in"].as_u64().unwrap_or(0).saturating_sub(60);
        *cached = Some((
            token.clone(),
            Instant::now() + Duration::from_secs(lifetime),
        ));
        Ok(token)
    }

    async fn send(
        &self,
        operation: &str,
        method: reqwest::Method,
        path: &[&str],
        body: Option<&Value>,
        request_id: Option<&str>,
    ) -> Result<Value, ProviderError> {
        let token = self.token().await?;
        let url = endpoint(&self.base, path);
        self.caller
            .call(operation, || {
                let mut r = self
                    .caller
                    .http
                    .request(method.clone(), url.clone())
                    .bearer_auth(token.expose())
                    .header("Prefer", "return=representation");
                if let Some(id) = request_id {
                    r = r.header("PayPal-Request-Id", id);
                }
                if let Some(b) = body {
                    r = r.json(b);
                }
                r
            })
            .await
    }
}

#[async_trait]
impl PaymentProvider for PaypalProvider {
    fn name(&self) -> ProviderName {
        P
    }

    #[tracing::instrument(skip_all, fields(payment.id = %req.payment))]
    async fn create(&self, req: &CreatePayment) -> Result<ProviderState, ProviderError> {
        let body = order_request(req)?;
        let v = self
            .send(
                "create order",
                reqwest::Method::POST,
                &["v2", "checkout", "orders"],
                Some(&body),
                Some(&req.idempotency_key),
            )
            .await?;
        order_state(&v)
    }

    #[tracing::instrument(skip_all, fields(provider.reference = %provider_ref))]
    async fn complete(
        &self,
        provider_ref: &str,
        idempotency_key: &str,
    ) -> Result<ProviderState, ProviderError> {
        let order = id(PaypalOrderId::parse(provider_ref), "the order")?;
        let state = self.retrieve(order.as_str()).await?;
        if state.status != ProviderPaymentStatus::Processing || state.capture_ref.is_some() {
            return Ok(state);
        }
        let v = self
            .send(
                "capture order",
                reqwest::Method::POST,
                &["v2", "checkout", "orders", order.as_str(), "capture"],
                Some(&json!({})),
                Some(idempotency_key),
            )
            .await?;
        order_state(&v)
    }

    async fn retrieve(&self, provider_ref: &str) -> Result<ProviderState, ProviderError> {
        let order = id(PaypalOrderId::parse(provider_ref), "the order")?;
        let v = self
            .send(
                "get order",
                reqwest::Method::GET,
                &["v2", "checkout", "orders", order.as_str()],
                None,
                None,
            )
            .await?;
        order_state(&v)
    }

    #[tracing::instrument(skip_all, fields(payment.id = %payment.id))]
    async fn refund(
        &self,
        payment: &ProviderPayment,
        amount: Money,
        idempotency_key: &str,
    ) -> Result<String, ProviderError> {
        let capture = payment
            .capture_ref
            .as_deref()
            .ok_or_else(|| protocol("refund of a payment without a capture"))?;
        let capture = id(PaypalCaptureId::parse(capture), "the capture")?;
        let body = json!({
            "amount": {"value": decimal(amount.cents), "currency_code": amount.currency.as_str()},
            "custom_id": payment.id.to_string(),
        });
        let v = self
            .send(
                "refund capture",
                reqwest::Method::POST,
                &["v2", "payments", "captures", capture.as_str(), "refund"],
                Some(&body),
                Some(idempotency_key),
            )
            .await?;
        let refund = v["id"]
            .as_str()
            .ok_or_else(|| protocol("refund without id"))?;
        Ok(id(PaypalRefundId::parse(refund), "the refund's id")?.to_string())
    }

    #[tracing::instrument(skip_all, fields(line.id = %req.line))]
    async fn save_method(&self, req: &SaveMethod) -> Result<SavedToken, ProviderError> {
        let SavableToken::PaypalAccount(agreement) = &req.token else {
            return Err(protocol(format!("PayPal does not save {}", req.method())));
        };
        let mut body = json!({
            "payment_source": {"token": {"id": agreement.as_str(), "type": "BILLING_AGREEMENT"}},
        });
        if let Some(customer) = &req.customer_ref {
            let customer = id(PaypalCustomerId::parse(customer), "the line's customer")?;
            body["customer"] = json!({"id": customer.as_str()});
        }
        let v = self
            .send(
                "vault payment token",
                reqwest::Method::POST,
                &["v3", "vault", "payment-tokens"],
                Some(&body),
                Some(&req.idempotency_key),
            )
            .await?;
        let customer_ref = v["customer"]["id"]
            .as_str()
            .map(|c| id(PaypalCustomerId::parse(c), "the customer's id"))
            .transpose()?;
        let token_ref = v["id"]
            .as_str()
            .ok_or_else(|| protocol("payment token without id"))?;
        let token_ref = id(PaypalVaultTokenId::parse(token_ref), "the vault token's id")?;
        Ok(SavedToken {
            customer_ref: customer_ref.map(|c| c.to_string()),
            token_ref: token_ref.to_string(),
            label: "PayPal".into(),
        })
    }

    async fn forget_method(
        &self,
        token_ref: &str,
        idempotency_key: &str,
    ) -> Result<(), ProviderError> {
        let vault = id(
            PaypalVaultTokenId::parse(token_ref),
            "the saved vault token",
        )?;
        let token = self.token().await?;
        let url = endpoint(
            &self.base,
            &["v3", "vault", "payment-tokens", vault.as_str()],
        );
        self.caller
            .call_removal("delete vault payment token", || {
                self.caller
                    .http
                    .delete(url.clone())
                    .bearer_auth(token.expose())
                    .header("PayPal-Request-Id", idempotency_key)
            })
            .await
    }

    async fn verify_webhook(
        &self,
        headers: &[(String, String)],
        body: &[u8],
        _now: Timestamp,
    ) -> Result<ProviderEvent, WebhookError> {
        let header = |name: &str| {
            headers
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
                .ok_or_else(|| WebhookError::BadSignature(format!("no {name} header")))
        };
        let event: Value =
            serde_json::from_slice(body).map_err(|e| WebhookError::Malformed(e.to_string()))?;
        let request = json!({
            "auth_algo": header("paypal-auth-algo")?,
            "cert_url": header("paypal-cert-url")?,
            "transmission_id": header("paypal-transmission-id")?,
            "transmission_sig": header("paypal-transmission-sig")?,
            "transmission_time": header("paypal-transmission-time")?,
            "webhook_id": self.config.webhook_id,
            "webhook_event": event,
        });
        let v = self
            .send(
                "verify webhook signature",
                reqwest::Method::POST,
                &["v1", "notifications", "verify-webhook-signature"],
                Some(&request),
                None,
            )
            .await
            .map_err(|e| match e {
                // PayPal would not even look at it: as good as a bad signature.
                ProviderError::Refused { detail, .. } => WebhookError::BadSignature(detail),
                other => WebhookError::Provider(other),
            })?;
        if v["verification_status"] != "SUCCESS" {
            return Err(WebhookError::BadSignature(
                "PayPal did not verify the signature".into(),
            ));
        }
        parse_event(&event)
    }
}

/// Reads a verified event: `PAYMENT.CAPTURE.*` carries a capture (with the order id in
/// `supplementary_data`), `CHECKOUT.ORDER.*` an order; other types carry no payment.
pub fn parse_event(v: &Value) -> Result<ProviderEvent, WebhookError> {
    let id = v["id"]
        .as_str()
        .ok_or_else(|| WebhookError::Malformed("event without id".into()))?;
    let kind = v["event_type"].as_str().unwrap_or_default();
    let resource = &v["resource"];
    let payment = match kind {
        "PAYMENT.CAPTURE.COMPLETED" | "PAYMENT.CAPTURE.DECLINED" | "PAYMENT.CAPTURE.PENDING" => {
            let order = resource["supplementary_data"]["related_ids"]["order_id"]
                .as_str()
                .and_then(|o| PaypalOrderId::parse(o).ok())
                .ok_or_else(|| WebhookError::Malformed("capture without an order id".into()))?;
            let capture = resource["id"]
                .as_str()
                .map(|c| {
                    PaypalCaptureId::parse(c)
                        .map_err(|e| WebhookError::Malformed(format!("capture id {}", e.reason)))
                })
                .transpose()?;
            let amount = money_of(&resource["amount"])
                .ok_or_else(|| WebhookError::Malformed("capture without amount".into()))?;
            let status = match kind {
                "PAYMENT.CAPTURE.COMPLETED" => ProviderPaymentStatus::Captured,
                "PAYMENT.CAPTURE.DECLINED" => ProviderPaymentStatus::Failed,
                _ => ProviderPaymentStatus::Processing,
            };
            Some(ProviderState {
                provider_ref: order.to_string(),
                status,
                amount,
                next_action_url: None,
                capture_ref: capture.map(|c| c.to_string()),
                our_payment: resource["custom_id"]
                    .as_str()
                    .and_then(|s| s.parse().ok())
                    .map(ProviderPaymentId),
            })
        }
        "CHECKOUT.ORDER.APPROVED" | "CHECKOUT.ORDER.COMPLETED" => {
            Some(order_state(resource).map_err(|e| WebhookError::Malformed(e.to_string()))?)
        }
        _ => None,
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

    fn order(status: &str, capture: Option<&str>) -> Value {
        let mut o = json!({
            "id": "5O190127TN364715T", "status": status,
            "purchase_units": [{"custom_id": "12",
                "amount": {"currency_code": "EUR", "value": "10.00"}}],
            "links": [{"rel": "payer-action", "href": "https://paypal.example/checkoutnow?token=5O1"}],
        });
        if let Some(c) = capture {
            o["purchase_units"][0]["payments"] = json!({"captures": [{"id": "3C679366HH908993F",
                "status": c, "amount": {"currency_code": "EUR", "value": "10.00"}}]});
        }
        o
    }

    #[test]
    fn order_statuses_map_to_ours() {
        let s = order_state(&order("PAYER_ACTION_REQUIRED", None)).unwrap();
        assert_eq!(s.status, ProviderPaymentStatus::RequiresAction);
        assert_eq!(
            s.next_action_url.as_deref(),
            Some("https://paypal.example/checkoutnow?token=5O1")
        );
        assert_eq!(s.our_payment, Some(ProviderPaymentId(12)));
        let s = order_state(&order("APPROVED", None)).unwrap();
        assert_eq!(s.status, ProviderPaymentStatus::Processing);
        assert_eq!(s.next_action_url, None);
        let s = order_state(&order("COMPLETED", Some("COMPLETED"))).unwrap();
        assert_eq!(s.status, ProviderPaymentStatus::Captured);
        assert_eq!(s.amount, Money::eur(1000));
        assert_eq!(s.capture_ref.as_deref(), Some("3C679366HH908993F"));
        let s = order_state(&order("COMPLETED", Some("PENDING"))).unwrap();
        assert_eq!(s.status, ProviderPaymentStatus::Processing);
        let s = order_state(&order("COMPLETED", Some("DECLINED"))).unwrap();
        assert_eq!(s.status, ProviderPaymentStatus::Failed);
        assert!(order_state(&order("SOMETHING_NEW", None)).is_err());
        assert!(order_state(&json!({"status": "APPROVED"})).is_err());
    }

    #[test]
    fn ids_out_of_paypal_form_are_refused_in_answers_and_events() {
        let mut o = order("APPROVED", None);
        o["id"] = json!("5O1/../../v2/payments/captures/X/refund");
        assert!(matches!(
            order_state(&o),
            Err(ProviderError::Protocol { .. })
        ));
        let mut o = order("COMPLETED", Some("COMPLETED"));
        o["purchase_units"][0]["payments"]["captures"][0]["id"] = json!("CAP?x=1");
        assert!(order_state(&o).is_err());
        for (order_id, capture) in [("5O1#x", "CAP1"), ("5O1", "CAP 1"), ("5o1", "CAP1")] {
            let e = parse_event(&json!({
                "id": "WH-1", "event_type": "PAYMENT.CAPTURE.COMPLETED",
                "resource": {"id": capture, "amount": {"currency_code": "EUR", "value": "1.00"},
                    "supplementary_data": {"related_ids": {"order_id": order_id}}},
            }));
            assert!(e.is_err(), "{order_id} {capture}");
        }
    }

    #[test]
    fn capture_events_name_the_order_and_unknown_events_carry_nothing() {
        let e = parse_event(&json!({
            "id": "WH-1", "event_type": "PAYMENT.CAPTURE.COMPLETED",
            "resource": {"id": "CAP1", "custom_id": "12",
                "amount": {"currency_code": "EUR", "value": "10.00"},
                "supplementary_data": {"related_ids": {"order_id": "5O1"}}},
        }))
        .unwrap();
        let p = e.payment.unwrap();
        assert_eq!(
            (p.provider_ref.as_str(), p.status),
            ("5O1", ProviderPaymentStatus::Captured)
        );
        assert_eq!(p.capture_ref.as_deref(), Some("CAP1"));
        let e = parse_event(&json!({"id": "WH-2", "event_type": "BILLING.PLAN.CREATED",
            "resource": {}}))
        .unwrap();
        assert_eq!(e.payment, None);
        assert!(parse_event(&json!({"event_type": "X"})).is_err());
    }

    #[test]
    fn an_order_request_holds_the_amount_as_a_decimal_and_our_payment_id() {
        let req = CreatePayment {
            payment: ProviderPaymentId(12),
            order: simrenew_domain::ids::OrderId(7),
            idempotency_key: "simrenew-pay-12-create".into(),
            method: PaymentMethod::Paypal,
            amount: Money::eur(1234),
            description: "order 7".into(),
            return_url: Some("https://portal.example/r".into()),
            payment_method_token: None,
            saved: None,
        };
        let body = order_request(&req).unwrap();
        assert_eq!(body["intent"], "CAPTURE");
        assert_eq!(body["purchase_units"][0]["amount"]["value"], "12.34");
        assert_eq!(body["purchase_units"][0]["custom_id"], "12");
        assert_eq!(
            body["payment_source"]["paypal"]["experience_context"]["return_url"],
            "https://portal.example/r"
        );
        let card = CreatePayment {
            method: PaymentMethod::Card,
            ..req
        };
        assert!(order_request(&card).is_err());
    }
}
