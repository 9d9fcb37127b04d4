//! What every handler can reach.

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
    pub web: crate::web::WebState,
    /// The reverse proxies whose `X-Forwarded-For` is believed.
    pub trusted_proxies: TrustedProxies,
    /// The SM-DP+ that may report installs (handleDownloadProgressInfo); unset: the route
    /// answers 404. Set once, when the server starts.
    pub smdp_notifications: std::sync::OnceLock<crate::api::esims::SmdpNotifications>,
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
        Self::build(
            app,
            crate::web::WebState::new(None),
            TrustedProxies::default(),
        )
    }

    /// The state of `simrenew demo`, whose card payments are simulated: `challenges` is the
    /// simulated provider's step, shown at `/LANG/demo-card/...`.
    pub fn with_card_challenges(
        app: App,
        challenges: Arc<dyn simrenew_app::payments::demo_card::CardChallenges>,
    ) -> Self {
        Self::build(
            app,
            crate::web::WebState::new(Some(challenges)),
            TrustedProxies::default(),
        )
    }

    /// The state of a server behind these reverse proxies.
    pub fn with_trusted_proxies(app: App, trusted_proxies: TrustedProxies) -> Self {
        Self::build(app, crate::web::WebState::new(None), trusted_proxies)
    }

    fn build(app: App, web: crate::web::WebState, trusted_proxies: TrustedProxies) -> Self {
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
