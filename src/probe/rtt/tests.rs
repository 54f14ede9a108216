//! The estimator fed with the round trips of hostile paths.

use super::*;

const MS: Duration = Duration::from_millis(1);

fn est() -> RttEstimator {
    RttEstimator::new(250 * MS, 2000 * MS)
}

/// A repeatable pseudo-random sequence (xorshift), so the jitter tests need
/// no seed handling and never flake.
fn jitter(n: usize, low_ms: u64, high_ms: u64) -> Vec<Duration> {
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            Duration::from_micros(low_ms * 1000 + x % ((high_ms - low_ms) * 1000 + 1))
        })
        .collect()
}

#[test]
fn before_any_sample_the_wait_is_the_ceiling() {
    let e = est();
    assert_eq!(e.wait(), 2000 * MS);
    assert_eq!(e.srtt(), None);
    assert_eq!(e.backoff(3), 2000 * MS);
}

#[test]
fn the_first_sample_alone_follows_rfc_6298() {
    let mut e = RttEstimator::new(MS, 10_000 * MS);
    e.sample(100 * MS);
    // SRTT = R, RTTVAR = R/2: wait = R + 4 R/2 = 3 R.
    assert_eq!(e.wait(), 300 * MS);
}

#[test]
fn a_delayed_first_reply_is_discarded_by_the_second() {
    // The first echo waited 1 s for neighbour discovery; the path itself
    // answers in 0.2 ms.
    let mut e = est();
    e.sample(1000 * MS);
    assert_eq!(e.wait(), 2000 * MS, "3 s, capped at the ceiling");
    e.sample(Duration::from_micros(200));
    assert!(e.discarded_first());
    assert_eq!(e.wait(), 250 * MS, "the floor, from the second probe on");
    for _ in 0..20 {
        e.sample(Duration::from_micros(200));
        assert_eq!(e.wait(), 250 * MS);
    }
    assert_eq!(e.min_rtt(), Some(Duration::from_micros(200)));
    assert_eq!(e.samples(), 22);
}

#[test]
fn a_first_sample_like_the_next_ones_is_kept() {
    let mut e = RttEstimator::new(MS, 10_000 * MS);
    e.sample(100 * MS);
    e.sample(80 * MS);
    assert!(!e.discarded_first());
    // RTTVAR = 3/4 * 50 + 1/4 * 20 = 42.5; SRTT = 7/8 * 100 + 1/8 * 80 = 97.5.
    assert_eq!(e.srtt(), Some(Duration::from_micros(97_500)));
    assert_eq!(e.wait(), Duration::from_micros(97_500 + 4 * 42_500));
}

#[test]
fn only_the_first_sample_is_ever_discarded() {
    let mut e = RttEstimator::new(MS, 10_000 * MS);
    for _ in 0..5 {
        e.sample(100 * MS);
    }
    e.sample(10 * MS);
    assert!(!e.discarded_first());
    assert!(e.srtt().unwrap() > 80 * MS);
}

#[test]
fn one_slow_reply_mid_search_does_not_set_the_pace() {
    let mut e = est();
    for _ in 0..10 {
        e.sample(MS);
    }
    assert_eq!(e.wait(), 250 * MS);
    e.sample(800 * MS);
    assert_eq!(e.wait(), 250 * MS, "held back, not fed");
    e.sample(MS);
    assert_eq!(e.wait(), 250 * MS);
    assert_eq!(e.dropped(), 1);
    assert_eq!(e.min_rtt(), Some(MS));
}

#[test]
fn a_path_that_slows_down_is_followed() {
    let mut e = est();
    for _ in 0..10 {
        e.sample(MS);
    }
    // Two slow replies in a row: the path changed, both count.
    e.sample(800 * MS);
    e.sample(700 * MS);
    assert_eq!(e.dropped(), 0);
    assert!(e.wait() > 1000 * MS, "{:?}", e.wait());
    for _ in 0..10 {
        e.sample(750 * MS);
    }
    assert!(e.wait() >= 750 * MS, "{:?}", e.wait());
}

#[test]
fn plain_rfc_6298_is_what_a_held_sample_avoids() {
    // The arithmetic the module documentation quotes: fed at once, the
    // spike keeps a plain RFC 6298 wait above 250 ms for nine replies.
    let mut srtt = 1.0f64;
    let mut var = 0.0f64;
    let mut step = |r: f64| {
        var = 0.75 * var + 0.25 * (srtt - r).abs();
        srtt = 0.875 * srtt + 0.125 * r;
        srtt + 4.0 * var
    };
    step(800.0);
    let above = (0..20)
        .map(|_| step(1.0))
        .take_while(|&w| w > 250.0)
        .count();
    assert_eq!(above, 9);
}

#[test]
fn jittery_replies_are_waited_for() {
    // Replies anywhere between 20 and 200 ms (a busy Wi-Fi link): once the
    // estimate has settled, no wait is shorter than the slowest reply.
    let mut e = RttEstimator::new(MS, 2000 * MS);
    let samples = jitter(200, 20, 200);
    for (n, &r) in samples.iter().enumerate() {
        e.sample(r);
        if n >= 8 {
            assert!(e.wait() >= 200 * MS, "sample {n}: wait {:?}", e.wait());
        }
        assert!(e.wait() <= 2000 * MS);
    }
    let srtt = e.srtt().unwrap();
    assert!(srtt > 70 * MS && srtt < 150 * MS, "{srtt:?}");
}

#[test]
fn waits_stay_within_floor_and_ceiling() {
    let mut e = est();
    e.sample(Duration::ZERO);
    assert_eq!(e.wait(), 250 * MS);
    for _ in 0..10 {
        e.sample(60_000 * MS);
    }
    assert_eq!(e.wait(), 2000 * MS);
}

#[test]
fn backoff_doubles_per_retransmission_up_to_the_ceiling() {
    let mut e = RttEstimator::new(250 * MS, 2000 * MS);
    e.sample(MS);
    e.sample(MS);
    assert_eq!(e.backoff(0), 250 * MS);
    assert_eq!(e.backoff(1), 500 * MS);
    assert_eq!(e.backoff(2), 1000 * MS);
    assert_eq!(e.backoff(3), 2000 * MS);
    assert_eq!(e.backoff(200), 2000 * MS);
}

#[test]
fn a_floor_above_the_ceiling_is_lowered_to_it() {
    let e = RttEstimator::new(5000 * MS, 500 * MS);
    assert_eq!(e.floor(), 500 * MS);
    assert_eq!(e.wait(), 500 * MS);
}
