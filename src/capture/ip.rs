//! IP layer: a cheap "could this matter for IKE?" test on raw header bytes,
//! then a lax etherparse slice of the packets that pass it.
//!
//! The cheap test exists for speed: most of a server-side trace is ordinary
//! TCP, and reading three header bytes to skip it is what lets a multi-GB
//! capture stream at page-cache speed. Lax slicing (etherparse
//! `LaxIpSlice`) keeps packets a snap length cut short and the partial
//! datagrams quoted inside ICMP errors.

#![forbid(unsafe_code)]

use std::net::IpAddr;

use etherparse::{LaxIpSlice, LenSource};

use crate::wire::be16;

/// IP protocol numbers (IANA "Assigned Internet Protocol Numbers").
pub mod proto {
    pub const ICMP: u8 = 1;
    pub const UDP: u8 = 17;
    pub const ESP: u8 = 50;
    pub const ICMPV6: u8 = 58;
    pub const IPV6_FRAGMENT: u8 = 44;
}

/// The UDP ports that carry IKE: 500, 4500 (RFC 3948) and any extra ones the
/// user names (`--ike-port`).
#[derive(Debug, Clone, Default)]
pub struct IkePorts {
    extra: Vec<u16>,
}

impl IkePorts {
    pub fn with_extra(extra: &[u16]) -> IkePorts {
        IkePorts {
            extra: extra.to_vec(),
        }
    }

    /// Every IKE port: 500, 4500, then the extra ones (each once).
    pub fn all(&self) -> Vec<u16> {
        let mut v = vec![500, 4500];
        for &p in &self.extra {
            if !v.contains(&p) {
                v.push(p);
            }
        }
        v
    }

    #[inline]
    pub fn contains(&self, port: u16) -> bool {
        port == 500 || port == 4500 || self.extra.contains(&port)
    }
}

/// What the cheap header test concluded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interest {
    /// Neither IKE, a fragment, ICMP "too big" nor ESP: only counted.
    Skip,
    /// Plain ESP (IP protocol 50): counted, not parsed.
    Esp,
    /// Worth a full slice.
    Parse,
}

/// Decides from the first header bytes whether a packet deserves a full
/// parse: UDP to or from an IKE port, any IP fragment, ICMP destination
/// unreachable / ICMPv6 packet too big, or IPv6 with extension headers we
/// must walk to know. Reads at most 48 bytes, never allocates.
#[inline]
pub fn interest(ip: &[u8], v6: bool, ports: &IkePorts) -> Interest {
    let udp_ports = |at: usize| -> Interest {
        match (be16(ip, at), be16(ip, at + 2)) {
            (Some(s), Some(d)) => {
                if ports.contains(s) || ports.contains(d) {
                    Interest::Parse
                } else {
                    Interest::Skip
                }
            }
            // Too short to tell: let the full parse count it as malformed.
            _ => Interest::Parse,
        }
    };
    if !v6 {
        let (Some(&vihl), Some(&flags_hi), Some(&flags_lo), Some(&p)) =
            (ip.first(), ip.get(6), ip.get(7), ip.get(9))
        else {
            return Interest::Parse;
        };
        if (u16::from_be_bytes([flags_hi, flags_lo]) & 0x3fff) != 0 {
            return Interest::Parse; // MF set or offset non-zero: a fragment
        }
        let ihl = usize::from(vihl & 0x0f) * 4;
        match p {
            proto::UDP => udp_ports(ihl),
            proto::ICMP => match ip.get(ihl) {
                Some(3) => Interest::Parse,
                _ => Interest::Skip,
            },
            proto::ESP => Interest::Esp,
            _ => Interest::Skip,
        }
    } else {
        let Some(&next) = ip.get(6) else {
            return Interest::Parse;
        };
        match next {
            proto::UDP => udp_ports(40),
            proto::ICMPV6 => match ip.get(40) {
                Some(2) => Interest::Parse,
                _ => Interest::Skip,
            },
            proto::ESP => Interest::Esp,
            // TCP and friends skip cheaply; hop-by-hop, routing, fragment,
            // destination options need walking.
            6 | 1 | 2 | 47 | 89 | 103 | 132 => Interest::Skip,
            _ => Interest::Parse,
        }
    }
}

