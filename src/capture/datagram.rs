//! What the capture pipeline hands to the analysis: one typed datagram per
//! IP datagram that can matter to IKE, with the wire facts a diagnosis needs
//! (when and where it was seen, addresses, ports, sizes, IP fragments).
//!
//! The UDP payload on the IKE ports is already split the one NAT-T way
//! ([`crate::wire::natt::split_udp`]); IKE bytes are handed over unparsed, so
//! the analysis decides what to read of them.

#![forbid(unsafe_code)]

use std::net::{IpAddr, SocketAddr};

use super::defrag::{FragmentOrder, FragmentSize, IncompleteDatagram};
use super::{LinkType, PacketRef, Timestamp};

/// How a datagram travelled past the capture point.
#[derive(Debug, Clone, PartialEq)]
pub struct Wire {
    /// The frame that completed the datagram (its only frame when it was
    /// not fragmented); its `file` says at which capture point it was seen.
    pub at: PacketRef,
    /// The pcapng interface of that frame (0 for pcap files).
    pub interface: u32,
    /// Capture time of that frame.
    pub ts: Timestamp,
    pub src: IpAddr,
    pub dst: IpAddr,
    /// Length of the whole IP datagram in bytes, header included (after
    /// reassembly for a fragmented one).
    pub ip_len: u32,
    /// IPv4 TTL / IPv6 hop limit (of the fragment at offset 0).
    pub ttl: u8,
    /// Length on the wire of the longest frame that carried it, link
    /// header included (what Wireshark's "Length" column shows).
    pub frame_len: u32,
    /// The IP fragments, when it travelled as more than one packet.
    pub fragments: Option<Fragments>,
    /// False when the capture's snap length cut the packet short.
    pub complete: bool,
}

impl Wire {
    /// Frames that carried the datagram, in capture order.
    pub fn frames(&self) -> Vec<PacketRef> {
        match &self.fragments {
            Some(f) => f.frames.clone(),
            None => vec![self.at],
        }
    }

    /// Number of IP packets it travelled as (1 when not fragmented).
    pub fn ip_packets(&self) -> u32 {
        self.fragments.as_ref().map_or(1, |f| f.count)
    }

    /// The largest IP packet that carried part of it: for a fragmented
    /// datagram, the MTU its sender (or a router) fragmented for.
    pub fn largest_packet(&self) -> u32 {
        self.fragments.as_ref().map_or(self.ip_len, |f| f.largest)
    }

    /// Capture time of its first packet.
    pub fn first_ts(&self) -> Timestamp {
        self.fragments.as_ref().map_or(self.ts, |f| f.first_ts)
    }
}

/// The IP fragments of a reassembled datagram (RFC 791 §3.2, RFC 8200 §4.5).
#[derive(Debug, Clone, PartialEq)]
pub struct Fragments {
    pub first_ts: Timestamp,
    pub count: u32,
    /// The frames that carried them, in capture order (at most 64).
    pub frames: Vec<PacketRef>,
    /// Largest fragment, IP header included.
    pub largest: u32,
    /// Each fragment's offset and IP length, by offset (at most 64).
    pub sizes: Vec<FragmentSize>,
    /// The order they were captured in.
    pub order: FragmentOrder,
}

/// The UDP ports of a datagram on an IKE port.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ports {
    pub src: u16,
    pub dst: u16,
}

/// An IKE message (IKEv2 or IKEv1) on UDP 500, 4500 or a port the user named.
#[derive(Debug, Clone, PartialEq)]
pub struct IkeDatagram<'a> {
    pub wire: Wire,
    pub ports: Ports,
    /// A non-ESP marker preceded the message (NAT-T framing, RFC 3948 §2.2).
    pub marker: bool,
    /// The IKE message as captured (possibly cut by the snap length).
    pub bytes: &'a [u8],
}

impl IkeDatagram<'_> {
    pub fn src(&self) -> SocketAddr {
        SocketAddr::new(self.wire.src, self.ports.src)
    }
    pub fn dst(&self) -> SocketAddr {
        SocketAddr::new(self.wire.dst, self.ports.dst)
    }
}

