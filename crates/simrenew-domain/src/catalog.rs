//! Plans, add-ons and catalog versions.

use std::fmt;

use jiff::Timestamp;

use crate::ids::{BrandId, CatalogVersionId, PlanId};
use crate::money::Money;
use crate::parse::ParseError;

macro_rules! word_enum {
    ($(#[$doc:meta])* $name:ident, $field:literal { $($variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(&self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            pub fn parse(s: &str) -> Result<Self, $crate::parse::ParseError> {
                match s {
                    $($text => Ok($name::$variant),)+
                    _ => Err($crate::parse::ParseError::new(
                        $field,
                        format!("unknown value {s:?}; expected one of {}", [$($text),+].join(", ")),
                    )),
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
pub(crate) use word_enum;

word_enum!(
    /// The three kinds of line.
    LineKind, "kind" {
        PhysicalSim = "physical_sim",
        Esim = "esim",
        VirtualSim = "virtual_sim",
    }
);

word_enum!(
    /// Where a sale happens.
    Channel, "channel" {
        Portal = "portal",
        Store = "store",
        Partner = "partner",
        AutoRenew = "auto_renew",
    }
);

/// How much data a plan grants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataAllowance {
    Megabytes(u64),
    Unlimited,
}

impl DataAllowance {
    pub fn megabytes(&self) -> Option<u64> {
        match self {
            DataAllowance::Megabytes(mb) => Some(*mb),
            DataAllowance::Unlimited => None,
        }
    }
}

impl fmt::Display for DataAllowance {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DataAllowance::Unlimited => f.write_str("unlimited data"),
            DataAllowance::Megabytes(mb) if mb % 1000 == 0 => write!(f, "{} GB", mb / 1000),
            DataAllowance::Megabytes(mb) => write!(f, "{mb} MB"),
        }
    }
}

/// How long one period of a plan lasts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Validity {
    Days(u32),
    /// Calendar months in the brand's time zone.
    Months(u32),
    /// An add-on: lasts as long as the bundle running when it is bought.
    CurrentPeriod,
}

impl fmt::Display for Validity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Validity::Days(1) => f.write_str("1 day"),
            Validity::Days(n) => write!(f, "{n} days"),
            Validity::Months(1) => f.write_str("1 month"),
            Validity::Months(n) => write!(f, "{n} months"),
            Validity::CurrentPeriod => f.write_str("the current period"),
        }
    }
}

/// Something sellable in one catalog version of a brand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub id: PlanId,
    pub brand_id: BrandId,
    pub catalog_version_id: CatalogVersionId,
    /// Stable across catalog versions: the same code in a later version is the same product
    /// at a new price.
    pub code: String,
    pub name: String,
    pub data: DataAllowance,
    pub validity: Validity,
    /// Price of one period, VAT included.
    pub price: Money,
    pub line_kinds: Vec<LineKind>,
    pub channels: Vec<Channel>,
}

impl Plan {
    pub fn is_add_on(&self) -> bool {
        self.validity == Validity::CurrentPeriod
    }

    pub fn fits(&self, kind: LineKind) -> bool {
        self.line_kinds.contains(&kind)
    }

    pub fn sold_through(&self, channel: Channel) -> bool {
        self.channels.contains(&channel)
    }

    /// "5 GB · 30 days"
    pub fn summary(&self) -> String {
        if self.is_add_on() {
            format!("{} add-on", self.data)
        } else {
            format!("{} · {}", self.data, self.validity)
        }
    }
}

/// Plan codes are upper-case words such as `LUMO-5GB-30D`.
pub fn parse_plan_code(s: &str) -> Result<String, ParseError> {
    let code = s.trim().to_ascii_uppercase();
    if code.is_empty()
        || code.len() > 40
        || !code
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(ParseError::new(
            "plan",
            "must be a plan code of letters, digits, - and _ (at most 40)",
        ));
    }
    Ok(code)
}

/// The least notice a subscriber gets before a price or policy change bites
/// (EU electronic communications code, art. 105).
pub const MIN_NOTICE_DAYS: u32 = 30;

/// An immutable, dated snapshot of a brand's plans and prices.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogVersion {
    pub id: CatalogVersionId,
    pub brand_id: BrandId,
    pub version: u32,
    pub effective_from: Timestamp,
    pub published_at: Timestamp,
}

/// Where a catalog version stands at a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VersionStatus {
    InForce,
    Upcoming,
    Superseded,
}

impl VersionStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InForce => "in_force",
            Self::Upcoming => "upcoming",
            Self::Superseded => "superseded",
        }
    }
}

/// Where `v`, one of a brand's `versions`, stands at `now`.
pub fn version_status(
    versions: &[CatalogVersion],
    v: &CatalogVersion,
    now: Timestamp,
) -> VersionStatus {
    if version_in_force(versions, now).is_some_and(|f| f.id == v.id) {
        VersionStatus::InForce
    } else if v.effective_from > now {
        VersionStatus::Upcoming
    } else {
        VersionStatus::Superseded
    }
}

/// The version in force at `now`: the latest whose `effective_from` has passed.
pub fn version_in_force(versions: &[CatalogVersion], now: Timestamp) -> Option<&CatalogVersion> {
    versions
        .iter()
        .filter(|v| v.effective_from <= now)
        .max_by_key(|v| (v.effective_from, v.version))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_latest_effective_version_is_in_force() {
        let v = |version, from: i64| CatalogVersion {
            id: CatalogVersionId(version),
            brand_id: BrandId(1),
            version: version as u32,
            effective_from: Timestamp::from_second(from).unwrap(),
            published_at: Timestamp::from_second(0).unwrap(),
        };
        let versions = [v(1, 0), v(2, 100), v(3, 200)];
        let now = Timestamp::from_second(150).unwrap();
        assert_eq!(version_in_force(&versions, now).unwrap().version, 2);
        let before = Timestamp::from_second(-1).unwrap();
        assert!(version_in_force(&versions, before).is_none());
    }

    #[test]
    fn words_round_trip() {
        for kind in LineKind::ALL {
            assert_eq!(LineKind::parse(kind.as_str()).unwrap(), *kind);
        }
        let err = Channel::parse("shop").unwrap_err();
        assert_eq!(err.field, "channel");
        assert!(err.reason.contains("portal"));
    }

    #[test]
    fn plan_codes() {
        assert_eq!(parse_plan_code(" lumo-5gb-30d ").unwrap(), "LUMO-5GB-30D");
        assert!(parse_plan_code("").is_err());
        assert!(parse_plan_code("5 GB").is_err());
    }
}
