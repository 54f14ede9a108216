//! The capture filter of a live capture (and of the `tcpdump` command the
//! tool suggests): BPF text for `pcap_compile` that keeps exactly what the
//! analysis reads and nothing else, so a busy interface costs little.
//!
//! What it keeps, and why (`pcap-filter(7)` syntax):
//!
//! | clause | keeps |
//! |---|---|
//! | `udp port 500 or udp port 4500` (+ `--ike-port`) | IKE, NAT-T keepalives, ESP in UDP (RFC 3948); libpcap matches ports only in unfragmented datagrams and first fragments |
//! | `ip proto 17 and ip[6:2] & 0x3fff != 0` | every IPv4 fragment of a UDP datagram (MF set or offset non-zero): non-first fragments carry no ports (RFC 791 §3.1), and the first ones are needed to put them back together |
//! | `ip6[6] == 44 and ip6[40] == 17` | every IPv6 fragment of a UDP datagram: a Fragment header right after the fixed header, whose Next Header is UDP (RFC 8200 §4.5: the same in every fragment) |
//! | `icmp and icmp[0] == 3` | ICMP destination unreachable, "fragmentation needed" (code 4) included (RFC 792, RFC 1191) |
//! | `icmp6 and (ip6[40] == 1 or ip6[40] == 2)` | ICMPv6 destination unreachable and packet too big (RFC 4443 §3.1, §3.2) |
//!
//! Left out on purpose: plain ESP (IP protocol 50, the tunnel's data: the
//! bulk of a VPN server's traffic, and nothing IKE needs), fragments behind
//! other IPv6 extension headers (hop-by-hop options before the Fragment
//! header: not seen from IKE senders), and 802.1Q-tagged frames on a trunk
//! (capture on the VLAN interface instead).

#![forbid(unsafe_code)]

use super::ip::IkePorts;

