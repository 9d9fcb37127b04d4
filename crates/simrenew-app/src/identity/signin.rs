//! Subscriber sign-in by phone number or e-mail address and one-time code, the sessions it
//! opens, and its ports: the sign-in rows, and the SMS and mail gateways.
//!
//! A code is 6 digits, lives 5 minutes and allows 5 attempts; only a salted hash of it is
//! kept, and it is compared in constant time. Asking for codes is limited per number and per
//! client address. Whether a number belongs to anybody is never revealed: every request for
//! a code gets the same answer.

use async_trait::async_trait;
use jiff::{SignedDuration, Timestamp};
use rand::Rng;
use simrenew_domain::access::Principal;
use simrenew_domain::identifiers::{Email, Msisdn};
use simrenew_domain::ids::SubscriberId;

use super::sessions::{SessionAuth, SessionGrant, RATE_WINDOW, SESSION_ABSOLUTE, SESSION_IDLE};
use super::{random_hex, same, sha256_hex};
use crate::{App, AppError, AppResult, StoreResult};

/// Subscriber sign-in: codes, sessions, the second factor and the rate limits every sign-in
/// counts against (a supertrait of [`crate::Store`]).
#[async_trait]
pub trait SignInStore {
    /// A subscriber's TOTP secret, once enrolled.
    async fn subscriber_totp(&self, id: SubscriberId) -> StoreResult<Option<String>>;
    async fn set_subscriber_totp(
        &self,
        id: SubscriberId,
        secret: &str,
        recovery_hashes: &[String],
        now: Timestamp,
    ) -> StoreResult<()>;
    /// Uses a subscriber's recovery code; false when unknown or used already.
    async fn use_subscriber_recovery_code(
        &self,
        id: SubscriberId,
        hash: &str,
        now: Timestamp,
    ) -> StoreResult<bool>;
    /// The one subscriber of the brand with this e-mail address on record (`None` when there
    /// is none, or more than one).
    async fn subscriber_by_email(
        &self,
        brand_code: &str,
        email: &str,
    ) -> StoreResult<Option<SubscriberId>>;
    /// The subscriber owning the line with this number.
    async fn line_owner(&self, msisdn: &str) -> StoreResult<Option<SubscriberId>>;
    async fn count_rate_events(&self, key: &str, since: Timestamp) -> StoreResult<i64>;
    async fn add_rate_event(&self, key: &str, at: Timestamp) -> StoreResult<()>;
    async fn insert_sign_in_code(
        &self,
        address: &str,
        code_hash: &str,
        now: Timestamp,
        expires_at: Timestamp,
    ) -> StoreResult<()>;
    /// The last code sent to a sign-in address (its key: a number, or `email:BRAND:ADDRESS`).
    async fn latest_sign_in_code(&self, address: &str) -> StoreResult<Option<SignInCode>>;
    async fn count_code_attempt(&self, id: i64) -> StoreResult<()>;
    /// Marks the code used; false when it was used already (a replay).
    async fn use_sign_in_code(&self, id: i64, now: Timestamp) -> StoreResult<bool>;
    async fn insert_session(&self, session: &NewSession) -> StoreResult<()>;
    async fn session(&self, token_hash: &str) -> StoreResult<Option<StoredSession>>;
    async fn touch_session(&self, token_hash: &str, now: Timestamp) -> StoreResult<()>;
    async fn revoke_session(&self, token_hash: &str, now: Timestamp) -> StoreResult<()>;
    async fn revoke_sessions_of(
        &self,
        subscriber: SubscriberId,
        now: Timestamp,
    ) -> StoreResult<u64>;
}

/// A sign-in code as stored: only its salted hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignInCode {
    pub id: i64,
    /// `salt$sha256(salt:code)`.
    pub code_hash: String,
    pub expires_at: Timestamp,
    pub attempts: u32,
    pub used: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSession {
    pub token_hash: String,
    pub subscriber: SubscriberId,
    pub csrf_hash: String,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredSession {
    pub subscriber: SubscriberId,
    pub csrf_hash: String,
    pub last_seen_at: Timestamp,
    pub expires_at: Timestamp,
    pub revoked: bool,
}

pub const CODE_LIFETIME: SignedDuration = SignedDuration::from_mins(5);
pub const CODE_ATTEMPTS: u32 = 5;
/// Codes a number may be sent per [`RATE_WINDOW`].
pub const CODES_PER_NUMBER: i64 = 3;
/// Codes one client address may ask for per [`RATE_WINDOW`].
pub const CODES_PER_CLIENT: i64 = 10;

/// Sends text messages. The demo's gateway writes them to the server log instead.
#[async_trait]
pub trait SmsGateway: Send + Sync {
    async fn send(&self, to: &Msisdn, text: &str) -> Result<(), String>;
}

/// Sends e-mail. The demo's gateway writes it to the server log instead.
#[async_trait]
pub trait MailGateway: Send + Sync {
    async fn send(&self, to: &Email, subject: &str, text: &str) -> Result<(), String>;
}

/// Where a sign-in code goes: one of the subscriber's numbers, or the e-mail address on
/// record with a brand (the same address may be on record with several brands).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignInAddress {
    Phone(Msisdn),
    Email { brand: String, email: Email },
}

