//! Streaming reader for pcap and pcapng files on top of pcap-parser.
//!
//! One fixed buffer per file (grown only when a single record is larger than
//! it, up to [`MAX_BUFFER`]), so memory stays flat for multi-gigabyte traces.
//! pcap: both byte orders, micro- and nanosecond timestamps, the "modified"
//! Kuznetzov format. pcapng (draft-ietf-opsawg-pcapng): several sections, each
//! with its own interfaces (link type, time resolution, offset, snap length);
//! EPB, SPB and the obsolete OPB carry packets.
//!
//! A file that ends mid-record, or whose records stop making sense part-way,
//! is not an error: the packets before that point are still evidence. The
//! reader stops there and reports a [`Truncation`] for a `capture-truncated`
//! finding. Only a file that is not a capture at all, or cannot be read, is an
//! error ([`CaptureError`]).

#![forbid(unsafe_code)]

use std::io::{self, Read};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use pcap_parser::traits::PcapReaderIterator;
use pcap_parser::{Block, PcapBlockOwned, PcapError};

use super::{LinkType, Packet, PacketRef, Timestamp, block_guard};
use blocks::{isb_end, opb_fields, packet_of};

/// Initial buffer: large enough for any ordinary frame and for read calls big
/// enough to reach page-cache speed.
pub const INITIAL_BUFFER: usize = 1 << 20;
/// Largest single record accepted (pcapng blocks may legally be larger, but
/// no network frame is; a larger claim means corruption).
pub const MAX_BUFFER: usize = 16 << 20;

/// pcapng Obsolete Packet Block type (draft-ietf-opsawg-pcapng, Appendix A);
/// pcap-parser hands it over as an unknown block.
const OPB_TYPE: u32 = 0x0000_0002;

/// Why a capture could not be read at all.
#[derive(Debug, thiserror::Error)]
pub enum CaptureError {
    #[error(
        "{file}: not a pcap or pcapng capture (it starts with {start}); save the trace as .pcap or .pcapng (Wireshark: File > Save As; etl files: convert with etl2pcapng)"
    )]
    NotACapture { file: String, start: String },
    #[error(
        "{file}: the file is empty; capture again and make sure the capture was stopped cleanly"
    )]
    Empty { file: String },
    #[error("{file}: cannot read: {source}")]
    Read {
        file: String,
        #[source]
        source: io::Error,
    },
}

/// Where and why a capture stopped before its natural end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Truncation {
    /// Byte offset in the file where the unreadable part starts.
    pub offset: u64,
    /// Frames read successfully before it.
    pub frames_read: u64,
    pub reason: String,
}

/// Per-interface facts from a pcapng IDB (or the pcap file header).
#[derive(Debug, Clone, Copy)]
struct Interface {
    link: LinkType,
    /// Timestamp units per second.
    resolution: u64,
    /// Seconds added to every timestamp (if_tsoffset).
    offset_secs: i64,
    snaplen: u32,
}

impl Interface {
    fn ts(&self, raw: u64) -> Timestamp {
        let res = self.resolution.max(1);
        let secs = (raw / res) as i64;
        let frac = (raw % res) as u128 * 1_000_000_000 / res as u128;
        Timestamp::from_secs_nanos(secs.saturating_add(self.offset_secs), frac as i64)
    }
}

/// Counters the reader keeps about what it skipped.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReaderStats {
    /// Packet blocks that named an interface no IDB declared.
    pub unknown_interface: u64,
    /// pcapng blocks that carry no packets (statistics, name resolution...).
    pub other_blocks: u64,
    pub sections: u64,
}

/// What the last parse attempt found at the buffer head.
enum Step {
    /// A packet, `len` bytes to consume after it is used.
    Packet {
        len: usize,
    },
    /// A block without a packet was consumed; parse again.
    Consumed,
    End,
}

