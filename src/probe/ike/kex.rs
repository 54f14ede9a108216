//! Key exchange values for the KE payload: real Diffie-Hellman public keys,
//! so a responder that checks them (strongSwan validates MODP values and EC
//! points before it answers) treats the probe like a real client, and the
//! shared secret g^ir (RFC 7296 §2.14) once the responder's KE arrives, from
//! which the IKE_AUTH test derives the IKE SA's keys.
//!
//! A [`KeyPair`] keeps its private half only in memory, for the one IKE SA
//! it belongs to; `Debug` never prints it.

use num_bigint::BigUint;

use crate::wire::ike::DhGroup;

/// Why no KE value could be made for a group, or no shared secret computed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KexError {
    #[error("key exchange group {0} is not supported by the probe (supported: {list})", list = supported_list())]
    Unsupported(DhGroup),
    /// The responder's KE data is not a valid public value of the group
    /// (wrong length, out of range, not on the curve).
    #[error("the responder's {group} public value is invalid: {problem}")]
    BadPeerValue {
        group: DhGroup,
        problem: &'static str,
    },
    /// The responder answered with a KE of another group than ours.
    #[error("the responder's KE is for group {theirs}, ours for {ours}")]
    GroupMismatch { ours: DhGroup, theirs: DhGroup },
}

/// Groups the probe can produce KE values for, strongest-common first.
pub const SUPPORTED: &[DhGroup] = &[
    DhGroup::MODP_2048,
    DhGroup::ECP_256,
    DhGroup::ECP_384,
    DhGroup::MODP_3072,
    DhGroup::MODP_4096,
    DhGroup::MODP_1536,
    DhGroup::MODP_1024,
];

fn supported_list() -> String {
    SUPPORTED
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn is_supported(group: DhGroup) -> bool {
    SUPPORTED.contains(&group)
}

/// A fresh public value for `group` (the private half is dropped).
pub fn public_value(group: DhGroup) -> Result<Vec<u8>, KexError> {
    Ok(KeyPair::generate(group)?.public)
}

/// The private half of a key pair.
#[derive(Clone)]
enum Private {
    Modp { p: BigUint, x: BigUint },
    Ecp256(p256::SecretKey),
    Ecp384(p384::SecretKey),
}

/// One Diffie-Hellman key pair of a supported group.
#[derive(Clone)]
pub struct KeyPair {
    pub group: DhGroup,
    /// The KE payload data, laid out as RFC 7296 §3.4 wants it: MODP values
    /// big-endian, left-padded to the prime's length (RFC 2409 §5); EC
    /// points as x || y without a SEC1 prefix (RFC 5903 §7).
    pub public: Vec<u8>,
    private: Private,
}

impl std::fmt::Debug for KeyPair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "KeyPair({}, private key hidden)", self.group)
    }
}

impl KeyPair {
    pub fn generate(group: DhGroup) -> Result<KeyPair, KexError> {
        let (public, private) = match group {
            DhGroup::MODP_1024 => modp(MODP_1024_P),
            DhGroup::MODP_1536 => modp(MODP_1536_P),
            DhGroup::MODP_2048 => modp(MODP_2048_P),
            DhGroup::MODP_3072 => modp(MODP_3072_P),
            DhGroup::MODP_4096 => modp(MODP_4096_P),
            DhGroup::ECP_256 => ecp256(),
            DhGroup::ECP_384 => ecp384(),
            other => return Err(KexError::Unsupported(other)),
        };
        Ok(KeyPair {
            group,
            public,
            private,
        })
    }

