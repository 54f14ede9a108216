//! `aovpn-diag capture` from the outside: without the `live` feature it
//! says how to get it and prints the commands that record the same traffic;
//! with it (Linux, libpcap) it lists interfaces, refuses unknown ones and
//! unprivileged users with the documented exit codes, honours --duration
//! promptly, and its report equals what `pcap` says about its --write file
//! (real packets on the loopback interface; the namespace lab covers a real
//! IKEv2 peer: tests/lab_capture.rs).

#[path = "support/cli.rs"]
mod cli;
#[path = "support/schema.rs"]
mod schema;

#[test]
#[cfg(not(feature = "live"))]
fn without_the_feature_it_says_how_and_prints_the_recording_commands() {
    let out = cli::command("capture")
        .args(["--server", "198.51.100.7", "--write", "attempt.pcapng"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("without live capture") || stderr.contains("no live capture"),
        "{stderr}"
    );
    if cfg!(windows) {
        assert!(
            stdout.contains("pktmon filter add AOVPN-server1 -i 198.51.100.7"),
            "{stdout}"
        );
        assert!(
            stdout.contains(
                "pktmon start --capture --comp nics --pkt-size 0 --file-name attempt.etl"
            ),
            "{stdout}"
        );
        assert!(
            stdout.contains("pktmon etl2pcap attempt.etl --out attempt.pcapng"),
            "{stdout}"
        );
    } else {
        assert!(stderr.contains("--features live"), "{stderr}");
        assert!(stdout.contains("tcpdump -n -s 0 -w attempt.pcapng 'udp port 500 or udp port 4500 or (ip proto 17 and ip[6:2] & 0x3fff != 0)"), "{stdout}");
        assert!(
            stdout.contains("aovpn-diag pcap attempt.pcapng"),
            "{stdout}"
        );
    }

    let (doc, code) = cli::json("capture", &["--list-interfaces"]);
    assert_eq!(code, 3);
    assert_eq!(doc["verdict"], "error");
    assert_eq!(doc["error"]["code"], "live-capture-not-built");
    assert!(doc["recipe"]["steps"].as_array().unwrap().len() >= 2);
    schema::assert_document(&doc);
}

/// `pcap` judges a capture as of when it stopped (pcapng `isb_endtime`, as
/// `capture --write` and dumpcap write it), not as of its last packet: an
/// IKE_SA_INIT request followed by 10 s of silence is unanswered.
#[test]
fn pcap_honours_the_capture_end_recorded_in_the_file() {
    use aovpn_diag::capture::writer::{EndOfCapture, PcapngWriter};
    use aovpn_diag::capture::{LinkType, Timestamp};

    let mut ike = vec![0x5a; 8];
    ike.extend([0; 8]);
    ike.extend([0, 0x20, 34, 0x08, 0, 0, 0, 0, 0, 0, 0, 28]);
    let mut udp = vec![0x01, 0xf4, 0x01, 0xf4, 0, 36, 0, 0];
    udp.extend(&ike);
    let mut ip = vec![0x45, 0, 0, 56, 0, 1, 0, 0, 64, 17, 0, 0];
    ip.extend([198, 18, 1, 2, 198, 18, 2, 2]);
    ip.extend(&udp);
    let t0 = Timestamp::from_secs_nanos(1_700_000_000, 0);
    let dir = tempfile::tempdir().unwrap();
    let judged = |end_secs: i64| {
        let path = dir.path().join(format!("end{end_secs}.pcapng"));
        let mut w = PcapngWriter::new(
            std::fs::File::create(&path).unwrap(),
            LinkType::RAW,
            65535,
            "t",
        )
        .unwrap();
        w.write(t0, &ip, ip.len() as u32).unwrap();
        w.finish(EndOfCapture {
            end: t0.plus_secs(end_secs),
            ..EndOfCapture::default()
        })
        .unwrap();
        let (doc, _) = cli::json("pcap", &[path.to_str().unwrap()]);
        cli::codes(&doc)
    };
    assert_eq!(
        judged(0),
        vec![("exchange-in-progress".into(), "info".into())]
    );
    assert_eq!(
        judged(10),
        vec![("ike-sa-init-unanswered".into(), "fail".into())]
    );
}

#[test]
fn bad_durations_are_usage_errors() {
    for bad in ["0", "-1", "soon", "400d"] {
        let out = cli::command("capture")
            .args(["--duration", bad])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{bad}");
    }
}

#[cfg(all(feature = "live", target_os = "linux"))]
mod live {
    use std::io::{BufRead, BufReader};
    use std::net::UdpSocket;
    use std::process::{Command, Stdio};
    use std::time::{Duration, Instant};

    use serde_json::Value;

    use super::*;

    fn root() -> bool {
        std::fs::read_to_string("/proc/self/status")
            .unwrap()
            .lines()
            .find_map(|l| l.strip_prefix("Uid:"))
            .and_then(|r| r.split_whitespace().nth(1).map(|u| u == "0"))
            .unwrap()
    }

    #[test]
    fn interfaces_are_listed_and_an_unknown_one_is_a_usage_error() {
        let (doc, code) = cli::json("capture", &["--list-interfaces"]);
        assert_eq!(code, 0);
        schema::assert_document(&doc);
        let names: Vec<&str> = doc["interfaces"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["name"].as_str().unwrap())
            .collect();
        assert!(names.contains(&"lo"), "{names:?}");

        let (doc, code) = cli::json("capture", &["--interface", "aovd-no-such-if"]);
        assert_eq!(code, 2);
        assert_eq!(doc["error"]["code"], "unknown-interface");
        schema::assert_document(&doc);
        let msg = doc["error"]["message"].as_str().unwrap();
        assert!(
            msg.contains("'aovd-no-such-if'") && msg.contains("lo"),
            "{msg}"
        );
    }

    #[test]
    fn without_capture_rights_it_names_cap_net_raw_and_exits_3() {
        // As root, drop to nobody; as anyone else, the user has no rights.
        let bin = env!("CARGO_BIN_EXE_aovpn-diag");
        let mut cmd = if root() {
            let mut c = Command::new("setpriv");
            c.args(["--reuid=65534", "--regid=65534", "--clear-groups", bin]);
            c
        } else {
            Command::new(bin)
        };
        let out = cmd
            .args(["capture", "--interface", "lo", "--duration", "1", "--json"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(3), "{out:?}");
        let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(doc["error"]["code"], "capture-not-permitted");
        schema::assert_document(&doc);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("CAP_NET_RAW") && stderr.contains("setcap"),
            "{stderr}"
        );
    }

    /// A real capture on the loopback interface: an IKE_SA_INIT request to
    /// a port nobody listens on (the kernel answers ICMP port unreachable),
    /// seen by libpcap, analysed live, written, and read back by `pcap`.
    #[test]
    fn the_report_is_what_pcap_says_about_the_written_file() {
        if !root() {
            eprintln!("skipped: capturing on lo needs root or CAP_NET_RAW");
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("lo.pcapng");
        let started = Instant::now();
        let mut child = Command::new(env!("CARGO_BIN_EXE_aovpn-diag"))
            .args([
                "capture",
                "--interface",
                "lo",
                "--duration",
                "3",
                "--json",
                "--write",
            ])
            .arg(&file)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut events = BufReader::new(child.stderr.take().unwrap());
        let mut first = String::new();
        events.read_line(&mut first).unwrap();
        let start: Value = serde_json::from_str(&first).unwrap();
        assert_eq!(start["event"], "start", "{first}");
        schema::assert_live_event(&start);

        let mut sa_init = vec![0x5a; 8];
        sa_init.extend([0; 8]);
        sa_init.extend([0, 0x20, 34, 0x08, 0, 0, 0, 0, 0, 0, 0, 28]);
        let sock = UdpSocket::bind("127.0.0.1:0").unwrap();
        sock.send_to(&sa_init, "127.0.0.1:500").unwrap();

        let out = child.wait_with_output().unwrap();
        let took = started.elapsed();
        assert!(took < Duration::from_secs(6), "--duration 3 took {took:?}");
        assert_eq!(out.status.code(), Some(0), "{out:?}");
        let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(doc["command"], "capture");
        schema::assert_document(&doc);
        for line in String::from_utf8_lossy(&out.stderr).lines() {
            schema::assert_live_event(&serde_json::from_str(line).unwrap());
        }
        assert_eq!(doc["capture"]["stopped_by"], "duration");
        assert_eq!(doc["capture"]["write"]["frames"], doc["capture"]["frames"]);
        assert!(doc["capture"]["frames"].as_u64().unwrap() >= 2, "{doc}");
        assert_eq!(doc["sas"].as_array().unwrap().len(), 1, "{doc}");

        let (again, code) = cli::json("pcap", &[file.to_str().unwrap()]);
        assert_eq!(code, 0);
        assert_eq!(again["findings"], doc["findings"]);
        assert_eq!(again["sas"], doc["sas"]);
        assert_eq!(again["stats"], doc["stats"]);
    }
}
