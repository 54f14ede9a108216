use super::*;
use crate::capture::SamePacketMark;
use blocks::pktmon_comment;

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
