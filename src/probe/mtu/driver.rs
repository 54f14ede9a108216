//! Runs the pure path-MTU [`Search`] against a real transport.
//!
//! The transport sits behind [`SizedProbe`] so the loop is tested with a
//! scripted fake (below) and the same loop drives ICMP echo and IKE probes.

use std::net::IpAddr;
use std::time::Duration;

use super::search::{Outcome, Search, SearchResult, Step};
pub use crate::diagnose::mtu::Method;

/// A transport that sends one Don't-Fragment packet of an exact IP size and
/// reports its fate.
pub trait SizedProbe {
    fn method(&self) -> Method;

    fn target(&self) -> IpAddr;

    /// Bytes of headers between the IP packet size and what the user of the
    /// transport thinks in (ICMP: IP + ICMP header, so `size - overhead` is
    /// the `ping -s` payload).
    fn overhead(&self) -> u16;

    /// Sends one packet whose whole IP packet is `size` bytes with DF set and
    /// waits at most `wait` for the reply or an error about it.
    fn probe(&mut self, size: u16, wait: Duration) -> Result<Outcome, ProbeError>;

    /// Replies to earlier probes that came after their wait, seen since the
    /// last call (while waiting for a later probe): `(size, round trip)`.
    /// Only a transport that tells its probes apart (ICMP sequence numbers,
    /// IKE SPIs) can say; the default is none.
    fn late_replies(&mut self) -> Vec<(u16, Duration)> {
        Vec::new()
    }
}

