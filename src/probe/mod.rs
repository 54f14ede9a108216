//! Active tests: the only place that sends packets. Each submodule does one
//! job; the logic sits on top of the [`net`] traits so it runs against a
//! scripted fake in unit tests.
//!
//! `probe` per address: an IKE_SA_INIT on UDP 500, at once followed by an
//! IKE_AUTH for that IKE SA on UDP 4500 (the [`auth`] test, as a client
//! moves to 4500), then one IKE_SA_INIT on UDP 4500, then (per port that
//! answered) the same request padded to `frag_size` bytes so it must travel
//! as IP fragments, then, if asked, one proposal at a time. That is 5
//! exchanges (plus a Delete) and one per checked proposal, each a handful of
//! datagrams at most: a good citizen, not a flood. Every answered full
//! IKE_SA_INIT leaves a half-open IKE SA on the server until it times out
//! (strongSwan: 30 s); the proposal check avoids even that by offering a KE
//! of a group outside the proposal, so the server answers with
//! INVALID_KE_PAYLOAD (proposal acceptable) or NO_PROPOSAL_CHOSEN and keeps
//! no state.
//!
//! `mtu` (the path-MTU search) is a pure state machine fed by probe outcomes;
//! `mtu_driver` runs it over a [`mtu_driver::SizedProbe`] transport: ICMP
//! echo (`icmp`) or padded IKE_SA_INIT (`mtu_ike`), both with DF set.

pub mod auth;
// The Linux socket error queue (recvmsg MSG_ERRQUEUE, poll): raw libc calls.
#[cfg(target_os = "linux")]
#[allow(unsafe_code)]
pub mod errqueue;
pub mod icmp;
pub mod iface;
pub mod ike;
pub mod kex;
pub mod mtu;
pub mod mtu_driver;
pub mod mtu_findings;
pub mod mtu_ike;
pub mod mtu_measure;
pub mod net;
pub mod proposals;

#[cfg(test)]
pub(crate) mod fake;

mod findings;

pub use findings::findings;

use std::net::{IpAddr, SocketAddr};

use self::ike::{Exchange, ExchangeError, ExchangeReport, Outcome, ResponseFacts, Timing};
use self::net::{Fragmentation, Network};
use self::proposals::{NamedProposal, ProposalSet};
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

/// One exchange, summarised.
#[derive(Debug, Clone)]
pub struct Attempt {
    pub report: ExchangeReport,
    pub facts: Option<ResponseFacts>,
}

impl Attempt {
    fn new(report: ExchangeReport) -> Self {
        let facts = report
            .response
            .as_ref()
            .map(|m| ResponseFacts::read(m, &report));
        Attempt { report, facts }
    }

    pub fn answered(&self) -> bool {
        self.report.outcome == Outcome::Answered
    }
}

/// Results for one UDP port of one address.
#[derive(Debug, Clone)]
pub struct PortResult {
    pub port: u16,
    pub small: Attempt,
    /// The padded request; `None` when skipped (small unanswered or disabled).
    pub fragmented: Option<Attempt>,
}

/// The answer to one proposal of `--proposals`.
#[derive(Debug, Clone)]
pub struct ProposalResult {
    pub entry: NamedProposal,
    /// `Some(true)` accepted, `Some(false)` refused (NO_PROPOSAL_CHOSEN),
    /// `None` no usable answer.
    pub accepted: Option<bool>,
    /// The port the check ran on.
    pub port: u16,
}

/// Everything learned about one server address.
#[derive(Debug, Clone)]
pub struct TargetResult {
    pub address: IpAddr,
    /// Why this address could not be probed at all (no route, no socket).
    pub error: Option<String>,
    pub udp500: Option<PortResult>,
    pub udp4500: Option<PortResult>,
    pub proposals: Vec<ProposalResult>,
    /// The IKE_AUTH test; `None` when disabled.
    pub ike_auth: Option<auth::AuthReport>,
}

impl TargetResult {
    pub fn ports(&self) -> impl Iterator<Item = &PortResult> {
        self.udp500.iter().chain(self.udp4500.iter())
    }

    /// Facts from every answered exchange, small ones first.
    pub fn facts(&self) -> impl Iterator<Item = &ResponseFacts> {
        self.ports()
            .flat_map(|p| std::iter::once(&p.small).chain(p.fragmented.iter()))
            .filter_map(|a| a.facts.as_ref())
    }

