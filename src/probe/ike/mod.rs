//! The IKEv2 probes of one server address: what `probe` runs, and the
//! probe steps of `check`. Per address, side by side where they do not
//! depend on each other:
//!
//! - UDP 500: a full IKE_SA_INIT, at once followed by an IKE_AUTH for that
//!   IKE SA on UDP 4500 (the [`auth`] test, as a client moves to 4500);
//! - UDP 4500, at the same time: an IKE_SA_INIT the server answers without
//!   keeping state (see [`stateless`]); when UDP 500 stays silent, a full one
//!   on 4500 then tells the proposal, 16430 and NAT;
//! - per port that answered, the same request padded to `frag_size` bytes
//!   so it must travel as IP fragments;
//! - if asked, each proposal of the set, on a port that answered (500
//!   first, as clients start there).
//!
//! That is 5 exchanges (plus a Delete) and one per checked proposal, each a
//! handful of datagrams at most: a good citizen, not a flood. Only the first
//! IKE_SA_INIT is a full one (it tells the proposal, 16430 and NAT; on UDP
//! 4500 when UDP 500 stays silent), and the IKE_AUTH test closes that IKE
//! SA; every further request ([`stateless`]: UDP 4500, the padded test, the
//! proposal check) offers a KE of a group outside the proposal, so the
//! server answers with INVALID_KE_PAYLOAD (proposal acceptable) or
//! NO_PROPOSAL_CHOSEN and keeps no state beyond the moment it is processed.
//!
//! Every exchange is paced by one shared [`Responder`]: once any answer
//! shows how fast the server is, every wait (also one already running)
//! follows that round trip, so a silent port or a dropped fragment is known
//! within a few round trips instead of the full `--timeout` schedule. The
//! same [`Responder`] counts the IKE SAs the server may hold for us at once
//! and keeps them below its half-open limit (strongSwan: 5 per peer
//! address).
//!
//! Building blocks, each usable on its own (e.g. for many rounds against a
//! load balancer): [`exchange::run`] runs one IKE_SA_INIT exchange and
//! returns its facts plus the IKE SA's secrets ([`SaInit`]);
//! [`auth::run`] continues that IKE SA with IKE_AUTH on UDP 4500; [`kex`]
//! makes the key-exchange values; the `_with` variants share a
//! [`Responder`]. Everything goes through the [`Network`] trait, so [`fake`]
//! (a scripted strongSwan-like responder) tests it byte for byte. The
//! results are facts of [`crate::diagnose::ike`].

pub mod auth;
pub mod exchange;
pub mod kex;
pub mod responder;

#[cfg(test)]
pub(crate) mod fake;

use std::net::{IpAddr, SocketAddr};

pub use exchange::{
    Exchange, ExchangeError, Exchanged, MAX_ROUNDS, NATT_PORT, SaInit, Timing, ike_overhead,
    ip_udp_overhead,
};
pub use responder::Responder;

use crate::diagnose::CouldNotRun;
use crate::diagnose::ike::proposals::{self, NamedProposal, ProposalSet};
use crate::diagnose::ike::{PortResult, ProposalResult, TargetResult};
use crate::env::Env;
use crate::probe::net::Fragmentation;
use crate::wire::ike::{DhGroup, NotifyType, Proposal};

/// Default size of the fragment test's IP datagram: over every common MTU
/// (1500 Ethernet, 1492 PPPoE, 1280-1400 tunnels) like a certificate-laden
/// IKE_AUTH, so it must be IP-fragmented on the way.
pub const DEFAULT_FRAG_SIZE: usize = 2000;

/// What to run against each address.
#[derive(Debug, Clone)]
pub struct Config {
    pub timing: Timing,
    /// IP datagram size of the fragment test; `None` skips it.
    pub frag_size: Option<usize>,
    /// Proposals to check one at a time; `None` skips the check.
    pub proposal_check: Option<ProposalSet>,
    /// What the main requests offer.
    pub offer: Vec<Proposal>,
    /// Follow the UDP 500 IKE_SA_INIT with an IKE_AUTH on UDP 4500
    /// ([`auth`]): does 4500 reach the server that holds the IKE SA?
    pub auth_test: bool,
}

impl Config {
    pub fn new(timing: Timing) -> Self {
        Config {
            timing,
            frag_size: Some(DEFAULT_FRAG_SIZE),
            proposal_check: None,
            offer: proposals::default_offer(),
            auth_test: true,
        }
    }
}

