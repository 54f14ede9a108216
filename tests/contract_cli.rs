//! The scripting contract of issue #13 from the outside: the same error
//! code and exit status for the same situation in every command, a closed
//! stdout that keeps the verdict's exit status in both views, `pcap --each`,
//! duplicate inputs read once, gzip-compressed captures. (Every document
//! validating against the schema is tests/json_schema.rs.)

#[path = "support/cli.rs"]
mod cli;

use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use flate2::Compression;
use flate2::write::GzEncoder;
use serde_json::Value;

use cli::{code_names, command};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const FRAGS_CLIENT: &str = "fixtures/ike-frags-dropped-809-client.pcapng";
const FRAGS_SERVER: &str = "fixtures/ike-frags-dropped-809-server.pcapng";
const HEALTHY: &str = "fixtures/ike-skf-success-client.pcapng";

/// `aovpn-diag --json ARGS`: the document and the exit status (any
/// status: error documents are what some tests want).
fn json(args: &[&str]) -> (Value, i32) {
    let out = command(args[0])
        .arg("--json")
        .args(&args[1..])
        .output()
        .unwrap();
    let doc = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{args:?}: no JSON document ({e}); stderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (doc, out.status.code().unwrap())
}

fn path(rel: &str) -> PathBuf {
    Path::new(ROOT).join(rel)
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = GzEncoder::new(Vec::new(), Compression::default());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

// ---- one code, one exit status, in every command -------------------------

/// An unknown host (`.invalid`, answered by the resolver itself, RFC 6761)
/// is `unknown-host`, exit 2, with JSON, in each command that takes a server.
#[test]
fn an_unknown_host_is_the_same_error_in_probe_mtu_lb_and_check() {
    for cmd in ["probe", "mtu", "lb", "check"] {
        let (doc, code) =
            json(&[cmd, "no-such-vpn.invalid.", "--no-mtu"][..if cmd == "check" { 3 } else { 2 }]);
        assert_eq!(code, 2, "{cmd}: {doc}");
        assert_eq!(doc["verdict"], "error", "{cmd}");
        assert_eq!(doc["error"]["code"], "unknown-host", "{cmd}: {doc}");
        assert!(
            doc["error"]["message"]
                .as_str()
                .unwrap()
                .contains("no-such-vpn.invalid"),
            "{cmd}: {doc}"
        );
        assert!(!doc["error"]["hint"].as_str().unwrap().is_empty());
    }
}

/// A missing file is `file-not-found`, exit 2, in every command that reads one.
#[test]
fn a_missing_file_is_the_same_error_in_every_command() {
    for args in [
        vec!["pcap", "fixtures/no-such.pcap"],
        vec!["events", "fixtures/no-such.evtx"],
        vec!["profile", "fixtures/no-such.pbk"],
        vec!["6to4", "--netlogon", "fixtures/no-such.log"],
    ] {
        let (doc, code) = json(&args);
        assert_eq!(code, 2, "{args:?}: {doc}");
        assert_eq!(doc["error"]["code"], "file-not-found", "{args:?}: {doc}");
        assert!(
            doc["error"]["message"]
                .as_str()
                .unwrap()
                .contains("no-such")
        );
        assert_eq!(doc["findings"], serde_json::json!([]));
    }
}

/// A file of the wrong kind is the command's own "not a ..." code.
#[test]
fn a_file_of_the_wrong_kind_says_what_it_is_not() {
    for (args, want) in [
        (vec!["pcap", "fixtures/rasphone.pbk"], "not-a-capture"),
        (vec!["events", "fixtures/rasphone.pbk"], "not-an-event-log"),
        (
            vec!["profile", "fixtures/edge-garbage.bin"],
            "not-a-phonebook",
        ),
    ] {
        let (doc, code) = json(&args);
        assert_eq!(
            (code, doc["error"]["code"].as_str()),
            (2, Some(want)),
            "{doc}"
        );
    }
}

/// A usage error from the argument parser is a JSON document too when
/// `--json` is anywhere on the command line; without it, no stdout.
#[test]
fn usage_errors_are_json_when_json_is_asked_for() {
    for sub in aovpn_diag::cli::PAGE_COMMANDS {
        for args in [
            vec!["--json", sub, "--no-such-option"],
            vec![sub, "--no-such-option", "--json"],
        ] {
            let out = cli::bin().args(&args).output().unwrap();
            assert_eq!(out.status.code(), Some(2), "{args:?}");
            let doc: Value =
                serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{args:?}: {e}"));
            assert_eq!(doc["command"], *sub);
            assert_eq!(doc["error"]["code"], "usage");
            assert!(
                doc["error"]["message"]
                    .as_str()
                    .unwrap()
                    .contains("--no-such-option"),
                "{doc}"
            );
            // The person at the terminal still gets clap's message.
            assert!(String::from_utf8_lossy(&out.stderr).contains("--no-such-option"));
        }
    }
    let out = cli::bin()
        .args(["pcap", "--no-such-option"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    // A value after `--` is not the flag.
    let out = cli::bin().args(["6to4", "--", "--json"]).output().unwrap();
    assert!(serde_json::from_slice::<Value>(&out.stdout).is_err());
}

/// `--help` and `--version` stay text, with or without `--json`.
#[test]
fn help_and_version_stay_text() {
    for args in [vec!["--json", "--help"], vec!["--json", "--version"]] {
        let out = cli::bin().args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(0));
        assert!(serde_json::from_slice::<Value>(&out.stdout).is_err());
    }
}

// ---- closed stdout ---------------------------------------------------------

/// Runs `aovpn-diag ARGS`, reads one line of its stdout and closes the pipe
/// (what `| head -1` does): its exit status and stderr, and how much the
/// whole output would have been (to know the pipe really filled up).
fn head_1(args: &[&str]) -> (i32, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_aovpn-diag"))
        .current_dir(ROOT)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert!(!first.is_empty());
    // The reader is gone; the rest of the output has nowhere to go.
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    let status = child.wait().unwrap();
    (status.code().unwrap_or(-1), err)
}

/// Every capture in fixtures/, for an output far larger than a pipe holds.
fn all_captures() -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(path("fixtures"))
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| format!("fixtures/{}", e.file_name().to_string_lossy()))
        .filter(|n| n.ends_with(".pcap") || n.ends_with(".pcapng"))
        // Holds no packet: an input error (exit 2) that would be the worst.
        .filter(|n| !n.ends_with("edge-pib-short.pcapng"))
        .collect();
    v.sort();
    v
}

