//! Who answered, and who they saw: the NAT_DETECTION hashes of each full
//! IKE_SA_INIT response matched against candidate addresses (RFC 7296
//! §2.23).
//!
//! - **The server** (NAT_DETECTION_SOURCE_IP): first the VIP itself (a
//!   server that owns the VIP: no DNAT), `--backends` and every server
//!   already found, each at two ports: the one the request went to (a load
//!   balancer that does not translate ports delivers it there, and the
//!   server hashes the port it received on) and the other IKE port (one
//!   that maps both services onto one server port). Then, when ranges are
//!   given, a [`search`](mod@super::search) of them at those two ports. A found
//!   server joins the candidates, so each server costs one search; after
//!   [`MAX_FRUITLESS`] searches that found nothing the rest are not searched
//!   (a server that fakes its hash, like strongSwan with `encap = yes` or
//!   kernel-libipsec, which hashes a random IPv4 with port 0, would make
//!   every search fruitless).
//! - **What the server saw** (NAT_DETECTION_DESTINATION_IP): our own socket
//!   address (no NAT at all), else our addresses, the VIP and the
//!   `--snat-candidates` at every port 0-65535 (a NAT picks the port), else,
//!   within the same search, the ranges at our own source port (Linux
//!   masquerade and F5 SNAT keep the source port when they can).

use std::net::{IpAddr, SocketAddr};

use ipnet::IpNet;

use super::Sighting;
use super::search::{self, Control, Target};

/// Searches that found no server before the rest are left unsearched.
pub const MAX_FRUITLESS: u32 = 2;

/// Which response: round number and the VIP port.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SightingId {
    pub round: u32,
    pub port: u16,
}

/// The server behind one response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Identity {
    /// The hash is of the VIP itself: the server owns the VIP address (no
    /// DNAT: direct server return, or no load balancer).
    Vip { port: u16 },
    /// One of `--backends`, at the port it hashed.
    Listed { addr: IpAddr, port: u16 },
    /// Found by searching the ranges (in this response or an earlier one).
    Searched { addr: IpAddr, port: u16 },
    /// None of the candidates; `searched`: the ranges were searched for it.
    Unidentified { searched: bool },
    /// The response carried no NAT_DETECTION_SOURCE_IP.
    NoHash,
}

impl Identity {
    /// The server's address, when known.
    pub fn address(&self) -> Option<IpAddr> {
        match *self {
            Identity::Listed { addr, .. } | Identity::Searched { addr, .. } => Some(addr),
            _ => None,
        }
    }

    /// The port the server hashed, when known.
    pub fn port(&self) -> Option<u16> {
        match *self {
            Identity::Vip { port }
            | Identity::Listed { port, .. }
            | Identity::Searched { port, .. } => Some(port),
            _ => None,
        }
    }
}

/// How a source-NAT address was recognised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SnatSource {
    /// The VIP (a load balancer that uses the VIP as its SNAT address).
    Vip,
    /// One of `--snat-candidates`.
    Candidate,
    /// Found by searching the ranges at the client's own source port.
    Searched,
}

/// The address the server saw the client as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeenAs {
    /// Our own address and port: nothing translated them.
    Itself,
    /// Our own address with another port (only the port was translated).
    OwnAddress { port: u16 },
    /// Another address: source NAT.
    Snat {
        addr: IpAddr,
        port: u16,
        source: SnatSource,
    },
    /// Another address, none of the candidates.
    Unknown,
    /// The response carried no NAT_DETECTION_DESTINATION_IP.
    NoHash,
}

/// One response, judged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identified {
    pub id: SightingId,
    /// Our socket address of that exchange.
    pub local: SocketAddr,
    pub identity: Identity,
    pub seen_as: SeenAs,
}

/// How the range search went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchReport {
    /// The ranges searched (merged).
    pub ranges: Vec<IpNet>,
    pub addresses: u128,
    /// Searches run (one per response no candidate matched).
    pub searches: u32,
    pub hashes: u64,
    /// Why later responses were not searched (time budget, fruitless searches).
    pub gave_up: Option<String>,
}

/// Everything [`identify`] found.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Identification {
    pub sightings: Vec<Identified>,
    /// `None` when no ranges were given.
    pub search: Option<SearchReport>,
}

impl Identification {
    pub fn get(&self, id: SightingId) -> Option<&Identified> {
        self.sightings.iter().find(|s| s.id == id)
    }
}

/// The addresses to try before any search.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidates {
    pub vip: IpAddr,
    /// `--backends`.
    pub backends: Vec<IpAddr>,
    /// `--snat-candidates`.
    pub snat: Vec<IpAddr>,
}

fn other_port(port: u16) -> u16 {
    if port == 500 { 4500 } else { 500 }
}

fn matches(s: &Sighting, hash: &[u8; 20], addr: IpAddr, port: u16) -> bool {
    let t = Target {
        spi_i: s.spi_i,
        spi_r: s.spi_r,
        port,
        hash: *hash,
    };
    search::hash_of(&t, addr) == *hash
}

/// The first (address, port) of `addrs` × `ports` whose hash is `hash`.
fn first_match(
    s: &Sighting,
    hash: &[u8; 20],
    addrs: &[IpAddr],
    ports: &[u16],
) -> Option<(IpAddr, u16)> {
    addrs.iter().find_map(|&a| {
        ports
            .iter()
            .find(|&&p| matches(s, hash, a, p))
            .map(|&p| (a, p))
    })
}

