//! Quote → order → payment → renewal, each step in one transaction.
//!
//! The renewal writes the payment, the ledger entry, the bundle, the line's new expiry, the
//! promotion use and the outbox row for provisioning in the same transaction as the order's
//! change to `syncing`: either all of it happens, or none.

use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use simrenew_domain::brand::Brand;
use simrenew_domain::bundle::{extend, period_windows};
use simrenew_domain::catalog::{Channel, Plan};
use simrenew_domain::identifiers::Msisdn;
use simrenew_domain::ids::PromotionId;
use simrenew_domain::ids::{BundleId, OrderId, QuoteId};
use simrenew_domain::line::LineState;
use simrenew_domain::order::{Order, OrderState, StoredQuote, QUOTE_VALID_MINUTES};
use simrenew_domain::promotion::{PromoCode, PromoRejection, Promotion, PromotionUsage};
use simrenew_domain::quote::{quote, Quote, QuoteInput};
use simrenew_domain::DomainError;

use super::payment::{PaymentInstruction, PaymentStep, Settlement};
use super::ports::{Customer, LockedLine, RenewalWrite, SalesTx, UnwrittenOrder};
use crate::audit::AuditEntry;
use crate::{App, AppError, AppResult};

/// What a customer wants to buy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PurchaseRequest {
    pub msisdn: Msisdn,
    pub plan_code: String,
    pub periods: u32,
    pub channel: Channel,
    pub promo_code: Option<PromoCode>,
}

/// Where an order's price comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OrderSource {
    /// Freeze a quote given earlier.
    Quote(QuoteId),
    /// Price it now.
    Purchase(PurchaseRequest),
}

/// The bundle a paid order granted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppliedRenewal {
    /// One bundle per period, in order.
    pub bundles: Vec<BundleId>,
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
    pub expires_at: Timestamp,
}

/// An order and, once paid, what paid it and what it granted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderReceipt {
    pub order: Order,
    pub msisdn: Msisdn,
    /// The brand's zone, in which the order's instants are shown.
    pub time_zone: TimeZone,
    pub settlement: Option<Settlement>,
    pub renewal: Option<AppliedRenewal>,
}

/// Counts a committed renewal, by channel and payment method:
/// `simrenew_renewals_total{channel, method}`.
pub(crate) fn count_renewal(receipt: &OrderReceipt) {
    if receipt.renewal.is_some() {
        let method = receipt
            .settlement
            .as_ref()
            .map_or("none", |s| s.method.as_str());
        metrics::counter!(
            "simrenew_renewals_total",
            "channel" => receipt.order.channel.as_str(),
            "method" => method
        )
        .increment(1);
    }
}

impl App {
    /// Prices a purchase and keeps the quote for [`QUOTE_VALID_MINUTES`]; also gives the
    /// brand's zone, in which its instants are shown.
    pub async fn quote(&self, req: &PurchaseRequest) -> AppResult<(StoredQuote, TimeZone)> {
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let locked = lock_line(tx.as_mut(), &req.msisdn).await?;
        let (plan, q) = price(self, tx.as_mut(), &locked, req, now).await?;
        let LockedLine { line, brand, .. } = locked;
        let valid_until = now
            .checked_add(SignedDuration::from_mins(QUOTE_VALID_MINUTES))
            .map_err(|_| DomainError::TimeOutOfRange)?;
        let id = tx
            .insert_quote(
                brand.id,
                line.id,
                plan.id,
                req.channel,
                &q,
                now,
                valid_until,
            )
            .await?;
        tx.commit().await?;
        let stored = StoredQuote {
            id,
            brand_id: brand.id,
            line_id: line.id,
            plan_id: plan.id,
            channel: req.channel,
            quote: q,
            created_at: now,
            valid_until,
        };
        Ok((stored, brand.time_zone))
    }

    /// Creates an order from a quote or a purchase request, and pays it at once when a
    /// payment is given, all in one transaction.
    pub async fn create_order(
        &self,
        source: &OrderSource,
        payment: Option<&PaymentInstruction>,
    ) -> AppResult<OrderReceipt> {
        self.create_order_as(None, source, payment).await
    }

