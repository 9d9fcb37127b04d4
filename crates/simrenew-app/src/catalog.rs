//! Reading brands and the plans on sale.

use simrenew_domain::brand::Brand;
use simrenew_domain::catalog::Plan;

use crate::ports::PlanFilter;
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

    /// Plans of the catalog versions in force now.
    pub async fn plans(&self, filter: &PlanFilter) -> AppResult<Vec<Plan>> {
        Ok(self.store.plans_in_force(filter, self.now()).await?)
    }
}
