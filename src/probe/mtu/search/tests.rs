//! The search against simulated paths: loss, lying routers, route changes.

use super::*;

const MS: Duration = Duration::from_millis(1);

pub(super) fn cfg() -> SearchConfig {
    SearchConfig {
        floor: 576,
        ceiling: 1500,
        tries: 3,
        max_probes: 64,
        max_time: Duration::from_secs(30),
        timeout: Duration::from_secs(2),
        min_wait: Duration::from_millis(250),
    }
}

pub(super) fn router() -> Option<IpAddr> {
    Some("198.18.1.1".parse().unwrap())
}

/// A simulated path: replies up to `mtu`; above it a too-big error
/// advertising `advertise(size)` (None = silent black hole). `lose` says
/// which probe numbers (0-based) are dropped regardless of size.
struct Path {
    mtu: u16,
    advertise: Box<dyn Fn(u16) -> Option<Outcome>>,
    lose: Box<dyn Fn(usize) -> bool>,
    echo: bool,
}

impl Path {
    fn clean(mtu: u16) -> Path {
        Path {
            mtu,
            advertise: Box::new(move |_| {
                Some(Outcome::TooBig {
                    mtu: Some(mtu),
                    from: router(),
                })
            }),
            lose: Box::new(|_| false),
            echo: true,
        }
    }

    fn outcome(&self, n: usize, size: u16) -> Outcome {
        if (self.lose)(n) || !self.echo {
            return Outcome::Lost;
        }
        if size <= self.mtu {
            Outcome::Reply { rtt: MS }
        } else {
            (self.advertise)(size).unwrap_or(Outcome::Lost)
        }
    }
}

/// Runs a search against a path; the clock advances by the full wait on
/// loss and by 1 ms otherwise.
fn run(cfg: SearchConfig, path: &Path) -> SearchResult {
    run_with(cfg, |n, size| path.outcome(n, size))
}

pub(super) fn run_with(
    cfg: SearchConfig,
    mut path: impl FnMut(usize, u16) -> Outcome,
) -> SearchResult {
    let mut search = Search::new(cfg).unwrap();
    let mut now = Duration::ZERO;
    for n in 0.. {
        match search.next(now) {
            Step::Done(result) => return result,
            Step::Probe { size, wait } => {
                let outcome = path(n, size);
                now += if outcome == Outcome::Lost { wait } else { MS };
                search.record(size, outcome, now);
            }
        }
        assert!(n < 1000, "search does not end");
    }
    unreachable!()
}

pub(super) fn sizes(r: &SearchResult) -> Vec<u16> {
    r.probes.iter().map(|p| p.size).collect()
}

#[test]
fn clean_path_at_interface_mtu_takes_two_probes() {
    let r = run(cfg(), &Path::clean(1500));
    assert_eq!(r.end, End::Found { path_mtu: 1500 });
    assert_eq!(sizes(&r), [576, 1500]);
    assert!(!r.black_hole);
    assert_eq!(r.too_big, None);
}

#[test]
fn too_big_steers_straight_to_the_mtu_and_confirms_it() {
    let r = run(cfg(), &Path::clean(1400));
    assert_eq!(r.end, End::Found { path_mtu: 1400 });
    assert_eq!(sizes(&r), [576, 1500, 1400, 1401]);
    assert!(!r.black_hole);
    let tb = r.too_big.unwrap();
    assert_eq!((tb.mtu, tb.from), (Some(1400), router()));
}

#[test]
fn random_loss_is_not_a_size_limit() {
    // The first probe at 1500 and the first at 1401 are lost; retries pass/answer.
    let path = Path {
        lose: Box::new(|n| n == 1 || n == 4),
        ..Path::clean(1400)
    };
    let r = run(cfg(), &path);
    assert_eq!(r.end, End::Found { path_mtu: 1400 });
    assert!(!r.black_hole);
    assert_eq!(sizes(&r), [576, 1500, 1500, 1400, 1401, 1401]);
}

