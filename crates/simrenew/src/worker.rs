//! `simrenew worker`: what runs by itself — automatic renewals, the line lifecycle
//! (`simrenew_app::automation`), reminders (`simrenew_app::notifications`) and telling the
//! network. Drains the outbox through the generic HTTP
//! provisioning adapter (`simrenew-network`), configured by `SIMRENEW_PROVISIONING_URL` and
//! `SIMRENEW_PROVISIONING_SECRET`; `serve` on SQLite (and so the demo) runs the same loop
//! in-process. Any number of workers may share a PostgreSQL database.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use async_trait::async_trait;
use serde_json::Value;
use simrenew_app::network::{Delivery, OutboxItem, Provisioner};
use simrenew_app::App;
use simrenew_domain::catalog::DataAllowance;
use simrenew_network::provisioning::{
    BundleGranted, IdempotencyKey, LineRef, ProvisioningClient, ProvisioningConfig,
    ProvisioningRequest,
};
use simrenew_network::{Outcome, Secret};

/// Rows taken per claim.
const BATCH: u32 = 50;
/// How long an idle worker waits before it looks again.
const IDLE: Duration = Duration::from_secs(1);
/// Outbox rows taken per claim.
const OUTBOX_BATCH: u32 = 500;
/// How long a pass goes on draining a full outbox before it turns to its other work.
const DRAIN_FOR: Duration = Duration::from_secs(2);

/// The generic HTTP provisioning API as the application's [`Provisioner`].
pub struct HttpProvisioner {
    client: ProvisioningClient,
}

impl HttpProvisioner {
    pub fn new(
        app: &App,
        base_url: &str,
        secret: &[u8],
        timeout: Duration,
    ) -> anyhow::Result<Self> {
        let clock = app.clock.clone();
        let client = ProvisioningClient::new(ProvisioningConfig {
            base_url: base_url.to_owned(),
            secret: Secret::new(secret.to_vec()),
            timeout,
            retry: Default::default(),
            now: Arc::new(move || clock.now()),
        })
        .map_err(|e| anyhow::anyhow!("SIMRENEW_PROVISIONING_URL/_SECRET: {e}"))?;
        Ok(Self { client })
    }

    /// Whether the provisioning API answers (for `/readyz`).
    pub async fn answers(&self, timeout: Duration) -> Result<(), String> {
        self.client.answers(timeout).await
    }

    /// From `SIMRENEW_PROVISIONING_URL`, `SIMRENEW_PROVISIONING_SECRET` (or `_FILE`) and
    /// `SIMRENEW_PROVISIONING_TIMEOUT_MS` (default 5000); `None` when no URL is set.
    pub fn from_env(app: &App) -> anyhow::Result<Option<Self>> {
        let Ok(url) = std::env::var("SIMRENEW_PROVISIONING_URL") else {
            return Ok(None);
        };
        let secret = match std::env::var("SIMRENEW_PROVISIONING_SECRET_FILE") {
            Ok(path) => std::fs::read(&path).with_context(|| format!("reading {path}"))?,
            Err(_) => std::env::var("SIMRENEW_PROVISIONING_SECRET")
                .context("SIMRENEW_PROVISIONING_SECRET(_FILE) must be set with the URL")?
                .into_bytes(),
        };
        let timeout = match std::env::var("SIMRENEW_PROVISIONING_TIMEOUT_MS") {
            Ok(ms) => Duration::from_millis(ms.parse().with_context(|| {
                format!("SIMRENEW_PROVISIONING_TIMEOUT_MS: {ms:?} is not a number of milliseconds")
            })?),
            Err(_) => Duration::from_secs(5),
        };
        Self::new(app, &url, &secret, timeout).map(Some)
    }
}

/// The network request an outbox row stands for, read from the row's payload.
fn request(item: &OutboxItem) -> Result<ProvisioningRequest, String> {
    let v: Value = serde_json::from_str(&item.payload).map_err(|e| format!("payload: {e}"))?;
    let text = |k: &str| {
        v[k].as_str()
            .map(str::to_owned)
            .ok_or_else(|| format!("payload: no {k}"))
    };
    let instant = |k: &str| -> Result<jiff::Timestamp, String> {
        text(k)?.parse().map_err(|e| format!("payload: {k}: {e}"))
    };
    match item.topic.as_str() {
        simrenew_app::sales::ports::BUNDLE_GRANTED => {
            Ok(ProvisioningRequest::BundleGranted(BundleGranted {
                msisdn: item.msisdn.clone(),
                iccid: item.iccid.clone(),
                plan_code: text("plan")?,
                data: match v["data_mb"].as_u64() {
                    Some(mb) => DataAllowance::Megabytes(mb),
                    None => DataAllowance::Unlimited,
                },
                starts_at: instant("starts_at")?,
                ends_at: instant("ends_at")?,
            }))
        }
        simrenew_app::network::LINE_SUSPENDED => Ok(ProvisioningRequest::LineSuspended(LineRef {
            msisdn: item.msisdn.clone(),
            iccid: item.iccid.clone(),
        })),
        simrenew_app::network::NUMBER_RELEASED => {
            Ok(ProvisioningRequest::NumberReleased(LineRef {
                msisdn: item.msisdn.clone(),
                iccid: item.iccid.clone(),
            }))
        }
        other => Err(format!("no provisioning operation for the topic {other}")),
    }
}

