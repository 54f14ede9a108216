//! `aovpn-diag mtu`: resolve the server, measure the path MTU to each
//! address with ICMP echo or IKE_SA_INIT probes, print, pick the exit code.

use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use aovpn_diag::Exit;
use aovpn_diag::cli::MtuArgs;
use aovpn_diag::finding::sort_by_severity;
use aovpn_diag::probe::icmp;
use aovpn_diag::probe::iface::{self, RouteError};
use aovpn_diag::probe::mtu::{End, Search, SearchConfig};
use aovpn_diag::probe::mtu_driver::{self, Method, SizedProbe};
use aovpn_diag::probe::mtu_findings::{Measurement, findings};
use aovpn_diag::probe::mtu_ike;
use aovpn_diag::report::mtu::{View, write_human};
use aovpn_diag::report::write_json;
use aovpn_diag::resolve::resolve;

use super::{Ctx, Failure, Outcome};

/// Hard cap on probes per address: a black-hole search with 3 tries needs
/// about 25; the cap only stops a pathological path.
const MAX_PROBES: u32 = 64;
/// Shortest wait once a round trip is known (see `SearchConfig::min_wait`).
const MIN_WAIT: Duration = Duration::from_millis(250);
/// Time cap per address, raised when --tries x --timeout asks for more.
const MAX_TIME: Duration = Duration::from_secs(30);

pub fn run(args: &MtuArgs, ctx: &mut Ctx) -> Outcome {
    let target = &args.target;
    let resolution = resolve(&target.host, target.family(), target.timeout())
        .map_err(|e| Failure::new(e.exit(), e))?;
    let mut measurements = Vec::new();
    for &address in &resolution.addresses {
        if measurements
            .iter()
            .any(|m: &Measurement| m.address == address)
        {
            continue;
        }
        measurements.push(measure(args, address, ctx)?);
    }
    let mut all = Vec::new();
    for m in &measurements {
        all.extend(findings(m));
    }
    sort_by_severity(&mut all);
    let view = View {
        host: &target.host,
        targets: &measurements,
        findings: &all,
    };
    if ctx.json {
        write_json(ctx.out, "mtu", &view.json())?;
    } else {
        write_human(ctx.out, &view, ctx.detail)?;
    }
    // ICMP that nobody answers measured nothing: the check could not run.
    let unmeasurable = measurements
        .iter()
        .all(|m| m.method != Method::Ike && m.result.end == End::NoAnswer);
    if unmeasurable {
        Ok(Exit::CannotRun)
    } else {
        Ok(Exit::from(view.verdict()))
    }
}

fn measure(args: &MtuArgs, address: IpAddr, ctx: &Ctx) -> Result<Measurement, Failure> {
    let (interface, ceiling) = match (iface::outgoing(address), args.max) {
        (Ok(o), max) => {
            let ceiling = max.unwrap_or(o.mtu);
            (Some(o), ceiling)
        }
        (Err(e @ RouteError::NoRoute { .. }), _) => return Err(Failure::cannot_run(e)),
        (Err(_), Some(max)) => (None, max),
        (Err(e), None) => return Err(Failure::cannot_run(e)),
    };
    let mut floor = args.min.unwrap_or(SearchConfig::default_floor(&address));
    if floor > ceiling {
        if args.min.is_some() || args.max.is_some() {
            return Err(Failure::input(format!(
                "--min {floor} is larger than the largest size to test ({ceiling}); \
                 the search needs min <= max"
            )));
        }
        // An interface narrower than the family minimum: test just that.
        floor = ceiling;
    }
    let mut transport = open(args, address)?;
    let timeout = args.target.timeout();
    let cfg = SearchConfig {
        floor,
        ceiling,
        tries: args.tries,
        max_probes: MAX_PROBES,
        max_time: MAX_TIME.max(timeout * u32::from(args.tries) * 2),
        timeout,
        min_wait: MIN_WAIT,
    };
    let search = Search::new(cfg).map_err(Failure::input)?;
    let bar = progress_bar(args, ctx, address);
    let started = Instant::now();
    let result = mtu_driver::run(
        search,
        transport.as_mut(),
        &|| started.elapsed(),
        &mut |s| {
            if let Some(bar) = &bar {
                let (passed, failed) = s.bracket();
                bar.set_position(s.probes().len() as u64);
                bar.set_message(format!(
                    "passes {} / fails {}",
                    passed.map_or("-".into(), |p| p.to_string()),
                    failed.map_or("-".into(), |f| f.to_string())
                ));
            }
        },
    )
    .map_err(Failure::cannot_run)?;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    Ok(Measurement {
        address,
        method: transport.method(),
        port: (transport.method() == Method::Ike).then_some(args.port),
        interface,
        floor,
        ceiling,
        overhead: transport.overhead(),
        result,
    })
}

fn open(args: &MtuArgs, address: IpAddr) -> Result<Box<dyn SizedProbe>, Failure> {
    if args.ike {
        return mtu_ike::open(SocketAddr::new(address, args.port)).map_err(Failure::cannot_run);
    }
    icmp::open(address).map_err(Failure::cannot_run)
}

/// A bar on stderr for --progress; hidden when stderr is not a terminal.
fn progress_bar(args: &MtuArgs, ctx: &Ctx, address: IpAddr) -> Option<ProgressBar> {
    if !args.progress || ctx.detail.quiet {
        return None;
    }
    let bar =
        ProgressBar::with_draw_target(Some(u64::from(MAX_PROBES)), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template("{prefix} [{bar:24}] {pos} probes  {msg}  {elapsed}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.set_prefix(address.to_string());
    bar.enable_steady_tick(Duration::from_millis(200));
    Some(bar)
}
