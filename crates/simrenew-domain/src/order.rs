//! Orders freeze a quote; payments settle them; the ledger records every credit movement.

use jiff::Timestamp;

use crate::catalog::{word_enum, Channel};
use crate::ids::{BrandId, LineId, OrderId, PaymentId, PlanId, QuoteId, VoucherId};
use crate::money::Money;
use crate::quote::Quote;

word_enum!(
    /// `pending_payment → syncing → completed`; `syncing` means paid and applied, waiting for
    /// the network to confirm.
    OrderState, "state" {
        PendingPayment = "pending_payment",
        Syncing = "syncing",
        Completed = "completed",
        Cancelled = "cancelled",
    }
);

word_enum!(
    /// How an order was paid.
    PaymentMethod, "method" {
        Credit = "credit",
        Voucher = "voucher",
    }
);

word_enum!(
    /// Why a line's credit moved.
    LedgerReason, "reason" {
        VoucherRedemption = "voucher_redemption",
        RenewalPayment = "renewal_payment",
        Import = "import",
        Adjustment = "adjustment",
    }
);

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
