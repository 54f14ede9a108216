//! Text files as Windows writes them (netlogon.log, rasphone.pbk, address
//! lists from PowerShell): UTF-8 with or without BOM, or UTF-16, with CRLF.
//!
//! Every whole-input reader of the tool goes through [`LineReader`]: it reads
//! from any [`Read`] (the caller opens the file or stdin), one line at a time,
//! and never holds more than one chunk and one line, so memory stays flat
//! whatever arrives: `/dev/zero`, an endless pipe, a 100 MB line without a
//! line end. Each reader states its [`TextLimits`]; past the byte cap it
//! stops and says so ([`LineReader::truncated`]), and a line longer than the
//! line cap is kept only in part ([`Line::cut`]). Text from the input that
//! ends up in a message goes through [`excerpt`] (at most [`EXCERPT_CHARS`]
//! characters, control characters escaped).

#![forbid(unsafe_code)]

use std::io::{self, Read};

/// How a file's bytes were decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextEncoding {
    Utf8,
    Utf8Bom,
    Utf16Le,
    Utf16Be,
}

impl TextEncoding {
    pub fn as_str(self) -> &'static str {
        match self {
            TextEncoding::Utf8 => "utf-8",
            TextEncoding::Utf8Bom => "utf-8-bom",
            TextEncoding::Utf16Le => "utf-16le",
            TextEncoding::Utf16Be => "utf-16be",
        }
    }
}

/// Decodes a text file as Windows writes it: a byte order mark decides when
/// there is one; without one, UTF-16LE is recognised by its zero high bytes
/// (every other byte is 0 for the ASCII text these logs and profiles consist of), and
/// anything else is read as UTF-8. Invalid sequences become U+FFFD instead of
/// failing: one damaged line must not hide the rest of the file.
pub fn decode_text(bytes: &[u8]) -> (String, TextEncoding) {
    if let Some(rest) = bytes.strip_prefix(&[0xef, 0xbb, 0xbf]) {
        return (
            String::from_utf8_lossy(rest).into_owned(),
            TextEncoding::Utf8Bom,
        );
    }
    if let Some(rest) = bytes.strip_prefix(&[0xff, 0xfe]) {
        return (utf16(rest, u16::from_le_bytes), TextEncoding::Utf16Le);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xfe, 0xff]) {
        return (utf16(rest, u16::from_be_bytes), TextEncoding::Utf16Be);
    }
    if looks_like_utf16le(bytes) {
        return (utf16(bytes, u16::from_le_bytes), TextEncoding::Utf16Le);
    }
    (
        String::from_utf8_lossy(bytes).into_owned(),
        TextEncoding::Utf8,
    )
}

fn utf16(bytes: &[u8], unit: fn([u8; 2]) -> u16) -> String {
    // A trailing odd byte (a truncated copy) is dropped.
    let units = bytes.chunks_exact(2).map(|c| unit([c[0], c[1]]));
    char::decode_utf16(units)
        .map(|r| r.unwrap_or(char::REPLACEMENT_CHARACTER))
        .collect()
}

/// Most odd bytes zero and few even bytes zero: ASCII text in UTF-16LE.
fn looks_like_utf16le(bytes: &[u8]) -> bool {
    let sample = bytes.get(..4096).unwrap_or(bytes);
    let pairs = sample.len() / 2;
    if pairs < 2 {
        return false;
    }
    let (mut odd_zero, mut even_zero) = (0usize, 0usize);
    for c in sample.chunks_exact(2) {
        even_zero += usize::from(c[0] == 0);
        odd_zero += usize::from(c[1] == 0);
    }
    odd_zero * 10 >= pairs * 9 && even_zero * 10 < pairs
}

/// Caps for one whole-input reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextLimits {
    /// Bytes read at most; anything after them is left unread and the
    /// reader reports [`LineReader::truncated`].
    pub max_bytes: u64,
    /// Bytes kept of one line (line end excluded); the rest of a longer line
    /// is read and dropped, and the line comes back with [`Line::cut`] set.
    pub max_line_bytes: usize,
}

