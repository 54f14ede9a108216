//! The streaming analyser: typed datagrams in, facts out. IKE datagrams
//! join the IKE SA of their initiator SPI (made when first seen, within the
//! working set of [`super::retire`]), ESP the latest SA between its
//! addresses, lost datagrams their SA or a flow of their own
//! ([`super::lost`]).

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};

use super::bounds::{MAX_LOST_PER_SA, MAX_NOTIFIES, MAX_TRANSMISSIONS};
use super::findings;
use super::flows::FlowKind;
use super::lost::FirstFragment;
use super::message::{self, MessageKey, Piece};
use super::retire::{Retired, Slot};
use super::sa::{IkeSa, LostDatagram, LostHeader, Spi};
use super::{Analysis, FileSpan, FileTruncation, MAX_TOO_BIG, TooBigFact};
use crate::capture::datagram::{
    Carried, Datagram, EspDatagram, IkeDatagram, Incomplete, Other, TooBig,
};
use crate::capture::defrag::DefragLimits;
use crate::capture::pipeline::CaptureStats;
use crate::capture::{Timestamp, Truncation};
use crate::finding::Finding;
use crate::wire::be16;
use crate::wire::ike::{self, Header, IkeVersion, Message, PayloadType};

/// The streaming analyser.
#[derive(Debug, Clone, Default)]
pub struct Analyser {
    /// The facts so far (no findings yet). Its SAs are the working set, in
    /// no particular order: `slots` (parallel) holds their creation order.
    pub(super) a: Analysis,
    pub(super) by_spi: HashMap<Spi, usize>,
    pub(super) slots: Vec<Slot>,
    pub(super) retired: Retired,
    /// The latest frame time seen.
    pub(super) now: Timestamp,
    /// ESP owners found: address pair -> (SA index, its creation number,
    /// SAs created when it was found). Valid while no SA was created since
    /// and the index still holds that SA.
    esp_owners: HashMap<(IpAddr, IpAddr), (usize, u64, u64)>,
}

/// ESP owners remembered before the cache starts over.
const ESP_OWNERS: usize = 1024;

impl Analyser {
    pub fn new() -> Analyser {
        Analyser::with_frag_timeout(DefragLimits::default().timeout_secs)
    }

    /// An analyser behind a reassembly pool that gives up datagrams after
    /// `secs` of capture time (an SA is summarised as settled only once a
    /// lost datagram of it can no longer turn up).
    pub fn with_frag_timeout(secs: i64) -> Analyser {
        Analyser {
            retired: Retired::new(secs),
            now: Timestamp(i64::MIN),
            ..Analyser::default()
        }
    }

