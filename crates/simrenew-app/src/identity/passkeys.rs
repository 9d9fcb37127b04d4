//! Passkeys (WebAuthn): a signed-in subscriber adds passkeys to their account, and anybody
//! signs in with one without giving a number (discoverable credentials, so that the browser
//! can offer the passkey in the sign-in form itself).
//!
//! A passkey checks its user (PIN, fingerprint, face) before it signs, and sign-in asks for
//! that check, so a passkey counts as both factors: an account with TOTP is not asked for its
//! code. Each ceremony (a registration or a sign-in) is two requests; its state waits in the
//! database between them, lives [`CEREMONY_LIFETIME`] and works once. Ceremony ids are kept as
//! hashes, like every other token.
//!
//! The cryptography and the checks of the WebAuthn specification are `webauthn-rs`'s; this
//! module decides whose passkey is whose. Its types (options, credentials, states) pass
//! through the ports as they are: the HTTP crate turns them into JSON for the browser and the
//! store keeps them as JSON.

use jiff::{SignedDuration, Timestamp};
use sha2::{Digest, Sha256};
use simrenew_domain::ids::{PasskeyId, SubscriberId};
use simrenew_domain::ParseError;
use webauthn_rs::prelude::{
    DiscoverableAuthentication, DiscoverableKey, PasskeyRegistration, Url, Uuid, Webauthn,
    WebauthnBuilder, WebauthnError,
};

pub use webauthn_rs::prelude::{
    CreationChallengeResponse, Passkey, PublicKeyCredential, RegisterPublicKeyCredential,
    RequestChallengeResponse,
};

use super::sha256_hex;
use crate::audit::AuditEntry;
use crate::sales::ports::LineFilter;
use crate::{App, AppError, AppResult, StoreError, StoreResult};

/// How long a ceremony may wait between its two requests.
pub const CEREMONY_LIFETIME: SignedDuration = SignedDuration::from_mins(5);
/// Passkey sign-ins one client address may start per rate window.
pub const SIGN_INS_PER_CLIENT: i64 = 30;
/// Passkeys one subscriber may have.
pub const MAX_PASSKEYS: usize = 10;
/// The longest label, in characters.
pub const MAX_LABEL: usize = 60;
/// The unique constraint on a passkey's credential id, named alike on both databases.
pub const CREDENTIAL_CONSTRAINT: &str = "passkeys_credential_id";

/// The site passkeys are bound to: its public origin, and the host as relying party id.
#[derive(Debug)]
pub struct RelyingParty {
    webauthn: Webauthn,
    origin: Url,
}

/// A public URL that cannot be a relying party.
#[derive(Debug, thiserror::Error)]
#[error("SIMRENEW_PUBLIC_URL {url:?}: {reason}")]
pub struct RelyingPartyError {
    url: String,
    reason: &'static str,
}

impl RelyingParty {
    /// `public_url` is the origin browsers show (`https://portal.example.be`); passkeys are
    /// bound to its host, so changing the host makes every registered passkey useless.
    pub fn new(public_url: &str) -> Result<Self, RelyingPartyError> {
        let refuse = |reason| RelyingPartyError {
            url: public_url.to_owned(),
            reason,
        };
        let origin = Url::parse(public_url).map_err(|_| refuse("not a URL"))?;
        if !matches!(origin.scheme(), "https" | "http") {
            return Err(refuse(
                "must start with https:// (or http:// for localhost)",
            ));
        }
        if origin.path() != "/" || origin.query().is_some() || origin.fragment().is_some() {
            return Err(refuse("must be an origin only, without a path"));
        }
        let Some(host) = origin.domain() else {
            return Err(refuse(
                "must name a host by its domain name, not an address",
            ));
        };
        if origin.scheme() == "http" && host != "localhost" {
            return Err(refuse("browsers accept http:// only for localhost"));
        }
        let webauthn = WebauthnBuilder::new(host, &origin)
            .and_then(|b| b.build())
            .map_err(|_| refuse("not accepted as a WebAuthn relying party"))?;
        Ok(Self { webauthn, origin })
    }

    pub fn origin(&self) -> &Url {
        &self.origin
    }
}

