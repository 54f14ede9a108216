//! One packet, counted once: drops the extra copies of a packet that a
//! capture recorded at several points of one host's network stack.
//!
//! Windows `pktmon` logs a packet once per stack component it crosses (NIC
//! miniport, filter drivers, the TCP/IP protocol, each edge of a component
//! with two): "there will be multiple snapshots of each packet ... all
//! snapshots of the same packet should have [PktGroupId and PktNumber] in
//! common" (Microsoft Learn, *Pktmon command formatting*). Converted to
//! pcapng, the snapshots are separate frames with identical bytes a few
//! microseconds apart (a public `pktmon etl2pcap` listing shows one ICMP echo
//! four times within 24 µs). Read naively they look like retransmissions.
//!
//! The rule, and why it cannot swallow a real retransmission: a frame is a
//! copy only when, **in the same input file**, an earlier kept frame has
//! **identical IP-layer bytes** (the link header stripped, so a component
//! that logs Ethernet and one that logs raw IP still match) **and** the file
//! itself says the two are one packet:
//!
//! 1. both carry the same pcapng `epb_packetid` (the pcapng spec's "same
//!    packet seen by multiple interfaces"; etl2pcapng 1.12+ writes pktmon's
//!    PktGroupId there, one interface per component), within 1 s; or
//! 2. both carry pktmon's metadata comment with the same PktGroupId and
//!    PktNumber, within 1 s; or
//! 3. neither is marked, they were captured on **different interfaces** of
//!    the file, at most 1 ms apart: one host's two capture points seeing the
//!    same bytes at the same moment (pktmon components written as separate
//!    interfaces, a bridge and its port). A resent packet is a new packet to
//!    pktmon (a new PktGroupId), and an IKE retransmission comes a second or
//!    more later (RFC 7296 §2.1), never within a millisecond.
//!
//! Identical frames on the **same** interface without a mark are always
//! kept: in an ordinary capture they are what a retransmission looks like
//! (IKE resends the very same bytes), and nothing proves otherwise. Frames
//! from different input files are never compared here (the analysis matches
//! the same message seen by two capture points itself).
//!
//! Memory is bounded: at most [`RECENT`] frames are remembered (each up to
//! one IP packet); nothing grows with the capture. Frames are remembered
//! only when a rule could use them (a marked frame, or a file with several
//! interfaces), so ordinary single-interface captures pay one lookup per
//! frame and no copy. Pure: no I/O, no clock but the capture's.

#![forbid(unsafe_code)]

use std::collections::VecDeque;

use super::link::{self, L3};
use super::{Packet, SamePacketMark, Timestamp};

/// Frames remembered for comparison. pktmon writes a packet's snapshots
/// back to back (4-8 of them); 64 leaves room for interleaved traffic.
pub const RECENT: usize = 64;
/// How far apart two frames with the same mark may be.
pub const MARKED_WINDOW_NS: i64 = 1_000_000_000;
/// How far apart two unmarked identical frames on different interfaces may
/// be to count as one packet.
pub const UNMARKED_WINDOW_NS: i64 = 1_000_000;

/// What the stage needs to know about one frame.
#[derive(Debug, Clone, Copy)]
pub struct Frame<'a> {
    /// Input file index (command-line order).
    pub file: u16,
    /// Interface within that file.
    pub interface: u32,
    pub ts: Timestamp,
    pub mark: Option<SamePacketMark>,
    /// The IP packet (link header stripped), or the whole frame when it
    /// carries no IP.
    pub bytes: &'a [u8],
}

impl<'a> Frame<'a> {
    /// The frame as the reader handed it out.
    pub fn of(p: &Packet<'a>) -> Frame<'a> {
        let bytes = match link::decode(p.link, p.data) {
            L3::Ipv4(b) | L3::Ipv6(b) => b,
            _ => p.data,
        };
        Frame {
            file: p.at.file,
            interface: p.interface,
            ts: p.ts,
            mark: p.mark,
            bytes,
        }
    }
}

#[derive(Debug)]
struct Seen {
    file: u16,
    interface: u32,
    ts: Timestamp,
    mark: Option<SamePacketMark>,
    bytes: Vec<u8>,
}

#[derive(Debug, Default, Clone, Copy)]
struct FileState {
    first_interface: Option<u32>,
    /// Two or more interfaces declared or seen: rule 3 applies.
    multi_interface: bool,
}

/// The de-duplication stage: call [`ComponentCopies::is_copy`] once per frame
/// in time order, before analysis, and skip the frames it says are copies.
#[derive(Debug, Default)]
pub struct ComponentCopies {
    recent: VecDeque<Seen>,
    files: Vec<FileState>,
    spare: Vec<Vec<u8>>,
    copies: u64,
}

impl ComponentCopies {
    pub fn new() -> ComponentCopies {
        ComponentCopies::default()
    }

    /// Frames dropped as copies so far.
    pub fn copies(&self) -> u64 {
        self.copies
    }

