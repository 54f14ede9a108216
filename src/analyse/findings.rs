//! From capture facts to findings: what went wrong, the packets that show
//! it, and what the admin changes. Causes come before consequences (lost
//! fragments before the unanswered IKE_AUTH they caused).

use serde_json::{Value, json};

use super::Analysis;
use super::sa::{IkeMessage, IkeSa, LostDatagram, Support};
use crate::capture::PacketRef;
use crate::finding::{Code, Finding, Severity, sort_by_severity};
use crate::wire::ike::{ExchangeType, NotifyType};

/// Evidence lists stay readable: at most this many packet numbers.
const MAX_FRAMES: usize = 12;

/// An IKE_AUTH response this small holds one encrypted notify or an EAP
/// failure, not IDr/AUTH/SA/TS: header 28 + SK header 4 + IV 16 + a notify
/// of 8 + padding and ICV of up to 32 bytes, rounded up.
const ERROR_SIZED_AUTH_RESPONSE: u32 = 112;

const REMEDY_FRAGMENTS: &str = "A device between client and server drops IP fragments. Best fix: \
let IKE fragment itself (RFC 7383) so it never needs IP fragments: Windows clients support it \
from Windows 10 1803; on a Windows RRAS server set HKLM\\SYSTEM\\CurrentControlSet\\Services\\\
RemoteAccess\\Parameters\\Ikev2\\EnableServerFragmentation = 1 (DWORD) and restart the \
RemoteAccess service; strongSwan: fragmentation = yes. Otherwise allow IP fragments of UDP 500/4500 \
on every firewall, NAT and load balancer on the path.";

const REMEDY_LB: &str = "This server receives IKE_AUTH for an IKE SA it never negotiated. \
A load balancer (or NAT rule) sends UDP 500 and UDP 4500 of one client to different servers: \
configure persistence by source address across both services (F5: Match Across Services; \
Kemp: port following) or one virtual service for both ports.";

const REMEDY_4500: &str = "IKE_AUTH travels on UDP 4500 after the port switch. Allow UDP 4500 \
(both directions) on every firewall; if a load balancer fronts several VPN servers, make UDP 500 \
and UDP 4500 of one client reach the same server (F5: persistence with Match Across Services; \
Kemp: port following) and do not source-NAT the clients. If the request is small, the \
server's response may be the large one (certificate chain, EAP) and its IP fragments may be \
dropped on the way back: capture on the server side to tell.";

/// Exchange name, message ID, response flag: one IKE message.
type MessageKey = (String, u32, bool);