    /// [`App::create_order`] on behalf of `actor` (a principal's label), who is recorded on
    /// the order and in the audit log.
    pub async fn create_order_as(
        &self,
        actor: Option<&str>,
        source: &OrderSource,
        payment: Option<&PaymentInstruction>,
    ) -> AppResult<OrderReceipt> {
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let (locked, plan, channel, q, reserved) = match source {
            OrderSource::Purchase(req) => {
                // Paid at once from credit or by a capture, whose settlement writes nothing
                // before the renewal (a voucher's does, referring to the order): the order can
                // be written once, by its renewal.
                let (locked, reserved) = match payment {
                    Some(PaymentInstruction::Credit | PaymentInstruction::Captured { .. }) => tx
                        .lock_line_to_order(&req.msisdn)
                        .await?
                        .ok_or(AppError::not_found("line", "msisdn"))?,
                    Some(PaymentInstruction::Voucher(_)) | None => {
                        (lock_line(tx.as_mut(), &req.msisdn).await?, None)
                    }
                };
                let (plan, q) = price(self, tx.as_mut(), &locked, req, now).await?;
                (locked, plan, req.channel, q, reserved)
            }
            OrderSource::Quote(id) => {
                let stored = tx
                    .quote(*id)
                    .await?
                    .ok_or(AppError::not_found("quote", "quote_id"))?;
                if stored.valid_until <= now {
                    return Err(AppError::conflict(
                        "quote_id",
                        "the quote has expired; ask for a new one",
                    ));
                }
                let locked = tx
                    .lock_line_by_id(stored.line_id)
                    .await?
                    .ok_or(AppError::not_found("line", "quote_id"))?;
                // Under the line's lock, so that of two orders of one quote only one is placed.
                if let Some(order) = tx.order_of_quote(*id).await? {
                    return Err(AppError::conflict(
                        "quote_id",
                        format!(
                            "this quote was already ordered (order {order}); ask for a new one"
                        ),
                    ));
                }
                let plan = tx.plan(stored.plan_id).await?;
                (locked, plan, stored.channel, stored.quote, None)
            }
        };
        let line = &locked.line;
        let brand = locked.brand.clone();
        let from_quote = match source {
            OrderSource::Quote(id) => Some(*id),
            OrderSource::Purchase(_) => None,
        };
        // An automatic order to be paid by a provider is refused before any money is asked for
        // when this month's limits do not allow it (paying it checks them again).
        if channel == Channel::AutoRenew && payment.is_none() {
            check_auto_debit_limits(tx.as_mut(), line.id, &brand, q.total, now).await?;
        }
        let (id, unwritten) = match reserved {
            Some(id) => (
                id,
                Some(UnwrittenOrder {
                    plan: plan.id,
                    channel,
                    quote: q.clone(),
                    placed_by: actor.map(str::to_owned),
                }),
            ),
            None => {
                let id = tx
                    .insert_order(
                        line.brand_id,
                        line.id,
                        plan.id,
                        channel,
                        &q,
                        from_quote,
                        actor,
                        now,
                    )
                    .await?;
                (id, None)
            }
        };
        let order = Order {
            id,
            brand_id: line.brand_id,
            line_id: line.id,
            plan_id: plan.id,
            channel,
            state: OrderState::PendingPayment,
            quote: q,
            created_at: now,
            paid_at: None,
            placed_by: actor.map(str::to_owned),
        };
        let msisdn = line.msisdn.clone();
        let receipt = match payment {
            Some(p) => {
                self.check_method(&brand, channel, p.method())?;
                let step = self.payment_step(p)?;
                pay(
                    tx.as_mut(),
                    order,
                    unwritten,
                    locked,
                    &brand,
                    &plan,
                    step.as_ref(),
                    None,
                    now,
                )
                .await?
            }
            None => OrderReceipt {
                order,
                msisdn: msisdn.clone(),
                time_zone: brand.time_zone.clone(),
                settlement: None,
                renewal: None,
            },
        };
        tx.commit().await?;
        self.line_changed(&msisdn);
        count_renewal(&receipt);
        Ok(receipt)
    }

    /// Pays an order waiting for payment and applies its renewal.
    pub async fn pay_order(
        &self,
        id: OrderId,
        payment: &PaymentInstruction,
    ) -> AppResult<OrderReceipt> {
        self.pay_order_as(None, id, payment).await
    }

