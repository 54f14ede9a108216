//! `aovpn-diag pcap` end to end on every capture under fixtures/: verdict,
//! finding codes and evidence, JSON shape, stdin, several files, bad input.
//! With `--include-ignored` (and tshark installed), IKE message, notify and
//! fragment counts are compared with tshark's on every fixture.

use std::path::{Path, PathBuf};
use std::process::Command as StdCommand;

#[path = "support/cli.rs"]
mod cli;

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;

use cli::{codes, finding, has};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn pcap() -> Command {
    cli::command("pcap")
}

fn json(files: &[&str]) -> (Value, i32) {
    cli::json("pcap", files)
}

#[test]
fn vlan_client_side_ike_auth_unanswered_over_ip_fragments() {
    let (doc, code) = json(&["fixtures/edge-vlan-ike-auth-unanswered.pcap"]);
    assert_eq!(code, 1);
    assert_eq!(doc["verdict"], "problem");
    assert!(has(&doc, "ike-auth-unanswered", "fail"));
    assert!(has(&doc, "ike-fragmentation-not-negotiated", "warn"));
    assert!(has(&doc, "ike-message-ip-fragmented", "warn"));
    assert!(has(&doc, "icmp-too-big", "info"));
    let f = finding(&doc, "ike-auth-unanswered");
    assert_eq!(
        f["evidence"]["frames"],
        serde_json::json!([
            {"file": 1, "frame": 3},
            {"file": 1, "frame": 6},
            {"file": 1, "frame": 8},
            {"file": 1, "frame": 10}
        ])
    );
    assert_eq!(f["evidence"]["ip_fragments"], 2);
    assert_eq!(f["evidence"]["ip_length"], 2244);
    assert!(
        f["remedy"]
            .as_str()
            .unwrap()
            .contains("EnableServerFragmentation")
    );
    let icmp = finding(&doc, "icmp-too-big");
    assert_eq!(icmp["evidence"]["mtu"], 1400);
    assert_eq!(icmp["evidence"]["router"], "198.18.1.1");
    let nn = finding(&doc, "ike-fragmentation-not-negotiated");
    assert_eq!(nn["evidence"]["initiator"], "yes");
    assert_eq!(nn["evidence"]["responder"], "no");
    let sa = &doc["sas"][0];
    assert_eq!(
        sa["initiator"],
        serde_json::json!({"address": "198.18.1.10", "port": 500})
    );
    assert_eq!(sa["spi_i"], "a1b2c3d4e5f60718");
    assert_eq!(sa["fragmentation_supported"]["initiator"], "yes");
    assert_eq!(
        sa["port_switch"],
        serde_json::json!({"file": 1, "frame": 3})
    );
    let msgs = sa["messages"].as_array().unwrap();
    assert_eq!(msgs.len(), 6);
    assert_eq!(msgs[3]["retransmission_of"], 2);
    assert_eq!(msgs[1]["answers"], 0);
    let s = &doc["stats"];
    assert_eq!(s["packets"], 10);
    assert_eq!(s["ike_messages"], 6);
    assert_eq!(s["ip_fragments"], 6);
    assert_eq!(s["datagrams_reassembled"], 3);
    assert_eq!(s["datagrams_incomplete"], 0);
}

#[test]
fn sll2_server_side_first_fragments_only() {
    let (doc, code) = json(&["fixtures/edge-sll2-nonfirst-fragments-dropped.pcapng"]);
    assert_eq!(code, 1);
    assert!(has(&doc, "ip-fragments-missing", "fail"));
    assert!(has(&doc, "ike-auth-never-arrived", "fail"));
    assert!(!has(&doc, "ike-auth-unanswered", "fail"));
    let f = finding(&doc, "ip-fragments-missing");
    assert_eq!(f["evidence"]["datagrams"], 3);
    assert_eq!(f["evidence"]["missing"], "1376-end");
    assert_eq!(f["evidence"]["ike_length"], 2212);
    assert!(
        f["summary"]
            .as_str()
            .unwrap()
            .contains("IKE_AUTH request (message ID 1)")
    );
    assert_eq!(doc["stats"]["datagrams_incomplete"], 3);
    assert_eq!(doc["stats"]["packets"], 7);
}

