//! ICMP echo and ICMP error messages, bytes <-> values. Pure: no sockets.
//! One parser for both users: the path-MTU probes (echo requests and the
//! errors about them) and the capture analysis (errors that quote an IKE
//! datagram, see [`error_message`]).
//!
//! Wire formats: ICMPv4 echo and destination unreachable, RFC 792; the
//! next-hop MTU in "fragmentation needed" (type 3 code 4), RFC 1191 §4;
//! ICMPv6 echo (types 128/129), destination unreachable (1), packet too big
//! (2, MTU in bytes 4..8) and time exceeded (3), RFC 4443 §3–4. Every read is
//! checked: a short or hostile packet parses to `None`, never a panic.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use super::{be16, be32};

/// Why a packet got no reply, when an ICMP error said why (other than "too big").
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Unreachable {
    Network,
    Host,
    Protocol,
    /// Nothing listens on the port (IKE mode: no IKE on UDP 500/4500).
    Port,
    /// A firewall answered "administratively prohibited".
    Prohibited,
    /// The TTL/hop limit ran out on the way (a routing loop).
    TtlExceeded,
    Other,
}

impl Unreachable {
    pub fn describe(self) -> &'static str {
        match self {
            Unreachable::Network => "network unreachable",
            Unreachable::Host => "host unreachable",
            Unreachable::Protocol => "protocol unreachable",
            Unreachable::Port => "port unreachable (nothing listening)",
            Unreachable::Prohibited => "administratively prohibited (firewall)",
            Unreachable::TtlExceeded => "time exceeded (routing loop?)",
            Unreachable::Other => "ICMP error",
        }
    }
}

/// Bytes of IP header before an echo request of a given family (no options,
/// no extension headers: what this tool sends).
pub fn ip_header_len(v6: bool) -> u16 {
    if v6 { 40 } else { 20 }
}

/// ICMP echo header: type, code, checksum, identifier, sequence (RFC 792).
pub const ECHO_HEADER_LEN: u16 = 8;

/// The ICMP payload that makes an IP packet of `ip_size` bytes, or `None` if
/// the packet cannot even hold the headers.
pub fn payload_len(ip_size: u16, v6: bool) -> Option<u16> {
    ip_size.checked_sub(ip_header_len(v6) + ECHO_HEADER_LEN)
}

/// Recognisable filler, so a capture shows whose probes these are.
const FILL: &[u8] = b"aovpn-diag path MTU probe ";

/// Builds an echo request (RFC 792 type 8 / RFC 4443 §4.1 type 128) with
/// `payload` bytes of filler. The IPv4 checksum is computed here; for IPv6
/// the kernel fills it in (it needs the pseudo-header, RFC 4443 §2.3), and
/// Linux ping sockets overwrite the identifier with their own.
pub fn echo_request(v6: bool, id: u16, seq: u16, payload: u16) -> Vec<u8> {
    let mut pkt = Vec::with_capacity(usize::from(ECHO_HEADER_LEN) + usize::from(payload));
    pkt.push(if v6 { 128 } else { 8 });
    pkt.push(0);
    pkt.extend_from_slice(&[0, 0]);
    pkt.extend_from_slice(&id.to_be_bytes());
    pkt.extend_from_slice(&seq.to_be_bytes());
    pkt.extend(FILL.iter().copied().cycle().take(usize::from(payload)));
    if !v6 {
        let sum = internet_checksum(&pkt);
        if let Some(field) = pkt.get_mut(2..4) {
            field.copy_from_slice(&sum.to_be_bytes());
        }
    }
    pkt
}

/// RFC 1071 one's-complement sum.
pub fn internet_checksum(data: &[u8]) -> u16 {
    let mut sum: u32 = 0;
    let (pairs, rest) = data.as_chunks::<2>();
    for pair in pairs {
        sum += u32::from(u16::from_be_bytes(*pair));
    }
    if let [last] = rest {
        sum += u32::from(*last) << 8;
    }
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}

