//! Facts from packets: the capture pipeline (link -> IP -> reassembly ->
//! UDP -> IKE), IKE SA tracking, and the findings derived from them.
//!
//! [`Analyser::packet`] is called once per captured frame in time order; it
//! never allocates for packets that cannot matter to IKE (the cheap test in
//! [`crate::capture::ip::interest`]). [`Analyser::finish`] turns what was
//! collected into an [`Analysis`]. Nothing here prints.

#![forbid(unsafe_code)]

pub mod findings;
pub mod sa;

use std::collections::{BTreeMap, HashMap};
use std::net::{IpAddr, SocketAddr};

use serde::Serialize;

use crate::capture::defrag::{DefragLimits, Defragmenter, FragKey, Fragment, IncompleteDatagram};
use crate::capture::ip::{self, IkePorts, Interest, IpPacket, proto};
use crate::capture::link::{self, L3};
use crate::capture::{Packet, PacketRef, Timestamp, Truncation};
use crate::finding::Finding;
use crate::wire::ike::{self, ExchangeType, Header, IkeVersion, Message, PayloadType};
use crate::wire::natt::{self, Udp4500};
use crate::wire::{be16, be32};

pub use sa::{IkeMessage, IkeSa, LostDatagram, Support};

/// Counters for the `stats` object of the report.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Stats {
    pub packets: u64,
    /// IKEv2 messages (each SKF fragment counts as one message).
    pub ike_messages: u64,
    pub ikev1_messages: u64,
    pub esp_packets: u64,
    pub nat_keepalives: u64,
    pub ip_fragments: u64,
    pub datagrams_reassembled: u64,
    pub datagrams_incomplete: u64,
    pub skf_fragments: u64,
    /// IKE-port datagrams or IP headers that could not be understood.
    pub malformed: u64,
    /// IKE packets the capture's snap length cut short.
    pub snapped_ike_packets: u64,
    pub icmp_too_big: u64,
    pub not_ip: u64,
    /// Frames dropped before analysis as copies of one packet recorded at
    /// several points of the same host (pktmon components; see
    /// [`crate::capture::dedup`]). Not included in `packets`.
    pub component_copies: u64,
    /// Frames carried in a PPPoE session (DSL links: IP MTU 1492).
    pub pppoe_frames: u64,
    /// Frames carried under an MPLS label stack.
    pub mpls_frames: u64,
    /// Frames on link types this tool does not decode, by link type name.
    pub unsupported_link_types: BTreeMap<String, u64>,
    pub bytes: u64,
}

/// An ICMP "fragmentation needed" / ICMPv6 "packet too big" quoting an IKE datagram.
#[derive(Debug, Clone, Serialize)]
pub struct TooBig {
    pub frame: PacketRef,
    pub time: f64,
    pub router: IpAddr,
    pub mtu: u32,
    pub quoted_src: SocketAddr,
    pub quoted_dst: SocketAddr,
    /// IP length of the quoted datagram (what was too big).
    pub quoted_len: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exchange: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_id: Option<u32>,
}

/// What a capture file ended with, when it ended early.
#[derive(Debug, Clone, Serialize)]
pub struct FileTruncation {
    pub file: String,
    pub offset: u64,
    pub frames_read: u64,
    pub reason: String,
}

/// Everything the analysis found.
#[derive(Debug, Clone, Serialize)]
pub struct Analysis {
    pub sas: Vec<IkeSa>,
    pub stats: Stats,
    pub too_big: Vec<TooBig>,
    pub truncated: Vec<FileTruncation>,
    /// Incomplete datagrams between IKE peers whose first fragment never
    /// arrived and that could not be tied to one SA.
    pub unattributed_lost: Vec<LostDatagram>,
    #[serde(skip)]
    pub findings: Vec<Finding>,
    #[serde(skip)]
    pub first_ts: Option<Timestamp>,
}

/// Options of one analysis.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub ports: IkePorts,
    pub defrag: DefragLimits,
}

