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

use std::io::{self, Read};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use pcap_parser::traits::PcapReaderIterator;
use pcap_parser::{Block, PcapBlockOwned, PcapError};

use super::{LinkType, Packet, PacketRef, SamePacketMark, Timestamp, block_guard};

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

/// Wraps the byte source to keep what pcap-parser throws away (the real
/// `io::Error`), to count bytes for progress reporting, and to fill every
/// read completely (until EOF): pcap-parser parses the file header from its
/// first read alone, and a pipe or a replayed head may deliver less.
struct Source<R> {
    head: io::Cursor<Vec<u8>>,
    inner: R,
    bytes: Arc<AtomicU64>,
    error: Arc<Mutex<Option<io::Error>>>,
}

impl<R: Read> Source<R> {
    fn read_some(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.head.read(buf)?;
        if n > 0 {
            return Ok(n);
        }
        loop {
            match self.inner.read(buf) {
                Ok(n) => {
                    self.bytes.fetch_add(n as u64, Ordering::Relaxed);
                    return Ok(n);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    let copy = io::Error::new(e.kind(), e.to_string());
                    if let Ok(mut slot) = self.error.lock() {
                        *slot = Some(e);
                    }
                    return Err(copy);
                }
            }
        }
    }
}

impl<R: Read> Read for Source<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let mut filled = 0;
        while filled < buf.len() {
            let n = self.read_some(buf.get_mut(filled..).unwrap_or_default())?;
            if n == 0 {
                break;
            }
            filled += n;
        }
        Ok(filled)
    }
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
        // Read the first bytes ourselves: pcap-parser needs a full header in
        // its first read, which a pipe need not deliver, and a bad start
        // should be quoted in the error message.
        let mut source = Source {
            head: io::Cursor::new(Vec::new()),
            inner: source,
            bytes: bytes.clone(),
            error: error.clone(),
        };
        let mut head = vec![0u8; 64];
        let got = source
            .read(&mut head)
            .map_err(|e| read_error(&name, &error, e))?;
        head.truncate(got);
        if head.is_empty() {
            return Err(CaptureError::Empty { file: name });
        }
        if !looks_like_capture(&head) {
            return Err(CaptureError::NotACapture {
                start: describe_start(&head),
                file: name,
            });
        }
        source.head = io::Cursor::new(head);
        let inner = match pcap_parser::create_reader(INITIAL_BUFFER, source) {
            Ok(r) => r,
            Err(PcapError::ReadError) => {
                let e = error
                    .lock()
                    .ok()
                    .and_then(|mut s| s.take())
                    .unwrap_or_else(|| io::Error::other("read failed"));
                return Err(CaptureError::Read {
                    file: name,
                    source: e,
                });
            }
            Err(_) => {
                return Err(CaptureError::NotACapture {
                    start: "a capture header that is cut short or invalid".into(),
                    file: name,
                });
            }
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
        })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// Bytes read from the source so far (for progress bars).
    pub fn bytes_read(&self) -> u64 {
        self.bytes.load(Ordering::Relaxed)
    }

    /// A shared counter of bytes read, readable from another thread.
    pub fn bytes_counter(&self) -> Arc<AtomicU64> {
        self.bytes.clone()
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
                Err(Stop::End) => return Ok(Step::End),
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
                    self.stop(reason);
                    return Ok(Step::End);
                }
            }
        }
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
            PcapBlockOwned::NG(_) => {
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

/// What [`packet_of`] takes out of a packet block.
struct Framed<'a> {
    link: LinkType,
    ts: Timestamp,
    interface: u32,
    mark: Option<SamePacketMark>,
    data: &'a [u8],
    orig_len: u32,
}

/// pcapng option codes in an EPB (draft-ietf-opsawg-pcapng §4.3.1).
const OPT_COMMENT: u16 = 1;
const OPT_EPB_PACKETID: u16 = 5;