impl SignInAddress {
    /// The key codes and rate limits are kept under.
    fn key(&self) -> String {
        match self {
            SignInAddress::Phone(m) => m.to_string(),
            SignInAddress::Email { brand, email } => {
                format!("email:{brand}:{}", email.as_str().to_ascii_lowercase())
            }
        }
    }

    /// The field a request names the address in.
    fn field(&self) -> &'static str {
        match self {
            SignInAddress::Phone(_) => "phone",
            SignInAddress::Email { .. } => "email",
        }
    }
}

fn code_hash(salt: &str, code: &str) -> String {
    format!("{salt}${}", sha256_hex(&format!("{salt}:{code}")))
}

impl App {
    /// Sends a sign-in code to a number or an address, if it is a subscriber's. The answer is
    /// the same whether it is or not.
    pub async fn request_sign_in_code(&self, to: &SignInAddress, client: &str) -> AppResult<()> {
        let now = self.now();
        let since = now
            .checked_sub(RATE_WINDOW)
            .map_err(|_| simrenew_domain::DomainError::TimeOutOfRange)?;
        let key = to.key();
        let by_address = format!("code:{key}");
        let by_client = format!("client:{client}");
        if self.store.count_rate_events(&by_address, since).await? >= CODES_PER_NUMBER
            || self.store.count_rate_events(&by_client, since).await? >= CODES_PER_CLIENT
        {
            return Err(AppError::RateLimited {
                retry_after_secs: RATE_WINDOW.as_secs(),
            });
        }
        self.store.add_rate_event(&by_address, now).await?;
        self.store.add_rate_event(&by_client, now).await?;
        let brand = match to {
            SignInAddress::Phone(_) => None,
            SignInAddress::Email { brand, .. } => Some(
                self.store
                    .brand_by_code(brand)
                    .await?
                    .ok_or(AppError::not_found("brand", "brand"))?,
            ),
        };
        if self.subscriber_at(to).await?.is_none() {
            return Ok(());
        }
        let code = format!("{:06}", rand::thread_rng().gen_range(0..1_000_000));
        let salt = random_hex(16);
        let expires_at = now
            .checked_add(CODE_LIFETIME)
            .map_err(|_| simrenew_domain::DomainError::TimeOutOfRange)?;
        let gateway_missing = |what: &str| AppError::Conflict {
            field: Some(to.field()),
            message: format!("sign-in by code is not available: no {what} gateway is configured"),
        };
        match to {
            SignInAddress::Phone(msisdn) => {
                let sms = self.sms.clone().ok_or_else(|| gateway_missing("SMS"))?;
                self.store
                    .insert_sign_in_code(&key, &code_hash(&salt, &code), now, expires_at)
                    .await?;
                let text = format!(
                    "Your sign-in code is {code}. It expires in 5 minutes. Nobody from us will \
                     ever ask you for it."
                );
                sms.send(msisdn, &text).await.map_err(unsent)
            }
            SignInAddress::Email { email, .. } => {
                let mail = self.mail.clone().ok_or_else(|| gateway_missing("e-mail"))?;
                self.store
                    .insert_sign_in_code(&key, &code_hash(&salt, &code), now, expires_at)
                    .await?;
                let name = brand.map(|b| b.name).unwrap_or_default();
                let text = format!(
                    "Your {name} sign-in code is {code}.\n\nIt expires in 5 minutes. Type it \
                     where you asked for it; nobody from {name} will ever ask you for it, by \
                     phone, e-mail or otherwise. If you did not ask for a code, ignore this \
                     message.\n"
                );
                mail.send(email, &format!("Your {name} sign-in code"), &text)
                    .await
                    .map_err(unsent)
            }
        }
    }

    /// The subscriber a sign-in address belongs to, if exactly one.
    async fn subscriber_at(
        &self,
        to: &SignInAddress,
    ) -> AppResult<Option<simrenew_domain::ids::SubscriberId>> {
        Ok(match to {
            SignInAddress::Phone(msisdn) => self.store.line_owner(msisdn.as_str()).await?,
            SignInAddress::Email { brand, email } => {
                self.store
                    .subscriber_by_email(brand, &email.as_str().to_ascii_lowercase())
                    .await?
            }
        })
    }

