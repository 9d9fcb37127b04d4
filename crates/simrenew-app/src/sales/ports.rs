//! The sales ports: the reads ([`SalesStore`]) and writes ([`SalesTx`]) of brands, catalogs,
//! lines, quotes, orders, renewals and vouchers, and the values that cross them.

use async_trait::async_trait;
use jiff::Timestamp;
use simrenew_domain::brand::Brand;
use simrenew_domain::bundle::Bundle;
use simrenew_domain::catalog::{version_in_force, CatalogVersion, Channel, LineKind, Plan};
use simrenew_domain::identifiers::Msisdn;
use simrenew_domain::ids::*;
use simrenew_domain::line::{Line, LineIdentity, LineState};
use simrenew_domain::money::Money;
use simrenew_domain::order::{LedgerReason, Order, Payment, StoredQuote};
use simrenew_domain::promotion::{Promotion, PromotionUsage};
use simrenew_domain::quote::Quote;
use simrenew_domain::voucher::{Voucher, VoucherValue};

use super::payment::Settlement;
use crate::StoreResult;

/// Which plans to list.
#[derive(Debug, Clone, Default)]
pub struct PlanFilter {
    pub brand: Option<BrandId>,
    pub kind: Option<LineKind>,
    pub channel: Option<Channel>,
}

/// Which lines to list, one page at a time, in id order.
#[derive(Debug, Clone)]
pub struct LineFilter {
    pub brand: Option<BrandId>,
    /// Only this subscriber's lines.
    pub subscriber: Option<SubscriberId>,
    pub kind: Option<LineKind>,
    /// The state at `now` (expiry moves lines to grace and lapsed by itself).
    pub state: Option<LineState>,
    pub after: Option<LineId>,
    pub limit: u32,
}

/// A line with what is shown with it.
#[derive(Debug, Clone)]
pub struct LineDetails {
    pub line: Line,
    pub brand: Brand,
    /// Bundles not yet ended at the time of reading, in start order.
    pub bundles: Vec<Bundle>,
}

/// An order with its line's number, its payments and the bundles it granted.
#[derive(Debug, Clone)]
pub struct OrderDetails {
    pub order: Order,
    pub msisdn: Msisdn,
    pub payments: Vec<Payment>,
    pub bundles: Vec<Bundle>,
}

/// A brand's catalog versions, their plans and its promotions. Catalog versions are immutable
/// once published, which is what lets a process keep this in memory for a while.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    pub versions: Vec<CatalogVersion>,
    pub plans: Vec<Plan>,
    pub promotions: Vec<Promotion>,
}

impl Catalog {
    /// The plan with this code in the version in force at `now`.
    pub fn plan_in_force(&self, code: &str, now: Timestamp) -> Option<&Plan> {
        let version = version_in_force(&self.versions, now)?;
        self.plans
            .iter()
            .find(|p| p.catalog_version_id == version.id && p.code == code)
    }
}

/// A catalog version as its brand's administrators list it.
#[derive(Debug, Clone)]
pub struct ListedVersion {
    pub version: CatalogVersion,
    /// When the worker recorded the price notices it brings; `None`: not yet.
    pub noticed_at: Option<Timestamp>,
    pub plans: Vec<Plan>,
}

/// A promotion as its brand's administrators list it.
#[derive(Debug, Clone)]
pub struct ListedPromotion {
    pub promotion: Promotion,
    /// Orders that used it.
    pub uses: u32,
}

/// A line locked for a write, read with what deciding on it needs.
#[derive(Debug, Clone)]
pub struct LockedLine {
    pub line: Line,
    pub brand: Brand,
    /// The line has had a paid order before (first-renewal promotions no longer apply).
    pub renewed_before: bool,
    /// A new line sold here, waiting for identification and for its first plan to be paid:
    /// that plan may be paid before the identification (`Line::check_sellable`).
    pub sold_with_line: bool,
}

/// Who a promotion's per-customer limit counts: the subscriber when known, else the line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Customer {
    Subscriber(SubscriberId),
    Line(LineId),
}

impl Customer {
    pub fn of(line: &Line) -> Self {
        line.subscriber_id
            .map_or(Customer::Line(line.id), Customer::Subscriber)
    }
}

