//! The analyser end to end on hand-built packets: frames in, facts and
//! findings out.

use super::*;
use crate::capture::ip::tests::{ipv4, udp};
use crate::capture::{LinkType, Packet};
use crate::finding::Code;
use lost::FirstFragment;

const C: [u8; 4] = [198, 18, 0, 2];
const S: [u8; 4] = [198, 19, 0, 2];
const SPI: [u8; 8] = [1, 2, 3, 4, 5, 6, 7, 8];

/// An IKEv2 header-only message (RFC 7296 §3.1) padded with an opaque
/// SK payload of `body` bytes.
pub(crate) fn ike(exchange: u8, flags: u8, id: u32, spi_r: [u8; 8], body: usize) -> Vec<u8> {
    let mut m = SPI.to_vec();
    m.extend(spi_r);
    let next = if body > 0 { 46 } else { 0 };
    m.extend([next, 0x20, exchange, flags]);
    m.extend(id.to_be_bytes());
    let len = 28 + if body > 0 { 4 + body } else { 0 };
    m.extend((len as u32).to_be_bytes());
    if body > 0 {
        m.extend([0, 0]);
        m.extend(((4 + body) as u16).to_be_bytes());
        m.extend(vec![0xab; body]);
    }
    m
}

/// An SKF piece (RFC 7383 §2.5): header, SKF payload with number/total and
/// `body` opaque bytes.
pub(crate) fn skf(flags: u8, id: u32, n: u16, total: u16, body: usize) -> Vec<u8> {
    let mut m = SPI.to_vec();
    m.extend([9; 8]);
    m.extend([53, 0x20, 35, flags]);
    m.extend(id.to_be_bytes());
    m.extend(((28 + 8 + body) as u32).to_be_bytes());
    m.extend([if n == 1 { 35 } else { 0 }, 0]);
    m.extend(((8 + body) as u16).to_be_bytes());
    m.extend(n.to_be_bytes());
    m.extend(total.to_be_bytes());
    m.extend(vec![n as u8; body]);
    m
}

fn marked(ike: &[u8]) -> Vec<u8> {
    let mut v = vec![0, 0, 0, 0];
    v.extend_from_slice(ike);
    v
}

fn feed(a: &mut Session, frame: u64, millis: i64, ip: &[u8]) {
    a.push(&Packet {
        at: PacketRef { file: 0, frame },
        interface: 0,
        mark: None,
        ts: Timestamp(millis * 1_000_000),
        link: LinkType::RAW,
        data: ip,
        orig_len: ip.len() as u32,
    });
}

fn codes(a: &Analysis) -> Vec<(Code, crate::finding::Severity)> {
    a.findings.iter().map(|f| (f.code, f.severity)).collect()
}

#[test]
fn pairs_responses_and_spots_retransmissions() {
    let mut a = Session::new(Options::default());
    let req = ipv4(C, S, 17, 1, 0, &udp(500, 500, &ike(34, 0x08, 0, [0; 8], 0)));
    let resp = ipv4(S, C, 17, 2, 0, &udp(500, 500, &ike(34, 0x20, 0, [9; 8], 0)));
    feed(&mut a, 1, 0, &req);
    feed(&mut a, 2, 1000, &req);
    feed(&mut a, 3, 1001, &resp);
    let r = a.finish();
    let sa = &r.sas[0];
    assert_eq!(sa.transmissions.len(), 3);
    assert_eq!(sa.transmissions[1].retransmission_of, Some(0));
    assert_eq!(sa.transmissions[2].answers, Some(1));
    assert_eq!(sa.spi_r, [9; 8]);
    assert_eq!(r.stats.ike_messages, 3);
}

