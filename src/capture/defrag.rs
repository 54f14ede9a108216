//! IPv4 and IPv6 reassembly with bounded memory that, unlike a host's
//! reassembler, remembers what never completed.
//!
//! Fragments are keyed like RFC 791 §3.2 (source, destination, protocol,
//! identification) and RFC 8200 §4.5 (source, destination, identification),
//! plus the capture file they were read from: a client-side and a
//! server-side trace of one attempt hold copies of the same fragments, and a
//! fragment seen at one capture point never completes a datagram seen at
//! another.
//! Limits: datagrams in flight ([`DefragLimits::max_in_flight`], the oldest is
//! evicted first), bytes per datagram ([`DefragLimits::max_datagram`]), and a
//! timeout in capture time supplied by the caller (Linux's `ipfrag_time`
//! default is 30 s). Every datagram that leaves the pool without completing
//! comes back as an [`IncompleteDatagram`]: which byte ranges arrived, which
//! are missing, the frames that carried them, and — when the first fragment
//! arrived — the head of the payload, so the caller can decode UDP ports and
//! the IKE header it carried.
//!
//! Learned from etherparse's `IpDefragPool` (caller-supplied timestamps,
//! recycled buffers), extended with the bookkeeping a diagnosis needs.

#![forbid(unsafe_code)]

use std::collections::HashMap;
use std::net::IpAddr;

use super::ip::FragInfo;
use super::{PacketRef, Timestamp};

/// Bytes of payload head kept for incomplete datagrams: UDP header (8) +
/// non-ESP marker (4) + IKE header (28), with room to spare.
pub const HEAD_BYTES: usize = 64;
/// Frames remembered per datagram (evidence only; counting continues).
const MAX_FRAMES_KEPT: usize = 64;
/// Ranges remembered per datagram; more means an attack or a broken stack.
const MAX_RANGES: usize = 256;

#[derive(Debug, Clone, Copy)]
pub struct DefragLimits {
    pub max_in_flight: usize,
    /// Largest reassembled payload accepted (an IP payload is at most 65,535
    /// bytes; IPv6 jumbograms are not fragmented).
    pub max_datagram: u32,
    /// Seconds of capture time after the last fragment before giving up.
    pub timeout_secs: i64,
}

impl Default for DefragLimits {
    fn default() -> Self {
        DefragLimits {
            max_in_flight: 256,
            max_datagram: 65_535,
            timeout_secs: 30,
        }
    }
}

/// Identifies one original datagram as seen at one capture point.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FragKey {
    /// The capture file (index into the command's file list).
    pub file: u16,
    pub src: IpAddr,
    pub dst: IpAddr,
    pub proto: u8,
    pub id: u32,
}

/// One fragment as seen on the wire.
#[derive(Debug, Clone, Copy)]
pub struct Fragment<'a> {
    pub key: FragKey,
    pub info: FragInfo,
    /// The fragment's payload as captured.
    pub payload: &'a [u8],
    /// Payload length the IP header declares (differs from `payload.len()`
    /// when the capture cut the packet).
    pub declared_len: u32,
    /// IP header length of this fragment (to compute datagram sizes).
    pub header_len: u32,
    /// TTL / hop limit of this fragment.
    pub ttl: u8,
    /// Length of the frame that carried it on the wire (link header included).
    pub frame_len: u32,
    pub at: PacketRef,
    pub ts: Timestamp,
}

/// The order in which the fragments of a datagram were captured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FragmentOrder {
    /// Offsets rising: the order senders normally use.
    #[default]
    InOrder,
    /// The last fragment (MF clear) first, offsets falling: some gateways
    /// drop datagrams that arrive this way.
    LastFirst,
    /// Neither (reordered on the way, or duplicates).
    Mixed,
}

/// One fragment's place and size, for evidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FragmentSize {
    /// Offset of its data in the original payload, in bytes.
    pub offset: u32,
    /// Its IP packet length (header + fragment data).
    pub ip_len: u32,
}

/// A half-open byte range `[start, end)` of the original payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct ByteRange {
    pub start: u32,
    pub end: u32,
}

impl ByteRange {
    /// `0-1480, 2960-end` (end exclusive; `u32::MAX` is an unknown end).
    pub fn list(ranges: &[ByteRange]) -> String {
        ranges
            .iter()
            .map(ByteRange::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// `start-end`, or `start-end` with the word `end` when the end is unknown.
impl std::fmt::Display for ByteRange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.end == u32::MAX {
            write!(f, "{}-end", self.start)
        } else {
            write!(f, "{}-{}", self.start, self.end)
        }
    }
}

/// Why a datagram left the pool incomplete.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GiveUp {
    /// No fragment for `timeout_secs` of capture time.
    Timeout,
    /// Evicted to stay within `max_in_flight`.
    Evicted,
    /// Would exceed `max_datagram`, or fragments contradict each other.
    Invalid,
    /// The capture ended.
    EndOfCapture,
    /// The capture cut a fragment short (snap length), so the bytes are
    /// not all there even if every fragment was seen.
    Snapped,
}

