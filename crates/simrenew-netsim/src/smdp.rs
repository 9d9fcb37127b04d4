//! An SGP.22 ES2+ SM-DP+: profiles by ICCID, the four operator functions, and a simulated
//! phone that installs a released profile and reports it with handleDownloadProgressInfo.

use std::collections::BTreeMap;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use simrenew_domain::identifiers::{Eid, Iccid};

use crate::faults::{Fault, Operation};
use crate::{pause, protocol_headers, Netsim, SmdpConfig};

const ADMIN_PROTOCOL: &str = "gsma/rsp/v2.5.0";

/// A profile's state at the SM-DP+ (SGP.22's, with the phone's later ones).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProfileState {
    Available,
    Allocated,
    Confirmed,
    Released,
    Downloaded,
    Installed,
    Enabled,
    Unavailable,
}

/// A profile as the simulator holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileView {
    pub iccid: Iccid,
    pub state: ProfileState,
    pub eid: Option<String>,
    pub matching_id: Option<String>,
    pub confirmation_code: Option<String>,
    /// How many downloadOrders reserved it (more than one means a profile was ordered twice).
    pub times_allocated: u32,
}

/// A handleDownloadProgressInfo call the simulator made.
#[derive(Debug, Clone, PartialEq)]
pub struct CallbackSent {
    pub iccid: Iccid,
    pub notification_point_id: u32,
    pub body: Value,
    /// The operator's answer status; 0 when no answer came.
    pub status: u16,
}

#[derive(Debug, Clone)]
struct Profile {
    iccid: Iccid,
    state: ProfileState,
    eid: Option<String>,
    matching_id: Option<String>,
    confirmation_code: Option<String>,
    times_allocated: u32,
}

pub(crate) struct SmdpState {
    profiles: BTreeMap<String, Profile>,
    pub(crate) callbacks: Vec<CallbackSent>,
    next_call: u64,
    profile_type: String,
}

impl SmdpState {
    pub(crate) fn new(config: &SmdpConfig) -> anyhow::Result<Self> {
        let prefix = &config.iccid_prefix;
        if !prefix.starts_with("89")
            || prefix.len() > 17
            || !prefix.bytes().all(|b| b.is_ascii_digit())
        {
            anyhow::bail!("iccid_prefix must be digits starting with 89, at most 17");
        }
        // 18 digits before the check digit: 19-digit ICCIDs, sent padded with F as SGP.22 does.
        let width = 18 - prefix.len();
        if config.pool_size == 0 || u64::from(config.pool_size) >= 10u64.pow(width as u32) {
            anyhow::bail!("pool_size does not fit after the iccid_prefix");
        }
        let mut profiles = BTreeMap::new();
        for n in 1..=config.pool_size {
            let iccid = Iccid::from_body(&format!("{prefix}{n:0width$}"))?;
            profiles.insert(
                iccid.as_str().to_owned(),
                Profile {
                    iccid,
                    state: ProfileState::Available,
                    eid: None,
                    matching_id: None,
                    confirmation_code: None,
                    times_allocated: 0,
                },
            );
        }
        Ok(Self {
            profiles,
            callbacks: vec![],
            next_call: 0,
            profile_type: config.profile_type.clone(),
        })
    }

    pub(crate) fn view(&self, iccid: &str) -> Option<ProfileView> {
        self.profiles.get(iccid).map(|p| ProfileView {
            iccid: p.iccid.clone(),
            state: p.state,
            eid: p.eid.clone(),
            matching_id: p.matching_id.clone(),
            confirmation_code: p.confirmation_code.clone(),
            times_allocated: p.times_allocated,
        })
    }

    pub(crate) fn available(&self) -> Vec<Iccid> {
        self.profiles
            .values()
            .filter(|p| p.state == ProfileState::Available)
            .map(|p| p.iccid.clone())
            .collect()
    }
}

/// An ICCID as sent on ES2+: a 19-digit one padded with `F`.
fn wire_iccid(iccid: &Iccid) -> String {
    if iccid.as_str().len() == 19 {
        format!("{iccid}F")
    } else {
        iccid.as_str().to_owned()
    }
}

/// An ES2+ ICCID from a request: 19 or 20 digits, a trailing `F` stripped.
fn read_iccid(v: &Value) -> Option<String> {
    let s = v.as_str()?;
    let s = match s.strip_suffix(['F', 'f']) {
        Some(rest) if s.len() == 20 => rest,
        _ => s,
    };
    (s.len() >= 18 && s.len() <= 20 && s.bytes().all(|b| b.is_ascii_digit())).then(|| s.to_owned())
}

