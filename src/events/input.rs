//! Event sources in: `.evtx` files (the `evtx` crate), Windows event XML
//! (`wevtutil qe ... /f:xml`, `Get-WinEvent | ForEach-Object ToXml`) and the
//! XML of `netsh wfp show netevents`. The format is told by the content, not
//! the file name. This is the only part of `events` that touches files.
//!
//! Bounds (issue #14): an XML file is read whole up to [`MAX_XML_BYTES`]
//! (text as Windows writes it: UTF-8 or UTF-16 with or without BOM); an EVTX
//! file is read chunk by chunk (64 KiB each) up to [`MAX_EVTX_BYTES`]; at
//! most [`MAX_EVENTS`] relevant events and IKE failures are kept over all
//! inputs. Past a cap the command stops with a clear error (exit 2) saying
//! how to narrow the export, never with a partial answer.

use std::fs::File;
use std::io::{BufReader, Read, Seek};
use std::ops::ControlFlow;
use std::path::Path;

use serde::Serialize;

use super::model::WinEvent;
use super::wfp::{self, IkeFailure, NetEvent};
use super::xml::{self, XmlError};
use crate::text::{decode_text, read_capped};

/// Largest XML export read (32 MiB: about 20,000 events as wevtutil writes
/// them; with the decoded copy it keeps peak memory under 64 MB, issue 14).
pub const MAX_XML_BYTES: u64 = 32 << 20;
/// Largest EVTX file read (1 GiB; Windows' default Application log is 20 MiB).
pub const MAX_EVTX_BYTES: u64 = 1 << 30;
/// Most relevant events (RasClient, RemoteAccess, NPS) plus IKE failures kept.
pub const MAX_EVENTS: usize = 100_000;

/// The EVTX file signature ("ElfFile\0").
const EVTX_MAGIC: &[u8] = b"ElfFile\0";

/// What kind of input a file was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    Evtx,
    EventXml,
    WfpXml,
}

/// One input and what it held.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct SourceSummary {
    pub name: String,
    pub format: Format,
    /// Events (or net events) read.
    pub events: usize,
    /// Of those, kept for the diagnosis.
    pub relevant: usize,
    /// EVTX records that could not be read.
    pub records_skipped: usize,
    /// An EVTX file that ends inside a chunk or before the chunks its
    /// header counts: the events after the cut are missing.
    pub cut_short: Option<CutShort>,
}

/// Where an EVTX copy was cut: the file has `bytes`, its header and
/// chunks need `expected` (4,096 + 65,536 per chunk, libevtx's EVTX
/// format description §2-3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct CutShort {
    pub bytes: u64,
    pub expected: u64,
    /// Whole chunks present (the ones read).
    pub whole_chunks: u64,
}

/// Bytes of the EVTX file header and of each chunk.
const EVTX_HEADER_BYTES: u64 = 4096;
const EVTX_CHUNK_BYTES: u64 = 65536;

/// Whether an EVTX file of `size` bytes whose header (`header`, at least
/// its first 44 bytes) counts its chunks at offset 42 was cut short.
pub fn evtx_cut(size: u64, header: &[u8]) -> Option<CutShort> {
    let count = header
        .get(42..44)
        .map_or(0, |b| u64::from(u16::from_le_bytes([b[0], b[1]])));
    let body = size.saturating_sub(EVTX_HEADER_BYTES);
    let whole_chunks = body / EVTX_CHUNK_BYTES;
    let expected = EVTX_HEADER_BYTES + count.max(whole_chunks) * EVTX_CHUNK_BYTES;
    let partial = !body.is_multiple_of(EVTX_CHUNK_BYTES);
    (size < EVTX_HEADER_BYTES || partial || whole_chunks < count).then_some(CutShort {
        bytes: size,
        expected: if partial && whole_chunks >= count {
            expected + EVTX_CHUNK_BYTES
        } else {
            expected
        },
        whole_chunks,
    })
}