    /// Notes the capture time of a frame of `file` (every frame, IKE or not:
    /// the end of each capture decides what was still in progress).
    pub fn clock(&mut self, file: u16, ts: Timestamp) {
        if self.a.first_ts.is_none() {
            self.a.first_ts = Some(ts);
        }
        self.now = self.now.max(ts);
        let i = usize::from(file);
        if self.a.files.len() <= i {
            self.a.files.resize(i + 1, None);
        }
        if let Some(slot) = self.a.files.get_mut(i) {
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
        self.a.truncated.push(FileTruncation {
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
            Datagram::Keepalive(_) => self.a.stats.nat_keepalives += 1,
            Datagram::IcmpTooBig(t) => self.too_big(t),
            Datagram::Incomplete(i) => self.incomplete(i),
            Datagram::Other(Other::FragmentHeld { src, dst }) => self.held(*src, *dst),
            Datagram::Other(_) => {}
        }
    }

    /// An IP fragment between `src` and `dst` is being held for
    /// reassembly: an SA between them is not settled yet.
    fn held(&mut self, src: IpAddr, dst: IpAddr) {
        let now = self.now;
        for (sa, slot) in self.a.sas.iter().zip(self.slots.iter_mut()) {
            if between(sa, src, dst) {
                slot.held(now);
            }
        }
    }

    fn ike(&mut self, d: &IkeDatagram<'_>) {
        let Ok(header) = Header::parse(d.bytes) else {
            if d.wire.complete {
                self.a.stats.malformed += 1;
            } else {
                self.a.stats.snapped_ike_packets += 1;
            }
            return;
        };
        match header.ike_version() {
            IkeVersion::V1 => {
                self.a.stats.ikev1_messages += 1;
                self.a.flows.add(
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
                self.a.stats.malformed += 1;
                return;
            }
            IkeVersion::V2 => {}
        }
        self.a.stats.ike_messages += 1;
        let parsed = Message::parse(d.bytes);
        let cut = (d.bytes.len() as u64) < u64::from(header.length) || !d.wire.complete;
        if cut {
            self.a.stats.snapped_ike_packets += 1;
        } else if parsed.is_err() {
            self.a.stats.malformed += 1;
        }
        let parsed = parsed.ok();
        let skf = parsed
            .as_ref()
            .and_then(|m| m.fragment())
            .map(|f| (f.number, f.total))
            .or_else(|| skf_numbers(&header, d.bytes));
        if skf.is_some() {
            self.a.stats.skf_fragments += 1;
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
                .map(|m| m.notifies().take(MAX_NOTIFIES).map(|n| n.kind).collect())
                .unwrap_or_default(),
            digest: message::digest(d.bytes),
            snapped: cut,
        };
        let Some(idx) = self.sa_for(header.spi_i, key.from_initiator, piece.src, piece.dst) else {
            self.a.summarised.later_messages += 1;
            return;
        };
        let idx = self.room_for_transmission(idx);
        if let Some(slot) = self.slots.get_mut(idx) {
            slot.touch(d.wire.at.file, d.wire.ts);
        }
        let Some(sa) = self.a.sas.get_mut(idx) else {
            return;
        };
        sa.note(&key, header.spi_r, piece.src, piece.dst, d.wire.at);
        let before = sa.transmissions.len();
        let Some(t) = message::record(&mut sa.transmissions, &piece, MAX_TRANSMISSIONS) else {
            sa.not_kept.transmission(key, d.wire.ts);
            return;
        };
        if t == before {
            self.retired.kept_transmissions += 1;
        }
        let Some(sa) = self.a.sas.get_mut(idx) else {
            return;
        };
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

    /// The SA of initiator SPI `spi`, made when first seen (after making
    /// room in the working set); `None` for an SA already summarised.
    fn sa_for(
        &mut self,
        spi: Spi,
        from_initiator: bool,
        src: SocketAddr,
        dst: SocketAddr,
    ) -> Option<usize> {
        if let Some(&i) = self.by_spi.get(&spi) {
            return Some(i);
        }
        if self.retired.remembers(&spi) {
            return None;
        }
        let seq = self.admit();
        let (initiator, responder) = if from_initiator {
            (src, dst)
        } else {
            (dst, src)
        };
        self.a.sas.push(IkeSa::new(spi, initiator, responder));
        self.slots.push(Slot::new(seq));
        let i = self.a.sas.len() - 1;
        self.by_spi.insert(spi, i);
        Some(i)
    }

    /// The latest SA between `a` and `b` (either way), and whether `a` is
    /// its initiator.
    fn latest_between(&self, a: IpAddr, b: IpAddr) -> Option<(usize, bool)> {
        self.a
            .sas
            .iter()
            .zip(&self.slots)
            .enumerate()
            .filter(|(_, (sa, _))| between(sa, a, b))
            .max_by_key(|(_, (_, slot))| slot.seq)
            .map(|(i, (sa, _))| (i, sa.initiator.ip() == a))
    }

    /// The first SA between `a` and `b` (either way).
    fn first_between(&self, a: IpAddr, b: IpAddr) -> Option<usize> {
        self.a
            .sas
            .iter()
            .zip(&self.slots)
            .enumerate()
            .filter(|(_, (sa, _))| between(sa, a, b))
            .min_by_key(|(_, (_, slot))| slot.seq)
            .map(|(i, _)| i)
    }

    /// [`Self::latest_between`] through a cache (a busy server's capture
    /// is mostly ESP between the same pairs).
    fn esp_owner(&mut self, a: IpAddr, b: IpAddr) -> Option<(usize, bool)> {
        let created = self.retired.created;
        if let Some(&(i, seq, at)) = self.esp_owners.get(&(a, b))
            && at == created
            && self.slots.get(i).is_some_and(|s| s.seq == seq)
        {
            return self.a.sas.get(i).map(|sa| (i, sa.initiator.ip() == a));
        }
        let found = self.latest_between(a, b);
        if let Some((i, _)) = found
            && let Some(slot) = self.slots.get(i)
        {
            if self.esp_owners.len() >= ESP_OWNERS {
                self.esp_owners.clear();
            }
            self.esp_owners.insert((a, b), (i, slot.seq, created));
        }
        found
    }

    fn esp(&mut self, e: &EspDatagram) {
        self.a.stats.esp_packets += 1;
        let (a, b) = (e.wire.src, e.wire.dst);
        if let Some((i, from_initiator)) = self.esp_owner(a, b)
            && let Some(sa) = self.a.sas.get_mut(i)
        {
            if sa.esp.total() == 0
                && let Some(slot) = self.slots.get_mut(i)
            {
                slot.changed();
            }
            if from_initiator {
                sa.esp.from_initiator += 1;
            } else {
                sa.esp.from_responder += 1;
            }
            return;
        }
        let kind = if e.udp.is_some() {
            FlowKind::EspInUdp
        } else {
            FlowKind::Esp
        };
        self.a
            .flows
            .add(kind, a, b, e.udp, e.spi, e.wire.at, e.wire.ts);
    }

    fn too_big(&mut self, t: &TooBig<'_>) {
        self.a.stats.icmp_too_big += 1;
        if self.a.too_big.len() >= MAX_TOO_BIG {
            return;
        }
        let header = Header::parse(t.quoted_ike).ok();
        self.a.too_big.push(TooBigFact {
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
        match (lost.header, inc.ports) {
            (Some(h), Some(p)) => {
                let src = SocketAddr::new(d.key.src, p.src);
                let dst = SocketAddr::new(d.key.dst, p.dst);
                match self.sa_for(h.spi_i, h.key.from_initiator, src, dst) {
                    Some(idx) => self.lost_of(idx, lost),
                    None => self.a.summarised.later_messages += 1,
                }
            }
            // The first fragment arrived and holds no IKEv2 header: not an
            // IKE message, counted per flow with what it held.
            (None, Some(_)) => {
                let first = match inc.carried {
                    Carried::Esp => FirstFragment::EspInUdp,
                    Carried::Ike(_)
                        if Header::parse(inc.ike_head())
                            .is_ok_and(|h| h.ike_version() == IkeVersion::V1) =>
                    {
                        FirstFragment::Ikev1
                    }
                    _ => FirstFragment::NotIke,
                };
                self.a.lost_flows.add(lost, first);
            }
            // The first fragment is missing: the SA between these peers
            // (the first one, as at the end), or a flow of its own until an
            // SA between them turns up.
            _ => match self.first_between(d.key.src, d.key.dst) {
                Some(idx) => self.lost_of(idx, lost),
                None => self.a.lost_flows.add(lost, FirstFragment::Missing),
            },
        }
    }

    /// Ties a lost datagram to SA `idx`, within its bound.
    fn lost_of(&mut self, idx: usize, lost: LostDatagram) {
        let idx = self.room_for_lost(idx);
        if let Some(slot) = self.slots.get_mut(idx) {
            slot.touch(lost.file, lost.first_ts);
        }
        if let Some(sa) = self.a.sas.get_mut(idx) {
            if sa.lost.len() < MAX_LOST_PER_SA {
                sa.lost.push(lost);
                self.retired.kept_lost += 1;
            } else {
                sa.not_kept.lost += 1;
            }
        }
    }

    /// The facts so far: SAs in the order they were first seen, with
    /// retransmissions and answers linked, and the lost datagrams whose
    /// first fragment is missing tied to an SA between their addresses.
    fn facts(&self, capture: CaptureStats) -> Analysis {
        let mut a = self.a.clone();
        let mut order: Vec<(u64, IkeSa)> = self
            .slots
            .iter()
            .map(|s| s.seq)
            .zip(std::mem::take(&mut a.sas))
            .collect();
        order.sort_by_key(|(seq, _)| *seq);
        a.sas = order.into_iter().map(|(_, sa)| sa).collect();
        for sa in &mut a.sas {
            message::link(&mut sa.transmissions);
        }
        for sa in &mut a.sas {
            let (i, r) = (sa.initiator.ip(), sa.responder.ip());
            for flow in a.lost_flows.take_missing_between(i, r) {
                let kept = flow.examples.len() as u64;
                for d in flow.examples {
                    if sa.lost.len() < MAX_LOST_PER_SA {
                        sa.lost.push(d);
                    } else {
                        sa.not_kept.lost += 1;
                    }
                }
                sa.not_kept.lost += flow.datagrams.saturating_sub(kept);
            }
        }
        a.capture = capture;
        a
    }

    /// The facts so far as if every capture ended at `now` (later than its
    /// last frame: a live capture's wall clock), without ending the
    /// analysis: the SAs in full, and the findings of summarised SAs that
    /// are settled by then. `findings` is left empty: [`super::live::certain`]
    /// picks the settled ones, [`findings::derive`] gives all. Costs a copy
    /// of the working set (bounded, see [`super::bounds`]).
    pub fn snapshot(&self, now: Timestamp) -> Analysis {
        let mut a = self.facts(CaptureStats::default());
        for span in a.files.iter_mut().flatten() {
            span.last = span.last.max(now);
        }
        self.retired
            .settled_by(&a.files, &mut a.summarised_findings);
        a
    }

    /// The findings that can no longer change with the clock at `now`:
    /// those of [`super::live::certain`] (a live capture asks this as
    /// packets come in).
    pub fn certain(&self, now: Timestamp) -> Vec<Finding> {
        super::live::certain(&self.snapshot(now), now)
            .into_iter()
            .map(|(_, f)| f)
            .collect()
    }

    /// Ends the analysis: the facts and their findings.
    pub fn finish(mut self, capture: CaptureStats) -> Analysis {
        let mut settled = std::mem::take(&mut self.a.summarised_findings);
        self.retired.finish(&self.a.files, &mut settled);
        self.a.summarised_findings = settled;
        let mut a = self.facts(capture);
        a.findings = findings::derive(&a);
        a
    }
}

/// Whether an SA is between `a` and `b` (either way).
fn between(sa: &IkeSa, a: IpAddr, b: IpAddr) -> bool {
    let (i, r) = (sa.initiator.ip(), sa.responder.ip());
    (a == i && b == r) || (a == r && b == i)
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
