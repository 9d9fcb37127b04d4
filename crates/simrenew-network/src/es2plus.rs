//! The GSMA SGP.22 ES2+ client: what an operator asks of an SM-DP+ (downloadOrder,
//! confirmOrder, cancelOrder, releaseProfile).
//!
//! Transport: `POST <base>/gsma/rsp2/es2plus/<function>` with `X-Admin-Protocol:
//! gsma/rsp/v2.5.0`, JSON bodies in the ES2+ envelope (`header.functionRequesterIdentifier`,
//! `header.functionCallIdentifier`), mutual TLS when configured ([`crate::ClientTls`]). An
//! answer must carry `X-Admin-Protocol: gsma/rsp/v2.*`. Business errors are HTTP 200 with
//! `functionExecutionStatus.status` = `Failed` and a `statusCodeData` (`subjectCode`,
//! `reasonCode`, `message`): they are [`Outcome::Rejected`] with the code
//! `<subjectCode>/<reasonCode>`. `Expired`, a 5xx, a timeout or an unreadable answer is
//! [`Outcome::TryAgain`]; another 4xx is a malformed request, rejected.
//!
//! ## Repeating a call safely
//!
//! ES2+ has no idempotency key, and the SM-DP+ picks an ICCID itself when downloadOrder names
//! none, so a downloadOrder repeated after a lost answer could reserve a second profile. This
//! client therefore takes the choices that make a repeat harmless:
//!
//! - **The operator picks the ICCID.** [`DownloadOrder::iccid`] is required: it comes from the
//!   batch of profiles the SM-DP+ prepared for the operator (the usual way eSIM profiles are
//!   bought), kept as a pool on the operator side where each ICCID is given to one line only.
//! - **The operator picks the matching id** ([`MatchingId::derive`] makes a stable one from
//!   the line's or order's id), so a repeated confirmOrder asks for the same thing.
//! - **A repeat of work already done counts as done.** A [`Call`] says whether an earlier
//!   attempt of the same call may have reached the SM-DP+ ([`Call::repeat`]; the client also
//!   knows it after a timeout or a lost answer of its own). On a repeat, the `Failed` answers
//!   that mean "this profile is already where you asked" are read as confirmation:
//!   downloadOrder `8.2.1/3.7` (ICCID not available: reserved) or `8.2.1/3.3` (already in
//!   use); confirmOrder `8.2.1/3.5` (invalid transition: already confirmed or released) or
//!   `8.2.7/3.3` (matching id already in use); cancelOrder and releaseProfile `8.2.1/3.5`. On
//!   a first attempt they are refusals, as they must be.
//! - Every attempt of one call carries the same `functionCallIdentifier`, so an SM-DP+ that
//!   recognises repeated calls answers the first result.
//!
//! The matching answers assume the caller runs the steps in order (downloadOrder, then
//! confirmOrder, then releaseProfile or cancelOrder) for a profile that only it orders.
//!
//! SM-DP+ vendors that drop the envelope speak another dialect: that is another adapter
//! behind the same port, not options here.

use std::time::Duration;

use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use simrenew_domain::identifiers::{ActivationCode, Eid, Iccid};
use simrenew_domain::ParseError;

use crate::http::{build_client, exchange, with_retries, Exchanged};
use crate::{count_call, ClientError, ClientTls, Outcome, RetryPolicy};

const ADAPTER: &str = "es2plus";

/// The `X-Admin-Protocol` this client speaks.
pub const ADMIN_PROTOCOL: &str = "gsma/rsp/v2.5.0";
/// What an answer's `X-Admin-Protocol` must start with.
pub const ADMIN_PROTOCOL_FAMILY: &str = "gsma/rsp/v2.";

/// The matching id (AC_Token) of a profile's activation code: 1 to 255 characters of
/// `0-9 A-Z -`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MatchingId(String);