    /// g^ir from the responder's KE data (RFC 7296 §2.14). MODP: peer^x mod
    /// p, big-endian, zero-padded to the modulus length; the peer value must
    /// lie in 1 < y < p-1 (RFC 7296 §5, NIST SP 800-56A 5.6.2.3.1). ECP: the
    /// x coordinate of the common point only (RFC 5903 §7), after checking
    /// that the peer's point is on the curve.
    pub fn shared_secret(&self, group: DhGroup, peer: &[u8]) -> Result<Vec<u8>, KexError> {
        if group != self.group {
            return Err(KexError::GroupMismatch {
                ours: self.group,
                theirs: group,
            });
        }
        let bad = |problem| KexError::BadPeerValue { group, problem };
        match &self.private {
            Private::Modp { p, x } => {
                let len = p.to_bytes_be().len();
                if peer.len() != len {
                    return Err(bad("its length is not the modulus length"));
                }
                let y = BigUint::from_bytes_be(peer);
                let one = BigUint::from(1u8);
                if y <= one || y >= p - &one {
                    return Err(bad("it is not in the range 2 .. p-2"));
                }
                Ok(left_pad(&y.modpow(x, p).to_bytes_be(), len))
            }
            Private::Ecp256(sk) => {
                let pk = p256::PublicKey::from_sec1_bytes(&ike_to_sec1(peer))
                    .map_err(|_| bad("it is not a point on P-256"))?;
                Ok(sk.diffie_hellman(&pk).raw_secret_bytes().to_vec())
            }
            Private::Ecp384(sk) => {
                let pk = p384::PublicKey::from_sec1_bytes(&ike_to_sec1(peer))
                    .map_err(|_| bad("it is not a point on P-384"))?;
                Ok(sk.diffie_hellman(&pk).raw_secret_bytes().to_vec())
            }
        }
    }
}

#[cfg(test)]
impl KeyPair {
    /// A key pair from a known private value, for known-answer tests.
    fn from_private(group: DhGroup, private: &[u8]) -> KeyPair {
        let private = match group {
            DhGroup::ECP_256 => Private::Ecp256(p256::SecretKey::from_slice(private).unwrap()),
            DhGroup::ECP_384 => Private::Ecp384(p384::SecretKey::from_slice(private).unwrap()),
            _ => Private::Modp {
                p: prime(MODP_2048_P),
                x: BigUint::from_bytes_be(private),
            },
        };
        KeyPair {
            group,
            public: Vec::new(),
            private,
        }
    }
}

fn left_pad(bytes: &[u8], len: usize) -> Vec<u8> {
    let mut out = vec![0u8; len.saturating_sub(bytes.len())];
    out.extend_from_slice(bytes);
    out
}

fn prime(hex: &str) -> BigUint {
    // The constants below are checked by a unit test; parsing cannot fail.
    BigUint::parse_bytes(hex.as_bytes(), 16).unwrap_or_default()
}

/// g^x mod p with g = 2 (every MODP group's generator) and a 256-bit random
/// exponent, twice the security level of the largest group offered.
fn modp(prime_hex: &str) -> (Vec<u8>, Private) {
    let p = prime(prime_hex);
    let mut x = [0u8; 32];
    rand::fill(&mut x[..]);
    x[0] |= 0x80; // full-length exponent
    let x = BigUint::from_bytes_be(&x);
    let y = BigUint::from(2u8).modpow(&x, &p);
    (
        left_pad(&y.to_bytes_be(), prime_hex.len() / 2),
        Private::Modp { p, x },
    )
}

/// A random valid scalar: retry the rare out-of-range draw (bounded).
fn scalar_bytes<const N: usize>(valid: impl Fn(&[u8; N]) -> bool) -> [u8; N] {
    let mut k = [0u8; N];
    for _ in 0..64 {
        rand::fill(&mut k[..]);
        if valid(&k) {
            return k;
        }
    }
    // 64 failures in a row has probability ~2^-2000 for these curves;
    // fall back to a fixed valid scalar instead of panicking.
    k = [0u8; N];
    k[N - 1] = 1;
    k
}

fn ecp256() -> (Vec<u8>, Private) {
    let k = scalar_bytes::<32>(|k| p256::SecretKey::from_slice(k).is_ok());
    // `scalar_bytes` only returns a valid scalar (or 1, also valid).
    let sk = p256::SecretKey::from_slice(&k).unwrap_or_else(|_| unreachable!());
    (
        sec1_to_ike(&sk.public_key().to_sec1_bytes()),
        Private::Ecp256(sk),
    )
}

fn ecp384() -> (Vec<u8>, Private) {
    let k = scalar_bytes::<48>(|k| p384::SecretKey::from_slice(k).is_ok());
    let sk = p384::SecretKey::from_slice(&k).unwrap_or_else(|_| unreachable!());
    (
        sec1_to_ike(&sk.public_key().to_sec1_bytes()),
        Private::Ecp384(sk),
    )
}

/// SEC1 uncompressed (0x04 || x || y) to IKE's x || y.
fn sec1_to_ike(sec1: &[u8]) -> Vec<u8> {
    sec1.strip_prefix(&[0x04]).unwrap_or(sec1).to_vec()
}

