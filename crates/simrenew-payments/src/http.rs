//! One provider call with retries: the same request, with the same idempotency key, until it
//! gets an answer that is not a timeout, a connection failure, a 429 or a 5xx.

use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use reqwest::Url;
use serde_json::Value;
use simrenew_app::payments::providers::ProviderError;
use simrenew_domain::order::ProviderName;

/// A provider's API base (`https://api.stripe.com`), checked once, at start-up.
pub(crate) fn api_base(provider: ProviderName, base: &str) -> Result<Url, ProviderError> {
    let url = Url::parse(base).map_err(|e| ProviderError::Protocol {
        provider,
        detail: format!("the API base {base:?} is not a URL: {e}"),
    })?;
    if url.cannot_be_a_base() || !matches!(url.scheme(), "http" | "https") {
        return Err(ProviderError::Protocol {
            provider,
            detail: format!("the API base {base:?} is not an http(s) base URL"),
        });
    }
    Ok(url)
}

/// The URL of `segments` under `base`, each segment percent-encoded as one segment (`/`, `?`,
/// `#` and `%` included, `.` and `..` dropped), so that no identifier can change the path:
/// every provider URL is built here, never by formatting.
pub(crate) fn endpoint(base: &Url, segments: &[&str]) -> Url {
    let mut url = base.clone();
    url.set_query(None);
    url.set_fragment(None);
    if let Ok(mut path) = url.path_segments_mut() {
        path.pop_if_empty().extend(segments);
    }
    url
}

/// How provider calls are retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Per attempt.
    pub timeout: Duration,
    /// Attempts in all, at least one.
    pub attempts: u32,
    /// Wait before the second attempt; doubled before each next one.
    pub backoff: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            timeout: crate::DEFAULT_TIMEOUT,
            attempts: 4,
            backoff: Duration::from_millis(250),
        }
    }
}

#[derive(Clone)]
pub(crate) struct Caller {
    pub(crate) http: reqwest::Client,
    pub(crate) policy: RetryPolicy,
    pub(crate) provider: ProviderName,
    /// Paces every attempt (retries included) under the provider's rate limit; `None`: not
    /// paced.
    pace: Option<Arc<DefaultDirectRateLimiter>>,
}

impl std::fmt::Debug for Caller {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Caller")
            .field("policy", &self.policy)
            .field("provider", &self.provider)
            .field("paced", &self.pace.is_some())
            .finish_non_exhaustive()
    }
}

impl Caller {
    pub(crate) fn new(provider: ProviderName, policy: RetryPolicy) -> Result<Self, ProviderError> {
        let http = reqwest::Client::builder()
            .timeout(policy.timeout)
            .connect_timeout(policy.timeout)
            .build()
            .map_err(|e| ProviderError::Protocol {
                provider,
                detail: format!("cannot build the HTTP client: {e}"),
            })?;
        Ok(Self {
            http,
            policy,
            provider,
            pace: None,
        })
    }

    /// At most `per_second` requests a second from here, evenly spaced (no burst): what a
    /// provider's per-second rate limit allows.
    pub(crate) fn paced(mut self, per_second: NonZeroU32) -> Self {
        let quota = Quota::per_second(per_second).allow_burst(NonZeroU32::MIN);
        self.pace = Some(Arc::new(RateLimiter::direct(quota)));
        self
    }

    /// Sends the request `build` makes, retrying what may be retried; returns the JSON body
    /// of the first 2xx answer.
    pub(crate) async fn call(
        &self,
        operation: &str,
        build: impl Fn() -> reqwest::RequestBuilder,
    ) -> Result<Value, ProviderError> {
        self.call_with(operation, build, false).await
    }

    /// [`Caller::call`] for a removal: a 404 means it is gone already, which is what was asked.
    pub(crate) async fn call_removal(
        &self,
        operation: &str,
        build: impl Fn() -> reqwest::RequestBuilder,
    ) -> Result<(), ProviderError> {
        self.call_with(operation, build, true).await.map(|_| ())
    }