impl MatchingId {
    pub fn parse(s: &str) -> Result<Self, ParseError> {
        let s = s.trim();
        if s.is_empty()
            || s.len() > 255
            || !s
                .bytes()
                .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase() || b == b'-')
        {
            return Err(ParseError::new(
                "matching_id",
                "must be 1 to 255 characters of 0-9, A-Z and -",
            ));
        }
        Ok(Self(s.to_owned()))
    }

    /// A stable matching id for `seed` (e.g. `esim-order-42`): the same seed always gives the
    /// same id, so a repeated confirmOrder asks for the same one. Four groups of five
    /// characters from the SHA-256 of the seed (`7K2QD-...`); nothing of the seed shows.
    pub fn derive(seed: &str) -> Self {
        const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKLMNPQRSTUVWXYZ";
        let digest = Sha256::digest(seed.as_bytes());
        let mut id = String::with_capacity(23);
        for (i, b) in digest.iter().take(20).enumerate() {
            if i > 0 && i % 5 == 0 {
                id.push('-');
            }
            id.push(char::from(ALPHABET[usize::from(*b) % ALPHABET.len()]));
        }
        Self(id)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A profile type agreed with the SM-DP+ (the kind of profile to prepare): 1 to 64 printable
/// characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ProfileType(String);

impl ProfileType {
    pub fn parse(s: &str) -> Result<Self, ParseError> {
        let s = s.trim();
        if s.is_empty() || s.len() > 64 || s.chars().any(char::is_control) {
            return Err(ParseError::new(
                "profile_type",
                "must be 1 to 64 printable characters",
            ));
        }
        Ok(Self(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// One ES2+ call: its `functionCallIdentifier`, and whether an earlier attempt of it may have
/// reached the SM-DP+.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    id: String,
    repeat: bool,
}

impl Call {
    /// The first attempt of a call; `id` (1 to 255 visible ASCII characters, e.g. the outbox
    /// row's id and the step) identifies it.
    pub fn first(id: &str) -> Result<Self, ParseError> {
        Self::new(id, false)
    }

    /// A call an earlier attempt of which may have been done (the outbox row was tried
    /// before).
    pub fn repeat(id: &str) -> Result<Self, ParseError> {
        Self::new(id, true)
    }

    fn new(id: &str, repeat: bool) -> Result<Self, ParseError> {
        if id.is_empty() || id.len() > 255 || !id.bytes().all(|b| (0x21..=0x7e).contains(&b)) {
            return Err(ParseError::new(
                "function_call_identifier",
                "must be 1 to 255 visible ASCII characters",
            ));
        }
        Ok(Self {
            id: id.to_owned(),
            repeat,
        })
    }

    pub fn id(&self) -> &str {
        &self.id
    }
}

/// DownloadOrder: reserve the profile `iccid` (for the eUICC `eid`, when known).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DownloadOrder {
    pub iccid: Iccid,
    pub eid: Option<Eid>,
    pub profile_type: Option<ProfileType>,
}

/// ConfirmOrder: make the reserved profile downloadable under `matching_id`; with `release`
/// it may be downloaded at once, without it only after [`Es2Client::release_profile`] (a line
/// awaiting identification).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfirmOrder {
    pub iccid: Iccid,
    pub eid: Option<Eid>,
    pub matching_id: MatchingId,
    /// A code the subscriber must type to download the profile; the activation code then ends
    /// with `$1`.
    pub confirmation_code: Option<String>,
    pub smds_address: Option<String>,
    pub release: bool,
}

/// The SM-DP+'s answer to a confirmOrder: what the activation code is made of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderConfirmed {
    pub iccid: Iccid,
    pub eid: Option<Eid>,
    pub matching_id: MatchingId,
    /// The SM-DP+ address for the activation code: the answer's, else the configured one.
    pub smdp_address: String,
    pub confirmation_code_required: bool,
}

impl OrderConfirmed {
    /// The activation code `LPA:1$<smdp address>$<matching id>[$$1]`.
    pub fn activation_code(&self) -> Result<ActivationCode, ParseError> {
        crate::activation::activation_code(
            &self.smdp_address,
            self.matching_id.as_str(),
            self.confirmation_code_required,
        )
    }
}

/// What becomes of a cancelled profile at the SM-DP+.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FinalProfileStatus {
    /// Back in the pool, to be ordered again.
    Available,
    /// Never to be used again.
    Unavailable,
}

