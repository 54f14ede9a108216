//! `aovpn-diag check`: run every test, judge, print one verdict.

use std::net::IpAddr;
use std::time::Duration;

use aovpn_diag::Exit;
use aovpn_diag::check::{self, MtuOutcome, Options};
use aovpn_diag::cli::CheckArgs;
use aovpn_diag::probe::Config;
use aovpn_diag::probe::ike::Timing;
use aovpn_diag::probe::mtu::End;
use aovpn_diag::probe::mtu_measure::{self, MeasureOptions};
use aovpn_diag::probe::net::Udp;
use aovpn_diag::report::{check as view, write_json};

use super::{Ctx, Failure, Outcome};

/// Re-sends of an unanswered IKE request: two, as `probe` does by default.
const RETRANSMITS: u8 = 2;
/// Probes per size in the path-MTU search.
const MTU_TRIES: u8 = 3;

pub fn run(args: &CheckArgs, ctx: &mut Ctx) -> Outcome {
    let t = &args.target;
    let timeout = t.timeout();
    let mut probe = Config::new(Timing {
        timeout,
        retransmits: RETRANSMITS,
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
    let obs = check::observe(&t.host, &opts, &mut Udp, &|a| measure_mtu(a, timeout))
        .map_err(|e| Failure::new(e.exit(), e))?;
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

/// ICMP first (what mtupath does); when ICMP gets no answer at all or
/// cannot be used here, measure with IKE_SA_INIT itself on UDP 500, which
/// also works where ping is blocked.
fn measure_mtu(address: IpAddr, timeout: Duration) -> MtuOutcome {
    let icmp = MeasureOptions {
        ike_port: None,
        min: None,
        max: None,
        tries: MTU_TRIES,
        timeout,
    };
    let icmp_result = mtu_measure::measure(address, &icmp, &mut |_| {});
    let icmp_problem = match &icmp_result {
        Ok(m) if m.result.end != End::NoAnswer => return icmp_result.map_err(|e| e.to_string()),
        Ok(_) => "ICMP echo got no answer".to_owned(),
        Err(e) => e.to_string(),
    };
    let ike_opts = MeasureOptions {
        ike_port: Some(500),
        ..icmp
    };
    match mtu_measure::measure(address, &ike_opts, &mut |_| {}) {
        Ok(m) if m.result.end != End::NoAnswer => Ok(m),
        // Neither answered: keep the ICMP measurement so its findings
        // (echo blocked) stand, unless ICMP could not run at all.
        Ok(m) => Ok(icmp_result.unwrap_or(m)),
        Err(e) => Err(format!("{icmp_problem}; IKE: {e}")),
    }
}