impl GiveUp {
    pub fn as_str(self) -> &'static str {
        match self {
            GiveUp::Timeout => "timeout",
            GiveUp::Evicted => "evicted",
            GiveUp::Invalid => "invalid",
            GiveUp::EndOfCapture => "end-of-capture",
            GiveUp::Snapped => "snapped",
        }
    }
}

/// A datagram whose fragments never all arrived.
#[derive(Debug, Clone, PartialEq)]
pub struct IncompleteDatagram {
    pub key: FragKey,
    pub first_ts: Timestamp,
    pub last_ts: Timestamp,
    pub frames: Vec<PacketRef>,
    pub fragments_seen: u32,
    pub arrived: Vec<ByteRange>,
    pub missing: Vec<ByteRange>,
    /// Payload length, known once the last fragment (MF clear) arrived.
    pub total_len: Option<u32>,
    /// Start of the payload (up to [`HEAD_BYTES`]) when the first fragment arrived.
    pub head: Option<Vec<u8>>,
    pub reason: GiveUp,
    /// Largest fragment (IP header + payload) seen: hints at the link MTU.
    pub largest_fragment: u32,
    /// The fragments that arrived, by offset (at most 64 kept).
    pub sizes: Vec<FragmentSize>,
    pub order: FragmentOrder,
    /// TTL / hop limit of the first fragment that arrived.
    pub ttl: u8,
}

/// A datagram put back together.
#[derive(Debug, Clone, PartialEq)]
pub struct Reassembled {
    pub key: FragKey,
    pub payload: Vec<u8>,
    pub frames: Vec<PacketRef>,
    pub fragments: u32,
    pub first_ts: Timestamp,
    pub last_ts: Timestamp,
    /// IP header length of the first fragment + payload length: the datagram
    /// size the sender tried to send.
    pub datagram_len: u32,
    pub largest_fragment: u32,
    /// Longest frame (link header included) that carried a fragment.
    pub largest_frame: u32,
    /// The fragments, by offset (at most 64 kept).
    pub sizes: Vec<FragmentSize>,
    pub order: FragmentOrder,
    /// TTL / hop limit of the fragment at offset 0.
    pub ttl: u8,
}

/// Follows the capture order of a datagram's fragments.
#[derive(Debug, Clone, Copy)]
struct OrderTrack {
    prev: u32,
    rising: bool,
    falling: bool,
    last_came_first: bool,
}

impl OrderTrack {
    fn new(offset: u32, more: bool) -> OrderTrack {
        OrderTrack {
            prev: offset,
            rising: true,
            falling: true,
            last_came_first: !more,
        }
    }

    fn next(&mut self, offset: u32) {
        self.rising &= offset > self.prev;
        self.falling &= offset < self.prev;
        self.prev = offset;
    }

    fn order(self, fragments: u32) -> FragmentOrder {
        if fragments < 2 || self.rising {
            FragmentOrder::InOrder
        } else if self.falling && self.last_came_first {
            FragmentOrder::LastFirst
        } else {
            FragmentOrder::Mixed
        }
    }
}

#[derive(Debug)]
struct Partial {
    buf: Vec<u8>,
    ranges: Vec<ByteRange>,
    total: Option<u32>,
    first_ts: Timestamp,
    last_ts: Timestamp,
    frames: Vec<PacketRef>,
    fragments: u32,
    first_header_len: Option<u32>,
    snapped: bool,
    largest_fragment: u32,
    largest_frame: u32,
    sizes: Vec<FragmentSize>,
    order: OrderTrack,
    /// TTL of the fragment at offset 0, else of the first to arrive.
    ttl: u8,
}

/// Counters for the report.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DefragStats {
    pub fragments: u64,
    pub reassembled: u64,
    pub incomplete: u64,
}

/// The reassembly pool.
#[derive(Debug)]
pub struct Defragmenter {
    limits: DefragLimits,
    active: HashMap<FragKey, Partial>,
    spare: Vec<Vec<u8>>,
    next_sweep: Timestamp,
    stats: DefragStats,
}

impl Defragmenter {
    pub fn new(limits: DefragLimits) -> Defragmenter {
        Defragmenter {
            limits,
            active: HashMap::new(),
            spare: Vec::new(),
            next_sweep: Timestamp(i64::MIN),
            stats: DefragStats::default(),
        }
    }