/// An ICMP message relevant to a probe.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Message {
    EchoReply {
        id: u16,
        seq: u16,
    },
    /// Fragmentation needed / packet too big for the quoted echo request.
    TooBig {
        mtu: Option<u16>,
        quoted: Option<Quoted>,
    },
    /// Any other error about the quoted echo request.
    Error {
        kind: Unreachable,
        quoted: Option<Quoted>,
    },
}

/// The identifier and sequence of the echo request an ICMP error quotes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quoted {
    pub id: u16,
    pub seq: u16,
}

/// Strips the IPv4 header a raw ICMP socket delivers (RFC 791 §3.1: IHL in
/// 32-bit words), returning the source address and the ICMP message.
pub fn strip_ipv4(packet: &[u8]) -> Option<(Ipv4Addr, &[u8])> {
    let first = *packet.first()?;
    if first >> 4 != 4 {
        return None;
    }
    let ihl = usize::from(first & 0x0f) * 4;
    if ihl < 20 {
        return None;
    }
    let src = Ipv4Addr::new(
        *packet.get(12)?,
        *packet.get(13)?,
        *packet.get(14)?,
        *packet.get(15)?,
    );
    Some((src, packet.get(ihl..)?))
}

/// The echo identifier/sequence inside a quoted IPv4 datagram (IP header,
/// then at least 8 bytes of the original ICMP message, RFC 792).
fn quoted_echo_v4(quoted_ip: &[u8]) -> Option<Quoted> {
    let (_, icmp) = strip_ipv4(quoted_ip)?;
    if *icmp.first()? != 8 {
        return None;
    }
    Some(Quoted {
        id: be16(icmp, 4)?,
        seq: be16(icmp, 6)?,
    })
}

/// The echo identifier/sequence inside a quoted IPv6 packet (fixed 40-byte
/// header; next header must be ICMPv6 = 58, as this tool sends no extension
/// headers).
fn quoted_echo_v6(quoted_ip: &[u8]) -> Option<Quoted> {
    if *quoted_ip.first()? >> 4 != 6 || *quoted_ip.get(6)? != 58 {
        return None;
    }
    let icmp = quoted_ip.get(40..)?;
    if *icmp.first()? != 128 {
        return None;
    }
    Some(Quoted {
        id: be16(icmp, 4)?,
        seq: be16(icmp, 6)?,
    })
}

/// Parses an ICMPv4 message (starting at the ICMP header).
pub fn parse_v4(icmp: &[u8]) -> Option<Message> {
    let ty = *icmp.first()?;
    let code = *icmp.get(1)?;
    if (ty, code) == (0, 0) {
        return Some(Message::EchoReply {
            id: be16(icmp, 4)?,
            seq: be16(icmp, 6)?,
        });
    }
    let err = error_message(false, icmp)?;
    let quoted = quoted_echo_v4(err.quoted);
    Some(match err.kind {
        IcmpError::TooBig => Message::TooBig {
            mtu: err.mtu.and_then(|m| u16::try_from(m).ok()),
            quoted,
        },
        IcmpError::Other(kind) => Message::Error { kind, quoted },
    })
}

/// An ICMP or ICMPv6 error message: what it says and the start of the
/// datagram it is about (RFC 792: the IP header and at least 8 bytes of its
/// payload; RFC 4443 §3: as much of the packet as fits 1280 bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ErrorMessage<'a> {
    pub kind: IcmpError,
    /// For "too big": the MTU the router advertised, in bytes. IPv4
    /// "fragmentation needed" carries it in the low 16 bits of the second
    /// word (RFC 1191 §4), ICMPv6 "packet too big" as 32 bits (RFC 4443
    /// §3.2). `None` when zero (routers that predate RFC 1191) or not a
    /// "too big" error.
    pub mtu: Option<u32>,
    /// The quoted datagram, starting at its IP header (possibly cut short).
    pub quoted: &'a [u8],
}

