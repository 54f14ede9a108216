//! Turns IKE probe facts into findings (codes in the probe section of
//! `finding.rs`): one function per code or family, each tested on hand-made
//! facts below. Pure: facts in, findings out.

use super::proposals::is_weak;
use super::{
    AuthOutcome, ExchangeFacts, Outcome, PortResult, ProposalResult, TargetResult, Unfinished,
};
use crate::finding::{Code, Finding, Severity};
use crate::wire::ike::NotifyType;
use crate::wire::natt::NATT_PORT;

const RRAS_FRAGMENTATION: &str = "On Windows RRAS set the DWORD EnableServerFragmentation = 1 under \
HKLM\\SYSTEM\\CurrentControlSet\\Services\\RemoteAccess\\Parameters\\Ikev2 and restart RemoteAccess \
(Windows Server 1803/2019 or later); on strongSwan set fragmentation = yes on the connection.";

const LB_REMEDY: &str = "Make the load balancer keep each client on one server for both IKE ports: \
source-address affinity persistence that matches across the UDP 500 and UDP 4500 services \
(F5 BIG-IP: \"Match Across Services\" on both virtual servers; Kemp LoadMaster: port following \
between the UDP 500 and 4500 virtual services), and no source NAT (SNAT) towards the VPN servers.";

/// Findings for all targets, in the order cause before consequence.
pub fn findings(targets: &[TargetResult]) -> Vec<Finding> {
    targets.iter().flat_map(target_findings).collect()
}

/// Findings for one address. Nothing when it could not be probed at all
/// (that is an error of the run, not a finding about the server).
pub fn target_findings(t: &TargetResult) -> Vec<Finding> {
    if t.error.is_some() {
        return Vec::new();
    }
    let mut out = ports_unanswered(t);
    out.extend(fragments_dropped(t));
    out.extend(sa_init_unfinished(t));
    out.extend(no_proposal_chosen(t));
    out.extend(weak_proposals_only(t));
    out.extend(windows_defaults_rejected(t));
    out.extend(ike_fragmentation(t));
    out.extend(responder_behind_nat(t));
    out.extend(nat_detected(t));
    out.extend(ike_auth(t));
    out.extend(super::server_cert::findings::findings(t));
    out
}

/// `udp-500-unanswered`, `udp-4500-unanswered`: the small IKE_SA_INIT got
/// no answer, or an ICMP unreachable. `udp-500-request-ignored` /
/// `udp-4500-request-ignored` instead when the server showed in the same
/// run that the port reaches it (a COOKIE demand for this very request; on
/// UDP 4500 also an IKE_AUTH or IKE_SA_INIT answered there): the port is
/// open, the server ignored the request.
pub fn ports_unanswered(t: &TargetResult) -> Vec<Finding> {
    [
        (
            &t.udp500,
            Code::Udp500Unanswered,
            Code::Udp500RequestIgnored,
        ),
        (
            &t.udp4500,
            Code::Udp4500Unanswered,
            Code::Udp4500RequestIgnored,
        ),
    ]
    .into_iter()
    .filter_map(|(p, blocked, ignored)| p.as_ref().map(|p| (p, blocked, ignored)))
    .filter(|(p, _, _)| !p.small.answered())
    .map(|(p, blocked, ignored)| {
        let addr = t.address.to_string();
        let alive = if p.small.outcome != Outcome::NoAnswer {
            None
        } else if p.small.cookie_requested {
            Some("it answered this request with a COOKIE demand first")
        } else if p.port == NATT_PORT {
            answered_over_4500(t)
        } else {
            None
        };
        match alive {
            Some(what) => request_ignored(ignored, p, &addr, what),
            None => port_unanswered(blocked, p, &addr),
        }
    })
    .collect()
}

/// What the server answered over UDP 4500 in this run, authenticated or
/// as a complete IKE_SA_INIT, if anything.
fn answered_over_4500(t: &TargetResult) -> Option<&'static str> {
    let auth = t
        .ike_auth
        .as_ref()
        .is_some_and(|a| a.peer.port() == NATT_PORT && a.answered());
    let cert_run = t
        .server_cert
        .as_ref()
        .and_then(|c| c.unfragmented.as_ref())
        .is_some_and(|u| u.sa_init.answered());
    if auth {
        Some("the IKE_AUTH on UDP 4500 got an authenticated answer")
    } else if cert_run {
        Some("the server-certificate run's IKE_SA_INIT on UDP 4500 was answered")
    } else {
        None
    }
}

