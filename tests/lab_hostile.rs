//! `probe`, `check` and `mtu --ike` against a hostile responder in the
//! namespace lab (issue 14): `tests/lab/hostile_responder.py` runs in the
//! server namespace instead of strongSwan and answers with truncated and
//! oversized messages, lengths that lie, absurd SKF pieces, endless COOKIE or
//! INVALID_KE_PAYLOAD demands, floods, answers from another address or port,
//! and ICMP "too big" errors quoting our packets with MTUs of 0, 68 and 65535.
//!
//! Every run must end within the bound the code documents
//! (`probe::ike::Config::max_duration`, `check::Options::max_duration`,
//! `probe::mtu::max_duration`, plus a few seconds for process start and key
//! pairs in a debug build), exit with a documented code (never 101), print
//! one JSON document, no panic, and say what the server did.
//!
//! Ignored unless asked for; as root:
//! `sudo AOVPN_LAB=1 cargo test --test lab_hostile -- --include-ignored --test-threads=1`.
//! Needs python3 with python3-cryptography (AES-CBC for the SK/SKF answers).

#[path = "support/cli.rs"]
mod cli;
#[path = "support/lab.rs"]
mod lab;

use std::io::{BufRead, BufReader};
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use aovpn_diag::check;
use aovpn_diag::diagnose::ike::proposals::ProposalSet;
use aovpn_diag::probe::ike::{Config, Timing};
use aovpn_diag::probe::mtu::{MeasureOptions, max_duration};
use aovpn_diag::resolve::Family;
use lab::{Lab, NS_CLIENT, NS_SERVER};
use serde_json::Value;

/// Process start, key pairs (MODP-2048 in a debug build) and `ip netns exec`
/// on a loaded machine: what a run may take beyond the documented bound.
const SLACK: Duration = Duration::from_secs(8);
/// Exit codes the commands document (0 ok, 1 problem, 2 usage/input, 3 could not run).
const DOCUMENTED_EXITS: [i32; 4] = [0, 1, 2, 3];

/// The responder in the server namespace; stopped (SIGTERM, then SIGKILL)
/// when dropped, before the lab is torn down.
struct Hostile {
    child: Child,
    stats: PathBuf,
    _dir: tempfile::TempDir,
}

