//! Payment providers (Stripe, PayPal) behind one port.
//!
//! An adapter speaks its provider's HTTP API; the use cases in [`super::checkout`] decide. What
//! crosses this port is references and states, never a card number, CVC or IBAN.

use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;
use jiff::Timestamp;
use simrenew_domain::ids::{LineId, OrderId, ProviderPaymentId};
use simrenew_domain::money::Money;
use simrenew_domain::order::{
    PaymentMethod, PaymentMethodPolicy, ProviderName, ProviderPayment, ProviderPaymentStatus,
};
use simrenew_domain::provider_ids::{SavableToken, StripePaymentMethodId};

/// The provider's failures; defined with [`crate::AppError`], which wraps them.
pub use crate::error::{ProviderError, WebhookError};

/// What a provider is asked to create.
#[derive(Clone, PartialEq, Eq)]
pub struct CreatePayment {
    /// Our payment id: adapters put it in the provider's metadata so that a webhook can find
    /// the payment even when the create answer was lost.
    pub payment: ProviderPaymentId,
    pub order: OrderId,
    /// Derived from our payment id; every call about this payment carries it (with a
    /// per-operation suffix).
    pub idempotency_key: String,
    pub method: PaymentMethod,
    pub amount: Money,
    pub description: String,
    /// Where the provider sends the customer back after 3-D Secure, the bank or PayPal.
    pub return_url: Option<String>,
    /// The Stripe.js payment method to charge (`pm_...`); never card data.
    pub payment_method_token: Option<StripePaymentMethodId>,
    /// A saved payment method to charge instead (automatic renewal, the customer away).
    pub saved: Option<SavedRef>,
}

/// The provider references of a saved payment method, as stored; the adapter checks them
/// against the provider's forms before it uses them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedRef {
    pub customer_ref: Option<String>,
    pub token_ref: String,
}

/// What a provider is asked to save for later: the token the portal got from the provider's
/// own page (Stripe.js `pm_...`, a PayPal billing agreement id).
#[derive(Clone, PartialEq, Eq)]
pub struct SaveMethod {
    pub line: LineId,
    /// The line's customer at the provider, if one exists already.
    pub customer_ref: Option<String>,
    pub token: SavableToken,
    pub idempotency_key: String,
}

impl SaveMethod {
    /// What is saved: `card` for a Stripe payment method, `paypal` for a billing agreement.
    pub fn method(&self) -> PaymentMethod {
        match self.token {
            SavableToken::StripeCard(_) => PaymentMethod::Card,
            SavableToken::PaypalAccount(_) => PaymentMethod::Paypal,
        }
    }
}

/// What a provider saved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedToken {
    pub customer_ref: Option<String>,
    pub token_ref: String,
    pub label: String,
}

impl std::fmt::Debug for CreatePayment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CreatePayment")
            .field("payment", &self.payment)
            .field("order", &self.order)
            .field("method", &self.method)
            .field("amount", &self.amount)
            .finish_non_exhaustive()
    }
}

/// Where a payment stands at the provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderState {
    /// PaymentIntent id, PayPal order id.
    pub provider_ref: String,
    pub status: ProviderPaymentStatus,
    /// The amount the provider holds (captured, when captured).
    pub amount: Money,
    /// Where the customer must go next: 3-D Secure / bank redirect, PayPal approve link.
    pub next_action_url: Option<String>,
    /// PayPal's capture id, needed for refunds.
    pub capture_ref: Option<String>,
    /// Our payment id as the provider recorded it in its metadata.
    pub our_payment: Option<ProviderPaymentId>,
}

/// A verified webhook event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderEvent {
    pub id: String,
    pub kind: String,
    /// The payment's state when the event is about a payment this code understands;
    /// `None` for event types it does not act on.
    pub payment: Option<ProviderState>,
}

/// One payment provider's API.
#[async_trait]
pub trait PaymentProvider: Send + Sync {
    fn name(&self) -> ProviderName;
    /// Creates (and, where the method allows, confirms) a payment.
    async fn create(&self, req: &CreatePayment) -> Result<ProviderState, ProviderError>;
    /// Finishes a payment the customer has approved: Stripe confirms the PaymentIntent if it
    /// still needs it, PayPal captures the order. Returns the resulting state.
    async fn complete(
        &self,
        provider_ref: &str,
        idempotency_key: &str,
    ) -> Result<ProviderState, ProviderError>;
    async fn retrieve(&self, provider_ref: &str) -> Result<ProviderState, ProviderError>;
    /// Refunds `amount` of a captured payment; returns the provider's refund id.
    async fn refund(
        &self,
        payment: &ProviderPayment,
        amount: Money,
        idempotency_key: &str,
    ) -> Result<String, ProviderError>;
    /// Saves a payment method for later charges without the customer.
    async fn save_method(&self, req: &SaveMethod) -> Result<SavedToken, ProviderError>;
    /// Removes a saved method at the provider (Stripe detaches it from the customer, PayPal
    /// deletes the vault token) so that it can never be charged again; one the provider no
    /// longer knows counts as removed.
    async fn forget_method(
        &self,
        token_ref: &str,
        idempotency_key: &str,
    ) -> Result<(), ProviderError>;
    /// Verifies a webhook delivery (`headers` with lower-case names) and reads it.
    async fn verify_webhook(
        &self,
        headers: &[(String, String)],
        body: &[u8],
        now: Timestamp,
    ) -> Result<ProviderEvent, WebhookError>;
}

/// The configured providers, by name, and which payment methods each brand offers on each
/// channel.
#[derive(Clone, Default)]
pub struct Providers {
    by_name: HashMap<ProviderName, Arc<dyn PaymentProvider>>,
    /// Methods taken by another provider than their usual one ([`PaymentMethod::provider`]).
    routes: HashMap<PaymentMethod, ProviderName>,
    pub policy: PaymentMethodPolicy,
}

impl Providers {
    pub fn with(mut self, provider: Arc<dyn PaymentProvider>) -> Self {
        self.by_name.insert(provider.name(), provider);
        self
    }

    /// Takes `method` through `provider` instead of its usual one (the demo's card payments).
    pub fn route(mut self, method: PaymentMethod, provider: ProviderName) -> Self {
        self.routes.insert(method, provider);
        self
    }

    /// The provider that takes `method`; `None` for credit and vouchers.
    pub fn provider_of(&self, method: PaymentMethod) -> Option<ProviderName> {
        self.routes
            .get(&method)
            .copied()
            .or_else(|| method.provider())
    }

    /// Whether a provider of this name is installed.
    pub fn has(&self, name: ProviderName) -> bool {
        self.by_name.contains_key(&name)
    }

    pub fn with_policy(mut self, policy: PaymentMethodPolicy) -> Self {
        self.policy = policy;
        self
    }

    pub fn get(&self, name: ProviderName) -> Result<&Arc<dyn PaymentProvider>, ProviderError> {
        self.by_name
            .get(&name)
            .ok_or(ProviderError::NotConfigured { provider: name })
    }
}
