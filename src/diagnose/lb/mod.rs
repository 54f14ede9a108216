//! Facts of `aovpn-diag lb` (does a load balancer keep each client on one
//! VPN server, without source NAT, and which servers are behind it?) and
//! the findings made from them. PURE: `probe::lb` runs the rounds and fills
//! these values; [`identify`] names the servers and the address each server
//! saw the client as, from the NAT_DETECTION hashes (RFC 7296 §2.23);
//! [`findings()`] judges; `report::lb` presents.
//!
//! One [`Round`] is what one Windows client does on one connection attempt,
//! from a fresh source port: a full IKE_SA_INIT on UDP 500, then IKE_AUTH
//! for that IKE SA on UDP 4500. Only the server that holds the SA can answer
//! the IKE_AUTH in a way that verifies, so an answer proves both ports
//! reached one server; when none comes, the same IKE_AUTH is sent on UDP
//! 500, and an answer there proves that UDP 4500 went to another server
//! (and closes the SA). Then one full IKE_SA_INIT on UDP 4500 names the
//! server that service reaches, and its own IKE_AUTH closes it again.

pub mod findings;
pub mod identify;
pub mod search;

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use crate::diagnose::ike::{AuthFacts, ExchangeFacts};
use crate::wire::ike::{Message, NotifyType};

pub use findings::findings;
pub use identify::{Identity, SeenAs, SightingId};

/// What identifies the server that sent one full IKE_SA_INIT response, and
/// what it saw of us: its NAT_DETECTION hashes with the SPIs they cover.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sighting {
    /// The port of the VIP the request went to (500 or 4500).
    pub port: u16,
    /// Our socket address (before any NAT).
    pub local: SocketAddr,
    pub spi_i: [u8; 8],
    pub spi_r: [u8; 8],
    /// NAT_DETECTION_SOURCE_IP: SHA-1 of the server's own address and port.
    pub natd_source: Option<[u8; 20]>,
    /// NAT_DETECTION_DESTINATION_IP: SHA-1 of the address and port the
    /// server saw the request come from.
    pub natd_destination: Option<[u8; 20]>,
}

impl Sighting {
    /// Reads the hashes of a full IKE_SA_INIT response `msg` to a request
    /// sent from `local` to port `port`. A notify whose data is not 20 bytes
    /// (not SHA-1) counts as absent.
    pub fn read(msg: &Message, port: u16, local: SocketAddr) -> Sighting {
        let hash = |kind| {
            msg.notify(kind)
                .and_then(|n| <[u8; 20]>::try_from(n.data.as_slice()).ok())
        };
        Sighting {
            port,
            local,
            spi_i: msg.header.spi_i,
            spi_r: msg.header.spi_r,
            natd_source: hash(NotifyType::NAT_DETECTION_SOURCE_IP),
            natd_destination: hash(NotifyType::NAT_DETECTION_DESTINATION_IP),
        }
    }
}

/// One round: one client connection attempt from fresh source ports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Round {
    /// 1-based.
    pub number: u32,
    /// The full IKE_SA_INIT on UDP 500.
    pub init500: ExchangeFacts,
    pub sighting500: Option<Sighting>,
    /// IKE_AUTH on UDP 4500 for the IKE SA made on UDP 500 (what a client
    /// sends next); `None` when there was no SA.
    pub auth4500: Option<AuthFacts>,
    /// The same IKE_AUTH on UDP 500, sent only when UDP 4500 brought no
    /// authenticated answer.
    pub auth500: Option<AuthFacts>,
    /// The full IKE_SA_INIT on UDP 4500; `None` when skipped.
    pub init4500: Option<ExchangeFacts>,
    pub sighting4500: Option<Sighting>,
    /// The IKE_AUTH on UDP 4500 that closes the SA of `init4500`.
    pub close4500: Option<AuthFacts>,
    /// Why `init4500` was skipped (half-open budget).
    pub skipped4500: Option<String>,
}

/// What one round says about persistence across the two ports (JSON:
/// `same-server`, `split`, `unknown`, `no-sa`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Persistence {
    /// IKE_AUTH on 4500 got an authenticated answer: one server for both.
    SameServer,
    /// IKE_AUTH on 4500 got none (or INVALID_IKE_SPI), the same on 500 got
    /// one: UDP 4500 went to a server without the SA.
    Split,
    /// Neither port brought an answer to IKE_AUTH: the round cannot tell.
    Unknown,
    /// No IKE SA to test: IKE_SA_INIT on 500 got no full response.
    NoSa,
}

impl Persistence {
    /// `same-server`, `split`, `unknown`, `no-sa` (JSON).
    pub fn as_str(self) -> &'static str {
        match self {
            Persistence::SameServer => "same-server",
            Persistence::Split => "split",
            Persistence::Unknown => "unknown",
            Persistence::NoSa => "no-sa",
        }
    }
}

impl Round {
    pub fn persistence(&self) -> Persistence {
        let answered = |a: &Option<AuthFacts>| a.as_ref().is_some_and(AuthFacts::answered);
        match (&self.auth4500, self.sighting500.is_some()) {
            (None, _) | (_, false) => Persistence::NoSa,
            _ if answered(&self.auth4500) => Persistence::SameServer,
            _ if answered(&self.auth500) => Persistence::Split,
            _ => Persistence::Unknown,
        }
    }

    /// The full responses of this round, UDP 500 first.
    pub fn sightings(&self) -> impl Iterator<Item = &Sighting> {
        self.sighting500.iter().chain(self.sighting4500.iter())
    }

    /// IKE SAs this round opened and could not close (each a half-open SA
    /// on some server until it expires).
    pub fn left_open(&self) -> u32 {
        let closed = |a: &Option<AuthFacts>| a.as_ref().is_some_and(AuthFacts::answered);
        let sa500 = self.sighting500.is_some() && !closed(&self.auth4500) && !closed(&self.auth500);
        let sa4500 = self.sighting4500.is_some() && !closed(&self.close4500);
        u32::from(sa500) + u32::from(sa4500)
    }
}

/// Everything `lb` learned about one VIP.
#[derive(Debug, Clone, PartialEq)]
pub struct LbFacts {
    pub vip: IpAddr,
    /// Rounds asked for.
    pub rounds_asked: u32,
    pub rounds: Vec<Round>,
    /// Why the rounds ended before `rounds_asked` (half-open budget).
    pub cut_short: Option<String>,
    /// Wall-clock time of the rounds.
    pub elapsed: Duration,
    /// Who answered each sighting, and who the server saw us as.
    pub identification: identify::Identification,
    /// Wall-clock time of the identification (the range search, mostly).
    pub search_elapsed: Duration,
}

impl LbFacts {
    /// Rounds per persistence outcome: (same server, split, unknown, no SA).
    pub fn tally(&self) -> (usize, usize, usize, usize) {
        let count = |p| self.rounds.iter().filter(|r| r.persistence() == p).count();
        (
            count(Persistence::SameServer),
            count(Persistence::Split),
            count(Persistence::Unknown),
            count(Persistence::NoSa),
        )
    }
}

#[cfg(test)]
pub(crate) mod samples;
