//! `aovpn-diag mtu`: resolve the server, measure the path MTU to each
//! address with ICMP echo or IKE_SA_INIT probes, print, pick the exit code.

use std::net::IpAddr;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use aovpn_diag::cli::MtuArgs;
use aovpn_diag::diagnose::dns;
use aovpn_diag::diagnose::mtu::{Measurement, findings};
use aovpn_diag::env::Env;
use aovpn_diag::exit::ErrorCode;
use aovpn_diag::finding::sort_by_severity;
use aovpn_diag::probe::mtu::{self, MAX_PROBES, MeasureOptions};
use aovpn_diag::report::mtu::{View, write_human};
use aovpn_diag::report::{ErrorReport, Status};
use aovpn_diag::resolve::resolve;

use super::{Ctx, Failure, Outcome};

pub fn run(args: &MtuArgs, ctx: &mut Ctx) -> Outcome {
    let target = &args.target;
    let env = Env::system();
    let resolution = resolve(&env, &target.host, target.family(), target.timeout())?;
    let mut measurements = Vec::new();
    for &address in &resolution.addresses {
        if measurements
            .iter()
            .any(|m: &Measurement| m.address == address)
        {
            continue;
        }
        measurements.push(measure(&env, args, address, ctx)?);
    }
    let mut all = dns::findings(&resolution);
    for m in &measurements {
        all.extend(findings(m));
    }
    sort_by_severity(&mut all);
    let view = View {
        host: &target.host,
        targets: &measurements,
        findings: &all,
    };
    // ICMP that nobody answers measured nothing: the check could not run.
    let unmeasurable = measurements.iter().all(Measurement::icmp_unanswered);
    let error = unmeasurable.then(|| {
        ErrorReport::new(
            ErrorCode::NothingMeasured,
            format!(
                "no address of {} answered ICMP echo at any size: the path MTU was not measured",
                target.host
            ),
        )
    });
    let status = Status::new(&all, error.as_ref());
    let detail = ctx.detail;
    ctx.emit(status, &view.json(), |out| write_human(out, &view, detail))
}

fn measure(env: &Env, args: &MtuArgs, address: IpAddr, ctx: &Ctx) -> Result<Measurement, Failure> {
    let opts = MeasureOptions {
        ike_port: args.ike.then_some(args.port),
        min: args.min,
        max: args.max,
        tries: args.tries,
        timeout: args.target.timeout(),
    };
    let bar = progress_bar(args, ctx, address);
    let measured = mtu::measure(env, address, &opts, &mut |s| {
        if let Some(bar) = &bar {
            let (passed, failed) = s.bracket();
            bar.set_position(s.probes().len() as u64);
            bar.set_message(format!(
                "passes {} / fails {}",
                passed.map_or("-".into(), |p| p.to_string()),
                failed.map_or("-".into(), |f| f.to_string())
            ));
        }
    });
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    Ok(measured?)
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