/// The streaming analyser.
pub struct Analyser {
    opts: Options,
    defrag: Defragmenter,
    stats: Stats,
    sas: Vec<IkeSa>,
    by_spi: HashMap<[u8; 8], usize>,
    /// Datagrams given up on, waiting to be attributed at the end.
    lost: Vec<IncompleteDatagram>,
    too_big: Vec<TooBig>,
    truncated: Vec<FileTruncation>,
    first_ts: Option<Timestamp>,
}

impl Analyser {
    pub fn new(opts: Options) -> Analyser {
        Analyser {
            defrag: Defragmenter::new(opts.defrag),
            opts,
            stats: Stats::default(),
            sas: Vec::new(),
            by_spi: HashMap::new(),
            lost: Vec::new(),
            too_big: Vec::new(),
            truncated: Vec::new(),
            first_ts: None,
        }
    }

    /// Notes that a file ended early (from [`crate::capture::CaptureReader::truncation`]).
    pub fn file_truncated(&mut self, file: &str, t: &Truncation) {
        self.truncated.push(FileTruncation {
            file: file.to_owned(),
            offset: t.offset,
            frames_read: t.frames_read,
            reason: t.reason.clone(),
        });
    }

    /// Feeds one frame.
    #[inline]
    pub fn packet(&mut self, p: &Packet<'_>) {
        self.stats.packets += 1;
        self.stats.bytes += p.data.len() as u64;
        if self.first_ts.is_none() {
            self.first_ts = Some(p.ts);
        }
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
                return;
            }
            L3::Malformed => {
                self.stats.malformed += 1;
                return;
            }
            L3::UnsupportedLink(l) => {
                *self
                    .stats
                    .unsupported_link_types
                    .entry(l.to_string())
                    .or_default() += 1;
                return;
            }
        };
        match ip::interest(bytes, v6, &self.opts.ports) {
            Interest::Skip => {}
            Interest::Esp => {
                self.stats.esp_packets += 1;
                if let Some(ipk) = ip::slice(bytes) {
                    self.esp_between(ipk.src, ipk.dst);
                }
            }
            Interest::Parse => self.ip_packet(bytes, p),
        }
    }

    fn ip_packet(&mut self, bytes: &[u8], p: &Packet<'_>) {
        let Some(ipk) = ip::slice(bytes) else {
            self.stats.malformed += 1;
            return;
        };
        if let Some(info) = ipk.frag {
            self.stats.ip_fragments += 1;
            let frag = Fragment {
                key: FragKey {
                    src: ipk.src,
                    dst: ipk.dst,
                    proto: ipk.proto,
                    id: info.id,
                },
                info,
                payload: ipk.payload,
                declared_len: ipk.wire_len.saturating_sub(ipk.header_len),
                header_len: ipk.header_len,
                at: p.at,
                ts: p.ts,
            };
            let lost = &mut self.lost;
            let done = self.defrag.push(frag, &mut |d| lost.push(d));
            if let Some(r) = done {
                if r.key.proto == proto::UDP {
                    let wire = Wire {
                        frames: r.frames.clone(),
                        frame: p.at,
                        ts: p.ts,
                        ip_len: r.datagram_len,
                        fragments: r.fragments,
                        largest_fragment: r.largest_fragment,
                        complete: true,
                    };
                    self.udp(r.key.src, r.key.dst, &r.payload, wire);
                }
                self.defrag.recycle(r.payload);
            }
            return;
        }
        let wire = Wire {
            frames: vec![p.at],
            frame: p.at,
            ts: p.ts,
            ip_len: ipk.wire_len,
            fragments: 1,
            largest_fragment: ipk.wire_len,
            complete: ipk.complete && !p.is_snapped(),
        };
        match ipk.proto {
            proto::UDP => self.udp(ipk.src, ipk.dst, ipk.payload, wire),
            proto::ICMP | proto::ICMPV6 => self.icmp(&ipk, p),
            proto::ESP => {
                self.stats.esp_packets += 1;
                self.esp_between(ipk.src, ipk.dst);
            }
            _ => {}
        }
    }

    /// UDP to or from an IKE port: IKE, ESP-in-UDP or a NAT keepalive.
    fn udp(&mut self, src: IpAddr, dst: IpAddr, udp: &[u8], wire: Wire) {
        let (Some(sp), Some(dp)) = (be16(udp, 0), be16(udp, 2)) else {
            self.stats.malformed += 1;
            return;
        };
        if !(self.opts.ports.contains(sp) || self.opts.ports.contains(dp)) {
            return;
        }
        let payload = udp.get(8..).unwrap_or_default();
        let src = SocketAddr::new(src, sp);
        let dst = SocketAddr::new(dst, dp);
        // RFC 3948: on 4500 a non-ESP marker precedes IKE; other ports
        // (500 and user-named ones) carry IKE directly, unless the user
        // named a port that also uses the marker (tried when the first
        // four bytes are zero and no IKE header fits otherwise).
        let (ike_bytes, marker) = if sp == 4500 || dp == 4500 {
            match natt::classify_4500(payload) {
                Udp4500::Ike(b) => (b, 4),
                Udp4500::NatKeepalive => {
                    self.stats.nat_keepalives += 1;
                    return;
                }
                Udp4500::Esp { .. } => {
                    self.stats.esp_packets += 1;
                    self.esp_between(src.ip(), dst.ip());
                    return;
                }
                Udp4500::Unknown(_) => {
                    self.stats.malformed += 1;
                    return;
                }
            }
        } else if sp != 500
            && dp != 500
            && payload.get(..4) == Some(&[0, 0, 0, 0])
            && payload.len() > 4 + ike::HEADER_LEN
        {
            (payload.get(4..).unwrap_or_default(), 4)
        } else {
            (payload, 0)
        };
        let _ = marker;
        self.ike(src, dst, ike_bytes, wire);
    }

    fn ike(&mut self, src: SocketAddr, dst: SocketAddr, bytes: &[u8], wire: Wire) {
        let Ok(header) = Header::parse(bytes) else {
            if wire.complete {
                self.stats.malformed += 1;
            } else {
                self.stats.snapped_ike_packets += 1;
            }
            return;
        };
        match header.ike_version() {
            IkeVersion::V1 => {
                self.stats.ikev1_messages += 1;
                return;
            }
            IkeVersion::Other(_) => {
                self.stats.malformed += 1;
                return;
            }
            IkeVersion::V2 => {}
        }
        self.stats.ike_messages += 1;
        let parsed = Message::parse(bytes);
        let cut = (bytes.len() as u64) < u64::from(header.length);
        if cut {
            self.stats.snapped_ike_packets += 1;
        } else if parsed.is_err() {
            self.stats.malformed += 1;
        }
        let parsed = parsed.ok();
        let skf = parsed
            .as_ref()
            .and_then(|m| m.fragment())
            .map(|f| (f.number, f.total))
            .or_else(|| skf_numbers(&header, bytes));
        if skf.is_some() {
            self.stats.skf_fragments += 1;
        }
        let first = self.first_ts.unwrap_or(wire.ts);
        let msg = IkeMessage {
            frame: wire.frame,
            frames: wire.frames,
            ts: wire.ts,
            time: wire.ts.secs_since(first),
            src,
            dst,
            exchange: header.exchange.to_string(),
            exchange_type: header.exchange,
            message_id: header.message_id,
            response: header.flags.is_response(),
            from_initiator: header.flags.is_initiator(),
            ike_len: header.length,
            ip_len: wire.ip_len,
            ip_fragments: wire.fragments,
            largest_fragment: wire.largest_fragment,
            skf,
            notifies: parsed.as_ref().map(sa::notify_names).unwrap_or_default(),
            retransmission_of: None,
            answers: None,
            also_seen_elsewhere: false,
            digest: sa::digest(bytes),
        };
        let idx = match self.by_spi.get(&header.spi_i) {
            Some(&i) => i,
            None => {
                let (initiator, responder) = if header.flags.is_initiator() {
                    (src, dst)
                } else {
                    (dst, src)
                };
                self.sas
                    .push(IkeSa::new(header.spi_i, initiator, responder));
                self.by_spi.insert(header.spi_i, self.sas.len() - 1);
                self.sas.len() - 1
            }
        };
        if let Some(sa) = self.sas.get_mut(idx) {
            sa.record(msg, &header, parsed.as_ref());
        }
    }

    /// ICMP destination unreachable / fragmentation needed (RFC 792, RFC 1191)
    /// and ICMPv6 packet too big (RFC 4443 §3.2) that quote an IKE datagram.
    fn icmp(&mut self, ipk: &IpPacket<'_>, p: &Packet<'_>) {
        let icmp = ipk.payload;
        let too_big = match (ipk.proto, icmp.first(), icmp.get(1)) {
            (proto::ICMP, Some(3), Some(4)) => be16(icmp, 6).map(u32::from),
            (proto::ICMPV6, Some(2), _) => be32(icmp, 4),
            _ => None,
        };
        let Some(mtu) = too_big else { return };
        let quoted = icmp.get(8..).unwrap_or_default();
        let Some(q) = ip::slice(quoted) else { return };
        if q.proto != proto::UDP || q.frag.is_some_and(|f| f.offset != 0) {
            return;
        }
        let (Some(sp), Some(dp)) = (be16(q.payload, 0), be16(q.payload, 2)) else {
            return;
        };
        if !(self.opts.ports.contains(sp) || self.opts.ports.contains(dp)) {
            return;
        }
        let body = q.payload.get(8..).unwrap_or_default();
        let ike_bytes = if sp == 4500 || dp == 4500 {
            body.get(4..).unwrap_or_default()
        } else {
            body
        };
        let header = Header::parse(ike_bytes).ok();
        self.stats.icmp_too_big += 1;
        let first = self.first_ts.unwrap_or(p.ts);
        self.too_big.push(TooBig {
            frame: p.at,
            time: p.ts.secs_since(first),
            router: ipk.src,
            mtu,
            quoted_src: SocketAddr::new(q.src, sp),
            quoted_dst: SocketAddr::new(q.dst, dp),
            quoted_len: q.wire_len,
            exchange: header.map(|h| h.exchange.to_string()),
            message_id: header.map(|h| h.message_id),
        });
    }

    fn esp_between(&mut self, a: IpAddr, b: IpAddr) {
        for sa in &mut self.sas {
            let (i, r) = (sa.initiator.ip(), sa.responder.ip());
            if (a == i && b == r) || (a == r && b == i) {
                sa.esp_packets += 1;
                return;
            }
        }
    }

    /// Ends the analysis: flushes reassembly, attributes lost datagrams to
    /// SAs and derives the findings.
    pub fn finish(mut self) -> Analysis {
        let rest = self.defrag.finish_all();
        self.lost.extend(rest);
        let ds = self.defrag.stats();
        self.stats.datagrams_reassembled = ds.reassembled;
        self.stats.datagrams_incomplete = ds.incomplete;
        let first = self.first_ts.unwrap_or_default();
        let mut unattributed = Vec::new();
        let lost = std::mem::take(&mut self.lost);
        for d in lost {
            if d.key.proto != proto::UDP {
                continue;
            }
            let decoded = decode_head(&d, &self.opts.ports);
            let Some(decoded) = decoded else {
                continue; // first fragment arrived and it is not IKE
            };
            let record = lost_record(&d, &decoded, first);
            let sa_idx = match decoded.spi_i {
                Some(spi) => self.by_spi.get(&spi).copied(),
                None => self.sas.iter().position(|sa| {
                    let (i, r) = (sa.initiator.ip(), sa.responder.ip());
                    (d.key.src == i && d.key.dst == r) || (d.key.src == r && d.key.dst == i)
                }),
            };
            match sa_idx.and_then(|i| self.sas.get_mut(i)) {
                Some(sa) => sa.lost_datagrams.push(record),
                None if decoded.spi_i.is_some() => {
                    // IKE by its first fragment, but no message of that SA
                    // got through: start an SA record for it.
                    let spi = decoded.spi_i.unwrap_or_default();
                    let (sp, dp) = decoded.ports.unwrap_or((0, 0));
                    let src = SocketAddr::new(d.key.src, sp);
                    let dst = SocketAddr::new(d.key.dst, dp);
                    let mut sa = if decoded.from_initiator.unwrap_or(true) {
                        IkeSa::new(spi, src, dst)
                    } else {
                        IkeSa::new(spi, dst, src)
                    };
                    sa.lost_datagrams.push(record);
                    self.by_spi.insert(spi, self.sas.len());
                    self.sas.push(sa);
                }
                None => unattributed.push(record),
            }
        }
        let mut analysis = Analysis {
            sas: self.sas,
            stats: self.stats,
            too_big: self.too_big,
            truncated: self.truncated,
            unattributed_lost: unattributed,
            findings: Vec::new(),
            first_ts: self.first_ts,
        };
        analysis.findings = findings::derive(&analysis);
        analysis
    }
}

