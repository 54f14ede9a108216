//! The rounds against a scripted load balancer in front of two scripted
//! strongSwan-like servers (`probe::ike::fake`), on a manual clock.

use std::net::IpAddr;
use std::sync::{Arc, Mutex};

use super::*;
use crate::diagnose::lb::identify::{Identity, SeenAs, SnatSource};
use crate::diagnose::lb::search::prepare;
use crate::diagnose::lb::{Persistence, findings};
use crate::env::ManualClock;
use crate::finding::{Code, Severity};
use crate::probe::ike::fake::FakeServer;
use crate::probe::net::{Scripted, Sent};

const VIP: &str = "198.18.10.1";
const A: &str = "198.18.2.2";
const B: &str = "198.18.3.2";

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

/// How the fake load balancer picks a server for a datagram.
#[derive(Clone, Copy)]
enum Policy {
    /// By source address: one client, one server (healthy).
    BySource,
    /// UDP 500 to A, UDP 4500 to B.
    PerPort,
    /// By source port: each flow on its own (5-tuple hashing).
    ByFlow,
}

fn lb(policy: Policy, snat: Option<&str>, clock: Arc<ManualClock>) -> Scripted {
    let server = |addr: &str| {
        let mut s = FakeServer::new("aes256-sha256-modp2048");
        s.real_ip = Some(ip(addr));
        s.snat_ip = snat.map(ip);
        s
    };
    let servers = Arc::new(Mutex::new([server(A), server(B)]));
    Scripted::new(move |sent: &Sent| {
        let i = match policy {
            Policy::BySource => 0,
            Policy::PerPort => usize::from(sent.peer.port() == 4500),
            Policy::ByFlow => usize::from(sent.local.port() % 2 == 1),
        };
        servers.lock().unwrap()[i].answer(sent)
    })
    .with_local_ip(ip("198.18.1.2"))
    .with_clock(clock)
}

fn cfg(rounds: u32) -> Config {
    Config {
        rounds,
        timing: Timing {
            timeout: Duration::from_millis(500),
            retransmits: 1,
        },
        offer: crate::diagnose::ike::proposals::default_offer(),
        backends: vec![ip(A), ip(B)],
        snat: Vec::new(),
        ranges: None,
        search_time: Duration::from_secs(60),
    }
}

fn run(policy: Policy, snat: Option<&str>, cfg: &Config) -> (LbFacts, usize, Duration) {
    let clock = Arc::new(ManualClock::default());
    let net = lb(policy, snat, clock.clone());
    let facts = observe(&net.env(), ip(VIP), cfg, &Quiet).unwrap();
    (facts, net.sent().len(), clock.elapsed())
}

fn servers(f: &LbFacts, port: u16) -> Vec<Option<IpAddr>> {
    f.identification
        .sightings
        .iter()
        .filter(|s| s.id.port == port)
        .map(|s| s.identity.address())
        .collect()
}

#[test]
fn persistence_by_source_address_keeps_every_round_on_one_server() {
    let (f, sent, elapsed) = run(Policy::BySource, None, &cfg(8));
    assert_eq!(f.rounds.len(), 8);
    assert!(
        f.rounds
            .iter()
            .all(|r| r.persistence() == Persistence::SameServer)
    );
    assert_eq!(servers(&f, 500), vec![Some(ip(A)); 8]);
    assert_eq!(servers(&f, 4500), vec![Some(ip(A)); 8]);
    assert!(
        f.identification
            .sightings
            .iter()
            .all(|s| s.seen_as == SeenAs::Itself)
    );
    // Per round: IKE_SA_INIT 500, IKE_AUTH 4500, IKE_SA_INIT 4500, IKE_AUTH 4500.
    assert_eq!(sent, 8 * 4);
    // Nothing was waited out: only the pauses between rounds.
    assert_eq!(elapsed, PACE * 7);
    let codes: Vec<Code> = findings(&f).iter().map(|f| f.code).collect();
    assert_eq!(codes, [Code::LbBackends]);
}