/// Everything read from all inputs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Collected {
    pub events: Vec<WinEvent>,
    pub ike_failures: Vec<IkeFailure>,
    pub sources: Vec<SourceSummary>,
    /// Net events of other types (classify drops, quick-mode failures...).
    pub other_net_events: usize,
    /// The first few reasons records were skipped (at most 5).
    pub skip_reasons: Vec<String>,
}

impl Collected {
    fn kept(&self) -> usize {
        self.events.len() + self.ike_failures.len()
    }

    pub fn records_skipped(&self) -> usize {
        self.sources.iter().map(|s| s.records_skipped).sum()
    }
}

/// Why an input could not be read. Messages quote at most 80 characters of it.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    #[error("cannot read {name}: {source}")]
    Open {
        name: String,
        source: std::io::Error,
    },
    #[error(
        "{name} is {size} bytes, over the {cap}-byte limit for {what}: export only the VPN events \
         of a shorter window, e.g. wevtutil qe Application /f:xml \
         /q:\"*[System[Provider[@Name='RasClient'] and TimeCreated[timediff(@SystemTime) <= 86400000]]]\""
    )]
    TooBig {
        name: String,
        size: u64,
        cap: u64,
        what: &'static str,
    },
    #[error(
        "{name} holds no Windows events: expected an .evtx file, event XML from wevtutil qe /f:xml \
         or Get-WinEvent | ForEach-Object ToXml, or netsh wfp show netevents XML (it starts `{start}`)"
    )]
    NotEvents { name: String, start: String },
    #[error("{name} is empty: export the events again (wevtutil epl, or wevtutil qe ... /f:xml)")]
    Empty { name: String },
    #[error("{name} is not well-formed event XML: {error}")]
    Xml { name: String, error: XmlError },
    #[error("{name} is {kind}, not an event export: {instead}")]
    OtherKind {
        name: String,
        kind: &'static str,
        instead: &'static str,
    },
    #[error("{name} is not a readable EVTX file: {reason}")]
    Evtx { name: String, reason: String },
    #[error(
        "more than {cap} VPN-related events in the inputs: give a shorter window (--since) or a smaller export"
    )]
    TooManyEvents { cap: usize },
}

/// Whether an event matters to the diagnosis: RasClient (client dials),
/// RemoteAccess (the RRAS server) and NPS (Security log 6272/6273).
pub fn relevant(e: &WinEvent) -> bool {
    let p = e.provider.as_str();
    p.eq_ignore_ascii_case("RasClient")
        || p.eq_ignore_ascii_case("RemoteAccess")
        || (p == "Microsoft-Windows-Security-Auditing" && matches!(e.id, 6272 | 6273))
}

