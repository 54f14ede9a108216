//! Every `--json` document validates against the checked-in schema
//! (`schema/aovpn-diag.schema.json`): every command on every fixture, every
//! error path, usage errors included. And the exit status follows from the
//! document alone: `ok` 0, `problem` 1, `error` the exit code of its
//! `error.code` in the registry.
//!
//! A new subcommand fails `every_subcommand_has_schema_cases` until it has
//! a line in `src/report/schema.rs` (`bodies!`) and cases in [`cases`].

#[path = "support/cli.rs"]
mod cli;
#[path = "support/schema.rs"]
mod schema;

use std::fs;
use std::path::Path;

use clap::CommandFactory;
use serde_json::Value;

use aovpn_diag::cli::Cli;
use aovpn_diag::exit::ErrorCode;
use aovpn_diag::report::schema::COMMANDS;

/// The fixtures of `dir` whose names end in one of `exts`, sorted.
fn fixtures(dir: &str, exts: &[&str]) -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut v: Vec<String> = fs::read_dir(root.join(dir))
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| exts.iter().any(|x| n.ends_with(x)))
        .map(|n| format!("{dir}/{n}"))
        .collect();
    v.sort();
    v
}

/// One run: the command's arguments (before `--json`, which is added).
struct Case {
    args: Vec<String>,
}

fn case(args: &[&str]) -> Case {
    Case {
        args: args.iter().map(|s| (*s).to_owned()).collect(),
    }
}

/// The runs per command: every fixture, every error path the command has
/// without a network, and a usage error.
fn cases(command: &str) -> Vec<Case> {
    let mut v = Vec::new();
    match command {
        "pcap" => {
            let captures = fixtures("fixtures", &[".pcap", ".pcapng"]);
            for f in &captures {
                v.push(case(&["pcap", f]));
            }
            // Both sides of attempts, and all of them --each.
            v.push(case(&[
                "pcap",
                "fixtures/ike-frags-dropped-809-client.pcapng",
                "fixtures/ike-frags-dropped-809-server.pcapng",
            ]));
            let mut each: Vec<&str> = vec!["pcap", "--each"];
            each.extend(captures.iter().map(String::as_str));
            each.push("fixtures/edge-garbage.bin");
            v.push(case(&each));
            v.push(case(&[
                "pcap",
                "--each",
                "fixtures/ike-skf-success-client.pcapng",
            ]));
            v.push(case(&["pcap", "fixtures/edge-garbage.bin"]));
            v.push(case(&["pcap", "fixtures/no-such-file.pcap"]));
            v.push(case(&["pcap", "-", "-"]));
        }
        "6to4" => {
            v.push(case(&[
                "6to4",
                "198.51.100.83",
                "203.0.113.0/24",
                "--site",
                "X",
            ]));
            v.push(case(&[
                "6to4",
                "2002:c633:6453::c633:6453",
                "2001:0:4136:e378:8000:63bf:3fff:fdd2",
                "fe80::200:5efe:c633:6453",
                "2001:db8::1",
            ]));
            v.push(case(&["6to4", "198.51.100.83", "nonsense"]));
            v.push(case(&["6to4", "--netlogon", "fixtures/netlogon-crlf.log"]));
            v.push(case(&[
                "6to4",
                "--netlogon",
                "fixtures/netlogon-utf16le.log",
                "-v",
            ]));
            v.push(case(&["6to4", "--netlogon", "fixtures/no-such.log"]));
        }
        "profile" => {
            v.push(case(&["profile", "fixtures/rasphone.pbk"]));
            v.push(case(&["profile", "fixtures/pbk-key-case.pbk"]));
            v.push(case(&["profile", "fixtures/edge-garbage.bin"]));
            v.push(case(&["profile", "fixtures/no-such.pbk"]));
        }
        "events" => {
            for f in fixtures("fixtures/events", &[".xml", ".evtx"]) {
                v.push(case(&["events", &f]));
            }
            v.push(case(&["events", "fixtures/rasphone.pbk"]));
            v.push(case(&["events", "fixtures/no-such.evtx"]));
            v.push(case(&[
                "events",
                "--since",
                "2h",
                "fixtures/events/error-809-wevtutil.xml",
            ]));
            if !cfg!(windows) {
                v.push(case(&["events"])); // no FILE outside Windows: usage
            }
        }
        // Loopback only: nothing listens on UDP 500/4500 there.
        "probe" => {
            v.push(case(&[
                "probe",
                "127.0.0.1",
                "--timeout",
                "0.1",
                "--retransmits",
                "0",
            ]));
            v.push(case(&["probe", "-6", "127.0.0.1"]));
            v.push(case(&["probe", "no-such-vpn.invalid."]));
            v.push(case(&["probe", "vpn.example.com:443"]));
        }
        "mtu" => {
            v.push(case(&["mtu", "127.0.0.1", "--max", "1500"]));
            v.push(case(&[
                "mtu",
                "127.0.0.1",
                "--min",
                "1500",
                "--max",
                "1400",
            ]));
            v.push(case(&["mtu", "no-such-vpn.invalid."]));
        }
        // Loopback only: nothing answers IKE there (exit 3, the rounds in
        // the document); every input error before the first packet.
        "lb" => {
            v.push(case(&[
                "lb",
                "127.0.0.1",
                "--rounds",
                "2",
                "--timeout",
                "0.1",
                "--retransmits",
                "0",
            ]));
            v.push(case(&["lb", "2001:db8::10", "--find-backends"]));
            v.push(case(&[
                "lb",
                "198.51.100.10",
                "--find-backends",
                "0.0.0.0/4",
            ]));
            v.push(case(&["lb", "198.51.100.10", "--backends", "nope"]));
            v.push(case(&["lb", "no-such-vpn.invalid."]));
        }
        "check" => {
            v.push(case(&[
                "check",
                "127.0.0.1",
                "--timeout",
                "0.2",
                "--no-mtu",
            ]));
            v.push(case(&["check", "no-such-vpn.invalid.", "--no-mtu"]));
            v.push(case(&["check", "not a host"]));
        }
        "capture" => {
            // Without the `live` feature every run is `live-capture-not-built`
            // with the recipe; with it, the interface list and an unknown
            // interface (the permission error: `capture_errors_validate`).
            v.push(case(&["capture", "--list-interfaces"]));
            v.push(case(&[
                "capture",
                "--interface",
                "aovd-no-such-if",
                "--duration",
                "1",
            ]));
            if !cfg!(feature = "live") {
                v.push(case(&[
                    "capture",
                    "--server",
                    "198.51.100.7",
                    "--write",
                    "attempt.pcapng",
                ]));
            }
            v.push(case(&["capture", "--duration", "soon"]));
        }
        "completions" => {
            for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
                v.push(case(&["completions", shell]));
            }
        }
        "man" => {
            v.push(case(&["man"]));
            v.push(case(&["man", "pcap"]));
            v.push(case(&["man", "no-such-command"]));
        }
        _ => {}
    }
    if !v.is_empty() {
        v.push(case(&[command, "--no-such-option"]));
    }
    v
}

