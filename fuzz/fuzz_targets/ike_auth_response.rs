//! SK and SKF (RFC 7296 §3.14, RFC 7383) as the probe's IKE_AUTH test
//! receives them from a hostile responder: `probe::auth::run` over a
//! scripted network whose answers the fuzz input writes. The harness holds
//! the IKE SA's keys (a real ECP-256 exchange made once), so besides raw
//! junk it can send correctly protected SK messages and SKF pieces with any
//! numbers, totals, inner payloads and message IDs, or flip one byte of
//! them: integrity checks, decryption, padding, reassembly and the parse of
//! the inner payloads all see hostile but authentic input.
#![no_main]

#[path = "common.rs"]
mod common;

use std::net::IpAddr;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use aovpn_diag::probe::ike::auth;
use aovpn_diag::probe::ike::kex::KeyPair;
use aovpn_diag::probe::ike::{SaInit, Timing};
use aovpn_diag::probe::net::{Received, Scripted, Sent};
use aovpn_diag::wire::ike::protect::{self, Envelope, Protection, Sender, Suite};
use aovpn_diag::wire::ike::{
    Body, DhGroup, ExchangeType, Flags, Header, Ke, Message, PayloadType, Sa, notation,
};
use aovpn_diag::wire::natt;
use libfuzzer_sys::fuzz_target;

use common::Bytes;

const SERVER: [u8; 4] = [198, 51, 100, 7];

/// One answered IKE_SA_INIT per suite, and the keys of its IKE SA.
struct Sa0 {
    init: SaInit,
    protection: Protection,
}

fn setup(proposal: &str) -> Sa0 {
    let chosen = notation::parse(proposal).expect("valid proposal");
    let suite = Suite::from_proposal(&chosen).expect("supported suite");
    let group = DhGroup::ECP_256;
    let client = KeyPair::generate(group).expect("ECP-256");
    let server = KeyPair::generate(group).expect("ECP-256");
    let (spi_i, spi_r) = ([0x11; 8], [0x22; 8]);
    let (nonce_i, nonce_r) = (vec![0x33; 32], vec![0x44; 32]);
    let shared = server
        .shared_secret(group, &client.public)
        .expect("a point on the curve");
    let keys =
        protect::derive_keys(&suite, &shared, &nonce_i, &nonce_r, &spi_i, &spi_r).expect("keys");
    let header = Header {
        spi_i,
        spi_r,
        next_payload: PayloadType::NONE,
        version: aovpn_diag::wire::ike::VERSION_2_0,
        exchange: ExchangeType::IKE_SA_INIT,
        flags: Flags(Flags::RESPONSE),
        message_id: 0,
        length: 0,
    };
    let response = Message {
        header,
        payloads: vec![
            Body::Sa(Sa {
                proposals: vec![chosen],
            })
            .into(),
            Body::Ke(Ke {
                group,
                data: server.public.clone(),
            })
            .into(),
            Body::Nonce(nonce_r).into(),
        ],
    };
    Sa0 {
        init: SaInit {
            spi_i,
            response,
            nonce_i,
            key_pair: client,
        },
        protection: Protection { suite, keys },
    }
}

fn sas() -> &'static [Sa0; 2] {
    static SAS: OnceLock<[Sa0; 2]> = OnceLock::new();
    SAS.get_or_init(|| {
        [
            setup("aes256-sha256-ecp256"),
            setup("aes128gcm16-prfsha256-ecp256"),
        ]
    })
}

/// The answers to one request, written by the fuzz input.
fn answers(input: &mut Bytes<'_>, sent: &Sent, protection: &Protection) -> Vec<Received> {
    let ike = match natt::classify_4500(&sent.data) {
        natt::Udp4500::Ike(rest) => rest,
        _ => &sent.data[..],
    };
    let Ok(request) = Header::parse(ike) else {
        return Vec::new();
    };
    let count = input.u8() % 5;
    let mut out = Vec::new();
    for _ in 0..count {
        let kind = input.u8();
        let mut header = request;
        header.flags = Flags(Flags::RESPONSE);
        if kind & 0x80 != 0 {
            header.message_id = u32::from(input.u16());
        }
        if kind & 0x40 != 0 {
            header.exchange = ExchangeType(input.u8());
        }
        let first = PayloadType(input.u8());
        let seal = |envelope, inner: &[u8]| {
            let iv = vec![0x5a; protection.suite.encr.iv_len()];
            protection
                .seal(Sender::Responder, header, envelope, first, inner, &iv)
                .ok()
        };
        let datagram = match kind % 6 {
            0 => Some(input.slice(4096).to_vec()),
            1 => seal(Envelope::Sk, input.slice(4096)).map(|m| natt::with_marker(&m)),
            2 => {
                let (number, total) = (input.u16() % 70, input.u16() % 70);
                seal(Envelope::Skf { number, total }, input.slice(2048))
                    .map(|m| natt::with_marker(&m))
            }
            3 => seal(Envelope::Sk, input.slice(1024)).map(|m| {
                let mut d = natt::with_marker(&m);
                let at = usize::from(input.u16()) % d.len();
                d[at] ^= input.u8() | 1;
                d
            }),
            4 => {
                out.push(Received::Unreachable);
                None
            }
            _ => {
                out.push(Received::TooBig);
                None
            }
        };
        out.extend(datagram.map(Received::Datagram));
    }
    out
}

fuzz_target!(|data: &[u8]| {
    let mut input = Bytes(data);
    let flags = input.u8();
    let sa = &sas()[usize::from(flags & 1)];
    let script = Arc::new(Mutex::new(input.rest().to_vec()));
    let protection = sa.protection.clone();
    let net = Scripted::new(move |sent: &Sent| {
        let mut script = script.lock().expect("one thread");
        let bytes = std::mem::take(&mut *script);
        let mut input = Bytes(&bytes);
        let out = answers(&mut input, sent, &protection);
        *script = input.rest().to_vec();
        out
    });
    let timing = Timing {
        timeout: Duration::from_millis(10),
        retransmits: flags >> 1 & 3,
    };
    let report = auth::run(
        &net.env(),
        IpAddr::from(SERVER),
        Some(&sa.init),
        flags & 8 != 0,
        timing,
    );
    if let Ok(report) = report {
        let _ = (report.sent(), report.answered(), report.describe_response());
        let _ = format!("{report:?}");
    }
    // Bounded: 1 + retransmits sends of IKE_AUTH, the same for the Delete.
    assert!(
        net.sent().len() <= 2 * (1 + 3),
        "{} datagrams sent",
        net.sent().len()
    );
});
