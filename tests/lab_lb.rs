//! `aovpn-diag lb` against the lab's nftables load balancer (VIP on the
//! router's loopback) in front of two strongSwan servers, in the three setups
//! of `lab.sh fw`: `lb-healthy` (jhash of the source address: one client,
//! one server, both ports), `lb-split` (UDP 500 to server, 4500 to server2),
//! `lb-snat` (healthy plus masquerade toward the servers).
//!
//! Ignored unless asked for; as root:
//! `sudo AOVPN_LAB=1 cargo test --test lab_lb -- --include-ignored --test-threads=1`.
//!
//! On the servers' NAT_DETECTION_SOURCE_IP: the lab's charon normally runs
//! with kernel-libipsec, which needs UDP encapsulation, so strongSwan fakes
//! that hash (SHA-1 over a random IPv4 address, fixed per daemon start,
//! with port 0; `ike_natd.c`): no search can name such a server. These
//! tests start the servers with `--kernel netlink` (real hashes, no
//! CHILD_SA needed for `lb`), and one test keeps kernel-libipsec to check
//! that `lb` says so instead of naming a wrong server.

#[path = "support/cli.rs"]
mod cli;
#[path = "support/lab.rs"]
mod lab;
#[path = "support/schema.rs"]
mod schema;

use std::time::{Duration, Instant};

use lab::{Lab, NS_CLIENT, NS_SERVER2};
use serde_json::Value;

/// Short waits: an unanswered IKE_AUTH costs 0.5 + 0.75 s.
const FAST: &[&str] = &["--timeout", "0.5", "--retransmits", "1"];

struct Run {
    code: i32,
    doc: Value,
    text: String,
    took: Duration,
}

impl Run {
    fn has(&self, code: &str, severity: &str) -> bool {
        cli::has(&self.doc, code, severity)
    }

    fn vip(&self) -> &Value {
        &self.doc["vips"][0]
    }

    /// Server -> responses on `port`.
    fn servers(&self, port: u16) -> Vec<(String, u64)> {
        self.vip()[format!("servers_udp{port}")]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), v.as_u64().unwrap()))
            .collect()
    }
}

fn lb(lab: &Lab, vip: &str, extra: &[&str]) -> Run {
    let mut args = vec!["lb", vip, "--json"];
    args.extend_from_slice(FAST);
    args.extend_from_slice(extra);
    let start = Instant::now();
    let out = lab.run_bin(NS_CLIENT, &args);
    let took = start.elapsed();
    let text = format!(
        "{}\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
        lab.charon_logs(20)
    );
    let doc: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("lb printed no JSON ({e}):\n{text}"));
    // Every real document follows the published schema.
    let broken = schema::errors(&doc);
    assert!(broken.is_empty(), "{}\n{text}", broken.join("\n"));
    assert_eq!(doc["command"], "lb");
    Run {
        code: out.status.code().unwrap_or(-1),
        doc,
        text,
        took,
    }
}

/// Both servers with real NAT_DETECTION hashes.
fn servers(lab: &Lab, kernel: &str) {
    lab.server_start(&["--kernel", kernel]);
    lab.server_start(&["--kernel", kernel, "--ns", NS_SERVER2]);
}

fn backends(lab: &Lab) -> String {
    format!("{},{}", lab.addr("SERVER4"), lab.addr("SERVER2_4"))
}

