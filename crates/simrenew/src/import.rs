//! `simrenew import lines FILE.csv`: all rows or none, unless `--skip-bad` is given.

use std::collections::HashMap;
use std::path::Path;

use anyhow::{bail, Context};
use indicatif::{ProgressBar, ProgressStyle};
use simrenew_app::sales::lines::RejectedRow;
use simrenew_app::sales::ports::NewLine;
use simrenew_domain::brand::parse_brand_code;
use simrenew_domain::catalog::LineKind;
use simrenew_domain::identifiers::{ActivationCode, Eid, Iccid, Msisdn};
use simrenew_domain::line::{LineIdentity, LineState};
use simrenew_domain::money::Money;
use simrenew_domain::ParseError;

use crate::wiring;

const REQUIRED: [&str; 3] = ["msisdn", "brand", "kind"];
const OPTIONAL: [&str; 5] = ["iccid", "eid", "activation_code", "state", "credit_cents"];

pub async fn lines(url: &str, file: &Path, skip_bad: Option<&Path>) -> anyhow::Result<()> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(false)
        .from_path(file)
        .with_context(|| format!("opening {}", file.display()))?;
    let headers = reader.headers()?.clone();
    let column: HashMap<&str, usize> = headers.iter().enumerate().map(|(i, h)| (h, i)).collect();
    for required in REQUIRED {
        if !column.contains_key(required) {
            bail!(
                "{}: the header has no column {required:?} (required: {}; optional: {})",
                file.display(),
                REQUIRED.join(", "),
                OPTIONAL.join(", ")
            );
        }
    }
    if let Some(unknown) = headers
        .iter()
        .find(|h| !REQUIRED.contains(h) && !OPTIONAL.contains(h))
    {
        bail!("{}: unknown column {unknown:?}", file.display());
    }

    let app = wiring::app(wiring::open(url).await?);
    let brands = app.brands().await?;
    let mut rows = vec![];
    let mut rejected = vec![];
    for record in reader.records() {
        let record = record.with_context(|| format!("reading {}", file.display()))?;
        let line_no = record.position().map_or(0, |p| p.line() as usize);
        let get = |name: &str| -> Option<&str> {
            column
                .get(name)
                .and_then(|i| record.get(*i))
                .filter(|v| !v.is_empty())
        };
        let parsed = (|| -> Result<NewLine, ParseError> {
            let brand_code = parse_brand_code(get("brand").unwrap_or_default())?;
            let brand = brands
                .iter()
                .find(|b| b.code == brand_code)
                .ok_or_else(|| ParseError::new("brand", format!("no brand {brand_code:?}")))?;
            let kind = LineKind::parse(get("kind").unwrap_or_default())?;
            let identity = LineIdentity::from_parts(
                kind,
                get("iccid").map(Iccid::parse).transpose()?,
                get("eid").map(Eid::parse).transpose()?,
                get("activation_code")
                    .map(ActivationCode::parse)
                    .transpose()?,
            )?;
            let state = get("state")
                .map(LineState::parse)
                .transpose()?
                .unwrap_or(LineState::PendingIdentification);
            if !matches!(
                state,
                LineState::PendingIdentification | LineState::Suspended
            ) {
                return Err(ParseError::new(
                    "state",
                    "an imported line is pending_identification or suspended; it becomes \
                     active with its first renewal",
                ));
            }
            let credit = match get("credit_cents") {
                Some(c) => c.parse::<i64>().ok().filter(|c| *c >= 0).ok_or_else(|| {
                    ParseError::new("credit_cents", "must be a whole number of cents, 0 or more")
                })?,
                None => 0,
            };
            Ok(NewLine {
                brand_id: brand.id,
                subscriber_id: None,
                msisdn: Msisdn::parse(get("msisdn").unwrap_or_default())?,
                identity,
                state,
                expires_at: None,
                grace_until: None,
                credit: Money::new(credit, brand.currency),
            })
        })();
        match parsed {
            Ok(line) => rows.push((line_no, line)),
            Err(e) => rejected.push(RejectedRow {
                row: line_no,
                field: e.field,
                reason: e.reason,
            }),
        }
    }
    if !rejected.is_empty() && skip_bad.is_none() {
        report(&rejected);
        bail!(
            "{} of {} rows are bad; nothing was imported (fix them, or pass --skip-bad REJECTS.csv)",
            rejected.len(),
            rejected.len() + rows.len()
        );
    }

    let bar = ProgressBar::new(rows.len() as u64);
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} lines {elapsed}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let (imported, clashes) = app
        .import_lines(&rows, skip_bad.is_some(), |n| bar.set_position(n as u64))
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    bar.finish_and_clear();
    rejected.extend(clashes);
    rejected.sort_by_key(|r| r.row);
    match skip_bad {
        None if !rejected.is_empty() => {
            report(&rejected);
            bail!(
                "{} rows clash with existing lines; nothing was imported",
                rejected.len()
            );
        }
        None => {}
        Some(path) => {
            let mut w = csv::Writer::from_path(path)
                .with_context(|| format!("writing {}", path.display()))?;
            w.write_record(["line", "field", "reason"])?;
            for r in &rejected {
                w.write_record([r.row.to_string().as_str(), r.field, r.reason.as_str()])?;
            }
            w.flush()?;
            if !rejected.is_empty() {
                eprintln!(
                    "{} rejected rows written to {}",
                    rejected.len(),
                    path.display()
                );
            }
        }
    }
    println!("imported {imported} lines from {}", file.display());
    Ok(())
}

fn report(rejected: &[RejectedRow]) {
    for r in rejected.iter().take(20) {
        eprintln!("line {} ({}): {}", r.row, r.field, r.reason);
    }
    if rejected.len() > 20 {
        eprintln!("... and {} more", rejected.len() - 20);
    }
}