#[derive(Debug, Clone)]
pub struct NewLine {
    pub brand_id: BrandId,
    pub subscriber_id: Option<SubscriberId>,
    pub msisdn: Msisdn,
    pub identity: LineIdentity,
    pub state: LineState,
    pub expires_at: Option<Timestamp>,
    pub grace_until: Option<Timestamp>,
    pub credit: Money,
}

#[derive(Debug, Clone)]
pub struct NewBundle {
    pub brand_id: BrandId,
    pub line_id: LineId,
    pub order_id: Option<OrderId>,
    pub plan_code: String,
    pub data_mb: Option<u64>,
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
}

/// Everything a paid order writes, as one unit: the payment, one bundle per period with an
/// outbox row announcing it to the network (topic [`BUNDLE_GRANTED`]), the line's new expiry
/// and state, and the order's move to `syncing`.
#[derive(Debug, Clone)]
pub struct RenewalWrite {
    pub brand: BrandId,
    pub line: LineId,
    pub msisdn: Msisdn,
    pub order: OrderId,
    pub payment: Settlement,
    pub plan_code: String,
    pub data_mb: Option<u64>,
    /// One `(starts_at, ends_at)` per bundle, in order.
    pub windows: Vec<(Timestamp, Timestamp)>,
    pub expires_at: Timestamp,
    pub grace_until: Timestamp,
    /// The line's state after: active (a renewal in grace reactivates it), or still waiting
    /// for identification (a new line's first plan, bought with it).
    pub state: simrenew_domain::line::LineState,
    /// The money movement's entry in the line's audit chain, written with the rest.
    pub audit: crate::audit::AuditEntry,
    /// The order itself when it is not written yet, its id reserved by
    /// [`SalesTx::lock_line_to_order`]: written with the rest, paid.
    pub unwritten_order: Option<UnwrittenOrder>,
}

/// An order whose id is reserved but whose row is written by its renewal
/// ([`RenewalWrite::unwritten_order`]), in its paid state: one row written once instead of
/// inserted waiting for payment and moved to paid in the same transaction.
#[derive(Debug, Clone)]
pub struct UnwrittenOrder {
    pub plan: PlanId,
    pub channel: Channel,
    pub quote: Quote,
    pub placed_by: Option<String>,
}

/// The outbox topic of a bundle granted to a line.
pub const BUNDLE_GRANTED: &str = "bundle_granted";
/// The outbox topic of a new eSIM's profile ordered from the SM-DP+ (downloadOrder and
/// confirmOrder), written when the line's first order is paid.
pub const ESIM_ORDERED: &str = "esim_ordered";
/// The outbox topic of a held profile released (releaseProfile) once its subscriber was
/// identified.
pub const ESIM_RELEASED: &str = "esim_released";
/// The outbox topic of a profile given up (cancelOrder) because the sale was refunded before
/// the profile was installed.
pub const ESIM_CANCELLED: &str = "esim_cancelled";

/// The sales reads outside a transaction (a supertrait of [`crate::Store`]).
#[async_trait]
pub trait SalesStore {
    async fn brands(&self) -> StoreResult<Vec<Brand>>;
    async fn brand_by_code(&self, code: &str) -> StoreResult<Option<Brand>>;
    /// Plans of each brand's catalog version in force at `now`.
    async fn plans_in_force(&self, filter: &PlanFilter, now: Timestamp) -> StoreResult<Vec<Plan>>;
    async fn line_details(
        &self,
        msisdn: &Msisdn,
        now: Timestamp,
    ) -> StoreResult<Option<LineDetails>>;
    async fn lines(&self, filter: &LineFilter, now: Timestamp) -> StoreResult<Vec<Line>>;
    async fn order(&self, id: OrderId) -> StoreResult<Option<OrderDetails>>;
    /// The line and channel a quote was made for.
    async fn quote_target(&self, id: QuoteId) -> StoreResult<Option<(Msisdn, Channel)>>;
    /// A brand's catalog versions, the latest first, with their plans.
    async fn catalog_versions(&self, brand: BrandId) -> StoreResult<Vec<ListedVersion>>;
    /// A brand's promotions, the latest first, with how often each was used.
    async fn promotions(&self, brand: BrandId) -> StoreResult<Vec<ListedPromotion>>;
}

