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

use std::time::Instant;

use anyhow::{bail, Context};
use jiff::{SignedDuration, Timestamp};
use simrenew_app::automation::auto_renew::{AutoRenewStore, LEAD, LEASE};
use simrenew_app::automation::{LifecycleStore, BATCH as LIFECYCLE_BATCH};
use simrenew_app::notifications::{
    MessageChannel, NewReminder, ReminderStore, BATCH as REMINDER_BATCH, IN_FLIGHT,
};
use simrenew_app::sales::ports::SalesStore;
use simrenew_domain::reminder::{current_step, is_schedule_step};
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
        "reminders" => reminders(&db, now).await?,
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
    let mut moved = 0;
    loop {
        let grace = db
            .lines_into_grace(now, LIFECYCLE_BATCH)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let lapsed = db
            .lines_lapse(now, LIFECYCLE_BATCH)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        moved += u64::from(grace + lapsed);
        if grace + lapsed == 0 {
            return Ok(moved);
        }
    }
}

/// `App::plan_reminders` for every brand, with both channels on.
async fn reminders(db: &Db, now: Timestamp) -> anyhow::Result<u64> {
    let err = |e: simrenew_app::StoreError| anyhow::anyhow!("{e}");
    let slack = SignedDuration::from_hours(2);
    let plus_days = |days: i32, slack: SignedDuration| {
        now.checked_add(SignedDuration::from_hours(24 * i64::from(days)) + slack)
            .unwrap_or(now)
    };
    let mut planned = 0;
    for brand in db.brands().await.map_err(err)? {
        let mut steps = brand.reminder_days.clone();
        steps.retain(|d| is_schedule_step(*d));
        steps.sort_unstable_by(|a, b| b.cmp(a));
        steps.dedup();
        for i in (0..steps.len()).rev() {
            let step = steps[i];
            let until = plus_days(step, slack);
            let after = steps.get(i + 1).map(|n| plus_days(*n, -slack));
            let mut from = None;
            loop {
                let candidates = db
                    .reminder_candidates(brand.id, step, after, until, from, REMINDER_BATCH)
                    .await
                    .map_err(err)?;
                from = candidates.last().map(|c| (c.expires_at, c.line));
                let mut rows = Vec::new();
                for c in &candidates {
                    if current_step(&steps, c.expires_at, now, &brand.time_zone) != Some(step) {
                        continue;
                    }
                    if step < 0 && c.grace_until.is_none_or(|g| now >= g) {
                        continue;
                    }
                    let row = |channel, due_at| NewReminder {
                        brand: brand.id,
                        line: c.line,
                        subscriber: c.subscriber,
                        expires_at: c.expires_at,
                        step,
                        channel,
                        due_at,
                    };
                    if c.has_email {
                        rows.push(row(MessageChannel::Email, now));
                    }
                    rows.push(row(
                        MessageChannel::Sms,
                        brand.quiet_hours.next_allowed(now, &brand.time_zone),
                    ));
                }
                let new = db.plan_reminders(&rows, now).await.map_err(err)?;
                planned += u64::from(new);
                if candidates.len() < REMINDER_BATCH as usize || new == 0 {
                    break;
                }
            }
        }
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
