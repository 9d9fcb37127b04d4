//! The command line.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use clap::{Parser, Subcommand};
use simrenew_app::network::Provisioner;
use simrenew_http::AppState;

use crate::{admin, demo, import, output, payments, renew, sms, vouchers, wiring};

/// Sells and renews prepaid mobile-data plans for physical SIM, eSIM and virtual SIM lines.
#[derive(Debug, Parser)]
#[command(name = "simrenew", version)]
pub struct Cli {
    /// Where the data lives: sqlite:FILE (the default, embedded) or postgres://...
    #[arg(
        long,
        global = true,
        env = "SIMRENEW_DATABASE_URL",
        default_value = "sqlite:simrenew.db",
        hide_env_values = true
    )]
    pub database_url: String,

    /// The configuration file (default: simrenew.toml in the working directory, if any; env
    /// SIMRENEW_CONFIG). The environment wins over it.
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a demo database (three Belgian brands, plans, stores, promotions, 1,000 lines,
    /// vouchers) unless one exists, then serve it.
    Demo {
        #[arg(long, env = "SIMRENEW_LISTEN", default_value = "127.0.0.1:8080")]
        listen: SocketAddr,
        /// Stop after seeding.
        #[arg(long)]
        seed_only: bool,
    },
    /// Serve the HTTP API. Callers authenticate with API keys (`simrenew api-keys create`).
    Serve {
        #[arg(long, env = "SIMRENEW_LISTEN", default_value = "127.0.0.1:8080")]
        listen: SocketAddr,
        /// Serve /metrics (Prometheus text format) and /readyz on this address too.
        #[arg(long, env = "SIMRENEW_METRICS_LISTEN", value_name = "ADDR")]
        metrics_listen: Option<SocketAddr>,
    },
    /// Tell the network what the outbox holds (SIMRENEW_PROVISIONING_URL), until stopped.
    /// `serve` on SQLite does this in-process.
    Worker {
        /// Deliver what is due now, then exit.
        #[arg(long)]
        once: bool,
        /// Act as if it were this instant (RFC 3339, e.g. 2027-01-31T09:00:00+01:00), to run
        /// a schedule in seconds; only on a database made by `demo`, unless --force.
        #[arg(long, value_name = "INSTANT", value_parser = parse_instant)]
        now: Option<jiff::Timestamp>,
        /// Allow --now on a database not made by `demo`.
        #[arg(long)]
        force: bool,
        /// Serve /metrics (Prometheus text format) and /readyz on this address while working.
        #[arg(long, env = "SIMRENEW_METRICS_LISTEN", value_name = "ADDR")]
        metrics_listen: Option<SocketAddr>,
    },
    /// What the network refused or never confirmed.
    Outbox {
        #[command(subcommand)]
        command: OutboxCommand,
    },
    /// The reminders planned and sent before lines lapse.
    Reminders {
        #[command(subcommand)]
        command: RemindersCommand,
    },
    /// Bring the database schema up to date.
    Migrate,
    /// Buy a plan for a line and pay it at once.
    Renew(renew::RenewArgs),
    /// New eSIM lines: sell one, show its profile and activation code.
    Esims {
        #[command(subcommand)]
        command: crate::esims::EsimsCommand,
    },
    /// The jobs the worker runs: what waits, what gave up, and a retry.
    Jobs {
        #[command(subcommand)]
        command: JobsCommand,
    },
    /// A brand's catalog: publish a version of its plans and prices.
    Catalog {
        #[command(subcommand)]
        command: CatalogCommand,
    },
    /// A brand's promotions: create one, or end one now.
    Promotions {
        #[command(subcommand)]
        command: PromotionsCommand,
    },
    /// A brand's pools of numbers and eSIM profiles for new lines.
    Pool {
        #[command(subcommand)]
        command: crate::esims::PoolCommand,
    },
    /// Look at lines.
    Lines {
        #[command(subcommand)]
        command: LinesCommand,
    },
    /// Import data from files.
    Import {
        #[command(subcommand)]
        command: ImportCommand,
    },
    /// Voucher batches.
    Vouchers {
        #[command(subcommand)]
        command: VouchersCommand,
    },
    /// Members of staff.
    Staff {
        #[command(subcommand)]
        command: admin::StaffCommand,
    },
    /// API keys of staff and partners.
    ApiKeys {
        #[command(subcommand)]
        command: admin::ApiKeysCommand,
    },
    /// The audit log.
    Audit {
        #[command(subcommand)]
        command: admin::AuditCommand,
    },
    /// Provider payments (Stripe, PayPal).
    Payments {
        #[command(subcommand)]
        command: payments::PaymentsCommand,
    },
    /// Housekeeping.
    Maintenance {
        #[command(subcommand)]
        command: MaintenanceCommand,
    },
    /// The configuration file.
    Config {
        #[command(subcommand)]
        command: ConfigCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum JobsCommand {
    /// What runs by itself: with --dead, the jobs that gave up (outbox rows the network
    /// refused or never confirmed, reminders no gateway took, automatic renewals out of
    /// retries), newest first, with their id and reason; without, what waits, by kind.
    List {
        #[arg(long)]
        dead: bool,
        #[arg(long, default_value_t = 50)]
        limit: u32,
    },
    /// Put a dead job back in its queue, due now (`outbox-12`, `reminder-5`, `auto-renew-7`),
    /// once its cause is fixed.
    Retry { id: String },
}

#[derive(Debug, Subcommand)]
pub enum CatalogCommand {
    /// Publish a catalog version from a JSON file shaped as the body of
    /// `POST /api/v1/brands/{code}/catalog-versions` (`effective_from` and `plans`), audited.
    /// Lines renewing automatically a plan whose price rises keep their price until 30 days
    /// after the worker sent them notice.
    Publish {
        #[arg(long)]
        brand: String,
        file: PathBuf,
    },
    /// List a brand's catalog versions, the latest first: when each comes into force, whether
    /// its price notices were recorded, and its plans with their prices.
    List {
        #[arg(long)]
        brand: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum PromotionsCommand {
    /// Create a promotion from a JSON file shaped as the body of
    /// `POST /api/v1/brands/{code}/promotions` (`name`, `code`, `rule`, validity, limits),
    /// audited; prints its id.
    Create {
        #[arg(long)]
        brand: String,
        file: PathBuf,
    },
    /// End a promotion now: quotes from now on do not apply it; audited.
    End { id: i64 },
    /// List a brand's promotions, the latest first, with their validity and uses.
    List {
        #[arg(long)]
        brand: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum OutboxCommand {
    /// The dead letters: rows the network refused, or never confirmed after every retry.
    DeadLetters {
        #[arg(long, default_value_t = 50)]
        limit: u32,
    },
    /// Queue a dead letter again (after its cause was fixed); the next drain sends it.
    Retry { id: i64 },
}

#[derive(Debug, Subcommand)]
pub enum RemindersCommand {
    /// The newest reminders: line, expiry, step, channel and state (`sending` long after its
    /// claim: the worker stopped mid-send, and the reminder is not sent again).
    List {
        /// Only this line's.
        #[arg(long)]
        line: Option<String>,
        #[arg(long, default_value_t = 50)]
        limit: u32,
    },
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Print a simrenew.toml with every setting, commented out, and what it is for.
    Example,
    /// Print the settings in effect and where each comes from; secrets only as set or not.
    Show,
}

#[derive(Debug, Subcommand)]
pub enum MaintenanceCommand {
    /// Forget what is over: sessions, sign-in codes, rate counters, passkey ceremonies,
    /// counter lookups, idempotency keys (after 24 h) and unconfirmed enrolments. `serve` does
    /// it every few minutes on its own.
    Prune,
}

#[derive(Debug, Subcommand)]
pub enum LinesCommand {
    /// One line: state, expiry, data left, credit, bundles.
    Show {
        msisdn: String,
        /// Print the same JSON as GET /api/v1/lines/{msisdn}.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Lines from a CSV file with a header row: msisdn, brand, kind (required); iccid, eid,
    /// activation_code, state, credit_cents (optional).
    Lines {
        file: PathBuf,
        /// Import the good rows and write the rejected ones to this CSV file, instead of
        /// importing nothing when a row is bad.
        #[arg(long, value_name = "REJECTS.csv")]
        skip_bad: Option<PathBuf>,
    },
    /// Usage records from a CSV file with the header record_id,msisdn,start,end,bytes: each
    /// debits its line's bundles in order of expiry, once however often it is imported. Bad
    /// lines and unknown numbers go to the rejects file with the reason.
    Usage {
        file: PathBuf,
        /// Where the lines not counted go [default: FILE.rejects.csv beside FILE].
        #[arg(long, value_name = "REJECTS.csv")]
        rejects: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
pub enum VouchersCommand {
    /// Generate a batch of single-use codes into a new CSV file (--out), the only place they
    /// are shown: only their keyed hashes are kept.
    Generate(vouchers::GenerateArgs),
}

/// Starts the operators' listener (`--metrics-listen`) beside the command.
async fn watch(
    app: &simrenew_app::App,
    address: SocketAddr,
    nats_url: Option<String>,
) -> anyhow::Result<()> {
    let watched = crate::telemetry::Watched {
        app: app.clone(),
        provisioner: crate::worker::HttpProvisioner::from_env(app)?.map(Arc::new),
        smdp: match crate::smdp::SmdpSettings::from_env()? {
            Some(s) => Some(Arc::new(crate::smdp::SmdpProvisioner::new(&s)?)),
            None => None,
        },
        nats_url,
    };
    crate::telemetry::start(address, watched).await
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let url = cli.database_url;
    match cli.command {
        Command::Demo { listen, seed_only } => demo::run(&url, listen, seed_only).await,
        Command::Serve {
            listen,
            metrics_listen,
        } => {
            let db = wiring::open(&url).await?;
            if wiring::audit_key()?.is_none() {
                anyhow::bail!(
                    "SIMRENEW_AUDIT_KEY(_FILE) is not set: serve needs the audit log's key \
                     (at least 32 bytes, kept outside the database)"
                );
            }
            let mut app = wiring::with_sign_in_limits(
                db.forget_across_processes(wiring::app(db.clone()))
                    .await
                    .map_err(anyhow::Error::msg)?,
            )?
            .with_message_texts(Arc::new(crate::messages::CatalogTexts));
            match sms::HttpSms::from_env()? {
                Some(gateway) => app = app.with_sms(std::sync::Arc::new(gateway)),
                None => tracing::warn!(
                    "SIMRENEW_SMS_BASE_URL is not set: subscribers cannot sign in by code, \
                     and no reminder goes out by SMS"
                ),
            }
            match crate::mail::SmtpMail::from_env()? {
                Some(gateway) => app = app.with_mail(std::sync::Arc::new(gateway)),
                None => tracing::warn!(
                    "SIMRENEW_SMTP_URL is not set: subscribers cannot sign in by e-mail, \
                     and no reminder goes out by e-mail"
                ),
            }
            match wiring::document_key()? {
                Some(key) => app = app.with_document_key(key),
                None => tracing::warn!(
                    "SIMRENEW_DOCUMENT_KEY(_FILE) is not set: identifications cannot be recorded"
                ),
            }
            match wiring::sealing_key()? {
                Some(key) => app = app.with_sealing_key(key),
                None => tracing::warn!(
                    "SIMRENEW_SEALING_KEY(_FILE) is not set: nobody can enrol in two-factor sign-in"
                ),
            }
            match wiring::voucher_key()? {
                Some(key) => app = app.with_voucher_key(key),
                None => tracing::warn!(
                    "SIMRENEW_VOUCHER_KEY(_FILE) is not set: vouchers cannot be redeemed"
                ),
            }
            match wiring::relying_party(None)? {
                Some(rp) => app = app.with_webauthn(rp),
                None => tracing::warn!(
                    "SIMRENEW_PUBLIC_URL is not set: subscribers cannot use passkeys"
                ),
            }
            payments::install(&app)?;
            // One process on SQLite: it runs the worker's passes itself.
            let worker = match url.starts_with("sqlite:") {
                true => Some(crate::worker::network_from_env(&app)?),
                false => None,
            };
            if let Some(address) = metrics_listen {
                watch(&app, address, None).await?;
            }
            serve(wiring::state(app)?, listen, worker).await
        }
        Command::Worker {
            once,
            now,
            force,
            metrics_listen,
        } => {
            let db = wiring::open(&url).await?;
            let demo = wiring::app(db.clone())
                .store
                .staff_by_email(demo::DEMO_ADMIN)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?
                .is_some();
            let app = match now {
                None => wiring::app_with_keys(db.clone())?,
                Some(now) => {
                    if !demo && !force {
                        anyhow::bail!(
                            "--now: {} was not made by `simrenew demo`; a worker told another \
                             time would act on real customers' schedules (add --force to mean it)",
                            wiring::redact(&url)
                        );
                    }
                    wiring::app_at(db.clone(), now)?
                }
            };
            let app = db
                .forget_across_processes(app)
                .await
                .map_err(anyhow::Error::msg)?;
            let app = wiring::with_message_gateways(app, demo)?;
            let provisioner = crate::worker::network_from_env(&app)?;
            let stream = crate::usage::stream_config();
            if let Some(address) = metrics_listen {
                watch(&app, address, stream.as_ref().map(|s| s.url.clone())).await?;
            }
            match stream {
                None => crate::worker::run(app, provisioner, once).await,
                Some(stream) if once => {
                    crate::usage::consume(app.clone(), stream, true).await?;
                    crate::worker::run(app, provisioner, true).await
                }
                Some(stream) => {
                    let usage = tokio::spawn(crate::usage::consume(app.clone(), stream, false));
                    tokio::select! {
                        done = crate::worker::run(app, provisioner, false) => done,
                        done = usage => done.context("the usage consumer")?,
                    }
                }
            }
        }
        Command::Outbox { command } => {
            let app = wiring::app(wiring::open(&url).await?);
            match command {
                OutboxCommand::DeadLetters { limit } => {
                    let dead = app
                        .dead_letters(None, limit)
                        .await
                        .map_err(|e| anyhow::anyhow!("{e}"))?;
                    if dead.is_empty() {
                        println!("no dead letters");
                    }
                    for d in dead {
                        println!(
                            "{}\t{}\t{}\torder {}\t{} attempts\t{}\t{}",
                            d.id,
                            d.topic,
                            d.msisdn,
                            d.order.map(|o| o.0.to_string()).unwrap_or("-".into()),
                            d.attempts,
                            d.dead_at,
                            d.error
                        );
                    }
                    Ok(())
                }
                OutboxCommand::Retry { id } => {
                    app.replay_dead_letter(id, None)
                        .await
                        .map_err(|e| anyhow::anyhow!("outbox row {id}: {e}"))?;
                    println!("outbox row {id} is queued again");
                    Ok(())
                }
            }
        }
        Command::Reminders {
            command: RemindersCommand::List { line, limit },
        } => {
            let line = line
                .map(|l| {
                    simrenew_domain::identifiers::Msisdn::parse(&l)
                        .map_err(|e| anyhow::anyhow!("--line {l:?}: {}", e.reason))
                })
                .transpose()?;
            let app = wiring::app(wiring::open(&url).await?);
            let reminders = app
                .reminders(line.as_ref(), limit)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            if reminders.is_empty() {
                println!("no reminders");
            }
            for r in reminders {
                println!(
                    "{}\t{}\texpires {}\t{}\t{}\t{}\tdue {}\t{} attempts\t{}",
                    r.id,
                    r.msisdn,
                    r.expires_at,
                    match simrenew_domain::reminder::data_notice_percent(r.step) {
                        Some(percent) => format!("data {percent} % used"),
                        None => format!("step {}", r.step),
                    },
                    r.channel.as_str(),
                    r.state.as_str(),
                    r.due_at,
                    r.attempts,
                    match (r.sent_at, r.last_error) {
                        (Some(at), _) => format!("sent {at}"),
                        (None, Some(e)) => e,
                        (None, None) => "-".into(),
                    }
                );
            }
            Ok(())
        }
        Command::Migrate => {
            let app = wiring::app_with_keys(wiring::open(&url).await?)?;
            let hashed = app
                .hash_clear_voucher_codes()
                .await
                .map_err(|e| anyhow::anyhow!("{e} (SIMRENEW_VOUCHER_KEY)"))?;
            if hashed > 0 {
                println!("{hashed} voucher codes kept in clear are now kept as keyed hashes");
            }
            println!("database {} is up to date", wiring::redact(&url));
            Ok(())
        }
        Command::Renew(args) => renew::run(&url, args).await,
        Command::Esims { command } => crate::esims::esims(&url, command).await,
        Command::Pool { command } => crate::esims::pool(&url, command).await,
        Command::Jobs { command } => jobs(&url, command).await,
        Command::Catalog {
            command: CatalogCommand::Publish { brand, file },
        } => publish_catalog(&url, &brand, &file).await,
        Command::Catalog {
            command: CatalogCommand::List { brand },
        } => list_catalog(&url, &brand).await,
        Command::Promotions { command } => promotions(&url, command).await,
        Command::Lines {
            command: LinesCommand::Show { msisdn, json },
        } => output::show_line(&url, &msisdn, json).await,
        Command::Import {
            command: ImportCommand::Lines { file, skip_bad },
        } => import::lines(&url, &file, skip_bad.as_deref()).await,
        Command::Import {
            command: ImportCommand::Usage { file, rejects },
        } => {
            let db = wiring::open(&url).await?;
            let app = db
                .forget_across_processes(wiring::app(db.clone()))
                .await
                .map_err(anyhow::Error::msg)?;
            crate::usage::import(&app, &file, rejects.as_deref()).await?;
            // The servers forget the lines' reads before this process goes.
            app.forget_sent(std::time::Duration::from_secs(5)).await;
            Ok(())
        }
        Command::Vouchers {
            command: VouchersCommand::Generate(args),
        } => vouchers::generate(&url, args).await,
        Command::Staff { command } => admin::staff(&url, command).await,
        Command::ApiKeys { command } => admin::api_keys(&url, command).await,
        Command::Audit { command } => admin::audit(&url, command).await,
        Command::Payments { command } => payments::run(&url, command).await,
        Command::Maintenance {
            command: MaintenanceCommand::Prune,
        } => {
            let app = wiring::app_with_keys(wiring::open(&url).await?)?;
            let report = app.prune().await.map_err(|e| anyhow::anyhow!("{e}"))?;
            for (what, n) in &report.0 {
                println!("{}: {n}", what.name());
            }
            let hashed = app
                .hash_clear_voucher_codes()
                .await
                .map_err(|e| anyhow::anyhow!("{e} (SIMRENEW_VOUCHER_KEY)"))?;
            println!("voucher codes hashed: {hashed}");
            Ok(())
        }
        Command::Config {
            command: ConfigCommand::Example,
        } => {
            print!("{}", crate::config::example());
            Ok(())
        }
        Command::Config {
            command: ConfigCommand::Show,
        } => {
            print!("{}", crate::config::show());
            Ok(())
        }
    }
}

/// Serves until Ctrl-C or SIGTERM, writing an audit checkpoint at start and then on the
/// schedule of `SIMRENEW_AUDIT_CHECKPOINT_MINUTES`.
pub async fn serve(
    state: AppState,
    listen: SocketAddr,
    worker: Option<Vec<Arc<dyn Provisioner>>>,
) -> anyhow::Result<()> {
    let app = state.app.clone();
    let every = wiring::audit_checkpoint_every()?;
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("listening on {listen}"))?;
    tracing::info!(address = %listener.local_addr()?, "serving the API");
    let limits = wiring::serve_limits()?;
    let checkpoints = tokio::spawn(write_checkpoints(app.clone(), every));
    let maintenance = tokio::spawn(maintain(app.clone()));
    // `Some`: this process runs the worker's passes (on SQLite, one process does it all).
    let worker = worker.map(|network| {
        for p in &network {
            tracing::info!(adapter = p.name(), "telling the network in this process");
        }
        if network.is_empty() {
            tracing::info!("writing the line lifecycle in this process; no network set");
        }
        tokio::spawn(crate::worker::run(app.clone(), network, false))
    });
    let served = simrenew_http::serve_with(state, listener, limits, shutdown_signal()).await;
    checkpoints.abort();
    maintenance.abort();
    if let Some(w) = worker {
        w.abort();
    }
    served?;
    if !app
        .deliveries_settled(std::time::Duration::from_secs(10))
        .await
    {
        tracing::warn!("stopped with sign-in codes still being sent");
    }
    Ok(())
}

/// Writes an audit checkpoint every `every`, the first at once; a failure is logged and the
/// next one tried on time. Each checkpoint's MAC goes to the log, which is a copy kept outside
/// the database to compare `simrenew audit verify`'s newest checkpoint with.
async fn write_checkpoints(app: simrenew_app::App, every: std::time::Duration) {
    let mut ticks = tokio::time::interval(every);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        match app.checkpoint_audit().await {
            Ok(c) => tracing::info!(
                checkpoint.seq = c.seq,
                checkpoint.mac = %c.mac,
                chains = c.heads.len(),
                "audit checkpoint written"
            ),
            Err(e) => tracing::error!(error = %e, "audit checkpoint not written"),
        }
    }
}

/// How often a server forgets what is over (see `simrenew_app::maintenance`), starting at
/// once. A job runner will take this over.
const MAINTENANCE_EVERY: std::time::Duration = std::time::Duration::from_secs(5 * 60);

async fn maintain(app: simrenew_app::App) {
    let mut every = tokio::time::interval(MAINTENANCE_EVERY);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        every.tick().await;
        match app.prune().await {
            Ok(report) if report.total() > 0 => {
                let pruned: Vec<String> = report
                    .0
                    .iter()
                    .filter(|(_, n)| *n > 0)
                    .map(|(what, n)| format!("{} {n}", what.name()))
                    .collect();
                tracing::info!(pruned = %pruned.join(", "), "forgot what is over");
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "pruning failed; trying again later"),
        }
        match app.hash_clear_voucher_codes().await {
            Ok(0) => {}
            Ok(n) => tracing::info!(vouchers = n, "voucher codes kept in clear are now hashed"),
            Err(e) => tracing::warn!(error = %e, "voucher codes kept in clear were not hashed"),
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down");
}

/// An instant with its offset, as `--now` takes it.
fn parse_instant(s: &str) -> Result<jiff::Timestamp, String> {
    s.parse::<jiff::Timestamp>()
        .map_err(|e| format!("{s:?} is not an RFC 3339 instant with an offset ({e})"))
}

/// `simrenew catalog publish`: the API's checks, field by field, on the file's JSON.
async fn publish_catalog(url: &str, brand: &str, file: &std::path::Path) -> anyhow::Result<()> {
    use simrenew_http::api::catalog::{effective_from, new_plan, CatalogVersionRequestJson};
    let text =
        std::fs::read_to_string(file).map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
    let body: CatalogVersionRequestJson = serde_json::from_str(&text)
        .map_err(|e| anyhow::anyhow!("{}: line {}: {e}", file.display(), e.line()))?;
    let refused = |e: simrenew_http::error::ApiError| {
        anyhow::anyhow!(
            "{}: {}: {}",
            file.display(),
            e.field.unwrap_or_else(|| "body".into()),
            e.detail
        )
    };
    let from = effective_from(&body.effective_from).map_err(refused)?;
    let plans = body
        .plans
        .iter()
        .enumerate()
        .map(|(i, p)| new_plan(i, p))
        .collect::<Result<Vec<_>, _>>()
        .map_err(refused)?;
    let app = wiring::app(wiring::open(url).await?);
    let b = app
        .brand(brand)
        .await
        .map_err(|e| anyhow::anyhow!("--brand {brand}: {e}"))?;
    let v = app
        .publish_catalog_version("cli", b.id, from, &plans)
        .await
        .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
    println!(
        "{} catalog version {} published, in force from {}",
        b.code, v.version, v.effective_from
    );
    Ok(())
}

/// `simrenew catalog list`.
async fn list_catalog(url: &str, brand: &str) -> anyhow::Result<()> {
    let app = wiring::app(wiring::open(url).await?);
    let b = app
        .brand(brand)
        .await
        .map_err(|e| anyhow::anyhow!("--brand {brand}: {e}"))?;
    let listed = app
        .catalog_versions(b.id)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let now = app.now();
    let versions: Vec<_> = listed.iter().map(|l| l.version.clone()).collect();
    let zone = b.time_zone.clone();
    for l in &listed {
        let v = &l.version;
        let status = simrenew_domain::catalog::version_status(&versions, v, now)
            .as_str()
            .replace('_', " ");
        let noticed = match l.noticed_at {
            Some(_) => "notices recorded",
            None => "notices not yet recorded",
        };
        println!(
            "version {}  {status}  from {}  ({noticed})",
            v.version,
            v.effective_from
                .to_zoned(zone.clone())
                .strftime("%Y-%m-%d %H:%M %Z")
        );
        for p in &l.plans {
            println!("  {:<24} {:>10}  {}", p.code, p.price.to_string(), p.name);
        }
    }
    Ok(())
}

/// `simrenew promotions`.
async fn promotions(url: &str, command: PromotionsCommand) -> anyhow::Result<()> {
    let app = wiring::app(wiring::open(url).await?);
    match command {
        PromotionsCommand::Create { brand, file } => {
            let text = std::fs::read_to_string(&file)
                .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
            let body: simrenew_http::api::promotions::PromotionRequestJson =
                serde_json::from_str(&text)
                    .map_err(|e| anyhow::anyhow!("{}: line {}: {e}", file.display(), e.line()))?;
            let b = app
                .brand(&brand)
                .await
                .map_err(|e| anyhow::anyhow!("--brand {brand}: {e}"))?;
            let p = simrenew_http::api::promotions::new_promotion(b.id, app.now(), &body).map_err(
                |e| {
                    anyhow::anyhow!(
                        "{}: {}: {}",
                        file.display(),
                        e.field.unwrap_or_else(|| "body".into()),
                        e.detail
                    )
                },
            )?;
            let id = app
                .create_promotion("cli", &p)
                .await
                .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
            println!("promotion {id} created for {}", b.code);
            Ok(())
        }
        PromotionsCommand::End { id } => {
            app.end_promotion("cli", simrenew_domain::ids::PromotionId(id))
                .await
                .map_err(|e| anyhow::anyhow!("promotion {id}: {e}"))?;
            println!("promotion {id} ended");
            Ok(())
        }
        PromotionsCommand::List { brand } => {
            let b = app
                .brand(&brand)
                .await
                .map_err(|e| anyhow::anyhow!("--brand {brand}: {e}"))?;
            let listed = app
                .promotions_of(b.id)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            let now = app.now();
            let zone = b.time_zone.clone();
            let day =
                |t: jiff::Timestamp| t.to_zoned(zone.clone()).strftime("%Y-%m-%d").to_string();
            for l in &listed {
                let p = &l.promotion;
                let status = p.status(now);
                let until = p.valid_until.map_or_else(|| "no end".to_owned(), day);
                let limit = p
                    .global_limit
                    .map_or_else(String::new, |g| format!(" of {g}"));
                println!(
                    "{:>6}  {status:<9}  {:<12}  {}  {} to {until}  used {}{limit}",
                    p.id.0,
                    p.code.as_ref().map_or("(automatic)", |c| c.as_str()),
                    p.name,
                    day(p.valid_from),
                    l.uses
                );
            }
            if listed.is_empty() {
                println!("no promotions for {}", b.code);
            }
            Ok(())
        }
    }
}

/// `simrenew jobs`.
async fn jobs(url: &str, command: JobsCommand) -> anyhow::Result<()> {
    let app = wiring::app(wiring::open(url).await?);
    match command {
        JobsCommand::List { dead: false, .. } => {
            let w = app
                .waiting_jobs()
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("outbox rows to deliver   {}", w.outbox);
            println!("reminders to send        {}", w.reminders);
            println!("auto-renewals to retry   {}", w.auto_renew_retries);
            Ok(())
        }
        JobsCommand::List { dead: true, limit } => {
            let dead = app
                .dead_jobs(None, limit)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            if dead.is_empty() {
                println!("no dead jobs");
            }
            for d in dead {
                println!(
                    "{}\t{}\t{}\t{} attempts\t{}\t{}",
                    d.id, d.msisdn, d.what, d.attempts, d.since, d.error
                );
            }
            Ok(())
        }
        JobsCommand::Retry { id } => {
            let job = simrenew_app::jobs::JobId::parse(&id)
                .map_err(|e| anyhow::anyhow!("{id:?}: {}", e.reason))?;
            app.retry_job(job, None)
                .await
                .map_err(|e| anyhow::anyhow!("{job}: {e}"))?;
            println!("{job} is queued again");
            Ok(())
        }
    }
}
