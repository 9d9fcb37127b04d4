//! Automatic renewal: a line with auto-renew on is renewed by the worker [`LEAD`] before it
//! expires, with the plan its subscriber chose, on the `auto_renew` channel — paid from its
//! credit, or charged off-session to a saved payment method of the line. The brand's monthly
//! auto-debit limit and the subscriber's own monthly cap hold where the order is placed and
//! where it is paid, under the line's lock (`sales::renewal::check_auto_debit_limits`).
//!
//! A pass *claims* the due lines (a lease of [`LEASE`] on each, `FOR UPDATE SKIP LOCKED` on
//! PostgreSQL), so that however many workers run, one renews a line; a worker killed mid-batch
//! leaves its leases to lapse, and the line is due again. A line renewed already is not due
//! (its expiry moved), so no renewal happens twice. A card charge is made once per order: a
//! retry reuses the order of this expiry and its payment's idempotency key, and a payment still
//! under way at the provider is asked where it stands rather than charged again.
//!
//! A renewal that cannot be paid is tried again after 1 h, 6 h and 24 h. When a limit stops it,
//! when the bank asks the card holder to confirm (`authentication_required`), or when its
//! retries are spent, it stops: the subscriber is sent a message that says why in plain words
//! and links to the brand's portal to renew by hand ([`AutoRenewNotice`]); the message rows
//! commit with the stop, once per reason and expiry. The line then goes to grace at expiry as
//! any other, and its schedule's reminders follow.
//!
//! A line may also top its data up ([`DataTopUp`]): an add-on plan bought the same way when the
//! data left falls under a threshold. The usage batch that takes the line under it marks the
//! line due in its own transaction (`simrenew-store`'s usage), so a crash never loses nor
//! repeats the mark; the worker claims marked lines as it claims expiring ones, and a top-up
//! that cannot be paid retries, then stops and tells the subscriber, as a renewal does.

use async_trait::async_trait;
use jiff::{SignedDuration, Timestamp};
use simrenew_domain::auto_debit::{AutoDebits, AutoRenewStop};
use simrenew_domain::catalog::Channel;
use simrenew_domain::identifiers::Msisdn;
use simrenew_domain::ids::{BrandId, LineId, OrderId, SavedPaymentMethodId, SubscriberId};
use simrenew_domain::order::ProviderPaymentStatus;
use simrenew_domain::reminder::AutoRenewNotice;
use simrenew_domain::DomainError;

use crate::audit::AuditEntry;
use crate::notifications::NewReminder;
use crate::payments::checkout::StartPayment;
use crate::payments::providers::ProviderError;
use crate::sales::payment::PaymentInstruction;
use crate::sales::renewal::{lock_line, OrderSource, PurchaseRequest};
use crate::{App, AppError, AppResult, StoreResult};

/// How long before its expiry a line is renewed automatically.
pub const LEAD: SignedDuration = SignedDuration::from_hours(24);

/// The waits after the first, second and third failed automatic renewal; after the third the
/// renewal stops and the subscriber is told to renew by hand.
pub const RETRIES: [SignedDuration; 3] = [
    SignedDuration::from_hours(1),
    SignedDuration::from_hours(6),
    SignedDuration::from_hours(24),
];

/// How long a worker holds a line it claimed; a worker that died lets it go after this.
pub const LEASE: SignedDuration = SignedDuration::from_mins(10);

/// The audit actor of what the worker renews.
pub const ACTOR: &str = "system:auto_renew";

/// The highest threshold of a data top-up, in MB.
pub const MAX_TOP_UP_BELOW_MB: u64 = 1_000_000;

/// A data top-up: the add-on `plan` bought automatically when the data left on the line falls
/// under `below_mb` (the add-on gives more than that, so that each top-up lifts the line back
/// over it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataTopUp {
    pub below_mb: u64,
    pub plan: String,
}

/// A line's automatic renewal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AutoRenewSetting {
    pub enabled: bool,
    /// The plan it buys (a plan code of the line's brand); required to switch it on.
    pub plan: Option<String>,
    /// The saved payment method of the line it charges; `None`: the line's credit.
    pub saved_method: Option<SavedPaymentMethodId>,
    /// The subscriber's cap on what automatic renewals charge the line in a calendar month of
    /// the brand's zone, in the brand's currency's cents; `None`: no cap.
    pub monthly_cap_cents: Option<i64>,
    /// Data bought automatically when little is left, whether or not the line renews
    /// automatically at expiry; paid as its renewals are.
    pub top_up: Option<DataTopUp>,
}

