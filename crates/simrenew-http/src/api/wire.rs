//! Shapes shared by several resources, and the conversions from domain values.

use jiff::tz::TimeZone;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use simrenew_domain::money::Money;
use simrenew_domain::quote::Quote;
use utoipa::ToSchema;

/// An amount of money in the smallest unit of its currency.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct MoneyJson {
    #[schema(example = 1500)]
    pub amount_cents: i64,
    #[schema(example = "EUR")]
    pub currency: String,
}

impl MoneyJson {
    /// The amount as money, of at least `min_cents`; a refusal names `field` (or
    /// `field.currency`), never a database constraint.
    pub fn parse(&self, field: &str, min_cents: i64) -> Result<Money, crate::error::ApiError> {
        let currency = simrenew_domain::money::Currency::parse(&self.currency)
            .map_err(|e| crate::error::ApiError::invalid(&format!("{field}.currency"), e.reason))?;
        if self.amount_cents < min_cents {
            let what = if min_cents > 0 {
                "more than zero"
            } else {
                "zero or more"
            };
            return Err(crate::error::ApiError::invalid(
                field,
                format!("{field} must be {what}"),
            ));
        }
        Ok(Money::new(self.amount_cents, currency))
    }
}

impl From<Money> for MoneyJson {
    fn from(m: Money) -> Self {
        Self {
            amount_cents: m.cents,
            currency: m.currency.to_string(),
        }
    }
}

/// The brand a `?brand=CODE` filter names, among `brands`; 404 naming the field when unknown.
pub fn brand_filter(
    brands: &[simrenew_domain::brand::Brand],
    code: Option<&str>,
) -> Result<Option<simrenew_domain::ids::BrandId>, crate::error::ApiError> {
    let Some(code) = code else { return Ok(None) };
    let code = simrenew_domain::brand::parse_brand_code(code)
        .map_err(|e| crate::error::ApiError::invalid("brand", e.reason))?;
    brands
        .iter()
        .find(|b| b.code == code)
        .map(|b| Some(b.id))
        .ok_or_else(|| crate::error::ApiError::not_found("brand").with_field("brand"))
}

/// RFC 3339 with the offset of the brand's time zone at that instant.
pub fn rfc3339(t: Timestamp, tz: &TimeZone) -> String {
    t.display_with_offset(tz.to_offset(t)).to_string()
}

/// One line of a quote or receipt.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct QuoteLineJson {
    /// `plan`, `free_periods` or `discount`.
    pub kind: &'static str,
    pub description: String,
    pub quantity: u32,
    pub unit_price: MoneyJson,
    /// VAT included.
    pub amount: MoneyJson,
    /// The VAT inside `amount`.
    pub vat: MoneyJson,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AppliedPromotionJson {
    pub id: i64,
    pub name: String,
    pub code: Option<String>,
}

/// The priced part of a quote or order.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PricingJson {
    pub plan: String,
    /// Periods paid for.
    pub periods: u32,
    /// Periods given on top by promotions.
    pub free_periods: u32,
    /// VAT included.
    pub total: MoneyJson,
    pub vat: MoneyJson,
    /// Basis points: 2100 is 21 %.
    pub vat_rate_bp: u32,
    pub lines: Vec<QuoteLineJson>,
    /// The promotions applied: the best for the customer.
    pub promotions: Vec<AppliedPromotionJson>,
    /// Which price applies and why, when an automatic renewal keeps the price it had: the
    /// rise of the list price was not noticed 30 days before. Absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub price_kept: Option<KeptPriceJson>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct KeptPriceJson {
    /// The plan's price in the catalog in force.
    pub list_price: MoneyJson,
    /// The price this automatic renewal pays.
    pub kept_price: MoneyJson,
    /// From when the list price applies to the line's automatic renewals; null until the
    /// notice of the change has been sent.
    pub until: Option<String>,
    /// In words.
    pub reason: String,
}

impl From<&Quote> for PricingJson {
    fn from(q: &Quote) -> Self {
        Self {
            plan: q.plan_code.clone(),
            periods: q.periods,
            free_periods: q.free_periods,
            total: q.total.into(),
            vat: q.vat.into(),
            vat_rate_bp: q.vat_rate_bp,
            lines: q
                .lines
                .iter()
                .map(|l| QuoteLineJson {
                    kind: l.kind.as_str(),
                    description: l.description.clone(),
                    quantity: l.quantity,
                    unit_price: l.unit_price.into(),
                    amount: l.amount.into(),
                    vat: l.vat.into(),
                })
                .collect(),
            promotions: q
                .promotions
                .iter()
                .map(|p| AppliedPromotionJson {
                    id: p.id.0,
                    name: p.name.clone(),
                    code: p.code.clone(),
                })
                .collect(),
            price_kept: q.price_kept.as_ref().map(|k| KeptPriceJson {
                list_price: k.list.into(),
                kept_price: k.kept.into(),
                until: k.until.map(|t| t.to_string()),
                reason: match k.until {
                    Some(t) => format!(
                        "the list price rose; the line was sent notice and keeps its price until {t}, 30 days after the notice"
                    ),
                    None => "the list price rose; the line keeps its price until 30 days after a notice is sent".into(),
                },
            }),
        }
    }
}
