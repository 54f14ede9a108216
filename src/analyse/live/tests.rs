use std::path::Path;

use super::*;
use crate::analyse::testing::{AUTH, SA_INIT, SaBuilder, Send, analysis, key, ms};
use crate::analyse::{Options, Session};
use crate::capture::defrag::FragmentOrder;
use crate::capture::{CaptureReader, for_each_in_time_order};
use crate::finding::Severity;

fn exchanges_of(a: &Analysis) -> Vec<(ExchangeKey, Status, usize)> {
    let sa = &a.sas[0];
    exchange::judged(a, sa)
        .iter()
        .map(|(e, s)| (e.key, *s, e.sent().len()))
        .collect()
}

fn is_settled(a: &Analysis, now_ms: i64) -> Vec<bool> {
    let sa = &a.sas[0];
    exchange::judged(a, sa)
        .iter()
        .map(|(e, s)| settled(e, *s, ms(now_ms)))
        .collect()
}

#[test]
fn a_request_sent_once_settles_only_after_the_silence_window() {
    let mut b = SaBuilder::new();
    b.send(Send::new(key(SA_INIT, 0, false, true), 0));
    let sa = b.build();
    assert!(!is_settled(&analysis(vec![sa.clone()], 1_000), 1_000)[0]);
    assert!(!is_settled(&analysis(vec![sa.clone()], 4_999), 4_999)[0]);
    let a = analysis(vec![sa], 5_000);
    assert_eq!(exchanges_of(&a)[0].1, Status::Unanswered);
    assert!(is_settled(&a, 5_000)[0]);
}

#[test]
fn an_unanswered_request_settles_at_the_third_sending() {
    let mut b = SaBuilder::new();
    b.send(Send::new(key(AUTH, 1, false, true), 0))
        .send(Send::new(key(AUTH, 1, false, true), 1_000));
    let two = analysis(vec![b.build()], 1_100);
    // Retransmitted once: unanswered so far, but the answer may still come.
    assert_eq!(exchanges_of(&two)[0].1, Status::Unanswered);
    assert!(!is_settled(&two, 1_100)[0]);
    b.send(Send::new(key(AUTH, 1, false, true), 2_500));
    let three = analysis(vec![b.build()], 2_600);
    assert!(is_settled(&three, 2_600)[0]);
}

#[test]
fn a_lost_response_settles_only_when_the_requester_gives_up() {
    let mut b = SaBuilder::new();
    b.send(Send::new(key(AUTH, 1, false, true), 0))
        .send(Send::new(key(AUTH, 1, true, false), 50))
        .send(Send::new(key(AUTH, 1, false, true), 1_000))
        .send(Send::new(key(AUTH, 1, false, true), 2_000))
        .send(Send::new(key(AUTH, 1, false, true), 3_000));
    let sa = b.build();
    let a = analysis(vec![sa.clone()], 3_100);
    assert!(matches!(
        exchanges_of(&a)[0].1,
        Status::ResponseLost { repeats: 3 }
    ));
    assert!(!is_settled(&a, 3_100)[0], "one more try may get through");
    let a = analysis(vec![sa], 8_000);
    assert!(is_settled(&a, 8_000)[0]);
}

#[test]
fn an_answered_exchange_is_settled_at_once() {
    let mut b = SaBuilder::new();
    b.send(Send::new(key(SA_INIT, 0, false, true), 0))
        .send(Send::new(key(SA_INIT, 0, true, false), 12));
    let a = analysis(vec![b.build()], 13);
    assert_eq!(is_settled(&a, 13), vec![true]);
}

/// IKE_SA_INIT answered, then IKE_AUTH as two IP fragments sent three
/// times and never answered: the classic error 809, as a live capture
/// sees it arrive.
fn auth_lost(upto_ms: i64) -> IkeSa {
    let mut b = SaBuilder::new();
    b.send(Send::new(key(SA_INIT, 0, false, true), 0))
        .send(Send::new(key(SA_INIT, 0, true, false), 20));
    for at in [40, 1_040, 2_540, 6_000] {
        if at <= upto_ms {
            let mut s = Send::new(key(AUTH, 1, false, true), at);
            s.ip_len = 2544;
            s.content = 7;
            s.ip_fragments = Some((2, FragmentOrder::InOrder));
            b.send(s);
        }
    }
    b.build()
}

fn poll(w: &mut Watch, upto_ms: i64, now_ms: i64) -> Vec<Event> {
    let a = analysis(vec![auth_lost(upto_ms)], now_ms);
    w.poll(&a, ms(now_ms))
}

fn describe(events: &[Event]) -> Vec<String> {
    events
        .iter()
        .map(|e| match e {
            Event::Exchange(x) => format!("{} {:?}", x.key.exchange, x.status),
            Event::Finding(f) => format!("{} {}", f.severity.as_str(), f.code),
        })
        .collect()
}