/// A streaming capture reader: call [`CaptureReader::peek`] for the next
/// packet and [`CaptureReader::advance`] once done with it.
pub struct CaptureReader {
    name: String,
    index: u16,
    inner: Box<dyn PcapReaderIterator + Send>,
    state: State,
    frame: u64,
    /// Bytes to consume for the packet returned by the last `peek`.
    pending: Option<usize>,
    last_ts: Timestamp,
    truncation: Option<Truncation>,
    finished: bool,
    bytes: Arc<AtomicU64>,
    error: Arc<Mutex<Option<io::Error>>>,
    /// For a gzip-compressed capture: why the compressed stream ended
    /// early, once it has.
    gzip: Option<Arc<Mutex<Option<String>>>>,
}

/// What earlier blocks declared, needed to read later ones.
#[derive(Default)]
struct State {
    /// pcapng: interfaces of the current section.
    interfaces: Vec<Interface>,
    /// pcap: the one interface the file header describes.
    legacy: Option<Interface>,
    /// pcapng: the current section's byte order (`Some(true)`: big-endian),
    /// set by each Section Header Block.
    pcapng_big_endian: Option<bool>,
    /// Interfaces declared by earlier sections, so interface numbers stay
    /// unique across a multi-section file.
    interface_base: u32,
    stats: ReaderStats,
    /// The latest `isb_endtime`: may be well after the last packet.
    capture_end: Option<Timestamp>,
}