#[test]
fn loss_on_a_passing_size_is_retried_not_taken_as_failure() {
    // No too-big errors at all (plain binary search); the first probe of
    // every size is lost. A one-try search would get this wrong.
    let mut seen = std::collections::HashSet::new();
    let r = run_with(cfg(), move |_, size| {
        if seen.insert(size) {
            Outcome::Lost
        } else if size <= 1400 {
            Outcome::Reply { rtt: MS }
        } else {
            Outcome::TooBig {
                mtu: None,
                from: router(),
            }
        }
    });
    assert_eq!(r.end, End::Found { path_mtu: 1400 });
}

#[test]
fn lying_mtu_above_the_real_one_is_probed_and_rejected() {
    // Router claims 1450, the real limit is 1400.
    let path = Path {
        advertise: Box::new(|_| {
            Some(Outcome::TooBig {
                mtu: Some(1450),
                from: router(),
            })
        }),
        ..Path::clean(1400)
    };
    let r = run(cfg(), &path);
    assert_eq!(r.end, End::Found { path_mtu: 1400 });
    assert!(
        !r.black_hole,
        "the limiting hop did answer, only with a wrong MTU"
    );
    assert_eq!(r.probes[2].size, 1450);
}

#[test]
fn lying_mtu_below_the_real_one_is_caught_by_the_confirmation() {
    // Router claims 1300, the real limit is 1400: 1301 passes, so the
    // search goes on by bisection.
    let path = Path {
        advertise: Box::new(|_| {
            Some(Outcome::TooBig {
                mtu: Some(1300),
                from: router(),
            })
        }),
        ..Path::clean(1400)
    };
    let r = run(cfg(), &path);
    assert_eq!(r.end, End::Found { path_mtu: 1400 });
    assert_eq!(&sizes(&r)[..4], [576, 1500, 1300, 1301]);
    assert!(r.probes_sent() <= 14, "{:?}", sizes(&r));
}

#[test]
fn advertised_mtu_not_below_the_sent_size_is_ignored() {
    let path = Path {
        advertise: Box::new(|size| {
            Some(Outcome::TooBig {
                mtu: Some(size + 100),
                from: router(),
            })
        }),
        ..Path::clean(1400)
    };
    let r = run(cfg(), &path);
    assert_eq!(r.end, End::Found { path_mtu: 1400 });
    assert!(r.probes.iter().all(|p| p.size <= 1500));
    assert!(!r.too_big.unwrap().trusted);
}

#[test]
fn advertised_mtu_below_the_floor_is_distrusted() {
    // Claims 500 (< 576): not followed, but the size still failed.
    let path = Path {
        advertise: Box::new(|_| {
            Some(Outcome::TooBig {
                mtu: Some(500),
                from: router(),
            })
        }),
        ..Path::clean(1400)
    };
    let r = run(cfg(), &path);
    assert_eq!(r.end, End::Found { path_mtu: 1400 });
    assert!(r.probes.iter().all(|p| p.size >= 576));
}

#[test]
fn path_below_the_floor_is_reported_with_the_advertised_mtu() {
    let path = Path {
        advertise: Box::new(|_| {
            Some(Outcome::TooBig {
                mtu: Some(500),
                from: router(),
            })
        }),
        ..Path::clean(500)
    };
    let r = run(cfg(), &path);
    assert_eq!(
        r.end,
        End::BelowFloor {
            advertised: Some(500)
        }
    );
    assert_eq!(sizes(&r), [576]);
}

#[test]
fn advertised_mtu_equal_to_the_floor_needs_only_its_confirmation() {
    let mut c = cfg();
    c.floor = 1280;
    let r = run(c, &Path::clean(1280));
    assert_eq!(r.end, End::Found { path_mtu: 1280 });
    assert_eq!(sizes(&r), [1280, 1500, 1281]);
    assert!(r.too_big.unwrap().trusted);
}

#[test]
fn ipv6_floor_is_never_undercut() {
    let mut c = cfg();
    c.floor = 1280;
    let path = Path {
        advertise: Box::new(|_| {
            Some(Outcome::TooBig {
                mtu: Some(1000),
                from: router(),
            })
        }),
        ..Path::clean(1350)
    };
    let r = run(c, &path);
    assert_eq!(r.end, End::Found { path_mtu: 1350 });
    assert!(r.probes.iter().all(|p| p.size >= 1280));
}