    async fn call_with(
        &self,
        operation: &str,
        build: impl Fn() -> reqwest::RequestBuilder,
        gone_is_done: bool,
    ) -> Result<Value, ProviderError> {
        let provider = self.provider;
        let mut delay = self.policy.backoff;
        let attempts = self.policy.attempts.max(1);
        for attempt in 1..=attempts {
            if let Some(pace) = &self.pace {
                pace.until_ready().await;
            }
            let failure = match build().send().await {
                Ok(res) if res.status().is_success() => match res.bytes().await {
                    Ok(body) if body.is_empty() => return Ok(Value::Null),
                    Ok(body) => {
                        return serde_json::from_slice(&body).map_err(|e| ProviderError::Protocol {
                            provider,
                            detail: format!("{operation}: body is not JSON: {e}"),
                        })
                    }
                    // The provider did it but the answer was lost: ask again, same key.
                    Err(e) => format!("answer lost: {e}"),
                },
                Ok(res) if gone_is_done && res.status().as_u16() == 404 => return Ok(Value::Null),
                Ok(res) if res.status().is_server_error() || res.status().as_u16() == 429 => {
                    format!("HTTP {}", res.status())
                }
                Ok(res) => {
                    let status = res.status();
                    let body = res.text().await.unwrap_or_default();
                    if error_code(&body).as_deref() == Some("authentication_required") {
                        return Err(ProviderError::AuthenticationRequired { provider });
                    }
                    return Err(ProviderError::Refused {
                        provider,
                        detail: format!("{operation}: HTTP {status}: {}", error_message(&body)),
                    });
                }
                Err(e) => without_url(&e).to_string(),
            };
            if attempt == attempts {
                return Err(ProviderError::Unavailable {
                    provider,
                    detail: format!("{operation}: {failure} (after {attempts} attempts)"),
                });
            }
            tracing::warn!(
                %provider,
                operation,
                attempt,
                %failure,
                retry_in_ms = delay.as_millis() as u64,
                "provider call failed; retrying with the same idempotency key"
            );
            tokio::time::sleep(delay).await;
            delay = delay.saturating_mul(2);
        }
        Err(ProviderError::Unavailable {
            provider,
            detail: format!("{operation}: no attempt made"),
        })
    }
}

/// The provider's own error message, short; never the request.
/// The provider's code for an error (Stripe's `error.code`: `card_declined`,
/// `authentication_required`, ...).
fn error_code(body: &str) -> Option<String> {
    let v: Value = serde_json::from_str(body).ok()?;
    v["error"]["code"].as_str().map(str::to_owned)
}

fn error_message(body: &str) -> String {
    let v: Value = serde_json::from_str(body).unwrap_or(Value::Null);
    let msg = v["error"]["message"]
        .as_str()
        .or(v["message"].as_str())
        .or(v["error_description"].as_str())
        .or(v["name"].as_str())
        .unwrap_or("no message");
    msg.chars().take(300).collect()
}

/// reqwest's error without the URL (which carries ids, never secrets, but is noise).
fn without_url(e: &reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timeout"
    } else if e.is_connect() {
        "connection failed"
    } else if e.is_body() || e.is_decode() {
        "answer lost"
    } else {
        "request failed"
    };
    let mut source = std::error::Error::source(e);
    let mut detail = String::new();
    while let Some(s) = source {
        detail = s.to_string();
        source = s.source();
    }
    if detail.is_empty() {
        kind.to_owned()
    } else {
        format!("{kind}: {detail}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_segment_stays_one_segment() {
        let base = api_base(ProviderName::Stripe, "https://api.stripe.example/").unwrap();
        let url = |segments: &[&str]| endpoint(&base, segments).to_string();
        assert_eq!(
            url(&["v1", "payment_methods", "pm_1", "detach"]),
            "https://api.stripe.example/v1/payment_methods/pm_1/detach"
        );
        for (hostile, encoded) in [
            (
                "pm_x/../../refunds?amount=1",
                "pm_x%2F..%2F..%2Frefunds%3Famount=1",
            ),
            ("pm_x#frag", "pm_x%23frag"),
            ("pm_x%2F..", "pm_x%252F.."),
            ("pm x", "pm%20x"),
            ("pm_é", "pm_%C3%A9"),
        ] {
            assert_eq!(
                url(&["v1", "payment_methods", hostile, "detach"]),
                format!("https://api.stripe.example/v1/payment_methods/{encoded}/detach"),
            );
        }
        // Dot segments are dropped, never resolved against what came before.
        assert_eq!(
            url(&["v1", "payment_methods", "..", "..", "refunds"]),
            "https://api.stripe.example/v1/payment_methods/refunds"
        );
        let under = api_base(ProviderName::Paypal, "http://127.0.0.1:9/mock?x=1").unwrap();
        assert_eq!(
            endpoint(&under, &["v2", "checkout", "orders"]).to_string(),
            "http://127.0.0.1:9/mock/v2/checkout/orders"
        );
        assert!(api_base(ProviderName::Stripe, "mailto:x@example.com").is_err());
        assert!(api_base(ProviderName::Stripe, "not a url").is_err());
    }
}