#[test]
fn truncated_file_is_analysed_up_to_the_cut() {
    let (doc, code) = json(&["fixtures/edge-truncated-sa-init-unanswered.pcap"]);
    assert_eq!(code, 1);
    assert!(has(&doc, "ike-sa-init-unanswered", "fail"));
    assert!(has(&doc, "capture-truncated", "warn"));
    assert_eq!(
        finding(&doc, "capture-truncated")["evidence"]["frames_read"],
        3
    );
    assert_eq!(
        finding(&doc, "ike-sa-init-unanswered")["evidence"]["frames"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
}

/// Issue 14: a Process Information Block shorter than 12 bytes made
/// pcap-parser 0.17 subtract past zero (exit 101 in debug builds, the test
/// profile). Now it is a truncation at byte 28 like any corrupt record.
#[test]
fn undersized_pcapng_block_is_a_truncation_not_a_panic() {
    // It ends before its first packet: nothing to judge the network by,
    // an input error that says where and why it ends.
    let (doc, code) = json(&["fixtures/edge-pib-short.pcapng"]);
    assert_eq!(code, 2);
    assert_eq!(doc["error"]["code"], "no-packets");
    let message = doc["error"]["message"].as_str().unwrap();
    assert!(message.contains("ends early at byte 28"), "{message}");
    assert!(message.contains("0x80000001"), "{message}");
}

#[test]
fn ipv6_skf_success_is_ok() {
    let (doc, code) = json(&["fixtures/edge-ipv6-skf-success.pcapng"]);
    assert_eq!(code, 0);
    assert_eq!(doc["verdict"], "ok");
    assert_eq!(
        codes(&doc),
        vec![("ike-fragmentation-negotiated".into(), "info".into())]
    );
    let s = &doc["stats"];
    assert_eq!(s["skf_fragments"], 4);
    assert_eq!(s["esp_packets"], 3);
    assert_eq!(s["nat_keepalives"], 1);
    let sa = &doc["sas"][0];
    assert_eq!(sa["ike_auth_answered"], true);
    // Counted per IKE message: the IKE_AUTH request's two SKF pieces are one
    // transmission.
    assert_eq!(sa["messages"][2]["exchange"], "IKE_AUTH");
    assert_eq!(
        sa["messages"][2]["ike_fragments"],
        serde_json::json!({"seen": 2, "total": 2})
    );
    pcap()
        .arg("fixtures/edge-ipv6-skf-success.pcapng")
        .assert()
        .code(0)
        .stdout(predicate::str::starts_with("OK "));
}

#[test]
fn null_link_no_proposal_chosen() {
    let (doc, code) = json(&["fixtures/edge-null-no-proposal-chosen.pcap"]);
    assert_eq!(code, 1);
    assert!(has(&doc, "no-proposal-chosen", "fail"));
    assert_eq!(
        finding(&doc, "no-proposal-chosen")["evidence"]["offered"][0],
        "AES-CBC-128/HMAC-SHA1/PRF-SHA1/MODP-1024"
    );
}

#[test]
fn garbage_and_missing_files_exit_2() {
    pcap()
        .arg("fixtures/edge-garbage.bin")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not a pcap or pcapng capture"));
    pcap()
        .arg("fixtures/no-such-file.pcap")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot open"));
    pcap().arg("fixtures/README.md").assert().code(2);
}

#[test]
fn stdin_and_human_view() {
    let bytes =
        std::fs::read(Path::new(ROOT).join("fixtures/edge-vlan-ike-auth-unanswered.pcap")).unwrap();
    pcap()
        .args(["-", "-v"])
        .write_stdin(bytes)
        .assert()
        .code(1)
        .stdout(
            predicate::str::starts_with("PROBLEM  ike-auth-unanswered")
                .and(predicate::str::contains("IKE SA a1b2c3d4e5f60718"))
                .and(predicate::str::contains("retransmission of #3"))
                .and(predicate::str::contains("fix:")),
        );
    // Every human line fits 100 columns.
    let out = pcap()
        .args(["-v", "fixtures/edge-vlan-ike-auth-unanswered.pcap"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let table_lines: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with(['│', '┌', '└', '╞', '├']))
        .collect();
    assert!(!table_lines.is_empty());
    for l in table_lines {
        assert!(l.chars().count() <= 100, "too wide: {l}");
    }
}

#[test]
fn several_files_merge_in_time_order() {
    // Client side and server side of "one" attempt: the server file adds
    // nothing new, its messages are recognised as the same ones.
    let (doc, code) = json(&[
        "fixtures/edge-sll2-nonfirst-fragments-dropped.pcapng",
        "fixtures/edge-vlan-ike-auth-unanswered.pcap",
    ]);
    assert_eq!(code, 1);
    assert_eq!(doc["files"].as_array().unwrap().len(), 2);
    assert_eq!(doc["stats"]["packets"], 17);
    let msgs = doc["sas"][0]["messages"].as_array().unwrap();
    let times: Vec<f64> = msgs.iter().map(|m| m["time"].as_f64().unwrap()).collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "{times:?}");
    assert!(msgs.iter().any(|m| m["also_seen_elsewhere"] == true));
    assert!(msgs.iter().any(|m| m["frame"]["file"] == 2));
}

#[test]
fn corrupted_captures_never_crash() {
    let dir = tempfile::tempdir().unwrap();
    let mut n = 0;
    for entry in std::fs::read_dir(Path::new(ROOT).join("fixtures")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if !(name.ends_with(".pcap") || name.ends_with(".pcapng")) {
            continue;
        }
        let orig = std::fs::read(&path).unwrap();
        let mut seed = 0x9e37_79b9u32;
        for variant in 0..12 {
            let mut bytes = orig.clone();
            seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            match variant % 4 {
                // flip bytes all over the file (headers included)
                0 | 1 => {
                    for k in 0..16 {
                        let at = (seed as usize).wrapping_mul(k + 7) % bytes.len();
                        bytes[at] ^= (seed >> (k % 24)) as u8 | 1;
                    }
                }
                // cut anywhere
                2 => bytes.truncate((seed as usize) % bytes.len()),
                // zero a block in the middle
                _ => {
                    let at = (seed as usize) % bytes.len();
                    let end = (at + 64).min(bytes.len());
                    bytes[at..end].fill(0);
                }
            }
            let p: PathBuf = dir.path().join(format!("{name}.{variant}"));
            std::fs::write(&p, &bytes).unwrap();
            let out = pcap().arg("--json").arg(&p).output().unwrap();
            let code = out.status.code();
            assert!(
                matches!(code, Some(0..=2)),
                "{name} variant {variant}: exit {code:?}\n{}",
                String::from_utf8_lossy(&out.stderr)
            );
            if code != Some(2) {
                let _: Value = serde_json::from_slice(&out.stdout).unwrap();
            }
            n += 1;
        }
    }
    assert!(n >= 50);
}

/// Counts from tshark on one fixture: IKEv2 messages, notify payloads and IP
/// fragments, with IP reassembly off so every fragment is its own frame.
fn tshark_counts(file: &str) -> Option<(u64, u64, u64)> {
    let out = StdCommand::new("tshark")
        .args([
            "-n",
            "-o",
            "ip.defragment:FALSE",
            "-o",
            "ipv6.defragment:FALSE",
            "-r",
            file,
            "-T",
            "fields",
            "-e",
            "isakmp.version",
            "-e",
            "isakmp.notify.msgtype",
            "-e",
            "ip.flags.mf",
            "-e",
            "ip.frag_offset",
            "-e",
            "ipv6.fraghdr.offset",
            "-e",
            "icmp.type",
            "-e",
            "icmpv6.type",
            "-E",
            "occurrence=a",
            "-E",
            "aggregator=;",
        ])
        .current_dir(ROOT)
        .output()
        .ok()?;
    // A truncated file makes tshark exit non-zero after printing what it read.
    if out.stdout.is_empty() {
        return None;
    }
    let (mut ike, mut notifies, mut frags) = (0, 0, 0);
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let cols: Vec<&str> = line.split('\t').collect();
        let col = |i: usize| cols.get(i).copied().unwrap_or("");
        // ICMP errors quote IKE headers: not messages of their own.
        let icmp = !col(5).is_empty() || !col(6).is_empty();
        if !icmp
            && col(0)
                .split(';')
                .next()
                .is_some_and(|v| v == "2.0" || v == "0x20" || v == "32")
        {
            ike += 1;
            notifies += col(1).split(';').filter(|s| !s.is_empty()).count() as u64;
        }
        let mf = col(2).split(';').next().unwrap_or("");
        let off = col(3).split(';').next().unwrap_or("");
        // (ICMP errors are never fragments here; their quoted headers are.)
        if !icmp
            && (mf == "1" || mf == "True" || (!off.is_empty() && off != "0") || !col(4).is_empty())
        {
            frags += 1;
        }
    }
    Some((ike, notifies, frags))
}

/// Ignored unless asked for (`cargo test -- --include-ignored`, as `.ci/run`
/// does), because it needs tshark; asked for without tshark it fails.
#[test]
#[cfg_attr(not(windows), ignore = "needs tshark")]
#[cfg_attr(
    windows,
    ignore = "runs tshark as the oracle; the Wine CI prefix has no Windows tshark"
)]
fn counts_agree_with_tshark_on_every_fixture() {
    if let Err(e) = StdCommand::new("tshark").arg("--version").output() {
        panic!("cannot run tshark, the oracle of this test ({e}): apt-get install tshark");
    }
    let mut compared = 0;
    for entry in std::fs::read_dir(Path::new(ROOT).join("fixtures")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if !(name.ends_with(".pcap") || name.ends_with(".pcapng")) {
            continue;
        }
        let rel = format!("fixtures/{name}");
        let Some((ike, notifies, frags)) = tshark_counts(&rel) else {
            continue;
        };
        let (doc, _) = json(&[&rel]);
        // tshark shows each pktmon component's snapshot as a frame of its own;
        // these files are checked against their NIC-only reference instead
        // (pktmon_copies_give_the_answer_of_the_nic_only_capture).
        if doc["stats"]["component_copies"].as_u64().unwrap_or(0) > 0 {
            continue;
        }
        let ours_notifies: u64 = doc["sas"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|sa| sa["messages"].as_array().unwrap().iter())
            .map(|m| m["notifies"].as_array().unwrap().len() as u64)
            .sum();
        // Without reassembly tshark decodes the IKE header in every first
        // fragment: once per reassembled message (which we count once too)
        // plus once per datagram whose other fragments never came.
        let lost_with_header: u64 = doc["sas"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|sa| sa["lost_datagrams"].as_array().unwrap().iter())
            .filter(|d| d["exchange"].is_string())
            .count() as u64;
        assert_eq!(
            doc["stats"]["ike_messages"].as_u64().unwrap() + lost_with_header,
            ike,
            "{name}: IKEv2 messages"
        );
        assert_eq!(ours_notifies, notifies, "{name}: notify payloads");
        assert_eq!(
            doc["stats"]["ip_fragments"].as_u64().unwrap(),
            frags,
            "{name}: IP fragments"
        );
        compared += 1;
    }
    assert!(compared >= 5, "compared {compared} fixtures");
}

