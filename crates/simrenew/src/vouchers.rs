//! `simrenew vouchers generate`: a batch written once to a new CSV file, the only place its
//! codes are shown (the database keeps their keyed hashes).

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use clap::Args;
use simrenew_domain::catalog::parse_plan_code;
use simrenew_domain::ids::VoucherBatchId;
use simrenew_domain::money::Money;
use simrenew_domain::voucher::{VoucherCode, VoucherValue};
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
    /// Last instant of validity, RFC 3339 (2027-12-31T23:59:59+01:00); in the future.
    #[arg(long)]
    pub expires: Option<String>,
    /// The CSV file to write the codes to: a new file (an existing one is never overwritten),
    /// readable by its owner only.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

pub async fn generate(url: &str, a: GenerateArgs) -> anyhow::Result<()> {
    let Some(out) = &a.out else {
        bail!("--out: name the new CSV file the codes go to; they are shown nowhere else");
    };
    if out.exists() {
        bail!(
            "--out: {} exists; a batch is written to a new file only",
            out.display()
        );
    }
    let app = wiring::app_with_keys(wiring::open(url).await?)?;
    if wiring::voucher_key()?.is_none() {
        bail!("SIMRENEW_VOUCHER_KEY (or SIMRENEW_VOUCHER_KEY_FILE) must be set: only keyed hashes of the codes are kept");
    }
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
    // The file is made first, so that no batch exists whose codes could not be written.
    let mut file = new_private_file(out)?;
    let generated = app
        .generate_vouchers(&brand.code, &a.name, a.count, &value, expires)
        .await;
    let (batch, codes) = match generated {
        Ok(done) => done,
        Err(e) => {
            drop(file);
            let _ = std::fs::remove_file(out);
            return Err(match e {
                simrenew_app::AppError::Conflict {
                    field: Some("expires_at"),
                    message,
                } => anyhow::anyhow!("--expires: {message}"),
                simrenew_app::AppError::Conflict {
                    field: Some(f),
                    message,
                } => anyhow::anyhow!("--{}: {message}", f.replace('_', "-")),
                other => anyhow::anyhow!("{other}"),
            });
        }
    };
    file.write_all(&batch_csv(&brand.code, batch, &value, expires, &codes)?)
        .and_then(|()| file.sync_all())
        .with_context(|| format!("writing {}", out.display()))?;
    eprintln!(
        "batch {batch}: {} codes written to {} (shown there only)",
        codes.len(),
        out.display()
    );
    Ok(())
}

/// A file that did not exist, readable and writable by its owner only.
pub fn new_private_file(path: &Path) -> anyhow::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::AlreadyExists => anyhow::anyhow!(
            "--out: {} exists; a batch is written to a new file only",
            path.display()
        ),
        _ => anyhow::anyhow!("--out: cannot create {}: {e}", path.display()),
    })
}

/// A batch as CSV: `code,brand,batch,credit_cents,currency,plan,expires_at`, the code as
/// printed (`XXXX-XXXX-XXXX-XXXX`).
pub fn batch_csv(
    brand: &str,
    batch: VoucherBatchId,
    value: &VoucherValue,
    expires: Option<Timestamp>,
    codes: &[VoucherCode],
) -> anyhow::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(vec![]);
    w.write_record([
        "code",
        "brand",
        "batch",
        "credit_cents",
        "currency",
        "plan",
        "expires_at",
    ])?;
    let (cents, currency, plan) = match value {
        VoucherValue::Credit(m) => (m.cents.to_string(), m.currency.to_string(), String::new()),
        VoucherValue::Plan(p) => (String::new(), String::new(), p.clone()),
    };
    let expires = expires.map(|t| t.to_string()).unwrap_or_default();
    for code in codes {
        w.write_record([
            code.to_string(),
            brand.to_owned(),
            batch.to_string(),
            cents.clone(),
            currency.clone(),
            plan.clone(),
            expires.clone(),
        ])?;
    }
    Ok(w.into_inner()?)
}
