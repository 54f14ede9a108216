//! Tests of `text`: decoding, the capped line reader, excerpts.

mod decode {
    use super::super::*;

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

mod line_reader {
    use super::super::*;

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
    fn read_capped_stops_at_the_cap_and_says_so() {
        let c = read_capped(io::repeat(7), 1000).unwrap();
        assert_eq!((c.bytes.len(), c.truncated), (1000, true));
        let c = read_capped(&[1u8; 1000][..], 1000).unwrap();
        assert_eq!((c.bytes.len(), c.truncated), (1000, false));
        let c = read_capped(&b"short"[..], 1000).unwrap();
        assert_eq!((c.bytes, c.truncated), (b"short".to_vec(), false));
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
