//! Findings about the capture as a whole: files cut short, no IKEv2 at all,
//! IPsec flowing without its negotiation, IKEv1, ICMP "too big".

use serde_json::json;

use super::evidence::{MAX_FRAMES, and_list, frame, round3, thousands};
use crate::analyse::Analysis;
use crate::analyse::bounds::MAX_SAS;
use crate::analyse::flows::{Flow, FlowKind};
use crate::analyse::summary::Outcome;
use crate::capture::inputs::{Duplicate, Sameness};
use crate::finding::{Code, Finding, Severity};

const CAPTURE_FILTER: &str = "tcpdump -i any -w vpn.pcap 'udp port 500 or udp port 4500 or esp \
or ip[6:2] & 0x1fff != 0' (Linux), or on Windows: pktmon start --capture --pkt-size 0, then \
pktmon stop and pktmon etl2pcap PktMon.etl";

/// `capture-truncated`: a file that ends mid-record, or IKE packets the
/// snap length cut.
pub(super) fn truncated(a: &Analysis, out: &mut Vec<Finding>) {
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
}

/// `no-ike-traffic`: no IKEv2 and no IPsec of any kind.
pub(super) fn no_ike_traffic(a: &Analysis, out: &mut Vec<Finding>) {
    if !a.sas.is_empty() || !a.flows.is_empty() {
        return;
    }
    let mut f = Finding::new(
        Code::NoIkeTraffic,
        Severity::Fail,
        "no IKEv2 traffic in the capture (nothing IKEv2 on UDP 500 or 4500, no ESP)",
    )
    .with("packets", a.capture.packets)
    .with("ikev1_messages", a.stats.ikev1_messages)
    .remedy(format!("Capture where the VPN traffic passes (the client's physical interface or the server's external one) while the client connects, e.g. {CAPTURE_FILTER}. If the capture is right, the client never reached the server: check name resolution of the VPN server and outbound UDP 500/4500."));
    if !a.capture.unsupported_link_types.is_empty() {
        let names: serde_json::Map<String, serde_json::Value> = a
            .capture
            .unsupported_link_types
            .iter()
            .map(|(l, n)| (l.to_string(), json!(n)))
            .collect();
        f = f.with("unsupported_link_types", serde_json::Value::Object(names));
    }
    out.push(f);
}

/// One flow in words: `8 ESP-in-UDP packets 192.1.2.23:4500 ->
/// 192.1.2.45:4500 (SPI 0x12345678)`.
fn flow_words(f: &Flow) -> String {
    let what = match f.kind {
        FlowKind::Esp => "ESP",
        FlowKind::EspInUdp => "ESP-in-UDP",
        FlowKind::Ikev1 => "IKEv1",
    };
    let unit = if f.kind == FlowKind::Ikev1 {
        "message(s)"
    } else {
        "packet(s)"
    };
    let ends = format!("{} -> {}", f.src_addr(), f.dst_addr());
    let spi = f
        .spi
        .map(|s| format!(" (SPI 0x{s:08x})"))
        .unwrap_or_default();
    format!("{} {what} {unit} {ends}{spi}", f.packets)
}

