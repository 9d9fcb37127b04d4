//! The payment step of a renewal, behind one trait so that card, PayPal and store payments can
//! join the credit balance and vouchers without touching the renewal itself.

use async_trait::async_trait;
use jiff::Timestamp;
use simrenew_domain::brand::Brand;
use simrenew_domain::catalog::Channel;
use simrenew_domain::line::Line;
use simrenew_domain::money::Money;
use simrenew_domain::order::{LedgerReason, Order, PaymentMethod, ProviderName};
use simrenew_domain::voucher::{VoucherCode, VoucherValue};
use simrenew_domain::{DomainError, ParseError};

use super::ports::SalesTx;
use crate::{App, AppError, AppResult};

/// How the customer asks to pay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaymentInstruction {
    /// From the line's credit balance.
    Credit,
    /// With a voucher: a plan voucher pays for its plan, a credit voucher tops the balance up
    /// and the order is then paid from the balance.
    Voucher(VoucherCode),
    /// Money already taken outside the balance and confirmed: by a provider (card,
    /// Bancontact, PayPal) or by an agent at a store (cash, card terminal). Settling it moves
    /// no credit; the caller has checked that `amount` is the order's total.
    Captured {
        method: PaymentMethod,
        amount: Money,
    },
}

/// What a settled payment was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settlement {
    pub method: PaymentMethod,
    pub amount: Money,
    pub voucher: Option<simrenew_domain::ids::VoucherId>,
    /// What the renewal's write takes from the line's credit, with its ledger entry (checked
    /// against the locked balance already), so that it costs no round trip of its own.
    pub credit_debit: Option<Money>,
}

/// Settles an order's amount inside the renewal's transaction, or fails changing nothing
/// (the transaction is rolled back by the caller).
#[async_trait]
pub trait PaymentStep: Send + Sync {
    async fn settle(
        &self,
        tx: &mut dyn SalesTx,
        line: &Line,
        order: &Order,
        now: Timestamp,
    ) -> AppResult<Settlement>;
}

impl PaymentInstruction {
    /// The method this instruction pays with.
    pub fn method(&self) -> PaymentMethod {
        match self {
            PaymentInstruction::Credit => PaymentMethod::Credit,
            PaymentInstruction::Voucher(_) => PaymentMethod::Voucher,
            PaymentInstruction::Captured { method, .. } => *method,
        }
    }
}

impl App {
    /// The methods `brand` offers on `channel` (every method when none are configured) that
    /// work here: a method taken through a card or wallet provider only when the provider it
    /// is routed to (Stripe, PayPal, the demo's simulated card) is installed.
    pub fn payment_methods(&self, brand: &Brand, channel: Channel) -> Vec<PaymentMethod> {
        let configured = match self.payment_policy() {
            Some(policy) => policy.methods(&brand.code, channel),
            None => PaymentMethod::ALL.to_vec(),
        };
        configured
            .into_iter()
            .filter(|m| match self.provider_of(*m) {
                Some(p @ (ProviderName::Stripe | ProviderName::Paypal | ProviderName::Demo)) => {
                    self.provider_installed(p)
                }
                _ => true,
            })
            .collect()
    }

    /// Refuses a method the brand does not offer on the channel.
    pub(crate) fn check_method(
        &self,
        brand: &Brand,
        channel: Channel,
        method: PaymentMethod,
    ) -> AppResult<()> {
        if self.payment_methods(brand, channel).contains(&method) {
            Ok(())
        } else {
            Err(ParseError::new(
                "method",
                format!(
                    "{} does not take {method} on the {channel} channel",
                    brand.name
                ),
            )
            .into())
        }
    }
}

impl App {
    /// The step that settles `instruction`: a voucher is looked up by the keyed hash of its
    /// code, so that it needs the voucher key.
    pub(crate) fn payment_step(
        &self,
        instruction: &PaymentInstruction,
    ) -> AppResult<Box<dyn PaymentStep>> {
        Ok(match instruction {
            PaymentInstruction::Credit => Box::new(CreditBalance),
            PaymentInstruction::Voucher(code) => Box::new(VoucherPayment {
                code: code.clone(),
                hash: self.voucher_hash(code)?,
            }),
            PaymentInstruction::Captured { method, amount } => Box::new(ExternalCapture {
                method: *method,
                amount: *amount,
            }),
        })
    }
}