pub fn derive(a: &Analysis) -> Vec<Finding> {
    let mut out = Vec::new();
    for t in &a.truncated {
        out.push(
            Finding::new(
                Code::CaptureTruncated,
                Severity::Warn,
                format!("{} ends early: {}", t.file, t.reason),
            )
            .with("file", t.file.clone())
            .with("offset", t.offset)
            .with("frames_read", t.frames_read)
            .remedy("Analysis covers the packets before that point. Stop captures cleanly (Wireshark: Stop; pktmon stop; netsh trace stop) and copy the file only after it is closed."),
        );
    }
    if a.stats.snapped_ike_packets > 0 {
        out.push(
            Finding::new(
                Code::CaptureTruncated,
                Severity::Warn,
                format!(
                    "the capture's snap length cut {} IKE packet(s), so their payloads cannot be read in full",
                    a.stats.snapped_ike_packets
                ),
            )
            .with("snapped_ike_packets", a.stats.snapped_ike_packets)
            .remedy("Capture whole packets: tcpdump -s 0, dumpcap without -s, pktmon start --capture --pkt-size 0."),
        );
    }
    if a.sas.is_empty() {
        let mut f = Finding::new(
            Code::NoIkeTraffic,
            Severity::Fail,
            "no IKEv2 traffic in the capture (nothing IKEv2 on UDP 500 or 4500)",
        )
        .with("packets", a.stats.packets)
        .with("ikev1_messages", a.stats.ikev1_messages)
        .remedy("Capture where the VPN traffic passes (the client's physical interface or the server's external one) while the client connects, e.g. tcpdump -i any -w vpn.pcap 'udp port 500 or udp port 4500 or ip[6:2] & 0x1fff != 0'. If the capture is right, the client never reached the server: check name resolution of the VPN server and outbound UDP 500/4500.");
        if !a.stats.unsupported_link_types.is_empty() {
            f = f.with(
                "unsupported_link_types",
                json!(a.stats.unsupported_link_types),
            );
        }
        out.push(f);
    }
    if a.stats.ikev1_messages > 0 {
        out.push(
            Finding::new(
                Code::Ikev1Traffic,
                Severity::Info,
                format!(
                    "{} IKEv1 message(s): Always On VPN uses IKEv2, so these belong to something else (L2TP/IPsec, a site-to-site tunnel)",
                    a.stats.ikev1_messages
                ),
            )
            .with("ikev1_messages", a.stats.ikev1_messages)
            .remedy("If this client should use Always On VPN, set the profile's tunnel type to IKEv2 (ProfileXML NativeProtocolType=Ikev2)."),
        );
    }
    for sa in &a.sas {
        sa_findings(sa, &mut out);
    }
    for d in &a.unattributed_lost {
        out.push(
            Finding::new(
                Code::IpFragmentsMissing,
                Severity::Warn,
                format!(
                    "a fragmented datagram {} -> {} never completed; its first fragment is missing, so it cannot be tied to an IKE SA",
                    d.src, d.dst
                ),
            )
            .with("frames", frames(&d.frames))
            .with("ip_id", d.ip_id)
            .with("missing", json!(d.missing))
            .remedy(REMEDY_FRAGMENTS),
        );
    }
    for t in a.too_big.iter().take(MAX_FRAMES) {
        let what = match (&t.exchange, t.message_id) {
            (Some(e), Some(id)) => format!("{e} (message ID {id})"),
            _ => "an IKE datagram".to_string(),
        };
        out.push(
            Finding::new(
                Code::IcmpTooBig,
                Severity::Info,
                format!(
                    "router {} reported MTU {} for {} of {} bytes from {} to {}",
                    t.router, t.mtu, what, t.quoted_len, t.quoted_src, t.quoted_dst
                ),
            )
            .with("frame", t.frame.to_string())
            .with("time", round3(t.time))
            .with("router", t.router.to_string())
            .with("mtu", t.mtu)
            .with("quoted_len", t.quoted_len)
            .remedy("The path MTU is smaller than the IKE messages. Enable IKEv2 fragmentation on both sides so IKE messages fit, and make sure these ICMP messages are not filtered on the way (RFC 2923 black holes)."),
        );
    }
    sort_by_severity(&mut out);
    out
}