#[test]
fn lost_second_fragment_is_tied_to_the_ike_message_it_carried() {
    let mut a = Session::new(Options::default());
    let init = ipv4(C, S, 17, 1, 0, &udp(500, 500, &ike(34, 0x08, 0, [0; 8], 0)));
    let init_r = ipv4(S, C, 17, 2, 0, &udp(500, 500, &ike(34, 0x20, 0, [9; 8], 0)));
    feed(&mut a, 1, 0, &init);
    feed(&mut a, 2, 0, &init_r);
    let dgram = udp(4500, 4500, &marked(&ike(35, 0x08, 1, [9; 8], 2000)));
    // First fragment only, three times: 1480 bytes at offset 0, MF set.
    for (n, id) in [(3u64, 77u16), (4, 78), (5, 79)] {
        let first = ipv4(C, S, 17, id, 0x2000, &dgram[..1480]);
        feed(&mut a, n, 1000 * n as i64, &first);
    }
    let r = a.finish();
    assert_eq!(r.capture.datagrams_incomplete, 3);
    let lost = &r.sas[0].lost[0];
    let h = lost.header.unwrap();
    assert_eq!(h.key.exchange, ExchangeType::IKE_AUTH);
    assert_eq!(h.key.message_id, 1);
    assert_eq!(lost.missing[0].start, 1480);
    let codes: Vec<Code> = r.findings.iter().map(|f| f.code).collect();
    assert!(codes.contains(&Code::IpFragmentsMissing), "{codes:?}");
    assert!(codes.contains(&Code::IkeAuthNeverArrived), "{codes:?}");
}

/// Issue 14: a lost datagram whose first fragment arrived but carried no
/// IKE message is described by what that fragment carried, never as "its
/// first fragment is missing"; one whose first fragment never came says so.
#[test]
fn lost_datagrams_say_what_their_first_fragment_carried() {
    let mut a = Session::new(Options::default());
    let esp = udp(
        4500,
        4500,
        &[[0x12, 0x34, 0x56, 0x78].as_slice(), &[7; 1600]].concat(),
    );
    let mut v1 = ike(2, 0, 0, [0; 8], 2000);
    v1[17] = 0x10;
    let v1 = udp(500, 500, &v1);
    let short = udp(500, 500, &ike(35, 0x08, 1, [9; 8], 2000));
    feed(
        &mut a,
        1,
        0,
        &ipv4([198, 18, 0, 3], S, 17, 1, 0x2000, &esp[..1480]),
    );
    feed(
        &mut a,
        2,
        1,
        &ipv4([198, 18, 0, 4], S, 17, 2, 0x2000, &v1[..1480]),
    );
    // A first fragment of 16 bytes: the UDP header and 8 bytes of IKE.
    feed(
        &mut a,
        3,
        2,
        &ipv4([198, 18, 0, 5], S, 17, 3, 0x2000, &short[..16]),
    );
    // The last fragment alone, at offset 1480.
    feed(
        &mut a,
        4,
        3,
        &ipv4([198, 18, 0, 6], S, 17, 4, 185, &[0; 100]),
    );
    let r = a.finish();
    assert_eq!(r.capture.datagrams_incomplete, 4);
    let lost: Vec<&str> = r
        .findings
        .iter()
        .filter(|f| f.code == Code::IpFragmentsMissing)
        .map(|f| f.summary.as_str())
        .collect();
    assert_eq!(lost.len(), 4, "{lost:#?}");
    let about = |host: &str| {
        lost.iter()
            .find(|s| s.contains(host))
            .copied()
            .unwrap_or_else(|| panic!("{host} in {lost:#?}"))
    };
    let esp = about("198.18.0.3:4500");
    assert!(
        esp.contains("first fragment arrived and carried ESP in UDP"),
        "{esp}"
    );
    let ikev1 = about("198.18.0.4:500");
    assert!(
        ikev1.contains("first fragment arrived and carried IKEv1"),
        "{ikev1}"
    );
    let short = about("198.18.0.5:500");
    assert!(
        short.contains("first fragment arrived and carried no IKEv2 header"),
        "{short}"
    );
    for s in [esp, ikev1, short] {
        assert!(
            !s.contains("missing") && !s.contains("never arrived"),
            "{s}"
        );
    }
    let tail = about("198.18.0.6");
    assert!(
        tail.contains("the first fragment never arrived here"),
        "{tail}"
    );
    let flows: Vec<FirstFragment> = r
        .lost_flows
        .flows
        .iter()
        .map(|f| f.first_fragment)
        .collect();
    assert_eq!(
        flows,
        [
            FirstFragment::EspInUdp,
            FirstFragment::Ikev1,
            FirstFragment::NotIke,
            FirstFragment::Missing
        ]
    );
}

