//! Rows to domain values and back.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use simrenew_app::StoreError;
use simrenew_domain::brand::{parse_time_zone, Brand};
use simrenew_domain::bundle::Bundle;
use simrenew_domain::catalog::{Channel, DataAllowance, LineKind, Plan, Validity};
use simrenew_domain::identifiers::{ActivationCode, Eid, Iccid, Msisdn};
use simrenew_domain::ids::*;
use simrenew_domain::line::{Line, LineIdentity, LineState};
use simrenew_domain::money::{Currency, Money};
use simrenew_domain::order::{Order, OrderState, Payment, PaymentMethod};
use simrenew_domain::promotion::{PromoCode, Promotion, PromotionRule};
use simrenew_domain::quote::{AppliedPromotion, Quote, QuoteLine, QuoteLineKind};
use simrenew_domain::reminder::QuietHours;
use simrenew_domain::voucher::{Voucher, VoucherValue};
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::error::corrupt;

type R<T> = Result<T, StoreError>;

pub(crate) fn get<'r, T>(row: &'r AnyRow, col: &str) -> R<T>
where
    T: sqlx::Decode<'r, sqlx::Any> + sqlx::Type<sqlx::Any>,
{
    row.try_get(col).map_err(|e| corrupt(col, e))
}

pub(crate) fn ts(seconds: i64) -> R<Timestamp> {
    Timestamp::from_second(seconds).map_err(|e| corrupt("instant", e))
}

pub(crate) fn opt_ts(seconds: Option<i64>) -> R<Option<Timestamp>> {
    seconds.map(ts).transpose()
}

pub(crate) fn u32_of(v: i64, what: &str) -> R<u32> {
    u32::try_from(v).map_err(|e| corrupt(what, e))
}

fn currency(row: &AnyRow, col: &str) -> R<Currency> {
    Currency::parse(&get::<String>(row, col)?).map_err(|e| corrupt(col, e))
}

/// Comma-separated words, as stored for sets such as a plan's channels.
pub(crate) fn words<T>(
    s: &str,
    parse: impl Fn(&str) -> Result<T, simrenew_domain::ParseError>,
) -> R<Vec<T>> {
    s.split(',')
        .filter(|w| !w.is_empty())
        .map(|w| parse(w).map_err(|e| corrupt("word list", e)))
        .collect()
}

