//! `aovpn-diag events` end to end on the fixtures in `fixtures/events/`
//! (see fixtures/README.md for what each is and where its shape comes from).

#[path = "support/cli.rs"]
mod cli;

use std::path::Path;

use cli::{codes, command, json};

const DIR: &str = "fixtures/events";

fn fixture(name: &str) -> String {
    format!("{DIR}/{name}")
}

/// The codes of a run's findings with their severities, in order.
fn run(files: &[&str]) -> (serde_json::Value, i32) {
    let paths: Vec<String> = files.iter().map(|f| fixture(f)).collect();
    let args: Vec<&str> = paths.iter().map(String::as_str).collect();
    json("events", &args)
}

fn pair(code: &str, severity: &str) -> (String, String) {
    (code.to_owned(), severity.to_owned())
}

#[test]
fn success_is_ok_with_the_attempt_connected() {
    let (doc, code) = run(&["success-wevtutil.xml"]);
    assert_eq!(code, 0);
    assert_eq!(doc["verdict"], "ok");
    let a = &doc["attempts"][0];
    assert_eq!(a["outcome"], "connected");
    assert_eq!(a["stage"], "connected");
    assert_eq!(a["profile"], "Contoso Device Tunnel");
    assert_eq!(a["profile_type"], "all-user");
    assert_eq!(a["server"], "vpn.example.com");
    assert_eq!(a["strategy"], "IKEv2");
    assert_eq!(a["user"], "SYSTEM");
    assert_eq!(
        a["events"],
        serde_json::json!([20221, 20222, 20223, 20224, 20225])
    );
    assert_eq!(codes(&doc), [pair("vpn-connected", "info")]);
}

#[test]
fn error_809_names_the_check_to_run_against_the_server() {
    let (doc, code) = run(&["error-809-wevtutil.xml"]);
    assert_eq!(code, 1);
    assert_eq!(doc["attempts"].as_array().unwrap().len(), 2);
    assert_eq!(codes(&doc), [pair("rasclient-809", "fail")]);
    let f = &doc["findings"][0];
    assert_eq!(f["evidence"]["attempts"], 2);
    assert_eq!(f["evidence"]["error_name"], "ERROR_VPN_TIMEOUT");
    assert_eq!(f["evidence"]["confirm"], "aovpn-diag check vpn.example.com");
    assert_eq!(f["evidence"]["first"], "2026-11-30T08:14:02.211Z");
    let a = &doc["attempts"][0];
    assert_eq!(a["correlation_id"], "B4000371-A67F-452F-AA4C-3125AA9CFC78");
    assert_eq!(a["stage"], "trying-server");
    assert_eq!(a["error"]["code"], "809");
    assert_eq!(a["device"], "WAN Miniport (IKEv2)");
}

#[test]
fn error_13801_from_powershell_utf16_output() {
    let (doc, code) = run(&["error-13801-getwinevent-utf16.xml"]);
    assert_eq!(code, 1);
    assert_eq!(codes(&doc), [pair("rasclient-13801", "fail")]);
    assert_eq!(doc["attempts"][0]["user"], "CORP\\bob");
    assert_eq!(doc["sources"][0]["format"], "event-xml");
}

#[test]
fn error_13868_points_at_the_proposal_probe_and_the_profile() {
    let (doc, code) = run(&["error-13868-wevtutil.xml"]);
    assert_eq!(code, 1);
    assert_eq!(codes(&doc), [pair("rasclient-13868", "fail")]);
    let confirm = doc["findings"][0]["evidence"]["confirm"].as_str().unwrap();
    assert!(confirm.contains("--proposals all"), "{confirm}");
    assert_eq!(doc["attempts"][0]["profile_type"], "per-user");
}

#[test]
fn error_812_sends_the_admin_to_the_nps_server() {
    let (doc, code) = run(&["error-812-wevtutil.xml"]);
    assert_eq!(code, 1);
    assert_eq!(codes(&doc), [pair("rasclient-812", "fail")]);
    let remedy = doc["findings"][0]["remedy"].as_str().unwrap();
    assert!(remedy.contains("6273"), "{remedy}");
}

