//! What the HTTP clients share: building a client (timeouts, mutual TLS), one exchange, and
//! the retry loop.

use std::future::Future;
use std::time::Duration;

use reqwest::header::HeaderMap;
use reqwest::StatusCode;

use crate::Outcome;

/// How a client repeats a call whose outcome is not known (timeout, connection failure, 5xx,
/// lost answer) before it answers [`Outcome::TryAgain`]. Every repeat carries the same
/// idempotency key or call identifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, at least one.
    pub attempts: u32,
    /// Wait before the second attempt; doubled before each next one.
    pub backoff: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            attempts: 3,
            backoff: Duration::from_millis(200),
        }
    }
}

/// A client that cannot be built from its configuration.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClientError {
    #[error("{field}: {reason}")]
    Config { field: &'static str, reason: String },
}

impl ClientError {
    pub(crate) fn config(field: &'static str, reason: impl Into<String>) -> Self {
        ClientError::Config {
            field,
            reason: reason.into(),
        }
    }
}

/// TLS of a client: its certificate (with its key) for mutual TLS, and the certificate
/// authority the server's certificate must chain to, in PEM.
#[derive(Clone, PartialEq, Eq)]
pub struct ClientTls {
    /// The client certificate chain followed by its private key (PKCS#8, PKCS#1 or SEC1);
    /// none: no client certificate is presented.
    pub identity_pem: Option<Vec<u8>>,
    /// The CA the server's certificate is checked against; when given, the public web roots
    /// are not trusted.
    pub server_ca_pem: Option<Vec<u8>>,
}

impl ClientTls {
    /// Reads the client certificate, its key and the server CA from PEM files.
    pub fn from_files(
        certificate: &std::path::Path,
        key: &std::path::Path,
        server_ca: Option<&std::path::Path>,
    ) -> Result<Self, ClientError> {
        let read = |field: &'static str, path: &std::path::Path| {
            std::fs::read(path)
                .map_err(|e| ClientError::config(field, format!("{}: {e}", path.display())))
        };
        let mut identity_pem = read("tls.certificate", certificate)?;
        identity_pem.push(b'\n');
        identity_pem.extend(read("tls.key", key)?);
        let server_ca_pem = server_ca.map(|p| read("tls.server_ca", p)).transpose()?;
        Ok(Self {
            identity_pem: Some(identity_pem),
            server_ca_pem,
        })
    }
}

impl std::fmt::Debug for ClientTls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientTls")
            .field("identity_pem", &self.identity_pem.as_ref().map(|_| "***"))
            .field("server_ca_pem", &self.server_ca_pem.as_ref().map(|_| "..."))
            .finish()
    }
}

pub(crate) fn build_client(
    timeout: Duration,
    tls: Option<&ClientTls>,
) -> Result<reqwest::Client, ClientError> {
    let mut builder = reqwest::Client::builder()
        .use_rustls_tls()
        .timeout(timeout)
        .connect_timeout(timeout);
    if let Some(tls) = tls {
        if let Some(pem) = &tls.identity_pem {
            let identity = reqwest::Identity::from_pem(pem)
                .map_err(|e| ClientError::config("tls.certificate", e.to_string()))?;
            builder = builder.identity(identity);
        }
        if let Some(ca) = &tls.server_ca_pem {
            let certs = reqwest::Certificate::from_pem_bundle(ca)
                .map_err(|e| ClientError::config("tls.server_ca", e.to_string()))?;
            if certs.is_empty() {
                return Err(ClientError::config("tls.server_ca", "holds no certificate"));
            }
            builder = builder.tls_built_in_root_certs(false);
            for cert in certs {
                builder = builder.add_root_certificate(cert);
            }
        }
    }
    builder
        .build()
        .map_err(|e| ClientError::config("http", e.to_string()))
}

/// One answer, read whole.
/// Whether a server answers at all (any HTTP status to `GET url`, the TLS handshake included
/// when it is HTTPS) within `timeout`: what a readiness probe asks. The reasons name no
/// address.
pub(crate) async fn answers(
    http: &reqwest::Client,
    url: &str,
    timeout: Duration,
) -> Result<(), String> {
    match http.get(url).timeout(timeout).send().await {
        Ok(_) => Ok(()),
        Err(e) if e.is_timeout() => Err(format!("no answer within {} ms", timeout.as_millis())),
        Err(e) if e.is_connect() => Err("cannot connect".to_owned()),
        Err(_) => Err("the request failed".to_owned()),
    }
}

pub(crate) struct Exchanged {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

/// Sends one request; `Err` says why no whole answer came (the request may or may not have
/// been done).
pub(crate) async fn exchange(request: reqwest::RequestBuilder) -> Result<Exchanged, String> {
    let res = request.send().await.map_err(|e| describe(&e))?;
    let status = res.status();
    let headers = res.headers().clone();
    let body = res
        .bytes()
        .await
        .map_err(|e| format!("answer lost: {}", describe(&e)))?;
    Ok(Exchanged {
        status,
        headers,
        body: body.to_vec(),
    })
}

/// Runs `attempt` (given the attempt number, from 1) until it answers something other than
/// [`Outcome::TryAgain`], at most `policy.attempts` times, waiting between attempts.
pub(crate) async fn with_retries<T, F, Fut>(
    adapter: &'static str,
    operation: &'static str,
    policy: RetryPolicy,
    mut attempt: F,
) -> Outcome<T>
where
    F: FnMut(u32) -> Fut,
    Fut: Future<Output = Outcome<T>>,
{
    let attempts = policy.attempts.max(1);
    let mut delay = policy.backoff;
    let mut n = 1;
    loop {
        match attempt(n).await {
            Outcome::TryAgain(t) if n < attempts => {
                tracing::warn!(
                    adapter,
                    operation,
                    attempt = n,
                    why = %t.why,
                    retry_in_ms = delay.as_millis() as u64,
                    "network call failed; repeating it with the same key"
                );
                tokio::time::sleep(delay).await;
                delay = delay.saturating_mul(2);
                n += 1;
            }
            Outcome::TryAgain(t) if attempts > 1 => {
                return Outcome::try_again(format!("{} (after {attempts} attempts)", t.why))
            }
            other => return other,
        }
    }
}

/// reqwest's error in a few words, without the URL.
pub(crate) fn describe(e: &reqwest::Error) -> String {
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
    if detail.is_empty() || detail == kind {
        kind.to_owned()
    } else {
        format!("{kind}: {detail}")
    }
}
