//! The `Idempotency-Key` rows: one per `(scope, key)`, where the scope is the authenticated
//! principal that sent it. A row holds the request's hash, the lease of the attempt running it,
//! the effect that attempt committed and, once answered, the answer (sealed), so that a
//! repeated request is answered again instead of done twice.
//!
//! The effect is marked in the same transaction as the effect itself: the store's transaction
//! reads the running [`Attempt`] from the task (see [`ATTEMPT`]) and, when it records an
//! effect (an order placed, an audited change), marks the row before it commits, fenced by the
//! attempt's token. So after a crash at any instant a row is in one of three states, each with
//! one safe answer to a retry: the answer kept (replay it), an effect marked without an answer
//! (answer from the effect), or nothing marked (the lease lapses and the request runs again).
//! An attempt whose lease was taken over cannot commit its effect any more.
//!
//! It knows no capability: the HTTP layer keys any request by it.

use std::time::Duration;

use async_trait::async_trait;
use jiff::Timestamp;
use rand::RngCore;

use crate::{App, AppResult, StoreResult};

/// How long an attempt holds its key without renewing its lease: a retry after a crash runs
/// at most this long after the last sign of life of the attempt that died.
pub const LEASE: Duration = Duration::from_secs(10);

/// How often a running attempt renews its lease.
pub const HEARTBEAT: Duration = Duration::from_secs(3);

/// The attempt running a request under an idempotency key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    pub scope: String,
    pub key: String,
    /// Unique to this attempt: the fencing token of its lease.
    pub token: String,
}

tokio::task_local! {
    /// The attempt the current request runs under, read by the store's transactions.
    pub static ATTEMPT: Attempt;
}

/// The attempt the current task runs under, if any.
pub fn current_attempt() -> Option<Attempt> {
    ATTEMPT.try_with(Clone::clone).ok()
}

/// What a request with an idempotency key finds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdempotencyBegin {
    /// First time, or a retry after an attempt that died without effect: go ahead, then
    /// [`App::idempotency_finish`] (or [`App::idempotency_release`]).
    Started(Attempt),
    /// Done before with the same request: answer this again.
    Replay { status: u16, body: String },
    /// Done before, and its answer carried a secret that is shown once.
    AnswerNotKept,
    /// The first attempt committed this effect (`order:12`) but its answer was not kept (the
    /// process stopped in between): answer from the effect.
    Recover { effect: String },
    /// The key was used with another request.
    Mismatch,
    /// The first attempt is still running (its lease has not lapsed).
    InProgress,
}

/// What the store finds for a key (answers as stored, sealed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyState {
    /// Taken now by the attempt with this token.
    Taken,
    Answered {
        status: u16,
        body: Option<String>,
    },
    Effect {
        effect: String,
    },
    Mismatch,
    Leased,
}

/// The idempotency rows, outside any transaction (a supertrait of [`crate::Store`]). Every
/// write but [`IdempotencyStore::idempotency_take`] is fenced by the attempt's token.
#[async_trait]
pub trait IdempotencyStore {
    /// Takes the key for `attempt` when it is new or its lease has lapsed with no effect.
    /// `now` is the platform's time (when the key was made); `wall` and `lease_until` are on
    /// the [`wall_clock`].
    async fn idempotency_take(
        &self,
        attempt: &Attempt,
        request_hash: &str,
        now: Timestamp,
        wall: Timestamp,
        lease_until: Timestamp,
    ) -> StoreResult<KeyState>;
    async fn idempotency_renew(&self, attempt: &Attempt, lease_until: Timestamp)
        -> StoreResult<()>;
    /// Keeps the answer (`body` already sealed, or `None` when it is not kept).
    async fn idempotency_answer(
        &self,
        attempt: &Attempt,
        status: u16,
        body: Option<&str>,
    ) -> StoreResult<()>;
    /// Lets the key go: forgotten when the attempt had no effect (so it may be retried),
    /// else left for [`IdempotencyBegin::Recover`].
    async fn idempotency_release(&self, attempt: &Attempt) -> StoreResult<()>;
}

/// A fresh attempt token.
fn token() -> String {
    let mut b = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut b);
    hex::encode(b)
}

/// The system's clock, which leases run on: they measure how long a process has been silent,
/// which the platform's clock (set by tests and demos) does not.
#[allow(clippy::disallowed_methods)]
pub fn wall_clock() -> Timestamp {
    Timestamp::now()
}

fn lease_from(now: Timestamp) -> Timestamp {
    now.checked_add(jiff::SignedDuration::try_from(LEASE).unwrap_or_default())
        .unwrap_or(now)
}

impl App {
    /// Starts (or resumes, or answers again) the request `request_hash` sent by `scope` under
    /// `key`. Leases run on the system's clock, not the platform's: they measure how long a
    /// process has been silent.
    pub async fn idempotency_begin(
        &self,
        scope: &str,
        key: &str,
        request_hash: &str,
    ) -> AppResult<IdempotencyBegin> {
        let attempt = Attempt {
            scope: scope.to_owned(),
            key: key.to_owned(),
            token: token(),
        };
        let wall = wall_clock();
        let state = self
            .store
            .idempotency_take(&attempt, request_hash, self.now(), wall, lease_from(wall))
            .await?;
        Ok(match state {
            KeyState::Taken => IdempotencyBegin::Started(attempt),
            KeyState::Answered { status, body } => match body {
                Some(body) => IdempotencyBegin::Replay {
                    status,
                    body: self.open_answer(&attempt, &body)?,
                },
                None => IdempotencyBegin::AnswerNotKept,
            },
            KeyState::Effect { effect } => IdempotencyBegin::Recover { effect },
            KeyState::Mismatch => IdempotencyBegin::Mismatch,
            KeyState::Leased => IdempotencyBegin::InProgress,
        })
    }

    /// Renews the attempt's lease while its request runs.
    pub async fn idempotency_heartbeat(&self, attempt: &Attempt) -> AppResult<()> {
        Ok(self
            .store
            .idempotency_renew(attempt, lease_from(wall_clock()))
            .await?)
    }

    /// Keeps the answer of the attempt, sealed under the platform's sealing key. An answer
    /// that carries a secret (`secret`) is not kept at all when there is no key to seal it.
    pub async fn idempotency_finish(
        &self,
        attempt: &Attempt,
        status: u16,
        body: &str,
        secret: bool,
    ) -> AppResult<()> {
        let kept = match &self.sealing_key {
            Some(k) => Some(k.seal(&context(attempt), body)?),
            None if secret => None,
            None => Some(body.to_owned()),
        };
        Ok(self
            .store
            .idempotency_answer(attempt, status, kept.as_deref())
            .await?)
    }

    /// Lets the key go after a request that failed on our side or was refused.
    pub async fn idempotency_release(&self, attempt: &Attempt) -> AppResult<()> {
        Ok(self.store.idempotency_release(attempt).await?)
    }

    fn open_answer(&self, attempt: &Attempt, stored: &str) -> AppResult<String> {
        if !crate::sealing::is_sealed(stored) {
            return Ok(stored.to_owned());
        }
        self.unseal(&context(attempt), stored)
    }
}

/// What a kept answer is sealed to: its scope and key, so it opens for no other.
fn context(attempt: &Attempt) -> String {
    format!("idempotency:{}:{}", attempt.scope, attempt.key)
}
