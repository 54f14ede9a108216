use super::super::fragments::*;
use super::{codes, per_sa};
use crate::analyse::sa::{LostDatagram, LostHeader};
use crate::analyse::testing::*;
use crate::capture::PacketRef;
use crate::capture::defrag::{ByteRange, FragmentOrder, GiveUp};
use crate::finding::{Code, Severity};

fn lost(id: u32) -> LostDatagram {
    LostDatagram {
        file: 0,
        frames: vec![PacketRef {
            file: 0,
            frame: u64::from(id),
        }],
        first_ts: ms(i64::from(id) * 1000),
        src: "198.18.1.2".parse().unwrap(),
        dst: "198.18.2.2".parse().unwrap(),
        ports: None,
        ip_id: id,
        arrived: vec![ByteRange {
            start: 0,
            end: 1480,
        }],
        missing: vec![ByteRange {
            start: 1480,
            end: u32::MAX,
        }],
        total_len: None,
        header: Some(LostHeader {
            key: key(AUTH, 1, false, true),
            spi_i: [1; 8],
            ike_len: 2212,
        }),
        largest_fragment: 1500,
        sizes: Vec::new(),
        order: FragmentOrder::InOrder,
        reason: GiveUp::EndOfCapture,
    }
}

#[test]
fn lost_fragments_of_one_message_are_one_finding() {
    let mut sa = SaBuilder::new().build();
    sa.lost = vec![lost(1), lost(2), lost(3)];
    let out = per_sa(&analysis(vec![sa], 60_000), super::super::fragments::lost);
    assert_eq!(
        codes(&out),
        vec![(Code::IpFragmentsMissing, Severity::Fail)]
    );
    assert_eq!(out[0].evidence["datagrams"], 3);
    assert_eq!(out[0].evidence["missing"], "1480-end");
    assert!(
        out[0]
            .summary
            .starts_with("IKE_AUTH request (message ID 1)")
    );
}

#[test]
fn more_than_16_ike_fragments_fail_when_the_exchange_failed() {
    let mut b = SaBuilder::new();
    for round in 0..3 {
        b.send_skf(Send::new(key(AUTH, 1, false, true), round * 1000), 17);
    }
    let out = per_sa(&analysis(vec![b.build()], 3100), too_many_ike_fragments);
    assert_eq!(
        codes(&out),
        vec![(Code::TooManyIkeFragments, Severity::Fail)]
    );
    assert!(
        out[0].summary.contains("17 IKEv2 fragments"),
        "{}",
        out[0].summary
    );
    assert!(
        out[0]
            .summary
            .contains("sent 3 times, and the exchange failed")
    );
    assert_eq!(out[0].windows_error, Some(809));
    assert!(out[0].remedy.as_deref().unwrap().contains("ECDSA"));
    // Answered: a warning.
    b.send_skf(Send::new(key(AUTH, 1, true, false), 3200), 3);
    let out = per_sa(&analysis(vec![b.build()], 60_000), too_many_ike_fragments);
    assert_eq!(
        codes(&out),
        vec![(Code::TooManyIkeFragments, Severity::Warn)]
    );
    assert_eq!(out[0].windows_error, None);
    // 16 is fine.
    let mut b = SaBuilder::new();
    b.send_skf(Send::new(key(AUTH, 1, false, true), 0), 16);
    assert!(per_sa(&analysis(vec![b.build()], 60_000), too_many_ike_fragments).is_empty());
}

