//! Refunds by an admin, full or partial: of provider and store payments (idempotent at the
//! provider), or of orders paid from the balance or with a voucher, back to the line's credit
//! (a ledger entry with reason `refund`). Either way the line's time is shortened
//! (`simrenew_domain::refund::shorten`) and the order's payments get a negative row, so that
//! they add up to what was kept.

use jiff::Timestamp;
use simrenew_domain::ids::{OrderId, ProviderPaymentId};
use simrenew_domain::line::Line;
use simrenew_domain::money::Money;
use simrenew_domain::order::{
    LedgerReason, Order, OrderState, PaymentMethod, ProviderName, ProviderPaymentStatus,
};
use simrenew_domain::refund::{shorten, Shortening};

use super::ports::{NewRefund, PaymentTx};
use super::providers::ProviderError;
use crate::audit::AuditEntry;
use crate::sales::ports::LockedLine;
use crate::{App, AppError, AppResult};

/// The outbox topic of bundles moved or removed by a refund.
pub const BUNDLES_CHANGED: &str = "bundles_changed";

/// A refund that went through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundDone {
    /// The provider refund's id in our records (`None` for a refund to credit).
    pub refund_id: Option<i64>,
    pub provider_ref: Option<String>,
    pub amount: Money,
    /// What is now refunded of the payment, in all.
    pub refunded: Money,
    pub payment_status: ProviderPaymentStatus,
    /// The line's expiry after the refund.
    pub expires_at: Option<Timestamp>,
}

impl App {
    /// Refunds `amount` of a captured payment. The amount is reserved first (so two refunds
    /// cannot take more than was paid), then asked of the provider with the refund's own
    /// idempotency key (a retry after a timeout reuses it: the provider refunds once), then
    /// the line's time is shortened in one transaction.
    pub async fn refund_payment(
        &self,
        id: ProviderPaymentId,
        amount: Money,
        reason: &str,
    ) -> AppResult<RefundDone> {
        self.refund_payment_as("system", id, amount, reason).await
    }