/// How a datagram travelled: frames, size, fragments.
struct Wire {
    frames: Vec<PacketRef>,
    frame: PacketRef,
    ts: Timestamp,
    ip_len: u32,
    fragments: u32,
    largest_fragment: u32,
    complete: bool,
}

/// What the first fragment of an incomplete datagram says about IKE.
#[derive(Debug, Default)]
struct HeadFacts {
    ports: Option<(u16, u16)>,
    spi_i: Option<[u8; 8]>,
    exchange: Option<ExchangeType>,
    message_id: Option<u32>,
    response: Option<bool>,
    from_initiator: Option<bool>,
    ike_len: Option<u32>,
}

/// `None` when the first fragment arrived and shows a non-IKE datagram.
fn decode_head(d: &IncompleteDatagram, ports: &IkePorts) -> Option<HeadFacts> {
    let Some(head) = &d.head else {
        return Some(HeadFacts::default());
    };
    let (sp, dp) = (be16(head, 0)?, be16(head, 2)?);
    if !(ports.contains(sp) || ports.contains(dp)) {
        return None;
    }
    let body = head.get(8..).unwrap_or_default();
    let ike_bytes = if sp == 4500 || dp == 4500 {
        body.get(4..).unwrap_or_default()
    } else {
        body
    };
    let mut facts = HeadFacts {
        ports: Some((sp, dp)),
        ..Default::default()
    };
    if let Ok(h) = Header::parse(ike_bytes)
        && h.ike_version() == IkeVersion::V2
    {
        facts.spi_i = Some(h.spi_i);
        facts.exchange = Some(h.exchange);
        facts.message_id = Some(h.message_id);
        facts.response = Some(h.flags.is_response());
        facts.from_initiator = Some(h.flags.is_initiator());
        facts.ike_len = Some(h.length);
    }
    Some(facts)
}