impl TextLimits {
    /// The byte cap for messages: "16 MiB", "64 KiB", "4,096 bytes".
    pub fn describe_bytes(bytes: u64) -> String {
        if bytes >= 1 << 20 && bytes.is_multiple_of(1 << 20) {
            format!("{} MiB", bytes >> 20)
        } else if bytes >= 1 << 10 && bytes.is_multiple_of(1 << 10) {
            format!("{} KiB", bytes >> 10)
        } else {
            format!("{bytes} bytes")
        }
    }
}

/// One line of a text input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// 1-based line number.
    pub number: usize,
    /// The decoded line without its line end (LF or CRLF); only the first
    /// [`TextLimits::max_line_bytes`] bytes of a longer line.
    pub text: String,
    /// Length of the whole line in the input, in bytes, line end excluded.
    pub bytes: u64,
    /// The line was longer than the line cap and `text` holds its start only.
    pub cut: bool,
}

/// Size of one read from the source.
const CHUNK: usize = 64 << 10;
/// Bytes looked at to recognise UTF-16LE without a byte order mark.
const SNIFF: usize = 4096;

/// Reads a text input line by line within [`TextLimits`]; see the module
/// documentation. The encoding is decided once, from a byte order mark or
/// the first 4 KiB, as [`decode_text`] does; invalid sequences become U+FFFD.
pub struct LineReader<R> {
    inner: R,
    limits: TextLimits,
    buf: Vec<u8>,
    start: usize,
    end: usize,
    encoding: Option<TextEncoding>,
    /// Bytes taken from the source, at most `limits.max_bytes`.
    bytes_read: u64,
    line_no: usize,
    truncated: bool,
    eof: bool,
}

impl<R: Read> LineReader<R> {
    pub fn new(inner: R, limits: TextLimits) -> Self {
        LineReader {
            inner,
            limits,
            buf: vec![0; CHUNK.max(SNIFF)],
            start: 0,
            end: 0,
            encoding: None,
            bytes_read: 0,
            line_no: 0,
            truncated: false,
            eof: false,
        }
    }

    /// The encoding found (UTF-8 until the first line was read).
    pub fn encoding(&self) -> TextEncoding {
        self.encoding.unwrap_or(TextEncoding::Utf8)
    }

    /// Bytes read from the source so far (never more than the byte cap).
    pub fn bytes_read(&self) -> u64 {
        self.bytes_read
    }

    /// Lines handed out so far.
    pub fn lines_read(&self) -> usize {
        self.line_no
    }

    /// The source held more than [`TextLimits::max_bytes`]: reading stopped
    /// there, and the line the cap fell into was dropped.
    pub fn truncated(&self) -> bool {
        self.truncated
    }

    pub fn limits(&self) -> TextLimits {
        self.limits
    }

    /// The next line, `Ok(None)` at the end of the input or at the byte cap.
    /// Errors are the source's read errors.
    pub fn next_line(&mut self) -> io::Result<Option<Line>> {
        if self.encoding.is_none() {
            self.detect()?;
        }
        let utf16 = match self.encoding() {
            TextEncoding::Utf16Le => Some(u16::from_le_bytes as fn([u8; 2]) -> u16),
            TextEncoding::Utf16Be => Some(u16::from_be_bytes as fn([u8; 2]) -> u16),
            TextEncoding::Utf8 | TextEncoding::Utf8Bom => None,
        };
        let newline: [u8; 2] = match self.encoding() {
            TextEncoding::Utf16Be => [0, b'\n'],
            _ => [b'\n', 0],
        };
        let mut kept: Vec<u8> = Vec::new();
        let mut len: u64 = 0;
        // UTF-16: the first byte of a code unit split across two reads.
        let mut half: Option<u8> = None;
        loop {
            if self.start == self.end && !self.fill()? {
                // End of input, or the byte cap: a line cut by the cap is
                // not handed out (its end is unknown).
                if self.truncated || (len == 0 && kept.is_empty()) {
                    return Ok(None);
                }
                return Ok(Some(self.line(kept, len, utf16, false)));
            }
            let chunk = self.buf.get(self.start..self.end).unwrap_or_default();
            let room = self.limits.max_line_bytes.saturating_sub(kept.len());
            if utf16.is_none() {
                let (part, found) = match chunk.iter().position(|&b| b == b'\n') {
                    Some(i) => (chunk.get(..i).unwrap_or_default(), true),
                    None => (chunk, false),
                };
                kept.extend_from_slice(part.get(..room.min(part.len())).unwrap_or_default());
                len += part.len() as u64;
                self.start += part.len() + usize::from(found);
                if found {
                    return Ok(Some(self.line(kept, len, utf16, true)));
                }
                continue;
            }
            let mut used = 0;
            let mut found = false;
            for &b in chunk {
                used += 1;
                let Some(first) = half.take() else {
                    half = Some(b);
                    continue;
                };
                if [first, b] == newline {
                    found = true;
                    break;
                }
                if kept.len() + 2 <= self.limits.max_line_bytes {
                    kept.extend_from_slice(&[first, b]);
                }
                len += 2;
            }
            self.start += used;
            if found {
                return Ok(Some(self.line(kept, len, utf16, true)));
            }
        }
    }

