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
//! characters, control characters escaped). Inputs that are not text and
//! must be parsed in one piece are read with [`read_capped`].

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

/// A whole input read into memory up to a cap, for inputs that are not
/// line-oriented text (binary exports a parser needs in one piece).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CappedBytes {
    /// The first `max_bytes` bytes at most.
    pub bytes: Vec<u8>,
    /// The source held more than `max_bytes`; the rest was left unread.
    pub truncated: bool,
}

/// Reads `source` to its end or to `max_bytes`, whichever comes first (one
/// byte more is read to tell "exactly the cap" from "more").
pub fn read_capped(source: impl Read, max_bytes: u64) -> io::Result<CappedBytes> {
    let mut bytes = Vec::new();
    source
        .take(max_bytes.saturating_add(1))
        .read_to_end(&mut bytes)?;
    let truncated = bytes.len() as u64 > max_bytes;
    bytes.truncate(usize::try_from(max_bytes).unwrap_or(usize::MAX));
    Ok(CappedBytes { bytes, truncated })
}

/// At most this many characters of an input line appear in a message.
pub const EXCERPT_CHARS: usize = 80;

/// `text` for a message: control characters escaped (`\u{1b}`), at most
/// `max_chars` characters of output (an escape counts as what it prints),
/// then `...` when there was more.
pub fn excerpt(text: &str, max_chars: usize) -> String {
    let (mut shown, cut) = escaped_prefix(text, max_chars);
    if cut {
        shown.push_str("...");
    }
    shown
}

/// The start of `text` with control characters escaped, at most
/// `max_chars` printed characters, and whether anything was left out.
pub fn escaped_prefix(text: &str, max_chars: usize) -> (String, bool) {
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
            return (out, true);
        }
        out.push_str(&piece);
        shown += width;
    }
    (out, false)
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
mod tests;
