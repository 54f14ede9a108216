//! One path-MTU measurement towards one address, end to end: find the
//! outgoing interface (the ceiling), open the transport (ICMP echo, or
//! padded IKE_SA_INIT for `--ike`), run the search, package the result.
//! Shared by `mtu` and `check`; the pure search lives in [`super::search`].

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use super::driver::{self, Method, ProbeError, SizedProbe};
use super::icmp::OpenError;
use super::iface::RouteError;
use super::ike::IkeOpenError;
use super::search::{ConfigError, Search, SearchConfig};
use crate::diagnose::mtu::Measurement;
use crate::env::Env;

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

/// The search's time cap for `opts` (`MAX_TIME`, raised to twice
/// `tries x timeout` when that is longer): the longest one [`measure`] can
/// take, whatever the path and the target answer, since every wait is cut
/// to what remains of it (`search::Search::next`).
pub fn max_duration(opts: &MeasureOptions) -> Duration {
    MAX_TIME.max(opts.timeout * u32::from(opts.tries) * 2)
}

/// Measures the path MTU to `address` through `env` (routes, DF
/// transports, clock). `observe` sees the search after every probe
/// (progress bars).
pub fn measure(
    env: &Env,
    address: IpAddr,
    opts: &MeasureOptions,
    observe: &mut dyn FnMut(&Search),
) -> Result<Measurement, MeasureError> {
    let (interface, ceiling) = match (env.routes.outgoing(address), opts.max) {
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
        Some(port) => env.df.ike(SocketAddr::new(address, port))?,
        None => env.df.icmp_echo(address)?,
    };
    let cfg = SearchConfig {
        floor,
        ceiling,
        tries: opts.tries,
        max_probes: MAX_PROBES,
        max_time: max_duration(opts),
        timeout: opts.timeout,
        min_wait: MIN_WAIT,
    };
    let search = Search::new(cfg)?;
    let started = env.clock.now();
    let elapsed = || env.clock.now().saturating_duration_since(started);
    let result = driver::run(search, transport.as_mut(), &elapsed, observe)?;
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
