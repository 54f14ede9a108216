//! `aovpn-diag lb`: resolve the VIP, run the rounds on every address,
//! search for the servers (with a progress bar on a terminal), judge, print.

use std::io::IsTerminal;
use std::net::IpAddr;
use std::time::Duration;

use aovpn_diag::cli::{LbArgs, Ranges, default_ranges};
use aovpn_diag::diagnose::lb::{self, search};
use aovpn_diag::diagnose::{dns, ike::proposals};
use aovpn_diag::env::Env;
use aovpn_diag::exit::ErrorCode;
use aovpn_diag::finding::sort_by_severity;
use aovpn_diag::probe::ike::Timing;
use aovpn_diag::probe::lb::{self as rounds, Config, SearchProgress};
use aovpn_diag::report::{self, ErrorReport, Status, lb::View};
use aovpn_diag::resolve;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::{Ctx, Failure, Outcome, exit};

/// Most `--snat-candidates` (each is tried at all 65,536 ports).
const MAX_SNAT_CANDIDATES: usize = 64;

/// The search's progress on stderr: a spinner with the count and rate.
struct Bar(ProgressBar);

impl SearchProgress for Bar {
    fn advance(&self, hashes: u64) {
        self.0.inc(hashes);
    }
}

fn bar(show: bool, vip: std::net::IpAddr) -> ProgressBar {
    if !show {
        return ProgressBar::hidden();
    }
    let b = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    b.set_style(
        ProgressStyle::with_template(
            "{spinner} searching the servers of {msg}: {human_pos} hashes ({per_sec}) {elapsed}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    b.set_message(vip.to_string());
    b.enable_steady_tick(Duration::from_millis(200));
    b
}

pub fn run(args: &LbArgs, ctx: &mut Ctx) -> Outcome {
    let t = &args.target;
    if args.snat_candidates.len() > MAX_SNAT_CANDIDATES {
        return Err(Failure::usage(format!(
            "--snat-candidates lists {} addresses; at most {MAX_SNAT_CANDIDATES} (each is tried at every port)",
            args.snat_candidates.len()
        )));
    }
    let env = Env::system();
    let resolution = resolve::resolve(&env, &t.host, t.family(), t.timeout())?;
    let mut base = Config {
        rounds: args.rounds,
        timing: Timing {
            timeout: t.timeout(),
            retransmits: args.retransmits,
        },
        offer: proposals::default_offer(),
        backends: args.backends.clone(),
        snat: args.snat_candidates.clone(),
        ranges: None,
        search_time: Duration::from_secs(args.search_time),
    };
    // Check every VIP's ranges before the first packet: bad input is exit 2.
    let mut plans = Vec::new();
    for &vip in &resolution.addresses {
        let ranges = match &args.find_backends {
            None => None,
            Some(Ranges::Default) => Some(default_ranges(vip).ok_or_else(|| {
                Failure::advised(
                    ErrorCode::Usage,
                    format!(
                        "{vip} is IPv6: the default search ranges are IPv4 private ranges; give \
--find-backends with the servers' prefix, e.g. 2001:db8:0:5::/112 (at most {} addresses in all)",
                        search::MAX_ADDRESSES
                    ),
                )
            })?),
            Some(Ranges::List(list)) => Some(list.clone()),
        };
        let ranges = ranges
            .map(|r| search::prepare(&r, vip.is_ipv6()))
            .transpose()
            .map_err(|e| {
                Failure::advised(ErrorCode::Usage, format!("--find-backends for {vip}: {e}"))
            })?;
        plans.push((vip, ranges));
    }
    let show_progress = !ctx.detail.quiet && std::io::stderr().is_terminal();
    let mut vips = Vec::new();
    // Addresses whose rounds could not run (no socket, no route): the
    // others are still tested, as `probe` does.
    let mut unreachable: Vec<(IpAddr, String)> = Vec::new();
    let mut unreachable_code = None;
    for (vip, ranges) in plans {
        if show_progress {
            eprintln!(
                "testing {vip}: {} round(s) on UDP 500 and 4500 ...",
                args.rounds
            );
        }
        base.ranges = ranges;
        let progress = bar(show_progress && base.ranges.is_some(), vip);
        let observed = rounds::observe(&env, vip, &base, &Bar(progress.clone()));
        progress.finish_and_clear();
        match observed {
            Ok(facts) => vips.push(facts),
            Err(e) => {
                unreachable_code.get_or_insert(exit::exchange(&e));
                unreachable.push((vip, e.to_string()));
            }
        }
    }
    let mut findings = dns::findings(&resolution);
    findings.extend(vips.iter().flat_map(lb::findings));
    sort_by_severity(&mut findings);
    let error = if let (true, Some(code), Some((vip, why))) =
        (vips.is_empty(), unreachable_code, unreachable.first())
    {
        // Not one address could be tested: exit 3 with the first reason.
        Some(ErrorReport::new(code, format!("{vip}: {why}")))
    } else if vips
        .iter()
        .all(|v| v.rounds.iter().all(|r| r.sighting500.is_none()))
    {
        // Not one IKE_SA_INIT answered on any VIP: nothing to judge.
        Some(ErrorReport::new(
            ErrorCode::NoIkeAnswer,
            format!(
                "{}: no full IKE_SA_INIT answer on UDP 500 in any round, so the load balancer \
cannot be judged; `aovpn-diag probe {}` tells why",
                resolution.host, resolution.host
            ),
        ))
    } else {
        None
    };
    let view = View {
        host: &resolution.host,
        resolution: &resolution,
        vips: &vips,
        unreachable: &unreachable,
        findings: &findings,
        worst_case: rounds::worst_case(&base),
    };
    let status = Status::new(&findings, error.as_ref());
    let detail = ctx.detail;
    let could_not_run = error.is_some();
    ctx.emit(status, &view.json(), |out| {
        report::lb::write_human(out, &view, detail, could_not_run)
    })
}
