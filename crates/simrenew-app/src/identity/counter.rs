//! The store counter: an agent looks up the customer in front of them by a line's number, and
//! from then on acts for that customer only (their lines, or that one line while it has no
//! subscriber yet) until they look up the next one or the lookup grows old.
//!
//! The lookup belongs to the credential the agent works with (a session, or an API key of a
//! counter system), kept by the hash of its secret.

use jiff::SignedDuration;
use simrenew_domain::access::{LineAccess, Principal, Serving};
use simrenew_domain::identifiers::Msisdn;

use super::sha256_hex;
use crate::audit::AuditEntry;
use crate::{App, AppError, AppResult};

/// A lookup is forgotten this long after it was made.
pub const LOOKUP_LIFETIME: SignedDuration = SignedDuration::from_mins(30);

impl App {
    /// Records that the agent working with `credential` serves the customer of `line` (the
    /// caller has checked [`Principal::may_look_up`]); recorded in the line's audit chain.
    pub async fn look_up_customer(
        &self,
        agent: &Principal,
        credential: &str,
        msisdn: &Msisdn,
        line: LineAccess,
    ) -> AppResult<Serving> {
        let staff = match agent {
            Principal::Agent { staff, .. } => *staff,
            _ => {
                return Err(AppError::Conflict {
                    field: None,
                    message: "only store agents look customers up".into(),
                })
            }
        };
        let serving = Serving {
            line: line.line,
            subscriber: line.subscriber,
        };
        let now = self.now();
        let mut tx = self.store.begin().await?;
        tx.append_audit(
            &AuditEntry {
                chain: crate::audit::line_chain(line.line),
                actor: agent.label(),
                action: "counter.look_up".into(),
                subject: format!("line:{}", line.line),
                details: format!("msisdn={msisdn}"),
            },
            now,
        )
        .await?;
        tx.commit().await?;
        self.store
            .set_counter_customer(&sha256_hex(credential), staff, serving, now)
            .await?;
        Ok(serving)
    }

    /// Ends the agent's lookup: the next customer.
    pub async fn end_lookup(&self, credential: &str) -> AppResult<()> {
        Ok(self
            .store
            .clear_counter_customer(&sha256_hex(credential))
            .await?)
    }

    /// The principal with the customer its credential looked up, for an agent.
    pub(crate) async fn with_serving(
        &self,
        principal: Principal,
        credential_hash: &str,
    ) -> AppResult<Principal> {
        let Principal::Agent {
            staff,
            brand,
            stores,
            ..
        } = principal
        else {
            return Ok(principal);
        };
        let since = self
            .now()
            .checked_sub(LOOKUP_LIFETIME)
            .map_err(|_| simrenew_domain::DomainError::TimeOutOfRange)?;
        let serving = self.store.counter_customer(credential_hash, since).await?;
        Ok(Principal::Agent {
            staff,
            brand,
            stores,
            serving,
        })
    }
}
