//! `aovpn-diag capture` on the client namespace's interface while a real
//! strongSwan client connects through the lab router (ignored unless asked
//! for; needs the `live` feature:
//! `sudo AOVPN_LAB=1 cargo test --features live --test lab_capture -- --include-ignored --test-threads=1`).
//!
//! In each scenario the capture runs in the client namespace (the way a
//! helpdesk runs it on the client), picks its interface from the route to
//! `--server`, prints its live events as NDJSON on stderr and one JSON
//! report at the end, and writes the pcapng file. Asserted: the live
//! findings come while the capture still runs, and the report equals what
//! `aovpn-diag pcap` says about the written file.

#![cfg(feature = "live")]

#[path = "support/cli.rs"]
mod cli;
#[path = "support/lab.rs"]
mod lab;
#[path = "support/schema.rs"]
mod schema;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::Value;

use lab::{Lab, NS_CLIENT};

/// One capture while the client connects.
struct Watched {
    code: i32,
    /// The report on stdout.
    doc: Value,
    /// NDJSON events from stderr, each with when it arrived.
    events: Vec<(Instant, Value)>,
    /// When the capture process ended.
    ended: Instant,
    file: std::path::PathBuf,
    log: String,
}

impl Watched {
    fn finding_events(&self) -> Vec<(Instant, String, String)> {
        self.events
            .iter()
            .filter(|(_, e)| e["event"] == "finding")
            .map(|(t, e)| {
                (
                    *t,
                    e["finding"]["code"].as_str().unwrap().to_owned(),
                    e["finding"]["severity"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    }

    fn exchange_events(&self) -> Vec<String> {
        self.events
            .iter()
            .filter(|(_, e)| e["event"] == "exchange")
            .map(|(_, e)| {
                format!(
                    "{} {}",
                    e["exchange"]["exchange"].as_str().unwrap(),
                    e["exchange"]["status"].as_str().unwrap()
                )
            })
            .collect()
    }
}

fn capture_while_connecting(lab: &Lab, seconds: u32, initiate: &[&str]) -> Watched {
    let dir = std::path::Path::new(lab.addr("STATE_DIR"))
        .join("run")
        .join("capture-test");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("client.pcapng");
    let _ = std::fs::remove_file(&file);
    let duration = seconds.to_string();
    let mut child = Command::new("ip")
        .args([
            "netns",
            "exec",
            NS_CLIENT,
            "timeout",
            "--kill-after=5",
            "90",
        ])
        .arg(env!("CARGO_BIN_EXE_aovpn-diag"))
        .args([
            "capture",
            "--server",
            lab.addr("SERVER4"),
            "--duration",
            &duration,
        ])
        .args(["--json", "--write"])
        .arg(&file)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // stderr, line by line as it comes, with arrival times.
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = mpsc::channel();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines() {
            let Ok(line) = line else { break };
            if tx.send((Instant::now(), line)).is_err() {
                break;
            }
        }
    });
    let (_, first) = rx
        .recv_timeout(Duration::from_secs(30))
        .expect("capture started");
    let start: Value = serde_json::from_str(&first)
        .unwrap_or_else(|e| panic!("first stderr line is the start event ({e}): {first}"));
    assert_eq!(start["event"], "start");
    assert_eq!(start["interface"], lab.addr("IF_CLIENT"), "{start}");
    assert!(
        start["chosen"]
            .as_str()
            .unwrap()
            .contains(lab.addr("SERVER4")),
        "{start}"
    );

    let init = lab.client_initiate(initiate);
    let out = child.wait_with_output().unwrap();
    let ended = Instant::now();
    reader.join().unwrap();
    let mut events = Vec::new();
    let mut log = init.log.clone();
    for (t, line) in rx.try_iter() {
        log.push_str(&line);
        log.push('\n');
        if let Ok(v) = serde_json::from_str::<Value>(&line) {
            // Every NDJSON line is a live event of the published schema.
            schema::assert_live_event(&v);
            events.push((t, v));
        }
    }
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "capture printed no JSON ({e}); exit {:?}\n{}\n{log}",
            out.status.code(),
            String::from_utf8_lossy(&out.stdout)
        )
    });
    schema::assert_document(&doc);
    schema::assert_live_event(&start);
    Watched {
        code: out.status.code().unwrap_or(-1),
        doc,
        events,
        ended,
        file,
        log,
    }
}

/// What was said live equals the report's findings, apart from those only
/// the end of a capture decides (and said live once each).
fn assert_live_equals_report(w: &Watched) {
    let end_only = [
        "exchange-in-progress",
        "no-ike-traffic",
        "ike-not-in-capture",
    ];
    let mut report: Vec<(String, String)> = cli::codes(&w.doc)
        .into_iter()
        .filter(|(c, _)| !end_only.contains(&c.as_str()))
        .collect();
    let mut live: Vec<(String, String)> = w
        .finding_events()
        .into_iter()
        .map(|(_, c, s)| (c, s))
        .collect();
    report.sort();
    live.sort();
    assert_eq!(live, report, "live findings against the report\n{}", w.log);
}

