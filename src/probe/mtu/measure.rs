//! One path-MTU measurement towards one address, end to end: find the
//! outgoing interface (the ceiling), open the transport (ICMP echo, or
//! padded IKE_SA_INIT for `--ike`), run the search, package the result.
//! Shared by `mtu` and `check`; the pure search lives in [`super::search`].

use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use super::driver::{self, Method, ProbeError, SizedProbe};
use super::icmp::{self, OpenError};
use super::iface::{self, RouteError};
use super::ike::{self as ike_probe, IkeOpenError};
use super::search::{ConfigError, Search, SearchConfig};
use crate::Exit;
use crate::diagnose::mtu::Measurement;

/// Hard cap on probes per address: a black-hole search with 3 tries needs
/// about 25; the cap only stops a pathological path.
pub const MAX_PROBES: u32 = 64;
/// Shortest wait once a round trip is known (see `SearchConfig::min_wait`).
const MIN_WAIT: Duration = Duration::from_millis(250);
/// Time cap per address, raised when tries x timeout asks for more.
const MAX_TIME: Duration = Duration::from_secs(30);

/// How to measure.
#[derive(Debug, Clone, Copy)]
pub struct MeasureOptions {
    /// `Some(port)`: padded IKE_SA_INIT to this UDP port instead of ICMP echo.
    pub ike_port: Option<u16>,
    /// Smallest and largest IP packet size to test; defaults: the family
    /// minimum (576 / 1280) and the outgoing interface MTU.
    pub min: Option<u16>,
    pub max: Option<u16>,
    /// Probes per size before a silent size counts as too big.
    pub tries: u8,
    /// Wait for each reply.
    pub timeout: Duration,
}

#[derive(Debug, thiserror::Error)]
pub enum MeasureError {
    #[error(
        "--min {floor} is larger than the largest size to test ({ceiling}); the search needs min <= max"
    )]
    Bounds { floor: u16, ceiling: u16 },
    #[error(transparent)]
    Route(#[from] RouteError),
    #[error(transparent)]
    Icmp(#[from] OpenError),
    #[error(transparent)]
    Ike(#[from] IkeOpenError),
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Probe(#[from] ProbeError),
}

impl MeasureError {
    /// Bad bounds are the user's input (2); everything else means the
    /// measurement could not run here (3).
    pub fn exit(&self) -> Exit {
        match self {
            MeasureError::Bounds { .. } | MeasureError::Config(_) => Exit::Input,
            _ => Exit::CannotRun,
        }
    }
}

/// Measures the path MTU to `address`. `observe` sees the search after
/// every probe (progress bars).
pub fn measure(
    address: IpAddr,
    opts: &MeasureOptions,
    observe: &mut dyn FnMut(&Search),
) -> Result<Measurement, MeasureError> {
    let (interface, ceiling) = match (iface::outgoing(address), opts.max) {
        (Ok(o), max) => {
            let ceiling = max.unwrap_or(o.mtu);
            (Some(o), ceiling)
        }
        (Err(e @ RouteError::NoRoute { .. }), _) => return Err(e.into()),
        (Err(_), Some(max)) => (None, max),
        (Err(e), None) => return Err(e.into()),
    };
    let mut floor = opts.min.unwrap_or(SearchConfig::default_floor(&address));
    if floor > ceiling {
        if opts.min.is_some() || opts.max.is_some() {
            return Err(MeasureError::Bounds { floor, ceiling });
        }
        // An interface narrower than the family minimum: test just that.
        floor = ceiling;
    }
    let mut transport: Box<dyn SizedProbe> = match opts.ike_port {
        Some(port) => ike_probe::open(SocketAddr::new(address, port))?,
        None => icmp::open(address)?,
    };
    let cfg = SearchConfig {
        floor,
        ceiling,
        tries: opts.tries,
        max_probes: MAX_PROBES,
        max_time: MAX_TIME.max(opts.timeout * u32::from(opts.tries) * 2),
        timeout: opts.timeout,
        min_wait: MIN_WAIT,
    };
    let search = Search::new(cfg)?;
    let started = Instant::now();
    let result = driver::run(search, transport.as_mut(), &|| started.elapsed(), observe)?;
    Ok(Measurement {
        address,
        method: transport.method(),
        port: (transport.method() == Method::Ike)
            .then_some(opts.ike_port)
            .flatten(),
        interface,
        floor,
        ceiling,
        overhead: transport.overhead(),
        result,
    })
}