impl FinalProfileStatus {
    fn as_str(self) -> &'static str {
        match self {
            FinalProfileStatus::Available => "Available",
            FinalProfileStatus::Unavailable => "Unavailable",
        }
    }
}

/// CancelOrder: give up a reserved, confirmed or released profile before it is installed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CancelOrder {
    pub iccid: Iccid,
    pub eid: Option<Eid>,
    pub matching_id: Option<MatchingId>,
    pub final_status: FinalProfileStatus,
}

#[derive(Debug, Clone)]
pub struct Es2Config {
    /// `https://smdp.example.com` (the functions are under `/gsma/rsp2/es2plus/`).
    pub base_url: String,
    /// The operator's identifier agreed with the SM-DP+.
    pub function_requester_identifier: String,
    /// The SM-DP+ address for activation codes when a confirmOrder answer gives none.
    pub smdp_address: String,
    /// Per attempt.
    pub timeout: Duration,
    pub retry: RetryPolicy,
    pub tls: Option<ClientTls>,
}

/// The ES2+ client of one SM-DP+.
#[derive(Clone)]
pub struct Es2Client {
    http: reqwest::Client,
    base_url: String,
    requester: String,
    smdp_address: String,
    retry: RetryPolicy,
}

/// A function's answer body, when the SM-DP+ executed it.
type Executed = Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Function {
    DownloadOrder,
    ConfirmOrder,
    CancelOrder,
    ReleaseProfile,
}

impl Function {
    fn name(self) -> &'static str {
        match self {
            Function::DownloadOrder => "downloadOrder",
            Function::ConfirmOrder => "confirmOrder",
            Function::CancelOrder => "cancelOrder",
            Function::ReleaseProfile => "releaseProfile",
        }
    }

    /// The `subjectCode/reasonCode` pairs that, on a repeat, say the work was done already.
    fn done_already(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Function::DownloadOrder => &[("8.2.1", "3.7"), ("8.2.1", "3.3")],
            Function::ConfirmOrder => &[("8.2.1", "3.5"), ("8.2.7", "3.3")],
            Function::CancelOrder | Function::ReleaseProfile => &[("8.2.1", "3.5")],
        }
    }
}

/// How one attempt ended, before the function-specific reading.
enum Attempted {
    Executed(Executed),
    DoneAlready,
    Rejected(Option<String>, String),
    TryAgain(String),
}

impl Es2Client {
    pub fn new(config: Es2Config) -> Result<Self, ClientError> {
        let base = reqwest::Url::parse(&config.base_url)
            .map_err(|e| ClientError::config("base_url", e.to_string()))?;
        if !matches!(base.scheme(), "http" | "https") {
            return Err(ClientError::config(
                "base_url",
                "must be an http or https URL",
            ));
        }
        if config.function_requester_identifier.trim().is_empty() {
            return Err(ClientError::config(
                "function_requester_identifier",
                "is empty",
            ));
        }
        // Checked once here, so that every activation code built from it parses.
        crate::activation::activation_code(&config.smdp_address, "CHECK", false)
            .map_err(|e| ClientError::config("smdp_address", e.reason))?;
        Ok(Self {
            http: build_client(config.timeout, config.tls.as_ref())?,
            base_url: config.base_url.trim_end_matches('/').to_owned(),
            requester: config.function_requester_identifier,
            smdp_address: config.smdp_address,
            retry: config.retry,
        })
    }

