//! Facts from typed datagrams: IKE SAs, their messages counted per message
//! (SKF pieces of one sending are one transmission), exchanges and what
//! reached the capture point, IPsec flows without IKEv2, and the findings
//! derived from them. Nothing here prints.
//!
//! The analyser is a stream consumer, so a file and a live capture feed it
//! the same way: [`Analyser::push`] one [`Datagram`](crate::capture::datagram::Datagram) at a time (in capture
//! order), [`Analyser::clock`] every frame's time, ask
//! [`Analyser::certain`] for the findings that can no longer change, and
//! [`Analyser::finish`] at the end. [`Session`] wraps the capture
//! pipeline and the analyser for callers that hold frames.
//!
//! No panics on hostile input: outside tests, indexing, slicing, `unwrap`
//! and `expect` are denied here (every read goes through `get`).

#![forbid(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used)
)]

mod analyser;
pub mod bounds;
pub mod exchange;
pub mod findings;
pub mod flows;
pub mod live;
pub mod lost;
pub mod message;
pub mod point;
mod retire;
pub mod sa;
mod session;
pub mod summary;
#[cfg(test)]
pub(crate) mod testing;

use std::net::{IpAddr, SocketAddr};

/// Capture-side types that analysis facts carry, for readers of the facts
/// (the report) that do not deal with capture files themselves.
pub use crate::capture::defrag::{ByteRange, FragmentOrder, GiveUp};
pub use crate::capture::{LinkType, PacketRef, Timestamp};
pub use analyser::Analyser;
pub use message::{ExchangeKey, MessageKey, Transmission};
pub use sa::{IkeSa, LostDatagram, Spi, Support};
pub use session::Session;

use crate::capture::defrag::DefragLimits;
use crate::capture::ip::IkePorts;
use crate::capture::pipeline::CaptureStats;
use crate::finding::Finding;
use crate::wire::ike::ExchangeType;
use findings::limit::FindingLimit;
use flows::Flows;
use lost::LostFlows;
use summary::SaSummary;

/// ICMP "too big" messages remembered (the rest are counted).
pub const MAX_TOO_BIG: usize = 64;

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
    /// The IKE SAs kept in full (at most [`bounds::MAX_SAS`]), in the order
    /// they were first seen.
    pub sas: Vec<IkeSa>,
    pub stats: Stats,
    pub capture: CaptureStats,
    pub too_big: Vec<TooBigFact>,
    pub truncated: Vec<FileTruncation>,
    /// Incomplete datagrams no IKE SA claims, per flow: those whose first
    /// fragment never arrived and whose addresses match no SA, and those
    /// whose first fragment arrived and carried no IKEv2 message.
    pub lost_flows: LostFlows,
    /// ESP, ESP in UDP and IKEv1 outside the IKEv2 SAs.
    pub flows: Flows,
    /// The IKE SAs not kept in full, per peer and outcome.
    pub summarised: SaSummary,
    /// The findings of the summarised SAs: listed up to the limit per
    /// code, the rest counted.
    pub summarised_findings: FindingLimit,
    /// Per capture file (by index), its first and last frame times.
    pub files: Vec<Option<FileSpan>>,
    pub first_ts: Option<Timestamp>,
    pub findings: Vec<Finding>,
}

impl Analysis {
    /// IKE SAs seen: kept in full and summarised.
    pub fn sas_seen(&self) -> u64 {
        self.sas.len() as u64 + self.summarised.sas()
    }

    /// IKE message transmissions (one per sending; SKF pieces sent together
    /// and copies seen at another capture point count once), kept or
    /// counted.
    pub fn transmissions(&self) -> u64 {
        let kept = self
            .sas
            .iter()
            .flat_map(|sa| &sa.transmissions)
            .filter(|t| t.same_as.is_none())
            .count() as u64;
        let not_kept: u64 = self.sas.iter().map(|sa| sa.not_kept.transmissions).sum();
        kept + not_kept + self.summarised.transmissions
    }

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

#[cfg(test)]
mod tests;