/// The BPF filter text for `ports` (500, 4500 and the extra IKE ports).
pub fn bpf(ports: &IkePorts) -> String {
    let mut clauses: Vec<String> = ports
        .all()
        .into_iter()
        .map(|p| format!("udp port {p}"))
        .collect();
    clauses.push("(ip proto 17 and ip[6:2] & 0x3fff != 0)".into());
    clauses.push("(ip6[6] == 44 and ip6[40] == 17)".into());
    clauses.push("(icmp and icmp[0] == 3)".into());
    clauses.push("(icmp6 and (ip6[40] == 1 or ip6[40] == 2))".into());
    clauses.join(" or ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_filter_names_every_ike_port_once_and_the_fragment_and_icmp_clauses() {
        let f = bpf(&IkePorts::default());
        assert_eq!(
            f,
            "udp port 500 or udp port 4500 or (ip proto 17 and ip[6:2] & 0x3fff != 0) or \
             (ip6[6] == 44 and ip6[40] == 17) or (icmp and icmp[0] == 3) or \
             (icmp6 and (ip6[40] == 1 or ip6[40] == 2))"
        );
        let f = bpf(&IkePorts::with_extra(&[10500, 4500, 10500]));
        assert!(
            f.starts_with("udp port 500 or udp port 4500 or udp port 10500 or ("),
            "{f}"
        );
        assert_eq!(f.matches("udp port").count(), 3, "{f}");
    }

    /// The filter compiled by the real libpcap and run on real frames.
    #[cfg(feature = "live")]
    mod libpcap {
        use super::super::bpf;
        use crate::capture::ip::IkePorts;
        use pcap::{Capture, Linktype};

        const C4: [u8; 4] = [198, 18, 1, 2];
        const S4: [u8; 4] = [198, 18, 2, 2];
        const C6: [u8; 16] = [0xfd, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2];
        const S6: [u8; 16] = [0xfd, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2];

        fn eth(ethertype: u16, ip: &[u8]) -> Vec<u8> {
            let mut f = vec![2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2];
            f.extend(ethertype.to_be_bytes());
            f.extend_from_slice(ip);
            f
        }

        /// IPv4 header + payload; `frag` is the flags/offset field.
        fn v4(proto: u8, frag: u16, payload: &[u8]) -> Vec<u8> {
            let len = (20 + payload.len()) as u16;
            let mut h = vec![0x45, 0];
            h.extend(len.to_be_bytes());
            h.extend([0x12, 0x34]);
            h.extend(frag.to_be_bytes());
            h.extend([64, proto, 0, 0]);
            h.extend(C4);
            h.extend(S4);
            h.extend_from_slice(payload);
            eth(0x0800, &h)
        }

        fn v6(next: u8, payload: &[u8]) -> Vec<u8> {
            let mut h = vec![0x60, 0, 0, 0];
            h.extend((payload.len() as u16).to_be_bytes());
            h.extend([next, 64]);
            h.extend(C6);
            h.extend(S6);
            h.extend_from_slice(payload);
            eth(0x86dd, &h)
        }

        fn udp(sport: u16, dport: u16) -> Vec<u8> {
            let mut u = Vec::new();
            u.extend(sport.to_be_bytes());
            u.extend(dport.to_be_bytes());
            u.extend(40u16.to_be_bytes());
            u.extend([0, 0]);
            u.extend([0u8; 32]);
            u
        }

        /// IPv6 Fragment header (next header, offset in 8-byte units, M flag).
        fn frag6(next: u8, offset_units: u16, more: bool, rest: &[u8]) -> Vec<u8> {
            let mut f = vec![next, 0];
            f.extend(((offset_units << 3) | u16::from(more)).to_be_bytes());
            f.extend([0, 0, 0, 7]);
            f.extend_from_slice(rest);
            f
        }

        fn icmp(kind: u8, code: u8) -> Vec<u8> {
            let mut m = vec![kind, code, 0, 0, 0, 0, 5, 0x78];
            m.extend([0u8; 28]);
            m
        }

        #[test]
        fn libpcap_compiles_it_and_it_keeps_exactly_what_the_analysis_reads() {
            let cap = Capture::dead(Linktype::ETHERNET).unwrap();
            let prog = cap
                .compile(&bpf(&IkePorts::with_extra(&[10500])), true)
                .unwrap();
            let keep = [
                ("IKE on UDP 500", v4(17, 0, &udp(500, 500))),
                ("IKE on UDP 4500", v4(17, 0, &udp(4500, 4500))),
                (
                    "reply from 4500 to a NATed port",
                    v4(17, 0, &udp(4500, 61000)),
                ),
                ("--ike-port 10500", v4(17, 0, &udp(10500, 10500))),
                ("IPv6 IKE", v6(17, &udp(500, 500))),
                ("first IPv4 fragment (MF)", v4(17, 0x2000, &udp(4500, 4500))),
                ("non-first IPv4 fragment, no ports", v4(17, 185, &[0u8; 64])),
                (
                    "last IPv4 fragment of a non-IKE datagram",
                    v4(17, 370, &[0u8; 64]),
                ),
                (
                    "first IPv6 fragment",
                    v6(44, &frag6(17, 0, true, &udp(500, 500))),
                ),
                (
                    "non-first IPv6 fragment",
                    v6(44, &frag6(17, 181, false, &[0u8; 64])),
                ),
                ("ICMP fragmentation needed", v4(1, 0, &icmp(3, 4))),
                ("ICMP port unreachable", v4(1, 0, &icmp(3, 3))),
                ("ICMPv6 packet too big", v6(58, &icmp(2, 0))),
                ("ICMPv6 unreachable", v6(58, &icmp(1, 4))),
            ];
            for (what, frame) in &keep {
                assert!(prog.filter(frame), "the filter drops {what}");
            }
            let drop = [
                ("DNS", v4(17, 0, &udp(53, 40000))),
                ("HTTPS over UDP", v4(17, 0, &udp(443, 50000))),
                ("TCP", v4(6, 0, &[0u8; 40])),
                ("plain ESP", v4(50, 0, &[0u8; 64])),
                ("a fragment of plain ESP", v4(50, 185, &[0u8; 64])),
                ("IPv4 with DF only", v4(6, 0x4000, &[0u8; 40])),
                ("ICMP echo", v4(1, 0, &icmp(8, 0))),
                ("ICMPv6 echo", v6(58, &icmp(128, 0))),
                (
                    "IPv6 TCP fragment",
                    v6(44, &frag6(6, 181, false, &[0u8; 64])),
                ),
                ("ARP", eth(0x0806, &[0u8; 28])),
            ];
            for (what, frame) in &drop {
                assert!(!prog.filter(frame), "the filter keeps {what}");
            }
        }

        #[test]
        fn it_compiles_for_every_link_type_a_capture_can_open() {
            for link in [
                Linktype::ETHERNET,
                Linktype::LINUX_SLL,
                Linktype::LINUX_SLL2,
                Linktype(12), // DLT_RAW, as libpcap opens a tun device
                Linktype::NULL,
                Linktype::LOOP,
                Linktype::IPV4,
                Linktype::IPV6,
            ] {
                let cap = Capture::dead(link).unwrap();
                cap.compile(&bpf(&IkePorts::default()), true)
                    .unwrap_or_else(|e| panic!("{link:?}: {e}"));
            }
        }
    }
}
