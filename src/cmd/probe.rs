//! `aovpn-diag probe`: resolve the server, run the IKEv2 probes on every
//! address, judge, print.

use std::io::IsTerminal;
use std::sync::Arc;

use aovpn_diag::cli::ProbeArgs;
use aovpn_diag::diagnose::dns;
use aovpn_diag::diagnose::ike as ike_facts;
use aovpn_diag::env::Env;
use aovpn_diag::exit::ErrorCode;
use aovpn_diag::finding::sort_by_severity;
use aovpn_diag::local::trust;
use aovpn_diag::probe::ike::{self, CertCheck, Config, Responder, Timing};
use aovpn_diag::report::{self, ErrorReport, Status, probe::ProbeJson};
use aovpn_diag::resolve;
use aovpn_diag::wire::ike::credentials::Identification;

use super::{Ctx, Outcome};

pub fn run(args: &ProbeArgs, ctx: &mut Ctx) -> Outcome {
    let t = &args.target;
    let env = Env::system();
    let resolution = resolve::resolve(&env, &t.host, t.family(), t.timeout())?;
    let mut cfg = Config::new(Timing {
        timeout: t.timeout(),
        retransmits: args.retransmits,
    });
    cfg.frag_size = (!args.no_frag_test).then_some(usize::from(args.frag_size));
    cfg.proposal_check = args.proposals.clone();
    cfg.auth_test = !args.no_auth_test;
    if args.auth {
        let store = trust::load(&args.ca)?;
        cfg.server_cert = Some(CertCheck {
            host: t.host.to_string(),
            trust: Arc::new(store),
            identity: args.identity.as_deref().map(Identification::from_text),
        });
    }

    let progress = !ctx.detail.quiet && std::io::stderr().is_terminal();
    // Every address at once: each is its own responder (its own round
    // trip); addresses of one family share one count of IKE SAs open, as
    // they may be one server that sees one source address of ours.
    let responders = Responder::for_addresses(&resolution.addresses, cfg.timing);
    let targets: Vec<ike_facts::TargetResult> = std::thread::scope(|s| {
        let running: Vec<_> = responders
            .iter()
            .map(|r| {
                if progress {
                    eprintln!(
                        "probing {} on UDP 500 and 4500{} ...",
                        r.address(),
                        if args.auth {
                            ", with the server certificate"
                        } else {
                            ""
                        }
                    );
                }
                let (env, cfg) = (&env, &cfg);
                s.spawn(move || ike::probe_address_with(env, r, cfg))
            })
            .collect();
        running
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .collect()
    });
    let mut findings = dns::findings(&resolution);
    findings.extend(ike_facts::findings(&targets));
    sort_by_severity(&mut findings);
    // Not one address could be probed (no route, no socket): the document
    // still lists each address with its reason; exit 3 with the first.
    let error = match targets.first().and_then(|t| t.error.as_ref()) {
        Some(why) if targets.iter().all(|t| t.error.is_some()) => Some(ErrorReport::new(
            ErrorCode::NetworkUnavailable,
            why.to_string(),
        )),
        _ => None,
    };
    let doc = ProbeJson {
        host: &resolution.host,
        resolution: &resolution,
        targets: targets.iter().map(report::probe::target_json).collect(),
    };
    let status = Status::new(&findings, error.as_ref());
    let detail = ctx.detail;
    ctx.emit(status, &doc, |out| {
        report::probe::write_human(out, &resolution, &targets, &findings, detail)
    })
}
