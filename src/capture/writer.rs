//! Writes what a live capture saw as a pcapng file (draft-ietf-opsawg-pcapng)
//! that `aovpn-diag pcap`, Wireshark and tcpdump read back: one Section
//! Header Block, one Interface Description Block (link type, snap length,
//! interface name, microsecond timestamps), one Enhanced Packet Block per
//! frame, and at the end an Interface Statistics Block whose `isb_endtime`
//! says when the capture stopped (so a re-analysis knows how long the
//! capture ran after the last packet) and how many packets the capture
//! dropped. Blocks are encoded by pcap-parser's `serialize` feature.
//!
//! Streaming: each frame goes straight to the writer; nothing is kept.

#![forbid(unsafe_code)]

use std::borrow::Cow;
use std::io::{self, Write};

use pcap_parser::pcapng::{
    EnhancedPacketBlock, InterfaceDescriptionBlock, InterfaceStatisticsBlock, OptionCode,
    PcapNGOption, SectionHeaderBlock,
};
use pcap_parser::{Linktype, ToVec};

use super::{LinkType, Timestamp};

/// Timestamp units per second in the files written here (`if_tsresol` 6).
const MICROS: i64 = 1_000_000;

/// A pcapng file being written.
pub struct PcapngWriter<W: Write> {
    out: W,
    frames: u64,
}

/// What the end-of-capture statistics block records.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EndOfCapture {
    /// When the capture stopped.
    pub end: Timestamp,
    /// Packets the interface received (`isb_ifrecv`), when known.
    pub received: Option<u64>,
    /// Packets dropped for lack of buffer space (`isb_osdrop`), when known.
    pub dropped: Option<u64>,
}

fn option(code: OptionCode, value: Vec<u8>) -> PcapNGOption<'static> {
    PcapNGOption {
        code,
        len: value.len() as u16,
        value: Cow::Owned(value),
    }
}

/// `ts` in microseconds since the epoch, split as pcapng stores it.
fn split(ts: Timestamp) -> (u32, u32) {
    let micros = u64::try_from(ts.0.max(0) / (Timestamp::NANOS_PER_SEC / MICROS)).unwrap_or(0);
    ((micros >> 32) as u32, micros as u32)
}

fn encode(block: &mut dyn ToVec) -> io::Result<Vec<u8>> {
    block
        .to_vec()
        .map_err(|e| io::Error::other(format!("cannot encode a pcapng block: {e:?}")))
}

impl<W: Write> PcapngWriter<W> {
    /// Starts a file: section header (naming this program) and the one
    /// interface, `interface` by name, with link type `link`.
    pub fn new(mut out: W, link: LinkType, snaplen: u32, interface: &str) -> io::Result<Self> {
        let mut shb = SectionHeaderBlock {
            block_type: 0,
            block_len1: 0,
            bom: 0,
            major_version: 1,
            minor_version: 0,
            section_len: -1,
            options: vec![option(
                OptionCode::ShbUserAppl,
                format!("aovpn-diag {}", env!("CARGO_PKG_VERSION")).into_bytes(),
            )],
            block_len2: 0,
        };
        out.write_all(&encode(&mut shb)?)?;
        let mut idb = InterfaceDescriptionBlock {
            block_type: 0,
            block_len1: 0,
            linktype: Linktype(link.0 as i32),
            reserved: 0,
            snaplen,
            options: vec![
                option(OptionCode::IfName, interface.as_bytes().to_vec()),
                option(OptionCode::IfTsresol, vec![6]),
            ],
            block_len2: 0,
            if_tsresol: 6,
            if_tsoffset: 0,
        };
        out.write_all(&encode(&mut idb)?)?;
        Ok(PcapngWriter { out, frames: 0 })
    }

