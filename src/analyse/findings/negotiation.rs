//! Findings about what IKE_SA_INIT negotiated and what errors came back:
//! proposals, Diffie-Hellman group, COOKIE, IKEv2 fragmentation, NAT, and
//! an authentication failure told from what the capture shows.

use serde_json::json;

use super::SaView;
use super::evidence::{self, WithFrames, frame, peers};
use crate::analyse::sa::{IkeSa, Support};
use crate::capture::PacketRef;
use crate::finding::{Code, Finding, Severity};
use crate::wire::ike::{ExchangeType, NotifyType, vendor};

/// An IKE_AUTH response this small holds one encrypted notify or an EAP
/// failure, not IDr/AUTH/SA/TS: header 28 + SK header 4 + IV 16 + a notify
/// of 8 + padding and ICV of up to 32 bytes, rounded up.
const ERROR_SIZED_AUTH_RESPONSE: u32 = 112;

/// `no-proposal-chosen`, `authentication-failed` (in the clear) and
/// `invalid-ke-retry`: error notifies the capture can read.
pub(super) fn cleartext_errors(v: &SaView<'_>, out: &mut Vec<Finding>) {
    let sa = v.sa;
    for e in &sa.errors {
        if e.kind == NotifyType::NO_PROPOSAL_CHOSEN {
            let offered: Vec<String> = sa.proposals_offered.iter().map(|p| p.describe()).collect();
            out.push(
                Finding::new(
                    Code::NoProposalChosen,
                    Severity::Fail,
                    format!(
                        "{} rejected every proposal ({})",
                        if e.from_initiator { "the initiator" } else { "the responder" },
                        peers(sa)
                    ),
                )
                .with("frame", frame(e.at))
                .with("exchange", e.exchange.to_string())
                .with("offered", json!(offered))
                .remedy("Make both sides share one proposal: on the Windows client set the VPN profile's IPsec cryptography (Set-VpnConnectionIPsecConfiguration, or CryptographySuite in ProfileXML) to one the server accepts, or add the client's proposal on the server (RRAS: Set-VpnServerConfiguration -CustomPolicy; strongSwan: proposals = ...)."),
            );
        } else if e.kind == NotifyType::AUTHENTICATION_FAILED {
            out.push(auth_failed(
                sa,
                Some(e.at),
                "AUTHENTICATION_FAILED sent in the clear",
            ));
        } else if e.kind == NotifyType::INVALID_KE_PAYLOAD {
            let group = e
                .requested_group
                .map_or_else(|| "?".to_string(), |g| g.to_string());
            out.push(
                Finding::new(
                    Code::InvalidKeRetry,
                    Severity::Info,
                    format!("the responder asked for Diffie-Hellman group {group} (INVALID_KE_PAYLOAD); the initiator must retry, which costs a round trip"),
                )
                .with("frame", frame(e.at))
                .with("requested_group", group)
                .remedy("Harmless if the retry succeeds. To save the round trip, make the client's first key exchange use the server's preferred group."),
            );
        }
    }
}

/// `ike-cookie-requested` (info): the responder answered IKE_SA_INIT with
/// a COOKIE (RFC 7296 §2.6), which it does only above its threshold of
/// half-open IKE SAs.
pub(super) fn cookie_requested(v: &SaView<'_>, out: &mut Vec<Finding>) {
    let sa = v.sa;
    let demands: Vec<PacketRef> = sa
        .responses(ExchangeType::IKE_SA_INIT)
        .filter(|t| t.same_as.is_none() && t.notifies.contains(&NotifyType::COOKIE))
        .map(|t| t.first)
        .collect();
    let Some(first) = demands.first() else {
        return;
    };
    // The retry that carries the cookie, and whether it was answered.
    let retried = sa
        .requests(ExchangeType::IKE_SA_INIT)
        .any(|t| t.notifies.contains(&NotifyType::COOKIE));
    let answered = sa.negotiated();
    let outcome = match (retried, answered) {
        (true, true) => "the initiator retried with the cookie and was answered",
        (true, false) => "the initiator retried with the cookie, without an answer in this capture",
        (false, _) => "no retry with the cookie follows in this capture",
    };
    out.push(
        Finding::new(
            Code::IkeCookieRequested,
            Severity::Info,
            format!(
                "the responder demanded a COOKIE before it keeps any state for {} ({}): it holds more half-open IKE SAs than its threshold (denial-of-service protection, RFC 7296 §2.6); {outcome}",
                sa.initiator,
                peers(sa)
            ),
        )
        .with_frames("frames", &demands)
        .with("first", frame(*first))
        .with("retried_with_cookie", retried)
        .with("answered", answered)
        .remedy("Harmless when the retry is answered: it costs one round trip. If it persists, the server is under load or attack: look at its count of half-open IKE SAs and at how many clients connect at once (strongSwan: charon.cookie_threshold; Windows IKEEXT applies its own DoS protection)."),
    );
}

