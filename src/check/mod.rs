//! `check`: every test a helpdesk needs for error 809, in order, ending in
//! one verdict, one cause and one remedy.
//!
//! The order follows the connection itself: DNS, IKE_SA_INIT on UDP 500 and
//! 4500, IKEv2 fragmentation offered, fragments toward the server, path MTU,
//! proposals. The probe (UDP) and the path-MTU search (ICMP) run at the same
//! time: neither disturbs the other (the MTU search sets its own DF/probe
//! mode per socket and ignores the kernel's cached path MTU).
//!
//! This module runs the tests ([`observe`]); the judgement of what they
//! observed is pure and lives in [`crate::diagnose::check`].

#![forbid(unsafe_code)]

pub mod mtu;

use std::net::IpAddr;
use std::time::{Duration, Instant};

use crate::diagnose::CouldNotRun;
use crate::diagnose::ike::TargetResult;
use crate::diagnose::ike::server_cert::MtuSource;
use crate::env::Env;
use crate::local::rras;
use crate::probe::ike::{self, Config};
use crate::probe::mtu::max_duration as mtu_max_duration;
use crate::resolve::{self, Family, ResolveError};

pub use crate::diagnose::check::{Judgement, LOCAL_EVENTS_HOURS, MtuOutcome, Observations, judge};
pub use mtu::{MTU_TRIES, PathMtuError, measure_path_mtu};

/// Re-sends of an unanswered IKE request in `check`: two, as `probe` does
/// by default.
pub const PROBE_RETRANSMITS: u8 = 2;

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
    /// Read this machine's RasClient events (last [`LOCAL_EVENTS_HOURS`]).
    pub local_events: bool,
    /// The server-cert step: `None` turned off; `Some(Err)` it cannot run
    /// here (no trusted roots), with the reason. When it can, its settings
    /// are in `probe.server_cert`.
    pub server_cert: Option<Result<(), CouldNotRun>>,
}

impl Options {
    /// The longest [`observe`] can take for a name with `addresses`
    /// addresses, whatever the servers do: name resolution (`timeout`),
    /// then the IKE probes ([`Config::max_duration`] per address) beside
    /// the path-MTU search (per address ICMP echo, then IKE on UDP 500 when
    /// ICMP got no answer: two searches of [`mtu_max_duration`] at most).
    pub fn max_duration(&self, addresses: usize) -> Duration {
        let n = u32::try_from(addresses).unwrap_or(u32::MAX);
        let probes = self.probe.max_duration() * n;
        let mtu = if self.mtu {
            mtu_max_duration(&crate::probe::mtu::MeasureOptions {
                ike_port: None,
                min: None,
                max: None,
                tries: MTU_TRIES,
                timeout: self.timeout,
            }) * 2
                * n
        } else {
            Duration::ZERO
        };
        self.timeout + probes.max(mtu)
    }
}

