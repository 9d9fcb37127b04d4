//! The second factor of staff and subscribers: a TOTP code (RFC 6238) from a seed kept sealed,
//! or one of ten single-use recovery codes kept as hashes; and their enrolment.
//!
//! A code is accepted once: the time step of the last accepted code is kept, and only a later
//! step's code is taken (one step of clock skew either way is allowed). An enrolment takes
//! effect only once a first code of it is confirmed, within [`ENROLMENT_LIFETIME`]; until then
//! the factor in force (or none) still applies, recovery codes included. A subscriber replaces
//! a factor in force only with its current code or a recovery code.

use async_trait::async_trait;
use jiff::{SignedDuration, Timestamp};
use rand::RngCore;
use simrenew_domain::ids::{StaffId, SubscriberId};
use totp_rs::{Algorithm, Secret, TOTP};

use super::{internal, random_hex, same, sha256_hex};
use crate::audit::AuditEntry;
use crate::{App, AppError, AppResult, StoreResult};

/// An enrolment not confirmed within this time is forgotten.
pub const ENROLMENT_LIFETIME: SignedDuration = SignedDuration::from_mins(15);
/// Wrong current codes a subscriber may give per window when replacing their factor.
pub const REPLACEMENT_TRIES: i64 = 5;

/// Whose second factor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TotpHolder {
    Staff(StaffId),
    Subscriber(SubscriberId),
}

/// Enrolments, confirmations and accepted time steps (a supertrait of [`crate::Store`]). The
/// factor in force is read with its holder (`StaffAuthStore::staff_credentials`,
/// `SignInStore::subscriber_totp`).
#[async_trait]
pub trait SecondFactorStore {
    /// Keeps a (sealed) seed and its recovery codes as the holder's enrolment waiting for
    /// confirmation, replacing any earlier one.
    async fn begin_totp(
        &self,
        holder: TotpHolder,
        sealed: &str,
        recovery_hashes: &[String],
        now: Timestamp,
    ) -> StoreResult<()>;
    /// The enrolment waiting for confirmation: its sealed seed and when it began.
    async fn pending_totp(&self, holder: TotpHolder) -> StoreResult<Option<(String, Timestamp)>>;
    /// Puts the enrolment with this sealed seed in force, with its recovery codes instead of
    /// the old ones, `step` as its last accepted step; false when it is no longer waiting.
    async fn confirm_totp(
        &self,
        holder: TotpHolder,
        sealed: &str,
        step: u64,
        now: Timestamp,
    ) -> StoreResult<bool>;
    /// Records `step` as the last accepted one, unless a step as late was accepted already.
    async fn claim_totp_step(&self, holder: TotpHolder, step: u64) -> StoreResult<bool>;
}

/// The time step `code` belongs to, if it is the code of `totp` for the step of `now` or one
/// step either side; the latest of them when several match.
pub(crate) fn matching_step(totp: &TOTP, code: &str, now: Timestamp) -> Option<u64> {
    let now = u64::try_from(now.as_second()).ok()?;
    let step = now / totp.step;
    let code = code.trim();
    [step + 1, step, step.saturating_sub(1)]
        .into_iter()
        .find(|s| same(&totp.generate(s * totp.step), code))
}

/// What a member of staff signs in with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecondFactor {
    Totp(String),
    RecoveryCode(String),
}

/// What a TOTP enrolment gives, shown once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TotpEnrolment {
    /// `otpauth://totp/...`, for an authenticator app (as text or QR code).
    pub url: String,
    pub recovery_codes: Vec<String>,
}

pub(crate) fn totp(secret: &str, account: &str) -> AppResult<TOTP> {
    let bytes = Secret::Encoded(secret.to_owned())
        .to_bytes()
        .map_err(|_| internal("stored TOTP secret is not valid"))?;
    TOTP::new(
        Algorithm::SHA1,
        6,
        1,
        30,
        bytes,
        Some("simrenew".to_owned()),
        account.to_owned(),
    )
    .map_err(|_| internal("stored TOTP secret is not valid"))
}

/// A new TOTP secret, its otpauth URL, ten recovery codes and their hashes.
pub(crate) fn new_totp(account: &str) -> AppResult<(String, String, Vec<String>, Vec<String>)> {
    let mut raw = [0u8; 20];
    rand::thread_rng().fill_bytes(&mut raw);
    let secret = Secret::Raw(raw.to_vec()).to_encoded().to_string();
    let url = totp(&secret, account)?.get_url();
    let recovery_codes: Vec<String> = (0..10).map(|_| random_hex(5)).collect();
    let hashes = recovery_codes.iter().map(|c| sha256_hex(c)).collect();
    Ok((secret, url, recovery_codes, hashes))
}

/// The row a staff member's sealed TOTP seed belongs to.
pub(crate) fn staff_totp_context(staff: StaffId) -> String {
    format!("staff:{staff}:totp")
}

/// The row a subscriber's sealed TOTP seed belongs to.
pub(crate) fn subscriber_totp_context(subscriber: SubscriberId) -> String {
    format!("subscriber:{subscriber}:totp")
}

impl App {
    /// Whether `code` is the current code of the holder's factor in force (sealed as `sealed`,
    /// under `context`); a code accepted once is not accepted again.
    pub(crate) async fn check_totp(
        &self,
        holder: TotpHolder,
        context: &str,
        sealed: &str,
        code: &str,
    ) -> AppResult<bool> {
        let secret = self.unseal(context, sealed)?;
        let Some(step) = matching_step(&totp(&secret, "check")?, code, self.now()) else {
            return Ok(false);
        };
        Ok(self.store.claim_totp_step(holder, step).await?)
    }

