//! `aovpn-diag 6to4` end to end: the issue's examples in both views, stdin
//! with bad lines, and the netlogon.log fixtures (UTF-8/CRLF and UTF-16LE).

#[path = "support/cli.rs"]
mod cli;

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;

fn sixtofour() -> Command {
    cli::command("6to4")
}

fn json(args: &[&str]) -> (Value, i32) {
    cli::json("6to4", args)
}

#[test]
fn ipv4_address_gives_prefix_and_windows_address() {
    sixtofour().arg("198.51.100.83").assert().code(0).stdout(
        predicate::str::contains("6to4 prefix   2002:c633:6453::/48")
            .and(predicate::str::contains(
                "6to4 address  2002:c633:6453::c633:6453",
            ))
            .and(predicate::str::starts_with("OK ")),
    );
    let (doc, code) = json(&["198.51.100.83"]);
    assert_eq!(code, 0);
    let i = &doc["inputs"][0];
    assert_eq!(i["input"], "198.51.100.83");
    assert_eq!(i["kind"], "ipv4");
    assert_eq!(i["ipv4"], "198.51.100.83");
    assert_eq!(i["sixtofour_prefix"], "2002:c633:6453::/48");
    assert_eq!(i["sixtofour_address"], "2002:c633:6453::c633:6453");
    assert_eq!(doc["verdict"], "ok");
    assert_eq!(doc["findings"], Value::Array(vec![]));
}

#[test]
fn ipv4_prefix_with_site_prints_the_powershell_line() {
    let line = r#"New-ADReplicationSubnet -Name "2002:cb00:7100::/40" -Site "NAME""#;
    sixtofour()
        .args(["203.0.113.0/24", "--site", "NAME"])
        .assert()
        .code(0)
        .stdout(
            predicate::str::contains("6to4 prefix   2002:cb00:7100::/40")
                .and(predicate::str::contains(format!("\n{line}\n"))),
        );
    let (doc, _) = json(&["203.0.113.0/24", "--site", "NAME"]);
    let i = &doc["inputs"][0];
    assert_eq!(i["kind"], "ipv4-prefix");
    assert_eq!(i["ipv4"], "203.0.113.0/24");
    assert_eq!(i["sixtofour_prefix"], "2002:cb00:7100::/40");
    assert_eq!(i["sixtofour_address"], Value::Null);
    assert_eq!(doc["powershell"][0], line);
    // Without --site, no PowerShell.
    let (doc, _) = json(&["203.0.113.0/24"]);
    assert!(doc.get("powershell").is_none());
}

#[test]
fn decodes_6to4_teredo_isatap_and_says_when_none() {
    sixtofour()
        .args([
            "2002:c633:6453::c633:6453",
            "2001:0:4136:e378:8000:63bf:3fff:fdd2",
            "::0:5efe:192.0.2.1",
            "::200:5efe:198.51.100.7",
            "2001:db8::1",
        ])
        .assert()
        .code(0)
        .stdout(
            predicate::str::contains("6to4 address (RFC 3056)\n  IPv4          198.51.100.83\n")
                .and(predicate::str::contains("server        65.54.227.120"))
                .and(predicate::str::contains(
                    "client        192.0.2.45 port 40000",
                ))
                .and(predicate::str::contains("flags         0x8000 (cone NAT)"))
                .and(predicate::str::contains(
                    "ISATAP address (RFC 5214)\n  IPv4          192.0.2.1",
                ))
                .and(predicate::str::contains("u bit         1 (0200:5efe"))
                .and(predicate::str::contains(
                    "2001:db8::1  none of 6to4, Teredo or ISATAP",
                )),
        );
    let (doc, code) = json(&[
        "2002:c633:6453::c633:6453",
        "2001:0:4136:e378:8000:63bf:3fff:fdd2",
        "::0:5efe:192.0.2.1",
        "::200:5efe:198.51.100.7",
        "2001:db8::1",
    ]);
    assert_eq!(code, 0);
    let i = &doc["inputs"];
    assert_eq!(i[0]["kind"], "6to4");
    assert_eq!(i[0]["ipv4"], "198.51.100.83");
    assert_eq!(i[0]["sixtofour_prefix"], "2002:c633:6453::/48");
    assert_eq!(i[0]["sixtofour"]["windows_host"], true);
    assert_eq!(i[1]["kind"], "teredo");
    assert_eq!(i[1]["teredo"]["server"], "65.54.227.120");
    assert_eq!(i[1]["teredo"]["client_ipv4"], "192.0.2.45");
    assert_eq!(i[1]["teredo"]["client_port"], 40000);
    assert_eq!(i[1]["teredo"]["cone"], true);
    assert_eq!(i[1]["ipv4"], "192.0.2.45");
    assert_eq!(i[2]["kind"], "isatap");
    assert_eq!(i[2]["isatap"]["universal"], false);
    assert_eq!(i[3]["isatap"]["universal"], true);
    assert_eq!(i[3]["ipv4"], "198.51.100.7");
    assert_eq!(i[4]["kind"], "other");
    assert_eq!(i[4]["ipv4"], Value::Null);
    assert_eq!(i[4]["description"], "documentation (RFC 3849)");
}