    /// Whether the SM-DP+ answers at all (any HTTP status to `GET` of its base URL, over the
    /// configured TLS), within `timeout`: what a readiness probe asks. No function is called.
    pub async fn answers(&self, timeout: Duration) -> Result<(), String> {
        crate::http::answers(&self.http, &self.base_url, timeout).await
    }

    /// Reserves the profile `order.iccid`; confirmed with the ICCID the SM-DP+ reserved.
    #[tracing::instrument(skip_all, fields(iccid = %order.iccid, call = call.id()))]
    pub async fn download_order(&self, order: &DownloadOrder, call: &Call) -> Outcome<Iccid> {
        let mut body = json!({ "iccid": order.iccid.as_str() });
        if let Some(eid) = &order.eid {
            body["eid"] = json!(eid.as_str());
        }
        if let Some(t) = &order.profile_type {
            body["profileType"] = json!(t.as_str());
        }
        self.call(Function::DownloadOrder, body, call, |answer| match answer {
            None => Ok(order.iccid.clone()),
            Some(v) => {
                let iccid = read_iccid(&v["iccid"]).ok_or("an answer without a valid iccid")?;
                if iccid != order.iccid {
                    return Err("an answer naming another iccid than the one ordered");
                }
                Ok(iccid)
            }
        })
        .await
    }

    /// Confirms the reserved profile; confirmed with what the activation code is made of.
    #[tracing::instrument(skip_all, fields(iccid = %order.iccid, call = call.id()))]
    pub async fn confirm_order(
        &self,
        order: &ConfirmOrder,
        call: &Call,
    ) -> Outcome<OrderConfirmed> {
        let mut body = json!({
            "iccid": order.iccid.as_str(),
            "matchingId": order.matching_id.as_str(),
            "releaseFlag": order.release,
        });
        if let Some(eid) = &order.eid {
            body["eid"] = json!(eid.as_str());
        }
        if let Some(code) = &order.confirmation_code {
            body["confirmationCode"] = json!(code);
        }
        if let Some(smds) = &order.smds_address {
            body["smdsAddress"] = json!(smds);
        }
        let ours = OrderConfirmed {
            iccid: order.iccid.clone(),
            eid: order.eid.clone(),
            matching_id: order.matching_id.clone(),
            smdp_address: self.smdp_address.clone(),
            confirmation_code_required: order.confirmation_code.is_some(),
        };
        self.call(Function::ConfirmOrder, body, call, |answer| match answer {
            None => Ok(ours.clone()),
            Some(v) => {
                let matching_id = v["matchingId"]
                    .as_str()
                    .and_then(|s| MatchingId::parse(s).ok())
                    .ok_or("an answer without a valid matchingId")?;
                if matching_id != order.matching_id {
                    return Err("an answer with another matchingId than the one asked for");
                }
                let eid = match v["eid"].as_str() {
                    Some(s) => Some(Eid::parse(s).map_err(|_| "an answer with an invalid eid")?),
                    None => order.eid.clone(),
                };
                let smdp_address = match v["smdpAddress"].as_str() {
                    Some(a) => {
                        crate::activation::activation_code(a, "CHECK", false)
                            .map_err(|_| "an answer with an invalid smdpAddress")?;
                        a.to_ascii_lowercase()
                    }
                    None => self.smdp_address.clone(),
                };
                Ok(OrderConfirmed {
                    eid,
                    smdp_address,
                    matching_id,
                    ..ours.clone()
                })
            }
        })
        .await
    }

    /// Cancels an order that was not installed.
    #[tracing::instrument(skip_all, fields(iccid = %order.iccid, call = call.id()))]
    pub async fn cancel_order(&self, order: &CancelOrder, call: &Call) -> Outcome<()> {
        let mut body = json!({
            "iccid": order.iccid.as_str(),
            "finalProfileStatusIndicator": order.final_status.as_str(),
        });
        if let Some(eid) = &order.eid {
            body["eid"] = json!(eid.as_str());
        }
        if let Some(m) = &order.matching_id {
            body["matchingId"] = json!(m.as_str());
        }
        self.call(Function::CancelOrder, body, call, |_| Ok(()))
            .await
    }

