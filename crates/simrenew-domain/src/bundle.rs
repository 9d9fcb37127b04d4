//! Bundles and expiry stacking.
//!
//! Renewing early never loses days: the new bundle starts when the last one ends,
//! `max(now, current_expiry)`, and lasts the plan's validity times the periods bought, counted
//! on the calendar of the brand's time zone.

use jiff::Timestamp;

use crate::brand::Brand;
use crate::catalog::{DataAllowance, Validity};
use crate::error::DomainError;
use crate::ids::{BundleId, LineId, OrderId};
use crate::time::{add_days, add_months};

/// Allowance and validity window granted by a renewal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bundle {
    pub id: BundleId,
    pub line_id: LineId,
    pub order_id: Option<OrderId>,
    pub plan_code: String,
    pub data: DataAllowance,
    /// Bytes the network reported used from this bundle (usage records, in order of expiry).
    pub data_used_bytes: u64,
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
}

impl Bundle {
    pub fn is_current(&self, now: Timestamp) -> bool {
        self.starts_at <= now && now < self.ends_at
    }

    /// The allowance in bytes; `None` when it is unlimited.
    pub fn data_bytes(&self) -> Option<u64> {
        self.data
            .megabytes()
            .map(|mb| mb.saturating_mul(BYTES_PER_MB))
    }

    /// `None` when the allowance is unlimited.
    pub fn data_left_bytes(&self) -> Option<u64> {
        self.data_bytes()
            .map(|total| total.saturating_sub(self.data_used_bytes))
    }

    /// Whole megabytes left, rounded down: a subscriber is never shown more than they have.
    pub fn data_left_mb(&self) -> Option<u64> {
        self.data_left_bytes().map(|left| left / BYTES_PER_MB)
    }

    /// Megabytes used, rounded up (a megabyte begun counts as used).
    pub fn data_used_mb(&self) -> u64 {
        self.data_used_bytes.div_ceil(BYTES_PER_MB)
    }
}

/// A megabyte, as networks count it: 10^6 bytes.
pub const BYTES_PER_MB: u64 = 1_000_000;

/// Data left on a line at `now`, over the bundles running then: `None` when one of them is
/// unlimited.
pub fn data_left_bytes(bundles: &[Bundle], now: Timestamp) -> Option<u64> {
    bundles
        .iter()
        .filter(|b| b.is_current(now))
        .try_fold(0u64, |sum, b| b.data_left_bytes().map(|left| sum + left))
}

/// [`data_left_bytes`] in whole megabytes, rounded down.
pub fn data_left_mb(bundles: &[Bundle], now: Timestamp) -> Option<u64> {
    data_left_bytes(bundles, now).map(|left| left / BYTES_PER_MB)
}

/// Where a newly bought bundle sits, and what it does to the line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Extension {
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
    /// The line's expiry afterwards.
    pub expires_at: Timestamp,
    /// When the line lapses if it is not renewed again.
    pub grace_until: Timestamp,
}

/// Places `periods` periods of `validity` after the line's `current_expiry`, or from `now` when
/// the line has no time left.
pub fn extend(
    current_expiry: Option<Timestamp>,
    now: Timestamp,
    validity: Validity,
    periods: u32,
    brand: &Brand,
) -> Result<Extension, DomainError> {
    let tz = &brand.time_zone;
    let starts_at = current_expiry.map_or(now, |e| e.max(now));
    // Several periods are counted from the start in one step, so that 3 × 1 month from
    // 31 January ends on 30 April, not on 28 April.
    let ends_at = match validity {
        Validity::Days(d) => add_days(starts_at, i64::from(d) * i64::from(periods), tz)?,
        Validity::Months(m) => add_months(starts_at, i64::from(m) * i64::from(periods), tz)?,
        Validity::CurrentPeriod => return add_on(current_expiry, now, periods, brand),
    };
    Ok(Extension {
        starts_at,
        ends_at,
        expires_at: ends_at,
        grace_until: add_days(ends_at, i64::from(brand.grace_days), tz)?,
    })
}

/// Splits an extension into one window per period, each bounded by `starts_at + k × validity`
/// counted from the start (so that month ends do not drift), for a queue of one bundle per
/// period. An add-on is a single window.
pub fn period_windows(
    ext: &Extension,
    validity: Validity,
    periods: u32,
    brand: &Brand,
) -> Result<Vec<(Timestamp, Timestamp)>, DomainError> {
    let tz = &brand.time_zone;
    let bound = |k: u32| -> Result<Timestamp, DomainError> {
        match validity {
            Validity::Days(d) => add_days(ext.starts_at, i64::from(d) * i64::from(k), tz),
            Validity::Months(m) => add_months(ext.starts_at, i64::from(m) * i64::from(k), tz),
            Validity::CurrentPeriod => Ok(if k == 0 { ext.starts_at } else { ext.ends_at }),
        }
    };
    let count = if validity == Validity::CurrentPeriod {
        1
    } else {
        periods
    };
    let mut windows = Vec::with_capacity(count as usize);
    let mut start = ext.starts_at;
    for k in 1..=count {
        let end = if k == count { ext.ends_at } else { bound(k)? };
        windows.push((start, end));
        start = end;
    }
    Ok(windows)
}