/// A ceremony's state between its two requests.
#[derive(Debug, Clone)]
pub enum CeremonyState {
    Registration(PasskeyRegistration),
    SignIn(DiscoverableAuthentication),
}

impl CeremonyState {
    /// How the kind is stored: `registration` or `authentication`.
    pub fn kind(&self) -> &'static str {
        match self {
            CeremonyState::Registration(_) => "registration",
            CeremonyState::SignIn(_) => "authentication",
        }
    }
}

/// A ceremony to keep until its second request.
#[derive(Debug, Clone)]
pub struct NewCeremony {
    pub token_hash: String,
    /// Whose passkey is being registered; `None` for a sign-in.
    pub subscriber: Option<SubscriberId>,
    pub state: CeremonyState,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
}

/// A ceremony as stored.
#[derive(Debug, Clone)]
pub struct StoredCeremony {
    pub id: i64,
    pub subscriber: Option<SubscriberId>,
    pub state: CeremonyState,
    pub expires_at: Timestamp,
    pub used: bool,
}

/// A started ceremony: its id, for the second request, and what the browser is to be given.
#[derive(Debug, Clone)]
pub struct Ceremony<T> {
    pub id: String,
    pub options: T,
}

/// A passkey as its owner sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasskeyInfo {
    pub id: PasskeyId,
    pub label: String,
    pub created_at: Timestamp,
    pub last_used_at: Option<Timestamp>,
}

/// A passkey with its owner and credential.
#[derive(Debug, Clone)]
pub struct StoredPasskey {
    pub info: PasskeyInfo,
    pub subscriber: SubscriberId,
    pub passkey: Passkey,
}

/// Passkeys and their ceremonies, outside a transaction.
#[async_trait::async_trait]
pub trait PasskeyStore {
    /// Keeps a ceremony; ceremonies that ended long ago are forgotten on the way.
    async fn insert_ceremony(&self, ceremony: &NewCeremony) -> StoreResult<()>;
    async fn ceremony(&self, token_hash: &str) -> StoreResult<Option<StoredCeremony>>;
    /// Marks a ceremony used; false when it was used already.
    async fn use_ceremony(&self, id: i64, now: Timestamp) -> StoreResult<bool>;
    /// A subscriber's passkeys, oldest first.
    async fn passkeys_of(&self, subscriber: SubscriberId) -> StoreResult<Vec<StoredPasskey>>;
    async fn passkey_by_credential(
        &self,
        credential_id: &[u8],
    ) -> StoreResult<Option<StoredPasskey>>;
    /// Keeps the credential as updated by a sign-in (its counter) and when it was used.
    async fn record_passkey_use(
        &self,
        id: PasskeyId,
        passkey: &Passkey,
        now: Timestamp,
    ) -> StoreResult<()>;
}

/// Passkey writes that go with an audit entry.
#[async_trait::async_trait]
pub trait PasskeyTx {
    async fn insert_passkey(
        &mut self,
        subscriber: SubscriberId,
        passkey: &Passkey,
        label: &str,
        now: Timestamp,
    ) -> StoreResult<PasskeyId>;
    /// Deletes one of the subscriber's passkeys; false when they have none with this id.
    async fn delete_passkey(
        &mut self,
        subscriber: SubscriberId,
        id: PasskeyId,
    ) -> StoreResult<bool>;
}

/// The user handle a subscriber's passkeys carry: derived from the subscriber's id, so that it
/// needs no column, and hashed, so that it shows nothing of it.
pub fn user_handle(subscriber: SubscriberId) -> Uuid {
    let digest = Sha256::digest(format!("simrenew passkey user {subscriber}").as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    Uuid::from_bytes(bytes)
}

fn random_hex(bytes: usize) -> String {
    use rand::RngCore;
    let mut b = vec![0u8; bytes];
    rand::thread_rng().fill_bytes(&mut b);
    hex::encode(b)
}

fn refuse(field: &'static str, message: &str) -> AppError {
    AppError::Unauthenticated {
        field,
        message: message.to_owned(),
    }
}

/// What a failed check tells the person: enough to know what to do, nothing more.
fn verification_failed(e: &WebauthnError) -> &'static str {
    match e {
        WebauthnError::InvalidRPOrigin | WebauthnError::InvalidRPIDHash => {
            "the passkey answered for another site"
        }
        WebauthnError::MismatchedChallenge | WebauthnError::InvalidClientDataType => {
            "the passkey answered another request; start again"
        }
        WebauthnError::UserNotVerified | WebauthnError::UserNotPresent => {
            "the passkey did not check who you are (PIN or biometrics)"
        }
        WebauthnError::CredentialPossibleCompromise => {
            "this passkey's counter went back, as for a copied key; it was refused"
        }
        _ => "the passkey's answer does not verify",
    }
}

