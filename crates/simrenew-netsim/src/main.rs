//! `simrenew-netsim`: the network simulator as a program, for demos and manual tests.
//!
//! ```sh
//! SIMRENEW_NETSIM_SECRET=0123456789abcdef0123 simrenew-netsim --listen 127.0.0.1:9090 \
//!   --operator-url http://127.0.0.1:8080/gsma/rsp2/es2plus/handleDownloadProgressInfo \
//!   --latency-ms 10 --server-error-rate 0.02 --fault downloadOrder:2:timeout
//! ```

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use clap::Parser;
use simrenew_netsim::{
    FaultPlan, FaultRates, FaultRule, NetsimConfig, SmdpConfig, TlsServerConfig,
};

#[derive(Debug, Parser)]
#[command(
    name = "simrenew-netsim",
    about = "A simulated mobile network: the provisioning API and an ES2+ SM-DP+"
)]
struct Args {
    /// Where to listen.
    #[arg(long, default_value = "127.0.0.1:9090")]
    listen: String,
    /// The provisioning API's HMAC secret (at least 16 bytes).
    #[arg(long, env = "SIMRENEW_NETSIM_SECRET", hide_env_values = true)]
    secret: String,
    /// The operator's handleDownloadProgressInfo URL; without it no install is reported.
    #[arg(long)]
    operator_url: Option<String>,
    /// Sent as a bearer token with each call to --operator-url.
    #[arg(long, env = "NETSIM_OPERATOR_TOKEN")]
    operator_token: Option<String>,
    /// The SM-DP+ address put in activation codes.
    #[arg(long, default_value = "smdp.netsim.example")]
    smdp_address: String,
    /// The first digits of the profile pool's ICCIDs.
    #[arg(long, default_value = "89329900")]
    iccid_prefix: String,
    #[arg(long, default_value_t = 1000)]
    pool_size: u32,
    /// Between two install notifications of a simulated phone.
    #[arg(long, default_value_t = 2000)]
    install_step_ms: u64,
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
    #[arg(long, default_value_t = 0)]
    jitter_ms: u64,
    /// OPERATION:NTH:FAULT, e.g. downloadOrder:2:timeout (faults: timeout, server_error,
    /// failed, lost_answer); may be repeated.
    #[arg(long = "fault")]
    faults: Vec<FaultRule>,
    #[arg(long, default_value_t = 0.0)]
    timeout_rate: f64,
    #[arg(long, default_value_t = 0.0)]
    server_error_rate: f64,
    #[arg(long, default_value_t = 0.0)]
    failed_rate: f64,
    #[arg(long, default_value_t = 0.0)]
    lost_answer_rate: f64,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// How long a timeout or lost answer holds the answer.
    #[arg(long, default_value_t = 15_000)]
    stall_ms: u64,
    /// Serve HTTPS with this certificate chain and key (PEM)...
    #[arg(long, requires = "tls_key")]
    tls_certificate: Option<PathBuf>,
    #[arg(long, requires = "tls_certificate")]
    tls_key: Option<PathBuf>,
    /// ...and ask clients for a certificate from this CA (PEM).
    #[arg(long, requires = "tls_certificate")]
    tls_client_ca: Option<PathBuf>,
}

fn rate(name: &str, r: f64) -> anyhow::Result<f64> {
    anyhow::ensure!((0.0..=1.0).contains(&r), "--{name} must be between 0 and 1");
    Ok(r)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    let args = Args::parse();
    anyhow::ensure!(
        args.secret.len() >= 16,
        "--secret must be at least 16 bytes"
    );
    let rates = FaultRates {
        timeout: rate("timeout-rate", args.timeout_rate)?,
        server_error: rate("server-error-rate", args.server_error_rate)?,
        failed: rate("failed-rate", args.failed_rate)?,
        lost_answer: rate("lost-answer-rate", args.lost_answer_rate)?,
    };
    let read = |p: &PathBuf| std::fs::read(p).map_err(|e| anyhow::anyhow!("{}: {e}", p.display()));
    let tls = match (&args.tls_certificate, &args.tls_key) {
        (Some(c), Some(k)) => Some(TlsServerConfig {
            certificate_pem: read(c)?,
            key_pem: read(k)?,
            client_ca_pem: args.tls_client_ca.as_ref().map(read).transpose()?,
        }),
        _ => None,
    };
    // The composition root of this program: the only place that reads the wall clock.
    #[allow(clippy::disallowed_methods)]
    let now: simrenew_network::Now = Arc::new(jiff::Timestamp::now);
    let mut config = NetsimConfig::new(args.secret.as_bytes(), now);
    config.smdp = SmdpConfig {
        address: args.smdp_address,
        operator_url: args.operator_url,
        operator_token: args.operator_token,
        install_step: Duration::from_millis(args.install_step_ms),
        iccid_prefix: args.iccid_prefix,
        pool_size: args.pool_size,
        ..SmdpConfig::default()
    };
    config.faults = FaultPlan {
        latency: Duration::from_millis(args.latency_ms),
        jitter: Duration::from_millis(args.jitter_ms),
        rules: args.faults,
        rates,
        seed: args.seed,
        stall: Duration::from_millis(args.stall_ms),
    };
    config.tls = tls;
    let listener = tokio::net::TcpListener::bind(&args.listen).await?;
    tracing::info!(address = %listener.local_addr()?, "simrenew-netsim listening");
    simrenew_netsim::run(config, listener, async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await
}
