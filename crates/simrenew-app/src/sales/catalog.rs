//! Reading brands and the plans on sale.

use simrenew_domain::brand::Brand;
use simrenew_domain::catalog::Plan;

use std::sync::Arc;

use simrenew_domain::ids::BrandId;

use super::ports::{Catalog, PlanFilter, SalesTx};
use crate::{App, AppError, AppResult};

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
}
