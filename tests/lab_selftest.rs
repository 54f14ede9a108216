//! Proves the namespace lab (tests/lab/lab.sh) behaves as the other lab tests
//! assume: topology, MTU, IKEv2 with and without fragmentation, the router's
//! firewall and load-balancer scenarios, IPv6.
//!
//! Ignored unless asked for; as root: `sudo AOVPN_LAB=1 cargo test --test lab_selftest -- --include-ignored --test-threads=1`.

#[path = "support/lab.rs"]
mod lab;

use lab::{Lab, NS_CLIENT, NS_ROUTER, NS_SERVER};

fn ping(lab: &Lab, ns: &str, args: &[&str]) -> (bool, String) {
    let out = lab.exec_in(ns, "ping", args);
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

fn assert_pings(lab: &Lab, target: &str) {
    let (ok, text) = ping(lab, NS_CLIENT, &["-c", "1", "-W", "2", target]);
    assert!(ok, "client cannot ping {target}:\n{text}");
}

#[test]
#[cfg_attr(not(windows), ignore = "needs root + AOVPN_LAB")]
#[cfg_attr(
    windows,
    ignore = "needs the Linux namespace lab (netns, nftables, charon)"
)]
fn topology_connects_client_router_and_both_servers_over_ipv4_and_ipv6() {
    let lab = Lab::require();
    for key in [
        "ROUTER_CLIENT4",
        "ROUTER_CLIENT6",
        "SERVER4",
        "SERVER6",
        "SERVER2_4",
        "SERVER2_6",
        "VIP4",
        "VIP6",
    ] {
        assert_pings(&lab, lab.addr(key));
    }
}

#[test]
#[cfg_attr(not(windows), ignore = "needs root + AOVPN_LAB")]
#[cfg_attr(
    windows,
    ignore = "needs the Linux namespace lab (netns, nftables, charon)"
)]
fn no_namespace_routes_outside_the_lab() {
    let lab = Lab::require();
    // The router has no default route at all: nothing can leave the machine.
    for fam in ["-4", "-6"] {
        let out = lab.exec_in(NS_ROUTER, "ip", &[fam, "route", "show", "default"]);
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success() && text.trim().is_empty(),
            "router has a default route: {text}"
        );
    }
    // The others only point at the lab router.
    let out = lab.exec_in(NS_CLIENT, "ip", &["-4", "route", "show", "default"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(lab.addr("ROUTER_CLIENT4")),
        "client default route: {text}"
    );
}

#[test]
#[cfg_attr(not(windows), ignore = "needs root + AOVPN_LAB")]
#[cfg_attr(
    windows,
    ignore = "needs the Linux namespace lab (netns, nftables, charon)"
)]
fn router_to_server_mtu_is_enforced_with_frag_needed_and_packet_too_big() {
    let lab = Lab::require();
    assert_eq!(lab.addr("MTU"), "1400");
    let s4 = lab.addr("SERVER4").to_string();
    let s6 = lab.addr("SERVER6").to_string();
    // IPv4: 1372 payload + 8 ICMP + 20 IP = 1400 bytes fits, 1401 does not.
    let (ok, text) = ping(
        &lab,
        NS_CLIENT,
        &["-M", "do", "-s", "1372", "-c", "1", "-W", "2", &s4],
    );
    assert!(ok, "1400-byte DF ping failed:\n{text}");
    let (ok, text) = ping(
        &lab,
        NS_CLIENT,
        &["-M", "do", "-s", "1373", "-c", "1", "-W", "2", &s4],
    );
    assert!(
        !ok && text.contains("mtu = 1400"),
        "1401-byte DF ping not refused with frag-needed:\n{text}"
    );
    // IPv6: 1352 payload + 8 ICMPv6 + 40 IPv6 = 1400.
    let (ok, text) = ping(
        &lab,
        NS_CLIENT,
        &["-6", "-M", "do", "-s", "1352", "-c", "1", "-W", "2", &s6],
    );
    assert!(ok, "1400-byte IPv6 ping failed:\n{text}");
    let (ok, text) = ping(
        &lab,
        NS_CLIENT,
        &["-6", "-M", "do", "-s", "1353", "-c", "1", "-W", "2", &s6],
    );
    assert!(
        !ok && text.contains("mtu=1400"),
        "1401-byte IPv6 ping not refused with packet-too-big:\n{text}"
    );
}

#[test]
#[cfg_attr(not(windows), ignore = "needs root + AOVPN_LAB")]
#[cfg_attr(
    windows,
    ignore = "needs the Linux namespace lab (netns, nftables, charon)"
)]
fn mtu_option_changes_the_router_to_server_link() {
    let lab = Lab::require_with_mtu(1280);
    let s4 = lab.addr("SERVER4").to_string();
    let (ok, text) = ping(
        &lab,
        NS_CLIENT,
        &["-M", "do", "-s", "1252", "-c", "1", "-W", "2", &s4],
    );
    assert!(ok, "1280-byte DF ping failed:\n{text}");
    let (ok, text) = ping(
        &lab,
        NS_CLIENT,
        &["-M", "do", "-s", "1253", "-c", "1", "-W", "2", &s4],
    );
    assert!(
        !ok && text.contains("mtu = 1280"),
        "1281-byte DF ping not refused:\n{text}"
    );
}

