//! Reconciliation: compares the provider payments of a period with what each provider says,
//! and repairs what can be repaired safely: a payment the provider captured whose renewal was
//! never applied (a lost answer, a crash before our commit, a webhook that never came) is
//! settled, once, through the same path as every confirmation.

use jiff::Timestamp;
use simrenew_domain::ids::OrderId;
use simrenew_domain::order::{OrderState, ProviderName, ProviderPayment, ProviderPaymentStatus};

use super::providers::ProviderState;
use crate::{App, AppResult};

/// What differs for one payment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Difference {
    /// The provider holds another status or amount than we recorded.
    Status {
        theirs: ProviderPaymentStatus,
        theirs_amount: simrenew_domain::money::Money,
    },
    /// We never learnt the provider's reference: the create answer was lost and no webhook
    /// came. A retry of the payment (same idempotency key) or the provider's webhook settles
    /// it; nothing is charged twice.
    NoReference,
    /// The provider could not be asked.
    Unreachable(String),
    /// Money captured that paid no renewal (the order was paid otherwise, or is in review):
    /// it needs a refund or a person.
    CapturedWithoutRenewal { order_state: OrderState },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReconcileLine {
    pub payment: ProviderPayment,
    pub difference: Difference,
    /// The repair made, if any (the order's renewal applied).
    pub repaired: Option<OrderState>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReconcileReport {
    pub checked: usize,
    pub lines: Vec<ReconcileLine>,
}

impl ReconcileReport {
    pub fn of_provider(&self, p: ProviderName) -> impl Iterator<Item = &ReconcileLine> {
        self.lines.iter().filter(move |l| l.payment.provider == p)
    }
}

impl App {
    /// Reconciles the Stripe and PayPal payments created in `[from, to)`.
    pub async fn reconcile(&self, from: Timestamp, to: Timestamp) -> AppResult<ReconcileReport> {
        let payments = self.store.provider_payments_created(from, to).await?;
        let mut report = ReconcileReport::default();
        for ours in payments {
            if ours.provider == ProviderName::Store {
                continue;
            }
            report.checked += 1;
            if let Some(line) = self.reconcile_one(ours).await? {
                report.lines.push(line);
            }
        }
        Ok(report)
    }

    async fn order_state(&self, id: OrderId) -> AppResult<OrderState> {
        Ok(self
            .store
            .order(id)
            .await?
            .map_or(OrderState::Cancelled, |d| d.order.state))
    }

    async fn reconcile_one(&self, ours: ProviderPayment) -> AppResult<Option<ReconcileLine>> {
        let Some(reference) = ours.provider_ref.clone() else {
            return Ok(
                (ours.status == ProviderPaymentStatus::Created).then_some(ReconcileLine {
                    payment: ours,
                    difference: Difference::NoReference,
                    repaired: None,
                }),
            );
        };
        let theirs: ProviderState = match self.provider(ours.provider) {
            Ok(p) => match p.retrieve(&reference).await {
                Ok(s) => s,
                Err(e) => {
                    return Ok(Some(ReconcileLine {
                        payment: ours,
                        difference: Difference::Unreachable(e.to_string()),
                        repaired: None,
                    }))
                }
            },
            Err(e) => {
                return Ok(Some(ReconcileLine {
                    payment: ours,
                    difference: Difference::Unreachable(e.to_string()),
                    repaired: None,
                }))
            }
        };
        let state_before = self.order_state(ours.order_id).await?;
        let same = theirs.status == ours.status
            || (ours.status == ProviderPaymentStatus::Refunded
                && theirs.status == ProviderPaymentStatus::Captured);
        if same && theirs.amount == ours.amount {
            if ours.status == ProviderPaymentStatus::Captured && !ours.applied {
                return Ok(Some(ReconcileLine {
                    payment: ours,
                    difference: Difference::CapturedWithoutRenewal {
                        order_state: state_before,
                    },
                    repaired: None,
                }));
            }
            return Ok(None);
        }
        let difference = Difference::Status {
            theirs: theirs.status,
            theirs_amount: theirs.amount,
        };
        // Settling is safe: it only moves forwards and applies the renewal at most once.
        let settled = self.settle(ours.id, &theirs).await?;
        let state_after = self.order_state(settled.order_id).await?;
        let repaired = (state_after != state_before).then_some(state_after);
        if repaired.is_some() {
            tracing::warn!(
                payment.id = %ours.id,
                order.id = %ours.order_id,
                order.state = %state_after,
                "reconciliation applied a payment the provider had captured"
            );
        }
        Ok(Some(ReconcileLine {
            payment: ours,
            difference,
            repaired,
        }))
    }
}