/// The same-packet mark of an EPB: `epb_packetid` if present, else pktmon's
/// metadata line in a comment. `be`: the section is big-endian.
fn epb_mark(options: &[pcap_parser::PcapNGOption<'_>], be: bool) -> Option<SamePacketMark> {
    let mut from_comment = None;
    for o in options {
        match o.code.0 {
            OPT_EPB_PACKETID => {
                let b: [u8; 8] = o.as_bytes().ok()?.try_into().ok()?;
                let id = if be {
                    u64::from_be_bytes(b)
                } else {
                    u64::from_le_bytes(b)
                };
                return Some(SamePacketMark::PacketId(id));
            }
            OPT_COMMENT if from_comment.is_none() => {
                from_comment = o.as_str().ok().and_then(pktmon_comment);
            }
            _ => {}
        }
    }
    from_comment
}

/// pktmon's per-snapshot metadata as its text output and comments write it:
/// `PktGroupId 562949953421500, PktNumber 1, Appearance 2, Direction Tx ,
/// Type Ethernet , Component 31, ...` (the structure's field is PktCount in
/// the API, PktNumber in the text). `None` unless both numbers are there.
pub(crate) fn pktmon_comment(text: &str) -> Option<SamePacketMark> {
    let number_after = |key: &str| -> Option<u64> {
        let rest = &text[text.find(key)? + key.len()..];
        let digits: String = rest
            .trim_start()
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        digits.parse().ok()
    };
    let group = number_after("PktGroupId")?;
    let number = number_after("PktNumber").or_else(|| number_after("PktCount"))?;
    Some(SamePacketMark::Pktmon {
        group,
        number: u32::try_from(number).ok()?,
    })
}

/// The packet inside a block whose interface `absorb` already checked.
/// Takes the block by value so the packet bytes keep the buffer's lifetime.
fn packet_of<'a>(
    block: PcapBlockOwned<'a>,
    interfaces: &[Interface],
    legacy: Option<&Interface>,
    last_ts: Timestamp,
) -> Option<Framed<'a>> {
    match block {
        PcapBlockOwned::Legacy(b) => {
            let iface = legacy?;
            let frac = i64::from(b.ts_usec);
            let nanos = if iface.resolution == 1_000_000_000 {
                frac
            } else {
                frac.saturating_mul(1000)
            };
            let secs = i64::from(b.ts_sec).saturating_add(iface.offset_secs);
            let data = b.data.get(..b.caplen as usize).unwrap_or(b.data);
            Some(Framed {
                link: iface.link,
                ts: Timestamp::from_secs_nanos(secs, nanos),
                interface: 0,
                mark: None,
                data,
                orig_len: b.origlen,
            })
        }
        PcapBlockOwned::NG(Block::EnhancedPacket(epb)) => {
            let iface = interfaces.get(epb.if_id as usize)?;
            let raw = (u64::from(epb.ts_high) << 32) | u64::from(epb.ts_low);
            let mark = if epb.options.is_empty() {
                None
            } else {
                epb_mark(&epb.options, epb.block_type != 0x0000_0006)
            };
            // `data` includes the 32-bit padding; caplen says what is real.
            let data = epb.data.get(..epb.caplen as usize).unwrap_or(epb.data);
            Some(Framed {
                link: iface.link,
                ts: iface.ts(raw),
                interface: epb.if_id,
                mark,
                data,
                orig_len: epb.origlen,
            })
        }
        PcapBlockOwned::NG(Block::SimplePacket(spb)) => {
            let iface = interfaces.first()?;
            // SPB has no caplen: the packet is min(original length, block
            // data, snap length) bytes.
            let mut len = (spb.origlen as usize).min(spb.data.len());
            if iface.snaplen > 0 {
                len = len.min(iface.snaplen as usize);
            }
            let data = spb.data.get(..len).unwrap_or(spb.data);
            // SPB carries no timestamp: keep the previous one so time order holds.
            Some(Framed {
                link: iface.link,
                ts: last_ts,
                interface: 0,
                mark: None,
                data,
                orig_len: spb.origlen,
            })
        }
        PcapBlockOwned::NG(Block::Unknown(u)) => {
            let opb = opb_fields(u.block_type, u.data)?;
            let iface = interfaces.get(opb.if_id as usize)?;
            Some(Framed {
                link: iface.link,
                ts: iface.ts(opb.ts),
                interface: u32::from(opb.if_id),
                mark: None,
                data: opb.data,
                orig_len: opb.orig_len,
            })
        }
        _ => None,
    }
}

struct Opb<'a> {
    if_id: u16,
    ts: u64,
    orig_len: u32,
    data: &'a [u8],
}

