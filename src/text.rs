//! Text files as Windows writes them (netlogon.log, rasphone.pbk, address
//! lists from PowerShell): UTF-8 with or without BOM, or UTF-16, with CRLF.
//! PURE: the caller reads the bytes.

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