#[test]
#[cfg_attr(not(windows), ignore = "needs root + AOVPN_LAB")]
#[cfg_attr(
    windows,
    ignore = "needs the Linux namespace lab (netns, nftables, charon)"
)]
fn black_hole_and_drop_echo_scenarios_silence_icmp() {
    let lab = Lab::require();
    let s4 = lab.addr("SERVER4").to_string();
    lab.fw(&["black-hole"]);
    let (ok, text) = ping(
        &lab,
        NS_CLIENT,
        &["-M", "do", "-s", "1373", "-c", "1", "-W", "2", &s4],
    );
    assert!(
        !ok && !text.contains("mtu ="),
        "black hole still reports the MTU:\n{text}"
    );
    assert!(
        lab.router_counter("aovd_black_hole") > 0,
        "black-hole rule never matched"
    );
    let (ok, text) = ping(&lab, NS_CLIENT, &["-c", "1", "-W", "2", &s4]);
    assert!(ok, "small pings must still work in a black hole:\n{text}");
    lab.fw(&["drop-echo"]);
    let (ok, _) = ping(&lab, NS_CLIENT, &["-c", "1", "-W", "2", &s4]);
    assert!(!ok, "echo requests were not dropped");
}

#[test]
#[cfg_attr(not(windows), ignore = "needs root + AOVPN_LAB")]
#[cfg_attr(
    windows,
    ignore = "needs the Linux namespace lab (netns, nftables, charon)"
)]
fn ikev2_with_fragmentation_succeeds_even_when_ip_fragments_are_dropped() {
    let lab = Lab::require();
    lab.server_start(&[]);
    lab.client_start();
    let first = lab.client_initiate(&["--timeout", "15"]);
    assert!(
        first.established,
        "clean path: {}\n{}",
        first.log,
        lab.charon_logs(30)
    );
    assert!(
        first.log.contains("EF(1/"),
        "IKE_AUTH was not sent as SKF fragments:\n{}",
        first.log
    );
    lab.fw(&["drop-frags"]);
    let second = lab.client_initiate(&["--timeout", "15"]);
    assert!(
        second.established,
        "SKF must survive dropped IP fragments:\n{}",
        second.log
    );
}

#[test]
#[cfg_attr(not(windows), ignore = "needs root + AOVPN_LAB")]
#[cfg_attr(
    windows,
    ignore = "needs the Linux namespace lab (netns, nftables, charon)"
)]
fn ike_auth_is_lost_when_fragments_are_dropped_and_fragmentation_is_off() {
    let lab = Lab::require();
    lab.server_start(&["--fragmentation", "no"]);
    lab.client_start();
    // Without drops, the IP-fragmented IKE_AUTH is reassembled and works.
    let ok = lab.client_initiate(&["--fragmentation", "no", "--timeout", "15"]);
    assert!(ok.established, "IP fragments without drops: {}", ok.log);
    lab.fw(&["drop-frags"]);
    let lost = lab.client_initiate(&["--fragmentation", "no", "--timeout", "15"]);
    assert!(
        !lost.established,
        "IKE_AUTH got through although fragments were dropped:\n{}",
        lost.log
    );
    assert!(
        lost.log.contains("IKE_SA_INIT response"),
        "IKE_SA_INIT should still succeed:\n{}",
        lost.log
    );
    assert!(
        lab.router_counter("aovd_drop_frags") > 0,
        "router dropped no fragment"
    );
}

#[test]
#[cfg_attr(not(windows), ignore = "needs root + AOVPN_LAB")]
#[cfg_attr(
    windows,
    ignore = "needs the Linux namespace lab (netns, nftables, charon)"
)]
fn only_non_first_fragments_dropped_also_breaks_ike_auth() {
    let lab = Lab::require();
    lab.server_start(&["--fragmentation", "no"]);
    lab.client_start();
    lab.fw(&["drop-nonfirst-frags"]);
    let lost = lab.client_initiate(&["--fragmentation", "no", "--timeout", "15"]);
    assert!(!lost.established, "IKE_AUTH got through:\n{}", lost.log);
    assert!(
        lab.router_counter("aovd_drop_nonfirst_frags") > 0,
        "router dropped no fragment"
    );
}