/// The namespace lab's real strongSwan captures (fixtures/README.md): for
/// each, the exit code and the fail/warn codes it must produce (info codes
/// such as nat-detected are checked where they matter).
#[test]
fn lab_captures_give_the_expected_diagnosis() {
    let cases: &[(&str, i32, &[&str])] = &[
        (
            "ike-skf-success-client.pcapng",
            0,
            &["ike-fragmentation-negotiated"],
        ),
        (
            "ike-skf-success-server.pcapng",
            0,
            &["ike-fragmentation-negotiated"],
        ),
        (
            "ike-ipv6-skf-success-client.pcapng",
            0,
            &["ike-fragmentation-negotiated"],
        ),
        (
            "ike-ipfrag-success-client.pcapng",
            0,
            &[
                "ike-fragmentation-not-negotiated",
                "ike-message-ip-fragmented",
            ],
        ),
        (
            "ike-ipfrag-success-server.pcapng",
            0,
            &[
                "ike-fragmentation-not-negotiated",
                "ike-message-ip-fragmented",
            ],
        ),
        (
            "ike-ipv6-ipfrag-success-client.pcapng",
            0,
            &["ike-message-ip-fragmented", "icmp-too-big"],
        ),
        (
            "ike-server-no16430-client.pcapng",
            0,
            &["ike-fragmentation-not-negotiated"],
        ),
        (
            "ike-server-no16430-server.pcapng",
            0,
            &["ike-fragmentation-not-negotiated"],
        ),
        (
            "ike-eap-return-frags-success-client.pcapng",
            0,
            &["ike-message-ip-fragmented"],
        ),
        (
            "ike-frags-dropped-809-client.pcapng",
            1,
            &["ike-auth-unanswered", "ike-message-ip-fragmented"],
        ),
        (
            "ike-frags-dropped-809-router.pcapng",
            1,
            &["ike-auth-unanswered"],
        ),
        (
            "ike-frags-dropped-809-server.pcapng",
            1,
            &["ike-auth-never-arrived"],
        ),
        (
            "ike-server-no16430-frags-dropped-client.pcapng",
            1,
            &["ike-auth-unanswered", "ike-fragmentation-not-negotiated"],
        ),
        (
            "ike-nonfirst-dropped-client.pcapng",
            1,
            &["ike-auth-unanswered"],
        ),
        (
            "ike-nonfirst-dropped-server.pcapng",
            1,
            &["ip-fragments-missing", "ike-auth-never-arrived"],
        ),
        (
            "ike-ipv6-frags-dropped-client.pcapng",
            1,
            &["ike-auth-unanswered"],
        ),
        (
            "ike-ipv6-frags-dropped-server.pcapng",
            1,
            &["ike-auth-never-arrived"],
        ),
        (
            "ike-eap-return-frags-dropped-client.pcapng",
            1,
            &["ike-auth-unanswered"],
        ),
        (
            "ike-eap-return-frags-dropped-server.pcapng",
            1,
            &["ike-response-lost", "ike-message-ip-fragmented"],
        ),
        (
            "ike-proposal-mismatch-client.pcap",
            1,
            &["no-proposal-chosen"],
        ),
        (
            "ike-udp500-blocked-client.pcapng",
            1,
            &["ike-sa-init-unanswered"],
        ),
        (
            "ike-udp4500-blocked-client.pcap",
            1,
            &["ike-auth-unanswered"],
        ),
        ("ike-lb-split-client.pcapng", 1, &["ike-auth-unanswered"]),
        ("ike-lb-split-server2.pcapng", 1, &["ike-auth-unanswered"]),
    ];
    for (file, want_code, want) in cases {
        let rel = format!("fixtures/{file}");
        if !Path::new(ROOT).join(&rel).exists() {
            panic!("lab fixture {rel} missing");
        }
        let (doc, code) = json(&[&rel]);
        let got: Vec<String> = codes(&doc).into_iter().map(|(c, _)| c).collect();
        assert_eq!(code, *want_code, "{file}: exit code; findings {got:?}");
        for w in *want {
            assert!(
                got.iter().any(|g| g == w),
                "{file}: {w} missing from {got:?}"
            );
        }
        // No fail finding on a successful exchange, and every fail names frames.
        for f in doc["findings"].as_array().unwrap() {
            if f["severity"] == "fail" {
                assert!(
                    !f["evidence"].as_object().unwrap().is_empty(),
                    "{file}: {f}"
                );
                assert!(f["remedy"].is_string(), "{file}: {f}");
            }
        }
    }
}

