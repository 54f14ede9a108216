//! Turns probe results into findings (codes in the probe section of
//! `finding.rs`). Pure: results in, findings out.

use super::auth::AuthOutcome;
use super::ike::Outcome;
use super::{PortResult, TargetResult};
use crate::finding::{Code, Finding, Severity};
use crate::wire::ike::NotifyType;

const RRAS_FRAGMENTATION: &str = "On Windows RRAS set the DWORD EnableServerFragmentation = 1 under \
HKLM\\SYSTEM\\CurrentControlSet\\Services\\RemoteAccess\\Parameters\\Ikev2 and restart RemoteAccess \
(Windows Server 1803/2019 or later); on strongSwan set fragmentation = yes on the connection.";

/// Findings for all targets, in the order cause before consequence.
pub fn findings(targets: &[TargetResult]) -> Vec<Finding> {
    targets.iter().flat_map(target_findings).collect()
}

fn unanswered(code: Code, p: &PortResult, addr: &str) -> Finding {
    let r = &p.small.report;
    let how = match r.outcome {
        Outcome::Unreachable => {
            "an ICMP unreachable came back (nothing listens there, or a firewall rejects)"
        }
        _ => "no answer",
    };
    Finding::new(
        code,
        Severity::Fail,
        format!(
            "{addr} UDP {}: IKE_SA_INIT {how} ({} request(s) sent)",
            p.port, r.requests_sent
        ),
    )
    .with("address", addr)
    .with("port", p.port)
    .with("requests_sent", r.requests_sent)
    .with("icmp_unreachable", r.outcome == Outcome::Unreachable)
    .remedy(format!(
        "Allow UDP {} from clients to the VPN server on every firewall, NAT and load balancer \
in the path, and check that the IKEv2 service (RRAS or strongSwan) listens on {addr}.",
        p.port
    ))
}