impl AutoRenewSetting {
    /// Off, with nothing chosen.
    pub fn off() -> Self {
        Self {
            enabled: false,
            plan: None,
            saved_method: None,
            monthly_cap_cents: None,
            top_up: None,
        }
    }
}

/// A line's automatic renewal as its subscriber is shown it: the setting, what automatic
/// renewals charged this month, and where the last attempt stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AutoRenewStatus {
    pub setting: AutoRenewSetting,
    pub this_month: AutoDebits,
    /// The brand's limit of automatic charges per line per month.
    pub monthly_limit: u32,
    /// Failed attempts since the last success.
    pub failed_attempts: u32,
    /// The renewal stopped and waits for the subscriber (renew by hand, or set it again).
    pub stopped: bool,
}

/// A line claimed for automatic renewal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueRenewal {
    pub line: LineId,
    pub brand: BrandId,
    pub msisdn: Msisdn,
    pub plan: String,
    pub attempts: u32,
    pub expires_at: Timestamp,
    pub saved_method: Option<SavedPaymentMethodId>,
    /// Whom to tell if it stops (`None`: no subscriber, or an erased one).
    pub subscriber: Option<SubscriberId>,
    pub has_email: bool,
    /// For a data top-up, when the line went under its threshold; `None`: a renewal at
    /// expiry.
    pub top_up_since: Option<Timestamp>,
}

/// The automatic renewals' reads and writes (a supertrait of [`crate::Store`]); each call is
/// one transaction.
#[async_trait]
pub trait AutoRenewStore {
    /// The setting, and the failed attempts with whether the renewal stopped.
    async fn auto_renew_setting(&self, line: LineId) -> StoreResult<(AutoRenewSetting, u32, bool)>;
    /// What automatic renewals charged the line since `since`.
    async fn auto_debits_of(&self, line: LineId, since: Timestamp) -> StoreResult<AutoDebits>;
    /// Claims up to `limit` lines with auto-renew on, active or in grace, expiring before
    /// `before`, whose next attempt (if any) is due at `now` and not held by another worker:
    /// each is held until `lease_until`.
    async fn claim_auto_renewals(
        &self,
        now: Timestamp,
        before: Timestamp,
        lease_until: Timestamp,
        limit: u32,
    ) -> StoreResult<Vec<DueRenewal>>;
    /// Claims up to `limit` active lines marked due for a data top-up whose next attempt (if
    /// any) is due at `now` and not held by another worker: each is held until `lease_until`.
    async fn claim_top_ups(
        &self,
        now: Timestamp,
        lease_until: Timestamp,
        limit: u32,
    ) -> StoreResult<Vec<DueRenewal>>;
    /// Records a failed attempt of the renewal or top-up: the next one at `next`.
    async fn auto_renew_failed(&self, due: &DueRenewal, next: Timestamp) -> StoreResult<()>;
    /// Stops the line's automatic renewal until it is set again (or retried by an admin), or
    /// its top-up until the line next goes under the threshold, and plans the messages that
    /// tell its subscriber, in one transaction.
    async fn auto_renew_stopped(
        &self,
        due: &DueRenewal,
        messages: &[NewReminder],
        now: Timestamp,
    ) -> StoreResult<()>;
    async fn auto_renew_succeeded(&self, due: &DueRenewal) -> StoreResult<()>;
    /// The line's order of `plan` on the `auto_renew` channel placed at or after `since` and
    /// still waiting for payment: the one a retry pays.
    async fn pending_auto_order(
        &self,
        line: LineId,
        plan: &str,
        since: Timestamp,
    ) -> StoreResult<Option<OrderId>>;
}

/// The automatic renewal setting written with its audit entry.
#[async_trait]
pub trait AutoRenewTx {
    /// Writes the setting; `top_up_due`: the line is under its new top-up's threshold already,
    /// due since then.
    async fn set_auto_renew(
        &mut self,
        line: LineId,
        setting: &AutoRenewSetting,
        top_up_due: Option<Timestamp>,
    ) -> StoreResult<()>;
}

