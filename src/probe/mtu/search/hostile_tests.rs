//! The search on slow, lossy and hostile paths, in virtual time: a first
//! reply delayed by neighbour resolution, jittery and slow replies (some
//! later than their wait), random loss, and budgets that run out mid-search.

use super::tests::{cfg, router, sizes};
use super::*;

const MS: Duration = Duration::from_millis(1);

/// A repeatable pseudo-random stream (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// True with chance `percent` %.
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn between(&mut self, low: Duration, high: Duration) -> Duration {
        let span = (high - low).as_micros() as u64;
        low + Duration::from_micros(self.next() % (span + 1))
    }
}

/// How a simulated path treats probe number `n` of `size` bytes.
enum Fate {
    /// Answered after this round trip (late when longer than the wait).
    Reply(Duration),
    Lost,
    TooBig(u16),
}

struct Run {
    result: SearchResult,
    /// The wait the search gave each probe.
    waits: Vec<Duration>,
}

/// Runs a search in virtual time. A reply slower than its wait is
/// reported late once the clock has passed its arrival, after a later
/// probe, as a transport that tells its probes apart does.
fn simulate(cfg: SearchConfig, mut fate: impl FnMut(usize, u16) -> Fate) -> Run {
    let mut search = Search::new(cfg).unwrap();
    let mut now = Duration::ZERO;
    let mut waits = Vec::new();
    let mut late: Vec<(u16, Duration, Duration)> = Vec::new(); // size, rtt, arrival
    for n in 0..2000 {
        match search.next(now) {
            Step::Done(result) => return Run { result, waits },
            Step::Probe { size, wait } => {
                waits.push(wait);
                let outcome = match fate(n, size) {
                    Fate::Reply(rtt) if rtt <= wait => {
                        now += rtt;
                        Outcome::Reply { rtt }
                    }
                    Fate::Reply(rtt) => {
                        late.push((size, rtt, now + rtt));
                        now += wait;
                        Outcome::Lost
                    }
                    Fate::Lost => {
                        now += wait;
                        Outcome::Lost
                    }
                    Fate::TooBig(mtu) => {
                        now += MS;
                        Outcome::TooBig {
                            mtu: Some(mtu),
                            from: router(),
                        }
                    }
                };
                search.record(size, outcome, now);
                let (arrived, pending) = late.into_iter().partition(|l| l.2 <= now);
                late = pending;
                for (size, rtt, _) in arrived {
                    search.record_late(size, rtt);
                }
            }
        }
    }
    panic!("the search does not end");
}

fn v6() -> SearchConfig {
    SearchConfig {
        floor: 1280,
        ..cfg()
    }
}

/// A black hole at `mtu`: larger sizes vanish without a word.
fn black_hole(mtu: u16, size: u16, rtt: Duration) -> Fate {
    if size <= mtu {
        Fate::Reply(rtt)
    } else {
        Fate::Lost
    }
}

#[test]
fn a_first_reply_delayed_by_neighbour_discovery_does_not_pace_the_search() {
    for c in [cfg(), v6()] {
        let run = simulate(c.clone(), |n, size| {
            let rtt = if n == 0 {
                1000 * MS
            } else {
                Duration::from_micros(200)
            };
            black_hole(1400, size, rtt)
        });
        let r = &run.result;
        assert_eq!(r.end, End::Found { path_mtu: 1400 }, "{:?}", sizes(r));
        assert!(r.black_hole);
        assert_eq!(run.waits[0], 2000 * MS, "the ceiling, before any reply");
        // One slow reply alone would make the wait 2 s: the floor is
        // probed again for a second round trip, which discards the first.
        assert_eq!(sizes(r)[..2], [c.floor, c.floor]);
        assert!(
            run.waits[2..].iter().all(|&w| w == 250 * MS),
            "every later wait is the floor: {:?}",
            run.waits
        );
        // Two silent sizes (the ceiling and one byte above the plateau).
        assert_eq!(
            r.probes
                .iter()
                .filter(|p| p.outcome == Outcome::Lost)
                .count(),
            6
        );
        assert!(r.elapsed < 3 * Duration::from_secs(1), "{:?}", r.elapsed);
    }
}