/// IKE's x || y to SEC1 uncompressed.
fn ike_to_sec1(xy: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(xy.len() + 1);
    out.push(0x04);
    out.extend_from_slice(xy);
    out
}

/// The 1024-bit MODP prime, RFC 2409 §6.2 (group 2).
const MODP_1024_P: &str = concat!(
    "ffffffffffffffffc90fdaa22168c234c4c6628b80dc1cd129024e088a67cc74",
    "020bbea63b139b22514a08798e3404ddef9519b3cd3a431b302b0a6df25f1437",
    "4fe1356d6d51c245e485b576625e7ec6f44c42e9a637ed6b0bff5cb6f406b7ed",
    "ee386bfb5a899fa5ae9f24117c4b1fe649286651ece65381ffffffffffffffff",
);
/// The 1536-bit MODP prime, RFC 3526 §2 (group 5).
const MODP_1536_P: &str = concat!(
    "ffffffffffffffffc90fdaa22168c234c4c6628b80dc1cd129024e088a67cc74",
    "020bbea63b139b22514a08798e3404ddef9519b3cd3a431b302b0a6df25f1437",
    "4fe1356d6d51c245e485b576625e7ec6f44c42e9a637ed6b0bff5cb6f406b7ed",
    "ee386bfb5a899fa5ae9f24117c4b1fe649286651ece45b3dc2007cb8a163bf05",
    "98da48361c55d39a69163fa8fd24cf5f83655d23dca3ad961c62f356208552bb",
    "9ed529077096966d670c354e4abc9804f1746c08ca237327ffffffffffffffff",
);
/// The 2048-bit MODP prime, RFC 3526 §3 (group 14).
const MODP_2048_P: &str = concat!(
    "ffffffffffffffffc90fdaa22168c234c4c6628b80dc1cd129024e088a67cc74",
    "020bbea63b139b22514a08798e3404ddef9519b3cd3a431b302b0a6df25f1437",
    "4fe1356d6d51c245e485b576625e7ec6f44c42e9a637ed6b0bff5cb6f406b7ed",
    "ee386bfb5a899fa5ae9f24117c4b1fe649286651ece45b3dc2007cb8a163bf05",
    "98da48361c55d39a69163fa8fd24cf5f83655d23dca3ad961c62f356208552bb",
    "9ed529077096966d670c354e4abc9804f1746c08ca18217c32905e462e36ce3b",
    "e39e772c180e86039b2783a2ec07a28fb5c55df06f4c52c9de2bcbf695581718",
    "3995497cea956ae515d2261898fa051015728e5a8aacaa68ffffffffffffffff",
);
/// The 3072-bit MODP prime, RFC 3526 §4 (group 15).
const MODP_3072_P: &str = concat!(
    "ffffffffffffffffc90fdaa22168c234c4c6628b80dc1cd129024e088a67cc74",
    "020bbea63b139b22514a08798e3404ddef9519b3cd3a431b302b0a6df25f1437",
    "4fe1356d6d51c245e485b576625e7ec6f44c42e9a637ed6b0bff5cb6f406b7ed",
    "ee386bfb5a899fa5ae9f24117c4b1fe649286651ece45b3dc2007cb8a163bf05",
    "98da48361c55d39a69163fa8fd24cf5f83655d23dca3ad961c62f356208552bb",
    "9ed529077096966d670c354e4abc9804f1746c08ca18217c32905e462e36ce3b",
    "e39e772c180e86039b2783a2ec07a28fb5c55df06f4c52c9de2bcbf695581718",
    "3995497cea956ae515d2261898fa051015728e5a8aaac42dad33170d04507a33",
    "a85521abdf1cba64ecfb850458dbef0a8aea71575d060c7db3970f85a6e1e4c7",
    "abf5ae8cdb0933d71e8c94e04a25619dcee3d2261ad2ee6bf12ffa06d98a0864",
    "d87602733ec86a64521f2b18177b200cbbe117577a615d6c770988c0bad946e2",
    "08e24fa074e5ab3143db5bfce0fd108e4b82d120a93ad2caffffffffffffffff",
);
/// The 4096-bit MODP prime, RFC 3526 §5 (group 16).
const MODP_4096_P: &str = concat!(
    "ffffffffffffffffc90fdaa22168c234c4c6628b80dc1cd129024e088a67cc74",
    "020bbea63b139b22514a08798e3404ddef9519b3cd3a431b302b0a6df25f1437",
    "4fe1356d6d51c245e485b576625e7ec6f44c42e9a637ed6b0bff5cb6f406b7ed",
    "ee386bfb5a899fa5ae9f24117c4b1fe649286651ece45b3dc2007cb8a163bf05",
    "98da48361c55d39a69163fa8fd24cf5f83655d23dca3ad961c62f356208552bb",
    "9ed529077096966d670c354e4abc9804f1746c08ca18217c32905e462e36ce3b",
    "e39e772c180e86039b2783a2ec07a28fb5c55df06f4c52c9de2bcbf695581718",
    "3995497cea956ae515d2261898fa051015728e5a8aaac42dad33170d04507a33",
    "a85521abdf1cba64ecfb850458dbef0a8aea71575d060c7db3970f85a6e1e4c7",
    "abf5ae8cdb0933d71e8c94e04a25619dcee3d2261ad2ee6bf12ffa06d98a0864",
    "d87602733ec86a64521f2b18177b200cbbe117577a615d6c770988c0bad946e2",
    "08e24fa074e5ab3143db5bfce0fd108e4b82d120a92108011a723c12a787e6d7",
    "88719a10bdba5b2699c327186af4e23c1a946834b6150bda2583e9ca2ad44ce8",
    "dbbbc2db04de8ef92e8efc141fbecaa6287c59474e6bc05d99b2964fa090c3a2",
    "233ba186515be7ed1f612970cee2d7afb81bdd762170481cd0069127d5b05aa9",
    "93b4ea988d8fddc186ffb7dc90a6c08f4df435c934063199ffffffffffffffff",
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modp_primes_pass_a_fermat_test_and_have_their_size() {
        for (hex, bits) in [
            (MODP_1024_P, 1024),
            (MODP_1536_P, 1536),
            (MODP_2048_P, 2048),
            (MODP_3072_P, 3072),
            (MODP_4096_P, 4096),
        ] {
            let p = prime(hex);
            assert_eq!(p.bits(), bits);
            let one = BigUint::from(1u8);
            // 3^(p-1) = 1 mod p for a prime; one wrong digit breaks it.
            assert_eq!(BigUint::from(3u8).modpow(&(&p - &one), &p), one);
            // Safe prime: q = (p-1)/2 is prime too, checked the same way.
            let q = (&p - &one) >> 1;
            assert_eq!(BigUint::from(3u8).modpow(&(&q - &one), &q), one);
        }
    }

    #[test]
    fn public_values_have_the_group_length_and_differ_each_time() {
        for (group, len) in [
            (DhGroup::MODP_1024, 128),
            (DhGroup::MODP_2048, 256),
            (DhGroup::ECP_256, 64),
            (DhGroup::ECP_384, 96),
        ] {
            let a = public_value(group).unwrap();
            let b = public_value(group).unwrap();
            assert_eq!(a.len(), len, "{group}");
            assert_ne!(a, b, "{group}");
        }
    }

    #[test]
    fn ec_values_are_points_on_the_curve() {
        let v = public_value(DhGroup::ECP_256).unwrap();
        let mut sec1 = vec![0x04];
        sec1.extend_from_slice(&v);
        assert!(p256::PublicKey::from_sec1_bytes(&sec1).is_ok());
        let v = public_value(DhGroup::ECP_384).unwrap();
        let mut sec1 = vec![0x04];
        sec1.extend_from_slice(&v);
        assert!(p384::PublicKey::from_sec1_bytes(&sec1).is_ok());
    }

    #[test]
    fn modp_values_are_in_range() {
        let p = prime(MODP_2048_P);
        let y = BigUint::from_bytes_be(&public_value(DhGroup::MODP_2048).unwrap());
        assert!(y > BigUint::from(1u8) && y < &p - 1u8);
    }

    #[test]
    fn unsupported_groups_say_which_are() {
        let e = public_value(DhGroup::CURVE25519).unwrap_err();
        assert!(e.to_string().contains("CURVE25519"));
        assert!(e.to_string().contains("MODP-2048"));
    }

    fn unhex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    fn sha256_hex(b: &[u8]) -> String {
        use sha2::Digest;
        crate::wire::hex(&sha2::Sha256::digest(b))
    }

    #[test]
    fn ecp256_shared_secret_is_the_rfc_5903_x_coordinate() {
        // RFC 5903 §8.1: i, g^r = (grx, gry), g^ir x coordinate.
        let i = unhex("c88f01f510d9ac3f70a292daa2316de544e9aab8afe84049c62a9c57862d1433");
        let gr = unhex(concat!(
            "d12dfb5289c8d4f81208b70270398c342296970a0bccb74c736fc7554494bf63",
            "56fbf3ca366cc23e8157854c13c58d6aac23f046ada30f8353e74f33039872ab"
        ));
        let kp = KeyPair::from_private(DhGroup::ECP_256, &i);
        assert_eq!(
            crate::wire::hex(&kp.shared_secret(DhGroup::ECP_256, &gr).unwrap()),
            "d6840f6b42f6edafd13116e0e12565202fef8e9ece7dce03812464d04b9442de"
        );
    }

    #[test]
    fn ecp384_and_modp2048_match_an_independent_reference() {
        // Values from Python's `cryptography` (ECDH) and pow() (MODP), with
        // private keys 0123456789abcdef... and fedcba9876543210... .
        let a = unhex(&"0123456789abcdef".repeat(6));
        let peer = unhex(concat!(
            "8b40a2bbce88083e8b8f35219c6b5e35782995ea3fa4ce48b6c7bb0ce65b808dc74a24531e60e080c95c3321ba2228a1",
            "e5aedeb6d5234e00d257a4f6cb95a47feade17e88ad881c35c65a1b83af5d3c14f973699132a58b6f5009405f96fc7fc"
        ));
        let kp = KeyPair::from_private(DhGroup::ECP_384, &a);
        assert_eq!(
            crate::wire::hex(&kp.shared_secret(DhGroup::ECP_384, &peer).unwrap()),
            "e72bae28e29aaba0785f13aac57c73c6547c014f121927b1e54b5fb22ab0234f944459054f9ab1e68a446106d98eaf7f"
        );
        let p = prime(MODP_2048_P);
        let y = BigUint::from(2u8).modpow(
            &BigUint::from_bytes_be(&unhex(&"fedcba9876543210".repeat(4))),
            &p,
        );
        let y = left_pad(&y.to_bytes_be(), 256);
        assert_eq!(
            sha256_hex(&y),
            "23584cf35b236d234df9325e4a6926cbead9ee9bc0b8ae9858009951f66bc033"
        );
        let kp = KeyPair::from_private(DhGroup::MODP_2048, &unhex(&"0123456789abcdef".repeat(4)));
        let s = kp.shared_secret(DhGroup::MODP_2048, &y).unwrap();
        assert_eq!(s.len(), 256, "padded to the modulus length");
        assert_eq!(
            sha256_hex(&s),
            "57d99efdde31bd45b146957b762274c4907838037c7f3b294125791ae1f599bd"
        );
    }

    #[test]
    fn both_sides_agree_for_every_supported_group() {
        for &group in SUPPORTED {
            let a = KeyPair::generate(group).unwrap();
            let b = KeyPair::generate(group).unwrap();
            let ab = a.shared_secret(group, &b.public).unwrap();
            assert_eq!(ab, b.shared_secret(group, &a.public).unwrap(), "{group}");
            assert!(!format!("{a:?}").contains("Modp {"), "Debug hides the key");
        }
    }

    #[test]
    fn invalid_peer_values_are_refused() {
        let m = KeyPair::generate(DhGroup::MODP_2048).unwrap();
        let mut one = vec![0u8; 256];
        one[255] = 1;
        assert!(m.shared_secret(DhGroup::MODP_2048, &one).is_err());
        assert!(m.shared_secret(DhGroup::MODP_2048, &[2u8; 10]).is_err());
        let p = prime(MODP_2048_P).to_bytes_be();
        assert!(m.shared_secret(DhGroup::MODP_2048, &p).is_err());
        let e = KeyPair::generate(DhGroup::ECP_256).unwrap();
        assert!(e.shared_secret(DhGroup::ECP_256, &[7u8; 64]).is_err());
        assert!(e.shared_secret(DhGroup::ECP_256, &[]).is_err());
        assert_eq!(
            e.shared_secret(DhGroup::ECP_384, &[0u8; 96]),
            Err(KexError::GroupMismatch {
                ours: DhGroup::ECP_256,
                theirs: DhGroup::ECP_384
            })
        );
    }
}