/// Reads one file of any supported kind into `into`.
pub fn read_file(path: &Path, into: &mut Collected) -> Result<(), InputError> {
    let name = path.display().to_string();
    let open = |e| InputError::Open {
        name: name.clone(),
        source: e,
    };
    let mut file = File::open(path).map_err(open)?;
    let size = file.metadata().map_err(open)?.len();
    let mut magic = [0u8; 8];
    let n = read_up_to(&mut file, &mut magic).map_err(open)?;
    file.rewind().map_err(open)?;
    if &magic[..n] == EVTX_MAGIC {
        if size > MAX_EVTX_BYTES {
            return Err(InputError::TooBig {
                name,
                size,
                cap: MAX_EVTX_BYTES,
                what: "an EVTX file",
            });
        }
        let mut header = [0u8; 44];
        let n = read_up_to(&mut file, &mut header).map_err(open)?;
        file.rewind().map_err(open)?;
        let cut = evtx_cut(size, &header[..n]);
        if let Some(c) = cut
            && c.whole_chunks == 0
        {
            return Err(InputError::Evtx {
                name,
                reason: format!(
                    "it was cut short: {} bytes where its header and first chunk need {} (copy or export it again: wevtutil epl)",
                    c.bytes,
                    c.expected.min(EVTX_HEADER_BYTES + EVTX_CHUNK_BYTES)
                ),
            });
        }
        read_evtx(&name, BufReader::new(file), into)?;
        if let Some(last) = into.sources.last_mut() {
            last.cut_short = cut;
        }
        return Ok(());
    }
    if let Some((kind, instead)) = other_kind(&magic[..n]) {
        return Err(InputError::OtherKind {
            name,
            kind,
            instead,
        });
    }
    if size > MAX_XML_BYTES {
        return Err(InputError::TooBig {
            name,
            size,
            cap: MAX_XML_BYTES,
            what: "an XML export",
        });
    }
    // The shared capped reader (a file may still grow after the size check).
    let capped = read_capped(file, MAX_XML_BYTES).map_err(open)?;
    if capped.truncated {
        return Err(InputError::TooBig {
            name,
            size: MAX_XML_BYTES + 1,
            cap: MAX_XML_BYTES,
            what: "an XML export",
        });
    }
    let mut bytes = capped.bytes;
    if let Some((kind, instead)) = other_kind(&bytes) {
        return Err(InputError::OtherKind {
            name,
            kind,
            instead,
        });
    }
    // Plain UTF-8 (no NUL, so not UTF-16) is parsed in place, without a
    // second copy of a large export.
    if !bytes.iter().take(4096).any(|b| *b == 0) {
        match String::from_utf8(bytes) {
            Ok(text) => return read_xml(&name, text.trim_start_matches('\u{feff}'), into),
            Err(e) => bytes = e.into_bytes(),
        }
    }
    read_bytes(&name, &bytes, into)
}

/// What a file that is not text is, told by its first bytes (pcap:
/// libpcap's magic numbers; pcapng: the Section Header Block type
/// 0x0A0D0D0A; gzip: RFC 1952 §2.3.1), with what to do instead; any other
/// bytes that text never holds (control bytes, outside UTF-16) are
/// "binary data".
fn other_kind(bytes: &[u8]) -> Option<(&'static str, &'static str)> {
    const CAPTURE: &str = "read it with `aovpn-diag pcap`";
    let head = bytes.get(..4)?;
    match head {
        [0xd4, 0xc3, 0xb2, 0xa1]
        | [0xa1, 0xb2, 0xc3, 0xd4]
        | [0x4d, 0x3c, 0xb2, 0xa1]
        | [0xa1, 0xb2, 0x3c, 0x4d] => return Some(("a packet capture (pcap)", CAPTURE)),
        [0x0a, 0x0d, 0x0d, 0x0a] => return Some(("a packet capture (pcapng)", CAPTURE)),
        [0x1f, 0x8b, ..] => {
            return Some((
                "gzip-compressed",
                "decompress it first (gunzip), or if it is a capture read it with `aovpn-diag pcap`",
            ));
        }
        [b'P', b'K', 3, 4] => return Some(("a ZIP archive", "extract the export from it first")),
        _ => {}
    }
    let sample = bytes.get(..bytes.len().min(512)).unwrap_or_default();
    let utf16 = sample.starts_with(&[0xff, 0xfe])
        || sample.starts_with(&[0xfe, 0xff])
        || sample.iter().skip(1).step_by(2).take(64).all(|b| *b == 0);
    let control = |b: &u8| *b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r');
    (!utf16 && sample.iter().any(control)).then_some((
        "binary data",
        "give an .evtx file or event XML (wevtutil epl / wevtutil qe ... /f:xml)",
    ))
}