#[test]
fn lab_evidence_details() {
    // Non-first fragments dropped, server side: the first fragment of each
    // IKE_AUTH transmission arrived and names the IKE message it carried.
    let (doc, _) = json(&["fixtures/ike-nonfirst-dropped-server.pcapng"]);
    let f = finding(&doc, "ip-fragments-missing");
    assert_eq!(f["severity"], "fail");
    assert_eq!(f["evidence"]["datagrams"], 3);
    assert!(
        f["summary"]
            .as_str()
            .unwrap()
            .starts_with("IKE_AUTH request (message ID 1)")
    );
    // UDP 4500 blocked: three transmissions of SKF pieces, never answered.
    let (doc, _) = json(&["fixtures/ike-udp4500-blocked-client.pcap"]);
    let f = finding(&doc, "ike-auth-unanswered");
    assert!(f["summary"].as_str().unwrap().contains("SKF"), "{f}");
    assert_eq!(f["evidence"]["ike_fragmentation"], true);
    assert_eq!(doc["sas"][0]["port_switch"]["file"], 1);
    // Return-path loss seen from the server: responses were sent, the client
    // kept retransmitting. Its own code since issue #12 (scripts must tell
    // "server silent" from "server answered, client never heard it").
    let (doc, _) = json(&["fixtures/ike-eap-return-frags-dropped-server.pcapng"]);
    assert!(!has(&doc, "ike-auth-unanswered", "fail"));
    let f = finding(&doc, "ike-response-lost");
    assert!(
        f["summary"]
            .as_str()
            .unwrap()
            .contains("lost on the way back to 198.18.1.2:4500"),
        "{f}"
    );
    assert_eq!(f["evidence"]["response_ip_fragments"], 2);
    assert_eq!(f["windows_error"], 809);
    // Both sides of the 809 case in one timeline.
    let (doc, code) = json(&[
        "fixtures/ike-frags-dropped-809-client.pcapng",
        "fixtures/ike-frags-dropped-809-server.pcapng",
    ]);
    assert_eq!(code, 1);
    assert_eq!(doc["sas"].as_array().unwrap().len(), 1);
    let f = finding(&doc, "ike-auth-unanswered");
    assert!(
        f["summary"]
            .as_str()
            .unwrap()
            .contains("lost between those capture points"),
        "{f}"
    );
    assert_eq!(f["evidence"]["seen_in_files"], serde_json::json!([1]));
    assert_eq!(f["evidence"]["missing_from_files"], serde_json::json!([2]));
}

