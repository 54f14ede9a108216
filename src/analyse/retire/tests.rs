//! The working set end to end: packets in, bounded facts and findings out.

use super::*;
use crate::analyse::bounds::MAX_SAS;
use crate::analyse::tests::ike;
use crate::analyse::{Analysis, Options, Session};
use crate::capture::ip::tests::{ipv4, udp};
use crate::capture::{LinkType, Packet, PacketRef};
use crate::finding::Code;

const S: [u8; 4] = [198, 19, 2, 20];

/// An IKE message of SA `n` (its initiator SPI); IKE_AUTH carries an SK
/// payload of a successful size.
fn msg(n: u32, exchange: u8, flags: u8, id: u32) -> Vec<u8> {
    let spi_r = if flags & 0x20 != 0 { [9; 8] } else { [0; 8] };
    let body = if exchange == 35 { 800 } else { 0 };
    let mut m = ike(exchange, flags, id, spi_r, body);
    m[..8].copy_from_slice(&u64::from(n + 1).to_be_bytes());
    m
}

/// Client `n`'s address.
fn client(n: u32) -> [u8; 4] {
    [198, 18, (n >> 8) as u8, n as u8]
}

struct Feed {
    session: Session,
    frame: u64,
    /// The client address of each SA, when not its own.
    client_of: Vec<(u32, u32)>,
}

impl Feed {
    fn new() -> Feed {
        Feed {
            session: Session::new(Options::default()),
            frame: 0,
            client_of: Vec::new(),
        }
    }

    /// A message of SA `n` at `millis`: from the client unless `back`.
    fn send(&mut self, n: u32, millis: i64, exchange: u8, flags: u8, id: u32, back: bool) {
        let c = self
            .client_of
            .iter()
            .find(|(sa, _)| *sa == n)
            .map_or(n, |(_, c)| *c);
        let (src, dst) = if back { (S, client(c)) } else { (client(c), S) };
        let ip = ipv4(
            src,
            dst,
            17,
            n as u16,
            0,
            &udp(500, 500, &msg(n, exchange, flags, id)),
        );
        self.frame += 1;
        self.session.push(&Packet {
            at: PacketRef {
                file: 0,
                frame: self.frame,
            },
            interface: 0,
            mark: None,
            ts: Timestamp(millis * 1_000_000),
            link: LinkType::RAW,
            data: &ip,
            orig_len: ip.len() as u32,
        });
    }

    /// SA `n` at `millis`: IKE_SA_INIT and IKE_AUTH answered.
    fn healthy(&mut self, n: u32, millis: i64) {
        self.send(n, millis, 34, 0x08, 0, false);
        self.send(n, millis + 5, 34, 0x20, 0, true);
        self.send(n, millis + 10, 35, 0x08, 1, false);
        self.send(n, millis + 15, 35, 0x20, 1, true);
    }

    fn finish(self) -> Analysis {
        self.session.finish()
    }
}

fn total(a: &Analysis, code: Code) -> u64 {
    a.findings
        .iter()
        .filter(|f| f.code == code)
        .map(|f| {
            f.evidence
                .get("not_listed")
                .and_then(|n| n.as_u64())
                .unwrap_or(1)
        })
        .sum()
}

#[test]
fn a_short_flood_keeps_the_working_set_and_counts_the_rest_in_progress() {
    // 1,000 IKE_SA_INIT requests within a second, then the capture ends:
    // every one is still in progress, as without the bound.
    let mut f = Feed::new();
    for n in 0..1000 {
        f.send(n, i64::from(n), 34, 0x08, 0, false);
    }
    let a = f.finish();
    assert_eq!(a.sas.len(), MAX_SAS);
    assert_eq!(a.summarised.sas(), 1000 - MAX_SAS as u64);
    assert_eq!(a.summarised.unsettled, 1000 - MAX_SAS as u64);
    assert_eq!(a.summarised.failed(), 0);
    assert_eq!(total(&a, Code::ExchangeInProgress), 1000);
    assert_eq!(total(&a, Code::IkeSaInitUnanswered), 0);
    assert!(a.findings.iter().all(|f| f.severity != Severity::Fail));
    // The first ones stay in full, and the latest.
    assert_eq!(a.sas[0].spi_i, 1u64.to_be_bytes());
    assert_eq!(a.sas[MAX_SAS - 1].spi_i, 1000u64.to_be_bytes());
    assert!(a.findings.len() <= 2 * (crate::analyse::bounds::MAX_PER_CODE + 1));
}

