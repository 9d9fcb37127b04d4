//! Orders freeze a quote; payments settle them; the ledger records every credit movement.

use jiff::Timestamp;

use crate::catalog::{word_enum, Channel};
use crate::ids::{
    BrandId, LineId, OrderId, PaymentId, PlanId, ProviderPaymentId, QuoteId, SavedPaymentMethodId,
    VoucherId,
};
use crate::money::Money;
use crate::quote::Quote;

word_enum!(
    /// `pending_payment → syncing → completed`; `syncing` means paid and applied, waiting for
    /// the network to confirm. `review`: money arrived that does not match the order (amount or
    /// currency), so nothing was applied and a person has to look.
    OrderState, "state" {
        PendingPayment = "pending_payment",
        Syncing = "syncing",
        Completed = "completed",
        Cancelled = "cancelled",
        Review = "review",
    }
);

word_enum!(
    /// How an order was paid.
    PaymentMethod, "method" {
        Credit = "credit",
        Voucher = "voucher",
        Card = "card",
        Bancontact = "bancontact",
        Paypal = "paypal",
        Cash = "cash",
        CardTerminal = "card_terminal",
    }
);

word_enum!(
    /// Why a line's credit moved.
    LedgerReason, "reason" {
        VoucherRedemption = "voucher_redemption",
        RenewalPayment = "renewal_payment",
        Import = "import",
        Adjustment = "adjustment",
        Refund = "refund",
    }
);

word_enum!(
    /// Who holds the money of a payment made outside the credit balance (`store`: cash or
    /// card terminal at a store, recorded by an agent; `demo`: the simulated card payments of
    /// `simrenew demo`, where no money moves).
    ProviderName, "provider" {
        Stripe = "stripe",
        Paypal = "paypal",
        Store = "store",
        Demo = "demo",
    }
);

word_enum!(
    /// Where a provider payment stands. `captured` and `failed` are final, except that a
    /// captured payment can later be (partly) `refunded`; a late event never moves a payment
    /// back (see [`ProviderPaymentStatus::may_become`]). `created`: recorded by us, the
    /// provider has not answered yet; `requires_action`: the customer must act (3-D Secure, a
    /// bank redirect, PayPal approval); `processing`: approved, waiting for the capture.
    ProviderPaymentStatus, "status" {
        Created = "created",
        RequiresAction = "requires_action",
        Processing = "processing",
        Captured = "captured",
        Failed = "failed",
        Refunded = "refunded",
    }
);

impl ProviderPaymentStatus {
    fn rank(self) -> u8 {
        match self {
            Self::Created => 0,
            Self::RequiresAction => 1,
            Self::Processing => 2,
            Self::Failed => 3,
            Self::Captured => 4,
            Self::Refunded => 5,
        }
    }

    /// Whether a payment in this state may move to `next`: only forwards, so that duplicated,
    /// late and reordered provider events cannot undo a capture. A failed attempt can still be
    /// captured (the customer retried on the provider's page).
    pub fn may_become(self, next: Self) -> bool {
        next.rank() > self.rank()
    }

    pub fn is_final(self) -> bool {
        matches!(self, Self::Captured | Self::Refunded)
    }
}

/// Which methods a provider takes.
impl PaymentMethod {
    pub fn provider(self) -> Option<ProviderName> {
        match self {
            Self::Card | Self::Bancontact => Some(ProviderName::Stripe),
            Self::Paypal => Some(ProviderName::Paypal),
            Self::Cash | Self::CardTerminal => Some(ProviderName::Store),
            Self::Credit | Self::Voucher => None,
        }
    }
}