#[test]
fn a_dropped_connection_is_a_warning_with_its_reason() {
    let (doc, code) = run(&["dropped-wevtutil.xml"]);
    assert_eq!(code, 0);
    assert_eq!(
        codes(&doc),
        [
            pair("vpn-connection-dropped", "warn"),
            pair("vpn-connected", "info")
        ]
    );
    let a = &doc["attempts"][0];
    assert_eq!(a["outcome"], "dropped");
    assert_eq!(a["error"]["name"], "ERROR_LINK_FAILURE");
    assert_eq!(doc["findings"][0]["evidence"]["reason_code"], "829");
}

#[test]
fn wfp_ike_failures_join_the_rasclient_attempt() {
    let (doc, code) = run(&[
        "error-13801-getwinevent-utf16.xml",
        "wfp-netevents-13801.xml",
    ]);
    assert_eq!(code, 1);
    assert_eq!(
        codes(&doc),
        [
            pair("rasclient-13801", "fail"),
            pair("ike-mm-failure", "fail")
        ]
    );
    let f = &doc["findings"][1];
    assert_eq!(f["evidence"]["count"], 2);
    assert_eq!(f["evidence"]["failure_point"], "IPSEC_FAILURE_PEER");
    assert_eq!(f["evidence"]["remote_address"], "198.51.100.7");
    assert_eq!(doc["ike_failures"].as_array().unwrap().len(), 2);
    assert_eq!(doc["stats"]["other_net_events"], 1);
    assert_eq!(doc["sources"][1]["format"], "wfp-xml");
}

/// The EVTX file holds the same events as the XML export it was made from
/// (fixtures/events/make_evtx.py): the same attempts come out.
#[test]
fn evtx_and_xml_of_the_same_events_agree() {
    let (xml, _) = run(&["error-809-wevtutil.xml"]);
    let (evtx, code) = run(&["rasclient-809.evtx"]);
    assert_eq!(code, 1);
    assert_eq!(evtx["sources"][0]["format"], "evtx");
    assert_eq!(evtx["sources"][0]["events"], 6);
    assert_eq!(xml["attempts"], evtx["attempts"]);
    assert_eq!(xml["findings"], evtx["findings"]);
    let (ok, code) = run(&["rasclient-success.evtx"]);
    assert_eq!(code, 0);
    assert_eq!(ok["attempts"][0]["outcome"], "connected");
}

#[test]
fn since_leaves_everything_out_of_an_old_export() {
    let (doc, code) = json(
        "events",
        &["--since", "1h", &fixture("error-809-wevtutil.xml")],
    );
    assert_eq!(code, 0);
    assert_eq!(codes(&doc), [pair("no-vpn-attempts", "warn")]);
    assert_eq!(doc["stats"]["outside_window"], 6);
    assert!(doc["window"]["since"].is_string());
}

/// Exit 2 with one clear line, never a panic, for every damaged input.
#[test]
fn corrupted_inputs_are_input_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let evtx = std::fs::read(fixture("rasclient-809.evtx")).unwrap();
    let mut cases: Vec<(String, Vec<u8>, &str)> = vec![
        ("header-only.evtx".into(), evtx[..100].to_vec(), "EVTX"),
        (
            "garbage.xml".into(),
            b"\x00\x01\x02 not events".to_vec(),
            "is binary data, not an event export",
        ),
        ("empty.xml".into(), Vec::new(), "is empty"),
    ];
    // A chunk whose records are all overwritten: nothing readable.
    let mut smashed = evtx.clone();
    for b in &mut smashed[4096 + 512..] {
        *b = 0xA5;
    }
    cases.push(("smashed.evtx".into(), smashed, "EVTX"));
    for (name, bytes, expect) in &cases {
        let path = tmp.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        let out = command("events").arg(&path).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{name}: {err}");
        assert!(err.contains(expect), "{name}: {err}");
        assert_eq!(err.lines().count(), 1, "{name}: {err}");
        assert!(out.stdout.is_empty(), "{name}");
    }
    for (name, expect) in [
        ("corrupt-truncated.xml", "ends inside an element"),
        (
            "corrupt-mismatched.xml",
            "line 9: ill-formed document: expected `</Event>`",
        ),
    ] {
        let out = command("events").arg(fixture(name)).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{name}: {err}");
        assert!(err.contains(expect), "{name}: {err}");
        assert!(err.len() < 400, "{name}: {err}");
    }
    let out = command("events").arg("no/such/file.evtx").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