    /// Begins an enrolment: a new seed and recovery codes, shown once, waiting for a first
    /// code (see [`App::confirm_totp`]).
    pub(crate) async fn begin_totp(
        &self,
        holder: TotpHolder,
        account: &str,
    ) -> AppResult<TotpEnrolment> {
        let (secret, url, recovery_codes, hashes) = new_totp(account)?;
        let sealed = self.seal(&holder_context(holder), &secret)?;
        self.store
            .begin_totp(holder, &sealed, &hashes, self.now())
            .await?;
        Ok(TotpEnrolment {
            url,
            recovery_codes,
        })
    }

    /// Puts the holder's waiting enrolment in force once `code` is one of its codes.
    pub(crate) async fn confirm_totp(&self, holder: TotpHolder, code: &str) -> AppResult<()> {
        let now = self.now();
        let waiting = |message: &str| AppError::Conflict {
            field: Some("totp_code"),
            message: message.to_owned(),
        };
        let (sealed, since) = self
            .store
            .pending_totp(holder)
            .await?
            .ok_or_else(|| waiting("no enrolment is waiting for confirmation; enrol first"))?;
        let expired = since
            .checked_add(ENROLMENT_LIFETIME)
            .map_err(|_| simrenew_domain::DomainError::TimeOutOfRange)?
            <= now;
        if expired {
            return Err(waiting("the enrolment has expired; enrol again"));
        }
        let secret = self.unseal(&holder_context(holder), &sealed)?;
        let step = matching_step(&totp(&secret, "check")?, code, now).ok_or_else(|| {
            AppError::Unauthenticated {
                field: "totp_code",
                message: "this is not the authenticator's current code".into(),
            }
        })?;
        if !self.store.confirm_totp(holder, &sealed, step, now).await? {
            return Err(waiting(
                "the enrolment changed meanwhile; confirm the new one",
            ));
        }
        Ok(())
    }

    /// Begins (or, with the factor in force, `current`, begins replacing) a subscriber's TOTP
    /// second factor; `account` labels it in the authenticator app. It applies once
    /// confirmed ([`App::confirm_subscriber_totp`]).
    pub async fn enroll_subscriber_totp(
        &self,
        subscriber: SubscriberId,
        account: &str,
        current: Option<&SecondFactor>,
    ) -> AppResult<TotpEnrolment> {
        let holder = TotpHolder::Subscriber(subscriber);
        if let Some(sealed) = self.store.subscriber_totp(subscriber).await? {
            let Some(current) = current else {
                return Err(AppError::Unauthenticated {
                    field: "totp_code",
                    message: "replacing your second factor takes its current code (or a \
                              recovery code)"
                        .into(),
                });
            };
            self.count_against(&super::limits::Limit::new(
                format!("totp-replace:{subscriber}"),
                REPLACEMENT_TRIES,
                super::sessions::RATE_WINDOW,
            ))
            .await?;
            let ok = match current {
                SecondFactor::Totp(code) => {
                    self.check_totp(holder, &holder_context(holder), &sealed, code)
                        .await?
                }
                SecondFactor::RecoveryCode(code) => {
                    self.store
                        .use_subscriber_recovery_code(
                            subscriber,
                            &sha256_hex(code.trim()),
                            self.now(),
                        )
                        .await?
                }
            };
            if !ok {
                return Err(AppError::Unauthenticated {
                    field: "totp_code",
                    message: "wrong authenticator or recovery code".into(),
                });
            }
        }
        let enrolment = self.begin_totp(holder, account).await?;
        self.audit_subscriber(subscriber, "totp.enroll").await?;
        Ok(enrolment)
    }

    /// Puts a subscriber's waiting enrolment in force with its first code.
    pub async fn confirm_subscriber_totp(
        &self,
        subscriber: SubscriberId,
        code: &str,
    ) -> AppResult<()> {
        self.confirm_totp(TotpHolder::Subscriber(subscriber), code)
            .await?;
        self.audit_subscriber(subscriber, "totp.confirm").await
    }

    async fn audit_subscriber(&self, subscriber: SubscriberId, action: &str) -> AppResult<()> {
        let mut tx = self.store.begin().await?;
        tx.append_audit(
            &AuditEntry {
                chain: format!("subscriber:{subscriber}"),
                actor: format!("subscriber:{subscriber}"),
                action: action.into(),
                subject: format!("subscriber:{subscriber}"),
                details: String::new(),
            },
            self.now(),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

/// The row a holder's sealed TOTP seed belongs to.
pub(crate) fn holder_context(holder: TotpHolder) -> String {
    match holder {
        TotpHolder::Staff(id) => staff_totp_context(id),
        TotpHolder::Subscriber(id) => subscriber_totp_context(id),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_matches_its_step_and_the_neighbours_only() {
        let (secret, ..) = new_totp("x").unwrap();
        let t = totp(&secret, "x").unwrap();
        let now: Timestamp = "2027-01-15T09:00:10Z".parse().unwrap();
        let step = now.as_second() as u64 / 30;
        assert_eq!(matching_step(&t, &t.generate(step * 30), now), Some(step));
        assert_eq!(
            matching_step(&t, &t.generate((step - 1) * 30), now),
            Some(step - 1)
        );
        let old = t.generate((step - 2) * 30);
        if ![step - 1, step, step + 1]
            .iter()
            .any(|s| t.generate(s * 30) == old)
        {
            assert_eq!(matching_step(&t, &old, now), None);
        }
    }
}