/// What the two "the server ignored us" findings advise.
const IGNORED_REMEDY: &str = "Run the test again in a minute. A probe cannot finish IKE_AUTH \
without credentials, so each run leaves one or two IKE SAs half open on the server until its \
half-open timeout (strongSwan: 30 s; its limit is 5 per client address, block_threshold); runs \
in quick succession, or other clients behind the same NAT address, fill that limit. If a first \
run shows this too, look for a rate limit or DoS protection on the server or in front of it.";

/// Fail on UDP 500 (nothing further could be tested), warn on UDP 4500.
fn request_ignored(code: Code, p: &PortResult, addr: &str, alive: &str) -> Finding {
    Finding::new(
        code,
        code.info().severity,
        format!(
            "{addr} UDP {}: the IKE_SA_INIT got no answer ({} request(s) sent), yet {alive}: \
UDP {} is open and the server ignored the request (too many half-open IKE SAs from this address)",
            p.port, p.small.requests_sent, p.port
        ),
    )
    .with("address", addr)
    .with("port", p.port)
    .with("requests_sent", p.small.requests_sent)
    .with("port_alive", alive)
    .remedy(IGNORED_REMEDY)
}

fn fragment_test_inconclusive(addr: &str, p: &PortResult, frag: &ExchangeFacts) -> Finding {
    Finding::new(
        Code::FragmentTestInconclusive,
        Severity::Warn,
        format!(
            "{addr} UDP {}: the IKE_SA_INIT of {} bytes (IP-fragmented) got no answer, and neither \
did a small one sent right after it: the server had stopped answering this address, so this run \
cannot tell whether IP fragments are dropped",
            p.port, frag.ip_datagram_bytes
        ),
    )
    .with("address", addr)
    .with("port", p.port)
    .with("ip_bytes", frag.ip_datagram_bytes)
    .remedy(IGNORED_REMEDY)
}

fn port_unanswered(code: Code, p: &PortResult, addr: &str) -> Finding {
    let r = &p.small;
    let how = match r.outcome {
        Outcome::Unreachable => {
            "an ICMP unreachable came back (nothing listens there, or a firewall rejects)"
                .to_owned()
        }
        _ if r.ignored > 0 => format!(
            "no valid answer: {} datagram(s) came back from {addr} UDP {}, none an IKE_SA_INIT \
response to it ({INVALID_DATAGRAMS})",
            r.ignored, p.port
        ),
        _ => "no answer".to_owned(),
    };
    let remedy = if r.outcome != Outcome::Unreachable && r.ignored > 0 {
        format!(
            "Something at {addr} answers on UDP {}, but not with valid IKE: check that {addr} is \
the VPN server and that no device in the path (IPS, NAT ALG, load balancer) rewrites or answers \
IKE; a capture on both sides (aovpn-diag pcap) shows who sends the damaged datagrams.",
            p.port
        )
    } else if r.outcome == Outcome::NoAnswer {
        format!(
            "Allow UDP {} from clients to the VPN server on every firewall, NAT and load balancer \
in the path, and check that the IKEv2 service (RRAS or strongSwan) listens on {addr}. If this \
test ran against {addr} in the last minute, run it again after a minute first: each run leaves \
IKE SAs half open on the server, and a server ignores an address with too many (strongSwan: 5).",
            p.port
        )
    } else {
        format!(
            "Allow UDP {} from clients to the VPN server on every firewall, NAT and load balancer \
in the path, and check that the IKEv2 service (RRAS or strongSwan) listens on {addr}.",
            p.port
        )
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
    .with("invalid_datagrams", r.ignored)
    .remedy(remedy)
}

/// What "not a valid response" covers, for summaries.
const INVALID_DATAGRAMS: &str =
    "truncated or damaged IKE, lengths that lie, another SPI or message ID, or not IKE at all";

/// `ip-fragments-dropped`, per port: the small request was answered, the
/// padded one (IP fragments) not. A warning when the server offers IKEv2
/// fragmentation, which lets clients avoid IP fragments.
pub fn fragments_dropped(t: &TargetResult) -> Vec<Finding> {
    let addr = t.address.to_string();
    let frag_supported = t.fragmentation_supported() == Some(true);
    let mut out = Vec::new();
    for p in t.ports() {
        let Some(frag) = &p.fragmented else { continue };
        if frag.answered() {
            continue;
        }
        if frag.ignored > 0 {
            out.push(fragmented_answer_invalid(&addr, p, frag));
            continue;
        }
        if p.canary.as_ref().is_some_and(|c| !c.answered()) {
            out.push(fragment_test_inconclusive(&addr, p, frag));
            continue;
        }
        let (severity, tail) = if frag_supported {
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
                    p.port, frag.ip_datagram_bytes, p.small.ip_datagram_bytes
                ),
            )
            .with("address", addr.as_str())
            .with("port", p.port)
            .with("fragmented_ip_bytes", frag.ip_datagram_bytes)
            .with("small_ip_bytes", p.small.ip_datagram_bytes)
            .with("requests_sent", frag.requests_sent)
            .with("icmp_too_big", frag.too_big)
            .with("fragmentation_supported", frag_supported)
            .remedy(format!(
                "Let IP fragments (first and non-first) through every firewall, NAT and load \
balancer between clients and {addr}, or make IKE avoid them: {RRAS_FRAGMENTATION}"
            )),
        );
    }
    out
}