fn answer(status: StatusCode, body: Value) -> Response {
    (
        status,
        [
            ("content-type", "application/json"),
            ("x-admin-protocol", ADMIN_PROTOCOL),
        ],
        body.to_string(),
    )
        .into_response()
}

fn executed(mut fields: Value) -> Value {
    fields["header"] = json!({"functionExecutionStatus": {"status": "Executed-Success"}});
    fields
}

fn failed(subject: &str, reason: &str, message: &str, subject_identifier: &str) -> Value {
    json!({"header": {"functionExecutionStatus": {
        "status": "Failed",
        "statusCodeData": {
            "subjectCode": subject,
            "reasonCode": reason,
            "subjectIdentifier": subject_identifier,
            "message": message,
        }
    }}})
}

fn malformed(why: &str) -> (StatusCode, Value) {
    (StatusCode::BAD_REQUEST, json!({ "error": why }))
}

pub(crate) async fn function(
    State(sim): State<Netsim>,
    Path(function): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let operation = match function.as_str() {
        "downloadOrder" => Operation::DownloadOrder,
        "confirmOrder" => Operation::ConfirmOrder,
        "cancelOrder" => Operation::CancelOrder,
        "releaseProfile" => Operation::ReleaseProfile,
        _ => return (StatusCode::NOT_FOUND, "no such ES2+ function").into_response(),
    };
    let parsed: Option<Value> = serde_json::from_slice(&body).ok();
    let key = parsed
        .as_ref()
        .and_then(|v| v["header"]["functionCallIdentifier"].as_str())
        .map(str::to_owned);
    let (fault, latency, index, stall) = {
        let mut state = sim.state();
        let (fault, latency) = state.faults.next(operation);
        let stall = state.faults.stall();
        let recorded = parsed
            .clone()
            .unwrap_or_else(|| Value::String(String::from_utf8_lossy(&body).into_owned()));
        let index = Netsim::record(
            &mut state,
            operation,
            key,
            protocol_headers(&headers),
            recorded,
            fault,
        );
        (fault, latency, index, stall)
    };
    pause(latency).await;

    let protocol_ok = headers
        .get("x-admin-protocol")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|p| p.starts_with("gsma/rsp/v2."));
    let (status, body) = if !protocol_ok {
        malformed("X-Admin-Protocol gsma/rsp/v2.x is required")
    } else {
        match (fault, parsed) {
            (Some(Fault::Timeout), _) => {
                pause(stall).await;
                (
                    StatusCode::GATEWAY_TIMEOUT,
                    json!({"error": "injected timeout"}),
                )
            }
            (Some(Fault::ServerError), _) => (
                StatusCode::SERVICE_UNAVAILABLE,
                json!({"error": "injected server error"}),
            ),
            (Some(Fault::Failed), _) => {
                (StatusCode::OK, failed("8.1", "4.2", "injected failure", ""))
            }
            (_, None) => malformed("the body is not JSON"),
            (fault, Some(request)) => {
                let done = execute(&sim, operation, &request);
                if fault == Some(Fault::LostAnswer) {
                    pause(stall).await;
                }
                done
            }
        }
    };
    sim.answered(index, status.as_u16());
    answer(status, body)
}

