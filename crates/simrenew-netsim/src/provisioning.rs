//! The generic provisioning API, as a network would answer it.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use simrenew_domain::identifiers::{Iccid, Msisdn};
use simrenew_network::signing;

use crate::faults::{Fault, Operation};
use crate::{pause, protocol_headers, Netsim};

/// A bundle the network was told of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrantedBundle {
    pub operation_id: String,
    pub plan_code: String,
    /// `None`: unlimited.
    pub data_mb: Option<u64>,
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
}

/// What the network knows of a line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NetLine {
    pub iccid: Option<String>,
    pub bundles: Vec<GrantedBundle>,
    pub suspended: bool,
    pub released: bool,
    /// Operations applied, in order (`bundleGranted`, `lineSuspended`, ...).
    pub operations: Vec<String>,
}

/// A first answer, kept under its idempotency key.
#[derive(Debug, Clone)]
struct Stored {
    body_hash: [u8; 32],
    status: StatusCode,
    answer: Value,
}

#[derive(Debug, Default)]
pub(crate) struct ProvisioningState {
    pub(crate) lines: HashMap<String, NetLine>,
    answers: HashMap<String, Stored>,
    next_operation: u64,
}

pub(crate) async fn bundle_grants(sim: State<Netsim>, headers: HeaderMap, body: Bytes) -> Response {
    handle(sim.0, Operation::BundleGranted, headers, body).await
}

pub(crate) async fn line_suspensions(
    sim: State<Netsim>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    handle(sim.0, Operation::LineSuspended, headers, body).await
}

pub(crate) async fn line_resumptions(
    sim: State<Netsim>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    handle(sim.0, Operation::LineResumed, headers, body).await
}

pub(crate) async fn number_releases(
    sim: State<Netsim>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    handle(sim.0, Operation::NumberReleased, headers, body).await
}

fn problem(
    status: StatusCode,
    slug: &str,
    detail: &str,
    field: Option<&str>,
) -> (StatusCode, Value) {
    let mut v = json!({
        "type": format!("https://netsim.example/problems/{slug}"),
        "title": status.canonical_reason().unwrap_or("error"),
        "status": status.as_u16(),
        "detail": detail,
    });
    if let Some(field) = field {
        v["field"] = json!(field);
    }
    (status, v)
}

fn respond(status: StatusCode, body: Value) -> Response {
    let content_type = if status.is_success() {
        "application/json"
    } else {
        "application/problem+json"
    };
    (status, [("content-type", content_type)], body.to_string()).into_response()
}

async fn handle(sim: Netsim, operation: Operation, headers: HeaderMap, body: Bytes) -> Response {
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let json_body: Value = serde_json::from_slice(&body)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&body).into_owned()));
    let (fault, latency, index, stall) = {
        let mut state = sim.state();
        let (fault, latency) = state.faults.next(operation);
        let stall = state.faults.stall();
        let index = Netsim::record(
            &mut state,
            operation,
            key.clone(),
            protocol_headers(&headers),
            json_body,
            fault,
        );
        (fault, latency, index, stall)
    };
    pause(latency).await;

    let (status, answer) = match fault {
        Some(Fault::Timeout) => {
            pause(stall).await;
            problem(
                StatusCode::GATEWAY_TIMEOUT,
                "timeout",
                "injected timeout",
                None,
            )
        }
        Some(Fault::ServerError) => problem(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            "injected server error",
            None,
        ),
        Some(Fault::Failed) => problem(
            StatusCode::UNPROCESSABLE_ENTITY,
            "refused",
            "injected refusal",
            None,
        ),
        None | Some(Fault::LostAnswer) => {
            let done = process(&sim, operation, &headers, &body, key.as_deref());
            if fault == Some(Fault::LostAnswer) {
                pause(stall).await;
            }
            done
        }
    };
    sim.answered(index, status.as_u16());
    respond(status, answer)
}

/// Checks and applies one request; its answer (replayed for a repeated key).
fn process(
    sim: &Netsim,
    operation: Operation,
    headers: &HeaderMap,
    body: &[u8],
    key: Option<&str>,
) -> (StatusCode, Value) {
    let config = sim.config();
    let Some(signature) = headers
        .get(signing::SIGNATURE_HEADER)
        .and_then(|v| v.to_str().ok())
    else {
        return problem(
            StatusCode::UNAUTHORIZED,
            "signature",
            "X-Simrenew-Signature is missing",
            None,
        );
    };
    if let Err(e) = signing::verify(
        signature,
        body,
        &config.provisioning_secret,
        config.signature_tolerance,
        (config.now)(),
    ) {
        return problem(StatusCode::UNAUTHORIZED, "signature", &e.to_string(), None);
    }
    let Some(key) = key.filter(|k| !k.is_empty() && k.len() <= 255) else {
        return problem(
            StatusCode::BAD_REQUEST,
            "idempotency-key",
            "Idempotency-Key is missing",
            None,
        );
    };
    let body_hash: [u8; 32] = Sha256::digest(body).into();

    let mut state = sim.state();
    let answers_key = format!("{}:{key}", operation.as_str());
    if let Some(stored) = state.provisioning.answers.get(&answers_key) {
        if stored.body_hash == body_hash {
            return (stored.status, stored.answer.clone());
        }
        return problem(
            StatusCode::UNPROCESSABLE_ENTITY,
            "idempotency-key-reused",
            "this Idempotency-Key came with another request",
            None,
        );
    }
    let (status, answer) = match apply(&mut state.provisioning, operation, body) {
        Ok(answer) => (StatusCode::OK, answer),
        Err((status, v)) => (status, v),
    };
    // Refusals are kept too: the same request gets the same answer.
    if status.is_success() || status.is_client_error() {
        state.provisioning.answers.insert(
            answers_key,
            Stored {
                body_hash,
                status,
                answer: answer.clone(),
            },
        );
    }
    (status, answer)
}