/// What a pass of automatic renewals did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AutoRenewReport {
    pub renewed: u32,
    /// Of those, data top-ups.
    pub topped_up: u32,
    /// Failed, to be tried again.
    pub failed: u32,
    /// Stopped; the subscriber is told to renew by hand.
    pub stopped: u32,
    /// Charged, the provider not done yet (its webhook settles it).
    pub pending: u32,
}

/// What one automatic renewal came to.
#[derive(Debug)]
enum Attempt {
    Renewed,
    /// The provider has not finished the charge; asked again at the next attempt.
    Pending,
    Retry(String),
    Stop(AutoRenewNotice),
}

/// What an error of placing or paying the order means for the renewal.
fn attempt_of(e: AppError) -> Attempt {
    match e {
        AppError::Domain(DomainError::AutoRenewStopped(stop)) => Attempt::Stop(match stop {
            AutoRenewStop::MonthlyLimit { .. } => AutoRenewNotice::MonthlyLimit,
            AutoRenewStop::SpendCap { .. } => AutoRenewNotice::SpendCap,
        }),
        AppError::Provider(ProviderError::AuthenticationRequired { .. }) => {
            Attempt::Stop(AutoRenewNotice::NeedsAuthentication)
        }
        other => Attempt::Retry(other.to_string()),
    }
}

impl App {
    /// The line's automatic renewal, with this month's automatic charges.
    pub async fn auto_renew_of(&self, msisdn: &Msisdn) -> AppResult<AutoRenewStatus> {
        let read = self.line(msisdn).await?;
        let (setting, failed_attempts, stopped) =
            self.store.auto_renew_setting(read.line.id).await?;
        let since = read.brand.month_start(self.now());
        Ok(AutoRenewStatus {
            setting,
            this_month: self.store.auto_debits_of(read.line.id, since).await?,
            monthly_limit: read.brand.monthly_auto_debit_limit,
            failed_attempts,
            stopped,
        })
    }