/// Runs `aovpn-diag --json ARGS`, validates its one document and checks
/// that the exit status is the one the document implies.
fn check(c: &Case) -> Result<(), String> {
    let out = cli::command(&c.args[0])
        .arg("--json")
        .args(&c.args[1..])
        .output()
        .unwrap();
    let code = out.status.code().unwrap_or(-1);
    let doc: Value = serde_json::from_slice(&out.stdout).map_err(|e| {
        format!(
            "{:?}: not one JSON document ({e}), exit {code}\nstdout: {}\nstderr: {}",
            c.args,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })?;
    let errors = schema::errors(&doc);
    if !errors.is_empty() {
        return Err(format!(
            "{:?}: invalid document:\n  {}",
            c.args,
            errors.join("\n  ")
        ));
    }
    let expected = match doc["verdict"].as_str() {
        Some("ok") => 0,
        Some("problem") => 1,
        Some("error") => {
            let name = doc["error"]["code"].as_str().unwrap_or_default();
            let ec = ErrorCode::ALL
                .iter()
                .find(|e| e.as_str() == name)
                .ok_or_else(|| format!("{:?}: unknown error code {name}", c.args))?;
            i32::from(ec.exit().code())
        }
        other => return Err(format!("{:?}: verdict {other:?}", c.args)),
    };
    if code != expected {
        return Err(format!(
            "{:?}: exit {code}, but the document ({} / {}) means {expected}",
            c.args, doc["verdict"], doc["error"]["code"]
        ));
    }
    if doc["command"] != c.args[0].as_str() {
        return Err(format!("{:?}: command {}", c.args, doc["command"]));
    }
    Ok(())
}

fn run_all(command: &str) {
    let cases = cases(command);
    assert!(!cases.is_empty(), "no schema cases for {command}");
    let failures: Vec<String> = cases.iter().filter_map(|c| check(c).err()).collect();
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Every subcommand clap knows has a body in the schema and cases here.
#[test]
fn every_subcommand_has_schema_cases() {
    for sub in Cli::command().get_subcommands() {
        let name = sub.get_name();
        assert!(
            COMMANDS.contains(&name),
            "{name} has no body in the schema: add one line to bodies! in src/report/schema.rs"
        );
        assert!(
            !cases(name).is_empty(),
            "{name} has no cases in tests/json_schema.rs"
        );
    }
    assert_eq!(
        COMMANDS.len(),
        Cli::command().get_subcommands().count(),
        "the schema lists a command clap does not have"
    );
}

#[test]
fn pcap_documents_validate() {
    run_all("pcap");
}

#[test]
fn sixtofour_documents_validate() {
    run_all("6to4");
}

#[test]
fn profile_documents_validate() {
    run_all("profile");
}

#[test]
fn events_documents_validate() {
    run_all("events");
}

#[test]
fn probe_documents_validate() {
    run_all("probe");
}

#[test]
fn lb_documents_validate() {
    run_all("lb");
}

#[test]
fn mtu_documents_validate() {
    run_all("mtu");
}

#[test]
fn check_documents_validate() {
    run_all("check");
}

#[test]
fn capture_documents_validate() {
    run_all("capture");
}

/// The error documents of `capture` by code: without the feature the one
/// with the recipe; with it (Linux), no rights to capture (as nobody when
/// root) and an unknown interface.
#[test]
fn capture_errors_validate() {
    let (doc, code) = cli::json("capture", &["--interface", "aovd-no-such-if"]);
    let expected = if cfg!(feature = "live") {
        ("unknown-interface", 2)
    } else {
        ("live-capture-not-built", 3)
    };
    assert_eq!((doc["error"]["code"].as_str().unwrap(), code), expected);
    assert!(schema::validator().is_valid(&doc), "{doc}");
    if !cfg!(feature = "live") {
        assert!(
            doc["recipe"]["steps"]
                .as_array()
                .is_some_and(|s| !s.is_empty())
        );
    }
    #[cfg(all(feature = "live", target_os = "linux"))]
    {
        let bin = env!("CARGO_BIN_EXE_aovpn-diag");
        let root = fs::read_to_string("/proc/self/status")
            .unwrap()
            .lines()
            .any(|l| l.starts_with("Uid:") && l.split_whitespace().nth(2) == Some("0"));
        let mut cmd = if root {
            let mut c = std::process::Command::new("setpriv");
            c.args(["--reuid=65534", "--regid=65534", "--clear-groups", bin]);
            c
        } else {
            std::process::Command::new(bin)
        };
        let out = cmd
            .args(["capture", "--interface", "lo", "--duration", "1", "--json"])
            .output()
            .unwrap();
        let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(doc["error"]["code"], "capture-not-permitted", "{doc}");
        assert_eq!(out.status.code(), Some(3));
        assert!(schema::validator().is_valid(&doc), "{doc}");
    }
}

#[test]
fn completions_documents_validate() {
    run_all("completions");
}

#[test]
fn man_documents_validate() {
    run_all("man");
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("man1");
    check(&case(&["man", "--dir", target.to_str().unwrap()])).unwrap();
}

/// A usage error that names no command: `command` is null.
#[test]
fn usage_errors_without_a_command_validate() {
    for args in [vec!["--json"], vec!["--json", "no-such-command"]] {
        let out = cli::bin().args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(2));
        let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert!(doc["command"].is_null(), "{doc}");
        assert_eq!(doc["error"]["code"], "usage");
        let errors: Vec<String> = schema::validator()
            .iter_errors(&doc)
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "{errors:?}");
    }
}