impl Hostile {
    fn start(lab: &Lab, scenario: &str, extra: &[&str]) -> Hostile {
        let dir = tempfile::tempdir().unwrap();
        let stats = dir.path().join("stats.json");
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/lab/hostile_responder.py");
        let mut child = Command::new("ip")
            .args(["netns", "exec", NS_SERVER, "python3"])
            .arg(&script)
            .args(["--scenario", scenario])
            .args(["--addr", lab.addr("SERVER4"), "--addr", lab.addr("SERVER6")])
            .arg("--stats")
            .arg(&stats)
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("cannot start python3 in the server namespace");
        let mut line = String::new();
        let stdout = child.stdout.take().unwrap();
        BufReader::new(stdout).read_line(&mut line).unwrap();
        if line.trim() != "ready" {
            let _ = child.kill();
            let out = child.wait_with_output().unwrap();
            panic!(
                "hostile_responder.py --scenario {scenario} did not start: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        Hostile {
            child,
            stats,
            _dir: dir,
        }
    }

    /// What the responder did so far: counters per action
    /// (`sent-cookie`, `icmp-too-big-mtu-68`, ...).
    fn stats(&self) -> Value {
        std::fs::read_to_string(&self.stats)
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or(Value::Null)
    }

    fn count(&self, what: &str) -> u64 {
        self.stats()[what].as_u64().unwrap_or(0)
    }
}

impl Drop for Hostile {
    fn drop(&mut self) {
        let pid = self.child.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        let until = Instant::now() + Duration::from_secs(5);
        while Instant::now() < until {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One command's run, already checked for the common promises.
struct Run {
    code: i32,
    doc: Value,
    text: String,
}

impl Run {
    fn has(&self, code: &str, severity: &str) -> bool {
        cli::has(&self.doc, code, severity)
    }

    fn has_code(&self, code: &str) -> bool {
        cli::code_names(&self.doc).contains(&code)
    }

    fn finding(&self, code: &str) -> &Value {
        cli::finding(&self.doc, code)
    }

    fn target(&self) -> &Value {
        &self.doc["targets"][0]
    }
}

/// Runs `aovpn-diag ARGS` in the client namespace and checks what every
/// hostile run must keep: within `bound` (+ [`SLACK`]), a documented exit
/// code, one JSON document of that command, no panic.
fn run(lab: &Lab, hostile: &Hostile, args: &[&str], bound: Duration) -> Run {
    let started = Instant::now();
    let out = lab.exec_in_timeout(
        NS_CLIENT,
        bound + SLACK + Duration::from_secs(10),
        env!("CARGO_BIN_EXE_aovpn-diag"),
        args,
    );
    let elapsed = started.elapsed();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let text = format!(
        "aovpn-diag {}\n(exit {:?}, {elapsed:?}, bound {bound:?})\nresponder: {}\nstdout:\n{stdout}\nstderr:\n{stderr}",
        args.join(" "),
        out.status.code(),
        hostile.stats()
    );
    let code = out.status.code().unwrap_or(-1);
    assert!(
        elapsed < bound + SLACK,
        "over the documented bound:\n{text}"
    );
    assert!(
        DOCUMENTED_EXITS.contains(&code),
        "undocumented exit:\n{text}"
    );
    assert!(
        !stderr.contains("panicked") && !stderr.contains("RUST_BACKTRACE"),
        "panic:\n{text}"
    );
    let doc: Value = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("stdout is not one JSON document ({e}):\n{text}"));
    assert_eq!(doc["command"], args[0], "{text}");
    Run { code, doc, text }
}

const TIMEOUT: &str = "0.5";
const TIMEOUT_D: Duration = Duration::from_millis(500);

fn probe(lab: &Lab, hostile: &Hostile, target: &str) -> Run {
    let cfg = Config::new(Timing {
        timeout: TIMEOUT_D,
        retransmits: 1,
    });
    let args = [
        "probe",
        target,
        "--json",
        "--timeout",
        TIMEOUT,
        "--retransmits",
        "1",
    ];
    run(lab, hostile, &args, cfg.max_duration())
}

fn check(lab: &Lab, hostile: &Hostile, target: &str) -> Run {
    let mut probe = Config::new(Timing {
        timeout: TIMEOUT_D,
        retransmits: check::PROBE_RETRANSMITS,
    });
    probe.proposal_check = Some(ProposalSet::parse("windows").unwrap());
    let opts = check::Options {
        family: Family::Any,
        timeout: TIMEOUT_D,
        probe,
        mtu: true,
        local_rras: false,
        local_events: false,
    };
    let args = [
        "check",
        target,
        "--json",
        "--timeout",
        TIMEOUT,
        "--proposals",
        "windows",
    ];
    run(lab, hostile, &args, opts.max_duration(1))
}

fn mtu_ike(lab: &Lab, hostile: &Hostile, target: &str, port: u16) -> Run {
    let bound = max_duration(&MeasureOptions {
        ike_port: Some(port),
        min: None,
        max: None,
        tries: 3,
        timeout: TIMEOUT_D,
    });
    let port = port.to_string();
    let args = [
        "mtu",
        target,
        "--ike",
        "--port",
        &port,
        "--json",
        "--timeout",
        TIMEOUT,
    ];
    run(lab, hostile, &args, bound)
}

/// The `check` step line `name`.
fn step<'a>(r: &'a Run, name: &str) -> &'a Value {
    r.doc["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == name)
        .unwrap_or_else(|| panic!("no step {name}: {}", r.text))
}

/// A port's small exchange drew datagrams but no valid answer: the finding
/// says so and counts them.
fn junk_named(r: &Run, code: &str) {
    let f = r.finding(code);
    assert!(
        f["evidence"]["invalid_datagrams"].as_u64().unwrap() > 0,
        "{}",
        r.text
    );
    assert!(
        f["summary"].as_str().unwrap().contains("no valid answer"),
        "{}",
        r.text
    );
}

#[test]
#[cfg_attr(not(windows), ignore = "needs root + AOVPN_LAB")]
#[cfg_attr(
    windows,
    ignore = "needs the Linux namespace lab (netns, nftables, python3)"
)]
fn truncated_answers_are_named_not_taken() {
    let lab = Lab::require();
    let h = Hostile::start(&lab, "truncated", &[]);
    let server = lab.addr("SERVER4");

    let r = probe(&lab, &h, server);
    assert_eq!(r.code, 1, "{}", r.text);
    junk_named(&r, "udp-500-unanswered");
    junk_named(&r, "udp-4500-unanswered");
    assert!(r.target()["udp500"]["invalid_datagrams"].as_u64().unwrap() >= 3);
    assert!(h.count("sent-cut-in-header") >= 2);

    let r = check(&lab, &h, server);
    assert_eq!(r.code, 1, "{}", r.text);
    assert_eq!(r.doc["cause"], "udp-500-unanswered", "{}", r.text);
    junk_named(&r, "udp-500-unanswered");

    let r = mtu_ike(&lab, &h, server, 500);
    assert_eq!(r.target()["result"], "no-answer", "{}", r.text);
    assert!(r.has_code("mtu-ike-unanswered"), "{}", r.text);
}

