//! Finds and enqueues one instant's due work through the store calls `simrenew worker` makes,
//! in the worker's batch sizes, and prints how long each took: `bench/due.sh` sets it beside
//! the bare SQL that selects the same rows.
//!
//! ```sh
//! cargo run --release -p simrenew --example due_work -- DATABASE_URL INSTANT PHASE
//! ```
//!
//! PHASE is `renewals` (lines claimed for automatic renewal), `lifecycle` (lines moved to grace
//! and lapsed, with their outbox rows), `reminders` (each brand's schedule planned as reminder
//! rows, as `App::run_reminders` plans it, by e-mail and SMS) or `claims` (the planned
//! reminders due claimed for sending, [`IN_FLIGHT`] at a time, as the worker claims them).
//! Each prints `PHASE ROWS MILLISECONDS`. What it claims stays claimed: run it on a copy.

use std::sync::Arc;
use std::time::Instant;

use anyhow::{bail, Context};
use jiff::Timestamp;
use simrenew_app::automation::auto_renew::{AutoRenewStore, LEAD, LEASE};
use simrenew_app::automation::{LifecycleStore, BATCH as LIFECYCLE_BATCH};
use simrenew_app::identity::signin::{MailGateway, SmsGateway};
use simrenew_app::notifications::{ReminderStore, IN_FLIGHT};
use simrenew_app::sales::ports::SalesStore;
use simrenew_app::{App, ManualClock};
use simrenew_domain::identifiers::{Email, Msisdn};
use simrenew_store::Db;

/// Lines the worker claims for automatic renewal per pass (`worker.rs`).
const RENEWAL_BATCH: u32 = 50;

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [url, now, phase] = args.as_slice() else {
        bail!("usage: due_work DATABASE_URL INSTANT renewals|lifecycle|reminders|claims");
    };
    let now: Timestamp = now.parse().context("INSTANT (RFC 3339)")?;
    let db = Db::connect(url).await.map_err(anyhow::Error::msg)?;
    let started = Instant::now();
    let rows = match phase.as_str() {
        "renewals" => renewals(&db, now).await?,
        "lifecycle" => lifecycle(&db, now).await?,
        "reminders" => reminders(db, now).await?,
        "claims" => claims(&db, now).await?,
        other => bail!("no phase {other}"),
    };
    println!("{phase} {rows} {}", started.elapsed().as_millis());
    Ok(())
}

async fn renewals(db: &Db, now: Timestamp) -> anyhow::Result<u64> {
    let before = now.checked_add(LEAD)?;
    let lease = now.checked_add(LEASE)?;
    let mut claimed = 0;
    loop {
        let due = db
            .claim_auto_renewals(now, before, lease, RENEWAL_BATCH)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        claimed += due.len() as u64;
        if due.is_empty() {
            return Ok(claimed);
        }
    }
}

async fn lifecycle(db: &Db, now: Timestamp) -> anyhow::Result<u64> {
    let brands = db.brands().await.map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut moved = 0;
    loop {
        let mut round = 0;
        for brand in &brands {
            round += db
                .lines_into_grace(brand.id, now, LIFECYCLE_BATCH)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            round += db
                .lines_lapse(brand.id, now, LIFECYCLE_BATCH)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
        }
        moved += u64::from(round);
        if round == 0 {
            return Ok(moved);
        }
    }
}

/// A gateway this process has, never asked to send: planning only looks at which channels
/// there are.
struct Planning;

#[async_trait::async_trait]
impl MailGateway for Planning {
    async fn send(&self, _: &Email, _: &str, _: &str) -> Result<(), String> {
        Err("due_work plans reminders; it sends none".to_owned())
    }
}

#[async_trait::async_trait]
impl SmsGateway for Planning {
    async fn send(&self, _: &Msisdn, _: &str) -> Result<(), String> {
        Err("due_work plans reminders; it sends none".to_owned())
    }
}

/// `App::plan_reminders` for every brand, as `App::run_reminders` plans them, with both
/// channels on.
async fn reminders(db: Db, now: Timestamp) -> anyhow::Result<u64> {
    let app = App::new(Arc::new(db), Arc::new(ManualClock::new(now)))
        .with_mail(Arc::new(Planning))
        .with_sms(Arc::new(Planning));
    let mut planned = 0;
    for brand in app
        .store
        .brands()
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?
    {
        planned += u64::from(
            app.plan_reminders(&brand, now)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?,
        );
    }
    Ok(planned)
}

async fn claims(db: &Db, now: Timestamp) -> anyhow::Result<u64> {
    let mut claimed = 0;
    let mut n = 0u64;
    loop {
        let hashes: Vec<String> = (0..IN_FLIGHT)
            .map(|_| {
                n += 1;
                format!("due-work-{n}")
            })
            .collect();
        let got = db
            .claim_reminders(now, &hashes)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        claimed += got.len() as u64;
        if got.len() < IN_FLIGHT {
            return Ok(claimed);
        }
    }
}