    pub fn stats(&self) -> DefragStats {
        self.stats
    }

    pub fn in_flight(&self) -> usize {
        self.active.len()
    }

    /// Adds a fragment. Returns the datagram when this fragment completed it.
    /// Datagrams given up on (timeout, eviction, invalid) go to `gave_up`.
    pub fn push(
        &mut self,
        frag: Fragment<'_>,
        gave_up: &mut dyn FnMut(IncompleteDatagram),
    ) -> Option<Reassembled> {
        self.stats.fragments += 1;
        self.expire(frag.ts, gave_up);
        if !self.active.contains_key(&frag.key) && self.active.len() >= self.limits.max_in_flight {
            self.evict_oldest(gave_up);
        }
        let limits = self.limits;
        let spare = &mut self.spare;
        let entry = self.active.entry(frag.key).or_insert_with(|| Partial {
            buf: spare.pop().unwrap_or_default(),
            ranges: Vec::new(),
            total: None,
            first_ts: frag.ts,
            last_ts: frag.ts,
            frames: Vec::new(),
            fragments: 0,
            first_header_len: None,
            snapped: false,
            largest_fragment: 0,
            largest_frame: 0,
            sizes: Vec::new(),
            order: OrderTrack::new(frag.info.offset, frag.info.more),
            ttl: frag.ttl,
        });
        entry.last_ts = frag.ts;
        if entry.fragments > 0 {
            entry.order.next(frag.info.offset);
        }
        entry.fragments += 1;
        entry.largest_frame = entry.largest_frame.max(frag.frame_len);
        if entry.sizes.len() < MAX_FRAMES_KEPT {
            entry.sizes.push(FragmentSize {
                offset: frag.info.offset,
                ip_len: frag.header_len + frag.declared_len,
            });
        }
        entry.largest_fragment = entry
            .largest_fragment
            .max(frag.header_len + frag.declared_len);
        if entry.frames.len() < MAX_FRAMES_KEPT {
            entry.frames.push(frag.at);
        }
        let start = frag.info.offset;
        let end = start.saturating_add(frag.declared_len);
        let mut invalid = end > limits.max_datagram
            || (frag.info.more && !frag.declared_len.is_multiple_of(8))
            || entry.ranges.len() >= MAX_RANGES;
        if !frag.info.more {
            match entry.total {
                Some(t) if t != end => invalid = true,
                _ => entry.total = Some(end),
            }
        }
        if let Some(t) = entry.total
            && (end > t || entry.ranges.last().is_some_and(|r| r.end > t))
        {
            invalid = true;
        }
        if invalid {
            let p = self.active.remove(&frag.key);
            if let Some(p) = p {
                gave_up(self.finish(frag.key, p, GiveUp::Invalid));
            }
            return None;
        }
        if start == 0 {
            entry.first_header_len = Some(frag.header_len);
            entry.ttl = frag.ttl;
        }
        if (frag.payload.len() as u32) < frag.declared_len {
            entry.snapped = true;
        }
        // Copy what was captured; a snapped fragment still counts as arrived
        // for range bookkeeping (it did arrive; the capture cut it).
        let copy_end = start as usize + frag.payload.len().min(frag.declared_len as usize);
        if entry.buf.len() < copy_end {
            entry.buf.resize(copy_end, 0);
        }
        if let (Some(dst), Some(src)) = (
            entry.buf.get_mut(start as usize..copy_end),
            frag.payload.get(..copy_end - start as usize),
        ) {
            dst.copy_from_slice(src);
        }
        insert_range(&mut entry.ranges, ByteRange { start, end });
        let complete = entry.total.is_some_and(|t| {
            entry.ranges.len() == 1 && entry.ranges.first() == Some(&ByteRange { start: 0, end: t })
        });
        if !complete {
            return None;
        }
        let p = self.active.remove(&frag.key)?;
        if p.snapped {
            gave_up(self.finish(frag.key, p, GiveUp::Snapped));
            return None;
        }
        self.stats.reassembled += 1;
        let total = p.total.unwrap_or(0);
        let mut payload = p.buf;
        payload.truncate(total as usize);
        let order = p.order.order(p.fragments);
        let mut sizes = p.sizes;
        sizes.sort_by_key(|s| s.offset);
        Some(Reassembled {
            key: frag.key,
            datagram_len: p.first_header_len.unwrap_or(0) + total,
            payload,
            frames: p.frames,
            fragments: p.fragments,
            first_ts: p.first_ts,
            last_ts: p.last_ts,
            largest_fragment: p.largest_fragment,
            largest_frame: p.largest_frame,
            sizes,
            order,
            ttl: p.ttl,
        })
    }

