//! The generic HTTP/JSON provisioning client: tells a network's provisioning API that a bundle
//! was granted, a line suspended or resumed, a number released.
//!
//! The protocol is `provisioning-api.yaml` beside this crate's manifest (OpenAPI 3.1). In
//! short: `POST <base>/v1/bundle-grants`, `/v1/line-suspensions`, `/v1/line-resumptions`,
//! `/v1/number-releases` with a JSON body, an `Idempotency-Key` header (the caller's, e.g. the
//! outbox row's id: the same key with the same body gets the first answer again and does
//! nothing twice) and `X-Simrenew-Signature` ([`crate::signing`]). A 2xx answer with an
//! `operation_id` is the network's confirmation; a `problem+json` 4xx is a refusal; a 408,
//! 409 (the first request with this key is still running), 429 or 5xx, a timeout or a lost
//! answer are repeated with the same key, then reported as [`Outcome::TryAgain`].

use std::time::Duration;

use jiff::Timestamp;
use serde_json::{json, Value};
use simrenew_domain::catalog::DataAllowance;
use simrenew_domain::identifiers::{Iccid, Msisdn};
use simrenew_domain::ParseError;

use crate::http::{build_client, exchange, with_retries};
use crate::signing::{signature_header, SIGNATURE_HEADER};
use crate::{count_call, ClientError, Now, Outcome, RetryPolicy, Secret};

const ADAPTER: &str = "http_provisioning";

/// The idempotency key of one request: what makes a repeat harmless. 1 to 255 visible ASCII
/// characters; the outbox row's id is the natural one.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    pub fn parse(s: &str) -> Result<Self, ParseError> {
        if s.is_empty() || s.len() > 255 || !s.bytes().all(|b| (0x21..=0x7e).contains(&b)) {
            return Err(ParseError::new(
                "idempotency_key",
                "must be 1 to 255 visible ASCII characters",
            ));
        }
        Ok(Self(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A bundle was granted to a line: the network should let it use `data` from `starts_at` to
/// `ends_at`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BundleGranted {
    pub msisdn: Msisdn,
    /// Known for SIM and eSIM lines; a virtual SIM has none.
    pub iccid: Option<Iccid>,
    pub plan_code: String,
    pub data: DataAllowance,
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
}

/// The line an operation is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineRef {
    pub msisdn: Msisdn,
    pub iccid: Option<Iccid>,
}

/// One thing to tell the network.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProvisioningRequest {
    BundleGranted(BundleGranted),
    LineSuspended(LineRef),
    LineResumed(LineRef),
    NumberReleased(LineRef),
}

impl ProvisioningRequest {
    /// The operation's name, as in metrics and logs.
    pub fn operation(&self) -> &'static str {
        match self {
            ProvisioningRequest::BundleGranted(_) => "bundle_granted",
            ProvisioningRequest::LineSuspended(_) => "line_suspended",
            ProvisioningRequest::LineResumed(_) => "line_resumed",
            ProvisioningRequest::NumberReleased(_) => "number_released",
        }
    }

    /// The path under the base URL.
    pub fn path(&self) -> &'static str {
        match self {
            ProvisioningRequest::BundleGranted(_) => "/v1/bundle-grants",
            ProvisioningRequest::LineSuspended(_) => "/v1/line-suspensions",
            ProvisioningRequest::LineResumed(_) => "/v1/line-resumptions",
            ProvisioningRequest::NumberReleased(_) => "/v1/number-releases",
        }
    }

    /// The JSON body, as the OpenAPI document describes it.
    pub fn body(&self) -> Value {
        let line = |l: &LineRef| {
            let mut v = json!({ "msisdn": l.msisdn.as_str() });
            if let Some(iccid) = &l.iccid {
                v["iccid"] = json!(iccid.as_str());
            }
            v
        };
        match self {
            ProvisioningRequest::BundleGranted(b) => {
                let mut v = line(&LineRef {
                    msisdn: b.msisdn.clone(),
                    iccid: b.iccid.clone(),
                });
                v["plan_code"] = json!(b.plan_code);
                v["data_mb"] = match b.data {
                    DataAllowance::Megabytes(mb) => json!(mb),
                    DataAllowance::Unlimited => Value::Null,
                };
                v["starts_at"] = json!(b.starts_at.to_string());
                v["ends_at"] = json!(b.ends_at.to_string());
                v
            }
            ProvisioningRequest::LineSuspended(l)
            | ProvisioningRequest::LineResumed(l)
            | ProvisioningRequest::NumberReleased(l) => line(l),
        }
    }
}

/// The network's word that it did it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetworkConfirmation {
    /// The network's reference of the operation, for support and reconciliation.
    pub operation_id: String,
}