    /// Tells the stage how many interfaces `file` declares before its first
    /// packet (pcapng IDBs come first), so the first packet of a
    /// multi-interface file is remembered too. Without it, the stage learns
    /// of a second interface from the frames and misses at most the copies
    /// of the frame that revealed it.
    pub fn declare_interfaces(&mut self, file: u16, count: usize) {
        if count > 1 {
            self.state(file).multi_interface = true;
        }
    }

    fn state(&mut self, file: u16) -> &mut FileState {
        let i = usize::from(file);
        if self.files.len() <= i {
            self.files.resize(i + 1, FileState::default());
        }
        &mut self.files[i]
    }

    /// Whether `f` is a copy of a frame already seen (see the module docs for
    /// the rule). Frames that a rule could later use are remembered.
    pub fn is_copy(&mut self, f: &Frame<'_>) -> bool {
        let state = self.state(f.file);
        match state.first_interface {
            None => state.first_interface = Some(f.interface),
            Some(i) if i != f.interface => state.multi_interface = true,
            Some(_) => {}
        }
        let relevant = f.mark.is_some() || state.multi_interface;
        if !relevant {
            return false;
        }
        let horizon = Timestamp(f.ts.0.saturating_sub(MARKED_WINDOW_NS));
        while self.recent.front().is_some_and(|s| s.ts < horizon) {
            if let Some(old) = self.recent.pop_front() {
                self.spare.push(old.bytes);
            }
        }
        if self.recent.iter().rev().any(|s| same_packet(s, f)) {
            self.copies += 1;
            return true;
        }
        let mut bytes = self.spare.pop().unwrap_or_default();
        bytes.clear();
        bytes.extend_from_slice(f.bytes);
        if self.recent.len() >= RECENT
            && let Some(old) = self.recent.pop_front()
        {
            self.spare.push(old.bytes);
        }
        self.recent.push_back(Seen {
            file: f.file,
            interface: f.interface,
            ts: f.ts,
            mark: f.mark,
            bytes,
        });
        false
    }
}

/// The rule itself, for one remembered frame and a new one.
fn same_packet(s: &Seen, f: &Frame<'_>) -> bool {
    if s.file != f.file || s.bytes.len() != f.bytes.len() {
        return false;
    }
    let apart = f.ts.0.saturating_sub(s.ts.0).saturating_abs();
    let marked_as_one = match (s.mark, f.mark) {
        (Some(a), Some(b)) => a == b && apart <= MARKED_WINDOW_NS,
        (None, None) => s.interface != f.interface && apart <= UNMARKED_WINDOW_NS,
        _ => false,
    };
    marked_as_one && s.bytes == f.bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    const US: i64 = 1_000;

    fn frame(file: u16, interface: u32, us: i64, mark: Option<u64>, bytes: &[u8]) -> Frame<'_> {
        Frame {
            file,
            interface,
            ts: Timestamp(us * US),
            mark: mark.map(SamePacketMark::PacketId),
            bytes,
        }
    }

    /// pktmon via etl2pcapng: one packet at four components (interfaces
    /// 0-3), same PktGroupId, microseconds apart: counted once.
    #[test]
    fn marked_snapshots_are_one_packet() {
        let mut d = ComponentCopies::new();
        let pkt = [0x45u8, 0, 0, 28, 1, 2, 3, 4];
        let kept: Vec<bool> = [(0, 0), (1, 5), (2, 8), (3, 10)]
            .iter()
            .map(|&(i, t)| !d.is_copy(&frame(0, i, t, Some(77), &pkt)))
            .collect();
        assert_eq!(kept, [true, false, false, false]);
        assert_eq!(d.copies(), 3);
    }

    /// The IKE retransmission 1 s later has identical bytes but is a new
    /// packet to pktmon (a new PktGroupId): kept, with its own copies dropped.
    #[test]
    fn a_retransmission_is_a_new_packet() {
        let mut d = ComponentCopies::new();
        let pkt = [0x45u8, 0, 0, 28, 9, 9, 9, 9];
        assert!(!d.is_copy(&frame(0, 0, 0, Some(1), &pkt)));
        assert!(d.is_copy(&frame(0, 1, 4, Some(1), &pkt)));
        assert!(!d.is_copy(&frame(0, 0, 1_000_000, Some(2), &pkt)));
        assert!(d.is_copy(&frame(0, 1, 1_000_004, Some(2), &pkt)));
        assert_eq!(d.copies(), 2);
    }

    /// PktGroupId names an NBL group, not one packet: two different packets
    /// of one group (different bytes) are both kept.
    #[test]
    fn same_mark_different_bytes_is_not_a_copy() {
        let mut d = ComponentCopies::new();
        assert!(!d.is_copy(&frame(0, 0, 0, Some(5), &[1, 2, 3])));
        assert!(!d.is_copy(&frame(0, 0, 1, Some(5), &[1, 2, 4])));
    }

