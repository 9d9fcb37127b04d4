//! What pages show of lines, quotes and orders: values already formatted in the page's
//! language, so that templates only place them.

use simrenew_app::sales::ports::LineDetails;
use simrenew_domain::catalog::{LineKind, Plan};
use simrenew_domain::line::LineState;
use simrenew_domain::order::PaymentMethod;
use simrenew_domain::quote::{Quote, QuoteLineKind};

use super::page::Page;

/// Data left in the bundle running now, as a gauge.
#[derive(Debug, Clone)]
pub struct Gauge {
    pub left_mb: u64,
    pub total_mb: u64,
    /// "3.2 GB left of 5 GB"
    pub text: String,
    /// Under a fifth left.
    pub low: bool,
}

#[derive(Debug, Clone)]
pub struct LineView {
    pub msisdn: String,
    pub kind: &'static str,
    pub kind_label: String,
    /// `active`, `grace`, `lapsed`, `suspended`, `pending_identification`, or `syncing` while
    /// a renewal waits for the network.
    pub state: &'static str,
    pub state_label: String,
    pub iccid: Option<String>,
    pub plan_name: Option<String>,
    pub gauge: Option<Gauge>,
    /// For a running bundle without a data limit.
    pub unlimited: bool,
    pub credit: String,
    pub expiry: Option<String>,
    /// "12 days left", "expired 3 days ago".
    pub days_left: Option<String>,
    /// When a line in grace lapses.
    pub grace_until: Option<String>,
    pub renewable: bool,
    /// eSIM only: whether the profile is on a device yet (known by its EID).
    pub esim_install: Option<String>,
    /// The page of a new eSIM sold here: its QR code and install.
    pub esim_page: Option<String>,
    pub auto_renew: String,
}

/// The name of a plan code among `plans`, else the code itself.
pub fn plan_name(plans: &[Plan], code: &str) -> String {
    plans
        .iter()
        .find(|p| p.code == code)
        .map_or_else(|| code.to_owned(), |p| p.name.clone())
}

pub fn kind_label(page: &Page, kind: LineKind) -> String {
    page.t(&format!("kind-{}", kind.as_str()))
}

pub fn line_view(page: &Page, d: &LineDetails, plans: &[Plan], syncing: bool) -> LineView {
    let line = &d.line;
    let now = page.now;
    let state = line.state_at(now);
    let current = d.bundles.iter().find(|b| b.is_current(now));
    let state_word = match state {
        LineState::Active | LineState::Grace if syncing => "syncing",
        s => s.as_str(),
    };
    let gauge = current.and_then(|b| {
        let total = b.data.megabytes()?;
        let left = b.data_left_mb().unwrap_or(0);
        Some(Gauge {
            left_mb: left,
            total_mb: total,
            text: page.t2(
                "line-data-left",
                "left",
                &page.megabytes(left),
                "total",
                &page.megabytes(total),
            ),
            low: left * 5 < total,
        })
    });
    let days_left = line.expires_at.map(|e| {
        let days = page.days_until(e);
        if e > now {
            page.tn("line-days-left", "days", days.max(0))
        } else {
            page.tn("line-expired-days-ago", "days", (-days).max(0))
        }
    });
    LineView {
        msisdn: line.msisdn.to_string(),
        kind: line.kind().as_str(),
        kind_label: kind_label(page, line.kind()),
        state: state_word,
        state_label: page.t(&format!("state-{state_word}")),
        iccid: line.identity.iccid().map(ToString::to_string),
        plan_name: current.map(|b| plan_name(plans, &b.plan_code)),
        unlimited: current.is_some_and(|b| b.data.megabytes().is_none()),
        gauge,
        credit: page.money(line.credit),
        expiry: line.expires_at.map(|e| page.date(e)),
        days_left,
        grace_until: (state == LineState::Grace)
            .then_some(line.grace_until)
            .flatten()
            .map(|g| page.date(g)),
        renewable: matches!(state, LineState::Active | LineState::Grace),
        esim_page: None,
        esim_install: (line.kind() == LineKind::Esim).then(|| {
            page.t(if line.identity.eid().is_some() {
                "esim-installed"
            } else {
                "esim-not-installed"
            })
        }),
        auto_renew: page.t(if line.auto_renew {
            "auto-renew-on"
        } else {
            "auto-renew-off"
        }),
    }
}

/// One line of a quote or receipt.
#[derive(Debug, Clone)]
pub struct PriceLine {
    pub label: String,
    pub amount: String,
    pub vat: String,
}

/// A quote or an order's price, with its VAT.
#[derive(Debug, Clone)]
pub struct PriceView {
    pub plan_name: String,
    /// "3 periods of 30 days" or "3 months".
    pub periods: String,
    pub lines: Vec<PriceLine>,
    pub promotions: Vec<String>,
    pub total: String,
    pub vat: String,
    /// "21 %"
    pub vat_rate: String,
}

