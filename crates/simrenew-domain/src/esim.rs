//! A new eSIM's profile: where its order at the SM-DP+ stands, and what the phone did with it.

use crate::catalog::word_enum;

word_enum!(
    /// The profile's order at the SM-DP+: `awaiting_payment` until the line's first order is
    /// paid, `ordering` while downloadOrder and confirmOrder run, `held` when confirmed but not
    /// released (the subscriber is not identified yet), `releasing` while releaseProfile runs,
    /// `ready` when its activation code works, `cancelling` while cancelOrder runs after the
    /// sale was refunded before install, then `cancelled`.
    ProfileOrderState, "profile_state" {
        AwaitingPayment = "awaiting_payment",
        Ordering = "ordering",
        Held = "held",
        Releasing = "releasing",
        Ready = "ready",
        Cancelling = "cancelling",
        Cancelled = "cancelled",
    }
);

word_enum!(
    /// What the SM-DP+ last told of the profile's install (handleDownloadProgressInfo).
    InstallState, "install_state" {
        EligibilityChecked = "eligibility_checked",
        Downloaded = "downloaded",
        Installed = "installed",
        Enabled = "enabled",
        Disabled = "disabled",
        Deleted = "deleted",
        Failed = "failed",
    }
);

/// What a person is told of a new eSIM, in the words of the portal: "being prepared", "waiting
/// for identification", "ready to install", "installed", "in use", ...
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EsimStage {
    /// Not paid yet.
    AwaitingPayment,
    /// Paid; the SM-DP+ is preparing the profile.
    Preparing,
    /// Prepared, and downloadable once the subscriber is identified.
    AwaitingIdentification,
    /// The activation code works; nothing installed it yet.
    ReadyToInstall,
    /// On its way to the phone (downloaded, not installed yet).
    Installing,
    /// Installed on a phone, not switched on.
    Installed,
    /// Installed and switched on.
    InUse,
    /// Removed from the phone, or the install failed: the profile is not on a phone.
    NotOnPhone,
    Cancelled,
}

impl EsimStage {
    pub fn of(order: ProfileOrderState, install: Option<InstallState>) -> Self {
        match (order, install) {
            (ProfileOrderState::AwaitingPayment, _) => Self::AwaitingPayment,
            (ProfileOrderState::Cancelling | ProfileOrderState::Cancelled, _) => Self::Cancelled,
            (ProfileOrderState::Ordering, _) => Self::Preparing,
            (ProfileOrderState::Held | ProfileOrderState::Releasing, _) => {
                Self::AwaitingIdentification
            }
            (ProfileOrderState::Ready, None | Some(InstallState::EligibilityChecked)) => {
                Self::ReadyToInstall
            }
            (ProfileOrderState::Ready, Some(InstallState::Downloaded)) => Self::Installing,
            (ProfileOrderState::Ready, Some(InstallState::Installed | InstallState::Disabled)) => {
                Self::Installed
            }
            (ProfileOrderState::Ready, Some(InstallState::Enabled)) => Self::InUse,
            (ProfileOrderState::Ready, Some(InstallState::Deleted | InstallState::Failed)) => {
                Self::NotOnPhone
            }
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::AwaitingPayment => "awaiting_payment",
            Self::Preparing => "preparing",
            Self::AwaitingIdentification => "awaiting_identification",
            Self::ReadyToInstall => "ready_to_install",
            Self::Installing => "installing",
            Self::Installed => "installed",
            Self::InUse => "in_use",
            Self::NotOnPhone => "not_on_phone",
            Self::Cancelled => "cancelled",
        }
    }

    /// Whether the activation code may be shown: it downloads the profile, so only once the
    /// SM-DP+ released it, and not once it is cancelled.
    pub fn shows_activation_code(self) -> bool {
        !matches!(
            self,
            Self::AwaitingPayment
                | Self::Preparing
                | Self::AwaitingIdentification
                | Self::Cancelled
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_code_shows_only_once_released() {
        for order in ProfileOrderState::ALL {
            for install in [None, Some(InstallState::Enabled)] {
                let stage = EsimStage::of(*order, install);
                assert_eq!(
                    stage.shows_activation_code(),
                    *order == ProfileOrderState::Ready,
                    "{order} {install:?}"
                );
            }
        }
    }

    #[test]
    fn install_progress_reads_as_a_person_would_say_it() {
        let ready = |i| EsimStage::of(ProfileOrderState::Ready, Some(i)).as_str();
        assert_eq!(ready(InstallState::Downloaded), "installing");
        assert_eq!(ready(InstallState::Installed), "installed");
        assert_eq!(ready(InstallState::Enabled), "in_use");
        assert_eq!(ready(InstallState::Deleted), "not_on_phone");
        assert_eq!(
            EsimStage::of(ProfileOrderState::Held, None).as_str(),
            "awaiting_identification"
        );
    }
}
