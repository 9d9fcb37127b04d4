//! Reading brands and the plans on sale.

use simrenew_domain::brand::Brand;
use simrenew_domain::catalog::Plan;

use std::sync::Arc;

use simrenew_domain::ids::BrandId;

use super::ports::{
    Catalog, ListedPromotion, ListedVersion, NewPlan, NewPromotion, PlanFilter, PromotionChange,
    SalesTx,
};
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

    /// Every catalog version of `brand`, the latest first, future ones included. The caller
    /// has checked that its caller administers the brand.
    pub async fn catalog_versions(&self, brand: BrandId) -> AppResult<Vec<ListedVersion>> {
        Ok(self.store.catalog_versions(brand).await?)
    }

    /// Every promotion of `brand`, the latest first, ended ones included, with their uses.
    /// The caller has checked that its caller administers the brand.
    pub async fn promotions_of(&self, brand: BrandId) -> AppResult<Vec<ListedPromotion>> {
        Ok(self.store.promotions(brand).await?)
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

    /// Creates a promotion of `brand` on behalf of `actor`, audited. Its rule must give
    /// something (a bonus period, 0.01 % to 100 % off, an amount above zero in the brand's
    /// currency) and its validity must end after it starts.
    pub async fn create_promotion(
        &self,
        actor: &str,
        p: &NewPromotion,
    ) -> AppResult<simrenew_domain::ids::PromotionId> {
        use simrenew_domain::parse::ParseError;
        use simrenew_domain::promotion::PromotionRule;
        let name = p.name.trim();
        if name.is_empty() || name.chars().count() > 80 {
            return Err(ParseError::new("name", "1 to 80 characters").into());
        }
        let mut tx = self.store.begin().await?;
        let brand = tx.brand(p.brand_id).await?;
        match p.rule {
            PromotionRule::PeriodBonus { buy, free }
                if buy >= 1 && free >= 1 && buy <= 120 && free <= 120 => {}
            PromotionRule::PercentOff { percent_bp } if (1..=10_000).contains(&percent_bp) => {}
            PromotionRule::AmountOff { amount }
                if amount.cents > 0 && amount.currency == brand.currency => {}
            _ => {
                return Err(ParseError::new(
                    "rule",
                    format!(
                        "a bonus of 1 to 120 periods for 1 to 120 bought, 1 to 10 000 basis \
                         points off, or an amount above zero in {}",
                        brand.currency
                    ),
                )
                .into())
            }
        }
        if p.valid_until.is_some_and(|u| u <= p.valid_from) {
            return Err(ParseError::new("valid_until", "must be after valid_from").into());
        }
        let id = tx
            .insert_promotion(&NewPromotion {
                name: name.to_owned(),
                ..p.clone()
            })
            .await?;
        tx.append_audit(
            &AuditEntry {
                chain: format!("brand:{}", p.brand_id),
                actor: actor.to_owned(),
                action: "promotion.create".into(),
                subject: format!("promotion:{id}"),
                details: format!(
                    "name={name:?} code={} rule={:?} valid_from={} valid_until={}",
                    p.code.as_ref().map(|c| c.as_str()).unwrap_or("-"),
                    p.rule,
                    p.valid_from,
                    p.valid_until
                        .map(|t| t.to_string())
                        .unwrap_or_else(|| "-".into())
                ),
            },
            self.now(),
        )
        .await?;
        tx.commit().await?;
        self.catalog_changed();
        Ok(id)
    }

    /// The brand of a promotion, for the caller's right to change it (`None`: no such one).
    pub async fn promotion_brand(
        &self,
        id: simrenew_domain::ids::PromotionId,
    ) -> AppResult<Option<BrandId>> {
        let mut tx = self.store.begin().await?;
        let brand = tx.lock_promotion(id).await?.map(|(b, _, _)| b);
        tx.commit().await?;
        Ok(brand)
    }

    /// Changes a promotion's name, end or limits on behalf of `actor`, audited; ending it is
    /// `valid_until` = now. An end is never before its start, nor moved into the past.
    pub async fn change_promotion(
        &self,
        actor: &str,
        id: simrenew_domain::ids::PromotionId,
        change: &PromotionChange,
    ) -> AppResult<()> {
        self.write_promotion(actor, id, change, false).await
    }

    /// Ends a promotion now (one not started yet never applies), on behalf of `actor`,
    /// audited.
    pub async fn end_promotion(
        &self,
        actor: &str,
        id: simrenew_domain::ids::PromotionId,
    ) -> AppResult<()> {
        self.write_promotion(actor, id, &PromotionChange::default(), true)
            .await
    }

    async fn write_promotion(
        &self,
        actor: &str,
        id: simrenew_domain::ids::PromotionId,
        change: &PromotionChange,
        ended: bool,
    ) -> AppResult<()> {
        use simrenew_domain::parse::ParseError;
        let now = self.now();
        if let Some(n) = &change.name {
            if n.trim().is_empty() || n.chars().count() > 80 {
                return Err(ParseError::new("name", "1 to 80 characters").into());
            }
        }
        let mut tx = self.store.begin().await?;
        let (brand, from, _) = tx
            .lock_promotion(id)
            .await?
            .ok_or(AppError::not_found("promotion", "id"))?;
        let mut change = change.clone();
        if ended {
            // Now, or for one that has not started, an empty window at its start.
            change.valid_until = Some(now.max(from));
        } else if let Some(until) = change.valid_until {
            if until < now {
                return Err(ParseError::new(
                    "valid_until",
                    "must be after the promotion's start and not in the past",
                )
                .into());
            }
            if until <= from {
                return Err(ParseError::new(
                    "valid_until",
                    "must be after the promotion's start and not in the past",
                )
                .into());
            }
        }
        tx.change_promotion(id, &change).await?;
        tx.append_audit(
            &AuditEntry {
                chain: format!("brand:{brand}"),
                actor: actor.to_owned(),
                action: if ended {
                    "promotion.end".into()
                } else {
                    "promotion.change".into()
                },
                subject: format!("promotion:{id}"),
                details: format!("{change:?}"),
            },
            now,
        )
        .await?;
        tx.commit().await?;
        self.catalog_changed();
        Ok(())
    }
}
