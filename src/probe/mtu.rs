//! Path-MTU search as a pure state machine: no sockets, no clock.
//!
//! The caller asks [`Search::next`] what to send, sends one Don't-Fragment
//! packet of that whole IP size, and feeds what happened back with
//! [`Search::record`], together with the time elapsed since the search began.
//! Keeping the search free of I/O is what lets the tests below replay loss,
//! lying routers and route changes exactly.
//!
//! # Strategy (why it needs few probes)
//! 1. The floor first (576 bytes for IPv4, RFC 791; 1280 for IPv6, RFC 8200
//!    §5): it proves the target answers at all and gives a round-trip time,
//!    so later waits can be short instead of the full `--timeout`.
//! 2. The ceiling (the outgoing interface MTU) next: most paths carry it.
//! 3. A too-big error (ICMP "fragmentation needed", RFC 1191 §4, or ICMPv6
//!    "packet too big", RFC 8201 §4) carries the next-hop MTU: probe exactly
//!    that size, then one byte more to confirm the router told the truth.
//! 4. Otherwise a binary search between the largest size that got a reply and
//!    the smallest size that failed.
//!
//! Silence is not proof: a size only fails after `tries` probes in a row are
//! lost, so random loss is not mistaken for a size limit. An explicit too-big
//! error fails the size at once. Advertised MTUs are distrusted when they are
//! outside the open bracket, below the floor (RFC 8201 §4: never below 1280 for
//! IPv6) or not smaller than the packet that was sent. A too-big error for a
//! size that already passed means the path may have changed: that size is
//! probed again and the newer evidence wins.

use std::net::IpAddr;
use std::time::Duration;

/// Limits of one search. Sizes are whole IP packets (IP header included).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchConfig {
    /// Smallest size tested; a path that cannot carry it is reported as such.
    pub floor: u16,
    /// Largest size tested: the outgoing interface MTU or `--max`.
    pub ceiling: u16,
    /// Probes per size before silence counts as "too big".
    pub tries: u8,
    /// Hard cap on probes sent.
    pub max_probes: u32,
    /// Hard cap on the whole search.
    pub max_time: Duration,
    /// Wait per probe before any round-trip time is known; also the cap on
    /// the adaptive wait.
    pub timeout: Duration,
    /// Shortest adaptive wait: round-trip times jitter, and an ICMP error
    /// from a slow router can arrive later than an echo reply from a fast host.
    pub min_wait: Duration,
}

impl SearchConfig {
    /// Default floor for the address family: the minimum every IPv4 host must
    /// accept (RFC 791 "576 octets") or the IPv6 minimum link MTU (RFC 8200 §5).
    pub fn default_floor(addr: &IpAddr) -> u16 {
        match addr {
            IpAddr::V4(_) => 576,
            IpAddr::V6(_) => 1280,
        }
    }

    /// Smallest IP packet that can carry the probe: IP header plus ICMP echo
    /// header (8 bytes), with room for a sequence tag.
    pub fn smallest_packet(addr: &IpAddr) -> u16 {
        match addr {
            IpAddr::V4(_) => 28 + 8,
            IpAddr::V6(_) => 48 + 8,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    #[error("--min {floor} is larger than --max {ceiling}; the search needs min <= max")]
    FloorAboveCeiling { floor: u16, ceiling: u16 },
    #[error("--tries must be at least 1")]
    NoTries,
    #[error("the probe budget must allow at least one probe")]
    NoProbes,
}

/// Why a probe got no reply, when an ICMP error said why (one ICMP
/// classification for probes and captures, in [`crate::wire::icmp`]).
pub use crate::wire::icmp::Unreachable;

/// What happened to one probe, as the transport saw it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The target answered: the packet arrived whole.
    Reply { rtt: Duration },
    /// Too big for a link on the way. `mtu` is the advertised next-hop MTU
    /// (`None` when the error carried none, e.g. a pre-RFC 1191 router that
    /// sends 0); `from` is the hop that said so, `None` for this host's own
    /// interface (the send itself failed with EMSGSIZE).
    TooBig {
        mtu: Option<u16>,
        from: Option<IpAddr>,
    },
    /// Nothing came back within the wait.
    Lost,
    /// Another ICMP error: the packet did not arrive, for a reason other than size.
    Error {
        kind: Unreachable,
        from: Option<IpAddr>,
    },
}

/// What the caller should do next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Send one packet of `size` bytes (whole IP packet) and wait at most `wait`.
    Probe { size: u16, wait: Duration },
    /// The search is over.
    Done(SearchResult),
}

/// One probe and its fate, for the per-size table and JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProbeRecord {
    pub size: u16,
    /// 1 for the first probe of this size in a row, 2 for its retry, ...
    pub attempt: u8,
    pub outcome: Outcome,
    /// Time since the search began when the outcome was recorded.
    pub at: Duration,
}

