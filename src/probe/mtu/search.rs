//! Path-MTU search as a pure state machine: no sockets, no clock.
//!
//! The caller asks [`Search::next`] what to send, sends one Don't-Fragment
//! packet of that whole IP size, and feeds what happened back with
//! [`Search::record`], together with the time elapsed since the search began.
//! Keeping the search free of I/O is what lets its tests replay loss,
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
//! 4. When the smallest failing size failed by silence (a black hole, or a
//!    router that sends no MTU), a silent size costs `tries` full waits while
//!    a size that passes costs one round trip: walk up the MTUs real paths
//!    have ([`PLATEAUS`]: PPPoE, tunnels, the IPv6 minimum, ...), each
//!    followed by one byte more, so a path at a common MTU is pinned down
//!    with a single silent size (RFC 8899 §5.3.2 suggests the same table
//!    search for a black-holed path).
//! 5. Otherwise a binary search between the largest size that got a reply and
//!    the smallest size that failed.
//!
//! Waits come from a round-trip estimator ([`crate::probe::rtt`]): the
//! configured timeout until the first reply, then RFC 6298's SRTT + 4·RTTVAR
//! within `[min_wait, timeout]`, with a first reply that waited for
//! neighbour resolution discarded, so one slow reply never paces the search.
//! A reply that comes after its wait (reported by the transport as late)
//! still counts for its size and teaches the estimator the longer round trip.
//!
//! Silence is not proof: a size only fails after `tries` probes in a row are
//! lost, so random loss is not mistaken for a size limit; when probes of
//! sizes that passed get lost too, the search measures that loss and asks
//! for more tries (see [`Search::tries_needed`]). An explicit too-big error
//! fails the size at once. Advertised MTUs are distrusted when they are
//! outside the open bracket, below the floor (RFC 8201 §4: never below 1280 for
//! IPv6) or not smaller than the packet that was sent. A too-big error for a
//! size that already passed means the path may have changed: that size is
//! probed again and the newer evidence wins.
//!
//! When the probe or time budget runs out, the result keeps what is proven:
//! the largest size that passed and the smallest that failed
//! ([`End::Incomplete`]), and a black hole as soon as a size above one that
//! passed vanished `tries` times without any too-big error.
//!
//! The values it records and returns ([`Outcome`], [`SearchResult`], ...)
//! are facts of `diagnose::mtu`, re-exported here.

use std::net::IpAddr;
use std::time::Duration;

use crate::probe::rtt::RttEstimator;

pub use crate::diagnose::mtu::{End, Outcome, ProbeRecord, SearchResult, TooBigSeen, Unreachable};

mod config;

pub use config::{ConfigError, MAX_TRIES, PLATEAUS, SearchConfig};

/// The chance, at most, that random loss alone fails a size that passes:
/// [`Search::tries_needed`] asks for enough tries to stay below it.
const FALSE_FAIL: f64 = 0.001;