    /// An ordinary capture (one interface, no marks): identical frames are
    /// retransmissions until proven otherwise, even microseconds apart.
    #[test]
    fn unmarked_identical_frames_on_one_interface_are_kept() {
        let mut d = ComponentCopies::new();
        let pkt = [0x60u8, 0, 0, 0, 0, 8, 17, 64];
        for t in [0, 3, 1_000_000, 3_000_000] {
            assert!(!d.is_copy(&frame(0, 0, t, None, &pkt)), "t={t}");
        }
        assert_eq!(d.copies(), 0);
    }

    /// Unmarked, but on another interface of the same file within 1 ms: the
    /// same packet at a second capture point. Beyond 1 ms: kept.
    #[test]
    fn unmarked_copy_on_another_interface_within_a_millisecond() {
        let mut d = ComponentCopies::new();
        d.declare_interfaces(0, 3);
        let pkt = [0x45u8, 0, 0, 20, 0, 1, 0, 0];
        assert!(!d.is_copy(&frame(0, 0, 0, None, &pkt)));
        assert!(d.is_copy(&frame(0, 1, 17, None, &pkt)));
        assert!(d.is_copy(&frame(0, 2, 22, None, &pkt)));
        // The same bytes again 2 ms later on another interface: a new packet.
        assert!(!d.is_copy(&frame(0, 1, 2_000, None, &pkt)));
        assert_eq!(d.copies(), 2);
    }

    /// Without the declaration, a second interface is learnt from the frames.
    #[test]
    fn a_second_interface_is_learnt_from_the_frames() {
        let mut d = ComponentCopies::new();
        let pkt = [0x45u8, 0, 0, 20, 0, 2, 0, 0];
        let other = [0x45u8, 0, 0, 20, 0, 3, 0, 0];
        assert!(!d.is_copy(&frame(0, 0, 0, None, &pkt)));
        assert!(
            !d.is_copy(&frame(0, 1, 5, None, &pkt)),
            "revealing frame kept"
        );
        assert!(!d.is_copy(&frame(0, 0, 100, None, &other)));
        assert!(d.is_copy(&frame(0, 1, 104, None, &other)));
    }

    /// Two input files (client and server side) are never compared here.
    #[test]
    fn other_files_are_never_copies() {
        let mut d = ComponentCopies::new();
        d.declare_interfaces(1, 2);
        let pkt = [0x45u8, 1, 2, 3];
        assert!(!d.is_copy(&frame(0, 0, 0, Some(9), &pkt)));
        assert!(!d.is_copy(&frame(1, 0, 1, Some(9), &pkt)));
        assert!(!d.is_copy(&frame(1, 1, 2, None, &pkt)));
    }

    /// A marked frame and an unmarked one are not tied by anything.
    #[test]
    fn half_marked_pairs_are_kept() {
        let mut d = ComponentCopies::new();
        let pkt = [1u8, 2, 3, 4];
        assert!(!d.is_copy(&frame(0, 0, 0, Some(3), &pkt)));
        assert!(!d.is_copy(&frame(0, 1, 1, None, &pkt)));
    }

    #[test]
    fn pktmon_comment_marks_compare_group_and_number() {
        let mut d = ComponentCopies::new();
        let pkt = [0x45u8, 0, 0, 4];
        let m = |g, n| {
            Some(SamePacketMark::Pktmon {
                group: g,
                number: n,
            })
        };
        let f = |t, mark| Frame {
            file: 0,
            interface: 0,
            ts: Timestamp(t * US),
            mark,
            bytes: &pkt,
        };
        assert!(!d.is_copy(&f(0, m(562_949_953_421_500, 1))));
        assert!(d.is_copy(&f(5, m(562_949_953_421_500, 1))));
        assert!(!d.is_copy(&f(9, m(562_949_953_421_500, 2))));
    }

    /// Memory stays bounded whatever the capture: at most RECENT frames.
    #[test]
    fn memory_is_bounded() {
        let mut d = ComponentCopies::new();
        for i in 0..10_000u32 {
            let b = i.to_be_bytes();
            d.is_copy(&frame(0, i % 2, i64::from(i), Some(u64::from(i)), &b));
        }
        assert!(d.recent.len() <= RECENT);
        assert!(d.spare.len() <= RECENT + 1);
    }

    proptest::proptest! {
        /// Frames on a single interface without marks are never dropped,
        /// whatever their bytes and times.
        #[test]
        fn ordinary_captures_lose_nothing(frames in proptest::collection::vec((0u8..3, 0i64..50), 0..60)) {
            let mut d = ComponentCopies::new();
            let mut t = 0;
            for (b, dt) in frames {
                t += dt;
                let bytes = [b, 0, 0, 0];
                proptest::prop_assert!(!d.is_copy(&frame(0, 0, t, None, &bytes)));
            }
        }
    }
}