    /// [`App::refund_payment`] asked by `actor`, who is kept on the refund and named in the
    /// audit entry written with the refund's effect on the line.
    pub async fn refund_payment_as(
        &self,
        actor: &str,
        id: ProviderPaymentId,
        amount: Money,
        reason: &str,
    ) -> AppResult<RefundDone> {
        let now = self.now();
        let known = self
            .store
            .provider_payment(id)
            .await?
            .ok_or(AppError::not_found("payment", "payment_id"))?;
        let mut tx = self.store.begin().await?;
        let order = tx
            .lock_order(known.order_id)
            .await?
            .ok_or(AppError::not_found("order", "payment_id"))?;
        tx.lock_line_by_id(order.line_id)
            .await?
            .ok_or(AppError::not_found("line", "payment_id"))?;
        let payment = tx
            .lock_provider_payment(id)
            .await?
            .ok_or(AppError::not_found("payment", "payment_id"))?;
        if amount.currency != payment.amount.currency || amount.cents <= 0 {
            return Err(AppError::conflict(
                "amount",
                format!(
                    "a refund is a positive amount in {}",
                    payment.amount.currency
                ),
            ));
        }
        let (refund_id, key) = match tx.pending_refund(id, amount).await? {
            Some(pending) => pending,
            None => {
                let left = payment.amount.cents - payment.refunded.cents;
                // A capture that paid nothing (order in review, or paid otherwise) can always
                // be given back.
                if payment.status != ProviderPaymentStatus::Captured
                    || (payment.applied
                        && !matches!(order.state, OrderState::Syncing | OrderState::Completed))
                {
                    return Err(AppError::conflict(
                        "payment_id",
                        format!(
                            "a {} payment of a {} order cannot be refunded",
                            payment.status, order.state
                        ),
                    ));
                }
                if amount.cents > left {
                    return Err(AppError::conflict(
                        "amount",
                        format!(
                            "{amount} is more than the {} left to refund",
                            Money::new(left, amount.currency)
                        ),
                    ));
                }
                let pending = tx
                    .insert_refund(
                        &NewRefund {
                            brand: payment.brand_id,
                            payment: id,
                            order: order.id,
                            amount,
                            reason: reason.to_owned(),
                            requested_by: actor.to_owned(),
                        },
                        now,
                    )
                    .await?;
                // Reserved: a concurrent refund sees it.
                tx.add_refunded(id, amount, payment.status).await?;
                pending
            }
        };
        tx.commit().await?;

        let provider_ref = match payment.provider {
            // The agent hands the money back at the counter.
            ProviderName::Store => None,
            p => {
                let adapter = self.provider(p)?;
                match adapter.refund(&payment, amount, &key).await {
                    Ok(r) => Some(r),
                    Err(e @ ProviderError::Refused { .. }) => {
                        let mut tx = self.store.begin().await?;
                        let current = tx
                            .lock_provider_payment(id)
                            .await?
                            .ok_or(AppError::not_found("payment", "payment_id"))?;
                        tx.finish_refund(refund_id, None, "failed").await?;
                        tx.add_refunded(id, amount.negate(), current.status).await?;
                        tx.commit().await?;
                        return Err(e.into());
                    }
                    // Unknown outcome: the refund stays pending with its key; repeating the
                    // same refund asks again with that key.
                    Err(e) => return Err(e.into()),
                }
            }
        };

        let now = self.now();
        let mut tx = self.store.begin().await?;
        let order = tx
            .lock_order(payment.order_id)
            .await?
            .ok_or(AppError::not_found("order", "payment_id"))?;
        let LockedLine { line, .. } = tx
            .lock_line_by_id(order.line_id)
            .await?
            .ok_or(AppError::not_found("line", "payment_id"))?;
        let current = tx
            .lock_provider_payment(id)
            .await?
            .ok_or(AppError::not_found("payment", "payment_id"))?;
        let fully = current.refunded.cents >= current.amount.cents;
        let status = if fully {
            ProviderPaymentStatus::Refunded
        } else {
            current.status
        };
        tx.add_refunded(id, Money::zero(amount.currency), status)
            .await?;
        tx.finish_refund(refund_id, provider_ref.as_deref(), "succeeded")
            .await?;
        // A capture that never paid the renewal bought no time: nothing to take back.
        let shortening = if current.applied {
            tx.insert_payment_row(
                order.brand_id,
                order.id,
                line.id,
                current.method,
                amount.negate(),
                now,
            )
            .await?;
            let shortening = shorten_line(
                tx.as_mut(),
                &order,
                &line,
                amount,
                current.amount.cents - (current.refunded.cents - amount.cents),
                now,
            )
            .await?;
            Some(shortening)
        } else {
            None
        };
        tx.append_audit(
            &AuditEntry {
                chain: crate::audit::line_chain(line.id),
                actor: actor.to_owned(),
                action: "payment.refund".into(),
                subject: format!("payment:{id}"),
                details: format!(
                    "order={} refund={refund_id} amount_cents={} currency={} provider_ref={} \
                     cut_seconds={} reason={reason}",
                    order.id,
                    amount.cents,
                    amount.currency,
                    provider_ref.as_deref().unwrap_or(""),
                    shortening.as_ref().map_or(0, |s| s.cut.as_secs())
                ),
            },
            now,
        )
        .await?;
        tx.commit().await?;
        self.line_changed(&line.msisdn);
        tracing::info!(
            payment.id = %id,
            order.id = %order.id,
            refund.id = refund_id,
            amount = %amount,
            cut_seconds = shortening.as_ref().map_or(0, |s| s.cut.as_secs()),
            "payment refunded"
        );
        Ok(RefundDone {
            refund_id: Some(refund_id),
            provider_ref,
            amount,
            refunded: current.refunded,
            payment_status: status,
            expires_at: shortening.and_then(|s| s.expires_at).or(line.expires_at),
        })
    }

    /// Refunds `amount` of an order paid from the credit balance or with a voucher, back to
    /// the line's credit (a ledger entry with reason `refund`), and shortens the line's time
    /// like any refund. Orders paid through a provider are refunded with
    /// [`App::refund_payment`].
    pub async fn refund_to_credit(
        &self,
        id: OrderId,
        amount: Money,
        reason: &str,
    ) -> AppResult<RefundDone> {
        self.refund_to_credit_as("system", id, amount, reason).await
    }

