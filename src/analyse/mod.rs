//! Facts from typed datagrams: IKE SAs, their messages counted per message
//! (SKF pieces of one sending are one transmission), exchanges and what
//! reached the capture point, IPsec flows without IKEv2, and the findings
//! derived from them. Nothing here prints.
//!
//! The analyser is a stream consumer, so a file and a live capture feed it
//! the same way: [`Analyser::push`] one [`Datagram`] at a time (in capture
//! order), [`Analyser::clock`] every frame's time, ask
//! [`Analyser::certain`] for the findings that can no longer change, and
//! [`Analyser::finish`] at the end. [`Session`] wraps the capture
//! pipeline and the analyser for callers that hold frames.
//!
//! No panics on hostile input: outside tests, indexing, slicing, `unwrap`
//! and `expect` are denied here (every read goes through `get`).

#![cfg_attr(
    not(test),
    deny(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used)
)]

pub mod exchange;
pub mod findings;
pub mod flows;
pub mod live;
pub mod message;
pub mod point;
pub mod sa;
mod session;
#[cfg(test)]
pub(crate) mod testing;

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};

/// Capture-side types that analysis facts carry, for readers of the facts
/// (the report) that do not deal with capture files themselves.
pub use crate::capture::defrag::{ByteRange, FragmentOrder, GiveUp};
pub use crate::capture::{LinkType, PacketRef, Timestamp};
pub use message::{ExchangeKey, MessageKey, Transmission};
pub use sa::{IkeSa, LostDatagram, Spi, Support};
pub use session::Session;

use crate::capture::Truncation;
use crate::capture::datagram::{Datagram, EspDatagram, IkeDatagram, Incomplete, TooBig};
use crate::capture::defrag::DefragLimits;
use crate::capture::ip::IkePorts;
use crate::capture::pipeline::CaptureStats;
use crate::finding::Finding;
use crate::wire::be16;
use crate::wire::ike::{self, ExchangeType, Header, IkeVersion, Message, PayloadType};
use flows::{FlowKind, Flows};
use message::Piece;
use sa::LostHeader;

/// ICMP "too big" messages remembered (the rest are counted).
const MAX_TOO_BIG: usize = 64;

/// Counters of IKE-level traffic for the report's `stats`. IKE messages
/// are counted per UDP datagram here, as tshark counts them (each SKF piece
/// is one); the SA tables count per message.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stats {
    /// IKEv2 datagrams (each SKF piece and each reassembled datagram is one).
    pub ike_messages: u64,
    pub ikev1_messages: u64,
    pub esp_packets: u64,
    pub nat_keepalives: u64,
    pub skf_fragments: u64,
    /// IKE datagrams whose header or payloads could not be understood.
    pub malformed: u64,
    /// IKE packets the capture's snap length cut short.
    pub snapped_ike_packets: u64,
    pub icmp_too_big: u64,
}

/// An ICMP "fragmentation needed" / ICMPv6 "packet too big" quoting an IKE
/// datagram.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TooBigFact {
    pub at: PacketRef,
    pub ts: Timestamp,
    /// The router that sent it.
    pub router: IpAddr,
    /// The MTU it advertised, when it gave one.
    pub mtu: Option<u32>,
    pub quoted_src: SocketAddr,
    pub quoted_dst: SocketAddr,
    /// IP length of the quoted datagram (what was too big).
    pub quoted_len: u32,
    /// The quoted IKE header's exchange and message ID, when quoted.
    pub exchange: Option<ExchangeType>,
    pub message_id: Option<u32>,
}

/// A capture file that ended early.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileTruncation {
    pub file: String,
    pub offset: u64,
    pub frames_read: u64,
    pub reason: String,
}

/// When a capture file's first and last frames were captured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileSpan {
    pub first: Timestamp,
    pub last: Timestamp,
}

/// Everything the analysis found.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Analysis {
    pub sas: Vec<IkeSa>,
    pub stats: Stats,
    pub capture: CaptureStats,
    pub too_big: Vec<TooBigFact>,
    pub truncated: Vec<FileTruncation>,
    /// Incomplete datagrams between IKE peers whose first fragment never
    /// arrived and that could not be tied to one SA.
    pub unattributed_lost: Vec<LostDatagram>,
    /// ESP, ESP in UDP and IKEv1 outside the IKEv2 SAs.
    pub flows: Flows,
    /// Per capture file (by index), its first and last frame times.
    pub files: Vec<Option<FileSpan>>,
    pub first_ts: Option<Timestamp>,
    pub findings: Vec<Finding>,
}

impl Analysis {
    /// Seconds since the first frame of the analysis.
    pub fn rel(&self, ts: Timestamp) -> f64 {
        ts.secs_since(self.first_ts.unwrap_or(ts))
    }

    /// When capture file `file` ended (its last frame).
    pub fn end_of(&self, file: u16) -> Option<Timestamp> {
        self.files
            .get(usize::from(file))
            .copied()
            .flatten()
            .map(|s| s.last)
    }
}

/// Options of one analysis.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub ports: IkePorts,
    pub defrag: DefragLimits,
}

