//! The whole `pcap` command on one or two capture files: reader -> link ->
//! component-copy filter -> reassembly -> IKE analysis (`analyse::Session`)
//! -> JSON and human report, as `src/cmd/pcap.rs` runs it (keep the two in
//! step). The first
//! byte picks one file or two (bit 0), an extra IKE port (bit 1), the level
//! of detail of the human view (bits 2-3) and the reassembly timeout (bits
//! 4-7); with two files, the next two bytes say where the first ends. The
//! JSON must be one valid document.
#![no_main]

#[path = "common.rs"]
mod common;

use aovpn_diag::analyse::{Options, Session};
use aovpn_diag::capture::defrag::DefragLimits;
use aovpn_diag::capture::ip::IkePorts;
use aovpn_diag::capture::{CaptureReader, for_each_in_time_order};
use aovpn_diag::report::pcap::{PcapBody, PcapJson, write_human};
use aovpn_diag::report::{Status, write_json};
use libfuzzer_sys::fuzz_target;

use common::{Bytes, DETAILS, assert_json};

fuzz_target!(|data: &[u8]| {
    let mut input = Bytes(data);
    let mode = input.u8();
    let files: Vec<&[u8]> = if mode & 1 == 0 {
        vec![input.rest()]
    } else {
        let first = input.slice(usize::MAX >> 1);
        vec![first, input.rest()]
    };
    let mut readers = Vec::new();
    let mut names = Vec::new();
    for (i, bytes) in files.iter().enumerate() {
        let name = format!("fuzz{i}");
        match CaptureReader::new(name.clone(), i as u16, std::io::Cursor::new(bytes.to_vec())) {
            Ok(r) => readers.push(r),
            Err(_) => return,
        }
        names.push(name);
    }
    let opts = Options {
        ports: IkePorts::with_extra(if mode & 2 == 0 { &[] } else { &[10500] }),
        defrag: DefragLimits {
            timeout_secs: i64::from(mode >> 4) + 1,
            ..DefragLimits::default()
        },
    };
    let mut session = Session::new(opts);
    for (i, r) in readers.iter_mut().enumerate() {
        let _ = r.peek();
        session.declare_interfaces(i as u16, r.interfaces_declared());
    }
    let mut frames = 0u64;
    let _ = for_each_in_time_order(&mut readers, |p| {
        session.push(p);
        frames += 1;
        assert!(frames * 16 <= data.len() as u64, "a frame from nothing");
        true
    });
    for r in &readers {
        if let Some(t) = r.truncation() {
            session.file_truncated(r.name(), t);
        }
    }
    let analysis = session.finish();
    let mut json = Vec::new();
    write_json(
        &mut json,
        "pcap",
        Status::new(&analysis.findings, None),
        &PcapBody::Merged(Box::new(PcapJson::new(&names, &analysis))),
    ).expect("JSON into memory");
    assert_json(&json);
    // One level of detail per run (picked by the mode byte): three renders
    // of every input would halve the executions for no new paths.
    let detail = DETAILS[usize::from(mode >> 2) % DETAILS.len()];
    write_human(&mut Vec::new(), &analysis, detail).expect("text into memory");
});
