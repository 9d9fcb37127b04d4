//! `simrenew lines show`.

use simrenew_domain::identifiers::Msisdn;
use simrenew_http::api::lines::{line_json, LineJson};

use crate::wiring;

pub async fn show_line(url: &str, msisdn: &str, json: bool) -> anyhow::Result<()> {
    let msisdn = Msisdn::parse(msisdn).map_err(|e| anyhow::anyhow!("{e}"))?;
    let app = wiring::app(wiring::open(url).await?);
    let details = app
        .line(&msisdn)
        .await
        .map_err(|e| anyhow::anyhow!("{msisdn}: {e}"))?;
    let line = line_json(&details, app.now());
    if json {
        println!("{}", serde_json::to_string_pretty(&line)?);
    } else {
        print!("{}", human(&line));
    }
    Ok(())
}

/// The line as a person reads it.
pub fn human(json: &LineJson) -> String {
    let l = &json.line;
    let mut out = String::new();
    let data = match json.data_left_mb {
        None => "unlimited".to_owned(),
        Some(mb) if mb >= 1000 => format!("{:.1} GB", mb as f64 / 1000.0),
        Some(mb) => format!("{mb} MB"),
    };
    out.push_str(&format!(
        "line        {} ({}, {})\n",
        l.msisdn, l.kind, l.brand
    ));
    out.push_str(&format!("state       {}\n", l.state));
    out.push_str(&format!(
        "expires     {}\n",
        l.expires_at.as_deref().unwrap_or("never renewed")
    ));
    if let Some(g) = &l.grace_until {
        out.push_str(&format!("lapses      {g} if not renewed\n"));
    }
    out.push_str(&format!("data left   {data}\n"));
    out.push_str(&format!(
        "credit      {}.{:02} {}\n",
        l.credit.amount_cents / 100,
        l.credit.amount_cents % 100,
        l.credit.currency
    ));
    if let Some(i) = &l.iccid {
        out.push_str(&format!("iccid       {i}\n"));
    }
    if let Some(e) = &l.eid {
        out.push_str(&format!("eid         {e}\n"));
    }
    if let Some(a) = &l.activation_code {
        out.push_str(&format!("activation  {a}\n"));
    }
    for b in &json.bundles {
        let size = b
            .data_mb
            .map_or("unlimited".to_owned(), |mb| match b.data_left_mb {
                Some(left) if left < mb => format!("{left} of {mb} MB left"),
                _ => format!("{mb} MB"),
            });
        out.push_str(&format!(
            "bundle      {:<8} {} {} → {} ({size})\n",
            b.status, b.plan, b.starts_at, b.ends_at
        ));
    }
    out
}