/// Runs every test through `env`. Only a malformed name is an error (exit
/// 2); every other failure is an observation the judgement turns into
/// findings. The IKE probes and the path-MTU search ([`measure_path_mtu`])
/// run side by side on two threads.
pub fn observe(env: &Env, host: &str, opts: &Options) -> Result<Observations, ResolveError> {
    let clock = env.clock;
    let since = |t: Instant| clock.now().saturating_duration_since(t);
    let started = clock.now();
    let resolution = match resolve::resolve(env, host, opts.family, opts.timeout) {
        Ok(r) => Ok(r),
        Err(e @ ResolveError::InvalidName { .. }) => return Err(e),
        Err(ResolveError::Dns(failure)) => Err(failure),
    };
    let dns_time = since(started);
    let addresses: Vec<IpAddr> = resolution
        .as_ref()
        .map(|r| r.addresses.clone())
        .unwrap_or_default();

    let (probes, probe_time, mtu, mtu_time) = std::thread::scope(|scope| {
        let mtu_thread = opts.mtu.then(|| {
            let addresses = addresses.clone();
            scope.spawn(move || {
                let t = clock.now();
                let results: Vec<(IpAddr, MtuOutcome)> = addresses
                    .iter()
                    .map(|&a| {
                        let m = measure_path_mtu(env, a, opts.timeout).map_err(CouldNotRun::new);
                        (a, m)
                    })
                    .collect();
                (results, since(t))
            })
        });
        let t = clock.now();
        let probes: Vec<TargetResult> = addresses
            .iter()
            .map(|a| ike::probe_address(env, *a, &opts.probe))
            .collect();
        let probe_time = since(t);
        let (mtu, mtu_time): (Vec<(IpAddr, MtuOutcome)>, Duration) =
            match mtu_thread.map(|h| h.join()) {
                Some(Ok(done)) => done,
                Some(Err(_)) => (
                    addresses
                        .iter()
                        .map(|a| (*a, Err(CouldNotRun::new(PathMtuError::Stopped))))
                        .collect(),
                    Duration::ZERO,
                ),
                None => (Vec::new(), Duration::ZERO),
            };
        (probes, probe_time, mtu, mtu_time)
    });
    let mut probes = probes;
    // The server-cert step counts IP fragments at the measured path MTU
    // where there is one, rather than at this machine's interface MTU.
    for t in &mut probes {
        let measured = mtu
            .iter()
            .find(|(a, _)| *a == t.address)
            .and_then(|(_, m)| m.as_ref().ok())
            .and_then(|m| m.result.path_mtu());
        if let (Some(f), Some(path)) = (t.server_cert.as_mut(), measured) {
            f.mtu = Some((path, MtuSource::Path));
        }
    }

    let rras = opts
        .local_rras
        .then(|| rras::read(env.registry).map_err(CouldNotRun::new));
    let last_attempt = opts
        .local_events
        .then(|| env.events.last_attempt(LOCAL_EVENTS_HOURS));

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
        server_cert: opts.server_cert.clone(),
    })
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::diagnose::check::StepStatus;
    use crate::finding::{Code, Verdict};
    use crate::probe::ike::Timing;
    use crate::probe::ike::fake::FakeServer;
    use crate::probe::mtu::fake::{Eth0, Path};

    fn options() -> Options {
        Options {
            family: Family::Any,
            timeout: Duration::from_millis(50),
            probe: Config::new(Timing {
                timeout: Duration::from_millis(50),
                retransmits: 1,
            }),
            mtu: true,
            local_rras: true,
            local_events: true,
            server_cert: None,
        }
    }

    fn step(j: &Judgement, name: &str) -> StepStatus {
        j.steps.iter().find(|s| s.name == name).unwrap().status
    }

    #[test]
    fn every_test_runs_through_the_environment() {
        let net = FakeServer::new("aes256-sha256-modp2048").network();
        let path = Path::new(Some(true), Some(true));
        let env = Env {
            udp: &net,
            routes: &Eth0,
            df: &path,
            ..Env::offline()
        };
        let obs = observe(&env, "198.18.2.2", &options()).unwrap();
        assert_eq!(obs.probes.len(), 1);
        assert!(obs.probes[0].port_answered(500) && obs.probes[0].port_answered(4500));
        let m = obs.mtu[0].1.as_ref().unwrap();
        assert_eq!(m.result.path_mtu(), Some(1400));
        // The scripted path drops what is above 1400 bytes without a word:
        // a black hole, the one problem on an otherwise healthy server.
        let j = judge(&obs);
        assert_eq!(j.verdict, Verdict::Problem);
        assert_eq!(j.cause.as_ref().map(|c| c.code), Some(Code::MtuBlackHole));
        assert_eq!(step(&j, "udp-500"), StepStatus::Ok);
        assert_eq!(step(&j, "path-mtu"), StepStatus::Problem);
        // The offline registry and event logs are no Windows ones: the
        // steps say why.
        assert_eq!(step(&j, "local-rras"), StepStatus::Skipped);
        assert_eq!(step(&j, "local-events"), StepStatus::Skipped);
    }

    #[test]
    fn an_unroutable_address_is_could_not_test() {
        let path = Path::new(None, None);
        let env = Env {
            df: &path,
            ..Env::offline()
        };
        let obs = observe(&env, "198.18.2.2", &options()).unwrap();
        let j = judge(&obs);
        assert!(j.could_not_test);
        assert_eq!(step(&j, "udp-500"), StepStatus::Skipped);
        assert!(obs.mtu[0].1.is_err());
    }
}
