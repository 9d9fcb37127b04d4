//! Payment providers (Stripe, PayPal) behind one port, and the storage the payment use cases
//! need beside the renewal's.
//!
//! An adapter speaks its provider's HTTP API; the use cases in [`crate::checkout`] decide. What
//! crosses this port is references and states, never a card number, CVC or IBAN.

use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;
use jiff::Timestamp;
use simrenew_domain::bundle::Bundle;
use simrenew_domain::ids::{
    BrandId, BundleId, LineId, OrderId, ProviderPaymentId, SavedPaymentMethodId, StoreId,
};
use simrenew_domain::money::Money;
use simrenew_domain::order::{
    OrderState, PaymentMethod, PaymentMethodPolicy, ProviderName, ProviderPayment,
    ProviderPaymentStatus, SavedPaymentMethod,
};

use crate::StoreResult;

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
    /// A provider token for the payment method (Stripe `pm_...` from Stripe.js, or a saved
    /// one); never card data.
    pub payment_method_token: Option<String>,
    /// A saved payment method to charge instead (automatic renewal, the customer away).
    pub saved: Option<SavedRef>,
}

/// The provider references of a saved payment method.
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
    pub method: PaymentMethod,
    /// The line's customer at the provider, if one exists already.
    pub customer_ref: Option<String>,
    pub token: String,
    pub idempotency_key: String,
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

#[derive(Debug, thiserror::Error)]
pub enum ProviderError {
    /// Not answering, timing out or failing (5xx) even after retries; the call may or may not
    /// have taken effect, and repeating it with the same idempotency key is safe.
    #[error("{provider} is unavailable: {detail}")]
    Unavailable {
        provider: ProviderName,
        detail: String,
    },
    /// The provider refused the request (declined card, invalid state).
    #[error("{provider} refused: {detail}")]
    Refused {
        provider: ProviderName,
        detail: String,
    },
    /// The provider answered something this adapter cannot read.
    #[error("{provider} answered unexpectedly: {detail}")]
    Protocol {
        provider: ProviderName,
        detail: String,
    },
    #[error("{provider} payments are not configured")]
    NotConfigured { provider: ProviderName },
}

