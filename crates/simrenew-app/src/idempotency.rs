//! The `Idempotency-Key` rows: one per `(scope, key)`, holding the request's hash and, once
//! answered, the first answer, so that a repeated request is answered again instead of done
//! twice. It knows no capability: the HTTP layer keys any request by it.

use async_trait::async_trait;
use jiff::Timestamp;

use crate::StoreResult;

/// What happened to the first request with an idempotency key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdempotencyBegin {
    /// First time: go ahead, then [`IdempotencyStore::idempotency_finish`].
    Started,
    /// Done before with the same request: answer this again.
    Replay { status: u16, body: String },
    /// The key was used with another request.
    Mismatch,
    /// The first request is still being processed.
    InProgress,
}

/// The idempotency rows, outside any transaction (a supertrait of [`crate::Store`]).
#[async_trait]
pub trait IdempotencyStore {
    async fn idempotency_begin(
        &self,
        scope: &str,
        key: &str,
        request_hash: &str,
        now: Timestamp,
    ) -> StoreResult<IdempotencyBegin>;
    async fn idempotency_finish(
        &self,
        scope: &str,
        key: &str,
        status: u16,
        body: &str,
    ) -> StoreResult<()>;
    /// Forgets a key whose request failed without effect, so that it may be retried.
    async fn idempotency_forget(&self, scope: &str, key: &str) -> StoreResult<()>;
}
