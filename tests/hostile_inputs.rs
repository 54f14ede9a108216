//! Whole-input readers on hostile input (issue 14): endless and huge inputs
//! end at a documented cap with a clear finding or error and exit 2, and a
//! huge line is quoted in part only. (The bench script `benches/bombs.sh`
//! measures memory and time on the same inputs at full size.)

#[path = "support/cli.rs"]
mod cli;

use std::io::Write;
use std::process::{Command, Stdio};

use serde_json::Value;

use cli::finding;

fn run_with_stdin(args: &[&str], stdin: &[u8]) -> (Value, i32, usize) {
    let out = cli::command(args[0])
        .args(&args[1..])
        .write_stdin(stdin.to_vec())
        .output()
        .unwrap();
    let doc = cli::document(&out, args[0], args);
    (doc, out.status.code().unwrap(), out.stdout.len())
}

#[test]
#[cfg(unix)]
fn netlogon_dev_zero_stops_at_the_cap_with_exit_2() {
    let out = cli::command("6to4")
        .args(["--json", "--netlogon", "/dev/zero"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        out.stdout.len() < 4096,
        "{} bytes of JSON",
        out.stdout.len()
    );
    let doc = cli::document(&out, "6to4", &[]);
    assert!(cli::has(&doc, "6to4-input-truncated", "fail"));
    let f = finding(&doc, "6to4-input-truncated");
    assert_eq!(f["evidence"]["cap"], "128 MiB");
    assert_eq!(f["evidence"]["lines_read"], 0);
    assert_eq!(doc["netlogon"]["truncated"], true);
}

#[test]
fn a_huge_netlogon_line_is_quoted_in_part() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("netlogon.log");
    let mut f = std::fs::File::create(&path).unwrap();
    f.write_all(b"08/14 09:12:44 [SITE] CONTOSO: NO_CLIENT_SITE: PC 2002:c633:6453::c633:6453\r\n")
        .unwrap();
    f.write_all(b"08/14 09:12:45 [SITE] CONTOSO: NO_CLIENT_SITE: ")
        .unwrap();
    f.write_all(&vec![b'A'; 20 << 20]).unwrap();
    drop(f);
    let path = path.to_str().unwrap();
    let (doc, code) = cli::json("6to4", &["--netlogon", path]);
    // The file is under the byte cap: read in full, the good line counts.
    assert_eq!(code, 0);
    assert_eq!(doc["netlogon"]["no_client_site_lines"], 1);
    assert_eq!(doc["netlogon"]["truncated"], false);
    let bad = finding(&doc, "6to4-bad-input");
    assert_eq!(bad["evidence"]["line"], 2);
    let text = bad["evidence"]["text"].as_str().unwrap();
    assert!(text.len() < 140, "{text}");
    assert!(
        text.ends_with(&format!("({} bytes)", 47 + (20 << 20))),
        "{text}"
    );
    assert!(serde_json::to_vec(&doc).unwrap().len() < 8192);
}

#[test]
fn a_stdin_line_over_the_cap_is_not_read_and_not_echoed() {
    let line = vec![b'7'; 20 << 20];
    let (doc, code, size) = run_with_stdin(&["6to4", "--json", "-"], &line);
    assert_eq!(code, 2);
    assert!(size < 4096, "{size} bytes of JSON");
    let f = finding(&doc, "6to4-input-truncated");
    assert_eq!(f["evidence"]["cap"], "16 MiB");
    assert_eq!(doc["inputs"].as_array().unwrap().len(), 0);
}

#[test]
fn a_long_stdin_line_is_an_unreadable_input_quoted_in_part() {
    let mut input = b"198.51.100.83\n".to_vec();
    input.extend(vec![b'z'; 1 << 20]);
    input.extend(b"\n203.0.113.0/24\n");
    let (doc, code, size) = run_with_stdin(&["6to4", "--json", "-"], &input);
    assert_eq!(code, 2);
    assert!(size < 8192, "{size} bytes of JSON");
    assert_eq!(doc["inputs"].as_array().unwrap().len(), 2);
    let bad = finding(&doc, "6to4-bad-input");
    assert_eq!(bad["evidence"]["source"], "stdin line 2");
    assert!(bad["summary"].as_str().unwrap().len() < 200);
    assert!(bad["evidence"]["input"].as_str().unwrap().len() <= 83);
}

#[test]
fn endless_stdin_stops_after_the_input_cap() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_aovpn-diag"))
        .args(["--json", "6to4", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    // Writes until the reader goes away (broken pipe), like `yes ADDRESS |`.
    let writer = std::thread::spawn(move || {
        let chunk = "10.1.2.3\n198.51.100.1\n".repeat(1000);
        let mut written = 0u64;
        while stdin.write_all(chunk.as_bytes()).is_ok() {
            written += chunk.len() as u64;
            assert!(written < 1 << 30, "the reader never stopped");
        }
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let doc = cli::document(&out, "6to4", &[]);
    assert_eq!(doc["inputs"].as_array().unwrap().len(), 5_000);
    let f = finding(&doc, "6to4-input-truncated");
    assert_eq!(f["evidence"]["cap"], "5000 addresses");
    // 2,500 private addresses: 20 warnings listed, one counts the rest.
    let warnings: Vec<&Value> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "6to4-non-global-ipv4")
        .collect();
    assert_eq!(warnings.len(), 21);
    assert_eq!(warnings[20]["evidence"]["total"], 2500);
}

#[test]
fn many_bad_stdin_lines_list_twenty_and_count_the_rest() {
    let input = "bogus\n".repeat(500);
    let (doc, code, _) = run_with_stdin(&["6to4", "--json", "-"], input.as_bytes());
    assert_eq!(code, 2);
    let bad: Vec<&Value> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "6to4-bad-input")
        .collect();
    assert_eq!(bad.len(), 21);
    assert_eq!(bad[20]["evidence"]["count"], 480);
}

#[test]
fn oversized_phonebooks_exit_2_with_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let cases: [(&str, Vec<u8>, &str); 3] = [
        (
            "long-line.pbk",
            [b"[AOVPN]\r\nPhoneNumber=".as_slice(), &vec![b'x'; 1 << 20]].concat(),
            "line 2 is 1048588 bytes long",
        ),
        (
            "many.pbk",
            (0..5000)
                .flat_map(|i| format!("[p{i}]\r\n").into_bytes())
                .collect(),
            "more than 1000 profiles",
        ),
        (
            "huge.pbk",
            [b"[AOVPN]\r\n".as_slice(), &b"; comment\r\n".repeat(2 << 20)].concat(),
            "larger than 16 MiB",
        ),
    ];
    for (name, bytes, reason) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        let out = cli::command("profile").arg(&path).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{name}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(reason), "{name}: {err}");
        assert!(err.len() < 300, "{name}: {err}");
        assert!(out.stdout.is_empty());
    }
}

#[test]
#[cfg(unix)]
fn profile_dev_zero_exits_2() {
    let out = cli::command("profile").arg("/dev/zero").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("larger than 16 MiB"), "{err}");
}
