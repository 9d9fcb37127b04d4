//! Staff sign-in: a password (argon2id, OWASP parameters, checked off the async executor) and
//! a TOTP code (RFC 6238), or one of ten single-use recovery codes instead of the TOTP code.

use jiff::Timestamp;
use simrenew_domain::access::Principal;
use simrenew_domain::ids::StaffId;

use super::limits::Limit;
use super::second_factor::{staff_totp_context, SecondFactor, TotpEnrolment, TotpHolder};
use super::sessions::{SessionGrant, RATE_WINDOW, SESSION_ABSOLUTE};
use super::sha256_hex;
use super::{internal, random_hex};
use crate::audit::AuditEntry;
use crate::{App, AppError, AppResult, StoreResult};

/// Sign-in attempts per e-mail address per [`RATE_WINDOW`].
pub const STAFF_ATTEMPTS: i64 = 5;
pub const MIN_PASSWORD: usize = 12;
/// What every failed staff sign-in is answered, whichever part was wrong.
pub const STAFF_REFUSAL: &str = "wrong e-mail address, password or code (staff sign in with a \
                                 password and an authenticator app enrolled with `simrenew staff \
                                 enroll-totp` and confirmed)";
/// Staff session tokens start with this, so that they are found among staff sessions.
pub const STAFF_TOKEN_PREFIX: &str = "st_";

/// A member of staff's credentials as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffCredentials {
    pub id: StaffId,
    pub password_hash: Option<String>,
    pub totp_secret: Option<String>,
    pub disabled: bool,
}

#[async_trait::async_trait]
pub trait StaffAuthStore {
    async fn staff_credentials(&self, email: &str) -> StoreResult<Option<StaffCredentials>>;
    async fn set_staff_password(&self, id: StaffId, hash: &str) -> StoreResult<()>;
    /// Uses a recovery code; false when it is unknown or used already.
    async fn use_recovery_code(&self, id: StaffId, hash: &str, now: Timestamp)
        -> StoreResult<bool>;
    async fn insert_staff_session(
        &self,
        token_hash: &str,
        staff: StaffId,
        csrf_hash: &str,
        now: Timestamp,
        expires_at: Timestamp,
    ) -> StoreResult<()>;
    /// `(staff, csrf_hash, last_seen_at, expires_at, revoked)`.
    async fn staff_session(
        &self,
        token_hash: &str,
    ) -> StoreResult<Option<(StaffId, String, Timestamp, Timestamp, bool)>>;
    async fn touch_staff_session(&self, token_hash: &str, now: Timestamp) -> StoreResult<()>;
    async fn revoke_staff_sessions(
        &self,
        token_hash: Option<&str>,
        staff: Option<StaffId>,
        now: Timestamp,
    ) -> StoreResult<()>;
}

fn argon2() -> argon2::Argon2<'static> {
    // OWASP: argon2id, m = 19 MiB, t = 2, p = 1.
    let params = argon2::Params::new(19_456, 2, 1, None).unwrap_or_default();
    argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params)
}

async fn hash_password(password: String) -> AppResult<String> {
    use argon2::password_hash::{PasswordHasher, SaltString};
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
        argon2()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
    })
    .await
    .map_err(|_| internal("password hashing stopped"))?
    .map_err(|_| internal("password hashing failed"))
}

async fn verify_password(password: String, hash: Option<String>) -> bool {
    use argon2::password_hash::{PasswordHash, PasswordVerifier};
    // Without a stored hash the work is done all the same, so that timing does not tell
    // which e-mail addresses exist.
    const DUMMY: &str = "$argon2id$v=19$m=19456,t=2,p=1$c2ltcmVuZXdkdW1teQ$9p1kFJ1R0zTgN3jt7cJ6bQhBXQ2Fbso3l7dI7mQwXyE";
    tokio::task::spawn_blocking(move || {
        let stored = hash.clone().unwrap_or_else(|| DUMMY.to_owned());
        let ok = PasswordHash::new(&stored)
            .map(|parsed| {
                argon2()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok()
            })
            .unwrap_or(false);
        ok && hash.is_some()
    })
    .await
    .unwrap_or(false)
}

impl App {
    async fn staff_by_email_or_404(&self, email: &str) -> AppResult<StaffCredentials> {
        self.store
            .staff_credentials(email)
            .await?
            .ok_or(AppError::not_found("member of staff", "email"))
    }

    /// Sets a member of staff's password.
    pub async fn set_staff_password(
        &self,
        actor: &str,
        email: &str,
        password: &str,
    ) -> AppResult<()> {
        if password.chars().count() < MIN_PASSWORD || password.len() > 256 {
            return Err(AppError::conflict(
                "password",
                format!("must have at least {MIN_PASSWORD} characters"),
            ));
        }
        let staff = self.staff_by_email_or_404(email).await?;
        let hash = hash_password(password.to_owned()).await?;
        self.store.set_staff_password(staff.id, &hash).await?;
        self.audit_admin(actor, "staff.set_password", &format!("staff:{}", staff.id))
            .await
    }

    /// Begins enrolling (or re-enrolling) a member of staff in TOTP: gives the otpauth URL and
    /// ten recovery codes, shown this once. The enrolment applies once its first code is
    /// confirmed ([`App::confirm_staff_totp`]); until then the factor in force, if any, does.
    /// This is the operator's act (the CLI), which is also how a lost authenticator is
    /// replaced, so it asks for no current code.
    pub async fn enroll_staff_totp(&self, actor: &str, email: &str) -> AppResult<TotpEnrolment> {
        let staff = self.staff_by_email_or_404(email).await?;
        let enrolment = self.begin_totp(TotpHolder::Staff(staff.id), email).await?;
        self.audit_admin(actor, "staff.enroll_totp", &format!("staff:{}", staff.id))
            .await?;
        Ok(enrolment)
    }

