//! Calendar arithmetic in a brand's time zone.
//!
//! Periods in days and months follow the calendar where the brand is: adding one day keeps the
//! wall-clock time across a DST change, and adding a month to 31 January lands on the last day
//! of February. Everything takes the instant and the zone as parameters.

use jiff::{tz::TimeZone, Span, Timestamp};

use crate::error::DomainError;

/// Calendar days from the day of `from` to the day of `to`, in `tz` (negative when `to` is on
/// an earlier day): what "in N days" says, whatever the hours.
pub fn calendar_days(from: Timestamp, to: Timestamp, tz: &TimeZone) -> i32 {
    let from = from.to_zoned(tz.clone()).date();
    let to = to.to_zoned(tz.clone()).date();
    (to - from).get_days()
}

/// `start + days` calendar days in `tz`.
pub fn add_days(start: Timestamp, days: i64, tz: &TimeZone) -> Result<Timestamp, DomainError> {
    add(start, Span::new().try_days(days), tz)
}

/// `start + months` calendar months in `tz`; a day that does not exist in the target month is
/// clamped to the month's last day.
pub fn add_months(start: Timestamp, months: i64, tz: &TimeZone) -> Result<Timestamp, DomainError> {
    add(start, Span::new().try_months(months), tz)
}

fn add(
    start: Timestamp,
    span: Result<Span, jiff::Error>,
    tz: &TimeZone,
) -> Result<Timestamp, DomainError> {
    let span = span.map_err(|_| DomainError::TimeOutOfRange)?;
    start
        .to_zoned(tz.clone())
        .checked_add(span)
        .map(|z| z.timestamp())
        .map_err(|_| DomainError::TimeOutOfRange)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn brussels() -> TimeZone {
        TimeZone::get("Europe/Brussels").unwrap()
    }

    fn at(s: &str) -> Timestamp {
        s.parse::<jiff::Zoned>().unwrap().timestamp()
    }

    #[test]
    fn end_of_january_plus_a_month_is_end_of_february() {
        let tz = brussels();
        let start = at("2027-01-31T10:00[Europe/Brussels]");
        assert_eq!(
            add_months(start, 1, &tz).unwrap(),
            at("2027-02-28T10:00[Europe/Brussels]")
        );
        let leap = at("2028-01-31T10:00[Europe/Brussels]");
        assert_eq!(
            add_months(leap, 1, &tz).unwrap(),
            at("2028-02-29T10:00[Europe/Brussels]")
        );
    }

    #[test]
    fn a_day_keeps_the_wall_clock_across_dst() {
        let tz = brussels();
        // The night of 28 March 2027 has 23 hours in Brussels.
        let start = at("2027-03-27T12:00[Europe/Brussels]");
        let end = add_days(start, 1, &tz).unwrap();
        assert_eq!(end, at("2027-03-28T12:00[Europe/Brussels]"));
        assert_eq!(end.as_second() - start.as_second(), 23 * 3600);
        // ...and the night of 31 October 2027 has 25.
        let start = at("2027-10-30T12:00[Europe/Brussels]");
        let end = add_days(start, 1, &tz).unwrap();
        assert_eq!(end.as_second() - start.as_second(), 25 * 3600);
    }

    #[test]
    fn a_month_from_a_time_skipped_by_dst_lands_after_the_gap() {
        let tz = brussels();
        // 02:30 on 28 March 2027 does not exist in Brussels; starting from 02:30 on 28 February
        // the result is the instant just after the gap, never before the start.
        let start = at("2027-02-28T02:30[Europe/Brussels]");
        let end = add_months(start, 1, &tz).unwrap();
        assert!(end > start);
        assert_eq!(end, at("2027-03-28T03:30[Europe/Brussels]"));
    }
}
