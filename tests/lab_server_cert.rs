//! `aovpn-diag probe --auth` and the `server-cert` step of `check` against a
//! real strongSwan EAP responder (eap-mschapv2) in the namespace lab, with
//! the lab's server-certificate PKI (`lab.sh --server-cert`): an RSA-4096
//! root -> intermediate -> server chain, so the IKE_AUTH response (about
//! 3.5 KB) exceeds the 1400-byte router -> server MTU.
//!
//! Each scenario has one defect; each asserts its finding and the exit code.
//! The client reaches the server by name (`vpn.aovd.test` in the client's
//! hosts file), as a VPN profile does.
//!
//! Ignored unless asked for; as root:
//! `sudo AOVPN_LAB=1 cargo test --test lab_server_cert -- --include-ignored --test-threads=1`.

#[path = "support/cli.rs"]
mod cli;
#[path = "support/lab.rs"]
mod lab;
#[path = "support/schema.rs"]
mod schema;

use lab::{Lab, NS_CLIENT};
use serde_json::Value;

const FAST: &[&str] = &["--timeout", "0.5", "--retransmits", "2"];

struct Run {
    code: i32,
    doc: Value,
    text: String,
}

impl Run {
    fn has(&self, code: &str, severity: &str) -> bool {
        cli::has(&self.doc, code, severity)
    }

    fn fails(&self) -> Vec<String> {
        cli::codes(&self.doc)
            .into_iter()
            .filter(|(_, s)| s == "fail")
            .map(|(c, _)| c)
            .collect()
    }

    fn cert(&self) -> &Value {
        &self.doc["targets"][0]["server_cert"]
    }
}

/// The lab's server-certificate PKI, as `lab.sh` caches it.
fn pki(lab: &Lab, file: &str) -> String {
    format!("{}/certs-server-cert/{file}", lab.addr("STATE_DIR"))
}

/// A lab with the EAP server started with `server_args` and the client's
/// hosts file naming it.
fn lab_with(server_args: &[&str], fw: &[&str]) -> Lab {
    let lab = Lab::require();
    let mut args = vec!["--eap"];
    args.extend_from_slice(server_args);
    lab.server_start(&args);
    lab.fw(fw);
    let entry = format!("{} {}", lab.addr("SERVER4"), lab.addr("SERVER_NAME"));
    lab.names(None, &[&entry]);
    lab
}

fn run(lab: &Lab, command: &str, extra: &[&str]) -> Run {
    let name = lab.addr("SERVER_NAME").to_string();
    let mut args = vec![command, name.as_str(), "--json"];
    if command == "probe" {
        args.push("--auth");
        args.extend_from_slice(FAST);
    } else {
        args.extend_from_slice(&["--timeout", "1", "--no-mtu", "--proposals", "windows"]);
    }
    args.extend_from_slice(extra);
    let out = lab.run_bin(NS_CLIENT, &args);
    let text = format!(
        "{}\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
        lab.charon_logs(30)
    );
    let doc: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{command} printed no JSON ({e}):\n{text}"));
    // Every document strongSwan's answers produce fits the published schema.
    let invalid = schema::errors(&doc);
    assert!(invalid.is_empty(), "{command}: {invalid:#?}\n{text}");
    Run {
        code: out.status.code().unwrap_or(-1),
        doc,
        text,
    }
}

fn probe(lab: &Lab, extra: &[&str]) -> Run {
    run(lab, "probe", extra)
}