fn target_findings(t: &TargetResult) -> Vec<Finding> {
    let addr = t.address.to_string();
    let mut out = Vec::new();
    if t.error.is_some() {
        return out;
    }
    for (p, code) in [
        (&t.udp500, Code::Udp500Unanswered),
        (&t.udp4500, Code::Udp4500Unanswered),
    ] {
        if let Some(p) = p
            && !p.small.answered()
        {
            out.push(unanswered(code, p, &addr));
        }
    }
    let frag_supported = t.fragmentation_supported();
    for p in t.ports() {
        let Some(frag) = &p.fragmented else { continue };
        if frag.answered() {
            continue;
        }
        let (severity, tail) = if frag_supported == Some(true) {
            (
                Severity::Warn,
                "; the server supports IKEv2 fragmentation, so Windows 10 1803+ clients send \
IKE_AUTH in SKF pieces that avoid IP fragments",
            )
        } else {
            (
                Severity::Fail,
                ": a Windows client's IKE_AUTH (certificates, 2 kB and more) will be lost the same \
way (error 809)",
            )
        };
        out.push(
            Finding::new(
                Code::IpFragmentsDropped,
                severity,
                format!(
                    "{addr} UDP {}: an IKE_SA_INIT of {} bytes (IP-fragmented) got no answer while \
one of {} bytes did{tail}",
                    p.port, frag.report.ip_datagram_bytes, p.small.report.ip_datagram_bytes
                ),
            )
            .with("address", addr.as_str())
            .with("port", p.port)
            .with("fragmented_ip_bytes", frag.report.ip_datagram_bytes)
            .with("small_ip_bytes", p.small.report.ip_datagram_bytes)
            .with("requests_sent", frag.report.requests_sent)
            .with("icmp_too_big", frag.report.too_big)
            .with("fragmentation_supported", frag_supported == Some(true))
            .remedy(format!(
                "Let IP fragments (first and non-first) through every firewall, NAT and load \
balancer between clients and {addr}, or make IKE avoid them: {RRAS_FRAGMENTATION}"
            )),
        );
    }
    let refused = t
        .facts()
        .any(|f| f.errors.contains(&NotifyType::NO_PROPOSAL_CHOSEN));
    let checked: Vec<_> = t
        .proposals
        .iter()
        .filter(|p| p.accepted.is_some())
        .collect();
    let accepted: Vec<_> = checked
        .iter()
        .filter(|p| p.accepted == Some(true))
        .collect();
    if (refused && t.chosen().is_none()) || (!checked.is_empty() && accepted.is_empty()) {
        let offered = if checked.is_empty() {
            "the probe's offer (Windows defaults and common AOVPN sets)".to_owned()
        } else {
            format!("{} checked proposals", checked.len())
        };
        out.push(
            Finding::new(
                Code::NoProposalChosen,
                Severity::Fail,
                format!("{addr}: the server answered NO_PROPOSAL_CHOSEN to {offered}"),
            )
            .with("address", addr.as_str())
            .remedy(
                "Make the server's IKE proposals match the clients': on RRAS check \
Set-VpnServerConfiguration -CustomPolicy, on strongSwan the connection's proposals; on the clients \
Set-VpnConnectionIPsecConfiguration or the ProfileXML CryptographySuite.",
            ),
        );
    }
    if !accepted.is_empty() && accepted.iter().all(|p| p.entry.weak) {
        let names: Vec<&str> = accepted.iter().map(|p| p.entry.name.as_str()).collect();
        out.push(
            Finding::new(
                Code::WeakProposalsOnly,
                Severity::Warn,
                format!(
                    "{addr}: the server accepts only weak proposals ({})",
                    names.join(", ")
                ),
            )
            .with("address", addr.as_str())
            .with("accepted", names)
            .remedy(
                "Enable AES-256/SHA-256/MODP-2048 or AES-GCM with ECP-256/384 on the server and \
the clients (Set-VpnConnectionIPsecConfiguration, or NegotiateDH2048_AES256 = 2 under \
HKLM\\SYSTEM\\CurrentControlSet\\Services\\Rasman\\Parameters).",
            ),
        );
    } else if checked.is_empty()
        && let Some(chosen) = t.chosen()
        && super::proposals::is_weak(chosen)
    {
        out.push(
            Finding::new(
                Code::WeakProposalsOnly,
                Severity::Warn,
                format!(
                    "{addr}: the server chose the weak proposal {} although stronger ones were offered first",
                    chosen.describe()
                ),
            )
            .with("address", addr.as_str())
            .with("chosen", chosen.describe())
            .remedy(
                "Enable AES-256/SHA-256/MODP-2048 or AES-GCM with ECP-256/384 on the server.",
            ),
        );
    }
    let windows: Vec<_> = checked.iter().filter(|p| p.entry.windows_default).collect();
    if !windows.is_empty()
        && windows.iter().all(|p| p.accepted == Some(false))
        && !accepted.is_empty()
    {
        out.push(
            Finding::new(
                Code::WindowsDefaultsRejected,
                Severity::Warn,
                format!(
                    "{addr}: the server refuses all {} proposals of the Windows built-in client",
                    windows.len()
                ),
            )
            .with("address", addr.as_str())
            .remedy(
                "Clients need a matching custom IPsec policy (Set-VpnConnectionIPsecConfiguration or \
ProfileXML CryptographySuite), or the server must also allow one of the Windows defaults.",
            ),
        );
    }
    match frag_supported {
        Some(false) => out.push(
            Finding::new(
                Code::IkeFragmentationNotSupported,
                Severity::Warn,
                format!("{addr}: the server did not offer IKEv2 fragmentation (no notify 16430)"),
            )
            .with("address", addr.as_str())
            .remedy(RRAS_FRAGMENTATION),
        ),
        Some(true) => out.push(
            Finding::new(
                Code::IkeFragmentationSupported,
                Severity::Info,
                format!("{addr}: the server supports IKEv2 fragmentation (RFC 7383, notify 16430)"),
            )
            .with("address", addr.as_str()),
        ),
        None => {}
    }
    if t.facts().any(|f| f.responder_behind_nat == Some(true)) {
        out.push(
            Finding::new(
                Code::ResponderBehindNat,
                Severity::Warn,
                format!(
                    "{addr}: the server's NAT_DETECTION_SOURCE_IP does not match {addr}: it sits \
behind NAT (DNAT, port forward, load balancer) or fakes NAT to force UDP encapsulation \
(strongSwan encap = yes or kernel-libipsec)"
                ),
            )
            .with("address", addr.as_str())
            .remedy(
                "Fine when intended; then forward both UDP 500 and 4500 to the same server with \
source persistence across both ports, without source NAT, and let IP fragments through. \
Nothing to do when the server fakes NAT on purpose.",
            ),
        );
    }
    if t.facts().any(|f| f.initiator_behind_nat == Some(true)) {
        out.push(
            Finding::new(
                Code::NatDetected,
                Severity::Info,
                format!("{addr}: a NAT sits between this machine and the server (NAT_DETECTION_DESTINATION_IP differs)"),
            )
            .with("address", addr.as_str()),
        );
    }
    out.extend(auth_finding(t, &addr));
    out
}

