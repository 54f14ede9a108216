//! `aovpn-diag pcap` on small versions of the capture bombs of issue 14,
//! generated here into a temporary directory: whatever a capture holds, the
//! output stays within README's "Bounds" (IKE SAs in full, findings per
//! code, lost-datagram flows) while the counts and the verdict still cover
//! everything. No timing assertions: `benches/bombs.sh` measures time and
//! memory on the full-size bombs.

use std::io::Write;
use std::path::{Path, PathBuf};

#[path = "support/cli.rs"]
mod cli;

use serde_json::Value;

/// Bounds from README "Bounds" (and `analyse::bounds`).
const SAS_IN_FULL: usize = 256;
const FINDINGS_PER_CODE: usize = 20;
const LOST_FLOWS: usize = 32;

/// A classic pcap of raw IP frames (LINKTYPE_RAW), one every 10 µs.
fn write_pcap(path: &Path, frames: impl Iterator<Item = Vec<u8>>) {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    out.write_all(&0xa1b2_c3d4u32.to_le_bytes()).unwrap();
    out.write_all(&2u16.to_le_bytes()).unwrap();
    out.write_all(&4u16.to_le_bytes()).unwrap();
    out.write_all(&[0; 8]).unwrap();
    out.write_all(&65_535u32.to_le_bytes()).unwrap();
    out.write_all(&101u32.to_le_bytes()).unwrap();
    for (i, f) in frames.enumerate() {
        let us = 1_700_000_000_000_000u64 + i as u64 * 10;
        out.write_all(&((us / 1_000_000) as u32).to_le_bytes())
            .unwrap();
        out.write_all(&((us % 1_000_000) as u32).to_le_bytes())
            .unwrap();
        out.write_all(&(f.len() as u32).to_le_bytes()).unwrap();
        out.write_all(&(f.len() as u32).to_le_bytes()).unwrap();
        out.write_all(&f).unwrap();
    }
}

fn ipv4(src: [u8; 4], dst: [u8; 4], id: u16, frag: u16, payload: &[u8]) -> Vec<u8> {
    let mut p = vec![0x45, 0];
    p.extend(((20 + payload.len()) as u16).to_be_bytes());
    p.extend(id.to_be_bytes());
    p.extend(frag.to_be_bytes());
    p.extend([64, 17, 0, 0]);
    p.extend(src);
    p.extend(dst);
    p.extend_from_slice(payload);
    p
}

fn udp(port: u16, len: u16, payload: &[u8]) -> Vec<u8> {
    let mut u = Vec::new();
    u.extend(port.to_be_bytes());
    u.extend(port.to_be_bytes());
    u.extend(len.to_be_bytes());
    u.extend([0, 0]);
    u.extend_from_slice(payload);
    u
}

/// An IKEv2 header (RFC 7296 §3.1) of SA `n`.
fn ike_header(n: u32, exchange: u8, next: u8, len: u32) -> Vec<u8> {
    let mut m = u64::from(n + 1).to_be_bytes().to_vec();
    m.extend([0; 8]);
    m.extend([next, 0x20, exchange, 0x08]);
    m.extend(u32::from(exchange == 35).to_be_bytes());
    m.extend(len.to_be_bytes());
    m
}

fn source(n: u32) -> [u8; 4] {
    [198, 18, (n >> 8) as u8, n as u8]
}

const SERVER: [u8; 4] = [198, 19, 2, 20];

struct Bomb {
    _dir: tempfile::TempDir,
    path: PathBuf,
}

fn bomb(name: &str, frames: impl Iterator<Item = Vec<u8>>) -> Bomb {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    write_pcap(&path, frames);
    Bomb { _dir: dir, path }
}

/// `pcap --json` on a bomb: the document, its size in bytes, the exit code.
fn run(b: &Bomb) -> (Value, usize, i32) {
    let file = b.path.to_str().unwrap();
    let out = cli::command("pcap")
        .args(["--json", file])
        .output()
        .unwrap();
    let doc = cli::document(&out, "pcap", &[file]);
    (doc, out.stdout.len(), out.status.code().unwrap())
}

/// The findings of `code`: how many are listed, and how many there are in
/// all (the listed ones plus the count of the one that counts the rest).
fn listed_and_total(doc: &Value, code: &str) -> (usize, u64) {
    let fs: Vec<&Value> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == code)
        .collect();
    let total = fs
        .iter()
        .map(|f| f["evidence"]["not_listed"].as_u64().unwrap_or(1))
        .sum();
    (fs.len(), total)
}