fn execute(sim: &Netsim, operation: Operation, request: &Value) -> (StatusCode, Value) {
    let header = &request["header"];
    if header["functionRequesterIdentifier"]
        .as_str()
        .is_none_or(str::is_empty)
        || header["functionCallIdentifier"]
            .as_str()
            .is_none_or(str::is_empty)
    {
        return malformed(
            "header.functionRequesterIdentifier and functionCallIdentifier are mandatory",
        );
    }
    let eid = match &request["eid"] {
        Value::Null => None,
        Value::String(s) => match Eid::parse(s) {
            Ok(e) => Some(e.as_str().to_owned()),
            Err(_) => return (StatusCode::OK, failed("8.1.1", "2.1", "invalid EID", s)),
        },
        _ => return malformed("eid must be a string"),
    };
    let iccid = match &request["iccid"] {
        Value::Null => None,
        v => match read_iccid(v) {
            Some(i) => Some(i),
            None => return malformed("iccid must be 19 or 20 digits"),
        },
    };
    let mut state = sim.state();
    let smdp = &mut state.smdp;
    match operation {
        Operation::DownloadOrder => {
            if let Some(t) = request["profileType"].as_str() {
                if t != smdp.profile_type {
                    return (
                        StatusCode::OK,
                        failed("8.2.5", "3.9", "unknown profile type", t),
                    );
                }
            }
            let chosen = match iccid {
                Some(i) => match smdp.profiles.get(&i) {
                    None => return (StatusCode::OK, failed("8.2.1", "3.9", "unknown ICCID", &i)),
                    Some(p) if p.state != ProfileState::Available => {
                        return (
                            StatusCode::OK,
                            failed("8.2.1", "3.7", "profile not available", &i),
                        )
                    }
                    Some(_) => i,
                },
                None => match smdp
                    .profiles
                    .values()
                    .find(|p| p.state == ProfileState::Available)
                {
                    Some(p) => p.iccid.as_str().to_owned(),
                    None => {
                        return (
                            StatusCode::OK,
                            failed("8.2.5", "3.7", "no profile available", ""),
                        )
                    }
                },
            };
            let Some(p) = smdp.profiles.get_mut(&chosen) else {
                return malformed("profile vanished");
            };
            p.state = ProfileState::Allocated;
            p.eid = eid;
            p.times_allocated += 1;
            (
                StatusCode::OK,
                executed(json!({ "iccid": wire_iccid(&p.iccid) })),
            )
        }
        Operation::ConfirmOrder => {
            let Some(i) = iccid else {
                return malformed("iccid is mandatory");
            };
            let Some(release) = request["releaseFlag"].as_bool() else {
                return malformed("releaseFlag is mandatory and a boolean");
            };
            let matching_id = match request["matchingId"].as_str() {
                Some(m)
                    if !m.is_empty()
                        && m.bytes()
                            .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase() || b == b'-') =>
                {
                    Some(m.to_owned())
                }
                Some(m) => {
                    return (
                        StatusCode::OK,
                        failed("8.2.6", "2.1", "invalid matching id", m),
                    )
                }
                None => None,
            };
            if let Some(m) = &matching_id {
                if smdp
                    .profiles
                    .values()
                    .any(|p| p.iccid.as_str() != i && p.matching_id.as_deref() == Some(m))
                {
                    return (
                        StatusCode::OK,
                        failed("8.2.7", "3.3", "matching id already in use", m),
                    );
                }
            }
            let Some(p) = smdp.profiles.get_mut(&i) else {
                return (StatusCode::OK, failed("8.2.1", "3.9", "unknown ICCID", &i));
            };
            if p.state != ProfileState::Allocated {
                return (
                    StatusCode::OK,
                    failed("8.2.1", "3.5", "invalid transition", &i),
                );
            }
            if let (Some(known), Some(given)) = (&p.eid, &eid) {
                if known != given {
                    return (
                        StatusCode::OK,
                        failed("8.1.1", "3.10", "another EID was given", given),
                    );
                }
            }
            let matching_id = matching_id.unwrap_or_else(|| {
                let digest = Sha256::digest(format!("{i}-matching").as_bytes());
                hex::encode_upper(&digest[..10])
            });
            p.matching_id = Some(matching_id.clone());
            p.eid = p.eid.clone().or(eid);
            p.confirmation_code = request["confirmationCode"].as_str().map(str::to_owned);
            p.state = if release {
                ProfileState::Released
            } else {
                ProfileState::Confirmed
            };
            let mut fields = json!({
                "matchingId": matching_id,
                "smdpAddress": sim.config().smdp.address,
            });
            if let Some(e) = &p.eid {
                fields["eid"] = json!(e);
            }
            let iccid = p.iccid.clone();
            drop(state);
            if release {
                install(sim.clone(), iccid);
            }
            (StatusCode::OK, executed(fields))
        }
        Operation::CancelOrder => {
            let Some(i) = iccid else {
                return malformed("iccid is mandatory");
            };
            let final_state = match request["finalProfileStatusIndicator"].as_str() {
                Some("Available") => ProfileState::Available,
                Some("Unavailable") => ProfileState::Unavailable,
                _ => {
                    return malformed(
                        "finalProfileStatusIndicator must be Available or Unavailable",
                    )
                }
            };
            let Some(p) = smdp.profiles.get_mut(&i) else {
                return (StatusCode::OK, failed("8.2.1", "3.9", "unknown ICCID", &i));
            };
            if !matches!(
                p.state,
                ProfileState::Allocated | ProfileState::Confirmed | ProfileState::Released
            ) {
                return (
                    StatusCode::OK,
                    failed("8.2.1", "3.5", "invalid transition", &i),
                );
            }
            p.state = final_state;
            p.eid = None;
            p.matching_id = None;
            p.confirmation_code = None;
            (StatusCode::OK, executed(json!({})))
        }
        Operation::ReleaseProfile => {
            let Some(i) = iccid else {
                return malformed("iccid is mandatory");
            };
            let Some(p) = smdp.profiles.get_mut(&i) else {
                return (StatusCode::OK, failed("8.2.1", "3.9", "unknown ICCID", &i));
            };
            if p.state != ProfileState::Confirmed {
                return (
                    StatusCode::OK,
                    failed("8.2.1", "3.5", "invalid transition", &i),
                );
            }
            p.state = ProfileState::Released;
            let iccid = p.iccid.clone();
            drop(state);
            install(sim.clone(), iccid);
            (StatusCode::OK, executed(json!({})))
        }
        _ => malformed("not an ES2+ function"),
    }
}

