//! `aovpn-diag check` without the lab: loopback (nothing listens on UDP
//! 500/4500, so the kernel answers ICMP port unreachable), a reserved name
//! that the resolver answers locally, and malformed input. No root needed.

#[path = "support/cli.rs"]
mod cli;

use serde_json::Value;

use cli::bin;

fn json(args: &[&str]) -> (i32, Value) {
    let out = bin().args(args).output().unwrap();
    let doc = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap_or(-1), doc)
}

fn status<'a>(doc: &'a Value, step: &str) -> &'a str {
    doc["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == step)
        .unwrap_or_else(|| panic!("no step {step}: {doc}"))["status"]
        .as_str()
        .unwrap()
}

#[test]
fn nothing_listening_is_both_ports_unanswered_and_later_steps_skipped() {
    let (code, doc) = json(&[
        "check",
        "127.0.0.1",
        "--timeout",
        "0.2",
        "--no-mtu",
        "--json",
    ]);
    assert_eq!(code, 1, "{doc}");
    assert_eq!(doc["schema_version"], aovpn_diag::report::SCHEMA_VERSION);
    assert_eq!(doc["verdict"], "problem");
    assert_eq!(doc["cause"], "udp-500-unanswered");
    assert!(
        doc["cause_detail"]["summary"]
            .as_str()
            .unwrap()
            .contains("neither UDP 500 nor UDP 4500")
    );
    assert_eq!(status(&doc, "dns"), "ok");
    assert_eq!(status(&doc, "udp-500"), "problem");
    assert_eq!(status(&doc, "udp-4500"), "problem");
    for skipped in [
        "ike-fragmentation",
        "fragmented-request",
        "ike-auth",
        "path-mtu",
        "proposals",
    ] {
        assert_eq!(status(&doc, skipped), "skipped", "{skipped}: {doc}");
    }
    for step in doc["steps"].as_array().unwrap() {
        assert!(
            step["duration_ms"].is_u64() && step["detail"].is_string(),
            "{step}"
        );
    }
}

/// `.invalid` is answered by the resolver itself (RFC 6761), nothing is sent.
/// An unknown host is exit 2 with `unknown-host`, as in `probe` and `mtu`;
/// the document still has the cause and every step.
#[test]
fn an_unknown_name_is_the_cause_not_a_crash() {
    let (code, doc) = json(&["check", "no-such-vpn.invalid.", "--no-mtu", "--json"]);
    assert_eq!(code, 2, "{doc}");
    assert_eq!(doc["verdict"], "error");
    assert_eq!(doc["error"]["code"], "unknown-host");
    assert_eq!(doc["cause"], "dns-failed");
    assert_eq!(doc["dns"]["resolved"], false);
    assert_eq!(status(&doc, "dns"), "problem");
    assert_eq!(status(&doc, "udp-500"), "skipped");
    // The human view says what the exit code says (was "PROBLEM", exit 2).
    let out = bin()
        .args(["check", "no-such-vpn.invalid.", "--no-mtu"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("ERROR  no-such-vpn.invalid."), "{text}");
}

#[test]
fn malformed_input_exits_2_with_one_line() {
    let out = bin().args(["check", "not a host"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(err.contains("contains a space"), "{err}");
    bin()
        .args(["check", "127.0.0.1", "--timeout", "0"])
        .assert()
        .code(2);
    bin()
        .args(["check", "127.0.0.1", "--proposals", "aes999-nope"])
        .assert()
        .code(2);
}
