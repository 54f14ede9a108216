use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use super::*;
use crate::capture::PacketRef;
use crate::capture::defrag::FragmentOrder;
use crate::capture::ip::tests::{ipv4, udp};

const C: [u8; 4] = [198, 18, 0, 2];
const S: [u8; 4] = [198, 19, 0, 2];

fn ike_header(exchange: u8, flags: u8, id: u32, len: u32) -> Vec<u8> {
    let mut m = vec![1, 2, 3, 4, 5, 6, 7, 8];
    m.extend([0; 8]);
    m.extend([0, 0x20, exchange, flags]);
    m.extend(id.to_be_bytes());
    m.extend(len.to_be_bytes());
    m
}

/// Every datagram the pipeline yields for these frames (file, frame, IP
/// bytes), then for the end of the capture, as owned summaries.
fn run(frames: &[(u16, u64, Vec<u8>)]) -> Vec<String> {
    let mut p = Pipeline::new(IkePorts::default(), DefragLimits::default());
    let mut seen = Vec::new();
    for (file, frame, ip) in frames {
        let pkt = Packet {
            at: PacketRef {
                file: *file,
                frame: *frame,
            },
            interface: 0,
            mark: None,
            ts: Timestamp::from_secs_nanos(*frame as i64, 0),
            link: LinkType::RAW,
            data: ip,
            orig_len: ip.len() as u32,
        };
        p.push(&pkt, &mut |d| seen.push(describe(&d)));
    }
    p.finish(&mut |d| seen.push(describe(&d)));
    seen.retain(|s| !s.starts_with("other"));
    seen
}

fn describe(d: &Datagram<'_>) -> String {
    match d {
        Datagram::Ike(i) => format!(
            "ike {}->{} marker={} len={} ip={} frags={} at={} order={:?}",
            i.src(),
            i.dst(),
            i.marker,
            i.bytes.len(),
            i.wire.ip_len,
            i.wire.ip_packets(),
            i.wire.at,
            i.wire.fragments.as_ref().map(|f| f.order),
        ),
        Datagram::Esp(e) => format!("esp spi={:?} udp={}", e.spi, e.udp.is_some()),
        Datagram::Keepalive(k) => format!("keepalive {}", k.ports.src),
        Datagram::IcmpTooBig(t) => format!(
            "too-big from {} mtu={:?} {}->{} len={} ike={}",
            t.wire.src,
            t.mtu,
            t.quoted_src,
            t.quoted_dst,
            t.quoted_len,
            t.quoted_ike.len()
        ),
        Datagram::Incomplete(i) => format!(
            "incomplete file={} ports={:?} ike_head={} missing={:?}",
            i.datagram.key.file,
            i.ports.map(|p| (p.src, p.dst)),
            i.ike_head().len(),
            i.datagram.missing.first().map(|r| r.start),
        ),
        Datagram::Other(o) => format!("other {o:?}"),
    }
}

#[test]
fn splits_ike_ports_into_typed_datagrams() {
    let sa_init = ike_header(34, 0x08, 0, 28);
    let mut marked = vec![0, 0, 0, 0];
    marked.extend(&sa_init);
    let mut esp = 0x0102_0304u32.to_be_bytes().to_vec();
    esp.extend([0, 0, 0, 1, 9, 9]);
    let got = run(&[
        (0, 1, ipv4(C, S, 17, 1, 0, &udp(500, 500, &sa_init))),
        (0, 2, ipv4(C, S, 17, 2, 0, &udp(4500, 4500, &marked))),
        (0, 3, ipv4(C, S, 17, 3, 0, &udp(4500, 4500, &[0xff]))),
        (0, 4, ipv4(C, S, 17, 4, 0, &udp(4500, 4500, &esp))),
        (0, 5, ipv4(C, S, 50, 5, 0, &esp)),
        (0, 6, ipv4(C, S, 17, 6, 0, &udp(5353, 53, &[0; 12]))),
        (0, 7, ipv4(C, S, 6, 7, 0, &[0; 20])),
    ]);
    assert_eq!(
        got,
        vec![
            "ike 198.18.0.2:500->198.19.0.2:500 marker=false len=28 ip=56 frags=1 at=#1 order=None",
            "ike 198.18.0.2:4500->198.19.0.2:4500 marker=true len=28 ip=60 frags=1 at=#2 order=None",
            "keepalive 4500",
            "esp spi=Some(16909060) udp=true",
            "esp spi=Some(16909060) udp=false",
        ]
    );
}

