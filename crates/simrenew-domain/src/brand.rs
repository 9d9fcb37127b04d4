//! The operator or sub-brand a line belongs to.

use jiff::tz::TimeZone;

use crate::ids::BrandId;
use crate::money::Currency;
use crate::parse::ParseError;

#[derive(Debug, Clone, PartialEq)]
pub struct Brand {
    pub id: BrandId,
    /// Short lower-case name used in URLs and on the command line (`lumo`).
    pub code: String,
    pub name: String,
    pub time_zone: TimeZone,
    pub currency: Currency,
    /// VAT rate in basis points (2 100 = 21 %).
    pub vat_rate_bp: u32,
    /// Days a line stays in grace after its expiry before it lapses.
    pub grace_days: u32,
    /// Days a lapsed line keeps its number before the number is released, to the network and
    /// to the brand's pool for a new line.
    pub number_retention_days: u32,
    /// Days before expiry on which a reminder goes out; 0 is the day of expiry and negative
    /// values are days in grace.
    pub reminder_days: Vec<i32>,
    /// Automatic charges allowed per line per calendar month.
    pub monthly_auto_debit_limit: u32,
    /// The only address reminders link to.
    pub portal_url: String,
    /// When no reminder goes out by SMS.
    pub quiet_hours: crate::reminder::QuietHours,
}

impl Brand {
    /// The IANA name of the brand's time zone.
    pub fn time_zone_name(&self) -> &str {
        self.time_zone.iana_name().unwrap_or("UTC")
    }

    /// The start of the calendar month `now` falls in, in the brand's zone: where the monthly
    /// auto-debit limit counts from.
    pub fn month_start(&self, now: jiff::Timestamp) -> jiff::Timestamp {
        now.to_zoned(self.time_zone.clone())
            .first_of_month()
            .and_then(|d| d.start_of_day())
            .map(|d| d.timestamp())
            .unwrap_or(now)
    }
}

pub fn parse_time_zone(name: &str) -> Result<TimeZone, ParseError> {
    TimeZone::get(name).map_err(|_| {
        ParseError::new(
            "time_zone",
            format!("unknown time zone {name:?}; use an IANA name such as Europe/Brussels"),
        )
    })
}

/// Brand codes are short lower-case words: letters, digits and `-`.
pub fn parse_brand_code(s: &str) -> Result<String, ParseError> {
    let code = s.trim().to_ascii_lowercase();
    if code.is_empty()
        || code.len() > 32
        || !code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    {
        return Err(ParseError::new(
            "brand",
            "must be a brand code of letters, digits and - (at most 32)",
        ));
    }
    Ok(code)
}

#[cfg(test)]
mod month_tests {
    use super::*;

    fn brand() -> Brand {
        Brand {
            id: BrandId(1),
            code: "b".into(),
            name: "B".into(),
            time_zone: parse_time_zone("Europe/Brussels").unwrap(),
            currency: Currency::EUR,
            vat_rate_bp: 2100,
            grace_days: 7,
            number_retention_days: 90,
            reminder_days: vec![],
            monthly_auto_debit_limit: 4,
            portal_url: String::new(),
            quiet_hours: Default::default(),
        }
    }

    #[test]
    fn the_month_starts_at_midnight_in_the_brands_zone() {
        let b = brand();
        let at = |s: &str| s.parse::<jiff::Timestamp>().unwrap();
        // 1 March 00:30 in Brussels is still February in UTC.
        assert_eq!(
            b.month_start(at("2027-02-28T23:30:00Z")),
            at("2027-02-28T23:00:00Z")
        );
        assert_eq!(
            b.month_start(at("2027-02-28T22:30:00Z")),
            at("2027-01-31T23:00:00Z")
        );
        // Summer time: midnight on 1 July is 22:00 UTC.
        assert_eq!(
            b.month_start(at("2027-07-15T12:00:00Z")),
            at("2027-06-30T22:00:00Z")
        );
    }
}
