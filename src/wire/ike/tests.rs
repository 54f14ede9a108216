//! Tests of the IKE message layer: header, chain walking, typed payloads,
//! the request builder, and hostile input.

use proptest::prelude::*;

use super::builder::{BuildError, PADDING_TAG, SaInitRequest};
use super::*;
use crate::wire::Error;

fn request() -> SaInitRequest {
    SaInitRequest {
        spi_i: [0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88],
        proposals: notation::parse_list("aes256-sha256-modp2048,aes256gcm16-prfsha384-ecp384")
            .unwrap(),
        ke: Ke {
            group: DhGroup::MODP_2048,
            data: vec![0xab; 256],
        },
        nonce: vec![0xcd; 32],
        cookie: None,
        notifies: vec![
            Notify::new(NotifyType::NAT_DETECTION_SOURCE_IP, vec![1; 20]),
            Notify::new(NotifyType::NAT_DETECTION_DESTINATION_IP, vec![2; 20]),
            Notify::new(NotifyType::IKEV2_FRAGMENTATION_SUPPORTED, vec![]),
            Notify::new(
                NotifyType::SIGNATURE_HASH_ALGORITHMS,
                vec![0, 2, 0, 3, 0, 4],
            ),
        ],
        vendor_ids: vec![vendor::STRONGSWAN.to_vec()],
        pad_to: None,
    }
}

/// A minimal IKE_SA_INIT response laid out by hand from RFC 7296 §3.1,
/// §3.10 and RFC 7383 §2.3: header (responder SPI set, R flag) + one
/// IKEV2_FRAGMENTATION_SUPPORTED notify + one INVALID_KE_PAYLOAD(19).
const RESPONSE: [u8; 46] = [
    0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, // SPIi
    0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x00, // SPIr
    0x29, 0x20, 0x22, 0x20, // next Notify, v2.0, IKE_SA_INIT, Response
    0x00, 0x00, 0x00, 0x00, // message ID 0
    0x00, 0x00, 0x00, 0x2e, // length 46
    0x29, 0x00, 0x00, 0x08, 0x00, 0x00, 0x40, 0x2e, // N(16430), next Notify
    0x00, 0x00, 0x00, 0x0a, 0x00, 0x00, 0x00, 0x11, 0x00, 0x13, // N(17) data 19
];

#[test]
fn parses_a_response_header_and_notifies() {
    let msg = Message::parse(&RESPONSE).unwrap();
    assert_eq!(msg.header.exchange, ExchangeType::IKE_SA_INIT);
    assert!(msg.header.flags.is_response());
    assert!(!msg.header.flags.is_initiator());
    assert_eq!(
        msg.header.spi_r,
        [0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x00]
    );
    let kinds: Vec<NotifyType> = msg.notifies().map(|n| n.kind).collect();
    assert_eq!(
        kinds,
        [
            NotifyType::IKEV2_FRAGMENTATION_SUPPORTED,
            NotifyType::INVALID_KE_PAYLOAD
        ]
    );
    assert_eq!(
        msg.notify(NotifyType::INVALID_KE_PAYLOAD)
            .unwrap()
            .requested_group(),
        Some(DhGroup::ECP_256)
    );
    assert_eq!(msg.emit(), RESPONSE);
}

#[test]
fn builder_output_round_trips_through_the_parser() {
    let req = request();
    let bytes = req.emit().unwrap();
    let msg = Message::parse(&bytes).unwrap();
    assert_eq!(msg.header.length as usize, bytes.len());
    assert_eq!(msg.header.message_id, 0);
    assert!(msg.header.flags.is_initiator());
    assert_eq!(msg.header.spi_r, [0; 8]);
    assert_eq!(msg.sa().unwrap().proposals, req.proposals);
    assert_eq!(msg.ke().unwrap(), &req.ke);
    assert_eq!(msg.nonce().unwrap(), req.nonce.as_slice());
    assert_eq!(msg.notifies().cloned().collect::<Vec<_>>(), req.notifies);
    assert_eq!(
        msg.vendor_ids().map(vendor::describe).collect::<Vec<_>>(),
        ["strongSwan"]
    );
    assert_eq!(msg.emit(), bytes);
    let kinds: Vec<PayloadType> = msg.payloads.iter().map(Payload::kind).collect();
    assert_eq!(
        kinds[..3],
        [PayloadType::SA, PayloadType::KE, PayloadType::NONCE]
    );
}

#[test]
fn cookie_goes_first() {
    let mut req = request();
    req.cookie = Some(vec![9; 16]);
    let msg = Message::parse(&req.emit().unwrap()).unwrap();
    let first = &msg.payloads[0];
    assert!(
        matches!(&first.body, Body::Notify(n) if n.kind == NotifyType::COOKIE && n.data == [9; 16])
    );
}