#[test]
#[cfg_attr(not(windows), ignore = "needs root + AOVPN_LAB")]
#[cfg_attr(
    windows,
    ignore = "needs the Linux namespace lab (netns, nftables, charon)"
)]
fn healthy_chain_is_read_and_verified() {
    let lab = lab_with(&["--server-cert", "good"], &["none"]);
    let r = probe(&lab, &["--ca", &pki(&lab, "root.pem")]);
    assert_eq!(r.code, 0, "{}", r.text);
    assert!(r.fails().is_empty(), "{}", r.text);
    assert!(r.has("server-cert", "info"), "{}", r.text);
    let c = r.cert();
    assert_eq!(c["host"], "vpn.aovd.test");
    let x = &c["certificate"];
    assert_eq!(x["idr"], "vpn.aovd.test");
    assert_eq!(x["idr_type"], "ID_FQDN");
    assert_eq!(x["certs"].as_array().unwrap().len(), 2, "{}", r.text);
    assert_eq!(x["certs"][0]["key"]["bits"], 4096);
    assert_eq!(x["certs"][0]["ekus"][0]["name"], "Server Authentication");
    assert_eq!(x["chain"]["trusted"], true, "{}", r.text);
    assert_eq!(x["chain"]["complete_as_sent"], true);
    assert!(
        x["chain"]["root"]
            .as_str()
            .unwrap()
            .contains("aovd Cert-Check Root CA")
    );
    assert_eq!(x["name"]["matched_in"], "dNSName");
    // strongSwan signs with RFC 7427 (the probe announced SHA-2 hashes):
    // checked over the IKE_SA_INIT response with the certificate's key.
    assert_eq!(x["auth"]["method"], 14, "{}", r.text);
    assert_eq!(x["auth"]["result"], "verified", "{}", r.text);
    // The CERTREQ of the server's IKE_SA_INIT names our root among others.
    assert!(
        x["server_asks_for"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["known_as"]
                .as_str()
                .is_some_and(|s| s.contains("Cert-Check Root"))),
        "{}",
        r.text
    );
    // Both runs answered: as SKF pieces with 16430, whole without.
    assert_eq!(c["with_fragmentation"]["answered"], true);
    assert!(c["with_fragmentation"]["skf_fragments"].as_u64().unwrap() >= 2);
    assert_eq!(c["without_fragmentation"]["answered"], true, "{}", r.text);
    assert_eq!(c["without_fragmentation"]["skf_fragments"], 0);
    assert!(
        c["without_fragmentation"]["response_ip_bytes"][0]
            .as_u64()
            .unwrap()
            > 1400,
        "the whole response exceeds the lab MTU: {}",
        r.text
    );
    assert!(r.has("large-ike-auth-response", "warn"), "{}", r.text);
    assert!(!r.has("ip-fragments-dropped-toward-client", "warn"));
    // Both half-open SAs were closed again, and strongSwan confirmed it.
    for run in ["with_fragmentation", "without_fragmentation"] {
        assert_eq!(c[run]["delete_sent"], true, "{run}: {}", r.text);
        assert_eq!(c[run]["delete_answered"], true, "{run}: {}", r.text);
    }
}

#[test]
#[cfg_attr(not(windows), ignore = "needs root + AOVPN_LAB")]
#[cfg_attr(
    windows,
    ignore = "needs the Linux namespace lab (netns, nftables, charon)"
)]
fn fragments_dropped_toward_the_client_with_ike_fragmentation_warn() {
    let lab = lab_with(&["--server-cert", "good"], &["drop-frags-to-client"]);
    let r = probe(&lab, &["--ca", &pki(&lab, "root.pem")]);
    assert_eq!(r.code, 0, "{}", r.text);
    let c = r.cert();
    assert_eq!(c["with_fragmentation"]["answered"], true, "{}", r.text);
    assert_eq!(c["without_fragmentation"]["sa_init_answered"], true);
    assert_eq!(c["without_fragmentation"]["answered"], false, "{}", r.text);
    // The Delete after it (message 2) was answered: strongSwan had the
    // IKE_AUTH (message 1) and answered it; the answer was what got lost.
    assert_eq!(
        c["without_fragmentation"]["delete_answered"], true,
        "{}",
        r.text
    );
    assert!(
        r.has("ip-fragments-dropped-toward-client", "warn"),
        "{}",
        r.text
    );
    let f = cli::finding(&r.doc, "ip-fragments-dropped-toward-client");
    assert_eq!(f["evidence"]["delete_answered_after_lost_response"], true);
    // Fragments toward the server pass: the padded IKE_SA_INIT got through.
    assert_eq!(r.doc["targets"][0]["fragmented_request_answered"], true);
    assert!(lab.router_counter("aovd_drop_frags_to_client") > 0);
    // The certificate was still read, from the SKF answer.
    assert_eq!(c["certificate"]["auth"]["result"], "verified");
}