/// The sales writes of one transaction (a supertrait of [`crate::Tx`]).
///
/// A plan of a catalog version to publish.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPlan {
    pub code: String,
    pub name: String,
    pub data: simrenew_domain::catalog::DataAllowance,
    pub validity: simrenew_domain::catalog::Validity,
    pub price: Money,
    pub line_kinds: Vec<LineKind>,
    pub channels: Vec<Channel>,
}

/// A promotion to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPromotion {
    pub brand_id: BrandId,
    pub name: String,
    pub code: Option<simrenew_domain::promotion::PromoCode>,
    pub rule: simrenew_domain::promotion::PromotionRule,
    pub first_renewal_only: bool,
    pub plan_codes: Vec<String>,
    pub channels: Vec<Channel>,
    pub valid_from: Timestamp,
    pub valid_until: Option<Timestamp>,
    pub per_customer_limit: Option<u32>,
    pub global_limit: Option<u32>,
    pub stackable: bool,
}

/// What an edit of a promotion changes; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PromotionChange {
    pub name: Option<String>,
    /// The exclusive end of its validity (ending it: now).
    pub valid_until: Option<Timestamp>,
    pub per_customer_limit: Option<u32>,
    pub global_limit: Option<u32>,
}

/// Publishing a catalog version and writing promotions, in the publisher's transaction (with
/// its audit entry).
#[async_trait]
pub trait CatalogTx: Send {
    async fn insert_promotion(&mut self, p: &NewPromotion) -> StoreResult<PromotionId>;
    /// Locks a promotion for an edit: its brand and validity, or `None` when there is none.
    async fn lock_promotion(
        &mut self,
        id: PromotionId,
    ) -> StoreResult<Option<(BrandId, Timestamp, Option<Timestamp>)>>;
    async fn change_promotion(
        &mut self,
        id: PromotionId,
        change: &PromotionChange,
    ) -> StoreResult<()>;
    /// Inserts the brand's next version with its plans; its id and number.
    async fn insert_catalog_version(
        &mut self,
        brand: BrandId,
        effective_from: Timestamp,
        published_at: Timestamp,
        plans: &[NewPlan],
    ) -> StoreResult<(CatalogVersionId, u32)>;
}

/// Methods take the columns they write as arguments, so some take many.
#[allow(clippy::too_many_arguments)]
#[async_trait]
pub trait SalesTx: Send {
    /// The line's notices of rises of `plan_code`'s price, with when each was first sent.
    async fn price_notices(
        &mut self,
        line: LineId,
        plan_code: &str,
    ) -> StoreResult<Vec<simrenew_domain::price_notice::PriceNotice>>;
    async fn brand(&mut self, id: BrandId) -> StoreResult<Brand>;
    /// The line with its brand, locked against concurrent renewals until commit.
    async fn lock_line(&mut self, msisdn: &Msisdn) -> StoreResult<Option<LockedLine>>;
    async fn lock_line_by_id(&mut self, id: LineId) -> StoreResult<Option<LockedLine>>;
    /// [`SalesTx::lock_line`] for an order paid in this transaction: with, where the store can
    /// in the same statement (PostgreSQL), the id of that order reserved, so that the order is
    /// written by its renewal ([`RenewalWrite::unwritten_order`]). Without a reserved id the
    /// order is inserted ([`SalesTx::insert_order`]) before it is paid.
    async fn lock_line_to_order(
        &mut self,
        msisdn: &Msisdn,
    ) -> StoreResult<Option<(LockedLine, Option<OrderId>)>>;
    /// Every catalog version of a brand with its plans, and the brand's promotions.
    async fn catalog(&mut self, brand: BrandId) -> StoreResult<Catalog>;
    async fn plan(&mut self, id: PlanId) -> StoreResult<Plan>;
    /// How often these promotions were used, by `customer` and by everyone.
    async fn promotion_usage(
        &mut self,
        ids: &[PromotionId],
        customer: Customer,
    ) -> StoreResult<Vec<(PromotionId, PromotionUsage)>>;
    /// Those of these promotions that have a use limit, with their use so far, locked until
    /// commit so that concurrent orders cannot both take the last use.
    async fn lock_promotions(
        &mut self,
        ids: &[PromotionId],
        customer: Customer,
    ) -> StoreResult<Vec<(Promotion, PromotionUsage)>>;
    async fn record_promotion_use(
        &mut self,
        promotion: PromotionId,
        customer: Customer,
        line: LineId,
        order: OrderId,
        now: Timestamp,
    ) -> StoreResult<()>;