const LB_REMEDY: &str = "Make the load balancer keep each client on one server for both IKE ports: \
source-address affinity persistence that matches across the UDP 500 and UDP 4500 services \
(F5 BIG-IP: \"Match Across Services\" on both virtual servers; Kemp LoadMaster: port following \
between the UDP 500 and 4500 virtual services), and no source NAT (SNAT) towards the VPN servers.";

/// The IKE_AUTH test (see `auth`): answered, or silent where a client's
/// IKE_AUTH would be lost. Nothing when it did not run, or when UDP 4500 is
/// dead anyway (`udp-4500-unanswered` already says so).
fn auth_finding(t: &TargetResult, addr: &str) -> Option<Finding> {
    let a = t.ike_auth.as_ref().filter(|a| a.sent())?;
    let port_answers = |p: &Option<PortResult>| p.as_ref().is_some_and(|p| p.small.answered());
    let base = |code, severity, summary: String| {
        Finding::new(code, severity, summary)
            .with("address", addr)
            .with(
                "outcome",
                match &a.outcome {
                    AuthOutcome::Answered => "answered",
                    AuthOutcome::InvalidIkeSpi => "invalid-ike-spi",
                    AuthOutcome::Unreachable => "unreachable",
                    _ => "no-answer",
                },
            )
            .with("requests_sent", a.requests_sent)
            .with("request_ip_bytes", a.request_ip_bytes)
            .with("fragmentation_negotiated", a.fragmentation_negotiated)
    };
    if a.answered() {
        let response = a.describe_response().unwrap_or_default();
        let rtt = a
            .rtt
            .map(|d| format!(" in {}", crate::millis::text(d)))
            .unwrap_or_default();
        return Some(
            base(
                Code::IkeAuthAnswered,
                Severity::Info,
                format!(
                    "{addr}: IKE_AUTH on UDP 4500 for the IKE SA made on UDP 500 got an \
authenticated answer{rtt}: {response}"
                ),
            )
            .with("response", response)
            .with("skf_fragments", a.skf_fragments),
        );
    }
    if !port_answers(&t.udp500) || !port_answers(&t.udp4500) {
        return None;
    }
    let what = match a.outcome {
        AuthOutcome::InvalidIkeSpi => "a server without the IKE SA answered INVALID_IKE_SPI",
        AuthOutcome::Unreachable => "an ICMP unreachable came back",
        _ => "no authenticated answer came back",
    };
    let summary_head = format!(
        "{addr}: both UDP 500 and 4500 answer IKE_SA_INIT, but an IKE_AUTH on UDP 4500 for the \
IKE SA made on UDP 500 ({} bytes, {} request(s)): {what}",
        a.request_ip_bytes, a.requests_sent
    );
    if a.fragmentation_negotiated || a.outcome == AuthOutcome::InvalidIkeSpi {
        Some(
            base(
                Code::LoadBalancerNotPersistent,
                Severity::Fail,
                format!(
                    "{summary_head}. UDP 4500 reaches a server that never saw the IKE_SA_INIT: \
a load balancer without persistence across both ports; clients fail with error 809"
                ),
            )
            .remedy(LB_REMEDY),
        )
    } else {
        Some(
            base(
                Code::IkeAuthUnanswered4500,
                Severity::Fail,
                format!(
                    "{summary_head}. Without IKEv2 fragmentation there are two possible causes: \
UDP 4500 reaches another server (load balancer without persistence), or the server's IKE_AUTH \
response (certificates, about 2 KB) is lost as IP fragments on the way back; clients fail with \
error 809"
                ),
            )
            .remedy(format!(
                "{LB_REMEDY} And let IP fragments through from {addr} to the clients, or make \
IKE avoid them: {RRAS_FRAGMENTATION} With fragmentation on, a new probe tells the two causes apart."
            )),
        )
    }
}
