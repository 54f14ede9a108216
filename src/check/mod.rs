//! `check`: every test a helpdesk needs for error 809, in order, ending in
//! one verdict, one cause and one remedy.
//!
//! The order follows the connection itself: DNS, IKE_SA_INIT on UDP 500 and
//! 4500, IKEv2 fragmentation offered, fragments toward the server, path MTU,
//! proposals. What does not depend on each other runs at the same time:
//! every address of the server, and per address the IKE probes (which run
//! their own exchanges side by side, see [`crate::probe::ike`]) and the
//! path-MTU search over ICMP. Neither disturbs the other: the MTU search
//! sets its own DF/probe mode per socket and ignores the kernel's cached
//! path MTU, and ICMP echo costs the VPN server no IKE state. Only the IKE
//! fallback of the MTU search waits for the probes: it needs to know
//! whether UDP 500 answers at all, and it holds one of the address's
//! [`Responder`] IKE SA slots while it runs. Addresses of one family share
//! their SA count (they may be one server, which counts per peer address).
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
use crate::probe::ike::{self, Config, Responder};
use crate::probe::mtu::max_duration as mtu_max_duration;
use crate::resolve::{self, Family, ResolveError};

pub use crate::diagnose::check::{Judgement, LOCAL_EVENTS_HOURS, MtuOutcome, Observations, judge};
pub use mtu::{MTU_TRIES, PathMtuError, after_icmp, measure_icmp, measure_path_mtu};

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
    /// then the IKE probes ([`Config::max_duration`] per address: the
    /// addresses run side by side, but those of one family share their IKE
    /// SA slots, so count them one after another) beside the ICMP path-MTU
    /// searches (one [`mtu_max_duration`] each, side by side); then, per
    /// address whose echo got no answer, the IKE search on UDP 500 (one
    /// more [`mtu_max_duration`], after its own probes).
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
            })
        } else {
            return self.timeout + probes;
        };
        self.timeout + probes.max(mtu) + mtu
    }
}

/// Runs every test through `env`. Only a malformed name is an error (exit
/// 2); every other failure is an observation the judgement turns into
/// findings. See the module documentation for what runs side by side.
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
    let responders = Responder::for_addresses(&addresses, opts.probe.timing);

    let t = clock.now();
    let per_address: Vec<AddressObserved> = std::thread::scope(|scope| {
        let running: Vec<_> = responders
            .iter()
            .map(|r| scope.spawn(move || observe_address(env, r, opts)))
            .collect();
        running
            .into_iter()
            .zip(&addresses)
            .map(|(h, &a)| {
                h.join().unwrap_or_else(|_| {
                    let mtu = opts
                        .mtu
                        .then(|| (a, Err(CouldNotRun::new(PathMtuError::Stopped))));
                    (stopped_probe(a), since(t), mtu)
                })
            })
            .collect()
    });
    let probe_time = per_address
        .iter()
        .map(|(_, d, _)| *d)
        .max()
        .unwrap_or_default();
    let (mut probes, mtu): (Vec<TargetResult>, Vec<_>) =
        per_address.into_iter().map(|(p, _, m)| (p, m)).unzip();
    let mtu: Vec<(IpAddr, MtuOutcome)> = mtu.into_iter().flatten().collect();
    let mtu_time = if opts.mtu { since(t) } else { Duration::ZERO };
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

/// What [`observe_address`] returns: the probes, how long they took, and
/// the path MTU when it was measured.
type AddressObserved = (TargetResult, Duration, Option<(IpAddr, MtuOutcome)>);

/// The tests of one address: the IKE probes and, beside them, the ICMP
/// path-MTU search; then the IKE search if ICMP got no answer and UDP 500
/// did. Returns the probes, how long they took, and the path MTU.
fn observe_address(env: &Env, responder: &Responder, opts: &Options) -> AddressObserved {
    let a = responder.address();
    let t = env.clock.now();
    std::thread::scope(|scope| {
        let icmp = opts
            .mtu
            .then(|| scope.spawn(move || measure_icmp(env, a, opts.timeout)));
        let probe = ike::probe_address_with(env, responder, &opts.probe);
        let probe_time = env.clock.now().saturating_duration_since(t);
        let mtu = icmp.map(|h| {
            let udp500 = probe.error.is_none().then(|| probe.port_answered(500));
            let measured = match h.join() {
                Ok(icmp) => after_icmp(env, a, opts.timeout, icmp, udp500, Some(responder)),
                Err(_) => Err(PathMtuError::Stopped),
            };
            (a, measured.map_err(CouldNotRun::new))
        });
        (probe, probe_time, mtu)
    })
}

/// A probe thread ended without a result (a bug, never a hang).
#[derive(Debug, thiserror::Error)]
#[error("the IKE probes of {0} stopped unexpectedly")]
pub struct ProbesStopped(pub IpAddr);

fn stopped_probe(address: IpAddr) -> TargetResult {
    let mut t = TargetResult::new(address);
    t.error = Some(CouldNotRun::new(ProbesStopped(address)));
    t
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
    fn no_ike_path_mtu_search_when_udp_500_is_silent() {
        let mut server = FakeServer::new("aes256-sha256-modp2048");
        server.dropped_ports.insert(500);
        server.dropped_ports.insert(4500);
        let net = server.network();
        // Echo is dropped too: everything blocked.
        let path = Path::new(Some(false), Some(true));
        let env = Env {
            udp: &net,
            routes: &Eth0,
            df: &path,
            ..Env::offline()
        };
        let obs = observe(&env, "198.18.2.2", &options()).unwrap();
        assert!(!obs.probes[0].port_answered(500));
        assert_eq!(
            *path.opened.lock().unwrap(),
            [crate::diagnose::mtu::Method::IcmpRaw]
        );
        let m = obs.mtu[0].1.as_ref().unwrap();
        assert_eq!(m.result.end, crate::diagnose::mtu::End::NoAnswer);
        // UDP 500 answering (only echo dropped): IKE measures the path.
        let net = FakeServer::new("aes256-sha256-modp2048").network();
        let path = Path::new(Some(false), Some(true));
        let env = Env {
            udp: &net,
            routes: &Eth0,
            df: &path,
            ..Env::offline()
        };
        let obs = observe(&env, "198.18.2.2", &options()).unwrap();
        let m = obs.mtu[0].1.as_ref().unwrap();
        assert_eq!(m.method, crate::diagnose::mtu::Method::Ike);
        assert_eq!(m.result.path_mtu(), Some(1400));
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
