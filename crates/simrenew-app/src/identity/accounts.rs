//! Staff members and subscribers' records: creating staff, and a subscriber's GDPR export and
//! erasure. Each act is recorded in the `admin` audit chain.

use simrenew_domain::access::Role;
use simrenew_domain::ids::{BrandId, StaffId, StoreId, SubscriberId};

use crate::audit::AuditEntry;
use crate::{App, AppError, AppResult};

/// A member of staff to create.
#[derive(Debug, Clone)]
pub struct NewStaff {
    pub email: String,
    pub name: String,
    pub role: Role,
    pub brand: Option<BrandId>,
    pub stores: Vec<StoreId>,
}

impl App {
    /// Creates a member of staff; recorded in the audit log.
    pub async fn create_staff(&self, actor: &str, staff: &NewStaff) -> AppResult<StaffId> {
        if (staff.role == Role::PlatformAdmin) != staff.brand.is_none() {
            return Err(AppError::conflict(
                "brand",
                "platform admins have no brand; brand admins and agents have one",
            ));
        }
        if staff.role != Role::Agent && !staff.stores.is_empty() {
            return Err(AppError::conflict(
                "store",
                "only agents are bound to stores",
            ));
        }
        for store in &staff.stores {
            // An agent works for one brand: at that brand's stores only.
            if self.store.store_brand(*store).await? != staff.brand {
                return Err(AppError::conflict(
                    "store",
                    format!("store {store} is not a store of the agent's brand"),
                ));
            }
        }
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let id = tx.insert_staff(staff, now).await?;
        tx.append_audit(
            &AuditEntry {
                chain: "admin".into(),
                actor: actor.into(),
                action: "staff.create".into(),
                subject: format!("staff:{id}"),
                details: format!("role={} brand={:?}", staff.role, staff.brand.map(|b| b.0)),
            },
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Everything kept about a subscriber, as JSON (GDPR right of access); recorded in the
    /// audit log.
    pub async fn export_subscriber(&self, actor: &str, id: SubscriberId) -> AppResult<String> {
        let export = self
            .store
            .subscriber_export(id)
            .await?
            .ok_or(AppError::not_found("subscriber", "id"))?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        tx.append_audit(
            &AuditEntry {
                chain: "admin".into(),
                actor: actor.into(),
                action: "subscriber.export".into(),
                subject: format!("subscriber:{id}"),
                details: String::new(),
            },
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(export)
    }

    /// Erases a subscriber's personal data (GDPR right to erasure) while keeping, under the
    /// pseudonymous id, the orders, payments and ledger entries that billing law requires.
    pub async fn erase_subscriber(&self, actor: &str, id: SubscriberId) -> AppResult<()> {
        let now = self.now();
        let mut tx = self.store.begin().await?;
        if !tx.erase_subscriber(id, now).await? {
            return Err(AppError::not_found("subscriber", "id"));
        }
        tx.append_audit(
            &AuditEntry {
                chain: "admin".into(),
                actor: actor.into(),
                action: "subscriber.erase".into(),
                subject: format!("subscriber:{id}"),
                details: String::new(),
            },
            now,
        )
        .await?;
        tx.commit().await?;
        self.forget(crate::forget::Forget::AllLines);
        Ok(())
    }
}
