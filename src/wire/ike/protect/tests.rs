//! Known answers come from `kat.py` next to this file: an independent
//! implementation with Python's hmac/hashlib and the `cryptography` package
//! (`python3 src/wire/ike/protect/kat.py` prints every value used here).

use proptest::prelude::*;

use super::*;
use crate::wire::hex;
use crate::wire::ike::{Body, ExchangeType, Flags, Payload, VERSION_2_0, notation};

fn suite(notation_text: &str) -> Suite {
    Suite::from_proposal(&notation::parse(notation_text).unwrap()).unwrap()
}

const SPI_I: [u8; 8] = [1, 2, 3, 4, 5, 6, 7, 8];
const SPI_R: [u8; 8] = [0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18];

fn shared() -> Vec<u8> {
    (0..=255u8).collect()
}
fn ni() -> Vec<u8> {
    (0..32u8).map(|i| 0xa0 + i % 16).collect()
}
fn nr() -> Vec<u8> {
    (0..32u8).map(|i| 0xb0 + i % 16).collect()
}

fn protection(notation_text: &str) -> Protection {
    let suite = suite(notation_text);
    let keys = derive_keys(&suite, &shared(), &ni(), &nr(), &SPI_I, &SPI_R).unwrap();
    Protection { suite, keys }
}

fn header(flags: u8) -> Header {
    Header {
        spi_i: SPI_I,
        spi_r: SPI_R,
        next_payload: PayloadType::NONE,
        version: VERSION_2_0,
        exchange: ExchangeType::IKE_AUTH,
        flags: Flags(flags),
        message_id: 1,
        length: 0,
    }
}

/// The inner chain of kat.py: one IDi payload, ID_FQDN "aovpn-diag.invalid".
fn inner() -> Vec<u8> {
    let mut idi = vec![2, 0, 0, 0];
    idi.extend_from_slice(b"aovpn-diag.invalid");
    let mut out = Vec::new();
    crate::wire::ike::emit_chain(
        &[Payload::from(Body::Other {
            kind: PayloadType::IDI,
            data: idi,
        })],
        &mut out,
    );
    out
}

fn iv(n: u8) -> Vec<u8> {
    (0..n).collect()
}

#[test]
fn prf_plus_matches_the_reference() {
    let out = Prf::HmacSha256.prf_plus(&[0x0b; 20], b"seed", 100).unwrap();
    assert_eq!(
        hex(&out),
        "c45cd79c94a5e74a1300fb5cb9c6475e396138e118dbc165c4ff81e4435db2fd7f0d2c42fef6d8a62ad4abae8e913962585fbddaec5bca011011ffdd4a6bda3d0e3b400f554911fe92499bad10b57292d4a2af60d2d73101249bc150431222a3c474e1fa"
    );
    // 255 blocks is the most prf+ can make (§2.13: the counter is one byte).
    assert!(Prf::HmacSha1.prf_plus(b"k", b"s", 255 * 20).is_ok());
    assert_eq!(
        Prf::HmacSha1.prf_plus(b"k", b"s", 255 * 20 + 1),
        Err(ProtectError::PrfPlusTooLong(5101))
    );
}

#[test]
fn keys_of_aes_cbc_sha256_match_the_reference() {
    let k = protection("aes256-sha256-modp2048").keys;
    assert_eq!(
        hex(&k.sk_d),
        "6c44ca7abc3ca138cbf50b3eee29266a54648a6eae34aedcc52d24aecfe91d06"
    );
    assert_eq!(
        hex(&k.sk_ai),
        "83aef57932c7924371d1b8ceb4bffa3c007e8639de19d63df312deab9387a108"
    );
    assert_eq!(
        hex(&k.sk_ar),
        "3957a49d048240ae1409489c13a3ac80e4269b9724d650cbdb05ce27ca8b28a0"
    );
    assert_eq!(
        hex(&k.sk_ei),
        "0616fed980d58242f075bbd1c355c912a815e3dd4838803b6688900f5d0bc3d6"
    );
    assert_eq!(
        hex(&k.sk_er),
        "3db1ba30c4477a851cad139f73d3a178ce356554e2b0f12b540b3b1afd9d130f"
    );
    assert_eq!(
        hex(&k.sk_pi),
        "6f71296d411073fbc6798cd8e01ad1e97449d1beb4d3cb522bc291d5d44569a8"
    );
    assert_eq!(
        hex(&k.sk_pr),
        "7b5267cd7592f53e86660772ff14214df5692ad4d9351c79b19a2763d58e0fcc"
    );
    assert_eq!(format!("{k:?}"), "Keys(..)", "Debug never prints keys");
}

