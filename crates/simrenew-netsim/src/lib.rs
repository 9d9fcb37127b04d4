//! A network simulator for simrenew's tests and demo.
//!
//! One HTTP server answers two APIs:
//!
//! - the generic provisioning API of `simrenew-network` (`provisioning-api.yaml`): it checks
//!   the HMAC signature and the idempotency key (a repeat gets the first answer, another body
//!   under the same key a 422), and keeps per line the bundles granted and whether it is
//!   suspended or released ([`Netsim::line`]);
//! - an SGP.22 ES2+ SM-DP+ (`/gsma/rsp2/es2plus/...`): it keeps a pool of profiles by ICCID
//!   (valid Luhn digits, made from a prefix), walks them through SGP.22's states
//!   (available → allocated → confirmed → released → downloaded → installed → enabled), answers
//!   matchingId and smdpAddress, and once a profile is released plays a phone installing it:
//!   handleDownloadProgressInfo calls to the operator's URL, one per notification point
//!   (eligibility check, download, installation, enabling), `install_step` apart, with an EID.
//!
//! Latency and faults ([`FaultPlan`]): a fixed latency plus seeded jitter; rules such as "the
//! 2nd downloadOrder times out" for tests, and random rates of timeouts, 5xx, `Failed`
//! statuses and answers lost after the work was done for demos. Everything received is
//! recorded ([`Netsim::received`]; `GET /netsim/received` over HTTP).
//!
//! [`run`] serves it on a listener until a shutdown future completes, so that tests and the
//! demo run it in-process; the `simrenew-netsim` binary runs it with flags.

#![deny(clippy::unwrap_used, clippy::expect_used)]
#![cfg_attr(not(test), deny(clippy::panic))]

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::routing::{get, post};
use axum::Router;
use serde_json::Value;
use simrenew_domain::identifiers::Iccid;
use simrenew_network::Now;
use tokio::net::TcpListener;

mod faults;
mod provisioning;
mod smdp;
mod tls;

pub use faults::{Fault, FaultPlan, FaultRates, FaultRule, Operation};
pub use provisioning::{GrantedBundle, NetLine};
pub use smdp::{CallbackSent, ProfileState, ProfileView};
pub use tls::TlsServerConfig;

/// The SM-DP+ side.
#[derive(Debug, Clone)]
pub struct SmdpConfig {
    /// The SM-DP+ address answered in confirmOrder (and so in activation codes).
    pub address: String,
    /// The SM-DP+'s identifier in the header of its handleDownloadProgressInfo calls.
    pub function_requester_identifier: String,
    /// The operator's handleDownloadProgressInfo endpoint (the full URL); none: no calls back.
    pub operator_url: Option<String>,
    /// Sent as `Authorization: Bearer <token>` with each call back, when set.
    pub operator_token: Option<String>,
    /// Between two notification points of a simulated install.
    pub install_step: Duration,
    /// The profile type of the pool.
    pub profile_type: String,
    /// The first digits of the pool's ICCIDs (`89` and more; at most 17 digits).
    pub iccid_prefix: String,
    pub pool_size: u32,
}

impl Default for SmdpConfig {
    fn default() -> Self {
        Self {
            address: "smdp.netsim.example".to_owned(),
            function_requester_identifier: "netsim-smdp".to_owned(),
            operator_url: None,
            operator_token: None,
            install_step: Duration::from_millis(200),
            profile_type: "simrenew-data".to_owned(),
            iccid_prefix: "89329900".to_owned(),
            pool_size: 1000,
        }
    }
}

#[derive(Clone)]
pub struct NetsimConfig {
    /// The provisioning API's HMAC secret, shared with the client.
    pub provisioning_secret: Vec<u8>,
    pub signature_tolerance: Duration,
    pub smdp: SmdpConfig,
    pub faults: FaultPlan,
    /// Serve HTTPS (with client certificates when `client_ca_pem` is set).
    pub tls: Option<TlsServerConfig>,
    pub now: Now,
}

impl std::fmt::Debug for NetsimConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NetsimConfig")
            .field("smdp", &self.smdp)
            .field("faults", &self.faults)
            .field("tls", &self.tls.is_some())
            .finish_non_exhaustive()
    }
}

impl NetsimConfig {
    /// No faults, no latency, no TLS, the default SM-DP+.
    pub fn new(provisioning_secret: &[u8], now: Now) -> Self {
        Self {
            provisioning_secret: provisioning_secret.to_vec(),
            signature_tolerance: simrenew_network::signing::DEFAULT_TOLERANCE,
            smdp: SmdpConfig::default(),
            faults: FaultPlan::default(),
            tls: None,
            now,
        }
    }
}

/// One request the simulator received.
#[derive(Debug, Clone, PartialEq)]
pub struct Received {
    pub seq: u64,
    pub operation: Operation,
    /// The `Idempotency-Key` (provisioning) or `functionCallIdentifier` (ES2+), as sent.
    pub key: Option<String>,
    /// The request headers the protocols define, as sent.
    pub headers: BTreeMap<String, String>,
    /// The body as JSON (`Value::String` with the raw text when it is not JSON).
    pub body: Value,
    pub fault: Option<Fault>,
    /// The status answered (0 until it is).
    pub status: u16,
}

/// A running simulator's state, shared by the server and whoever inspects it.
#[derive(Clone)]
pub struct Netsim {
    pub(crate) inner: Arc<Shared>,
}

