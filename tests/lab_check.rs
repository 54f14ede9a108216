//! `aovpn-diag check` against a real strongSwan responder behind the lab's
//! nftables router (router->server MTU 1400): every scenario of error 809
//! asserts the cause, the exit code and the step statuses.
//!
//! Ignored unless asked for; as root: `sudo AOVPN_LAB=1 cargo test --test lab_check -- --include-ignored --test-threads=1`.
//! The lab's charon fakes a NAT (kernel-libipsec, see tests/lab_probe.rs), so
//! `responder-behind-nat` appears as a warning in every answered scenario;
//! warnings never make a cause.

#[path = "support/cli.rs"]
mod cli;
#[path = "support/lab.rs"]
mod lab;

use std::time::Instant;

use lab::{Lab, NS_CLIENT};
use serde_json::Value;

/// Short waits keep unanswered scenarios quick.
const FAST: &[&str] = &["--timeout", "0.5"];

struct Run {
    code: i32,
    doc: Value,
    text: String,
}

impl Run {
    fn cause(&self) -> Option<&str> {
        self.doc["cause"].as_str()
    }

    fn step(&self, name: &str) -> &str {
        self.doc["steps"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["name"] == name)
            .unwrap_or_else(|| panic!("no step {name}: {}", self.text))["status"]
            .as_str()
            .unwrap()
    }

    fn has(&self, code: &str, severity: &str) -> bool {
        cli::has(&self.doc, code, severity)
    }
}

fn check(lab: &Lab, target: &str, extra: &[&str]) -> Run {
    let mut args = vec!["check", target, "--json"];
    args.extend_from_slice(FAST);
    args.extend_from_slice(extra);
    let out = lab.run_bin(NS_CLIENT, &args);
    let text = format!(
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    let doc: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {text}\n{}", lab.charon_logs(30)));
    assert_eq!(doc["schema_version"], aovpn_diag::report::SCHEMA_VERSION);
    assert_eq!(doc["command"], "check");
    Run {
        code: out.status.code().unwrap_or(-1),
        doc,
        text,
    }
}

fn assert_steps(r: &Run, expected: &[(&str, &str)]) {
    for (name, status) in expected {
        assert_eq!(r.step(name), *status, "step {name}: {}", r.text);
    }
}

#[test]
#[cfg_attr(not(windows), ignore = "needs root + AOVPN_LAB")]
#[cfg_attr(
    windows,
    ignore = "needs the Linux namespace lab (netns, nftables, charon)"
)]
fn healthy_server_is_ok_with_every_step_ok() {
    let lab = Lab::require();
    lab.server_start(&[]);
    lab.fw(&["none"]);
    let started = Instant::now();
    let r = check(&lab, lab.addr("SERVER4"), &[]);
    eprintln!("healthy check took {:?}", started.elapsed());
    assert_eq!(r.code, 0, "{}", r.text);
    assert_eq!(r.doc["verdict"], "ok");
    assert_eq!(r.cause(), None, "{}", r.text);
    assert_steps(
        &r,
        &[
            ("dns", "ok"),
            ("udp-500", "ok"),
            ("udp-4500", "ok"),
            ("ike-fragmentation", "ok"),
            ("fragmented-request", "ok"),
            ("ike-auth", "ok"),
            ("path-mtu", "ok"),
            ("proposals", "ok"),
        ],
    );
    assert_eq!(r.doc["mtu"]["targets"][0]["path_mtu"], 1400, "{}", r.text);
    assert_eq!(
        r.doc["probe"]["targets"][0]["fragmentation_supported"]["responder"],
        "yes"
    );
}

#[test]
#[cfg_attr(not(windows), ignore = "needs root + AOVPN_LAB")]
#[cfg_attr(
    windows,
    ignore = "needs the Linux namespace lab (netns, nftables, charon)"
)]
fn udp_500_blocked_is_the_cause() {
    let lab = Lab::require();
    lab.server_start(&[]);
    lab.fw(&["block-500"]);
    let r = check(&lab, lab.addr("SERVER4"), &[]);
    assert_eq!(r.code, 1, "{}", r.text);
    assert_eq!(r.cause(), Some("udp-500-unanswered"), "{}", r.text);
    assert_steps(&r, &[("udp-500", "problem"), ("udp-4500", "ok")]);
}