#[test]
fn keys_of_aes_gcm_carry_the_salt_and_no_integrity_keys() {
    let k = protection("aes256gcm16-prfsha384-ecp384").keys;
    assert!(k.sk_ai.is_empty() && k.sk_ar.is_empty());
    assert_eq!(
        hex(&k.sk_d),
        "7120b3692e93a04d3b02b070b063de5fb4cd881ac6bf06ce7e7a9e887c9f08b2eddd6387bdec2ca9aeb36cb2d9fa9853"
    );
    assert_eq!(
        hex(&k.sk_ei),
        "745eeae2d584129c663afefa9d56d5db0b44b87bb4e336801fc176af5884540cc51cde50"
    );
    assert_eq!(
        hex(&k.sk_er),
        "8dda99827045871fb058e3600c0ade6c2728764edfca2d29e8b4ca6fd6e6816ac69e0803"
    );
    assert_eq!(
        hex(&k.sk_pr),
        "ee03e41c5870bd0765f6d9d56b32441846fa85f7d24696e9a9468a543a33837b4a58e5d7f8efc690c3194d33937a70dc"
    );
}

#[test]
fn keys_of_sha1_and_sha512_suites_match_the_reference() {
    let k = protection("aes128-sha1-modp2048").keys;
    assert_eq!(hex(&k.sk_d), "bde4cba38e16b9b8d4d6ac7dcd4f8a714e02b5e4");
    assert_eq!(hex(&k.sk_ai), "5d7129fd4216bce2efcb34e8d3678a938ce628a9");
    assert_eq!(hex(&k.sk_ar), "1283db13eb3e0d28f0a2eab02313448174cf6daf");
    assert_eq!(hex(&k.sk_ei), "80ffe5962658b6f6fc7ae151a03f7851");
    assert_eq!(hex(&k.sk_er), "58d7a06866d3a97f17ff80836098b8b9");
    assert_eq!(hex(&k.sk_pi), "0412ad472e023b93d44c481bd21a874c7b9a9836");
    assert_eq!(hex(&k.sk_pr), "e54c16e7a60e32fb7aad83375638af198e08d285");
    let k = protection("aes192-sha512-modp2048").keys;
    assert_eq!(
        hex(&k.sk_er),
        "58f2967a91e16a2519b43e70ba95d56f3f2fe19300ad52a5"
    );
    assert_eq!(
        hex(&k.sk_pr),
        "a8493183541d34f3ea92d194a33e2b30e4c3b7fa1fe9750846212cb11e80503ecc8872f201e024447e17b8ede67c090b20f74074c19d0c1c566ffc741705c919"
    );
}

/// Seals the kat.py IKE_AUTH and checks the bytes, then opens them again.
fn sealed_matches(notation_text: &str, iv_len: u8, expected: &str) {
    let p = protection(notation_text);
    let msg = p
        .seal(
            Sender::Initiator,
            header(Flags::INITIATOR),
            Envelope::Sk,
            PayloadType::IDI,
            &inner(),
            &iv(iv_len),
        )
        .unwrap();
    assert_eq!(hex(&msg), expected, "{notation_text}");
    let opened = p.open(Sender::Initiator, &msg).unwrap();
    assert_eq!(opened.plaintext, inner());
    assert_eq!(opened.first_inner, PayloadType::IDI);
    assert_eq!(opened.envelope, Envelope::Sk);
    assert_eq!(opened.header.message_id, 1);
    // The responder's keys cannot open what the initiator sealed.
    assert!(matches!(
        p.open(Sender::Responder, &msg),
        Err(ProtectError::IntegrityFailed(_))
    ));
}