#[test]
fn a_long_flood_settles_the_early_ones_as_unanswered() {
    // 1,000 requests 10 ms apart (10 s): without the bound, those sent more
    // than 5 s before the end are unanswered (fail), the rest in progress.
    let mut f = Feed::new();
    for n in 0..1000 {
        f.send(n, i64::from(n) * 10, 34, 0x08, 0, false);
    }
    let a = f.finish();
    let unanswered = total(&a, Code::IkeSaInitUnanswered);
    let in_progress = total(&a, Code::ExchangeInProgress);
    assert_eq!(unanswered + in_progress, 1000);
    // The end is at 9.99 s: requests up to 4.99 s are unanswered (500);
    // pending bins are 250 ms wide, so at most 25 may be read as in progress.
    assert!((475..=500).contains(&unanswered), "{unanswered}");
    assert!(a.findings.iter().any(|f| f.severity == Severity::Fail));
}

#[test]
fn failing_sas_and_their_peers_stay_in_full() {
    // 300 SAs one second apart: all healthy but SA 9, whose IKE_AUTH is
    // never answered; SA 10 is the same client trying again, successfully.
    // Without the peer rule SA 10 (old, settled, healthy) would be among the
    // first summarised.
    let mut f = Feed::new();
    for n in 0..300u32 {
        let t = i64::from(n) * 1000;
        if n == 9 {
            f.send(n, t, 34, 0x08, 0, false);
            f.send(n, t + 5, 34, 0x20, 0, true);
            for k in 0..3 {
                f.send(n, t + 10 + k * 300, 35, 0x08, 1, false);
            }
        } else if n == 10 {
            f.client_of.push((10, 9));
            f.healthy(n, t);
        } else {
            f.healthy(n, t);
        }
    }
    let a = f.finish();
    assert_eq!(a.sas.len(), MAX_SAS);
    assert_eq!(a.summarised.sas(), 300 - MAX_SAS as u64);
    assert!(a.sas.iter().any(|sa| sa.spi_i == 10u64.to_be_bytes()));
    assert!(a.sas.iter().any(|sa| sa.spi_i == 11u64.to_be_bytes()));
    assert!(a.sas.iter().all(|sa| sa.spi_i != 12u64.to_be_bytes()));
    let auth = a
        .findings
        .iter()
        .find(|f| f.code == Code::IkeAuthUnanswered)
        .expect("the failure is reported");
    assert!(auth.summary.contains("198.18.0.9:500"), "{}", auth.summary);
    assert_eq!(total(&a, Code::IkeAuthUnanswered), 1);
    // The summarised ones were settled and healthy.
    assert_eq!(a.summarised.unsettled, 0);
    assert_eq!(a.summarised.outcomes().established, 300 - MAX_SAS as u64);
    assert_eq!(a.findings[0].code, Code::IkeAuthUnanswered);
}

#[test]
fn later_messages_of_a_summarised_sa_are_counted_not_restarted() {
    let mut f = Feed::new();
    for n in 0..(MAX_SAS as u32 + 1) {
        f.healthy(n, i64::from(n) * 1000);
    }
    // SA 8 (the first one not kept for being first) was summarised when
    // the last one arrived; its liveness check comes later.
    f.send(8, 400_000, 37, 0x08, 2, false);
    let a = f.finish();
    assert_eq!(a.summarised.sas(), 1);
    assert_eq!(a.summarised.later_messages, 1);
    assert!(a.sas.iter().all(|sa| sa.spi_i != 9u64.to_be_bytes()));
    assert_eq!(a.sas.len(), MAX_SAS);
}

fn finding(code: Code, severity: Severity, n: u32) -> Finding {
    Finding::new(code, severity, format!("#{n}"))
}

#[test]
fn judgements_split_by_code_and_severity() {
    let ended = vec![
        finding(Code::IpFragmentsMissing, Severity::Fail, 1),
        finding(Code::ExchangeInProgress, Severity::Info, 2),
    ];
    let silent = vec![
        finding(Code::IpFragmentsMissing, Severity::Fail, 3),
        finding(Code::IkeSaInitUnanswered, Severity::Fail, 4),
    ];
    let (both, only_ended, only_silent) = split(ended, silent);
    let names = |v: &[Finding]| v.iter().map(|f| f.summary.clone()).collect::<Vec<_>>();
    assert_eq!(names(&both), ["#3"]);
    assert_eq!(names(&only_ended), ["#2"]);
    assert_eq!(names(&only_silent), ["#4"]);
}