#[test]
#[cfg_attr(not(windows), ignore = "needs root + AOVPN_LAB")]
#[cfg_attr(
    windows,
    ignore = "needs the Linux namespace lab (netns, nftables, charon)"
)]
fn persistence_by_source_address_is_healthy() {
    let lab = Lab::require();
    servers(&lab, "netlink");
    lab.fw(&["lb-healthy"]);
    let list = backends(&lab);
    let r = lb(&lab, lab.addr("VIP4"), &["--backends", &list]);
    assert_eq!(r.code, 0, "{}", r.text);
    let v = r.vip();
    assert_eq!(v["rounds_done"], 8);
    assert_eq!(v["persistence"]["same_server"], 8, "{}", r.text);
    // One client address, one server, for both ports, every round.
    let s500 = r.servers(500);
    assert_eq!(s500.len(), 1, "{}", r.text);
    assert_eq!(s500[0].1, 8);
    assert!(
        [lab.addr("SERVER4"), lab.addr("SERVER2_4")].contains(&s500[0].0.as_str()),
        "{s500:?}"
    );
    assert_eq!(r.servers(4500), s500);
    assert!(r.has("lb-backends", "info"));
    assert!(!r.has("lb-no-persistence-across-ports", "fail"));
    assert!(!r.has("lb-source-nat", "fail") && !r.has("lb-source-nat", "warn"));
    for round in v["rounds"].as_array().unwrap() {
        assert_eq!(round["udp500"]["seen_as"]["kind"], "itself", "{}", r.text);
        assert_eq!(round["udp500"]["server"]["address"], s500[0].0.as_str());
        // The load balancer rewrites the destination: the server hashed
        // its own address, not the VIP; nothing rewrote the client.
        assert_eq!(round["udp500"]["nat"]["responder_behind_nat"], true);
        assert_eq!(round["udp500"]["nat"]["initiator_behind_nat"], false);
        assert_eq!(round["ike_auth_4500"]["response"], "AUTHENTICATION_FAILED");
        assert_eq!(round["left_open"], 0);
    }
    // The same server found by searching a range that holds both.
    let found = lb(
        &lab,
        lab.addr("VIP4"),
        &["--find-backends", "198.18.0.0/16", "--rounds", "2"],
    );
    assert_eq!(found.code, 0, "{}", found.text);
    assert_eq!(found.servers(500)[0].0, s500[0].0, "{}", found.text);
    assert_eq!(
        found.vip()["rounds"][0]["udp500"]["identified_by"],
        "searched"
    );
    assert_eq!(found.vip()["search"]["searches"], 1, "{}", found.text);
    // Time bound: 8 healthy rounds are quick; the bound is generous on purpose
    // (real timing goes to benches/lb_bench.sh).
    assert!(r.took < Duration::from_secs(30), "{:?}", r.took);
}

#[test]
#[cfg_attr(not(windows), ignore = "needs root + AOVPN_LAB")]
#[cfg_attr(
    windows,
    ignore = "needs the Linux namespace lab (netns, nftables, charon)"
)]
fn per_port_balancing_is_proven_and_both_servers_named() {
    let lab = Lab::require();
    servers(&lab, "netlink");
    lab.fw(&["lb-split"]);
    let list = backends(&lab);
    let r = lb(&lab, lab.addr("VIP4"), &["--backends", &list]);
    assert_eq!(r.code, 1, "{}", r.text);
    assert!(
        r.has("lb-no-persistence-across-ports", "fail"),
        "{}",
        r.text
    );
    let f = cli::finding(&r.doc, "lb-no-persistence-across-ports");
    assert_eq!(f["windows_error"], 809);
    assert!(
        f["remedy"]
            .as_str()
            .unwrap()
            .contains("Match Across Services")
    );
    assert_eq!(r.vip()["persistence"]["split"], 8, "{}", r.text);
    let a = lab.addr("SERVER4").to_owned();
    let b = lab.addr("SERVER2_4").to_owned();
    assert_eq!(r.servers(500), [(a.clone(), 8)]);
    assert_eq!(r.servers(4500), [(b.clone(), 8)]);
    for round in r.vip()["rounds"].as_array().unwrap() {
        assert_eq!(round["ike_auth_500"]["outcome"], "answered", "{}", r.text);
        assert_eq!(round["left_open"], 0, "the IKE_AUTH on 500 closed the SA");
    }
    // Within its bound: 8 unanswered IKE_AUTHs of 1.25 s each, and far
    // below the computed worst case.
    let worst = r.doc["worst_case_s"].as_f64().unwrap();
    assert!(r.took.as_secs_f64() < worst, "{:?} vs {worst}", r.took);
    assert!(r.took < Duration::from_secs(60), "{:?}", r.took);

    // The same servers, found by search.
    let s = lb(
        &lab,
        lab.addr("VIP4"),
        &["--find-backends", "198.18.0.0/16", "--rounds", "3"],
    );
    assert_eq!(s.servers(500), [(a, 3)], "{}", s.text);
    assert_eq!(s.servers(4500), [(b, 3)], "{}", s.text);
    assert_eq!(s.vip()["search"]["searches"], 2, "one search per server");

    // IPv6: an explicit prefix, both servers found.
    let v6 = lb(
        &lab,
        lab.addr("VIP6"),
        &[
            "-6",
            "--find-backends",
            "fd00:2::/120,fd00:3::/120",
            "--rounds",
            "2",
        ],
    );
    assert!(
        v6.has("lb-no-persistence-across-ports", "fail"),
        "{}",
        v6.text
    );
    assert_eq!(v6.servers(500), [(lab.addr("SERVER6").to_owned(), 2)]);
    assert_eq!(v6.servers(4500), [(lab.addr("SERVER2_6").to_owned(), 2)]);
}

