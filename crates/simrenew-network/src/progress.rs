//! The operator side of ES2+ handleDownloadProgressInfo: the SM-DP+ tells how a profile's
//! download and installation went, and later what the phone did with it.
//!
//! [`parse_download_progress`] takes the request body and gives a typed
//! [`DownloadProgress`], or a [`ProgressError`] naming the field. The HTTP route answers
//! `204 No Content` ([`ANSWER_STATUS`]) once the notification is recorded; a refused body is a
//! 400. The same notification may come twice (the SM-DP+ repeats it when our answer is lost):
//! `(iccid, notification point, timestamp)` identifies it.
//!
//! Notification points: SGP.22 numbers the download's own (1 eligibility and retry limit
//! check, 2 confirmation failure, 3 bound profile package download, 4 installation). The
//! phone's later notifications are passed on with points 5 (deleted), 6 (enabled) and 7
//! (disabled): SGP.22 leaves their numbering to the SM-DP+, and these are the numbers the
//! simulator uses; a vendor that numbers them otherwise is a dialect of its own. Another
//! number is kept as [`NotificationPoint::Other`] and changes nothing.

use jiff::Timestamp;
use serde_json::Value;
use simrenew_domain::identifiers::{Eid, Iccid};

use crate::es2plus::StatusCodeData;

/// What the route answers once a notification is recorded.
pub const ANSWER_STATUS: u16 = 204;

/// Where in the profile's life a notification comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NotificationPoint {
    EligibilityCheck,
    ConfirmationFailure,
    Download,
    Installation,
    Deletion,
    Enabling,
    Disabling,
    Other(u32),
}

impl NotificationPoint {
    pub fn from_id(id: u32) -> Self {
        match id {
            1 => Self::EligibilityCheck,
            2 => Self::ConfirmationFailure,
            3 => Self::Download,
            4 => Self::Installation,
            5 => Self::Deletion,
            6 => Self::Enabling,
            7 => Self::Disabling,
            n => Self::Other(n),
        }
    }

    pub fn id(self) -> u32 {
        match self {
            Self::EligibilityCheck => 1,
            Self::ConfirmationFailure => 2,
            Self::Download => 3,
            Self::Installation => 4,
            Self::Deletion => 5,
            Self::Enabling => 6,
            Self::Disabling => 7,
            Self::Other(n) => n,
        }
    }
}

/// What the notification says of the profile's install.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InstallProgress {
    /// The phone asked for the profile and may have it (point 1 succeeded).
    EligibilityChecked,
    Downloaded,
    Installed,
    Enabled,
    Disabled,
    Deleted,
    /// A step failed; the profile is not on the phone.
    Failed {
        reason: String,
    },
    /// A point this operator does not know; nothing changes.
    Unknown,
}

impl InstallProgress {
    /// The name recorded on the line: `downloaded`, `installed`, `enabled`, ...
    pub fn as_str(&self) -> &'static str {
        match self {
            InstallProgress::EligibilityChecked => "eligibility_checked",
            InstallProgress::Downloaded => "downloaded",
            InstallProgress::Installed => "installed",
            InstallProgress::Enabled => "enabled",
            InstallProgress::Disabled => "disabled",
            InstallProgress::Deleted => "deleted",
            InstallProgress::Failed { .. } => "failed",
            InstallProgress::Unknown => "unknown",
        }
    }
}

/// One handleDownloadProgressInfo notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DownloadProgress {
    /// Who sent it (the SM-DP+'s identifier) and its call identifier, from the envelope.
    pub function_requester_identifier: String,
    pub function_call_identifier: String,
    pub iccid: Iccid,
    /// The eUICC the profile went to, when the SM-DP+ knows it.
    pub eid: Option<Eid>,
    pub profile_type: String,
    pub timestamp: Timestamp,
    pub point: NotificationPoint,
    /// The point's own status: `Executed-Success`, `Executed-WithWarning`, `Failed`, `Expired`.
    pub status: String,
    pub status_code: Option<StatusCodeData>,
    pub progress: InstallProgress,
    /// The base64 of the eUICC's ASN.1 result, as sent.
    pub result_data: Option<String>,
}

/// A notification body that cannot be read; `field` names the part.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {reason}")]
pub struct ProgressError {
    pub field: &'static str,
    pub reason: String,
}

fn bad(field: &'static str, reason: impl Into<String>) -> ProgressError {
    ProgressError {
        field,
        reason: reason.into(),
    }
}