    /// [`App::refund_to_credit`] asked by `actor`, named in the audit entry written with it.
    pub async fn refund_to_credit_as(
        &self,
        actor: &str,
        id: OrderId,
        amount: Money,
        reason: &str,
    ) -> AppResult<RefundDone> {
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let order = tx
            .lock_order(id)
            .await?
            .ok_or(AppError::not_found("order", "order_id"))?;
        let LockedLine { line, .. } = tx
            .lock_line_by_id(order.line_id)
            .await?
            .ok_or(AppError::not_found("line", "order_id"))?;
        // Read under the order's lock: no other refund of this order can commit meanwhile.
        let details = self
            .store
            .order(id)
            .await?
            .ok_or(AppError::not_found("order", "order_id"))?;
        if !self.store.provider_payments_of_order(id).await?.is_empty() {
            return Err(AppError::conflict(
                "order_id",
                "this order was paid through a provider: refund its payment",
            ));
        }
        if !matches!(order.state, OrderState::Syncing | OrderState::Completed) {
            return Err(AppError::conflict(
                "order_id",
                format!("a {} order cannot be refunded", order.state),
            ));
        }
        let paid: i64 = details
            .payments
            .iter()
            .filter(|p| p.amount.cents > 0)
            .map(|p| p.amount.cents)
            .sum();
        let kept: i64 = details.payments.iter().map(|p| p.amount.cents).sum();
        if amount.currency != order.quote.total.currency || amount.cents <= 0 {
            return Err(AppError::conflict(
                "amount",
                format!(
                    "a refund is a positive amount in {}",
                    order.quote.total.currency
                ),
            ));
        }
        if amount.cents > kept {
            return Err(AppError::conflict(
                "amount",
                format!(
                    "{amount} is more than the {} left to refund",
                    Money::new(kept, amount.currency)
                ),
            ));
        }
        let balance = tx
            .move_credit(
                &line,
                amount,
                LedgerReason::Refund,
                Some(order.id),
                None,
                now,
            )
            .await?;
        let method = details
            .payments
            .first()
            .map_or(PaymentMethod::Credit, |p| p.method);
        tx.insert_payment_row(
            order.brand_id,
            order.id,
            line.id,
            method,
            amount.negate(),
            now,
        )
        .await?;
        let shortening = shorten_line(tx.as_mut(), &order, &line, amount, kept, now).await?;
        tx.append_audit(
            &AuditEntry {
                chain: crate::audit::line_chain(line.id),
                actor: actor.to_owned(),
                action: "order.refund_to_credit".into(),
                subject: format!("order:{}", order.id),
                details: format!(
                    "amount_cents={} currency={} credit_after_cents={} cut_seconds={} \
                     reason={reason}",
                    amount.cents,
                    amount.currency,
                    balance.cents,
                    shortening.cut.as_secs()
                ),
            },
            now,
        )
        .await?;
        tx.commit().await?;
        self.line_changed(&line.msisdn);
        tracing::info!(
            order.id = %order.id,
            amount = %amount,
            credit = %balance,
            reason,
            cut_seconds = shortening.cut.as_secs(),
            "order refunded to credit"
        );
        let refunded = Money::new(paid - kept + amount.cents, amount.currency);
        Ok(RefundDone {
            refund_id: None,
            provider_ref: None,
            amount,
            refunded,
            payment_status: if refunded.cents >= paid {
                ProviderPaymentStatus::Refunded
            } else {
                ProviderPaymentStatus::Captured
            },
            expires_at: shortening.expires_at.or(line.expires_at),
        })
    }
}

/// Takes the refunded share of the order's time off the line (never time already used) and
/// moves the bundles queued behind the order earlier; tells provisioning.
async fn shorten_line(
    tx: &mut dyn PaymentTx,
    order: &Order,
    line: &Line,
    amount: Money,
    paid_left_cents: i64,
    now: Timestamp,
) -> AppResult<Shortening> {
    // A new eSIM's sale refunded in full: its profile, if not on a phone yet, is given up.
    if amount.cents >= paid_left_cents {
        tx.profile_refunded(line.id, order.id, now).await?;
    }
    let bundles = tx.line_bundles(line.id, now).await?;
    let (mine, others): (Vec<_>, Vec<_>) = bundles
        .into_iter()
        .partition(|b| b.order_id == Some(order.id));
    let last_end = mine.iter().map(|b| b.ends_at).max();
    let later: Vec<_> = others
        .into_iter()
        .filter(|b| last_end.is_some_and(|end| b.starts_at >= end))
        .collect();
    let shortening = shorten(
        &mine,
        &later,
        line.expires_at,
        line.grace_until,
        amount.cents,
        paid_left_cents,
        now,
    )?;
    for (bundle, window) in &shortening.bundles {
        tx.reshape_bundle(*bundle, *window).await?;
    }
    for (bundle, data) in &shortening.allowances {
        tx.set_bundle_allowance(*bundle, *data).await?;
    }
    if !shortening.cut.is_zero() {
        tx.set_line_expiry(line.id, shortening.expires_at, shortening.grace_until)
            .await?;
        let payload = format!(
            "{{\"msisdn\":\"{}\",\"order_id\":{},\"cut_seconds\":{}}}",
            line.msisdn.as_str(),
            order.id,
            shortening.cut.as_secs()
        );
        tx.insert_outbox(order.brand_id, line.id, BUNDLES_CHANGED, &payload, now)
            .await?;
    }
    Ok(shortening)
}