#[test]
#[cfg_attr(not(windows), ignore = "needs root + AOVPN_LAB")]
#[cfg_attr(
    windows,
    ignore = "needs the Linux namespace lab (netns, nftables, charon)"
)]
fn source_nat_toward_the_servers_is_named() {
    let lab = Lab::require();
    servers(&lab, "netlink");
    lab.fw(&["lb-snat"]);
    let snat = format!(
        "{},{}",
        lab.addr("ROUTER_SERVER4"),
        lab.addr("ROUTER_SERVER2_4")
    );
    let r = lb(
        &lab,
        lab.addr("VIP4"),
        &["--snat-candidates", &snat, "--rounds", "3"],
    );
    assert_eq!(r.code, 1, "{}", r.text);
    assert!(r.has("lb-source-nat", "fail"), "{}", r.text);
    let f = cli::finding(&r.doc, "lb-source-nat");
    assert!(
        f["remedy"]
            .as_str()
            .unwrap()
            .contains("IkeNumEstablishedForInitialQuery")
    );
    let seen = &r.vip()["rounds"][0]["udp500"]["seen_as"];
    assert_eq!(seen["kind"], "snat", "{}", r.text);
    assert_eq!(seen["recognised_by"], "candidate");
    assert_eq!(
        r.vip()["rounds"][0]["udp500"]["nat"]["initiator_behind_nat"],
        true
    );
    assert!(
        [lab.addr("ROUTER_SERVER4"), lab.addr("ROUTER_SERVER2_4")]
            .contains(&seen["endpoint"]["address"].as_str().unwrap())
    );
    // Persistence itself is fine behind the masquerade.
    assert_eq!(r.vip()["persistence"]["same_server"], 3);
    assert!(!r.has("lb-no-persistence-across-ports", "fail"));

    // Without candidates: the lab client is not on a global address, so it
    // cannot tell this from its own NAT; the search at its own source port
    // names the masquerade address.
    let w = lb(&lab, lab.addr("VIP4"), &["--rounds", "2"]);
    assert!(w.has("lb-source-nat", "warn"), "{}", w.text);
    let s = lb(
        &lab,
        lab.addr("VIP4"),
        &["--find-backends", "198.18.0.0/16", "--rounds", "2"],
    );
    assert!(s.has("lb-source-nat", "fail"), "{}", s.text);
    let seen = &s.vip()["rounds"][0]["udp500"]["seen_as"];
    assert_eq!(seen["recognised_by"], "searched", "{}", s.text);
}

#[test]
#[cfg_attr(not(windows), ignore = "needs root + AOVPN_LAB")]
#[cfg_attr(
    windows,
    ignore = "needs the Linux namespace lab (netns, nftables, charon)"
)]
fn faked_hashes_are_reported_as_unidentified_not_guessed() {
    let lab = Lab::require();
    servers(&lab, "libipsec");
    lab.fw(&["lb-split"]);
    let list = backends(&lab);
    let r = lb(
        &lab,
        lab.addr("VIP4"),
        &[
            "--backends",
            &list,
            "--find-backends",
            "198.18.0.0/16",
            "--rounds",
            "3",
        ],
    );
    // Persistence does not depend on the hashes: the IKE_AUTH proves it.
    assert!(
        r.has("lb-no-persistence-across-ports", "fail"),
        "{}",
        r.text
    );
    assert_eq!(
        r.servers(500),
        [("unidentified".to_owned(), 3)],
        "{}",
        r.text
    );
    let search = &r.vip()["search"];
    assert_eq!(search["searches"], 2, "{}", r.text);
    assert!(
        search["gave_up"]
            .as_str()
            .unwrap()
            .contains("fake the hash")
    );
    let b = cli::finding(&r.doc, "lb-backends");
    assert!(b["remedy"].as_str().unwrap().contains("kernel-libipsec"));
}
