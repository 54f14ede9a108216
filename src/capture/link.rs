//! Link layer -> IP packet: peel whatever the capture's link type wraps the
//! IP datagram in.
//!
//! Supported (tcpdump.org/linktypes.html): Ethernet II with any stack of
//! 802.1Q / 802.1ad / 0x9100 tags, Linux cooked v1 (SLL) and v2 (SLL2), raw
//! IPv4/IPv6 (LINKTYPE_RAW and the BSD DLT_RAW values), BSD NULL (host byte
//! order family) and LOOP (network byte order). Between the link header and
//! IP (after any VLAN tags, and on SLL/SLL2 too): PPPoE sessions (RFC 2516,
//! EtherType 0x8864, PPP protocol 0x0021 IPv4 / 0x0057 IPv6, RFC 1661 §2) as
//! DSL clients use them, and MPLS label stacks (RFC 3032, EtherType 0x8847 /
//! 0x8848) down to the bottom-of-stack entry, where IPv4 or IPv6 is told by
//! the explicit-null label or else by the first nibble, as Wireshark does.
//! Anything else is reported as [`L3::UnsupportedLink`] so the caller can
//! count and name it. Pure: no I/O, never panics on hostile bytes.

#![forbid(unsafe_code)]

use etherparse::{EtherType, Ethernet2HeaderSlice, SingleVlanHeaderSlice};

use super::LinkType;
use crate::wire::be16;

/// At most this many VLAN tags are peeled (QinQ uses two; more is abuse).
const MAX_VLAN_TAGS: usize = 4;
/// At most this many MPLS label stack entries are peeled (real stacks hold
/// 1-4: transport, VPN, entropy; more is abuse or garbage).
const MAX_MPLS_LABELS: usize = 8;

/// PPPoE session stage (RFC 2516 §4): the one that carries PPP frames.
const ETHERTYPE_PPPOE_SESSION: u16 = 0x8864;
/// MPLS unicast and multicast (RFC 5332).
const ETHERTYPE_MPLS_UNICAST: u16 = 0x8847;
const ETHERTYPE_MPLS_MULTICAST: u16 = 0x8848;
/// PPP protocol numbers (RFC 1332 IPCP's IPv4, RFC 5072 IPv6).
const PPP_IPV4: u16 = 0x0021;
const PPP_IPV6: u16 = 0x0057;
/// RFC 3032 §2.1 reserved labels: IPv4 and IPv6 explicit null.
const MPLS_IPV4_EXPLICIT_NULL: u32 = 0;
const MPLS_IPV6_EXPLICIT_NULL: u32 = 2;

/// Bytes of PPPoE session header plus the 2-byte PPP protocol field: what a
/// PPPoE link takes from the 1500-byte Ethernet payload, leaving the
/// 1492-byte IP MTU of DSL clients (RFC 2516 §7).
pub const PPPOE_OVERHEAD: u32 = 8;

/// A few words on what a well-known IP MTU is, for messages that quote one:
/// 1492 is the MTU of a PPPoE (DSL) link, 1500 minus [`PPPOE_OVERHEAD`];
/// seeing it means the sender's own access link, not a device on the path,
/// set the size. Empty for other values.
pub fn mtu_note(mtu: u32) -> &'static str {
    match mtu {
        1492 => ": the MTU of a PPPoE/DSL link, 1500 minus 8 bytes of PPPoE",
        _ => "",
    }
}

/// What sits on top of the link layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum L3<'a> {
    Ipv4(&'a [u8]),
    Ipv6(&'a [u8]),
    /// A link-layer frame carrying something other than IP (ARP, LLDP...).
    NotIp,
    /// The frame is shorter than its link header.
    Malformed,
    /// A link type this tool does not decode.
    UnsupportedLink(LinkType),
}

/// The layers peeled between the link header and IP, for counting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Via {
    /// 802.1Q / 802.1ad tags.
    pub vlan_tags: u8,
    /// The PPPoE session ID when the frame was a PPPoE session frame.
    pub pppoe_session: Option<u16>,
    /// MPLS label stack entries.
    pub mpls_labels: u8,
}