#[test]
#[cfg_attr(not(windows), ignore = "needs root + AOVPN_LAB")]
#[cfg_attr(
    windows,
    ignore = "needs the Linux namespace lab (netns, nftables, python3)"
)]
fn lying_lengths_never_pass_for_dropped_fragments() {
    let lab = Lab::require();
    let h = Hostile::start(&lab, "lying-lengths", &[]);
    let server = lab.addr("SERVER4");

    let r = probe(&lab, &h, server);
    assert_eq!(r.code, 1, "{}", r.text);
    // Of the lies only one parses: an unknown payload type (255, not
    // critical) in place of the KE, which RFC 7296 §3.2 says to skip. That
    // message answers UDP 500 but cannot make an IKE SA.
    assert_eq!(r.target()["udp500"]["answered"], true, "{}", r.text);
    assert_eq!(
        r.target()["ike_auth"]["not_run_reason"],
        "the IKE_SA_INIT response has no KE payload",
        "{}",
        r.text
    );
    // The padded request drew lies too: it arrived, so no fragment was dropped.
    assert!(r.has("fragmented-answer-invalid", "fail"), "{}", r.text);
    assert!(!r.has_code("ip-fragments-dropped"), "{}", r.text);
    junk_named(&r, "udp-4500-unanswered");
    assert!(h.count("sent-header-length-65535") >= 2);
    assert!(h.count("sent-payload-length-0") >= 2);

    let r = check(&lab, &h, server);
    assert_eq!(r.code, 1, "{}", r.text);
    assert!(r.has_code("udp-4500-unanswered"), "{}", r.text);

    // The MTU probes are stateless requests (INVALID_KE_PAYLOAD answers,
    // one notify): every lie of those is malformed, none counts as arrival.
    let r = mtu_ike(&lab, &h, server, 500);
    assert_eq!(r.target()["result"], "no-answer", "{}", r.text);
    assert!(r.has_code("mtu-ike-unanswered"), "{}", r.text);
}

#[test]
#[cfg_attr(not(windows), ignore = "needs root + AOVPN_LAB")]
#[cfg_attr(
    windows,
    ignore = "needs the Linux namespace lab (netns, nftables, python3)"
)]
fn oversized_answers_are_read_whole() {
    let lab = Lab::require();
    let h = Hostile::start(&lab, "oversized", &[]);
    let server = lab.addr("SERVER4");

    let r = probe(&lab, &h, server);
    assert_eq!(r.code, 0, "{}", r.text);
    assert_eq!(r.target()["udp500"]["answered"], true, "{}", r.text);
    let a = &r.target()["ike_auth"];
    assert_eq!(a["answered"], true, "{}", r.text);
    assert_eq!(a["response"], "AUTHENTICATION_FAILED", "{}", r.text);
    assert!(r.has("ike-auth-answered", "info"), "{}", r.text);
    assert!(h.count("sent-oversized-sa-init") >= 1);
    assert!(h.count("sent-oversized-auth") >= 1);

    let r = check(&lab, &h, server);
    assert!(r.code == 0 || r.code == 1, "{}", r.text);
    assert_eq!(step(&r, "udp-500")["status"], "ok", "{}", r.text);

    let r = mtu_ike(&lab, &h, server, 500);
    assert_eq!(r.target()["path_mtu"], lab.mtu(), "{}", r.text);
}

