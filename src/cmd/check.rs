//! `aovpn-diag check`: run every test, judge, print one verdict.

use aovpn_diag::check::{self, Options};
use aovpn_diag::cli::CheckArgs;
use aovpn_diag::env::Env;
use aovpn_diag::probe::ike::{Config, Timing};
use aovpn_diag::report::{check as view, write_json};

use super::{Ctx, Exit, Outcome};

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
    if ctx.json {
        write_json(ctx.out, "check", &view::json(&obs, &judgement))?;
    } else {
        view::write_human(ctx.out, &obs, &judgement, ctx.detail)?;
    }
    Ok(if judgement.could_not_test {
        Exit::CannotRun
    } else {
        Exit::from(judgement.verdict)
    })
}
