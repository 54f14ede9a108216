//! `probe` output: the JSON document (dedicated serde types, a stable
//! contract) and the human view (verdict, one table per address, proposals,
//! findings).

use std::io::{self, Write};
use std::time::Duration;

use serde::Serialize;

use super::{BOLD, DIM, Detail, table, write_findings, write_verdict};
use crate::diagnose::dns::{Resolution, Source};
use crate::diagnose::ike::{
    AuthFacts, AuthOutcome, ExchangeFacts, Outcome, PortResult, ProposalResult, TargetResult,
};
use crate::facts::{FragmentationSupport, Nat, Support};
use crate::finding::{Finding, Severity, Verdict};
use crate::wire::ike::notation;

/// The `--json` document of `probe` (inside the shared envelope).
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct ProbeJson<'a> {
    pub host: &'a str,
    pub resolution: &'a Resolution,
    pub targets: Vec<TargetJson>,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct TargetJson {
    pub address: String,
    /// Why this address could not be probed (then everything else is empty).
    pub error: Option<String>,
    pub udp500: Option<PortJson>,
    pub udp4500: Option<PortJson>,
    /// Notify 16430 in the server's responses (`responder`; the probe
    /// always sends it); `unknown` when no full response came.
    pub fragmentation_supported: FragmentationSupport,
    /// Every padded request answered; null when none was sent.
    pub fragmented_request_answered: Option<bool>,
    /// NAT on either side, from the NAT_DETECTION hashes of all responses.
    pub nat: Nat,
    pub chosen_proposal: Option<String>,
    pub proposals: Vec<ProposalJson>,
    pub vendor_ids: Vec<String>,
    /// The IKE_AUTH test on UDP 4500; null with --no-auth-test.
    pub ike_auth: Option<IkeAuthJson>,
    /// The server-certificate check (`--auth`); null without it.
    pub server_cert: Option<super::server_cert::ServerCertJson>,
}

/// The IKE_AUTH on UDP 4500 for the IKE SA made on UDP 500.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct IkeAuthJson {
    /// The request went out (false when the test could not run).
    pub sent: bool,
    /// An answer that verified with the IKE SA's keys came back: UDP 4500
    /// reached the server that holds the SA.
    pub answered: bool,
    /// `answered`, `invalid-ike-spi`, `no-answer`, `unreachable`, `not-run`.
    pub outcome: &'static str,
    /// Why the test did not run.
    pub not_run_reason: Option<String>,
    pub rtt_ms: Option<f64>,
    /// What came back, e.g. `AUTHENTICATION_FAILED` or
    /// `IDr, 3 CERT, AUTH, EAP Request/Identity`.
    pub response: Option<String>,
    /// SKF pieces received (verified) and how many the response had.
    pub skf_fragments: u16,
    pub skf_total: u16,
    /// Both sides sent 16430 in IKE_SA_INIT on UDP 500.
    pub fragmentation_negotiated: bool,
    pub requests_sent: u32,
    pub request_ip_bytes: usize,
    pub integrity_failures: u32,
    /// An INFORMATIONAL Delete closed the IKE SA afterwards.
    pub delete_sent: bool,
    pub delete_answered: bool,
}

