//! IKE messages counted as messages, not packets: the typed key of a
//! message, and one [`Transmission`] per sending of it. An IKE message sent
//! as RFC 7383 fragments (SKF pieces with the same message ID, sent
//! together) is one transmission; so is a message that travelled as IP
//! fragments. Retransmissions, answers and copies seen at another capture
//! point are links between transmissions ([`link`]).

use std::net::SocketAddr;

use super::bounds::MAX_NOTIFIES;
use crate::capture::datagram::Wire;
use crate::capture::defrag::FragmentOrder;
use crate::capture::{PacketRef, Timestamp};
use crate::wire::ike::{ExchangeType, NotifyType};

/// SKF pieces of one transmission leave their sender back to back (Windows
/// sends 17 pieces within 10 ms); pieces further apart than this from the
/// first piece belong to another transmission.
pub const TRANSMISSION_SPREAD_NANOS: i64 = 500_000_000;

/// Frames remembered per transmission (evidence only; counting continues).
const MAX_FRAMES: usize = 64;
/// SKF fragment numbers remembered per transmission (RFC 7383 allows up to
/// 65,535; real senders use fewer than 40).
const MAX_PIECES: usize = 256;
/// Transmissions searched for an open one when a piece arrives.
const OPEN_WINDOW: usize = 32;

/// Which IKE message: exchange, message ID, request or response, and who
/// sent it (the header's I flag, RFC 7296 §3.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MessageKey {
    pub exchange: ExchangeType,
    pub message_id: u32,
    pub response: bool,
    /// Sent by the original initiator of the IKE SA.
    pub from_initiator: bool,
}

impl MessageKey {
    /// The exchange this message belongs to.
    pub fn exchange_key(&self) -> ExchangeKey {
        ExchangeKey {
            exchange: self.exchange,
            message_id: self.message_id,
            by_initiator: self.from_initiator != self.response,
        }
    }
}

/// One request/response exchange of an IKE SA. Message IDs count
/// separately for each side's requests (RFC 7296 §2.2), so the key says
/// whose request it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ExchangeKey {
    pub message_id: u32,
    pub by_initiator: bool,
    pub exchange: ExchangeType,
}

/// One IKE datagram of an SA, as the analysis records it.
#[derive(Debug, Clone)]
pub struct Piece<'a> {
    pub key: MessageKey,
    pub wire: &'a Wire,
    pub src: SocketAddr,
    pub dst: SocketAddr,
    /// IKE message length from its header.
    pub ike_len: u32,
    /// RFC 7383 fragment number and total, for an SKF piece.
    pub skf: Option<(u16, u16)>,
    pub notifies: Vec<NotifyType>,
    /// Digest of the piece's bytes.
    pub digest: u64,
    /// The capture cut the piece short.
    pub snapped: bool,
}

/// One sending of an IKE message as seen at one capture point.
#[derive(Debug, Clone, PartialEq)]
pub struct Transmission {
    pub key: MessageKey,
    /// The capture file it was seen in.
    pub file: u16,
    pub src: SocketAddr,
    pub dst: SocketAddr,
    /// The frame of its first piece (the one that completed it, for an
    /// IP-fragmented datagram).
    pub first: PacketRef,
    /// Every frame that carried part of it (at most 64 kept).
    pub frames: Vec<PacketRef>,
    pub first_ts: Timestamp,
    pub last_ts: Timestamp,
    /// RFC 7383 total of fragments, when it was sent as SKF pieces.
    pub skf_total: Option<u16>,
    /// The SKF fragment numbers that arrived, ascending.
    pub skf_numbers: Vec<u16>,
    /// IKE datagrams that carried it (SKF pieces, duplicates included).
    pub datagrams: u32,
    /// Sum of the pieces' IKE message lengths.
    pub ike_len: u32,
    /// IP length of its largest datagram.
    pub ip_len: u32,
    /// IP bytes of all its datagrams.
    pub ip_bytes: u64,
    /// Longest frame on the wire, link header included.
    pub frame_len: u32,
    /// IP packets it travelled as (more than `datagrams` when IP-fragmented).
    pub ip_packets: u32,
    /// Largest IP packet that carried part of it.
    pub largest_ip_packet: u32,
    /// IP lengths of its datagrams (SKF pieces) in the order they came
    /// (at most 64).
    pub datagram_sizes: Vec<u32>,
    /// IP lengths of the fragments of its largest IP-fragmented datagram.
    pub fragment_sizes: Vec<u32>,
    /// The least orderly capture order among its IP-fragmented datagrams.
    pub fragment_order: FragmentOrder,
    /// TTL / hop limit of its first datagram.
    pub ttl: u8,
    /// Notify types in its cleartext payloads, in order.
    pub notifies: Vec<NotifyType>,
    /// The snap length cut a piece.
    pub snapped: bool,
    /// Digest of the pieces' bytes (order-independent).
    pub digest: u64,
    /// Index of the first transmission of the same message from the same
    /// capture file this one repeats.
    pub retransmission_of: Option<usize>,
    /// For a response: index of the request transmission it answers.
    pub answers: Option<usize>,
    /// Index of the same transmission recorded from another capture file.
    pub same_as: Option<usize>,
}