#[test]
fn reassembles_and_reports_the_fragments() {
    let mut body = vec![0, 0, 0, 0];
    body.extend(ike_header(35, 0x08, 1, 28 + 2000));
    body.extend(vec![0xab; 2000]);
    let dgram = udp(4500, 4500, &body);
    let (head, tail) = dgram.split_at(1480);
    // Sent last-first.
    let got = run(&[
        (0, 1, ipv4(C, S, 17, 77, 185, tail)),
        (0, 2, ipv4(C, S, 17, 77, 0x2000, head)),
    ]);
    assert_eq!(
        got,
        vec![format!(
            "ike 198.18.0.2:4500->198.19.0.2:4500 marker=true len=2028 ip={} frags=2 at=#2 order=Some({:?})",
            20 + dgram.len(),
            FragmentOrder::LastFirst
        )]
    );
}

#[test]
fn incomplete_datagrams_keep_the_ike_head_and_stay_per_file() {
    let mut body = vec![0, 0, 0, 0];
    body.extend(ike_header(35, 0x08, 1, 28 + 2000));
    body.extend(vec![0xab; 2000]);
    let dgram = udp(4500, 4500, &body);
    let (head, tail) = dgram.split_at(1480);
    // The client file (0) has the head, the server file (1) the tail: the
    // same datagram, but never one whole at either capture point.
    let got = run(&[
        (0, 1, ipv4(C, S, 17, 77, 0x2000, head)),
        (1, 1, ipv4(C, S, 17, 77, 185, tail)),
    ]);
    assert_eq!(
        got,
        vec![
            "incomplete file=0 ports=Some((4500, 4500)) ike_head=52 missing=Some(1480)",
            "incomplete file=1 ports=None ike_head=0 missing=Some(0)",
        ]
    );
}

#[test]
fn icmp_too_big_quoting_ike_is_typed() {
    let sa_init = ike_header(35, 0x08, 1, 2000);
    let quoted = ipv4(C, S, 17, 9, 0x4000, &udp(500, 500, &sa_init));
    let mut icmp = vec![3, 4, 0, 0, 0, 0, 0x05, 0x78];
    icmp.extend(&quoted);
    let router = [198, 18, 0, 1];
    let got = run(&[(0, 1, ipv4(router, C, 1, 1, 0, &icmp))]);
    assert_eq!(
        got,
        vec!["too-big from 198.18.0.1 mtu=Some(1400) 198.18.0.2:500->198.19.0.2:500 len=56 ike=28"]
    );
    // Echo replies and unreachables about other traffic are not typed.
    let mut echo = vec![0, 0, 0, 0, 0, 1, 0, 1];
    echo.extend(&quoted);
    assert!(run(&[(0, 1, ipv4(router, C, 1, 1, 0, &echo))]).is_empty());
}

#[test]
fn stats_count_what_is_not_typed() {
    let mut p = Pipeline::new(IkePorts::default(), DefragLimits::default());
    let frames: [(LinkType, Vec<u8>); 3] = [
        (LinkType::RAW, vec![0x45]),
        (LinkType(127), vec![0; 40]),
        (LinkType::ETHERNET, {
            let mut f = vec![0xff; 12];
            f.extend([0x08, 0x06]);
            f.extend([0; 28]);
            f
        }),
    ];
    for (n, (link, data)) in frames.iter().enumerate() {
        p.push(
            &Packet {
                at: PacketRef {
                    file: 0,
                    frame: n as u64 + 1,
                },
                interface: 0,
                mark: None,
                ts: Timestamp(0),
                link: *link,
                data,
                orig_len: data.len() as u32,
            },
            &mut |_| {},
        );
    }
    let s = p.stats();
    assert_eq!((s.packets, s.malformed, s.not_ip), (3, 1, 1));
    assert_eq!(s.unsupported_link_types.get(&LinkType(127)), Some(&1));
    let _ = SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 0);
}

proptest::proptest! {
    #[test]
    fn never_panics_on_hostile_frames(
        frames in proptest::collection::vec(
            (proptest::sample::select(vec![1u32, 101, 276, 113, 0]), proptest::collection::vec(0u8..=255, 0..200)),
            0..40,
        )
    ) {
        let mut p = Pipeline::new(IkePorts::default(), DefragLimits::default());
        for (n, (link, data)) in frames.iter().enumerate() {
            let pkt = Packet {
                at: PacketRef { file: (n % 2) as u16, frame: n as u64 },
                interface: 0,
                mark: None,
                ts: Timestamp(n as i64 * 1_000_000),
                link: LinkType(*link),
                data,
                orig_len: data.len() as u32,
            };
            p.push(&pkt, &mut |_| {});
        }
        p.finish(&mut |_| {});
    }
}