#[test]
fn twenty_thousand_lost_first_fragments_stay_within_bounds() {
    // frag4 in small: first fragments of 2,000-byte IKE_AUTH requests, each
    // its own SA, that never complete.
    let n = 20_000u32;
    let b = bomb(
        "frag4.pcap",
        (0..n).map(|i| {
            let mut body = ike_header(i, 35, 46, 1992);
            body.resize(64, 0xab);
            ipv4(source(i), SERVER, i as u16, 0x2000, &udp(500, 2000, &body))
        }),
    );
    let (doc, size, code) = run(&b);
    assert_eq!(code, 1);
    assert_eq!(doc["verdict"], "problem");
    assert!(size < 1_000_000, "{size} bytes of JSON");
    assert_eq!(doc["stats"]["datagrams_incomplete"], n);
    assert_eq!(doc["sas"].as_array().unwrap().len(), SAS_IN_FULL);
    let summary = &doc["summarised_sas"];
    assert_eq!(summary["sas"], n as usize - SAS_IN_FULL);
    assert_eq!(
        summary["outcomes"]["no_ike_sa_init"],
        n as usize - SAS_IN_FULL
    );
    assert_eq!(summary["with_fail_finding"], n as usize - SAS_IN_FULL);
    assert!(summary["peers"].as_array().unwrap().len() <= 64);
    assert_eq!(
        listed_and_total(&doc, "ip-fragments-missing"),
        (FINDINGS_PER_CODE + 1, u64::from(n))
    );
    assert_eq!(listed_and_total(&doc, "ike-sas-summarised").0, 1);
    assert_eq!(doc["bounds"]["sas_in_full"], SAS_IN_FULL);

    // The human view is bounded too: a dozen SA tables, the summary table,
    // the listed findings.
    let out = cli::command("pcap")
        .arg(b.path.to_str().unwrap())
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.len() < 200_000, "{} bytes of text", text.len());
    assert!(text.contains("summarised IKE SAs"), "{text}");
    assert!(text.contains("19,980 more ip-fragments-missing"), "{text}");
}

#[test]
fn twenty_thousand_lost_tails_become_counts_per_flow() {
    // frag6's shape in IPv4: only the last fragment of each datagram, from
    // 20,000 sources, so no SA claims them.
    let n = 20_000u32;
    let b = bomb(
        "tails.pcap",
        (0..n).map(|i| ipv4(source(i), SERVER, i as u16, 185, &[0x5a; 520])),
    );
    let (doc, size, code) = run(&b);
    // No IKE at all in it.
    assert_eq!(code, 1);
    assert!(size < 200_000, "{size} bytes of JSON");
    let flows = doc["lost_datagram_flows"].as_array().unwrap();
    assert_eq!(flows.len(), LOST_FLOWS);
    assert_eq!(flows[0]["first_fragment"], "missing");
    assert_eq!(flows[0]["datagrams"], 1);
    assert_eq!(
        doc["lost_datagrams_in_other_flows"],
        n as usize - LOST_FLOWS
    );
    let (listed, total) = listed_and_total(&doc, "ip-fragments-missing");
    assert_eq!(listed, FINDINGS_PER_CODE + 1);
    assert_eq!(total, LOST_FLOWS as u64 + 1);
}

#[test]
fn five_thousand_sa_init_requests_in_half_a_second_are_in_progress() {
    // init in small: unanswered IKE_SA_INIT requests with distinct SPIs; the
    // capture ends within the 5 s window, so none has failed yet.
    let n = 5_000u32;
    let b = bomb(
        "init.pcap",
        (0..n).map(|i| {
            let m = ike_header(i, 34, 0, 28);
            ipv4(source(i), SERVER, i as u16, 0, &udp(500, 36, &m))
        }),
    );
    let (doc, size, code) = run(&b);
    assert_eq!(code, 0);
    assert_eq!(doc["verdict"], "ok");
    assert!(size < 1_000_000, "{size} bytes of JSON");
    assert_eq!(doc["sas"].as_array().unwrap().len(), SAS_IN_FULL);
    assert_eq!(doc["summarised_sas"]["sas"], n as usize - SAS_IN_FULL);
    assert_eq!(
        doc["summarised_sas"]["outcomes"]["ike_sa_init_unanswered"],
        n as usize - SAS_IN_FULL
    );
    assert_eq!(
        listed_and_total(&doc, "exchange-in-progress"),
        (FINDINGS_PER_CODE + 1, u64::from(n))
    );
    assert_eq!(listed_and_total(&doc, "ike-sa-init-unanswered").1, 0);
}
