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
}

impl AppState {
    pub fn new(app: App) -> Self {
        Self::with_web(app, crate::web::WebState::new(None))
    }

    /// The state of `simrenew demo`, whose card payments are simulated: `challenges` is the
    /// simulated provider's step, shown at `/LANG/demo-card/...`.
    pub fn with_card_challenges(
        app: App,
        challenges: Arc<dyn simrenew_app::payments::demo_card::CardChallenges>,
    ) -> Self {
        Self::with_web(app, crate::web::WebState::new(Some(challenges)))
    }

    fn with_web(app: App, web: crate::web::WebState) -> Self {
        Self(Arc::new(Shared {
            web,
            app,
            rendered_lines: moka::sync::Cache::builder()
                .max_capacity(100_000)
                .time_to_live(simrenew_app::LINE_CACHE_TTL)
                .build(),
        }))
    }
}