/// `fragmented-answer-invalid`: the padded request drew datagrams from the
/// server's address and port (a connected socket sees no others), none a
/// valid response: its IP fragments arrived, so `ip-fragments-dropped`
/// would blame the wrong thing.
fn fragmented_answer_invalid(addr: &str, p: &PortResult, frag: &super::ExchangeFacts) -> Finding {
    Finding::new(
        Code::FragmentedAnswerInvalid,
        Severity::Fail,
        format!(
            "{addr} UDP {}: the IKE_SA_INIT of {} bytes (IP-fragmented) drew {} datagram(s), none \
a valid response ({INVALID_DATAGRAMS}): its fragments arrived, the answers are broken",
            p.port, frag.ip_datagram_bytes, frag.ignored
        ),
    )
    .with("address", addr)
    .with("port", p.port)
    .with("fragmented_ip_bytes", frag.ip_datagram_bytes)
    .with("requests_sent", frag.requests_sent)
    .with("invalid_datagrams", frag.ignored)
    .remedy(format!(
        "Check that {addr} is the VPN server and that no device in the path (IPS, NAT ALG, load \
balancer) mangles large or fragmented IKE messages; a capture on both sides (aovpn-diag pcap) \
shows who sends the damaged answers."
    ))
}

/// `ike-sa-init-unfinished`: a small request (the full one, or a port's
/// stateless check) was answered only with demands that never ended
/// (see [`super::Unfinished`]). Only the small requests: the padded ones
/// prove arrival with any answer.
pub fn sa_init_unfinished(t: &TargetResult) -> Vec<Finding> {
    let addr = t.address.to_string();
    t.ports()
        .filter_map(|p| p.small.unfinished.map(|u| (p, u)))
        .map(|(p, u)| {
            let r = &p.small;
            let what = match u {
                Unfinished::CookieRepeated => {
                    "it demanded a COOKIE again after the request returned the first one (RFC \
7296 §2.6 needs one round)"
                        .to_owned()
                }
                Unfinished::KeGroupRepeated(g) => format!(
                    "it answered INVALID_KE_PAYLOAD asking for {g}: a group the request \
already carried or did not offer, or a new demand after the request had carried the group asked \
for (RFC 7296 §1.3: one retry settles it){}",
                    retried(r)
                ),
                Unfinished::RoundsExhausted => format!(
                    "every request variant the probe may send ({} sent) drew another demand \
(COOKIE or INVALID_KE_PAYLOAD){}",
                    r.requests_sent,
                    retried(r)
                ),
            };
            Finding::new(
                Code::IkeSaInitUnfinished,
                Severity::Fail,
                format!(
                    "{addr} UDP {}: the server answers IKE_SA_INIT but never completes it: {what}; \
no client gets an IKE SA",
                    p.port
                ),
            )
            .with("address", addr.as_str())
            .with("port", p.port)
            .with("unfinished", u.as_str())
            .with("requests_sent", r.requests_sent)
            .with("cookie_requested", r.cookie_requested)
            .with(
                "ke_retries",
                r.ke_retries
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>(),
            )
            .remedy(format!(
                "Look at the IKE service on {addr} (its log shows why it keeps asking): a COOKIE \
loop means it does not recognise its own cookies (clock or secret changed, several servers behind \
one address without shared cookie secrets); an INVALID_KE_PAYLOAD loop means its proposals name \
key-exchange groups it then refuses."
            ))
        })
        .collect()
}

fn retried(r: &super::ExchangeFacts) -> String {
    if r.ke_retries.is_empty() {
        String::new()
    } else {
        let groups: Vec<String> = r.ke_retries.iter().map(ToString::to_string).collect();
        format!("; groups tried after the first: {}", groups.join(", "))
    }
}

/// The proposals of `--proposals` that got a usable answer.
fn checked(t: &TargetResult) -> Vec<&ProposalResult> {
    t.proposals
        .iter()
        .filter(|p| p.accepted.is_some())
        .collect()
}

fn accepted(t: &TargetResult) -> Vec<&ProposalResult> {
    t.proposals
        .iter()
        .filter(|p| p.accepted == Some(true))
        .collect()
}

