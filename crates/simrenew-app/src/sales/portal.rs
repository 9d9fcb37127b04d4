//! What the subscriber portal and the store counter console read beside the API's use cases:
//! a subscriber's order history, the brand's stores for the store finder, a quote to show, a
//! line found by its SIM card, the identification on record, a brand's look, and the payment
//! methods that can be taken now.

use async_trait::async_trait;
use jiff::Timestamp;
use simrenew_domain::brand::Brand;
use simrenew_domain::brand_look::BrandLook;
use simrenew_domain::catalog::Channel;
use simrenew_domain::identifiers::{Iccid, Msisdn};
use simrenew_domain::ids::{BrandId, LineId, OrderId, QuoteId, StoreId, SubscriberId};
use simrenew_domain::money::Money;
use simrenew_domain::order::{OrderState, PaymentMethod, ProviderName, StoredQuote};

use crate::{App, AppError, AppResult, StoreResult};

/// A point of sale, as the store finder and the counter show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreInfo {
    pub id: StoreId,
    pub brand_id: BrandId,
    pub code: String,
    pub name: String,
    pub address: String,
    pub opening_hours: String,
    /// `sells_sims`, `activates_esims`, `identifies`, `renews_cash`, `renews_card_terminal`,
    /// `checks_devices`.
    pub capabilities: Vec<String>,
}

impl StoreInfo {
    pub fn can(&self, capability: &str) -> bool {
        self.capabilities.iter().any(|c| c == capability)
    }
}

/// One order in a subscriber's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderSummary {
    pub id: OrderId,
    pub msisdn: Msisdn,
    pub plan_code: String,
    pub periods: u32,
    pub free_periods: u32,
    pub state: OrderState,
    pub total: Money,
    pub created_at: Timestamp,
    pub paid_at: Option<Timestamp>,
    /// How it was paid, once paid.
    pub method: Option<PaymentMethod>,
}

/// How a line's subscriber was identified, without the document's hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdentificationRecord {
    /// `eid`, `itsme`, `bank_payment` or `passport_at_store`.
    pub method: String,
    /// Who checked it (`staff:3`, a provider's reference).
    pub verifier: String,
    pub verified_at: Timestamp,
}

/// A provider payment of an order, as a receipt or a payment page shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderPaymentInfo {
    pub method: PaymentMethod,
    pub provider: ProviderName,
    pub status: simrenew_domain::order::ProviderPaymentStatus,
    /// The store where it was paid, for cash and card terminal.
    pub store: Option<StoreInfo>,
}

/// The reads of the portal and the counter (a supertrait of [`crate::ports::Store`]).
#[async_trait]
pub trait PortalReads: Send + Sync {
    /// The brand's stores, by name.
    async fn stores_of_brand(&self, brand: BrandId) -> StoreResult<Vec<StoreInfo>>;
    async fn store_info(&self, id: StoreId) -> StoreResult<Option<StoreInfo>>;
    async fn store_by_code(&self, brand: BrandId, code: &str) -> StoreResult<Option<StoreInfo>>;
    /// The newest `limit` orders of the subscriber's lines, newest first.
    async fn orders_of_subscriber(
        &self,
        subscriber: SubscriberId,
        limit: u32,
    ) -> StoreResult<Vec<OrderSummary>>;
    async fn stored_quote(&self, id: QuoteId) -> StoreResult<Option<StoredQuote>>;
    /// The number of the line whose SIM card this is.
    async fn msisdn_by_iccid(&self, iccid: &Iccid) -> StoreResult<Option<Msisdn>>;
    /// The line's identifications, newest first.
    async fn identifications_of_line(&self, line: LineId)
        -> StoreResult<Vec<IdentificationRecord>>;
    async fn brand_look(&self, brand: BrandId) -> StoreResult<Option<BrandLook>>;
    /// The subscriber's name (none once erased) and the numbers of their lines (at most
    /// `limit`, oldest first), in one statement.
    async fn subscriber_holdings(
        &self,
        subscriber: SubscriberId,
        limit: u32,
    ) -> StoreResult<Holdings>;
    /// Whether a renewal of the line is still syncing with the network.
    async fn line_syncing(&self, line: LineId) -> StoreResult<bool>;
}