    /// Puts a member of staff's waiting enrolment in force with its first code.
    pub async fn confirm_staff_totp(&self, actor: &str, email: &str, code: &str) -> AppResult<()> {
        let staff = self.staff_by_email_or_404(email).await?;
        self.confirm_totp(TotpHolder::Staff(staff.id), code).await?;
        self.audit_admin(actor, "staff.confirm_totp", &format!("staff:{}", staff.id))
            .await
    }

    /// Signs a member of staff in with password and second factor.
    pub async fn staff_sign_in(
        &self,
        email: &str,
        password: &str,
        second: &SecondFactor,
        client: &str,
    ) -> AppResult<SessionGrant> {
        let now = self.now();
        // Every try is counted before the password is checked, so that tries arriving together
        // are checked STAFF_ATTEMPTS times at most; a sign-in that succeeds is given back.
        let by_client = self
            .count_against(&Limit::new(
                format!("staff-client:{client}"),
                4 * STAFF_ATTEMPTS,
                RATE_WINDOW,
            ))
            .await?;
        let by_address = self
            .count_against(&Limit::new(
                format!("staff:{email}"),
                STAFF_ATTEMPTS,
                RATE_WINDOW,
            ))
            .await?;
        // One answer for every failure, so that it tells nothing of which part was wrong.
        let refuse = || AppError::Unauthenticated {
            field: "password",
            message: STAFF_REFUSAL.into(),
        };
        let staff = self.store.staff_credentials(email).await?;
        let password_ok = verify_password(
            password.to_owned(),
            staff.as_ref().and_then(|s| s.password_hash.clone()),
        )
        .await;
        let staff = match staff {
            Some(s) if password_ok && !s.disabled => s,
            _ => return Err(refuse()),
        };
        let second_ok = match (second, &staff.totp_secret) {
            (SecondFactor::Totp(code), Some(sealed)) => {
                let holder = TotpHolder::Staff(staff.id);
                self.check_totp(holder, &staff_totp_context(staff.id), sealed, code)
                    .await?
            }
            (SecondFactor::Totp(_), None) => false,
            (SecondFactor::RecoveryCode(code), _) => {
                self.store
                    .use_recovery_code(staff.id, &sha256_hex(code.trim()), now)
                    .await?
            }
        };
        if !second_ok {
            return Err(refuse());
        }
        self.give_back(&by_address).await?;
        self.give_back(&by_client).await?;
        let token = format!("{STAFF_TOKEN_PREFIX}{}", random_hex(32));
        let csrf_token = random_hex(32);
        let expires_at = now
            .checked_add(SESSION_ABSOLUTE)
            .map_err(|_| simrenew_domain::DomainError::TimeOutOfRange)?;
        self.store
            .insert_staff_session(
                &sha256_hex(&token),
                staff.id,
                &sha256_hex(&csrf_token),
                now,
                expires_at,
            )
            .await?;
        self.audit_admin(
            &format!("staff:{}", staff.id),
            "staff.sign_in",
            &format!("staff:{}", staff.id),
        )
        .await?;
        Ok(SessionGrant {
            token,
            csrf_token,
            expires_at,
        })
    }

    /// The principal of a live staff session (same timeouts as subscribers').
    pub(crate) async fn staff_session(
        &self,
        token: &str,
    ) -> AppResult<Option<super::sessions::SessionAuth>> {
        let now = self.now();
        let hash = sha256_hex(token);
        let Some((staff, csrf_hash, last_seen, expires_at, revoked)) =
            self.store.staff_session(&hash).await?
        else {
            return Ok(None);
        };
        let idle_end = last_seen
            .checked_add(super::sessions::SESSION_IDLE)
            .map_err(|_| simrenew_domain::DomainError::TimeOutOfRange)?;
        if revoked || expires_at <= now || idle_end <= now {
            return Ok(None);
        }
        let Some(principal) = self.store.staff_principal(staff).await? else {
            return Ok(None);
        };
        if now.as_second() - last_seen.as_second() >= 60 {
            self.store.touch_staff_session(&hash, now).await?;
        }
        Ok(Some(super::sessions::SessionAuth {
            principal: self.with_serving(principal, &hash).await?,
            csrf_hash,
        }))
    }

    /// Ends a staff session, or all of a member of staff's sessions.
    pub(crate) async fn end_staff_sessions(
        &self,
        token: Option<&str>,
        staff: Option<StaffId>,
    ) -> AppResult<()> {
        let hash = token.map(sha256_hex);
        Ok(self
            .store
            .revoke_staff_sessions(hash.as_deref(), staff, self.now())
            .await?)
    }

    async fn audit_admin(&self, actor: &str, action: &str, subject: &str) -> AppResult<()> {
        let mut tx = self.store.begin().await?;
        tx.append_audit(
            &AuditEntry {
                chain: "admin".into(),
                actor: actor.into(),
                action: action.into(),
                subject: subject.into(),
                details: String::new(),
            },
            self.now(),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Whether a principal is a member of staff, and which.
pub fn staff_of(p: &Principal) -> Option<StaffId> {
    match p {
        Principal::PlatformAdmin { staff }
        | Principal::BrandAdmin { staff, .. }
        | Principal::Agent { staff, .. } => Some(*staff),
        _ => None,
    }
}
