//! `aovpn-diag mtu` against the namespace lab (ignored unless asked for:
//! `sudo AOVPN_LAB=1 cargo test --test lab_mtu -- --include-ignored`).
//! Every scenario asserts the exact path MTU of the router->server link.
//!
//! Between runs the router's ICMP rate limit is lifted: Linux lets a router
//! send about 6 errors in a burst, then 1 per second per destination, and
//! consecutive searches would otherwise see a well-behaved router go silent
//! and call it a black hole. (The search itself tolerates one silent
//! confirmation; see `probe::mtu::search` tests.)

#[path = "support/cli.rs"]
mod cli;
#[path = "support/lab.rs"]
mod lab;
#[path = "support/schema.rs"]
mod schema;

use serde_json::Value;

struct Run {
    code: i32,
    json: Value,
}

fn run_mtu(lab: &lab::Lab, args: &[&str]) -> Run {
    let mut all = vec!["mtu", "--json"];
    all.extend_from_slice(args);
    let out = lab.run_bin(lab::NS_CLIENT, &all);
    let json: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "mtu {args:?}: no JSON ({e}); exit {:?}\nstdout: {}\nstderr: {}",
            out.status.code(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    schema::assert_document(&json);
    Run {
        code: out.status.code().unwrap_or(-1),
        json,
    }
}

fn target(run: &Run) -> &Value {
    &run.json["targets"][0]
}

fn codes(run: &Run) -> Vec<&str> {
    cli::code_names(&run.json)
}

fn no_rate_limit(lab: &lab::Lab) {
    let out = lab.exec_in(
        lab::NS_ROUTER,
        "sysctl",
        &[
            "-qw",
            "net.ipv4.icmp_ratelimit=0",
            "net.ipv6.icmp.ratelimit=0",
        ],
    );
    assert!(out.status.success(), "sysctl on the router failed");
}

/// Clean path: the router's too-big error steers the search straight to
/// the MTU, names the router, and costs few probes.
fn assert_clean(lab: &lab::Lab, addr_key: &str, router_key: &str, mtu: u64, extra: &[&str]) {
    let mut args = vec![lab.addr(addr_key)];
    args.extend_from_slice(extra);
    let run = run_mtu(lab, &args);
    let t = target(&run);
    assert_eq!(run.code, 0, "{:#}", run.json);
    assert_eq!(t["path_mtu"], mtu, "{:#}", run.json);
    assert_eq!(t["black_hole"], false);
    assert!(t["probes_sent"].as_u64().unwrap() <= 12, "{:#}", t);
    if mtu < 1500 {
        assert_eq!(t["too_big_from"]["address"], lab.addr(router_key));
        assert_eq!(t["too_big_from"]["mtu"], mtu);
        assert!(codes(&run).contains(&"mtu-below-interface"));
    } else {
        assert!(t["too_big_from"].is_null(), "{t:#}");
    }
}

#[test]
#[cfg_attr(not(windows), ignore = "needs root + AOVPN_LAB")]
#[cfg_attr(
    windows,
    ignore = "needs the Linux namespace lab (netns, nftables, charon)"
)]
fn lab_mtu_1400_icmp_ike_black_hole_and_blocked_echo() {
    let lab = lab::Lab::require_with_mtu(1400);
    no_rate_limit(&lab);

    // Raw sockets (root), IPv4 and IPv6.
    assert_clean(&lab, "SERVER4", "ROUTER_CLIENT4", 1400, &[]);
    assert_clean(&lab, "SERVER6", "ROUTER_CLIENT6", 1400, &[]);
    let run = run_mtu(&lab, &[lab.addr("SERVER4")]);
    assert_eq!(target(&run)["method"], "icmp-raw");
    assert_eq!(target(&run)["largest_payload"], 1372); // ping -M do -s 1372

    // Random loss (10 % of forwarded packets, both directions) is not taken
    // for a size limit: with --tries 6 every run still finds 1400 and no
    // black hole. (The router's own too-big errors are not forwarded, so they
    // are not dropped.)
    let out = lab.exec_in(
        lab::NS_ROUTER,
        "nft",
        &[
            "add table inet aovd_loss; \
             add chain inet aovd_loss lossy { type filter hook forward priority 0; policy accept; }; \
             add rule inet aovd_loss lossy numgen random mod 100 < 10 counter drop",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for _ in 0..10 {
        let run = run_mtu(&lab, &[lab.addr("SERVER4"), "--tries", "6"]);
        assert_eq!(target(&run)["path_mtu"], 1400, "{:#}", run.json);
        assert_eq!(target(&run)["black_hole"], false, "{:#}", run.json);
    }
    assert!(lab.router_counter("aovd_loss") > 0, "no packet was dropped");
    let out = lab.exec_in(lab::NS_ROUTER, "nft", &["delete table inet aovd_loss"]);
    assert!(out.status.success());

    // Unprivileged ICMP datagram sockets once ping_group_range allows them.
    let out = lab.exec_in(
        lab::NS_CLIENT,
        "sysctl",
        &["-qw", "net.ipv4.ping_group_range=0 2147483647"],
    );
    assert!(out.status.success());
    let run = run_mtu(&lab, &[lab.addr("SERVER4")]);
    assert_eq!(target(&run)["method"], "icmp");
    assert_eq!(target(&run)["path_mtu"], 1400);
    let run = run_mtu(&lab, &[lab.addr("SERVER6")]);
    assert_eq!(target(&run)["method"], "icmp");
    assert_eq!(target(&run)["path_mtu"], 1400);

    // Black hole: the router's too-big errors are dropped.
    lab.fw(&["black-hole"]);
    for key in ["SERVER4", "SERVER6"] {
        let started = std::time::Instant::now();
        let run = run_mtu(&lab, &[lab.addr(key)]);
        let t = target(&run);
        assert_eq!(run.code, 1, "{:#}", run.json);
        assert_eq!(t["path_mtu"], 1400, "{t:#}");
        assert_eq!(t["black_hole"], true);
        assert!(t["too_big_from"].is_null());
        assert!(codes(&run).contains(&"pmtu-black-hole"));
        assert!(started.elapsed() < std::time::Duration::from_secs(10));
    }
    assert!(
        lab.router_counter("aovd_black_hole") > 0,
        "nothing was dropped"
    );

    // Echo requests dropped: ICMP cannot measure (exit 3) ...
    lab.fw(&["drop-echo"]);
    let run = run_mtu(&lab, &[lab.addr("SERVER4")]);
    assert_eq!(run.code, 3, "{:#}", run.json);
    assert!(target(&run)["path_mtu"].is_null());
    assert_eq!(codes(&run), ["icmp-echo-blocked"]);
    assert!(lab.router_counter("aovd_drop_echo") > 0);

    // ... but IKE still finds the MTU, on 500 and 4500, IPv4 and IPv6.
    lab.server_start(&[]);
    for (key, router, port) in [
        ("SERVER4", "ROUTER_CLIENT4", "500"),
        ("SERVER4", "ROUTER_CLIENT4", "4500"),
        ("SERVER6", "ROUTER_CLIENT6", "500"),
    ] {
        let run = run_mtu(&lab, &[lab.addr(key), "--ike", "--port", port]);
        let t = target(&run);
        assert_eq!(run.code, 0, "{:#}", run.json);
        assert_eq!(t["method"], "ike");
        assert_eq!(t["path_mtu"], 1400, "{t:#}");
        assert_eq!(t["too_big_from"]["address"], lab.addr(router));
        assert!(t["probes_sent"].as_u64().unwrap() <= 12);
    }

    // IKE through a black hole as well.
    lab.fw(&["drop-echo", "black-hole"]);
    let run = run_mtu(&lab, &[lab.addr("SERVER4"), "--ike"]);
    assert_eq!(target(&run)["path_mtu"], 1400, "{:#}", run.json);
    assert_eq!(target(&run)["black_hole"], true);
}

/// Issue 17: a black hole whose first reply comes about 1 s late, as when
/// the first packet waits for neighbour resolution (`fw delay-first`: the
/// router ignores the client's first ARP request and neighbour
/// solicitation; `neigh-fresh` before every run). One slow first reply
/// must not pace the search, and the budget must never cut it short: 10
/// runs on IPv4 and 10 on IPv6, every one exact. (How long they take is
/// measured by benches/mtu_bench.sh; the bound here is only the old 30 s
/// budget, which every run hit before.)
#[test]
#[cfg_attr(not(windows), ignore = "needs root + AOVPN_LAB")]
#[cfg_attr(
    windows,
    ignore = "needs the Linux namespace lab (netns, nftables, charon)"
)]
fn lab_mtu_black_hole_with_the_first_reply_delayed_by_neighbour_resolution() {
    let lab = lab::Lab::require_with_mtu(1400);
    no_rate_limit(&lab);
    lab.fw(&["black-hole", "delay-first"]);
    for key in ["SERVER4", "SERVER6"] {
        for n in 1..=10 {
            lab.sh(&["neigh-fresh"]);
            let started = std::time::Instant::now();
            let run = run_mtu(&lab, &[lab.addr(key)]);
            let t = target(&run);
            assert_eq!(run.code, 1, "{key} run {n}: {:#}", run.json);
            assert_eq!(t["path_mtu"], 1400, "{key} run {n}: {t:#}");
            assert_eq!(t["path_mtu_min"], 1400);
            assert_eq!(t["path_mtu_max"], 1400);
            assert_eq!(t["black_hole"], true, "{key} run {n}: {t:#}");
            assert!(codes(&run).contains(&"pmtu-black-hole"));
            // The delay really happened: the first reply waited for the
            // retransmitted request (about 1 s; 0.78 s seen).
            let first = t["probes"][0]["rtt_ms"].as_f64().unwrap();
            assert!(first > 500.0, "{key} run {n}: first reply {first} ms");
            assert!(started.elapsed() < std::time::Duration::from_secs(30));
        }
    }
    assert!(lab.router_counter_of("arp", "aovd_delay_first_arp") >= 10);
    assert!(lab.router_counter_of("ip6", "aovd_delay_first_nd") >= 10);
    assert!(lab.router_counter("aovd_black_hole") > 0);
}

