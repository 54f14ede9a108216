//! Everything the active commands need from the machine, behind small
//! traits, passed down as one value: [`Env`].
//!
//! | field | trait | real implementation | what it does |
//! |---|---|---|---|
//! | `udp` | [`Network`] | [`Udp`] | connected UDP sockets (IKE probes) |
//! | `dns` | [`Resolver`] | [`SystemResolver`] | the hosts file, and one DNS query per record type |
//! | `routes` | [`Routes`] | [`SystemRoutes`] | the outgoing interface and its MTU |
//! | `df` | [`DfTransports`] | [`SystemDf`] | Don't-Fragment transports of the path-MTU search: ICMP echo (Linux ping/raw sockets with the error queue, Windows ICMP API) and padded IKE_SA_INIT |
//! | `registry` | [`Registry`] | [`SystemRegistry`] | HKLM reads (Windows) |
//! | `events` | [`EventLogs`] | [`SystemEventLogs`] | the VPN client's event logs (Windows, `wevtutil`) |
//! | `clock` | [`Clock`] | [`SystemClock`] | the time, for round trips and budgets |
//!
//! Every trait is `Sync`, so one `&Env` serves the threads `check` runs side
//! by side. Tests build an `Env` from scripted parts on top of
//! [`Env::offline`], whose parts all refuse (no test reaches the machine by
//! accident), and a [`ManualClock`] that only moves when told to (a
//! scripted network moves it to each deadline it waits out).

#![forbid(unsafe_code)]

use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::diagnose::CouldNotRun;
use crate::events::attempt::Attempt;

pub use crate::local::registry::{NoRegistry, Registry, RegistryError, SystemRegistry};
pub use crate::probe::mtu::iface::{Routes, SystemRoutes};
pub use crate::probe::mtu::{DfTransports, SystemDf};
pub use crate::probe::net::{Network, Udp};
pub use crate::resolve::{Resolver, SystemResolver};

/// This machine's VPN connection attempts, from its Windows event logs
/// (`check --local-events`).
pub trait EventLogs: Sync {
    /// The most recent attempt of the last `hours`; `Ok(None)` when the
    /// window holds none.
    fn last_attempt(&self, hours: f64) -> Result<Option<Attempt>, CouldNotRun>;
}

/// The logs of this machine, read with `wevtutil` ([`crate::events`]).
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemEventLogs;

impl EventLogs for SystemEventLogs {
    fn last_attempt(&self, hours: f64) -> Result<Option<Attempt>, CouldNotRun> {
        crate::events::last_local_attempt(hours)
            .map_err(|why| CouldNotRun::new(std::io::Error::other(why)))
    }
}

/// The time, as the probes see it.
pub trait Clock: Sync {
    fn now(&self) -> Instant;

    /// Waits `d` (pacing between probes); a [`ManualClock`] only moves.
    fn sleep(&self, d: Duration) {
        std::thread::sleep(d);
    }
}

/// The operating system's monotonic clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Instant {
        Instant::now()
    }
}

/// A clock that stands still until moved: scripted tests get exact,
/// repeatable times (a dead port costs exactly its retransmission budget).
#[derive(Debug)]
pub struct ManualClock {
    start: Instant,
    offset: Mutex<Duration>,
}

impl Default for ManualClock {
    fn default() -> Self {
        ManualClock {
            start: Instant::now(),
            offset: Mutex::new(Duration::ZERO),
        }
    }
}

impl ManualClock {
    /// Time since the clock was made.
    pub fn elapsed(&self) -> Duration {
        *self.offset.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn advance(&self, by: Duration) {
        let mut offset = self.offset.lock().unwrap_or_else(|p| p.into_inner());
        *offset += by;
    }

    /// Moves the clock to `deadline` unless it is already past it.
    pub fn advance_to(&self, deadline: Instant) {
        let mut offset = self.offset.lock().unwrap_or_else(|p| p.into_inner());
        let now = self.start + *offset;
        if deadline > now {
            *offset += deadline - now;
        }
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Instant {
        self.start + self.elapsed()
    }

    fn sleep(&self, d: Duration) {
        self.advance(d);
    }
}

/// The machine as the active commands use it. See the module documentation.
#[derive(Clone, Copy)]
pub struct Env<'a> {
    pub udp: &'a dyn Network,
    pub dns: &'a dyn Resolver,
    pub routes: &'a dyn Routes,
    pub df: &'a dyn DfTransports,
    pub registry: &'a dyn Registry,
    pub events: &'a dyn EventLogs,
    pub clock: &'a dyn Clock,
}

impl std::fmt::Debug for Env<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Env")
    }
}

