//! The capture pipeline: frame -> link layer -> IP -> reassembly -> UDP ->
//! NAT-T split -> one typed [`Datagram`].
//!
//! Push frames in time order with [`Pipeline::push`]; each yields zero or
//! more datagrams through the caller's sink (a fragment usually yields
//! nothing until the datagram completes; a timeout may give up older ones).
//! [`Pipeline::finish`] flushes what is still being reassembled. Frames that
//! cannot matter to IKE are skipped after reading three header bytes
//! ([`ip::interest`]), without allocating.

#![forbid(unsafe_code)]

use std::collections::BTreeMap;

use super::datagram::{
    Carried, Datagram, EspDatagram, Fragments, IkeDatagram, Incomplete, Keepalive, Other, Ports,
    TooBig, Wire,
};
use super::defrag::{
    DefragLimits, Defragmenter, FragKey, Fragment, IncompleteDatagram, Reassembled,
};
use super::ip::{self, IkePorts, Interest, IpPacket, proto};
use super::link::{self, L3};
use super::{LinkType, Packet, Timestamp};
use crate::wire::icmp::{self, IcmpError};
use crate::wire::natt::{self, IkeUdp};
use crate::wire::{be16, be32};

/// Bytes of UDP header before the payload (RFC 768).
const UDP_HEADER_LEN: usize = 8;

/// What the pipeline saw below IKE, for the report's `stats`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CaptureStats {
    pub packets: u64,
    /// Captured bytes (at most the snap length per frame).
    pub bytes: u64,
    pub not_ip: u64,
    /// Frames dropped before analysis as copies of one packet recorded at
    /// several points of the same host (pktmon components; see
    /// [`super::dedup`]). Not included in `packets`.
    pub component_copies: u64,
    /// Frames carried in a PPPoE session (DSL links: IP MTU 1492).
    pub pppoe_frames: u64,
    /// Frames carried under an MPLS label stack.
    pub mpls_frames: u64,
    /// Link or IP headers, or UDP datagrams on IKE ports, that could not be read.
    pub malformed: u64,
    /// Frames on link types this tool does not decode.
    pub unsupported_link_types: BTreeMap<LinkType, u64>,
    pub ip_fragments: u64,
    pub datagrams_reassembled: u64,
    pub datagrams_incomplete: u64,
}

/// The pipeline's state: the IKE ports and the reassembly pool.
pub struct Pipeline {
    ports: IkePorts,
    defrag: Defragmenter,
    stats: CaptureStats,
}

impl Pipeline {
    pub fn new(ports: IkePorts, limits: DefragLimits) -> Pipeline {
        Pipeline {
            ports,
            defrag: Defragmenter::new(limits),
            stats: CaptureStats::default(),
        }
    }

    pub fn stats(&self) -> CaptureStats {
        let mut s = self.stats.clone();
        let d = self.defrag.stats();
        s.datagrams_reassembled = d.reassembled;
        s.datagrams_incomplete = d.incomplete;
        s
    }

