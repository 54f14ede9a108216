//! `aovpn-diag lb`: rounds of real IKEv2 against a load balancer's VIP, as
//! Windows clients connect, then the servers named from their
//! NAT_DETECTION hashes ([`crate::diagnose::lb`]).
//!
//! One round, from fresh source ports (a new socket per exchange):
//! 1. a full IKE_SA_INIT on UDP 500 ([`exchange::run`]);
//! 2. IKE_AUTH for that IKE SA on UDP 4500 ([`auth::run`]), as a client
//!    continues: an authenticated answer proves both ports reached one server;
//! 3. only when 2 got none, the same IKE_AUTH on UDP 500 ([`auth::run_to`]):
//!    an answer there proves UDP 4500 went elsewhere, and closes the SA;
//! 4. a full IKE_SA_INIT on UDP 4500 (names the server of that service);
//! 5. IKE_AUTH on UDP 4500 for the SA of 4, which closes it again.
//!
//! **Good citizen.** An answered IKE_AUTH without credentials ends the IKE
//! SA on the server (AUTHENTICATION_FAILED; an EAP server's SA is closed by
//! an INFORMATIONAL Delete), so a healthy round leaves nothing behind.
//! SAs that could not be closed stay half-open on some server until it
//! drops them (strongSwan `half_open_timeout`, 30 s by default), and
//! responders ignore an address with too many (strongSwan `block_threshold`,
//! 5 by default): the run counts them, skips step 4 while
//! [`HALF_OPEN_BUDGET`] are alive, and ends the rounds early rather than
//! reach the limit. Rounds are [`PACE`] apart.
//!
//! **Bounded.** Every exchange is bounded by its timing; [`worst_case`]
//! adds them up for a whole run. The hash search afterwards is bounded by
//! `Config::search_time` (checked between chunks of 65,536 addresses).

use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use ipnet::IpNet;

use super::ike::{Exchange, ExchangeError, Exchanged, Timing, auth, exchange};
use crate::diagnose::lb::identify::{self, Candidates, SightingId};
use crate::diagnose::lb::search::Control;
use crate::diagnose::lb::{LbFacts, Round, Sighting};
use crate::env::{Clock, Env};
use crate::probe::net::Fragmentation;
use crate::wire::ike::Proposal;

/// Rounds when `--rounds` is not given.
pub const DEFAULT_ROUNDS: u32 = 8;
/// Most rounds one run may do.
pub const MAX_ROUNDS: u32 = 64;
/// Pause between rounds.
pub const PACE: Duration = Duration::from_millis(200);
/// IKE SAs this run may leave half-open at once (below strongSwan's
/// per-address `block_threshold` of 5, with one more for the round running).
pub const HALF_OPEN_BUDGET: usize = 3;
/// How long a responder keeps a half-open IKE SA (strongSwan's default
/// `half_open_timeout`); an SA older than this no longer counts.
pub const HALF_OPEN_LIFETIME: Duration = Duration::from_secs(30);

/// What to run against one VIP.
#[derive(Debug, Clone)]
pub struct Config {
    pub rounds: u32,
    pub timing: Timing,
    /// The proposals the full IKE_SA_INITs offer.
    pub offer: Vec<Proposal>,
    /// `--backends`.
    pub backends: Vec<IpAddr>,
    /// `--snat-candidates`.
    pub snat: Vec<IpAddr>,
    /// Ranges to search (already prepared); `None` without `--find-backends`.
    pub ranges: Option<Vec<IpNet>>,
    /// Time budget of the hash search of one VIP.
    pub search_time: Duration,
}

/// The longest one run of `cfg` can take before the search: every exchange
/// of every round unanswered until its last retransmission (an exchange may
/// repeat its request up to [`exchange::MAX_ROUNDS`] times after COOKIE or
/// INVALID_KE_PAYLOAD answers; an IKE_AUTH waits one more timeout for the
/// Delete's answer), plus the pauses.
pub fn worst_case(cfg: &Config) -> Duration {
    let budget = cfg.timing.budget();
    let ex = budget * exchange::MAX_ROUNDS as u32;
    let auth = budget + cfg.timing.timeout;
    let round = ex * 2 + auth * 3;
    round * cfg.rounds + PACE * cfg.rounds.saturating_sub(1)
}

/// Where the search reports progress (the binary draws a progress bar).
pub trait SearchProgress: Sync {
    fn advance(&self, hashes: u64);
}

/// No progress reporting.
pub struct Quiet;

impl SearchProgress for Quiet {
    fn advance(&self, _: u64) {}
}

/// The search's [`Control`]: the time budget, from the environment's clock.
struct Budget<'a> {
    clock: &'a dyn Clock,
    deadline: Instant,
    progress: &'a dyn SearchProgress,
}

impl Control for Budget<'_> {
    fn progress(&self, hashes: u64) {
        self.progress.advance(hashes);
    }

    fn stop(&self) -> bool {
        self.clock.now() >= self.deadline
    }
}

