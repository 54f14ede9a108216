//! IKE SAs that are not kept in full, counted per peer and outcome: what is
//! left of an SA the working set gave up (see `analyse::retire`). The
//! outcome is what the capture showed of it, whatever time it ended:
//! established, IKE_SA_INIT answered but IKE_AUTH not, IKE_SA_INIT refused,
//! IKE_SA_INIT unanswered, or no IKE_SA_INIT at all. Whether an unanswered
//! exchange failed or was cut off by the end of the capture is a finding,
//! counted with the findings.

use std::net::{IpAddr, SocketAddr};

use super::bounds::MAX_PEERS;
use super::sa::IkeSa;
use crate::capture::Timestamp;
use crate::wire::ike::ExchangeType;

/// What the capture showed of one IKE SA.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// IKE_AUTH was answered (without an error notify), or ESP flowed.
    Established,
    /// IKE_SA_INIT negotiated; no IKE_AUTH answer came.
    AuthNotAnswered,
    /// IKE_SA_INIT was answered only with an error or a COOKIE demand.
    SaInitRefused,
    /// IKE_SA_INIT requests without any response.
    SaInitUnanswered,
    /// No IKE_SA_INIT in the capture (negotiated before it started, or
    /// only lost datagrams of it).
    NoSaInit,
}

impl Outcome {
    pub const ALL: [Outcome; 5] = [
        Outcome::Established,
        Outcome::AuthNotAnswered,
        Outcome::SaInitRefused,
        Outcome::SaInitUnanswered,
        Outcome::NoSaInit,
    ];

    pub fn of(sa: &IkeSa) -> Outcome {
        let init = ExchangeType::IKE_SA_INIT;
        if sa.ike_auth_answered() || sa.esp.total() > 0 {
            Outcome::Established
        } else if sa.negotiated() {
            Outcome::AuthNotAnswered
        } else if sa.responses(init).next().is_some() {
            Outcome::SaInitRefused
        } else if sa.requests(init).next().is_some() {
            Outcome::SaInitUnanswered
        } else {
            Outcome::NoSaInit
        }
    }

    /// `established`, `ike_auth_not_answered`, ... (JSON keys).
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Established => "established",
            Outcome::AuthNotAnswered => "ike_auth_not_answered",
            Outcome::SaInitRefused => "ike_sa_init_refused",
            Outcome::SaInitUnanswered => "ike_sa_init_unanswered",
            Outcome::NoSaInit => "no_ike_sa_init",
        }
    }

    /// In words, for the human view.
    pub fn words(self) -> &'static str {
        match self {
            Outcome::Established => "established",
            Outcome::AuthNotAnswered => "IKE_AUTH not answered",
            Outcome::SaInitRefused => "IKE_SA_INIT refused",
            Outcome::SaInitUnanswered => "IKE_SA_INIT unanswered",
            Outcome::NoSaInit => "no IKE_SA_INIT",
        }
    }
}

/// IKE_AUTH was answered or ESP flowed.
pub fn established(sa: &IkeSa) -> bool {
    Outcome::of(sa) == Outcome::Established
}

/// IKE SAs counted by outcome.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OutcomeCounts {
    pub established: u64,
    pub auth_not_answered: u64,
    pub sa_init_refused: u64,
    pub sa_init_unanswered: u64,
    pub no_sa_init: u64,
}

impl OutcomeCounts {
    pub fn get(&self, o: Outcome) -> u64 {
        match o {
            Outcome::Established => self.established,
            Outcome::AuthNotAnswered => self.auth_not_answered,
            Outcome::SaInitRefused => self.sa_init_refused,
            Outcome::SaInitUnanswered => self.sa_init_unanswered,
            Outcome::NoSaInit => self.no_sa_init,
        }
    }

    pub fn add(&mut self, o: Outcome) {
        let n = match o {
            Outcome::Established => &mut self.established,
            Outcome::AuthNotAnswered => &mut self.auth_not_answered,
            Outcome::SaInitRefused => &mut self.sa_init_refused,
            Outcome::SaInitUnanswered => &mut self.sa_init_unanswered,
            Outcome::NoSaInit => &mut self.no_sa_init,
        };
        *n += 1;
    }

    pub fn total(&self) -> u64 {
        Outcome::ALL.iter().map(|o| self.get(*o)).sum()
    }

    /// Adds another set of counts.
    pub fn merge(&mut self, o: &OutcomeCounts) {
        self.established += o.established;
        self.auth_not_answered += o.auth_not_answered;
        self.sa_init_refused += o.sa_init_refused;
        self.sa_init_unanswered += o.sa_init_unanswered;
        self.no_sa_init += o.no_sa_init;
    }
}

/// The summarised IKE SAs between one initiator address and one responder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeerSummary {
    pub initiator: IpAddr,
    pub responder: SocketAddr,
    pub outcomes: OutcomeCounts,
    /// SAs among them with a `fail` finding when they were summarised
    /// (one that failed only because it stayed silent afterwards is counted
    /// with the findings, not here).
    pub failed: u64,
    pub transmissions: u64,
    pub lost_datagrams: u64,
    pub first_ts: Timestamp,
    pub last_ts: Timestamp,
}