#[test]
#[cfg_attr(not(windows), ignore = "needs root + AOVPN_LAB")]
#[cfg_attr(
    windows,
    ignore = "needs the Linux namespace lab (netns, nftables, charon)"
)]
fn fragments_dropped_toward_the_client_without_ike_fragmentation_fail() {
    let lab = lab_with(
        &["--server-cert", "good", "--fragmentation", "no"],
        &["drop-frags-to-client"],
    );
    let r = probe(&lab, &["--ca", &pki(&lab, "root.pem")]);
    assert_eq!(r.code, 1, "{}", r.text);
    assert!(
        r.has("ip-fragments-dropped-toward-client", "fail"),
        "{}",
        r.text
    );
    let f = cli::finding(&r.doc, "ip-fragments-dropped-toward-client");
    assert_eq!(f["windows_error"], 809);
    assert_eq!(f["evidence"]["delete_answered_after_lost_response"], true);
    assert!(
        f["summary"]
            .as_str()
            .unwrap()
            .contains("answered the INFORMATIONAL Delete"),
        "{}",
        r.text
    );
    let c = r.cert();
    assert_eq!(c["with_fragmentation"]["answered"], false);
    assert_eq!(c["without_fragmentation"]["sa_init_answered"], true);
    assert_eq!(c["without_fragmentation"]["answered"], false);
    assert!(c["certificate"].is_null());
    assert!(lab.router_counter("aovd_drop_frags_to_client") > 0);
}

#[test]
#[cfg_attr(not(windows), ignore = "needs root + AOVPN_LAB")]
#[cfg_attr(
    windows,
    ignore = "needs the Linux namespace lab (netns, nftables, charon)"
)]
fn over_ipv6_the_chain_is_read_and_dropped_fragments_found() {
    let lab = Lab::require();
    lab.server_start(&["--eap", "--server-cert", "good"]);
    lab.fw(&["drop-frags-to-client"]);
    let entry = format!("{} {}", lab.addr("SERVER6"), lab.addr("SERVER_NAME"));
    lab.names(None, &[&entry]);
    let r = probe(&lab, &["-6", "--ca", &pki(&lab, "root.pem")]);
    assert_eq!(r.code, 0, "{}", r.text);
    assert_eq!(r.doc["targets"][0]["address"], lab.addr("SERVER6"));
    let c = r.cert();
    // SKF pieces of at most 1280 bytes came through; the whole answer, in
    // IPv6 fragments, did not, although strongSwan answered the IKE_AUTH.
    assert_eq!(c["with_fragmentation"]["answered"], true, "{}", r.text);
    assert!(
        c["with_fragmentation"]["response_ip_bytes"]
            .as_array()
            .unwrap()
            .iter()
            .all(|n| n.as_u64().unwrap() <= 1280),
        "{}",
        r.text
    );
    assert_eq!(c["without_fragmentation"]["sa_init_answered"], true);
    assert_eq!(c["without_fragmentation"]["answered"], false, "{}", r.text);
    assert_eq!(
        c["without_fragmentation"]["delete_answered"], true,
        "{}",
        r.text
    );
    assert!(
        r.has("ip-fragments-dropped-toward-client", "warn"),
        "{}",
        r.text
    );
    let x = &c["certificate"];
    assert_eq!(x["chain"]["trusted"], true, "{}", r.text);
    assert_eq!(x["name"]["matched_in"], "dNSName");
    assert_eq!(x["auth"]["result"], "verified", "{}", r.text);
    assert!(lab.router_counter("aovd_drop_frags_to_client") > 0);
}