#[test]
fn sealed_messages_match_the_reference_for_every_suite() {
    sealed_matches(
        "aes256-sha256-modp2048",
        16,
        "010203040506070811121314151617182e202308000000010000006023000044000102030405060708090a0b0c0d0e0f04a50bb463d19fd7d43cc8a9b933e901fe000364bf7098914294f97808da2c4b8b3fe1f5b8161f8da54fa271dd820fcd",
    );
    sealed_matches(
        "aes256gcm16-prfsha384-ecp384",
        8,
        "010203040506070811121314151617182e202308000000010000005323000037000102030405060735729cb473dba1ab31512d4cab3cf18e3102f26c2f4fcc2a3ad23512efd7874756819415ba1c4902121709",
    );
    sealed_matches(
        "aes128-sha1-modp2048",
        16,
        "010203040506070811121314151617182e202308000000010000005c23000040000102030405060708090a0b0c0d0e0fc395f0c5bb84dfc54cdd0c10ff2f3e4c2acfa28a78a7f6300c6b7aa4de8fb83b273f31799855c0ce5ce07448",
    );
    sealed_matches(
        "aes192-sha512-modp2048",
        16,
        "010203040506070811121314151617182e202308000000010000007023000054000102030405060708090a0b0c0d0e0f624f9ff2e65e1c1b5183b4cb1f28dc392654409faeaeab31422d273e74dc26ef3ebcb5f5312fa40283cb28fa1f478c7ea1bdbcde75575da27a1667fd7cb2f3fa",
    );
    sealed_matches(
        "aes128gcm16-prfsha256-ecp256",
        8,
        "010203040506070811121314151617182e20230800000001000000532300003700010203040506071d2e3149fe545596ac2cd91d034215cfc93d26c48331dbc7aa2f6d554973438ad74efba4a99b837b4be925",
    );
    sealed_matches(
        "aes256-sha384-modp2048",
        16,
        "010203040506070811121314151617182e20230800000001000000682300004c000102030405060708090a0b0c0d0e0fecf41724eb7f8ad503faa1c76516978b71851e5a85c2b9b05ae2ef5efd52cc7e8e7180f075c58d922867e48e44c4652c820d6ded1e652bb6",
    );
}

#[test]
fn skf_fragments_match_the_reference_and_include_their_numbers_in_the_check() {
    let p = protection("aes256-sha256-modp2048");
    let frag = p
        .seal(
            Sender::Responder,
            header(Flags::RESPONSE),
            Envelope::Skf {
                number: 2,
                total: 3,
            },
            PayloadType::NONE,
            &inner(),
            &(16..32).collect::<Vec<u8>>(),
        )
        .unwrap();
    assert_eq!(
        hex(&frag),
        "010203040506070811121314151617183520232000000001000000640000004800020003101112131415161718191a1b1c1d1e1f7ac6f72d5cb10948359b0ed6ee3d674e3d76a06a7084622de374637d360795e5faef3460347ce150aa84adb25f8c816f"
    );
    let opened = p.open(Sender::Responder, &frag).unwrap();
    assert_eq!(
        opened.envelope,
        Envelope::Skf {
            number: 2,
            total: 3
        }
    );
    assert_eq!(opened.plaintext, inner());

    let g = protection("aes256gcm16-prfsha384-ecp384");
    let frag = g
        .seal(
            Sender::Initiator,
            header(Flags::INITIATOR),
            Envelope::Skf {
                number: 1,
                total: 2,
            },
            PayloadType::IDI,
            &inner(),
            &iv(8),
        )
        .unwrap();
    assert_eq!(
        hex(&frag),
        "010203040506070811121314151617183520230800000001000000572300003b00010002000102030405060735729cb473dba1ab31512d4cab3cf18e3102f26c2f4fcc2a3ad2359bbff8894150f79ed5496647d8d289be"
    );
    // Renumbering a fragment breaks the AEAD tag: the numbers are in the AAD.
    let mut renumbered = frag.clone();
    renumbered[33] = 2;
    assert_eq!(
        g.open(Sender::Initiator, &renumbered),
        Err(ProtectError::IntegrityFailed("SKF"))
    );
}

#[test]
fn any_flipped_bit_fails_the_integrity_check() {
    for n in ["aes256-sha256-modp2048", "aes128gcm16-prfsha256-ecp256"] {
        let p = protection(n);
        let iv_len = p.suite.encr.iv_len() as u8;
        let msg = p
            .seal(
                Sender::Initiator,
                header(8),
                Envelope::Sk,
                PayloadType::IDI,
                &inner(),
                &iv(iv_len),
            )
            .unwrap();
        // Every byte except the length fields, whose change is a parse error.
        for i in (0..msg.len()).filter(|i| !(24..28).contains(i) && !(30..32).contains(i)) {
            let mut bad = msg.clone();
            bad[i] ^= 0x01;
            assert!(p.open(Sender::Initiator, &bad).is_err(), "{n}: byte {i}");
        }
    }
}

