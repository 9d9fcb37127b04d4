//! Automatic renewal: a line with auto-renew on is renewed by the worker [`LEAD`] before it
//! expires, with the plan its subscriber chose, paid from its credit, on the `auto_renew`
//! channel — where the brand's monthly auto-debit limit holds (`sales::renewal::pay`). A
//! renewal that cannot be paid is tried again after 1 h, 6 h and 24 h, then left to the
//! subscriber (the line goes to grace at expiry, and renews by hand).

use async_trait::async_trait;
use jiff::{SignedDuration, Timestamp};
use simrenew_domain::catalog::Channel;
use simrenew_domain::identifiers::Msisdn;
use simrenew_domain::ids::LineId;

use crate::audit::AuditEntry;
use crate::sales::payment::PaymentInstruction;
use crate::sales::renewal::{lock_line, OrderSource, PurchaseRequest};
use crate::{App, AppError, AppResult, StoreResult};

/// How long before its expiry a line is renewed automatically.
pub const LEAD: SignedDuration = SignedDuration::from_hours(24);

/// The waits after the first, second and third failed automatic renewal; after the third the
/// line waits for its subscriber.
pub const RETRIES: [SignedDuration; 3] = [
    SignedDuration::from_hours(1),
    SignedDuration::from_hours(6),
    SignedDuration::from_hours(24),
];

/// The audit actor of what the worker renews.
pub const ACTOR: &str = "system:auto_renew";

/// A line's automatic renewal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AutoRenewSetting {
    pub enabled: bool,
    /// The plan it buys (a plan code of the line's brand); required to switch it on.
    pub plan: Option<String>,
}

/// A line due for automatic renewal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueRenewal {
    pub line: LineId,
    pub msisdn: Msisdn,
    pub plan: String,
    pub attempts: u32,
}

/// The automatic renewals' reads and writes (a supertrait of [`crate::Store`]).
#[async_trait]
pub trait AutoRenewStore {
    async fn auto_renew_setting(&self, line: LineId) -> StoreResult<AutoRenewSetting>;
    /// Lines with auto-renew on, active or in grace, expiring before `before`, whose next
    /// attempt (if any) is due at `now`.
    async fn due_auto_renewals(
        &self,
        now: Timestamp,
        before: Timestamp,
        limit: u32,
    ) -> StoreResult<Vec<DueRenewal>>;
    /// Records a failed attempt: the next one at `next` (`None`: no more until it is set
    /// again).
    async fn auto_renew_failed(&self, line: LineId, next: Option<Timestamp>) -> StoreResult<()>;
    async fn auto_renew_succeeded(&self, line: LineId) -> StoreResult<()>;
}

/// The automatic renewal setting written with its audit entry.
#[async_trait]
pub trait AutoRenewTx {
    async fn set_auto_renew(&mut self, line: LineId, setting: &AutoRenewSetting)
        -> StoreResult<()>;
}

/// What a pass of automatic renewals did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AutoRenewReport {
    pub renewed: u32,
    pub failed: u32,
}

impl App {
    /// The line's automatic renewal.
    pub async fn auto_renew_of(&self, msisdn: &Msisdn) -> AppResult<AutoRenewSetting> {
        let line = self.line(msisdn).await?.line.id;
        Ok(self.store.auto_renew_setting(line).await?)
    }

    /// Switches the line's automatic renewal on (with a plan of its brand sold on the
    /// `auto_renew` channel now) or off, on behalf of `actor`, audited.
    pub async fn set_auto_renew(
        &self,
        actor: &str,
        msisdn: &Msisdn,
        setting: &AutoRenewSetting,
    ) -> AppResult<AutoRenewSetting> {
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let locked = lock_line(tx.as_mut(), msisdn).await?;
        let plan = match (&setting.plan, setting.enabled) {
            (Some(code), _) => {
                let catalog = self.catalog(tx.as_mut(), locked.brand.id).await?;
                let plan = catalog
                    .plan_in_force(code, now)
                    .ok_or(AppError::not_found("plan", "plan"))?;
                Some(plan.code.clone())
            }
            (None, true) => {
                return Err(simrenew_domain::parse::ParseError::new(
                    "plan",
                    "name the plan automatic renewal buys",
                )
                .into())
            }
            (None, false) => None,
        };
        let stored = AutoRenewSetting {
            enabled: setting.enabled,
            plan,
        };
        tx.set_auto_renew(locked.line.id, &stored).await?;
        tx.append_audit(
            &AuditEntry {
                chain: format!("line:{}", locked.line.id),
                actor: actor.to_owned(),
                action: if stored.enabled {
                    "auto_renew.on".into()
                } else {
                    "auto_renew.off".into()
                },
                subject: format!("line:{}", locked.line.id),
                details: stored
                    .plan
                    .as_ref()
                    .map(|p| format!("plan={p}"))
                    .unwrap_or_default(),
            },
            now,
        )
        .await?;
        tx.commit().await?;
        self.line_changed(msisdn);
        Ok(stored)
    }

    /// Renews the lines that are due, up to `limit`.
    pub async fn run_auto_renewals(&self, limit: u32) -> AppResult<AutoRenewReport> {
        let now = self.now();
        let before = now.checked_add(LEAD).unwrap_or(now);
        let due = self.store.due_auto_renewals(now, before, limit).await?;
        let mut report = AutoRenewReport::default();
        for d in due {
            let order = OrderSource::Purchase(PurchaseRequest {
                msisdn: d.msisdn.clone(),
                plan_code: d.plan.clone(),
                periods: 1,
                channel: Channel::AutoRenew,
                promo_code: None,
            });
            match self
                .create_order_as(Some(ACTOR), &order, Some(&PaymentInstruction::Credit))
                .await
            {
                Ok(_) => {
                    report.renewed += 1;
                    self.store.auto_renew_succeeded(d.line).await?;
                }
                Err(e) => {
                    report.failed += 1;
                    let next = RETRIES
                        .get(d.attempts as usize)
                        .and_then(|wait| now.checked_add(*wait).ok());
                    tracing::info!(line = %d.msisdn, error = %e, attempts = d.attempts + 1, "an automatic renewal failed");
                    self.store.auto_renew_failed(d.line, next).await?;
                }
            }
        }
        Ok(report)
    }
}