    /// `ended`: the line had a line end (a CR before it is part of it).
    fn line(
        &mut self,
        kept: Vec<u8>,
        len: u64,
        units: Option<fn([u8; 2]) -> u16>,
        ended: bool,
    ) -> Line {
        self.line_no += 1;
        let cut = len > kept.len() as u64;
        let mut text = match units {
            Some(unit) => utf16(&kept, unit),
            None => String::from_utf8_lossy(&kept).into_owned(),
        };
        if ended && !cut && text.ends_with('\r') {
            text.pop();
        }
        Line {
            number: self.line_no,
            text,
            bytes: len,
            cut,
        }
    }

    /// Reads the first bytes and decides the encoding; skips a byte order mark.
    fn detect(&mut self) -> io::Result<()> {
        while self.end < SNIFF && self.read_more()? {}
        let head = self.buf.get(..self.end).unwrap_or_default();
        let (encoding, bom) = if head.starts_with(&[0xef, 0xbb, 0xbf]) {
            (TextEncoding::Utf8Bom, 3)
        } else if head.starts_with(&[0xff, 0xfe]) {
            (TextEncoding::Utf16Le, 2)
        } else if head.starts_with(&[0xfe, 0xff]) {
            (TextEncoding::Utf16Be, 2)
        } else if looks_like_utf16le(head) {
            (TextEncoding::Utf16Le, 0)
        } else {
            (TextEncoding::Utf8, 0)
        };
        self.encoding = Some(encoding);
        self.start = bom;
        Ok(())
    }

    /// Refills an empty buffer; `false` at the end of input or the byte cap.
    fn fill(&mut self) -> io::Result<bool> {
        self.start = 0;
        self.end = 0;
        self.read_more()
    }