#[test]
fn round_trips_any_inner_length_and_parses_back() {
    let payloads = vec![
        Payload::from(Body::Notify(crate::wire::ike::Notify::new(
            crate::wire::ike::NotifyType::AUTHENTICATION_FAILED,
            vec![],
        ))),
        Payload::from(Body::Other {
            kind: PayloadType::EAP,
            data: vec![1, 1, 0, 5, 1],
        }),
    ];
    let mut chain = Vec::new();
    crate::wire::ike::emit_chain(&payloads, &mut chain);
    for n in ["aes128-sha256-modp2048", "aes256gcm16-prfsha384-ecp384"] {
        let p = protection(n);
        for extra in 0..40 {
            let mut data = chain.clone();
            data.extend(std::iter::repeat_n(0xee, extra));
            let iv = iv(p.suite.encr.iv_len() as u8);
            let msg = p
                .seal(
                    Sender::Responder,
                    header(0x20),
                    Envelope::Sk,
                    PayloadType::NOTIFY,
                    &data,
                    &iv,
                )
                .unwrap();
            let opened = p.open(Sender::Responder, &msg).unwrap();
            assert_eq!(opened.plaintext, data);
        }
        let iv = iv(p.suite.encr.iv_len() as u8);
        let msg = p
            .seal(
                Sender::Responder,
                header(0x20),
                Envelope::Sk,
                PayloadType::NOTIFY,
                &chain,
                &iv,
            )
            .unwrap();
        let opened = p.open(Sender::Responder, &msg).unwrap();
        let back = crate::wire::ike::parse_chain(opened.first_inner, &opened.plaintext, 0).unwrap();
        assert_eq!(back, payloads);
    }
}

#[test]
fn unsupported_or_broken_proposals_are_named() {
    let e = Suite::from_proposal(&notation::parse("3des-sha1-modp1024").unwrap()).unwrap_err();
    assert!(e.to_string().contains("3DES"), "{e}");
    let e = Suite::from_proposal(&notation::parse("aes256-aesxcbc-modp2048").unwrap());
    assert!(e.is_err());
    let s = suite("aes256gcm16-prfsha384-ecp384");
    assert_eq!(s.encr, Encr::AesGcm16 { key_bytes: 32 });
    assert_eq!(s.integ, None);
    assert_eq!(s.prf, Prf::HmacSha384);
    let s = suite("aes128-sha256-modp2048");
    assert_eq!(s.integ, Some(Integ::HmacSha256_128));
    assert_eq!(s.prf, Prf::HmacSha256);
}

#[test]
fn wrong_iv_length_and_unprotected_messages_are_errors() {
    let p = protection("aes256-sha256-modp2048");
    assert_eq!(
        p.seal(
            Sender::Initiator,
            header(8),
            Envelope::Sk,
            PayloadType::IDI,
            &inner(),
            &[0; 8]
        ),
        Err(ProtectError::BadIv { got: 8, want: 16 })
    );
    let mut plain = Vec::new();
    let mut h = header(8);
    h.next_payload = PayloadType::NONE;
    h.length = 28;
    h.emit(&mut plain);
    assert_eq!(
        p.open(Sender::Initiator, &plain),
        Err(ProtectError::NotProtected)
    );
    assert!(matches!(
        p.open(Sender::Initiator, &plain[..20]),
        Err(ProtectError::Wire(_))
    ));
}

proptest! {
    #[test]
    fn open_never_panics_on_hostile_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        for n in ["aes256-sha256-modp2048", "aes256gcm16-prfsha384-ecp384"] {
            let _ = protection(n).open(Sender::Responder, &bytes);
        }
    }

    #[test]
    fn open_never_panics_on_a_mangled_sealed_message(
        cut in 0usize..200, flip in 0usize..200, len_field in any::<u16>(), skf in any::<bool>()
    ) {
        for n in ["aes128-sha1-modp2048", "aes128gcm16-prfsha256-ecp256"] {
            let p = protection(n);
            let env = if skf { Envelope::Skf { number: 1, total: 1 } } else { Envelope::Sk };
            let iv = iv(p.suite.encr.iv_len() as u8);
            let mut msg = p.seal(Sender::Responder, header(0x20), env, PayloadType::IDI, &inner(), &iv).unwrap();
            if let Some(b) = msg.get_mut(flip) { *b ^= 0x80; }
            msg[30..32].copy_from_slice(&len_field.to_be_bytes());
            msg.truncate(cut.max(28));
            let _ = p.open(Sender::Responder, &msg);
        }
    }
}