/// Damaged records in an otherwise good EVTX file are skipped and counted;
/// the rest is still judged.
#[test]
fn damaged_records_are_skipped_with_a_warning() {
    let tmp = tempfile::tempdir().unwrap();
    let mut evtx = std::fs::read(fixture("rasclient-809.evtx")).unwrap();
    for b in &mut evtx[4096 + 512..4096 + 4096] {
        *b = 0xA5;
    }
    let path = tmp.path().join("first-records-smashed.evtx");
    std::fs::write(&path, &evtx).unwrap();
    let (doc, code) = json("events", &[path.to_str().unwrap()]);
    assert_eq!(code, 1);
    let found = codes(&doc);
    assert!(found.contains(&pair("rasclient-809", "fail")), "{found:?}");
    assert!(
        found.contains(&pair("events-records-skipped", "warn")),
        "{found:?}"
    );
    assert!(doc["stats"]["records_skipped"].as_u64().unwrap() >= 1);
}

/// Every byte of the EVTX fixture flipped in turn (a sample of positions):
/// the reader answers or refuses, it never panics or hangs.
#[test]
fn flipped_evtx_bytes_never_panic() {
    let evtx = std::fs::read(fixture("rasclient-809.evtx")).unwrap();
    let mut c = aovpn_diag::events::input::Collected::default();
    for pos in (0..evtx.len()).step_by(97).chain(4096..4096 + 1200) {
        let mut bytes = evtx.clone();
        bytes[pos] ^= 0xFF;
        let _ = aovpn_diag::events::input::read_bytes("flip.evtx", &bytes, &mut c);
        c = Default::default();
    }
}

#[test]
fn human_view_shows_the_attempts_and_the_fix() {
    let out = command("events")
        .arg(fixture("error-809-wevtutil.xml"))
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with("PROBLEM  2 VPN connection attempt(s), 2 failed"),
        "{text}"
    );
    assert!(text.contains("Contoso VPN"));
    assert!(text.contains("fix:"));
    assert!(text.contains("aovpn-diag check vpn.example.com"));
}

/// Without FILE: on Windows the local logs are read with wevtutil (Wine's
/// wevtutil is a stub that prints nothing: exit 3 naming it); elsewhere a
/// usage error.
#[test]
fn no_file_reads_local_logs_only_on_windows() {
    let out = command("events").output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    if cfg!(windows) {
        // Real Windows reads the logs (0 or 1); Wine's stub reads nothing (3).
        let code = out.status.code().unwrap();
        assert!(matches!(code, 0 | 1 | 3), "{code}: {err}");
        if code == 3 {
            assert!(err.contains("wevtutil"), "{err}");
        }
    } else {
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(err.contains("needs Windows"), "{err}");
    }
}

#[test]
fn every_fixture_is_listed_in_the_readme() {
    let readme = std::fs::read_to_string("fixtures/README.md")
        .or_else(|_| {
            std::fs::read_to_string(
                Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/README.md"),
            )
        })
        .unwrap();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(DIR);
    for entry in std::fs::read_dir(dir).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        assert!(
            readme.contains(&format!("`events/{name}`")),
            "{name} not in fixtures/README.md"
        );
    }
}

