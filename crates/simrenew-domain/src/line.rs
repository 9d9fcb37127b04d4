//! Lines: one phone number each, of three kinds, with a credit balance and a state.

use jiff::Timestamp;

use crate::catalog::{word_enum, LineKind};
use crate::identifiers::{ActivationCode, Eid, Iccid, Msisdn};
use crate::ids::{BrandId, LineId, SubscriberId};
use crate::money::Money;
use crate::parse::ParseError;

word_enum!(
    /// `pending_identification → active → grace → lapsed`, plus `suspended`.
    LineState, "state" {
        PendingIdentification = "pending_identification",
        Active = "active",
        Grace = "grace",
        Lapsed = "lapsed",
        Suspended = "suspended",
    }
);

/// What identifies the line's SIM, by kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LineIdentity {
    PhysicalSim {
        iccid: Iccid,
    },
    Esim {
        iccid: Iccid,
        /// Known once the profile is installed on a device.
        eid: Option<Eid>,
        activation_code: Option<ActivationCode>,
    },
    /// Account-based: no card at all.
    VirtualSim,
}

impl LineIdentity {
    pub fn kind(&self) -> LineKind {
        match self {
            LineIdentity::PhysicalSim { .. } => LineKind::PhysicalSim,
            LineIdentity::Esim { .. } => LineKind::Esim,
            LineIdentity::VirtualSim => LineKind::VirtualSim,
        }
    }

    pub fn iccid(&self) -> Option<&Iccid> {
        match self {
            LineIdentity::PhysicalSim { iccid } | LineIdentity::Esim { iccid, .. } => Some(iccid),
            LineIdentity::VirtualSim => None,
        }
    }

    pub fn eid(&self) -> Option<&Eid> {
        match self {
            LineIdentity::Esim { eid, .. } => eid.as_ref(),
            _ => None,
        }
    }

    pub fn activation_code(&self) -> Option<&ActivationCode> {
        match self {
            LineIdentity::Esim {
                activation_code, ..
            } => activation_code.as_ref(),
            _ => None,
        }
    }

    /// Builds the identity of a `kind` line from optional raw fields, saying which field is
    /// missing or not allowed.
    pub fn from_parts(
        kind: LineKind,
        iccid: Option<Iccid>,
        eid: Option<Eid>,
        activation_code: Option<ActivationCode>,
    ) -> Result<Self, ParseError> {
        match kind {
            LineKind::PhysicalSim => {
                if eid.is_some() {
                    return Err(ParseError::new("eid", "only eSIM lines have an EID"));
                }
                if activation_code.is_some() {
                    return Err(ParseError::new(
                        "activation_code",
                        "only eSIM lines have an activation code",
                    ));
                }
                let iccid = iccid.ok_or_else(|| {
                    ParseError::new("iccid", "a physical SIM line needs an ICCID")
                })?;
                Ok(LineIdentity::PhysicalSim { iccid })
            }
            LineKind::Esim => {
                let iccid =
                    iccid.ok_or_else(|| ParseError::new("iccid", "an eSIM line needs an ICCID"))?;
                Ok(LineIdentity::Esim {
                    iccid,
                    eid,
                    activation_code,
                })
            }
            LineKind::VirtualSim => {
                if iccid.is_some() {
                    return Err(ParseError::new("iccid", "a virtual SIM line has no ICCID"));
                }
                if eid.is_some() || activation_code.is_some() {
                    return Err(ParseError::new(
                        "eid",
                        "a virtual SIM line has no EID or activation code",
                    ));
                }
                Ok(LineIdentity::VirtualSim)
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub id: LineId,
    pub brand_id: BrandId,
    pub subscriber_id: Option<SubscriberId>,
    pub msisdn: Msisdn,
    pub identity: LineIdentity,
    /// The state as last written. Expiry moves a line on by itself; read
    /// [`Line::state_at`] for the state at an instant.
    pub stored_state: LineState,
    pub expires_at: Option<Timestamp>,
    /// When grace ends and the line lapses; computed with the expiry in the brand's zone.
    pub grace_until: Option<Timestamp>,
    pub credit: Money,
    pub auto_renew: bool,
}

impl Line {
    pub fn kind(&self) -> LineKind {
        self.identity.kind()
    }

    /// The state at `now`: an active line whose expiry has passed is in grace, and lapses
    /// when grace ends.
    pub fn state_at(&self, now: Timestamp) -> LineState {
        effective_state(self.stored_state, self.expires_at, self.grace_until, now)
    }
}

/// The state rule shared by [`Line::state_at`] and the storage layer's filters.
pub fn effective_state(
    stored: LineState,
    expires_at: Option<Timestamp>,
    grace_until: Option<Timestamp>,
    now: Timestamp,
) -> LineState {
    match (stored, expires_at) {
        (LineState::Active | LineState::Grace, Some(expiry)) if expiry <= now => {
            match grace_until {
                Some(end) if end > now => LineState::Grace,
                _ => LineState::Lapsed,
            }
        }
        (LineState::Grace, _) => LineState::Active,
        (state, _) => state,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: i64) -> Timestamp {
        Timestamp::from_second(s).unwrap()
    }

    #[test]
    fn expiry_moves_an_active_line_to_grace_then_lapsed() {
        let state = |now| effective_state(LineState::Active, Some(ts(100)), Some(ts(200)), ts(now));
        assert_eq!(state(99), LineState::Active);
        assert_eq!(state(100), LineState::Grace);
        assert_eq!(state(199), LineState::Grace);
        assert_eq!(state(200), LineState::Lapsed);
    }

    #[test]
    fn suspension_and_identification_do_not_expire() {
        for stored in [LineState::Suspended, LineState::PendingIdentification] {
            assert_eq!(
                effective_state(stored, Some(ts(1)), Some(ts(2)), ts(10)),
                stored
            );
        }
    }

    #[test]
    fn identity_fields_fit_the_kind() {
        assert_eq!(
            LineIdentity::from_parts(LineKind::PhysicalSim, None, None, None)
                .unwrap_err()
                .field,
            "iccid"
        );
        assert!(LineIdentity::from_parts(LineKind::VirtualSim, None, None, None).is_ok());
    }
}
