//! Hand-made `lb` facts: rounds against a VIP whose servers answer with
//! real NAT_DETECTION hashes of chosen addresses (what the scripted load
//! balancer of `probe::lb` and the lab's servers send).

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use super::identify::{self, Candidates, SightingId};
use super::search::Unbounded;
use super::{LbFacts, Round, Sighting};
use crate::diagnose::ike::AuthOutcome;
use crate::diagnose::ike::samples::{auth_answered, auth_failed, exchange, full};
use crate::wire::natt::nat_detection_hash;

pub const VIP: &str = "198.18.10.1";
pub const CLIENT: &str = "198.18.1.2";
pub const SERVER_A: &str = "198.18.2.2";
pub const SERVER_B: &str = "198.18.3.2";

pub fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

/// A full response on VIP `port` in round `round`, from `server` hashing
/// `server_port`, that saw the client as `seen_as` (`None`: as itself).
pub fn sighting(
    round: u32,
    port: u16,
    server: &str,
    server_port: u16,
    seen_as: Option<SocketAddr>,
) -> Sighting {
    let local = SocketAddr::new(
        ip(CLIENT),
        40_000 + (round as u16) * 2 + u16::from(port == 4500),
    );
    let spi_i = [round as u8, (port >> 8) as u8, port as u8, 1, 2, 3, 4, 5];
    let spi_r = [0x5e, round as u8, (port >> 8) as u8, port as u8, 9, 8, 7, 6];
    let server = SocketAddr::new(ip(server), server_port);
    Sighting {
        port,
        local,
        spi_i,
        spi_r,
        natd_source: Some(nat_detection_hash(&spi_i, &spi_r, server)),
        natd_destination: Some(nat_detection_hash(&spi_i, &spi_r, seen_as.unwrap_or(local))),
    }
}

/// A round whose UDP 500 went to `s500` and UDP 4500 to `s4500`: IKE_AUTH
/// on 4500 answered when they are the same server, else answered on 500.
pub fn round(number: u32, s500: &str, s4500: &str, seen_as: Option<IpAddr>) -> Round {
    let seen = |port: u16| {
        seen_as.map(|a| {
            let local_port = 40_000 + (number as u16) * 2 + u16::from(port == 4500);
            SocketAddr::new(a, local_port)
        })
    };
    let same = s500 == s4500;
    Round {
        number,
        init500: exchange(500, 810, Some(full("aes256-sha256-modp2048", true))),
        sighting500: Some(sighting(number, 500, s500, 500, seen(500))),
        auth4500: Some(if same {
            auth_answered(true)
        } else {
            auth_failed(AuthOutcome::NoAnswer, true)
        }),
        auth500: (!same).then(|| auth_answered(true)),
        init4500: Some(exchange(
            4500,
            942,
            Some(full("aes256-sha256-modp2048", true)),
        )),
        sighting4500: Some(sighting(number, 4500, s4500, 4500, seen(4500))),
        close4500: Some(auth_answered(true)),
        skipped4500: None,
    }
}

/// Facts of `rounds`, identified against `c` (ranges searched when given).
pub fn facts(rounds: Vec<Round>, c: &Candidates, ranges: Option<&[ipnet::IpNet]>) -> LbFacts {
    let sightings: Vec<(SightingId, &Sighting)> = rounds
        .iter()
        .flat_map(|r| {
            r.sightings().map(move |s| {
                (
                    SightingId {
                        round: r.number,
                        port: s.port,
                    },
                    s,
                )
            })
        })
        .collect();
    let identification = identify::identify(&sightings, c, ranges, &Unbounded);
    LbFacts {
        vip: ip(VIP),
        rounds_asked: rounds.len() as u32,
        rounds,
        cut_short: None,
        elapsed: Duration::from_millis(120),
        identification,
        search_elapsed: Duration::ZERO,
    }
}

/// Candidates: the VIP and `backends`, no SNAT candidates.
pub fn candidates(backends: &[&str]) -> Candidates {
    Candidates {
        vip: ip(VIP),
        backends: backends.iter().map(|b| ip(b)).collect(),
        snat: Vec::new(),
    }
}