#[test]
fn mtu_shrinking_mid_search_is_followed() {
    // 1400 for the first three probes, then the route changes to a 1300 link.
    let r = run_with(cfg(), |n, size| {
        let mtu = if n < 3 { 1400 } else { 1300 };
        if size <= mtu {
            Outcome::Reply { rtt: MS }
        } else {
            Outcome::TooBig {
                mtu: Some(mtu),
                from: router(),
            }
        }
    });
    assert_eq!(r.end, End::Found { path_mtu: 1300 }, "{:?}", sizes(&r));
    // 1401 -> too big (1300) doubts the pass at 1400: 1400 is rechecked.
    assert_eq!(sizes(&r), [576, 1500, 1400, 1401, 1400, 1300, 1301]);
    assert_eq!(r.too_big.unwrap().mtu, Some(1300));
}

#[test]
fn a_lie_about_an_already_passed_size_is_rechecked_and_dismissed() {
    // After 1400 passed, one rogue error says 1401 is too big with MTU 1200.
    let r = run_with(cfg(), |n, size| {
        if n == 3 {
            return Outcome::TooBig {
                mtu: Some(1200),
                from: Some("198.18.9.9".parse().unwrap()),
            };
        }
        if size <= 1400 {
            Outcome::Reply { rtt: MS }
        } else {
            Outcome::TooBig {
                mtu: Some(1400),
                from: router(),
            }
        }
    });
    assert_eq!(r.end, End::Found { path_mtu: 1400 }, "{:?}", sizes(&r));
    assert_eq!(sizes(&r), [576, 1500, 1400, 1401, 1400]);
    assert_eq!(r.too_big.unwrap().from, router());
}

#[test]
fn black_hole_is_found_by_bisection_and_named() {
    let path = Path {
        advertise: Box::new(|_| None),
        ..Path::clean(1400)
    };
    let r = run(cfg(), &path);
    assert_eq!(r.end, End::Found { path_mtu: 1400 });
    assert!(r.black_hole);
    assert_eq!(r.too_big, None);
    // Every failing size was tried `tries` times before it counted.
    let at_1401 = r.probes.iter().filter(|p| p.size == 1401).count();
    assert_eq!(at_1401, 3);
    // Short waits once a round trip is known: well under 10 s.
    assert!(r.elapsed < Duration::from_secs(5), "{:?}", r.elapsed);
}

#[test]
fn silent_confirmation_after_a_truthful_error_is_not_a_black_hole() {
    // ICMP rate limiting: the router answers the first too-big only.
    let mut errors = 0;
    let r = run_with(cfg(), move |_, size| {
        if size <= 1400 {
            Outcome::Reply { rtt: MS }
        } else {
            errors += 1;
            if errors == 1 {
                Outcome::TooBig {
                    mtu: Some(1400),
                    from: router(),
                }
            } else {
                Outcome::Lost
            }
        }
    });
    assert_eq!(r.end, End::Found { path_mtu: 1400 });
    assert!(!r.black_hole);
}

#[test]
fn all_echo_blocked_is_no_answer_after_the_floor() {
    let path = Path {
        echo: false,
        ..Path::clean(1400)
    };
    let r = run(cfg(), &path);
    assert_eq!(r.end, End::NoAnswer);
    assert_eq!(sizes(&r), [576, 576, 576]);
    // Without any round trip the full timeout is used per probe.
    assert_eq!(r.elapsed, Duration::from_secs(6));
}

#[test]
fn refused_floor_is_unreachable_with_the_reason() {
    let r = run_with(cfg(), |_, _| Outcome::Error {
        kind: Unreachable::Prohibited,
        from: router(),
    });
    assert_eq!(
        r.end,
        End::Unreachable {
            kind: Unreachable::Prohibited,
            from: router()
        }
    );
}

#[test]
fn local_interface_limit_is_a_too_big_from_this_host() {
    let mut c = cfg();
    c.ceiling = 9000; // --max above the interface MTU
    let r = run_with(c, |_, size| {
        if size <= 1500 {
            Outcome::Reply { rtt: MS }
        } else {
            Outcome::TooBig {
                mtu: Some(1500),
                from: None,
            }
        }
    });
    assert_eq!(r.end, End::Found { path_mtu: 1500 });
    assert_eq!(sizes(&r), [576, 9000, 1500, 1501]);
}

