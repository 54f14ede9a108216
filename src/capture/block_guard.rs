//! Sanity checks on a pcapng block header before pcap-parser sees the block.
//!
//! pcap-parser 0.17 trusts the Block Total Length more than it should: a
//! Process Information Block (Apple, type 0x80000001) claiming fewer than 12
//! bytes makes it compute `block_len - 12` and subtract past zero
//! (`pcapng/block.rs`; a panic in debug and fuzz builds, a wrapped length in
//! release), and a block whose fields overrun its own length is reported as
//! "need more data", so the reader would read on in search of bytes that can
//! never belong to it. Both are corruption; the reader stops there with a
//! truncation like for any other unreadable record.
//!
//! Minimum lengths are the fixed parts of each block type in
//! draft-ietf-opsawg-pcapng (section 4 and Appendix A): type, length, the
//! type's fixed fields and the trailing length copy.

#![forbid(unsafe_code)]

/// Section Header Block type (the same in both byte orders).
const SHB: u32 = 0x0A0D_0D0A;
/// The byte-order magic inside an SHB, as written by a big-endian writer.
const BOM_BE: [u8; 4] = [0x1A, 0x2B, 0x3C, 0x4D];

/// The smallest Block Total Length a block of `block_type` can have.
pub(super) fn min_len(block_type: u32) -> u32 {
    match block_type {
        SHB => 28,                       // + byte-order magic, versions, section length
        0x0000_0001 => 20,               // IDB: + link type, reserved, snap length
        0x0000_0002 => 32,               // OPB (obsolete): + interface, drops, time, lengths
        0x0000_0003 => 16,               // SPB: + original length
        0x0000_0005 => 24,               // ISB: + interface, timestamp
        0x0000_0006 => 32,               // EPB: + interface, timestamp, lengths
        0x0000_000A => 20,               // DSB: + secrets type, secrets length
        0x0000_0BAD | 0x4000_0BAD => 16, // custom blocks: + PEN
        0x8000_0001 => 16,               // Process Information Block (Apple): + process id
        _ => 12,                         // type, length, trailing length
    }
}

/// The type and Block Total Length of the pcapng block at the head of
/// `data`, read in the current section's byte order (`big_endian`); an SHB
/// declares its own byte order. `None` while too few bytes are buffered.
pub(super) fn header(data: &[u8], big_endian: bool) -> Option<(u32, u32)> {
    let word = |at: usize, be: bool| -> Option<u32> {
        let b: [u8; 4] = data.get(at..at + 4)?.try_into().ok()?;
        Some(if be {
            u32::from_be_bytes(b)
        } else {
            u32::from_le_bytes(b)
        })
    };
    let be = if data.get(..4) == Some(&SHB.to_be_bytes()[..]) {
        data.get(8..12)? == BOM_BE
    } else {
        big_endian
    };
    Some((word(0, be)?, word(4, be)?))
}

/// Why the block at the head of `data` must not be handed to pcap-parser,
/// if it must not: its length is below its type's minimum.
pub(super) fn undersized(data: &[u8], big_endian: bool) -> Option<String> {
    let (block_type, len) = header(data, big_endian)?;
    let min = min_len(block_type);
    (len < min).then(|| {
        format!(
            "pcapng block of type 0x{block_type:08x} claims {len} bytes, fewer than the {min} \
             its type needs"
        )
    })
}

/// Whether the whole block at the head of `data` is buffered: then a parser
/// that still asks for more bytes has met fields that overrun the block.
pub(super) fn fully_buffered(data: &[u8], big_endian: bool) -> bool {
    header(data, big_endian).is_some_and(|(_, len)| data.len() as u64 >= u64::from(len))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_headers_in_both_byte_orders() {
        let le = [6, 0, 0, 0, 32, 0, 0, 0];
        assert_eq!(header(&le, false), Some((6, 32)));
        let be = [0, 0, 0, 6, 0, 0, 0, 32];
        assert_eq!(header(&be, true), Some((6, 32)));
        assert_eq!(header(&le[..7], false), None);
        // An SHB says its own byte order, whatever the previous section had.
        let shb_be = [0x0a, 0x0d, 0x0d, 0x0a, 0, 0, 0, 28, 0x1a, 0x2b, 0x3c, 0x4d];
        assert_eq!(header(&shb_be, false), Some((SHB, 28)));
        let shb_le = [0x0a, 0x0d, 0x0d, 0x0a, 28, 0, 0, 0, 0x4d, 0x3c, 0x2b, 0x1a];
        assert_eq!(header(&shb_le, true), Some((SHB, 28)));
    }

    #[test]
    fn short_process_information_block_is_undersized() {
        let pib = [1, 0, 0, 0x80, 8, 0, 0, 0, 0, 0, 0, 0, 8, 0, 0, 0];
        let why = undersized(&pib, false).expect("undersized");
        assert!(
            why.contains("0x80000001") && why.contains("8 bytes"),
            "{why}"
        );
        let ok = [1, 0, 0, 0x80, 16, 0, 0, 0];
        assert_eq!(undersized(&ok, false), None);
        // Unknown types need the 12 bytes every block has.
        assert!(undersized(&[0x44, 0, 0, 0, 11, 0, 0, 0], false).is_some());
        assert!(undersized(&[0x44, 0, 0, 0, 12, 0, 0, 0], false).is_none());
    }

    #[test]
    fn fully_buffered_compares_with_the_claimed_length() {
        let mut epb = vec![6, 0, 0, 0, 32, 0, 0, 0];
        epb.resize(31, 0);
        assert!(!fully_buffered(&epb, false));
        epb.push(0);
        assert!(fully_buffered(&epb, false));
    }
}
