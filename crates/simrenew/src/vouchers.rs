//! `simrenew vouchers generate`.

use std::path::PathBuf;

use anyhow::{bail, Context};
use clap::Args;
use simrenew_domain::catalog::parse_plan_code;
use simrenew_domain::money::Money;
use simrenew_domain::voucher::VoucherValue;
use simrenew_domain::Timestamp;

use crate::wiring;

#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// Brand code.
    #[arg(long)]
    pub brand: String,
    /// How many codes.
    #[arg(long)]
    pub count: u32,
    /// Credit value in cents of the brand's currency.
    #[arg(long, conflicts_with = "plan")]
    pub credit_cents: Option<i64>,
    /// Plan code the voucher buys (one period).
    #[arg(long)]
    pub plan: Option<String>,
    /// Batch name, as printed on the shop's delivery note.
    #[arg(long, default_value = "batch")]
    pub name: String,
    /// Last instant of validity, RFC 3339 (2027-12-31T23:59:59+01:00).
    #[arg(long)]
    pub expires: Option<String>,
    /// Write the codes here (one a line) instead of standard output.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

pub async fn generate(url: &str, a: GenerateArgs) -> anyhow::Result<()> {
    let app = wiring::app(wiring::open(url).await?);
    let brand = app
        .brand(&a.brand.to_ascii_lowercase())
        .await
        .map_err(|_| anyhow::anyhow!("--brand: no brand {:?}", a.brand))?;
    let value = match (a.credit_cents, &a.plan) {
        (Some(c), None) if c > 0 => VoucherValue::Credit(Money::new(c, brand.currency)),
        (Some(_), None) => bail!("--credit-cents: must be more than 0"),
        (None, Some(p)) => VoucherValue::Plan(
            parse_plan_code(p).map_err(|e| anyhow::anyhow!("--plan: {}", e.reason))?,
        ),
        _ => bail!("give --credit-cents or --plan"),
    };
    let expires = a
        .expires
        .as_deref()
        .map(|s| {
            s.parse::<Timestamp>()
                .map_err(|e| anyhow::anyhow!("--expires: {e}"))
        })
        .transpose()?;
    let (batch, codes) = app
        .generate_vouchers(&brand.code, &a.name, a.count, &value, expires)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let text: String = codes.iter().map(|c| format!("{c}\n")).collect();
    match &a.out {
        Some(path) => {
            std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))?;
            eprintln!(
                "batch {batch}: {} codes written to {}",
                codes.len(),
                path.display()
            );
        }
        None => print!("{text}"),
    }
    Ok(())
}