#[test]
fn ordinary_traffic_is_counted_not_analysed() {
    let mut a = Session::new(Options::default());
    feed(&mut a, 1, 0, &ipv4(C, S, 6, 1, 0, &[0; 40]));
    feed(
        &mut a,
        2,
        0,
        &ipv4(C, S, 17, 2, 0, &udp(5353, 53, &[0; 20])),
    );
    let r = a.finish();
    assert_eq!(r.capture.packets, 2);
    assert!(r.sas.is_empty());
    assert_eq!(r.findings[0].code, Code::NoIkeTraffic);
}

#[test]
fn skf_pieces_sent_together_are_one_transmission() {
    // An IKE_AUTH request of 17 pieces, sent three times one second apart,
    // never answered: one message, three transmissions, 51 datagrams.
    let mut a = Session::new(Options::default());
    let init = ipv4(C, S, 17, 1, 0, &udp(500, 500, &ike(34, 0x08, 0, [0; 8], 0)));
    let init_r = ipv4(S, C, 17, 2, 0, &udp(500, 500, &ike(34, 0x20, 0, [9; 8], 0)));
    feed(&mut a, 1, 0, &init);
    feed(&mut a, 2, 10, &init_r);
    let mut frame = 3;
    for round in 0..3i64 {
        for n in 1..=17u16 {
            let piece = udp(4500, 4500, &marked(&skf(0x08, 1, n, 17, 500)));
            feed(
                &mut a,
                frame,
                100 + round * 1000 + i64::from(n),
                &ipv4(C, S, 17, 9, 0, &piece),
            );
            frame += 1;
        }
    }
    let r = a.finish();
    assert_eq!(r.stats.ike_messages, 53);
    assert_eq!(r.stats.skf_fragments, 51);
    let auth: Vec<&Transmission> = r.sas[0].requests(ExchangeType::IKE_AUTH).collect();
    assert_eq!(auth.len(), 3);
    assert!(auth.iter().all(|t| t.complete() && t.datagrams == 17));
    assert_eq!(auth[1].retransmission_of, Some(2));
    assert_eq!(auth[2].retransmission_of, Some(2));
    let got = codes(&r);
    assert!(
        got.contains(&(Code::TooManyIkeFragments, crate::finding::Severity::Fail)),
        "{got:?}"
    );
    assert!(
        got.contains(&(Code::IkeAuthUnanswered, crate::finding::Severity::Fail)),
        "{got:?}"
    );
    let f = r
        .findings
        .iter()
        .find(|f| f.code == Code::IkeAuthUnanswered)
        .unwrap();
    assert!(f.summary.contains("17 IKEv2 fragments"), "{}", f.summary);
    assert!(f.summary.contains("sent 3 times"), "{}", f.summary);
    assert_eq!(f.evidence["transmissions"], 3);
    assert_eq!(f.windows_error, Some(809));
}

#[test]
fn a_piece_missing_from_one_sending_does_not_join_the_next() {
    // Pieces 1..3 of 3, then (a second later) 2..3 only: two transmissions,
    // the second incomplete.
    let mut a = Session::new(Options::default());
    let mut frame = 1;
    for (round, pieces) in [(0i64, vec![1u16, 2, 3]), (1, vec![2, 3])] {
        for n in pieces {
            let piece = udp(4500, 4500, &marked(&skf(0x08, 1, n, 3, 100)));
            feed(
                &mut a,
                frame,
                round * 1000 + i64::from(n),
                &ipv4(C, S, 17, 9, 0, &piece),
            );
            frame += 1;
        }
    }
    let r = a.finish();
    let t = &r.sas[0].transmissions;
    assert_eq!(t.len(), 2);
    assert!(t[0].complete());
    assert!(!t[1].complete());
    assert_eq!(t[1].skf_numbers, vec![2, 3]);
}