/// Every IKE SA not kept in full.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SaSummary {
    /// Per peer, at most [`MAX_PEERS`], in the order they were first
    /// summarised.
    pub peers: Vec<PeerSummary>,
    /// SAs of further peers.
    pub other_peers: OutcomeCounts,
    pub other_peers_failed: u64,
    /// Transmissions of the summarised SAs (of every peer).
    pub transmissions: u64,
    /// IKE messages that arrived for an SA after it was summarised
    /// (counted here, not analysed).
    pub later_messages: u64,
    /// SAs summarised while one of their exchanges could still have been
    /// answered: more new SAs than the working set holds arrived within
    /// the in-progress window (a flood).
    pub unsettled: u64,
}

impl SaSummary {
    /// SAs summarised.
    pub fn sas(&self) -> u64 {
        self.peers.iter().map(|p| p.outcomes.total()).sum::<u64>() + self.other_peers.total()
    }

    pub fn is_empty(&self) -> bool {
        self.sas() == 0 && self.later_messages == 0
    }

    /// SAs summarised by outcome, over every peer.
    pub fn outcomes(&self) -> OutcomeCounts {
        let mut all = self.other_peers;
        for p in &self.peers {
            all.merge(&p.outcomes);
        }
        all
    }

    /// SAs summarised with a `fail` finding.
    pub fn failed(&self) -> u64 {
        self.peers.iter().map(|p| p.failed).sum::<u64>() + self.other_peers_failed
    }

    /// Counts one SA leaving the working set: `failed` when it had a
    /// `fail` finding, `quiet` when none of its exchanges could still have
    /// been answered.
    pub fn add(&mut self, sa: &IkeSa, failed: bool, quiet: bool) {
        let outcome = Outcome::of(sa);
        if !quiet {
            self.unsettled += 1;
        }
        let transmissions = sa
            .transmissions
            .iter()
            .filter(|t| t.same_as.is_none())
            .count() as u64
            + sa.not_kept.transmissions;
        self.transmissions += transmissions;
        let (initiator, responder) = (sa.initiator.ip(), sa.responder);
        let at = self
            .peers
            .iter()
            .position(|p| p.initiator == initiator && p.responder == responder);
        let at = match at {
            Some(at) => at,
            None if self.peers.len() < MAX_PEERS => {
                let (first, last) = sa.span().unwrap_or_default();
                self.peers.push(PeerSummary {
                    initiator,
                    responder,
                    outcomes: OutcomeCounts::default(),
                    failed: 0,
                    transmissions: 0,
                    lost_datagrams: 0,
                    first_ts: first,
                    last_ts: last,
                });
                self.peers.len() - 1
            }
            None => {
                self.other_peers.add(outcome);
                self.other_peers_failed += u64::from(failed);
                return;
            }
        };
        let Some(row) = self.peers.get_mut(at) else {
            return;
        };
        row.outcomes.add(outcome);
        row.failed += u64::from(failed);
        row.transmissions += sa
            .transmissions
            .iter()
            .filter(|t| t.same_as.is_none())
            .count() as u64
            + sa.not_kept.transmissions;
        row.lost_datagrams += sa.lost.len() as u64 + sa.not_kept.lost;
        if let Some((first, last)) = sa.span() {
            row.first_ts = row.first_ts.min(first);
            row.last_ts = row.last_ts.max(last);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyse::testing::{AUTH, SA_INIT, SaBuilder, Send, key};

    #[test]
    fn outcomes_from_what_the_capture_showed() {
        let mut b = SaBuilder::new();
        b.send(Send::new(key(SA_INIT, 0, false, true), 0));
        assert_eq!(Outcome::of(&b.build()), Outcome::SaInitUnanswered);
        b.send(Send::new(key(SA_INIT, 0, true, false), 10));
        assert_eq!(Outcome::of(&b.build()), Outcome::AuthNotAnswered);
        b.send(Send::new(key(AUTH, 1, false, true), 20));
        b.send(Send::new(key(AUTH, 1, true, false), 30));
        assert_eq!(Outcome::of(&b.build()), Outcome::Established);
        let mut only_auth = SaBuilder::new();
        only_auth.send(Send::new(key(AUTH, 1, false, true), 0));
        assert_eq!(Outcome::of(&only_auth.build()), Outcome::NoSaInit);
    }

    #[test]
    fn counts_per_peer_within_a_bound() {
        let mut s = SaSummary::default();
        let mut b = SaBuilder::new();
        b.send(Send::new(key(SA_INIT, 0, false, true), 0));
        let sa = b.build();
        for i in 0..(MAX_PEERS as u32 + 10) {
            let mut sa = sa.clone();
            sa.initiator = SocketAddr::new(
                IpAddr::from(std::net::Ipv4Addr::from(0xc612_0000u32 + i)),
                500,
            );
            s.add(&sa, true, i % 2 == 0);
            s.add(&sa, false, true);
        }
        assert_eq!(s.peers.len(), MAX_PEERS);
        assert_eq!(s.sas(), 2 * (MAX_PEERS as u64 + 10));
        assert_eq!(s.peers[0].outcomes.sa_init_unanswered, 2);
        assert_eq!(s.peers[0].failed, 1);
        assert_eq!(s.peers[0].transmissions, 2);
        assert_eq!(s.other_peers.sa_init_unanswered, 20);
        assert_eq!(s.failed(), MAX_PEERS as u64 + 10);
        assert_eq!(s.unsettled, (MAX_PEERS as u64 + 10) / 2);
        assert_eq!(s.outcomes().total(), s.sas());
    }
}