fn read_up_to(r: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

/// Reads one export from a stream (stdin: `wevtutil qe ... /f:xml |
/// aovpn-diag events -`), at most [`MAX_XML_BYTES`] of it.
pub fn read_stream(name: &str, r: impl Read, into: &mut Collected) -> Result<(), InputError> {
    let capped = read_capped(r, MAX_XML_BYTES).map_err(|source| InputError::Open {
        name: name.to_owned(),
        source,
    })?;
    if capped.truncated {
        return Err(InputError::TooBig {
            name: name.to_owned(),
            size: MAX_XML_BYTES + 1,
            cap: MAX_XML_BYTES,
            what: "stdin (give a larger EVTX file by path)",
        });
    }
    read_bytes(name, &capped.bytes, into)
}

/// Reads an input held in memory (an EVTX image or XML text), e.g. the
/// output of `wevtutil`, or a fuzzer's bytes.
pub fn read_bytes(name: &str, bytes: &[u8], into: &mut Collected) -> Result<(), InputError> {
    if bytes.starts_with(EVTX_MAGIC) {
        return read_evtx(name, std::io::Cursor::new(bytes), into);
    }
    if let Some((kind, instead)) = other_kind(bytes) {
        return Err(InputError::OtherKind {
            name: name.to_owned(),
            kind,
            instead,
        });
    }
    if bytes.len() as u64 > MAX_XML_BYTES {
        return Err(InputError::TooBig {
            name: name.to_owned(),
            size: bytes.len() as u64,
            cap: MAX_XML_BYTES,
            what: "an XML export",
        });
    }
    let (text, _) = decode_text(bytes);
    read_xml(name, &text, into)
}

/// Reads Windows event XML and WFP net-event XML (both may be in one text).
pub fn read_xml(name: &str, text: &str, into: &mut Collected) -> Result<(), InputError> {
    let mut summary = SourceSummary {
        name: name.to_owned(),
        format: Format::EventXml,
        events: 0,
        relevant: 0,
        records_skipped: 0,
        cut_short: None,
    };
    let (mut net, mut full) = (0usize, false);
    let result = xml::collect(
        text,
        |n, parent| n == "Event" || wfp::is_net_event(n, parent),
        |el| {
            if el.name == "Event" {
                summary.events += 1;
                if let Some(e) = WinEvent::from_element(&el).filter(relevant) {
                    summary.relevant += 1;
                    into.events.push(e);
                }
            } else {
                net += 1;
                match wfp::parse(&el) {
                    Some(NetEvent::MmFailure(f)) => {
                        summary.relevant += 1;
                        into.ike_failures.push(f);
                    }
                    Some(NetEvent::Other(_)) => into.other_net_events += 1,
                    None => {}
                }
            }
            full = into.kept() > MAX_EVENTS;
            if full {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        },
    );
    result.map_err(|error| InputError::Xml {
        name: name.to_owned(),
        error,
    })?;
    if full {
        return Err(InputError::TooManyEvents { cap: MAX_EVENTS });
    }
    if net > summary.events {
        summary.format = Format::WfpXml;
    }
    summary.events += net;
    if summary.events == 0 && text.trim().is_empty() {
        return Err(InputError::Empty {
            name: name.to_owned(),
        });
    }
    if summary.events == 0 {
        return Err(InputError::NotEvents {
            name: name.to_owned(),
            start: xml::short(text.trim_start(), 40),
        });
    }
    into.sources.push(summary);
    Ok(())
}

/// Reads an EVTX file record by record. A damaged record or chunk is
/// skipped and counted (the rest of the file is still read); a file whose
/// header cannot be read is an error.
pub fn read_evtx<R: Read + Seek>(
    name: &str,
    reader: R,
    into: &mut Collected,
) -> Result<(), InputError> {
    let settings = evtx::ParserSettings::new()
        .num_threads(1)
        .validate_checksums(false);
    let mut parser = evtx::EvtxParser::from_read_seek(reader)
        .map_err(|e| InputError::Evtx {
            name: name.to_owned(),
            reason: xml::short(&e.to_string(), 80),
        })?
        .with_configuration(settings);
    let mut summary = SourceSummary {
        name: name.to_owned(),
        format: Format::Evtx,
        events: 0,
        relevant: 0,
        records_skipped: 0,
        cut_short: None,
    };
    for record in parser.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                summary.records_skipped += 1;
                if into.skip_reasons.len() < 5 {
                    into.skip_reasons.push(xml::short(&e.to_string(), 80));
                }
                continue;
            }
        };
        summary.events += 1;
        let mut parsed = None;
        let read = xml::collect(
            &record.data,
            |n, _| n == "Event",
            |el| {
                parsed = WinEvent::from_element(&el);
                ControlFlow::Break(())
            },
        );
        match (read, parsed) {
            (Ok(_), Some(e)) => {
                if relevant(&e) {
                    summary.relevant += 1;
                    into.events.push(e);
                    if into.kept() > MAX_EVENTS {
                        return Err(InputError::TooManyEvents { cap: MAX_EVENTS });
                    }
                }
            }
            (Err(e), _) => {
                summary.records_skipped += 1;
                if into.skip_reasons.len() < 5 {
                    into.skip_reasons
                        .push(format!("record {}: {e}", record.event_record_id));
                }
            }
            (Ok(_), None) => summary.records_skipped += 1,
        }
    }
    if summary.events == 0 && summary.records_skipped > 0 {
        return Err(InputError::Evtx {
            name: name.to_owned(),
            reason: format!(
                "none of its {} records could be read ({})",
                summary.records_skipped,
                into.skip_reasons.first().map_or("", String::as_str)
            ),
        });
    }
    into.sources.push(summary);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const EVENT: &str = "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='RasClient'/><EventID Qualifiers='0'>20227</EventID><TimeCreated SystemTime='2026-11-30T09:00:00.000Z'/></System><EventData><Data>{B4000371-A67F-452F-AA4C-3125AA9CFC78}</Data><Data>u</Data><Data>P</Data><Data>809</Data></EventData></Event>";

    #[test]
    fn utf16_powershell_output_is_read() {
        let text = format!("{EVENT}\r\n{}", EVENT.replace("RasClient", "Other"));
        let bytes: Vec<u8> = [0xff, 0xfe]
            .into_iter()
            .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        let mut c = Collected::default();
        read_bytes("x.xml", &bytes, &mut c).unwrap();
        assert_eq!(c.events.len(), 1);
        assert_eq!(c.sources[0].events, 2);
        assert_eq!(c.sources[0].relevant, 1);
        assert_eq!(c.sources[0].format, Format::EventXml);
    }

    #[test]
    fn text_without_events_or_broken_xml_is_an_error() {
        let mut c = Collected::default();
        let e = read_bytes("a.txt", b"hello world", &mut c).unwrap_err();
        assert!(matches!(e, InputError::NotEvents { .. }), "{e}");
        assert!(e.to_string().contains("hello world"));
        let e = read_bytes("b.xml", &EVENT.as_bytes()[..100], &mut c).unwrap_err();
        assert!(matches!(e, InputError::Xml { .. }), "{e}");
        let long = format!("{}{}", "x".repeat(10_000), "<Event>");
        let msg = read_bytes("c.xml", long.as_bytes(), &mut c)
            .unwrap_err()
            .to_string();
        assert!(msg.len() < 600, "{msg}");
    }

    #[test]
    fn a_broken_evtx_header_is_an_error_not_a_panic() {
        let mut bytes = b"ElfFile\0".to_vec();
        bytes.extend([0xff; 200]);
        let mut c = Collected::default();
        let e = read_bytes("x.evtx", &bytes, &mut c).unwrap_err();
        assert!(matches!(e, InputError::Evtx { .. }), "{e}");
    }

    #[test]
    fn the_event_cap_stops_with_an_error() {
        let text = EVENT.repeat(MAX_EVENTS + 2);
        let mut c = Collected::default();
        let e = read_xml("big.xml", &text, &mut c).unwrap_err();
        assert!(matches!(e, InputError::TooManyEvents { .. }), "{e}");
    }
}