fn span(end_ms: i64) -> Vec<Option<FileSpan>> {
    vec![Some(FileSpan {
        first: Timestamp(0),
        last: Timestamp(end_ms * 1_000_000),
    })]
}

#[test]
fn pending_bins_settle_as_silent_once_the_capture_passes_their_deadline() {
    let mut r = Retired::new(30);
    let mut settled = FindingLimit::default();
    for n in 0..100 {
        r.pend(
            0,
            Timestamp((5_000 + i64::from(n) * 10) * 1_000_000),
            vec![finding(Code::ExchangeInProgress, Severity::Info, n)],
            vec![finding(Code::IkeSaInitUnanswered, Severity::Fail, n)],
            &mut settled,
        );
    }
    // Deadlines 5.00 .. 5.99 s in four bins of 250 ms.
    assert_eq!(r.bins.len(), 4);
    r.settle(&span(5_499), &mut settled);
    assert_eq!(settled.total(Code::IkeSaInitUnanswered), 50);
    let mut end = settled.clone();
    r.finish(&span(5_600), &mut end);
    assert_eq!(end.total(Code::IkeSaInitUnanswered), 50);
    assert_eq!(end.total(Code::ExchangeInProgress), 50);
    assert!(r.bins.is_empty());
}

#[test]
fn pending_bins_stay_bounded() {
    let mut r = Retired::new(30);
    let mut settled = FindingLimit::default();
    for n in 0..1000 {
        r.pend(
            (n % 10) as u16,
            Timestamp(i64::from(n) * BIN_NANOS),
            vec![finding(Code::ExchangeInProgress, Severity::Info, n)],
            vec![finding(Code::IkeSaInitUnanswered, Severity::Fail, n)],
            &mut settled,
        );
    }
    assert_eq!(r.bins.len(), MAX_BINS);
    assert_eq!(
        settled.total(Code::IkeSaInitUnanswered),
        1000 - MAX_BINS as u64
    );
}

#[test]
fn summarised_spis_are_remembered_within_a_bound() {
    let mut r = Retired::new(30);
    for n in 0..(REMEMBERED_SPIS as u64 + 10) {
        r.remember(n.to_be_bytes());
    }
    assert!(!r.remembers(&0u64.to_be_bytes()));
    assert!(r.remembers(&(REMEMBERED_SPIS as u64 + 9).to_be_bytes()));
    assert_eq!(r.spis.len(), REMEMBERED_SPIS);
}

#[test]
fn large_sas_share_one_budget_of_transmissions() {
    // 100 long-lived SAs of 60 transmissions each (6,000 in all): the SAs
    // in full hold at most 4,096 between them; the rest are summarised
    // with their counts.
    use crate::analyse::bounds::MAX_KEPT_TRANSMISSIONS;
    let mut f = Feed::new();
    for n in 0..100u32 {
        let t = i64::from(n) * 100_000;
        f.healthy(n, t);
        for k in 0..28u32 {
            let at = t + 1000 + i64::from(k) * 1000;
            f.send(n, at, 37, 0x08, 2 + k, false);
            f.send(n, at + 5, 37, 0x20, 2 + k, true);
        }
    }
    let a = f.finish();
    let kept: usize = a.sas.iter().map(|sa| sa.transmissions.len()).sum();
    assert!(kept <= MAX_KEPT_TRANSMISSIONS, "{kept}");
    assert!(a.sas.len() < 100);
    assert_eq!(a.summarised.sas() as usize + a.sas.len(), 100);
    let summarised: u64 = a.summarised.peers.iter().map(|p| p.transmissions).sum();
    assert_eq!(summarised as usize + kept, 6000);
    assert_eq!(a.summarised.outcomes().established, a.summarised.sas());
    assert!(a.findings.iter().all(|f| f.severity != Severity::Fail));
}