fn label_of(label: Option<&str>, now: Timestamp) -> AppResult<String> {
    match label.map(str::trim) {
        None | Some("") => Ok(format!(
            "Passkey added on {}",
            now.to_zoned(jiff::tz::TimeZone::UTC).date()
        )),
        Some(l) if l.chars().count() > MAX_LABEL => {
            Err(ParseError::new("label", format!("at most {MAX_LABEL} characters")).into())
        }
        Some(l) if l.chars().any(char::is_control) => {
            Err(ParseError::new("label", "no control characters").into())
        }
        Some(l) => Ok(l.to_owned()),
    }
}

impl App {
    /// Lets subscribers use passkeys on this site.
    pub fn with_webauthn(mut self, relying_party: RelyingParty) -> Self {
        self.relying_party = Some(std::sync::Arc::new(relying_party));
        self
    }

    fn relying_party(&self) -> AppResult<std::sync::Arc<RelyingParty>> {
        self.relying_party
            .clone()
            .ok_or_else(|| AppError::Conflict {
                field: None,
                message: "passkeys are not available: SIMRENEW_PUBLIC_URL is not configured".into(),
            })
    }

    async fn keep_ceremony(
        &self,
        subscriber: Option<SubscriberId>,
        state: CeremonyState,
    ) -> AppResult<String> {
        let now = self.now();
        let token = random_hex(32);
        let expires_at = now
            .checked_add(CEREMONY_LIFETIME)
            .map_err(|_| simrenew_domain::DomainError::TimeOutOfRange)?;
        self.store
            .insert_ceremony(&NewCeremony {
                token_hash: sha256_hex(&token),
                subscriber,
                state,
                created_at: now,
                expires_at,
            })
            .await?;
        Ok(token)
    }

