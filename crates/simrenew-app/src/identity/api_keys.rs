//! API keys: created for a member of staff or a partner of a brand, shown once, kept as the
//! hash of their secret, revoked or rotated; each act recorded in the `admin` audit chain.

use jiff::Timestamp;
use rand::RngCore;
use simrenew_domain::access::Scope;
use simrenew_domain::ids::{ApiKeyId, BrandId, StaffId};

use super::sha256_hex;
use crate::audit::AuditEntry;
use crate::{App, AppError, AppResult};

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

impl App {
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
        self.forget(crate::forget::Forget::Principals);
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
}
