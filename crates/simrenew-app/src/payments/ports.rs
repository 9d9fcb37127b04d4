//! The payment ports: what the payment use cases read and write beside the sales ports —
//! provider payments, webhook events, refunds, saved methods, and the line's bundles and expiry
//! as a refund reshapes them.

use async_trait::async_trait;
use jiff::Timestamp;
use simrenew_domain::bundle::Bundle;
use simrenew_domain::ids::{
    BrandId, BundleId, LineId, OrderId, ProviderPaymentId, SavedPaymentMethodId, StoreId,
};
use simrenew_domain::money::Money;
use simrenew_domain::order::{
    OrderState, PaymentMethod, ProviderName, ProviderPayment, ProviderPaymentStatus,
    SavedPaymentMethod,
};

use super::providers::SavedToken;
use crate::StoreResult;

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
    /// Who asked for it (a principal's label).
    pub requested_by: String,
}

/// The payment writes of one transaction (a supertrait of [`crate::Tx`]).
#[async_trait]
pub trait PaymentTx: crate::sales::ports::SalesTx + Send {
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
    /// Marks a saved method removed; false when it was removed already.
    async fn remove_saved_method(
        &mut self,
        id: SavedPaymentMethodId,
        now: Timestamp,
    ) -> StoreResult<bool>;
}

/// The payment reads outside a transaction (a supertrait of [`crate::Store`]).
#[async_trait]
pub trait PaymentStore: Send + Sync {
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