#[test]
fn padding_hits_every_target_exactly() {
    let base = builder::unpadded_len(&request()).unwrap();
    for target in [
        base,
        base + 1,
        base + 3,
        base + 4,
        base + 5,
        1400,
        1972,
        9000,
        65535,
    ] {
        let mut req = request();
        req.pad_to = Some(target);
        let bytes = req.emit().unwrap();
        assert_eq!(bytes.len(), target, "target {target}");
        let msg = Message::parse(&bytes).unwrap();
        if target >= base + 4 + PADDING_TAG.len() {
            assert!(msg.vendor_ids().any(|v| v.starts_with(PADDING_TAG)));
        }
    }
    let mut req = request();
    req.pad_to = Some(base - 1);
    assert!(matches!(req.emit(), Err(BuildError::TooSmallTarget { .. })));
    req.pad_to = Some(70_000);
    assert!(matches!(req.emit(), Err(BuildError::TooLargeTarget { .. })));
    req.proposals.clear();
    assert_eq!(req.emit(), Err(BuildError::NoProposal));
}

#[test]
fn recognises_ikev1() {
    // IKEv1 Main Mode header (RFC 2408 §3.1): version 0x10, exchange 2.
    let mut v1 = [0u8; 28];
    v1[..8].copy_from_slice(&[1, 2, 3, 4, 5, 6, 7, 8]);
    v1[16] = 1; // SA
    v1[17] = VERSION_1_0;
    v1[18] = 2;
    v1[27] = 28;
    let h = Header::parse(&v1).unwrap();
    assert!(h.is_ikev1());
    assert_eq!(h.exchange.to_string(), "IKEv1 Main Mode");
    assert_eq!(
        Message::parse(&v1),
        Err(Error::NotIkev2 {
            major: 1,
            minor: 0,
            offset: 17
        })
    );
}

#[test]
fn length_errors_say_what_and_where() {
    let mut short = RESPONSE;
    short[27] = 20; // declared length below the header
    assert!(matches!(
        Message::parse(&short),
        Err(Error::BadLength {
            what: "IKE message",
            offset: 24,
            declared: 20,
            ..
        })
    ));
    assert_eq!(
        Message::parse(&RESPONSE[..40]),
        Err(Error::Truncated {
            what: "IKE message",
            offset: 0,
            required: 46,
            available: 40
        })
    );
    let mut zero = RESPONSE;
    zero[31] = 0; // payload length 0 at offset 28
    assert_eq!(
        Message::parse(&zero),
        Err(Error::BadLength {
            what: "payload",
            offset: 28,
            declared: 0,
            problem: "shorter than the 4-byte generic payload header"
        })
    );
    let mut over = RESPONSE;
    over[39] = 0x20; // second payload claims 32 bytes, 10 there
    assert!(matches!(
        Message::parse(&over),
        Err(Error::Truncated {
            what: "payload body",
            offset: 40,
            ..
        })
    ));
    let mut trailing = RESPONSE;
    trailing[36] = 0; // second notify ends the chain early... make first end it
    trailing[28] = 0;
    assert!(matches!(
        Message::parse(&trailing),
        Err(Error::Malformed {
            what: "payload chain",
            offset: 36,
            ..
        })
    ));
}

#[test]
fn sk_and_skf_end_the_chain_and_keep_their_inner_type() {
    let frag = Message {
        header: Header {
            spi_i: [1; 8],
            spi_r: [2; 8],
            next_payload: PayloadType::NONE,
            version: VERSION_2_0,
            exchange: ExchangeType::IKE_AUTH,
            flags: Flags(Flags::INITIATOR),
            message_id: 1,
            length: 0,
        },
        payloads: vec![
            Body::Skf(EncryptedFragment {
                first_inner: PayloadType::IDI,
                number: 1,
                total: 3,
                data: vec![7; 40],
            })
            .into(),
        ],
    };
    let bytes = frag.emit();
    assert_eq!(bytes[16], 53, "header next payload is SKF");
    assert_eq!(
        bytes[28], 35,
        "SKF next payload is the first inner payload (IDi)"
    );
    let parsed = Message::parse(&bytes).unwrap();
    let f = parsed.fragment().unwrap();
    assert_eq!((f.number, f.total, f.first_inner), (1, 3, PayloadType::IDI));
    // Fragment number 0 or above the total is refused (RFC 7383 §2.5).
    let mut bad = bytes.clone();
    bad[32..34].copy_from_slice(&[0, 4]);
    assert!(matches!(
        Message::parse(&bad),
        Err(Error::Malformed {
            what: "SKF payload",
            ..
        })
    ));
    // The raw walker still yields the payload for tolerant callers.
    let raw: Vec<_> = RawPayloads::new(PayloadType::SKF, &bad[28..], 28).collect();
    assert_eq!(raw.len(), 1);
    assert_eq!(raw[0].as_ref().unwrap().next, PayloadType::IDI);
}