/// An ESP packet: IP protocol 50 (RFC 4303) or ESP in UDP (RFC 3948).
#[derive(Debug, Clone, PartialEq)]
pub struct EspDatagram {
    pub wire: Wire,
    /// The UDP ports for ESP in UDP; `None` for IP protocol 50.
    pub udp: Option<Ports>,
    /// The Security Parameters Index, when captured.
    pub spi: Option<u32>,
}

/// A NAT-keepalive (one 0xFF byte on UDP 4500, RFC 3948 §2.3).
#[derive(Debug, Clone, PartialEq)]
pub struct Keepalive {
    pub wire: Wire,
    pub ports: Ports,
}

/// An ICMP "fragmentation needed" (RFC 1191) or ICMPv6 "packet too big"
/// (RFC 4443 §3.2) that quotes a UDP datagram to or from an IKE port.
#[derive(Debug, Clone, PartialEq)]
pub struct TooBig<'a> {
    /// The ICMP packet itself (its source is the router that sent it).
    pub wire: Wire,
    /// The MTU the router advertised; `None` when it gave none.
    pub mtu: Option<u32>,
    pub quoted_src: SocketAddr,
    pub quoted_dst: SocketAddr,
    /// IP length of the quoted datagram: what was too big.
    pub quoted_len: u32,
    /// The quoted IKE message's first bytes (after any non-ESP marker).
    pub quoted_ike: &'a [u8],
}

/// A fragmented UDP datagram that never completed at this capture point,
/// with what its first fragment said when that one arrived.
#[derive(Debug, Clone, PartialEq)]
pub struct Incomplete {
    pub datagram: IncompleteDatagram,
    /// UDP ports, from the first fragment (`None` when it is missing).
    pub ports: Option<Ports>,
    /// What the first fragment carried after the UDP header.
    pub carried: Carried,
}

/// What the first fragment of an incomplete UDP datagram on an IKE port
/// carried (split the one NAT-T way, [`crate::wire::natt::split_udp`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Carried {
    /// The first fragment never arrived: ports and contents are unknown.
    Unknown,
    /// An IKE message (of any version), starting at this offset of the
    /// datagram's head (after the UDP header and any non-ESP marker).
    Ike(usize),
    /// ESP in UDP (RFC 3948).
    Esp,
    /// Nothing IKE or ESP could be read (a NAT keepalive, too few bytes).
    Other,
}

impl Incomplete {
    pub fn new(datagram: IncompleteDatagram, ports: Option<Ports>, carried: Carried) -> Self {
        Incomplete {
            datagram,
            ports,
            carried,
        }
    }

    /// The first bytes of the IKE message it carried (empty when unknown).
    pub fn ike_head(&self) -> &[u8] {
        let Carried::Ike(at) = self.carried else {
            return &[];
        };
        self.datagram
            .head
            .as_deref()
            .and_then(|h| h.get(at..))
            .unwrap_or_default()
    }
}

/// Why a frame produced no typed datagram (counted, never analysed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Other {
    /// IP, but nothing IKE can care about (TCP, DNS, ...).
    NotIke,
    /// A link-layer frame that does not carry IP (ARP, LLDP, ...).
    NotIp,
    /// A link or IP header that could not be read.
    Malformed,
    /// A link type this tool does not decode.
    UnsupportedLink(LinkType),
    /// An IP fragment between these addresses held for reassembly.
    FragmentHeld { src: IpAddr, dst: IpAddr },
    /// A UDP payload on UDP 4500 too short to be IKE, ESP or a keepalive.
    UnknownNatT,
}

/// One typed datagram out of the capture pipeline.
#[derive(Debug, Clone, PartialEq)]
pub enum Datagram<'a> {
    Ike(IkeDatagram<'a>),
    Esp(EspDatagram),
    Keepalive(Keepalive),
    IcmpTooBig(TooBig<'a>),
    /// IP fragments that never made a whole datagram here.
    Incomplete(Incomplete),
    Other(Other),
}
