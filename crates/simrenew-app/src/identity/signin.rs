//! Subscriber sign-in by phone number or e-mail address and one-time code, the sessions it
//! opens, and its ports: the sign-in rows, and the SMS and mail gateways.
//!
//! A code is 6 digits, lives 5 minutes and allows 5 attempts; only a salted hash of it is
//! kept, and it is compared in constant time. Asking for codes is limited per number and per
//! client address (see [`super::limits`]). Whether a number or an address belongs to anybody
//! is never revealed, in an answer's status, words or time: an address nobody signs in at
//! gets a code row that nobody is sent and no guess matches, so that its wrong codes are
//! answered and counted alike, and messages go out after the answer, retried a few times.

use async_trait::async_trait;
use jiff::{SignedDuration, Timestamp};
use rand::Rng;
use simrenew_domain::access::Principal;
use simrenew_domain::identifiers::{Email, Msisdn};
use simrenew_domain::ids::SubscriberId;

use super::limits::Limit;
use super::sessions::{SessionAuth, SessionGrant, RATE_WINDOW, SESSION_ABSOLUTE, SESSION_IDLE};
use super::{random_hex, same, sha256_hex};
use crate::{App, AppError, AppResult, StoreResult};

/// Subscriber sign-in: codes, sessions, the second factor and the rate limits every sign-in
/// counts against (a supertrait of [`crate::Store`]).
#[async_trait]
pub trait SignInStore {
    /// A subscriber's TOTP secret, once enrolled.
    async fn subscriber_totp(&self, id: SubscriberId) -> StoreResult<Option<String>>;
    /// Uses a recovery code of a subscriber's factor in force; false when unknown or used already.
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
    /// The code of the brand of the line with this number, and the subscriber owning it.
    async fn line_brand_and_owner(
        &self,
        msisdn: &str,
    ) -> StoreResult<Option<(String, Option<SubscriberId>)>>;
    /// Counts one request in `bucket`'s window `[start, end)` and answers the window's count
    /// with it, in one statement (see [`super::limits`]).
    async fn count_in_window(
        &self,
        bucket: &str,
        start: Timestamp,
        end: Timestamp,
    ) -> StoreResult<i64>;
    /// Takes one request back from `bucket`'s window starting at `start`.
    async fn uncount_in_window(&self, bucket: &str, start: Timestamp) -> StoreResult<()>;
    async fn insert_sign_in_code(
        &self,
        address: &str,
        code_hash: &str,
        now: Timestamp,
        expires_at: Timestamp,
    ) -> StoreResult<()>;
    /// The last code sent to a sign-in address (its key: a number, or `email:BRAND:ADDRESS`).
    async fn latest_sign_in_code(&self, address: &str) -> StoreResult<Option<SignInCode>>;
    /// Counts an attempt at a code, in one statement, unless it has had `max` already or was
    /// used: the attempt's number (1 for the first), or `None` when none is left.
    async fn take_code_attempt(&self, id: i64, max: u32) -> StoreResult<Option<u32>>;
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

/// Codes a brand's numbers and addresses may be sent per [`CEILING_WINDOW`], whatever the
/// number, address or client, so that guesses spread over many of them are bounded too.
pub const CODES_PER_BRAND: i64 = 1_000;
/// The window of the brands' ceilings.
pub const CEILING_WINDOW: SignedDuration = SignedDuration::from_hours(1);

/// The most sign-in codes each brand is sent per [`CEILING_WINDOW`]: one number for every
/// brand, and some brands' own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeCeilings {
    pub default: i64,
    pub brands: Vec<(String, i64)>,
}

impl Default for CodeCeilings {
    fn default() -> Self {
        Self {
            default: CODES_PER_BRAND,
            brands: vec![],
        }
    }
}