/// The streaming analyser.
#[derive(Debug, Clone, Default)]
pub struct Analyser {
    stats: Stats,
    sas: Vec<IkeSa>,
    by_spi: HashMap<Spi, usize>,
    /// Lost datagrams without an IKE header, tied to an SA at the end.
    pending_lost: Vec<LostDatagram>,
    too_big: Vec<TooBigFact>,
    truncated: Vec<FileTruncation>,
    flows: Flows,
    files: Vec<Option<FileSpan>>,
    first_ts: Option<Timestamp>,
}

impl Analyser {
    pub fn new() -> Analyser {
        Analyser::default()
    }

    /// Notes the capture time of a frame of `file` (every frame, IKE or not:
    /// the end of each capture decides what was still in progress).
    pub fn clock(&mut self, file: u16, ts: Timestamp) {
        if self.first_ts.is_none() {
            self.first_ts = Some(ts);
        }
        let i = usize::from(file);
        if self.files.len() <= i {
            self.files.resize(i + 1, None);
        }
        if let Some(slot) = self.files.get_mut(i) {
            *slot = Some(match *slot {
                None => FileSpan {
                    first: ts,
                    last: ts,
                },
                Some(s) => FileSpan {
                    first: s.first.min(ts),
                    last: s.last.max(ts),
                },
            });
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

    /// Takes one typed datagram.
    pub fn push(&mut self, d: &Datagram<'_>) {
        match d {
            Datagram::Ike(i) => self.ike(i),
            Datagram::Esp(e) => self.esp(e),
            Datagram::Keepalive(_) => self.stats.nat_keepalives += 1,
            Datagram::IcmpTooBig(t) => self.too_big(t),
            Datagram::Incomplete(i) => self.incomplete(i),
            Datagram::Other(_) => {}
        }
    }

    fn ike(&mut self, d: &IkeDatagram<'_>) {
        let Ok(header) = Header::parse(d.bytes) else {
            if d.wire.complete {
                self.stats.malformed += 1;
            } else {
                self.stats.snapped_ike_packets += 1;
            }
            return;
        };
        match header.ike_version() {
            IkeVersion::V1 => {
                self.stats.ikev1_messages += 1;
                self.flows.add(
                    FlowKind::Ikev1,
                    d.wire.src,
                    d.wire.dst,
                    Some(d.ports),
                    None,
                    d.wire.at,
                    d.wire.ts,
                );
                return;
            }
            IkeVersion::Other(_) => {
                self.stats.malformed += 1;
                return;
            }
            IkeVersion::V2 => {}
        }
        self.stats.ike_messages += 1;
        let parsed = Message::parse(d.bytes);
        let cut = (d.bytes.len() as u64) < u64::from(header.length) || !d.wire.complete;
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
            .or_else(|| skf_numbers(&header, d.bytes));
        if skf.is_some() {
            self.stats.skf_fragments += 1;
        }
        let key = MessageKey {
            exchange: header.exchange,
            message_id: header.message_id,
            response: header.flags.is_response(),
            from_initiator: header.flags.is_initiator(),
        };
        let piece = Piece {
            key,
            wire: &d.wire,
            src: d.src(),
            dst: d.dst(),
            ike_len: header.length,
            skf,
            notifies: parsed
                .as_ref()
                .map(|m| m.notifies().map(|n| n.kind).collect())
                .unwrap_or_default(),
            digest: message::digest(d.bytes),
            snapped: cut,
        };
        let idx = self.sa_for(header.spi_i, key.from_initiator, piece.src, piece.dst);
        let Some(sa) = self.sas.get_mut(idx) else {
            return;
        };
        sa.note(&key, header.spi_r, piece.src, piece.dst, d.wire.at);
        let before = sa.transmissions.len();
        let t = message::record(&mut sa.transmissions, &piece);
        if t == before
            && let Some(m) = &parsed
        {
            // A new transmission: learn from it unless the same bytes were
            // already read (a retransmission, or the copy seen at another
            // capture point, whose NAT_DETECTION hashes are still checked
            // against the addresses seen there).
            let digest = sa.transmissions.get(t).map(|x| x.digest);
            let (mut seen, mut seen_here) = (false, false);
            for e in sa.transmissions.iter().take(before) {
                if e.key == key && Some(e.digest) == digest {
                    seen = true;
                    seen_here |= e.file == d.wire.at.file;
                }
            }
            if !seen {
                sa.learn(&key, m, piece.src, piece.dst, d.wire.at);
            } else if !seen_here {
                sa.check_nat(&key, m, piece.src, piece.dst, d.wire.at);
            }
        }
    }

    /// The SA of initiator SPI `spi`, made when first seen.
    fn sa_for(
        &mut self,
        spi: Spi,
        from_initiator: bool,
        src: SocketAddr,
        dst: SocketAddr,
    ) -> usize {
        if let Some(&i) = self.by_spi.get(&spi) {
            return i;
        }
        let (initiator, responder) = if from_initiator {
            (src, dst)
        } else {
            (dst, src)
        };
        self.sas.push(IkeSa::new(spi, initiator, responder));
        let i = self.sas.len() - 1;
        self.by_spi.insert(spi, i);
        i
    }

    fn esp(&mut self, e: &EspDatagram) {
        self.stats.esp_packets += 1;
        let (a, b) = (e.wire.src, e.wire.dst);
        for sa in self.sas.iter_mut().rev() {
            let (i, r) = (sa.initiator.ip(), sa.responder.ip());
            if a == i && b == r {
                sa.esp.from_initiator += 1;
                return;
            }
            if a == r && b == i {
                sa.esp.from_responder += 1;
                return;
            }
        }
        let kind = if e.udp.is_some() {
            FlowKind::EspInUdp
        } else {
            FlowKind::Esp
        };
        self.flows
            .add(kind, a, b, e.udp, e.spi, e.wire.at, e.wire.ts);
    }

    fn too_big(&mut self, t: &TooBig<'_>) {
        self.stats.icmp_too_big += 1;
        if self.too_big.len() >= MAX_TOO_BIG {
            return;
        }
        let header = Header::parse(t.quoted_ike).ok();
        self.too_big.push(TooBigFact {
            at: t.wire.at,
            ts: t.wire.ts,
            router: t.wire.src,
            mtu: t.mtu,
            quoted_src: t.quoted_src,
            quoted_dst: t.quoted_dst,
            quoted_len: t.quoted_len,
            exchange: header.map(|h| h.exchange),
            message_id: header.map(|h| h.message_id),
        });
    }

    fn incomplete(&mut self, inc: &Incomplete) {
        let d = &inc.datagram;
        let header = Header::parse(inc.ike_head())
            .ok()
            .filter(|h| h.ike_version() == IkeVersion::V2);
        let lost = LostDatagram {
            file: d.key.file,
            frames: d.frames.clone(),
            first_ts: d.first_ts,
            src: d.key.src,
            dst: d.key.dst,
            ports: inc.ports,
            ip_id: d.key.id,
            arrived: d.arrived.clone(),
            missing: d.missing.clone(),
            total_len: d.total_len,
            header: header.map(|h| LostHeader {
                key: MessageKey {
                    exchange: h.exchange,
                    message_id: h.message_id,
                    response: h.flags.is_response(),
                    from_initiator: h.flags.is_initiator(),
                },
                spi_i: h.spi_i,
                ike_len: h.length,
            }),
            largest_fragment: d.largest_fragment,
            sizes: d.sizes.clone(),
            order: d.order,
            reason: d.reason,
        };
        match (&lost.header, inc.ports) {
            (Some(h), Some(p)) => {
                let src = SocketAddr::new(d.key.src, p.src);
                let dst = SocketAddr::new(d.key.dst, p.dst);
                let idx = self.sa_for(h.spi_i, h.key.from_initiator, src, dst);
                if let Some(sa) = self.sas.get_mut(idx) {
                    sa.lost.push(lost);
                }
            }
            // The first fragment arrived and holds no IKEv2 header (IKEv1,
            // ESP in UDP): nothing to tie it to.
            (None, Some(_)) => {}
            _ => self.pending_lost.push(lost),
        }
    }

    /// The facts so far, with retransmissions and answers linked and the
    /// header-less lost datagrams tied to SAs by address.
    fn facts(&self, capture: CaptureStats) -> Analysis {
        let mut sas = self.sas.clone();
        for sa in &mut sas {
            message::link(&mut sa.transmissions);
        }
        let mut unattributed = Vec::new();
        for d in &self.pending_lost {
            let owner = sas.iter_mut().find(|sa| {
                let (i, r) = (sa.initiator.ip(), sa.responder.ip());
                (d.src == i && d.dst == r) || (d.src == r && d.dst == i)
            });
            match owner {
                Some(sa) => sa.lost.push(d.clone()),
                None => unattributed.push(d.clone()),
            }
        }
        Analysis {
            sas,
            stats: self.stats.clone(),
            capture,
            too_big: self.too_big.clone(),
            truncated: self.truncated.clone(),
            unattributed_lost: unattributed,
            flows: self.flows.clone(),
            files: self.files.clone(),
            first_ts: self.first_ts,
            findings: Vec::new(),
        }
    }

    /// The facts so far as if every capture ended at `now` (later than its
    /// last frame: a live capture's wall clock), without ending the
    /// analysis. `findings` is left empty: [`live::certain`] picks the
    /// settled ones, [`findings::derive`] gives all.
    pub fn snapshot(&self, now: Timestamp) -> Analysis {
        let mut a = self.facts(CaptureStats::default());
        for span in a.files.iter_mut().flatten() {
            span.last = span.last.max(now);
        }
        a
    }

    /// The findings that can no longer change with the clock at `now`:
    /// those of [`live::certain`] (a live capture asks this as packets come in).
    pub fn certain(&self, now: Timestamp) -> Vec<Finding> {
        live::certain(&self.snapshot(now), now)
            .into_iter()
            .map(|(_, f)| f)
            .collect()
    }

    /// Ends the analysis: the facts and their findings.
    pub fn finish(self, capture: CaptureStats) -> Analysis {
        let mut a = self.facts(capture);
        a.findings = findings::derive(&a);
        a
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
mod tests;