#[test]
#[cfg_attr(not(windows), ignore = "needs root + AOVPN_LAB")]
#[cfg_attr(
    windows,
    ignore = "needs the Linux namespace lab (netns, nftables, python3)"
)]
fn absurd_skf_pieces_are_bounded_and_reported_incomplete() {
    let lab = Lab::require();
    let h = Hostile::start(&lab, "skf-absurd", &[]);
    let server = lab.addr("SERVER4");

    let r = probe(&lab, &h, server);
    let a = &r.target()["ike_auth"];
    // Correctly protected pieces prove the server holds the IKE SA (no load
    // balancer split), however absurd their numbers.
    assert_eq!(a["answered"], true, "{}", r.text);
    assert!(
        a["response"].as_str().unwrap().contains("incomplete"),
        "{}",
        r.text
    );
    assert!(a["skf_total"].as_u64().unwrap() <= 64, "{}", r.text);
    assert!(a["integrity_failures"].as_u64().unwrap() >= 1, "{}", r.text);
    let f = r.finding("ike-auth-answered");
    assert!(
        f["summary"].as_str().unwrap().contains("incomplete"),
        "{}",
        r.text
    );
    assert!(!r.has_code("load-balancer-not-persistent"), "{}", r.text);
    assert!(h.count("sent-skf") >= 12);

    let r = check(&lab, &h, server);
    assert!(r.code == 0 || r.code == 1, "{}", r.text);
    assert!(!r.has_code("load-balancer-not-persistent"), "{}", r.text);

    let r = mtu_ike(&lab, &h, server, 4500);
    assert_eq!(r.target()["path_mtu"], lab.mtu(), "{}", r.text);
}

#[test]
#[cfg_attr(not(windows), ignore = "needs root + AOVPN_LAB")]
#[cfg_attr(
    windows,
    ignore = "needs the Linux namespace lab (netns, nftables, python3)"
)]
fn endless_cookie_demands_are_an_unfinished_ike_sa_init() {
    let lab = Lab::require();
    let h = Hostile::start(&lab, "cookie-forever", &[]);
    let server = lab.addr("SERVER4");

    let r = probe(&lab, &h, server);
    assert_eq!(r.code, 1, "{}", r.text);
    let f = r.finding("ike-sa-init-unfinished");
    assert_eq!(f["severity"], "fail");
    assert_eq!(f["evidence"]["unfinished"], "cookie-repeated", "{}", r.text);
    let p = &r.target()["udp500"];
    assert_eq!(p["cookie_requested"], true);
    assert_eq!(p["unfinished"], "cookie-repeated");
    assert_eq!(
        p["requests_sent"], 2,
        "one retry with the cookie: {}",
        r.text
    );
    assert_ne!(r.doc["verdict"], "ok");

    let r = check(&lab, &h, server);
    assert_eq!(r.code, 1, "{}", r.text);
    assert_eq!(r.doc["cause"], "ike-sa-init-unfinished", "{}", r.text);
    assert_eq!(step(&r, "proposals")["status"], "problem", "{}", r.text);

    // A COOKIE demand is an IKE_SA_INIT response: the probe arrived.
    let r = mtu_ike(&lab, &h, server, 500);
    assert_eq!(r.target()["path_mtu"], lab.mtu(), "{}", r.text);
    assert!(h.count("sent-cookie") >= 4);
}

