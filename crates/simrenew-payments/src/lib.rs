//! Payment provider adapters: Stripe PaymentIntents (card, Bancontact) and PayPal Orders v2,
//! each speaking the provider's HTTP API through reqwest, behind `simrenew-app`'s
//! [`PaymentProvider`](simrenew_app::payments::providers::PaymentProvider) port; and the demo's
//! simulated card payments ([`demo`]), for `simrenew demo` only.
//!
//! Every call carries an idempotency key derived from our payment id (`Idempotency-Key` for
//! Stripe, `PayPal-Request-Id` for PayPal); timeouts, connection failures, 429 and 5xx are
//! retried with exponential back-off under the same key. Secrets never appear in `Debug`
//! output or logs, and no card number, CVC or IBAN ever passes through here: only provider
//! tokens and references.
//!
//! **Architecture Invariant:** this crate knows the providers' wire formats and nothing of
//! our database or HTTP API.

#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub mod demo;
mod http;
pub mod paypal;
pub mod stripe;

use std::time::Duration;

pub use demo::{DemoCardProvider, RunMode};
pub use http::RetryPolicy;
pub use paypal::{PaypalConfig, PaypalProvider};
pub use stripe::{StripeConfig, StripeProvider};

/// A secret (API key, webhook secret): shown as `***` by `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Self {
        Self(s.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("***")
    }
}

/// How long a provider call may take before it counts as a timeout (and is retried).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// Formats cents as a decimal amount with two places (`1234` → `"12.34"`), as PayPal wants.
pub(crate) fn decimal(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let c = cents.unsigned_abs();
    format!("{sign}{}.{:02}", c / 100, c % 100)
}

/// Reads a decimal amount with at most two places (`"12.3"` → `1230`).
pub(crate) fn cents_of(value: &str) -> Option<i64> {
    let (whole, frac) = value.split_once('.').unwrap_or((value, ""));
    if frac.len() > 2 || whole.is_empty() || !frac.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let whole: i64 = whole.parse().ok()?;
    let frac: i64 = format!("{frac:0<2}").parse().ok()?;
    whole.checked_mul(100)?.checked_add(frac)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_amounts_round_trip() {
        assert_eq!(decimal(1234), "12.34");
        assert_eq!(decimal(5), "0.05");
        assert_eq!(cents_of("12.34"), Some(1234));
        assert_eq!(cents_of("12.3"), Some(1230));
        assert_eq!(cents_of("12"), Some(1200));
        assert_eq!(cents_of("1.234"), None);
        assert_eq!(cents_of("x"), None);
    }

    #[test]
    fn secrets_do_not_show_in_debug() {
        assert_eq!(format!("{:?}", Secret::new("sk_test_123")), "***");
    }
}