    /// Feeds one frame; typed datagrams go to `out`.
    #[inline]
    pub fn push(&mut self, p: &Packet<'_>, out: &mut dyn FnMut(Datagram<'_>)) {
        self.stats.packets += 1;
        self.stats.bytes += p.data.len() as u64;
        let (l3, via) = link::decode_with(p.link, p.data);
        if via.pppoe_session.is_some() {
            self.stats.pppoe_frames += 1;
        }
        if via.mpls_labels > 0 {
            self.stats.mpls_frames += 1;
        }
        let (bytes, v6) = match l3 {
            L3::Ipv4(b) => (b, false),
            L3::Ipv6(b) => (b, true),
            L3::NotIp => {
                self.stats.not_ip += 1;
                return out(Datagram::Other(Other::NotIp));
            }
            L3::Malformed => {
                self.stats.malformed += 1;
                return out(Datagram::Other(Other::Malformed));
            }
            L3::UnsupportedLink(l) => {
                *self.stats.unsupported_link_types.entry(l).or_default() += 1;
                return out(Datagram::Other(Other::UnsupportedLink(l)));
            }
        };
        match ip::interest(bytes, v6, &self.ports) {
            Interest::Skip => out(Datagram::Other(Other::NotIke)),
            Interest::Esp => match ip::slice(bytes) {
                Some(ipk) => out(Datagram::Esp(EspDatagram {
                    spi: be32(ipk.payload, 0),
                    wire: whole(p, &ipk),
                    udp: None,
                })),
                None => {
                    self.stats.malformed += 1;
                    out(Datagram::Other(Other::Malformed));
                }
            },
            Interest::Parse => self.ip_packet(bytes, v6, p, out),
        }
    }

    /// Gives up on datagrams whose fragments stopped arriving before `now`
    /// minus the reassembly timeout (a live capture calls this on a timer;
    /// files rely on the next fragment or [`finish`](Self::finish)).
    pub fn expire(&mut self, now: Timestamp, out: &mut dyn FnMut(Datagram<'_>)) {
        let mut gave_up = Vec::new();
        self.defrag.expire(now, &mut |d| gave_up.push(d));
        for d in gave_up {
            incomplete(&self.ports, d, &mut self.stats, out);
        }
    }

    /// The capture ended: every datagram still being reassembled is
    /// incomplete.
    pub fn finish(&mut self, out: &mut dyn FnMut(Datagram<'_>)) {
        for d in self.defrag.finish_all() {
            incomplete(&self.ports, d, &mut self.stats, out);
        }
    }

    fn ip_packet(
        &mut self,
        bytes: &[u8],
        v6: bool,
        p: &Packet<'_>,
        out: &mut dyn FnMut(Datagram<'_>),
    ) {
        let Some(ipk) = ip::slice(bytes) else {
            self.stats.malformed += 1;
            return out(Datagram::Other(Other::Malformed));
        };
        if let Some(info) = ipk.frag {
            self.stats.ip_fragments += 1;
            let frag = Fragment {
                key: FragKey {
                    file: p.at.file,
                    src: ipk.src,
                    dst: ipk.dst,
                    proto: ipk.proto,
                    id: info.id,
                },
                info,
                payload: ipk.payload,
                declared_len: ipk.wire_len.saturating_sub(ipk.header_len),
                header_len: ipk.header_len,
                ttl: ipk.ttl,
                frame_len: p.orig_len,
                at: p.at,
                ts: p.ts,
            };
            let mut gave_up = Vec::new();
            let done = self.defrag.push(frag, &mut |d| gave_up.push(d));
            for d in gave_up {
                incomplete(&self.ports, d, &mut self.stats, out);
            }
            match done {
                Some(r) => {
                    let wire = reassembled(p, &r);
                    if r.key.proto == proto::UDP {
                        udp(&self.ports, wire, &r.payload, &mut self.stats, out);
                    } else {
                        out(Datagram::Other(Other::NotIke));
                    }
                    self.defrag.recycle(r.payload);
                }
                None => out(Datagram::Other(Other::FragmentHeld {
                    src: ipk.src,
                    dst: ipk.dst,
                })),
            }
            return;
        }
        let wire = whole(p, &ipk);
        match ipk.proto {
            proto::UDP => udp(&self.ports, wire, ipk.payload, &mut self.stats, out),
            proto::ICMP | proto::ICMPV6 => too_big(&self.ports, wire, v6, &ipk, out),
            proto::ESP => out(Datagram::Esp(EspDatagram {
                spi: be32(ipk.payload, 0),
                wire,
                udp: None,
            })),
            _ => out(Datagram::Other(Other::NotIke)),
        }
    }
}

/// Wire facts of an unfragmented packet.
fn whole(p: &Packet<'_>, ipk: &IpPacket<'_>) -> Wire {
    Wire {
        at: p.at,
        interface: p.interface,
        ts: p.ts,
        src: ipk.src,
        dst: ipk.dst,
        ip_len: ipk.wire_len,
        ttl: ipk.ttl,
        frame_len: p.orig_len,
        fragments: None,
        complete: ipk.complete && !p.is_snapped(),
    }
}

/// Wire facts of a reassembled datagram; `p` is the frame that completed it.
fn reassembled(p: &Packet<'_>, r: &Reassembled) -> Wire {
    Wire {
        at: p.at,
        interface: p.interface,
        ts: p.ts,
        src: r.key.src,
        dst: r.key.dst,
        ip_len: r.datagram_len,
        ttl: r.ttl,
        frame_len: r.largest_frame,
        fragments: Some(Fragments {
            first_ts: r.first_ts,
            count: r.fragments,
            frames: r.frames.clone(),
            largest: r.largest_fragment,
            sizes: r.sizes.clone(),
            order: r.order,
        }),
        complete: true,
    }
}

/// UDP to or from an IKE port: IKE, ESP in UDP or a NAT keepalive.
fn udp(
    ports: &IkePorts,
    wire: Wire,
    udp: &[u8],
    stats: &mut CaptureStats,
    out: &mut dyn FnMut(Datagram<'_>),
) {
    let (Some(src), Some(dst)) = (be16(udp, 0), be16(udp, 2)) else {
        stats.malformed += 1;
        return out(Datagram::Other(Other::Malformed));
    };
    if !(ports.contains(src) || ports.contains(dst)) {
        return out(Datagram::Other(Other::NotIke));
    }
    let ports = Ports { src, dst };
    let payload = udp.get(UDP_HEADER_LEN..).unwrap_or_default();
    match natt::split_udp(src, dst, payload) {
        IkeUdp::Ike { bytes, marker } => out(Datagram::Ike(IkeDatagram {
            wire,
            ports,
            marker,
            bytes,
        })),
        IkeUdp::NatKeepalive => out(Datagram::Keepalive(Keepalive { wire, ports })),
        IkeUdp::Esp { spi, .. } => out(Datagram::Esp(EspDatagram {
            wire,
            udp: Some(ports),
            spi: Some(spi),
        })),
        IkeUdp::Unknown(_) => {
            stats.malformed += 1;
            out(Datagram::Other(Other::UnknownNatT));
        }
    }
}

/// ICMP "fragmentation needed" / ICMPv6 "packet too big" quoting the first
/// packet of a UDP datagram to or from an IKE port.
fn too_big(
    ports: &IkePorts,
    wire: Wire,
    v6: bool,
    ipk: &IpPacket<'_>,
    out: &mut dyn FnMut(Datagram<'_>),
) {
    let quoted = icmp::error_message(v6, ipk.payload)
        .filter(|e| e.kind == IcmpError::TooBig)
        .and_then(|e| Some((e.mtu, ip::slice(e.quoted)?)));
    let Some((mtu, q)) = quoted else {
        return out(Datagram::Other(Other::NotIke));
    };
    let (Some(src), Some(dst)) = (be16(q.payload, 0), be16(q.payload, 2)) else {
        return out(Datagram::Other(Other::NotIke));
    };
    let udp_first = q.proto == proto::UDP && q.frag.is_none_or(|f| f.offset == 0);
    if !udp_first || !(ports.contains(src) || ports.contains(dst)) {
        return out(Datagram::Other(Other::NotIke));
    }
    let body = q.payload.get(UDP_HEADER_LEN..).unwrap_or_default();
    let quoted_ike = match natt::split_udp(src, dst, body) {
        IkeUdp::Ike { bytes, .. } => bytes,
        _ => &[],
    };
    out(Datagram::IcmpTooBig(TooBig {
        mtu,
        quoted_src: std::net::SocketAddr::new(q.src, src),
        quoted_dst: std::net::SocketAddr::new(q.dst, dst),
        quoted_len: q.wire_len,
        quoted_ike,
        wire,
    }));
}

/// A datagram the reassembly gave up on: UDP ones to or from IKE ports
/// (or whose first fragment is missing, so the ports are unknown) go on
/// as [`Incomplete`]; the rest are counted only.
fn incomplete(
    ports: &IkePorts,
    d: IncompleteDatagram,
    stats: &mut CaptureStats,
    out: &mut dyn FnMut(Datagram<'_>),
) {
    if d.key.proto != proto::UDP {
        return out(Datagram::Other(Other::NotIke));
    }
    let Some(head) = d.head.as_deref() else {
        return out(Datagram::Incomplete(Incomplete::new(
            d,
            None,
            Carried::Unknown,
        )));
    };
    let (Some(src), Some(dst)) = (be16(head, 0), be16(head, 2)) else {
        stats.malformed += 1;
        return out(Datagram::Other(Other::Malformed));
    };
    if !(ports.contains(src) || ports.contains(dst)) {
        return out(Datagram::Other(Other::NotIke));
    }
    let body = head.get(UDP_HEADER_LEN..).unwrap_or_default();
    let carried = match natt::split_udp(src, dst, body) {
        IkeUdp::Ike { bytes, .. } => Carried::Ike(head.len().saturating_sub(bytes.len())),
        IkeUdp::Esp { .. } => Carried::Esp,
        IkeUdp::NatKeepalive | IkeUdp::Unknown(_) => Carried::Other,
    };
    out(Datagram::Incomplete(Incomplete::new(
        d,
        Some(Ports { src, dst }),
        carried,
    )));
}

#[cfg(test)]
mod tests;