/// The probe's side of IKEV2_FRAGMENTATION_SUPPORTED: it always sends it.
fn fragmentation(responder: Option<bool>) -> FragmentationSupport {
    FragmentationSupport {
        initiator: Support::Yes,
        responder: Support::from_bool(responder),
    }
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct PortJson {
    pub port: u16,
    pub answered: bool,
    /// `answered`, `no-answer` or `unreachable` (ICMP came back).
    pub outcome: &'static str,
    pub rtt_ms: Option<f64>,
    pub requests_sent: u32,
    pub request_ip_bytes: usize,
    pub chosen_proposal: Option<String>,
    /// The chosen proposal in strongSwan notation.
    pub chosen_proposal_notation: Option<String>,
    pub fragmentation_supported: FragmentationSupport,
    pub error_notifies: Vec<String>,
    /// Groups the server asked for with INVALID_KE_PAYLOAD.
    pub ke_retries: Vec<String>,
    pub cookie_requested: bool,
    /// Answered only with demands that never ended: `cookie-repeated`,
    /// `ke-group-repeated`, `rounds-exhausted`; null otherwise.
    pub unfinished: Option<&'static str>,
    /// Datagrams from the server's address and port that were not a
    /// response to the request (damaged IKE, another SPI, not IKE).
    pub invalid_datagrams: u32,
    pub redirect: Option<String>,
    pub vendor_ids: Vec<String>,
    pub nat: Nat,
    pub fragmented: Option<FragmentedJson>,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct FragmentedJson {
    pub ip_bytes: usize,
    pub answered: bool,
    pub outcome: &'static str,
    pub rtt_ms: Option<f64>,
    pub requests_sent: u32,
    /// An ICMP "fragmentation needed" / "packet too big" came back.
    pub icmp_too_big: bool,
    /// Datagrams that were not a response to the padded request.
    pub invalid_datagrams: u32,
    /// The small request sent right after an unanswered padded one (no
    /// datagram at all): true answered (the padded one's IP fragments were
    /// lost), false unanswered too (the server had stopped answering this
    /// address: `fragment-test-inconclusive`), null not sent.
    pub canary_answered: Option<bool>,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct ProposalJson {
    pub name: String,
    pub description: String,
    /// true accepted, false NO_PROPOSAL_CHOSEN, null no usable answer.
    pub accepted: Option<bool>,
    pub windows_default: bool,
    pub weak: bool,
    pub port: u16,
}

fn ms(d: Option<Duration>) -> Option<f64> {
    d.map(crate::millis::json)
}

fn port_json(p: &PortResult) -> PortJson {
    let r = &p.small;
    let f = r.response.as_ref();
    PortJson {
        port: p.port,
        answered: p.small.answered(),
        outcome: r.outcome.as_str(),
        rtt_ms: ms(r.rtt),
        requests_sent: r.requests_sent,
        request_ip_bytes: r.ip_datagram_bytes,
        chosen_proposal: f.and_then(|f| f.chosen.as_ref()).map(|c| c.describe()),
        chosen_proposal_notation: f.and_then(|f| f.chosen.as_ref()).and_then(notation::format),
        fragmentation_supported: fragmentation(
            f.filter(|f| f.chosen.is_some())
                .map(|f| f.fragmentation_supported),
        ),
        error_notifies: f
            .map(|f| f.errors.iter().map(ToString::to_string).collect())
            .unwrap_or_default(),
        ke_retries: r.ke_retries.iter().map(ToString::to_string).collect(),
        cookie_requested: r.cookie_requested,
        unfinished: r.unfinished.map(|u| u.as_str()),
        invalid_datagrams: r.ignored,
        redirect: f.and_then(|f| f.redirect.clone()),
        vendor_ids: f.map(|f| f.vendor_ids.clone()).unwrap_or_default(),
        nat: Nat {
            initiator_behind_nat: f.and_then(|f| f.initiator_behind_nat),
            responder_behind_nat: f.and_then(|f| f.responder_behind_nat),
        },
        fragmented: p.fragmented.as_ref().map(|a| FragmentedJson {
            ip_bytes: a.ip_datagram_bytes,
            answered: a.answered(),
            outcome: a.outcome.as_str(),
            rtt_ms: ms(a.rtt),
            requests_sent: a.requests_sent,
            icmp_too_big: a.too_big,
            invalid_datagrams: a.ignored,
            canary_answered: p.canary.as_ref().map(ExchangeFacts::answered),
        }),
    }
}

fn proposal_json(p: &ProposalResult) -> ProposalJson {
    ProposalJson {
        name: p.entry.name.clone(),
        description: p.entry.proposal.describe(),
        accepted: p.accepted,
        windows_default: p.entry.windows_default,
        weak: p.entry.weak,
        port: p.port,
    }
}

fn any_some(values: impl Iterator<Item = Option<bool>>) -> Option<bool> {
    values.fold(None, |acc, v| match (acc, v) {
        (Some(true), _) | (_, Some(true)) => Some(true),
        (None, None) => None,
        _ => Some(false),
    })
}

pub fn target_json(t: &TargetResult) -> TargetJson {
    let frag: Vec<&ExchangeFacts> = t.ports().filter_map(|p| p.fragmented.as_ref()).collect();
    let responder = any_some(t.facts().map(|f| f.responder_behind_nat));
    let initiator = any_some(t.facts().map(|f| f.initiator_behind_nat));
    TargetJson {
        address: t.address.to_string(),
        error: t.error.as_ref().map(ToString::to_string),
        udp500: t.udp500.as_ref().map(port_json),
        udp4500: t.udp4500.as_ref().map(port_json),
        fragmentation_supported: fragmentation(t.fragmentation_supported()),
        fragmented_request_answered: (!frag.is_empty()).then(|| frag.iter().all(|a| a.answered())),
        nat: Nat {
            initiator_behind_nat: initiator,
            responder_behind_nat: responder,
        },
        chosen_proposal: t.chosen().map(|p| p.describe()),
        proposals: t.proposals.iter().map(proposal_json).collect(),
        vendor_ids: t.vendor_ids(),
        ike_auth: t.ike_auth.as_ref().map(ike_auth_json),
        server_cert: t
            .server_cert
            .as_ref()
            .map(|f| super::server_cert::json(t, f)),
    }
}

fn ike_auth_json(a: &AuthFacts) -> IkeAuthJson {
    IkeAuthJson {
        sent: a.sent(),
        answered: a.answered(),
        outcome: a.outcome.as_str(),
        not_run_reason: match &a.outcome {
            AuthOutcome::NotRun(r) => Some(r.to_string()),
            _ => None,
        },
        rtt_ms: ms(a.rtt),
        response: a.describe_response(),
        skf_fragments: a.skf_fragments,
        skf_total: a.skf_total,
        fragmentation_negotiated: a.fragmentation_negotiated,
        requests_sent: a.requests_sent,
        request_ip_bytes: a.request_ip_bytes,
        integrity_failures: a.integrity_failures,
        delete_sent: a.delete_sent,
        delete_answered: a.delete_answered,
    }
}

/// One line that answers "is it OK?" before any detail.
pub fn headline(host: &str, findings: &[Finding], targets: &[TargetResult]) -> String {
    let fails: Vec<&str> = findings
        .iter()
        .filter(|f| f.severity == Severity::Fail)
        .map(|f| f.code.as_str())
        .collect();
    if fails.is_empty() {
        let n = targets.iter().filter(|t| t.error.is_none()).count();
        format!("{host}: IKEv2 answers on UDP 500 and 4500 ({n} address(es) probed)")
    } else {
        let mut unique = fails.clone();
        unique.dedup();
        format!("{host}: {}", unique.join(", "))
    }
}

fn yes_no(v: Option<bool>) -> &'static str {
    match v {
        Some(true) => "yes",
        Some(false) => "no",
        None => "-",
    }
}

fn answer_cell(a: &ExchangeFacts) -> String {
    match a.outcome {
        Outcome::Answered => match a.rtt {
            Some(rtt) => format!("yes, {}", crate::millis::text(rtt)),
            None => "yes".to_owned(),
        },
        Outcome::NoAnswer => format!("NO ({} sent)", a.requests_sent),
        Outcome::Unreachable => "NO (ICMP unreachable)".to_owned(),
    }
}

/// One line for the IKE_AUTH test in the human view.
fn auth_line(a: &AuthFacts) -> String {
    let rtt = a
        .rtt
        .map(|d| format!(" in {}", crate::millis::text(d)))
        .unwrap_or_default();
    let skf = if a.skf_total > 0 {
        format!(", {} of {} SKF fragments", a.skf_fragments, a.skf_total)
    } else {
        String::new()
    };
    match &a.outcome {
        AuthOutcome::Answered => format!(
            "answered{rtt}: {}{skf}",
            a.describe_response().unwrap_or_default()
        ),
        AuthOutcome::InvalidIkeSpi => {
            format!("INVALID_IKE_SPI{rtt}: another server got it")
        }
        AuthOutcome::NoAnswer => format!("NO answer ({} sent)", a.requests_sent),
        AuthOutcome::Unreachable => "NO (ICMP unreachable)".to_owned(),
        AuthOutcome::NotRun(reason) => format!("not run: {reason}"),
    }
}

fn port_row(p: &PortResult, verbose: bool) -> Vec<String> {
    let f = p.small.response.as_ref();
    let chosen = match f {
        Some(f) => match (&f.chosen, f.errors.first()) {
            (Some(c), _) => c.describe(),
            // A stateless request (see probe::stateless): the offer was
            // acceptable, only the deliberately wrong KE group was refused.
            (None, _) if f.requested_group.is_some() => {
                "offer accepted (stateless check)".to_owned()
            }
            (None, Some(e)) => e.to_string(),
            (None, None) => "-".to_owned(),
        },
        None => "-".to_owned(),
    };
    let frag = match &p.fragmented {
        Some(a) => format!("{} B: {}", a.ip_datagram_bytes, answer_cell(a)),
        None => "skipped".to_owned(),
    };
    let mut row = vec![
        format!("UDP {}", p.port),
        answer_cell(&p.small),
        chosen,
        yes_no(
            f.filter(|f| f.chosen.is_some())
                .map(|f| f.fragmentation_supported),
        )
        .to_owned(),
        frag,
    ];
    if verbose {
        let r = &p.small;
        row.push(format!(
            "{} B from {}, SPIi {}",
            r.ip_datagram_bytes,
            r.local,
            crate::wire::hex(&r.spi_i)
        ));
    }
    row
}

/// One line on where the addresses came from (nothing for a literal): the
/// hosts file, or DNS with each answer and each failed query.
pub fn write_resolution(out: &mut dyn Write, r: &Resolution) -> io::Result<()> {
    let mut parts: Vec<String> = r
        .answers
        .iter()
        .map(|a| match a.ttl {
            Some(ttl) => format!("{} {} (ttl {ttl})", a.record_type, a.address),
            None => format!("{} {}", a.record_type, a.address),
        })
        .collect();
    parts.extend(r.lookups.iter().filter_map(|l| l.failure_text()));
    match r.source {
        Source::Literal => Ok(()),
        Source::HostsFile => writeln!(
            out,
            "{DIM}hosts file {}:{DIM:#} {} -> {} (DNS not asked)",
            r.hosts_file.as_deref().unwrap_or("?"),
            r.host,
            parts.join(", ")
        ),
        Source::Dns => writeln!(out, "{DIM}DNS:{DIM:#} {} -> {}", r.host, parts.join(", ")),
    }
}

/// The human view.
pub fn write_human(
    out: &mut dyn Write,
    resolution: &Resolution,
    targets: &[TargetResult],
    findings: &[Finding],
    detail: Detail,
) -> io::Result<()> {
    let verdict = Verdict::from_findings(findings);
    write_verdict(out, verdict, &headline(&resolution.host, findings, targets))?;
    if detail.quiet {
        return write_findings(out, findings, detail);
    }
    write_resolution(out, resolution)?;
    for t in targets {
        writeln!(out)?;
        writeln!(out, "{BOLD}{}{BOLD:#}", t.address)?;
        if let Some(e) = &t.error {
            writeln!(out, "  not probed: {e}")?;
            continue;
        }
        let verbose = detail.verbose > 0;
        let mut header = vec![
            "Port",
            "Answer",
            "Chosen proposal",
            "IKE frag (16430)",
            "Padded request",
        ];
        if verbose {
            header.push("Request");
        }
        let mut tbl = table(&header);
        for p in t.ports() {
            tbl.add_row(port_row(p, verbose));
        }
        writeln!(out, "{tbl}")?;
        let vids = t.vendor_ids();
        if !vids.is_empty() {
            writeln!(out, "  Vendor IDs: {}", vids.join(", "))?;
        }
        let j = target_json(t);
        writeln!(
            out,
            "  NAT: server behind NAT {}, this machine behind NAT {}",
            yes_no(j.nat.responder_behind_nat),
            yes_no(j.nat.initiator_behind_nat)
        )?;
        if let Some(a) = &t.ike_auth {
            writeln!(
                out,
                "  IKE_AUTH on UDP 4500 (SA from UDP 500): {}",
                auth_line(a)
            )?;
        }
        if let Some(f) = &t.server_cert {
            super::server_cert::write_human(out, t, f)?;
        }
        for p in t.ports() {
            let Some(f) = &p.small.response else { continue };
            if let Some(r) = &f.redirect {
                writeln!(out, "  UDP {}: server redirects to {r}", p.port)?;
            }
            if !p.small.ke_retries.is_empty() {
                let groups: Vec<String> =
                    p.small.ke_retries.iter().map(ToString::to_string).collect();
                writeln!(
                    out,
                    "  UDP {}: server asked for key exchange group {}",
                    p.port,
                    groups.join(", ")
                )?;
            }
            if p.small.cookie_requested {
                writeln!(
                    out,
                    "  UDP {}: server demanded a COOKIE (under load, or always)",
                    p.port
                )?;
            }
        }
        if !t.proposals.is_empty() {
            let mut tbl = table(&["Proposal", "Accepted", "Algorithms", "Notes"]);
            for p in &t.proposals {
                let mut notes = Vec::new();
                if p.entry.windows_default {
                    notes.push("Windows default");
                }
                if p.entry.weak {
                    notes.push("weak");
                }
                tbl.add_row([
                    p.entry.name.clone(),
                    yes_no(p.accepted).to_owned(),
                    p.entry.proposal.describe(),
                    notes.join(", "),
                ]);
            }
            let port = t.proposals.first().map_or(500, |p| p.port);
            writeln!(out, "  Proposals checked one at a time on UDP {port}:")?;
            writeln!(out, "{tbl}")?;
        }
    }
    if !findings.is_empty() {
        writeln!(out)?;
    }
    write_findings(out, findings, detail)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnose::ike::{findings, samples};

    /// A resolution of the literal address (no DNS).
    fn literal() -> Resolution {
        Resolution::literal(
            samples::ADDRESS,
            crate::diagnose::dns::Family::Any,
            samples::address(),
        )
    }

    #[test]
    fn the_resolution_line_names_the_hosts_file_or_each_dns_query() {
        use crate::diagnose::dns::samples::{answered, failed, from_dns, from_hosts, v4, v6};
        use crate::diagnose::dns::{LookupFailure, RecordType};
        let line = |r: &Resolution| {
            let mut out = Vec::new();
            write_resolution(&mut out, r).unwrap();
            anstream::adapter::strip_str(&String::from_utf8(out).unwrap()).to_string()
        };
        assert_eq!(line(&literal()), "");
        assert_eq!(
            line(&from_hosts(&[v4(), v6()])),
            "hosts file /etc/hosts: vpn.example.com -> A 198.51.100.7, AAAA 2001:db8::7 (DNS not asked)\n"
        );
        let r = from_dns(vec![
            answered(RecordType::A, 3),
            failed(RecordType::Aaaa, LookupFailure::Timeout, 2000),
        ]);
        assert_eq!(
            line(&r),
            "DNS: vpn.example.com -> A 198.51.100.7 (ttl 300), AAAA: no DNS server answered in time (2000.0 ms)\n"
        );
    }

    fn human(t: TargetResult) -> String {
        let f = findings(std::slice::from_ref(&t));
        let mut out = Vec::new();
        write_human(&mut out, &literal(), &[t], &f, Detail::default()).unwrap();
        anstream::adapter::strip_str(&String::from_utf8(out).unwrap()).to_string()
    }

    #[test]
    fn human_view_of_a_healthy_server() {
        insta::assert_snapshot!(human(samples::healthy()));
    }

    #[test]
    fn human_view_of_dropped_fragments() {
        insta::assert_snapshot!(human(samples::server(false, false)));
    }

    #[test]
    fn json_has_the_fields_the_issue_requires() {
        let j = serde_json::to_value(target_json(&samples::healthy())).unwrap();
        assert_eq!(j["address"], "198.18.2.2");
        assert_eq!(j["udp500"]["answered"], true);
        assert_eq!(j["udp500"]["rtt_ms"], 1.5);
        assert_eq!(j["udp4500"]["answered"], true);
        assert_eq!(j["fragmentation_supported"]["responder"], "yes");
        assert_eq!(j["fragmentation_supported"]["initiator"], "yes");
        assert_eq!(j["fragmented_request_answered"], true);
        assert_eq!(j["nat"]["responder_behind_nat"], false);
        assert_eq!(j["vendor_ids"][0], "strongSwan");
        assert!(j["proposals"].as_array().unwrap().is_empty());
        assert_eq!(
            j["udp500"]["chosen_proposal_notation"],
            "aes256-sha256-modp2048"
        );
        let a = &j["ike_auth"];
        assert_eq!(a["sent"], true);
        assert_eq!(a["answered"], true);
        assert_eq!(a["rtt_ms"], 2.5);
        assert_eq!(a["response"], "AUTHENTICATION_FAILED");
        assert_eq!(a["skf_fragments"], 0);
        assert_eq!(a["outcome"], "answered");
    }
}