#[test]
#[cfg_attr(not(windows), ignore = "needs root + AOVPN_LAB")]
#[cfg_attr(
    windows,
    ignore = "needs the Linux namespace lab (netns, nftables, charon)"
)]
fn expired_server_certificate() {
    let lab = lab_with(&["--server-cert", "expired"], &["none"]);
    let r = probe(&lab, &["--ca", &pki(&lab, "root.pem")]);
    assert_eq!(r.code, 1, "{}", r.text);
    assert_eq!(r.fails(), ["server-cert-expired"], "{}", r.text);
    let f = cli::finding(&r.doc, "server-cert-expired");
    assert_eq!(f["windows_error"], 13801);
    assert_eq!(f["evidence"]["not_after"], "2021-01-01T00:00:00.000Z");
}

#[test]
#[cfg_attr(not(windows), ignore = "needs root + AOVPN_LAB")]
#[cfg_attr(
    windows,
    ignore = "needs the Linux namespace lab (netns, nftables, charon)"
)]
fn wrong_name() {
    let lab = lab_with(&["--server-cert", "wrongname"], &["none"]);
    let r = probe(&lab, &["--ca", &pki(&lab, "root.pem")]);
    assert_eq!(r.code, 1, "{}", r.text);
    assert_eq!(r.fails(), ["server-cert-name-mismatch"], "{}", r.text);
    let f = cli::finding(&r.doc, "server-cert-name-mismatch");
    assert_eq!(f["evidence"]["host"], "vpn.aovd.test");
    assert_eq!(f["evidence"]["names"][0], "DNS:vpn.elsewhere.test");
    assert_eq!(f["windows_error"], 13801);
}

#[test]
#[cfg_attr(not(windows), ignore = "needs root + AOVPN_LAB")]
#[cfg_attr(
    windows,
    ignore = "needs the Linux namespace lab (netns, nftables, charon)"
)]
fn missing_server_authentication_eku() {
    let lab = lab_with(&["--server-cert", "noeku"], &["none"]);
    let r = probe(&lab, &["--ca", &pki(&lab, "root.pem")]);
    assert_eq!(r.code, 1, "{}", r.text);
    assert_eq!(
        r.fails(),
        ["server-cert-missing-server-auth-eku"],
        "{}",
        r.text
    );
    let f = cli::finding(&r.doc, "server-cert-missing-server-auth-eku");
    assert_eq!(
        f["evidence"]["ekus"][0],
        "Client Authentication (1.3.6.1.5.5.7.3.2)"
    );
}

#[test]
#[cfg_attr(not(windows), ignore = "needs root + AOVPN_LAB")]
#[cfg_attr(
    windows,
    ignore = "needs the Linux namespace lab (netns, nftables, charon)"
)]
fn intermediate_not_sent() {
    let lab = lab_with(&["--server-cert", "good", "--no-intermediate"], &["none"]);
    let r = probe(&lab, &["--ca", &pki(&lab, "root.pem")]);
    assert_eq!(r.code, 0, "{}", r.text);
    assert!(r.has("server-cert-chain-incomplete", "warn"), "{}", r.text);
    let x = &r.cert()["certificate"];
    assert_eq!(x["certs"].as_array().unwrap().len(), 1, "{}", r.text);
    assert_eq!(x["chain"]["problem"]["kind"], "incomplete");
    // A client that holds the intermediate itself builds the path: still a
    // warning, naming what the server should have sent.
    let r = probe(
        &lab,
        &[
            "--ca",
            &pki(&lab, "root.pem"),
            "--ca",
            &pki(&lab, "intermediate.pem"),
        ],
    );
    assert_eq!(r.code, 0, "{}", r.text);
    assert!(r.has("server-cert-chain-incomplete", "warn"), "{}", r.text);
    assert_eq!(r.cert()["certificate"]["chain"]["trusted"], true);
}