#[test]
#[cfg_attr(not(windows), ignore = "needs root + AOVPN_LAB")]
#[cfg_attr(
    windows,
    ignore = "needs the Linux namespace lab (netns, nftables, python3)"
)]
fn endless_invalid_ke_demands_are_an_unfinished_ike_sa_init() {
    let lab = Lab::require();
    let h = Hostile::start(&lab, "invalid-ke-forever", &[]);
    let server = lab.addr("SERVER4");

    let r = probe(&lab, &h, server);
    assert_eq!(r.code, 1, "{}", r.text);
    let f = r.finding("ike-sa-init-unfinished");
    assert_eq!(
        f["evidence"]["unfinished"], "ke-group-repeated",
        "{}",
        r.text
    );
    let p = &r.target()["udp500"];
    assert!(
        !p["ke_retries"].as_array().unwrap().is_empty(),
        "{}",
        r.text
    );
    assert!(p["requests_sent"].as_u64().unwrap() <= 4, "{}", r.text);

    let r = check(&lab, &h, server);
    assert_eq!(r.code, 1, "{}", r.text);
    assert_eq!(r.doc["cause"], "ike-sa-init-unfinished", "{}", r.text);
    assert_eq!(step(&r, "proposals")["status"], "problem", "{}", r.text);

    let r = mtu_ike(&lab, &h, server, 500);
    assert_eq!(r.target()["path_mtu"], lab.mtu(), "{}", r.text);
    assert!(h.count("sent-invalid-ke") >= 4);
}

#[test]
#[cfg_attr(not(windows), ignore = "needs root + AOVPN_LAB")]
#[cfg_attr(
    windows,
    ignore = "needs the Linux namespace lab (netns, nftables, python3)"
)]
fn a_flood_ends_every_wait_at_its_deadline() {
    let lab = Lab::require();
    let h = Hostile::start(&lab, "flood", &["--flood", "2000"]);
    let server = lab.addr("SERVER4");

    let r = probe(&lab, &h, server);
    // Whether an answer survives the socket buffer is up to the kernel;
    // never may a port read as silent while junk came back.
    for port in ["udp500", "udp4500"] {
        let p = &r.target()[port];
        assert!(
            p["answered"] == true || p["invalid_datagrams"].as_u64().unwrap() > 0,
            "{port}: {}",
            r.text
        );
    }
    let junk: u64 = ["udp500", "udp4500"]
        .iter()
        .map(|p| r.target()[p]["invalid_datagrams"].as_u64().unwrap())
        .sum();
    assert!(junk > 256, "the flood was read: {}", r.text);
    assert!(h.count("sent-flood") >= 4000);

    let _ = check(&lab, &h, server);
    let r = mtu_ike(&lab, &h, server, 500);
    assert!(r.target()["result"].is_string(), "{}", r.text);
}

#[test]
#[cfg_attr(not(windows), ignore = "needs root + AOVPN_LAB")]
#[cfg_attr(
    windows,
    ignore = "needs the Linux namespace lab (netns, nftables, python3)"
)]
fn answers_from_another_address_or_port_are_not_answers() {
    let lab = Lab::require();
    let alt4 = "198.18.2.3";
    let alt6 = "fd00:2::3";
    lab.exec_in(
        NS_SERVER,
        "ip",
        &[
            "addr",
            "add",
            &format!("{alt4}/24"),
            "dev",
            lab.addr("IF_SERVER"),
        ],
    );
    lab.exec_in(
        NS_SERVER,
        "ip",
        &[
            "-6",
            "addr",
            "add",
            &format!("{alt6}/64"),
            "dev",
            lab.addr("IF_SERVER"),
            "nodad",
        ],
    );
    let h = Hostile::start(
        &lab,
        "other-source",
        &["--alt-addr", alt4, "--alt-addr", alt6],
    );
    let server = lab.addr("SERVER4");

    // The probe's connected socket, like a client's, takes answers only
    // from the address and port it sent to: the server's answers from
    // elsewhere are lost, and the ports are unanswered.
    let r = probe(&lab, &h, server);
    assert_eq!(r.code, 1, "{}", r.text);
    assert!(r.has("udp-500-unanswered", "fail"), "{}", r.text);
    assert!(r.has("udp-4500-unanswered", "fail"), "{}", r.text);
    assert!(h.count("sent-from-other-port") >= 2, "{}", r.text);
    assert!(h.count("sent-from-other-address") >= 2, "{}", r.text);

    let r = check(&lab, &h, server);
    assert_eq!(r.doc["cause"], "udp-500-unanswered", "{}", r.text);

    let r = mtu_ike(&lab, &h, lab.addr("SERVER6"), 500);
    assert_eq!(r.target()["result"], "no-answer", "{}", r.text);
}