#[async_trait]
impl Provisioner for HttpProvisioner {
    fn name(&self) -> &'static str {
        "http_provisioning"
    }

    fn topics(&self) -> &'static [&'static str] {
        &simrenew_app::network::DELIVERED_TOPICS
    }

    async fn deliver(&self, item: &OutboxItem) -> Delivery {
        let request = match request(item) {
            Ok(r) => r,
            Err(reason) => return Delivery::Rejected { reason },
        };
        let key = match IdempotencyKey::parse(&item.idempotency_key()) {
            Ok(k) => k,
            Err(e) => {
                return Delivery::Rejected {
                    reason: e.to_string(),
                }
            }
        };
        match self.client.send(&request, &key).await {
            Outcome::Confirmed(c) => Delivery::Confirmed {
                operation_id: c.operation_id,
            },
            Outcome::Rejected(r) => Delivery::Rejected {
                reason: match r.code {
                    Some(code) => format!("{code}: {}", r.reason),
                    None => r.reason,
                },
            },
            Outcome::TryAgain(t) => Delivery::TryAgain { why: t.why },
        }
    }
}

/// The network adapters the environment configures: the provisioning API
/// (`SIMRENEW_PROVISIONING_URL`) and the SM-DP+ (`SIMRENEW_SMDP_URL`), each delivering its own
/// outbox topics.
pub fn network_from_env(app: &App) -> anyhow::Result<Vec<Arc<dyn Provisioner>>> {
    let mut network: Vec<Arc<dyn Provisioner>> = Vec::new();
    match HttpProvisioner::from_env(app)? {
        Some(p) => network.push(Arc::new(p)),
        None => tracing::warn!(
            "SIMRENEW_PROVISIONING_URL is not set: lines move through their lifecycle, and \
             what the network must be told waits in the outbox"
        ),
    }
    match crate::smdp::SmdpSettings::from_env()? {
        Some(s) => network.push(Arc::new(crate::smdp::SmdpProvisioner::new(&s)?)),
        None => tracing::info!(
            "SIMRENEW_SMDP_URL is not set: new eSIMs wait for an SM-DP+ to order their profiles"
        ),
    }
    Ok(network)
}

/// Writes the line transitions that are due and delivers what is due until stopped; with
/// `once`, until nothing more is due now. Without a network the outbox waits for one.
pub async fn run(app: App, network: Vec<Arc<dyn Provisioner>>, once: bool) -> anyhow::Result<()> {
    loop {
        match pass(&app, &network).await {
            Ok(true) => continue,
            Ok(false) if once => return Ok(()),
            Ok(false) => {}
            Err(e) if once => return Err(e),
            Err(e) => tracing::error!(error = %e, "a worker pass failed"),
        }
        tokio::time::sleep(IDLE).await;
    }
}

/// One pass: the lifecycle, then the outbox. Whether it did anything.
async fn pass(app: &App, network: &[Arc<dyn Provisioner>]) -> anyhow::Result<bool> {
    // Renewals first: a line renewed in time never goes to grace.
    let renewed = app
        .run_auto_renewals(BATCH)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let renewals_done = renewed.renewed + renewed.failed + renewed.stopped + renewed.pending;
    if renewals_done > 0 {
        tracing::info!(
            renewed = renewed.renewed,
            failed = renewed.failed,
            stopped = renewed.stopped,
            charging = renewed.pending,
            "automatic renewals"
        );
    }
    let moved = app
        .run_lifecycle()
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    if moved.moved_any() {
        tracing::info!(
            into_grace = moved.into_grace,
            lapsed = moved.lapsed,
            "line lifecycle written"
        );
    }
    // Notices of price changes before the reminders, so that they go out in this pass.
    let noticed = app
        .run_price_notices()
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    if noticed.versions > 0 {
        tracing::info!(
            versions = noticed.versions,
            notices = noticed.notices,
            "price changes noticed"
        );
    }
    let reminded = app
        .run_reminders()
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    if reminded.did_any() {
        tracing::info!(
            planned = reminded.planned,
            sent = reminded.sent,
            refused = reminded.refused,
            "reminders"
        );
    }
    let mut did =
        moved.moved_any() || renewals_done > 0 || noticed.versions > 0 || reminded.sent > 0;
    for provisioner in network {
        did |= drain(app, provisioner.as_ref()).await?;
    }
    Ok(did)
}

/// Delivers what `provisioner` delivers: a full claim may hide more, so it drains on for a
/// while, that the network keeps up with sales rather than waiting for the rest of each pass.
async fn drain(app: &App, provisioner: &dyn Provisioner) -> anyhow::Result<bool> {
    let started = std::time::Instant::now();
    let mut report = simrenew_app::network::DrainReport::default();
    loop {
        let r = app
            .drain_outbox(provisioner, OUTBOX_BATCH)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        report.confirmed += r.confirmed;
        report.retried += r.retried;
        report.dead += r.dead;
        report.orders_completed += r.orders_completed;
        let claimed = r.confirmed + r.retried + r.dead;
        if claimed < OUTBOX_BATCH || started.elapsed() >= DRAIN_FOR {
            break;
        }
    }
    if report.delivered_any() {
        tracing::info!(
            adapter = provisioner.name(),
            confirmed = report.confirmed,
            retried = report.retried,
            dead = report.dead,
            orders_completed = report.orders_completed,
            "outbox delivered"
        );
    }
    Ok(report.delivered_any())
}
