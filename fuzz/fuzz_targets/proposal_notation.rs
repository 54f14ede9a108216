//! strongSwan proposal notation as `--proposals` and test scripts take it:
//! `notation::parse`, `parse_list` and `ProposalSet`. Whatever parses and
//! has a notation must read back as the same proposal, and every proposal
//! in a set must make an IKE SA payload that parses back.
#![no_main]

use aovpn_diag::diagnose::ike::proposals::{ProposalSet, is_weak};
use aovpn_diag::wire::ike::notation::{self, MAX_LIST};
use aovpn_diag::wire::ike::{Body, Payload, Sa};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match notation::parse(text) {
        Ok(p) => {
            if let Some(again) = notation::format(&p) {
                assert_eq!(notation::parse(&again).as_ref(), Ok(&p), "{again}");
            }
            let _ = (p.describe(), is_weak(&p));
        }
        // The error quotes the input cut to a number of characters
        // (`text::EXCERPT_CHARS`), so count characters: one may take four
        // bytes.
        Err(e) => assert!(e.to_string().chars().count() < 400, "{e}"),
    }
    if let Ok(list) = notation::parse_list(text) {
        assert!(list.len() <= MAX_LIST);
        let sa = Payload::from(Body::Sa(Sa { proposals: list }));
        let mut bytes = Vec::new();
        aovpn_diag::wire::ike::emit_chain(std::slice::from_ref(&sa), &mut bytes);
        let back = aovpn_diag::wire::ike::parse_chain(sa.kind(), &bytes, 0).expect("own SA parses");
        assert_eq!(back, vec![sa]);
    }
    if let Ok(set) = ProposalSet::parse(text) {
        for entry in set.entries() {
            let _ = (entry.name, entry.weak);
        }
    }
});