#[test]
fn esp_without_ike_is_a_tunnel_negotiated_before_the_capture() {
    let mut a = Session::new(Options::default());
    let mut esp = 0x1234_5678u32.to_be_bytes().to_vec();
    esp.extend([0, 0, 0, 1]);
    esp.extend([0; 64]);
    for n in 0..4 {
        feed(
            &mut a,
            n + 1,
            n as i64,
            &ipv4(C, S, 17, 1, 0, &udp(4500, 4500, &esp)),
        );
    }
    let mut back = 0x9abc_def0u32.to_be_bytes().to_vec();
    back.extend([0; 68]);
    feed(&mut a, 5, 5, &ipv4(S, C, 50, 1, 0, &back));
    let r = a.finish();
    assert_eq!(r.flows.flows.len(), 2);
    let got = codes(&r);
    assert_eq!(
        got,
        vec![(Code::IkeNotInCapture, crate::finding::Severity::Warn)]
    );
    let f = &r.findings[0];
    assert!(
        f.summary
            .contains("4 ESP-in-UDP packet(s) 198.18.0.2:4500 -> 198.19.0.2:4500 (SPI 0x12345678)"),
        "{}",
        f.summary
    );
    assert!(f.summary.contains("ESP flows both ways"), "{}", f.summary);
    assert_eq!(f.evidence["esp_both_ways"], true);
}

#[test]
fn certain_findings_leave_out_what_is_still_in_progress() {
    let mut a = Session::new(Options::default());
    let init = ipv4(C, S, 17, 1, 0, &udp(500, 500, &ike(34, 0x08, 0, [0; 8], 0)));
    feed(&mut a, 1, 0, &init);
    // 1 s after the only request: in progress, nothing certain to report.
    assert!(a.certain(Timestamp(1_000_000_000)).is_empty());
    // 6 s after: the silence outlasted the window.
    let now = a.certain(Timestamp(6_000_000_000));
    assert_eq!(now.first().map(|f| f.code), Some(Code::IkeSaInitUnanswered));
    // The file itself ends right after the request: in progress.
    let r = a.finish();
    assert_eq!(
        codes(&r),
        vec![(Code::ExchangeInProgress, crate::finding::Severity::Info)]
    );
}

proptest::proptest! {
    /// Hostile IKE-port payloads and fragments never panic the analysis,
    /// its findings or its JSON.
    #[test]
    fn never_panics_on_hostile_ike_datagrams(
        items in proptest::collection::vec(
            (proptest::sample::select(vec![500u16, 4500]), proptest::collection::vec(0u8..=255, 0..120), 0u16..3, proptest::bool::ANY),
            0..30,
        )
    ) {
        let mut a = Session::new(Options::default());
        for (n, (port, payload, frag, marker)) in items.iter().enumerate() {
            let mut body = if *marker { vec![0, 0, 0, 0] } else { Vec::new() };
            // Half the time a well-formed IKE header in front of the noise.
            if n % 2 == 0 {
                body.extend(ike(35 - (n % 2) as u8, 0x08, n as u32 % 3, [9; 8], 0));
            }
            body.extend(payload);
            let d = udp(*port, *port, &body);
            let ip = match frag {
                0 => ipv4(C, S, 17, n as u16, 0, &d),
                1 => ipv4(C, S, 17, 7, 0x2000, &d[..d.len().min(16)]),
                _ => ipv4(S, C, 17, 7, 2, &d),
            };
            feed(&mut a, n as u64 + 1, n as i64 * 300, &ip);
        }
        let r = a.finish();
        let names = vec!["x".to_string()];
        let _ = serde_json::to_string(&crate::report::pcap::PcapJson::new(&names, &r)).unwrap();
        let mut out = Vec::new();
        crate::report::pcap::write_human(&mut out, &r, crate::report::Detail { verbose: 1, quiet: false }).unwrap();
    }
}
