//! Latency and injected faults, deterministic for tests and random (seeded) for demos.

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// An operation the simulator answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Operation {
    BundleGranted,
    LineSuspended,
    LineResumed,
    NumberReleased,
    DownloadOrder,
    ConfirmOrder,
    CancelOrder,
    ReleaseProfile,
}

impl Operation {
    pub const ALL: [Operation; 8] = [
        Operation::BundleGranted,
        Operation::LineSuspended,
        Operation::LineResumed,
        Operation::NumberReleased,
        Operation::DownloadOrder,
        Operation::ConfirmOrder,
        Operation::CancelOrder,
        Operation::ReleaseProfile,
    ];

    /// The name used on the command line and in the received list: the provisioning API's
    /// operationId, or the ES2+ function.
    pub fn as_str(self) -> &'static str {
        match self {
            Operation::BundleGranted => "bundleGranted",
            Operation::LineSuspended => "lineSuspended",
            Operation::LineResumed => "lineResumed",
            Operation::NumberReleased => "numberReleased",
            Operation::DownloadOrder => "downloadOrder",
            Operation::ConfirmOrder => "confirmOrder",
            Operation::CancelOrder => "cancelOrder",
            Operation::ReleaseProfile => "releaseProfile",
        }
    }

    pub fn is_es2plus(self) -> bool {
        matches!(
            self,
            Operation::DownloadOrder
                | Operation::ConfirmOrder
                | Operation::CancelOrder
                | Operation::ReleaseProfile
        )
    }
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Operation {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Operation::ALL
            .into_iter()
            .find(|o| o.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| {
                let names: Vec<&str> = Operation::ALL.iter().map(|o| o.as_str()).collect();
                format!("unknown operation {s:?}; one of {}", names.join(", "))
            })
    }
}

/// What goes wrong with one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Fault {
    /// Nothing is done and no answer comes in time: the simulator waits `stall`, then answers
    /// 504.
    Timeout,
    /// Nothing is done; the answer is a 503.
    ServerError,
    /// Refused as a business error: ES2+ `Failed` (`8.1/4.2`, execution error), or a 422 on the
    /// provisioning API.
    Failed,
    /// The work is done, then the answer is held for `stall`, so the client gives up before it.
    LostAnswer,
}

impl Fault {
    pub fn as_str(self) -> &'static str {
        match self {
            Fault::Timeout => "timeout",
            Fault::ServerError => "server_error",
            Fault::Failed => "failed",
            Fault::LostAnswer => "lost_answer",
        }
    }
}

impl FromStr for Fault {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s.to_ascii_lowercase().replace('-', "_").as_str() {
            "timeout" => Fault::Timeout,
            "server_error" | "5xx" => Fault::ServerError,
            "failed" => Fault::Failed,
            "lost_answer" | "lost" => Fault::LostAnswer,
            _ => {
                return Err(format!(
                    "unknown fault {s:?}; one of timeout, server_error, failed, lost_answer"
                ))
            }
        })
    }
}

/// "The `nth` call of `operation` gets `fault`" (counting from 1, every call that reaches the
/// operation counted).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FaultRule {
    pub operation: Operation,
    pub nth: u32,
    pub fault: Fault,
}

impl FromStr for FaultRule {
    type Err = String;

    /// `downloadOrder:2:timeout`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let parts: Vec<&str> = s.split(':').collect();
        let [operation, nth, fault] = parts.as_slice() else {
            return Err(format!(
                "{s:?}: a fault rule is OPERATION:NTH:FAULT, e.g. downloadOrder:2:timeout"
            ));
        };
        let nth: u32 = nth
            .parse()
            .ok()
            .filter(|n| *n >= 1)
            .ok_or_else(|| format!("{s:?}: NTH must be a whole number from 1"))?;
        Ok(FaultRule {
            operation: operation.parse()?,
            nth,
            fault: fault.parse()?,
        })
    }
}

/// Probabilities (0 to 1) of each fault on any call, drawn from a seeded generator.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct FaultRates {
    pub timeout: f64,
    pub server_error: f64,
    pub failed: f64,
    pub lost_answer: f64,
}