#[test]
fn a_closed_pipe_keeps_the_verdicts_exit_status_in_both_views() {
    let captures = all_captures();
    for view in ["--json", "-v"] {
        let mut args = vec!["pcap", view, "--each"];
        args.extend(captures.iter().map(String::as_str));
        // The whole output is much more than a pipe buffers, so the writer
        // does meet the closed pipe.
        let full = cli::bin().current_dir(ROOT).args(&args).output().unwrap();
        assert!(
            full.stdout.len() > 256 * 1024,
            "{view}: {}",
            full.stdout.len()
        );
        assert_eq!(full.status.code(), Some(1), "{view}");
        let (code, err) = head_1(&args);
        assert_eq!(code, 1, "{view}: the verdict's code, not a write error");
        assert!(err.is_empty(), "{view}: nothing on stderr: {err}");
        // The same for the one-attempt view of a problem capture.
        let (code, err) = head_1(&["pcap", view, FRAGS_CLIENT, FRAGS_SERVER]);
        assert_eq!((code, err.as_str()), (1, ""), "{view}");
    }
    let (code, err) = head_1(&["pcap", "-v", HEALTHY]);
    assert_eq!((code, err.as_str()), (0, ""));
}

// ---- pcap --each -----------------------------------------------------------

#[test]
fn each_gives_one_verdict_per_file_and_the_worst_overall() {
    let (doc, code) = json(&["pcap", "--each", HEALTHY, FRAGS_CLIENT]);
    assert_eq!(code, 1, "{doc}");
    assert_eq!(doc["verdict"], "problem");
    let r = doc["results"].as_array().unwrap();
    assert_eq!(r.len(), 2);
    assert_eq!(
        (r[0]["file"].as_str(), r[0]["verdict"].as_str()),
        (Some(HEALTHY), Some("ok"))
    );
    assert_eq!(r[1]["verdict"], "problem");
    assert_eq!(r[1]["files"], serde_json::json!([FRAGS_CLIENT]));
    assert!(
        r[1]["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["code"] == "ike-auth-unanswered")
    );
    // Each file on its own: the server side alone is its own diagnosis, not
    // the merged one (which pairs both captures).
    let (each, _) = json(&["pcap", "--each", FRAGS_CLIENT, FRAGS_SERVER]);
    let (merged, _) = json(&["pcap", FRAGS_CLIENT, FRAGS_SERVER]);
    let (server, _) = json(&["pcap", FRAGS_SERVER]);
    assert_eq!(each["results"][1]["findings"], server["findings"]);
    assert_ne!(each["results"][1]["findings"], merged["findings"]);
    // Frame references in a result name its own file.
    assert!(
        each["results"][1]["sas"][0]["messages"]
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["frame"]["file"] == 1)
    );

    let (doc, code) = json(&["pcap", "--each", HEALTHY]);
    assert_eq!((code, doc["verdict"].as_str()), (0, Some("ok")));

    // An unreadable file is its own result; the others are still analysed;
    // the overall answer is the error (exit 2).
    let (doc, code) = json(&[
        "pcap",
        "--each",
        FRAGS_CLIENT,
        "fixtures/edge-garbage.bin",
        HEALTHY,
    ]);
    assert_eq!(code, 2, "{doc}");
    assert_eq!(doc["verdict"], "error");
    assert_eq!(doc["error"]["code"], "not-a-capture");
    let r = doc["results"].as_array().unwrap();
    let verdicts: Vec<&str> = r.iter().map(|x| x["verdict"].as_str().unwrap()).collect();
    assert_eq!(verdicts, ["problem", "error", "ok"]);
    assert_eq!(r[1]["error"]["code"], "not-a-capture");
    assert!(r[1].get("sas").is_none());

    // The human view: one block per file and a count.
    let out = command("pcap")
        .args(["--each", FRAGS_CLIENT, "fixtures/edge-garbage.bin", HEALTHY])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains(&format!("== {FRAGS_CLIENT} ==")), "{text}");
    assert!(text.contains("ERROR  not-a-capture"), "{text}");
    assert!(
        text.contains("3 capture(s): 1 problem, 1 ok, 1 unreadable"),
        "{text}"
    );
}