#[test]
fn each_exchange_and_each_finding_is_reported_once_when_it_settles() {
    let mut w = Watch::new();
    // IKE_SA_INIT answered: its line at once; no findings while IKE_AUTH is due.
    let first = poll(&mut w, 20, 30);
    assert_eq!(describe(&first), vec!["IKE_SA_INIT Answered"]);
    let Event::Exchange(x) = &first[0] else {
        unreachable!()
    };
    assert_eq!((x.requests, x.responses), (1, 1));
    assert!((x.round_trip.unwrap() - 0.020).abs() < 1e-9);
    assert_eq!(x.requester.to_string(), "198.18.1.2:4500");
    // IKE_AUTH out once, then twice: nothing settled yet.
    assert!(poll(&mut w, 40, 500).is_empty());
    assert!(poll(&mut w, 1_040, 1_100).is_empty());
    // The third sending without a reply: the exchange and its findings.
    let third = describe(&poll(&mut w, 2_540, 2_600));
    assert_eq!(third[0], "IKE_AUTH Unanswered", "{third:?}");
    assert!(
        third.contains(&"fail ike-auth-unanswered".to_string()),
        "{third:?}"
    );
    assert!(
        third.contains(&"warn ike-message-ip-fragmented".to_string()),
        "{third:?}"
    );
    // Later polls, a fourth sending (new evidence, same finding): nothing again.
    assert!(poll(&mut w, 2_540, 3_000).is_empty());
    assert!(poll(&mut w, 6_000, 6_100).is_empty());
}

#[test]
fn end_of_capture_findings_are_never_reported_early() {
    let a = Analysis {
        files: vec![Some(crate::analyse::FileSpan {
            first: ms(0),
            last: ms(60_000),
        })],
        first_ts: Some(ms(0)),
        ..Analysis::default()
    };
    let all = findings::derive(&a);
    assert!(all.iter().any(|f| f.code == Code::NoIkeTraffic), "{all:?}");
    assert!(certain(&a, ms(60_000)).is_empty());
    assert!(Watch::new().poll(&a, ms(60_000)).is_empty());
}

#[test]
fn the_memory_of_what_was_reported_is_bounded() {
    let mut s: Seen<u32> = Seen::default();
    for k in 0..(MAX_REMEMBERED as u32 + 10) {
        assert!(s.insert(k));
    }
    assert_eq!(s.set.len(), MAX_REMEMBERED);
    assert!(!s.insert(MAX_REMEMBERED as u32 + 9));
    // The oldest were forgotten.
    assert!(s.insert(0));
}

/// Every capture in `fixtures/` replayed as a live capture would see it:
/// frames in time order, and between them the clock moving in 0.5 s steps
/// with a poll at each. What is reported live must be in the report at the
/// end with the same severity: a live line never says something the end
/// takes back.
#[test]
fn live_reports_on_every_fixture_agree_with_the_final_report() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "pcap" || x == "pcapng"))
        .collect();
    files.sort();
    assert!(files.len() > 20, "fixtures missing: {}", dir.display());
    let mut reported_fail = 0;
    for path in files {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let file = std::fs::File::open(&path).unwrap();
        let mut readers = vec![CaptureReader::new(name.clone(), 0, file).unwrap()];
        let mut session = Session::new(Options::default());
        let _ = readers[0].peek();
        session.declare_interfaces(0, readers[0].interfaces_declared());
        let mut watch = Watch::new();
        let mut live: Vec<Finding> = Vec::new();
        let mut clock: Option<Timestamp> = None;
        for_each_in_time_order(&mut readers, |p| {
            if let Some(mut t) = clock {
                for _ in 0..40 {
                    t = Timestamp(t.0 + 500_000_000);
                    if t >= p.ts {
                        break;
                    }
                    let a = session.snapshot(t);
                    live.extend(watch.poll(&a, t).into_iter().filter_map(only_findings));
                }
            }
            session.push(p);
            let a = session.snapshot(p.ts);
            live.extend(watch.poll(&a, p.ts).into_iter().filter_map(only_findings));
            clock = Some(p.ts);
            true
        })
        .unwrap();
        let end = session.finish();
        for f in &live {
            assert!(
                end.findings
                    .iter()
                    .any(|g| g.code == f.code && g.severity == f.severity),
                "{name}: reported live as {} {} but the report at the end says {:?}",
                f.severity.as_str(),
                f.code,
                end.findings
                    .iter()
                    .map(|g| format!("{} {}", g.severity.as_str(), g.code))
                    .collect::<Vec<_>>()
            );
        }
        reported_fail += live.iter().filter(|f| f.severity == Severity::Fail).count();
        if name == "ike-frags-dropped-809-client.pcapng" {
            assert!(
                live.iter().any(|f| f.code == Code::IkeAuthUnanswered),
                "{name}: the unanswered IKE_AUTH is settled before the capture ends"
            );
        }
    }
    assert!(
        reported_fail > 5,
        "live reports found few failures: {reported_fail}"
    );
}

fn only_findings(e: Event) -> Option<Finding> {
    match e {
        Event::Finding(f) => Some(f),
        Event::Exchange(_) => None,
    }
}