#[test]
#[cfg_attr(not(windows), ignore = "needs root + AOVPN_LAB")]
#[cfg_attr(
    windows,
    ignore = "needs the Linux namespace lab (netns, nftables, charon)"
)]
fn udp_4500_blocked_is_the_cause() {
    let lab = Lab::require();
    lab.server_start(&[]);
    lab.fw(&["block-4500"]);
    let r = check(&lab, lab.addr("SERVER4"), &[]);
    assert_eq!(r.code, 1, "{}", r.text);
    assert_eq!(r.cause(), Some("udp-4500-unanswered"), "{}", r.text);
    assert_steps(&r, &[("udp-500", "ok"), ("udp-4500", "problem")]);
}

#[test]
#[cfg_attr(not(windows), ignore = "needs root + AOVPN_LAB")]
#[cfg_attr(
    windows,
    ignore = "needs the Linux namespace lab (netns, nftables, charon)"
)]
fn fragments_dropped_without_ike_fragmentation_is_the_809_case() {
    let lab = Lab::require();
    lab.server_start(&["--fragmentation", "no"]);
    lab.fw(&["drop-frags"]);
    let r = check(&lab, lab.addr("SERVER4"), &[]);
    assert_eq!(r.code, 1, "{}", r.text);
    assert_eq!(r.cause(), Some("ip-fragments-dropped"), "{}", r.text);
    let remedy = r.doc["cause_detail"]["remedy"].as_str().unwrap();
    assert!(remedy.contains("EnableServerFragmentation=1"), "{remedy}");
    assert_steps(
        &r,
        &[
            ("udp-500", "ok"),
            ("udp-4500", "ok"),
            ("ike-fragmentation", "problem"),
            ("fragmented-request", "problem"),
        ],
    );
}

#[test]
#[cfg_attr(not(windows), ignore = "needs root + AOVPN_LAB")]
#[cfg_attr(
    windows,
    ignore = "needs the Linux namespace lab (netns, nftables, charon)"
)]
fn fragments_dropped_with_ike_fragmentation_is_healthy_with_a_warning() {
    let lab = Lab::require();
    lab.server_start(&["--fragmentation", "yes"]);
    lab.fw(&["drop-frags"]);
    let r = check(&lab, lab.addr("SERVER4"), &[]);
    assert_eq!(r.code, 0, "{}", r.text);
    assert_eq!(r.cause(), None, "{}", r.text);
    assert!(r.has("ip-fragments-dropped", "warn"), "{}", r.text);
    assert_steps(
        &r,
        &[
            ("ike-fragmentation", "ok"),
            ("fragmented-request", "problem"),
        ],
    );
}

#[test]
#[cfg_attr(not(windows), ignore = "needs root + AOVPN_LAB")]
#[cfg_attr(
    windows,
    ignore = "needs the Linux namespace lab (netns, nftables, charon)"
)]
fn icmp_blocked_measures_the_path_with_ike() {
    let lab = Lab::require();
    lab.server_start(&[]);
    lab.fw(&["drop-echo"]);
    let r = check(&lab, lab.addr("SERVER4"), &[]);
    assert_eq!(r.code, 0, "{}", r.text);
    assert_eq!(r.step("path-mtu"), "ok", "{}", r.text);
    let mtu = &r.doc["mtu"]["targets"][0];
    assert_eq!(mtu["method"], "ike", "{}", r.text);
    assert_eq!(mtu["path_mtu"], 1400, "{}", r.text);
}

#[test]
#[cfg_attr(not(windows), ignore = "needs root + AOVPN_LAB")]
#[cfg_attr(
    windows,
    ignore = "needs the Linux namespace lab (netns, nftables, charon)"
)]
fn mismatched_proposals_are_the_cause() {
    let lab = Lab::require();
    lab.server_start(&["--proposals", "aes256-sha512-ecp521"]);
    lab.fw(&["none"]);
    let r = check(&lab, lab.addr("SERVER4"), &[]);
    assert_eq!(r.code, 1, "{}", r.text);
    assert_eq!(r.cause(), Some("no-proposal-chosen"), "{}", r.text);
    assert_eq!(r.step("proposals"), "problem", "{}", r.text);
}