// ---- duplicates ------------------------------------------------------------

/// The same capture twice (same path, another spelling of it, or a copy)
/// is read once, with an info finding; it used to look like IP fragments
/// that never all arrived (`ip-fragments-missing`).
#[test]
fn a_capture_given_twice_is_read_once() {
    let (single, single_code) = json(&["pcap", FRAGS_CLIENT]);
    assert!(!code_names(&single).contains(&"ip-fragments-missing"));
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("copy.pcapng");
    fs::copy(path(FRAGS_CLIENT), &copy).unwrap();
    let dotted = format!("fixtures/../{FRAGS_CLIENT}");
    for (second, how) in [
        (FRAGS_CLIENT.to_owned(), "same-path"),
        (dotted, "same-path"),
        (copy.display().to_string(), "same-content"),
    ] {
        let (doc, code) = json(&["pcap", FRAGS_CLIENT, &second]);
        assert_eq!(code, single_code, "{second}");
        let codes = code_names(&doc);
        assert!(
            !codes.contains(&"ip-fragments-missing"),
            "{second}: {codes:?}"
        );
        let dup = cli::finding(&doc, "duplicate-capture");
        assert_eq!(dup["severity"], "info");
        assert_eq!(dup["evidence"]["how"], how);
        assert_eq!(dup["evidence"]["input"], 2);
        assert_eq!(dup["evidence"]["same_as_input"], 1);
        // Everything else is what the capture alone shows.
        let rest: Vec<&Value> = doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["code"] != "duplicate-capture")
            .collect();
        let alone: Vec<&Value> = single["findings"].as_array().unwrap().iter().collect();
        assert_eq!(rest, alone, "{second}");
        assert_eq!(doc["stats"], single["stats"]);
        assert_eq!(doc["files"].as_array().unwrap().len(), 2);

        // --each: one result, the note in the envelope.
        let (each, code) = json(&["pcap", "--each", FRAGS_CLIENT, &second]);
        assert_eq!(code, single_code);
        assert_eq!(each["results"].as_array().unwrap().len(), 1);
        assert_eq!(code_names(&each), ["duplicate-capture"]);
    }
}

// ---- gzip ------------------------------------------------------------------