/// A too-big error as received, with whether the search believed its MTU.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TooBigSeen {
    pub size: u16,
    pub mtu: Option<u16>,
    pub from: Option<IpAddr>,
    pub trusted: bool,
}

/// How the search ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    /// The largest size that passed, with the next size up known to fail (or
    /// the ceiling itself passed).
    Found { path_mtu: u16 },
    /// Even the floor is too big for the path; `advertised` is what the
    /// hop said, if anything.
    BelowFloor { advertised: Option<u16> },
    /// Not one probe, not even at the floor, got any answer.
    NoAnswer,
    /// The floor was refused with a non-size ICMP error.
    Unreachable {
        kind: Unreachable,
        from: Option<IpAddr>,
    },
    /// The probe or time budget ran out first. `at_least` is the largest size
    /// that passed, `fails_at` the smallest that failed, if known.
    Incomplete {
        at_least: Option<u16>,
        fails_at: Option<u16>,
    },
}

/// The answer of a search and the evidence behind it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchResult {
    pub end: End,
    /// Sizes above the path MTU vanished without any too-big error that
    /// names this MTU: the limiting hop is silent (a PMTUD black hole).
    pub black_hole: bool,
    /// The too-big error that explains the result: the one that advertised
    /// the path MTU, else the last one received.
    pub too_big: Option<TooBigSeen>,
    pub probes: Vec<ProbeRecord>,
    pub elapsed: Duration,
}

impl SearchResult {
    pub fn path_mtu(&self) -> Option<u16> {
        match self.end {
            End::Found { path_mtu } => Some(path_mtu),
            _ => None,
        }
    }

    pub fn probes_sent(&self) -> u32 {
        u32::try_from(self.probes.len()).unwrap_or(u32::MAX)
    }
}

/// How the smallest failing size came to fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FailedBy {
    TooBig,
    Silence,
    Error,
}

/// A probe in progress (retries of one size).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Current {
    size: u16,
    attempts: u8,
    errors: u8,
}

/// The search state. See the module documentation for the strategy.
#[derive(Debug, Clone)]
pub struct Search {
    cfg: SearchConfig,
    /// Largest size that got a reply (and was not contradicted since).
    passed: Option<u16>,
    /// Smallest size that failed, and how.
    failed: Option<(u16, FailedBy)>,
    current: Option<Current>,
    /// A trusted advertised MTU still to probe.
    hint: Option<u16>,
    /// The advertised MTU being probed now.
    following: Option<u16>,
    /// The hint passed: probe one byte more to confirm it is exact.
    confirm: Option<u16>,
    /// A too-big error arrived for a size at or below `passed`: probe that
    /// size again; `after` is the MTU to follow if it now fails.
    recheck: Option<(u16, Option<u16>)>,
    /// Advertised MTUs already shown to be wrong (a larger size passed):
    /// they raise no further doubt about sizes that passed.
    disproven: Vec<u16>,
    any_reply: bool,
    max_rtt: Option<Duration>,
    too_big: Vec<TooBigSeen>,
    last_error: Option<(Unreachable, Option<IpAddr>)>,
    probes: Vec<ProbeRecord>,
    done: Option<SearchResult>,
}

impl Search {
    pub fn new(cfg: SearchConfig) -> Result<Search, ConfigError> {
        if cfg.floor > cfg.ceiling {
            return Err(ConfigError::FloorAboveCeiling {
                floor: cfg.floor,
                ceiling: cfg.ceiling,
            });
        }
        if cfg.tries == 0 {
            return Err(ConfigError::NoTries);
        }
        if cfg.max_probes == 0 {
            return Err(ConfigError::NoProbes);
        }
        Ok(Search {
            cfg,
            passed: None,
            failed: None,
            current: None,
            hint: None,
            following: None,
            confirm: None,
            recheck: None,
            disproven: Vec::new(),
            any_reply: false,
            max_rtt: None,
            too_big: Vec::new(),
            last_error: None,
            probes: Vec::new(),
            done: None,
        })
    }

    pub fn config(&self) -> &SearchConfig {
        &self.cfg
    }

    /// The largest size that passed and the smallest that failed, so far.
    pub fn bracket(&self) -> (Option<u16>, Option<u16>) {
        (self.passed, self.failed.map(|(s, _)| s))
    }

    /// Probes recorded so far.
    pub fn probes(&self) -> &[ProbeRecord] {
        &self.probes
    }