#[test]
#[cfg_attr(not(windows), ignore = "needs root + AOVPN_LAB")]
#[cfg_attr(
    windows,
    ignore = "needs the Linux namespace lab (netns, nftables, charon)"
)]
fn ipv6_healthy_and_fragments_dropped() {
    let lab = Lab::require();
    lab.server_start(&["--fragmentation", "no"]);
    lab.fw(&["none"]);
    let r = check(&lab, lab.addr("SERVER6"), &["-6"]);
    assert_eq!(r.code, 0, "{}", r.text);
    assert_eq!(r.cause(), None, "{}", r.text);
    assert_eq!(r.doc["mtu"]["targets"][0]["path_mtu"], 1400, "{}", r.text);
    lab.fw(&["drop-frags"]);
    let r = check(&lab, lab.addr("SERVER6"), &["-6"]);
    assert_eq!(r.code, 1, "{}", r.text);
    assert_eq!(r.cause(), Some("ip-fragments-dropped"), "{}", r.text);
}

#[test]
#[cfg_attr(not(windows), ignore = "needs root + AOVPN_LAB")]
#[cfg_attr(
    windows,
    ignore = "needs the Linux namespace lab (netns, nftables, charon)"
)]
fn a_name_from_the_hosts_file_resolves_and_an_unknown_one_is_the_cause() {
    let lab = Lab::require();
    lab.server_start(&[]);
    lab.fw(&["none"]);
    // The client's own hosts file; its DNS server is the lab server, where
    // nothing answers DNS (ICMP port unreachable), so nothing leaves the lab.
    let entry = format!("{} vpn.aovd.test", lab.addr("SERVER4"));
    lab.names(Some(lab.addr("SERVER4")), &[&entry]);
    let r = check(&lab, "vpn.aovd.test", &["-4", "--no-mtu"]);
    let unknown = check(&lab, "no-such-vpn.invalid.", &["--no-mtu"]);
    assert_eq!(r.code, 0, "{}", r.text);
    assert_eq!(r.step("dns"), "ok", "{}", r.text);
    assert_eq!(r.step("path-mtu"), "skipped", "{}", r.text);
    // An unknown host: exit 2 as in probe and mtu, the cause still named.
    assert_eq!(unknown.code, 2, "{}", unknown.text);
    assert_eq!(
        unknown.doc["error"]["code"], "unknown-host",
        "{}",
        unknown.text
    );
    assert_eq!(unknown.cause(), Some("dns-failed"), "{}", unknown.text);
    assert_steps(&unknown, &[("dns", "problem"), ("udp-500", "skipped")]);
}

#[test]
#[cfg_attr(not(windows), ignore = "needs root + AOVPN_LAB")]
#[cfg_attr(
    windows,
    ignore = "needs the Linux namespace lab (netns, nftables, charon)"
)]
fn load_balancer_without_persistence_is_the_cause_and_a_healthy_one_is_ok() {
    let lab = Lab::require();
    lab.server_start(&[]);
    lab.server_start(&["--ns", "aovd-server2"]);
    lab.fw(&["lb-split"]);
    let r = check(&lab, lab.addr("VIP4"), &["--no-mtu"]);
    assert_eq!(r.code, 1, "{}", r.text);
    assert_eq!(
        r.cause(),
        Some("load-balancer-not-persistent"),
        "{}",
        r.text
    );
    assert_steps(
        &r,
        &[
            ("udp-500", "ok"),
            ("udp-4500", "ok"),
            ("ike-auth", "problem"),
        ],
    );
    lab.fw(&["lb-healthy"]);
    let r = check(&lab, lab.addr("VIP4"), &["--no-mtu"]);
    assert_eq!(r.code, 0, "{}", r.text);
    assert_eq!(r.cause(), None, "{}", r.text);
    assert_steps(&r, &[("ike-auth", "ok")]);
}

/// Not a timed assertion: prints the wall time of a fully blocked server
/// with the default timeout, for the "< 30 s" budget.
#[test]
#[cfg_attr(not(windows), ignore = "needs root + AOVPN_LAB")]
#[cfg_attr(
    windows,
    ignore = "needs the Linux namespace lab (netns, nftables, charon)"
)]
fn everything_blocked_fails_in_bounded_time() {
    let lab = Lab::require();
    lab.server_start(&[]);
    lab.fw(&["block-500", "block-4500", "drop-echo"]);
    let started = Instant::now();
    let out = lab.run_bin(NS_CLIENT, &["check", lab.addr("SERVER4"), "--json"]);
    eprintln!("everything-blocked check took {:?}", started.elapsed());
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(doc["cause"], "udp-500-unanswered");
}