/// Pays from the line's credit balance.
pub struct CreditBalance;

#[async_trait]
impl PaymentStep for CreditBalance {
    /// Checks the locked balance; the renewal's write takes the credit.
    async fn settle(
        &self,
        _tx: &mut dyn SalesTx,
        line: &Line,
        order: &Order,
        _now: Timestamp,
    ) -> AppResult<Settlement> {
        Ok(Settlement {
            method: PaymentMethod::Credit,
            amount: order.quote.total,
            voucher: None,
            credit_debit: Some(affordable(line, order)?),
        })
    }
}

/// The order's total, if the line's (locked) credit covers it.
fn affordable(line: &Line, order: &Order) -> AppResult<Money> {
    let total = order.quote.total;
    if line.credit.currency != total.currency {
        return Err(AppError::Store(crate::StoreError::Internal(format!(
            "line {} holds credit in another currency than its order",
            line.id
        ))));
    }
    if line.credit.cents < total.cents {
        return Err(DomainError::InsufficientCredit {
            needed: total,
            available: line.credit,
        }
        .into());
    }
    Ok(total)
}

/// Pays with a voucher, found by the keyed hash of its code.
pub struct VoucherPayment {
    pub code: VoucherCode,
    pub hash: String,
}

#[async_trait]
impl PaymentStep for VoucherPayment {
    async fn settle(
        &self,
        tx: &mut dyn SalesTx,
        line: &Line,
        order: &Order,
        now: Timestamp,
    ) -> AppResult<Settlement> {
        let code = self.code.to_string();
        let voucher = tx
            .lock_voucher(&self.hash)
            .await?
            .ok_or(AppError::not_found("voucher", "voucher_code"))?;
        if voucher.brand_id != line.brand_id {
            return Err(DomainError::VoucherForOtherBrand { code }.into());
        }
        if voucher.redeemed.is_some() {
            return Err(DomainError::VoucherUsed { code }.into());
        }
        if voucher.expires_at.is_some_and(|e| e <= now) {
            return Err(DomainError::VoucherExpired { code }.into());
        }
        tx.mark_voucher_redeemed(voucher.id, line.id, now).await?;
        match &voucher.value {
            VoucherValue::Plan(plan_code) => {
                if *plan_code != order.quote.plan_code || order.quote.periods != 1 {
                    return Err(DomainError::VoucherForOtherPlan {
                        code,
                        voucher_plan: plan_code.clone(),
                        order_plan: format!("{} × {}", order.quote.plan_code, order.quote.periods),
                    }
                    .into());
                }
                Ok(Settlement {
                    method: PaymentMethod::Voucher,
                    amount: order.quote.total,
                    voucher: Some(voucher.id),
                    credit_debit: None,
                })
            }
            VoucherValue::Credit(value) => {
                let balance = tx
                    .move_credit(
                        line,
                        *value,
                        LedgerReason::VoucherRedemption,
                        Some(order.id),
                        Some(voucher.id),
                        now,
                    )
                    .await?;
                let topped_up = Line {
                    credit: balance,
                    ..line.clone()
                };
                Ok(Settlement {
                    method: PaymentMethod::Voucher,
                    amount: order.quote.total,
                    voucher: Some(voucher.id),
                    credit_debit: Some(affordable(&topped_up, order)?),
                })
            }
        }
    }
}

/// Records money confirmed outside the balance; moves no credit.
pub struct ExternalCapture {
    pub method: PaymentMethod,
    pub amount: Money,
}

#[async_trait]
impl PaymentStep for ExternalCapture {
    async fn settle(
        &self,
        _tx: &mut dyn SalesTx,
        _line: &Line,
        order: &Order,
        _now: Timestamp,
    ) -> AppResult<Settlement> {
        if self.amount != order.quote.total {
            return Err(AppError::conflict(
                "amount",
                format!(
                    "{} was paid for an order of {}",
                    self.amount, order.quote.total
                ),
            ));
        }
        Ok(Settlement {
            method: self.method,
            amount: self.amount,
            voucher: None,
            credit_debit: None,
        })
    }
}
