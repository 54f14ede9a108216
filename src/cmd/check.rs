//! `aovpn-diag check`: run every test, judge, print one verdict.

use aovpn_diag::check::{self, Options};
use aovpn_diag::cli::CheckArgs;
use aovpn_diag::diagnose::check::{Judgement, Observations};
use aovpn_diag::env::Env;
use aovpn_diag::exit::ErrorCode;
use aovpn_diag::probe::ike::{Config, Timing};
use aovpn_diag::report::{ErrorReport, Status, check as view};

use super::{Ctx, Outcome};

pub fn run(args: &CheckArgs, ctx: &mut Ctx) -> Outcome {
    let t = &args.target;
    let timeout = t.timeout();
    let mut probe = Config::new(Timing {
        timeout,
        retransmits: check::PROBE_RETRANSMITS,
    });
    probe.frag_size = Some(usize::from(args.frag_size));
    probe.proposal_check = Some(args.proposals.clone());
    let opts = Options {
        family: t.family(),
        timeout,
        probe,
        mtu: !args.no_mtu,
        local_rras: args.local_rras,
        local_events: args.local_events,
    };
    if !ctx.detail.quiet && !ctx.json && std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        eprintln!(
            "checking {} (DNS, UDP 500/4500, fragments, path MTU, proposals) ...",
            t.host
        );
    }
    let obs = check::observe(&Env::system(), &t.host, &opts)?;
    let judgement = check::judge(&obs);
    let error = error(&obs, &judgement);
    let status = Status::new(&judgement.findings, error.as_ref());
    let detail = ctx.detail;
    let could_not_run = error.is_some();
    ctx.emit(status, &view::json(&obs, &judgement), |out| {
        view::write_human(out, &obs, &judgement, detail, could_not_run)
    })
}

/// What kept `check` from testing the server, coded as `probe` and `mtu`
/// code it: a name that gives no address (the document still has the
/// `dns-failed` finding with each query), or no address that could be
/// probed at all.
fn error(obs: &Observations, j: &Judgement) -> Option<ErrorReport> {
    if let Err(f) = &obs.resolution {
        return Some(ErrorReport::new(super::exit::dns(f), f.to_string()));
    }
    if j.could_not_test {
        let why = obs
            .probes
            .iter()
            .find_map(|p| p.error.as_ref())
            .map_or_else(
                || "no address could be probed".to_owned(),
                ToString::to_string,
            );
        return Some(ErrorReport::new(ErrorCode::NetworkUnavailable, why));
    }
    None
}