/// `check --local-events` adds the step; outside Windows (and under Wine,
/// which has no wevtutil) it is skipped with the reason.
#[test]
fn check_local_events_adds_its_step() {
    let (doc, code) = json(
        "check",
        &["no-such-vpn.invalid.", "--no-mtu", "--local-events"],
    );
    // An unknown host is `unknown-host` (exit 2), with every step listed.
    assert_eq!(code, 2, "{doc}");
    assert_eq!(doc["error"]["code"], "unknown-host");
    let step = doc["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "local-events")
        .unwrap_or_else(|| panic!("no local-events step: {doc}"));
    if cfg!(windows) {
        assert!(doc["local_events"]["available"].is_boolean(), "{doc}");
    } else {
        assert_eq!(step["status"], "skipped");
        assert!(
            step["detail"].as_str().unwrap().contains("needs Windows"),
            "{step}"
        );
        assert_eq!(doc["local_events"]["available"], false);
    }
}

/// `-` reads one export from stdin, like `wevtutil qe ... | aovpn-diag events -`.
#[test]
fn stdin_is_read_with_a_dash() {
    let xml = std::fs::read(fixture("error-809-wevtutil.xml")).unwrap();
    let out = command("events")
        .args(["--json", "-"])
        .write_stdin(xml)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let doc = cli::document(&out, "events", &["-"]);
    assert_eq!(codes(&doc), [pair("rasclient-809", "fail")]);
    assert_eq!(doc["sources"][0]["name"], "stdin");
}

/// A half-copied EVTX file (found by a new-user trial: it read as "no VPN
/// attempts", exit 0): cut inside its first chunk it is an input error;
/// cut inside a later chunk the whole chunks are judged and a warning says
/// the rest is missing.
#[test]
fn an_evtx_copy_cut_short_is_never_read_as_no_attempts() {
    let whole = std::fs::read(fixture("rasclient-809.evtx")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    for cut in [3000usize, 4096, 40_000, whole.len() - 1] {
        let path = dir.path().join(format!("cut-{cut}.evtx"));
        std::fs::write(&path, &whole[..cut]).unwrap();
        let (doc, code) = json("events", &[path.to_str().unwrap()]);
        assert_eq!(code, 2, "cut at {cut}: {doc:#}");
        assert_eq!(doc["verdict"], "error");
        let message = doc["error"]["message"].as_str().unwrap();
        assert!(message.contains("cut short"), "{message}");
    }
    // One whole chunk and part of a second.
    let mut longer = whole.clone();
    longer.extend_from_slice(&whole[4096..4096 + 30_000]);
    let path = dir.path().join("cut-in-second-chunk.evtx");
    std::fs::write(&path, &longer).unwrap();
    let (doc, code) = json("events", &[path.to_str().unwrap()]);
    assert_eq!(code, 1, "{doc:#}");
    let found = codes(&doc);
    assert!(found.contains(&pair("rasclient-809", "fail")), "{found:?}");
    assert!(
        found.contains(&pair("events-export-cut-short", "warn")),
        "{found:?}"
    );
    assert_eq!(doc["sources"][0]["cut_short"]["whole_chunks"], 1);
    // The whole file is not cut.
    let (doc, _) = run(&["rasclient-809.evtx"]);
    assert!(doc["sources"][0]["cut_short"].is_null(), "{doc:#}");
}

/// A capture, a gzip file or other binary given to `events` is named for
/// what it is, with what to do instead (found by a new-user trial: an XML
/// parse error quoting raw bytes).
#[test]
fn a_capture_or_binary_file_is_named_not_parsed_as_xml() {
    let dir = tempfile::tempdir().unwrap();
    let gz = dir.path().join("x.gz");
    std::fs::write(&gz, [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]).unwrap();
    let binary = dir.path().join("x.bin");
    std::fs::write(&binary, [0x7f, b'E', b'L', b'F', 2, 1, 1, 0, 0, 0]).unwrap();
    for (file, says) in [
        (
            "fixtures/ike-skf-success-client.pcapng",
            "is a packet capture (pcapng), not an event export: read it with `aovpn-diag pcap`",
        ),
        (
            "fixtures/case-esp-in-udp-no-ike.pcap",
            "is a packet capture (pcap)",
        ),
        (gz.to_str().unwrap(), "is gzip-compressed"),
        (binary.to_str().unwrap(), "is binary data"),
    ] {
        let (doc, code) = json("events", &[file]);
        assert_eq!(code, 2, "{file}: {doc:#}");
        assert_eq!(doc["error"]["code"], "not-an-event-log");
        let message = doc["error"]["message"].as_str().unwrap();
        assert!(message.contains(says), "{message}");
        assert!(message.chars().all(|c| !c.is_control()), "{message:?}");
    }
    // Stdin too.
    let out = command("events")
        .args(["--json", "-"])
        .write_stdin(std::fs::read("fixtures/ike-skf-success-client.pcapng").unwrap())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stdout).contains("packet capture (pcapng)"));
}