// ---- issue 12 item 6: capture formats from the field ----------------------
// Right answers fixed before the run, from how the fixtures were built
// (fixtures/make_field_formats.py) and tshark's dissection of them.

/// DSL client behind PPPoE: every frame is a PPPoE session frame; IKE_AUTH
/// leaves as 1492 + 772 byte IP fragments (the PPPoE MTU), three times,
/// never answered, and the server sent no 16430.
#[test]
fn pppoe_client_ike_auth_fragments_unanswered() {
    let (doc, code) = json(&["fixtures/field-pppoe-ike-auth-fragments-unanswered.pcap"]);
    assert_eq!(code, 1);
    assert!(has(&doc, "ike-auth-unanswered", "fail"));
    assert!(has(&doc, "ike-fragmentation-not-negotiated", "warn"));
    let f = finding(&doc, "ike-message-ip-fragmented");
    assert_eq!(f["evidence"]["mtu"], 1492);
    let summary = f["summary"].as_str().unwrap();
    assert!(
        summary.contains("1492") && summary.contains("PPPoE"),
        "{summary}"
    );
    let s = &doc["stats"];
    assert_eq!(s["packets"], 16);
    assert_eq!(s["pppoe_frames"], 16);
    assert_eq!(s["not_ip"], 8, "LCP echo requests and replies");
    assert_eq!(s["ip_fragments"], 6);
    assert_eq!(s["datagrams_reassembled"], 3);
    assert_eq!(s["malformed"], 0);
    // The human view says what 1492 is.
    pcap()
        .arg("fixtures/field-pppoe-ike-auth-fragments-unanswered.pcap")
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "16 frame(s) in a PPPoE session (DSL: IP MTU 1492",
        ));
}

