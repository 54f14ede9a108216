//! Facts of the IKEv2 probes (`probe`, and the probe steps of `check`) and
//! the findings made from them. PURE: `probe::ike` fills these values from
//! the wire; [`findings()`] judges them; `report::probe` presents them.
//!
//! Per server address: one [`TargetResult`] with a [`PortResult`] per UDP
//! port (the small IKE_SA_INIT and the padded one that must travel as IP
//! fragments), the IKE_AUTH test ([`AuthFacts`]) and the proposal check.

pub mod auth;
pub mod exchange;
pub mod findings;
pub mod proposals;
#[cfg(test)]
pub(crate) mod samples;
pub mod server_cert;

use std::net::IpAddr;

pub use auth::{AuthFacts, AuthOutcome};
pub use exchange::{ExchangeFacts, Outcome, ResponseFacts, Unfinished};
pub use findings::findings;
pub use proposals::NamedProposal;

use crate::diagnose::CouldNotRun;
use crate::wire::ike::Proposal;

/// Results for one UDP port of one address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortResult {
    pub port: u16,
    /// The unpadded IKE_SA_INIT.
    pub small: ExchangeFacts,
    /// The padded request; `None` when skipped (small unanswered or disabled).
    pub fragmented: Option<ExchangeFacts>,
    /// A small stateless IKE_SA_INIT sent right after the padded one went
    /// unanswered (`None` otherwise). Answered: the padded request was lost
    /// on the way (its IP fragments). Unanswered too: the responder had
    /// stopped answering this client altogether (its half-open IKE SA limit
    /// per client address, filled by this or an earlier run, or a rate
    /// limit), so the fragment test tells nothing.
    pub canary: Option<ExchangeFacts>,
}

/// The answer to one proposal of `--proposals`.
#[derive(Debug, Clone, PartialEq, Eq)]
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
    pub error: Option<CouldNotRun>,
    pub udp500: Option<PortResult>,
    pub udp4500: Option<PortResult>,
    pub proposals: Vec<ProposalResult>,
    /// The IKE_AUTH test; `None` when disabled.
    pub ike_auth: Option<AuthFacts>,
    /// The server-certificate check (`probe --auth`); `None` when not asked for.
    pub server_cert: Option<server_cert::ServerCertFacts>,
}

impl TargetResult {
    /// A target nothing has been learned about yet.
    pub fn new(address: IpAddr) -> Self {
        TargetResult {
            address,
            error: None,
            udp500: None,
            udp4500: None,
            proposals: Vec::new(),
            ike_auth: None,
            server_cert: None,
        }
    }

    pub fn ports(&self) -> impl Iterator<Item = &PortResult> {
        self.udp500.iter().chain(self.udp4500.iter())
    }

    /// Facts from every answered exchange, small ones first.
    pub fn facts(&self) -> impl Iterator<Item = &ResponseFacts> {
        self.ports()
            .flat_map(|p| std::iter::once(&p.small).chain(p.fragmented.iter()))
            .filter_map(|a| a.response.as_ref())
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

    /// Did the small IKE_SA_INIT on `port` (500 or 4500) get an answer?
    pub fn port_answered(&self, port: u16) -> bool {
        self.ports().any(|p| p.port == port && p.small.answered())
    }
}