/// A subscriber's name (none once erased) and the numbers of their lines, oldest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Holdings {
    pub name: Option<String>,
    pub lines: Vec<Msisdn>,
}

/// How many orders the history shows.
pub const HISTORY_LENGTH: u32 = 50;

impl App {
    /// The payment methods `brand` offers on `channel` that can be taken now: offered by its
    /// configuration, and with the provider that takes them installed (credit and vouchers
    /// need none; cash and card terminal are taken at a store only).
    pub fn methods_available(&self, brand: &Brand, channel: Channel) -> Vec<PaymentMethod> {
        self.payment_methods(brand, channel)
            .into_iter()
            .filter(|m| match self.provider_of(*m) {
                None => true,
                Some(ProviderName::Store) => channel == Channel::Store,
                Some(p) => self.providers.get().is_some_and(|ps| ps.has(p)),
            })
            .collect()
    }

    /// The stores of a brand that can do all of `capabilities`.
    pub async fn store_finder(
        &self,
        brand: BrandId,
        capabilities: &[&str],
    ) -> AppResult<Vec<StoreInfo>> {
        Ok(self
            .store
            .stores_of_brand(brand)
            .await?
            .into_iter()
            .filter(|s| capabilities.iter().all(|c| s.can(c)))
            .collect())
    }

    /// A subscriber's orders, newest first.
    pub async fn order_history(&self, subscriber: SubscriberId) -> AppResult<Vec<OrderSummary>> {
        Ok(self
            .store
            .orders_of_subscriber(subscriber, HISTORY_LENGTH)
            .await?)
    }

    /// A quote made earlier, with its line's number.
    pub async fn stored_quote(&self, id: QuoteId) -> AppResult<(StoredQuote, Msisdn)> {
        let quote = self
            .store
            .stored_quote(id)
            .await?
            .ok_or(AppError::not_found("quote", "quote_id"))?;
        let (msisdn, _) = self
            .store
            .quote_target(id)
            .await?
            .ok_or(AppError::not_found("quote", "quote_id"))?;
        Ok((quote, msisdn))
    }

    /// The line a SIM card belongs to.
    pub async fn line_by_iccid(&self, iccid: &Iccid) -> AppResult<Msisdn> {
        self.store
            .msisdn_by_iccid(iccid)
            .await?
            .ok_or(AppError::not_found("line", "iccid"))
    }

    /// The provider payments of an order, with the store of those taken at one.
    pub async fn order_payments(
        &self,
        order: OrderId,
        brand: BrandId,
    ) -> AppResult<Vec<OrderPaymentInfo>> {
        let mut out = vec![];
        for p in self.store.provider_payments_of_order(order).await? {
            let store = match &p.store_code {
                Some(code) => self.store.store_by_code(brand, code).await?,
                None => None,
            };
            out.push(OrderPaymentInfo {
                method: p.method,
                provider: p.provider,
                status: p.status,
                store,
            });
        }
        Ok(out)
    }

    /// The origin the portal is served from (`SIMRENEW_PUBLIC_URL`), where payment providers
    /// send customers back to; `None` when it is not configured.
    pub fn public_origin(&self) -> Option<String> {
        self.relying_party
            .as_ref()
            .map(|rp| rp.origin().as_str().trim_end_matches('/').to_owned())
    }

    /// The brand's look, or the plain one when it has set none.
    pub async fn brand_look(&self, brand: BrandId) -> AppResult<BrandLook> {
        Ok(self
            .store
            .brand_look(brand)
            .await?
            .unwrap_or_else(BrandLook::plain))
    }
}
