//! `aovpn-diag probe` from the outside: input errors exit 2 before any packet
//! is sent, and a loopback run prints the documented JSON shape. (Probing a
//! real strongSwan responder is in tests/lab_probe.rs, opt-in.)

#[path = "support/cli.rs"]
mod cli;

use predicates::prelude::*;

use cli::bin;

#[test]
fn input_errors_exit_2_with_a_clear_message() {
    bin()
        .args(["probe", "not a host"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("contains a space"));
    bin()
        .args(["probe", "-6", "127.0.0.1"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no IPv6"));
    bin()
        .args(["probe", "127.0.0.1", "--proposals", "aes999-sha1-modp1024"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown algorithm `aes999`"));
    bin()
        .args(["probe", "127.0.0.1", "--frag-size", "100"])
        .assert()
        .code(2);
    bin()
        .args(["probe", "127.0.0.1", "--retransmits", "9"])
        .assert()
        .code(2);
}

#[test]
fn loopback_run_prints_the_documented_json() {
    // Nothing is expected to listen on 127.0.0.1:500/4500 outside the lab;
    // whatever the local state, the document must have its shape and the
    // exit code must be 0 or 1 (checked), never 2 or 3.
    let out = bin()
        .args([
            "probe",
            "127.0.0.1",
            "--timeout",
            "0.1",
            "--retransmits",
            "0",
            "--json",
        ])
        .output()
        .unwrap();
    assert!(matches!(out.status.code(), Some(0 | 1)), "{out:?}");
    let doc = cli::document(&out, "probe", &[]);
    assert!(doc["verdict"] == "ok" || doc["verdict"] == "problem");
    assert!(doc["findings"].is_array());
    let t = &doc["targets"][0];
    assert_eq!(t["address"], "127.0.0.1");
    for port in ["udp500", "udp4500"] {
        assert!(t[port]["answered"].is_boolean(), "{port}");
        assert!(t[port].get("rtt_ms").is_some(), "{port}");
        assert!(t[port]["request_ip_bytes"].as_u64().unwrap() > 300);
    }
    for key in [
        "fragmentation_supported",
        "fragmented_request_answered",
        "nat",
        "proposals",
        "vendor_ids",
    ] {
        assert!(t.get(key).is_some(), "{key}");
    }
    if t["udp500"]["outcome"] == "unreachable" {
        assert!(
            doc["findings"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f["code"] == "udp-500-unanswered")
        );
    }
}