#[test]
fn the_same_search_paced_by_the_first_reply_would_take_four_times_longer() {
    // What the search did before the estimator: four times the slowest
    // reply, here the 1 s first one (capped at the 2 s timeout).
    let slow_wait = (1000 * MS * 4).min(cfg().timeout);
    let silent_probes = 6;
    let before = 1000 * MS + slow_wait * silent_probes;
    let run = simulate(v6(), |n, size| {
        black_hole(1400, size, if n == 0 { 1000 * MS } else { MS })
    });
    assert!(run.result.elapsed * 4 < before, "{:?}", run.result.elapsed);
}

#[test]
fn off_plateau_black_holes_are_still_exact() {
    for mtu in [1281, 1350, 1399, 1401, 1419, 1493, 1499] {
        let run = simulate(v6(), |_, size| black_hole(mtu, size, MS));
        assert_eq!(
            run.result.end,
            End::Found { path_mtu: mtu },
            "{:?}",
            sizes(&run.result)
        );
        assert!(run.result.black_hole);
    }
}

#[test]
fn jittery_replies_give_the_exact_mtu() {
    for seed in 1..=50 {
        let mut rng = Rng(seed);
        let run = simulate(cfg(), |_, size| {
            black_hole(1400, size, rng.between(20 * MS, 200 * MS))
        });
        assert_eq!(
            run.result.end,
            End::Found { path_mtu: 1400 },
            "seed {seed}: {:?}",
            sizes(&run.result)
        );
        assert!(run.waits.iter().all(|&w| w >= 250 * MS && w <= 2000 * MS));
    }
}

#[test]
fn replies_later_than_their_wait_still_count() {
    // A fast start, then the path slows to 400 ms (above the 250 ms floor
    // the first replies set): those replies come after their wait.
    let run = simulate(cfg(), |n, size| {
        black_hole(1400, size, if n < 2 { MS } else { 400 * MS })
    });
    let r = &run.result;
    assert_eq!(r.end, End::Found { path_mtu: 1400 }, "{:?}", r.probes);
    assert!(r.probes.iter().any(|p| p.late), "{:?}", r.probes);
    // Once a late reply taught the estimator, waits cover 400 ms.
    assert!(run.waits.last().unwrap() > &(400 * MS), "{:?}", run.waits);
}

/// Runs 100 searches with `tries` on a path of MTU 1400 (a black hole, or
/// with too-big errors) that loses `percent` % of all probes at random;
/// returns how many did not find 1400.
fn lossy(percent: u64, too_big: bool, tries: u8) -> usize {
    let mut wrong = 0;
    for seed in 1..=100 {
        let mut rng = Rng(seed);
        let run = simulate(SearchConfig { tries, ..cfg() }, |_, size| {
            if rng.chance(percent) {
                Fate::Lost
            } else if size > 1400 && too_big {
                Fate::TooBig(1400)
            } else {
                black_hole(1400, size, MS)
            }
        });
        let r = &run.result;
        if r.end != (End::Found { path_mtu: 1400 }) {
            wrong += 1;
            continue;
        }
        assert_eq!(r.black_hole, !too_big, "seed {seed}");
    }
    wrong
}

#[test]
fn twenty_percent_loss_gives_the_exact_mtu() {
    // Before any loss is measured, a size that passes is silenced by
    // three losses in a row with chance 0.2^3 = 0.8 %: the floor (then
    // nothing answers; 3 of these 100 seeds) or the first plateau (1).
    // Loss measured later raises the tries and reopens such a failure;
    // what is left is rare, and --tries 5 removes it.
    assert!(lossy(20, false, 3) <= 4, "{}", lossy(20, false, 3));
    assert!(lossy(20, true, 3) <= 4, "{}", lossy(20, true, 3));
    assert_eq!(lossy(20, false, 5), 0);
    assert_eq!(lossy(20, true, 5), 0);
}