/// Parses an ICMPv4 (`v6` false) or ICMPv6 message, starting at the ICMP
/// header, when it is an error; `None` for anything else or a message too
/// short to hold its type and code.
pub fn error_message(v6: bool, icmp: &[u8]) -> Option<ErrorMessage<'_>> {
    let ty = *icmp.first()?;
    let code = *icmp.get(1)?;
    let kind = if v6 {
        error_v6(ty, code)?
    } else {
        error_v4(ty, code)?
    };
    let mtu = match kind {
        IcmpError::TooBig if v6 => be32(icmp, 4),
        IcmpError::TooBig => be16(icmp, 6).map(u32::from),
        IcmpError::Other(_) => None,
    }
    .filter(|&m| m != 0);
    let quoted = icmp.get(8..).unwrap_or_default();
    Some(ErrorMessage { kind, mtu, quoted })
}

/// What an ICMP error says about a probe; one classification for the
/// messages read from ICMP sockets and those from the error queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IcmpError {
    /// Fragmentation needed / packet too big.
    TooBig,
    Other(Unreachable),
}

/// ICMPv4 error types (RFC 792): 3 destination unreachable (code 4 is
/// "fragmentation needed", RFC 1191) and 11 time exceeded; `None` otherwise.
pub fn error_v4(ty: u8, code: u8) -> Option<IcmpError> {
    match (ty, code) {
        (3, 4) => Some(IcmpError::TooBig),
        (3, _) => Some(IcmpError::Other(unreachable_v4(code))),
        (11, _) => Some(IcmpError::Other(Unreachable::TtlExceeded)),
        _ => None,
    }
}

/// ICMPv6 error types (RFC 4443 §3): 1 destination unreachable, 2 packet
/// too big, 3 time exceeded; `None` otherwise.
pub fn error_v6(ty: u8, code: u8) -> Option<IcmpError> {
    match ty {
        2 => Some(IcmpError::TooBig),
        1 => Some(IcmpError::Other(unreachable_v6(code))),
        3 => Some(IcmpError::Other(Unreachable::TtlExceeded)),
        _ => None,
    }
}

/// ICMPv4 destination-unreachable codes (RFC 792, RFC 1812 §5.2.7.1).
pub fn unreachable_v4(code: u8) -> Unreachable {
    match code {
        0 | 6 | 9 | 11 => Unreachable::Network,
        1 | 7 | 10 | 12 => Unreachable::Host,
        2 => Unreachable::Protocol,
        3 => Unreachable::Port,
        13 => Unreachable::Prohibited,
        _ => Unreachable::Other,
    }
}

/// ICMPv6 destination-unreachable codes (RFC 4443 §3.1).
pub fn unreachable_v6(code: u8) -> Unreachable {
    match code {
        0 => Unreachable::Network,
        1 | 5 | 6 => Unreachable::Prohibited,
        3 => Unreachable::Host,
        4 => Unreachable::Port,
        _ => Unreachable::Other,
    }
}

/// Parses an ICMPv6 message (raw and datagram ICMPv6 sockets deliver no IP header).
pub fn parse_v6(icmp: &[u8]) -> Option<Message> {
    let ty = *icmp.first()?;
    icmp.get(1)?; // the code: every message has one
    if ty == 129 {
        return Some(Message::EchoReply {
            id: be16(icmp, 4)?,
            seq: be16(icmp, 6)?,
        });
    }
    let err = error_message(true, icmp)?;
    let quoted = quoted_echo_v6(err.quoted);
    Some(match err.kind {
        // RFC 4443 §3.2: 32-bit MTU; values beyond 65535 cannot limit a
        // non-jumbo packet, so they are treated as "no usable MTU".
        IcmpError::TooBig => Message::TooBig {
            mtu: err.mtu.and_then(|m| u16::try_from(m).ok()),
            quoted,
        },
        IcmpError::Other(kind) => Message::Error { kind, quoted },
    })
}

