//! Enrolling a member of staff in TOTP with a seed they already hold: one moved from another
//! system, or the demo's, derived from its secret so that every start of the demo can show it.

use totp_rs::Secret;

use super::second_factor::{staff_totp_context, totp, TotpHolder};
use crate::{App, AppError, AppResult};

impl App {
    /// Enrols `email` in TOTP with `seed` (base32, at least 128 bits), sealed like any other
    /// seed; returns the otpauth URL. Recovery codes are not made: they come with
    /// [`App::enroll_staff_totp`].
    pub async fn enroll_staff_totp_seed(
        &self,
        actor: &str,
        email: &str,
        seed: &str,
    ) -> AppResult<String> {
        let bytes = Secret::Encoded(seed.to_owned())
            .to_bytes()
            .map_err(|_| AppError::conflict("totp_seed", "must be base32 text"))?;
        if bytes.len() < 16 {
            return Err(AppError::conflict(
                "totp_seed",
                "must hold at least 128 bits",
            ));
        }
        let staff = self
            .store
            .staff_credentials(email)
            .await?
            .ok_or(AppError::not_found("member of staff", "email"))?;
        let url = totp(seed, email)?.get_url();
        let sealed = self.seal(&staff_totp_context(staff.id), seed)?;
        // The holder has the seed already: it is in force at once, no first code to wait for.
        let holder = TotpHolder::Staff(staff.id);
        let now = self.now();
        self.store.begin_totp(holder, &sealed, &[], now).await?;
        if !self.store.confirm_totp(holder, &sealed, 0, now).await? {
            return Err(AppError::conflict(
                "totp_seed",
                "another enrolment began meanwhile; enrol again",
            ));
        }
        let mut tx = self.store.begin().await?;
        tx.append_audit(
            &crate::audit::AuditEntry {
                chain: "admin".into(),
                actor: actor.into(),
                action: "staff.enroll_totp".into(),
                subject: format!("staff:{}", staff.id),
                details: "seed given".into(),
            },
            self.now(),
        )
        .await?;
        tx.commit().await?;
        Ok(url)
    }
}
