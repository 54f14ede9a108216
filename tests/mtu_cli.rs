//! `aovpn-diag mtu` from the outside: usage errors, and a real search on
//! loopback (the only address a default test run may send to).

#[path = "support/cli.rs"]
mod cli;

use predicates::prelude::*;

use cli::bin;

#[test]
fn port_needs_ike_and_must_be_an_ike_port() {
    bin()
        .args(["mtu", "127.0.0.1", "--port", "4500"])
        .assert()
        .code(2);
    bin()
        .args(["mtu", "127.0.0.1", "--ike", "--port", "600"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("use 500 or 4500"));
}

#[test]
fn min_above_max_is_an_input_error() {
    bin()
        .args(["mtu", "127.0.0.1", "--min", "1500", "--max", "1400"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("min <= max"));
}

#[test]
fn bad_tries_and_unknown_hosts_are_input_errors() {
    bin()
        .args(["mtu", "127.0.0.1", "--tries", "0"])
        .assert()
        .code(2);
    bin()
        .args(["mtu", "no-such-host.invalid."])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown host"));
}

/// Loopback carries whatever --max allows. With ICMP permission (root,
/// CAP_NET_RAW or ping_group_range) the search finds exactly --max; without
/// it the command must say what to do and exit 3.
#[test]
fn loopback_search_or_a_clear_permission_error() {
    let out = bin()
        .args(["mtu", "127.0.0.1", "--max", "1500", "--json"])
        .output()
        .unwrap();
    match out.status.code() {
        Some(0) => {
            let doc = cli::document(&out, "mtu", &[]);
            assert_eq!(doc["verdict"], "ok");
            let t = &doc["targets"][0];
            assert_eq!(t["address"], "127.0.0.1");
            assert_eq!(t["path_mtu"], 1500);
            assert_eq!(t["largest_payload"], 1472);
            assert!(t["method"] == "icmp" || t["method"] == "icmp-raw", "{t}");
            assert_eq!(t["probes_sent"], 2); // floor, then the ceiling
            assert!(t["too_big_from"].is_null());
            assert_eq!(t["black_hole"], false);
        }
        // Linux without ICMP permission must say how to get it. (Windows
        // needs no privilege; under Wine the ICMP API may be missing.)
        Some(3) if cfg!(target_os = "linux") => {
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(
                err.contains("ping_group_range") && err.contains("setcap"),
                "{err}"
            );
        }
        Some(3) if cfg!(windows) => {
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(err.contains("127.0.0.1"), "{err}");
        }
        other => panic!(
            "unexpected exit {other:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        ),
    }
}