/// `no-proposal-chosen`: NO_PROPOSAL_CHOSEN to the main offer (and no
/// proposal chosen anywhere), or every checked proposal refused.
pub fn no_proposal_chosen(t: &TargetResult) -> Option<Finding> {
    let refused = t
        .facts()
        .any(|f| f.errors.contains(&NotifyType::NO_PROPOSAL_CHOSEN));
    let checked = checked(t);
    let nothing_chosen = refused && t.chosen().is_none();
    let all_checked_refused = !checked.is_empty() && accepted(t).is_empty();
    if !nothing_chosen && !all_checked_refused {
        return None;
    }
    let addr = t.address.to_string();
    let offered = if checked.is_empty() {
        "the probe's offer (Windows defaults and common AOVPN sets)".to_owned()
    } else {
        format!("{} checked proposals", checked.len())
    };
    Some(
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
    )
}

/// `weak-proposals-only`: every accepted checked proposal is weak, or
/// (without a check) the server chose a weak one from the main offer.
pub fn weak_proposals_only(t: &TargetResult) -> Option<Finding> {
    let addr = t.address.to_string();
    let accepted = accepted(t);
    if !accepted.is_empty() && accepted.iter().all(|p| p.entry.weak) {
        let names: Vec<&str> = accepted.iter().map(|p| p.entry.name.as_str()).collect();
        return Some(
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
    }
    if !checked(t).is_empty() {
        return None;
    }
    let chosen = t.chosen().filter(|c| is_weak(c))?;
    Some(
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
        .remedy("Enable AES-256/SHA-256/MODP-2048 or AES-GCM with ECP-256/384 on the server."),
    )
}

/// `windows-defaults-rejected`: every Windows built-in proposal checked was
/// refused while some other proposal was accepted.
pub fn windows_defaults_rejected(t: &TargetResult) -> Option<Finding> {
    let checked = checked(t);
    let windows: Vec<_> = checked.iter().filter(|p| p.entry.windows_default).collect();
    let all_refused = windows.iter().all(|p| p.accepted == Some(false));
    if windows.is_empty() || !all_refused || accepted(t).is_empty() {
        return None;
    }
    let addr = t.address.to_string();
    Some(
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
    )
}

/// `ike-fragmentation-supported` / `ike-fragmentation-not-supported`: from
/// the full IKE_SA_INIT responses; nothing without one.
pub fn ike_fragmentation(t: &TargetResult) -> Option<Finding> {
    let addr = t.address.to_string();
    match t.fragmentation_supported()? {
        false => Some(
            Finding::new(
                Code::IkeFragmentationNotSupported,
                Severity::Warn,
                format!("{addr}: the server did not offer IKEv2 fragmentation (no notify 16430)"),
            )
            .with("address", addr.as_str())
            .remedy(RRAS_FRAGMENTATION),
        ),
        true => Some(
            Finding::new(
                Code::IkeFragmentationSupported,
                Severity::Info,
                format!("{addr}: the server supports IKEv2 fragmentation (RFC 7383, notify 16430)"),
            )
            .with("address", addr.as_str()),
        ),
    }
}

/// `responder-behind-nat`: the server's NAT_DETECTION_SOURCE_IP hash does
/// not match the address probed.
pub fn responder_behind_nat(t: &TargetResult) -> Option<Finding> {
    if !t.facts().any(|f| f.responder_behind_nat == Some(true)) {
        return None;
    }
    let addr = t.address.to_string();
    Some(
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
    )
}

/// `nat-detected`: our NAT_DETECTION_DESTINATION_IP hash did not match what
/// the server saw: a NAT on this side.
pub fn nat_detected(t: &TargetResult) -> Option<Finding> {
    if !t.facts().any(|f| f.initiator_behind_nat == Some(true)) {
        return None;
    }
    let addr = t.address.to_string();
    Some(
        Finding::new(
            Code::NatDetected,
            Severity::Info,
            format!(
                "{addr}: a NAT sits between this machine and the server (NAT_DETECTION_DESTINATION_IP differs)"
            ),
        )
        .with("address", addr.as_str()),
    )
}

/// The IKE_AUTH test (see `probe::ike::auth`): `ike-auth-answered`, or,
/// silent where a client's IKE_AUTH would be lost,
/// `load-balancer-not-persistent` / `ike-auth-unanswered-4500`. Nothing
/// when it did not run, or when UDP 500 or 4500 is dead anyway
/// (`udp-*-unanswered` already says so).
pub fn ike_auth(t: &TargetResult) -> Option<Finding> {
    let a = t.ike_auth.as_ref().filter(|a| a.sent())?;
    let addr = t.address.to_string();
    let base = |code, severity, summary: String| {
        Finding::new(code, severity, summary)
            .with("address", addr.as_str())
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
    if !t.port_answered(500) || !t.port_answered(4500) {
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

#[cfg(test)]
mod tests;
