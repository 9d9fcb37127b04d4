//! simrenew's adapters to the network: what tells the network about a line, and what the
//! network tells simrenew.
//!
//! - [`provisioning`]: a generic HTTP/JSON provisioning client (bundle granted, line suspended,
//!   line resumed, number released), every request signed with HMAC-SHA256 ([`signing`]) and
//!   carrying the caller's idempotency key. The protocol is written down in
//!   `provisioning-api.yaml` beside this crate's manifest (OpenAPI 3.1).
//! - [`es2plus`]: the GSMA SGP.22 ES2+ client to an SM-DP+ (downloadOrder, confirmOrder,
//!   cancelOrder, releaseProfile), with mutual TLS; [`progress`] reads the SM-DP+'s
//!   handleDownloadProgressInfo notifications on the operator side.
//! - [`activation`]: an eSIM's activation code, its QR code (SVG and PNG) and the iOS install
//!   link.
//! - [`usage`]: usage records in CSV (the documented file format) and [`jetstream`], the
//!   durable NATS JetStream consumer that hands them to the caller in batches and
//!   acknowledges them only once the caller committed them.
//!
//! Every call to the network ends in an [`Outcome`]: confirmed, rejected for good (with the
//! reason), or try again (with why). A call that may have reached the network before its
//! answer was lost is repeated with the same idempotency key (HTTP) or read so that a repeat
//! of work already done counts as done (ES2+); see each module.
//!
//! Calls and their outcomes are counted with the `metrics` facade:
//! `simrenew_network_calls_total{adapter, operation, outcome}`, and usage records with
//! `simrenew_usage_records_total{source, result}`.
//!
//! Time is a parameter: the clients take a [`Now`] (the composition root passes its clock).

#![deny(clippy::unwrap_used, clippy::expect_used)]
#![cfg_attr(not(test), deny(clippy::panic))]

use std::sync::Arc;

use jiff::Timestamp;

pub mod activation;
pub mod es2plus;
mod http;
pub mod jetstream;
mod outcome;
pub mod progress;
pub mod provisioning;
pub mod signing;
pub mod usage;

pub use http::{ClientError, ClientTls, RetryPolicy};
pub use outcome::{Outcome, Rejection, TryAgain};

/// Where the adapters read the time: the composition root gives its clock
/// (`Arc::new(move || clock.now())`); tests give a fixed or moving one.
pub type Now = Arc<dyn Fn() -> Timestamp + Send + Sync>;

/// A secret shared with the other side (the provisioning API's signing key); `Debug` prints
/// `***`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Vec<u8>);

impl Secret {
    pub fn new(bytes: impl Into<Vec<u8>>) -> Self {
        Self(bytes.into())
    }

    pub fn expose(&self) -> &[u8] {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("***")
    }
}

/// Counts one network call and its outcome.
pub(crate) fn count_call<T>(adapter: &'static str, operation: &'static str, outcome: &Outcome<T>) {
    let result = match outcome {
        Outcome::Confirmed(_) => "confirmed",
        Outcome::Rejected(_) => "rejected",
        Outcome::TryAgain(_) => "try_again",
    };
    metrics::counter!(
        "simrenew_network_calls_total",
        "adapter" => adapter,
        "operation" => operation,
        "outcome" => result
    )
    .increment(1);
}