#[test]
#[cfg_attr(not(windows), ignore = "needs root + AOVPN_LAB")]
#[cfg_attr(
    windows,
    ignore = "needs the Linux namespace lab (netns, nftables, charon)"
)]
fn root_not_trusted() {
    let lab = lab_with(&["--server-cert", "good"], &["none"]);
    let r = probe(&lab, &["--ca", &pki(&lab, "other-root.pem")]);
    assert_eq!(r.code, 1, "{}", r.text);
    assert_eq!(r.fails(), ["server-cert-untrusted-root"], "{}", r.text);
    let f = cli::finding(&r.doc, "server-cert-untrusted-root");
    assert_eq!(f["windows_error"], 2_148_204_809_u64);
    assert!(
        f["summary"]
            .as_str()
            .unwrap()
            .contains("aovd Cert-Check Root CA"),
        "{}",
        r.text
    );
}

#[test]
#[cfg_attr(not(windows), ignore = "needs root + AOVPN_LAB")]
#[cfg_attr(
    windows,
    ignore = "needs the Linux namespace lab (netns, nftables, charon)"
)]
fn a_certificate_only_server_says_what_to_try() {
    let lab = Lab::require();
    lab.server_start(&[]);
    lab.fw(&["none"]);
    let entry = format!("{} {}", lab.addr("SERVER4"), lab.addr("SERVER_NAME"));
    lab.names(None, &[&entry]);
    let r = probe(&lab, &["--ca", &pki(&lab, "root.pem")]);
    assert_eq!(r.code, 0, "{}", r.text);
    assert!(r.has("server-cert-not-offered", "info"), "{}", r.text);
    let f = cli::finding(&r.doc, "server-cert-not-offered");
    assert!(
        f["summary"]
            .as_str()
            .unwrap()
            .contains("AUTHENTICATION_FAILED")
    );
    assert!(f["remedy"].as_str().unwrap().contains("--identity"));
}

#[test]
#[cfg_attr(not(windows), ignore = "needs root + AOVPN_LAB")]
#[cfg_attr(
    windows,
    ignore = "needs the Linux namespace lab (netns, nftables, charon)"
)]
fn check_has_a_server_cert_step() {
    let lab = lab_with(&["--server-cert", "expired"], &["none"]);
    let r = run(&lab, "check", &["--ca", &pki(&lab, "root.pem")]);
    assert_eq!(r.code, 1, "{}", r.text);
    let step = r.doc["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "server-cert")
        .unwrap_or_else(|| panic!("no server-cert step: {}", r.text));
    assert_eq!(step["status"], "problem", "{}", r.text);
    assert_eq!(r.doc["cause"], "server-cert-expired", "{}", r.text);
    let r = run(&lab, "check", &["--no-server-cert"]);
    let step = r.doc["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "server-cert")
        .unwrap();
    assert_eq!(step["status"], "skipped");
}

/// A probe cannot finish IKE_AUTH without credentials, so every run leaves
/// IKE SAs half open on an EAP server (strongSwan answers the Delete but
/// keeps them until its half-open timeout), and runs in quick succession
/// fill its limit per client address (5): it then ignores new IKE_SA_INITs.
/// That must never read as a blocked port or dropped fragments: what the
/// server showed (a COOKIE demand, answers over UDP 4500) proves the path,
/// and a run that could test nothing says "run again", not "blocked".
#[test]
#[cfg_attr(not(windows), ignore = "needs root + AOVPN_LAB")]
#[cfg_attr(
    windows,
    ignore = "needs the Linux namespace lab (netns, nftables, charon)"
)]
fn checks_in_quick_succession_never_blame_the_path() {
    let lab = lab_with(&["--server-cert", "good"], &["none"]);
    let root = pki(&lab, "root.pem");
    let mut ignored = 0;
    for n in 1..=4 {
        let r = run(&lab, "check", &["--ca", &root]);
        let blamed: Vec<String> = r
            .fails()
            .into_iter()
            .filter(|c| c != "udp-500-request-ignored")
            .collect();
        assert!(blamed.is_empty(), "run {n}: {blamed:?}\n{}", r.text);
        ignored += cli::codes(&r.doc)
            .iter()
            .filter(|(c, _)| c.ends_with("-request-ignored") || c == "fragment-test-inconclusive")
            .count();
    }
    // The later runs did meet the limit (else this test proves nothing).
    assert!(ignored > 0, "the server never ignored a request");
}
