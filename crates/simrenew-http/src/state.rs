//! What every handler can reach.

pub mod pages;

use std::sync::Arc;

use axum::body::Bytes;
use simrenew_app::sales::ports::LineDetails;
use simrenew_app::App;
use simrenew_domain::Timestamp;

/// A line rendered as JSON, valid while the line's cached read is the same and until the next
/// instant at which something shown changes by itself (a bundle starts or ends, the line
/// expires or lapses).
#[derive(Clone)]
pub struct RenderedLine {
    pub details: Arc<LineDetails>,
    pub valid_until: Timestamp,
    pub body: Bytes,
}

/// Cheap to clone: every extractor and handler takes a copy.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

pub struct Shared {
    pub app: App,
    pub rendered_lines: moka::sync::Cache<String, RenderedLine>,
    /// What the pages keep.
    pub web: pages::WebState,
    /// The reverse proxies whose `X-Forwarded-For` is believed.
    pub trusted_proxies: TrustedProxies,
    /// The SM-DP+ that may report installs (handleDownloadProgressInfo); unset: the route
    /// answers 404. Set once, when the server starts.
    pub smdp_notifications: std::sync::OnceLock<SmdpNotifications>,
}

/// The reverse proxies in front of the server, as CIDR ranges: only when the TCP peer is one
/// of them is the client's address taken from `X-Forwarded-For`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<ipnet::IpNet>);

impl TrustedProxies {
    /// Comma-separated CIDR ranges or single addresses: `10.0.0.0/8, 192.0.2.7, fd00::/8`.
    pub fn parse(s: &str) -> Result<Self, String> {
        s.split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(|p| {
                p.parse::<ipnet::IpNet>()
                    .or_else(|_| p.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                    .map_err(|_| format!("{p:?} is not an address or a CIDR range"))
            })
            .collect::<Result<_, _>>()
            .map(TrustedProxies)
    }

    pub fn contains(&self, ip: &std::net::IpAddr) -> bool {
        self.0.iter().any(|net| net.contains(ip))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl AppState {
    pub fn new(app: App) -> Self {
        Self::build(app, pages::WebState::new(None), TrustedProxies::default())
    }

    /// The state of `simrenew demo`, whose card payments are simulated: `challenges` is the
    /// simulated provider's step, shown at `/LANG/demo-card/...`.
    pub fn with_card_challenges(
        app: App,
        challenges: Arc<dyn simrenew_app::payments::demo_card::CardChallenges>,
    ) -> Self {
        Self::build(
            app,
            pages::WebState::new(Some(challenges)),
            TrustedProxies::default(),
        )
    }

    /// The state of a server behind these reverse proxies.
    pub fn with_trusted_proxies(app: App, trusted_proxies: TrustedProxies) -> Self {
        Self::build(app, pages::WebState::new(None), trusted_proxies)
    }

    fn build(app: App, web: pages::WebState, trusted_proxies: TrustedProxies) -> Self {
        Self(Arc::new(Shared {
            web,
            app,
            trusted_proxies,
            smdp_notifications: std::sync::OnceLock::new(),
            rendered_lines: moka::sync::Cache::builder()
                .max_capacity(100_000)
                .time_to_live(simrenew_app::LINE_CACHE_TTL)
                .build(),
        }))
    }
}

/// Who may call handleDownloadProgressInfo: the SM-DP+ presenting this bearer token and
/// naming itself so in the envelope.
#[derive(Clone)]
pub struct SmdpNotifications {
    token_hash: [u8; 32],
    pub requester_id: String,
}

impl SmdpNotifications {
    pub fn new(token: &str, requester_id: &str) -> Self {
        use sha2::Digest;
        Self {
            token_hash: sha2::Sha256::digest(token.as_bytes()).into(),
            requester_id: requester_id.to_owned(),
        }
    }

    pub(crate) fn admits(&self, headers: &axum::http::HeaderMap) -> bool {
        use sha2::Digest;
        let Some(token) = headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
        else {
            return false;
        };
        // Digests of equal length compared whole: the comparison says nothing of the token.
        let given: [u8; 32] = sha2::Sha256::digest(token.trim().as_bytes()).into();
        given
            .iter()
            .zip(self.token_hash.iter())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
    }
}

impl std::fmt::Debug for SmdpNotifications {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmdpNotifications")
            .field("requester_id", &self.requester_id)
            .finish_non_exhaustive()
    }
}