/// The report equals `aovpn-diag pcap` on the written file.
fn assert_same_as_pcap(w: &Watched) {
    let (again, code) = cli::json("pcap", &[w.file.to_str().unwrap()]);
    assert_eq!(code, w.code, "pcap on the written file: other exit code");
    schema::assert_document(&again);
    assert_eq!(again["findings"], w.doc["findings"], "{}", w.log);
    assert_eq!(again["sas"], w.doc["sas"]);
    assert_eq!(again["stats"], w.doc["stats"]);
    assert_eq!(
        w.doc["capture"]["write"]["frames"],
        w.doc["capture"]["frames"]
    );
    assert_eq!(w.doc["capture"]["dropped"], 0);
}

#[test]
#[cfg_attr(not(windows), ignore = "needs root + AOVPN_LAB")]
#[cfg_attr(
    windows,
    ignore = "needs the Linux namespace lab (netns, nftables, charon)"
)]
fn fragments_dropped_is_reported_live_and_equals_pcap_on_the_file() {
    let lab = Lab::require();
    lab.server_start(&["--fragmentation", "no"]);
    lab.client_start();
    lab.fw(&["drop-frags"]);
    let w = capture_while_connecting(&lab, 14, &["--fragmentation", "no", "--timeout", "10"]);
    assert_eq!(w.code, 1, "{}", w.log);
    assert_eq!(w.doc["verdict"], "problem");
    assert_eq!(w.doc["capture"]["stopped_by"], "duration");
    assert!(
        lab.router_counter("aovd_drop_frags") > 0,
        "the router dropped nothing"
    );
    let codes = cli::codes(&w.doc);
    assert!(
        codes.contains(&("ike-auth-unanswered".into(), "fail".into())),
        "{codes:?}"
    );

    // Live: IKE_SA_INIT answered, IKE_AUTH unanswered, and the failure
    // while the capture still ran.
    let lines = w.exchange_events();
    assert_eq!(
        lines.first().map(String::as_str),
        Some("IKE_SA_INIT answered"),
        "{lines:?}"
    );
    assert!(
        lines.contains(&"IKE_AUTH unanswered".to_string()),
        "{lines:?}"
    );
    let live = w.finding_events();
    let (when, _, _) = live
        .iter()
        .find(|(_, c, s)| c == "ike-auth-unanswered" && s == "fail")
        .unwrap_or_else(|| panic!("no live ike-auth-unanswered: {live:?}\n{}", w.log));
    let before_end = w.ended.duration_since(*when);
    assert!(
        before_end > Duration::from_secs(3),
        "reported only {before_end:?} before the capture ended"
    );
    // Whatever was said live, the report says too.
    for (_, code, severity) in &live {
        assert!(
            codes.contains(&(code.clone(), severity.clone())),
            "live {severity} {code} missing from the report {codes:?}"
        );
    }
    assert_live_equals_report(&w);
    assert_same_as_pcap(&w);
}

#[test]
#[cfg_attr(not(windows), ignore = "needs root + AOVPN_LAB")]
#[cfg_attr(
    windows,
    ignore = "needs the Linux namespace lab (netns, nftables, charon)"
)]
fn a_healthy_connection_is_reported_live_and_equals_pcap_on_the_file() {
    let lab = Lab::require();
    lab.server_start(&[]);
    lab.client_start();
    lab.fw(&["none"]);
    let w = capture_while_connecting(&lab, 10, &["--timeout", "8"]);
    assert_eq!(w.code, 0, "{}", w.log);
    assert_eq!(w.doc["verdict"], "ok");
    let lines = w.exchange_events();
    assert!(
        lines.contains(&"IKE_SA_INIT answered".to_string()),
        "{lines:?}"
    );
    assert!(
        lines.contains(&"IKE_AUTH answered".to_string()),
        "{lines:?}"
    );
    let live = w.finding_events();
    assert!(live.iter().all(|(_, _, s)| s != "fail"), "{live:?}");
    // The SA's findings settle once it has been quiet for 5 s, before the end.
    let (when, code, _) = live
        .iter()
        .find(|(_, c, _)| c == "ike-fragmentation-negotiated")
        .unwrap_or_else(|| panic!("no live ike-fragmentation-negotiated: {live:?}\n{}", w.log));
    assert!(w.ended > *when, "{code} came after the end");
    assert_live_equals_report(&w);
    assert_same_as_pcap(&w);
}