const STDIN: &str = "# addresses from the firewall log\r\n\
198.51.100.83\r\n\
\r\n\
LAPTOP-123\r\n\
2002:cb00:7100::/40\r\n\
203.0.113.0/33\r\n";

#[test]
fn stdin_bad_lines_are_reported_by_number_and_exit_2() {
    sixtofour()
        .arg("-")
        .write_stdin(STDIN)
        .assert()
        .code(2)
        .stdout(
            predicate::str::starts_with("PROBLEM  2 input(s) converted, 2 could not be read")
                .and(predicate::str::contains(
                    "stdin line 4: `LAPTOP-123` is not",
                ))
                .and(predicate::str::contains("stdin line 6: `203.0.113.0/33`"))
                .and(predicate::str::contains("2002:c633:6453::/48"))
                .and(predicate::str::contains("IPv4          203.0.113.0/24")),
        );
    let out = sixtofour()
        .args(["--json", "-"])
        .write_stdin(STDIN)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    // The readable lines are converted; the document says the rest failed.
    assert_eq!(doc["verdict"], "error");
    assert_eq!(doc["error"]["code"], "bad-input");
    assert_eq!(doc["inputs"].as_array().unwrap().len(), 2);
    assert_eq!(doc["inputs"][1]["source"], "stdin line 5");
    let bad: Vec<&str> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "6to4-bad-input")
        .map(|f| f["evidence"]["source"].as_str().unwrap())
        .collect();
    assert_eq!(bad, ["stdin line 4", "stdin line 6"]);
}

#[test]
fn stdin_in_utf16le_is_read() {
    let mut bytes = vec![0xff, 0xfe];
    bytes.extend(
        "198.51.100.83\r\n"
            .encode_utf16()
            .flat_map(u16::to_le_bytes),
    );
    sixtofour()
        .arg("-")
        .write_stdin(bytes)
        .assert()
        .code(0)
        .stdout(predicate::str::contains("2002:c633:6453::c633:6453"));
}

#[test]
fn non_global_ipv4_warns_but_exits_0() {
    let (doc, code) = json(&["100.64.3.4", "2002:c0a8:101::c0a8:101"]);
    assert_eq!(code, 0);
    assert_eq!(doc["verdict"], "ok");
    let f = doc["findings"].as_array().unwrap();
    assert_eq!(f.len(), 2);
    assert!(
        f.iter()
            .all(|f| f["code"] == "6to4-non-global-ipv4" && f["severity"] == "warn")
    );
    assert_eq!(f[0]["evidence"]["range"], "100.64.0.0/10");
    assert_eq!(f[1]["evidence"]["ipv4"], "192.168.1.1");
    // The conversion itself is still printed.
    assert_eq!(doc["inputs"][0]["sixtofour_prefix"], "2002:6440:304::/48");
}

#[test]
fn quiet_prints_only_the_verdict_and_failures() {
    sixtofour()
        .args(["-q", "100.64.3.4", "nonsense"])
        .assert()
        .code(2)
        .stdout(
            predicate::str::contains("6to4-bad-input")
                .and(predicate::str::contains("6to4-non-global-ipv4").not())
                .and(predicate::str::contains("2002:6440:304").not()),
        );
}

