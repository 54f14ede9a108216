//! Turns `lb` facts into findings (codes in the `lb` section of
//! `finding.rs`): one function per code, each tested on hand-made facts.

use std::collections::BTreeMap;
use std::net::IpAddr;

use serde_json::{Map, Value, json};

use super::identify::{Identity, SeenAs, SnatSource};
use super::{LbFacts, Persistence};
use crate::finding::{Code, Finding, Severity};

/// Names the load balancers' own settings (F5 and Kemp documentation, and
/// the field posts this project started from).
pub const PERSISTENCE_REMEDY: &str = "Keep each client on one server for both IKE ports. \
F5 BIG-IP: a persistence profile of type Source Address Affinity with Match Across Services, \
set as Default Persistence Profile on both virtual servers (UDP 500 and UDP 4500, same pool \
members). Kemp LoadMaster: Source IP Address persistence on both virtual services and Port \
Following between them (Advanced Properties). Other load balancers: one virtual service for both \
ports, or source-IP persistence shared by both.";

/// Source NAT off, or the RRAS limit raised when it cannot be.
pub const SNAT_REMEDY: &str = "Let the VPN servers see each client's own address. F5 BIG-IP: \
Source Address Translation None on both virtual servers (UDP 500 and 4500). Kemp LoadMaster: \
Transparency on both virtual services. Either way the servers must route their replies to clients \
back through the load balancer. If source NAT cannot be avoided, every client arrives from a few \
addresses and RRAS refuses IKE beyond its per-address limit: raise IkeNumEstablishedForInitialQuery \
(DWORD, e.g. 50000) under HKLM\\SYSTEM\\CurrentControlSet\\Services\\IKEEXT\\Parameters on every \
RRAS server and restart the IKEEXT service.";

/// All findings for one VIP, cause before consequence.
pub fn findings(f: &LbFacts) -> Vec<Finding> {
    let mut out = Vec::new();
    out.extend(no_persistence_across_ports(f));
    out.extend(source_nat(f));
    out.extend(backends(f));
    out
}

/// A server as the report names it.
pub fn label(identity: &Identity) -> String {
    match identity {
        Identity::Vip { .. } => "the VIP itself".to_owned(),
        Identity::Listed { addr, .. } | Identity::Searched { addr, .. } => addr.to_string(),
        Identity::Unidentified { .. } => "unidentified".to_owned(),
        Identity::NoHash => "no NAT_DETECTION hash".to_owned(),
    }
}

/// Which servers answered on `port` (500 or 4500), and how often, in
/// order of first appearance.
pub fn distribution(f: &LbFacts, port: u16) -> Vec<(String, usize)> {
    let mut out: Vec<(String, usize)> = Vec::new();
    for s in f
        .identification
        .sightings
        .iter()
        .filter(|s| s.id.port == port)
    {
        let name = label(&s.identity);
        match out.iter_mut().find(|(n, _)| *n == name) {
            Some((_, count)) => *count += 1,
            None => out.push((name, 1)),
        }
    }
    out
}

fn distribution_json(f: &LbFacts, port: u16) -> Value {
    let map: Map<String, Value> = distribution(f, port)
        .into_iter()
        .map(|(k, v)| (k, json!(v)))
        .collect();
    Value::Object(map)
}