pub(crate) fn join<T: std::fmt::Display>(items: &[T]) -> String {
    items
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

pub(crate) fn bool_of(row: &AnyRow, col: &str) -> R<bool> {
    // SQLite keeps booleans as integers; PostgreSQL as BOOLEAN.
    match row.try_get::<bool, _>(col) {
        Ok(b) => Ok(b),
        Err(_) => Ok(get::<i64>(row, col)? != 0),
    }
}

pub(crate) const BRAND_COLUMNS: &str = "id, code, name, time_zone, currency, vat_rate_bp, \
    grace_days, reminder_days, monthly_auto_debit_limit, portal_url, quiet_from_minute, \
    quiet_until_minute, number_retention_days";

pub(crate) fn brand(row: &AnyRow) -> R<Brand> {
    brand_prefixed(row, "")
}

/// A brand whose columns were selected as `{prefix}{column}`.
pub(crate) fn brand_prefixed(row: &AnyRow, prefix: &str) -> R<Brand> {
    let col = |c: &str| format!("{prefix}{c}");
    let reminder_days = get::<String>(row, &col("reminder_days"))?
        .split(',')
        .filter(|w| !w.is_empty())
        .map(|d| d.parse::<i32>().map_err(|e| corrupt("reminder_days", e)))
        .collect::<R<Vec<_>>>()?;
    Ok(Brand {
        id: BrandId(get(row, &col("id"))?),
        code: get(row, &col("code"))?,
        name: get(row, &col("name"))?,
        time_zone: parse_time_zone(&get::<String>(row, &col("time_zone"))?)
            .map_err(|e| corrupt("time_zone", e))?,
        currency: currency(row, &col("currency"))?,
        vat_rate_bp: u32_of(get(row, &col("vat_rate_bp"))?, "vat_rate_bp")?,
        grace_days: u32_of(get(row, &col("grace_days"))?, "grace_days")?,
        number_retention_days: u32_of(
            get(row, &col("number_retention_days"))?,
            "number_retention_days",
        )?,
        reminder_days,
        monthly_auto_debit_limit: u32_of(
            get(row, &col("monthly_auto_debit_limit"))?,
            "monthly_auto_debit_limit",
        )?,
        portal_url: get(row, &col("portal_url"))?,
        quiet_hours: QuietHours::from_minutes(
            get(row, &col("quiet_from_minute"))?,
            get(row, &col("quiet_until_minute"))?,
        )
        .map_err(|e| corrupt("quiet_hours", e))?,
    })
}

/// The brand's columns as `b_*`, for a join with `brands b`; read with [`brand_prefixed`].
pub(crate) const BRAND_COLUMNS_AS_B: &str = "b.id AS b_id, b.code AS b_code, \
    b.name AS b_name, b.time_zone AS b_time_zone, b.currency AS b_currency, \
    b.vat_rate_bp AS b_vat_rate_bp, b.grace_days AS b_grace_days, \
    b.reminder_days AS b_reminder_days, \
    b.monthly_auto_debit_limit AS b_monthly_auto_debit_limit, b.portal_url AS b_portal_url, \
    b.quiet_from_minute AS b_quiet_from_minute, b.quiet_until_minute AS b_quiet_until_minute, \
    b.number_retention_days AS b_number_retention_days";

pub(crate) const PLAN_COLUMNS: &str = "p.id, p.brand_id, p.catalog_version_id, p.code, p.name, \
    p.data_mb, p.validity_unit, p.validity_count, p.price_cents, p.currency, p.line_kinds, \
    p.channels";

/// A `catalog_versions` row (`id, brand_id, version, effective_from, published_at`).
pub(crate) fn catalog_version(row: &AnyRow) -> R<simrenew_domain::catalog::CatalogVersion> {
    Ok(simrenew_domain::catalog::CatalogVersion {
        id: simrenew_domain::ids::CatalogVersionId(get(row, "id")?),
        brand_id: simrenew_domain::ids::BrandId(get(row, "brand_id")?),
        version: u32_of(get(row, "version")?, "version")?,
        effective_from: ts(get(row, "effective_from")?)?,
        published_at: ts(get(row, "published_at")?)?,
    })
}

pub(crate) fn plan(row: &AnyRow) -> R<Plan> {
    let count = u32_of(get(row, "validity_count")?, "validity_count")?;
    let validity = match get::<String>(row, "validity_unit")?.as_str() {
        "days" => Validity::Days(count),
        "months" => Validity::Months(count),
        "current_period" => Validity::CurrentPeriod,
        other => return Err(corrupt("validity_unit", other)),
    };
    let data = match get::<Option<i64>>(row, "data_mb")? {
        Some(mb) => DataAllowance::Megabytes(u64::try_from(mb).map_err(|e| corrupt("data_mb", e))?),
        None => DataAllowance::Unlimited,
    };
    Ok(Plan {
        id: PlanId(get(row, "id")?),
        brand_id: BrandId(get(row, "brand_id")?),
        catalog_version_id: CatalogVersionId(get(row, "catalog_version_id")?),
        code: get(row, "code")?,
        name: get(row, "name")?,
        data,
        validity,
        price: Money::new(get(row, "price_cents")?, currency(row, "currency")?),
        line_kinds: words(&get::<String>(row, "line_kinds")?, LineKind::parse)?,
        channels: words(&get::<String>(row, "channels")?, Channel::parse)?,
    })
}

pub(crate) fn validity_parts(v: Validity) -> (&'static str, i64) {
    match v {
        Validity::Days(d) => ("days", i64::from(d)),
        Validity::Months(m) => ("months", i64::from(m)),
        Validity::CurrentPeriod => ("current_period", 1),
    }
}

pub(crate) const LINE_COLUMNS: &str = "l.id, l.brand_id, l.subscriber_id, l.msisdn, l.kind, \
    l.iccid, l.eid, l.activation_code, l.state, l.expires_at, l.grace_until, l.credit_cents, \
    l.currency, l.auto_renew";

pub(crate) fn line(row: &AnyRow) -> R<Line> {
    let kind = LineKind::parse(&get::<String>(row, "kind")?).map_err(|e| corrupt("kind", e))?;
    let iccid = get::<Option<String>>(row, "iccid")?
        .map(|s| Iccid::parse(&s))
        .transpose()
        .map_err(|e| corrupt("iccid", e))?;
    let eid = get::<Option<String>>(row, "eid")?
        .map(|s| Eid::parse(&s))
        .transpose()
        .map_err(|e| corrupt("eid", e))?;
    let activation_code = get::<Option<String>>(row, "activation_code")?
        .map(|s| ActivationCode::parse(&s))
        .transpose()
        .map_err(|e| corrupt("activation_code", e))?;
    Ok(Line {
        id: LineId(get(row, "id")?),
        brand_id: BrandId(get(row, "brand_id")?),
        subscriber_id: get::<Option<i64>>(row, "subscriber_id")?.map(SubscriberId),
        msisdn: Msisdn::parse(&get::<String>(row, "msisdn")?).map_err(|e| corrupt("msisdn", e))?,
        identity: LineIdentity::from_parts(kind, iccid, eid, activation_code)
            .map_err(|e| corrupt("line identity", e))?,
        stored_state: LineState::parse(&get::<String>(row, "state")?)
            .map_err(|e| corrupt("state", e))?,
        expires_at: opt_ts(get(row, "expires_at")?)?,
        grace_until: opt_ts(get(row, "grace_until")?)?,
        credit: Money::new(get(row, "credit_cents")?, currency(row, "currency")?),
        auto_renew: bool_of(row, "auto_renew")?,
    })
}

pub(crate) const BUNDLE_COLUMNS: &str =
    "id, line_id, order_id, plan_code, data_mb, data_used_bytes, starts_at, ends_at";

pub(crate) fn bundle(row: &AnyRow) -> R<Bundle> {
    let data = match get::<Option<i64>>(row, "data_mb")? {
        Some(mb) => DataAllowance::Megabytes(u64::try_from(mb).map_err(|e| corrupt("data_mb", e))?),
        None => DataAllowance::Unlimited,
    };
    Ok(Bundle {
        id: BundleId(get(row, "id")?),
        line_id: LineId(get(row, "line_id")?),
        order_id: get::<Option<i64>>(row, "order_id")?.map(OrderId),
        plan_code: get(row, "plan_code")?,
        data,
        data_used_bytes: u64::try_from(get::<i64>(row, "data_used_bytes")?)
            .map_err(|e| corrupt("data_used_bytes", e))?,
        starts_at: ts(get(row, "starts_at")?)?,
        ends_at: ts(get(row, "ends_at")?)?,
    })
}

pub(crate) const PROMOTION_COLUMNS: &str = "p.id, p.brand_id, p.name, p.code, p.rule, \
    p.buy_periods, p.free_periods, p.percent_bp, p.amount_cents, p.first_renewal_only, \
    p.plan_codes, p.channels, p.valid_from, p.valid_until, p.per_customer_limit, \
    p.global_limit, p.stackable";

pub(crate) fn promotion(row: &AnyRow, currency: Currency) -> R<Promotion> {
    let n = |col: &str| -> R<u32> {
        u32_of(
            get::<Option<i64>>(row, col)?.ok_or_else(|| corrupt(col, "missing"))?,
            col,
        )
    };
    let rule = match get::<String>(row, "rule")?.as_str() {
        "period_bonus" => PromotionRule::PeriodBonus {
            buy: n("buy_periods")?,
            free: n("free_periods")?,
        },
        "percent_off" => PromotionRule::PercentOff {
            percent_bp: n("percent_bp")?,
        },
        "amount_off" => PromotionRule::AmountOff {
            amount: Money::new(
                get::<Option<i64>>(row, "amount_cents")?
                    .ok_or_else(|| corrupt("amount_cents", "missing"))?,
                currency,
            ),
        },
        other => return Err(corrupt("rule", other)),
    };
    let limit = |col: &str| -> R<Option<u32>> {
        get::<Option<i64>>(row, col)?
            .map(|v| u32_of(v, col))
            .transpose()
    };
    Ok(Promotion {
        id: PromotionId(get(row, "id")?),
        brand_id: BrandId(get(row, "brand_id")?),
        name: get(row, "name")?,
        code: get::<Option<String>>(row, "code")?
            .map(|c| PromoCode::parse(&c))
            .transpose()
            .map_err(|e| corrupt("code", e))?,
        rule,
        first_renewal_only: bool_of(row, "first_renewal_only")?,
        plan_codes: words(&get::<String>(row, "plan_codes")?, |s| Ok(s.to_owned()))?,
        channels: words(&get::<String>(row, "channels")?, Channel::parse)?,
        valid_from: ts(get(row, "valid_from")?)?,
        valid_until: opt_ts(get(row, "valid_until")?)?,
        per_customer_limit: limit("per_customer_limit")?,
        global_limit: limit("global_limit")?,
        stackable: bool_of(row, "stackable")?,
    })
}

pub(crate) const ORDER_COLUMNS: &str =
    "id, brand_id, line_id, plan_id, channel, state, quote, created_at, paid_at, placed_by";

pub(crate) fn order(row: &AnyRow) -> R<Order> {
    Ok(Order {
        id: OrderId(get(row, "id")?),
        brand_id: BrandId(get(row, "brand_id")?),
        line_id: LineId(get(row, "line_id")?),
        plan_id: PlanId(get(row, "plan_id")?),
        channel: Channel::parse(&get::<String>(row, "channel")?)
            .map_err(|e| corrupt("channel", e))?,
        state: OrderState::parse(&get::<String>(row, "state")?).map_err(|e| corrupt("state", e))?,
        quote: decode_quote(&get::<String>(row, "quote")?)?,
        created_at: ts(get(row, "created_at")?)?,
        paid_at: opt_ts(get(row, "paid_at")?)?,
        placed_by: get(row, "placed_by")?,
    })
}

pub(crate) fn payment(row: &AnyRow) -> R<Payment> {
    Ok(Payment {
        id: PaymentId(get(row, "id")?),
        order_id: OrderId(get(row, "order_id")?),
        method: PaymentMethod::parse(&get::<String>(row, "method")?)
            .map_err(|e| corrupt("method", e))?,
        amount: Money::new(get(row, "amount_cents")?, currency(row, "currency")?),
        voucher_id: get::<Option<i64>>(row, "voucher_id")?.map(VoucherId),
        created_at: ts(get(row, "created_at")?)?,
    })
}

pub(crate) fn voucher(row: &AnyRow) -> R<Voucher> {
    let value = match (
        get::<Option<i64>>(row, "value_cents")?,
        get::<Option<String>>(row, "plan_code")?,
    ) {
        (Some(cents), None) => VoucherValue::Credit(Money::new(cents, currency(row, "currency")?)),
        (None, Some(plan)) => VoucherValue::Plan(plan),
        _ => return Err(corrupt("voucher value", "neither credit nor plan")),
    };
    let redeemed = match (
        get::<Option<i64>>(row, "redeemed_line_id")?,
        get::<Option<i64>>(row, "redeemed_at")?,
    ) {
        (Some(line), Some(at)) => Some((LineId(line), ts(at)?)),
        _ => None,
    };
    Ok(Voucher {
        id: VoucherId(get(row, "id")?),
        brand_id: BrandId(get(row, "brand_id")?),
        batch_id: VoucherBatchId(get(row, "batch_id")?),
        value,
        expires_at: opt_ts(get(row, "expires_at")?)?,
        redeemed,
    })
}

/// A quote as kept in `quotes.quote` and `orders.quote`: JSON, so that an order keeps the
/// exact lines it was sold with whatever the catalog does later.
#[derive(Serialize, Deserialize)]
struct QuoteJson {
    plan_code: String,
    periods: u32,
    free_periods: u32,
    currency: String,
    total_cents: i64,
    vat_cents: i64,
    vat_rate_bp: u32,
    lines: Vec<QuoteLineJson>,
    promotions: Vec<PromotionJson>,
    /// An automatic renewal's kept price (absent in quotes stored before it existed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    price_kept: Option<KeptPriceJson>,
}

#[derive(Serialize, Deserialize)]
struct KeptPriceJson {
    list_cents: i64,
    kept_cents: i64,
    until: Option<i64>,
}

#[derive(Serialize, Deserialize)]
struct QuoteLineJson {
    kind: String,
    description: String,
    quantity: u32,
    unit_price_cents: i64,
    amount_cents: i64,
    vat_cents: i64,
}

#[derive(Serialize, Deserialize)]
struct PromotionJson {
    id: i64,
    name: String,
    code: Option<String>,
}

pub(crate) fn encode_quote(q: &Quote) -> R<String> {
    let json = QuoteJson {
        plan_code: q.plan_code.clone(),
        periods: q.periods,
        free_periods: q.free_periods,
        currency: q.total.currency.to_string(),
        total_cents: q.total.cents,
        vat_cents: q.vat.cents,
        vat_rate_bp: q.vat_rate_bp,
        lines: q
            .lines
            .iter()
            .map(|l| QuoteLineJson {
                kind: l.kind.as_str().to_owned(),
                description: l.description.clone(),
                quantity: l.quantity,
                unit_price_cents: l.unit_price.cents,
                amount_cents: l.amount.cents,
                vat_cents: l.vat.cents,
            })
            .collect(),
        promotions: q
            .promotions
            .iter()
            .map(|p| PromotionJson {
                id: p.id.0,
                name: p.name.clone(),
                code: p.code.clone(),
            })
            .collect(),
        price_kept: q.price_kept.as_ref().map(|k| KeptPriceJson {
            list_cents: k.list.cents,
            kept_cents: k.kept.cents,
            until: k.until.map(|t| t.as_second()),
        }),
    };
    serde_json::to_string(&json).map_err(|e| StoreError::Internal(e.to_string()))
}

pub(crate) fn decode_quote(s: &str) -> R<Quote> {
    let j: QuoteJson = serde_json::from_str(s).map_err(|e| corrupt("quote", e))?;
    let cur = Currency::parse(&j.currency).map_err(|e| corrupt("quote currency", e))?;
    let lines = j
        .lines
        .into_iter()
        .map(|l| {
            let kind = match l.kind.as_str() {
                "plan" => QuoteLineKind::Plan,
                "free_periods" => QuoteLineKind::FreePeriods,
                "discount" => QuoteLineKind::Discount,
                other => return Err(corrupt("quote line kind", other)),
            };
            Ok(QuoteLine {
                kind,
                description: l.description,
                quantity: l.quantity,
                unit_price: Money::new(l.unit_price_cents, cur),
                amount: Money::new(l.amount_cents, cur),
                vat: Money::new(l.vat_cents, cur),
            })
        })
        .collect::<R<Vec<_>>>()?;
    Ok(Quote {
        plan_code: j.plan_code,
        periods: j.periods,
        free_periods: j.free_periods,
        lines,
        total: Money::new(j.total_cents, cur),
        vat: Money::new(j.vat_cents, cur),
        vat_rate_bp: j.vat_rate_bp,
        promotions: j
            .promotions
            .into_iter()
            .map(|p| AppliedPromotion {
                id: PromotionId(p.id),
                name: p.name,
                code: p.code,
            })
            .collect(),
        price_kept: match j.price_kept {
            None => None,
            Some(k) => Some(simrenew_domain::price_notice::KeptPrice {
                list: Money::new(k.list_cents, cur),
                kept: Money::new(k.kept_cents, cur),
                until: k.until.map(ts).transpose()?,
            }),
        },
    })
}

/// For `n` pairs bound as (id, value) from `$from` on: the arms of `CASE id ... END`
/// (`WHEN $from THEN $from+1 ...`) and the ids' list for `IN (...)`, to set each row its own
/// value in one `UPDATE`.
pub(crate) fn case_by_id(from: usize, n: usize) -> (String, String) {
    let cases = (0..n)
        .map(|i| format!("WHEN ${} THEN ${}", from + 2 * i, from + 2 * i + 1))
        .collect::<Vec<_>>()
        .join(" ");
    let ids = (0..n)
        .map(|i| format!("${}", from + 2 * i))
        .collect::<Vec<_>>()
        .join(", ");
    (cases, ids)
}

/// `$from, $from+1, ...`: `n` bound values in a statement's `IN (...)` or `VALUES (...)`.
pub(crate) fn placeholders(from: usize, n: usize) -> String {
    (from..from + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}