/// The sequence number in the echo request a Linux error-queue entry returns
/// (the queue hands back the original ICMP message we sent).
pub fn sent_seq(original_icmp: &[u8]) -> Option<u16> {
    be16(original_icmp, 6)
}

/// The address a socket address in raw bytes names (`struct sockaddr_in` /
/// `sockaddr_in6` as Linux lays them out: family in native byte order).
pub fn sockaddr_ip(bytes: &[u8], af_inet: u16, af_inet6: u16) -> Option<IpAddr> {
    let family = u16::from_ne_bytes([*bytes.first()?, *bytes.get(1)?]);
    if family == af_inet {
        let a: [u8; 4] = bytes.get(4..8)?.try_into().ok()?;
        Some(IpAddr::V4(Ipv4Addr::from(a)))
    } else if family == af_inet6 {
        let a: [u8; 16] = bytes.get(8..24)?.try_into().ok()?;
        Some(IpAddr::V6(Ipv6Addr::from(a)))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Echo request as `ping -c1 -s 4 -p 41` would build it, id 0x1234 seq 1.
    #[test]
    fn echo_request_v4_bytes_and_checksum() {
        let pkt = echo_request(false, 0x1234, 1, 4);
        assert_eq!(&pkt[..8], &[8, 0, 0x0d, 0xeb, 0x12, 0x34, 0, 1][..]);
        assert_eq!(&pkt[8..], b"aovp");
        // A correct checksum makes the sum over the message zero.
        assert_eq!(internet_checksum(&pkt), 0);
    }

    #[test]
    fn echo_request_v6_leaves_checksum_to_the_kernel() {
        let pkt = echo_request(true, 7, 9, 0);
        assert_eq!(pkt, [128, 0, 0, 0, 0, 7, 0, 9]);
    }

    #[test]
    fn payload_matches_whole_packet_size() {
        assert_eq!(payload_len(1500, false), Some(1472)); // ping -M do -s 1472
        assert_eq!(payload_len(1500, true), Some(1452));
        assert_eq!(payload_len(27, false), None);
    }

    /// A frag-needed from router 198.18.1.1 (MTU 1400) quoting our request
    /// id 0x1234 seq 5, as captured in the lab (IP header + 8 bytes quoted).
    const FRAG_NEEDED: [u8; 56] = [
        0x45, 0xc0, 0x00, 0x38, 0x00, 0x00, 0x00, 0x00, 0x40, 0x01, 0x00, 0x00, 198, 18, 1, 1, 198,
        18, 0, 2, // outer IPv4 header
        3, 4, 0x00, 0x00, 0x00, 0x00, 0x05, 0x78, // type 3 code 4, MTU 1400
        0x45, 0x00, 0x05, 0xdc, 0x00, 0x01, 0x40, 0x00, 0x3f, 0x01, 0x00, 0x00, 198, 18, 0, 2, 198,
        18, 2, 2, // quoted IPv4 header (1500 bytes, DF)
        8, 0, 0x00, 0x00, 0x12, 0x34, 0x00, 0x05, // quoted echo request
    ];

    #[test]
    fn frag_needed_gives_mtu_source_and_quoted_echo() {
        let (src, icmp) = strip_ipv4(&FRAG_NEEDED).unwrap();
        assert_eq!(src, Ipv4Addr::new(198, 18, 1, 1));
        assert_eq!(
            parse_v4(icmp),
            Some(Message::TooBig {
                mtu: Some(1400),
                quoted: Some(Quoted { id: 0x1234, seq: 5 })
            })
        );
    }

    #[test]
    fn pre_rfc1191_zero_mtu_is_no_mtu() {
        let mut pkt = FRAG_NEEDED;
        pkt[26] = 0;
        pkt[27] = 0;
        let (_, icmp) = strip_ipv4(&pkt).unwrap();
        assert!(matches!(
            parse_v4(icmp),
            Some(Message::TooBig { mtu: None, .. })
        ));
    }

    #[test]
    fn echo_reply_v4() {
        assert_eq!(
            parse_v4(&[0, 0, 0, 0, 0xab, 0xcd, 0, 3]),
            Some(Message::EchoReply { id: 0xabcd, seq: 3 })
        );
    }

    #[test]
    fn port_unreachable_v4() {
        assert!(matches!(
            parse_v4(&[3, 3, 0, 0, 0, 0, 0, 0]),
            Some(Message::Error {
                kind: Unreachable::Port,
                quoted: None
            })
        ));
    }

    #[test]
    fn packet_too_big_v6() {
        let mut pkt = vec![2, 0, 0, 0, 0, 0, 0x05, 0x00]; // MTU 1280
        let mut ip6 = vec![0x60, 0, 0, 0, 0x05, 0x30, 58, 64];
        ip6.extend_from_slice(&[0; 32]);
        pkt.extend_from_slice(&ip6);
        pkt.extend_from_slice(&[128, 0, 0, 0, 0x00, 0x07, 0x00, 0x2a]);
        assert_eq!(
            parse_v6(&pkt),
            Some(Message::TooBig {
                mtu: Some(1280),
                quoted: Some(Quoted { id: 7, seq: 42 })
            })
        );
    }

    #[test]
    fn oversized_v6_mtu_is_not_an_mtu() {
        let pkt = [2, 0, 0, 0, 0, 1, 0, 0];
        assert!(matches!(
            parse_v6(&pkt),
            Some(Message::TooBig { mtu: None, .. })
        ));
    }

    #[test]
    fn error_message_gives_kind_mtu_and_the_quoted_datagram() {
        let (_, icmp) = strip_ipv4(&FRAG_NEEDED).unwrap();
        let e = error_message(false, icmp).unwrap();
        assert_eq!(e.kind, IcmpError::TooBig);
        assert_eq!(e.mtu, Some(1400));
        assert_eq!(e.quoted, &FRAG_NEEDED[28..]);
        // ICMPv6 packet too big: a 32-bit MTU, kept as is for captures.
        let ptb = [2, 0, 0, 0, 0, 1, 0, 0, 0x60];
        let e = error_message(true, &ptb).unwrap();
        assert_eq!(
            (e.kind, e.mtu, e.quoted),
            (IcmpError::TooBig, Some(65536), &[0x60][..])
        );
        // Port unreachable: no MTU; echo reply: not an error.
        let e = error_message(false, &[3, 3, 0, 0, 0, 0, 0, 0]).unwrap();
        assert_eq!(e.kind, IcmpError::Other(Unreachable::Port));
        assert_eq!(e.mtu, None);
        assert_eq!(error_message(false, &[0, 0, 0, 0, 0, 0, 0, 0]), None);
        assert_eq!(error_message(true, &[128, 0]), None);
    }

    #[test]
    fn truncated_input_is_none() {
        assert_eq!(parse_v4(&[]), None);
        assert_eq!(parse_v4(&[0, 0, 0]), None);
        assert_eq!(parse_v6(&[129]), None);
        assert_eq!(strip_ipv4(&[0x4f; 10]), None);
        assert_eq!(strip_ipv4(&[0x44; 40]), None);
    }

    proptest::proptest! {
        #[test]
        fn parsers_never_panic(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..200)) {
            let _ = parse_v4(&bytes);
            let _ = parse_v6(&bytes);
            let _ = strip_ipv4(&bytes);
            let _ = sent_seq(&bytes);
            let _ = sockaddr_ip(&bytes, 2, 10);
            let _ = error_message(false, &bytes);
            let _ = error_message(true, &bytes);
        }
    }
}
