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
    /// Days before expiry on which a reminder goes out; 0 is the day of expiry and negative
    /// values are days in grace.
    pub reminder_days: Vec<i32>,
    /// Automatic charges allowed per line per calendar month.
    pub monthly_auto_debit_limit: u32,
    /// The only address reminders link to.
    pub portal_url: String,
}

impl Brand {
    /// The IANA name of the brand's time zone.
    pub fn time_zone_name(&self) -> &str {
        self.time_zone.iana_name().unwrap_or("UTC")
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