/// A probe that could not be sent or waited for at all (as opposed to one
/// that was lost, which is an [`Outcome`]).
#[derive(Debug, thiserror::Error)]
pub enum ProbeError {
    #[error("no route to {target}: {source} (check the network connection and routing table)")]
    NoRoute {
        target: IpAddr,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot {op} {target}: {source}")]
    Io {
        op: &'static str,
        target: IpAddr,
        #[source]
        source: std::io::Error,
    },
    /// The size asked for cannot hold the headers of a probe.
    #[error("a {size}-byte packet to {target} cannot hold the IP and probe headers")]
    TooSmall { target: IpAddr, size: u16 },
    #[error("cannot build the IKE probe for {target}: {source}")]
    Build {
        target: IpAddr,
        #[source]
        source: crate::wire::ike::builder::BuildError,
    },
    /// A UDP transport failed (the IKE transport outside Linux).
    #[error(transparent)]
    Net(#[from] crate::probe::net::NetError),
}

/// Drives `search` with `transport` until it ends. `clock` gives the time since
/// the search began; `observe` sees the search after every recorded probe
/// (progress bars). Bounded by the search's own probe and time budgets.
pub fn run(
    mut search: Search,
    transport: &mut dyn SizedProbe,
    clock: &dyn Fn() -> Duration,
    observe: &mut dyn FnMut(&Search),
) -> Result<SearchResult, ProbeError> {
    loop {
        match search.next(clock()) {
            Step::Done(result) => return Ok(result),
            Step::Probe { size, wait } => {
                let outcome = transport.probe(size, wait)?;
                search.record(size, outcome, clock());
                for (size, rtt) in transport.late_replies() {
                    search.record_late(size, rtt);
                }
                observe(&search);
            }
        }
    }
}

#[cfg(test)]
pub mod fake {
    //! A scripted transport with a virtual clock, for driver and command tests.

    use std::collections::VecDeque;
    use std::sync::Arc;

    use super::*;
    use crate::env::ManualClock;

    /// Replays path behaviour: `respond(size)` decides each outcome unless a
    /// scripted outcome is queued; lost probes advance the clock by the wait.
    pub struct ScriptedPath {
        pub target: IpAddr,
        pub method: Method,
        pub clock: Arc<ManualClock>,
        pub script: VecDeque<Result<Outcome, ProbeError>>,
        pub respond: Box<dyn FnMut(u16) -> Outcome>,
        pub sent: Vec<(u16, Duration)>,
    }

    impl SizedProbe for ScriptedPath {
        fn method(&self) -> Method {
            self.method
        }
        fn target(&self) -> IpAddr {
            self.target
        }
        fn overhead(&self) -> u16 {
            28
        }
        fn probe(&mut self, size: u16, wait: Duration) -> Result<Outcome, ProbeError> {
            self.sent.push((size, wait));
            let outcome = match self.script.pop_front() {
                Some(scripted) => scripted?,
                None => (self.respond)(size),
            };
            let spent = match outcome {
                Outcome::Lost => wait,
                Outcome::Reply { rtt } => rtt,
                _ => Duration::from_micros(500),
            };
            self.clock.advance(spent);
            Ok(outcome)
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::fake::ScriptedPath;
    use super::*;
    use crate::probe::mtu::search::{End, SearchConfig};

    fn cfg() -> SearchConfig {
        SearchConfig {
            floor: 576,
            ceiling: 1500,
            tries: 3,
            max_probes: 40,
            max_time: Duration::from_secs(20),
            timeout: Duration::from_secs(2),
            min_wait: Duration::from_millis(200),
        }
    }

    fn path(respond: impl FnMut(u16) -> Outcome + 'static) -> ScriptedPath {
        ScriptedPath {
            target: "198.18.2.2".parse().unwrap(),
            method: Method::IcmpRaw,
            clock: Arc::default(),
            script: Default::default(),
            respond: Box::new(respond),
            sent: Vec::new(),
        }
    }

    #[test]
    fn drives_the_search_to_the_path_mtu_with_adaptive_waits() {
        let mut p = path(|size| {
            if size <= 1400 {
                Outcome::Reply {
                    rtt: Duration::from_millis(1),
                }
            } else {
                Outcome::Lost
            }
        });
        let clock = p.clock.clone();
        let mut observed = 0;
        let result = run(
            Search::new(cfg()).unwrap(),
            &mut p,
            &|| clock.elapsed(),
            &mut |_| observed += 1,
        )
        .unwrap();
        assert_eq!(result.end, End::Found { path_mtu: 1400 });
        assert!(result.black_hole);
        assert_eq!(observed, p.sent.len());
        // Only the very first probe waits the full timeout; once a round trip
        // is known the waits drop to the minimum.
        assert_eq!(p.sent[0].1, Duration::from_secs(2));
        assert!(
            p.sent[1..]
                .iter()
                .all(|&(_, w)| w == Duration::from_millis(200))
        );
        assert!(
            clock.elapsed() < Duration::from_secs(4),
            "{:?}",
            clock.elapsed()
        );
    }

    #[test]
    fn a_transport_failure_stops_the_search_with_the_error() {
        let mut p = path(|_| Outcome::Reply {
            rtt: Duration::from_millis(1),
        });
        p.script.push_back(Ok(Outcome::Reply {
            rtt: Duration::from_millis(1),
        }));
        p.script.push_back(Err(ProbeError::NoRoute {
            target: p.target,
            source: std::io::Error::from_raw_os_error(101),
        }));
        let clock = p.clock.clone();
        let err = run(
            Search::new(cfg()).unwrap(),
            &mut p,
            &|| clock.elapsed(),
            &mut |_| {},
        )
        .unwrap_err();
        assert!(matches!(err, ProbeError::NoRoute { .. }));
        assert_eq!(p.sent.len(), 2);
    }

    #[test]
    fn echo_blocked_path_ends_after_the_floor_tries() {
        let mut p = path(|_| Outcome::Lost);
        let clock = p.clock.clone();
        let result = run(
            Search::new(cfg()).unwrap(),
            &mut p,
            &|| clock.elapsed(),
            &mut |_| {},
        )
        .unwrap();
        assert_eq!(result.end, End::NoAnswer);
        assert_eq!(p.sent.len(), 3);
    }
}