    /// The next thing to do, given the time since the search began.
    pub fn next(&mut self, now: Duration) -> Step {
        if let Some(done) = &self.done {
            return Step::Done(done.clone());
        }
        if let Some(end) = self.conclusion() {
            return Step::Done(self.finish(end, now));
        }
        let over_budget =
            self.probes.len() as u64 >= u64::from(self.cfg.max_probes) || now >= self.cfg.max_time;
        if over_budget {
            let end = End::Incomplete {
                at_least: self.passed,
                fails_at: self.failed.map(|(s, _)| s),
            };
            return Step::Done(self.finish(end, now));
        }
        let size = match self.current {
            Some(c) => c.size,
            None => {
                let size = self.choose();
                self.current = Some(Current {
                    size,
                    attempts: 0,
                    errors: 0,
                });
                size
            }
        };
        let remaining = self.cfg.max_time.saturating_sub(now);
        let wait = self.wait().min(remaining).max(Duration::from_millis(1));
        Step::Probe { size, wait }
    }

    /// Feeds the fate of the probe of `size` that [`Search::next`] asked for.
    pub fn record(&mut self, size: u16, outcome: Outcome, now: Duration) {
        if self.done.is_some() {
            return;
        }
        let mut current = match self.current {
            Some(c) if c.size == size => c,
            // A size that was not asked for: count it, learn nothing from it.
            _ => Current {
                size,
                attempts: 0,
                errors: 0,
            },
        };
        current.attempts = current.attempts.saturating_add(1);
        self.probes.push(ProbeRecord {
            size,
            attempt: current.attempts,
            outcome,
            at: now,
        });
        let asked = self.current.is_some_and(|c| c.size == size);
        if !asked {
            return;
        }
        match outcome {
            Outcome::Reply { rtt } => {
                self.current = None;
                self.any_reply = true;
                self.max_rtt = Some(self.max_rtt.map_or(rtt, |m| m.max(rtt)));
                self.passed_at(size);
            }
            Outcome::TooBig { mtu, from } => {
                self.current = None;
                self.too_big_at(size, mtu, from);
            }
            Outcome::Lost | Outcome::Error { .. } => {
                if let Outcome::Error { kind, from } = outcome {
                    current.errors = current.errors.saturating_add(1);
                    self.last_error = Some((kind, from));
                }
                if current.attempts >= self.cfg.tries {
                    self.current = None;
                    let how = if current.errors > 0 {
                        FailedBy::Error
                    } else {
                        FailedBy::Silence
                    };
                    self.failed_at(size, how);
                } else {
                    self.current = Some(current);
                }
            }
        }
    }

    /// The wait for the next probe: `timeout` until a round trip is known,
    /// then four times the slowest round trip seen, within [min_wait, timeout].
    fn wait(&self) -> Duration {
        match self.max_rtt {
            None => self.cfg.timeout,
            Some(rtt) => rtt
                .saturating_mul(4)
                .max(self.cfg.min_wait)
                .min(self.cfg.timeout),
        }
    }

    /// Exclusive bounds of the unknown range: `low` passed (or is below the
    /// floor), `high` failed (or is above the ceiling).
    fn bounds(&self) -> (u32, u32) {
        let low = self.passed.map_or(u32::from(self.cfg.floor) - 1, u32::from);
        let high = self
            .failed
            .map_or(u32::from(self.cfg.ceiling) + 1, |(s, _)| u32::from(s));
        (low, high)
    }

    fn inside(&self, size: u16) -> bool {
        let (low, high) = self.bounds();
        low < u32::from(size) && u32::from(size) < high
    }

    fn choose(&mut self) -> u16 {
        if let Some((size, _)) = self.recheck {
            return size;
        }
        if !self.any_reply && self.inside(self.cfg.floor) {
            return self.cfg.floor;
        }
        if let Some(h) = self.hint.take()
            && self.inside(h)
        {
            self.following = Some(h);
            for t in &mut self.too_big {
                t.trusted |= t.mtu == Some(h);
            }
            return h;
        }
        if let Some(c) = self.confirm.take()
            && self.inside(c)
        {
            return c;
        }
        let (low, high) = self.bounds();
        if self.failed.is_none() {
            return self.cfg.ceiling;
        }
        // high - low >= 2 here (else `conclusion` ended the search), so the
        // midpoint is strictly inside and fits in u16.
        u16::try_from(low + (high - low) / 2).unwrap_or(self.cfg.ceiling)
    }

    /// Whether the evidence already answers the question.
    fn conclusion(&self) -> Option<End> {
        if self.current.is_some() || self.recheck.is_some() {
            return None;
        }
        let (low, high) = self.bounds();
        if high - low > 1 {
            return None;
        }
        if let Some(path_mtu) = self.passed {
            return Some(End::Found { path_mtu });
        }
        // Even the floor failed.
        Some(match self.failed {
            Some((_, FailedBy::TooBig)) => End::BelowFloor {
                advertised: self.too_big.last().and_then(|t| t.mtu),
            },
            _ if self.any_reply => End::BelowFloor { advertised: None },
            Some((_, FailedBy::Error)) => match self.last_error {
                Some((kind, from)) => End::Unreachable { kind, from },
                None => End::NoAnswer,
            },
            _ => End::NoAnswer,
        })
    }