impl CodeCeilings {
    /// `1000` (every brand), or `1000,lumo=5000,voyago=200` (brands of their own after it).
    pub fn parse(s: &str) -> Result<Self, simrenew_domain::ParseError> {
        let bad = |what: &str| {
            simrenew_domain::ParseError::new(
                "sign_in_codes_per_brand_hour",
                format!("{what}; write it as 1000 or 1000,lumo=5000"),
            )
        };
        let count = |v: &str| match v.trim().parse::<i64>() {
            Ok(n) if n >= 0 => Ok(n),
            _ => Err(bad(&format!("{:?} is not a count", v.trim()))),
        };
        let mut parts = s.split(',');
        let default = count(parts.next().unwrap_or_default())?;
        let mut brands = vec![];
        for part in parts {
            let (brand, n) = part
                .split_once('=')
                .ok_or_else(|| bad(&format!("{:?} names no brand", part.trim())))?;
            let brand = brand.trim().to_ascii_lowercase();
            if brand.is_empty() {
                return Err(bad("a brand is missing before ="));
            }
            brands.push((brand, count(n)?));
        }
        Ok(Self { default, brands })
    }

    /// The ceiling of the brand with this code.
    pub fn of(&self, brand: &str) -> i64 {
        self.brands
            .iter()
            .find(|(b, _)| b == brand)
            .map_or(self.default, |(_, n)| *n)
    }
}

/// How many times a code is handed to its gateway before it is given up (logged).
pub const CODE_SEND_ATTEMPTS: usize = 4;

/// Sends text messages. The demo's gateway writes them to the server log instead.
#[async_trait]
pub trait SmsGateway: Send + Sync {
    async fn send(&self, to: &Msisdn, text: &str) -> Result<(), String>;
}

/// Sends e-mail. The demo's gateway writes it to the server log instead.
#[async_trait]
pub trait MailGateway: Send + Sync {
    async fn send(&self, to: &Email, subject: &str, text: &str) -> Result<(), String>;
    /// A message in text and HTML (`multipart/alternative`); a gateway that carries text
    /// only sends the text.
    async fn send_with_html(
        &self,
        to: &Email,
        subject: &str,
        text: &str,
        _html: &str,
    ) -> Result<(), String> {
        self.send(to, subject, text).await
    }
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
    /// the same whether it is or not, in what it says and in the time it takes: an address
    /// nobody signs in at gets a code row too, which nobody is sent and no guess matches, and
    /// the message goes out after the answer (see [`Deliveries`]), so that neither a slow nor
    /// a failing gateway shows in it.
    pub async fn request_sign_in_code(&self, to: &SignInAddress, client: &str) -> AppResult<()> {
        let now = self.now();
        let key = to.key();
        let gateway = match to {
            SignInAddress::Phone(_) => self.sms.clone().map(Gateway::Sms),
            SignInAddress::Email { .. } => self.mail.clone().map(Gateway::Mail),
        }
        .ok_or_else(|| AppError::Conflict {
            field: Some(to.field()),
            message: format!(
                "sign-in by code is not available: no {} gateway is configured",
                match to {
                    SignInAddress::Phone(_) => "SMS",
                    SignInAddress::Email { .. } => "e-mail",
                }
            ),
        })?;
        self.count_against(&Limit::new(
            format!("client:{client}"),
            CODES_PER_CLIENT,
            RATE_WINDOW,
        ))
        .await?;
        self.count_against(&Limit::new(
            format!("code:{key}"),
            CODES_PER_NUMBER,
            RATE_WINDOW,
        ))
        .await?;
        let brand = match to {
            SignInAddress::Phone(_) => None,
            SignInAddress::Email { brand, .. } => Some(
                self.store
                    .brand_by_code(brand)
                    .await?
                    .ok_or(AppError::not_found("brand", "brand"))?,
            ),
        };
        let (brand_code, subscriber) = match to {
            SignInAddress::Phone(msisdn) => self
                .store
                .line_brand_and_owner(msisdn.as_str())
                .await?
                .map_or((None, None), |(b, s)| (Some(b), s)),
            SignInAddress::Email { brand, .. } => {
                (Some(brand.clone()), self.subscriber_at(to).await?)
            }
        };
        // The brand's ceiling: past it, codes are still answered for and kept, but not sent,
        // so that the answer stays the same for every address. A number of no line counts
        // under no brand, for the same work to be done.
        let ceiling = Limit::new(
            format!("codes:brand:{}", brand_code.as_deref().unwrap_or("-")),
            brand_code
                .as_deref()
                .map_or(self.code_ceilings.default, |b| self.code_ceilings.of(b)),
            CEILING_WINDOW,
        );
        let within_ceiling = match self.count_against(&ceiling).await {
            Ok(_) => true,
            Err(AppError::RateLimited { .. }) => {
                if subscriber.is_some() {
                    tracing::error!(
                        brand = brand_code.as_deref().unwrap_or("-"),
                        ceiling = ceiling.max,
                        "the brand's hourly ceiling of sign-in codes is reached: a code was not sent"
                    );
                }
                false
            }
            Err(e) => return Err(e),
        };
        let subscriber = subscriber.filter(|_| within_ceiling);
        let code = format!("{:06}", rand::thread_rng().gen_range(0..1_000_000));
        let salt = random_hex(16);
        let expires_at = now
            .checked_add(CODE_LIFETIME)
            .map_err(|_| simrenew_domain::DomainError::TimeOutOfRange)?;
        let kept = match subscriber {
            Some(_) => code.clone(),
            None => random_hex(16),
        };
        self.store
            .insert_sign_in_code(&key, &code_hash(&salt, &kept), now, expires_at)
            .await?;
        if subscriber.is_none() {
            return Ok(());
        }
        let message = match (gateway, to) {
            (Gateway::Sms(sms), SignInAddress::Phone(msisdn)) => Message::Sms {
                gateway: sms,
                to: msisdn.clone(),
                text: format!(
                    "Your sign-in code is {code}. It expires in 5 minutes. Nobody from us will \
                     ever ask you for it."
                ),
            },
            (Gateway::Mail(mail), SignInAddress::Email { email, .. }) => {
                let name = brand.map(|b| b.name).unwrap_or_default();
                Message::Mail {
                    gateway: mail,
                    to: email.clone(),
                    subject: format!("Your {name} sign-in code"),
                    text: format!(
                        "Your {name} sign-in code is {code}.\n\nIt expires in 5 minutes. Type it \
                         where you asked for it; nobody from {name} will ever ask you for it, by \
                         phone, e-mail or otherwise. If you did not ask for a code, ignore this \
                         message.\n"
                    ),
                }
            }
            _ => return Err(super::internal("sign-in address and gateway differ")),
        };
        self.deliveries
            .spawn(message.deliver(self.delivery_backoff));
        Ok(())
    }