impl Config {
    /// The longest [`probe_address`] can take with this configuration,
    /// whatever the server does (silence, floods, endless demands): every
    /// exchange is bounded by `MAX_ROUNDS * timing.budget()`
    /// ([`exchange::run`]); per port one small and one padded exchange, the
    /// IKE_AUTH test one budget plus one timeout for its Delete
    /// ([`auth::run`]), and one exchange per checked proposal. Time spent
    /// computing key pairs (milliseconds) comes on top.
    pub fn max_duration(&self) -> std::time::Duration {
        let exchange = self.timing.budget() * MAX_ROUNDS as u32;
        let per_port = exchange * if self.frag_size.is_some() { 2 } else { 1 };
        let auth = if self.auth_test {
            self.timing.budget() + self.timing.timeout
        } else {
            std::time::Duration::ZERO
        };
        let proposals = self
            .proposal_check
            .as_ref()
            .map_or(0, |set| set.entries().len());
        per_port * 2 + auth + exchange * u32::try_from(proposals).unwrap_or(u32::MAX)
    }
}

/// Probes one address. Errors that stop this address (no route) end up in
/// `TargetResult::error`, so other addresses still get tested.
pub fn probe_address(env: &Env, address: IpAddr, cfg: &Config) -> TargetResult {
    probe_address_with(env, &Responder::new(address, cfg.timing), cfg)
}

/// [`probe_address`] against `responder`, whose round-trip estimate and SA
/// count other probes of the same server (the path-MTU search over IKE in
/// `check`) share.
pub fn probe_address_with(env: &Env, responder: &Responder, cfg: &Config) -> TargetResult {
    let mut target = TargetResult::new(responder.address());
    if let Err(e) = probe_into(env, responder, &mut target, cfg) {
        target.error = Some(CouldNotRun::new(e));
    }
    target
}

/// Waits for a probe thread; a panic in it is re-raised here.
fn join<T>(handle: std::thread::ScopedJoinHandle<'_, T>) -> T {
    handle
        .join()
        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}

fn probe_into(
    env: &Env,
    responder: &Responder,
    target: &mut TargetResult,
    cfg: &Config,
) -> Result<(), ExchangeError> {
    let address = responder.address();
    let base = move |port: u16| Exchange {
        peer: SocketAddr::new(address, port),
        proposals: cfg.offer.clone(),
        ke_group: None,
        follow_invalid_ke: true,
        pad_to_ip_size: None,
        fragmentation: Fragmentation::SystemDefault,
        timing: cfg.timing,
    };
    std::thread::scope(|s| {
        // UDP 500 first, as a client starts: the full exchange. Its IKE SA
        // holds a slot until a Delete closes it (or for the whole run).
        let first_500 = s.spawn(move || {
            let slot = responder.open_sa();
            exchange::run_with(env, &base(500), responder).map(|ex| (ex, slot))
        });
        // UDP 4500 meanwhile, statelessly: the server answers and forgets.
        // (Responders cap half-open SAs per peer; a second full exchange
        // would hold another one for 30 s.)
        let first_4500 = s.spawn(move || {
            let _slot = responder.open_sa();
            let mut ex = base(4500);
            stateless(&mut ex);
            exchange::run_with(env, &ex, responder).map(|ex| ex.facts)
        });

        let (exchanged, slot_500) = join(first_500)?;
        let small_500 = exchanged.facts;
        let answered_500 = small_500.answered();
        let chosen_500 = small_500.chosen().cloned();
        // Right after IKE_SA_INIT on 500, as a client does, before the
        // server's half-open SA can expire.
        let auth = cfg.auth_test.then(|| {
            let sa_init = exchanged.sa_init;
            let negotiated = small_500
                .response
                .as_ref()
                .is_some_and(|f| f.fragmentation_supported);
            s.spawn(move || {
                let facts = auth::run_with(env, responder, sa_init.as_ref(), negotiated);
                // The slot is free again once the server has certainly
                // dropped the IKE SA: Delete answered, or an error notify
                // ended it (RFC 7296 §2.21.2).
                let closed = facts.as_ref().is_ok_and(|a| {
                    a.delete_answered
                        || a.response
                            .as_ref()
                            .is_some_and(|r| r.errors().next().is_some())
                });
                if closed || sa_init.is_none() && !answered_500 {
                    drop(slot_500);
                } else {
                    slot_500.keep();
                }
                facts
            })
        });
        let frag_500 = (answered_500)
            .then_some(cfg.frag_size)
            .flatten()
            .map(|size| {
                let chosen = chosen_500.clone();
                s.spawn(move || fragment_test(env, responder, base(500), chosen, size))
            });
        let proposals_500 = cfg
            .proposal_check
            .as_ref()
            .filter(|_| answered_500)
            .map(|set| s.spawn(move || check_proposals(env, responder, base(500), set)));

        let mut small_4500 = join(first_4500)?;
        let mut chosen = chosen_500;
        if !answered_500 && small_4500.answered() {
            // UDP 500 stayed silent: learn the proposal, 16430 and NAT from
            // a full exchange on 4500 (its IKE SA stays half open).
            let slot = responder.open_sa();
            let full = exchange::run_with(env, &base(4500), responder)?.facts;
            slot.keep();
            if full.answered() {
                chosen = full.chosen().cloned();
                small_4500 = full;
            }
        }
        let answered_4500 = small_4500.answered();
        let frag_4500 = (answered_4500)
            .then_some(cfg.frag_size)
            .flatten()
            .map(|size| {
                let chosen = chosen.clone();
                s.spawn(move || fragment_test(env, responder, base(4500), chosen, size))
            });
        let proposals_4500 = cfg
            .proposal_check
            .as_ref()
            .filter(|_| !answered_500 && answered_4500)
            .map(|set| s.spawn(move || check_proposals(env, responder, base(4500), set)));

        target.ike_auth = auth.map(join).transpose()?;
        target.udp500 = Some(PortResult {
            port: 500,
            small: small_500,
            fragmented: frag_500.map(join).transpose()?,
        });
        target.udp4500 = Some(PortResult {
            port: NATT_PORT,
            small: small_4500,
            fragmented: frag_4500.map(join).transpose()?,
        });
        if let Some(p) = proposals_500.or(proposals_4500) {
            target.proposals = join(p)?;
        }
        Ok(())
    })
}

