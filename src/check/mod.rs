//! `check`: every test a helpdesk needs for error 809, in order, ending in
//! one verdict, one cause and one remedy.
//!
//! The order follows the connection itself: DNS, IKE_SA_INIT on UDP 500 and
//! 4500, IKEv2 fragmentation offered, fragments toward the server, path MTU,
//! proposals. The probe (UDP) and the path-MTU search (ICMP) run at the same
//! time: neither disturbs the other (the MTU search sets its own DF/probe
//! mode per socket and ignores the kernel's cached path MTU).
//!
//! I/O is done by the `probe` layer and by a caller-supplied MTU measurer,
//! so the judgement in [`steps`] and [`cause`] stays pure and testable.

#![forbid(unsafe_code)]

pub mod cause;
pub mod steps;

use std::net::IpAddr;
use std::time::{Duration, Instant};

use crate::events::attempt::Attempt;
use crate::finding::{Finding, Verdict, sort_by_severity};
use crate::local::rras::{self, RrasReading};
use crate::probe::mtu_findings::Measurement;
use crate::probe::net::Network;
use crate::probe::{self, Config, TargetResult};
use crate::resolve::{self, Family, Resolution, ResolveError};

pub use cause::{Cause, most_likely_cause};
pub use steps::{Step, StepStatus};

/// What to test.
#[derive(Debug, Clone)]
pub struct Options {
    pub family: Family,
    /// DNS deadline and per-reply wait of every probe.
    pub timeout: Duration,
    /// The probe configuration (fragment test size, proposal check).
    pub probe: Config,
    /// Measure the path MTU.
    pub mtu: bool,
    /// Read the RRAS registry settings of this machine.
    pub local_rras: bool,
    /// Read this machine's RasClient events (last 24 hours).
    pub local_events: bool,
}

/// The window of `--local-events`.
pub const LOCAL_EVENTS_HOURS: f64 = 24.0;

/// The outcome of the MTU step for one address: a measurement, or why it
/// could not be taken (no permission for ICMP sockets, no route).
pub type MtuOutcome = Result<Measurement, String>;

/// Everything the tests observed, before judgement.
#[derive(Debug)]
pub struct Observations {
    pub host: String,
    /// `Err` holds the resolver's explanation (unknown host, timeout).
    pub resolution: Result<Resolution, String>,
    pub dns_time: Duration,
    pub probes: Vec<TargetResult>,
    pub probe_time: Duration,
    pub mtu: Vec<(IpAddr, MtuOutcome)>,
    pub mtu_time: Duration,
    /// `None` when not asked for.
    pub rras: Option<Result<RrasReading, String>>,
    /// The last VPN attempt in this machine's events; `None` when not asked
    /// for, `Ok(None)` when the window holds none.
    pub last_attempt: Option<Result<Option<Attempt>, String>>,
    /// The fragment test was asked for (it is skipped when turned off).
    pub frag_test: bool,
}

/// Runs every test. Only a malformed name is an error (exit 2); every other
/// failure is an observation the judgement turns into findings.
pub fn observe(
    host: &str,
    opts: &Options,
    network: &mut dyn Network,
    measure_mtu: &(dyn Fn(IpAddr) -> MtuOutcome + Sync),
) -> Result<Observations, ResolveError> {
    let started = Instant::now();
    let resolution = match resolve::resolve(host, opts.family, opts.timeout) {
        Ok(r) => Ok(r),
        Err(e @ ResolveError::InvalidName { .. }) => return Err(e),
        Err(e) => Err(e.to_string()),
    };
    let dns_time = started.elapsed();
    let addresses: Vec<IpAddr> = resolution
        .as_ref()
        .map(|r| r.addresses.clone())
        .unwrap_or_default();

    let (probes, probe_time, mtu, mtu_time) = std::thread::scope(|scope| {
        let mtu_thread = opts.mtu.then(|| {
            let addresses = addresses.clone();
            scope.spawn(move || {
                let t = Instant::now();
                let results: Vec<(IpAddr, MtuOutcome)> =
                    addresses.iter().map(|a| (*a, measure_mtu(*a))).collect();
                (results, t.elapsed())
            })
        });
        let t = Instant::now();
        let probes: Vec<TargetResult> = addresses
            .iter()
            .map(|a| probe::probe_address(network, *a, &opts.probe))
            .collect();
        let probe_time = t.elapsed();
        let (mtu, mtu_time) = match mtu_thread.map(|h| h.join()) {
            Some(Ok(done)) => done,
            Some(Err(_)) => (
                addresses
                    .iter()
                    .map(|a| {
                        (
                            *a,
                            Err("the path-MTU search stopped unexpectedly".to_owned()),
                        )
                    })
                    .collect(),
                Duration::ZERO,
            ),
            None => (Vec::new(), Duration::ZERO),
        };
        (probes, probe_time, mtu, mtu_time)
    });

    let rras = opts
        .local_rras
        .then(|| rras::read().map_err(|e| e.to_string()));

    let last_attempt = opts
        .local_events
        .then(|| crate::events::last_local_attempt(LOCAL_EVENTS_HOURS));

    Ok(Observations {
        host: host.to_owned(),
        resolution,
        dns_time,
        probes,
        probe_time,
        mtu,
        mtu_time,
        rras,
        last_attempt,
        frag_test: opts.probe.frag_size.is_some(),
    })
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