fn sa_findings(sa: &IkeSa, out: &mut Vec<Finding>) {
    let peers = format!("{} -> {}", sa.initiator, sa.responder);
    let init_reqs: Vec<&IkeMessage> = sa.requests(ExchangeType::IKE_SA_INIT).collect();
    let init_resps: Vec<&IkeMessage> = sa.responses(ExchangeType::IKE_SA_INIT).collect();
    let auth_reqs: Vec<&IkeMessage> = sa.requests(ExchangeType::IKE_AUTH).collect();
    let auth_resps: Vec<&IkeMessage> = sa.responses(ExchangeType::IKE_AUTH).collect();
    // IKE_SA_INIT succeeded: an SA was chosen, or (header-only view) a
    // response came back without an error notify.
    let negotiated = sa.proposal_chosen.is_some()
        || init_resps.iter().any(|m| {
            !m.notifies
                .iter()
                .any(|n| super::sa::is_error_name(n) || n == "COOKIE")
        });

    // Lost fragments first: they are the cause of what follows. One finding
    // per IKE message (its transmissions grouped), or per SA for datagrams
    // whose first fragment is missing.
    let mut groups: Vec<(Option<MessageKey>, Vec<&LostDatagram>)> = Vec::new();
    for d in &sa.lost_datagrams {
        let key = match (&d.exchange, d.message_id, d.response) {
            (Some(e), Some(id), Some(r)) => Some((e.clone(), id, r)),
            _ => None,
        };
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, v)) => v.push(d),
            None => groups.push((key, vec![d])),
        }
    }
    for (key, ds) in groups {
        let Some(first) = ds.first() else { continue };
        let last_frame = ds
            .iter()
            .filter_map(|d| d.frames.first())
            .max()
            .copied()
            .unwrap_or_default();
        let answered = match &key {
            Some((_, id, false)) => sa
                .messages
                .iter()
                .any(|m| m.response && m.message_id == *id),
            Some((_, id, true)) => sa
                .messages
                .iter()
                .any(|m| m.response && m.message_id == *id && m.frame > last_frame),
            None => sa.ike_auth_answered,
        };
        let what = match &key {
            Some((e, id, r)) => format!(
                "{e} {} (message ID {id})",
                if *r { "response" } else { "request" }
            ),
            None => "IKE datagram(s) (first fragment missing)".to_string(),
        };
        let (severity, tail) = if answered {
            (
                Severity::Warn,
                "; a later retransmission or smaller re-send got through: the path loses fragments or its MTU changed mid-exchange",
            )
        } else {
            (Severity::Fail, "; the exchange never completed")
        };
        let all_frames: Vec<PacketRef> = ds.iter().flat_map(|d| d.frames.iter().copied()).collect();
        let mut f = Finding::new(
            Code::IpFragmentsMissing,
            severity,
            format!(
                "{what} {} -> {}: {} transmission(s) arrived only in part (bytes {} missing){tail}",
                first.src,
                first.dst,
                ds.len(),
                ranges(&first.missing)
            ),
        )
        .with("frames", frames(&all_frames))
        .with("datagrams", ds.len())
        .with("first_time", round3(first.time))
        .with("src", first.src.clone())
        .with("dst", first.dst.clone())
        .with(
            "ip_ids",
            json!(ds.iter().map(|d| d.ip_id).collect::<Vec<_>>()),
        )
        .with(
            "arrived",
            ranges(
                &first
                    .arrived
                    .iter()
                    .map(|&(s, e)| (s, Some(e)))
                    .collect::<Vec<_>>(),
            ),
        )
        .with("missing", ranges(&first.missing));
        if let Some(len) = first.ike_len {
            f = f.with("ike_length", len);
        }
        f = f
            .with("largest_fragment", first.largest_fragment)
            .with("spi_i", sa.spi_i.clone())
            .remedy(REMEDY_FRAGMENTS);
        out.push(f);
    }

    // Cleartext errors.
    for e in &sa.errors {
        if e.kind == NotifyType::NO_PROPOSAL_CHOSEN {
            out.push(
                Finding::new(
                    Code::NoProposalChosen,
                    Severity::Fail,
                    format!("{} rejected every proposal ({peers})", if e.from_initiator { "the initiator" } else { "the responder" }),
                )
                .with("frame", e.frame.to_string())
                .with("exchange", e.exchange.clone())
                .with("offered", json!(sa.proposals_offered))
                .remedy("Make both sides share one proposal: on the Windows client set the VPN profile's IPsec cryptography (Set-VpnConnectionIPsecConfiguration, or CryptographySuite in ProfileXML) to one the server accepts, or add the client's proposal on the server (RRAS: Set-VpnServerConfiguration -CustomPolicy; strongSwan: proposals = ...)."),
            );
        } else if e.kind == NotifyType::AUTHENTICATION_FAILED {
            out.push(auth_failed(
                sa,
                &peers,
                Some(e.frame),
                "AUTHENTICATION_FAILED sent in the clear",
            ));
        } else if e.kind == NotifyType::INVALID_KE_PAYLOAD {
            let group = e.requested_group.clone().unwrap_or_else(|| "?".into());
            out.push(
                Finding::new(
                    Code::InvalidKeRetry,
                    Severity::Info,
                    format!("the responder asked for Diffie-Hellman group {group} (INVALID_KE_PAYLOAD); the initiator must retry, which costs a round trip"),
                )
                .with("frame", e.frame.to_string())
                .with("requested_group", group)
                .remedy("Harmless if the retry succeeds. To save the round trip, make the client's first key exchange use the server's preferred group."),
            );
        }
    }

    // IKE_SA_INIT never answered.
    if !init_reqs.is_empty() && init_resps.is_empty() {
        let sent: Vec<&&IkeMessage> = init_reqs
            .iter()
            .filter(|m| !m.also_seen_elsewhere)
            .collect();
        out.push(
            Finding::new(
                Code::IkeSaInitUnanswered,
                Severity::Fail,
                format!(
                    "{} IKE_SA_INIT request(s) from {} to {} got no response",
                    sent.len(),
                    sa.initiator,
                    sa.responder
                ),
            )
            .with("frames", frames(&init_reqs.iter().map(|m| m.frame).collect::<Vec<_>>()))
            .with("first_time", round3(init_reqs.first().map_or(0.0, |m| m.time)))
            .with("last_time", round3(init_reqs.last().map_or(0.0, |m| m.time)))
            .with("responder", sa.responder.to_string())
            .with("size", init_reqs.first().map_or(0, |m| m.ip_len))
            .remedy("The server never answered on UDP 500: allow UDP 500 and 4500 from the clients to the VPN server on every firewall and NAT on the way, check that the server listens (RRAS running, IKEEXT service started; strongSwan charon up) and that the name resolves to the right address."),
        );
    }

    // Fragmentation support (RFC 7383 §2.3), once a side's stance is known.
    let fs = sa.fragmentation_supported;
    match (fs.initiator, fs.responder) {
        (Support::Yes, Support::Yes) => out.push(
            Finding::new(
                Code::IkeFragmentationNegotiated,
                Severity::Info,
                format!("both sides sent IKEV2_FRAGMENTATION_SUPPORTED ({peers}): large IKE messages can travel as SKF fragments"),
            )
            .with("spi_i", sa.spi_i.clone()),
        ),
        (Support::Unknown, Support::Unknown) => {}
        (i, r) if i == Support::No || r == Support::No => {
            let missing = match (i, r) {
                (Support::No, Support::No) => "neither side sent",
                (Support::No, _) => "the initiator (client) did not send",
                _ => "the responder (server) did not send",
            };
            let windows_server = sa.vendor_ids_responder.iter().any(|v| v.contains("MS NT5"));
            let remedy = if r == Support::No && windows_server {
                "The responder is Windows (RRAS): set HKLM\\SYSTEM\\CurrentControlSet\\Services\\RemoteAccess\\Parameters\\Ikev2\\EnableServerFragmentation = 1 (DWORD, Windows Server 1803/2019 or later) and restart the RemoteAccess service."
            } else if r == Support::No {
                "Enable IKEv2 fragmentation on the server: Windows RRAS: EnableServerFragmentation = 1 under HKLM\\SYSTEM\\CurrentControlSet\\Services\\RemoteAccess\\Parameters\\Ikev2; strongSwan: fragmentation = yes; other gateways: 'IKEv2 fragmentation' / RFC 7383."
            } else {
                "Enable IKEv2 fragmentation on the client: Windows 10 1803 and later send it by default (update older builds); strongSwan: fragmentation = yes."
            };
            out.push(
                Finding::new(
                    Code::IkeFragmentationNotNegotiated,
                    Severity::Warn,
                    format!("IKEv2 fragmentation not negotiated: {missing} IKEV2_FRAGMENTATION_SUPPORTED ({peers}); large IKE_AUTH messages must rely on IP fragments"),
                )
                .with("initiator", support(i))
                .with("responder", support(r))
                .with("responder_vendor_ids", json!(sa.vendor_ids_responder))
                .remedy(remedy),
            );
        }
        _ => {}
    }

    if sa.nat.initiator_behind_nat || sa.nat.responder_behind_nat {
        let side = match (sa.nat.initiator_behind_nat, sa.nat.responder_behind_nat) {
            (true, true) => "both sides are",
            (true, false) => "the initiator (client) is",
            _ => "the responder (server) is",
        };
        out.push(
            Finding::new(
                Code::NatDetected,
                Severity::Info,
                format!("NAT_DETECTION hashes show {side} behind NAT ({peers}); IKE moves to UDP 4500 (a peer that forces UDP encapsulation, like strongSwan's encap = yes, fakes this on purpose)"),
            )
            .with("frames", frames(&sa.nat.evidence))
            .with("initiator_behind_nat", sa.nat.initiator_behind_nat)
            .with("responder_behind_nat", sa.nat.responder_behind_nat)
            .remedy("Expected for clients at home. A server behind NAT needs UDP 500 and 4500 forwarded to it; on Windows servers behind NAT set AssumeUDPEncapsulationContextOnSendRule = 2 on the clients (HKLM\\SYSTEM\\CurrentControlSet\\Services\\PolicyAgent)."),
        );
    }

    // IP-fragmented IKE messages: the first fragmented transmission of each.
    let mut fragmented: Vec<&IkeMessage> = Vec::new();
    for m in sa
        .messages
        .iter()
        .filter(|m| m.ip_fragments > 1 && !m.also_seen_elsewhere)
    {
        let seen = fragmented.iter().any(|f| {
            f.message_id == m.message_id
                && f.response == m.response
                && f.exchange_type == m.exchange_type
        });
        if !seen {
            fragmented.push(m);
        }
    }
    for m in fragmented.iter().take(4) {
        out.push(
            Finding::new(
                Code::IkeMessageIpFragmented,
                Severity::Warn,
                format!(
                    "{} {} of {} bytes left {} as {} IP fragments (path MTU about {} bytes{})",
                    m.exchange,
                    if m.response { "response" } else { "request" },
                    m.ip_len,
                    m.src,
                    m.ip_fragments,
                    m.largest_fragment,
                    crate::capture::link::mtu_note(m.largest_fragment)
                ),
            )
            .with("frames", frames(&m.frames))
            .with("ip_length", m.ip_len)
            .with("ike_length", m.ike_len)
            .with("fragments", m.ip_fragments)
            .with("mtu", m.largest_fragment)
            .remedy("Works only while every device on the path passes IP fragments. Negotiate IKEv2 fragmentation (both sides) so IKE messages are split into SKF pieces below the MTU instead."),
        );
    }

    // IKE_AUTH outcome, per message ID (EAP runs several IKE_AUTH exchanges).
    let unanswered_id = auth_reqs
        .iter()
        .map(|m| m.message_id)
        .find(|id| !auth_resps.iter().any(|r| r.message_id == *id));
    let last_req_id = auth_reqs.iter().map(|m| m.message_id).max();
    // Responder-side view of lost responses: the request keeps coming after
    // it was answered, and the exchange goes no further.
    let return_path_lost = last_req_id.filter(|id| {
        let first_resp = auth_resps
            .iter()
            .filter(|r| r.message_id == *id)
            .map(|r| r.ts)
            .min();
        unanswered_id.is_none()
            && first_resp.is_some_and(|t| {
                auth_reqs
                    .iter()
                    .any(|q| q.message_id == *id && q.ts > t && q.retransmission_of.is_some())
            })
            && !sa.messages.iter().any(|m| m.message_id > *id)
    });
    if let Some(id) = unanswered_id {
        let reqs: Vec<&IkeMessage> = auth_reqs
            .iter()
            .copied()
            .filter(|m| m.message_id == id)
            .collect();
        // One transmission = one datagram, or one set of SKF pieces.
        let sent = reqs
            .iter()
            .filter(|m| !m.also_seen_elsewhere && m.skf.is_none_or(|(n, _)| n == 1))
            .count();
        let first = reqs
            .iter()
            .find(|m| m.ip_fragments > 1)
            .or(reqs.first())
            .copied();
        let ip_frag = reqs.iter().any(|m| m.ip_fragments > 1);
        let skf = reqs.iter().any(|m| m.skf.is_some());
        let remedy = if ip_frag && !skf {
            REMEDY_FRAGMENTS
        } else if init_reqs.is_empty() && init_resps.is_empty() {
            REMEDY_LB
        } else {
            REMEDY_4500
        };
        let mut summary = format!(
            "IKE_AUTH (message ID {id}) from {} to {} sent {} time(s){}, never answered (error 809)",
            first.map_or(sa.initiator, |m| m.src),
            first.map_or(sa.responder, |m| m.dst),
            sent,
            match first {
                Some(m) if m.ip_fragments > 1 =>
                    format!(" as {} bytes in {} IP fragments", m.ip_len, m.ip_fragments),
                Some(m) if m.skf.is_some() => format!(
                    " as SKF fragments of up to {} bytes",
                    reqs.iter().map(|m| m.ip_len).max().unwrap_or(0)
                ),
                Some(m) => format!(" ({} bytes)", m.ip_len),
                None => String::new(),
            }
        );
        // Several capture points (client and server traces): say where the
        // request was seen and where it never arrived.
        let files_sa: std::collections::BTreeSet<u16> =
            sa.messages.iter().map(|m| m.frame.file).collect();
        let files_req: std::collections::BTreeSet<u16> =
            reqs.iter().map(|m| m.frame.file).collect();
        let not_in: Vec<u16> = files_sa.difference(&files_req).map(|f| f + 1).collect();
        let seen_in: Vec<u16> = files_req.iter().map(|f| f + 1).collect();
        if files_sa.len() > 1 && !not_in.is_empty() {
            summary.push_str(&format!(
                "; it is in capture file {} but never in file {}: lost between the two capture points",
                join(&seen_in),
                join(&not_in)
            ));
        }
        if init_reqs.is_empty() && init_resps.is_empty() {
            summary.push_str("; this capture has no IKE_SA_INIT for this SA, so this responder never negotiated it (a load balancer sending UDP 4500 to another server than UDP 500?)");
        }
        let mut f = Finding::new(Code::IkeAuthUnanswered, Severity::Fail, summary)
            .with(
                "frames",
                frames(&reqs.iter().map(|m| m.frame).collect::<Vec<_>>()),
            )
            .with("message_id", id)
            .with("first_time", round3(reqs.first().map_or(0.0, |m| m.time)))
            .with("last_time", round3(reqs.last().map_or(0.0, |m| m.time)))
            .with("ip_length", first.map_or(0, |m| m.ip_len))
            .with("ip_fragments", first.map_or(0, |m| m.ip_fragments))
            .with("ike_fragmentation", skf);
        if files_sa.len() > 1 {
            f = f
                .with("seen_in_files", json!(seen_in))
                .with("missing_from_files", json!(not_in));
        }
        if let Some(m) = first {
            f = f.with("ports", format!("{} -> {}", m.src.port(), m.dst.port()));
        }
        out.push(f.remedy(remedy));
    } else if let Some(id) = return_path_lost {
        let resps: Vec<&IkeMessage> = auth_resps
            .iter()
            .copied()
            .filter(|m| m.message_id == id)
            .collect();
        let reqs: Vec<&IkeMessage> = auth_reqs
            .iter()
            .copied()
            .filter(|m| m.message_id == id)
            .collect();
        let big = resps.iter().max_by_key(|m| m.ip_len).copied();
        let fragmented = resps.iter().any(|m| m.ip_fragments > 1);
        out.push(
            Finding::new(
                Code::IkeAuthUnanswered,
                Severity::Fail,
                format!(
                    "the responder answered IKE_AUTH (message ID {id}) {} time(s), but the initiator kept retransmitting ({} requests) and went no further: the response{} never reached it",
                    resps.len(),
                    reqs.len(),
                    match big {
                        Some(m) if m.ip_fragments > 1 => format!(" ({} bytes in {} IP fragments)", m.ip_len, m.ip_fragments),
                        Some(m) => format!(" ({} bytes)", m.ip_len),
                        None => String::new(),
                    }
                ),
            )
            .with("requests", frames(&reqs.iter().map(|m| m.frame).collect::<Vec<_>>()))
            .with("responses", frames(&resps.iter().map(|m| m.frame).collect::<Vec<_>>()))
            .with("message_id", id)
            .with("response_ip_length", big.map_or(0, |m| m.ip_len))
            .with("response_ip_fragments", big.map_or(0, |m| m.ip_fragments))
            .remedy(if fragmented { REMEDY_FRAGMENTS } else { REMEDY_4500 }),
        );
    } else if negotiated && auth_reqs.is_empty() && !sa.ike_auth_answered {
        let lost = !sa.lost_datagrams.is_empty();
        out.push(
            Finding::new(
                Code::IkeAuthNeverArrived,
                Severity::Fail,
                format!(
                    "IKE_SA_INIT was answered ({peers}) but no complete IKE_AUTH request followed{}",
                    if lost { ": only parts of it (IP fragments) arrived" } else { "" }
                ),
            )
            .with("ike_sa_init_response", init_resps.first().map_or(String::new(), |m| m.frame.to_string()))
            .with("lost_datagrams", sa.lost_datagrams.len())
            .remedy(if lost { REMEDY_FRAGMENTS } else { REMEDY_4500 }),
        );
    }

    // An encrypted error: judged by size and by what (did not) follow.
    if sa.ike_auth_answered
        && !sa.has_error(NotifyType::AUTHENTICATION_FAILED)
        && let Some(last) = auth_resps.iter().rfind(|m| m.skf.is_none())
    {
        let continued = auth_reqs.iter().any(|r| r.message_id > last.message_id);
        let later_exchange = sa.messages.iter().any(|m| {
            m.message_id > last.message_id && m.exchange_type != ExchangeType::INFORMATIONAL
        });
        if last.ike_len <= ERROR_SIZED_AUTH_RESPONSE
            && !continued
            && !later_exchange
            && sa.esp_packets == 0
        {
            out.push(auth_failed(
                    sa,
                    &peers,
                    Some(last.frame),
                    "the last IKE_AUTH response is only large enough for an encrypted error notify, and no ESP followed",
                ));
        }
    }
}