#[test]
#[cfg_attr(not(windows), ignore = "needs root + AOVPN_LAB")]
#[cfg_attr(
    windows,
    ignore = "needs the Linux namespace lab (netns, nftables, charon)"
)]
fn blocked_ports_and_proposal_mismatch_fail() {
    let lab = Lab::require();
    lab.server_start(&["--proposals", "aes256-sha256-modp2048"]);
    lab.client_start();
    let bad = lab.client_initiate(&[
        "--proposals",
        "aes128gcm16-prfsha256-ecp256",
        "--timeout",
        "15",
    ]);
    assert!(
        !bad.established && bad.log.contains("NO_PROPOSAL_CHOSEN"),
        "{}",
        bad.log
    );
    lab.fw(&["block-4500"]);
    let r = lab.client_initiate(&["--timeout", "15"]);
    assert!(
        !r.established,
        "UDP 4500 blocked but established:\n{}",
        r.log
    );
    lab.fw(&["block-500"]);
    let r = lab.client_initiate(&["--timeout", "15"]);
    assert!(
        !r.established,
        "UDP 500 blocked but established:\n{}",
        r.log
    );
}

#[test]
#[cfg_attr(not(windows), ignore = "needs root + AOVPN_LAB")]
#[cfg_attr(
    windows,
    ignore = "needs the Linux namespace lab (netns, nftables, charon)"
)]
fn load_balancer_without_persistence_breaks_ike_auth() {
    let lab = Lab::require();
    lab.server_start(&[]);
    lab.server_start(&["--ns", "aovd-server2"]);
    lab.client_start();
    lab.fw(&["lb-healthy"]);
    let ok = lab.client_initiate(&["--target", "vip", "--timeout", "15"]);
    assert!(ok.established, "healthy LB: {}", ok.log);
    lab.fw(&["lb-split"]);
    let split = lab.client_initiate(&["--target", "vip", "--timeout", "15"]);
    assert!(!split.established, "split LB established:\n{}", split.log);
    assert!(
        split.log.contains("IKE_SA_INIT response"),
        "IKE_SA_INIT should succeed:\n{}",
        split.log
    );
    lab.fw(&["lb-snat"]);
    let snat = lab.client_initiate(&["--target", "vip", "--timeout", "15"]);
    assert!(snat.established, "SNAT LB: {}", snat.log);
}

#[test]
#[cfg_attr(not(windows), ignore = "needs root + AOVPN_LAB")]
#[cfg_attr(
    windows,
    ignore = "needs the Linux namespace lab (netns, nftables, charon)"
)]
fn ipv6_ike_works_and_loses_ike_auth_to_dropped_fragments() {
    let lab = Lab::require();
    lab.server_start(&["--fragmentation", "no"]);
    lab.client_start();
    let ok = lab.client_initiate(&["-6", "--fragmentation", "no", "--timeout", "15"]);
    assert!(ok.established, "IPv6: {}", ok.log);
    assert!(
        ok.log.contains(lab.addr("SERVER6")),
        "did not use IPv6:\n{}",
        ok.log
    );
    lab.fw(&["drop-frags"]);
    let lost = lab.client_initiate(&["-6", "--fragmentation", "no", "--timeout", "15"]);
    assert!(
        !lost.established,
        "IPv6 fragments dropped but established:\n{}",
        lost.log
    );
    assert!(lab.router_counter("aovd_drop_frags") > 0);
}

#[test]
#[cfg_attr(not(windows), ignore = "needs root + AOVPN_LAB")]
#[cfg_attr(
    windows,
    ignore = "needs the Linux namespace lab (netns, nftables, charon)"
)]
fn eap_responder_answers_with_a_large_ike_auth() {
    let lab = Lab::require();
    lab.server_start(&["--eap", "--fragmentation", "no"]);
    lab.client_start();
    let ok = lab.client_initiate(&["--eap", "--fragmentation", "no", "--timeout", "15"]);
    assert!(ok.established, "EAP: {}", ok.log);
    // Server -> client IP fragments: the client's outbound is small, the answer large.
    lab.fw(&["drop-frags"]);
    let lost = lab.client_initiate(&["--eap", "--fragmentation", "no", "--timeout", "15"]);
    assert!(
        !lost.established,
        "large EAP response survived dropped fragments:\n{}",
        lost.log
    );
}

#[test]
#[cfg_attr(not(windows), ignore = "needs root + AOVPN_LAB")]
#[cfg_attr(
    windows,
    ignore = "needs the Linux namespace lab (netns, nftables, charon)"
)]
fn captures_see_the_exchange_on_both_sides() {
    let lab = Lab::require();
    let dir = tempfile::tempdir().expect("tempdir");
    let c = dir.path().join("client.pcap");
    let s = dir.path().join("server.pcap");
    lab.server_start(&[]);
    lab.client_start();
    lab.capture_start(NS_CLIENT, &c, &[]);
    lab.capture_start(NS_SERVER, &s, &[]);
    let ok = lab.client_initiate(&["--timeout", "15"]);
    lab.capture_stop();
    assert!(ok.established, "{}", ok.log);
    for f in [&c, &s] {
        let len = std::fs::metadata(f).map(|m| m.len()).unwrap_or(0);
        // IKE_SA_INIT pair + SKF IKE_AUTH pieces: several KB of full packets.
        assert!(len > 4000, "{} has only {len} bytes", f.display());
    }
}