/// Server side behind an MPLS provider edge (VLAN, then two labels): a
/// success with IKEv2 fragmentation, ESP both ways.
#[test]
fn mpls_server_side_success() {
    let (doc, code) = json(&["fixtures/field-mpls-skf-success-server.pcapng"]);
    assert_eq!(code, 0);
    assert_eq!(doc["verdict"], "ok");
    assert_eq!(doc["sas"].as_array().unwrap().len(), 1);
    assert_eq!(doc["sas"][0]["ike_auth_answered"], true);
    assert!(has(&doc, "ike-fragmentation-negotiated", "info"));
    let s = &doc["stats"];
    assert_eq!(s["packets"], 12);
    assert_eq!(s["mpls_frames"], 12);
    assert_eq!(s["esp_packets"], 6);
    assert_eq!(s["skf_fragments"], 4);
    assert_eq!(s["not_ip"], 0);
    assert_eq!(s["malformed"], 0);
}

fn summary_of(doc: &Value) -> (Vec<(String, String)>, Value, Value) {
    let findings = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_owned(),
                f["severity"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let sa = &doc["sas"][0];
    let shape: Vec<Value> = sa["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            serde_json::json!([
                m["exchange"],
                m["message_id"],
                m["response"],
                m["retransmission_of"],
                m["ip_len"],
                m["time"]
            ])
        })
        .collect();
    (findings, Value::from(shape), doc["verdict"].clone())
}