    /// Lets a profile confirmed without release be downloaded.
    #[tracing::instrument(skip_all, fields(iccid = %iccid, call = call.id()))]
    pub async fn release_profile(&self, iccid: &Iccid, call: &Call) -> Outcome<()> {
        let body = json!({ "iccid": iccid.as_str() });
        self.call(Function::ReleaseProfile, body, call, |_| Ok(()))
            .await
    }

    /// The request body of `function`: the envelope around `fields`.
    fn envelope(&self, mut fields: Value, call: &Call) -> Value {
        fields["header"] = json!({
            "functionRequesterIdentifier": self.requester,
            "functionCallIdentifier": call.id,
        });
        fields
    }

    /// Sends `fields` to `function` with the retries; `read` turns an executed answer (or,
    /// with `None`, the knowledge that a repeat found the work done) into the confirmed value.
    async fn call<T>(
        &self,
        function: Function,
        fields: Value,
        call: &Call,
        read: impl Fn(Option<Value>) -> Result<T, &'static str>,
    ) -> Outcome<T> {
        let url = format!("{}/gsma/rsp2/es2plus/{}", self.base_url, function.name());
        let body = self.envelope(fields, call).to_string();
        let outcome = with_retries(ADAPTER, function.name(), self.retry, |n| {
            let repeat = call.repeat || n > 1;
            let req = self
                .http
                .post(&url)
                .header("Content-Type", "application/json")
                .header("X-Admin-Protocol", ADMIN_PROTOCOL)
                .body(body.clone());
            let read = &read;
            async move {
                let answer = match exchange(req).await {
                    Ok(a) => a,
                    Err(why) => return Outcome::try_again(why),
                };
                match attempted(function, answer, repeat) {
                    Attempted::Executed(v) => match read(Some(v)) {
                        Ok(t) => Outcome::Confirmed(t),
                        // Executed, but the answer cannot be used: a repeat will tell.
                        Err(why) => Outcome::try_again(format!("{} gave {why}", function.name())),
                    },
                    Attempted::DoneAlready => match read(None) {
                        Ok(t) => Outcome::Confirmed(t),
                        Err(why) => Outcome::try_again(why),
                    },
                    Attempted::Rejected(code, reason) => Outcome::rejected(code, reason),
                    Attempted::TryAgain(why) => Outcome::try_again(why),
                }
            }
        })
        .await;
        count_call(ADAPTER, function.name(), &outcome);
        outcome
    }
}

/// Reads the transport and envelope of one answer.
fn attempted(function: Function, answer: Exchanged, repeat: bool) -> Attempted {
    let status = answer.status;
    if status.is_server_error() || matches!(status.as_u16(), 408 | 429) {
        return Attempted::TryAgain(format!("HTTP {status}"));
    }
    if !status.is_success() {
        let text = String::from_utf8_lossy(&answer.body);
        let text: String = text.chars().take(200).collect();
        return Attempted::Rejected(
            Some(format!("HTTP {}", status.as_u16())),
            format!("{} refused as malformed: {text}", function.name()),
        );
    }
    let protocol = answer
        .headers
        .get("X-Admin-Protocol")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !protocol.starts_with(ADMIN_PROTOCOL_FAMILY) {
        return Attempted::Rejected(
            None,
            format!(
                "the SM-DP+ answered with X-Admin-Protocol {protocol:?}, not {ADMIN_PROTOCOL_FAMILY}x"
            ),
        );
    }
    let Ok(v) = serde_json::from_slice::<Value>(&answer.body) else {
        return Attempted::TryAgain("the answer is not JSON".to_owned());
    };
    let execution = &v["header"]["functionExecutionStatus"];
    let code = StatusCodeData::read(&execution["statusCodeData"]);
    match execution["status"].as_str() {
        Some("Executed-Success") | Some("Executed-WithWarning") => Attempted::Executed(v),
        Some("Failed") => {
            let code = code.unwrap_or_default();
            let done = function
                .done_already()
                .iter()
                .any(|(s, r)| code.subject_code == *s && code.reason_code == *r);
            if repeat && done {
                tracing::info!(
                    function = function.name(),
                    code = %code.pair(),
                    "a repeated call found its work done already"
                );
                return Attempted::DoneAlready;
            }
            Attempted::Rejected(Some(code.pair()), code.text())
        }
        Some("Expired") => Attempted::TryAgain(format!(
            "{} expired at the SM-DP+: {}",
            function.name(),
            code.unwrap_or_default().text()
        )),
        other => Attempted::Rejected(
            None,
            format!("the answer has no functionExecutionStatus we know ({other:?})"),
        ),
    }
}