/// The port (0-65535, ours first) at which `addr` made `hash`.
fn any_port(s: &Sighting, hash: &[u8; 20], addr: IpAddr) -> Option<u16> {
    let first = s.local.port();
    std::iter::once(first)
        .chain((0..=u16::MAX).filter(|&p| p != first))
        .find(|&p| matches(s, hash, addr, p))
}

/// Identifies every sighting in order. `ranges` (already
/// [`prepared`](search::prepare)) enables the search; `ctl` bounds it.
pub fn identify(
    sightings: &[(SightingId, &Sighting)],
    c: &Candidates,
    ranges: Option<&[IpNet]>,
    ctl: &dyn Control,
) -> Identification {
    let mut found: Vec<IpAddr> = Vec::new();
    let mut snat_found: Vec<IpAddr> = Vec::new();
    let mut report = ranges.map(|r| SearchReport {
        ranges: r.to_vec(),
        addresses: r.iter().map(search::size).sum(),
        searches: 0,
        hashes: 0,
        gave_up: None,
    });
    let mut fruitless = 0u32;
    let mut snat_searched = false;
    let mut out = Vec::new();
    for &(id, s) in sightings {
        let ports = [s.port, other_port(s.port)];
        let mut identity = match &s.natd_source {
            None => Identity::NoHash,
            Some(h) => {
                if let Some((_, port)) = first_match(s, h, &[c.vip], &ports) {
                    Identity::Vip { port }
                } else if let Some((addr, port)) = first_match(s, h, &c.backends, &ports) {
                    Identity::Listed { addr, port }
                } else if let Some((addr, port)) = first_match(s, h, &found, &ports) {
                    Identity::Searched { addr, port }
                } else {
                    Identity::Unidentified { searched: false }
                }
            }
        };
        let mut seen_as = seen_as(s, c, &snat_found);
        let want_server = matches!(identity, Identity::Unidentified { .. });
        // The address the server saw is searched for once: the first time
        // no candidate matches (the same NAT hides every round).
        let want_snat = seen_as == SeenAs::Unknown && !snat_searched;
        if let (Some(r), Some(rep)) = (ranges, report.as_mut())
            && (want_server || want_snat)
            && rep.gave_up.is_none()
        {
            if ctl.stop() {
                rep.gave_up = Some("the search time budget was spent".to_owned());
            } else if want_server && fruitless >= MAX_FRUITLESS {
                rep.gave_up = Some(format!(
                    "{MAX_FRUITLESS} searches found no server: the servers hash an address \
outside the ranges, or fake the hash"
                ));
            } else {
                let source: Vec<Target> = match (want_server, s.natd_source) {
                    (true, Some(hash)) => ports
                        .iter()
                        .map(|&port| Target {
                            spi_i: s.spi_i,
                            spi_r: s.spi_r,
                            port,
                            hash,
                        })
                        .collect(),
                    _ => Vec::new(),
                };
                let mut targets = source.clone();
                if let (true, Some(hash)) = (want_snat, s.natd_destination) {
                    snat_searched = true;
                    targets.push(Target {
                        spi_i: s.spi_i,
                        spi_r: s.spi_r,
                        port: s.local.port(),
                        hash,
                    });
                }
                let f = search::search(r, &targets, ctl);
                rep.searches += 1;
                rep.hashes += f.hashes;
                if want_server {
                    identity = Identity::Unidentified {
                        searched: f.complete,
                    };
                }
                for (i, (t, hit)) in targets.iter().zip(&f.addresses).enumerate() {
                    let Some(addr) = *hit else { continue };
                    if i < source.len() {
                        identity = Identity::Searched { addr, port: t.port };
                        if !found.contains(&addr) {
                            found.push(addr);
                        }
                    } else {
                        seen_as = SeenAs::Snat {
                            addr,
                            port: t.port,
                            source: SnatSource::Searched,
                        };
                        if !snat_found.contains(&addr) {
                            snat_found.push(addr);
                        }
                    }
                }
                if want_server && identity.address().is_none() {
                    fruitless += 1;
                }
                if !f.complete {
                    rep.gave_up = Some("the search time budget was spent".to_owned());
                }
            }
        }
        out.push(Identified {
            id,
            local: s.local,
            identity,
            seen_as,
        });
    }
    Identification {
        sightings: out,
        search: report,
    }
}

/// What the server saw us as, from the candidates (no range search).
fn seen_as(s: &Sighting, c: &Candidates, snat_found: &[IpAddr]) -> SeenAs {
    let Some(h) = &s.natd_destination else {
        return SeenAs::NoHash;
    };
    let own = s.local.ip();
    if matches(s, h, own, s.local.port()) {
        return SeenAs::Itself;
    }
    let snat = |addr, port, source| SeenAs::Snat { addr, port, source };
    // Addresses found earlier first: a load balancer keeps its SNAT address.
    for &addr in snat_found {
        if let Some(port) = any_port(s, h, addr) {
            return snat(addr, port, SnatSource::Searched);
        }
    }
    if let Some(port) = any_port(s, h, own) {
        return SeenAs::OwnAddress { port };
    }
    if let Some(port) = any_port(s, h, c.vip) {
        return snat(c.vip, port, SnatSource::Vip);
    }
    for &addr in &c.snat {
        if let Some(port) = any_port(s, h, addr) {
            return snat(addr, port, SnatSource::Candidate);
        }
    }
    SeenAs::Unknown
}

#[cfg(test)]
mod tests;