#[test]
#[cfg_attr(not(windows), ignore = "needs root + AOVPN_LAB")]
#[cfg_attr(
    windows,
    ignore = "needs the Linux namespace lab (netns, nftables, charon)"
)]
fn lab_mtu_1280() {
    let lab = lab::Lab::require_with_mtu(1280);
    no_rate_limit(&lab);
    assert_clean(&lab, "SERVER4", "ROUTER_CLIENT4", 1280, &[]);
    // IPv6: 1280 is also the floor; the search must still confirm it.
    assert_clean(&lab, "SERVER6", "ROUTER_CLIENT6", 1280, &[]);
}

#[test]
#[cfg_attr(not(windows), ignore = "needs root + AOVPN_LAB")]
#[cfg_attr(
    windows,
    ignore = "needs the Linux namespace lab (netns, nftables, charon)"
)]
fn lab_mtu_1500_and_narrowed_range() {
    let lab = lab::Lab::require_with_mtu(1500);
    no_rate_limit(&lab);
    assert_clean(&lab, "SERVER4", "ROUTER_CLIENT4", 1500, &[]);
    assert_clean(&lab, "SERVER6", "ROUTER_CLIENT6", 1500, &[]);
    // --max below the path: the answer is the ceiling itself.
    let run = run_mtu(&lab, &[lab.addr("SERVER4"), "--max", "1450"]);
    assert_eq!(target(&run)["path_mtu"], 1450);
}
