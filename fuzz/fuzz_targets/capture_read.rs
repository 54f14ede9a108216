//! Fuzz the capture reader and the whole pcap analysis with any bytes as a
//! capture file. Run with `cargo +nightly fuzz run capture_read` from the
//! repository root (seed corpus: the files under fixtures/). The reader must
//! never panic or loop: garbage is either "not a capture" or a truncation.
#![no_main]

use aovpn_diag::analyse::{Analyser, Options};
use aovpn_diag::capture::{CaptureReader, for_each_in_time_order};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(reader) = CaptureReader::new("fuzz", 0, std::io::Cursor::new(data.to_vec())) else {
        return;
    };
    let mut readers = vec![reader];
    let mut analyser = Analyser::new(Options::default());
    let mut frames = 0u64;
    let _ = for_each_in_time_order(&mut readers, |p| {
        analyser.packet(p);
        frames += 1;
        // Each frame consumes at least a 16-byte record header.
        assert!(frames <= data.len() as u64);
        true
    });
    let _ = analyser.finish();
});
