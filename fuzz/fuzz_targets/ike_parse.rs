//! Fuzz the IKEv2 parser with any bytes, as they would arrive on UDP 500 or
//! (after classification) UDP 4500. Run with `cargo fuzz run -s none -a ike_parse`
//! from the repository root. The target must never panic; whatever parses
//! must re-emit to bytes that parse to the same payloads.
#![no_main]

use aovpn_diag::wire::ike::{Header, Message, Payload, PayloadType, RawPayloads};
use aovpn_diag::wire::natt::{Udp4500, classify_4500};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let ike = match classify_4500(data) {
        Udp4500::Ike(rest) => rest,
        _ => data,
    };
    let _ = Header::parse(ike);
    if let Some((first, chain)) = ike.split_first() {
        for raw in RawPayloads::new(PayloadType(*first), chain, 1).flatten() {
            let _ = Payload::parse(&raw);
        }
    }
    if let Ok(msg) = Message::parse(ike) {
        let again = Message::parse(&msg.emit()).expect("re-emitted message parses");
        assert_eq!(again.payloads, msg.payloads);
    }
});
