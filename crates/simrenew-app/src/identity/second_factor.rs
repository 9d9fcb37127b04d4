//! The second factor of staff and subscribers: a TOTP code (RFC 6238) from a seed kept sealed,
//! or one of ten single-use recovery codes kept as hashes; and a subscriber's enrolment.

use rand::RngCore;
use totp_rs::{Algorithm, Secret, TOTP};

use super::{internal, random_hex, sha256_hex};
use crate::audit::AuditEntry;
use crate::{App, AppResult};

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
pub(crate) fn staff_totp_context(staff: simrenew_domain::ids::StaffId) -> String {
    format!("staff:{staff}:totp")
}

/// The row a subscriber's sealed TOTP seed belongs to.
pub(crate) fn subscriber_totp_context(subscriber: simrenew_domain::ids::SubscriberId) -> String {
    format!("subscriber:{subscriber}:totp")
}

impl App {
    /// Adds (or replaces) a subscriber's TOTP second factor; `account` labels it in the
    /// authenticator app (their number).
    pub async fn enroll_subscriber_totp(
        &self,
        subscriber: simrenew_domain::ids::SubscriberId,
        account: &str,
    ) -> AppResult<TotpEnrolment> {
        let (secret, url, recovery_codes, hashes) = new_totp(account)?;
        let sealed = self.seal(&subscriber_totp_context(subscriber), &secret)?;
        let now = self.now();
        self.store
            .set_subscriber_totp(subscriber, &sealed, &hashes, now)
            .await?;
        let mut tx = self.store.begin().await?;
        tx.append_audit(
            &AuditEntry {
                chain: format!("subscriber:{subscriber}"),
                actor: format!("subscriber:{subscriber}"),
                action: "totp.enroll".into(),
                subject: format!("subscriber:{subscriber}"),
                details: String::new(),
            },
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(TotpEnrolment {
            url,
            recovery_codes,
        })
    }
}