#[test]
fn per_port_balancing_is_proven_by_the_ike_auth_on_500() {
    let (f, _, elapsed) = run(Policy::PerPort, None, &cfg(3));
    for r in &f.rounds {
        assert_eq!(r.persistence(), Persistence::Split, "round {}", r.number);
        assert!(r.auth500.as_ref().unwrap().answered());
        // The SA was closed on 500: nothing left half-open.
        assert_eq!(r.left_open(), 0);
    }
    assert_eq!(servers(&f, 500), vec![Some(ip(A)); 3]);
    assert_eq!(servers(&f, 4500), vec![Some(ip(B)); 3]);
    // Each round waited out one unanswered IKE_AUTH on 4500 (0.5 + 0.75 s).
    assert_eq!(elapsed, Duration::from_millis(1250) * 3 + PACE * 2);
    assert!(elapsed <= worst_case(&cfg(3)));
    let found = findings(&f);
    assert_eq!(found[0].code, Code::LbNoPersistenceAcrossPorts);
    assert_eq!(found[0].severity, Severity::Fail);
}

#[test]
fn flow_hashing_splits_some_rounds_and_leaves_unclosed_sas_counted() {
    let (f, _, _) = run(Policy::ByFlow, None, &cfg(8));
    let (same, split, _, _) = f.tally();
    assert!(
        split > 0,
        "{:?}",
        f.rounds.iter().map(|r| r.persistence()).collect::<Vec<_>>()
    );
    assert_eq!(same + split, f.rounds.len());
    assert!(
        findings(&f)
            .iter()
            .any(|x| x.code == Code::LbNoPersistenceAcrossPorts)
    );
}

#[test]
fn source_nat_is_seen_in_every_response() {
    let mut c = cfg(2);
    c.snat = vec![ip("198.18.2.1")];
    let (f, _, _) = run(Policy::BySource, Some("198.18.2.1"), &c);
    for s in &f.identification.sightings {
        assert_eq!(
            s.seen_as,
            SeenAs::Snat {
                addr: ip("198.18.2.1"),
                port: s.local.port(),
                source: SnatSource::Candidate
            }
        );
    }
    let found = findings(&f);
    assert!(
        found
            .iter()
            .any(|x| x.code == Code::LbSourceNat && x.severity == Severity::Fail)
    );
}

#[test]
fn the_search_names_servers_nobody_listed() {
    let mut c = cfg(2);
    c.backends.clear();
    c.ranges = Some(prepare(&["198.18.0.0/16".parse().unwrap()], false).unwrap());
    let (f, _, _) = run(Policy::PerPort, None, &c);
    assert_eq!(
        f.identification.sightings[0].identity,
        Identity::Searched {
            addr: ip(A),
            port: 500
        }
    );
    assert_eq!(servers(&f, 4500), vec![Some(ip(B)); 2]);
    assert_eq!(f.identification.search.as_ref().unwrap().searches, 2);
}

#[test]
fn a_dead_vip_ends_every_round_without_an_sa_and_within_the_bound() {
    let clock = Arc::new(ManualClock::default());
    let net = Scripted::new(|_: &Sent| Vec::new()).with_clock(clock.clone());
    let c = cfg(2);
    let f = observe(&net.env(), ip(VIP), &c, &Quiet).unwrap();
    assert!(
        f.rounds
            .iter()
            .all(|r| r.persistence() == Persistence::NoSa)
    );
    assert!(clock.elapsed() <= worst_case(&c));
    assert!(findings(&f).is_empty());
}

#[test]
fn unclosable_sas_end_the_rounds_before_the_half_open_limit() {
    // IKE_AUTH is never answered on either port (e.g. the response is lost).
    let clock = Arc::new(ManualClock::default());
    let mut server = FakeServer::new("aes256-sha256-modp2048");
    server.real_ip = Some(ip(A));
    server.max_reply_ip_size = Some(600);
    server.auth = crate::probe::ike::fake::FakeAuth::Eap;
    server.fragmentation = false;
    let net = server.network().with_clock(clock.clone());
    let f = observe(&net.env(), ip(VIP), &cfg(8), &Quiet).unwrap();
    assert!(f.rounds.len() < 8, "{}", f.rounds.len());
    assert!(f.cut_short.as_deref().unwrap().contains("block_threshold"));
    // Never more than the budget alive at once.
    let opened: u32 = f.rounds.iter().map(Round::left_open).sum();
    assert!(opened as usize <= HALF_OPEN_BUDGET + 1, "{opened}");
    assert!(
        f.rounds
            .iter()
            .all(|r| r.persistence() == Persistence::Unknown)
    );
}
