//! Fuzz the event readers and the judgement with any bytes as an event
//! export: EVTX (when the bytes start with "ElfFile\0"), Windows event XML
//! (wevtutil, Get-WinEvent; UTF-8 or UTF-16) or WFP net-event XML. Run with
//! `cargo fuzz run -s none -a events_read` from the repository root (seed
//! corpus: fixtures/events/). Garbage must be refused with an error, never a
//! panic, and whatever is read must group, judge and serialise.
#![no_main]

use aovpn_diag::events::input::{Collected, read_bytes};
use aovpn_diag::events::time::Timestamp;
use aovpn_diag::events::{Window, analyse};
use aovpn_diag::report::events::EventsReport;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut collected = Collected::default();
    if read_bytes("fuzz", data, &mut collected).is_err() {
        return;
    }
    let analysis = analyse(collected, Some(Window::last(24.0, Timestamp(0))));
    let report = EventsReport::new(&analysis, None);
    let mut out = Vec::new();
    let status = aovpn_diag::report::Status::new(&analysis.findings, None);
    aovpn_diag::report::write_json(&mut out, "events", status, &report).unwrap();
    aovpn_diag::report::events::write_human(&mut out, &report, Default::default()).unwrap();
});