    fn passed_at(&mut self, size: u16) {
        if let Some((s, after)) = self.recheck
            && s == size
        {
            // The size still passes: the too-big error that doubted it lied.
            self.recheck = None;
            self.disproven.extend(after);
        }
        for t in &self.too_big {
            if let Some(m) = t.mtu
                && m < size
                && !self.disproven.contains(&m)
            {
                self.disproven.push(m);
            }
        }
        self.passed = Some(self.passed.map_or(size, |p| p.max(size)));
        if self.following == Some(size) {
            // An advertised MTU passed: one byte more tells whether it is exact.
            self.confirm = size.checked_add(1);
        }
        self.following = None;
    }

    fn too_big_at(&mut self, size: u16, mtu: Option<u16>, from: Option<IpAddr>) {
        let credible = mtu.filter(|&m| m >= self.cfg.floor && m < size && m <= self.cfg.ceiling);
        let mut seen = TooBigSeen {
            size,
            mtu,
            from,
            trusted: false,
        };
        if let Some((_, after)) = self.recheck.filter(|(s, _)| *s == size) {
            // The size that passed before fails again: the path changed.
            // Follow this error's MTU, or the one that raised the doubt.
            self.failed_at(size, FailedBy::TooBig);
            self.hint = credible
                .filter(|&m| self.inside(m))
                .or(after.filter(|&m| self.inside(m)));
            seen.trusted = self.hint.is_some() && self.hint == credible;
            self.too_big.push(seen);
            return;
        }
        if let Some(passed) = self.passed
            && (size <= passed
                || credible.is_some_and(|m| m < passed && !self.disproven.contains(&m)))
        {
            // The error contradicts a size that passed: the route may have
            // changed, or the error lies. Probe that size again before
            // believing either; remember the MTU to follow if it fails.
            if size > passed {
                self.failed_at(size, FailedBy::TooBig);
            }
            self.recheck = Some((size.min(passed), credible));
            self.too_big.push(seen);
            return;
        }
        self.failed_at(size, FailedBy::TooBig);
        self.hint = credible.filter(|&m| self.inside(m));
        seen.trusted = self.hint.is_some();
        if credible.is_some() && credible == self.passed {
            // The advertised MTU already passed (e.g. the IPv6 floor of
            // 1280): only its confirmation is left.
            seen.trusted = true;
            self.confirm = credible.and_then(|m| m.checked_add(1));
        }
        self.too_big.push(seen);
    }

    fn failed_at(&mut self, size: u16, how: FailedBy) {
        if let Some((s, after)) = self.recheck
            && s == size
        {
            // Confirmed: the size that passed before fails now.
            self.recheck = None;
            self.hint = after;
        }
        if self.passed.is_some_and(|p| size <= p) {
            // The path shrank below what passed: forget the old pass.
            self.passed = None;
        }
        match self.failed {
            Some((s, _)) if s <= size => {}
            _ => self.failed = Some((size, how)),
        }
        self.following = None;
        if let Some(h) = self.hint
            && !self.inside(h)
        {
            self.hint = None;
        }
    }

    fn finish(&mut self, end: End, now: Duration) -> SearchResult {
        let path_mtu = match end {
            End::Found { path_mtu } => Some(path_mtu),
            _ => None,
        };
        let explains = |t: &&TooBigSeen| path_mtu.is_some() && t.mtu == path_mtu;
        let too_big = self
            .too_big
            .iter()
            .rev()
            .find(explains)
            .or(self.too_big.last())
            .copied();
        let black_hole = path_mtu.is_some()
            && matches!(self.failed, Some((_, FailedBy::Silence)))
            && !self.too_big.iter().any(|t| t.mtu == path_mtu);
        let result = SearchResult {
            end,
            black_hole,
            too_big,
            probes: self.probes.clone(),
            elapsed: now,
        };
        self.done = Some(result.clone());
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: Duration = Duration::from_millis(1);

    fn cfg() -> SearchConfig {
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

    fn router() -> Option<IpAddr> {
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

    fn run_with(cfg: SearchConfig, mut path: impl FnMut(usize, u16) -> Outcome) -> SearchResult {
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

    fn sizes(r: &SearchResult) -> Vec<u16> {
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
        assert_eq!(
            r.end,
            End::Incomplete {
                at_least: Some(1038),
                fails_at: Some(1500)
            }
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
        assert_eq!(wait, Duration::from_millis(400));
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
}