    /// [`App::pay_order`] on behalf of `actor`, recorded in the audit log.
    pub async fn pay_order_as(
        &self,
        actor: Option<&str>,
        id: OrderId,
        payment: &PaymentInstruction,
    ) -> AppResult<OrderReceipt> {
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let order = tx
            .lock_order(id)
            .await?
            .ok_or(AppError::not_found("order", "order_id"))?;
        let locked = tx
            .lock_line_by_id(order.line_id)
            .await?
            .ok_or(AppError::not_found("line", "order_id"))?;
        let brand = locked.brand.clone();
        let plan = tx.plan(order.plan_id).await?;
        let chain = crate::audit::line_chain(locked.line.id);
        self.check_method(&brand, order.channel, payment.method())?;
        let step = self.payment_step(payment)?;
        let receipt = pay(
            tx.as_mut(),
            order,
            None,
            locked,
            &brand,
            &plan,
            step.as_ref(),
            actor,
            now,
        )
        .await?;
        if let Some(actor) = actor {
            tx.append_audit(
                &AuditEntry {
                    chain,
                    actor: actor.to_owned(),
                    action: "order.pay".into(),
                    subject: format!("order:{id}"),
                    details: String::new(),
                },
                now,
            )
            .await?;
        }
        tx.commit().await?;
        self.line_changed(&receipt.msisdn);
        count_renewal(&receipt);
        Ok(receipt)
    }

    /// Buys and pays in one step: what the CLI's `renew` and a store counter do.
    pub async fn renew(
        &self,
        req: &PurchaseRequest,
        payment: &PaymentInstruction,
    ) -> AppResult<OrderReceipt> {
        self.create_order(&OrderSource::Purchase(req.clone()), Some(payment))
            .await
    }
}

pub(crate) async fn lock_line(tx: &mut dyn SalesTx, msisdn: &Msisdn) -> AppResult<LockedLine> {
    tx.lock_line(msisdn)
        .await?
        .ok_or(AppError::not_found("line", "msisdn"))
}

/// Prices `req` for the locked line inside the transaction.
pub(crate) async fn price(
    app: &App,
    tx: &mut dyn SalesTx,
    locked: &LockedLine,
    req: &PurchaseRequest,
    now: Timestamp,
) -> AppResult<(Plan, Quote)> {
    let LockedLine {
        line,
        brand,
        renewed_before,
        sold_with_line,
    } = locked;
    let catalog = app.catalog(tx, brand.id).await?;
    let plan = catalog
        .plan_in_force(&req.plan_code, now)
        .cloned()
        .ok_or(AppError::not_found("plan", "plan"))?;
    // Promotions that could apply: the automatic ones and the one whose code was given. Only
    // those with a use limit need their use counted.
    let candidates: Vec<&Promotion> = catalog
        .promotions
        .iter()
        .filter(|p| p.code.is_none() || p.code == req.promo_code)
        .collect();
    let limited: Vec<PromotionId> = candidates
        .iter()
        .filter(|p| p.global_limit.is_some() || p.per_customer_limit.is_some())
        .map(|p| p.id)
        .collect();
    let usage = if limited.is_empty() {
        vec![]
    } else {
        tx.promotion_usage(&limited, Customer::of(line)).await?
    };
    let promotions: Vec<(Promotion, PromotionUsage)> = candidates
        .into_iter()
        .map(|p| {
            let used = usage
                .iter()
                .find(|(id, _)| *id == p.id)
                .map(|(_, u)| *u)
                .unwrap_or_default();
            (p.clone(), used)
        })
        .collect();
    // An automatic renewal keeps the price it had until a rise was noticed in time.
    let kept = if req.channel == Channel::AutoRenew {
        let notices = tx.price_notices(line.id, &plan.code).await?;
        simrenew_domain::price_notice::automatic_price(plan.price, &notices, now)
    } else {
        None
    };
    let priced = match &kept {
        Some(k) => Plan {
            price: k.kept,
            ..plan.clone()
        },
        None => plan.clone(),
    };
    let mut q = quote(&QuoteInput {
        brand,
        line,
        plan: &priced,
        periods: req.periods,
        channel: req.channel,
        now,
        first_renewal: !renewed_before,
        sold_with_line: *sold_with_line,
        promotions: &promotions,
        promo_code: req.promo_code.as_ref(),
    })?;
    q.price_kept = kept;
    Ok((plan, q))
}

/// Refuses an automatic charge of `amount` to the locked line that the brand's monthly limit or
/// the line's own cap does not allow.
pub(crate) async fn check_auto_debit_limits(
    tx: &mut dyn SalesTx,
    line: simrenew_domain::ids::LineId,
    brand: &Brand,
    amount: simrenew_domain::money::Money,
    now: Timestamp,
) -> AppResult<()> {
    let (so_far, cap) = tx.auto_debits_since(line, brand.month_start(now)).await?;
    let limit = simrenew_domain::auto_debit::BrandLimit {
        name: &brand.name,
        monthly_auto_debit_limit: brand.monthly_auto_debit_limit,
    };
    simrenew_domain::auto_debit::check_auto_debit(limit, so_far, cap, amount)
        .map_err(|stop| AppError::Domain(stop.into()))
}

