//! The IKEv2 probes of one server address: what `probe` runs, and the
//! probe steps of `check`. Per address, side by side where they do not
//! depend on each other:
//!
//! - UDP 500: a full IKE_SA_INIT, at once followed by an IKE_AUTH for that
//!   IKE SA on UDP 4500 (the [`auth`] test, as a client moves to 4500);
//! - UDP 4500, at the same time: an IKE_SA_INIT the server answers without
//!   keeping state (see `stateless`); when UDP 500 stays silent, a full one
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
//! SA; every further request (`stateless`: UDP 4500, the padded test, the
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
//! [`Responder`]. Everything goes through the [`Network`](crate::probe::net::Network) trait, so `fake`
//! (a scripted strongSwan-like responder) tests it byte for byte. The
//! results are facts of [`crate::diagnose::ike`].

pub mod auth;
pub mod exchange;
pub mod kex;
pub mod responder;

#[cfg(test)]
pub(crate) mod fake;

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

pub use exchange::{
    Exchange, ExchangeError, Exchanged, MAX_ROUNDS, NATT_PORT, SaInit, Timing, ike_overhead,
    ip_udp_overhead,
};
pub use responder::Responder;

use crate::cert::{Timestamp, TrustStore};
use crate::diagnose::CouldNotRun;
use crate::diagnose::ike::proposals::{self, NamedProposal, ProposalSet};
use crate::diagnose::ike::server_cert::{self, MtuSource, ServerCertFacts, UnfragmentedRun};
use crate::diagnose::ike::{ExchangeFacts, Outcome, PortResult, ProposalResult, TargetResult};
use crate::env::Env;
use crate::probe::net::{Fragmentation, Options};
use crate::wire::ike::credentials::Identification;
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
    /// Also fetch and check the server's certificate (`probe --auth`; see
    /// [`crate::diagnose::ike::server_cert`]). Implies the IKE_AUTH test.
    pub server_cert: Option<CertCheck>,
}

/// What the server-certificate check needs.
#[derive(Debug, Clone)]
pub struct CertCheck {
    /// The name (or address) the VPN profile uses.
    pub host: String,
    /// The roots a client trusts: named in the CERTREQ, and the end of
    /// every path the check accepts.
    pub trust: Arc<TrustStore>,
    /// IDi to claim instead of the probe's made-up identity (`--identity`).
    pub identity: Option<Identification>,
}

/// CERTREQ authorities that keep an unfragmented IKE_AUTH request within
/// 576 bytes (IPv4) or 1280 bytes (IPv6), the sizes RFC 7383 §2.5.1 and
/// every host accept without IP fragments: about 260 bytes of request plus
/// 20 bytes per authority.
pub fn certreq_limit(address: IpAddr) -> usize {
    if address.is_ipv4() { 15 } else { 50 }
}

impl CertCheck {
    /// The IKE_AUTH request of the check. The CERTREQ names `roots` when
    /// given, else every trusted root, those the server itself named in its
    /// IKE_SA_INIT CERTREQ (`preferred`) first (a server that trusts a root
    /// for its clients most likely has its own certificate from it), cut to
    /// `limit` authorities when the request must travel unfragmented.
    fn request(
        &self,
        roots: Option<Vec<[u8; 20]>>,
        preferred: &[[u8; 20]],
        limit: Option<usize>,
    ) -> auth::Request {
        let default = auth::Request::default();
        let mut hashes = roots.unwrap_or_else(|| {
            let mut all = self.trust.certreq_hashes();
            all.sort_by_key(|h| !preferred.contains(h));
            all
        });
        if let Some(n) = limit {
            hashes.truncate(n);
        }
        auth::Request {
            identity: self.identity.clone().unwrap_or(default.identity),
            certreq: Some(hashes),
            delete_unanswered: true,
        }
    }
}