pub(crate) struct Shared {
    pub(crate) config: NetsimConfig,
    pub(crate) state: Mutex<State>,
    pub(crate) callback_http: reqwest::Client,
}

pub(crate) struct State {
    pub(crate) faults: faults::FaultState,
    pub(crate) received: Vec<Received>,
    pub(crate) provisioning: provisioning::ProvisioningState,
    pub(crate) smdp: smdp::SmdpState,
}

impl Netsim {
    pub fn new(config: NetsimConfig) -> anyhow::Result<Self> {
        let smdp = smdp::SmdpState::new(&config.smdp)?;
        let callback_http = reqwest::Client::builder()
            .timeout(Duration::from_secs(5))
            .build()?;
        let state = State {
            faults: faults::FaultState::new(config.faults.clone()),
            received: vec![],
            provisioning: provisioning::ProvisioningState::default(),
            smdp,
        };
        Ok(Self {
            inner: Arc::new(Shared {
                config,
                state: Mutex::new(state),
                callback_http,
            }),
        })
    }

    pub(crate) fn state(&self) -> MutexGuard<'_, State> {
        self.inner
            .state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub(crate) fn config(&self) -> &NetsimConfig {
        &self.inner.config
    }

    /// Everything received so far, in order.
    pub fn received(&self) -> Vec<Received> {
        self.state().received.clone()
    }

    /// What was received for one operation.
    pub fn received_for(&self, operation: Operation) -> Vec<Received> {
        self.state()
            .received
            .iter()
            .filter(|r| r.operation == operation)
            .cloned()
            .collect()
    }

    /// What the network knows of a line (by its E.164 number).
    pub fn line(&self, msisdn: &str) -> Option<NetLine> {
        self.state().provisioning.lines.get(msisdn).cloned()
    }

    /// A profile of the pool.
    pub fn profile(&self, iccid: &Iccid) -> Option<ProfileView> {
        self.state().smdp.view(iccid.as_str())
    }

    /// The ICCIDs still available, in order: what an operator's pool would hold.
    pub fn available_profiles(&self) -> Vec<Iccid> {
        self.state().smdp.available()
    }

    /// The handleDownloadProgressInfo calls made, in order.
    pub fn callbacks(&self) -> Vec<CallbackSent> {
        self.state().smdp.callbacks.clone()
    }

    pub(crate) fn router(&self) -> Router {
        Router::new()
            .route("/v1/bundle-grants", post(provisioning::bundle_grants))
            .route("/v1/line-suspensions", post(provisioning::line_suspensions))
            .route("/v1/line-resumptions", post(provisioning::line_resumptions))
            .route("/v1/number-releases", post(provisioning::number_releases))
            .route("/gsma/rsp2/es2plus/{function}", post(smdp::function))
            .route("/netsim/received", get(inspect_received))
            .route("/netsim/profiles", get(smdp::inspect_profiles))
            .with_state(self.clone())
    }

    /// Serves on `listener` until `shutdown` completes, then lets answers in flight finish.
    pub async fn serve(
        &self,
        listener: TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let router = self.router();
        match &self.config().tls {
            None => {
                axum::serve(listener, router)
                    .with_graceful_shutdown(shutdown)
                    .await
            }
            Some(tls) => tls::serve(tls, listener, router, shutdown).await,
        }
    }

    /// Records a request at its arrival; its index for [`Netsim::answered`].
    pub(crate) fn record(
        state: &mut State,
        operation: Operation,
        key: Option<String>,
        headers: BTreeMap<String, String>,
        body: Value,
        fault: Option<Fault>,
    ) -> usize {
        let seq = state.received.len() as u64 + 1;
        state.received.push(Received {
            seq,
            operation,
            key,
            headers,
            body,
            fault,
            status: 0,
        });
        state.received.len() - 1
    }

    pub(crate) fn answered(&self, index: usize, status: u16) {
        if let Some(r) = self.state().received.get_mut(index) {
            r.status = status;
        }
    }
}

/// Runs a simulator with `config` on `listener` until `shutdown` completes.
pub async fn run(
    config: NetsimConfig,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    Netsim::new(config)?.serve(listener, shutdown).await?;
    Ok(())
}

async fn inspect_received(
    axum::extract::State(sim): axum::extract::State<Netsim>,
) -> axum::Json<Value> {
    let list: Vec<Value> = sim
        .received()
        .into_iter()
        .map(|r| {
            serde_json::json!({
                "seq": r.seq,
                "operation": r.operation.as_str(),
                "key": r.key,
                "fault": r.fault.map(Fault::as_str),
                "status": r.status,
                "body": r.body,
            })
        })
        .collect();
    axum::Json(Value::Array(list))
}

/// The headers the protocols define, lower-cased, from a request.
pub(crate) fn protocol_headers(headers: &axum::http::HeaderMap) -> BTreeMap<String, String> {
    const NAMES: [&str; 4] = [
        "content-type",
        "idempotency-key",
        "x-simrenew-signature",
        "x-admin-protocol",
    ];
    NAMES
        .iter()
        .filter_map(|n| {
            headers
                .get(*n)
                .and_then(|v| v.to_str().ok())
                .map(|v| ((*n).to_owned(), v.to_owned()))
        })
        .collect()
}

/// Sleeps `latency`, unless zero.
pub(crate) async fn pause(d: Duration) {
    if !d.is_zero() {
        tokio::time::sleep(d).await;
    }
}