fn auth_failed(sa: &IkeSa, peers: &str, frame: Option<PacketRef>, how: &str) -> Finding {
    Finding::new(
        Code::AuthenticationFailed,
        Severity::Fail,
        format!("authentication failed ({peers}): {how}"),
    )
    .with("frame", frame.map_or(String::new(), |f| f.to_string()))
    .with("spi_i", sa.spi_i.clone())
    .remedy("Check the server's event log (RRAS: RemoteAccess events 20271/20227; NPS: event 6273 with the reason) or strongSwan's log for the reason: client certificate not trusted or expired, EKU missing (Client Authentication / Server Authentication + IP security IKE intermediate), server name not in the certificate SAN, or wrong user credentials for EAP.")
}

fn support(s: Support) -> &'static str {
    match s {
        Support::Yes => "yes",
        Support::No => "no",
        Support::Unknown => "not seen",
    }
}

/// Packet numbers as Wireshark shows them, capped.
fn frames(refs: &[PacketRef]) -> Value {
    let mut v: Vec<String> = refs
        .iter()
        .take(MAX_FRAMES)
        .map(|r| r.to_string())
        .collect();
    if refs.len() > MAX_FRAMES {
        v.push(format!("... {} more", refs.len() - MAX_FRAMES));
    }
    json!(v)
}

/// `0-1480, 2960-end` style byte ranges (end exclusive).
fn ranges(r: &[(u32, Option<u32>)]) -> String {
    r.iter()
        .map(|(s, e)| match e {
            Some(e) => format!("{s}-{e}"),
            None => format!("{s}-end"),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn join(v: &[u16]) -> String {
    v.iter()
        .map(|n| n.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}