/// Strips the link header of `frame` according to `link`.
pub fn decode(link: LinkType, frame: &[u8]) -> L3<'_> {
    decode_with(link, frame).0
}

/// Like [`decode`], and says which layers (VLAN, PPPoE, MPLS) were peeled.
pub fn decode_with(link: LinkType, frame: &[u8]) -> (L3<'_>, Via) {
    let mut via = Via::default();
    let l3 = match link {
        LinkType::ETHERNET => ethernet(frame, &mut via),
        LinkType::LINUX_SLL => sll(frame, &mut via),
        LinkType::LINUX_SLL2 => sll2(frame, &mut via),
        LinkType::RAW | LinkType::DLT_RAW_BSD | LinkType::DLT_RAW_OPENBSD => raw(frame),
        LinkType::IPV4 => L3::Ipv4(frame),
        LinkType::IPV6 => L3::Ipv6(frame),
        LinkType::NULL => null(frame, false),
        LinkType::LOOP => null(frame, true),
        other => L3::UnsupportedLink(other),
    };
    (l3, via)
}

fn by_ethertype<'a>(ethertype: u16, payload: &'a [u8], via: &mut Via) -> L3<'a> {
    match ethertype {
        0x0800 => L3::Ipv4(payload),
        0x86dd => L3::Ipv6(payload),
        ETHERTYPE_PPPOE_SESSION => pppoe_session(payload, via),
        ETHERTYPE_MPLS_UNICAST | ETHERTYPE_MPLS_MULTICAST => mpls(payload, via),
        _ => L3::NotIp,
    }
}

/// PPPoE session stage (RFC 2516 §4): version/type (1, 0x11), code (1, 0x00
/// for session data), session ID (2), length of the PPP payload (2), then
/// the PPP protocol field (RFC 1661 §2: 2 bytes, or 1 when Protocol-Field-
/// Compression was negotiated, recognisable by its odd first byte).
fn pppoe_session<'a>(payload: &'a [u8], via: &mut Via) -> L3<'a> {
    let (Some(&ver_type), Some(&code), Some(session), Some(len)) = (
        payload.first(),
        payload.get(1),
        be16(payload, 2),
        be16(payload, 4),
    ) else {
        return L3::Malformed;
    };
    if ver_type != 0x11 || code != 0x00 {
        return L3::NotIp;
    }
    via.pppoe_session = Some(session);
    let body = payload.get(6..).unwrap_or_default();
    // The length field bounds the PPP frame (Ethernet pads short frames);
    // a snapped capture may hold less than it says.
    let ppp = body.get(..usize::from(len)).unwrap_or(body);
    let (protocol, rest) = match ppp.first() {
        None => return L3::Malformed,
        Some(&b) if b & 1 == 1 => (u16::from(b), ppp.get(1..).unwrap_or_default()),
        Some(_) => match be16(ppp, 0) {
            Some(p) => (p, ppp.get(2..).unwrap_or_default()),
            None => return L3::Malformed,
        },
    };
    match protocol {
        PPP_IPV4 => L3::Ipv4(rest),
        PPP_IPV6 => L3::Ipv6(rest),
        _ => L3::NotIp,
    }
}

/// MPLS label stack (RFC 3032 §2.1): 4-byte entries of label (20 bits),
/// traffic class (3), bottom of stack (1), TTL (8), until the S bit. The
/// payload type is not in the header: IPv4/IPv6 explicit null say it, else
/// the first nibble after the stack does (4 or 6), as Wireshark guesses;
/// anything else (a pseudowire control word, Ethernet over MPLS) is not IP.
fn mpls<'a>(payload: &'a [u8], via: &mut Via) -> L3<'a> {
    let mut rest = payload;
    for _ in 0..MAX_MPLS_LABELS {
        let (Some(entry), Some(after)) = (rest.get(..4), rest.get(4..)) else {
            return L3::Malformed;
        };
        let word = u32::from_be_bytes([entry[0], entry[1], entry[2], entry[3]]);
        via.mpls_labels = via.mpls_labels.saturating_add(1);
        rest = after;
        if word & 0x100 == 0 {
            continue;
        }
        return match (word >> 12, rest.first().map(|b| b >> 4)) {
            (_, None) => L3::Malformed,
            (MPLS_IPV4_EXPLICIT_NULL, _) | (_, Some(4)) => L3::Ipv4(rest),
            (MPLS_IPV6_EXPLICIT_NULL, _) | (_, Some(6)) => L3::Ipv6(rest),
            _ => L3::NotIp,
        };
    }
    // No bottom of stack within the limit: not a sane label stack.
    L3::Malformed
}