impl CaptureReader {
    /// Opens a capture from any byte source. `name` is used in messages;
    /// `index` is this file's position in the command line (for [`PacketRef`]).
    pub fn new<R: Read + Send + 'static>(
        name: impl Into<String>,
        index: u16,
        source: R,
    ) -> Result<CaptureReader, CaptureError> {
        let name = name.into();
        let bytes = Arc::new(AtomicU64::new(0));
        let error = Arc::new(Mutex::new(None));
        let mut raw = Source::new(source, bytes.clone(), error.clone());
        // A gzip-compressed capture (`.pcap.gz`, told by its magic bytes,
        // whatever its name) is read through the decompressor; the byte
        // counter keeps counting the compressed file.
        let head = raw.head(2).map_err(|e| read_error(&name, &error, e))?;
        let (inner, gzip) = if gzip::is_gzip(&head) {
            let failure = Arc::new(Mutex::new(None));
            let decoded = Source::new(
                gzip::Gunzip::new(raw, error.clone(), failure.clone()),
                Arc::new(AtomicU64::new(0)),
                Arc::new(Mutex::new(None)),
            );
            (open(&name, decoded, &error, true)?, Some(failure))
        } else {
            (open(&name, raw, &error, false)?, None)
        };
        Ok(CaptureReader {
            name,
            index,
            inner,
            state: State::default(),
            frame: 0,
            pending: None,
            last_ts: Timestamp::default(),
            truncation: None,
            finished: false,
            bytes,
            error,
            gzip,
        })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// This file's position on the command line (as in [`PacketRef`]).
    pub fn index(&self) -> u16 {
        self.index
    }

    /// Bytes read from the source so far (for progress bars).
    pub fn bytes_read(&self) -> u64 {
        self.bytes.load(Ordering::Relaxed)
    }

    /// A shared counter of bytes read, readable from another thread.
    pub fn bytes_counter(&self) -> Arc<AtomicU64> {
        self.bytes.clone()
    }

    /// When the capture stopped (pcapng `isb_endtime`), once read to the end.
    pub fn capture_end(&self) -> Option<Timestamp> {
        self.state.capture_end
    }

    /// Set when the file ended mid-record or turned into garbage.
    pub fn truncation(&self) -> Option<&Truncation> {
        self.truncation.as_ref()
    }

    pub fn stats(&self) -> &ReaderStats {
        &self.state.stats
    }

    /// Frames handed out so far.
    pub fn frames(&self) -> u64 {
        self.frame
    }

    /// Interfaces the current section has declared so far (1 for pcap).
    pub fn interfaces_declared(&self) -> usize {
        if self.state.legacy.is_some() {
            1
        } else {
            self.state.interfaces.len()
        }
    }

    /// Link types declared by the file (pcap header or the current section's IDBs).
    pub fn link_types(&self) -> Vec<LinkType> {
        let mut v: Vec<LinkType> = self
            .state
            .legacy
            .iter()
            .chain(self.state.interfaces.iter())
            .map(|i| i.link)
            .collect();
        v.sort();
        v.dedup();
        v
    }

    /// The next packet without consuming it: calling `peek` again returns the
    /// same packet until [`advance`](Self::advance). `Ok(None)` at the end of
    /// the capture (including a truncated end; see [`truncation`](Self::truncation)).
    pub fn peek(&mut self) -> Result<Option<Packet<'_>>, CaptureError> {
        if self.finished {
            return Ok(None);
        }
        while self.pending.is_none() {
            match self.step()? {
                Step::Consumed => continue,
                Step::End => {
                    self.finished = true;
                    return Ok(None);
                }
                Step::Packet { len } => {
                    self.pending = Some(len);
                    self.frame += 1;
                }
            }
        }
        // Parse again to hand out a borrow (the step above had to end its
        // borrow of the buffer to update our state). Cheap: one block header,
        // and repeated `peek`s skip the step above.
        let frame = self.frame;
        let index = self.index;
        let last_ts = self.last_ts;
        let base = self.state.interface_base;
        let (packet, ts) = match self.inner.next() {
            Ok((_, block)) => {
                match packet_of(
                    block,
                    &self.state.interfaces,
                    self.state.legacy.as_ref(),
                    last_ts,
                ) {
                    Some(f) => (
                        Packet {
                            at: PacketRef { file: index, frame },
                            ts: f.ts,
                            link: f.link,
                            interface: base.saturating_add(f.interface),
                            mark: f.mark,
                            data: f.data,
                            orig_len: f.orig_len,
                        },
                        f.ts,
                    ),
                    None => return Ok(None),
                }
            }
            Err(_) => return Ok(None),
        };
        self.last_ts = ts;
        Ok(Some(packet))
    }

    /// Consumes the packet returned by the last [`peek`](Self::peek).
    pub fn advance(&mut self) {
        if let Some(len) = self.pending.take() {
            self.inner.consume(len);
        }
    }

    /// Parses the block at the head of the buffer, refilling as needed;
    /// handles metadata blocks and leaves packet blocks unconsumed.
    fn step(&mut self) -> Result<Step, CaptureError> {
        let mut stalled_refills = 0u32;
        loop {
            // pcap-parser must never see a block shorter than its type
            // allows (it subtracts past zero on some): see `block_guard`.
            if let Some(be) = self.state.pcapng_big_endian
                && let Some(why) = block_guard::undersized(self.inner.data(), be)
            {
                self.stop(why);
                return Ok(Step::End);
            }
            let result = match self.inner.next() {
                Ok((len, block)) => Ok(self.state.absorb(len, &block)),
                Err(PcapError::Eof) => Err(Stop::End),
                Err(PcapError::Incomplete(_)) => Err(Stop::Refill),
                Err(PcapError::BufferTooSmall) => Err(Stop::Grow),
                Err(PcapError::UnexpectedEof) => Err(Stop::Truncated(
                    "the file ends in the middle of a record".into(),
                )),
                Err(PcapError::ReadError) => Err(Stop::ReadError),
                Err(e) => Err(Stop::Truncated(format!(
                    "unreadable record ({})",
                    describe_error(&e)
                ))),
            };
            match result {
                Ok(Absorbed::Packet(len)) => return Ok(Step::Packet { len }),
                Ok(Absorbed::Meta(len)) => {
                    self.inner.consume(len);
                    return Ok(Step::Consumed);
                }
                Ok(Absorbed::Bad(len, reason)) => {
                    // A packet block we cannot attribute: skip it, count it.
                    self.inner.consume(len);
                    self.state.stats.unknown_interface += 1;
                    let _ = reason;
                    return Ok(Step::Consumed);
                }
                Err(Stop::End) => {
                    if let Some(reason) = self.gzip_failure() {
                        self.stop(reason);
                    }
                    return Ok(Step::End);
                }
                Err(Stop::Refill) => {
                    if let Some(be) = self.state.pcapng_big_endian
                        && block_guard::fully_buffered(self.inner.data(), be)
                    {
                        // The block is all here, yet the parser wants more:
                        // its fields claim bytes beyond its own length.
                        self.stop("a pcapng block whose fields overrun its length".into());
                        return Ok(Step::End);
                    }
                    let before = self.inner.data().len();
                    match self.inner.refill() {
                        Ok(()) => {}
                        Err(_) => return Err(self.take_read_error()),
                    }
                    if self.inner.data().len() == before && !self.inner.reader_exhausted() {
                        // A pipe may return short reads; give up only if it
                        // stops delivering without saying EOF.
                        stalled_refills += 1;
                        if stalled_refills > 1000 {
                            self.stop("the input stopped delivering data".into());
                            return Ok(Step::End);
                        }
                    }
                }
                Err(Stop::Grow) => {
                    let cap = self.inner.data().len().max(INITIAL_BUFFER) * 2;
                    if cap > MAX_BUFFER || !self.inner.grow(cap) {
                        self.stop(format!(
                            "a record claims more than {} MiB, which no network frame needs",
                            MAX_BUFFER >> 20
                        ));
                        return Ok(Step::End);
                    }
                    if self.inner.refill().is_err() {
                        return Err(self.take_read_error());
                    }
                }
                Err(Stop::ReadError) => return Err(self.take_read_error()),
                Err(Stop::Truncated(reason)) => {
                    self.stop(self.gzip_failure().unwrap_or(reason));
                    return Ok(Step::End);
                }
            }
        }
    }

    /// Why a gzip-compressed capture's stream ended early, if it did.
    fn gzip_failure(&self) -> Option<String> {
        let e = self.gzip.as_ref()?.lock().ok()?.clone()?;
        Some(format!(
            "the gzip stream is damaged or cut short ({e}); read up to there"
        ))
    }

    fn stop(&mut self, reason: String) {
        self.truncation = Some(Truncation {
            offset: self.inner.consumed() as u64,
            frames_read: self.frame,
            reason,
        });
    }

    fn take_read_error(&mut self) -> CaptureError {
        read_error(&self.name, &self.error, io::Error::other("read failed"))
    }
}