    async fn insert_quote(
        &mut self,
        brand: BrandId,
        line: LineId,
        plan: PlanId,
        channel: Channel,
        quote: &Quote,
        now: Timestamp,
        valid_until: Timestamp,
    ) -> StoreResult<QuoteId>;
    async fn quote(&mut self, id: QuoteId) -> StoreResult<Option<StoredQuote>>;
    /// Orders of `line` on the `auto_renew` channel paid at or after `since` (how many, and
    /// their total), and the line's own monthly cap on them in cents: what the brand's monthly
    /// limit and the subscriber's cap are checked against (read under the line's lock).
    async fn auto_debits_since(
        &mut self,
        line: LineId,
        since: Timestamp,
    ) -> StoreResult<(simrenew_domain::auto_debit::AutoDebits, Option<i64>)>;
    /// The order placed from a stored quote, if any: a quote is frozen by one order.
    async fn order_of_quote(&mut self, id: QuoteId) -> StoreResult<Option<OrderId>>;

    /// Inserts an order; `from_quote` names the stored quote it was placed from (at most one
    /// order per quote, enforced by the database too).
    #[allow(clippy::too_many_arguments)]
    async fn insert_order(
        &mut self,
        brand: BrandId,
        line: LineId,
        plan: PlanId,
        channel: Channel,
        quote: &Quote,
        from_quote: Option<QuoteId>,
        placed_by: Option<&str>,
        now: Timestamp,
    ) -> StoreResult<OrderId>;
    async fn lock_order(&mut self, id: OrderId) -> StoreResult<Option<Order>>;
    /// Moves the line's credit by `amount` (negative to debit) and appends a ledger entry;
    /// returns the new balance.
    async fn move_credit(
        &mut self,
        line: &Line,
        amount: Money,
        reason: LedgerReason,
        order: Option<OrderId>,
        voucher: Option<VoucherId>,
        now: Timestamp,
    ) -> StoreResult<Money>;

    /// Writes a paid order's renewal; returns the new bundles' ids, in order.
    async fn apply_renewal(
        &mut self,
        write: &RenewalWrite,
        now: Timestamp,
    ) -> StoreResult<Vec<BundleId>>;
    /// A bundle outside any order (imports, the demo).
    async fn insert_bundle(&mut self, bundle: &NewBundle, now: Timestamp) -> StoreResult<BundleId>;
    /// The voucher whose code has this keyed hash, locked.
    async fn lock_voucher(&mut self, code_hash: &str) -> StoreResult<Option<Voucher>>;
    async fn mark_voucher_redeemed(
        &mut self,
        id: VoucherId,
        line: LineId,
        now: Timestamp,
    ) -> StoreResult<()>;
    async fn insert_voucher_batch(
        &mut self,
        brand: BrandId,
        name: &str,
        value: &VoucherValue,
        expires_at: Option<Timestamp>,
        code_hashes: &[String],
        now: Timestamp,
    ) -> StoreResult<VoucherBatchId>;

    /// Which of these MSISDNs and ICCIDs exist already.
    async fn existing_line_keys(
        &mut self,
        msisdns: &[String],
        iccids: &[String],
    ) -> StoreResult<Vec<String>>;
    async fn insert_line(&mut self, line: &NewLine, now: Timestamp) -> StoreResult<LineId>;
    /// A new eSIM's first order was paid: its profile is ordered from the SM-DP+ (an
    /// [`ESIM_ORDERED`] outbox row, released at once when its subscriber is identified).
    /// Nothing for a line without a profile waiting for payment.
    async fn queue_profile_order(&mut self, line: LineId, now: Timestamp) -> StoreResult<()>;
    /// The line's subscriber was identified: a profile the SM-DP+ holds is released (an
    /// [`ESIM_RELEASED`] outbox row); one still being ordered is released with its order.
    async fn profile_identified(&mut self, line: LineId, now: Timestamp) -> StoreResult<()>;
    /// The order that sold a new eSIM was refunded in full: a profile not installed on a
    /// phone yet is given up at the SM-DP+ (an [`ESIM_CANCELLED`] outbox row) and never
    /// downloads. Nothing for another order, or a profile already installed.
    async fn profile_refunded(
        &mut self,
        line: LineId,
        order: OrderId,
        now: Timestamp,
    ) -> StoreResult<()>;
}