impl Env<'static> {
    /// This machine: real sockets, resolver, routes, registry and clock.
    pub fn system() -> Env<'static> {
        Env {
            udp: &Udp,
            dns: &SystemResolver,
            routes: &SystemRoutes,
            df: &SystemDf,
            registry: &SystemRegistry,
            events: &SystemEventLogs,
            clock: &SystemClock,
        }
    }

    /// An environment in which everything refuses with an error that says
    /// so (and the clock is the system's): the base tests put their
    /// scripted parts on, so nothing reaches the machine unasked.
    pub fn offline() -> Env<'static> {
        Env {
            udp: &Offline,
            dns: &Offline,
            routes: &Offline,
            df: &Offline,
            registry: &NoRegistry,
            events: &Offline,
            clock: &SystemClock,
        }
    }
}

/// Every part of an [`Env::offline`] but the registry ([`NoRegistry`]): refuses.
#[derive(Debug, Default, Clone, Copy)]
pub struct Offline;

fn offline_io() -> std::io::Error {
    std::io::Error::new(
        std::io::ErrorKind::Unsupported,
        "offline test environment: no network, resolver, routes or registry",
    )
}

impl Network for Offline {
    fn open(
        &self,
        peer: SocketAddr,
        _: crate::probe::net::Options,
    ) -> Result<Box<dyn crate::probe::net::Conn>, crate::probe::net::NetError> {
        Err(crate::probe::net::NetError::Open {
            peer,
            source: offline_io(),
        })
    }
}

impl Resolver for Offline {
    fn hosts_file(&self) -> Option<crate::resolve::HostsFile> {
        None
    }

    fn query(
        &self,
        _: &str,
        _: crate::diagnose::dns::RecordType,
        _: Duration,
    ) -> Result<Vec<crate::diagnose::dns::DnsAnswer>, crate::diagnose::dns::LookupFailure> {
        Err(crate::diagnose::dns::LookupFailure::NoServer {
            detail: "offline test environment".to_owned(),
        })
    }
}

impl EventLogs for Offline {
    fn last_attempt(&self, _: f64) -> Result<Option<Attempt>, CouldNotRun> {
        Err(CouldNotRun::new(offline_io()))
    }
}

impl Routes for Offline {
    fn outgoing(
        &self,
        target: IpAddr,
    ) -> Result<crate::diagnose::mtu::Outgoing, crate::probe::mtu::iface::RouteError> {
        Err(crate::probe::mtu::iface::RouteError::NoRoute {
            target,
            source: offline_io(),
        })
    }
}

impl DfTransports for Offline {
    fn icmp_echo(
        &self,
        target: IpAddr,
    ) -> Result<Box<dyn crate::probe::mtu::driver::SizedProbe>, crate::probe::mtu::icmp::OpenError>
    {
        Err(crate::probe::mtu::icmp::OpenError::Socket {
            op: "open an ICMP socket for",
            target,
            source: offline_io(),
        })
    }

    fn ike(
        &self,
        peer: SocketAddr,
    ) -> Result<Box<dyn crate::probe::mtu::driver::SizedProbe>, crate::probe::mtu::ike::IkeOpenError>
    {
        Err(crate::probe::mtu::ike::IkeOpenError::Socket {
            op: "open a UDP socket towards",
            peer,
            source: offline_io(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_clock_moves_only_when_told() {
        let c = ManualClock::default();
        let t0 = c.now();
        assert_eq!(c.now(), t0);
        c.advance(Duration::from_millis(250));
        assert_eq!(c.now() - t0, Duration::from_millis(250));
        c.advance_to(t0 + Duration::from_secs(2));
        assert_eq!(c.elapsed(), Duration::from_secs(2));
        // Never backwards.
        c.advance_to(t0);
        assert_eq!(c.elapsed(), Duration::from_secs(2));
    }

    #[test]
    fn the_offline_environment_refuses_everything() {
        let env = Env::offline();
        let peer: SocketAddr = "198.18.2.2:500".parse().unwrap();
        assert!(env.udp.open(peer, Default::default()).is_err());
        assert!(env.routes.outgoing(peer.ip()).is_err());
        assert!(env.df.icmp_echo(peer.ip()).is_err());
        assert!(env.registry.key_exists("SYSTEM").is_err());
        assert!(env.dns.hosts_file().is_none());
        assert!(env.events.last_attempt(24.0).is_err());
    }
}
