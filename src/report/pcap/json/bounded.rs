//! The parts of the `pcap --json` document that say what the bounds of the
//! analysis held back: IKE SAs summarised per peer and outcome, lost
//! datagrams per flow, what one SA sent beyond its bounds, and the bounds.

use serde::Serialize;

use super::{LostJson, round3};
use crate::analyse::Analysis;
use crate::analyse::lost::LostFlow;
use crate::analyse::summary::OutcomeCounts;

/// The bounds of the analysis ([`crate::analyse::bounds`]).
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct BoundsJson {
    pub sas_in_full: usize,
    pub transmissions_per_sa: usize,
    pub lost_datagrams_per_sa: usize,
    pub lost_datagram_flows: usize,
    pub examples_per_lost_flow: usize,
    pub summarised_peers: usize,
    pub findings_per_code: usize,
}

impl Default for BoundsJson {
    fn default() -> Self {
        use crate::analyse::bounds as b;
        BoundsJson {
            sas_in_full: b::MAX_SAS,
            transmissions_per_sa: b::MAX_TRANSMISSIONS,
            lost_datagrams_per_sa: b::MAX_LOST_PER_SA,
            lost_datagram_flows: b::MAX_LOST_FLOWS,
            examples_per_lost_flow: b::LOST_EXAMPLES,
            summarised_peers: b::MAX_PEERS,
            findings_per_code: b::MAX_PER_CODE,
        }
    }
}

/// IKE SAs counted by outcome.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct OutcomesJson {
    pub established: u64,
    pub ike_auth_not_answered: u64,
    pub ike_sa_init_refused: u64,
    pub ike_sa_init_unanswered: u64,
    pub no_ike_sa_init: u64,
}

impl OutcomesJson {
    fn new(o: &OutcomeCounts) -> OutcomesJson {
        OutcomesJson {
            established: o.established,
            ike_auth_not_answered: o.auth_not_answered,
            ike_sa_init_refused: o.sa_init_refused,
            ike_sa_init_unanswered: o.sa_init_unanswered,
            no_ike_sa_init: o.no_sa_init,
        }
    }
}

/// The summarised SAs of one initiator address with one responder.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct PeerJson {
    pub initiator: String,
    pub responder: String,
    pub sas: u64,
    pub outcomes: OutcomesJson,
    pub with_fail_finding: u64,
    pub transmissions: u64,
    pub lost_datagrams: u64,
    pub first_time: f64,
    pub last_time: f64,
}

/// `summarised_sas`: every IKE SA not kept in full.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct SummaryJson {
    pub sas: u64,
    pub with_fail_finding: u64,
    pub outcomes: OutcomesJson,
    /// Their IKE message transmissions.
    pub transmissions: u64,
    /// Per peer (at most `bounds.summarised_peers`).
    pub peers: Vec<PeerJson>,
    /// SAs of further peers.
    pub other_peers: OutcomesJson,
    /// SAs summarised less than 5 s after their last message (a flood).
    pub summarised_unsettled: u64,
    /// IKE messages of summarised SAs that arrived later, counted only.
    pub later_messages: u64,
}

impl SummaryJson {
    pub(super) fn new(a: &Analysis) -> SummaryJson {
        let s = &a.summarised;
        SummaryJson {
            sas: s.sas(),
            with_fail_finding: s.failed(),
            outcomes: OutcomesJson::new(&s.outcomes()),
            transmissions: s.transmissions,
            peers: s
                .peers
                .iter()
                .map(|p| PeerJson {
                    initiator: p.initiator.to_string(),
                    responder: p.responder.to_string(),
                    sas: p.outcomes.total(),
                    outcomes: OutcomesJson::new(&p.outcomes),
                    with_fail_finding: p.failed,
                    transmissions: p.transmissions,
                    lost_datagrams: p.lost_datagrams,
                    first_time: round3(a.rel(p.first_ts)),
                    last_time: round3(a.rel(p.last_ts)),
                })
                .collect(),
            other_peers: OutcomesJson::new(&s.other_peers),
            summarised_unsettled: s.unsettled,
            later_messages: s.later_messages,
        }
    }
}

/// Lost datagrams of one flow no IKE SA claims.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct LostFlowJson {
    pub src: String,
    pub dst: String,
    /// `missing`, `esp-in-udp`, `ikev1` or `not-ike`.
    pub first_fragment: &'static str,
    pub datagrams: u64,
    pub first_time: f64,
    pub last_time: f64,
    pub examples: Vec<LostJson>,
}

impl LostFlowJson {
    pub(super) fn new(a: &Analysis, f: &LostFlow) -> LostFlowJson {
        LostFlowJson {
            src: f.src_addr(),
            dst: f.dst_addr(),
            first_fragment: f.first_fragment.as_str(),
            datagrams: f.datagrams,
            first_time: round3(a.rel(f.first_ts)),
            last_time: round3(a.rel(f.last_ts)),
            examples: f.examples.iter().map(|d| LostJson::new(a, d)).collect(),
        }
    }
}

/// What an SA held beyond its bounds.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct NotKeptJson {
    pub transmissions: u64,
    pub lost_datagrams: u64,
}