/// An add-on adds data inside the running period and leaves the expiry alone.
fn add_on(
    current_expiry: Option<Timestamp>,
    now: Timestamp,
    periods: u32,
    brand: &Brand,
) -> Result<Extension, DomainError> {
    let expiry = current_expiry
        .filter(|e| *e > now)
        .ok_or(DomainError::AddOnWithoutBundle)?;
    if periods != 1 {
        return Err(DomainError::AddOnPeriods);
    }
    Ok(Extension {
        starts_at: now,
        ends_at: expiry,
        expires_at: expiry,
        grace_until: add_days(expiry, i64::from(brand.grace_days), &brand.time_zone)?,
    })
}

/// Where the bytes of one usage record went.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Debit {
    /// Bytes taken from each limited bundle, by its index in the slice given.
    pub taken: Vec<(usize, u64)>,
    /// Bytes an unlimited bundle absorbed: counted, not debited.
    pub unlimited: u64,
    /// Bytes no bundle covered: the line had nothing left, or no bundle ran then.
    pub uncovered: u64,
}

/// Debits `bytes` used between `start` and `end` from the bundles that ran then (a bundle
/// runs from its start to just before its end), the one that ends first first, each down to
/// zero; an unlimited bundle takes all that reaches it. `bundles` are one line's, and their
/// `data_used_bytes` are moved.
pub fn debit(bundles: &mut [Bundle], start: Timestamp, end: Timestamp, bytes: u64) -> Debit {
    let mut order: Vec<usize> = (0..bundles.len())
        .filter(|&i| bundles[i].starts_at <= end && start < bundles[i].ends_at)
        .collect();
    order.sort_by_key(|&i| (bundles[i].ends_at, bundles[i].id));
    let mut left = bytes;
    let mut debit = Debit::default();
    for i in order {
        if left == 0 {
            break;
        }
        let b = &mut bundles[i];
        match b.data_left_bytes() {
            None => {
                debit.unlimited = left;
                left = 0;
            }
            Some(room) if room > 0 => {
                let take = room.min(left);
                b.data_used_bytes += take;
                debit.taken.push((i, take));
                left -= take;
            }
            Some(_) => {}
        }
    }
    debit.uncovered = left;
    debit
}