    /// Takes a ceremony for its second request: it must exist, be of this kind (and, for a
    /// registration, this subscriber's), and be neither used nor expired. Taking it uses it,
    /// whatever follows.
    async fn take_ceremony(
        &self,
        token: &str,
        subscriber: Option<SubscriberId>,
        registration: bool,
    ) -> AppResult<CeremonyState> {
        let (what, gone): (&str, fn(&'static str, &str) -> AppError) = if registration {
            ("registration", |field, message| {
                AppError::conflict(field, message)
            })
        } else {
            ("sign-in", refuse)
        };
        let unknown = || {
            if registration {
                AppError::not_found("passkey registration", "ceremony")
            } else {
                refuse("ceremony", "no such passkey sign-in; start again")
            }
        };
        let Some(c) = self.store.ceremony(&sha256_hex(token)).await? else {
            return Err(unknown());
        };
        let kind_matches = matches!(c.state, CeremonyState::Registration(_)) == registration;
        if !kind_matches || c.subscriber != subscriber {
            return Err(unknown());
        }
        let now = self.now();
        if c.used || !self.store.use_ceremony(c.id, now).await? {
            return Err(gone(
                "ceremony",
                &format!("this passkey {what} was used already; start again"),
            ));
        }
        if c.expires_at <= now {
            return Err(gone(
                "ceremony",
                &format!("this passkey {what} has expired; start again"),
            ));
        }
        Ok(c.state)
    }

    /// Starts adding a passkey to a signed-in subscriber's account: the options for the
    /// browser's `navigator.credentials.create`.
    pub async fn start_passkey_registration(
        &self,
        subscriber: SubscriberId,
    ) -> AppResult<Ceremony<CreationChallengeResponse>> {
        let rp = self.relying_party()?;
        let existing = self.store.passkeys_of(subscriber).await?;
        if existing.len() >= MAX_PASSKEYS {
            return Err(AppError::Conflict {
                field: None,
                message: format!(
                    "you have {MAX_PASSKEYS} passkeys already; remove one to add another"
                ),
            });
        }
        let now = self.now();
        let lines = self
            .store
            .lines(
                &LineFilter {
                    brand: None,
                    subscriber: Some(subscriber),
                    kind: None,
                    state: None,
                    after: None,
                    limit: 1,
                },
                now,
            )
            .await?;
        // What the authenticator shows in its list of accounts: the number, and the name.
        let account = lines.first().map_or_else(
            || format!("subscriber {subscriber}"),
            |l| l.msisdn.to_string(),
        );
        let name = self
            .store
            .subscriber_details(subscriber)
            .await?
            .map_or_else(|| account.clone(), |p| p.name);
        let exclude = existing
            .iter()
            .map(|p| p.passkey.cred_id().clone())
            .collect();
        let (mut options, state) = rp
            .webauthn
            .start_passkey_registration(user_handle(subscriber), &account, &name, Some(exclude))
            .map_err(|e| StoreError::Internal(format!("passkey registration options: {e}")))?;
        // Sign-in finds the passkey without being told whose account it is, which only a
        // discoverable credential allows.
        if let Some(selection) = options.public_key.authenticator_selection.as_mut() {
            selection.resident_key = Some(webauthn_rs_proto::ResidentKeyRequirement::Required);
            selection.require_resident_key = true;
        }
        let id = self
            .keep_ceremony(Some(subscriber), CeremonyState::Registration(state))
            .await?;
        Ok(Ceremony { id, options })
    }

    /// Finishes adding a passkey: checks the browser's answer against the ceremony and keeps
    /// the passkey under `label` (a dated default when none is given).
    pub async fn finish_passkey_registration(
        &self,
        subscriber: SubscriberId,
        ceremony: &str,
        credential: &RegisterPublicKeyCredential,
        label: Option<&str>,
    ) -> AppResult<PasskeyInfo> {
        let rp = self.relying_party()?;
        let now = self.now();
        let label = label_of(label, now)?;
        let CeremonyState::Registration(state) =
            self.take_ceremony(ceremony, Some(subscriber), true).await?
        else {
            return Err(AppError::not_found("passkey registration", "ceremony"));
        };
        let passkey = rp
            .webauthn
            .finish_passkey_registration(credential, &state)
            .map_err(|e| {
                tracing::info!(cause = %e, "passkey registration refused");
                ParseError::new("credential", verification_failed(&e))
            })?;
        let mut tx = self.store.begin().await?;
        let id = match tx.insert_passkey(subscriber, &passkey, &label, now).await {
            Err(StoreError::Conflict { constraint }) if constraint == CREDENTIAL_CONSTRAINT => {
                return Err(AppError::conflict(
                    "credential",
                    "this passkey is registered already",
                ))
            }
            other => other?,
        };
        tx.append_audit(
            &AuditEntry {
                chain: format!("subscriber:{subscriber}"),
                actor: format!("subscriber:{subscriber}"),
                action: "passkey.add".into(),
                subject: format!("passkey:{id}"),
                details: String::new(),
            },
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(PasskeyInfo {
            id,
            label,
            created_at: now,
            last_used_at: None,
        })
    }

    /// A subscriber's passkeys, oldest first.
    pub async fn passkeys(&self, subscriber: SubscriberId) -> AppResult<Vec<PasskeyInfo>> {
        Ok(self
            .store
            .passkeys_of(subscriber)
            .await?
            .into_iter()
            .map(|p| p.info)
            .collect())
    }

    /// Removes one of the subscriber's passkeys; another subscriber's is not found.
    pub async fn remove_passkey(&self, subscriber: SubscriberId, id: PasskeyId) -> AppResult<()> {
        let now = self.now();
        let mut tx = self.store.begin().await?;
        if !tx.delete_passkey(subscriber, id).await? {
            return Err(AppError::not_found("passkey", "id"));
        }
        tx.append_audit(
            &AuditEntry {
                chain: format!("subscriber:{subscriber}"),
                actor: format!("subscriber:{subscriber}"),
                action: "passkey.remove".into(),
                subject: format!("passkey:{id}"),
                details: String::new(),
            },
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Starts a passkey sign-in: the options for the browser's `navigator.credentials.get`,
    /// which lets the person pick any of their passkeys for this site.
    ///
    /// A client address may start [`SIGN_INS_PER_CLIENT`] of them per
    /// [`RATE_WINDOW`](super::sessions::RATE_WINDOW): enough for a sign-in form opened many
    /// times, not for filling the ceremony table.
    pub async fn start_passkey_sign_in(
        &self,
        client: &str,
    ) -> AppResult<Ceremony<RequestChallengeResponse>> {
        let rp = self.relying_party()?;
        self.count_against(&super::limits::Limit::new(
            format!("passkey-client:{client}"),
            SIGN_INS_PER_CLIENT,
            super::sessions::RATE_WINDOW,
        ))
        .await?;
        let (options, state) = rp
            .webauthn
            .start_discoverable_authentication()
            .map_err(|e| StoreError::Internal(format!("passkey sign-in options: {e}")))?;
        let id = self
            .keep_ceremony(None, CeremonyState::SignIn(state))
            .await?;
        Ok(Ceremony { id, options })
    }

    /// Finishes a passkey sign-in and opens a session for the passkey's owner. The passkey
    /// checked its user, so no second factor is asked for.
    pub async fn finish_passkey_sign_in(
        &self,
        ceremony: &str,
        credential: &PublicKeyCredential,
    ) -> AppResult<super::sessions::SessionGrant> {
        let rp = self.relying_party()?;
        let CeremonyState::SignIn(state) = self.take_ceremony(ceremony, None, false).await? else {
            return Err(refuse("ceremony", "no such passkey sign-in; start again"));
        };
        let unknown = "this passkey is not known here; sign in with a code and add it again";
        let (handle, credential_id) = rp
            .webauthn
            .identify_discoverable_authentication(credential)
            .map_err(|_| refuse("credential", unknown))?;
        let mut stored = self
            .store
            .passkey_by_credential(credential_id)
            .await?
            .filter(|p| user_handle(p.subscriber) == handle)
            .ok_or_else(|| refuse("credential", unknown))?;
        let result = rp
            .webauthn
            .finish_discoverable_authentication(
                credential,
                state,
                &[DiscoverableKey::from(&stored.passkey)],
            )
            .map_err(|e| {
                tracing::info!(cause = %e, passkey.id = %stored.info.id, "passkey sign-in refused");
                refuse("credential", verification_failed(&e))
            })?;
        if !result.user_verified() {
            return Err(refuse(
                "credential",
                verification_failed(&WebauthnError::UserNotVerified),
            ));
        }
        let now = self.now();
        stored.passkey.update_credential(&result);
        self.store
            .record_passkey_use(stored.info.id, &stored.passkey, now)
            .await?;
        self.open_session(stored.subscriber, now).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_relying_party_is_the_public_urls_host() {
        let rp = RelyingParty::new("https://portal.example.be").unwrap();
        assert_eq!(rp.origin().as_str(), "https://portal.example.be/");
        assert!(RelyingParty::new("http://localhost:8080").is_ok());
        for bad in [
            "portal.example.be",
            "http://portal.example.be",
            "https://portal.example.be/app",
            "https://192.0.2.1",
            "ftp://portal.example.be",
        ] {
            assert!(RelyingParty::new(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn user_handles_differ_per_subscriber_and_stay_the_same() {
        assert_eq!(user_handle(SubscriberId(7)), user_handle(SubscriberId(7)));
        assert_ne!(user_handle(SubscriberId(7)), user_handle(SubscriberId(8)));
    }

    #[test]
    fn labels_are_trimmed_bounded_or_dated() {
        let now: Timestamp = "2027-01-15T09:00:00Z".parse().unwrap();
        assert_eq!(label_of(None, now).unwrap(), "Passkey added on 2027-01-15");
        assert_eq!(
            label_of(Some("  "), now).unwrap(),
            "Passkey added on 2027-01-15"
        );
        assert_eq!(label_of(Some(" Phone "), now).unwrap(), "Phone");
        assert!(label_of(Some(&"x".repeat(61)), now).is_err());
        assert!(label_of(Some("a\nb"), now).is_err());
    }
}