fn invalid(field: &str, detail: &str) -> (StatusCode, Value) {
    problem(
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid",
        detail,
        Some(field),
    )
}

fn apply(
    state: &mut ProvisioningState,
    operation: Operation,
    body: &[u8],
) -> Result<Value, (StatusCode, Value)> {
    let v: Value = serde_json::from_slice(body).map_err(|e| {
        problem(
            StatusCode::BAD_REQUEST,
            "malformed",
            &format!("the body is not JSON: {e}"),
            None,
        )
    })?;
    let Some(obj) = v.as_object() else {
        return Err(invalid("body", "must be a JSON object"));
    };
    let allowed: &[&str] = match operation {
        Operation::BundleGranted => &[
            "msisdn",
            "iccid",
            "plan_code",
            "data_mb",
            "starts_at",
            "ends_at",
        ],
        _ => &["msisdn", "iccid"],
    };
    if let Some(extra) = obj.keys().find(|k| !allowed.contains(&k.as_str())) {
        return Err(invalid(extra, "is not a field of this request"));
    }
    let msisdn = v["msisdn"]
        .as_str()
        .ok_or_else(|| invalid("msisdn", "is missing"))
        .and_then(|s| Msisdn::parse(s).map_err(|e| invalid("msisdn", &e.reason)))?;
    if msisdn.as_str() != v["msisdn"].as_str().unwrap_or_default() {
        return Err(invalid(
            "msisdn",
            "must be in E.164 form, e.g. +32470123456",
        ));
    }
    let iccid = match &v["iccid"] {
        Value::Null => None,
        Value::String(s) => Some(
            Iccid::parse(s)
                .map_err(|e| invalid("iccid", &e.reason))?
                .as_str()
                .to_owned(),
        ),
        _ => return Err(invalid("iccid", "must be a string")),
    };

    let line = state.lines.entry(msisdn.as_str().to_owned()).or_default();
    // A released number given to another card starts over on it, as a new line.
    let given_again = operation == Operation::BundleGranted
        && iccid.is_some()
        && line.iccid.is_some()
        && iccid != line.iccid;
    if line.released && given_again {
        *line = NetLine::default();
    }
    if line.released {
        return Err(problem(
            StatusCode::UNPROCESSABLE_ENTITY,
            "number-released",
            "this number was released",
            Some("msisdn"),
        ));
    }
    if let (Some(known), Some(given)) = (&line.iccid, &iccid) {
        if known != given {
            return Err(problem(
                StatusCode::UNPROCESSABLE_ENTITY,
                "iccid-mismatch",
                "this number belongs to another SIM",
                Some("iccid"),
            ));
        }
    }
    let bundle = if operation == Operation::BundleGranted {
        let plan_code = v["plan_code"]
            .as_str()
            .filter(|s| {
                !s.is_empty()
                    && s.len() <= 40
                    && s.bytes().all(|b| {
                        b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-' || b == b'_'
                    })
            })
            .ok_or_else(|| invalid("plan_code", "must be a plan code such as LUMO-5GB-30D"))?;
        let data_mb = match &v["data_mb"] {
            Value::Null if obj.contains_key("data_mb") => None,
            Value::Number(n) => Some(
                n.as_u64()
                    .ok_or_else(|| invalid("data_mb", "must be a whole number ≥ 0"))?,
            ),
            _ => return Err(invalid("data_mb", "must be a whole number or null")),
        };
        let time = |field: &str| -> Result<Timestamp, (StatusCode, Value)> {
            v[field]
                .as_str()
                .and_then(|s| s.parse().ok())
                .ok_or_else(|| invalid(field, "must be an RFC 3339 time"))
        };
        let (starts_at, ends_at) = (time("starts_at")?, time("ends_at")?);
        if ends_at <= starts_at {
            return Err(invalid("ends_at", "must be after starts_at"));
        }
        Some((plan_code.to_owned(), data_mb, starts_at, ends_at))
    } else {
        None
    };

    state.next_operation += 1;
    let operation_id = format!("op-{}", state.next_operation);
    let line = state.lines.entry(msisdn.as_str().to_owned()).or_default();
    if iccid.is_some() {
        line.iccid = iccid;
    }
    line.operations.push(operation.as_str().to_owned());
    match operation {
        Operation::BundleGranted => {
            if let Some((plan_code, data_mb, starts_at, ends_at)) = bundle {
                line.bundles.push(GrantedBundle {
                    operation_id: operation_id.clone(),
                    plan_code,
                    data_mb,
                    starts_at,
                    ends_at,
                });
            }
        }
        Operation::LineSuspended => line.suspended = true,
        Operation::LineResumed => line.suspended = false,
        Operation::NumberReleased => {
            line.released = true;
            line.suspended = false;
        }
        _ => {}
    }
    Ok(json!({ "operation_id": operation_id, "status": "done" }))
}
