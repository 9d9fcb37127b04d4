//! Who is asking: the principal behind a bearer token (an API key), remembered for
//! [`PRINCIPAL_CACHE_TTL`], and the brand and subscriber of a line that access is judged on.

use std::time::Duration;

use simrenew_domain::access::Principal;
use simrenew_domain::identifiers::Msisdn;

use super::api_keys::KeyOwner;
use super::{same, sha256_hex};
use crate::{App, AppError, AppResult};

/// How long an authenticated bearer token is remembered. Revoking a key through this process
/// forgets it at once; another process sees the revocation within this time.
pub const PRINCIPAL_CACHE_TTL: Duration = Duration::from_secs(10);

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
}

pub(crate) type PrincipalCache = moka::sync::Cache<String, Principal>;

pub(crate) fn principal_cache() -> PrincipalCache {
    moka::sync::Cache::builder()
        .max_capacity(10_000)
        .time_to_live(PRINCIPAL_CACHE_TTL)
        .build()
}
