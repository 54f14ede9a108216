use super::*;
use std::net::Ipv4Addr;

fn key(id: u32) -> FragKey {
    FragKey {
        file: 0,
        src: IpAddr::V4(Ipv4Addr::new(198, 18, 0, 1)),
        dst: IpAddr::V4(Ipv4Addr::new(198, 19, 0, 1)),
        proto: 17,
        id,
    }
}

fn frag(id: u32, offset: u32, more: bool, data: &[u8], frame: u64, secs: i64) -> Fragment<'_> {
    Fragment {
        key: key(id),
        info: FragInfo { id, offset, more },
        payload: data,
        declared_len: data.len() as u32,
        header_len: 20,
        ttl: 64,
        frame_len: 14 + 20 + data.len() as u32,
        at: PacketRef { file: 0, frame },
        ts: Timestamp::from_secs_nanos(secs, 0),
    }
}

#[test]
fn reassembles_out_of_order() {
    let mut d = Defragmenter::new(DefragLimits::default());
    let a: Vec<u8> = (0..16).collect();
    let b: Vec<u8> = (16..24).collect();
    let mut lost = Vec::new();
    assert!(
        d.push(frag(7, 16, false, &b, 2, 1), &mut |x| lost.push(x))
            .is_none()
    );
    let r = d
        .push(frag(7, 0, true, &a, 3, 1), &mut |x| lost.push(x))
        .unwrap();
    assert_eq!(r.payload, (0..24).collect::<Vec<u8>>());
    assert_eq!(r.fragments, 2);
    assert_eq!(r.datagram_len, 44);
    assert_eq!(
        r.frames,
        vec![
            PacketRef { file: 0, frame: 2 },
            PacketRef { file: 0, frame: 3 }
        ]
    );
    assert!(lost.is_empty());
    assert_eq!(d.stats().reassembled, 1);
    assert_eq!(d.in_flight(), 0);
}

#[test]
fn fragment_order_is_told() {
    let mut d = Defragmenter::new(DefragLimits::default());
    let mut lost = Vec::new();
    // Last-first: the tail (MF clear) is captured before the head.
    d.push(frag(1, 16, false, &[2; 8], 1, 1), &mut |x| lost.push(x));
    let r = d
        .push(frag(1, 0, true, &[1; 16], 2, 1), &mut |x| lost.push(x))
        .unwrap();
    assert_eq!(r.order, FragmentOrder::LastFirst);
    assert_eq!(
        r.sizes,
        vec![
            FragmentSize {
                offset: 0,
                ip_len: 36
            },
            FragmentSize {
                offset: 16,
                ip_len: 28
            }
        ]
    );
    assert_eq!(r.largest_frame, 14 + 36);
    // In order.
    d.push(frag(2, 0, true, &[1; 16], 3, 1), &mut |x| lost.push(x));
    let r = d
        .push(frag(2, 16, false, &[2; 8], 4, 1), &mut |x| lost.push(x))
        .unwrap();
    assert_eq!(r.order, FragmentOrder::InOrder);
    // Middle, head, tail: reordered, not last-first.
    d.push(frag(3, 8, true, &[1; 8], 5, 1), &mut |x| lost.push(x));
    d.push(frag(3, 0, true, &[1; 8], 6, 1), &mut |x| lost.push(x));
    let r = d
        .push(frag(3, 16, false, &[2; 8], 7, 1), &mut |x| lost.push(x))
        .unwrap();
    assert_eq!(r.order, FragmentOrder::Mixed);
    assert!(lost.is_empty());
}