#[test]
fn fragments_sent_last_first_are_named() {
    let mut b = SaBuilder::new();
    let mut s = Send::new(key(AUTH, 1, false, true), 0);
    s.ip_len = 2244;
    s.ip_fragments = Some((2, FragmentOrder::LastFirst));
    b.send(s.clone());
    s.millis = 1000;
    b.send(s);
    let out = per_sa(&analysis(vec![b.build()], 60_000), out_of_order);
    assert_eq!(
        codes(&out),
        vec![(Code::IpFragmentsOutOfOrder, Severity::Warn)]
    );
    assert!(out[0].summary.contains("last-first"));
    assert!(
        out[0].summary.contains("this exchange failed"),
        "{}",
        out[0].summary
    );
    // In order: nothing.
    let mut b = SaBuilder::new();
    let mut s = Send::new(key(AUTH, 1, false, true), 0);
    s.ip_fragments = Some((2, FragmentOrder::InOrder));
    b.send(s);
    assert!(per_sa(&analysis(vec![b.build()], 60_000), out_of_order).is_empty());
}

#[test]
fn an_ip_fragmented_message_is_named_once() {
    let mut b = SaBuilder::new();
    let mut s = Send::new(key(AUTH, 1, false, true), 0);
    s.ip_len = 2244;
    s.ip_fragments = Some((2, FragmentOrder::InOrder));
    b.send(s.clone());
    s.millis = 1000;
    b.send(s);
    let out = per_sa(&analysis(vec![b.build()], 60_000), ip_fragmented);
    assert_eq!(
        codes(&out),
        vec![(Code::IkeMessageIpFragmented, Severity::Warn)]
    );
    assert_eq!(out[0].evidence["fragments"], 2);
}

/// Lost datagrams no SA claims: one finding per flow with its count, and
/// at most 20 listed however many flows there are (issue 14).
#[test]
fn lost_datagrams_outside_sas_are_counted_per_flow_within_the_limit() {
    use crate::analyse::findings::derive;
    use crate::analyse::lost::FirstFragment;
    let mut a = analysis(Vec::new(), 10_000);
    // 100,000 datagrams from 1,000 sources, their first fragment missing.
    for n in 0..100_000u32 {
        let mut d = lost(n);
        d.header = None;
        d.src = std::net::IpAddr::from([198, 18, (n % 1000 / 256) as u8, (n % 1000) as u8]);
        a.lost_flows.add(d, FirstFragment::Missing);
    }
    let out = derive(&a);
    let missing: Vec<_> = out
        .iter()
        .filter(|f| f.code == Code::IpFragmentsMissing)
        .collect();
    assert_eq!(
        missing.len(),
        crate::analyse::findings::limit::MAX_PER_CODE + 1
    );
    assert_eq!(missing[0].evidence["datagrams"], 100);
    assert_eq!(missing[0].evidence["first_fragment"], "missing");
    assert_eq!(
        missing[0].evidence["ip_ids"],
        serde_json::json!([0, 1000, 2000])
    );
    // 32 flows and one finding for the datagrams of the others; 20 listed.
    let more = missing.last().unwrap();
    assert_eq!(more.evidence["total"], 33);
    assert_eq!(more.evidence["not_listed_warn"], 13);
    assert!(
        out.iter()
            .all(|f| f.severity != Severity::Fail || f.code == Code::NoIkeTraffic)
    );
}

/// A thousand SAs that each lost an IKE_AUTH request: the verdict is the
/// same, the list holds 20 of them and one finding counting the rest.
#[test]
fn repeated_findings_of_many_sas_are_listed_up_to_the_limit() {
    use crate::analyse::findings::derive;
    let sas: Vec<_> = (0..1000u32)
        .map(|n| {
            let mut b = SaBuilder::new();
            b.sa.spi_i = u64::from(n).to_be_bytes();
            let mut d = lost(n);
            if let Some(h) = &mut d.header {
                h.spi_i = b.sa.spi_i;
            }
            b.sa.lost.push(d);
            b.build()
        })
        .collect();
    let out = derive(&analysis(sas, 2_000_000));
    assert_eq!(
        codes(&out),
        [(Code::IpFragmentsMissing, Severity::Fail); 21].to_vec()
    );
    assert_eq!(out[20].evidence["total"], 1000);
    assert_eq!(out[20].evidence["not_listed_fail"], 980);
    assert_eq!(out[20].windows_error, Some(809));
}