/// A gzip-compressed capture reads as the capture itself, whatever its
/// name; a cut-short one is analysed up to the cut.
#[test]
fn gzip_compressed_captures_are_read_directly() {
    let dir = tempfile::tempdir().unwrap();
    for fixture in [FRAGS_CLIENT, "fixtures/ike-udp4500-blocked-client.pcap"] {
        let bytes = fs::read(path(fixture)).unwrap();
        let name = Path::new(fixture)
            .file_name()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let gz = dir.path().join(format!("{name}.gz"));
        let misnamed = dir.path().join(format!("{name}.bin"));
        fs::write(&gz, gzip(&bytes)).unwrap();
        fs::write(&misnamed, gzip(&bytes)).unwrap();
        let (plain, plain_code) = json(&["pcap", fixture]);
        for file in [&gz, &misnamed] {
            let (doc, code) = json(&["pcap", file.to_str().unwrap()]);
            assert_eq!(code, plain_code, "{}", file.display());
            assert_eq!(doc["findings"], plain["findings"], "{}", file.display());
            assert_eq!(doc["stats"], plain["stats"]);
            assert_eq!(doc["sas"], plain["sas"]);
        }
    }

    // Cut short: what was decoded is analysed, and the capture says why it ends.
    let bytes = fs::read(path(FRAGS_CLIENT)).unwrap();
    let mut cut = gzip(&bytes);
    cut.truncate(cut.len() * 2 / 3);
    let short = dir.path().join("short.pcapng.gz");
    fs::write(&short, cut).unwrap();
    let (doc, code) = json(&["pcap", short.to_str().unwrap()]);
    assert!(matches!(code, 0 | 1), "{doc}");
    let t = cli::finding(&doc, "capture-truncated");
    assert!(t["summary"].as_str().unwrap().contains("gzip"), "{t}");
    assert!(doc["stats"]["packets"].as_u64().unwrap() > 0);

    // A compressed file that is not a capture says so.
    let junk = dir.path().join("junk.gz");
    fs::write(&junk, gzip(b"this is not a capture at all")).unwrap();
    let (doc, code) = json(&["pcap", junk.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert_eq!(doc["error"]["code"], "not-a-capture");
    assert!(
        doc["error"]["message"].as_str().unwrap().contains("gzip"),
        "{doc}"
    );

    // And from stdin.
    let out = command("pcap")
        .args(["--json", "-"])
        .write_stdin(gzip(&bytes))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
}

/// A usage error names what is wrong in full: the missing argument, the
/// value out of range (found by a new-user trial: the message stopped at
/// "not provided:").
#[test]
fn usage_errors_name_the_missing_argument_and_the_bad_value() {
    for (args, names) in [
        (vec!["pcap"], "<FILE>..."),
        (vec!["probe"], "<SERVER>"),
        (vec!["6to4"], "<ADDRESS>..."),
        (
            vec!["pcap", "--frag-timeout", "0", "x.pcap"],
            "--frag-timeout",
        ),
        (vec!["pcap", "--ike-port", "0", "x.pcap"], "--ike-port"),
    ] {
        let (doc, code) = json(&args);
        assert_eq!(code, 2, "{args:?}: {doc:#}");
        assert_eq!(doc["error"]["code"], "usage");
        let message = doc["error"]["message"].as_str().unwrap();
        assert!(message.contains(names), "{args:?}: {message}");
    }
}

/// A capture with a header and not one packet is an input error naming
/// that, not `no-ike-traffic` (a network verdict with error 809) — found by
/// a new-user trial.
#[test]
fn a_capture_without_packets_is_an_input_error_not_error_809() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("header-only.pcap");
    let whole = fs::read(path("fixtures/ike-udp4500-blocked-client.pcap")).unwrap();
    fs::write(&empty, &whole[..24]).unwrap();
    let (doc, code) = json(&["pcap", empty.to_str().unwrap()]);
    assert_eq!(code, 2, "{doc:#}");
    assert_eq!(doc["error"]["code"], "no-packets");
    assert!(doc["findings"].as_array().unwrap().is_empty(), "{doc:#}");
    let (doc, code) = json(&["pcap", "--each", empty.to_str().unwrap()]);
    assert_eq!(code, 2, "{doc:#}");
    let message = doc["error"]["message"].as_str().unwrap();
    assert!(!message.contains("the others"), "{message}");
}
