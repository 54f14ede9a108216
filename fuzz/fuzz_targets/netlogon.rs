//! `6to4 --netlogon` on any bytes as a netlogon.log: the capped line reader
//! (UTF-8 or UTF-16 decided from the bytes), the NO_CLIENT_SITE parser, the
//! bounded summary and both views, as `src/cmd/sixtofour.rs` runs them.
//! Nothing from a bad line may be quoted at length.
#![no_main]

#[path = "common.rs"]
mod common;

use aovpn_diag::netlogon;
use aovpn_diag::report::sixtofour::{NetlogonView, View, write_human};
use aovpn_diag::report::{Status, write_json};
use aovpn_diag::sixtofour::{InputCap, MAX_LISTED, MAX_NETLOGON_CLIENTS, NetlogonSummary};
use aovpn_diag::text::{LineReader, TextLimits};
use libfuzzer_sys::fuzz_target;

use common::{DETAILS, assert_json};

fuzz_target!(|data: &[u8]| {
    let limits = TextLimits {
        max_bytes: 8192,
        max_line_bytes: netlogon::LIMITS.max_line_bytes.min(300),
    };
    let mut lines = LineReader::new(data, limits);
    let mut summary = NetlogonSummary::default();
    while let Ok(Some(line)) = lines.next_line() {
        summary.line(&line);
    }
    if lines.truncated() {
        summary.truncated(InputCap {
            input: "netlogon.log fuzz".into(),
            cap: "8 KiB".into(),
            lines_read: lines.lines_read(),
        });
    }
    let report = summary.finish();
    assert!(report.clients.len() <= MAX_NETLOGON_CLIENTS);
    assert!(report.malformed.len() <= MAX_LISTED);
    for m in &report.malformed {
        assert!(
            m.text.chars().count() <= 200,
            "a damaged line quoted at length"
        );
    }
    let findings = report.findings.clone();
    let encoding = lines.encoding();
    let view = View {
        inputs: None,
        netlogon: Some(NetlogonView {
            file: "fuzz.log",
            encoding: encoding.as_str(),
            report: &report,
        }),
        site: Some("Site \"$x\""),
        findings: &findings,
    };
    let mut json = Vec::new();
    write_json(&mut json, "6to4", Status::new(&findings, None), &view.json()).expect("JSON into memory");
    assert_json(&json);
    for detail in DETAILS {
        write_human(&mut Vec::new(), &view, detail).expect("text into memory");
    }
});