/// IP fragmentation facts of one packet (RFC 791 §3.1; RFC 8200 §4.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FragInfo {
    /// IPv4 Identification (16 bits) or IPv6 Fragment header Identification.
    pub id: u32,
    /// Offset of this fragment's data in the original payload, in bytes.
    pub offset: u32,
    pub more: bool,
}

/// One IP packet, sliced.
#[derive(Debug, Clone, Copy)]
pub struct IpPacket<'a> {
    pub src: IpAddr,
    pub dst: IpAddr,
    /// Upper-layer protocol (after any IPv6 extension headers).
    pub proto: u8,
    /// Length of this IP packet on the wire as its header declares it
    /// (IPv4 total length; IPv6 40 + payload length).
    pub wire_len: u32,
    /// Bytes of IP header, options and extension headers before `payload`.
    pub header_len: u32,
    /// IPv4 time to live / IPv6 hop limit.
    pub ttl: u8,
    pub frag: Option<FragInfo>,
    /// The payload bytes that were captured.
    pub payload: &'a [u8],
    /// False when the capture (snap length) or an ICMP quote cut the packet.
    pub complete: bool,
}

/// Slices an IPv4/IPv6 packet laxly. `None` when even the fixed IP header is
/// unusable.
pub fn slice(ip: &[u8]) -> Option<IpPacket<'_>> {
    let (lax, _ext_err) = LaxIpSlice::from_slice(ip).ok()?;
    let payload = lax.payload();
    let header_len = (payload.payload.as_ptr() as usize).checked_sub(ip.as_ptr() as usize)? as u32;
    match &lax {
        LaxIpSlice::Ipv4(v4) => {
            let h = v4.header();
            let frag = if h.is_fragmenting_payload() {
                Some(FragInfo {
                    id: u32::from(h.identification()),
                    offset: u32::from(h.fragments_offset().value()) * 8,
                    more: h.more_fragments(),
                })
            } else {
                None
            };
            Some(IpPacket {
                src: IpAddr::V4(h.source_addr()),
                dst: IpAddr::V4(h.destination_addr()),
                proto: payload.ip_number.0,
                wire_len: u32::from(h.total_len()),
                header_len,
                ttl: h.ttl(),
                frag,
                payload: payload.payload,
                complete: !payload.incomplete && payload.len_source != LenSource::Slice,
            })
        }
        LaxIpSlice::Ipv6(v6) => {
            let h = v6.header();
            // Walk the extension headers ourselves: etherparse 0.21's
            // extension iterator trusts lengths a lax parse did not check
            // (an out-of-bounds read on hostile input, found by the
            // corrupted-capture test).
            let frag = v6_fragment(ip);
            // A non-first fragment's payload is not parsed further by
            // etherparse; its "protocol" is the fragment header's next header.
            Some(IpPacket {
                src: IpAddr::V6(h.source_addr()),
                dst: IpAddr::V6(h.destination_addr()),
                proto: payload.ip_number.0,
                wire_len: 40 + u32::from(h.payload_length()),
                header_len,
                ttl: h.hop_limit(),
                frag,
                payload: payload.payload,
                complete: !payload.incomplete && payload.len_source != LenSource::Slice,
            })
        }
    }
}