/// The share of a bundle's allowance used, in whole percent rounded down (`None` when
/// unlimited or empty).
pub fn percent_used(b: &Bundle) -> Option<u64> {
    let total = b.data_bytes().filter(|t| *t > 0)?;
    Some((u128::from(b.data_used_bytes.min(total)) * 100 / u128::from(total)) as u64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::BrandId;
    use crate::money::Currency;
    use jiff::tz::TimeZone;
    use proptest::prelude::*;

    fn brand() -> Brand {
        Brand {
            id: BrandId(1),
            code: "lumo".into(),
            name: "Lumo".into(),
            time_zone: TimeZone::get("Europe/Brussels").unwrap(),
            currency: Currency::EUR,
            vat_rate_bp: 2100,
            grace_days: 7,
            number_retention_days: 90,
            reminder_days: vec![7, 1],
            monthly_auto_debit_limit: 2,
            portal_url: "https://lumo.example".into(),
            quiet_hours: Default::default(),
        }
    }

    fn at(s: &str) -> Timestamp {
        s.parse::<jiff::Zoned>().unwrap().timestamp()
    }

    #[test]
    fn early_renewal_starts_at_the_current_expiry() {
        let b = brand();
        let now = at("2027-01-10T09:00[Europe/Brussels]");
        let expiry = at("2027-01-20T18:30[Europe/Brussels]");
        let ext = extend(Some(expiry), now, Validity::Days(30), 1, &b).unwrap();
        assert_eq!(ext.starts_at, expiry);
        assert_eq!(ext.ends_at, at("2027-02-19T18:30[Europe/Brussels]"));
        assert_eq!(ext.grace_until, at("2027-02-26T18:30[Europe/Brussels]"));
    }

    #[test]
    fn late_renewal_starts_now() {
        let b = brand();
        let now = at("2027-01-10T09:00[Europe/Brussels]");
        let expiry = at("2027-01-05T09:00[Europe/Brussels]");
        let ext = extend(Some(expiry), now, Validity::Months(1), 1, &b).unwrap();
        assert_eq!(ext.starts_at, now);
        assert_eq!(ext.ends_at, at("2027-02-10T09:00[Europe/Brussels]"));
    }

    #[test]
    fn months_are_counted_from_the_start_in_one_step() {
        let b = brand();
        let start = at("2027-01-31T12:00[Europe/Brussels]");
        let ext = extend(Some(start), start, Validity::Months(1), 3, &b).unwrap();
        assert_eq!(ext.ends_at, at("2027-04-30T12:00[Europe/Brussels]"));
        let one = extend(Some(start), start, Validity::Months(1), 1, &b).unwrap();
        assert_eq!(one.ends_at, at("2027-02-28T12:00[Europe/Brussels]"));
    }

    #[test]
    fn add_on_keeps_the_expiry() {
        let b = brand();
        let now = at("2027-01-10T09:00[Europe/Brussels]");
        let expiry = at("2027-01-20T09:00[Europe/Brussels]");
        let ext = extend(Some(expiry), now, Validity::CurrentPeriod, 1, &b).unwrap();
        assert_eq!((ext.starts_at, ext.ends_at), (now, expiry));
        assert_eq!(
            extend(None, now, Validity::CurrentPeriod, 1, &b),
            Err(DomainError::AddOnWithoutBundle)
        );
        assert_eq!(
            extend(Some(expiry), now, Validity::CurrentPeriod, 2, &b),
            Err(DomainError::AddOnPeriods)
        );
    }

    #[test]
    fn periods_become_a_queue_of_windows() {
        let b = brand();
        let start = at("2027-01-31T12:00[Europe/Brussels]");
        let ext = extend(None, start, Validity::Months(1), 3, &b).unwrap();
        let w = period_windows(&ext, Validity::Months(1), 3, &b).unwrap();
        assert_eq!(
            w,
            vec![
                (start, at("2027-02-28T12:00[Europe/Brussels]")),
                (
                    at("2027-02-28T12:00[Europe/Brussels]"),
                    at("2027-03-31T12:00[Europe/Brussels]")
                ),
                (
                    at("2027-03-31T12:00[Europe/Brussels]"),
                    at("2027-04-30T12:00[Europe/Brussels]")
                ),
            ]
        );
    }

    fn validity() -> impl Strategy<Value = Validity> {
        prop_oneof![
            (1u32..=30).prop_map(Validity::Days),
            (1u32..=12).prop_map(Validity::Months),
        ]
    }

    proptest! {
        /// Renewals at random instants, in random order of being early or late: the bundles
        /// they make never overlap (no day sold twice) and, when a renewal comes before the
        /// expiry, start exactly where the previous one ended (no day lost).
        #[test]
        fn random_renewals_never_lose_or_duplicate_a_day(
            start in 1_700_000_000i64..1_900_000_000,
            steps in proptest::collection::vec((0i64..90 * 86_400, validity(), 1u32..4), 1..25),
        ) {
            let b = brand();
            let mut now = Timestamp::from_second(start).unwrap();
            let mut expiry: Option<Timestamp> = None;
            let mut bundles: Vec<(Timestamp, Timestamp)> = vec![];
            for (wait, validity, periods) in steps {
                now = now.checked_add(jiff::SignedDuration::from_secs(wait)).unwrap();
                let ext = extend(expiry, now, validity, periods, &b).unwrap();
                prop_assert!(ext.ends_at > ext.starts_at);
                prop_assert!(ext.starts_at >= now);
                match expiry {
                    Some(e) if e > now => prop_assert_eq!(ext.starts_at, e),
                    _ => prop_assert_eq!(ext.starts_at, now),
                }
                if let Some(&(_, last_end)) = bundles.last() {
                    prop_assert!(ext.starts_at >= last_end, "bundles overlap");
                }
                bundles.push((ext.starts_at, ext.ends_at));
                expiry = Some(ext.expires_at);
            }
            // Every bundle that was bought before the previous one ended is glued to it.
            for pair in bundles.windows(2) {
                prop_assert!(pair[1].0 >= pair[0].1);
            }
        }

        /// A period of calendar days in Brussels is whole days of wall-clock time, whatever
        /// the DST changes inside it.
        #[test]
        fn day_periods_keep_the_wall_clock(start in 1_700_000_000i64..1_900_000_000, days in 1u32..400) {
            let b = brand();
            let now = Timestamp::from_second(start).unwrap();
            let ext = extend(None, now, Validity::Days(days), 1, &b).unwrap();
            let s = ext.starts_at.to_zoned(b.time_zone.clone());
            let e = ext.ends_at.to_zoned(b.time_zone.clone());
            // Times that fall into a DST gap move forward by the gap; otherwise equal.
            if s.time() == e.time() {
                prop_assert_eq!(e.date(), s.date().checked_add(jiff::Span::new().days(days)).unwrap());
            } else {
                prop_assert!(e.time() > s.time());
            }
            let hours = (ext.ends_at.as_second() - ext.starts_at.as_second()) as f64 / 3600.0;
            prop_assert!((hours - 24.0 * f64::from(days)).abs() <= 1.0);
        }

        /// Adding months never goes backwards and lands on the same day of the month, or on
        /// the month's last day when that day does not exist.
        #[test]
        fn month_periods_follow_the_calendar(start in 1_700_000_000i64..1_900_000_000, months in 1u32..=24) {
            let b = brand();
            let now = Timestamp::from_second(start).unwrap();
            let ext = extend(None, now, Validity::Months(months), 1, &b).unwrap();
            let s = ext.starts_at.to_zoned(b.time_zone.clone());
            let e = ext.ends_at.to_zoned(b.time_zone.clone());
            prop_assert!(ext.ends_at > ext.starts_at);
            let month_index = |z: &jiff::Zoned| i32::from(z.year()) * 12 + i32::from(z.month()) - 1;
            prop_assert_eq!(month_index(&e) - month_index(&s), months as i32);
            let wanted_day = s.day().min(e.days_in_month());
            prop_assert_eq!(e.day(), wanted_day);
        }
    }

    fn used(id: i64, data: DataAllowance, used: u64, start: &str, end: &str) -> Bundle {
        Bundle {
            id: BundleId(id),
            line_id: LineId(1),
            order_id: None,
            plan_code: "P".into(),
            data,
            data_used_bytes: used,
            starts_at: start.parse().unwrap(),
            ends_at: end.parse().unwrap(),
        }
    }

    #[test]
    fn usage_is_debited_from_the_bundle_that_ends_first_then_the_next() {
        let mut bundles = vec![
            used(
                2,
                DataAllowance::Megabytes(1),
                0,
                "2027-02-01T00:00:00Z",
                "2027-03-01T00:00:00Z",
            ),
            used(
                1,
                DataAllowance::Megabytes(1),
                400_000,
                "2027-01-01T00:00:00Z",
                "2027-02-01T00:00:00Z",
            ),
            used(
                3,
                DataAllowance::Megabytes(1),
                0,
                "2027-03-01T00:00:00Z",
                "2027-04-01T00:00:00Z",
            ),
        ];
        // From 31 January to 1 February: both the first bundles ran.
        let d = debit(
            &mut bundles,
            "2027-01-31T23:50:00Z".parse().unwrap(),
            "2027-02-01T00:10:00Z".parse().unwrap(),
            2_000_000,
        );
        assert_eq!(d.taken, vec![(1, 600_000), (0, 1_000_000)]);
        assert_eq!((d.unlimited, d.uncovered), (0, 400_000));
        assert_eq!(bundles[1].data_left_bytes(), Some(0));
        assert_eq!(bundles[0].data_left_mb(), Some(0));
        assert_eq!(
            bundles[2].data_used_bytes, 0,
            "a bundle not yet begun is untouched"
        );
        assert_eq!(percent_used(&bundles[1]), Some(100));
    }

    #[test]
    fn an_unlimited_bundle_counts_without_debiting_and_megabytes_round_down() {
        let mut bundles = vec![
            used(
                1,
                DataAllowance::Unlimited,
                0,
                "2027-01-01T00:00:00Z",
                "2027-02-01T00:00:00Z",
            ),
            used(
                2,
                DataAllowance::Megabytes(5),
                0,
                "2027-01-01T00:00:00Z",
                "2027-03-01T00:00:00Z",
            ),
        ];
        let at: Timestamp = "2027-01-10T00:00:00Z".parse().unwrap();
        let d = debit(&mut bundles, at, at, 123);
        assert_eq!(
            (d.taken.clone(), d.unlimited, d.uncovered),
            (vec![], 123, 0)
        );
        let d = debit(&mut bundles[1..], at, at, 1);
        assert_eq!(d.taken, vec![(0, 1)]);
        assert_eq!(
            bundles[1].data_left_mb(),
            Some(4),
            "4.999999 MB left shows as 4"
        );
        assert_eq!(bundles[1].data_used_mb(), 1);
        assert_eq!(percent_used(&bundles[1]), Some(0));
        let nothing_ran = debit(
            &mut bundles,
            "2026-01-01T00:00:00Z".parse().unwrap(),
            "2026-01-02T00:00:00Z".parse().unwrap(),
            9,
        );
        assert_eq!(nothing_ran.uncovered, 9);
    }
}