    /// Appends one frame: `data` as captured, `orig_len` its length on the wire.
    pub fn write(&mut self, ts: Timestamp, data: &[u8], orig_len: u32) -> io::Result<()> {
        let (ts_high, ts_low) = split(ts);
        let mut epb = EnhancedPacketBlock {
            block_type: 0,
            block_len1: 0,
            if_id: 0,
            ts_high,
            ts_low,
            caplen: data.len() as u32,
            origlen: orig_len.max(data.len() as u32),
            data,
            options: Vec::new(),
            block_len2: 0,
        };
        self.out.write_all(&encode(&mut epb)?)?;
        self.frames += 1;
        Ok(())
    }

    /// Frames written so far.
    pub fn frames(&self) -> u64 {
        self.frames
    }

    /// Pushes what was written so far to the file (a capture stopped hard
    /// still leaves a readable file up to here).
    pub fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }

    /// Ends the file with the statistics block and flushes it.
    pub fn finish(mut self, end: EndOfCapture) -> io::Result<W> {
        let (ts_high, ts_low) = split(end.end);
        let mut endtime = ts_high.to_le_bytes().to_vec();
        endtime.extend(ts_low.to_le_bytes());
        let mut options = vec![option(OptionCode::IsbEndTime, endtime)];
        if let Some(n) = end.received {
            options.push(option(OptionCode::IsbIfRecv, n.to_le_bytes().to_vec()));
        }
        if let Some(n) = end.dropped {
            options.push(option(OptionCode::IsbOsDrop, n.to_le_bytes().to_vec()));
        }
        let mut isb = InterfaceStatisticsBlock {
            block_type: 0,
            block_len1: 0,
            if_id: 0,
            ts_high,
            ts_low,
            options,
            block_len2: 0,
        };
        self.out.write_all(&encode(&mut isb)?)?;
        self.out.flush()?;
        Ok(self.out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capture::CaptureReader;

    fn ts(secs: i64, micros: i64) -> Timestamp {
        Timestamp::from_secs_nanos(secs, micros * 1000)
    }

    #[test]
    fn what_is_written_reads_back_frame_for_frame() {
        let mut w = PcapngWriter::new(Vec::new(), LinkType::ETHERNET, 65535, "aovd-cr").unwrap();
        let frames: Vec<(Timestamp, Vec<u8>, u32)> = vec![
            (ts(1_700_000_000, 16), vec![1, 2, 3, 4, 5, 6, 7], 7),
            (ts(1_700_000_001, 999_999), vec![0xaa; 1514], 1514),
            (ts(1_700_000_002, 0), vec![0x55; 96], 1500),
        ];
        for (t, d, l) in &frames {
            w.write(*t, d, *l).unwrap();
        }
        assert_eq!(w.frames(), 3);
        let end = ts(1_700_000_012, 500_000);
        let bytes = w
            .finish(EndOfCapture {
                end,
                received: Some(40),
                dropped: Some(0),
            })
            .unwrap();
        assert_eq!(bytes.len() % 4, 0, "pcapng blocks are 32-bit aligned");

        let mut r = CaptureReader::new("out.pcapng", 0, std::io::Cursor::new(bytes)).unwrap();
        let mut n = 0;
        while let Some(p) = r.peek().unwrap() {
            let (t, d, l) = &frames[n];
            assert_eq!(p.ts, *t);
            assert_eq!(p.data, &d[..]);
            assert_eq!(p.orig_len, *l);
            assert_eq!(p.link, LinkType::ETHERNET);
            assert_eq!(p.at.frame, n as u64 + 1);
            n += 1;
            r.advance();
        }
        assert_eq!(n, 3);
        assert!(r.truncation().is_none(), "{:?}", r.truncation());
        assert_eq!(r.capture_end(), Some(end));
    }

    #[test]
    fn an_empty_capture_is_still_a_valid_file() {
        let w = PcapngWriter::new(Vec::new(), LinkType::LINUX_SLL, 262_144, "any").unwrap();
        let bytes = w.finish(EndOfCapture::default()).unwrap();
        let mut r = CaptureReader::new("empty.pcapng", 0, std::io::Cursor::new(bytes)).unwrap();
        assert!(r.peek().unwrap().is_none());
        assert_eq!(r.link_types(), vec![LinkType::LINUX_SLL]);
        assert!(r.truncation().is_none());
    }
}