impl Config {
    pub fn new(timing: Timing) -> Self {
        Config {
            timing,
            frag_size: Some(DEFAULT_FRAG_SIZE),
            proposal_check: None,
            offer: proposals::default_offer(),
            auth_test: true,
            server_cert: None,
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
        // With the fragment test: small, padded, and the canary after an
        // unanswered padded request.
        let per_port = exchange * if self.frag_size.is_some() { 3 } else { 1 };
        let auth = if self.auth_test {
            self.timing.budget() + self.timing.timeout
        } else {
            std::time::Duration::ZERO
        };
        // --auth: the run without 16430, an IKE_SA_INIT exchange on UDP 4500,
        // its IKE_AUTH and the Delete after it (answered or not).
        let server_cert = if self.server_cert.is_some() {
            exchange + self.timing.budget() + self.timing.timeout
        } else {
            std::time::Duration::ZERO
        };
        let proposals = self
            .proposal_check
            .as_ref()
            .map_or(0, |set| set.entries().len());
        per_port * 2 + auth + server_cert + exchange * u32::try_from(proposals).unwrap_or(u32::MAX)
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
        offer_fragmentation: true,
    };
    std::thread::scope(|s| {
        // UDP 500 first, as a client starts: the full exchange. Its IKE SA
        // holds a slot for the whole run unless an error notify ends it.
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
        let auth = (cfg.auth_test || cfg.server_cert.is_some()).then(|| {
            let sa_init = exchanged.sa_init;
            let negotiated = small_500
                .response
                .as_ref()
                .is_some_and(|f| f.fragmentation_supported);
            // Without 16430 the request travels whole: keep it small, so
            // the IKE_AUTH test still tells what it always told.
            let preferred = server_certreq_hashes(sa_init.as_ref());
            let limit = (!negotiated).then(|| certreq_limit(address));
            let request = cfg
                .server_cert
                .as_ref()
                .map_or_else(auth::Request::default, |c| {
                    c.request(None, &preferred, limit)
                });
            s.spawn(move || {
                let facts =
                    auth::run_request(env, responder, sa_init.as_ref(), negotiated, &request);
                // The slot is free again once the server has certainly
                // dropped the IKE SA (see `sa_closed`).
                let closed = facts.as_ref().is_ok_and(sa_closed);
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
        let (fragmented, canary) = frag_500.map(join).transpose()?.unzip();
        target.udp500 = Some(PortResult {
            port: 500,
            small: small_500,
            fragmented,
            canary: canary.flatten(),
        });
        let (fragmented, canary) = frag_4500.map(join).transpose()?.unzip();
        target.udp4500 = Some(PortResult {
            port: NATT_PORT,
            small: small_4500,
            fragmented,
            canary: canary.flatten(),
        });
        if let Some(p) = proposals_500.or(proposals_4500) {
            target.proposals = join(p)?;
        }
        Ok::<(), ExchangeError>(())
    })?;
    // After the port tests: it reads their results (16430, the first
    // IKE_AUTH) and may hold one more IKE SA (UDP 4500 without 16430).
    if let Some(check) = &cfg.server_cert {
        target.server_cert = Some(server_cert_check(env, responder, target, cfg, check)?);
    }
    Ok(())
}

/// The fragment test on one port: the request padded to `size` bytes, DF
/// clear so it leaves as IP fragments. It offers what the server chose
/// (when known) with a KE it will refuse: the INVALID_KE_PAYLOAD answer
/// proves the padded request arrived, in one round trip, and leaves no
/// state. When it goes unanswered (no datagram at all), the same request
/// unpadded follows at once (the canary, [`PortResult::canary`]): a server
/// that stopped answering this client (its half-open limit, filled by an
/// earlier run's IKE SAs) ignores that one too, while a path that drops IP
/// fragments lets it through.
fn fragment_test(
    env: &Env,
    responder: &Responder,
    mut ex: Exchange,
    chosen: Option<Proposal>,
    size: usize,
) -> Result<(ExchangeFacts, Option<ExchangeFacts>), ExchangeError> {
    let _slot = responder.open_sa();
    if let Some(chosen) = chosen {
        ex.proposals = vec![chosen];
    }
    stateless(&mut ex);
    let small = ex.clone();
    ex.pad_to_ip_size = Some(size);
    ex.fragmentation = Fragmentation::Allow;
    let padded = exchange::run_with(env, &ex, responder)?.facts;
    let canary = if padded.outcome == Outcome::NoAnswer && padded.ignored == 0 {
        Some(exchange::run_with(env, &small, responder)?.facts)
    } else {
        None
    };
    Ok((padded, canary))
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

/// The server-certificate check after the port tests (see
/// [`crate::diagnose::ike::server_cert`]): reads the credentials of the
/// IKE_AUTH made after UDP 500, and runs the exchange without IKEv2
/// fragmentation when it can tell something: the server offers 16430 (so
/// the first answer came fragmented), or the first IKE_AUTH went unanswered.
fn server_cert_check(
    env: &Env,
    responder: &Responder,
    target: &TargetResult,
    cfg: &Config,
    check: &CertCheck,
) -> Result<ServerCertFacts, ExchangeError> {
    let checked_at = Timestamp(
        env.clock
            .system_time()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX)),
    );
    let assess = |from, a: &crate::diagnose::ike::AuthFacts| {
        a.credentials.as_ref().and_then(|creds| {
            server_cert::assess(
                from,
                creds,
                &a.signed_octets,
                &a.server_certreqs,
                &check.trust,
                &check.host,
                checked_at,
            )
        })
    };
    let first = target.ike_auth.as_ref();
    let first_assessment = first.and_then(|a| assess("udp-500-then-4500", a));
    let first_answered = first.is_some_and(|a| a.answered());
    let offered = target.fragmentation_supported() == Some(true);
    let worth_it = target.port_answered(4500)
        && (first_assessment.is_some() && offered
            || first.is_some_and(|a| a.sent()) && !first_answered);
    let unfragmented = if worth_it {
        // Name only the root the first answer's chain ends at, when known:
        // the request then stays small, so it cannot be the part that is lost.
        let roots = first_assessment
            .as_ref()
            .and_then(|a| a.chain.as_ref())
            .and_then(|c| c.root.as_ref())
            .and_then(|root| check.trust.anchors.iter().find(|a| &a.subject == root))
            .map(|a| vec![a.spki_sha1]);
        let preferred: Vec<[u8; 20]> = first
            .map(|a| {
                a.server_certreqs
                    .iter()
                    .flat_map(|r| r.authorities.iter().copied())
                    .collect()
            })
            .unwrap_or_default();
        let request = check.request(roots, &preferred, Some(certreq_limit(target.address)));
        Some(unfragmented_run(env, responder, target, cfg, &request)?)
    } else {
        None
    };
    let assessment = first_assessment.or_else(|| {
        unfragmented
            .as_ref()
            .and_then(|u| u.auth.as_ref())
            .and_then(|a| assess("udp-4500", a))
    });
    Ok(ServerCertFacts {
        host: check.host.clone(),
        trust: Arc::clone(&check.trust),
        checked_at,
        unfragmented,
        mtu: env
            .routes
            .outgoing(target.address)
            .ok()
            .map(|o| (o.mtu, MtuSource::Interface)),
        assessment,
    })
}

/// Whether the server has certainly dropped the IKE SA the IKE_AUTH test
/// `a` ran on: an error notify in its IKE_AUTH answer ended it (RFC 7296
/// §2.21.2). An answered Delete does not prove it: the IKE SA is still half
/// open (IKE_AUTH unfinished, the server waiting for EAP), and strongSwan
/// 5.9 answers a Delete for such an SA with an empty INFORMATIONAL yet keeps
/// it, counted against its per-client half-open limit, until its half-open
/// timeout (30 s by default) — seen in the lab's charon log.
fn sa_closed(a: &crate::diagnose::ike::AuthFacts) -> bool {
    a.response
        .as_ref()
        .is_some_and(|r| r.errors().next().is_some())
}

/// The CA hashes of the CERTREQs in an IKE_SA_INIT response.
fn server_certreq_hashes(init: Option<&SaInit>) -> Vec<[u8; 20]> {
    init.map(|i| {
        crate::wire::ike::credentials::certreqs(&i.response.payloads)
            .iter()
            .flat_map(|r| r.authorities.iter().copied())
            .collect()
    })
    .unwrap_or_default()
}

/// IKE_SA_INIT on UDP 4500 without IKEV2_FRAGMENTATION_SUPPORTED, then
/// IKE_AUTH on the same conversation (same addresses and ports, so a load
/// balancer cannot send them to different servers).
fn unfragmented_run(
    env: &Env,
    responder: &Responder,
    target: &TargetResult,
    cfg: &Config,
    request: &auth::Request,
) -> Result<UnfragmentedRun, ExchangeError> {
    let peer = SocketAddr::new(target.address, NATT_PORT);
    let mut conn = env.udp.open(
        peer,
        Options {
            fragmentation: Fragmentation::SystemDefault,
        },
    )?;
    let ex = Exchange {
        peer,
        proposals: target
            .chosen()
            .map_or_else(|| cfg.offer.clone(), |c| vec![c.clone()]),
        ke_group: None,
        follow_invalid_ke: true,
        pad_to_ip_size: None,
        fragmentation: Fragmentation::SystemDefault,
        timing: cfg.timing,
        offer_fragmentation: false,
    };
    // A full IKE_SA_INIT: its IKE SA holds a slot to the end of the run,
    // unless an error notify ended it (see `sa_closed`).
    let slot = responder.open_sa();
    let Exchanged { facts, sa_init } = exchange::run_on(env, conn.as_mut(), &ex, responder)?;
    let auth = match sa_init {
        Some(init) => Some(auth::run_on(
            env,
            conn.as_mut(),
            responder,
            Some(&init),
            false,
            request,
        )?),
        None => None,
    };
    if auth.as_ref().is_some_and(sa_closed) || !facts.answered() {
        drop(slot);
    } else {
        slot.keep();
    }
    Ok(UnfragmentedRun {
        sa_init: facts,
        auth,
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