/// The schema is strict: a field it does not describe, a wrong type, or a
/// verdict without its error fails validation (so the tests above can fail).
#[test]
fn the_schema_rejects_what_it_does_not_describe() {
    let out = cli::command("pcap")
        .args(["--json", "fixtures/ike-skf-success-client.pcapng"])
        .output()
        .unwrap();
    let good: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(schema::validator().is_valid(&good));
    let mut extra = good.clone();
    extra["surprise"] = Value::Bool(true);
    assert!(
        !schema::validator().is_valid(&extra),
        "unknown top-level field"
    );
    let mut nested = good.clone();
    nested["sas"][0]["surprise"] = Value::Bool(true);
    assert!(
        !schema::validator().is_valid(&nested),
        "unknown nested field"
    );
    let mut frame = good.clone();
    frame["sas"][0]["messages"][0]["frame"] = Value::String("#1".into());
    assert!(!schema::validator().is_valid(&frame), "frame as a string");
    let mut verdict = good.clone();
    verdict["verdict"] = Value::String("error".into());
    assert!(
        !schema::validator().is_valid(&verdict),
        "error verdict without error"
    );
    let mut command = good;
    command["command"] = Value::String("probe".into());
    assert!(
        !schema::validator().is_valid(&command),
        "a pcap body under another command"
    );
}