    /// Did any full response carry 16430? `None` when no full response came.
    pub fn fragmentation_supported(&self) -> Option<bool> {
        let full: Vec<&ResponseFacts> = self.facts().filter(|f| f.chosen.is_some()).collect();
        if full.is_empty() {
            None
        } else {
            Some(full.iter().any(|f| f.fragmentation_supported))
        }
    }

    /// The proposal the server chose from the main offer.
    pub fn chosen(&self) -> Option<&Proposal> {
        self.facts().find_map(|f| f.chosen.as_ref())
    }

    pub fn vendor_ids(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for v in self.facts().flat_map(|f| f.vendor_ids.iter()) {
            if !out.contains(v) {
                out.push(v.clone());
            }
        }
        out
    }
}

/// Probes one address. Errors that stop this address (no route) end up in
/// `TargetResult::error`, so other addresses still get tested.
pub fn probe_address(net: &mut dyn Network, address: IpAddr, cfg: &Config) -> TargetResult {
    let mut target = TargetResult {
        address,
        error: None,
        udp500: None,
        udp4500: None,
        proposals: Vec::new(),
        ike_auth: None,
    };
    if let Err(e) = probe_into(net, &mut target, cfg) {
        target.error = Some(e.to_string());
    }
    target
}

fn probe_into(
    net: &mut dyn Network,
    target: &mut TargetResult,
    cfg: &Config,
) -> Result<(), ExchangeError> {
    let base = |port: u16| Exchange {
        peer: SocketAddr::new(target.address, port),
        proposals: cfg.offer.clone(),
        ke_group: None,
        follow_invalid_ke: true,
        pad_to_ip_size: None,
        fragmentation: Fragmentation::SystemDefault,
        timing: cfg.timing,
    };
    for port in [500, ike::NATT_PORT] {
        // One complete IKE_SA_INIT (the first port that gives one) tells the
        // proposal, 16430 and NAT; every further request only has to prove
        // that it arrived, so it is made stateless (see `stateless`).
        // Responders cap half-open SAs per peer (strongSwan's
        // block_threshold is 5): a probe that left one per request would
        // be blocked, and misread as unanswered, when run twice in a row.
        let have_full = target.facts().any(|f| f.chosen.is_some());
        let mut first = base(port);
        if have_full {
            stateless(&mut first);
        }
        let small = Attempt::new(ike::run(net, &first)?);
        // Right after IKE_SA_INIT on 500, as a client does, before the
        // server's half-open SA can expire.
        if port == 500 && cfg.auth_test {
            let negotiated = small
                .facts
                .as_ref()
                .is_some_and(|f| f.fragmentation_supported);
            target.ike_auth = Some(auth::run(
                net,
                target.address,
                &small.report,
                negotiated,
                cfg.timing,
            )?);
        }
        let fragmented = match (cfg.frag_size, small.answered()) {
            (Some(size), true) => {
                let mut ex = base(port);
                // Offer what the server chose, with a KE it will refuse:
                // the INVALID_KE_PAYLOAD answer proves the padded request
                // arrived, in one round trip, and leaves no state.
                if let Some(chosen) = target
                    .facts()
                    .chain(small.facts.iter())
                    .find_map(|f| f.chosen.clone())
                {
                    ex.proposals = vec![chosen];
                }
                stateless(&mut ex);
                ex.pad_to_ip_size = Some(size);
                ex.fragmentation = Fragmentation::Allow;
                Some(Attempt::new(ike::run(net, &ex)?))
            }
            _ => None,
        };
        let result = PortResult {
            port,
            small,
            fragmented,
        };
        if port == 500 {
            target.udp500 = Some(result);
        } else {
            target.udp4500 = Some(result);
        }
    }
    if let Some(set) = &cfg.proposal_check {
        // Check on a port that answered; UDP 500 first, as clients start there.
        let port = target.ports().find(|p| p.small.answered()).map(|p| p.port);
        if let Some(port) = port {
            for entry in set.entries() {
                let accepted = check_proposal(net, base(port), &entry)?;
                target.proposals.push(ProposalResult {
                    entry,
                    accepted,
                    port,
                });
            }
        }
    }
    Ok(())
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
    net: &mut dyn Network,
    mut ex: Exchange,
    entry: &NamedProposal,
) -> Result<Option<bool>, ExchangeError> {
    let mut p = entry.proposal.clone();
    p.number = 1;
    ex.proposals = vec![p];
    stateless(&mut ex);
    let attempt = Attempt::new(ike::run(net, &ex)?);
    Ok(attempt.facts.as_ref().and_then(|f| {
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