/// `ike-fragmentation-negotiated` / `ike-fragmentation-not-negotiated`
/// (RFC 7383 §2.3), once a side's stance is known.
pub(super) fn fragmentation(v: &SaView<'_>, out: &mut Vec<Finding>) {
    let sa = v.sa;
    let fs = sa.fragmentation;
    match (fs.initiator, fs.responder) {
        (Support::Yes, Support::Yes) => out.push(
            Finding::new(
                Code::IkeFragmentationNegotiated,
                Severity::Info,
                format!("both sides sent IKEV2_FRAGMENTATION_SUPPORTED ({}): large IKE messages can travel as SKF fragments", peers(sa)),
            )
            .with("spi_i", crate::wire::hex(&sa.spi_i)),
        ),
        (Support::Unknown, Support::Unknown) => {}
        (i, r) if i == Support::No || r == Support::No => {
            let missing = match (i, r) {
                (Support::No, Support::No) => "neither side sent",
                (Support::No, _) => "the initiator (client) did not send",
                _ => "the responder (server) did not send",
            };
            let remedy = if r == Support::No && windows_responder(sa) {
                "The responder is Windows (RRAS): set HKLM\\SYSTEM\\CurrentControlSet\\Services\\RemoteAccess\\Parameters\\Ikev2\\EnableServerFragmentation = 1 (DWORD, Windows Server 1803/2019 or later) and restart the RemoteAccess service."
            } else if r == Support::No {
                "Enable IKEv2 fragmentation on the server: Windows RRAS: EnableServerFragmentation = 1 under HKLM\\SYSTEM\\CurrentControlSet\\Services\\RemoteAccess\\Parameters\\Ikev2; strongSwan: fragmentation = yes; other gateways: 'IKEv2 fragmentation' / RFC 7383."
            } else {
                "Enable IKEv2 fragmentation on the client: Windows 10 1803 and later send it by default (update older builds); strongSwan: fragmentation = yes."
            };
            let vids: Vec<String> = sa.vendor_ids_responder.iter().map(|v| vendor::describe(v)).collect();
            out.push(
                Finding::new(
                    Code::IkeFragmentationNotNegotiated,
                    Severity::Warn,
                    format!("IKEv2 fragmentation not negotiated: {missing} IKEV2_FRAGMENTATION_SUPPORTED ({}); large IKE_AUTH messages must rely on IP fragments", peers(sa)),
                )
                .with("initiator", support(i))
                .with("responder", support(r))
                .with("responder_vendor_ids", json!(vids))
                .remedy(remedy),
            );
        }
        _ => {}
    }
}

/// The responder sent Microsoft's vendor ID ([MS-IKEE] §2.2.4.1).
pub(super) fn windows_responder(sa: &IkeSa) -> bool {
    sa.vendor_ids_responder
        .iter()
        .any(|v| v.starts_with(&vendor::MS_NT5_ISAKMPOAKLEY))
}

/// `nat-detected` (info): NAT_DETECTION hashes that do not match.
pub(super) fn nat(v: &SaView<'_>, out: &mut Vec<Finding>) {
    let sa = v.sa;
    let (i, r) = (sa.nat.initiator_behind_nat(), sa.nat.responder_behind_nat());
    if !i && !r {
        return;
    }
    let side = match (i, r) {
        (true, true) => "both sides are",
        (true, false) => "the initiator (client) is",
        _ => "the responder (server) is",
    };
    out.push(
        Finding::new(
            Code::NatDetected,
            Severity::Info,
            format!("NAT_DETECTION hashes show {side} behind NAT ({}); IKE moves to UDP 4500 (a peer that forces UDP encapsulation, like strongSwan's encap = yes, fakes this on purpose)", peers(sa)),
        )
        .with_frames("frames", &sa.nat.evidence())
        .with("initiator_behind_nat", i)
        .with("responder_behind_nat", r)
        .remedy("Expected for clients at home. A server behind NAT needs UDP 500 and 4500 forwarded to it; on Windows servers behind NAT set AssumeUDPEncapsulationContextOnSendRule = 2 on the clients (HKLM\\SYSTEM\\CurrentControlSet\\Services\\PolicyAgent)."),
    );
}

/// `authentication-failed` from size: the last IKE_AUTH response is only
/// large enough for an encrypted error notify and nothing followed.
pub(super) fn auth_failed_by_size(v: &SaView<'_>, out: &mut Vec<Finding>) {
    let sa = v.sa;
    if !sa.ike_auth_answered() || sa.has_error(NotifyType::AUTHENTICATION_FAILED) {
        return;
    }
    let Some(last) = sa
        .responses(ExchangeType::IKE_AUTH)
        .filter(|t| !t.is_skf())
        .last()
    else {
        return;
    };
    let id = last.key.message_id;
    let continued = sa
        .requests(ExchangeType::IKE_AUTH)
        .any(|r| r.key.message_id > id);
    let later_exchange = sa
        .transmissions
        .iter()
        .any(|t| t.key.message_id > id && t.key.exchange != ExchangeType::INFORMATIONAL);
    if last.ike_len <= ERROR_SIZED_AUTH_RESPONSE
        && !continued
        && !later_exchange
        && sa.esp.total() == 0
    {
        out.push(auth_failed(
            sa,
            Some(last.first),
            "the last IKE_AUTH response is only large enough for an encrypted error notify, and no ESP followed",
        ));
    }
}

fn auth_failed(sa: &IkeSa, frame: Option<PacketRef>, how: &str) -> Finding {
    Finding::new(
        Code::AuthenticationFailed,
        Severity::Fail,
        format!("authentication failed ({}): {how}", peers(sa)),
    )
    .with("frame", frame.map_or(serde_json::Value::Null, evidence::frame))
    .with("spi_i", crate::wire::hex(&sa.spi_i))
    .remedy("Check the server's event log (RRAS: RemoteAccess events 20271/20227; NPS: event 6273 with the reason) or strongSwan's log for the reason: client certificate not trusted or expired, EKU missing (Client Authentication / Server Authentication + IP security IKE intermediate), server name not in the certificate SAN, or wrong user credentials for EAP.")
}

pub(super) fn support(s: Support) -> &'static str {
    match s {
        Support::Yes => "yes",
        Support::No => "no",
        Support::Unknown => "not seen",
    }
}
