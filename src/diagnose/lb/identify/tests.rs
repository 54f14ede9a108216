//! Identification on hand-made responses with real hashes.

use super::super::samples::{self, CLIENT, SERVER_A, SERVER_B, VIP, candidates, ip, sighting};
use super::super::search::{Control, prepare};
use super::*;

fn one(s: &Sighting, c: &Candidates, ranges: Option<&[IpNet]>) -> Identified {
    let id = SightingId {
        round: 1,
        port: s.port,
    };
    identify(&[(id, s)], c, ranges, &search::Unbounded)
        .sightings
        .remove(0)
}

#[test]
fn listed_backends_are_matched_at_the_port_the_request_went_to() {
    let s = sighting(1, 500, SERVER_A, 500, None);
    let got = one(&s, &candidates(&[SERVER_B, SERVER_A]), None);
    assert_eq!(
        got.identity,
        Identity::Listed {
            addr: ip(SERVER_A),
            port: 500
        }
    );
    assert_eq!(got.seen_as, SeenAs::Itself);
}

#[test]
fn a_server_that_hashes_the_other_ike_port_is_still_found() {
    // A load balancer mapping VIP:4500 onto the server's port 500.
    let s = sighting(1, 4500, SERVER_B, 500, None);
    let got = one(&s, &candidates(&[SERVER_B]), None);
    assert_eq!(
        got.identity,
        Identity::Listed {
            addr: ip(SERVER_B),
            port: 500
        }
    );
}

#[test]
fn the_vip_itself_means_no_dnat() {
    let s = sighting(1, 500, VIP, 500, None);
    assert_eq!(
        one(&s, &candidates(&[]), None).identity,
        Identity::Vip { port: 500 }
    );
}

#[test]
fn an_unknown_server_without_ranges_stays_unidentified() {
    let s = sighting(1, 500, "10.9.8.7", 500, None);
    let got = one(&s, &candidates(&[SERVER_A]), None);
    assert_eq!(got.identity, Identity::Unidentified { searched: false });
}

#[test]
fn the_search_finds_servers_once_and_reuses_them() {
    let ranges = prepare(&["198.18.0.0/16".parse().unwrap()], false).unwrap();
    let rounds = vec![
        samples::round(1, SERVER_A, SERVER_A, None),
        samples::round(2, SERVER_B, SERVER_B, None),
        samples::round(3, SERVER_A, SERVER_B, None),
    ];
    let f = samples::facts(rounds, &candidates(&[]), Some(&ranges));
    let ids: Vec<Identity> = f
        .identification
        .sightings
        .iter()
        .map(|s| s.identity)
        .collect();
    let a = |port| Identity::Searched {
        addr: ip(SERVER_A),
        port,
    };
    let b = |port| Identity::Searched {
        addr: ip(SERVER_B),
        port,
    };
    assert_eq!(ids, [a(500), a(4500), b(500), b(4500), a(500), b(4500)]);
    let rep = f.identification.search.unwrap();
    // One search per server; every later response matched a found server.
    assert_eq!(rep.searches, 2, "{rep:?}");
    assert_eq!(rep.addresses, 65_536);
    assert!(rep.gave_up.is_none());
}

#[test]
fn fruitless_searches_stop_after_two() {
    // strongSwan with kernel-libipsec: a random IPv4 address, port 0.
    let ranges = prepare(&["10.0.0.0/16".parse().unwrap()], false).unwrap();
    let s: Vec<Sighting> = (1..=4)
        .map(|r| sighting(r, 500, "203.0.113.77", 0, None))
        .collect();
    let list: Vec<(SightingId, &Sighting)> = s
        .iter()
        .enumerate()
        .map(|(i, s)| {
            (
                SightingId {
                    round: i as u32 + 1,
                    port: 500,
                },
                s,
            )
        })
        .collect();
    let got = identify(&list, &candidates(&[]), Some(&ranges), &search::Unbounded);
    let rep = got.search.unwrap();
    assert_eq!(rep.searches, MAX_FRUITLESS);
    assert!(rep.gave_up.unwrap().contains("fake the hash"));
    assert_eq!(
        got.sightings[0].identity,
        Identity::Unidentified { searched: true }
    );
    assert_eq!(
        got.sightings[3].identity,
        Identity::Unidentified { searched: false }
    );
}

struct Spent;

impl Control for Spent {
    fn progress(&self, _: u64) {}
    fn stop(&self) -> bool {
        true
    }
}

#[test]
fn a_spent_time_budget_is_reported() {
    let ranges = prepare(&["10.0.0.0/16".parse().unwrap()], false).unwrap();
    let s = sighting(1, 500, "10.0.3.4", 500, None);
    let got = identify(
        &[(
            SightingId {
                round: 1,
                port: 500,
            },
            &s,
        )],
        &candidates(&[]),
        Some(&ranges),
        &Spent,
    );
    assert_eq!(
        got.sightings[0].identity,
        Identity::Unidentified { searched: false }
    );
    assert!(got.search.unwrap().gave_up.unwrap().contains("time budget"));
}

#[test]
fn source_nat_is_named_at_any_port() {
    // Masquerade to the router's address with a new source port.
    let seen = SocketAddr::new(ip("198.18.2.1"), 61_234);
    let s = sighting(1, 500, SERVER_A, 500, Some(seen));
    let mut c = candidates(&[SERVER_A]);
    assert_eq!(one(&s, &c, None).seen_as, SeenAs::Unknown);
    c.snat = vec![ip("198.18.3.1"), ip("198.18.2.1")];
    assert_eq!(
        one(&s, &c, None).seen_as,
        SeenAs::Snat {
            addr: ip("198.18.2.1"),
            port: 61_234,
            source: SnatSource::Candidate
        }
    );
    // The VIP as the SNAT address, and our own address with another port.
    let s = sighting(1, 500, SERVER_A, 500, Some(SocketAddr::new(ip(VIP), 1024)));
    assert!(matches!(
        one(&s, &c, None).seen_as,
        SeenAs::Snat {
            source: SnatSource::Vip,
            ..
        }
    ));
    let s = sighting(1, 500, SERVER_A, 500, Some(SocketAddr::new(ip(CLIENT), 7)));
    assert_eq!(one(&s, &c, None).seen_as, SeenAs::OwnAddress { port: 7 });
}

#[test]
fn the_search_finds_a_port_preserving_snat_address() {
    let ranges = prepare(&["198.18.0.0/16".parse().unwrap()], false).unwrap();
    let local_port = 40_002; // round 1, UDP 500 (samples::sighting)
    let seen = SocketAddr::new(ip("198.18.3.1"), local_port);
    let s = sighting(1, 500, SERVER_B, 500, Some(seen));
    let got = one(&s, &candidates(&[]), Some(&ranges));
    assert_eq!(
        got.identity,
        Identity::Searched {
            addr: ip(SERVER_B),
            port: 500
        }
    );
    assert_eq!(
        got.seen_as,
        SeenAs::Snat {
            addr: ip("198.18.3.1"),
            port: local_port,
            source: SnatSource::Searched
        }
    );
}

#[test]
fn missing_hashes_are_said() {
    let mut s = sighting(1, 500, SERVER_A, 500, None);
    s.natd_source = None;
    s.natd_destination = None;
    let got = one(&s, &candidates(&[SERVER_A]), None);
    assert_eq!(got.identity, Identity::NoHash);
    assert_eq!(got.seen_as, SeenAs::NoHash);
}
