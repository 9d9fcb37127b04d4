//! The limits of automatic charges: the brand's monthly auto-debit limit (automatic renewals
//! per line per calendar month of the brand's zone) and the subscriber's own monthly spend cap
//! (what automatic renewals may charge the line in such a month). Both are checked where an
//! automatic order is placed and again where it is paid, under the line's lock, so that no
//! path and no race passes them. Manual renewals count against neither.

use crate::money::{Currency, Money};

/// What automatic renewals charged a line since the start of the month.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AutoDebits {
    pub count: u32,
    pub spent_cents: i64,
}

/// Why an automatic renewal did not happen; the subscriber is told, and renews by hand.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AutoRenewStop {
    #[error(
        "this line was renewed automatically {done} times this month, the most {brand} allows \
         ({limit} a month); renew it by hand, or wait for next month"
    )]
    MonthlyLimit {
        done: u32,
        limit: u32,
        brand: String,
    },
    #[error(
        "an automatic renewal of {amount} would take this month's automatic charges to \
         {would_be}, over the monthly cap of {cap} set for this line; renew it by hand, or \
         raise the cap"
    )]
    SpendCap {
        amount: Money,
        would_be: Money,
        cap: Money,
    },
}

impl AutoRenewStop {
    /// The setting at fault.
    pub fn field(&self) -> &'static str {
        match self {
            Self::MonthlyLimit { .. } => "channel",
            Self::SpendCap { .. } => "monthly_cap",
        }
    }
}

/// The brand's side of the limits: its monthly count limit, and its name for the message.
#[derive(Debug, Clone, Copy)]
pub struct BrandLimit<'a> {
    pub name: &'a str,
    pub monthly_auto_debit_limit: u32,
}

/// Whether an automatic charge of `amount` fits this month's limits: fewer than the brand's
/// limit so far, and with it no more than the cap (in the amount's currency) when one is set.
pub fn check_auto_debit(
    brand: BrandLimit<'_>,
    so_far: AutoDebits,
    cap_cents: Option<i64>,
    amount: Money,
) -> Result<(), AutoRenewStop> {
    if so_far.count >= brand.monthly_auto_debit_limit {
        return Err(AutoRenewStop::MonthlyLimit {
            done: so_far.count,
            limit: brand.monthly_auto_debit_limit,
            brand: brand.name.to_owned(),
        });
    }
    if let Some(cap) = cap_cents {
        let would_be = so_far.spent_cents.saturating_add(amount.cents);
        if would_be > cap {
            let money = |cents| Money::new(cents, amount.currency);
            return Err(AutoRenewStop::SpendCap {
                amount,
                would_be: money(would_be),
                cap: money(cap),
            });
        }
    }
    Ok(())
}

/// The largest cap a line may be given: a million in the brand's currency, so that sums of a
/// month's charges stay far from overflow.
pub const MAX_CAP_CENTS: i64 = 100_000_000;

/// A cap as set by a subscriber: positive and at most [`MAX_CAP_CENTS`].
pub fn parse_cap(cents: i64, currency: Currency) -> Result<Money, crate::ParseError> {
    if !(1..=MAX_CAP_CENTS).contains(&cents) {
        return Err(crate::ParseError::new(
            "monthly_cap",
            "must be more than 0 and at most 1 000 000 in the brand's currency",
        ));
    }
    Ok(Money::new(cents, currency))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn brand() -> BrandLimit<'static> {
        BrandLimit {
            name: "Lumo",
            monthly_auto_debit_limit: 2,
        }
    }

    fn eur(cents: i64) -> Money {
        Money::new(cents, Currency::EUR)
    }

    #[test]
    fn the_brands_count_limit_holds_whatever_the_cap() {
        let so_far = AutoDebits {
            count: 2,
            spent_cents: 0,
        };
        let err = check_auto_debit(brand(), so_far, None, eur(500)).unwrap_err();
        assert_eq!(err.field(), "channel");
        assert!(err.to_string().contains("by hand"), "{err}");
        let one = AutoDebits { count: 1, ..so_far };
        assert_eq!(check_auto_debit(brand(), one, None, eur(500)), Ok(()));
    }

    #[test]
    fn the_cap_holds_the_sum_with_the_new_charge_included() {
        let so_far = AutoDebits {
            count: 1,
            spent_cents: 1_000,
        };
        assert_eq!(
            check_auto_debit(brand(), so_far, Some(2_000), eur(1_000)),
            Ok(())
        );
        let err = check_auto_debit(brand(), so_far, Some(1_999), eur(1_000)).unwrap_err();
        assert_eq!(err.field(), "monthly_cap");
        assert!(err.to_string().contains("19.99 EUR"), "{err}");
    }

    #[test]
    fn a_cap_is_positive_and_bounded() {
        assert!(parse_cap(0, Currency::EUR).is_err());
        assert!(parse_cap(-5, Currency::EUR).is_err());
        assert!(parse_cap(MAX_CAP_CENTS + 1, Currency::EUR).is_err());
        assert_eq!(parse_cap(2_500, Currency::EUR).unwrap().cents, 2_500);
    }
}