    /// Switches the line's automatic renewal on (with a plan of its brand sold on the
    /// `auto_renew` channel now, paid from credit or a saved method of the line the brand takes
    /// for automatic renewals, within an optional monthly cap) or off, on behalf of `actor`,
    /// audited.
    pub async fn set_auto_renew(
        &self,
        actor: &str,
        msisdn: &Msisdn,
        setting: &AutoRenewSetting,
    ) -> AppResult<AutoRenewStatus> {
        let now = self.now();
        // Read before the transaction: a second connection inside it could wait on a full pool.
        let data_left =
            simrenew_domain::bundle::data_left_mb(&self.line(msisdn).await?.bundles, now);
        let mut tx = self.store.begin().await?;
        let locked = lock_line(tx.as_mut(), msisdn).await?;
        let top_up = match &setting.top_up {
            None => None,
            Some(t) => {
                use simrenew_domain::parse::ParseError;
                if t.below_mb == 0 || t.below_mb > MAX_TOP_UP_BELOW_MB {
                    return Err(ParseError::new(
                        "top_up.below_mb",
                        format!("1 to {MAX_TOP_UP_BELOW_MB} MB"),
                    )
                    .into());
                }
                let catalog = self.catalog(tx.as_mut(), locked.brand.id).await?;
                let plan = catalog
                    .plan_in_force(&t.plan, now)
                    .ok_or(AppError::not_found("plan", "top_up.plan"))?;
                if !plan.is_add_on() || !plan.channels.contains(&Channel::AutoRenew) {
                    return Err(ParseError::new(
                        "top_up.plan",
                        "an add-on plan sold for automatic renewals",
                    )
                    .into());
                }
                match plan.data.megabytes() {
                    Some(mb) if mb > t.below_mb => {}
                    _ => {
                        return Err(ParseError::new(
                            "top_up.below_mb",
                            format!(
                                "under the {} the add-on gives, so that a top-up lifts the line over it",
                                plan.data
                            ),
                        )
                        .into())
                    }
                }
                Some(DataTopUp {
                    below_mb: t.below_mb,
                    plan: plan.code.clone(),
                })
            }
        };
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
        let method = match setting.saved_method {
            None => None,
            Some(id) => {
                let m = self
                    .store
                    .saved_method(id)
                    .await?
                    .filter(|m| m.line_id == locked.line.id && m.removed_at.is_none())
                    .ok_or(AppError::not_found(
                        "saved payment method",
                        "saved_method_id",
                    ))?;
                if self.provider_of(m.method).is_none() {
                    return Err(AppError::conflict(
                        "saved_method_id",
                        format!("{} payments are not taken here", m.method),
                    ));
                }
                self.check_method(&locked.brand, Channel::AutoRenew, m.method)
                    .map_err(|_| {
                        AppError::conflict(
                            "saved_method_id",
                            format!(
                                "{} does not take {} for automatic renewals",
                                locked.brand.name, m.method
                            ),
                        )
                    })?;
                Some(m)
            }
        };
        if let Some(cap) = setting.monthly_cap_cents {
            simrenew_domain::auto_debit::parse_cap(cap, locked.brand.currency)?;
        }
        let stored = AutoRenewSetting {
            enabled: setting.enabled,
            plan,
            saved_method: method.as_ref().map(|m| m.id),
            monthly_cap_cents: setting.monthly_cap_cents,
            top_up,
        };
        let top_up_due = match (&stored.top_up, data_left) {
            (Some(t), Some(left)) if left < t.below_mb => Some(now),
            _ => None,
        };
        tx.set_auto_renew(locked.line.id, &stored, top_up_due)
            .await?;
        let mut details = Vec::new();
        if let Some(p) = &stored.plan {
            details.push(format!("plan={p}"));
        }
        details.push(match &method {
            Some(m) => format!("method=saved_method:{}", m.id),
            None => "method=credit".into(),
        });
        if let Some(cap) = stored.monthly_cap_cents {
            details.push(format!("monthly_cap_cents={cap}"));
        }
        if let Some(t) = &stored.top_up {
            details.push(format!("top_up={} below_mb={}", t.plan, t.below_mb));
        }
        tx.append_audit(
            &AuditEntry {
                chain: crate::audit::line_chain(locked.line.id),
                actor: actor.to_owned(),
                action: if stored.enabled {
                    "auto_renew.on".into()
                } else {
                    "auto_renew.off".into()
                },
                subject: format!("line:{}", locked.line.id),
                details: details.join(" "),
            },
            now,
        )
        .await?;
        tx.commit().await?;
        self.line_changed(msisdn);
        self.auto_renew_of(msisdn).await
    }

    /// Renews the lines that are due, up to `limit`.
    pub async fn run_auto_renewals(&self, limit: u32) -> AppResult<AutoRenewReport> {
        let now = self.now();
        let before = now.checked_add(LEAD).unwrap_or(now);
        let lease = now.checked_add(LEASE).unwrap_or(now);
        let mut due = self
            .store
            .claim_auto_renewals(now, before, lease, limit)
            .await?;
        let room = limit.saturating_sub(u32::try_from(due.len()).unwrap_or(u32::MAX));
        if room > 0 {
            due.extend(self.store.claim_top_ups(now, lease, room).await?);
        }
        let mut report = AutoRenewReport::default();
        for d in due {
            let attempt = match self.renew_automatically(&d).await {
                Ok(a) => a,
                Err(e) => attempt_of(e),
            };
            let attempt = match attempt {
                Attempt::Retry(cause) if d.attempts as usize >= RETRIES.len() => {
                    tracing::info!(line = %d.msisdn, %cause, "an automatic renewal failed for the last time");
                    Attempt::Stop(AutoRenewNotice::PaymentFailed)
                }
                other => other,
            };
            match attempt {
                Attempt::Renewed => {
                    report.renewed += 1;
                    if d.top_up_since.is_some() {
                        report.topped_up += 1;
                    }
                    self.store.auto_renew_succeeded(&d).await?;
                }
                Attempt::Pending | Attempt::Retry(_) => {
                    if let Attempt::Retry(cause) = &attempt {
                        tracing::info!(line = %d.msisdn, error = %cause, attempts = d.attempts + 1, "an automatic renewal failed");
                        report.failed += 1;
                    } else {
                        report.pending += 1;
                    }
                    let wait = RETRIES
                        .get(d.attempts as usize)
                        .copied()
                        .unwrap_or(RETRIES[0]);
                    let next = now.checked_add(wait).unwrap_or(now);
                    self.store.auto_renew_failed(&d, next).await?;
                }
                Attempt::Stop(notice) => {
                    report.stopped += 1;
                    tracing::info!(line = %d.msisdn, reason = notice.as_str(), top_up = d.top_up_since.is_some(), "an automatic renewal stopped; the subscriber is told to renew by hand");
                    let messages = self.stop_messages(&d, notice, now).await?;
                    self.store.auto_renew_stopped(&d, &messages, now).await?;
                }
            }
        }
        Ok(report)
    }