impl State {
    /// Updates interface state from a block; says whether it is a packet.
    fn absorb(&mut self, len: usize, block: &PcapBlockOwned<'_>) -> Absorbed {
        match block {
            PcapBlockOwned::LegacyHeader(h) => {
                self.legacy = Some(Interface {
                    link: LinkType(h.network.0 as u32),
                    resolution: if h.is_nanosecond_precision() {
                        1_000_000_000
                    } else {
                        1_000_000
                    },
                    offset_secs: i64::from(h.thiszone),
                    snaplen: h.snaplen,
                });
                Absorbed::Meta(len)
            }
            PcapBlockOwned::Legacy(_) => Absorbed::Packet(len),
            PcapBlockOwned::NG(Block::SectionHeader(shb)) => {
                self.pcapng_big_endian = Some(shb.big_endian());
                self.interface_base = self
                    .interface_base
                    .saturating_add(self.interfaces.len() as u32);
                self.interfaces.clear();
                self.stats.sections += 1;
                Absorbed::Meta(len)
            }
            PcapBlockOwned::NG(Block::InterfaceDescription(idb)) => {
                self.interfaces.push(Interface {
                    link: LinkType(idb.linktype.0 as u32),
                    // An invalid if_tsresol: fall back to the default (µs).
                    resolution: idb.ts_resolution().unwrap_or(1_000_000),
                    offset_secs: idb.ts_offset(),
                    snaplen: idb.snaplen,
                });
                Absorbed::Meta(len)
            }
            PcapBlockOwned::NG(Block::EnhancedPacket(epb)) => {
                if (epb.if_id as usize) < self.interfaces.len() {
                    Absorbed::Packet(len)
                } else {
                    Absorbed::Bad(len, "EPB for an undeclared interface")
                }
            }
            PcapBlockOwned::NG(Block::SimplePacket(_)) => {
                if self.interfaces.is_empty() {
                    Absorbed::Bad(len, "SPB before any interface")
                } else {
                    Absorbed::Packet(len)
                }
            }
            PcapBlockOwned::NG(Block::Unknown(u))
                if u.block_type == OPB_TYPE || u.block_type == OPB_TYPE.swap_bytes() =>
            {
                match opb_fields(u.block_type, u.data) {
                    Some(opb) if (opb.if_id as usize) < self.interfaces.len() => {
                        Absorbed::Packet(len)
                    }
                    _ => Absorbed::Bad(len, "OPB for an undeclared interface"),
                }
            }
            PcapBlockOwned::NG(other) => {
                if let Block::InterfaceStatistics(isb) = other {
                    self.capture_end = self.capture_end.max(isb_end(isb, &self.interfaces));
                }
                self.stats.other_blocks += 1;
                Absorbed::Meta(len)
            }
        }
    }
}