/// pktmon (etl2pcapng: one interface per component, epb_packetid = PktGroupId)
/// records every packet at 4 components: 48 frames, 12 packets. The analysis
/// must be exactly that of the NIC-only capture of the same attempt: the
/// IKE_AUTH retransmissions (identical bytes, seconds apart, new PktGroupId)
/// still count, the component copies do not. Same for the variant without
/// epb_packetid (copies on other interfaces within 1 ms).
#[test]
fn pktmon_copies_give_the_answer_of_the_nic_only_capture() {
    let (reference, ref_code) = json(&["fixtures/field-pktmon-reference-nic-only.pcapng"]);
    assert_eq!(ref_code, 1);
    assert!(has(&reference, "ike-auth-unanswered", "fail"));
    assert_eq!(reference["stats"]["component_copies"], 0);
    let f = finding(&reference, "ike-auth-unanswered");
    assert!(
        f["summary"].as_str().unwrap().contains("sent 3 times"),
        "{f}"
    );
    for file in [
        "fixtures/field-pktmon-etl2pcapng-udp4500-blocked.pcapng",
        "fixtures/field-pktmon-components-unmarked.pcapng",
    ] {
        let (doc, code) = json(&[file]);
        assert_eq!(code, ref_code, "{file}");
        assert_eq!(summary_of(&doc), summary_of(&reference), "{file}");
        assert_eq!(doc["stats"]["packets"], 12, "{file}");
        assert_eq!(doc["stats"]["component_copies"], 36, "{file}");
        assert_eq!(
            doc["stats"]["ike_messages"], reference["stats"]["ike_messages"],
            "{file}"
        );
    }
    pcap()
        .arg("fixtures/field-pktmon-etl2pcapng-udp4500-blocked.pcapng")
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "36 frame(s) were copies of a packet recorded again at another stack component",
        ));
}

/// Identical frames in ordinary captures are never dropped: none of the
/// existing fixtures (lab captures, edge cases, field cases) loses a frame.
#[test]
fn ordinary_captures_have_no_component_copies() {
    for entry in std::fs::read_dir(Path::new(ROOT).join("fixtures")).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().to_string();
        if !(name.ends_with(".pcap") || name.ends_with(".pcapng")) || name.contains("pktmon-") {
            continue;
        }
        let (doc, _) = json(&[&format!("fixtures/{name}")]);
        if doc["error"]["code"] == "no-packets" {
            continue;
        }
        assert_eq!(doc["stats"]["component_copies"], 0, "{name}");
    }
    // The lab's router capture sees every forwarded packet twice (in on one
    // interface, out on the other) but with a TTL one lower: not a copy.
    let (doc, _) = json(&["fixtures/ike-frags-dropped-809-router.pcapng"]);
    assert_eq!(doc["stats"]["packets"], 18);
}