#[test]
fn netlogon_crlf_human_view() {
    let out = sixtofour()
        .args([
            "--netlogon",
            "fixtures/netlogon-crlf.log",
            "--site",
            "Dublin",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    insta::assert_snapshot!(String::from_utf8(out.stdout).unwrap());
}

#[test]
fn netlogon_utf16le_human_view() {
    let out = sixtofour()
        .args(["--netlogon", "fixtures/netlogon-utf16le.log"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    insta::assert_snapshot!(String::from_utf8(out.stdout).unwrap());
}

#[test]
fn netlogon_crlf_json_summary() {
    let (doc, code) = json(&["--netlogon", "fixtures/netlogon-crlf.log"]);
    assert_eq!(code, 0);
    let n = &doc["netlogon"];
    assert_eq!(n["encoding"], "utf-8");
    assert_eq!(n["lines"], 14);
    assert_eq!(n["no_client_site_lines"], 6);
    assert_eq!(
        n["prefixes_to_assign"],
        serde_json::json!(["2002:c633:6400::/40", "2002:cb00:7100::/40"])
    );
    assert_eq!(
        n["computers_affected"],
        serde_json::json!(["LAPTOP-123", "LAPTOP-207", "LAPTOP-305", "LAPTOP-88"])
    );
    let nets = n["networks"].as_array().unwrap();
    assert_eq!(nets.len(), 3);
    assert_eq!(nets[0]["network"], "192.0.2.0/24");
    assert_eq!(
        nets[0]["teredo_computers"],
        serde_json::json!(["LAPTOP-305"])
    );
    assert_eq!(nets[0]["sixtofour_prefix"], Value::Null);
    assert_eq!(nets[1]["network"], "198.51.100.0/24");
    assert_eq!(
        nets[1]["sixtofour_computers"],
        serde_json::json!(["LAPTOP-123", "LAPTOP-207"])
    );
    let laptop123 = &n["clients"][0];
    assert_eq!(laptop123["computer"], "LAPTOP-123");
    assert_eq!(laptop123["kind"], "6to4");
    assert_eq!(laptop123["public_ipv4"], "198.51.100.83");
    assert_eq!(laptop123["lines"], 2);
    assert_eq!(laptop123["first_line"], 5);
    assert_eq!(laptop123["last_seen"], "08/14 10:02:37");
    let codes = cli::code_names(&doc);
    assert_eq!(codes, ["6to4-no-client-site", "6to4-teredo-no-site"]);
}

#[test]
fn netlogon_utf16le_json_summary() {
    let (doc, code) = json(&[
        "--netlogon",
        "fixtures/netlogon-utf16le.log",
        "--site",
        "Dublin",
    ]);
    assert_eq!(code, 0);
    let n = &doc["netlogon"];
    assert_eq!(n["encoding"], "utf-16le");
    assert_eq!(n["lines"], 9);
    assert_eq!(n["no_client_site_lines"], 5);
    assert_eq!(n["networks"][0]["network"], "100.64.7.0/24");
    assert_eq!(
        n["networks"][0]["non_global"],
        "shared address space (carrier-grade NAT)"
    );
    assert_eq!(
        n["networks"][1]["teredo_computers"],
        serde_json::json!(["LAPTOP-630"])
    );
    assert_eq!(
        doc["powershell"],
        serde_json::json!([
            r#"New-ADReplicationSubnet -Name "2002:6440:700::/40" -Site "Dublin""#,
            r#"New-ADReplicationSubnet -Name "2002:cb00:7100::/40" -Site "Dublin""#
        ])
    );
    let f = doc["findings"].as_array().unwrap();
    let truncated = f
        .iter()
        .find(|f| f["code"] == "6to4-bad-input")
        .expect("the cut-off last line is reported");
    assert_eq!(truncated["severity"], "warn");
    assert_eq!(truncated["evidence"]["line"], 9);
    assert!(f.iter().any(|f| f["code"] == "6to4-non-global-ipv4"));
}

#[test]
fn inputs_and_netlogon_together() {
    let (doc, code) = json(&["198.51.100.83", "--netlogon", "fixtures/netlogon-crlf.log"]);
    assert_eq!(code, 0);
    assert_eq!(doc["inputs"][0]["kind"], "ipv4");
    assert_eq!(doc["netlogon"]["no_client_site_lines"], 6);
}

#[test]
fn missing_netlogon_file_exits_2_with_a_reason() {
    sixtofour()
        .args(["--netlogon", "fixtures/no-such-netlogon.log"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains(
            "cannot read netlogon log fixtures/no-such-netlogon.log",
        ));
}

#[test]
fn nothing_to_do_is_a_usage_error() {
    sixtofour().assert().code(2);
}

#[test]
fn examples_human_view() {
    let out = sixtofour()
        .args([
            "198.51.100.83",
            "203.0.113.0/24",
            "2002:c633:6453::c633:6453",
            "2001:0:4136:e378:8000:63bf:3fff:fdd2",
            "fe80::5efe:10.0.0.1%12",
            "2001:db8::1",
            "--site",
            "NAME",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    insta::assert_snapshot!(String::from_utf8(out.stdout).unwrap());
}
