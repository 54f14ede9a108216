//! `aovpn-diag lb` from the outside: usage errors before any packet, and a
//! VIP on loopback where nothing answers (the only address a default test
//! run may send to).

#[path = "support/cli.rs"]
mod cli;

use std::time::{Duration, Instant};

use predicates::prelude::*;

use cli::bin;

#[test]
fn ipv6_needs_an_explicit_prefix() {
    bin()
        .args(["lb", "2001:db8::10", "--find-backends"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "give --find-backends with the servers' prefix",
        ));
}

#[test]
fn ranges_are_bounded_and_checked_before_any_packet() {
    bin()
        .args(["lb", "198.51.100.10", "--find-backends", "0.0.0.0/4"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("narrower prefixes"));
    bin()
        .args(["lb", "198.51.100.10", "--find-backends", "fd00::/112"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not an IPv4 range"));
    // The server name right after the flag is not taken as a range silently.
    bin()
        .args(["lb", "--find-backends", "vpn.example.com"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--find-backends=default"));
}

#[test]
fn bad_addresses_and_counts_are_input_errors() {
    bin()
        .args(["lb", "198.51.100.10", "--backends", "10.0.0.1,nope"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("'nope' is not an IP address"));
    bin()
        .args(["lb", "198.51.100.10", "--rounds", "0"])
        .assert()
        .code(2);
    bin()
        .args(["lb", "198.51.100.10", "--rounds", "65"])
        .assert()
        .code(2);
    let many: Vec<String> = (1..=65).map(|i| format!("10.0.0.{i}")).collect();
    bin()
        .args(["lb", "198.51.100.10", "--snat-candidates", &many.join(",")])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("at most 64"));
}

#[test]
#[cfg_attr(
    windows,
    ignore = "Wine's loopback does not report ICMP port unreachable"
)]
fn a_vip_without_ike_cannot_be_judged() {
    let start = Instant::now();
    bin()
        .args([
            "lb",
            "127.0.0.1",
            "--rounds",
            "2",
            "--timeout",
            "0.1",
            "--retransmits",
            "0",
        ])
        .assert()
        .code(3)
        .stdout(predicate::str::starts_with("ERROR"))
        .stderr(predicate::str::contains("aovpn-diag probe 127.0.0.1"));
    assert!(start.elapsed() < Duration::from_secs(20));
    // The JSON document still shows the rounds, with the error's code.
    let (doc, code) = cli::json(
        "lb",
        &[
            "127.0.0.1",
            "--rounds",
            "2",
            "--timeout",
            "0.1",
            "--retransmits",
            "0",
        ],
    );
    assert_eq!(code, 3, "{doc}");
    assert_eq!(doc["verdict"], "error");
    assert_eq!(doc["error"]["code"], "no-ike-answer", "{doc}");
    let rounds = doc["vips"][0]["rounds"].as_array().unwrap();
    assert_eq!(rounds.len(), 2);
    assert_eq!(rounds[0]["persistence"], "no-sa");
    assert_eq!(rounds[0]["udp500"]["outcome"], "unreachable");
}

#[test]
fn input_errors_are_usage_documents_with_json() {
    for args in [
        &["2001:db8::10", "--find-backends"][..],
        &["198.51.100.10", "--find-backends", "0.0.0.0/4"],
        &["198.51.100.10", "--backends", "10.0.0.1,nope"],
    ] {
        let (doc, code) = cli::json("lb", args);
        assert_eq!(code, 2, "{args:?}: {doc}");
        assert_eq!(doc["error"]["code"], "usage", "{args:?}: {doc}");
        assert!(doc.get("vips").is_none(), "no packet, no rounds: {doc}");
    }
}

#[test]
fn help_has_real_examples() {
    bin()
        .args(["lb", "--help"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "aovpn-diag lb 198.51.100.10 --find-backends",
        ))
        .stdout(predicate::str::contains("Exit codes"));
}
