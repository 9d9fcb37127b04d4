//! Promotions: rules applied when quoting.
//!
//! Promotions do not stack unless marked `stackable`; the quote takes the best one for the
//! customer (see the `quote` module) and says which.

use std::fmt;

use jiff::Timestamp;

use crate::catalog::{Channel, Plan};
use crate::ids::{BrandId, PromotionId};
use crate::money::Money;
use crate::parse::ParseError;

/// A promo code as a customer types it, upper-cased: letters, digits and `-`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PromoCode(String);

impl PromoCode {
    pub fn parse(s: &str) -> Result<Self, ParseError> {
        let code = s.trim().to_ascii_uppercase();
        if !(3..=32).contains(&code.len())
            || !code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        {
            return Err(ParseError::new(
                "promo_code",
                "must be 3 to 32 letters, digits or -",
            ));
        }
        Ok(PromoCode(code))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PromoCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What a promotion gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PromotionRule {
    /// "Buy 12 months, get 6 free": every `buy` periods bought add `free` periods.
    PeriodBonus { buy: u32, free: u32 },
    /// A share of the price off, in basis points (2 500 = 25 %).
    PercentOff { percent_bp: u32 },
    /// A fixed amount off the order, never more than its price.
    AmountOff { amount: Money },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Promotion {
    pub id: PromotionId,
    pub brand_id: BrandId,
    pub name: String,
    /// `None` for a promotion that applies by itself; otherwise only when the code is given.
    pub code: Option<PromoCode>,
    pub rule: PromotionRule,
    /// Only for a line's first renewal.
    pub first_renewal_only: bool,
    /// Plan codes it applies to; empty means every plan.
    pub plan_codes: Vec<String>,
    /// Channels it applies through; empty means every channel.
    pub channels: Vec<Channel>,
    pub valid_from: Timestamp,
    /// Exclusive end of the validity window.
    pub valid_until: Option<Timestamp>,
    pub per_customer_limit: Option<u32>,
    pub global_limit: Option<u32>,
    /// May be combined with other stackable promotions.
    pub stackable: bool,
}

impl Promotion {
    /// At `now`: `scheduled` (not started), `running` or `ended`.
    pub fn status(&self, now: Timestamp) -> &'static str {
        if self.valid_from > now {
            "scheduled"
        } else if self.valid_until.is_some_and(|u| u <= now) {
            "ended"
        } else {
            "running"
        }
    }
}

/// How often a promotion was used, by this customer and by everyone.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PromotionUsage {
    pub by_customer: u32,
    pub overall: u32,
}

/// Why a promotion does not apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PromoRejection {
    #[error("no such promo code")]
    UnknownCode,
    #[error("not valid yet")]
    NotYetValid,
    #[error("expired")]
    Expired,
    #[error("all uses have been taken")]
    Exhausted,
    #[error("already used the allowed number of times for this customer")]
    AlreadyUsed,
    #[error("does not apply to this plan")]
    OtherPlan,
    #[error("does not apply through this channel")]
    OtherChannel,
    #[error("only for a line's first renewal")]
    FirstRenewalOnly,
    #[error("needs at least {buy} periods")]
    TooFewPeriods { buy: u32 },
}

/// The purchase a promotion is checked against.
#[derive(Debug, Clone, Copy)]
pub struct PromoContext<'a> {
    pub plan: &'a Plan,
    pub periods: u32,
    pub channel: Channel,
    pub now: Timestamp,
    pub first_renewal: bool,
}

/// What a promotion (or several stacked) gives on one purchase.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Benefit {
    pub free_periods: u32,
    pub discount: Money,
}

impl Promotion {
    /// Does this promotion apply to the purchase?
    pub fn check(
        &self,
        ctx: &PromoContext<'_>,
        usage: PromotionUsage,
    ) -> Result<(), PromoRejection> {
        if ctx.now < self.valid_from {
            return Err(PromoRejection::NotYetValid);
        }
        if self.valid_until.is_some_and(|end| ctx.now >= end) {
            return Err(PromoRejection::Expired);
        }
        if !self.plan_codes.is_empty() && !self.plan_codes.contains(&ctx.plan.code) {
            return Err(PromoRejection::OtherPlan);
        }
        if !self.channels.is_empty() && !self.channels.contains(&ctx.channel) {
            return Err(PromoRejection::OtherChannel);
        }
        if self.first_renewal_only && !ctx.first_renewal {
            return Err(PromoRejection::FirstRenewalOnly);
        }
        if let PromotionRule::PeriodBonus { buy, .. } = self.rule {
            if ctx.periods < buy {
                return Err(PromoRejection::TooFewPeriods { buy });
            }
        }
        if self
            .global_limit
            .is_some_and(|limit| usage.overall >= limit)
        {
            return Err(PromoRejection::Exhausted);
        }
        if self
            .per_customer_limit
            .is_some_and(|limit| usage.by_customer >= limit)
        {
            return Err(PromoRejection::AlreadyUsed);
        }
        Ok(())
    }
}

/// The benefit of applying `promotions` together to `periods` periods at `unit_price`: period
/// bonuses first, then percentages, then fixed amounts, the discount never above the price.
pub fn benefit<'a>(
    promotions: impl IntoIterator<Item = &'a Promotion>,
    unit_price: Money,
    periods: u32,
) -> Benefit {
    let subtotal_cents = unit_price.cents.saturating_mul(i64::from(periods));
    let mut free_periods = 0u32;
    let mut percent_bp = 0u32;
    let mut amount_cents = 0i64;
    for p in promotions {
        match p.rule {
            PromotionRule::PeriodBonus { buy, free } if buy > 0 => {
                free_periods = free_periods.saturating_add((periods / buy).saturating_mul(free));
            }
            PromotionRule::PeriodBonus { .. } => {}
            PromotionRule::PercentOff { percent_bp: bp } => {
                percent_bp = percent_bp.saturating_add(bp).min(10_000);
            }
            PromotionRule::AmountOff { amount } if amount.currency == unit_price.currency => {
                amount_cents = amount_cents.saturating_add(amount.cents.max(0));
            }
            PromotionRule::AmountOff { .. } => {}
        }
    }
    let percent = Money::new(subtotal_cents, unit_price.currency)
        .percent(percent_bp)
        .cents;
    let discount = percent
        .saturating_add(amount_cents)
        .min(subtotal_cents.max(0));
    Benefit {
        free_periods,
        discount: Money::new(discount, unit_price.currency),
    }
}

impl Benefit {
    /// What the customer gains, in money: the discount plus the price of the free periods.
    pub fn value_cents(&self, unit_price: Money) -> i64 {
        self.discount.cents.saturating_add(
            unit_price
                .cents
                .saturating_mul(i64::from(self.free_periods)),
        )
    }
}