fn distribution_text(f: &LbFacts, port: u16) -> String {
    let d = distribution(f, port);
    if d.is_empty() {
        return "none".to_owned();
    }
    d.iter()
        .map(|(name, n)| format!("{name} x{n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Rounds whose UDP 500 and UDP 4500 responses came from two different
/// identified servers.
fn different_servers(f: &LbFacts) -> Vec<u32> {
    f.rounds
        .iter()
        .filter(|r| {
            let server = |port| {
                f.identification
                    .get(super::SightingId {
                        round: r.number,
                        port,
                    })
                    .and_then(|s| match s.identity {
                        Identity::Vip { .. } => None,
                        i => i.address(),
                    })
            };
            matches!((server(500), server(4500)), (Some(a), Some(b)) if a != b)
        })
        .map(|r| r.number)
        .collect()
}

/// `lb-no-persistence-across-ports` (fail): in some round the IKE_AUTH on
/// UDP 4500 got no authenticated answer while the same request on UDP 500
/// did (proof that 4500 went elsewhere), or the UDP 500 and 4500
/// responses of one round came from two identified servers.
pub fn no_persistence_across_ports(f: &LbFacts) -> Option<Finding> {
    let split: Vec<u32> = f
        .rounds
        .iter()
        .filter(|r| r.persistence() == Persistence::Split)
        .map(|r| r.number)
        .collect();
    let differ = different_servers(f);
    if split.is_empty() && differ.is_empty() {
        return None;
    }
    let (same, _, unknown, _) = f.tally();
    let judged = f.rounds.len();
    let vip = f.vip;
    let how = if split.is_empty() {
        format!(
            "in {} of {judged} round(s) the IKE_SA_INIT on UDP 500 and the one on UDP 4500 were \
answered by two different servers",
            differ.len()
        )
    } else {
        format!(
            "in {} of {judged} round(s) an IKE_AUTH on UDP 4500 for the IKE SA just made on UDP 500 \
got no authenticated answer while the same IKE_AUTH on UDP 500 did: UDP 4500 reached a server \
that never saw the IKE_SA_INIT",
            split.len()
        )
    };
    let mix = if same > 0 {
        format!(
            " ({same} round(s) stayed on one server: the balancing follows ports or flows, not the \
client's address)"
        )
    } else {
        String::new()
    };
    Some(
        Finding::new(
            Code::LbNoPersistenceAcrossPorts,
            Severity::Fail,
            format!("{vip}: {how}{mix}; Windows clients fail with error 809 whenever that happens"),
        )
        .with("vip", vip.to_string())
        .with("rounds", judged)
        .with("split_rounds", split)
        .with("different_server_rounds", differ)
        .with("same_server_rounds", same)
        .with("undecided_rounds", unknown)
        .with("servers_udp500", distribution_json(f, 500))
        .with("servers_udp4500", distribution_json(f, 4500))
        .remedy(PERSISTENCE_REMEDY),
    )
}

/// Whether `addr` is an address a NAT device of this machine's own site
/// would hide (private, CGNAT, benchmarking, link-local, ULA, ...): then a
/// translated address may be that NAT, not the load balancer's.
fn behind_own_nat(addr: IpAddr) -> bool {
    match addr.to_canonical() {
        IpAddr::V4(a) => crate::addr::non_global_ipv4(a).is_some(),
        IpAddr::V6(a) => {
            let first = a.segments()[0];
            (first & 0xfe00) == 0xfc00 || (first & 0xffc0) == 0xfe80
        }
    }
}

/// `lb-source-nat` (fail; warn when it may be this site's own NAT): a
/// server saw the client as another address than its own. Fail when the
/// address is named (the VIP, a `--snat-candidates` entry, or found by the
/// search) or this machine has a global address; warn when this machine is
/// itself behind NAT and nothing names the address.
pub fn source_nat(f: &LbFacts) -> Option<Finding> {
    let mut named: BTreeMap<String, usize> = BTreeMap::new();
    let mut addrs: Vec<String> = Vec::new();
    let mut unknown = 0usize;
    let mut local: Option<IpAddr> = None;
    for s in &f.identification.sightings {
        match s.seen_as {
            SeenAs::Snat { addr, port, source } => {
                let how = match source {
                    SnatSource::Vip => "the VIP",
                    SnatSource::Candidate => "--snat-candidates",
                    SnatSource::Searched => "found by search",
                };
                *named
                    .entry(format!("{addr} ({how}), port {port}"))
                    .or_default() += 1;
                if !addrs.contains(&addr.to_string()) {
                    addrs.push(addr.to_string());
                }
                local.get_or_insert(s.local.ip());
            }
            SeenAs::Unknown => {
                unknown += 1;
                local.get_or_insert(s.local.ip());
            }
            _ => {}
        }
    }
    let local = local?;
    let vip = f.vip;
    let total = f.identification.sightings.len();
    let base = |severity, summary: String| {
        Finding::new(Code::LbSourceNat, severity, summary)
            .with("vip", vip.to_string())
            .with("client", local.to_string())
            .with("seen_as", json!(named))
            .with("seen_as_unknown", unknown)
            .with("responses", total)
    };
    if !named.is_empty() {
        return Some(
            base(
                Severity::Fail,
                format!(
                    "{vip}: the servers saw this client ({local}) as {}: the load balancer \
source-NATs the clients, so every client arrives from a few addresses and RRAS refuses new \
connections past its per-address limit (error 809 for the clients over it)",
                    addrs.join(", ")
                ),
            )
            .remedy(SNAT_REMEDY),
        );
    }
    if behind_own_nat(local) {
        return Some(
            base(
                Severity::Warn,
                format!(
                    "{vip}: the servers saw this client ({local}) as another address, none of the \
candidates; this machine has a non-global address, so that may be this site's own NAT rather than \
source NAT at the load balancer"
                ),
            )
            .remedy(format!(
                "To tell them apart, name the load balancer's own addresses (self IPs, SNAT pool) \
with --snat-candidates, or search them with --find-backends, or run lb from a machine with a \
public address or from the load balancer's own network. If it is the load balancer: {SNAT_REMEDY}"
            )),
        );
    }
    Some(
        base(
            Severity::Fail,
            format!(
                "{vip}: the servers saw this client ({local}, a global address) as another address: \
a NAT between this machine and the servers, most likely source NAT at the load balancer"
            ),
        )
        .remedy(format!(
            "{SNAT_REMEDY} --snat-candidates with the load balancer's self IPs or SNAT pool names \
the address."
        )),
    )
}

/// `lb-backends` (info): which servers answered, how often, by port.
pub fn backends(f: &LbFacts) -> Option<Finding> {
    let sightings = &f.identification.sightings;
    if sightings.is_empty() {
        return None;
    }
    let vip = f.vip;
    let mut servers: Vec<String> = Vec::new();
    for s in sightings {
        if let Some(a) = s.identity.address() {
            let a = a.to_string();
            if !servers.contains(&a) {
                servers.push(a);
            }
        }
    }
    let unidentified = sightings
        .iter()
        .filter(|s| matches!(s.identity, Identity::Unidentified { .. }))
        .count();
    let translated: Vec<String> = sightings
        .iter()
        .filter_map(|s| match s.identity.port() {
            Some(p) if p != s.id.port => Some(format!("VIP:{} -> server port {p}", s.id.port)),
            _ => None,
        })
        .fold(Vec::new(), |mut v, t| {
            if !v.contains(&t) {
                v.push(t);
            }
            v
        });
    let (same, split, undecided, no_sa) = f.tally();
    let mut summary = format!(
        "{vip}: {} server(s) identified ({}); UDP 500 reached {}; UDP 4500 reached {}; \
persistence per round: {same} same server, {split} split, {undecided} undecided, {no_sa} without an IKE SA",
        servers.len(),
        if servers.is_empty() {
            "none".to_owned()
        } else {
            servers.join(", ")
        },
        distribution_text(f, 500),
        distribution_text(f, 4500),
    );
    if unidentified > 0 {
        summary.push_str(&format!(
            "; {unidentified} response(s) matched no candidate{}",
            if f.identification.search.is_some() {
                " (not the VIP, --backends, nor any address searched)"
            } else {
                " (give --backends, or --find-backends to search)"
            }
        ));
    }
    let mut finding = Finding::new(Code::LbBackends, Severity::Info, summary)
        .with("vip", vip.to_string())
        .with("servers", servers)
        .with("servers_udp500", distribution_json(f, 500))
        .with("servers_udp4500", distribution_json(f, 4500))
        .with("unidentified", unidentified)
        .with("port_translation", translated)
        .with("rounds", f.rounds.len())
        .with("rounds_asked", f.rounds_asked);
    if let Some(why) = &f.cut_short {
        finding = finding.with("cut_short", why.as_str());
    }
    if unidentified > 0 {
        finding = finding.remedy(
            "A server's NAT_DETECTION_SOURCE_IP names its own address only when it hashes its real \
address: give the servers' addresses with --backends, or search with --find-backends (the private \
ranges and the VIP's /24 by default). A server that forces UDP encapsulation fakes the hash \
(strongSwan with encap = yes or kernel-libipsec hashes a random IPv4 address and port 0), and \
then no search can name it.",
        );
    }
    Some(finding)
}

#[cfg(test)]
mod tests;
