//! Voucher batches and redemption.

use jiff::Timestamp;
use rand::RngCore;
use simrenew_domain::catalog::Channel;
use simrenew_domain::identifiers::Msisdn;
use simrenew_domain::ids::VoucherBatchId;
use simrenew_domain::money::Money;
use simrenew_domain::order::LedgerReason;
use simrenew_domain::voucher::{VoucherCode, VoucherValue};
use simrenew_domain::DomainError;

use super::payment::PaymentInstruction;
use super::renewal::{lock_line, OrderReceipt, OrderSource, PurchaseRequest};
use crate::audit::AuditEntry;
use crate::{App, AppError, AppResult};

/// The most vouchers one batch holds.
pub const MAX_BATCH: u32 = 100_000;

/// What redeeming a voucher did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Redemption {
    /// Credit added; the line's new balance.
    Credit { added: Money, balance: Money },
    /// The voucher's plan was bought for the line.
    Plan(Box<OrderReceipt>),
}

impl App {
    /// Generates a batch of single-use voucher codes for a brand; recorded in the `admin`
    /// audit chain.
    pub async fn generate_vouchers(
        &self,
        brand_code: &str,
        name: &str,
        count: u32,
        value: &VoucherValue,
        expires_at: Option<Timestamp>,
    ) -> AppResult<(VoucherBatchId, Vec<VoucherCode>)> {
        if count == 0 || count > MAX_BATCH {
            return Err(AppError::Conflict {
                field: Some("count"),
                message: format!("count must be between 1 and {MAX_BATCH}"),
            });
        }
        let brand = self.brand(brand_code).await?;
        if let VoucherValue::Credit(m) = value {
            if m.currency != brand.currency || m.cents <= 0 {
                return Err(AppError::conflict(
                    "value",
                    format!(
                        "a credit voucher holds a positive amount in {}",
                        brand.currency
                    ),
                ));
            }
        }
        let now = self.now();
        let mut rng = rand::thread_rng();
        let mut codes = std::collections::HashSet::with_capacity(count as usize);
        while codes.len() < count as usize {
            let mut random = [0u8; 15];
            rng.fill_bytes(&mut random);
            codes.insert(VoucherCode::from_random(random));
        }
        let codes: Vec<VoucherCode> = codes.into_iter().collect();
        let mut tx = self.store.begin().await?;
        let id = tx
            .insert_voucher_batch(brand.id, name, value, expires_at, &codes, now)
            .await?;
        // Only the operator's command line makes batches.
        tx.append_audit(
            &AuditEntry {
                chain: "admin".into(),
                actor: "cli".into(),
                action: "voucher_batch.create".into(),
                subject: format!("voucher_batch:{id}"),
                details: format!(
                    "brand={} name={name} count={count} value={} expires_at={}",
                    brand.code,
                    match value {
                        VoucherValue::Credit(m) => format!("{}_cents_{}", m.cents, m.currency),
                        VoucherValue::Plan(p) => format!("plan_{p}"),
                    },
                    expires_at.map_or_else(|| "never".to_owned(), |t| t.to_string())
                ),
            },
            now,
        )
        .await?;
        tx.commit().await?;
        Ok((id, codes))
    }

    /// Redeems a voucher on a line: credit goes to the balance, a plan voucher buys its plan.
    pub async fn redeem_voucher(
        &self,
        code: &VoucherCode,
        msisdn: &Msisdn,
        channel: Channel,
    ) -> AppResult<Redemption> {
        self.redeem_voucher_as(None, code, msisdn, channel).await
    }

    /// [`App::redeem_voucher`] on behalf of `actor`.
    pub async fn redeem_voucher_as(
        &self,
        actor: Option<&str>,
        code: &VoucherCode,
        msisdn: &Msisdn,
        channel: Channel,
    ) -> AppResult<Redemption> {
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let line = lock_line(tx.as_mut(), msisdn).await?.line;
        let voucher = tx
            .lock_voucher(code)
            .await?
            .ok_or(AppError::not_found("voucher", "voucher_code"))?;
        let plan_code = match voucher.value {
            VoucherValue::Plan(plan_code) => plan_code,
            VoucherValue::Credit(value) => {
                let code = code.to_string();
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
                tx.append_audit(
                    &AuditEntry {
                        chain: format!("line:{}", line.id),
                        actor: actor.unwrap_or("system").to_owned(),
                        action: "credit.voucher".into(),
                        subject: format!("voucher:{}", voucher.id),
                        details: format!(
                            "amount_cents={} currency={}",
                            value.cents, value.currency
                        ),
                    },
                    now,
                )
                .await?;
                let balance = tx
                    .move_credit(
                        &line,
                        value,
                        LedgerReason::VoucherRedemption,
                        None,
                        Some(voucher.id),
                        now,
                    )
                    .await?;
                tx.commit().await?;
                self.line_changed(msisdn);
                return Ok(Redemption::Credit {
                    added: value,
                    balance,
                });
            }
        };
        drop(tx);
        let purchase = PurchaseRequest {
            msisdn: msisdn.clone(),
            plan_code,
            periods: 1,
            channel,
            promo_code: None,
        };
        let receipt = self
            .create_order_as(
                actor,
                &OrderSource::Purchase(purchase),
                Some(&PaymentInstruction::Voucher(code.clone())),
            )
            .await?;
        Ok(Redemption::Plan(Box::new(receipt)))
    }
}