    /// Gives a reassembled payload buffer back for reuse (keeps the
    /// allocation count flat on long captures).
    pub fn recycle(&mut self, mut buf: Vec<u8>) {
        if self.spare.len() < 16 {
            buf.clear();
            self.spare.push(buf);
        }
    }

    /// Gives up on datagrams idle for longer than the timeout at `now`.
    /// Sweeps at most once per second of capture time.
    pub fn expire(&mut self, now: Timestamp, gave_up: &mut dyn FnMut(IncompleteDatagram)) {
        if now < self.next_sweep || self.active.is_empty() {
            return;
        }
        self.next_sweep = now.plus_secs(1);
        let deadline = now.plus_secs(-self.limits.timeout_secs);
        let mut stale: Vec<FragKey> = self
            .active
            .iter()
            .filter(|(_, p)| p.last_ts < deadline)
            .map(|(k, _)| *k)
            .collect();
        stale.sort_by_key(|k| self.active.get(k).map(|p| p.first_ts));
        for k in stale {
            if let Some(p) = self.active.remove(&k) {
                gave_up(self.finish(k, p, GiveUp::Timeout));
            }
        }
    }

    /// The capture ended: everything still in flight is incomplete, oldest first.
    pub fn finish_all(&mut self) -> Vec<IncompleteDatagram> {
        let mut rest: Vec<(FragKey, Partial)> = self.active.drain().collect();
        rest.sort_by_key(|(_, p)| (p.first_ts, p.frames.first().copied()));
        rest.into_iter()
            .map(|(k, p)| self.finish(k, p, GiveUp::EndOfCapture))
            .collect()
    }

    fn evict_oldest(&mut self, gave_up: &mut dyn FnMut(IncompleteDatagram)) {
        let oldest = self
            .active
            .iter()
            .min_by_key(|(_, p)| p.last_ts)
            .map(|(k, _)| *k);
        if let Some(k) = oldest
            && let Some(p) = self.active.remove(&k)
        {
            gave_up(self.finish(k, p, GiveUp::Evicted));
        }
    }

    fn finish(&mut self, key: FragKey, p: Partial, reason: GiveUp) -> IncompleteDatagram {
        self.stats.incomplete += 1;
        let missing = missing_ranges(&p.ranges, p.total);
        let head = p.ranges.first().filter(|r| r.start == 0).map(|_| {
            p.buf
                .get(..HEAD_BYTES.min(p.buf.len()))
                .unwrap_or_default()
                .to_vec()
        });
        let order = p.order.order(p.fragments);
        let mut sizes = p.sizes;
        sizes.sort_by_key(|s| s.offset);
        let mut buf = p.buf;
        buf.clear();
        if self.spare.len() < 16 {
            self.spare.push(buf);
        }
        IncompleteDatagram {
            key,
            first_ts: p.first_ts,
            last_ts: p.last_ts,
            frames: p.frames,
            fragments_seen: p.fragments,
            arrived: p.ranges,
            missing,
            total_len: p.total,
            head,
            reason,
            largest_fragment: p.largest_fragment,
            sizes,
            order,
            ttl: p.ttl,
        }
    }
}

/// Inserts and merges (adjacent or overlapping ranges join), keeping order.
fn insert_range(ranges: &mut Vec<ByteRange>, new: ByteRange) {
    if new.start >= new.end {
        return;
    }
    let pos = ranges.partition_point(|r| r.start < new.start);
    ranges.insert(pos, new);
    let mut merged: Vec<ByteRange> = Vec::with_capacity(ranges.len());
    for r in ranges.drain(..) {
        match merged.last_mut() {
            Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
            _ => merged.push(r),
        }
    }
    *ranges = merged;
}

/// The complement of `arrived` within `[0, total)`; with an unknown total
/// the tail is reported open-ended as `[last_end, u32::MAX)`.
fn missing_ranges(arrived: &[ByteRange], total: Option<u32>) -> Vec<ByteRange> {
    let mut missing = Vec::new();
    let mut cursor = 0u32;
    for r in arrived {
        if r.start > cursor {
            missing.push(ByteRange {
                start: cursor,
                end: r.start,
            });
        }
        cursor = cursor.max(r.end);
    }
    match total {
        Some(t) if t > cursor => missing.push(ByteRange {
            start: cursor,
            end: t,
        }),
        Some(_) => {}
        None => missing.push(ByteRange {
            start: cursor,
            end: u32::MAX,
        }),
    }
    missing
}

#[cfg(test)]
mod tests;