enum Absorbed {
    Packet(usize),
    Meta(usize),
    Bad(usize, &'static str),
}

enum Stop {
    End,
    Refill,
    Grow,
    ReadError,
    Truncated(String),
}

/// Reads the first bytes of a capture (decompressed, for gzip), checks
/// that they start a capture, and hands the source to pcap-parser.
fn open<R: Read + Send + 'static>(
    name: &str,
    mut source: Source<R>,
    error: &Mutex<Option<io::Error>>,
    gzip: bool,
) -> Result<Box<dyn PcapReaderIterator + Send>, CaptureError> {
    // Read the first bytes ourselves: pcap-parser needs a full header in
    // its first read, which a pipe need not deliver, and a bad start
    // should be quoted in the error message.
    let head = source.head(64).map_err(|e| read_error(name, error, e))?;
    let compressed = if gzip { " (gzip-compressed)" } else { "" };
    if head.is_empty() {
        return Err(CaptureError::Empty {
            file: format!("{name}{compressed}"),
        });
    }
    if !looks_like_capture(&head) {
        return Err(CaptureError::NotACapture {
            start: describe_start(&head),
            file: format!("{name}{compressed}"),
        });
    }
    match pcap_parser::create_reader(INITIAL_BUFFER, source) {
        Ok(r) => Ok(r),
        Err(PcapError::ReadError) => Err(read_error(name, error, io::Error::other("read failed"))),
        Err(_) => Err(CaptureError::NotACapture {
            start: "a capture header that is cut short or invalid".into(),
            file: format!("{name}{compressed}"),
        }),
    }
}

fn read_error(name: &str, slot: &Mutex<Option<io::Error>>, fallback: io::Error) -> CaptureError {
    let source = slot
        .lock()
        .ok()
        .and_then(|mut s| s.take())
        .unwrap_or(fallback);
    CaptureError::Read {
        file: name.to_owned(),
        source,
    }
}

/// The magic numbers of pcap (4 byte orders/resolutions, plus the modified
/// format) and the pcapng Section Header Block type.
fn looks_like_capture(head: &[u8]) -> bool {
    let Some(magic) = head.get(..4) else {
        return false;
    };
    matches!(
        magic,
        [0xd4, 0xc3, 0xb2, 0xa1]
            | [0xa1, 0xb2, 0xc3, 0xd4]
            | [0x4d, 0x3c, 0xb2, 0xa1]
            | [0xa1, 0xb2, 0x3c, 0x4d]
            | [0x34, 0xcd, 0xb2, 0xa1]
            | [0xa1, 0xb2, 0xcd, 0x34]
            | [0x0a, 0x0d, 0x0d, 0x0a]
    )
}

/// A short, printable description of the first bytes, to help the admin see
/// what they handed over (an .etl file, a text export, a zip...).
fn describe_start(head: &[u8]) -> String {
    let hex: Vec<String> = head.iter().take(8).map(|b| format!("{b:02x}")).collect();
    let text: String = head
        .iter()
        .take(16)
        .map(|&b| {
            if b.is_ascii_graphic() || b == b' ' {
                b as char
            } else {
                '.'
            }
        })
        .collect();
    format!("bytes {} \"{}\"", hex.join(" "), text)
}

fn describe_error(e: &PcapError<&[u8]>) -> String {
    match e {
        PcapError::NomError(_, kind) => format!("{kind:?}"),
        PcapError::OwnedNomError(_, kind) => format!("{kind:?}"),
        PcapError::HeaderNotRecognized => "header not recognized".into(),
        other => format!("{other:?}"),
    }
}

mod blocks;
mod gzip;
mod source;

use source::Source;
#[cfg(test)]
pub(crate) mod tests;