/// `ike-not-in-capture`: ESP, ESP in UDP or IKEv1 flows but no IKEv2
/// exchange is in the capture: the tunnel was negotiated before the capture
/// started (or with IKEv1). Never "the client never reached the server".
pub(super) fn ike_not_in_capture(a: &Analysis, out: &mut Vec<Finding>) {
    if !a.sas.is_empty() || a.flows.is_empty() {
        return;
    }
    let flows = &a.flows.flows;
    let esp: Vec<&Flow> = flows.iter().filter(|f| f.kind != FlowKind::Ikev1).collect();
    let ikev1 = flows.iter().any(|f| f.kind == FlowKind::Ikev1);
    let both_ways = esp
        .iter()
        .any(|f| esp.iter().any(|g| g.src == f.dst && g.dst == f.src));
    let words: Vec<String> = flows.iter().take(MAX_FRAMES).map(flow_words).collect();
    let state = match (esp.is_empty(), both_ways, ikev1) {
        (false, true, _) => {
            "ESP flows both ways: the tunnel is up, and it was negotiated before the capture started"
        }
        (false, false, _) => {
            "ESP flows in one direction only, so a tunnel was negotiated before the capture started (nothing came back in this capture: a one-way capture, or the return traffic is lost)"
        }
        (true, _, _) => {
            "this tunnel is negotiated with IKEv1 (L2TP/IPsec or a site-to-site tunnel), not IKEv2"
        }
    };
    let summary = format!(
        "no IKEv2 negotiation in the capture, but IPsec between the peers: {}; {state}",
        and_list(&words)
    );
    let peers: Vec<String> = flows
        .iter()
        .take(MAX_FRAMES)
        .map(|f| format!("{} -> {}", f.src, f.dst))
        .collect();
    let first = flows.iter().map(|f| f.first_ts).min();
    let last = flows.iter().map(|f| f.last_ts).max();
    let mut finding = Finding::new(Code::IkeNotInCapture, Severity::Warn, summary)
        .with("peers", json!(peers))
        .with("esp_packets", a.flows.packets(FlowKind::Esp))
        .with("esp_in_udp_packets", a.flows.packets(FlowKind::EspInUdp))
        .with("ikev1_messages", a.flows.packets(FlowKind::Ikev1))
        .with("esp_both_ways", both_ways)
        .with(
            "spis",
            json!(
                esp.iter()
                    .filter_map(|f| f.spi)
                    .map(|s| format!("0x{s:08x}"))
                    .collect::<Vec<_>>()
            ),
        );
    if let (Some(f), Some(l)) = (first, last) {
        finding = finding
            .with("first_time", round3(a.rel(f)))
            .with("last_time", round3(a.rel(l)));
    }
    out.push(finding.remedy(format!("Nothing here shows a failure. To see how the connection is negotiated, capture the attempt itself: disconnect the VPN, start the capture, then connect, e.g. {CAPTURE_FILTER}. Always On VPN negotiates with IKEv2; IKEv1 means L2TP/IPsec or another tunnel.")));
}