/// What the caller should do next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Send one packet of `size` bytes (whole IP packet) and wait at most `wait`.
    Probe { size: u16, wait: Duration },
    /// The search is over.
    Done(SearchResult),
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
    /// Probes the smallest failing size got, when silence failed it.
    failed_tries: u8,
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
    rtt: RttEstimator,
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
        let rtt = RttEstimator::new(cfg.min_wait, cfg.timeout);
        Ok(Search {
            cfg,
            passed: None,
            failed: None,
            failed_tries: 0,
            current: None,
            hint: None,
            following: None,
            confirm: None,
            recheck: None,
            disproven: Vec::new(),
            any_reply: false,
            rtt,
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

    /// The round-trip estimate that paces the waits.
    pub fn rtt(&self) -> &RttEstimator {
        &self.rtt
    }

    /// The next thing to do, given the time since the search began.
    pub fn next(&mut self, now: Duration) -> Step {
        if let Some(done) = &self.done {
            return Step::Done(done.clone());
        }
        self.reopen_silent_failure();
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
            late: false,
        });
        let asked = self.current.is_some_and(|c| c.size == size);
        if !asked {
            return;
        }
        match outcome {
            Outcome::Reply { rtt } => {
                self.current = None;
                self.any_reply = true;
                self.rtt.sample(rtt);
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
                if current.attempts >= self.tries_needed() {
                    self.current = None;
                    let how = if current.errors > 0 {
                        FailedBy::Error
                    } else {
                        FailedBy::Silence
                    };
                    self.failed_at(size, how);
                    if self.failed.is_some_and(|(f, _)| f == size) {
                        self.failed_tries = current.attempts;
                    }
                } else {
                    self.current = Some(current);
                }
            }
        }
    }

    /// Feeds a reply that came after its probe's wait (the transport matched
    /// it to that probe while waiting for a later one): the probe is
    /// recorded as answered late, its round trip (longer than the wait it
    /// got) is a sample for the estimator, and the size passed after all, so
    /// a failure that silence made at or below it is withdrawn.
    pub fn record_late(&mut self, size: u16, rtt: Duration) {
        if self.done.is_some() {
            return;
        }
        let Some(record) = self
            .probes
            .iter_mut()
            .rev()
            .find(|p| p.size == size && p.outcome == Outcome::Lost)
        else {
            return;
        };
        record.outcome = Outcome::Reply { rtt };
        record.late = true;
        self.any_reply = true;
        self.rtt.sample(rtt);
        if self.current.is_some_and(|c| c.size <= size) {
            self.current = None;
        }
        self.passed_at(size);
    }

    /// The wait for the next probe, from the round-trip estimator.
    fn wait(&self) -> Duration {
        self.rtt.wait()
    }

    /// Probes a silent size needs before it counts as failed: the
    /// configured `tries`, or more when probes of sizes that passed were
    /// lost too. That loss can only be random, so it measures the path:
    /// with loss rate `p` (estimated as lost / (sent + 1), leaving out the
    /// very first probe, which may have waited for neighbour resolution),
    /// `n` silent tries of a size that passes happen with chance `p^n`,
    /// kept below 0.1 % (at most [`MAX_TRIES`]).
    pub fn tries_needed(&self) -> u8 {
        let Some(passed) = self.passed else {
            return self.cfg.tries;
        };
        let (mut sent, mut lost) = (0u32, 0u32);
        for p in self.probes.iter().skip(1).filter(|p| p.size <= passed) {
            sent += 1;
            lost += u32::from(p.outcome == Outcome::Lost);
        }
        if lost == 0 {
            return self.cfg.tries;
        }
        let loss = f64::from(lost) / f64::from(sent + 1);
        let needed = (FALSE_FAIL.ln() / loss.ln()).ceil();
        // `needed` is finite and positive: 0 < loss < 1.
        let needed = if needed >= f64::from(MAX_TRIES) {
            MAX_TRIES
        } else {
            needed as u8
        };
        needed.clamp(self.cfg.tries, MAX_TRIES.max(self.cfg.tries))
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
        if self.rtt.samples() == 1 && self.rtt.wait() > self.cfg.min_wait {
            // One reply alone would stretch every wait (it may have waited
            // for neighbour resolution): a second round trip first, from
            // the size known to pass.
            if let Some(passed) = self.passed {
                return passed;
            }
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
        if let Some(size) = self.plateau() {
            return size;
        }
        // high - low >= 2 here (else `conclusion` ended the search), so the
        // midpoint is strictly inside and fits in u16.
        u16::try_from(low + (high - low) / 2).unwrap_or(self.cfg.ceiling)
    }

    /// Before the search concludes on a size that silence failed: if the
    /// loss measured since then asks for more tries than it got, it gets
    /// them (a passing size that random loss silenced before any loss was
    /// seen would otherwise set the answer).
    fn reopen_silent_failure(&mut self) {
        let (low, high) = self.bounds();
        if self.current.is_some() || self.recheck.is_some() || high - low > 1 {
            return;
        }
        if let Some((size, FailedBy::Silence)) = self.failed
            && self.failed_tries < self.tries_needed()
        {
            self.current = Some(Current {
                size,
                attempts: self.failed_tries,
                errors: 0,
            });
        }
    }

    /// The walk of a silent search: the smallest common path MTU (or one
    /// byte above one) still unknown. Only while the smallest failing size
    /// failed by silence, where a failing probe costs `tries` waits and a
    /// passing one a round trip.
    fn plateau(&self) -> Option<u16> {
        if !matches!(self.failed, Some((_, FailedBy::Silence))) {
            return None;
        }
        PLATEAUS
            .iter()
            .flat_map(|&p| [Some(p), p.checked_add(1)])
            .flatten()
            .find(|&s| self.inside(s))
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
        if self.failed.is_some_and(|(f, _)| f <= size) {
            // The failure was loss after all, or the path grew.
            self.failed = None;
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
        // A size above one that passed vanished `tries` times, and no
        // too-big error named an MTU in between: proven, even when the
        // budget ended the search before the exact MTU was known.
        let black_hole = match (self.passed, self.failed) {
            (Some(passed), Some((failed, FailedBy::Silence)))
                if matches!(end, End::Found { .. } | End::Incomplete { .. }) =>
            {
                !self
                    .too_big
                    .iter()
                    .any(|t| t.mtu.is_some_and(|m| passed <= m && m < failed))
            }
            _ => false,
        };
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
mod hostile_tests;
#[cfg(test)]
mod tests;
