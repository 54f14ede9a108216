//! Link layer -> IP packet: peel whatever the capture's link type wraps the
//! IP datagram in.
//!
//! Supported (tcpdump.org/linktypes.html): Ethernet II with any stack of
//! 802.1Q / 802.1ad / 0x9100 tags, Linux cooked v1 (SLL) and v2 (SLL2), raw
//! IPv4/IPv6 (LINKTYPE_RAW and the BSD DLT_RAW values), BSD NULL (host byte
//! order family) and LOOP (network byte order). Anything else is reported as
//! [`L3::UnsupportedLink`] so the caller can count and name it. Pure: no I/O,
//! never panics on hostile bytes.

use etherparse::{EtherType, Ethernet2HeaderSlice, SingleVlanHeaderSlice};

use super::LinkType;
use crate::wire::be16;

/// At most this many VLAN tags are peeled (QinQ uses two; more is abuse).
const MAX_VLAN_TAGS: usize = 4;

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

/// Strips the link header of `frame` according to `link`.
pub fn decode(link: LinkType, frame: &[u8]) -> L3<'_> {
    match link {
        LinkType::ETHERNET => ethernet(frame),
        LinkType::LINUX_SLL => sll(frame),
        LinkType::LINUX_SLL2 => sll2(frame),
        LinkType::RAW | LinkType::DLT_RAW_BSD | LinkType::DLT_RAW_OPENBSD => raw(frame),
        LinkType::IPV4 => L3::Ipv4(frame),
        LinkType::IPV6 => L3::Ipv6(frame),
        LinkType::NULL => null(frame, false),
        LinkType::LOOP => null(frame, true),
        other => L3::UnsupportedLink(other),
    }
}

fn by_ethertype(ethertype: u16, payload: &[u8]) -> L3<'_> {
    match EtherType(ethertype) {
        EtherType::IPV4 => L3::Ipv4(payload),
        EtherType::IPV6 => L3::Ipv6(payload),
        _ => L3::NotIp,
    }
}

/// Ethernet II (IEEE 802.3 with an EtherType), then VLAN tags: 802.1Q
/// (0x8100), 802.1ad S-tag (0x88a8) and the pre-standard 0x9100, each 4 bytes
/// (TCI, inner EtherType).
fn ethernet(frame: &[u8]) -> L3<'_> {
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
    }
    by_ethertype(ethertype.0, rest)
}

/// Linux cooked capture v1 (LINKTYPE_LINUX_SLL): packet type (2), ARPHRD (2),
/// address length (2), address (8), protocol (2) = 16 bytes. The protocol is
/// an EtherType for ordinary devices.
fn sll(frame: &[u8]) -> L3<'_> {
    let (Some(proto), Some(payload)) = (be16(frame, 14), frame.get(16..)) else {
        return L3::Malformed;
    };
    by_ethertype(proto, payload)
}

/// Linux cooked capture v2 (LINKTYPE_LINUX_SLL2): protocol (2), reserved (2),
/// interface index (4), ARPHRD (2), packet type (1), address length (1),
/// address (8) = 20 bytes.
fn sll2(frame: &[u8]) -> L3<'_> {
    let (Some(proto), Some(payload)) = (be16(frame, 0), frame.get(20..)) else {
        return L3::Malformed;
    };
    by_ethertype(proto, payload)
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