    /// One automatic renewal of a claimed line.
    async fn renew_automatically(&self, d: &DueRenewal) -> AppResult<Attempt> {
        let purchase = OrderSource::Purchase(PurchaseRequest {
            msisdn: d.msisdn.clone(),
            plan_code: d.plan.clone(),
            periods: 1,
            channel: Channel::AutoRenew,
            promo_code: None,
        });
        let Some(method_id) = d.saved_method else {
            return Ok(
                match self
                    .create_order_as(Some(ACTOR), &purchase, Some(&PaymentInstruction::Credit))
                    .await
                {
                    Ok(_) => Attempt::Renewed,
                    Err(e) => attempt_of(e),
                },
            );
        };
        let Some(saved) = self
            .store
            .saved_method(method_id)
            .await?
            .filter(|m| m.removed_at.is_none())
        else {
            return Ok(Attempt::Stop(AutoRenewNotice::PaymentFailed));
        };
        // This expiry's (or this top-up's) order, if an earlier attempt placed it: paid, never
        // placed twice.
        let cycle_start = match d.top_up_since {
            Some(since) => since,
            None => d
                .expires_at
                .checked_sub(LEAD + SignedDuration::from_hours(1))
                .unwrap_or(d.expires_at),
        };
        let order = match self
            .store
            .pending_auto_order(d.line, &d.plan, cycle_start)
            .await?
        {
            Some(order) => order,
            None => match self.create_order_as(Some(ACTOR), &purchase, None).await {
                Ok(receipt) => receipt.order.id,
                Err(e) => return Ok(attempt_of(e)),
            },
        };
        let earlier = self.store.provider_payments_of_order(order).await?;
        let under_way = earlier.iter().find(|p| {
            matches!(
                p.status,
                ProviderPaymentStatus::Processing | ProviderPaymentStatus::RequiresAction
            )
        });
        let paid = match under_way {
            Some(p) => self.refresh_payment(p.id).await,
            None => {
                self.start_payment(&StartPayment {
                    order,
                    method: saved.method,
                    return_url: None,
                    payment_method_token: None,
                    saved_method: Some(method_id),
                })
                .await
            }
        };
        Ok(match paid {
            Ok(p) => match p.status {
                ProviderPaymentStatus::Captured if p.applied => Attempt::Renewed,
                ProviderPaymentStatus::Captured | ProviderPaymentStatus::Refunded => {
                    Attempt::Retry("the charge went to review".into())
                }
                // Off-session, a payment that wants the customer is one the bank wants them
                // to confirm.
                ProviderPaymentStatus::RequiresAction => {
                    Attempt::Stop(AutoRenewNotice::NeedsAuthentication)
                }
                ProviderPaymentStatus::Failed => Attempt::Retry("the charge failed".into()),
                ProviderPaymentStatus::Created | ProviderPaymentStatus::Processing => {
                    Attempt::Pending
                }
            },
            Err(e) => attempt_of(e),
        })
    }

    /// The messages that tell the subscriber the renewal stopped, by the channels of this
    /// process: none when nobody subscribes the line or no message can be worded here.
    async fn stop_messages(
        &self,
        d: &DueRenewal,
        notice: AutoRenewNotice,
        now: Timestamp,
    ) -> AppResult<Vec<NewReminder>> {
        let Some(subscriber) = d.subscriber else {
            return Ok(vec![]);
        };
        if self.message_texts.is_none() {
            return Ok(vec![]);
        }
        let brand = self.line(&d.msisdn).await?.brand.clone();
        let rows = self.reminder_rows(
            &brand,
            d.line,
            subscriber,
            d.has_email,
            d.expires_at,
            match d.top_up_since {
                Some(_) => notice.top_up_step(),
                None => notice.step(),
            },
            now,
        );
        Ok(rows)
    }
}
