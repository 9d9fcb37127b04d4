//! Identities: staff, API keys and the principal behind a bearer token.

use std::time::Duration;

use async_trait::async_trait;
use jiff::Timestamp;
use rand::RngCore;
use sha2::{Digest, Sha256};
use simrenew_domain::access::{Principal, Role, Scope};
use simrenew_domain::identifiers::Msisdn;
use simrenew_domain::ids::{ApiKeyId, BrandId, StaffId, StoreId, SubscriberId};

use crate::audit::AuditEntry;
use crate::{App, AppError, AppResult, StoreResult};

/// How long an authenticated bearer token is remembered. Revoking a key through this process
/// forgets it at once; another process sees the revocation within this time.
pub const PRINCIPAL_CACHE_TTL: Duration = Duration::from_secs(10);

/// A member of staff to create.
#[derive(Debug, Clone)]
pub struct NewStaff {
    pub email: String,
    pub name: String,
    pub role: Role,
    pub brand: Option<BrandId>,
    pub stores: Vec<StoreId>,
}

/// Whose key it is: a member of staff (acting as them) or a partner of a brand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyOwner {
    Staff(StaffId),
    Partner { brand: BrandId, scopes: Vec<Scope> },
}

/// An API key as stored: never its secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredApiKey {
    pub id: ApiKeyId,
    pub prefix: String,
    pub secret_hash: String,
    pub name: String,
    pub owner: KeyOwner,
    pub created_at: Timestamp,
    pub revoked_at: Option<Timestamp>,
}

#[async_trait]
pub trait IdentityStore {
    async fn api_key_by_prefix(&self, prefix: &str) -> StoreResult<Option<StoredApiKey>>;
    /// The principal of an active member of staff, with the stores of an agent.
    async fn staff_principal(&self, id: StaffId) -> StoreResult<Option<Principal>>;
    async fn staff_by_email(&self, email: &str) -> StoreResult<Option<StaffId>>;