fn lost_record(d: &IncompleteDatagram, h: &HeadFacts, first: Timestamp) -> LostDatagram {
    let addr = |ip: IpAddr, port: Option<u16>| match port {
        Some(p) => SocketAddr::new(ip, p).to_string(),
        None => ip.to_string(),
    };
    LostDatagram {
        frames: d.frames.clone(),
        time: d.first_ts.secs_since(first),
        src: addr(d.key.src, h.ports.map(|p| p.0)),
        dst: addr(d.key.dst, h.ports.map(|p| p.1)),
        ip_id: d.key.id,
        arrived: d.arrived.iter().map(|r| (r.start, r.end)).collect(),
        missing: d
            .missing
            .iter()
            .map(|r| (r.start, (r.end != u32::MAX).then_some(r.end)))
            .collect(),
        total_len: d.total_len,
        exchange: h.exchange.map(|e| e.to_string()),
        message_id: h.message_id,
        response: h.response,
        ike_len: h.ike_len,
        largest_fragment: d.largest_fragment,
        reason: d.reason.as_str(),
        ts: d.first_ts,
    }
}

/// SKF numbers from a message that did not parse fully (cut by snaplen):
/// when the first payload is SKF its fragment number and total follow the
/// generic payload header (RFC 7383 §2.5).
fn skf_numbers(h: &Header, bytes: &[u8]) -> Option<(u16, u16)> {
    if h.next_payload != PayloadType::SKF {
        return None;
    }
    Some((
        be16(bytes, ike::HEADER_LEN + 4)?,
        be16(bytes, ike::HEADER_LEN + 6)?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capture::ip::tests::{ipv4, udp};
    use crate::capture::{LinkType, Packet};
    use crate::finding::Code;

    const C: [u8; 4] = [198, 18, 0, 2];
    const S: [u8; 4] = [198, 19, 0, 2];
    const SPI: [u8; 8] = [1, 2, 3, 4, 5, 6, 7, 8];

    /// An IKEv2 header-only message (RFC 7296 §3.1) padded with an opaque
    /// SK payload of `body` bytes.
    fn ike(exchange: u8, flags: u8, id: u32, spi_r: [u8; 8], body: usize) -> Vec<u8> {
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

    fn feed(a: &mut Analyser, frame: u64, secs: i64, ip: &[u8]) {
        a.packet(&Packet {
            at: PacketRef { file: 0, frame },
            ts: Timestamp::from_secs_nanos(secs, 0),
            link: LinkType::RAW,
            interface: 0,
            mark: None,
            data: ip,
            orig_len: ip.len() as u32,
        });
    }

    #[test]
    fn pairs_responses_and_spots_retransmissions() {
        let mut a = Analyser::new(Options::default());
        let req = ipv4(C, S, 17, 1, 0, &udp(500, 500, &ike(34, 0x08, 0, [0; 8], 0)));
        let resp = ipv4(S, C, 17, 2, 0, &udp(500, 500, &ike(34, 0x20, 0, [9; 8], 0)));
        feed(&mut a, 1, 0, &req);
        feed(&mut a, 2, 1, &req);
        feed(&mut a, 3, 1, &resp);
        let r = a.finish();
        let sa = &r.sas[0];
        assert_eq!(sa.messages.len(), 3);
        assert_eq!(sa.messages[1].retransmission_of, Some(0));
        assert_eq!(sa.messages[2].answers, Some(0));
        assert_eq!(sa.spi_r, "0909090909090909");
        assert_eq!(r.stats.ike_messages, 3);
    }

    #[test]
    fn lost_second_fragment_is_tied_to_the_ike_message_it_carried() {
        let mut a = Analyser::new(Options::default());
        let init = ipv4(C, S, 17, 1, 0, &udp(500, 500, &ike(34, 0x08, 0, [0; 8], 0)));
        let init_r = ipv4(S, C, 17, 2, 0, &udp(500, 500, &ike(34, 0x20, 0, [9; 8], 0)));
        feed(&mut a, 1, 0, &init);
        feed(&mut a, 2, 0, &init_r);
        let mut auth = vec![0, 0, 0, 0];
        auth.extend(ike(35, 0x08, 1, [9; 8], 2000));
        let dgram = udp(4500, 4500, &auth);
        // First fragment only: 1480 bytes at offset 0, MF set.
        let first = ipv4(C, S, 17, 77, 0x2000, &dgram[..1480]);
        feed(&mut a, 3, 1, &first);
        let r = a.finish();
        assert_eq!(r.stats.datagrams_incomplete, 1);
        let lost = &r.sas[0].lost_datagrams[0];
        assert_eq!(lost.exchange.as_deref(), Some("IKE_AUTH"));
        assert_eq!(lost.message_id, Some(1));
        assert_eq!(lost.missing, vec![(1480, None)]);
        let codes: Vec<Code> = r.findings.iter().map(|f| f.code).collect();
        assert!(codes.contains(&Code::IpFragmentsMissing), "{codes:?}");
        assert!(codes.contains(&Code::IkeAuthNeverArrived), "{codes:?}");
    }

    #[test]
    fn ordinary_traffic_is_counted_not_analysed() {
        let mut a = Analyser::new(Options::default());
        feed(&mut a, 1, 0, &ipv4(C, S, 6, 1, 0, &[0; 40]));
        feed(
            &mut a,
            2,
            0,
            &ipv4(C, S, 17, 2, 0, &udp(5353, 53, &[0; 20])),
        );
        let r = a.finish();
        assert_eq!(r.stats.packets, 2);
        assert!(r.sas.is_empty());
        assert_eq!(r.findings[0].code, Code::NoIkeTraffic);
    }
}
