//! The demo's card provider: simulated card payments with a 3-D Secure step on a local page
//! where the customer approves or declines. No money moves and no card is asked for.
//!
//! It exists for `simrenew demo` only, so that a newcomer can walk the whole card flow, a
//! declined payment included, without a provider account: [`DemoCardProvider::new`] refuses
//! any [`RunMode`] but [`RunMode::Demo`], and only the demo command builds it.

use std::collections::HashMap;
use std::sync::Mutex;

use async_trait::async_trait;
use jiff::Timestamp;
use simrenew_app::payments::demo_card::{CardChallenge, CardChallenges};
use simrenew_app::payments::providers::{
    CreatePayment, PaymentProvider, ProviderError, ProviderEvent, ProviderState, SaveMethod,
    SavedToken, WebhookError,
};
use simrenew_domain::money::Money;
use simrenew_domain::order::{PaymentMethod, ProviderName, ProviderPayment, ProviderPaymentStatus};

/// What the process was started as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunMode {
    /// `simrenew demo`: a demo database, nobody's money.
    Demo,
    /// Anything else (`serve`, the worker, admin commands).
    Production,
}

/// The demo card provider was asked for outside the demo.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the simulated card provider exists only in `simrenew demo`")]
pub struct NotInDemo;

struct Payment {
    amount: Money,
    description: String,
    return_url: Option<String>,
    payment: simrenew_domain::ids::ProviderPaymentId,
    answer: Option<bool>,
}

/// Simulated card payments, kept in memory (as a real provider keeps them at its end).
pub struct DemoCardProvider {
    /// Where the step page is served: `{step_base}/demo-card/{reference}`.
    step_base: String,
    payments: Mutex<HashMap<String, Payment>>,
}

/// The route of the 3-D Secure step page, under the demo's public address.
pub const STEP_PATH: &str = "/demo-card";

impl DemoCardProvider {
    /// The provider, its step page served under `public_url` (`http://localhost:8080`).
    pub fn new(mode: RunMode, public_url: &str) -> Result<Self, NotInDemo> {
        if mode != RunMode::Demo {
            return Err(NotInDemo);
        }
        Ok(Self {
            step_base: public_url.trim_end_matches('/').to_owned(),
            payments: Mutex::new(HashMap::new()),
        })
    }

    fn state(&self, reference: &str, p: &Payment) -> ProviderState {
        let status = match p.answer {
            None => ProviderPaymentStatus::RequiresAction,
            Some(true) => ProviderPaymentStatus::Captured,
            Some(false) => ProviderPaymentStatus::Failed,
        };
        ProviderState {
            provider_ref: reference.to_owned(),
            status,
            amount: p.amount,
            next_action_url: (p.answer.is_none())
                .then(|| format!("{}{STEP_PATH}/{reference}", self.step_base)),
            capture_ref: None,
            our_payment: Some(p.payment),
        }
    }

    fn with_payments<T>(&self, f: impl FnOnce(&mut HashMap<String, Payment>) -> T) -> T {
        let mut guard = match self.payments.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        f(&mut guard)
    }

    fn unknown(reference: &str) -> ProviderError {
        ProviderError::Refused {
            provider: ProviderName::Demo,
            detail: format!("no simulated payment {reference} (the demo was restarted?)"),
        }
    }
}

#[async_trait]
impl PaymentProvider for DemoCardProvider {
    fn name(&self) -> ProviderName {
        ProviderName::Demo
    }

    async fn create(&self, req: &CreatePayment) -> Result<ProviderState, ProviderError> {
        if req.method != PaymentMethod::Card || req.saved.is_some() {
            return Err(ProviderError::Refused {
                provider: ProviderName::Demo,
                detail: "the demo simulates card payments by the customer only".into(),
            });
        }
        // The idempotency key names the attempt: a retry finds the payment made the first
        // time.
        let reference = format!("demo_{}", req.idempotency_key.trim_end_matches("-create"));
        Ok(self.with_payments(|payments| {
            let p = payments
                .entry(reference.clone())
                .or_insert_with(|| Payment {
                    amount: req.amount,
                    description: req.description.clone(),
                    return_url: req.return_url.clone(),
                    payment: req.payment,
                    answer: None,
                });
            self.state(&reference, p)
        }))
    }

    async fn complete(
        &self,
        provider_ref: &str,
        _idempotency_key: &str,
    ) -> Result<ProviderState, ProviderError> {
        self.retrieve(provider_ref).await
    }

    async fn retrieve(&self, provider_ref: &str) -> Result<ProviderState, ProviderError> {
        self.with_payments(|payments| {
            payments
                .get(provider_ref)
                .map(|p| self.state(provider_ref, p))
                .ok_or_else(|| Self::unknown(provider_ref))
        })
    }