/// Settles the order and applies its renewal to the locked line. The audit entry names
/// `actor` (who took or reported the payment), else whoever placed the order, else `system`.
/// An `unwritten` order (its id reserved, see [`SalesTx::lock_line_to_order`]) is written by
/// the renewal, paid.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn pay(
    tx: &mut dyn SalesTx,
    mut order: Order,
    unwritten: Option<UnwrittenOrder>,
    locked: LockedLine,
    brand: &Brand,
    plan: &Plan,
    payment: &dyn PaymentStep,
    actor: Option<&str>,
    now: Timestamp,
) -> AppResult<OrderReceipt> {
    if order.state != OrderState::PendingPayment {
        return Err(AppError::conflict(
            "order_id",
            format!("the order is {}, not waiting for payment", order.state),
        ));
    }
    let LockedLine {
        line,
        sold_with_line,
        ..
    } = locked;
    line.check_sellable(now, sold_with_line)?;
    let customer = Customer::of(&line);

    // The brand's monthly auto-debit limit and the subscriber's cap, counted under the line's
    // lock: no path and no race charges a line automatically more often, or more, in a
    // calendar month of the brand's zone.
    if order.channel == Channel::AutoRenew {
        check_auto_debit_limits(tx, line.id, brand, order.quote.total, now).await?;
    }

    // Promotion limits are checked again under lock: the last use of a code goes to one order.
    if !order.quote.promotions.is_empty() {
        let ids: Vec<_> = order.quote.promotions.iter().map(|p| p.id).collect();
        let current = tx.lock_promotions(&ids, customer).await?;
        for applied in &order.quote.promotions {
            let Some((promo, usage)) = current.iter().find(|(p, _)| p.id == applied.id) else {
                continue;
            };
            let reason = if promo.global_limit.is_some_and(|l| usage.overall >= l) {
                Some(PromoRejection::Exhausted)
            } else if promo
                .per_customer_limit
                .is_some_and(|l| usage.by_customer >= l)
            {
                Some(PromoRejection::AlreadyUsed)
            } else {
                None
            };
            if let Some(reason) = reason {
                return Err(DomainError::PromoCode {
                    code: applied.code.clone().unwrap_or_else(|| applied.name.clone()),
                    reason,
                }
                .into());
            }
        }
    }

    let settlement = payment.settle(tx, &line, &order, now).await?;
    // A new eSIM's first order: its profile is ordered with it (before the bundle, so that
    // the network hears of the profile first).
    if line.kind() == simrenew_domain::catalog::LineKind::Esim && line.expires_at.is_none() {
        tx.queue_profile_order(line.id, now).await?;
    }
    let audit = AuditEntry {
        chain: crate::audit::line_chain(line.id),
        actor: actor
            .map(str::to_owned)
            .or_else(|| order.placed_by.clone())
            .unwrap_or_else(|| "system".into()),
        action: "payment.settle".into(),
        subject: format!("order:{}", order.id),
        details: format!(
            "method={} amount_cents={} currency={}",
            settlement.method, settlement.amount.cents, settlement.amount.currency
        ),
    };
    let periods = order.quote.total_periods();
    let ext = extend(line.expires_at, now, plan.validity, periods, brand)?;
    let bundles = tx
        .apply_renewal(
            &RenewalWrite {
                brand: brand.id,
                line: line.id,
                msisdn: line.msisdn.clone(),
                order: order.id,
                payment: settlement.clone(),
                plan_code: plan.code.clone(),
                data_mb: plan.data.megabytes(),
                windows: period_windows(&ext, plan.validity, periods, brand)?,
                expires_at: ext.expires_at,
                grace_until: ext.grace_until,
                state: match line.stored_state {
                    LineState::PendingIdentification => LineState::PendingIdentification,
                    _ => LineState::Active,
                },
                audit,
                unwritten_order: unwritten,
            },
            now,
        )
        .await?;
    for applied in &order.quote.promotions {
        tx.record_promotion_use(applied.id, customer, line.id, order.id, now)
            .await?;
    }
    order.state = OrderState::Syncing;
    order.paid_at = Some(now);
    tracing::info!(
        order.id = %order.id,
        line.id = %line.id,
        expires_at = %ext.expires_at,
        "renewal applied"
    );
    Ok(OrderReceipt {
        order,
        msisdn: line.msisdn,
        time_zone: brand.time_zone.clone(),
        settlement: Some(settlement),
        renewal: Some(AppliedRenewal {
            bundles,
            starts_at: ext.starts_at,
            ends_at: ext.ends_at,
            expires_at: ext.expires_at,
        }),
    })
}
