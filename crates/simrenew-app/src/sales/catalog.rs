//! Reading brands and the plans on sale.

use simrenew_domain::brand::Brand;
use simrenew_domain::catalog::Plan;

use std::sync::Arc;

use simrenew_domain::ids::BrandId;

use super::ports::{Catalog, NewPlan, PlanFilter, SalesTx};
use crate::audit::AuditEntry;
use crate::{App, AppError, AppResult};

/// The most plans one catalog version holds.
pub const MAX_PLANS: usize = 200;

/// A catalog version as published.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishedVersion {
    pub id: simrenew_domain::ids::CatalogVersionId,
    pub version: u32,
    pub effective_from: jiff::Timestamp,
}

impl App {
    pub async fn brands(&self) -> AppResult<Vec<Brand>> {
        Ok(self.store.brands().await?)
    }

    pub async fn brand(&self, code: &str) -> AppResult<Brand> {
        self.store
            .brand_by_code(code)
            .await?
            .ok_or(AppError::not_found("brand", "brand"))
    }

    /// A brand's catalog and promotions, kept for [`crate::CATALOG_CACHE_TTL`]; read through
    /// the caller's transaction (a second connection could deadlock a full pool).
    pub(crate) async fn catalog(
        &self,
        tx: &mut dyn SalesTx,
        brand: BrandId,
    ) -> AppResult<Arc<Catalog>> {
        if let Some(hit) = self.catalog_cache.get(&brand) {
            return Ok(hit);
        }
        let catalog = Arc::new(tx.catalog(brand).await?);
        self.catalog_cache.insert(brand, catalog.clone());
        Ok(catalog)
    }

    /// Forgets the cached catalogs, after publishing a version or a promotion here.
    pub fn catalog_changed(&self) {
        self.forget(crate::forget::Forget::Catalogs);
    }

    /// Plans of the catalog versions in force now.
    pub async fn plans(&self, filter: &PlanFilter) -> AppResult<Vec<Plan>> {
        Ok(self.store.plans_in_force(filter, self.now()).await?)
    }

    /// Publishes a new catalog version of `brand` with its plans, in force from
    /// `effective_from` (not in the past), on behalf of `actor`, audited. Lines renewing
    /// automatically a plan whose price it raises keep their price until they were given
    /// notice (`automation::price_notices`).
    pub async fn publish_catalog_version(
        &self,
        actor: &str,
        brand: BrandId,
        effective_from: jiff::Timestamp,
        plans: &[NewPlan],
    ) -> AppResult<PublishedVersion> {
        use simrenew_domain::parse::ParseError;
        let now = self.now();
        if effective_from < now {
            return Err(ParseError::new(
                "effective_from",
                "must not be in the past: a version comes into force now or later",
            )
            .into());
        }
        if plans.is_empty() || plans.len() > MAX_PLANS {
            return Err(ParseError::new(
                "plans",
                format!("a version holds 1 to {MAX_PLANS} plans"),
            )
            .into());
        }
        let mut tx = self.store.begin().await?;
        let b = tx.brand(brand).await?;
        for (i, p) in plans.iter().enumerate() {
            if plans[..i].iter().any(|o| o.code == p.code) {
                return Err(
                    ParseError::new("plans", format!("plan {} is listed twice", p.code)).into(),
                );
            }
            if p.price.currency != b.currency {
                return Err(ParseError::new(
                    "plans",
                    format!("plan {}: {} prices in {}", p.code, b.name, b.currency),
                )
                .into());
            }
        }
        let (id, version) = tx
            .insert_catalog_version(brand, effective_from, now, plans)
            .await?;
        let codes: Vec<String> = plans
            .iter()
            .map(|p| format!("{}={}", p.code, p.price.cents))
            .collect();
        tx.append_audit(
            &AuditEntry {
                chain: format!("brand:{brand}"),
                actor: actor.to_owned(),
                action: "catalog.publish".into(),
                subject: format!("catalog_version:{id}"),
                details: format!(
                    "version={version} effective_from={effective_from} plans={}",
                    codes.join(",")
                ),
            },
            now,
        )
        .await?;
        tx.commit().await?;
        self.catalog_changed();
        Ok(PublishedVersion {
            id,
            version,
            effective_from,
        })
    }
}