#[test]
fn a_silent_failure_gets_more_tries_once_loss_is_measured() {
    // 1006 passes but its three first probes are lost before any loss at a
    // passing size was seen; then the bisection below it sees losses.
    let mut lost_1006 = 0;
    let mut n_small = 0;
    let run = simulate(cfg(), |_, size| {
        if size == 1006 && lost_1006 < 3 {
            lost_1006 += 1;
            return Fate::Lost;
        }
        if size < 1006 && size > 576 {
            n_small += 1;
            if n_small % 2 == 1 {
                return Fate::Lost;
            }
        }
        black_hole(1400, size, MS)
    });
    let r = &run.result;
    assert_eq!(r.end, End::Found { path_mtu: 1400 }, "{:?}", sizes(r));
    assert!(r.probes.iter().filter(|p| p.size == 1006).count() > 3);
}

#[test]
fn measured_loss_raises_the_tries() {
    let mut s = Search::new(cfg()).unwrap();
    let mut now = Duration::ZERO;
    // 576 passes; 1500 vanishes; then 1006 and 1007 each need a second try.
    for (size, outcome) in [
        (576, Outcome::Reply { rtt: MS }),
        (1500, Outcome::Lost),
        (1500, Outcome::Lost),
        (1500, Outcome::Lost),
        (1006, Outcome::Lost),
        (1006, Outcome::Reply { rtt: MS }),
        (1007, Outcome::Lost),
        (1007, Outcome::Reply { rtt: MS }),
    ] {
        let Step::Probe { size: asked, .. } = s.next(now) else {
            panic!()
        };
        assert_eq!(asked, size);
        now += MS;
        s.record(size, outcome, now);
    }
    // 2 lost of 4 probes at passing sizes (the first probe left out):
    // loss 2/5, and 0.4^8 < 0.1 %.
    assert_eq!(s.tries_needed(), 8);
    // A clean path keeps the configured tries.
    let r = simulate(cfg(), |_, size| black_hole(1400, size, MS)).result;
    assert_eq!(r.probes.iter().filter(|p| p.size == 1401).count(), 3);
}

#[test]
fn a_budget_that_runs_out_mid_search_keeps_the_proven_bounds() {
    // The true MTU is 1399, off every plateau: after 1400 vanished the
    // search bisects, and the probe cap stops it before it is done.
    for max_probes in 8..=16 {
        let c = SearchConfig { max_probes, ..v6() };
        let r = simulate(c, |_, size| black_hole(1399, size, MS)).result;
        let End::Incomplete { at_least, fails_at } = r.end else {
            assert_eq!(r.end, End::Found { path_mtu: 1399 });
            continue;
        };
        let (low, high) = (at_least.unwrap(), fails_at.unwrap());
        assert!(low <= 1399 && 1399 < high, "{max_probes}: {low}..{high}");
        assert!(
            r.black_hole,
            "{max_probes}: proven once a size above a pass vanished"
        );
        assert_eq!(r.probes_sent(), max_probes);
    }
    // The time budget: 1.2 s of virtual time (two silent sizes cost 1.5 s).
    let c = SearchConfig {
        max_time: 1200 * MS,
        ..v6()
    };
    let r = simulate(c, |_, size| black_hole(1399, size, MS)).result;
    let End::Incomplete {
        at_least: Some(low),
        fails_at: Some(high),
    } = r.end
    else {
        panic!("{:?}", r.end)
    };
    assert!(low <= 1399 && 1399 < high && r.black_hole, "{low}..{high}");
    assert!(r.elapsed <= 1200 * MS);
}

#[test]
fn a_budget_that_runs_out_before_any_silence_proves_no_black_hole() {
    let c = SearchConfig {
        max_probes: 2,
        ..cfg()
    };
    let r = simulate(c, |_, size| black_hole(1400, size, MS)).result;
    assert_eq!(
        r.end,
        End::Incomplete {
            at_least: Some(576),
            fails_at: None
        }
    );
    assert!(!r.black_hole);
}