#[test]
fn a_peer_refused_among_answered_ones_is_told_after_they_are_summarised() {
    // 600 clients one second apart, all answered but client 150, whose
    // IKE_SA_INIT goes unanswered three times. Its neighbours are
    // summarised long before the end; the answers they got stay with it.
    let mut f = Feed::new();
    for n in 0..600u32 {
        let t = i64::from(n) * 1000;
        if n == 150 {
            for k in 0..3 {
                f.send(n, t + k * 300, 34, 0x08, 0, false);
            }
        } else {
            f.healthy(n, t);
        }
    }
    let a = f.finish();
    assert!(a.summarised.sas() > 300);
    assert!(a.sas.iter().all(|sa| sa.spi_i != 150u64.to_be_bytes()));
    assert!(a.sas.iter().any(|sa| sa.spi_i == 151u64.to_be_bytes()));
    assert_eq!(total(&a, Code::IkeSaInitRefusedForPeer), 1);
    assert_eq!(total(&a, Code::IkeSaInitUnanswered), 0);
}

/// `count` IKE SAs `gap` ms apart (`attempt` sends SA `n` at `t`), watched
/// the way `capture` does (a snapshot and a poll every `every` ms of
/// capture time, each checked to hold at most the working set), the
/// capture running on 6 s past the last: the findings said live, and the
/// analysis at the end.
fn watch_flood(
    count: u32,
    gap: i64,
    every: i64,
    attempt: fn(&mut Feed, u32, i64),
) -> (Vec<Finding>, Analysis) {
    use crate::analyse::live::{Event, Watch};
    let mut f = Feed::new();
    let mut watch = Watch::new();
    let mut live = Vec::new();
    let mut next_poll = 0;
    let mut poll = |f: &mut Feed, t: i64| {
        let now = Timestamp(t * 1_000_000);
        let a = f.session.snapshot(now);
        assert!(a.sas.len() <= MAX_SAS, "{} SAs in a snapshot", a.sas.len());
        for e in watch.poll(&a, now) {
            if let Event::Finding(x) = e {
                live.push(x);
            }
        }
    };
    for n in 0..count {
        let t = i64::from(n) * gap;
        attempt(&mut f, n, t);
        while next_poll <= t {
            poll(&mut f, next_poll);
            next_poll += every;
        }
    }
    let end = i64::from(count - 1) * gap + 6_000;
    while next_poll <= end {
        poll(&mut f, next_poll);
        next_poll += every;
    }
    f.session.capture_ended(0, Timestamp(end * 1_000_000));
    (live, f.finish())
}

#[test]
fn a_live_watch_over_a_flood_stays_within_the_working_set_and_agrees_with_the_end() {
    // IKE_SA_INIT never answered, 1,000 in 10 s: summarised before they
    // settle. IKE_AUTH sent three times unanswered, 300 one a second: each
    // fails for good within a second and is said live while in full, then
    // the oldest are summarised (and listed with the summarised SAs').
    fn sa_init(f: &mut Feed, n: u32, t: i64) {
        f.send(n, t, 34, 0x08, 0, false);
    }
    fn auth_thrice(f: &mut Feed, n: u32, t: i64) {
        f.send(n, t, 34, 0x08, 0, false);
        f.send(n, t + 5, 34, 0x20, 0, true);
        for k in 0..3 {
            f.send(n, t + 10 + k * 300, 35, 0x08, 1, false);
        }
    }
    // (SAs, ms between them, ms between polls, how each tries, its failure)
    type Flood = (u32, i64, i64, fn(&mut Feed, u32, i64), Code);
    let floods: [Flood; 2] = [
        (1000, 10, 250, sa_init, Code::IkeSaInitUnanswered),
        (300, 1000, 1000, auth_thrice, Code::IkeAuthUnanswered),
    ];
    for (count, gap, every, attempt, code) in floods {
        let (live, fin) = watch_flood(count, gap, every, attempt);
        // At the end all are unanswered.
        assert_eq!(total(&fin, code), u64::from(count));
        // The unanswered requests were said live, and nothing said live is
        // missing from the end.
        assert!(
            live.iter()
                .any(|f| f.code == code && f.severity == Severity::Fail)
        );
        for f in &live {
            assert!(
                fin.findings
                    .iter()
                    .any(|g| g.code == f.code && g.severity == f.severity),
                "live {} {} not in the report",
                f.severity.as_str(),
                f.code
            );
        }
        // Each finding is said once: not again when its SA is summarised
        // and listed with the summarised SAs'.
        let mut summaries: Vec<&str> = live.iter().map(|f| f.summary.as_str()).collect();
        let n = summaries.len();
        summaries.sort_unstable();
        summaries.dedup();
        assert_eq!(summaries.len(), n, "{count}: a finding was said twice live");
        assert!(n <= count as usize + 2, "{count}: {n} live findings");
    }
}