/// The fragment test on one port: the request padded to `size` bytes, DF
/// clear so it leaves as IP fragments. It offers what the server chose
/// (when known) with a KE it will refuse: the INVALID_KE_PAYLOAD answer
/// proves the padded request arrived, in one round trip, and leaves no
/// state.
fn fragment_test(
    env: &Env,
    responder: &Responder,
    mut ex: Exchange,
    chosen: Option<Proposal>,
    size: usize,
) -> Result<crate::diagnose::ike::ExchangeFacts, ExchangeError> {
    let _slot = responder.open_sa();
    if let Some(chosen) = chosen {
        ex.proposals = vec![chosen];
    }
    stateless(&mut ex);
    ex.pad_to_ip_size = Some(size);
    ex.fragmentation = Fragmentation::Allow;
    Ok(exchange::run_with(env, &ex, responder)?.facts)
}

/// Every proposal of `set`, one exchange each, side by side (each holds an
/// SA slot while in flight), results in the set's order.
fn check_proposals(
    env: &Env,
    responder: &Responder,
    ex: Exchange,
    set: &ProposalSet,
) -> Result<Vec<ProposalResult>, ExchangeError> {
    let port = ex.peer.port();
    let entries = set.entries();
    std::thread::scope(|s| {
        let checks: Vec<_> = entries
            .iter()
            .map(|entry| {
                let ex = ex.clone();
                s.spawn(move || {
                    let _slot = responder.open_sa();
                    check_proposal(env, responder, ex, entry)
                })
            })
            .collect();
        entries
            .iter()
            .zip(checks)
            .map(|(entry, check)| {
                Ok(ProposalResult {
                    entry: entry.clone(),
                    accepted: join(check)?,
                    port,
                })
            })
            .collect()
    })
}

/// Makes a request the responder answers without keeping state: the KE
/// payload is of a group outside every offered proposal, so an acceptable
/// offer draws INVALID_KE_PAYLOAD (RFC 7296 §1.3) naming the group it wants
/// instead of a half-open IKE SA, and the request is not re-sent with that
/// group.
fn stateless(ex: &mut Exchange) {
    let offered: Vec<DhGroup> = ex.proposals.iter().flat_map(|p| p.dh_groups()).collect();
    ex.ke_group = kex::SUPPORTED
        .iter()
        .copied()
        .find(|g| !offered.contains(g))
        .or(Some(DhGroup::MODP_2048));
    ex.follow_invalid_ke = false;
}

/// Offers one proposal with a KE of a group outside it (see module docs).
fn check_proposal(
    env: &Env,
    responder: &Responder,
    mut ex: Exchange,
    entry: &NamedProposal,
) -> Result<Option<bool>, ExchangeError> {
    let mut p = entry.proposal.clone();
    p.number = 1;
    ex.proposals = vec![p];
    stateless(&mut ex);
    let facts = exchange::run_with(env, &ex, responder)?.facts;
    Ok(facts.response.as_ref().and_then(|f| {
        if f.chosen.is_some() || f.requested_group.is_some() {
            Some(true)
        } else if f.errors.contains(&NotifyType::NO_PROPOSAL_CHOSEN) {
            Some(false)
        } else {
            None
        }
    }))
}

#[cfg(test)]
mod tests;