pub fn price_view(page: &Page, q: &Quote, plans: &[Plan]) -> PriceView {
    let name = plan_name(plans, &q.plan_code);
    let plan = plans.iter().find(|p| p.code == q.plan_code);
    let promo_names = q
        .promotions
        .iter()
        .map(|p| p.name.clone())
        .collect::<Vec<_>>()
        .join(", ");
    let lines = q
        .lines
        .iter()
        .map(|l| PriceLine {
            label: match l.kind {
                QuoteLineKind::Plan => page.with(
                    "price-line-plan",
                    &[
                        ("plan", name.as_str().into()),
                        ("count", i64::from(l.quantity).into()),
                    ],
                ),
                QuoteLineKind::FreePeriods => page.with(
                    "price-line-free",
                    &[
                        ("count", i64::from(l.quantity).into()),
                        ("promotion", promo_names.as_str().into()),
                    ],
                ),
                QuoteLineKind::Discount => {
                    page.t1("price-line-discount", "promotion", &promo_names)
                }
            },
            amount: page.money(l.amount),
            vat: page.money(l.vat),
        })
        .collect();
    PriceView {
        periods: period_text(page, plan, q.total_periods()),
        plan_name: name,
        lines,
        promotions: q.promotions.iter().map(|p| p.name.clone()).collect(),
        total: page.money(q.total),
        vat: page.money(q.vat),
        vat_rate: percent(page, q.vat_rate_bp),
    }
}

/// How long `periods` of `plan` last: "2 × 30 days", "3 months".
pub fn period_text(page: &Page, plan: Option<&Plan>, periods: u32) -> String {
    use simrenew_domain::catalog::Validity;
    let n = i64::from(periods);
    match plan.map(|p| p.validity) {
        Some(Validity::Days(d)) => page.with(
            "periods-days",
            &[("count", n.into()), ("days", i64::from(d).into())],
        ),
        Some(Validity::Months(m)) => page.tn("periods-months", "months", n * i64::from(m)),
        Some(Validity::CurrentPeriod) => page.t("periods-add-on"),
        None => page.tn("periods-count", "count", n),
    }
}

/// Basis points as a percentage: `2100` is "21 %".
pub fn percent(page: &Page, bp: u32) -> String {
    let whole = bp / 100;
    let frac = bp % 100;
    let number = if frac == 0 {
        whole.to_string()
    } else {
        let sep = if matches!(page.lang, simrenew_i18n::Lang::En | simrenew_i18n::Lang::Zh) {
            "."
        } else {
            ","
        };
        format!("{whole}{sep}{frac:02}")
    };
    page.t1("percent", "value", &number)
}

/// A plan as a choice on the renewal form.
#[derive(Debug, Clone)]
pub struct PlanChoice {
    pub code: String,
    pub name: String,
    /// "5 GB · 30 days"
    pub summary: String,
    pub price: String,
    pub add_on: bool,
}

pub fn plan_choice(page: &Page, p: &Plan) -> PlanChoice {
    use simrenew_domain::catalog::{DataAllowance, Validity};
    let data = match p.data {
        DataAllowance::Megabytes(mb) => page.megabytes(mb),
        DataAllowance::Unlimited => page.t("data-unlimited"),
    };
    let validity = match p.validity {
        Validity::Days(d) => page.tn("validity-days", "days", i64::from(d)),
        Validity::Months(m) => page.tn("validity-months", "months", i64::from(m)),
        Validity::CurrentPeriod => page.t("validity-add-on"),
    };
    PlanChoice {
        code: p.code.clone(),
        name: p.name.clone(),
        summary: page.t2("plan-summary", "data", &data, "validity", &validity),
        price: page.money(p.price),
        add_on: p.is_add_on(),
    }
}

/// A payment method as a choice.
#[derive(Debug, Clone)]
pub struct MethodChoice {
    pub method: &'static str,
    pub label: String,
    pub hint: String,
}

pub fn method_choice(page: &Page, m: PaymentMethod, credit: Option<&str>) -> MethodChoice {
    let hint = match (m, credit) {
        (PaymentMethod::Credit, Some(c)) => page.t1("pay-credit-hint", "credit", c),
        (PaymentMethod::Card, _) => page.t("pay-card-hint"),
        (PaymentMethod::Paypal, _) => page.t("pay-paypal-hint"),
        (PaymentMethod::Voucher, _) => page.t("pay-voucher-hint"),
        (PaymentMethod::Cash, _) => page.t("pay-cash-hint"),
        (PaymentMethod::CardTerminal, _) => page.t("pay-card-terminal-hint"),
        _ => String::new(),
    };
    MethodChoice {
        method: m.as_str(),
        label: page.t(&format!("method-{}", m.as_str())),
        hint,
    }
}

/// What a line's view says of a new eSIM sold here: its stage in a person's words, and its page.
pub fn with_esim(
    view: &mut LineView,
    page: &Page,
    profile: Option<&simrenew_app::esims::ports::EsimProfile>,
) {
    if let Some(p) = profile {
        let stage = p.stage();
        view.esim_install = Some(page.t(&format!("esim-stage-{}", stage.as_str())));
        view.esim_page = Some(super::esims::esim_href(page, p.msisdn.as_str()));
    }
}