/// Ethernet II (IEEE 802.3 with an EtherType), then VLAN tags: 802.1Q
/// (0x8100), 802.1ad S-tag (0x88a8) and the pre-standard 0x9100, each 4 bytes
/// (TCI, inner EtherType).
fn ethernet<'a>(frame: &'a [u8], via: &mut Via) -> L3<'a> {
    let Ok(eth) = Ethernet2HeaderSlice::from_slice(frame) else {
        return L3::Malformed;
    };
    let mut ethertype = eth.ether_type();
    let mut rest = frame.get(eth.slice().len()..).unwrap_or_default();
    for _ in 0..MAX_VLAN_TAGS {
        if !matches!(
            ethertype,
            EtherType::VLAN_TAGGED_FRAME
                | EtherType::PROVIDER_BRIDGING
                | EtherType::VLAN_DOUBLE_TAGGED_FRAME
        ) {
            break;
        }
        let Ok(tag) = SingleVlanHeaderSlice::from_slice(rest) else {
            return L3::Malformed;
        };
        ethertype = tag.ether_type();
        rest = rest.get(tag.slice().len()..).unwrap_or_default();
        via.vlan_tags += 1;
    }
    by_ethertype(ethertype.0, rest, via)
}

/// Linux cooked capture v1 (LINKTYPE_LINUX_SLL): packet type (2), ARPHRD (2),
/// address length (2), address (8), protocol (2) = 16 bytes. The protocol is
/// an EtherType for ordinary devices.
fn sll<'a>(frame: &'a [u8], via: &mut Via) -> L3<'a> {
    let (Some(proto), Some(payload)) = (be16(frame, 14), frame.get(16..)) else {
        return L3::Malformed;
    };
    by_ethertype(proto, payload, via)
}

/// Linux cooked capture v2 (LINKTYPE_LINUX_SLL2): protocol (2), reserved (2),
/// interface index (4), ARPHRD (2), packet type (1), address length (1),
/// address (8) = 20 bytes.
fn sll2<'a>(frame: &'a [u8], via: &mut Via) -> L3<'a> {
    let (Some(proto), Some(payload)) = (be16(frame, 0), frame.get(20..)) else {
        return L3::Malformed;
    };
    by_ethertype(proto, payload, via)
}

/// Raw IP: the version nibble says which.
fn raw(frame: &[u8]) -> L3<'_> {
    match frame.first().map(|b| b >> 4) {
        Some(4) => L3::Ipv4(frame),
        Some(6) => L3::Ipv6(frame),
        Some(_) => L3::NotIp,
        None => L3::Malformed,
    }
}