/// Reads a handleDownloadProgressInfo request body.
pub fn parse_download_progress(body: &[u8]) -> Result<DownloadProgress, ProgressError> {
    let v: Value =
        serde_json::from_slice(body).map_err(|e| bad("body", format!("is not JSON: {e}")))?;
    if !v.is_object() {
        return Err(bad("body", "is not a JSON object"));
    }
    let text = |field: &'static str, v: &Value| -> Result<String, ProgressError> {
        match v {
            Value::String(s) if !s.trim().is_empty() => Ok(s.trim().to_owned()),
            Value::Null => Err(bad(field, "is missing")),
            _ => Err(bad(field, "must be a non-empty string")),
        }
    };
    let header = &v["header"];
    if !header.is_object() {
        return Err(bad("header", "is missing"));
    }
    let function_requester_identifier = text(
        "header.functionRequesterIdentifier",
        &header["functionRequesterIdentifier"],
    )?;
    let function_call_identifier = text(
        "header.functionCallIdentifier",
        &header["functionCallIdentifier"],
    )?;

    let iccid_text = text("iccid", &v["iccid"])?;
    let iccid =
        crate::es2plus::read_iccid(&Value::String(iccid_text.clone())).ok_or_else(|| {
            let reason = Iccid::parse(&iccid_text)
                .err()
                .map(|e| e.reason)
                .unwrap_or_else(|| "is not an ICCID".to_owned());
            bad("iccid", reason)
        })?;
    let eid = match &v["eid"] {
        Value::Null => None,
        Value::String(s) => Some(Eid::parse(s).map_err(|e| bad("eid", e.reason))?),
        _ => return Err(bad("eid", "must be a string of 32 digits")),
    };
    let profile_type = text("profileType", &v["profileType"])?;
    if profile_type.len() > 64 {
        return Err(bad("profileType", "is longer than 64 characters"));
    }
    let timestamp_text = text("timestamp", &v["timestamp"])?;
    let timestamp: Timestamp = timestamp_text.parse().map_err(|_| {
        bad(
            "timestamp",
            format!("{timestamp_text:?} is not YYYY-MM-DDThh:mm:ssTZD (e.g. 2027-03-01T10:00:00Z)"),
        )
    })?;
    let point = match &v["notificationPointId"] {
        Value::Number(n) => n
            .as_u64()
            .and_then(|n| u32::try_from(n).ok())
            .map(NotificationPoint::from_id)
            .ok_or_else(|| bad("notificationPointId", "must be a positive integer"))?,
        Value::Null => return Err(bad("notificationPointId", "is missing")),
        _ => return Err(bad("notificationPointId", "must be an integer")),
    };
    let point_status = &v["notificationPointStatus"];
    if !point_status.is_object() {
        return Err(bad("notificationPointStatus", "is missing"));
    }
    let status = text("notificationPointStatus.status", &point_status["status"])?;
    let status_code = StatusCodeData::read(&point_status["statusCodeData"]);
    let succeeded = match status.as_str() {
        "Executed-Success" | "Executed-WithWarning" => true,
        "Failed" | "Expired" => false,
        other => {
            return Err(bad(
                "notificationPointStatus.status",
                format!(
                    "{other:?} is not Executed-Success, Executed-WithWarning, Failed or Expired"
                ),
            ))
        }
    };
    let result_data = match &v["resultData"] {
        Value::Null => None,
        Value::String(s) if is_base64(s) => Some(s.clone()),
        _ => return Err(bad("resultData", "must be base64")),
    };

    let progress = if succeeded {
        match point {
            NotificationPoint::EligibilityCheck => InstallProgress::EligibilityChecked,
            NotificationPoint::ConfirmationFailure => InstallProgress::Failed {
                reason: "the confirmation code was wrong too many times".to_owned(),
            },
            NotificationPoint::Download => InstallProgress::Downloaded,
            NotificationPoint::Installation => InstallProgress::Installed,
            NotificationPoint::Deletion => InstallProgress::Deleted,
            NotificationPoint::Enabling => InstallProgress::Enabled,
            NotificationPoint::Disabling => InstallProgress::Disabled,
            NotificationPoint::Other(_) => InstallProgress::Unknown,
        }
    } else {
        let why = status_code
            .as_ref()
            .map(|c| match &c.message {
                Some(m) => format!("{} ({})", m, c.pair()),
                None => c.pair(),
            })
            .unwrap_or_else(|| status.clone());
        InstallProgress::Failed {
            reason: format!("point {} {}: {why}", point.id(), status.to_lowercase()),
        }
    };

    Ok(DownloadProgress {
        function_requester_identifier,
        function_call_identifier,
        iccid,
        eid,
        profile_type,
        timestamp,
        point,
        status,
        status_code,
        progress,
        result_data,
    })
}