/// Runs the rounds against `vip`, then identifies the servers.
pub fn observe(
    env: &Env,
    vip: IpAddr,
    cfg: &Config,
    progress: &dyn SearchProgress,
) -> Result<LbFacts, ExchangeError> {
    let started = env.clock.now();
    let (rounds, cut_short) = rounds(env, vip, cfg)?;
    let elapsed = env.clock.now().saturating_duration_since(started);
    let sightings: Vec<(SightingId, &Sighting)> = rounds
        .iter()
        .flat_map(|r| {
            r.sightings().map(move |s| {
                let id = SightingId {
                    round: r.number,
                    port: s.port,
                };
                (id, s)
            })
        })
        .collect();
    let candidates = Candidates {
        vip,
        backends: cfg.backends.clone(),
        snat: cfg.snat.clone(),
    };
    let budget = Budget {
        clock: env.clock,
        deadline: env.clock.now() + cfg.search_time,
        progress,
    };
    let search_started = env.clock.now();
    let identification =
        identify::identify(&sightings, &candidates, cfg.ranges.as_deref(), &budget);
    Ok(LbFacts {
        vip,
        rounds_asked: cfg.rounds,
        rounds,
        cut_short,
        elapsed,
        identification,
        search_elapsed: env.clock.now().saturating_duration_since(search_started),
    })
}

/// The rounds, and why they ended early (if they did).
fn rounds(
    env: &Env,
    vip: IpAddr,
    cfg: &Config,
) -> Result<(Vec<Round>, Option<String>), ExchangeError> {
    let mut out = Vec::new();
    // When each IKE SA we could not close was made.
    let mut open: Vec<Instant> = Vec::new();
    for number in 1..=cfg.rounds {
        if number > 1 {
            env.clock.sleep(PACE);
        }
        let now = env.clock.now();
        open.retain(|t| now.saturating_duration_since(*t) < HALF_OPEN_LIFETIME);
        if open.len() >= HALF_OPEN_BUDGET {
            let why = format!(
                "stopped after {} of {} rounds: {} IKE SAs this run opened could not be closed \
(IKE_AUTH got no answer), and more would reach the servers' limit of half-open SAs per client \
address (strongSwan block_threshold, 5 by default)",
                out.len(),
                cfg.rounds,
                open.len()
            );
            return Ok((out, Some(why)));
        }
        let round = one_round(env, vip, cfg, number, open.len())?;
        let made = env.clock.now();
        open.extend(std::iter::repeat_n(made, round.left_open() as usize));
        out.push(round);
    }
    Ok((out, None))
}

fn full(vip: IpAddr, port: u16, cfg: &Config) -> Exchange {
    Exchange {
        peer: SocketAddr::new(vip, port),
        proposals: cfg.offer.clone(),
        ke_group: None,
        follow_invalid_ke: true,
        pad_to_ip_size: None,
        fragmentation: Fragmentation::SystemDefault,
        timing: cfg.timing,
    }
}

/// A sighting of an exchange that got a full response (a chosen proposal).
fn sighting(ex: &Exchanged, port: u16) -> Option<Sighting> {
    ex.facts.chosen()?;
    let init = ex.sa_init.as_ref()?;
    Some(Sighting::read(&init.response, port, ex.facts.local))
}

fn negotiated(ex: &Exchanged) -> bool {
    ex.facts
        .response
        .as_ref()
        .is_some_and(|r| r.fragmentation_supported)
}

/// One round (see the module documentation); `open` SAs of earlier rounds
/// are still half-open somewhere.
fn one_round(
    env: &Env,
    vip: IpAddr,
    cfg: &Config,
    number: u32,
    open: usize,
) -> Result<Round, ExchangeError> {
    let t = cfg.timing;
    let first = exchange::run(env, &full(vip, 500, cfg))?;
    let sighting500 = sighting(&first, 500);
    let init = first.sa_init.as_ref().filter(|_| sighting500.is_some());
    let (auth4500, auth500) = match init {
        None => (None, None),
        Some(init) => {
            let frag = negotiated(&first);
            let on4500 = auth::run(env, vip, Some(init), frag, t)?;
            let on500 = if on4500.answered() {
                None
            } else {
                Some(auth::run_to(
                    env,
                    SocketAddr::new(vip, 500),
                    Some(init),
                    frag,
                    t,
                )?)
            };
            (Some(on4500), on500)
        }
    };
    let mut round = Round {
        number,
        init500: first.facts.clone(),
        sighting500,
        auth4500,
        auth500,
        init4500: None,
        sighting4500: None,
        close4500: None,
        skipped4500: None,
    };
    let alive = open + round.left_open() as usize;
    if alive >= HALF_OPEN_BUDGET {
        round.skipped4500 = Some(format!(
            "{alive} IKE SAs of this run are still half-open: another could reach the servers' \
per-address limit"
        ));
        return Ok(round);
    }
    let second = exchange::run(env, &full(vip, super::ike::NATT_PORT, cfg))?;
    round.sighting4500 = sighting(&second, super::ike::NATT_PORT);
    if let Some(init) = second
        .sa_init
        .as_ref()
        .filter(|_| round.sighting4500.is_some())
    {
        round.close4500 = Some(auth::run(env, vip, Some(init), negotiated(&second), t)?);
    }
    round.init4500 = Some(second.facts);
    Ok(round)
}

#[cfg(test)]
mod tests;