/// A payment taken by a provider (Stripe, PayPal) or recorded at a store, for an order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderPayment {
    pub id: ProviderPaymentId,
    pub brand_id: BrandId,
    pub order_id: OrderId,
    pub provider: ProviderName,
    pub method: PaymentMethod,
    /// The provider's id (PaymentIntent `pi_...`, PayPal order id, terminal reference).
    pub provider_ref: Option<String>,
    /// Sent with every call about this payment, suffixed per operation.
    pub idempotency_key: String,
    pub amount: Money,
    pub status: ProviderPaymentStatus,
    /// Where the customer must go next (3-D Secure, bank, PayPal approval).
    pub next_action_url: Option<String>,
    /// The provider's capture id, where refunds are made against it (PayPal).
    pub capture_ref: Option<String>,
    pub refunded: Money,
    pub store_code: Option<String>,
    /// This payment paid its order's renewal (a capture that did not is money without
    /// renewal, to refund).
    pub applied: bool,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// A quote kept for a while so that an order can freeze exactly what was shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredQuote {
    pub id: QuoteId,
    pub brand_id: BrandId,
    pub line_id: LineId,
    pub plan_id: PlanId,
    pub channel: Channel,
    pub quote: Quote,
    pub created_at: Timestamp,
    pub valid_until: Timestamp,
}

/// How long a quote may be turned into an order.
pub const QUOTE_VALID_MINUTES: i64 = 30;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Order {
    pub id: OrderId,
    pub brand_id: BrandId,
    pub line_id: LineId,
    pub plan_id: PlanId,
    pub channel: Channel,
    pub state: OrderState,
    pub quote: Quote,
    pub created_at: Timestamp,
    pub paid_at: Option<Timestamp>,
    /// Who placed it (`staff:3`, `partner:7`, `subscriber:12`, `cli`).
    pub placed_by: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payment {
    pub id: PaymentId,
    pub order_id: OrderId,
    pub method: PaymentMethod,
    pub amount: Money,
    pub voucher_id: Option<VoucherId>,
    pub created_at: Timestamp,
}

/// A payment method saved for automatic renewal: provider references only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedPaymentMethod {
    pub id: SavedPaymentMethodId,
    pub brand_id: BrandId,
    pub line_id: LineId,
    pub provider: ProviderName,
    pub method: PaymentMethod,
    /// Stripe customer (`cus_...`) or PayPal customer id.
    pub customer_ref: Option<String>,
    /// Stripe payment method (`pm_...`) or PayPal vault payment token.
    pub token_ref: String,
    /// What the provider says it is ("visa ending 4242", "PayPal").
    pub label: String,
    pub created_at: Timestamp,
    pub removed_at: Option<Timestamp>,
}

/// Which payment methods each brand offers on each channel, from configuration: entries
/// `[brand.]channel=method,method` separated by `;`, e.g.
/// `portal=card,bancontact,paypal,credit,voucher;store=cash,card_terminal,credit,voucher;lumo.portal=card,paypal`.
/// A brand's own entry for a channel wins over the channel's entry; a channel with no entry
/// offers every method.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PaymentMethodPolicy {
    entries: Vec<(Option<String>, Channel, Vec<PaymentMethod>)>,
}

impl PaymentMethodPolicy {
    pub fn parse(text: &str) -> Result<Self, crate::parse::ParseError> {
        let bad = |reason: String| crate::parse::ParseError::new("payment_methods", reason);
        let mut entries = vec![];
        for entry in text.split(';').map(str::trim).filter(|e| !e.is_empty()) {
            let (key, methods) = entry
                .split_once('=')
                .ok_or_else(|| bad(format!("{entry:?} is not [brand.]channel=methods")))?;
            let key = key.trim();
            let (brand, channel) = match key.split_once('.') {
                Some((b, c)) => (Some(b.trim().to_ascii_lowercase()), c.trim()),
                None => (None, key),
            };
            let channel = Channel::parse(channel).map_err(|e| bad(e.reason))?;
            let methods = methods
                .split(',')
                .map(str::trim)
                .filter(|m| !m.is_empty())
                .map(|m| PaymentMethod::parse(m).map_err(|e| bad(e.reason)))
                .collect::<Result<Vec<_>, _>>()?;
            if entries.iter().any(|(b, c, _)| *b == brand && *c == channel) {
                return Err(bad(format!("{key} is given twice")));
            }
            entries.push((brand, channel, methods));
        }
        Ok(Self { entries })
    }