/// The Fragment header of an IPv6 packet (RFC 8200 §4.5), found by walking
/// the extension header chain (§4.1) with checked reads: hop-by-hop (0),
/// routing (43) and destination options (60) are (len + 1) * 8 bytes, AH (51)
/// is (len + 2) * 4 bytes (RFC 4302 §2.2). At most 8 headers are walked.
fn v6_fragment(ip: &[u8]) -> Option<FragInfo> {
    let mut next = *ip.get(6)?;
    let mut at = 40usize;
    for _ in 0..8 {
        match next {
            proto::IPV6_FRAGMENT => {
                let h = ip.get(at..at + 8)?;
                let off_flags = u16::from_be_bytes([*h.get(2)?, *h.get(3)?]);
                let id = u32::from_be_bytes([*h.get(4)?, *h.get(5)?, *h.get(6)?, *h.get(7)?]);
                let offset = u32::from(off_flags & 0xfff8);
                let more = off_flags & 1 != 0;
                // An atomic fragment (offset 0, M clear) fragments nothing.
                return (offset != 0 || more).then_some(FragInfo { id, offset, more });
            }
            0 | 43 | 60 => {
                let len = (usize::from(*ip.get(at + 1)?) + 1) * 8;
                next = *ip.get(at)?;
                at = at.checked_add(len)?;
            }
            51 => {
                let len = (usize::from(*ip.get(at + 1)?) + 2) * 4;
                next = *ip.get(at)?;
                at = at.checked_add(len)?;
            }
            _ => return None,
        }
    }
    None
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// IPv4 header + payload, checksum left zero (nothing here verifies it).
    pub fn ipv4(
        src: [u8; 4],
        dst: [u8; 4],
        proto: u8,
        id: u16,
        frag: u16,
        payload: &[u8],
    ) -> Vec<u8> {
        let total = (20 + payload.len()) as u16;
        let mut p = vec![0x45, 0];
        p.extend(total.to_be_bytes());
        p.extend(id.to_be_bytes());
        p.extend(frag.to_be_bytes());
        p.extend([64, proto, 0, 0]);
        p.extend(src);
        p.extend(dst);
        p.extend_from_slice(payload);
        p
    }

    /// IPv6 header (+ optional fragment header) + payload.
    pub fn ipv6(
        src: [u8; 16],
        dst: [u8; 16],
        proto: u8,
        frag: Option<(u32, u16, bool)>,
        payload: &[u8],
    ) -> Vec<u8> {
        let ext = if frag.is_some() { 8 } else { 0 };
        let mut p = vec![0x60, 0, 0, 0];
        p.extend(((payload.len() + ext) as u16).to_be_bytes());
        p.push(if frag.is_some() {
            proto::IPV6_FRAGMENT
        } else {
            proto
        });
        p.push(64);
        p.extend(src);
        p.extend(dst);
        if let Some((id, offset, more)) = frag {
            p.extend([proto, 0]);
            p.extend((offset | u16::from(more)).to_be_bytes());
            p.extend(id.to_be_bytes());
        }
        p.extend_from_slice(payload);
        p
    }

    pub fn udp(sport: u16, dport: u16, payload: &[u8]) -> Vec<u8> {
        let mut u = Vec::new();
        u.extend(sport.to_be_bytes());
        u.extend(dport.to_be_bytes());
        u.extend(((8 + payload.len()) as u16).to_be_bytes());
        u.extend([0, 0]);
        u.extend_from_slice(payload);
        u
    }

    const A: [u8; 4] = [198, 18, 0, 1];
    const B: [u8; 4] = [198, 19, 0, 1];

    #[test]
    fn interest_picks_ike_fragments_icmp_and_esp() {
        let ports = IkePorts::default();
        let ike = ipv4(A, B, proto::UDP, 1, 0, &udp(500, 500, &[0; 28]));
        assert_eq!(interest(&ike, false, &ports), Interest::Parse);
        let dns = ipv4(A, B, proto::UDP, 1, 0, &udp(5353, 53, &[0; 28]));
        assert_eq!(interest(&dns, false, &ports), Interest::Skip);
        assert_eq!(
            interest(&dns, false, &IkePorts::with_extra(&[53])),
            Interest::Parse
        );
        let tcp = ipv4(A, B, 6, 1, 0, &[0; 20]);
        assert_eq!(interest(&tcp, false, &ports), Interest::Skip);
        let frag = ipv4(A, B, 6, 1, 0x2000, &[0; 20]);
        assert_eq!(interest(&frag, false, &ports), Interest::Parse);
        let esp = ipv4(A, B, proto::ESP, 1, 0, &[0; 20]);
        assert_eq!(interest(&esp, false, &ports), Interest::Esp);
        let icmp = ipv4(A, B, proto::ICMP, 1, 0, &[3, 4, 0, 0]);
        assert_eq!(interest(&icmp, false, &ports), Interest::Parse);
        let echo = ipv4(A, B, proto::ICMP, 1, 0, &[8, 0, 0, 0]);
        assert_eq!(interest(&echo, false, &ports), Interest::Skip);
        let s6 = [0xfd; 16];
        let v6 = ipv6(s6, s6, proto::UDP, None, &udp(4500, 4500, &[0; 8]));
        assert_eq!(interest(&v6, true, &ports), Interest::Parse);
        let v6f = ipv6(s6, s6, proto::UDP, Some((7, 8, false)), &[0; 8]);
        assert_eq!(interest(&v6f, true, &ports), Interest::Parse);
        let ptb = ipv6(s6, s6, proto::ICMPV6, None, &[2, 0, 0, 0]);
        assert_eq!(interest(&ptb, true, &ports), Interest::Parse);
        let tcp6 = ipv6(s6, s6, 6, None, &[0; 20]);
        assert_eq!(interest(&tcp6, true, &ports), Interest::Skip);
    }

    #[test]
    fn slices_v4_fragment_fields() {
        let p = ipv4(A, B, proto::UDP, 0x1234, 0x2000 | 185, &[0xaa; 16]);
        let s = slice(&p).unwrap();
        assert_eq!(
            s.frag,
            Some(FragInfo {
                id: 0x1234,
                offset: 1480,
                more: true
            })
        );
        assert_eq!(
            (s.proto, s.wire_len, s.header_len, s.payload.len()),
            (17, 36, 20, 16)
        );
        assert!(s.complete);
        // Snap length cut the packet.
        let s = slice(&p[..30]).unwrap();
        assert!(!s.complete);
        assert_eq!(s.payload.len(), 10);
        assert_eq!(s.wire_len, 36);
    }

    #[test]
    fn slices_v6_fragment_header() {
        let s6 = [0xfd; 16];
        let p = ipv6(
            s6,
            s6,
            proto::UDP,
            Some((0xdead_beef, 1232, true)),
            &[1; 24],
        );
        let s = slice(&p).unwrap();
        assert_eq!(
            s.frag,
            Some(FragInfo {
                id: 0xdead_beef,
                offset: 1232,
                more: true
            })
        );
        assert_eq!((s.proto, s.header_len, s.wire_len), (17, 48, 72));
        let first = ipv6(
            s6,
            s6,
            proto::UDP,
            Some((9, 0, true)),
            &udp(500, 500, &[0; 8]),
        );
        let s = slice(&first).unwrap();
        assert_eq!(s.frag.unwrap().offset, 0);
        assert_eq!(s.payload.len(), 16);
    }

    proptest::proptest! {
        #[test]
        fn hostile_ipv6_extension_chains_never_panic(
            nh in proptest::sample::select(vec![0u8, 43, 44, 51, 60, 17]),
            tail in proptest::collection::vec(0u8..=255, 0..120),
        ) {
            let mut p = ipv6([0xfd; 16], [0xfd; 16], nh, None, &tail);
            p[6] = nh;
            let _ = slice(&p);
            let _ = interest(&p, true, &IkePorts::default());
        }

        #[test]
        fn never_panics(bytes in proptest::collection::vec(0u8..=255, 0..120), v6 in proptest::bool::ANY) {
            let _ = interest(&bytes, v6, &IkePorts::with_extra(&[1, 2]));
            let _ = slice(&bytes);
        }
    }
}