#[derive(Clone)]
pub struct ProvisioningConfig {
    /// `https://provisioning.network.example`, without the `/v1`.
    pub base_url: String,
    pub secret: Secret,
    /// Per attempt.
    pub timeout: Duration,
    pub retry: RetryPolicy,
    pub now: Now,
}

impl std::fmt::Debug for ProvisioningConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProvisioningConfig")
            .field("base_url", &self.base_url)
            .field("secret", &self.secret)
            .field("timeout", &self.timeout)
            .field("retry", &self.retry)
            .finish_non_exhaustive()
    }
}

/// The client of one network's provisioning API.
#[derive(Clone)]
pub struct ProvisioningClient {
    http: reqwest::Client,
    base_url: String,
    secret: Secret,
    retry: RetryPolicy,
    now: Now,
}

impl ProvisioningClient {
    pub fn new(config: ProvisioningConfig) -> Result<Self, ClientError> {
        let base = reqwest::Url::parse(&config.base_url)
            .map_err(|e| ClientError::config("base_url", e.to_string()))?;
        if !matches!(base.scheme(), "http" | "https") {
            return Err(ClientError::config(
                "base_url",
                "must be an http or https URL",
            ));
        }
        if config.secret.expose().len() < 16 {
            return Err(ClientError::config("secret", "must be at least 16 bytes"));
        }
        Ok(Self {
            http: build_client(config.timeout, None)?,
            base_url: config.base_url.trim_end_matches('/').to_owned(),
            secret: config.secret,
            retry: config.retry,
            now: config.now,
        })
    }

    /// Whether the provisioning API answers at all (any HTTP status to `GET` of its base
    /// URL), within `timeout`: what a readiness probe asks. Nothing is sent but the request.
    pub async fn answers(&self, timeout: std::time::Duration) -> Result<(), String> {
        crate::http::answers(&self.http, &self.base_url, timeout).await
    }

    /// Tells the network; repeats what may be repeated. The same `key` must come with the same
    /// request every time (the outbox row's id does that).
    #[tracing::instrument(skip_all, fields(operation = request.operation(), idempotency_key = key.as_str()))]
    pub async fn send(
        &self,
        request: &ProvisioningRequest,
        key: &IdempotencyKey,
    ) -> Outcome<NetworkConfirmation> {
        let operation = request.operation();
        let url = format!("{}{}", self.base_url, request.path());
        let body = request.body().to_string();
        let outcome = with_retries(ADAPTER, operation, self.retry, |_| {
            // Signed again at each attempt, so that a late repeat is not stale.
            let signature = signature_header(self.secret.expose(), (self.now)(), body.as_bytes());
            let req = self
                .http
                .post(&url)
                .header("Content-Type", "application/json")
                .header("Idempotency-Key", key.as_str())
                .header(SIGNATURE_HEADER, signature)
                .body(body.clone());
            async move { read_answer(exchange(req).await) }
        })
        .await;
        count_call(ADAPTER, operation, &outcome);
        outcome
    }
}

fn read_answer(answer: Result<crate::http::Exchanged, String>) -> Outcome<NetworkConfirmation> {
    let answer = match answer {
        Ok(a) => a,
        Err(why) => return Outcome::try_again(why),
    };
    let status = answer.status.as_u16();
    let body: Value = serde_json::from_slice(&answer.body).unwrap_or(Value::Null);
    if answer.status.is_success() {
        return match body["operation_id"].as_str() {
            Some(id) if !id.is_empty() => Outcome::Confirmed(NetworkConfirmation {
                operation_id: id.to_owned(),
            }),
            // Done, probably, but the answer cannot be read: the repeat replays it.
            _ => Outcome::try_again(format!("HTTP {status} without an operation_id")),
        };
    }
    let problem = problem_text(&body);
    if matches!(status, 408 | 409 | 429) || answer.status.is_server_error() {
        return Outcome::try_again(format!("HTTP {status}: {problem}"));
    }
    let code = match body["type"].as_str() {
        Some(t) if t != "about:blank" => format!("{status} {}", t.rsplit('/').next().unwrap_or(t)),
        _ => status.to_string(),
    };
    Outcome::rejected(Some(code), problem)
}

/// A problem+json body's `detail` (or `title`), short; the body must not be echoed whole.
fn problem_text(body: &Value) -> String {
    let text = body["detail"]
        .as_str()
        .or(body["title"].as_str())
        .unwrap_or("no detail");
    let mut text: String = text.chars().take(300).collect();
    if let Some(field) = body["field"].as_str() {
        text = format!("{field}: {text}");
    }
    text
}