impl Transmission {
    fn new(p: &Piece<'_>) -> Transmission {
        let mut t = Transmission {
            key: p.key,
            file: p.wire.at.file,
            src: p.src,
            dst: p.dst,
            first: p.wire.at,
            frames: Vec::new(),
            first_ts: p.wire.first_ts(),
            last_ts: p.wire.ts,
            skf_total: p.skf.map(|(_, total)| total),
            skf_numbers: Vec::new(),
            datagrams: 0,
            ike_len: 0,
            ip_len: 0,
            ip_bytes: 0,
            frame_len: 0,
            ip_packets: 0,
            largest_ip_packet: 0,
            datagram_sizes: Vec::new(),
            fragment_sizes: Vec::new(),
            fragment_order: FragmentOrder::InOrder,
            ttl: p.wire.ttl,
            notifies: Vec::new(),
            snapped: false,
            digest: 0,
            retransmission_of: None,
            answers: None,
            same_as: None,
        };
        t.add(p);
        t
    }

    fn add(&mut self, p: &Piece<'_>) {
        let w = p.wire;
        for f in w.frames() {
            if self.frames.len() < MAX_FRAMES {
                self.frames.push(f);
            }
        }
        self.first_ts = self.first_ts.min(w.first_ts());
        self.last_ts = self.last_ts.max(w.ts);
        if let Some((n, _)) = p.skf
            && self.skf_numbers.len() < MAX_PIECES
            && let Err(at) = self.skf_numbers.binary_search(&n)
        {
            self.skf_numbers.insert(at, n);
        }
        self.datagrams += 1;
        if self.datagram_sizes.len() < MAX_FRAMES {
            self.datagram_sizes.push(w.ip_len);
        }
        self.ike_len = self.ike_len.saturating_add(p.ike_len);
        self.ip_len = self.ip_len.max(w.ip_len);
        self.ip_bytes += u64::from(w.ip_len);
        self.frame_len = self.frame_len.max(w.frame_len);
        self.ip_packets += w.ip_packets();
        self.largest_ip_packet = self.largest_ip_packet.max(w.largest_packet());
        if let Some(f) = &w.fragments {
            if self.fragment_sizes.is_empty() || w.ip_len >= self.ip_len {
                self.fragment_sizes = f.sizes.iter().map(|s| s.ip_len).collect();
            }
            self.fragment_order = worse(self.fragment_order, f.order);
        }
        let room = MAX_NOTIFIES.saturating_sub(self.notifies.len());
        self.notifies.extend(p.notifies.iter().take(room).copied());
        self.snapped |= p.snapped || !w.complete;
        // Order-independent: the same pieces in any order give the same digest.
        let n = p.skf.map_or(0, |(n, _)| u64::from(n));
        self.digest = self
            .digest
            .wrapping_add(mix(p.digest ^ n.wrapping_mul(0x9e37_79b9_7f4a_7c15)));
    }

    pub fn is_request(&self) -> bool {
        !self.key.response
    }

    pub fn exchange_key(&self) -> ExchangeKey {
        self.key.exchange_key()
    }

    /// Sent as RFC 7383 fragments.
    pub fn is_skf(&self) -> bool {
        self.skf_total.is_some()
    }

    /// Every piece arrived (always, for a message sent in one piece).
    pub fn complete(&self) -> bool {
        self.skf_total
            .is_none_or(|t| self.skf_numbers.len() == usize::from(t))
    }

    /// It travelled as IP fragments.
    pub fn ip_fragmented(&self) -> bool {
        self.ip_packets > self.datagrams
    }

    /// The frames, as capture-order evidence.
    pub fn frame_list(&self) -> &[PacketRef] {
        &self.frames
    }

    /// A piece that can join this transmission: same message, same capture
    /// point and direction, same fragment total, a number not seen yet, and
    /// sent close enough to the first piece.
    fn takes(&self, p: &Piece<'_>) -> bool {
        let Some((n, total)) = p.skf else {
            return false;
        };
        self.key == p.key
            && self.file == p.wire.at.file
            && self.src == p.src
            && self.dst == p.dst
            && self.skf_total == Some(total)
            && self.skf_numbers.binary_search(&n).is_err()
            && p.wire.ts.0.saturating_sub(self.first_ts.0) <= TRANSMISSION_SPREAD_NANOS
    }
}

