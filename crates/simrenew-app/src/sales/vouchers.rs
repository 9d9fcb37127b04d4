//! Voucher batches and redemption.
//!
//! A voucher code is a bearer secret: only its keyed hash (HMAC-SHA256 under the voucher
//! key, `SIMRENEW_VOUCHER_KEY`) is kept, so that the database alone gives no code away; a
//! batch's codes are shown once, when generated, and a code is found by its hash.

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

/// The key of the hash kept instead of each voucher code.
#[derive(Clone)]
pub struct VoucherKey(std::sync::Arc<Vec<u8>>);

impl std::fmt::Debug for VoucherKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("VoucherKey(***)")
    }
}

impl VoucherKey {
    /// At least 32 bytes.
    pub fn new(key: &[u8]) -> Result<Self, String> {
        if key.len() < 32 {
            return Err("the voucher key must be at least 32 bytes".into());
        }
        Ok(Self(std::sync::Arc::new(key.to_vec())))
    }

    /// The hash kept for `code`: HMAC-SHA256 of its characters, hex.
    pub fn hash(&self, code: &VoucherCode) -> String {
        use hmac::{Hmac, Mac};
        let mut mac = match Hmac::<sha2::Sha256>::new_from_slice(&self.0) {
            Ok(mac) => mac,
            // HMAC takes a key of any length.
            Err(_) => return String::new(),
        };
        mac.update(code.as_str().as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }
}

/// What redeeming a voucher did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Redemption {
    /// Credit added; the line's new balance.
    Credit { added: Money, balance: Money },
    /// The voucher's plan was bought for the line.
    Plan(Box<OrderReceipt>),
}

impl App {
    /// Keeps voucher codes as keyed hashes under this key.
    pub fn with_voucher_key(mut self, key: VoucherKey) -> Self {
        self.voucher_key = Some(key);
        self
    }

    /// The hash a voucher code is kept and found by.
    pub(crate) fn voucher_hash(&self, code: &VoucherCode) -> AppResult<String> {
        let key = self
            .voucher_key
            .as_ref()
            .ok_or_else(|| AppError::Conflict {
                field: Some("voucher_code"),
                message: "vouchers are not available: no voucher key is configured".into(),
            })?;
        Ok(key.hash(code))
    }

    /// Generates a batch of single-use voucher codes for a brand: the codes are returned this
    /// once, only their hashes are kept; recorded in the `admin` audit chain.
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
        if expires_at.is_some_and(|e| e <= now) {
            return Err(AppError::conflict(
                "expires_at",
                "a voucher cannot be generated already expired",
            ));
        }
        if self.voucher_key.is_none() {
            return Err(AppError::Conflict {
                field: None,
                message: "vouchers are not available: no voucher key is configured".into(),
            });
        }
        let mut rng = rand::thread_rng();
        let mut codes = std::collections::HashSet::with_capacity(count as usize);
        while codes.len() < count as usize {
            let mut random = [0u8; 15];
            rng.fill_bytes(&mut random);
            codes.insert(VoucherCode::from_random(random));
        }
        let codes: Vec<VoucherCode> = codes.into_iter().collect();
        let hashes = codes
            .iter()
            .map(|c| self.voucher_hash(c))
            .collect::<AppResult<Vec<_>>>()?;
        let mut tx = self.store.begin().await?;
        let id = tx
            .insert_voucher_batch(brand.id, name, value, expires_at, &hashes, now)
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
        let hash = self.voucher_hash(code)?;
        let mut tx = self.store.begin().await?;
        let line = lock_line(tx.as_mut(), msisdn).await?.line;
        let voucher = tx
            .lock_voucher(&hash)
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
                        chain: crate::audit::line_chain(line.id),
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
