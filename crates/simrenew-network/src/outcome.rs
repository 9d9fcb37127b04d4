//! What came of a call to the network.

use std::fmt;

/// The end of one call to the network, as the caller must act on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome<T> {
    /// The network did it (or had done it already: a repeat of work done counts as done).
    Confirmed(T),
    /// The network refused, and asking again will not change its mind: the request needs a
    /// person (a dead letter), or was wrong.
    Rejected(Rejection),
    /// Nothing is known for sure: no answer, a timeout, a 5xx, a lost answer. Ask again later
    /// with the same idempotency key or call identifier; that is safe.
    TryAgain(TryAgain),
}

/// Why the network refused, in its own words where it gave any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    /// The network's code: an HTTP status and problem type (`422 unknown-number`), or ES2+'s
    /// `subjectCode/reasonCode` (`8.2.1/3.9`).
    pub code: Option<String>,
    pub reason: String,
}

/// Why the outcome is not known yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TryAgain {
    pub why: String,
}

impl<T> Outcome<T> {
    pub fn rejected(code: Option<String>, reason: impl Into<String>) -> Self {
        Outcome::Rejected(Rejection {
            code,
            reason: reason.into(),
        })
    }

    pub fn try_again(why: impl Into<String>) -> Self {
        Outcome::TryAgain(TryAgain { why: why.into() })
    }

    pub fn is_confirmed(&self) -> bool {
        matches!(self, Outcome::Confirmed(_))
    }

    /// The confirmed value, if confirmed.
    pub fn confirmed(self) -> Option<T> {
        match self {
            Outcome::Confirmed(v) => Some(v),
            _ => None,
        }
    }

    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Outcome<U> {
        match self {
            Outcome::Confirmed(v) => Outcome::Confirmed(f(v)),
            Outcome::Rejected(r) => Outcome::Rejected(r),
            Outcome::TryAgain(t) => Outcome::TryAgain(t),
        }
    }
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.code {
            Some(code) => write!(f, "{} ({code})", self.reason),
            None => f.write_str(&self.reason),
        }
    }
}

impl fmt::Display for TryAgain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.why)
    }
}
