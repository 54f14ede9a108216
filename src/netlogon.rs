//! PURE reader of a domain controller's `%SystemRoot%\debug\netlogon.log`
//! (Windows writes it as UTF-8/ANSI or UTF-16LE, with CRLF): the
//! `NO_CLIENT_SITE` lines, which name the computers whose address matched no
//! AD subnet. No I/O: the caller reads the file line by line with
//! [`crate::text::LineReader`] and [`LIMITS`].
//!
//! A line looks like (the `[SITE]` category and a `[thread]` id appear only
//! on newer Windows versions, so both are optional):
//!
//! ```text
//! 08/14 09:12:44 [SITE] CONTOSO: NO_CLIENT_SITE: LAPTOP-123 2002:c633:6453::c633:6453
//! ```

#![forbid(unsafe_code)]

use crate::text::{EXCERPT_CHARS, Line, TextLimits, excerpt};

const MARKER: &str = "NO_CLIENT_SITE:";

/// How much of a netlogon.log is read: 128 MiB (Windows caps the file at
/// 20 MB by default, `MaximumLogFileSize`; a copy of netlogon.bak and
/// netlogon.log together fits many times), lines of up to 4 KiB (real ones
/// are under 300 bytes).
pub const LIMITS: TextLimits = TextLimits {
    max_bytes: 128 << 20,
    max_line_bytes: 4 << 10,
};

/// Longest computer name or address taken from a line: NetBIOS names have
/// 15 characters, DNS labels 63, addresses at most 45; anything longer is
/// not a `NO_CLIENT_SITE` entry.
const MAX_TOKEN_CHARS: usize = EXCERPT_CHARS;
/// One `NO_CLIENT_SITE` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoClientSite {
    /// 1-based line number in the file.
    pub line: usize,
    /// `MM/DD HH:MM:SS` as logged (netlogon.log has no year).
    pub timestamp: Option<String>,
    /// The NetBIOS domain name before the marker.
    pub domain: Option<String>,
    pub computer: String,
    /// The client address exactly as logged.
    pub address: String,
}

/// A `NO_CLIENT_SITE` line without a computer name and an address (or
/// with one too long to be either).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MalformedLine {
    pub line: usize,
    /// The start of the line ([`crate::text::excerpt`]), never all of a long one.
    pub text: String,
}

/// The `NO_CLIENT_SITE` lines of a whole log.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NetlogonLog {
    /// Lines in the file.
    pub lines: usize,
    pub entries: Vec<NoClientSite>,
    pub malformed: Vec<MalformedLine>,
}

/// Reads every `NO_CLIENT_SITE` line; other lines are skipped. Line ends may
/// be LF or CRLF.
pub fn parse_log(text: &str) -> NetlogonLog {
    let mut log = NetlogonLog::default();
    for (index, line) in text.lines().enumerate() {
        log.lines = index + 1;
        match parse_line(index + 1, line) {
            None => {}
            Some(Ok(entry)) => log.entries.push(entry),
            Some(Err(bad)) => log.malformed.push(bad),
        }
    }
    log
}

/// A line from [`crate::text::LineReader`]: like [`parse_line`], except that
/// a `NO_CLIENT_SITE` line longer than the line cap is malformed (its end,
/// where the address may be, was not kept).
pub fn parse_read_line(line: &Line) -> Option<Result<NoClientSite, MalformedLine>> {
    if line.cut {
        line.text.contains(MARKER).then(|| {
            Err(MalformedLine {
                line: line.number,
                text: line.excerpt(),
            })
        })
    } else {
        parse_line(line.number, &line.text)
    }
}

/// `None` for lines that are not `NO_CLIENT_SITE` lines.
pub fn parse_line(line_no: usize, line: &str) -> Option<Result<NoClientSite, MalformedLine>> {
    let line = line.trim_end_matches(['\r', '\n']);
    let (head, tail) = line.split_once(MARKER)?;
    let mut rest = tail.split_whitespace();
    let malformed = || MalformedLine {
        line: line_no,
        text: excerpt(line.trim(), EXCERPT_CHARS),
    };
    let (Some(computer), Some(address)) = (rest.next(), rest.next()) else {
        return Some(Err(malformed()));
    };
    // Names and addresses have neither more characters nor control
    // characters (which a terminal would obey when the report shows them).
    let odd = |t: &str| t.chars().count() > MAX_TOKEN_CHARS || t.chars().any(char::is_control);
    if odd(computer) || odd(address) {
        return Some(Err(malformed()));
    }
    let head: Vec<&str> = head.split_whitespace().collect();
    let timestamp = match head.as_slice() {
        [date, time, ..] if is_date(date) && is_time(time) => Some(format!("{date} {time}")),
        _ => None,
    };
    let domain = head
        .last()
        .and_then(|w| w.strip_suffix(':'))
        .filter(|d| !d.is_empty() && !d.starts_with('['))
        .map(str::to_owned);
    Some(Ok(NoClientSite {
        line: line_no,
        timestamp,
        domain,
        computer: computer.to_owned(),
        address: address.to_owned(),
    }))
}