/// Latency and faults.
#[derive(Debug, Clone, PartialEq)]
pub struct FaultPlan {
    /// Added to every answer.
    pub latency: Duration,
    /// A random extra of up to this much, on top of `latency`.
    pub jitter: Duration,
    pub rules: Vec<FaultRule>,
    pub rates: FaultRates,
    /// The seed of the random draws (latency jitter and rates).
    pub seed: u64,
    /// How long a timeout or a lost answer holds the answer back; longer than the clients'
    /// timeout.
    pub stall: Duration,
}

impl Default for FaultPlan {
    fn default() -> Self {
        Self {
            latency: Duration::ZERO,
            jitter: Duration::ZERO,
            rules: vec![],
            rates: FaultRates::default(),
            seed: 1,
            stall: Duration::from_secs(15),
        }
    }
}

/// Counts calls and draws faults.
pub(crate) struct FaultState {
    plan: FaultPlan,
    calls: HashMap<Operation, u32>,
    rng: StdRng,
}

impl FaultState {
    pub(crate) fn new(plan: FaultPlan) -> Self {
        let rng = StdRng::seed_from_u64(plan.seed);
        Self {
            plan,
            calls: HashMap::new(),
            rng,
        }
    }

    /// Counts a call of `operation`; its fault, if any, and the latency to add.
    pub(crate) fn next(&mut self, operation: Operation) -> (Option<Fault>, Duration) {
        let n = self.calls.entry(operation).or_insert(0);
        *n += 1;
        let n = *n;
        let jitter = if self.plan.jitter.is_zero() {
            Duration::ZERO
        } else {
            self.plan.jitter.mul_f64(self.rng.gen::<f64>())
        };
        let latency = self.plan.latency + jitter;
        if let Some(rule) = self
            .plan
            .rules
            .iter()
            .find(|r| r.operation == operation && r.nth == n)
        {
            return (Some(rule.fault), latency);
        }
        let r = self.plan.rates;
        let draw: f64 = self.rng.gen();
        let mut edge = 0.0;
        for (rate, fault) in [
            (r.timeout, Fault::Timeout),
            (r.server_error, Fault::ServerError),
            (r.failed, Fault::Failed),
            (r.lost_answer, Fault::LostAnswer),
        ] {
            edge += rate;
            if draw < edge {
                return (Some(fault), latency);
            }
        }
        (None, latency)
    }

    pub(crate) fn stall(&self) -> Duration {
        self.plan.stall
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_parse_and_fire_on_their_call() {
        let rule: FaultRule = "downloadOrder:2:timeout".parse().unwrap();
        assert_eq!(rule.operation, Operation::DownloadOrder);
        assert!("downloadOrder:0:timeout".parse::<FaultRule>().is_err());
        assert!("nothing:1:timeout".parse::<FaultRule>().is_err());
        assert!("downloadOrder:1:boom".parse::<FaultRule>().is_err());
        let mut s = FaultState::new(FaultPlan {
            rules: vec![rule],
            ..FaultPlan::default()
        });
        assert_eq!(s.next(Operation::DownloadOrder).0, None);
        assert_eq!(s.next(Operation::ConfirmOrder).0, None);
        assert_eq!(s.next(Operation::DownloadOrder).0, Some(Fault::Timeout));
        assert_eq!(s.next(Operation::DownloadOrder).0, None);
    }

    #[test]
    fn rates_are_reproducible_and_near_their_value() {
        let plan = FaultPlan {
            rates: FaultRates {
                server_error: 0.2,
                ..FaultRates::default()
            },
            seed: 7,
            ..FaultPlan::default()
        };
        let draw = |plan: &FaultPlan| {
            let mut s = FaultState::new(plan.clone());
            (0..1000)
                .map(|_| s.next(Operation::BundleGranted).0)
                .collect::<Vec<_>>()
        };
        let a = draw(&plan);
        assert_eq!(a, draw(&plan));
        let errors = a.iter().filter(|f| **f == Some(Fault::ServerError)).count();
        assert!((150..250).contains(&errors), "{errors}");
        assert!(a
            .iter()
            .all(|f| matches!(f, None | Some(Fault::ServerError))));
    }
}
