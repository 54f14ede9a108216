//! The capture reader (pcap, pcapng through pcap-parser, our block guard)
//! and the link layers behind it, on any bytes as a capture file. Never a
//! panic, never a loop: garbage is "not a capture" or a truncation, and every
//! frame costs at least its 16-byte record or block header.
#![no_main]

use aovpn_diag::capture::{CaptureReader, link};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(mut reader) = CaptureReader::new("fuzz", 0, std::io::Cursor::new(data.to_vec())) else {
        return;
    };
    let mut frames = 0u64;
    while let Ok(Some(p)) = reader.peek() {
        frames += 1;
        assert!(frames * 16 <= data.len() as u64, "a frame from nothing");
        assert!(p.data.len() <= data.len());
        let _ = link::decode_with(p.link, p.data);
        reader.advance();
    }
    assert_eq!(reader.frames(), frames);
    let _ = (reader.truncation(), reader.stats(), reader.link_types());
});