    /// Waits, at most `within`, until every sign-in code handed to a gateway by this process
    /// was sent or given up; false when some were still going. A server calls it when it
    /// stops, so that codes asked for just before are not lost.
    pub async fn deliveries_settled(&self, within: std::time::Duration) -> bool {
        self.deliveries.settled(within).await
    }

    /// The subscriber a sign-in address belongs to, if exactly one.
    async fn subscriber_at(
        &self,
        to: &SignInAddress,
    ) -> AppResult<Option<simrenew_domain::ids::SubscriberId>> {
        Ok(match to {
            SignInAddress::Phone(msisdn) => self
                .store
                .line_brand_and_owner(msisdn.as_str())
                .await?
                .and_then(|(_, s)| s),
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
        // The attempt is counted before the code is compared, so that tries arriving together
        // are compared CODE_ATTEMPTS times at most.
        let Some(attempt) = self
            .store
            .take_code_attempt(stored.id, CODE_ATTEMPTS)
            .await?
        else {
            let used = self
                .store
                .latest_sign_in_code(&key)
                .await?
                .is_some_and(|c| c.id == stored.id && c.used);
            return Err(refuse(if used {
                "this code was used already; ask for a new one"
            } else {
                "too many wrong codes; ask for a new one"
            }));
        };
        let salt = stored.code_hash.split('$').next().unwrap_or_default();
        if !same(&code_hash(salt, code.trim()), &stored.code_hash) {
            let left = CODE_ATTEMPTS.saturating_sub(attempt);
            return Err(refuse(&format!("wrong code; {left} attempts left")));
        }
        let subscriber = self
            .subscriber_at(at)
            .await?
            .ok_or_else(|| refuse("no subscriber signs in here"))?;
        if let Some(sealed) = self.store.subscriber_totp(subscriber).await? {
            use super::second_factor::{subscriber_totp_context, SecondFactor, TotpHolder};
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
                    self.check_totp(
                        TotpHolder::Subscriber(subscriber),
                        &subscriber_totp_context(subscriber),
                        &sealed,
                        t,
                    )
                    .await?
                }
                Some(SecondFactor::RecoveryCode(c)) => {
                    self.store
                        .use_subscriber_recovery_code(subscriber, &sha256_hex(c.trim()), now)
                        .await?
                }
            };
            if !ok {
                return Err(AppError::Unauthenticated {
                    field: "totp_code",
                    message: "wrong authenticator or recovery code (each code works once)".into(),
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

/// A gateway, chosen by the kind of address.
enum Gateway {
    Sms(std::sync::Arc<dyn SmsGateway>),
    Mail(std::sync::Arc<dyn MailGateway>),
}

/// A sign-in code's message, on its way.
enum Message {
    Sms {
        gateway: std::sync::Arc<dyn SmsGateway>,
        to: Msisdn,
        text: String,
    },
    Mail {
        gateway: std::sync::Arc<dyn MailGateway>,
        to: Email,
        subject: String,
        text: String,
    },
}

impl Message {
    /// Hands the message to its gateway, [`CODE_SEND_ATTEMPTS`] times at most, waiting
    /// `backoff`, then twice as long, and so on, between tries. A refusal is logged without
    /// the message, which holds the code, and without the address.
    async fn deliver(self, backoff: std::time::Duration) {
        let channel = match &self {
            Message::Sms { .. } => "sms",
            Message::Mail { .. } => "email",
        };
        let mut wait = backoff;
        for attempt in 1..=CODE_SEND_ATTEMPTS {
            let sent = match &self {
                Message::Sms { gateway, to, text } => gateway.send(to, text).await,
                Message::Mail {
                    gateway,
                    to,
                    subject,
                    text,
                } => gateway.send(to, subject, text).await,
            };
            match sent {
                Ok(()) => {
                    metrics::counter!("simrenew_signin_codes_sent_total", "channel" => channel, "result" => "sent")
                        .increment(1);
                    return;
                }
                Err(cause) if attempt == CODE_SEND_ATTEMPTS => {
                    metrics::counter!("simrenew_signin_codes_sent_total", "channel" => channel, "result" => "failed")
                        .increment(1);
                    tracing::error!(%cause, channel, attempts = attempt, "a sign-in code could not be sent; given up");
                }
                Err(cause) => {
                    tracing::warn!(%cause, channel, attempt, "a gateway refused a sign-in code; trying again");
                    tokio::time::sleep(wait).await;
                    wait = wait.saturating_mul(2);
                }
            }
        }
    }
}

/// The sign-in codes this process is still sending, so that they can be waited for.
#[derive(Default)]
pub(crate) struct Deliveries {
    pending: std::sync::atomic::AtomicUsize,
    idle: tokio::sync::Notify,
}

impl Deliveries {
    fn spawn(
        self: &std::sync::Arc<Self>,
        delivery: impl std::future::Future<Output = ()> + Send + 'static,
    ) {
        use std::sync::atomic::Ordering;
        self.pending.fetch_add(1, Ordering::SeqCst);
        let this = self.clone();
        tokio::spawn(async move {
            delivery.await;
            if this.pending.fetch_sub(1, Ordering::SeqCst) == 1 {
                this.idle.notify_waiters();
            }
        });
    }

    async fn settled(&self, within: std::time::Duration) -> bool {
        use std::sync::atomic::Ordering;
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let idle = self.idle.notified();
            tokio::pin!(idle);
            idle.as_mut().enable();
            if self.pending.load(Ordering::SeqCst) == 0 {
                return true;
            }
            if tokio::time::timeout_at(deadline, idle).await.is_err() {
                return self.pending.load(Ordering::SeqCst) == 0;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::CodeCeilings;

    #[test]
    fn ceilings_are_one_count_and_brands_of_their_own() {
        let c = CodeCeilings::parse("1000, Lumo=5000,voyago=0").unwrap();
        assert_eq!(
            (c.of("lumo"), c.of("voyago"), c.of("pralino")),
            (5000, 0, 1000)
        );
        for bad in ["", "lots", "1000,lumo", "1000,=5", "1000,lumo=-1"] {
            let e = CodeCeilings::parse(bad).unwrap_err();
            assert_eq!(e.field, "sign_in_codes_per_brand_hour", "{bad}");
        }
    }
}