/// ES2+ `statusCodeData`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StatusCodeData {
    pub subject_code: String,
    pub reason_code: String,
    pub subject_identifier: Option<String>,
    pub message: Option<String>,
}

impl StatusCodeData {
    pub(crate) fn read(v: &Value) -> Option<Self> {
        if !v.is_object() {
            return None;
        }
        let s = |k: &str| v[k].as_str().map(str::to_owned);
        Some(Self {
            subject_code: s("subjectCode").unwrap_or_default(),
            reason_code: s("reasonCode").unwrap_or_default(),
            subject_identifier: s("subjectIdentifier"),
            message: s("message").map(|m| m.chars().take(300).collect()),
        })
    }

    /// `8.2.1/3.9`.
    pub fn pair(&self) -> String {
        format!("{}/{}", self.subject_code, self.reason_code)
    }

    fn text(&self) -> String {
        match (&self.message, reason_name(&self.reason_code)) {
            (Some(m), _) => m.clone(),
            (None, Some(name)) => name.to_owned(),
            (None, None) => "refused".to_owned(),
        }
    }
}

/// SGP.22's names of the reason codes an operator meets most.
fn reason_name(code: &str) -> Option<&'static str> {
    Some(match code {
        "1.1" => "access denied",
        "2.1" => "invalid",
        "2.2" => "mandatory element missing",
        "3.1" => "conditional element missing",
        "3.3" => "already in use",
        "3.5" => "invalid transition",
        "3.7" => "unavailable",
        "3.8" => "refused",
        "3.9" => "unknown",
        "4.2" => "execution error",
        "6.4" => "maximum number of retries exceeded",
        _ => return None,
    })
}

/// An ICCID as ES2+ carries it: 19 or 20 digits, perhaps padded with a trailing `F`.
pub(crate) fn read_iccid(v: &Value) -> Option<Iccid> {
    let s = v.as_str()?;
    let s = match s.strip_suffix(['F', 'f']) {
        Some(rest) if s.len() == 20 => rest,
        _ => s,
    };
    Iccid::parse(s).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matching_ids_are_stable_and_valid() {
        let a = MatchingId::derive("esim-order-1");
        assert_eq!(a, MatchingId::derive("esim-order-1"));
        assert_ne!(a, MatchingId::derive("esim-order-2"));
        assert_eq!(a.as_str().len(), 23);
        assert_eq!(MatchingId::parse(a.as_str()).unwrap(), a);
        assert!(MatchingId::parse("abc").is_err());
        assert!(MatchingId::parse("").is_err());
        assert!(MatchingId::parse("A_B").is_err());
    }

    #[test]
    fn padded_iccids_are_read() {
        let iccid = Iccid::from_body("893200000000000001").unwrap();
        assert_eq!(iccid.as_str().len(), 19);
        let padded = format!("{iccid}F");
        assert_eq!(read_iccid(&json!(padded)), Some(iccid.clone()));
        assert_eq!(read_iccid(&json!(iccid.as_str())), Some(iccid));
        assert_eq!(read_iccid(&json!("8932000000000000012")), None);
        assert_eq!(read_iccid(&json!(12)), None);
    }
}