#[test]
fn fragments_from_two_capture_files_never_complete_each_other() {
    // The client-side and the server-side trace each hold a copy of the
    // same datagram's fragments (same addresses, protocol and IP ID),
    // read interleaved in time order. Each file's copy is reassembled
    // from its own fragments only; a file that lost the tail stays
    // incomplete even though the other file has it.
    let mut d = Defragmenter::new(DefragLimits::default());
    let mut lost = Vec::new();
    let head: Vec<u8> = (0..16).collect();
    let tail: Vec<u8> = (16..24).collect();
    fn in_file(file: u16, f: Fragment<'_>) -> Fragment<'_> {
        Fragment {
            key: FragKey { file, ..f.key },
            at: PacketRef { file, ..f.at },
            ..f
        }
    }
    let client_head = in_file(0, frag(9, 0, true, &head, 1, 1));
    let server_tail = in_file(1, frag(9, 16, false, &tail, 1, 1));
    let client_tail = in_file(0, frag(9, 16, false, &tail, 2, 1));
    assert!(d.push(client_head, &mut |x| lost.push(x)).is_none());
    // The server's tail must not complete the client's head.
    assert!(d.push(server_tail, &mut |x| lost.push(x)).is_none());
    assert_eq!(d.in_flight(), 2);
    let r = d.push(client_tail, &mut |x| lost.push(x)).unwrap();
    assert_eq!(r.key.file, 0);
    assert_eq!(r.payload, (0..24).collect::<Vec<u8>>());
    assert!(r.frames.iter().all(|f| f.file == 0));
    // The server file's copy never got its head.
    let rest = d.finish_all();
    assert_eq!(rest.len(), 1);
    assert_eq!(rest[0].key.file, 1);
    assert!(rest[0].head.is_none());
    assert!(lost.is_empty());
}

#[test]
fn reports_missing_tail_and_head_bytes() {
    let mut d = Defragmenter::new(DefragLimits::default());
    let first = [0x11u8; 1480];
    let mut lost = Vec::new();
    d.push(frag(1, 0, true, &first, 10, 5), &mut |x| lost.push(x));
    let rest = d.finish_all();
    assert_eq!(rest.len(), 1);
    let i = &rest[0];
    assert_eq!(
        i.arrived,
        vec![ByteRange {
            start: 0,
            end: 1480
        }]
    );
    assert_eq!(
        i.missing,
        vec![ByteRange {
            start: 1480,
            end: u32::MAX
        }]
    );
    assert_eq!(i.total_len, None);
    assert_eq!(i.head.as_deref(), Some(&first[..HEAD_BYTES]));
    assert_eq!(i.reason, GiveUp::EndOfCapture);
    assert_eq!(i.largest_fragment, 1500);
}

#[test]
fn reports_missing_first_fragment_without_head() {
    let mut d = Defragmenter::new(DefragLimits::default());
    let mut lost = Vec::new();
    d.push(frag(2, 1480, false, &[0; 700], 4, 1), &mut |x| lost.push(x));
    // 31 s later in capture time: the timeout fires on the next push.
    d.push(frag(3, 0, true, &[0; 8], 9, 32), &mut |x| lost.push(x));
    assert_eq!(lost.len(), 1);
    let i = &lost[0];
    assert_eq!(i.reason, GiveUp::Timeout);
    assert_eq!(i.total_len, Some(2180));
    assert_eq!(
        i.missing,
        vec![ByteRange {
            start: 0,
            end: 1480
        }]
    );
    assert!(i.head.is_none());
}

#[test]
fn bounded_in_flight_evicts_oldest() {
    let limits = DefragLimits {
        max_in_flight: 2,
        ..Default::default()
    };
    let mut d = Defragmenter::new(limits);
    let mut lost = Vec::new();
    for id in 0..3u32 {
        d.push(
            frag(id, 0, true, &[0; 8], u64::from(id), i64::from(id)),
            &mut |x| lost.push(x),
        );
    }
    assert_eq!(d.in_flight(), 2);
    assert_eq!(lost.len(), 1);
    assert_eq!((lost[0].key.id, lost[0].reason), (0, GiveUp::Evicted));
}

#[test]
fn oversized_or_contradictory_datagrams_are_invalid() {
    let mut d = Defragmenter::new(DefragLimits::default());
    let mut lost = Vec::new();
    d.push(frag(5, 65_528, true, &[0; 16], 1, 1), &mut |x| lost.push(x));
    assert_eq!(lost.pop().map(|i| i.reason), Some(GiveUp::Invalid));
    d.push(frag(6, 8, false, &[0; 8], 1, 1), &mut |x| lost.push(x));
    d.push(frag(6, 24, false, &[0; 8], 2, 1), &mut |x| lost.push(x));
    assert_eq!(lost.pop().map(|i| i.reason), Some(GiveUp::Invalid));
    assert_eq!(d.in_flight(), 0);
}

#[test]
fn snapped_fragments_never_complete_silently() {
    let mut d = Defragmenter::new(DefragLimits::default());
    let mut lost = Vec::new();
    let mut f = frag(8, 0, true, &[1; 8], 1, 1);
    f.declared_len = 16;
    d.push(f, &mut |x| lost.push(x));
    let r = d.push(frag(8, 16, false, &[2; 8], 2, 1), &mut |x| lost.push(x));
    assert!(r.is_none());
    assert_eq!(lost.pop().map(|i| i.reason), Some(GiveUp::Snapped));
}

#[test]
fn ranges_merge() {
    let mut r = Vec::new();
    insert_range(&mut r, ByteRange { start: 16, end: 24 });
    insert_range(&mut r, ByteRange { start: 0, end: 8 });
    insert_range(&mut r, ByteRange { start: 40, end: 48 });
    assert_eq!(
        missing_ranges(&r, Some(48)),
        vec![
            ByteRange { start: 8, end: 16 },
            ByteRange { start: 24, end: 40 }
        ]
    );
    insert_range(&mut r, ByteRange { start: 8, end: 16 });
    assert_eq!(
        r,
        vec![
            ByteRange { start: 0, end: 24 },
            ByteRange { start: 40, end: 48 }
        ]
    );
}

proptest::proptest! {
    #[test]
    fn never_panics_and_stays_bounded(frags in proptest::collection::vec((0u32..4, 0u32..9000, proptest::bool::ANY, 0usize..1600, 0i64..100), 0..60)) {
        let limits = DefragLimits { max_in_flight: 3, ..Default::default() };
        let mut d = Defragmenter::new(limits);
        let data = vec![0u8; 1600];
        for (n, (id, off, more, len, t)) in frags.into_iter().enumerate() {
            let mut lost = Vec::new();
            let _ = d.push(frag(id, off & !7, more, &data[..len], n as u64, t), &mut |x| lost.push(x));
            proptest::prop_assert!(d.in_flight() <= 3);
        }
        let _ = d.finish_all();
    }
}