/// ICMP "too big" errors from the server itself, quoting our requests, for
/// every IP packet over 1000 bytes (IPv4) or 1340 bytes (IPv6), with the
/// advertised MTU `mtu`. The search finds the real limit and does not
/// believe the number.
fn icmp_too_big(mtu: u32) {
    let lab = Lab::require();
    let mtu_text = mtu.to_string();
    let server4 = lab.addr("SERVER4");
    let server6 = lab.addr("SERVER6");
    {
        let h = Hostile::start(
            &lab,
            "icmp-mtu",
            &["--icmp-mtu", &mtu_text, "--icmp-above", "1000"],
        );
        let r = mtu_ike(&lab, &h, server4, 500);
        assert_eq!(r.target()["result"], "found", "{}", r.text);
        assert_eq!(r.target()["path_mtu"], 1000, "{}", r.text);
        too_big_from(&r, server4, mtu);
        assert!(h.count(&format!("icmp-too-big-mtu-{mtu}")) >= 1);

        let r = probe(&lab, &h, server4);
        assert_eq!(r.target()["udp500"]["answered"], true, "{}", r.text);
        // The padded request (2000 bytes) was refused by the server (with
        // DF clear the kernel keeps the ICMP error from the socket).
        assert!(r.has("ip-fragments-dropped", "warn"), "{}", r.text);

        // The server offers IKEv2 fragmentation, so refused fragments only warn.
        let r = check(&lab, &h, server4);
        assert!(r.has("ip-fragments-dropped", "warn"), "{}", r.text);
    }
    let h = Hostile::start(
        &lab,
        "icmp-mtu",
        &["--icmp-mtu", &mtu_text, "--icmp-above", "1340"],
    );
    let r = mtu_ike(&lab, &h, server6, 4500);
    assert_eq!(r.target()["result"], "found", "{}", r.text);
    assert_eq!(r.target()["path_mtu"], 1340, "{}", r.text);
    too_big_from(&r, server6, mtu);
}

/// The last too-big came from the server, with its MTU shown as sent (0 as
/// none, RFC 1191 §4) and marked as not believed.
fn too_big_from(r: &Run, server: &str, mtu: u32) {
    let tb = &r.target()["too_big_from"];
    let from: IpAddr = tb["address"].as_str().unwrap().parse().unwrap();
    assert_eq!(from, server.parse::<IpAddr>().unwrap(), "{}", r.text);
    if mtu == 0 {
        assert!(tb["mtu"].is_null(), "{}", r.text);
    } else {
        assert_eq!(tb["mtu"], mtu, "{}", r.text);
    }
    assert_eq!(tb["mtu_trusted"], false, "{}", r.text);
}

#[test]
#[cfg_attr(not(windows), ignore = "needs root + AOVPN_LAB")]
#[cfg_attr(
    windows,
    ignore = "needs the Linux namespace lab (netns, nftables, python3)"
)]
fn icmp_too_big_with_mtu_0() {
    icmp_too_big(0);
}

#[test]
#[cfg_attr(not(windows), ignore = "needs root + AOVPN_LAB")]
#[cfg_attr(
    windows,
    ignore = "needs the Linux namespace lab (netns, nftables, python3)"
)]
fn icmp_too_big_with_mtu_68() {
    icmp_too_big(68);
}

#[test]
#[cfg_attr(not(windows), ignore = "needs root + AOVPN_LAB")]
#[cfg_attr(
    windows,
    ignore = "needs the Linux namespace lab (netns, nftables, python3)"
)]
fn icmp_too_big_with_mtu_65535() {
    icmp_too_big(65535);
}