/// Standard base64 with padding.
fn is_base64(s: &str) -> bool {
    s.len().is_multiple_of(4)
        && s.trim_end_matches('=').len() + 2 >= s.len()
        && s.trim_end_matches('=')
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/')
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn iccid() -> Iccid {
        Iccid::from_body("893299000000000001").unwrap()
    }

    fn eid() -> Eid {
        Eid::from_body("890490320000000000000000000001").unwrap()
    }

    fn body(point: u32, status: &str) -> Value {
        json!({
            "header": {"functionRequesterIdentifier": "smdp.example.com", "functionCallIdentifier": "n-1"},
            "eid": eid().as_str(),
            "iccid": iccid().as_str(),
            "profileType": "simrenew-data",
            "timestamp": "2027-03-01T10:00:00Z",
            "notificationPointId": point,
            "notificationPointStatus": {"status": status},
            "resultData": "MAoCAQE=",
        })
    }

    fn parse(v: &Value) -> Result<DownloadProgress, ProgressError> {
        parse_download_progress(v.to_string().as_bytes())
    }

    #[test]
    fn each_point_gives_its_progress() {
        for (point, progress) in [
            (1, InstallProgress::EligibilityChecked),
            (3, InstallProgress::Downloaded),
            (4, InstallProgress::Installed),
            (5, InstallProgress::Deleted),
            (6, InstallProgress::Enabled),
            (7, InstallProgress::Disabled),
            (42, InstallProgress::Unknown),
        ] {
            let p = parse(&body(point, "Executed-Success")).unwrap();
            assert_eq!(p.progress, progress, "point {point}");
            assert_eq!(p.point.id(), point);
        }
        let p = parse(&body(4, "Executed-Success")).unwrap();
        assert_eq!(p.iccid, iccid());
        assert_eq!(p.eid, Some(eid()));
        assert_eq!(p.profile_type, "simrenew-data");
        assert_eq!(p.timestamp.to_string(), "2027-03-01T10:00:00Z");
        assert_eq!(p.function_call_identifier, "n-1");
        assert_eq!(p.result_data.as_deref(), Some("MAoCAQE="));
    }

    #[test]
    fn failures_carry_their_reason() {
        let mut v = body(3, "Failed");
        v["notificationPointStatus"]["statusCodeData"] =
            json!({"subjectCode": "8.1", "reasonCode": "4.2", "message": "download interrupted"});
        let p = parse(&v).unwrap();
        match p.progress {
            InstallProgress::Failed { reason } => {
                assert!(
                    reason.contains("download interrupted (8.1/4.2)"),
                    "{reason}"
                )
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            parse(&body(2, "Executed-Success")).unwrap().progress,
            InstallProgress::Failed { .. }
        ));
        assert!(matches!(
            parse(&body(4, "Expired")).unwrap().progress,
            InstallProgress::Failed { .. }
        ));
    }

    #[test]
    fn optional_fields_may_be_absent_and_padded_iccids_read() {
        let mut v = body(3, "Executed-WithWarning");
        let obj = v.as_object_mut().unwrap();
        obj.remove("eid");
        obj.remove("resultData");
        obj.insert("iccid".into(), json!(format!("{}F", iccid())));
        obj.insert("timestamp".into(), json!("2027-03-01T11:00:00+01:00"));
        let p = parse(&v).unwrap();
        assert_eq!(p.eid, None);
        assert_eq!(p.iccid, iccid());
        assert_eq!(p.timestamp.to_string(), "2027-03-01T10:00:00Z");
        assert_eq!(p.progress, InstallProgress::Downloaded);
    }

    #[test]
    fn bad_bodies_name_their_field() {
        type Change = Box<dyn Fn(&mut Value)>;
        let cases: Vec<(Change, &str)> = vec![
            (Box::new(|v| v["header"] = Value::Null), "header"),
            (
                Box::new(|v| v["header"]["functionCallIdentifier"] = Value::Null),
                "header.functionCallIdentifier",
            ),
            (Box::new(|v| v["iccid"] = Value::Null), "iccid"),
            (
                Box::new(|v| {
                    let mut wrong = iccid().as_str().to_owned();
                    let last = wrong.pop().unwrap();
                    wrong.push(if last == '0' { '1' } else { '0' });
                    v["iccid"] = json!(wrong)
                }),
                "iccid",
            ),
            (Box::new(|v| v["eid"] = json!("1234")), "eid"),
            (Box::new(|v| v["eid"] = json!(5)), "eid"),
            (Box::new(|v| v["profileType"] = json!("")), "profileType"),
            (
                Box::new(|v| v["timestamp"] = json!("yesterday")),
                "timestamp",
            ),
            (
                Box::new(|v| v["timestamp"] = json!("2027-03-01T10:00:00")),
                "timestamp",
            ),
            (
                Box::new(|v| v["notificationPointId"] = json!("3")),
                "notificationPointId",
            ),
            (
                Box::new(|v| v["notificationPointId"] = json!(-1)),
                "notificationPointId",
            ),
            (
                Box::new(|v| v["notificationPointStatus"] = Value::Null),
                "notificationPointStatus",
            ),
            (
                Box::new(|v| v["notificationPointStatus"]["status"] = json!("Done")),
                "notificationPointStatus.status",
            ),
            (
                Box::new(|v| v["resultData"] = json!("not base64!")),
                "resultData",
            ),
        ];
        for (change, field) in cases {
            let mut v = body(3, "Executed-Success");
            change(&mut v);
            let e = parse(&v).unwrap_err();
            assert_eq!(e.field, field, "{e}");
        }
        assert_eq!(parse_download_progress(b"{").unwrap_err().field, "body");
        assert_eq!(parse_download_progress(b"[]").unwrap_err().field, "body");
    }
}
