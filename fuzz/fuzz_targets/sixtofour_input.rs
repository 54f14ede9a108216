//! `6to4 -` on any bytes as stdin (and the first line as a command-line
//! argument): the capped line reader, the address parser, the conversions
//! (6to4, Teredo, ISATAP, prefixes), the bounded findings and both views.
//! Nothing from a bad input may be quoted at length.
#![no_main]

#[path = "common.rs"]
mod common;

use aovpn_diag::finding::sort_by_severity;
use aovpn_diag::report::sixtofour::{View, write_human};
use aovpn_diag::report::{Status, write_json};
use aovpn_diag::sixtofour::{MAX_LISTED, Source, analyse_inputs};
use aovpn_diag::text::{LineReader, TextLimits};
use libfuzzer_sys::fuzz_target;

use common::{DETAILS, assert_json};

fuzz_target!(|data: &[u8]| {
    let limits = TextLimits {
        max_bytes: 8192,
        max_line_bytes: 512,
    };
    let mut lines = LineReader::new(data, limits);
    let mut items = Vec::new();
    while let Ok(Some(line)) = lines.next_line() {
        let text = line.text.trim();
        if text.is_empty() || text.starts_with('#') {
            continue;
        }
        let source = if items.is_empty() {
            Source::Argument(1)
        } else {
            Source::Stdin(line.number)
        };
        items.push((source, text.to_owned()));
    }
    let report = analyse_inputs(items);
    for f in &report.findings {
        assert!(
            f.summary.chars().count() <= 400,
            "an input quoted at length: {}",
            f.summary
        );
    }
    let per_code = |code| report.findings.iter().filter(|f| f.code == code).count();
    for f in &report.findings {
        assert!(per_code(f.code) <= MAX_LISTED + 1);
    }
    let mut findings = report.findings.clone();
    sort_by_severity(&mut findings);
    let view = View {
        inputs: Some(&report),
        netlogon: None,
        site: Some("London"),
        findings: &findings,
    };
    let mut json = Vec::new();
    write_json(&mut json, "6to4", Status::new(&findings, None), &view.json()).expect("JSON into memory");
    assert_json(&json);
    for detail in DETAILS {
        write_human(&mut Vec::new(), &view, detail).expect("text into memory");
    }
});
