//! A subscriber's lines as the portal's "my lines" page shows them: each line's read, whether
//! a renewal of it is still syncing with the network, and an eSIM's profile, with the
//! subscriber's name. All of it is kept in memory as the line reads are (`LINE_CACHE_TTL`),
//! and forgotten with them: what a line shows with its read (`Forget::Line`), which lines a
//! subscriber holds and their name (`Forget::Subscriber`, and every subscriber on
//! `Forget::Access`, when a line may have changed hands). May use: `sales`, `esims` and the
//! ground.

use std::sync::Arc;
use std::time::Duration;

use simrenew_domain::catalog::LineKind;
use simrenew_domain::identifiers::Msisdn;
use simrenew_domain::ids::SubscriberId;

use crate::esims::ports::EsimProfile;
use crate::sales::ports::LineDetails;
use crate::{App, AppError, AppResult};

/// The most lines the page shows.
pub const MAX_LINES: u32 = 100;

pub use crate::sales::portal::Holdings;

/// What a line shows beside its read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineExtras {
    /// A renewal of it is still syncing with the network.
    pub syncing: bool,
    /// A new eSIM's profile, for an eSIM line sold here.
    pub esim: Option<EsimProfile>,
}

/// One line on the page.
#[derive(Debug, Clone)]
pub struct PortfolioLine {
    pub details: Arc<LineDetails>,
    pub extras: Arc<LineExtras>,
}

/// A subscriber's lines with their name.
#[derive(Debug, Clone)]
pub struct Portfolio {
    pub name: Option<String>,
    pub lines: Vec<PortfolioLine>,
}

/// What the portfolio keeps in memory.
#[derive(Clone)]
pub(crate) struct PortfolioCache {
    pub(crate) subscribers: moka::sync::Cache<SubscriberId, Arc<Holdings>>,
    pub(crate) lines: moka::sync::Cache<String, Arc<LineExtras>>,
}

impl PortfolioCache {
    /// `ttl` zero keeps nothing.
    pub(crate) fn new(ttl: Duration) -> Self {
        let capacity = if ttl.is_zero() { 0 } else { 100_000 };
        let ttl = ttl.max(Duration::from_millis(1));
        Self {
            subscribers: moka::sync::Cache::builder()
                .max_capacity(capacity)
                .time_to_live(ttl)
                .build(),
            lines: moka::sync::Cache::builder()
                .max_capacity(capacity)
                .time_to_live(ttl)
                .build(),
        }
    }
}

impl App {
    /// The subscriber's lines (at most [`MAX_LINES`]) with what the page shows of each.
    pub async fn portfolio(&self, subscriber: SubscriberId) -> AppResult<Portfolio> {
        let holdings = match self.portfolio.subscribers.get(&subscriber) {
            Some(hit) => hit,
            None => {
                let h = Arc::new(
                    self.store
                        .subscriber_holdings(subscriber, MAX_LINES)
                        .await?,
                );
                self.portfolio.subscribers.insert(subscriber, h.clone());
                h
            }
        };
        let mut lines = Vec::with_capacity(holdings.lines.len());
        for msisdn in &holdings.lines {
            let details = match self.line(msisdn).await {
                Ok(d) => d,
                // Gone since the holdings were read (erased): not shown.
                Err(AppError::NotFound { .. }) => continue,
                Err(e) => return Err(e),
            };
            let extras = self.line_extras(msisdn, &details).await?;
            lines.push(PortfolioLine { details, extras });
        }
        Ok(Portfolio {
            name: holdings.name.clone(),
            lines,
        })
    }

    async fn line_extras(
        &self,
        msisdn: &Msisdn,
        details: &LineDetails,
    ) -> AppResult<Arc<LineExtras>> {
        if let Some(hit) = self.portfolio.lines.get(msisdn.as_str()) {
            return Ok(hit);
        }
        let syncing = self.store.line_syncing(details.line.id).await?;
        let esim = if details.line.kind() == LineKind::Esim {
            self.store.esim_profile(msisdn).await?
        } else {
            None
        };
        let extras = Arc::new(LineExtras { syncing, esim });
        self.portfolio
            .lines
            .insert(msisdn.as_str().to_owned(), extras.clone());
        Ok(extras)
    }
}