/// `ikev1-traffic` (info).
pub(super) fn ikev1_traffic(a: &Analysis, out: &mut Vec<Finding>) {
    if a.stats.ikev1_messages == 0 {
        return;
    }
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

/// `icmp-too-big` (info): a router said an IKE datagram was too big.
pub(super) fn icmp_too_big(a: &Analysis, out: &mut Vec<Finding>) {
    for t in a.too_big.iter().take(MAX_FRAMES) {
        let what = match (t.exchange, t.message_id) {
            (Some(e), Some(id)) => format!("{e} (message ID {id})"),
            _ => "an IKE datagram".to_string(),
        };
        let mtu = t
            .mtu
            .map_or_else(|| "no MTU".to_string(), |m| format!("MTU {m}"));
        out.push(
            Finding::new(
                Code::IcmpTooBig,
                Severity::Info,
                format!(
                    "router {} reported {mtu} for {what} of {} bytes from {} to {}",
                    t.router, t.quoted_len, t.quoted_src, t.quoted_dst
                ),
            )
            .with("frame", frame(t.at))
            .with("time", round3(a.rel(t.ts)))
            .with("router", t.router.to_string())
            .with("mtu", t.mtu)
            .with("quoted_len", t.quoted_len)
            .remedy("The path MTU is smaller than the IKE messages. Enable IKEv2 fragmentation on both sides so IKE messages fit, and make sure these ICMP messages are not filtered on the way (RFC 2923 black holes)."),
        );
    }
}

/// `ike-sas-summarised` (info): more IKE SAs than the working set holds;
/// what became of the ones summarised.
pub(super) fn sas_summarised(a: &Analysis, out: &mut Vec<Finding>) {
    let s = &a.summarised;
    if s.is_empty() {
        return;
    }
    let n = s.sas();
    let outcomes = s.outcomes();
    let parts: Vec<String> = Outcome::ALL
        .iter()
        .filter(|o| outcomes.get(**o) > 0)
        .map(|o| format!("{} {}", thousands(outcomes.get(*o)), o.words()))
        .collect();
    let mut summary = format!(
        "{} IKE SA(s) beyond the {MAX_SAS} kept in full are summarised per peer and outcome ({}); {} of them had a fail finding when summarised; their findings are counted with the findings of each code",
        thousands(n),
        and_list(&parts),
        thousands(s.failed()),
    );
    if s.unsettled > 0 {
        summary.push_str(&format!(
            "; {} were summarised less than 5 s after their last message, while more new IKE SAs arrived than are kept (a flood)",
            thousands(s.unsettled)
        ));
    }
    if s.later_messages > 0 {
        summary.push_str(&format!(
            "; {} later IKE message(s) of summarised SAs were counted, not analysed",
            thousands(s.later_messages)
        ));
    }
    let by_outcome: serde_json::Map<String, serde_json::Value> = Outcome::ALL
        .iter()
        .map(|o| (o.as_str().to_string(), json!(outcomes.get(*o))))
        .collect();
    out.push(
        Finding::new(Code::IkeSasSummarised, Severity::Info, summary)
            .with("summarised", n)
            .with("kept_in_full", a.sas.len())
            .with("outcomes", serde_json::Value::Object(by_outcome))
            .with("with_fail_finding", s.failed())
            .with("peers_listed", s.peers.len())
            .with("summarised_unsettled", s.unsettled)
            .with("later_messages", s.later_messages)
            .remedy("Nothing to fix for this by itself: `summarised_sas` in the JSON counts them per peer. To see one peer's IKE SAs in full, cut the capture to that peer (tcpdump -r capture.pcap -w peer.pcap host ADDRESS) and analyse that."),
    );
}

/// `duplicate-capture` (info): an input that repeats an earlier one (the
/// same path, or identical bytes) was skipped; `names` are the inputs as
/// given.
pub fn duplicate_capture(d: &Duplicate, names: &[String]) -> Finding {
    let name = |i: usize| names.get(i).cloned().unwrap_or_default();
    let (how, word) = match &d.how {
        Sameness::SamePath => ("same-path", "the same file as"),
        Sameness::SameContent { .. } => ("same-content", "a copy of"),
    };
    let mut f = Finding::new(
        Code::DuplicateCapture,
        Severity::Info,
        format!(
            "{} (input {}) is {word} {} (input {}): read once",
            name(d.index),
            d.index + 1,
            name(d.of),
            d.of + 1
        ),
    )
    .with("file", name(d.index))
    .with("input", d.index + 1)
    .with("same_as", name(d.of))
    .with("same_as_input", d.of + 1)
    .with("how", how);
    if let Sameness::SameContent { sha256 } = &d.how {
        f = f.with("sha256", sha256.clone());
    }
    f
}

#[cfg(test)]
mod duplicate_tests {
    use super::*;

    #[test]
    fn a_duplicate_names_both_inputs_and_how_they_match() {
        let names = vec!["a.pcap".to_owned(), "b.pcap".to_owned()];
        let f = duplicate_capture(
            &Duplicate {
                index: 1,
                of: 0,
                how: Sameness::SameContent {
                    sha256: "ab".repeat(32),
                },
            },
            &names,
        );
        assert_eq!(f.code, Code::DuplicateCapture);
        assert_eq!(f.severity, Severity::Info);
        assert_eq!(
            f.summary,
            "b.pcap (input 2) is a copy of a.pcap (input 1): read once"
        );
        assert_eq!(f.evidence["how"], "same-content");
        assert_eq!(f.evidence["same_as_input"], 1);
        assert!(f.remedy.is_none());
    }
}