/// Obsolete Packet Block body: interface (2), drops (2), timestamp high (4),
/// low (4), captured length (4), packet length (4), data
/// (draft-ietf-opsawg-pcapng Appendix A "Packet Block"). pcap-parser gives the
/// body after the 8-byte block header, block type as read little-endian.
fn opb_fields(block_type: u32, body: &[u8]) -> Option<Opb<'_>> {
    let be = block_type != OPB_TYPE;
    let u16_at = |o: usize| -> Option<u16> {
        let b: [u8; 2] = body.get(o..o + 2)?.try_into().ok()?;
        Some(if be {
            u16::from_be_bytes(b)
        } else {
            u16::from_le_bytes(b)
        })
    };
    let u32_at = |o: usize| -> Option<u32> {
        let b: [u8; 4] = body.get(o..o + 4)?.try_into().ok()?;
        Some(if be {
            u32::from_be_bytes(b)
        } else {
            u32::from_le_bytes(b)
        })
    };
    let if_id = u16_at(0)?;
    let ts = (u64::from(u32_at(4)?) << 32) | u64::from(u32_at(8)?);
    let caplen = u32_at(12)? as usize;
    let orig_len = u32_at(16)?;
    let data = body.get(20..20usize.checked_add(caplen)?)?;
    Some(Opb {
        if_id,
        ts,
        orig_len,
        data,
    })
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

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Builds a classic pcap file: `be` selects byte order, `nanos` the magic.
    pub fn pcap_file(link: u32, be: bool, nanos: bool, packets: &[(u32, u32, &[u8])]) -> Vec<u8> {
        let w32 = |v: u32| if be { v.to_be_bytes() } else { v.to_le_bytes() };
        let w16 = |v: u16| if be { v.to_be_bytes() } else { v.to_le_bytes() };
        let mut f = Vec::new();
        f.extend(w32(if nanos { 0xa1b2_3c4d } else { 0xa1b2_c3d4 }));
        f.extend(w16(2));
        f.extend(w16(4));
        f.extend(w32(0));
        f.extend(w32(0));
        f.extend(w32(65535));
        f.extend(w32(link));
        for (sec, frac, data) in packets {
            f.extend(w32(*sec));
            f.extend(w32(*frac));
            f.extend(w32(data.len() as u32));
            f.extend(w32(data.len() as u32));
            f.extend_from_slice(data);
        }
        f
    }

    fn block(kind: u32, body: &[u8]) -> Vec<u8> {
        let mut body = body.to_vec();
        while !body.len().is_multiple_of(4) {
            body.push(0);
        }
        let len = (body.len() + 12) as u32;
        let mut b = Vec::new();
        b.extend(kind.to_le_bytes());
        b.extend(len.to_le_bytes());
        b.extend(body);
        b.extend(len.to_le_bytes());
        b
    }

    pub fn shb() -> Vec<u8> {
        let mut body = Vec::new();
        body.extend(0x1a2b_3c4du32.to_le_bytes());
        body.extend(1u16.to_le_bytes());
        body.extend(0u16.to_le_bytes());
        body.extend((-1i64).to_le_bytes());
        block(0x0a0d_0d0a, &body)
    }

    /// IDB with an optional if_tsresol option.
    pub fn idb(link: u16, tsresol: Option<u8>) -> Vec<u8> {
        let mut body = Vec::new();
        body.extend(link.to_le_bytes());
        body.extend(0u16.to_le_bytes());
        body.extend(0u32.to_le_bytes());
        if let Some(r) = tsresol {
            body.extend(9u16.to_le_bytes());
            body.extend(1u16.to_le_bytes());
            body.extend([r, 0, 0, 0]);
            body.extend(0u32.to_le_bytes());
        }
        block(1, &body)
    }

    pub fn epb(if_id: u32, ts: u64, data: &[u8]) -> Vec<u8> {
        let mut body = Vec::new();
        body.extend(if_id.to_le_bytes());
        body.extend(((ts >> 32) as u32).to_le_bytes());
        body.extend((ts as u32).to_le_bytes());
        body.extend((data.len() as u32).to_le_bytes());
        body.extend((data.len() as u32).to_le_bytes());
        body.extend_from_slice(data);
        block(6, &body)
    }

    fn spb(data: &[u8]) -> Vec<u8> {
        let mut body = Vec::new();
        body.extend((data.len() as u32).to_le_bytes());
        body.extend_from_slice(data);
        block(3, &body)
    }

    fn opb(if_id: u16, ts: u64, data: &[u8]) -> Vec<u8> {
        let mut body = Vec::new();
        body.extend(if_id.to_le_bytes());
        body.extend(0u16.to_le_bytes());
        body.extend(((ts >> 32) as u32).to_le_bytes());
        body.extend((ts as u32).to_le_bytes());
        body.extend((data.len() as u32).to_le_bytes());
        body.extend((data.len() as u32).to_le_bytes());
        body.extend_from_slice(data);
        block(OPB_TYPE, &body)
    }

    /// (frame, nanoseconds, link type, bytes) per packet.
    type Frame = (u64, i64, u32, Vec<u8>);

    fn read_all(bytes: Vec<u8>) -> (Vec<Frame>, Option<Truncation>) {
        let mut r = CaptureReader::new("test", 0, io::Cursor::new(bytes)).unwrap();
        let mut out = Vec::new();
        while let Some(p) = r.peek().unwrap() {
            out.push((p.at.frame, p.ts.0, p.link.0, p.data.to_vec()));
            r.advance();
        }
        (out, r.truncation().cloned())
    }

    #[test]
    fn pcap_all_byte_orders_and_resolutions() {
        for be in [false, true] {
            for nanos in [false, true] {
                let f = pcap_file(1, be, nanos, &[(10, 5, b"abc"), (11, 7, b"defg")]);
                let (pk, trunc) = read_all(f);
                assert_eq!(trunc, None);
                assert_eq!(pk.len(), 2);
                let mult = if nanos { 1 } else { 1000 };
                assert_eq!(pk[0], (1, 10_000_000_000 + 5 * mult, 1, b"abc".to_vec()));
                assert_eq!(pk[1].0, 2);
                assert_eq!(pk[1].3, b"defg");
            }
        }
    }

    #[test]
    fn pcapng_sections_interfaces_and_block_kinds() {
        let mut f = shb();
        f.extend(idb(1, None)); // µs
        f.extend(idb(101, Some(9))); // ns, raw IP
        f.extend(epb(0, 1_500_000, b"eth"));
        f.extend(epb(1, 2_000_000_001, b"raw"));
        f.extend(spb(b"simple"));
        f.extend(opb(1, 3_000_000_000, b"old"));
        // A second section resets the interfaces.
        f.extend(shb());
        f.extend(idb(113, None));
        f.extend(epb(0, 4_000_000, b"sll"));
        let (pk, trunc) = read_all(f);
        assert_eq!(trunc, None);
        let summary: Vec<(u64, i64, u32, &[u8])> = pk
            .iter()
            .map(|(n, t, l, d)| (*n, *t, *l, d.as_slice()))
            .collect();
        assert_eq!(
            summary,
            vec![
                (1, 1_500_000_000, 1, &b"eth"[..]),
                (2, 2_000_000_001, 101, &b"raw"[..]),
                (3, 2_000_000_001, 1, &b"simple"[..]),
                (4, 3_000_000_000, 101, &b"old"[..]),
                (5, 4_000_000_000, 113, &b"sll"[..]),
            ]
        );
    }

    /// etl2pcapng's pktmon output: EPB options epb_flags (2), epb_packetid
    /// (5, pktmon's PktGroupId) and a comment; interfaces numbered across
    /// sections.
    #[test]
    fn epb_packetid_and_pktmon_comment_become_marks() {
        let epb_opts = |if_id: u32, data: &[u8], opts: &[(u16, Vec<u8>)]| {
            let mut body = Vec::new();
            body.extend(if_id.to_le_bytes());
            body.extend(0u32.to_le_bytes());
            body.extend(1u32.to_le_bytes());
            body.extend((data.len() as u32).to_le_bytes());
            body.extend((data.len() as u32).to_le_bytes());
            body.extend_from_slice(data);
            while body.len() % 4 != 0 {
                body.push(0);
            }
            for (code, v) in opts {
                body.extend(code.to_le_bytes());
                body.extend((v.len() as u16).to_le_bytes());
                body.extend(v);
                while body.len() % 4 != 0 {
                    body.push(0);
                }
            }
            body.extend([0, 0, 0, 0]);
            block(6, &body)
        };
        let mut f = shb();
        f.extend(idb(1, None));
        f.extend(idb(1, None));
        f.extend(epb_opts(
            1,
            b"pkt",
            &[
                (2, 2u32.to_le_bytes().to_vec()),
                (5, 562_949_953_421_500u64.to_le_bytes().to_vec()),
            ],
        ));
        let comment = b"PktGroupId 1688849860264106, PktNumber 1, Appearance 2, Direction Rx , Type Ethernet , Component 32, Edge 1, Filter 1, OriginalSize 66, LoggedSize 66";
        f.extend(epb_opts(0, b"pkt", &[(1, comment.to_vec())]));
        f.extend(shb());
        f.extend(idb(1, None));
        f.extend(epb_opts(0, b"pkt", &[]));
        let mut r = CaptureReader::new("t", 0, io::Cursor::new(f)).unwrap();
        let mut got = Vec::new();
        while let Some(p) = r.peek().unwrap() {
            got.push((p.interface, p.mark));
            r.advance();
        }
        assert_eq!(
            got,
            vec![
                (1, Some(SamePacketMark::PacketId(562_949_953_421_500))),
                (
                    0,
                    Some(SamePacketMark::Pktmon {
                        group: 1_688_849_860_264_106,
                        number: 1
                    })
                ),
                (2, None),
            ]
        );
        assert_eq!(pktmon_comment("PID=4 TID=8"), None);
    }

    #[test]
    fn section_header_with_long_options_is_read() {
        // editcap/dumpcap write shb_hardware, shb_os and shb_userappl: the SHB
        // is longer than the 64 bytes sniffed for the magic.
        let mut body = Vec::new();
        body.extend(0x1a2b_3c4du32.to_le_bytes());
        body.extend(1u16.to_le_bytes());
        body.extend(0u16.to_le_bytes());
        body.extend((-1i64).to_le_bytes());
        for (code, text) in [
            (2u16, "x86_64 test hardware"),
            (3, "Linux 6.1 test os"),
            (4, "Dumpcap (Wireshark) 4.0.17 test"),
        ] {
            body.extend(code.to_le_bytes());
            body.extend((text.len() as u16).to_le_bytes());
            body.extend(text.as_bytes());
            while body.len() % 4 != 0 {
                body.push(0);
            }
        }
        body.extend([0, 0, 0, 0]);
        let mut f = block(0x0a0d_0d0a, &body);
        assert!(f.len() > 64);
        f.extend(idb(1, None));
        f.extend(epb(0, 7, b"pkt"));
        let (pk, trunc) = read_all(f.clone());
        assert_eq!((pk.len(), trunc), (1, None));
        // Also through a pipe that delivers one byte per read.
        let mut r = CaptureReader::new("pipe", 0, Dribble(io::Cursor::new(f))).unwrap();
        assert_eq!(r.peek().unwrap().unwrap().data, b"pkt");
    }

    #[test]
    fn epb_for_undeclared_interface_is_skipped_and_counted() {
        let mut f = shb();
        f.extend(idb(1, None));
        f.extend(epb(3, 1, b"x"));
        f.extend(epb(0, 1, b"y"));
        let mut r = CaptureReader::new("t", 0, io::Cursor::new(f)).unwrap();
        let p = r.peek().unwrap().unwrap();
        assert_eq!(p.data, b"y");
        assert_eq!(p.at.frame, 1);
        r.advance();
        assert!(r.peek().unwrap().is_none());
        assert_eq!(r.stats().unknown_interface, 1);
    }

    #[test]
    fn truncated_file_yields_packets_then_a_truncation() {
        for f in [
            pcap_file(
                1,
                false,
                false,
                &[(1, 0, b"first"), (2, 0, b"second packet")],
            ),
            {
                let mut f = shb();
                f.extend(idb(1, None));
                f.extend(epb(0, 1, b"first"));
                f.extend(epb(0, 2, b"second packet"));
                f
            },
        ] {
            let cut = f.len() - 5;
            let (pk, trunc) = read_all(f[..cut].to_vec());
            assert_eq!(pk.len(), 1);
            let t = trunc.expect("truncation reported");
            assert_eq!(t.frames_read, 1);
            assert!(t.reason.contains("ends in the middle"), "{}", t.reason);
        }
    }

    /// The 44-byte file of issue 14: an SHB, then a Process Information
    /// Block claiming 8 bytes. pcap-parser 0.17 subtracts past zero on it.
    #[test]
    fn undersized_block_stops_with_truncation_not_a_panic() {
        let f = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/edge-pib-short.pcapng"
        ))
        .unwrap();
        assert_eq!(f.len(), 44);
        let (pk, trunc) = read_all(f);
        assert!(pk.is_empty());
        let t = trunc.expect("truncation reported");
        assert_eq!((t.offset, t.frames_read), (28, 0));
        assert!(t.reason.contains("0x80000001"), "{}", t.reason);
        // The same block after a packet, for every length below 16.
        for len in [0u32, 4, 8, 11, 12, 15] {
            let mut f = shb();
            f.extend(idb(1, None));
            f.extend(epb(0, 1, b"kept"));
            f.extend(0x8000_0001u32.to_le_bytes());
            f.extend(len.to_le_bytes());
            f.extend([0u8; 24]);
            let (pk, trunc) = read_all(f);
            assert_eq!(pk.len(), 1, "len {len}");
            assert!(trunc.unwrap().reason.contains("claims"), "len {len}");
        }
    }

    #[test]
    fn block_fields_overrunning_the_block_stop_at_once() {
        // An EPB whose captured length (1000) exceeds its block (36 bytes),
        // followed by plenty of data: corruption, not a reason to read on.
        let mut f = shb();
        f.extend(idb(1, None));
        let mut bad = epb(0, 1, b"abcd");
        bad[20..24].copy_from_slice(&1000u32.to_le_bytes());
        f.extend(bad);
        f.extend(vec![0u8; 4 << 20]);
        let (pk, trunc) = read_all(f);
        assert!(pk.is_empty());
        let t = trunc.expect("truncation reported");
        assert!(t.reason.contains("overrun"), "{}", t.reason);
    }

    #[test]
    fn peek_is_idempotent_until_advance() {
        let f = pcap_file(1, false, false, &[(1, 0, b"a"), (2, 0, b"b")]);
        let mut r = CaptureReader::new("t", 2, io::Cursor::new(f)).unwrap();
        assert_eq!(r.peek().unwrap().unwrap().data, b"a");
        let p = r.peek().unwrap().unwrap();
        assert_eq!((p.data, p.at.frame, p.at.file), (&b"a"[..], 1, 2));
        r.advance();
        assert_eq!(r.peek().unwrap().unwrap().at.frame, 2);
    }

    #[test]
    fn not_a_capture_and_empty_are_typed_errors() {
        let e = CaptureReader::new(
            "x.txt",
            0,
            io::Cursor::new(b"hello world, not pcap".to_vec()),
        );
        assert!(matches!(e, Err(CaptureError::NotACapture { .. })));
        let msg = e.err().unwrap().to_string();
        assert!(msg.contains("x.txt") && msg.contains("68 65 6c"), "{msg}");
        let e = CaptureReader::new("e", 0, io::Cursor::new(Vec::new()));
        assert!(matches!(e, Err(CaptureError::Empty { .. })));
        // Right magic, header cut short.
        let e = CaptureReader::new("s", 0, io::Cursor::new(vec![0xd4, 0xc3, 0xb2, 0xa1, 2]));
        assert!(matches!(e, Err(CaptureError::NotACapture { .. })));
    }

    #[test]
    fn a_huge_record_claim_stops_with_truncation_not_oom() {
        let mut f = pcap_file(1, false, false, &[(1, 0, b"ok")]);
        // Record header claiming 1 GiB.
        f.extend(1u32.to_le_bytes());
        f.extend(0u32.to_le_bytes());
        f.extend((1u32 << 30).to_le_bytes());
        f.extend((1u32 << 30).to_le_bytes());
        f.extend([0u8; 100]);
        let (pk, trunc) = read_all(f);
        assert_eq!(pk.len(), 1);
        assert!(trunc.is_some());
    }

    /// A reader that returns one byte per call, like a slow pipe.
    struct Dribble(io::Cursor<Vec<u8>>);
    impl Read for Dribble {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = buf.len().min(1);
            self.0.read(&mut buf[..n])
        }
    }

    #[test]
    fn short_reads_from_a_pipe_are_fine() {
        let f = pcap_file(1, false, false, &[(1, 0, b"first"), (2, 0, b"second")]);
        let mut r = CaptureReader::new("pipe", 0, Dribble(io::Cursor::new(f))).unwrap();
        let mut n = 0;
        while let Some(_p) = r.peek().unwrap() {
            n += 1;
            r.advance();
        }
        assert_eq!(n, 2);
        assert!(r.truncation().is_none());
    }

    proptest::proptest! {
        #[test]
        fn never_panics_on_garbage_after_a_valid_header(tail in proptest::collection::vec(0u8..=255, 0..600), ng in proptest::bool::ANY) {
            let mut f = if ng { let mut f = shb(); f.extend(idb(1, None)); f } else { pcap_file(1, false, false, &[]) };
            f.extend(tail);
            if let Ok(mut r) = CaptureReader::new("p", 0, io::Cursor::new(f)) {
                let mut guard = 0;
                while let Ok(Some(_)) = r.peek() {
                    r.advance();
                    guard += 1;
                    proptest::prop_assert!(guard < 1000);
                }
            }
        }
    }
}