    /// A subscriber's name, e-mail and language as on record (none once erased).
    async fn subscriber_details(
        &self,
        id: SubscriberId,
    ) -> StoreResult<Option<crate::identification::Person>>;
    /// The brand a subscriber belongs to.
    async fn subscriber_brand(&self, id: SubscriberId) -> StoreResult<Option<BrandId>>;
    /// Everything kept about a subscriber, as a JSON document (GDPR access).
    async fn subscriber_export(&self, id: SubscriberId) -> StoreResult<Option<String>>;

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
    /// The brand and subscriber of the line with this number.
    async fn line_access(
        &self,
        msisdn: &str,
    ) -> StoreResult<Option<simrenew_domain::access::LineAccess>>;
    /// The customer looked up through a credential at or after `since`.
    async fn counter_customer(
        &self,
        credential_hash: &str,
        since: Timestamp,
    ) -> StoreResult<Option<simrenew_domain::access::Serving>>;
    /// Records the customer looked up through a credential, replacing the one before.
    async fn set_counter_customer(
        &self,
        credential_hash: &str,
        staff: StaffId,
        serving: simrenew_domain::access::Serving,
        now: Timestamp,
    ) -> StoreResult<()>;
    async fn clear_counter_customer(&self, credential_hash: &str) -> StoreResult<()>;
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

#[async_trait]
pub trait IdentityTx {
    async fn insert_staff(&mut self, staff: &NewStaff, now: Timestamp) -> StoreResult<StaffId>;
    async fn insert_api_key(
        &mut self,
        prefix: &str,
        secret_hash: &str,
        name: &str,
        owner: &KeyOwner,
        now: Timestamp,
    ) -> StoreResult<ApiKeyId>;
    /// Revokes the key with this prefix; false when there is none, or it was revoked already.
    async fn revoke_api_key(&mut self, prefix: &str, now: Timestamp) -> StoreResult<bool>;
    /// Replaces a subscriber's personal data and ends their sessions; false when unknown.
    async fn erase_subscriber(&mut self, id: SubscriberId, now: Timestamp) -> StoreResult<bool>;
    /// Records an identification: the line's subscriber (created from `person` when the line
    /// has none), the method, verifier and document hash; the line becomes active.
    async fn record_identification(
        &mut self,
        line: &simrenew_domain::line::Line,
        person: &crate::identification::Person,
        method: simrenew_domain::identification::IdentificationMethod,
        verifier: &str,
        document_hash: &str,
        now: Timestamp,
    ) -> StoreResult<SubscriberId>;
}

/// A new key's token: `sr_<prefix>_<secret>`, shown once.
fn new_token() -> (String, String, String) {
    let mut rng = rand::thread_rng();
    let mut prefix = [0u8; 6];
    let mut secret = [0u8; 32];
    rng.fill_bytes(&mut prefix);
    rng.fill_bytes(&mut secret);
    let (prefix, secret) = (hex::encode(prefix), hex::encode(secret));
    let token = format!("sr_{prefix}_{secret}");
    (token, prefix, sha256_hex(&secret))
}

pub(crate) fn sha256_hex(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

/// Compares two strings without stopping at the first difference.
pub(crate) fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

impl App {
    /// The brand and subscriber of a line, which is what access depends on.
    pub async fn line_access(
        &self,
        msisdn: &Msisdn,
    ) -> AppResult<simrenew_domain::access::LineAccess> {
        if let Some(hit) = self.access_cache.get(msisdn.as_str()) {
            return Ok(hit);
        }
        let access = self
            .store
            .line_access(msisdn.as_str())
            .await?
            .ok_or(AppError::not_found("line", "msisdn"))?;
        self.access_cache.insert(msisdn.as_str().to_owned(), access);
        Ok(access)
    }

    /// The principal behind a bearer token, or `None` for an unknown, malformed or revoked one.
    pub async fn authenticate(&self, token: &str) -> AppResult<Option<Principal>> {
        let key = sha256_hex(token);
        if let Some(hit) = self.principal_cache.get(&key) {
            return Ok(Some(self.with_serving(hit, &key).await?));
        }
        let Some((prefix, secret)) = token
            .strip_prefix("sr_")
            .and_then(|rest| rest.split_once('_'))
        else {
            return Ok(None);
        };
        let Some(stored) = self.store.api_key_by_prefix(prefix).await? else {
            return Ok(None);
        };
        if stored.revoked_at.is_some() || !same(&sha256_hex(secret), &stored.secret_hash) {
            return Ok(None);
        }
        let principal = match stored.owner {
            KeyOwner::Partner { brand, scopes } => Principal::Partner {
                key: stored.id,
                brand,
                scopes,
            },
            KeyOwner::Staff(staff) => match self.store.staff_principal(staff).await? {
                Some(p) => p,
                None => return Ok(None),
            },
        };
        self.principal_cache.insert(key.clone(), principal.clone());
        Ok(Some(self.with_serving(principal, &key).await?))
    }

    /// Creates a member of staff; recorded in the audit log.
    pub async fn create_staff(&self, actor: &str, staff: &NewStaff) -> AppResult<StaffId> {
        if (staff.role == Role::PlatformAdmin) != staff.brand.is_none() {
            return Err(AppError::conflict(
                "brand",
                "platform admins have no brand; brand admins and agents have one",
            ));
        }
        if staff.role != Role::Agent && !staff.stores.is_empty() {
            return Err(AppError::conflict(
                "store",
                "only agents are bound to stores",
            ));
        }
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let id = tx.insert_staff(staff, now).await?;
        tx.append_audit(
            &AuditEntry {
                chain: "admin".into(),
                actor: actor.into(),
                action: "staff.create".into(),
                subject: format!("staff:{id}"),
                details: format!("role={} brand={:?}", staff.role, staff.brand.map(|b| b.0)),
            },
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Creates an API key and returns it with its token, which is shown this once.
    pub async fn create_api_key(
        &self,
        actor: &str,
        name: &str,
        owner: &KeyOwner,
    ) -> AppResult<(StoredApiKey, String)> {
        let now = self.now();
        let (token, prefix, hash) = new_token();
        let mut tx = self.store.begin().await?;
        let id = tx.insert_api_key(&prefix, &hash, name, owner, now).await?;
        tx.append_audit(
            &AuditEntry {
                chain: "admin".into(),
                actor: actor.into(),
                action: "api_key.create".into(),
                subject: format!("api_key:{prefix}"),
                details: format!("name={name}"),
            },
            now,
        )
        .await?;
        tx.commit().await?;
        let key = StoredApiKey {
            id,
            prefix,
            secret_hash: hash,
            name: name.into(),
            owner: owner.clone(),
            created_at: now,
            revoked_at: None,
        };
        Ok((key, token))
    }

    /// Revokes a key at once.
    pub async fn revoke_api_key(&self, actor: &str, prefix: &str) -> AppResult<()> {
        let now = self.now();
        let mut tx = self.store.begin().await?;
        if !tx.revoke_api_key(prefix, now).await? {
            return Err(AppError::not_found("api key", "prefix"));
        }
        tx.append_audit(
            &AuditEntry {
                chain: "admin".into(),
                actor: actor.into(),
                action: "api_key.revoke".into(),
                subject: format!("api_key:{prefix}"),
                details: String::new(),
            },
            now,
        )
        .await?;
        tx.commit().await?;
        self.principal_cache.invalidate_all();
        Ok(())
    }

    /// Replaces a key by a new one with the same name and owner, revoking the old one.
    pub async fn rotate_api_key(
        &self,
        actor: &str,
        prefix: &str,
    ) -> AppResult<(StoredApiKey, String)> {
        let old = self
            .store
            .api_key_by_prefix(prefix)
            .await?
            .filter(|k| k.revoked_at.is_none())
            .ok_or(AppError::not_found("api key", "prefix"))?;
        let created = self.create_api_key(actor, &old.name, &old.owner).await?;
        self.revoke_api_key(actor, prefix).await?;
        Ok(created)
    }

    /// Everything kept about a subscriber, as JSON (GDPR right of access); recorded in the
    /// audit log.
    pub async fn export_subscriber(&self, actor: &str, id: SubscriberId) -> AppResult<String> {
        let export = self
            .store
            .subscriber_export(id)
            .await?
            .ok_or(AppError::not_found("subscriber", "id"))?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        tx.append_audit(
            &AuditEntry {
                chain: "admin".into(),
                actor: actor.into(),
                action: "subscriber.export".into(),
                subject: format!("subscriber:{id}"),
                details: String::new(),
            },
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(export)
    }

    /// Erases a subscriber's personal data (GDPR right to erasure) while keeping, under the
    /// pseudonymous id, the orders, payments and ledger entries that billing law requires.
    pub async fn erase_subscriber(&self, actor: &str, id: SubscriberId) -> AppResult<()> {
        let now = self.now();
        let mut tx = self.store.begin().await?;
        if !tx.erase_subscriber(id, now).await? {
            return Err(AppError::not_found("subscriber", "id"));
        }
        tx.append_audit(
            &AuditEntry {
                chain: "admin".into(),
                actor: actor.into(),
                action: "subscriber.erase".into(),
                subject: format!("subscriber:{id}"),
                details: String::new(),
            },
            now,
        )
        .await?;
        tx.commit().await?;
        self.line_cache.invalidate_all();
        Ok(())
    }
}

pub(crate) type PrincipalCache = moka::sync::Cache<String, Principal>;

pub(crate) fn principal_cache() -> PrincipalCache {
    moka::sync::Cache::builder()
        .max_capacity(10_000)
        .time_to_live(PRINCIPAL_CACHE_TTL)
        .build()
}
