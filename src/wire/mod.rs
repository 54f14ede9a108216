//! PURE wire formats: bytes in, typed values out, and back. No I/O, no clock,
//! no printing.
//!
//! Rules every parser here keeps (taken from smoltcp's `wire` module): input is
//! hostile, so every read goes through [`Reader`], which checks the length
//! before it touches a byte and says what it wanted, what was there and at which
//! offset (the way etherparse's length errors do). Nothing indexes or slices an
//! input buffer directly, so nothing here can panic on a short or lying packet.
//! Parsing and emitting are mirror images: what `parse` reads, `emit` writes,
//! and `buffer_len` says how many bytes `emit` needs.
//!
//! No panics on hostile input: outside tests, indexing, slicing, `unwrap`
//! and `expect` are denied here (every read goes through `get`).

#![forbid(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used)
)]

pub mod icmp;
pub mod ike;
pub mod natt;

/// Why bytes could not be understood. Offsets are from the start of the buffer
/// handed to the outermost parser (the IKE message, after any non-ESP marker).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// Fewer bytes than a field or structure needs.
    #[error("{what} at offset {offset} needs {required} bytes but only {available} are there")]
    Truncated {
        what: &'static str,
        offset: usize,
        required: usize,
        available: usize,
    },
    /// A length field that cannot be right (shorter than its own header,
    /// longer than its container).
    #[error("{what} at offset {offset} declares length {declared}: {problem}")]
    BadLength {
        what: &'static str,
        offset: usize,
        declared: usize,
        problem: &'static str,
    },
    /// A structure that breaks a rule of its RFC (wrong flag, count mismatch).
    #[error("{what} at offset {offset} is malformed: {problem}")]
    Malformed {
        what: &'static str,
        offset: usize,
        problem: String,
    },
    /// An ISAKMP header whose major version is not 2 (IKEv1 is 1).
    #[error("ISAKMP version {major}.{minor} at offset {offset} is not IKEv2")]
    NotIkev2 { major: u8, minor: u8, offset: usize },
}

pub type Result<T> = std::result::Result<T, Error>;

/// The big-endian u16 at `at`, `None` when the buffer ends first (offsets
/// near `usize::MAX` included): for code that peeks at a fixed field (link
/// headers, ICMP messages, quoted datagrams) without walking a [`Reader`].
pub fn be16(b: &[u8], at: usize) -> Option<u16> {
    let s = b.get(at..at.checked_add(2)?)?;
    Some(u16::from_be_bytes([*s.first()?, *s.get(1)?]))
}

/// The big-endian u32 at `at`, `None` when the buffer ends first.
pub fn be32(b: &[u8], at: usize) -> Option<u32> {
    let s: [u8; 4] = b.get(at..at.checked_add(4)?)?.try_into().ok()?;
    Some(u32::from_be_bytes(s))
}

/// A checked cursor over an input buffer. Every read either returns the bytes
/// or an [`Error::Truncated`] naming the field; `base` keeps offsets relative
/// to the outermost buffer when a sub-structure is parsed on its own.
#[derive(Debug, Clone)]
pub struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
    base: usize,
}

impl<'a> Reader<'a> {
    pub fn new(buf: &'a [u8]) -> Self {
        Reader::at(buf, 0)
    }

    /// A reader over `buf`, which starts at `base` in the outermost buffer.
    pub fn at(buf: &'a [u8], base: usize) -> Self {
        Reader { buf, pos: 0, base }
    }

    /// Offset of the next byte in the outermost buffer.
    pub fn offset(&self) -> usize {
        self.base + self.pos
    }

    pub fn remaining(&self) -> usize {
        self.buf.len().saturating_sub(self.pos)
    }

    pub fn is_empty(&self) -> bool {
        self.remaining() == 0
    }

    /// The next `n` bytes, consumed.
    pub fn bytes(&mut self, n: usize, what: &'static str) -> Result<&'a [u8]> {
        let end = self.pos.checked_add(n);
        match end.and_then(|end| self.buf.get(self.pos..end)) {
            Some(slice) => {
                self.pos += n;
                Ok(slice)
            }
            None => Err(Error::Truncated {
                what,
                offset: self.offset(),
                required: n,
                available: self.remaining(),
            }),
        }
    }

    /// Everything not read yet, consumed.
    pub fn rest(&mut self) -> &'a [u8] {
        let rest = self.buf.get(self.pos..).unwrap_or(&[]);
        self.pos = self.buf.len();
        rest
    }

    pub fn array<const N: usize>(&mut self, what: &'static str) -> Result<[u8; N]> {
        let b = self.bytes(N, what)?;
        let mut out = [0u8; N];
        out.copy_from_slice(b);
        Ok(out)
    }

    pub fn u8(&mut self, what: &'static str) -> Result<u8> {
        Ok(self.array::<1>(what)?[0])
    }

    pub fn u16(&mut self, what: &'static str) -> Result<u16> {
        Ok(u16::from_be_bytes(self.array(what)?))
    }

    pub fn u32(&mut self, what: &'static str) -> Result<u32> {
        Ok(u32::from_be_bytes(self.array(what)?))
    }
}

/// Formats bytes as lowercase hex, for evidence and error messages.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn be16_be32_read_in_bounds_and_refuse_past_the_end() {
        let b = [0x12, 0x34, 0x56, 0x78];
        assert_eq!(be16(&b, 2), Some(0x5678));
        assert_eq!(be16(&b, 3), None);
        assert_eq!(be16(&b, usize::MAX), None);
        assert_eq!(be32(&b, 0), Some(0x1234_5678));
        assert_eq!(be32(&b, 1), None);
        assert_eq!(be32(&b, usize::MAX - 1), None);
    }

    #[test]
    fn reader_reports_what_where_and_how_much() {
        let mut r = Reader::at(&[1, 2, 3], 10);
        assert_eq!(r.u16("a").unwrap(), 0x0102);
        let err = r.u32("message ID").unwrap_err();
        assert_eq!(
            err,
            Error::Truncated {
                what: "message ID",
                offset: 12,
                required: 4,
                available: 1
            }
        );
        assert_eq!(
            err.to_string(),
            "message ID at offset 12 needs 4 bytes but only 1 are there"
        );
        // A failed read consumes nothing.
        assert_eq!(r.u8("b").unwrap(), 3);
        assert!(r.is_empty());
        assert!(r.bytes(usize::MAX, "huge").is_err());
    }

    #[test]
    fn hex_is_lowercase_without_separators() {
        assert_eq!(hex(&[0x00, 0xab, 0x10]), "00ab10");
    }
}
