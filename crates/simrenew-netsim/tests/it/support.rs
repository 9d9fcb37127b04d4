//! Starting the simulator, a stand-in operator endpoint for its callbacks, clients, a clock.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::http::StatusCode;
use jiff::Timestamp;
use simrenew_netsim::{FaultPlan, FaultRule, Netsim, NetsimConfig};
use simrenew_network::es2plus::{Es2Client, Es2Config};
use simrenew_network::progress::{parse_download_progress, DownloadProgress};
use simrenew_network::provisioning::{ProvisioningClient, ProvisioningConfig};
use simrenew_network::{Now, RetryPolicy, Secret};
use tokio::net::TcpListener;
use tokio::sync::oneshot;

pub const SECRET: &[u8] = b"netsim-test-secret-0123456789";
pub const CLIENT_TIMEOUT: Duration = Duration::from_millis(250);
/// Longer than the client's timeout, short enough for quick tests.
pub const STALL: Duration = Duration::from_millis(600);

/// A clock the test moves.
#[derive(Clone)]
pub struct TestClock(Arc<Mutex<Timestamp>>);

impl TestClock {
    pub fn new() -> Self {
        Self(Arc::new(Mutex::new(
            "2027-03-01T10:00:00Z".parse().unwrap(),
        )))
    }

    pub fn now(&self) -> Now {
        let t = self.0.clone();
        Arc::new(move || *t.lock().unwrap())
    }

    pub fn advance(&self, d: Duration) {
        let mut t = self.0.lock().unwrap();
        *t = t
            .checked_add(jiff::SignedDuration::try_from(d).unwrap())
            .unwrap();
    }
}

pub fn config(clock: &TestClock, rules: &[&str]) -> NetsimConfig {
    let mut config = NetsimConfig::new(SECRET, clock.now());
    config.faults = FaultPlan {
        rules: rules
            .iter()
            .map(|r| r.parse::<FaultRule>().unwrap())
            .collect(),
        stall: STALL,
        latency: Duration::from_millis(2),
        ..FaultPlan::default()
    };
    config.smdp.install_step = Duration::from_millis(20);
    config
}

/// A simulator serving on a free port; stopped when dropped.
pub struct Sim {
    pub netsim: Netsim,
    pub url: String,
    stop: Option<oneshot::Sender<()>>,
}

impl Drop for Sim {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

pub async fn start(config: NetsimConfig) -> Sim {
    let scheme = if config.tls.is_some() {
        "https"
    } else {
        "http"
    };
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("{scheme}://{}", listener.local_addr().unwrap());
    let netsim = Netsim::new(config).unwrap();
    let (tx, rx) = oneshot::channel();
    let serving = netsim.clone();
    tokio::spawn(async move {
        serving
            .serve(listener, async {
                let _ = rx.await;
            })
            .await
            .unwrap();
    });
    Sim {
        netsim,
        url,
        stop: Some(tx),
    }
}

pub fn retry() -> RetryPolicy {
    RetryPolicy {
        attempts: 3,
        backoff: Duration::from_millis(10),
    }
}

pub fn provisioning_client(sim: &Sim, clock: &TestClock, secret: &[u8]) -> ProvisioningClient {
    ProvisioningClient::new(ProvisioningConfig {
        base_url: sim.url.clone(),
        secret: Secret::new(secret),
        timeout: CLIENT_TIMEOUT,
        retry: retry(),
        now: clock.now(),
    })
    .unwrap()
}

pub fn es2_config(url: &str) -> Es2Config {
    Es2Config {
        base_url: url.to_owned(),
        function_requester_identifier: "simrenew-test".to_owned(),
        smdp_address: "smdp.netsim.example".to_owned(),
        timeout: CLIENT_TIMEOUT,
        retry: retry(),
        tls: None,
    }
}

pub fn es2_client(sim: &Sim) -> Es2Client {
    Es2Client::new(es2_config(&sim.url)).unwrap()
}

/// The operator's handleDownloadProgressInfo endpoint, as simrenew-http will serve it: the
/// body goes through `parse_download_progress`; 204 when it reads, 400 when it does not.
pub struct Operator {
    pub url: String,
    pub received: Arc<Mutex<Vec<DownloadProgress>>>,
    _stop: oneshot::Sender<()>,
}

pub async fn operator() -> Operator {
    let received = Arc::new(Mutex::new(vec![]));
    let store = received.clone();
    let app = axum::Router::new().route(
        "/gsma/rsp2/es2plus/handleDownloadProgressInfo",
        axum::routing::post(move |body: Bytes| {
            let store = store.clone();
            async move {
                match parse_download_progress(&body) {
                    Ok(p) => {
                        store.lock().unwrap().push(p);
                        StatusCode::NO_CONTENT
                    }
                    Err(_) => StatusCode::BAD_REQUEST,
                }
            }
        }),
    );
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!(
        "http://{}/gsma/rsp2/es2plus/handleDownloadProgressInfo",
        listener.local_addr().unwrap()
    );
    let (tx, rx) = oneshot::channel::<()>();
    tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = rx.await;
            })
            .await
            .unwrap();
    });
    Operator {
        url,
        received,
        _stop: tx,
    }
}

/// Waits (at most 5 s) until `done` holds.
pub async fn eventually(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while !done() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}