/// BSD loopback: a 4-byte address family, in the capturing host's byte order
/// for NULL (so try both) and big-endian for LOOP. AF_INET is 2 everywhere;
/// AF_INET6 is 24 (NetBSD/OpenBSD), 28 (FreeBSD), 30 (macOS), 10 (Linux).
fn null(frame: &[u8], network_order: bool) -> L3<'_> {
    let Some((head, payload)) = frame.split_first_chunk::<4>() else {
        return L3::Malformed;
    };
    let be = u32::from_be_bytes(*head);
    let le = u32::from_le_bytes(*head);
    let family = if network_order || be < 256 { be } else { le };
    match family {
        2 => L3::Ipv4(payload),
        10 | 24 | 28 | 30 => L3::Ipv6(payload),
        _ => L3::NotIp,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const IP4: [u8; 4] = [0x45, 0, 0, 20];
    const IP6: [u8; 4] = [0x60, 0, 0, 0];

    fn eth(ethertype: u16, tags: &[(u16, u16)], payload: &[u8]) -> Vec<u8> {
        let mut f = vec![0xff; 6];
        f.extend([2, 0, 0, 0, 0, 1]);
        if let Some((outer, _)) = tags.first() {
            f.extend(outer.to_be_bytes());
            for (i, (_, vid)) in tags.iter().enumerate() {
                f.extend(vid.to_be_bytes());
                let next = tags.get(i + 1).map(|t| t.0).unwrap_or(ethertype);
                f.extend(next.to_be_bytes());
            }
        } else {
            f.extend(ethertype.to_be_bytes());
        }
        f.extend_from_slice(payload);
        f
    }

    #[test]
    fn ethernet_plain_and_tagged() {
        assert_eq!(
            decode(LinkType::ETHERNET, &eth(0x0800, &[], &IP4)),
            L3::Ipv4(&IP4)
        );
        assert_eq!(
            decode(LinkType::ETHERNET, &eth(0x86dd, &[], &IP6)),
            L3::Ipv6(&IP6)
        );
        let q = eth(0x0800, &[(0x8100, 42)], &IP4);
        assert_eq!(decode(LinkType::ETHERNET, &q), L3::Ipv4(&IP4));
        let qinq = eth(0x86dd, &[(0x88a8, 100), (0x8100, 42)], &IP6);
        assert_eq!(decode(LinkType::ETHERNET, &qinq), L3::Ipv6(&IP6));
        assert_eq!(
            decode(LinkType::ETHERNET, &eth(0x0806, &[], &[0; 28])),
            L3::NotIp
        );
        assert_eq!(decode(LinkType::ETHERNET, &[0; 10]), L3::Malformed);
        // Tag announced but cut off.
        let mut cut = eth(0x0800, &[(0x8100, 1)], &[]);
        cut.truncate(15);
        assert_eq!(decode(LinkType::ETHERNET, &cut), L3::Malformed);
    }

    #[test]
    fn linux_cooked_v1_and_v2() {
        let mut v1 = vec![0, 0, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0];
        v1.extend(0x0800u16.to_be_bytes());
        v1.extend(IP4);
        assert_eq!(decode(LinkType::LINUX_SLL, &v1), L3::Ipv4(&IP4));
        let mut v2 = Vec::new();
        v2.extend(0x86ddu16.to_be_bytes());
        v2.extend([0, 0, 0, 0, 0, 3, 0, 1, 4, 6, 2, 0, 0, 0, 0, 1, 0, 0]);
        v2.extend(IP6);
        assert_eq!(decode(LinkType::LINUX_SLL2, &v2), L3::Ipv6(&IP6));
        assert_eq!(decode(LinkType::LINUX_SLL2, &v2[..19]), L3::Malformed);
    }

    #[test]
    fn raw_and_bsd_loopback() {
        assert_eq!(decode(LinkType::RAW, &IP6), L3::Ipv6(&IP6));
        assert_eq!(decode(LinkType::DLT_RAW_BSD, &IP4), L3::Ipv4(&IP4));
        assert_eq!(decode(LinkType::RAW, &[]), L3::Malformed);
        let mut le = 2u32.to_le_bytes().to_vec();
        le.extend(IP4);
        assert_eq!(decode(LinkType::NULL, &le), L3::Ipv4(&IP4));
        let mut be = 30u32.to_be_bytes().to_vec();
        be.extend(IP6);
        assert_eq!(decode(LinkType::NULL, &be), L3::Ipv6(&IP6));
        assert_eq!(decode(LinkType::LOOP, &be), L3::Ipv6(&IP6));
    }

    /// A DSL client's frame, byte for byte: Ethernet II to the BRAS,
    /// EtherType 0x8864, PPPoE ver/type 0x11, code 0, session 0x1a2b,
    /// length 22 (2 bytes PPP protocol + 20 bytes IPv4), PPP 0x0021, then a
    /// 20-byte IPv4 header; then 4 bytes of Ethernet padding that the PPPoE
    /// length excludes.
    #[test]
    fn pppoe_session_ipv4_byte_exact() {
        let frame: [u8; 46] = [
            0x00, 0x11, 0x22, 0x33, 0x44, 0x55, // destination (BRAS)
            0x02, 0x00, 0x00, 0x00, 0x00, 0x01, // source (client)
            0x88, 0x64, // PPPoE session stage
            0x11, 0x00, 0x1a, 0x2b, 0x00, 0x16, // ver/type, code, session, length 22
            0x00, 0x21, // PPP: IPv4
            0x45, 0x00, 0x00, 0x14, 0x00, 0x01, 0x40, 0x00, 0x40, 0x11, 0x00, 0x00, 0xc6, 0x12,
            0x01, 0x0a, 0xc6, 0x13, 0x02, 0x14, // IPv4 header, 198.18.1.10 -> 198.19.2.20
            0xde, 0xad, 0xbe, 0xef, // padding
        ];
        let (l3, via) = decode_with(LinkType::ETHERNET, &frame);
        assert_eq!(l3, L3::Ipv4(&frame[22..42]));
        assert_eq!(via.pppoe_session, Some(0x1a2b));
        assert_eq!((via.vlan_tags, via.mpls_labels), (0, 0));
    }

    #[test]
    fn pppoe_ipv6_over_vlan_and_compressed_protocol() {
        // 802.1Q tag 7 (ISPs often run PPPoE on VLAN 7), then PPPoE, PPP 0x0057.
        let mut f = eth(
            0x8864,
            &[(0x8100, 7)],
            &[0x11, 0x00, 0x00, 0x05, 0x00, 0x06],
        );
        f.extend([0x00, 0x57]);
        f.extend(IP6);
        let (l3, via) = decode_with(LinkType::ETHERNET, &f);
        assert_eq!(l3, L3::Ipv6(&IP6));
        assert_eq!((via.vlan_tags, via.pppoe_session), (1, Some(5)));
        // Protocol-Field-Compression: the one-byte protocol 0x21.
        let mut f = eth(0x8864, &[], &[0x11, 0x00, 0x00, 0x05, 0x00, 0x05, 0x21]);
        f.extend(IP4);
        assert_eq!(decode(LinkType::ETHERNET, &f), L3::Ipv4(&IP4));
        // Linux cooked capture of the Ethernet interface under the PPPoE link.
        let mut sll = vec![0, 0, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0, 0x88, 0x64];
        sll.extend([0x11, 0x00, 0x00, 0x05, 0x00, 0x06, 0x00, 0x21]);
        sll.extend(IP4);
        assert_eq!(decode(LinkType::LINUX_SLL, &sll), L3::Ipv4(&IP4));
    }

    #[test]
    fn pppoe_non_ip_discovery_and_cut_frames() {
        // LCP (0xc021) inside a session: not IP.
        let f = eth(
            0x8864,
            &[],
            &[0x11, 0x00, 0x00, 0x05, 0x00, 0x04, 0xc0, 0x21, 1, 1],
        );
        assert_eq!(decode(LinkType::ETHERNET, &f), L3::NotIp);
        // Discovery stage (PADI, 0x8863) carries no IP.
        let f = eth(0x8863, &[], &[0x11, 0x09, 0x00, 0x00, 0x00, 0x00]);
        assert_eq!(decode(LinkType::ETHERNET, &f), L3::NotIp);
        // Wrong version/type: not a PPPoE session frame we understand.
        let f = eth(
            0x8864,
            &[],
            &[0x21, 0x00, 0x00, 0x05, 0x00, 0x02, 0x00, 0x21],
        );
        assert_eq!(decode(LinkType::ETHERNET, &f), L3::NotIp);
        // Header cut short.
        let f = eth(0x8864, &[], &[0x11, 0x00, 0x00]);
        assert_eq!(decode(LinkType::ETHERNET, &f), L3::Malformed);
        // Length says more than the (snapped) frame holds: take what is there.
        let mut f = eth(
            0x8864,
            &[],
            &[0x11, 0x00, 0x00, 0x05, 0x05, 0xd4, 0x00, 0x21],
        );
        f.extend(IP4);
        assert_eq!(decode(LinkType::ETHERNET, &f), L3::Ipv4(&IP4));
    }

    /// An MPLS frame byte for byte: two labels (transport 16004, then VPN
    /// label 24 with the bottom-of-stack bit), then IPv4.
    #[test]
    fn mpls_label_stack_byte_exact() {
        let frame: [u8; 26] = [
            0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, // MACs
            0x88, 0x47, // MPLS unicast
            0x03, 0xe8, 0x40, 0x3f, // label 16004, TC 0, S 0, TTL 63
            0x00, 0x01, 0x81, 0x3f, // label 24, TC 0, S 1, TTL 63
            0x45, 0x00, 0x00, 0x14, // IPv4 starts
        ];
        let (l3, via) = decode_with(LinkType::ETHERNET, &frame);
        assert_eq!(l3, L3::Ipv4(&frame[22..]));
        assert_eq!(via.mpls_labels, 2);
    }

    #[test]
    fn mpls_guesses_the_payload_like_wireshark() {
        let bottom = |label: u32| ((label << 12) | 0x100 | 64).to_be_bytes();
        // IPv6 by its first nibble, on the multicast EtherType, over VLAN.
        let mut p = bottom(3000).to_vec();
        p.extend(IP6);
        let f = eth(0x8848, &[(0x8100, 10)], &p);
        assert_eq!(decode(LinkType::ETHERNET, &f), L3::Ipv6(&IP6));
        // IPv6 explicit null says IPv6 whatever follows.
        let mut p = bottom(MPLS_IPV6_EXPLICIT_NULL).to_vec();
        p.extend(IP6);
        assert_eq!(
            decode(LinkType::ETHERNET, &eth(0x8847, &[], &p)),
            L3::Ipv6(&IP6)
        );
        // A pseudowire control word (first nibble 0): not IP.
        let mut p = bottom(100).to_vec();
        p.extend([0, 0, 0, 0]);
        assert_eq!(decode(LinkType::ETHERNET, &eth(0x8847, &[], &p)), L3::NotIp);
        // No bottom of stack: malformed, within the label limit.
        let p: Vec<u8> = (0..20).flat_map(|_| 0x0001_003fu32.to_be_bytes()).collect();
        assert_eq!(
            decode(LinkType::ETHERNET, &eth(0x8847, &[], &p)),
            L3::Malformed
        );
        // Stack ends with the frame.
        let p = bottom(100);
        assert_eq!(
            decode(LinkType::ETHERNET, &eth(0x8847, &[], &p)),
            L3::Malformed
        );
        // SLL2 carrying MPLS.
        let mut v2 = Vec::new();
        v2.extend(0x8847u16.to_be_bytes());
        v2.extend([0, 0, 0, 0, 0, 3, 0, 1, 4, 6, 2, 0, 0, 0, 0, 1, 0, 0]);
        v2.extend(bottom(16));
        v2.extend(IP4);
        assert_eq!(decode(LinkType::LINUX_SLL2, &v2), L3::Ipv4(&IP4));
    }

    #[test]
    fn the_pppoe_mtu_is_named() {
        assert_eq!(1500 - PPPOE_OVERHEAD, 1492);
        assert!(mtu_note(1492).contains("PPPoE"));
        assert_eq!(mtu_note(1400), "");
    }

    #[test]
    fn other_link_types_are_named() {
        assert_eq!(
            decode(LinkType(127), &[0; 40]),
            L3::UnsupportedLink(LinkType(127))
        );
        assert_eq!(LinkType(127).name(), "IEEE802_11_RADIOTAP");
    }

    proptest::proptest! {
        #[test]
        fn never_panics(link in 0u32..300, frame in proptest::collection::vec(0u8..=255, 0..80)) {
            let _ = decode(LinkType(link), &frame);
        }
    }
}
