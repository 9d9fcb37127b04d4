//! Errors of the domain, in the domain's words.
//!
//! [`DomainError`] names types of the modules whose rules it reports (catalog words, line
//! states, money, promotion refusals); those modules therefore return [`ParseError`] only, and
//! the rules that return a `DomainError` live above this module (quotes, bundles, refunds,
//! time arithmetic).

use crate::catalog::{Channel, LineKind};
use crate::line::LineState;
use crate::money::{Money, MoneyError};
use crate::parse::ParseError;
use crate::promotion::PromoRejection;

/// A rule of the product said no.
///
/// [`DomainError::field`] names the input that caused it where there is one, so that every
/// boundary (HTTP problem+json, CLI message) can point at it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    #[error(transparent)]
    Parse(#[from] ParseError),
    #[error("periods must be between 1 and {max}")]
    InvalidPeriods { max: u32 },
    #[error("plan {plan} is not sold for {kind} lines")]
    PlanNotForLineKind { plan: String, kind: LineKind },
    #[error("plan {plan} is not sold through the {channel} channel")]
    PlanNotForChannel { plan: String, channel: Channel },
    #[error("plan {plan} belongs to another brand than the line")]
    PlanNotForBrand { plan: String },
    #[error("an add-on is bought one at a time")]
    AddOnPeriods,
    #[error("an add-on needs a bundle running now; renew the line first")]
    AddOnWithoutBundle,
    #[error("a line in state {state} cannot be renewed{hint}")]
    LineNotRenewable {
        state: LineState,
        hint: &'static str,
    },
    #[error("promo code {code}: {reason}")]
    PromoCode {
        code: String,
        reason: PromoRejection,
    },
    #[error("credit too low: {needed} needed, {available} available")]
    InsufficientCredit { needed: Money, available: Money },
    #[error("voucher {code} was already redeemed")]
    VoucherUsed { code: String },
    #[error("voucher {code} has expired")]
    VoucherExpired { code: String },
    #[error("voucher {code} is for plan {voucher_plan}, not {order_plan}")]
    VoucherForOtherPlan {
        code: String,
        voucher_plan: String,
        order_plan: String,
    },
    #[error("voucher {code} belongs to another brand than the line")]
    VoucherForOtherBrand { code: String },
    #[error(transparent)]
    AutoRenewStopped(#[from] crate::auto_debit::AutoRenewStop),
    #[error(transparent)]
    Money(#[from] MoneyError),
    #[error("date out of range")]
    TimeOutOfRange,
}

impl DomainError {
    /// The input field this error is about, if any.
    pub fn field(&self) -> Option<&'static str> {
        Some(match self {
            DomainError::Parse(e) => e.field,
            DomainError::InvalidPeriods { .. } | DomainError::AddOnPeriods => "periods",
            DomainError::PlanNotForLineKind { .. }
            | DomainError::PlanNotForChannel { .. }
            | DomainError::PlanNotForBrand { .. }
            | DomainError::AddOnWithoutBundle => "plan",
            DomainError::LineNotRenewable { .. } => "msisdn",
            DomainError::PromoCode { .. } => "promo_code",
            DomainError::InsufficientCredit { .. } => "payment",
            DomainError::VoucherUsed { .. }
            | DomainError::VoucherExpired { .. }
            | DomainError::VoucherForOtherPlan { .. }
            | DomainError::VoucherForOtherBrand { .. } => "voucher_code",
            DomainError::AutoRenewStopped(stop) => stop.field(),
            DomainError::Money(_) | DomainError::TimeOutOfRange => return None,
        })
    }
}
