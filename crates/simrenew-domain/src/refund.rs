//! What a refund does to the time an order bought.
//!
//! A refund of `refunded` out of `paid` takes back the same share of the order's time, but
//! never time already used: a full refund removes what is left of the order's bundles, a
//! partial one removes `total × refunded / paid` (or what is left, if less), from the end.
//! Bundles bought after the order, queued behind it, move earlier by the same amount, so the
//! line's queue keeps no gap, and the line's expiry and grace end move with them. A bundle
//! that loses part of its time loses the same share of its data allowance, never below what
//! was used of it.

use jiff::{SignedDuration, Timestamp};

use crate::bundle::Bundle;
use crate::catalog::DataAllowance;
use crate::error::DomainError;
use crate::ids::BundleId;

/// The new shape of a line's bundles after a refund.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shortening {
    /// The time taken back.
    pub cut: SignedDuration,
    /// Each changed bundle with its new window, or `None` when nothing of it is left.
    pub bundles: Vec<(BundleId, Option<(Timestamp, Timestamp)>)>,
    /// Each shortened bundle's smaller data allowance.
    pub allowances: Vec<(BundleId, DataAllowance)>,
    pub expires_at: Option<Timestamp>,
    pub grace_until: Option<Timestamp>,
}

/// `order` are the refunded order's bundles, `later` the line's bundles queued after them;
/// `expires_at` and `grace_until` are the line's.
pub fn shorten(
    order: &[Bundle],
    later: &[Bundle],
    expires_at: Option<Timestamp>,
    grace_until: Option<Timestamp>,
    refunded_cents: i64,
    paid_cents: i64,
    now: Timestamp,
) -> Result<Shortening, DomainError> {
    let secs =
        |later: Timestamp, earlier: Timestamp| later.duration_since(earlier).as_secs().max(0);
    let minus =
        |t: Timestamp, d: SignedDuration| t.checked_sub(d).map_err(|_| DomainError::TimeOutOfRange);
    let total: i64 = order.iter().map(|b| secs(b.ends_at, b.starts_at)).sum();
    let unused: i64 = order
        .iter()
        .map(|b| secs(b.ends_at, b.starts_at.max(now)))
        .sum();
    let share = if paid_cents <= 0 || refunded_cents >= paid_cents {
        total
    } else {
        // i128: seconds × cents does not overflow.
        (i128::from(total) * i128::from(refunded_cents) / i128::from(paid_cents)) as i64
    };
    let cut = share.min(unused).max(0);
    let mut left = cut;
    let mut bundles = vec![];
    let mut allowances = vec![];
    let mut ordered: Vec<&Bundle> = order.iter().collect();
    ordered.sort_by_key(|b| std::cmp::Reverse(b.ends_at));
    for b in ordered {
        if left == 0 {
            break;
        }
        let usable = secs(b.ends_at, b.starts_at.max(now));
        let take = usable.min(left);
        left -= take;
        if take == 0 {
            continue;
        }
        let end = minus(b.ends_at, SignedDuration::from_secs(take))?;
        let kept = end > b.starts_at;
        bundles.push((b.id, kept.then_some((b.starts_at, end))));
        if let (true, DataAllowance::Megabytes(mb)) = (kept, b.data) {
            let (old, new) = (secs(b.ends_at, b.starts_at), secs(end, b.starts_at));
            // i128: megabytes × seconds does not overflow.
            let share = (i128::from(mb) * i128::from(new) / i128::from(old.max(1))) as u64;
            let smaller = share.max(b.data_used_mb()).min(mb);
            if smaller != mb {
                allowances.push((b.id, DataAllowance::Megabytes(smaller)));
            }
        }
    }
    let cut = SignedDuration::from_secs(cut);
    if !cut.is_zero() {
        for b in later {
            bundles.push((
                b.id,
                Some((minus(b.starts_at, cut)?, minus(b.ends_at, cut)?)),
            ));
        }
    }
    Ok(Shortening {
        cut,
        bundles,
        allowances,
        expires_at: expires_at.map(|t| minus(t, cut)).transpose()?,
        grace_until: grace_until.map(|t| minus(t, cut)).transpose()?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::LineId;

    fn t(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn bundle(id: i64, start: &str, end: &str) -> Bundle {
        Bundle {
            id: BundleId(id),
            line_id: LineId(1),
            order_id: None,
            plan_code: "P".into(),
            data: DataAllowance::Megabytes(1_000),
            data_used_bytes: 0,
            starts_at: t(start),
            ends_at: t(end),
        }
    }

    #[test]
    fn a_full_refund_of_a_queued_bundle_removes_it_and_moves_what_follows() {
        let order = [bundle(2, "2027-01-25T00:00:00Z", "2027-02-24T00:00:00Z")];
        let later = [bundle(3, "2027-02-24T00:00:00Z", "2027-03-26T00:00:00Z")];
        let s = shorten(
            &order,
            &later,
            Some(t("2027-03-26T00:00:00Z")),
            Some(t("2027-04-02T00:00:00Z")),
            1000,
            1000,
            t("2027-01-15T00:00:00Z"),
        )
        .unwrap();
        assert_eq!(s.cut, SignedDuration::from_hours(30 * 24));
        assert_eq!(
            s.bundles,
            vec![
                (BundleId(2), None),
                (
                    BundleId(3),
                    Some((t("2027-01-25T00:00:00Z"), t("2027-02-24T00:00:00Z")))
                ),
            ]
        );
        assert_eq!(s.expires_at, Some(t("2027-02-24T00:00:00Z")));
        assert_eq!(s.grace_until, Some(t("2027-03-03T00:00:00Z")));
    }

    #[test]
    fn a_partial_refund_takes_its_share_from_the_end() {
        let order = [bundle(2, "2027-01-25T00:00:00Z", "2027-02-24T00:00:00Z")];
        let s = shorten(
            &order,
            &[],
            Some(t("2027-02-24T00:00:00Z")),
            None,
            500,
            1000,
            t("2027-01-15T00:00:00Z"),
        )
        .unwrap();
        assert_eq!(s.cut, SignedDuration::from_hours(15 * 24));
        assert_eq!(
            s.bundles,
            vec![(
                BundleId(2),
                Some((t("2027-01-25T00:00:00Z"), t("2027-02-09T00:00:00Z")))
            )]
        );
    }

    #[test]
    fn a_shortened_bundle_loses_the_same_share_of_its_data_but_not_what_was_used() {
        // 1,000 MB for 30 days, half refunded before it starts: 500 MB for 15 days.
        let order = [bundle(2, "2027-01-25T00:00:00Z", "2027-02-24T00:00:00Z")];
        let s = shorten(
            &order,
            &[],
            None,
            None,
            500,
            1000,
            t("2027-01-15T00:00:00Z"),
        )
        .unwrap();
        assert_eq!(
            s.allowances,
            vec![(BundleId(2), DataAllowance::Megabytes(500))]
        );
        // 900 MB already used: the allowance does not fall below it.
        let mut used = bundle(2, "2027-01-01T00:00:00Z", "2027-01-31T00:00:00Z");
        used.data_used_bytes = 900 * crate::bundle::BYTES_PER_MB;
        let s = shorten(
            &[used],
            &[],
            None,
            None,
            1000,
            1000,
            t("2027-01-11T00:00:00Z"),
        )
        .unwrap();
        assert_eq!(
            s.allowances,
            vec![(BundleId(2), DataAllowance::Megabytes(900))]
        );
        // Unlimited stays unlimited; a bundle removed whole needs no allowance.
        let mut unlimited = bundle(2, "2027-01-25T00:00:00Z", "2027-02-24T00:00:00Z");
        unlimited.data = DataAllowance::Unlimited;
        let s = shorten(
            &[unlimited],
            &[],
            None,
            None,
            500,
            1000,
            t("2027-01-15T00:00:00Z"),
        )
        .unwrap();
        assert!(s.allowances.is_empty());
        let s = shorten(
            &order,
            &[],
            None,
            None,
            1000,
            1000,
            t("2027-01-15T00:00:00Z"),
        )
        .unwrap();
        assert!(s.allowances.is_empty());
    }

    #[test]
    fn time_already_used_is_never_taken_back() {
        // 25 of 30 days used: a full refund takes the 5 days left.
        let order = [bundle(2, "2027-01-01T00:00:00Z", "2027-01-31T00:00:00Z")];
        let s = shorten(
            &order,
            &[],
            Some(t("2027-01-31T00:00:00Z")),
            None,
            1000,
            1000,
            t("2027-01-26T00:00:00Z"),
        )
        .unwrap();
        assert_eq!(s.cut, SignedDuration::from_hours(5 * 24));
        assert_eq!(
            s.bundles,
            vec![(
                BundleId(2),
                Some((t("2027-01-01T00:00:00Z"), t("2027-01-26T00:00:00Z")))
            )]
        );
        // All used: nothing to take back.
        let s = shorten(
            &order,
            &[],
            None,
            None,
            1000,
            1000,
            t("2027-02-01T00:00:00Z"),
        )
        .unwrap();
        assert!(s.cut.is_zero());
        assert!(s.bundles.is_empty());
    }

    #[test]
    fn several_periods_are_cut_from_the_last() {
        let order = [
            bundle(2, "2027-01-01T00:00:00Z", "2027-01-31T00:00:00Z"),
            bundle(3, "2027-01-31T00:00:00Z", "2027-03-02T00:00:00Z"),
        ];
        let s = shorten(
            &order,
            &[],
            None,
            None,
            750,
            1000,
            t("2027-01-01T00:00:00Z"),
        )
        .unwrap();
        assert_eq!(s.cut, SignedDuration::from_hours(45 * 24));
        assert_eq!(
            s.bundles,
            vec![
                (BundleId(3), None),
                (
                    BundleId(2),
                    Some((t("2027-01-01T00:00:00Z"), t("2027-01-16T00:00:00Z")))
                ),
            ]
        );
    }
}
