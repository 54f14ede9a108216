//! Packets in: capture files (pcap and pcapng, read with pcap-parser), the
//! link layer peeled off, IP headers sliced, fragments reassembled.
//!
//! Everything here streams: a reader owns one fixed-size buffer and hands out
//! packets that borrow it, so memory stays flat whatever the file size. Time is
//! the capture's own clock ([`Timestamp`]), passed down by the caller, never the
//! wall clock, so reassembly timeouts mean the same on every replay.

// Pure apart from `device` (the live capture's poll(2), which opts in
// with `#[allow(unsafe_code)]` on the one function): every other module
// here forbids `unsafe` itself.
#![deny(unsafe_code)]

mod block_guard;
pub mod datagram;
pub mod dedup;
pub mod defrag;
#[cfg(feature = "live")]
pub mod device;
pub mod filter;
pub mod inputs;
pub mod ip;
pub mod link;
pub mod pipeline;
pub mod reader;
pub mod recipe;
pub mod writer;

use std::fmt;

pub use reader::{CaptureError, CaptureReader, Truncation};

/// Capture time in nanoseconds since the Unix epoch (UTC).
///
/// Nanoseconds because pcap can carry them (magic 0xa1b23c4d) and pcapng
/// interfaces may declare any resolution; i64 covers ±292 years.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Timestamp(pub i64);

impl Timestamp {
    pub const NANOS_PER_SEC: i64 = 1_000_000_000;

    pub fn from_secs_nanos(secs: i64, nanos: i64) -> Timestamp {
        Timestamp(
            secs.saturating_mul(Self::NANOS_PER_SEC)
                .saturating_add(nanos),
        )
    }

    /// Seconds as a float, for JSON and relative times in the human view.
    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / Self::NANOS_PER_SEC as f64
    }

    /// `self - earlier` in seconds (negative when `earlier` is later).
    pub fn secs_since(self, earlier: Timestamp) -> f64 {
        self.0.saturating_sub(earlier.0) as f64 / Self::NANOS_PER_SEC as f64
    }

    pub fn plus_secs(self, secs: i64) -> Timestamp {
        Timestamp(
            self.0
                .saturating_add(secs.saturating_mul(Self::NANOS_PER_SEC)),
        )
    }
}

/// Where a packet came from, the way an admin finds it again in Wireshark:
/// which input file (index into the command's file list) and the 1-based
/// frame number Wireshark shows for it in that file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct PacketRef {
    pub file: u16,
    pub frame: u64,
}

impl fmt::Display for PacketRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.file == 0 {
            write!(f, "#{}", self.frame)
        } else {
            write!(f, "{}#{}", self.file + 1, self.frame)
        }
    }
}

/// A tcpdump LINKTYPE_* value (<https://www.tcpdump.org/linktypes.html>).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LinkType(pub u32);

impl LinkType {
    pub const NULL: LinkType = LinkType(0);
    pub const ETHERNET: LinkType = LinkType(1);
    /// DLT_RAW as written by most BSDs and older libpcap.
    pub const DLT_RAW_BSD: LinkType = LinkType(12);
    /// DLT_RAW as written by OpenBSD.
    pub const DLT_RAW_OPENBSD: LinkType = LinkType(14);
    pub const RAW: LinkType = LinkType(101);
    pub const LOOP: LinkType = LinkType(108);
    pub const LINUX_SLL: LinkType = LinkType(113);
    pub const IPV4: LinkType = LinkType(228);
    pub const IPV6: LinkType = LinkType(229);
    pub const LINUX_SLL2: LinkType = LinkType(276);

    /// The registry name, so unsupported link types can be named in the output.
    pub fn name(self) -> &'static str {
        match self.0 {
            0 => "NULL",
            1 => "ETHERNET",
            6 => "IEEE802_5",
            9 => "PPP",
            10 => "FDDI",
            12 | 14 | 101 => "RAW",
            104 => "C_HDLC",
            105 => "IEEE802_11",
            108 => "LOOP",
            113 => "LINUX_SLL",
            119 => "PRISM_HEADER",
            127 => "IEEE802_11_RADIOTAP",
            147..=162 => "USER",
            192 => "PPI",
            195 => "IEEE802_15_4",
            220 => "USB_LINUX_MMAPPED",
            228 => "IPV4",
            229 => "IPV6",
            249 => "NETLINK",
            263 => "NFLOG",
            276 => "LINUX_SLL2",
            _ => "unknown",
        }
    }
}