#[test]
fn probe_budget_is_a_hard_cap() {
    let mut c = cfg();
    c.max_probes = 5;
    let path = Path {
        advertise: Box::new(|_| None),
        ..Path::clean(1400)
    };
    let r = run(c, &path);
    assert_eq!(r.probes_sent(), 5);
    // 576 passed, 1500 vanished 3 times, the walk's first plateau passed.
    assert_eq!(
        r.end,
        End::Incomplete {
            at_least: Some(1006),
            fails_at: Some(1500)
        }
    );
    assert!(
        r.black_hole,
        "a size above one that passed vanished every try"
    );
}

#[test]
fn time_budget_is_a_hard_cap_and_waits_fit_inside_it() {
    let mut c = cfg();
    c.max_time = Duration::from_secs(3);
    let path = Path {
        echo: false,
        ..Path::clean(1400)
    };
    let r = run(c, &path);
    assert!(matches!(r.end, End::Incomplete { at_least: None, .. }));
    assert!(r.elapsed <= Duration::from_secs(3), "{:?}", r.elapsed);
}

#[test]
fn adaptive_wait_follows_the_round_trip_within_limits() {
    let mut s = Search::new(cfg()).unwrap();
    let Step::Probe { size, wait } = s.next(Duration::ZERO) else {
        panic!()
    };
    assert_eq!(wait, Duration::from_secs(2));
    s.record(
        size,
        Outcome::Reply {
            rtt: Duration::from_millis(100),
        },
        Duration::from_millis(100),
    );
    let Step::Probe { wait, .. } = s.next(Duration::from_millis(100)) else {
        panic!()
    };
    // RFC 6298 from one sample: SRTT + 4 * SRTT/2.
    assert_eq!(wait, Duration::from_millis(300));
}

#[test]
fn floor_equal_to_ceiling_is_one_probe() {
    let mut c = cfg();
    c.floor = 1400;
    c.ceiling = 1400;
    let r = run(c, &Path::clean(1400));
    assert_eq!(r.end, End::Found { path_mtu: 1400 });
    assert_eq!(sizes(&r), [1400]);
}

#[test]
fn bad_configs_are_rejected() {
    let mut c = cfg();
    c.floor = 1600;
    assert!(matches!(
        Search::new(c),
        Err(ConfigError::FloorAboveCeiling { .. })
    ));
    let mut c = cfg();
    c.tries = 0;
    assert!(matches!(Search::new(c), Err(ConfigError::NoTries)));
}

proptest::proptest! {
    /// Whatever the path does, the search ends within its budget, never
    /// probes outside [floor, ceiling], and a found MTU is a size that
    /// got a reply.
    #[test]
    fn always_ends_within_bounds(
        mtu in 500u16..2000,
        advertise in proptest::option::of(0u16..3000),
        loss in proptest::collection::vec(proptest::bool::ANY, 0..80),
        silent in proptest::bool::ANY,
    ) {
        let c = cfg();
        let r = run_with(c.clone(), |n, size| {
            if loss.get(n).copied().unwrap_or(false) {
                Outcome::Lost
            } else if size <= mtu {
                Outcome::Reply { rtt: MS }
            } else if silent {
                Outcome::Lost
            } else {
                Outcome::TooBig { mtu: advertise, from: router() }
            }
        });
        proptest::prop_assert!(r.probes_sent() <= c.max_probes);
        proptest::prop_assert!(r.probes.iter().all(|p| p.size >= c.floor && p.size <= c.ceiling));
        if let Some(found) = r.path_mtu() {
            let replied = r.probes.iter().any(|p| p.size == found
                && matches!(p.outcome, Outcome::Reply { .. }));
            proptest::prop_assert!(replied);
            if loss.is_empty() && mtu >= c.floor {
                proptest::prop_assert_eq!(found, mtu.min(c.ceiling));
            }
        }
    }
}