    /// Appends one read to the buffer, within the byte cap. `false` when
    /// nothing more will come.
    fn read_more(&mut self) -> io::Result<bool> {
        if self.eof {
            return Ok(false);
        }
        let Some(free) = self.buf.get_mut(self.end..) else {
            return Ok(false);
        };
        // One byte beyond the cap tells "exactly the cap" from "more".
        let allowed = self.limits.max_bytes.saturating_sub(self.bytes_read) + 1;
        let want = free
            .len()
            .min(usize::try_from(allowed).unwrap_or(usize::MAX));
        let Some(dest) = free.get_mut(..want) else {
            return Ok(false);
        };
        let n = loop {
            match self.inner.read(dest) {
                Ok(n) => break n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        };
        if n == 0 {
            self.eof = true;
            return Ok(false);
        }
        let mut n = n as u64;
        if self.bytes_read + n > self.limits.max_bytes {
            n = self.limits.max_bytes - self.bytes_read;
            self.truncated = true;
            self.eof = true;
        }
        self.bytes_read += n;
        self.end += n as usize;
        Ok(n > 0)
    }
}

/// At most this many characters of an input line appear in a message.
pub const EXCERPT_CHARS: usize = 80;

/// `text` for a message: control characters escaped (`\u{1b}`), at most
/// `max_chars` characters of output (an escape counts as what it prints),
/// then `...` when there was more.
pub fn excerpt(text: &str, max_chars: usize) -> String {
    let mut out = String::new();
    let mut shown = 0;
    for c in text.chars() {
        let piece: String = if c.is_control() {
            c.escape_default().collect()
        } else {
            c.to_string()
        };
        let width = piece.chars().count();
        if shown + width > max_chars {
            out.push_str("...");
            break;
        }
        out.push_str(&piece);
        shown += width;
    }
    out
}

impl Line {
    /// The line for a message: [`excerpt`] of [`EXCERPT_CHARS`], plus its
    /// length when it is longer than that.
    pub fn excerpt(&self) -> String {
        let shown = excerpt(self.text.trim(), EXCERPT_CHARS);
        if self.cut || shown.ends_with("...") {
            format!("{shown} ({} bytes)", self.bytes)
        } else {
            shown
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_utf16le_with_and_without_bom() {
        let text = "08/14 09:12:44 [SITE] CONTOSO: NO_CLIENT_SITE: PC 10.0.0.1\r\n";
        let units: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let with_bom: Vec<u8> = [0xff, 0xfe].iter().copied().chain(units.clone()).collect();
        assert_eq!(
            decode_text(&with_bom),
            (text.to_owned(), TextEncoding::Utf16Le)
        );
        assert_eq!(
            decode_text(&units),
            (text.to_owned(), TextEncoding::Utf16Le)
        );
        let be: Vec<u8> = [0xfe, 0xff]
            .into_iter()
            .chain(text.encode_utf16().flat_map(u16::to_be_bytes))
            .collect();
        assert_eq!(decode_text(&be), (text.to_owned(), TextEncoding::Utf16Be));
    }

    #[test]
    fn decodes_utf8_with_and_without_bom() {
        let text = "a line\r\n";
        assert_eq!(
            decode_text(text.as_bytes()),
            (text.to_owned(), TextEncoding::Utf8)
        );
        let bom: Vec<u8> = b"\xef\xbb\xbfa line\r\n".to_vec();
        assert_eq!(decode_text(&bom), (text.to_owned(), TextEncoding::Utf8Bom));
    }
}

#[cfg(test)]
mod line_reader_tests {
    use super::*;

    const LIMITS: TextLimits = TextLimits {
        max_bytes: 1 << 20,
        max_line_bytes: 16,
    };

    /// A source that hands out `step` bytes per read.
    struct Trickle<'a>(&'a [u8], usize);
    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = self.1.min(buf.len()).min(self.0.len());
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    fn all(bytes: &[u8], limits: TextLimits, step: usize) -> (Vec<Line>, LineReader<Trickle<'_>>) {
        let mut r = LineReader::new(Trickle(bytes, step), limits);
        let mut out = Vec::new();
        while let Some(l) = r.next_line().unwrap() {
            out.push(l);
        }
        (out, r)
    }

    fn texts(lines: &[Line]) -> Vec<&str> {
        lines.iter().map(|l| l.text.as_str()).collect()
    }

    #[test]
    fn agrees_with_decode_text_on_every_encoding_and_read_size() {
        let text = "first\r\nsecond line\n\nNO_CLIENT_SITE: PC 10.0.0.1\r\nlast";
        let le: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let be: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
        let inputs: Vec<Vec<u8>> = vec![
            text.as_bytes().to_vec(),
            [&[0xef, 0xbb, 0xbf][..], text.as_bytes()].concat(),
            [&[0xff, 0xfe][..], &le].concat(),
            le.clone(),
            [&[0xfe, 0xff][..], &be].concat(),
        ];
        let limits = TextLimits {
            max_bytes: 1 << 20,
            max_line_bytes: 4096,
        };
        for bytes in &inputs {
            let (expected, encoding) = decode_text(bytes);
            let expected: Vec<&str> = expected.lines().collect();
            for step in [1, 2, 3, 7, 4096] {
                let (lines, r) = all(bytes, limits, step);
                assert_eq!(texts(&lines), expected, "step {step}");
                assert_eq!(r.encoding(), encoding);
                assert!(!r.truncated());
                assert_eq!(lines.last().unwrap().number, 5);
            }
        }
    }

    #[test]
    fn long_lines_are_cut_and_flagged() {
        let input = format!("short\n{}\nafter", "x".repeat(100));
        let (lines, _) = all(input.as_bytes(), LIMITS, 5);
        assert_eq!(texts(&lines), ["short", &"x".repeat(16), "after"]);
        assert!(lines[1].cut && !lines[0].cut && !lines[2].cut);
        assert_eq!(lines[1].bytes, 100);
        assert_eq!(
            lines[1].excerpt(),
            format!("{} (100 bytes)", "x".repeat(16))
        );
        // UTF-16: whole code units are kept.
        let le: Vec<u8> = format!("{}\r\nok", "y".repeat(30))
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        let bytes = [&[0xff, 0xfe][..], &le].concat();
        let (lines, _) = all(&bytes, LIMITS, 3);
        assert_eq!(texts(&lines), [&"y".repeat(8)[..], "ok"]);
        assert!(lines[0].cut);
    }

    #[test]
    fn the_byte_cap_stops_reading_and_drops_the_line_it_cuts() {
        let limits = TextLimits {
            max_bytes: 12,
            max_line_bytes: 64,
        };
        let (lines, r) = all(b"one\ntwo\nthree\nfour\n", limits, 4);
        assert_eq!(texts(&lines), ["one", "two"]);
        assert!(r.truncated());
        assert_eq!(r.bytes_read(), 12);
        // Exactly the cap is not truncation.
        let (lines, r) = all(b"one\ntwo\nabc\n", limits, 4);
        assert_eq!(texts(&lines), ["one", "two", "abc"]);
        assert!(!r.truncated());
    }

    #[test]
    fn endless_zeros_end_at_the_cap_with_flat_memory() {
        let limits = TextLimits {
            max_bytes: 64 << 20,
            max_line_bytes: 4096,
        };
        let mut r = LineReader::new(io::repeat(0), limits);
        assert_eq!(r.next_line().unwrap(), None);
        assert!(r.truncated());
        assert_eq!(r.bytes_read(), 64 << 20);
        assert!(r.buf.len() <= CHUNK);
    }

    proptest::proptest! {
        /// Within its caps the reader yields exactly `decode_text(..).lines()`.
        #[test]
        fn same_lines_as_decoding_the_whole_input(
            bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..3000),
            newlines in proptest::collection::vec(0usize..3000, 0..40),
            step in 1usize..300,
        ) {
            let mut bytes = bytes;
            for at in newlines {
                if at < bytes.len() {
                    bytes[at] = b'\n';
                }
            }
            let limits = TextLimits { max_bytes: 1 << 20, max_line_bytes: 1 << 20 };
            let (lines, r) = all(&bytes, limits, step);
            let (text, encoding) = decode_text(&bytes);
            let expected: Vec<&str> = text.lines().collect();
            proptest::prop_assert_eq!(texts(&lines), expected);
            proptest::prop_assert_eq!(r.encoding(), encoding);
        }

        #[test]
        fn same_lines_for_utf16_text(
            text in "[a-z0-9 .:\r\n\u{e9}\u{1F600}]{0,400}",
            bom in proptest::bool::ANY,
            big_endian in proptest::bool::ANY,
            step in 1usize..50,
        ) {
            let units = text.encode_utf16();
            let mut bytes: Vec<u8> = match (bom, big_endian) {
                (_, true) => vec![0xfe, 0xff],
                (true, false) => vec![0xff, 0xfe],
                (false, false) => Vec::new(),
            };
            if big_endian {
                bytes.extend(units.flat_map(u16::to_be_bytes));
            } else {
                bytes.extend(units.flat_map(u16::to_le_bytes));
            }
            let limits = TextLimits { max_bytes: 1 << 20, max_line_bytes: 1 << 20 };
            let (lines, r) = all(&bytes, limits, step);
            let (decoded, encoding) = decode_text(&bytes);
            let expected: Vec<&str> = decoded.lines().collect();
            proptest::prop_assert_eq!(texts(&lines), expected);
            proptest::prop_assert_eq!(r.encoding(), encoding);
        }
    }

    #[test]
    fn excerpts_escape_and_shorten() {
        assert_eq!(excerpt("a\u{1b}[31mb", 80), "a\\u{1b}[31mb");
        assert_eq!(
            excerpt(&"z".repeat(81), 80),
            format!("{}...", "z".repeat(80))
        );
        assert_eq!(excerpt("short", 80), "short");
        // Escapes count as what they print: NULs cannot stretch an excerpt.
        let nuls = excerpt(&"\0".repeat(1000), 80);
        assert!(nuls.chars().count() <= 83, "{nuls}");
        assert!(nuls.starts_with("\\u{0}") && nuls.ends_with("..."));
    }
}
