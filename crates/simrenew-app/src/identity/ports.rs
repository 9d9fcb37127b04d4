//! The identity ports shared by its use cases: who is who (staff, API keys, subscribers, the
//! brand and subscriber of a line, the counter lookup) and the identity writes. Sign-in, staff
//! authentication and passkeys keep their own ports beside their use cases.

use async_trait::async_trait;
use jiff::Timestamp;
use simrenew_domain::access::{LineAccess, Principal, Serving};
use simrenew_domain::identification::IdentificationMethod;
use simrenew_domain::ids::{ApiKeyId, BrandId, StaffId, StoreId, SubscriberId};
use simrenew_domain::line::Line;

use super::accounts::NewStaff;
use super::api_keys::{KeyOwner, StoredApiKey};
use super::identification::Person;
use crate::StoreResult;

/// Who is who: staff, API keys, subscribers and their lines, and the counter lookup (a
/// supertrait of [`crate::Store`]).
#[async_trait]
pub trait IdentityStore {
    async fn api_key_by_prefix(&self, prefix: &str) -> StoreResult<Option<StoredApiKey>>;
    /// The principal of an active member of staff, with the stores of an agent.
    async fn staff_principal(&self, id: StaffId) -> StoreResult<Option<Principal>>;
    async fn staff_by_email(&self, email: &str) -> StoreResult<Option<StaffId>>;
    /// A subscriber's name, e-mail and language as on record (none once erased).
    async fn subscriber_details(&self, id: SubscriberId) -> StoreResult<Option<Person>>;
    /// The brand a subscriber belongs to.
    async fn subscriber_brand(&self, id: SubscriberId) -> StoreResult<Option<BrandId>>;
    /// The brand a store (point of sale) belongs to.
    async fn store_brand(&self, store: StoreId) -> StoreResult<Option<BrandId>>;
    /// Everything kept about a subscriber, as a JSON document (GDPR access).
    async fn subscriber_export(&self, id: SubscriberId) -> StoreResult<Option<String>>;
    /// The brand and subscriber of the line with this number.
    async fn line_access(&self, msisdn: &str) -> StoreResult<Option<LineAccess>>;
    /// The customer looked up through a credential at or after `since`.
    async fn counter_customer(
        &self,
        credential_hash: &str,
        since: Timestamp,
    ) -> StoreResult<Option<Serving>>;
    /// Records the customer looked up through a credential, replacing the one before.
    async fn set_counter_customer(
        &self,
        credential_hash: &str,
        staff: StaffId,
        serving: Serving,
        now: Timestamp,
    ) -> StoreResult<()>;
    async fn clear_counter_customer(&self, credential_hash: &str) -> StoreResult<()>;
}

/// The identity writes of one transaction (a supertrait of [`crate::Tx`]).
#[async_trait]
pub trait IdentityTx: Send {
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
    /// has none), the method, verifier and document hash; the line becomes active, and the
    /// time its bundles were bought for starts now (they and the expiry move on by the time
    /// since the first began).
    async fn record_identification(
        &mut self,
        line: &Line,
        person: &Person,
        method: IdentificationMethod,
        verifier: &str,
        document_hash: &str,
        now: Timestamp,
    ) -> StoreResult<SubscriberId>;
}