    async fn refund(
        &self,
        payment: &ProviderPayment,
        _amount: Money,
        idempotency_key: &str,
    ) -> Result<String, ProviderError> {
        let reference = payment.provider_ref.as_deref().unwrap_or_default();
        self.with_payments(|payments| match payments.get(reference) {
            Some(p) if p.answer == Some(true) => Ok(format!("demo_refund_{idempotency_key}")),
            Some(_) => Err(ProviderError::Refused {
                provider: ProviderName::Demo,
                detail: "only an approved payment can be refunded".into(),
            }),
            None => Err(Self::unknown(reference)),
        })
    }

    async fn save_method(&self, _req: &SaveMethod) -> Result<SavedToken, ProviderError> {
        Err(ProviderError::Refused {
            provider: ProviderName::Demo,
            detail: "the demo keeps no cards".into(),
        })
    }

    async fn forget_method(&self, _token_ref: &str, _key: &str) -> Result<(), ProviderError> {
        Ok(())
    }

    async fn verify_webhook(
        &self,
        _headers: &[(String, String)],
        _body: &[u8],
        _now: Timestamp,
    ) -> Result<ProviderEvent, WebhookError> {
        Err(WebhookError::BadSignature(
            "the demo card provider sends no webhooks".into(),
        ))
    }
}

impl CardChallenges for DemoCardProvider {
    fn challenge(&self, reference: &str) -> Option<CardChallenge> {
        self.with_payments(|payments| {
            payments.get(reference).map(|p| CardChallenge {
                reference: reference.to_owned(),
                amount: p.amount,
                description: p.description.clone(),
                return_url: p.return_url.clone(),
                answer: p.answer,
            })
        })
    }

    fn answer(&self, reference: &str, approve: bool) -> Option<CardChallenge> {
        self.with_payments(|payments| {
            let p = payments.get_mut(reference)?;
            if p.answer.is_none() {
                p.answer = Some(approve);
            }
            Some(CardChallenge {
                reference: reference.to_owned(),
                amount: p.amount,
                description: p.description.clone(),
                return_url: p.return_url.clone(),
                answer: p.answer,
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use simrenew_domain::ids::{OrderId, ProviderPaymentId};

    fn request() -> CreatePayment {
        CreatePayment {
            payment: ProviderPaymentId(7),
            order: OrderId(3),
            idempotency_key: "simrenew-pay-7-create".into(),
            method: PaymentMethod::Card,
            amount: Money::eur(1000),
            description: "order 3 LUMO-5GB-30D".into(),
            return_url: Some("http://localhost:8080/en/orders/3/return".into()),
            payment_method_token: None,
            saved: None,
        }
    }

    #[test]
    fn it_is_refused_outside_the_demo() {
        assert_eq!(
            DemoCardProvider::new(RunMode::Production, "http://localhost:8080").err(),
            Some(NotInDemo)
        );
        assert!(DemoCardProvider::new(RunMode::Demo, "http://localhost:8080").is_ok());
    }

    #[tokio::test]
    async fn the_customer_approves_or_declines_on_the_step_page() {
        let demo = DemoCardProvider::new(RunMode::Demo, "http://localhost:8080/").unwrap();
        let created = demo.create(&request()).await.unwrap();
        assert_eq!(created.status, ProviderPaymentStatus::RequiresAction);
        let reference = created.provider_ref.clone();
        assert_eq!(
            created.next_action_url.as_deref(),
            Some(format!("http://localhost:8080/demo-card/{reference}").as_str())
        );
        // A retry of the create finds the same payment.
        assert_eq!(demo.create(&request()).await.unwrap(), created);
        // Not answered yet: still waiting.
        let waiting = demo.complete(&reference, "k").await.unwrap();
        assert_eq!(waiting.status, ProviderPaymentStatus::RequiresAction);

        let answered = demo.answer(&reference, false).unwrap();
        assert_eq!(answered.answer, Some(false));
        // The first answer counts.
        assert_eq!(demo.answer(&reference, true).unwrap().answer, Some(false));
        let declined = demo.complete(&reference, "k").await.unwrap();
        assert_eq!(declined.status, ProviderPaymentStatus::Failed);
        assert!(declined.next_action_url.is_none());

        let mut second = request();
        second.payment = ProviderPaymentId(8);
        second.idempotency_key = "simrenew-pay-8-create".into();
        let r = demo.create(&second).await.unwrap().provider_ref;
        demo.answer(&r, true);
        let captured = demo.retrieve(&r).await.unwrap();
        assert_eq!(captured.status, ProviderPaymentStatus::Captured);
        assert_eq!(captured.amount, Money::eur(1000));
        assert_eq!(captured.our_payment, Some(ProviderPaymentId(8)));
    }

    #[tokio::test]
    async fn only_card_payments_by_the_customer_are_simulated() {
        let demo = DemoCardProvider::new(RunMode::Demo, "http://localhost:8080").unwrap();
        let mut paypal = request();
        paypal.method = PaymentMethod::Paypal;
        assert!(matches!(
            demo.create(&paypal).await,
            Err(ProviderError::Refused { .. })
        ));
        assert!(demo.retrieve("demo_unknown").await.is_err());
    }
}