    /// The methods `brand` (its code) offers on `channel`.
    pub fn methods(&self, brand: &str, channel: Channel) -> Vec<PaymentMethod> {
        let own = self
            .entries
            .iter()
            .find(|(b, c, _)| b.as_deref() == Some(brand) && *c == channel);
        let general = || {
            self.entries
                .iter()
                .find(|(b, c, _)| b.is_none() && *c == channel)
        };
        match own.or_else(general) {
            Some((_, _, methods)) => methods.clone(),
            None => PaymentMethod::ALL.to_vec(),
        }
    }

    pub fn allows(&self, brand: &str, channel: Channel, method: PaymentMethod) -> bool {
        self.methods(brand, channel).contains(&method)
    }
}

#[cfg(test)]
mod policy_tests {
    use super::*;

    #[test]
    fn a_brand_entry_wins_over_the_channel_entry() {
        let p = PaymentMethodPolicy::parse(
            "portal=card,bancontact,paypal,credit ; store=cash,card_terminal; lumo.portal=paypal",
        )
        .unwrap();
        assert!(p.allows("zest", Channel::Portal, PaymentMethod::Bancontact));
        assert!(!p.allows("lumo", Channel::Portal, PaymentMethod::Bancontact));
        assert!(p.allows("lumo", Channel::Portal, PaymentMethod::Paypal));
        assert!(!p.allows("zest", Channel::Store, PaymentMethod::Card));
        // No entry for the channel: everything.
        assert!(p.allows("zest", Channel::Partner, PaymentMethod::Voucher));
        assert_eq!(
            PaymentMethodPolicy::default()
                .methods("x", Channel::Portal)
                .len(),
            7
        );
    }

    #[test]
    fn bad_entries_are_refused() {
        for bad in [
            "portal",
            "kiosk=card",
            "portal=cheque",
            "portal=card;portal=cash",
        ] {
            assert!(PaymentMethodPolicy::parse(bad).is_err(), "{bad}");
        }
    }
}

/// May `principal` record a `method` payment taken at `store`? Admins may; an agent only at
/// one of their stores, and only a method that store takes (`renews_cash`,
/// `renews_card_terminal`). Whether the line may be sold to at all is
/// [`Principal::may_sell`](crate::access::Principal::may_sell).
pub fn may_record_store_payment(
    principal: &crate::access::Principal,
    store: crate::ids::StoreId,
    method: PaymentMethod,
) -> Result<(), crate::access::Denied> {
    use crate::access::{Denied, Principal};
    let capability = format!("renews_{method}");
    match principal {
        Principal::PlatformAdmin { .. } | Principal::BrandAdmin { .. } => Ok(()),
        Principal::Agent { stores, .. } => match stores.iter().find(|s| s.id == store) {
            None => Err(Denied::Forbidden("you do not work at that store")),
            Some(s) if s.capabilities.contains(&capability) => Ok(()),
            Some(_) => Err(Denied::Forbidden("that store does not take this method")),
        },
        Principal::Partner { .. } | Principal::Subscriber { .. } => Err(Denied::Forbidden(
            "only staff record payments taken at a store",
        )),
    }
}

#[cfg(test)]
mod store_payment_tests {
    use super::*;
    use crate::access::{AgentStore, Principal};
    use crate::ids::{StaffId, StoreId};

    #[test]
    fn agents_record_only_at_their_stores_what_the_store_takes() {
        let agent = Principal::Agent {
            staff: StaffId(1),
            brand: BrandId(1),
            stores: vec![AgentStore {
                id: StoreId(5),
                capabilities: vec!["renews_cash".into()],
            }],
            serving: None,
        };
        assert!(may_record_store_payment(&agent, StoreId(5), PaymentMethod::Cash).is_ok());
        assert!(may_record_store_payment(&agent, StoreId(5), PaymentMethod::CardTerminal).is_err());
        assert!(may_record_store_payment(&agent, StoreId(6), PaymentMethod::Cash).is_err());
        let admin = Principal::BrandAdmin {
            staff: StaffId(2),
            brand: BrandId(1),
        };
        assert!(may_record_store_payment(&admin, StoreId(6), PaymentMethod::Cash).is_ok());
    }
}