#[test]
fn unknown_payloads_survive_a_round_trip() {
    let msg = Message {
        header: Header::parse(&RESPONSE).unwrap(),
        payloads: vec![
            Payload {
                critical: true,
                body: Body::Other {
                    kind: PayloadType(200),
                    data: vec![1, 2, 3],
                },
            },
            Body::Nonce(vec![4; 16]).into(),
        ],
    };
    let bytes = msg.emit();
    let back = Message::parse(&bytes).unwrap();
    assert_eq!(back.payloads, msg.payloads);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn parser_never_panics_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let _ = Message::parse(&bytes);
        let _ = Header::parse(&bytes);
        let _ = crate::wire::natt::classify_4500(&bytes);
        if bytes.len() > 1 {
            for p in RawPayloads::new(PayloadType(bytes[0]), &bytes[1..], 1).flatten() {
                let _ = Payload::parse(&p);
            }
        }
    }

    #[test]
    fn parser_never_panics_on_mutated_valid_messages(
        edits in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..8),
        cut in any::<usize>(),
    ) {
        let mut bytes = request().emit().unwrap();
        for (pos, value) in edits {
            let i = pos % bytes.len();
            bytes[i] = value;
        }
        let keep = cut % (bytes.len() + 1);
        let _ = Message::parse(&bytes[..keep]);
        if let Ok(msg) = Message::parse(&bytes) {
            // Whatever parses must re-emit to something that parses the same.
            let again = Message::parse(&msg.emit()).unwrap();
            prop_assert_eq!(again.payloads, msg.payloads);
        }
    }
}

// Real packets of a strongSwan 6 initiator and responder, captured with
// tcpdump in the project's namespace lab (`lab.sh client initiate`, fragment
// size default, router->server MTU 1400); UDP payloads as on the wire.
// Expected values cross-checked with tshark 4 (`tshark -V`).
const SS_REQUEST: &[u8] = include_bytes!("testdata/strongswan_sa_init_request.bin");
const SS_RESPONSE: &[u8] = include_bytes!("testdata/strongswan_sa_init_response.bin");
const SS_AUTH_SKF_4500: &[u8] = include_bytes!("testdata/strongswan_ike_auth_skf_4500.bin");

#[test]
fn real_strongswan_ike_sa_init_request() {
    let msg = Message::parse(SS_REQUEST).unwrap();
    let h = &msg.header;
    assert_eq!(h.spi_i, [0x4e, 0x7b, 0x18, 0x7f, 0xce, 0xb6, 0x08, 0x3a]);
    assert_eq!(h.spi_r, [0; 8]);
    assert_eq!(h.exchange, ExchangeType::IKE_SA_INIT);
    assert!(h.flags.is_initiator() && !h.flags.is_response());
    assert_eq!(h.length as usize, SS_REQUEST.len());
    let sa = msg.sa().unwrap();
    assert_eq!(
        sa.proposals[0].describe(),
        "AES-CBC-256/HMAC-SHA2-256/PRF-SHA2-256/MODP-2048"
    );
    assert_eq!(
        notation::format(&sa.proposals[0]).unwrap(),
        "aes256-sha256-modp2048"
    );
    let ke = msg.ke().unwrap();
    assert_eq!(ke.group, DhGroup::MODP_2048);
    assert_eq!(ke.data.len(), 256);
    let kinds: Vec<u16> = msg.notifies().map(|n| n.kind.0).collect();
    assert_eq!(kinds, [16388, 16389, 16430, 16431, 16406]);
    // Byte-exact round trip of a foreign implementation's message.
    assert_eq!(msg.emit(), SS_REQUEST);
}

#[test]
fn real_strongswan_ike_sa_init_response() {
    let msg = Message::parse(SS_RESPONSE).unwrap();
    assert!(msg.header.flags.is_response());
    assert_eq!(
        msg.header.spi_r,
        [0x92, 0x8c, 0x78, 0x1b, 0xc4, 0x9a, 0x2c, 0x39]
    );
    let kinds: Vec<u16> = msg.notifies().map(|n| n.kind.0).collect();
    assert_eq!(kinds, [16388, 16389, 16430, 16431, 16418, 16404]);
    assert!(
        msg.notify(NotifyType::IKEV2_FRAGMENTATION_SUPPORTED)
            .is_some()
    );
    assert!(
        msg.payloads
            .iter()
            .any(|p| p.kind() == PayloadType::CERTREQ)
    );
    assert_eq!(msg.emit(), SS_RESPONSE);
}

#[test]
fn real_strongswan_skf_fragment_on_4500() {
    let crate::wire::natt::Udp4500::Ike(ike) = crate::wire::natt::classify_4500(SS_AUTH_SKF_4500)
    else {
        panic!("non-ESP marker expected");
    };
    let msg = Message::parse(ike).unwrap();
    assert_eq!(msg.header.exchange, ExchangeType::IKE_AUTH);
    assert_eq!(msg.header.message_id, 1);
    let f = msg.fragment().unwrap();
    assert_eq!((f.number, f.total, f.first_inner), (1, 3, PayloadType::IDI));
    assert_eq!(msg.emit(), ike);
}