    /// Checks a code (and, for a subscriber who added one, the second factor) and opens a
    /// session; every wrong try counts against the code.
    pub async fn sign_in_with_code(
        &self,
        at: &SignInAddress,
        code: &str,
        second: Option<&super::second_factor::SecondFactor>,
    ) -> AppResult<SessionGrant> {
        let key = at.key();
        let now = self.now();
        let refuse = |message: &str| AppError::Unauthenticated {
            field: "code",
            message: message.to_owned(),
        };
        let stored = self
            .store
            .latest_sign_in_code(&key)
            .await?
            .ok_or_else(|| refuse("no code was sent here; ask for one"))?;
        if stored.used {
            return Err(refuse("this code was used already; ask for a new one"));
        }
        if stored.expires_at <= now {
            return Err(refuse("this code has expired; ask for a new one"));
        }
        if stored.attempts >= CODE_ATTEMPTS {
            return Err(refuse("too many wrong codes; ask for a new one"));
        }
        let salt = stored.code_hash.split('$').next().unwrap_or_default();
        if !same(&code_hash(salt, code.trim()), &stored.code_hash) {
            self.store.count_code_attempt(stored.id).await?;
            let left = CODE_ATTEMPTS.saturating_sub(stored.attempts + 1);
            return Err(refuse(&format!("wrong code; {left} attempts left")));
        }
        let subscriber = self
            .subscriber_at(at)
            .await?
            .ok_or_else(|| refuse("no subscriber signs in here"))?;
        if let Some(sealed) = self.store.subscriber_totp(subscriber).await? {
            let secret = self.unseal(
                &super::second_factor::subscriber_totp_context(subscriber),
                &sealed,
            )?;
            use super::second_factor::SecondFactor;
            let ok = match second {
                None => {
                    return Err(AppError::Unauthenticated {
                        field: "totp_code",
                        message: "this account also asks for the code of your authenticator app \
                                  (or a recovery code)"
                            .into(),
                    })
                }
                Some(SecondFactor::Totp(t)) => {
                    let totp = super::second_factor::totp(&secret, &key)?;
                    u64::try_from(now.as_second())
                        .map(|s| totp.check(t.trim(), s))
                        .unwrap_or(false)
                }
                Some(SecondFactor::RecoveryCode(c)) => {
                    self.store
                        .use_subscriber_recovery_code(subscriber, &sha256_hex(c.trim()), now)
                        .await?
                }
            };
            if !ok {
                self.store.count_code_attempt(stored.id).await?;
                return Err(AppError::Unauthenticated {
                    field: "totp_code",
                    message: "wrong authenticator or recovery code".into(),
                });
            }
        }
        if !self.store.use_sign_in_code(stored.id, now).await? {
            return Err(refuse("this code was used already; ask for a new one"));
        }
        self.open_session(subscriber, now).await
    }

    /// Opens a session for a subscriber who has just proven who they are.
    pub(crate) async fn open_session(
        &self,
        subscriber: simrenew_domain::ids::SubscriberId,
        now: Timestamp,
    ) -> AppResult<SessionGrant> {
        let (token, csrf_token) = (random_hex(32), random_hex(32));
        let expires_at = now
            .checked_add(SESSION_ABSOLUTE)
            .map_err(|_| simrenew_domain::DomainError::TimeOutOfRange)?;
        self.store
            .insert_session(&NewSession {
                token_hash: sha256_hex(&token),
                subscriber,
                csrf_hash: sha256_hex(&csrf_token),
                created_at: now,
                expires_at,
            })
            .await?;
        Ok(SessionGrant {
            token,
            csrf_token,
            expires_at,
        })
    }

    /// The principal of a live session; a session idle too long or past its end is over.
    pub async fn session(&self, token: &str) -> AppResult<Option<SessionAuth>> {
        if token.starts_with(super::staff_auth::STAFF_TOKEN_PREFIX) {
            return self.staff_session(token).await;
        }
        let now = self.now();
        let hash = sha256_hex(token);
        let Some(s) = self.store.session(&hash).await? else {
            return Ok(None);
        };
        let idle_end = s
            .last_seen_at
            .checked_add(SESSION_IDLE)
            .map_err(|_| simrenew_domain::DomainError::TimeOutOfRange)?;
        if s.revoked || s.expires_at <= now || idle_end <= now {
            return Ok(None);
        }
        if now.as_second() - s.last_seen_at.as_second() >= 60 {
            self.store.touch_session(&hash, now).await?;
        }
        Ok(Some(SessionAuth {
            principal: Principal::Subscriber {
                subscriber: s.subscriber,
            },
            csrf_hash: s.csrf_hash,
        }))
    }

    /// Ends one session.
    pub async fn sign_out(&self, token: &str) -> AppResult<()> {
        if token.starts_with(super::staff_auth::STAFF_TOKEN_PREFIX) {
            return self.end_staff_sessions(Some(token), None).await;
        }
        Ok(self
            .store
            .revoke_session(&sha256_hex(token), self.now())
            .await?)
    }

    /// Ends every session of a member of staff.
    pub async fn staff_sign_out_everywhere(
        &self,
        staff: simrenew_domain::ids::StaffId,
    ) -> AppResult<()> {
        self.end_staff_sessions(None, Some(staff)).await
    }

    /// Ends every session of the subscriber.
    pub async fn sign_out_everywhere(
        &self,
        subscriber: simrenew_domain::ids::SubscriberId,
    ) -> AppResult<u64> {
        Ok(self
            .store
            .revoke_sessions_of(subscriber, self.now())
            .await?)
    }
}

/// A gateway's refusal: logged (without the message, which holds the code) and answered
/// without details.
fn unsent(cause: String) -> AppError {
    tracing::error!(%cause, "a gateway refused a sign-in code");
    AppError::Conflict {
        field: None,
        message: "the code could not be sent; try again in a minute".into(),
    }
}