#[derive(Debug, thiserror::Error)]
pub enum WebhookError {
    /// Missing or wrong signature, or a timestamp outside the tolerance.
    #[error("webhook signature rejected: {0}")]
    BadSignature(String),
    #[error("webhook body not understood: {0}")]
    Malformed(String),
    #[error(transparent)]
    Provider(#[from] ProviderError),
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

/// A provider payment about to be recorded.
#[derive(Debug, Clone)]
pub struct NewProviderPayment {
    pub brand: BrandId,
    pub order: OrderId,
    pub provider: ProviderName,
    pub method: PaymentMethod,
    pub amount: Money,
    pub status: ProviderPaymentStatus,
    pub provider_ref: Option<String>,
    pub store_code: Option<String>,
}

/// What a provider said about a payment, to record.
#[derive(Debug, Clone)]
pub struct ProviderPaymentUpdate {
    pub status: ProviderPaymentStatus,
    pub provider_ref: Option<String>,
    pub next_action_url: Option<String>,
    pub capture_ref: Option<String>,
}

/// A refund about to be recorded.
#[derive(Debug, Clone)]
pub struct NewRefund {
    pub brand: BrandId,
    pub payment: ProviderPaymentId,
    pub order: OrderId,
    pub amount: Money,
    pub reason: String,
}

/// The payment writes of one transaction (a supertrait of [`crate::ports::Tx`]).
#[async_trait]
pub trait PaymentTx: Send {
    /// Inserts the payment; its idempotency key is derived from the id it gets.
    async fn insert_provider_payment(
        &mut self,
        new: &NewProviderPayment,
        now: Timestamp,
    ) -> StoreResult<ProviderPayment>;
    /// The payment, locked until commit.
    async fn lock_provider_payment(
        &mut self,
        id: ProviderPaymentId,
    ) -> StoreResult<Option<ProviderPayment>>;
    async fn update_provider_payment(
        &mut self,
        id: ProviderPaymentId,
        update: &ProviderPaymentUpdate,
        now: Timestamp,
    ) -> StoreResult<()>;
    /// Records that this payment paid its order's renewal.
    async fn mark_applied(&mut self, id: ProviderPaymentId) -> StoreResult<()>;
    async fn set_order_state(&mut self, order: OrderId, state: OrderState) -> StoreResult<()>;
    /// Records a handled webhook event; false when it was recorded before.
    async fn record_webhook_event(
        &mut self,
        provider: ProviderName,
        event_id: &str,
        event_type: &str,
        now: Timestamp,
    ) -> StoreResult<bool>;
    /// Inserts a refund (status `pending`) and returns its id and idempotency key.
    async fn insert_refund(
        &mut self,
        new: &NewRefund,
        now: Timestamp,
    ) -> StoreResult<(i64, String)>;
    async fn finish_refund(
        &mut self,
        id: i64,
        provider_ref: Option<&str>,
        status: &str,
    ) -> StoreResult<()>;
    /// Adds `amount` (negative to release) to what is refunded of the payment, and sets its
    /// status.
    async fn add_refunded(
        &mut self,
        payment: ProviderPaymentId,
        amount: Money,
        status: ProviderPaymentStatus,
    ) -> StoreResult<()>;
    /// A pending refund of this payment and amount (a retry after the provider did not
    /// answer): its id and idempotency key.
    async fn pending_refund(
        &mut self,
        payment: ProviderPaymentId,
        amount: Money,
    ) -> StoreResult<Option<(i64, String)>>;
    /// The line's bundles not ended at `now`, in start order.
    async fn line_bundles(&mut self, line: LineId, now: Timestamp) -> StoreResult<Vec<Bundle>>;
    /// Moves a bundle to a new window, or deletes it (`None`).
    async fn reshape_bundle(
        &mut self,
        id: BundleId,
        window: Option<(Timestamp, Timestamp)>,
    ) -> StoreResult<()>;
    /// A bundle's smaller data allowance after a refund.
    async fn set_bundle_allowance(
        &mut self,
        id: BundleId,
        data: simrenew_domain::catalog::DataAllowance,
    ) -> StoreResult<()>;
    async fn set_line_expiry(
        &mut self,
        line: LineId,
        expires_at: Option<Timestamp>,
        grace_until: Option<Timestamp>,
    ) -> StoreResult<()>;
    /// A payment row (negative for a refund) beside the order's settlement, so that an
    /// order's payments add up to what was kept.
    async fn insert_payment_row(
        &mut self,
        brand: BrandId,
        order: OrderId,
        line: LineId,
        method: PaymentMethod,
        amount: Money,
        now: Timestamp,
    ) -> StoreResult<()>;
    async fn insert_outbox(
        &mut self,
        brand: BrandId,
        line: LineId,
        topic: &str,
        payload: &str,
        now: Timestamp,
    ) -> StoreResult<()>;
    /// Records a saved method, or returns the one already saved with this token.
    async fn insert_saved_method(
        &mut self,
        brand: BrandId,
        line: LineId,
        provider: ProviderName,
        method: PaymentMethod,
        token: &SavedToken,
        now: Timestamp,
    ) -> StoreResult<SavedPaymentMethod>;
    async fn remove_saved_method(
        &mut self,
        id: SavedPaymentMethodId,
        now: Timestamp,
    ) -> StoreResult<()>;
}

/// The payment reads outside a transaction (a supertrait of [`crate::ports::Store`]).
#[async_trait]
pub trait PaymentReads: Send + Sync {
    async fn provider_payment(&self, id: ProviderPaymentId)
        -> StoreResult<Option<ProviderPayment>>;
    async fn provider_payment_by_ref(
        &self,
        provider: ProviderName,
        provider_ref: &str,
    ) -> StoreResult<Option<ProviderPayment>>;
    async fn provider_payments_of_order(&self, order: OrderId)
        -> StoreResult<Vec<ProviderPayment>>;
    /// Payments created in `[from, to)`, in id order.
    async fn provider_payments_created(
        &self,
        from: Timestamp,
        to: Timestamp,
    ) -> StoreResult<Vec<ProviderPayment>>;
    async fn webhook_event_seen(&self, provider: ProviderName, event_id: &str)
        -> StoreResult<bool>;
    async fn saved_method(
        &self,
        id: SavedPaymentMethodId,
    ) -> StoreResult<Option<SavedPaymentMethod>>;
    /// The brand's store with this code.
    async fn store_id(&self, brand: BrandId, code: &str) -> StoreResult<Option<StoreId>>;
    /// The line's saved methods not removed, oldest first.
    async fn saved_methods_of_line(&self, line: LineId) -> StoreResult<Vec<SavedPaymentMethod>>;
}
