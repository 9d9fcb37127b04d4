//! What the pages keep beside the use cases, held in the state every handler reaches.

use std::sync::Arc;
use std::time::Duration;

use simrenew_app::payments::demo_card::CardChallenges;
use simrenew_app::App;
use simrenew_domain::brand::Brand;
use simrenew_domain::brand_look::BrandLook;
use simrenew_domain::catalog::Plan;
use simrenew_domain::ids::{BrandId, SubscriberId};

/// What the pages keep beside the use cases: brands, their looks and subscribers' brands, for
/// a short while (they change rarely, and every page needs them), and the demo's card step.
pub struct WebState {
    brands: moka::sync::Cache<(), Arc<Vec<Brand>>>,
    looks: moka::sync::Cache<BrandId, Arc<BrandLook>>,
    subscriber_brands: moka::sync::Cache<SubscriberId, BrandId>,
    plans: moka::sync::Cache<BrandId, Arc<Vec<Plan>>>,
    /// The simulated card provider's step, in `simrenew demo` only.
    pub card_challenges: Option<Arc<dyn CardChallenges>>,
}

/// How long brands and their looks are used from memory.
const BRAND_CACHE_TTL: Duration = Duration::from_secs(30);

impl WebState {
    pub fn new(card_challenges: Option<Arc<dyn CardChallenges>>) -> Self {
        Self {
            brands: moka::sync::Cache::builder()
                .max_capacity(1)
                .time_to_live(BRAND_CACHE_TTL)
                .build(),
            looks: moka::sync::Cache::builder()
                .max_capacity(1_000)
                .time_to_live(BRAND_CACHE_TTL)
                .build(),
            subscriber_brands: moka::sync::Cache::builder()
                .max_capacity(100_000)
                .time_to_live(Duration::from_secs(3600))
                .build(),
            plans: moka::sync::Cache::builder()
                .max_capacity(1_000)
                .time_to_live(BRAND_CACHE_TTL)
                .build(),
            card_challenges,
        }
    }

    /// The plans of the brand's catalog version in force.
    pub async fn plans(&self, app: &App, brand: BrandId) -> Arc<Vec<Plan>> {
        if let Some(hit) = self.plans.get(&brand) {
            return hit;
        }
        let filter = simrenew_app::sales::ports::PlanFilter {
            brand: Some(brand),
            kind: None,
            channel: None,
        };
        match app.plans(&filter).await {
            Ok(p) => {
                let p = Arc::new(p);
                self.plans.insert(brand, p.clone());
                p
            }
            Err(e) => {
                tracing::error!(error = %e, "plans could not be read");
                Arc::new(vec![])
            }
        }
    }

    pub async fn brands(&self, app: &App) -> Arc<Vec<Brand>> {
        if let Some(hit) = self.brands.get(&()) {
            return hit;
        }
        match app.brands().await {
            Ok(b) => {
                let b = Arc::new(b);
                self.brands.insert((), b.clone());
                b
            }
            Err(e) => {
                tracing::error!(error = %e, "brands could not be read");
                Arc::new(vec![])
            }
        }
    }

    pub async fn look(&self, app: &App, brand: BrandId) -> Arc<BrandLook> {
        if let Some(hit) = self.looks.get(&brand) {
            return hit;
        }
        match app.brand_look(brand).await {
            Ok(l) => {
                let l = Arc::new(l);
                self.looks.insert(brand, l.clone());
                l
            }
            Err(e) => {
                tracing::error!(error = %e, "a brand's look could not be read");
                Arc::new(BrandLook::plain())
            }
        }
    }

    /// A subscriber's brand, which never changes.
    pub async fn subscriber_brand(&self, app: &App, s: SubscriberId) -> Option<BrandId> {
        if let Some(hit) = self.subscriber_brands.get(&s) {
            return Some(hit);
        }
        let b = app.store.subscriber_brand(s).await.ok().flatten()?;
        self.subscriber_brands.insert(s, b);
        Some(b)
    }
}
