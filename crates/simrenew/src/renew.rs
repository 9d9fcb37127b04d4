//! `simrenew renew`: buy and pay a plan for a line from the command line.

use clap::Args;
use simrenew_app::sales::payment::PaymentInstruction;
use simrenew_app::sales::renewal::PurchaseRequest;
use simrenew_domain::catalog::{parse_plan_code, Channel};
use simrenew_domain::identifiers::Msisdn;
use simrenew_domain::promotion::PromoCode;
use simrenew_domain::voucher::VoucherCode;
use simrenew_http::api::lines::line_json;

use crate::{output, wiring};

#[derive(Debug, Args)]
pub struct RenewArgs {
    /// The line's number, E.164 (+32470123456).
    #[arg(long)]
    pub line: String,
    /// Plan code (see GET /api/v1/plans).
    #[arg(long)]
    pub plan: String,
    /// Periods to buy.
    #[arg(long, default_value_t = 1, allow_negative_numbers = true)]
    pub periods: i64,
    #[arg(long)]
    pub promo: Option<String>,
    /// portal, store, partner or auto_renew.
    #[arg(long, default_value = "store")]
    pub channel: String,
    /// Pay with a voucher code instead of the line's credit.
    #[arg(long)]
    pub voucher: Option<String>,
    /// Print the line afterwards as the API's JSON.
    #[arg(long)]
    pub json: bool,
}

fn field(name: &str, e: impl std::fmt::Display) -> anyhow::Error {
    anyhow::anyhow!("--{name}: {e}")
}

pub async fn run(url: &str, a: RenewArgs) -> anyhow::Result<()> {
    let max = simrenew_domain::quote::MAX_PERIODS;
    let periods = u32::try_from(a.periods)
        .ok()
        .filter(|p| (1..=max).contains(p))
        .ok_or_else(|| field("periods", format!("must be between 1 and {max}")))?;
    let req = PurchaseRequest {
        msisdn: Msisdn::parse(&a.line).map_err(|e| field("line", e.reason))?,
        plan_code: parse_plan_code(&a.plan).map_err(|e| field("plan", e.reason))?,
        periods,
        channel: Channel::parse(&a.channel).map_err(|e| field("channel", e.reason))?,
        promo_code: a
            .promo
            .as_deref()
            .map(PromoCode::parse)
            .transpose()
            .map_err(|e| field("promo", e.reason))?,
    };
    let payment = match &a.voucher {
        Some(code) => PaymentInstruction::Voucher(
            VoucherCode::parse(code).map_err(|e| field("voucher", e.reason))?,
        ),
        None => PaymentInstruction::Credit,
    };
    let app = wiring::app_with_keys(wiring::open(url).await?)?;
    // The payment methods each brand offers per channel apply here too.
    crate::payments::install(&app)?;
    let receipt = app
        .renew(&req, &payment)
        .await
        .map_err(|e| anyhow::anyhow!("{}", describe(&e)))?;
    let details = app
        .line(&req.msisdn)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let line = line_json(&details, app.now());
    if a.json {
        println!("{}", serde_json::to_string_pretty(&line)?);
        return Ok(());
    }
    let q = &receipt.order.quote;
    println!(
        "order {} paid: {} × {}{} for {} (VAT {})",
        receipt.order.id,
        q.periods,
        q.plan_code,
        if q.free_periods > 0 {
            format!(" + {} free", q.free_periods)
        } else {
            String::new()
        },
        q.total,
        q.vat
    );
    for p in &q.promotions {
        println!("promotion   {}", p.name);
    }
    print!("{}", output::human(&line));
    Ok(())
}

/// An application error as one line naming the flag at fault.
pub fn describe(e: &simrenew_app::AppError) -> String {
    use simrenew_app::AppError;
    let flag = |f: &str| {
        match f {
            "msisdn" => "line",
            "promo_code" => "promo",
            "voucher_code" => "voucher",
            "payment" => "voucher",
            other => other,
        }
        .to_owned()
    };
    let (field, message) = match e {
        AppError::Domain(d) => (d.field().map(flag), d.to_string()),
        AppError::NotFound { what, field } => (field.map(flag), format!("no such {what}")),
        AppError::Conflict { field, message } => (field.map(flag), message.clone()),
        other => (None, other.to_string()),
    };
    match field {
        Some(f) => format!("--{f}: {message}"),
        None => message,
    }
}
