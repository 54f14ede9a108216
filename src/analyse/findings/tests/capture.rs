use super::super::capture::*;
use super::{codes, find};
use crate::analyse::flows::FlowKind;
use crate::analyse::{Analysis, FileTruncation, TooBigFact};
use crate::capture::datagram::Ports;
use crate::capture::{PacketRef, Timestamp};
use crate::finding::{Code, Severity};

fn at(frame: u64) -> PacketRef {
    PacketRef { file: 0, frame }
}

#[test]
fn no_ipsec_at_all_is_no_ike_traffic() {
    let a = Analysis::default();
    let mut out = Vec::new();
    no_ike_traffic(&a, &mut out);
    ike_not_in_capture(&a, &mut out);
    assert_eq!(codes(&out), vec![(Code::NoIkeTraffic, Severity::Fail)]);
    assert_eq!(out[0].windows_error, Some(809));
}

#[test]
fn esp_one_way_without_ike_is_a_tunnel_negotiated_before_the_capture() {
    let mut a = Analysis::default();
    let (x, y) = ("192.1.2.23".parse().unwrap(), "192.1.2.45".parse().unwrap());
    let p = Some(Ports {
        src: 4500,
        dst: 4500,
    });
    for n in 0..8 {
        a.flows.add(
            FlowKind::EspInUdp,
            x,
            y,
            p,
            Some(0x1234_5678),
            at(n + 1),
            Timestamp(0),
        );
    }
    let mut out = Vec::new();
    no_ike_traffic(&a, &mut out);
    ike_not_in_capture(&a, &mut out);
    assert_eq!(codes(&out), vec![(Code::IkeNotInCapture, Severity::Warn)]);
    let f = &out[0];
    assert!(
        f.summary
            .contains("8 ESP-in-UDP packet(s) 192.1.2.23:4500 -> 192.1.2.45:4500 (SPI 0x12345678)"),
        "{}",
        f.summary
    );
    assert!(
        f.summary.contains("negotiated before the capture started"),
        "{}",
        f.summary
    );
    assert!(f.summary.contains("one direction only"), "{}", f.summary);
    assert!(!f.summary.contains("never reached"), "{}", f.summary);
    assert!(
        f.remedy
            .as_deref()
            .unwrap()
            .contains("start the capture, then connect")
    );
    assert_eq!(f.evidence["esp_in_udp_packets"], 8);
    assert_eq!(f.windows_error, None);
    // The answer flows back: the tunnel is up.
    a.flows.add(
        FlowKind::EspInUdp,
        y,
        x,
        p,
        Some(0x9999),
        at(9),
        Timestamp(0),
    );
    let mut out = Vec::new();
    ike_not_in_capture(&a, &mut out);
    assert!(
        out[0]
            .summary
            .contains("ESP flows both ways: the tunnel is up")
    );
}

#[test]
fn ikev1_only_is_not_in_capture_and_named() {
    let mut a = Analysis::default();
    let (x, y) = ("192.0.2.1".parse().unwrap(), "192.0.2.2".parse().unwrap());
    a.flows.add(
        FlowKind::Ikev1,
        x,
        y,
        Some(Ports { src: 500, dst: 500 }),
        None,
        at(1),
        Timestamp(0),
    );
    a.stats.ikev1_messages = 1;
    let mut out = Vec::new();
    ike_not_in_capture(&a, &mut out);
    ikev1_traffic(&a, &mut out);
    assert_eq!(
        codes(&out),
        vec![
            (Code::IkeNotInCapture, Severity::Warn),
            (Code::Ikev1Traffic, Severity::Info)
        ]
    );
    assert!(
        out[0].summary.contains("negotiated with IKEv1"),
        "{}",
        out[0].summary
    );
}

#[test]
fn truncation_and_snapping_are_named() {
    let mut a = Analysis::default();
    a.truncated.push(FileTruncation {
        file: "x.pcap".into(),
        offset: 100,
        frames_read: 3,
        reason: "cut".into(),
    });
    a.stats.snapped_ike_packets = 2;
    let mut out = Vec::new();
    truncated(&a, &mut out);
    assert_eq!(out.len(), 2);
    assert_eq!(
        find(&out, Code::CaptureTruncated).evidence["frames_read"],
        3
    );
}

#[test]
fn icmp_too_big_names_router_mtu_and_message() {
    let mut a = Analysis::default();
    a.too_big.push(TooBigFact {
        at: at(4),
        ts: Timestamp(0),
        router: "198.18.1.1".parse().unwrap(),
        mtu: Some(1400),
        quoted_src: "198.18.1.10:4500".parse().unwrap(),
        quoted_dst: "198.19.2.20:4500".parse().unwrap(),
        quoted_len: 2244,
        exchange: Some(crate::wire::ike::ExchangeType::IKE_AUTH),
        message_id: Some(1),
    });
    let mut out = Vec::new();
    icmp_too_big(&a, &mut out);
    assert_eq!(
        out[0].summary,
        "router 198.18.1.1 reported MTU 1400 for IKE_AUTH (message ID 1) of 2244 bytes from 198.18.1.10:4500 to 198.19.2.20:4500"
    );
}