impl fmt::Display for LinkType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.name(), self.0)
    }
}

/// What a capture file says about which frames are one packet seen at
/// several points (see [`dedup`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SamePacketMark {
    /// pcapng `epb_packetid` (EPB option 5, draft-ietf-opsawg-pcapng §4.3.1):
    /// "if the same packet is seen by multiple interfaces and there is a way
    /// for the capture application to correlate them, the same epb_packetid
    /// value must be used". etl2pcapng 1.12+ writes pktmon's PktGroupId here.
    PacketId(u64),
    /// pktmon's own metadata line in the packet comment (`PktGroupId 1688...,
    /// PktNumber 1, Appearance 2, ... Component 31, ...`): all snapshots of
    /// one packet share PktGroupId and PktNumber (Microsoft Learn, "Pktmon
    /// command formatting", "Analyze Packet Monitor output").
    Pktmon { group: u64, number: u32 },
}

/// One captured frame as the reader hands it out: bytes borrowed from the
/// reader's buffer, valid until the next call.
#[derive(Debug, Clone, Copy)]
pub struct Packet<'a> {
    pub at: PacketRef,
    pub ts: Timestamp,
    pub link: LinkType,
    /// The pcapng interface (IDB index within its section, numbered across
    /// sections so it stays unique in the file); 0 for classic pcap.
    pub interface: u32,
    /// The file's mark tying this frame to copies of the same packet.
    pub mark: Option<SamePacketMark>,
    /// The captured bytes (at most the snap length).
    pub data: &'a [u8],
    /// Length of the frame on the wire; larger than `data.len()` when the
    /// capture's snap length cut it.
    pub orig_len: u32,
}

impl Packet<'_> {
    pub fn is_snapped(&self) -> bool {
        (self.orig_len as usize) > self.data.len()
    }
}

/// JSON shows a packet reference as `{"file": 2, "frame": 17}`: the
/// 1-based position of the capture file on the command line (as in
/// `capture_points[].file`) and Wireshark's frame number in it. (The human
/// view writes the same reference `2#17`, or `#17` in the first file.)
impl serde::Serialize for PacketRef {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("FrameRef", 2)?;
        st.serialize_field("file", &(u32::from(self.file) + 1))?;
        st.serialize_field("frame", &self.frame)?;
        st.end()
    }
}

impl schemars::JsonSchema for PacketRef {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "FrameRef".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "A frame of a capture: the capture file's 1-based position on the command line and Wireshark's frame number in it (the human view's `2#17`; `#17` in the first file)",
            "type": "object",
            "properties": {
                "file": {"type": "integer", "minimum": 1},
                "frame": {"type": "integer", "minimum": 1},
            },
            "required": ["file", "frame"],
            "additionalProperties": false,
        })
    }
}

/// Feeds the packets of several captures to `f` in time order (a k-way
/// merge on timestamps; ties keep the command-line order), so client- and
/// server-side traces of one attempt read as one timeline. With one file
/// this is a plain loop. Stops early when `f` returns `false`.
pub fn for_each_in_time_order(
    readers: &mut [CaptureReader],
    mut f: impl FnMut(&Packet<'_>) -> bool,
) -> Result<(), CaptureError> {
    if let [only] = readers {
        while let Some(p) = only.peek()? {
            if !f(&p) {
                return Ok(());
            }
            only.advance();
        }
        return Ok(());
    }
    // Next timestamp of each reader; `None` once exhausted.
    let mut heads: Vec<Option<Timestamp>> = Vec::with_capacity(readers.len());
    for r in readers.iter_mut() {
        heads.push(r.peek()?.map(|p| p.ts));
    }
    loop {
        let next = heads
            .iter()
            .enumerate()
            .filter_map(|(i, t)| t.map(|t| (t, i)))
            .min();
        let Some((_, i)) = next else {
            return Ok(());
        };
        let Some(r) = readers.get_mut(i) else {
            return Ok(());
        };
        if let Some(p) = r.peek()?
            && !f(&p)
        {
            return Ok(());
        }
        r.advance();
        if let Some(h) = heads.get_mut(i) {
            *h = r.peek()?.map(|p| p.ts);
        }
    }
}