/// The less orderly of two fragment orders.
fn worse(a: FragmentOrder, b: FragmentOrder) -> FragmentOrder {
    use FragmentOrder::*;
    match (a, b) {
        (LastFirst, _) | (_, LastFirst) => LastFirst,
        (Mixed, _) | (_, Mixed) => Mixed,
        _ => InOrder,
    }
}

/// A 64-bit finaliser (splitmix64) so that summing piece digests does not
/// cancel out.
fn mix(mut x: u64) -> u64 {
    x ^= x >> 30;
    x = x.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x ^= x >> 27;
    x = x.wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// Adds a piece to the transmission it belongs to, or starts a new one
/// while fewer than `max` are kept. Returns the index of the transmission,
/// or `None` for a new one beyond `max` (the caller counts it).
pub fn record(transmissions: &mut Vec<Transmission>, p: &Piece<'_>, max: usize) -> Option<usize> {
    let len = transmissions.len();
    let open = transmissions
        .iter()
        .enumerate()
        .skip(len.saturating_sub(OPEN_WINDOW))
        .rev()
        .find(|(_, t)| t.takes(p))
        .map(|(i, _)| i);
    if let Some(i) = open
        && let Some(t) = transmissions.get_mut(i)
    {
        t.add(p);
        return Some(i);
    }
    if len >= max {
        return None;
    }
    transmissions.push(Transmission::new(p));
    Some(len)
}

/// Links transmissions (in capture order): retransmissions to the first
/// sending from the same capture file, responses to the request they
/// answer, and copies of one transmission seen at two capture points.
///
/// A later transmission of the same message from the same file is a
/// retransmission when its bytes are identical (RFC 7296 §2.1: the
/// initiator retransmits the same message, the responder re-sends its
/// cached response), or, for a request, when no response came in between
/// (a re-send with other bytes, e.g. re-fragmented smaller, RFC 7383
/// §2.5.2). A request with other bytes after a response (a retry with a
/// COOKIE or another KE group) starts over.
///
/// The same transmission seen at two capture points has the same bytes,
/// but so do a message and its retransmissions: the n-th sending of given
/// bytes in one file is paired with the n-th sending of those bytes in
/// another (capture order survives clock skew between the two machines).
pub fn link(ts: &mut [Transmission]) {
    for i in 0..ts.len() {
        let Some(t) = ts.get(i) else { continue };
        let (key, file, digest, at) = (t.key, t.file, t.digest, t.first_ts);
        let same = |e: &Transmission| e.key == key && e.digest == digest;
        // This is the n-th sending of these bytes in its own file.
        let n = ts
            .iter()
            .take(i)
            .filter(|e| e.file == file && same(e))
            .count();
        let mut same_as = None;
        let mut retransmission_of = None;
        let mut answers = None;
        let mut answers_other_file = None;
        let mut nth_in: Vec<(u16, usize)> = Vec::new();
        for (j, e) in ts.iter().enumerate().take(i) {
            if e.key == key {
                if e.file != file {
                    if same(e) {
                        let k = match nth_in.iter_mut().find(|(f, _)| *f == e.file) {
                            Some((_, k)) => {
                                *k += 1;
                                *k
                            }
                            None => {
                                nth_in.push((e.file, 0));
                                0
                            }
                        };
                        if same_as.is_none() && k == n {
                            same_as = Some(e.same_as.unwrap_or(j));
                        }
                    }
                } else if retransmission_of.is_none()
                    && (e.digest == digest || (!key.response && !answered_between(ts, e, at)))
                {
                    retransmission_of = Some(e.retransmission_of.unwrap_or(j));
                }
            }
            if key.response
                && !e.key.response
                && e.exchange_key() == key.exchange_key()
                && e.first_ts <= at
            {
                if e.file == file {
                    answers = Some(j);
                } else {
                    answers_other_file = Some(j);
                }
            }
        }
        if let Some(t) = ts.get_mut(i) {
            t.same_as = same_as;
            t.retransmission_of = retransmission_of;
            t.answers = answers.or(answers_other_file);
        }
    }
}

/// A response to `req`'s exchange, from `req`'s capture file, between
/// `req` and `until`.
fn answered_between(ts: &[Transmission], req: &Transmission, until: Timestamp) -> bool {
    ts.iter().any(|r| {
        r.key.response
            && r.file == req.file
            && r.exchange_key() == req.exchange_key()
            && r.first_ts >= req.first_ts
            && r.first_ts <= until
    })
}

/// A cheap 64-bit digest (FNV-1a) of a message's bytes: equal bytes, equal
/// digest; used to recognise retransmissions, never for security.
pub fn digest(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

#[cfg(test)]
mod tests;
