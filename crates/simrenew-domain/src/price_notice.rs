//! Price changes with notice. A catalog version that raises the price of a plan an
//! auto-renewing line buys reaches that line only once it was sent a notice of the change at
//! least [`MIN_NOTICE_DAYS`] days before, and the version is in force (EU electronic
//! communications code, art. 105). Until then its automatic renewals keep the price it had;
//! a price that falls applies at once. Manual renewals pay the price in force: the person sees
//! it in the quote before paying.

use jiff::{SignedDuration, Timestamp};

use crate::catalog::MIN_NOTICE_DAYS;
use crate::money::Money;

/// A rise of a plan's price for one auto-renewing line, and when its notice went out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PriceNotice {
    pub old_price: Money,
    pub new_price: Money,
    /// When the version that raises it comes into force.
    pub effective_from: Timestamp,
    /// When the first message of the notice was sent; `None`: not yet.
    pub sent_at: Option<Timestamp>,
}

impl PriceNotice {
    /// From when the new price may be charged automatically: [`MIN_NOTICE_DAYS`] after the
    /// notice went out, and not before the version is in force; `None` until it went out.
    pub fn binds_from(&self) -> Option<Timestamp> {
        let sent = self.sent_at?;
        let notice = SignedDuration::from_hours(24 * i64::from(MIN_NOTICE_DAYS));
        Some(sent.checked_add(notice).ok()?.max(self.effective_from))
    }

    fn binds_at(&self, now: Timestamp) -> bool {
        self.binds_from().is_some_and(|t| t <= now)
    }
}

/// The price an automatic renewal pays instead of the list price, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeptPrice {
    /// The price in force in the catalog.
    pub list: Money,
    /// The price the line keeps.
    pub kept: Money,
    /// From when the list price applies; `None`: no notice has gone out yet.
    pub until: Option<Timestamp>,
}

/// What an automatic renewal of a plan listed at `list` pays at `now`, given the line's price
/// notices for it: `None` when the list price applies. The earliest notice of a version in
/// force that does not bind yet keeps its old price (or the list price, if lower).
pub fn automatic_price(list: Money, notices: &[PriceNotice], now: Timestamp) -> Option<KeptPrice> {
    let pending = notices
        .iter()
        .filter(|n| n.effective_from <= now && !n.binds_at(now))
        .min_by_key(|n| n.effective_from)?;
    if pending.old_price.cents >= list.cents || pending.old_price.currency != list.currency {
        return None;
    }
    Some(KeptPrice {
        list,
        kept: pending.old_price,
        until: pending.binds_from(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eur(c: i64) -> Money {
        Money::eur(c)
    }

    fn day(n: i64) -> Timestamp {
        Timestamp::from_second(1_800_000_000 + n * 86_400).unwrap()
    }

    fn notice(old: i64, new: i64, from: i64, sent: Option<i64>) -> PriceNotice {
        PriceNotice {
            old_price: eur(old),
            new_price: eur(new),
            effective_from: day(from),
            sent_at: sent.map(day),
        }
    }

    #[test]
    fn a_rise_binds_thirty_days_after_its_notice_and_not_before_it_is_in_force() {
        let n = [notice(1_000, 1_200, 10, Some(0))];
        assert_eq!(
            automatic_price(eur(1_200), &n, day(5)),
            None,
            "not in force: list is old"
        );
        let kept = automatic_price(eur(1_200), &n, day(12)).unwrap();
        assert_eq!((kept.kept, kept.until), (eur(1_000), Some(day(30))));
        assert_eq!(automatic_price(eur(1_200), &n, day(30)), None);
        // A version in force at once, noticed at once: 30 days.
        let now = [notice(1_000, 1_200, 0, Some(0))];
        assert_eq!(
            automatic_price(eur(1_200), &now, day(29)).unwrap().until,
            Some(day(30))
        );
    }

    #[test]
    fn an_unsent_notice_keeps_the_old_price_indefinitely() {
        let n = [notice(1_000, 1_200, 0, None)];
        let kept = automatic_price(eur(1_200), &n, day(400)).unwrap();
        assert_eq!((kept.kept, kept.until), (eur(1_000), None));
    }

    #[test]
    fn two_rises_keep_the_price_before_the_first_that_does_not_bind_and_a_fall_applies_at_once() {
        let n = [
            notice(1_000, 1_200, 0, Some(0)),
            notice(1_200, 1_500, 40, Some(35)),
        ];
        assert_eq!(
            automatic_price(eur(1_500), &n, day(50)).unwrap().kept,
            eur(1_200)
        );
        assert_eq!(automatic_price(eur(1_500), &n, day(65)), None);
        let early = [
            notice(1_000, 1_200, 0, None),
            notice(1_200, 1_500, 40, Some(35)),
        ];
        assert_eq!(
            automatic_price(eur(1_500), &early, day(70)).unwrap().kept,
            eur(1_000)
        );
        // The list price fell below what was kept: the lower price.
        assert_eq!(automatic_price(eur(900), &n, day(1)), None);
    }
}