/// Plays a phone that scans the activation code and installs the profile, calling the
/// operator back at each notification point.
fn install(sim: Netsim, iccid: Iccid) {
    let Some(url) = sim.config().smdp.operator_url.clone() else {
        return;
    };
    let step = sim.config().smdp.install_step;
    tokio::spawn(async move {
        for (point, expected, next) in [
            (1, ProfileState::Released, ProfileState::Released),
            (3, ProfileState::Released, ProfileState::Downloaded),
            (4, ProfileState::Downloaded, ProfileState::Installed),
            (6, ProfileState::Installed, ProfileState::Enabled),
        ] {
            pause(step).await;
            let body = {
                let mut state = sim.state();
                let smdp = &mut state.smdp;
                smdp.next_call += 1;
                let call = smdp.next_call;
                let profile_type = smdp.profile_type.clone();
                let Some(p) = smdp.profiles.get_mut(iccid.as_str()) else {
                    return;
                };
                // Cancelled (or otherwise moved) meanwhile: the phone gets nothing more.
                if p.state != expected {
                    return;
                }
                p.state = next;
                let eid = p.eid.get_or_insert_with(|| phone_eid(&iccid)).clone();
                let timestamp = (sim.config().now)()
                    .strftime("%Y-%m-%dT%H:%M:%SZ")
                    .to_string();
                json!({
                    "header": {
                        "functionRequesterIdentifier": sim.config().smdp.function_requester_identifier,
                        "functionCallIdentifier": format!("netsim-notification-{call}"),
                    },
                    "eid": eid,
                    "iccid": wire_iccid(&iccid),
                    "profileType": profile_type,
                    "timestamp": timestamp,
                    "notificationPointId": point,
                    "notificationPointStatus": {"status": "Executed-Success"},
                })
            };
            let status = notify(&sim, &url, &body, step).await;
            sim.state().smdp.callbacks.push(CallbackSent {
                iccid: iccid.clone(),
                notification_point_id: point,
                body,
                status,
            });
        }
    });
}

/// Sends one notification, three times at most while the operator does not answer 2xx.
async fn notify(sim: &Netsim, url: &str, body: &Value, step: Duration) -> u16 {
    let mut status = 0;
    for attempt in 0..3 {
        if attempt > 0 {
            pause(step.max(Duration::from_millis(50))).await;
        }
        let mut request = sim
            .inner
            .callback_http
            .post(url)
            .header("content-type", "application/json")
            .header("x-admin-protocol", ADMIN_PROTOCOL);
        if let Some(token) = &sim.config().smdp.operator_token {
            request = request.bearer_auth(token);
        }
        let sent = request.body(body.to_string()).send().await;
        match sent {
            Ok(res) => {
                status = res.status().as_u16();
                if res.status().is_success() {
                    break;
                }
            }
            Err(e) => tracing::warn!(error = %e, "handleDownloadProgressInfo was not answered"),
        }
    }
    status
}

/// The EID of the simulated phone that installs `iccid`: the same for the same profile.
fn phone_eid(iccid: &Iccid) -> String {
    let digest = Sha256::digest(iccid.as_str().as_bytes());
    let digits: String = digest
        .iter()
        .take(11)
        .map(|b| format!("{:02}", b % 100))
        .collect();
    // 89049032 (a GSMA-style issuer prefix) and 22 digits of the hash, then the check digits.
    let body = format!("89049032{}", &digits[..22]);
    Eid::from_body(&body)
        .map(|e| e.as_str().to_owned())
        .unwrap_or_default()
}

pub(crate) async fn inspect_profiles(
    State(sim): State<Netsim>,
    Query(q): Query<BTreeMap<String, String>>,
) -> axum::Json<Value> {
    let state = sim.state();
    let list: Vec<Value> = state
        .smdp
        .profiles
        .values()
        .filter(|p| {
            q.get("state")
                .is_none_or(|s| format!("{:?}", p.state).eq_ignore_ascii_case(s))
        })
        .map(|p| {
            json!({
                "iccid": p.iccid.as_str(),
                "state": format!("{:?}", p.state).to_lowercase(),
                "eid": p.eid,
                "matching_id": p.matching_id,
            })
        })
        .collect();
    axum::Json(Value::Array(list))
}
