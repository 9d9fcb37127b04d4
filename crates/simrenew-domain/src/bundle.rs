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
    pub data_used_mb: u64,
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
}

impl Bundle {
    pub fn is_current(&self, now: Timestamp) -> bool {
        self.starts_at <= now && now < self.ends_at
    }

    /// `None` when the allowance is unlimited.
    pub fn data_left_mb(&self) -> Option<u64> {
        self.data
            .megabytes()
            .map(|mb| mb.saturating_sub(self.data_used_mb))
    }
}

/// Data left on a line at `now`, over the bundles running then: `None` when one of them is
/// unlimited.
pub fn data_left_mb(bundles: &[Bundle], now: Timestamp) -> Option<u64> {
    bundles
        .iter()
        .filter(|b| b.is_current(now))
        .try_fold(0u64, |sum, b| b.data_left_mb().map(|left| sum + left))
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
}