fn digits_with(s: &str, sep: char, parts: usize) -> bool {
    let v: Vec<&str> = s.split(sep).collect();
    v.len() == parts
        && v.iter()
            .all(|p| p.len() == 2 && p.bytes().all(|b| b.is_ascii_digit()))
}

fn is_date(s: &str) -> bool {
    digits_with(s, '/', 2)
}

fn is_time(s: &str) -> bool {
    digits_with(s, ':', 3)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::decode_text;

    const LOG: &str = "08/14 09:12:40 [SESSION] CONTOSO: NetrServerAuthenticate entered\r\n\
08/14 09:12:44 [SITE] CONTOSO: NO_CLIENT_SITE: LAPTOP-123 2002:c633:6453::c633:6453\r\n\
\r\n\
07/28 10:28:38 CONTOSO: NO_CLIENT_SITE: WS001 10.1.1.5\r\n\
08/15 11:00:01 [CRITICAL] [6332] CONTOSO: NO_CLIENT_SITE: LAPTOP-9 2001:0:4136:e378:8000:63bf:3fff:fdd2\r\n\
08/15 11:00:02 [SITE] CONTOSO: NO_CLIENT_SITE: LAPTOP-9\r\n";

    #[test]
    fn reads_entries_and_skips_other_lines() {
        let log = parse_log(LOG);
        assert_eq!(log.lines, 6);
        assert_eq!(log.entries.len(), 3);
        let first = &log.entries[0];
        assert_eq!(first.line, 2);
        assert_eq!(first.timestamp.as_deref(), Some("08/14 09:12:44"));
        assert_eq!(first.domain.as_deref(), Some("CONTOSO"));
        assert_eq!(first.computer, "LAPTOP-123");
        assert_eq!(first.address, "2002:c633:6453::c633:6453");
        assert_eq!(log.entries[1].domain.as_deref(), Some("CONTOSO"));
        assert_eq!(log.entries[1].address, "10.1.1.5");
        assert_eq!(log.entries[2].computer, "LAPTOP-9");
        assert_eq!(
            log.malformed,
            vec![MalformedLine {
                line: 6,
                text: "08/15 11:00:02 [SITE] CONTOSO: NO_CLIENT_SITE: LAPTOP-9".into()
            }]
        );
    }

    #[test]
    fn long_tokens_and_cut_lines_are_malformed_and_shown_in_part() {
        let long = format!("NO_CLIENT_SITE: {} 10.0.0.1", "A".repeat(5000));
        let bad = parse_line(3, &long).unwrap().unwrap_err();
        assert_eq!(bad.line, 3);
        assert!(bad.text.len() < 100, "{}", bad.text);
        let escape = parse_line(4, "NO_CLIENT_SITE: PC\u{1b}]0;owned\u{7} 10.0.0.1");
        let bad = escape.unwrap().unwrap_err();
        assert!(!bad.text.contains('\u{1b}'), "{}", bad.text);
        let cut = Line {
            number: 9,
            text: format!("NO_CLIENT_SITE: PC {}", "1".repeat(4000)),
            bytes: 100 << 20,
            cut: true,
        };
        let bad = parse_read_line(&cut).unwrap().unwrap_err();
        assert!(bad.text.ends_with("(104857600 bytes)"), "{}", bad.text);
        assert!(bad.text.len() < 120);
        let other = Line {
            text: "x".repeat(4096),
            ..cut
        };
        assert_eq!(parse_read_line(&other), None);
    }

    #[test]
    fn line_without_timestamp_still_counts() {
        let e = parse_line(1, "NO_CLIENT_SITE: PC 10.0.0.1")
            .unwrap()
            .unwrap();
        assert_eq!((e.timestamp, e.domain), (None, None));
        assert_eq!(e.computer, "PC");
    }

    #[test]
    fn hostile_bytes_never_panic() {
        for bytes in [
            &b""[..],
            &b"\xff"[..],
            &b"\xff\xfe\x00"[..],
            &b"\xff\xfe\x00\xd8"[..], // lone surrogate
            &b"\x00\x00\x00\x00"[..],
            &b"\xc3\x28NO_CLIENT_SITE:"[..],
        ] {
            let (text, _) = decode_text(bytes);
            let _ = parse_log(&text);
        }
    }

    proptest::proptest! {
        #[test]
        fn any_bytes_decode_and_parse_without_panic(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..512)) {
            let (text, _) = decode_text(&bytes);
            let log = parse_log(&text);
            proptest::prop_assert!(log.entries.len() + log.malformed.len() <= log.lines);
        }

        #[test]
        fn any_text_after_the_marker_parses_without_panic(tail in ".{0,80}") {
            let _ = parse_line(1, &format!("08/14 09:12:44 [SITE] CONTOSO: NO_CLIENT_SITE:{tail}"));
        }
    }
}
