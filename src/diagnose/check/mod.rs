//! The judgement of `check`: observations of every test in, one verdict,
//! the most likely cause, the findings and one line per step out. PURE:
//! `check::observe` gathers the [`Observations`] through the probes.

pub mod cause;
pub mod steps;

use std::net::IpAddr;
use std::time::Duration;

use crate::diagnose::CouldNotRun;
use crate::diagnose::dns::{DnsFailure, Resolution};
use crate::diagnose::ike::TargetResult;
use crate::diagnose::mtu::Measurement;
use crate::diagnose::rras::RrasReading;
use crate::events::attempt::Attempt;
use crate::finding::{Finding, Verdict, sort_by_severity};

pub use cause::{Cause, most_likely_cause};
pub use steps::{Step, StepStatus};

/// The outcome of the MTU step for one address: a measurement, or why it
/// could not be taken (no permission for ICMP sockets, no route).
pub type MtuOutcome = Result<Measurement, CouldNotRun>;

/// The window of `--local-events`, hours.
pub const LOCAL_EVENTS_HOURS: f64 = 24.0;

/// Everything the tests observed, before judgement.
#[derive(Debug)]
pub struct Observations {
    pub host: String,
    /// `Err`: neither the hosts file nor DNS gave an address, and why.
    pub resolution: Result<Resolution, DnsFailure>,
    pub dns_time: Duration,
    pub probes: Vec<TargetResult>,
    pub probe_time: Duration,
    pub mtu: Vec<(IpAddr, MtuOutcome)>,
    pub mtu_time: Duration,
    /// `None` when not asked for.
    pub rras: Option<Result<RrasReading, CouldNotRun>>,
    /// The last VPN attempt in this machine's events (`--local-events`);
    /// `None` when not asked for, `Ok(None)` when the window holds none.
    pub last_attempt: Option<Result<Option<Attempt>, CouldNotRun>>,
    /// The fragment test was asked for (it is skipped when turned off).
    pub frag_test: bool,
}

/// The judged result.
#[derive(Debug)]
pub struct Judgement {
    pub verdict: Verdict,
    pub cause: Option<Cause>,
    /// Worst first.
    pub findings: Vec<Finding>,
    pub steps: Vec<Step>,
    /// True when the essential tests could not run at all (exit 3).
    pub could_not_test: bool,
}

/// Turns observations into findings, steps and the most likely cause.
pub fn judge(obs: &Observations) -> Judgement {
    let mut findings = steps::findings(obs);
    let steps = steps::steps(obs, &findings);
    let cause = most_likely_cause(&findings);
    sort_by_severity(&mut findings);
    let could_not_test = obs.resolution.is_ok()
        && !obs.probes.is_empty()
        && obs.probes.iter().all(|p| p.error.is_some());
    Judgement {
        verdict: Verdict::from_findings(&findings),
        cause,
        findings,
        steps,
        could_not_test,
    }
}
