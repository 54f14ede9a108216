//! `profile` on any bytes as a rasphone.pbk: the capped line reader, the
//! phonebook parser, the judgement of each profile and both views, as
//! `src/cmd/profile.rs` runs them. The limits are shrunk so the fuzzer
//! reaches them.
#![no_main]

#[path = "common.rs"]
mod common;

use aovpn_diag::Verdict;
use aovpn_diag::finding::sort_by_severity;
use aovpn_diag::local::pbk;
use aovpn_diag::report::profile::{Phonebook, ProfileReport, write_human};
use aovpn_diag::report::{Status, write_json};
use aovpn_diag::text::{LineReader, TextLimits};
use libfuzzer_sys::fuzz_target;

use common::{DETAILS, assert_json};

fuzz_target!(|data: &[u8]| {
    let limits = TextLimits {
        max_bytes: 4096,
        max_line_bytes: 512,
    };
    let mut lines = LineReader::new(data, limits);
    let mut parser = pbk::Parser::default();
    while let Ok(Some(line)) = lines.next_line() {
        assert!(
            line.text.len() <= 3 * limits.max_line_bytes,
            "a line over its cap"
        );
        if parser.read_line(&line).is_err() {
            return;
        }
    }
    assert!(lines.bytes_read() <= limits.max_bytes);
    let Ok(profiles) = parser.finish() else {
        return;
    };
    assert!(profiles.len() <= pbk::MAX_PROFILES);
    let mut findings: Vec<_> = profiles
        .iter()
        .flat_map(|p| pbk::assess(p, "fuzz.pbk"))
        .collect();
    sort_by_severity(&mut findings);
    let report = ProfileReport {
        verdict: Verdict::from_findings(&findings),
        findings,
        phonebooks: vec![Phonebook {
            path: "fuzz.pbk".into(),
            profiles,
        }],
    };
    let mut json = Vec::new();
    write_json(
        &mut json,
        "profile",
        Status::new(&report.findings, None),
        &report.json(),
    ).expect("JSON into memory");
    assert_json(&json);
    for detail in DETAILS {
        write_human(&mut Vec::new(), &report, detail).expect("text into memory");
    }
});
