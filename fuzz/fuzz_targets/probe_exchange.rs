//! The whole `probe` of one address over a scripted hostile server:
//! `probe::probe_address` (IKE_SA_INIT on UDP 500 and 4500, COOKIE and
//! INVALID_KE retries, the padded fragment test, the proposal check, the
//! IKE_AUTH test) against answers the fuzz input writes: raw junk, junk with
//! the request's SPI and message ID patched in (so it gets past the first
//! checks), notify-only answers of any type and data, answers that accept
//! the offer with any KE data, ICMP unreachable and too-big, silence. Then
//! the findings, the JSON and the human view. Every loop must stay bounded.
#![no_main]

#[path = "common.rs"]
mod common;

use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aovpn_diag::diagnose::dns::{Family, Resolution};
use aovpn_diag::diagnose::ike::findings;
use aovpn_diag::diagnose::ike::proposals::ProposalSet;
use aovpn_diag::probe::ike::{Config, MAX_ROUNDS, Timing, probe_address};
use aovpn_diag::probe::net::{Received, Scripted, Sent};
use aovpn_diag::report::probe::{target_json, write_human};
use aovpn_diag::wire::ike::{Body, Flags, Ke, Message, Notify, NotifyType, Payload, Sa, notation};
use aovpn_diag::wire::natt;
use libfuzzer_sys::fuzz_target;

use common::{Bytes, DETAILS, assert_json};

/// The answers to one request, written by the fuzz input.
fn answers(input: &mut Bytes<'_>, sent: &Sent) -> Vec<Received> {
    let on_4500 = sent.peer.port() == 4500;
    let ike = match natt::classify_4500(&sent.data) {
        natt::Udp4500::Ike(rest) if on_4500 => rest,
        _ => &sent.data[..],
    };
    let request = Message::parse(ike).ok();
    let wrap = |m: Vec<u8>| if on_4500 { natt::with_marker(&m) } else { m };
    let count = input.u8() % 4;
    let mut out = Vec::new();
    for _ in 0..count {
        let kind = input.u8();
        let reply = match (kind % 7, &request) {
            (0, _) => Received::Datagram(input.slice(3000).to_vec()),
            (1, _) => {
                // Junk with the request's SPIs and message ID: past the
                // "is this about my request" checks.
                let mut d = input.slice(3000).to_vec();
                d.resize(d.len().max(28), 0);
                // RFC 7296 §3.1: SPIs 0..16, version 17, exchange 18,
                // flags 19, message ID 20..24, length 24..28.
                if let Some(head) = ike.get(..28) {
                    d[..8].copy_from_slice(&head[..8]);
                    d[17..19].copy_from_slice(&head[17..19]);
                    d[19] = Flags::RESPONSE | (d[19] & !Flags::INITIATOR);
                    d[20..24].copy_from_slice(&head[20..24]);
                }
                if kind & 0x80 != 0 {
                    let len = (d.len() as u32).to_be_bytes();
                    d[24..28].copy_from_slice(&len);
                }
                Received::Datagram(wrap(d))
            }
            (2, Some(req)) => {
                let mut header = req.header;
                header.flags = Flags(Flags::RESPONSE);
                let notify = Notify::new(NotifyType(input.u16()), input.slice(300).to_vec());
                let msg = Message {
                    header,
                    payloads: vec![Payload::from(Body::Notify(notify))],
                };
                Received::Datagram(wrap(msg.emit()))
            }
            (3, Some(req)) => {
                // Accept the first proposal offered, with any KE data and
                // any extra notifies.
                let mut header = req.header;
                header.flags = Flags(Flags::RESPONSE);
                header.spi_r = [input.u8() | 1; 8];
                let mut payloads: Vec<Payload> = Vec::new();
                let pick = usize::from(input.u8());
                let offered = req.sa().map(|sa| &sa.proposals[..]).unwrap_or_default();
                if let Some(p) = offered.get(pick % offered.len().max(1)) {
                    payloads.push(
                        Body::Sa(Sa {
                            proposals: vec![p.clone()],
                        })
                        .into(),
                    );
                }
                if let Some(ke) = req.ke() {
                    let data = input.slice(200).to_vec();
                    payloads.push(
                        Body::Ke(Ke {
                            group: ke.group,
                            data,
                        })
                        .into(),
                    );
                }
                payloads.push(Body::Nonce(input.slice(64).to_vec()).into());
                for _ in 0..input.u8() % 4 {
                    let n = Notify::new(NotifyType(input.u16()), input.slice(64).to_vec());
                    payloads.push(Body::Notify(n).into());
                }
                Received::Datagram(wrap(Message { header, payloads }.emit()))
            }
            (4, _) => Received::Unreachable,
            (5, _) => Received::TooBig,
            _ => Received::TimedOut,
        };
        out.push(reply);
    }
    out
}

fuzz_target!(|data: &[u8]| {
    let mut input = Bytes(data);
    let flags = input.u8();
    let mut cfg = Config::new(Timing {
        timeout: Duration::from_millis(10),
        retransmits: flags % 3,
    });
    // Offers whose requests mostly carry elliptic-curve KE values: a fresh
    // MODP-2048 key pair per request (what the Windows defaults cost) would
    // slow the fuzzer twentyfold. The IKE code paths are the same.
    cfg.offer = notation::parse_list("aes128gcm16-prfsha256-ecp256,aes256-sha256-modp2048")
        .expect("valid offer");
    if flags & 4 != 0 {
        cfg.frag_size = None;
    }
    if flags & 8 != 0 {
        cfg.proposal_check =
            ProposalSet::parse("aes256-sha256-modp2048,aes128gcm16-prfsha256-modp1024").ok();
    }
    cfg.auth_test = flags & 16 != 0;
    let address = if flags & 32 != 0 {
        IpAddr::from([0x2001, 0xdb8, 0, 0, 0, 0, 0, 7])
    } else {
        IpAddr::from([198, 51, 100, 7])
    };
    let script = Arc::new(Mutex::new(input.rest().to_vec()));
    let mut net = Scripted::new(move |sent: &Sent| {
        let mut script = script.lock().expect("one thread");
        let bytes = std::mem::take(&mut *script);
        let mut input = Bytes(&bytes);
        let out = answers(&mut input, sent);
        *script = input.rest().to_vec();
        out
    });
    if address.is_ipv6() {
        net = net.with_local_ip(IpAddr::from([0x2001, 0xdb8, 0, 0, 0, 0, 0, 2]));
    }
    let target = probe_address(&net.env(), address, &cfg);
    // The documented bound: per port a small and a padded exchange, one per
    // checked proposal, each at most MAX_ROUNDS request variants sent
    // 1 + retransmits times; the IKE_AUTH test and its Delete as many.
    let sends = 1 + usize::from(cfg.timing.retransmits);
    let checked = cfg.proposal_check.as_ref().map_or(0, |p| p.entries().len());
    let bound = (4 + checked) * MAX_ROUNDS * sends + 2 * sends;
    let sent = net.sent().len();
    assert!(sent <= bound, "{sent} datagrams sent, bound {bound}");

    let targets = [target];
    let findings = findings(&targets);
    let json = serde_json::to_vec(&target_json(&targets[0])).expect("JSON");
    assert_json(&json);
    let _ = serde_json::to_vec(&findings).expect("JSON");
    let resolution = Resolution::literal(&address.to_string(), Family::Any, address);
    for detail in DETAILS {
        let mut human = Vec::new();
        write_human(&mut human, &resolution, &targets, &findings, detail).expect("text");
    }
});
