//! Key exchange values for the KE payload: real Diffie-Hellman public keys,
//! so a responder that checks them (strongSwan validates MODP values and EC
//! points before it answers) treats the probe like a real client.
//!
//! Only public values leave this module; the private halves are dropped at
//! once because the probe never completes the exchange (no IKE_AUTH).

use num_bigint::BigUint;

use crate::wire::ike::DhGroup;

/// Why no KE value could be made for a group.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KexError {
    #[error("key exchange group {0} is not supported by the probe (supported: {list})", list = supported_list())]
    Unsupported(DhGroup),
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

/// A fresh public value for `group`, laid out as RFC 7296 §3.4 wants it:
/// MODP values big-endian, left-padded to the prime's length (RFC 2409
/// §5); EC points as x || y without a SEC1 prefix (RFC 5903 §7).
pub fn public_value(group: DhGroup) -> Result<Vec<u8>, KexError> {
    match group {
        DhGroup::MODP_1024 => Ok(modp(MODP_1024_P)),
        DhGroup::MODP_1536 => Ok(modp(MODP_1536_P)),
        DhGroup::MODP_2048 => Ok(modp(MODP_2048_P)),
        DhGroup::MODP_3072 => Ok(modp(MODP_3072_P)),
        DhGroup::MODP_4096 => Ok(modp(MODP_4096_P)),
        DhGroup::ECP_256 => Ok(ecp256()),
        DhGroup::ECP_384 => Ok(ecp384()),
        other => Err(KexError::Unsupported(other)),
    }
}

fn prime(hex: &str) -> BigUint {
    // The constants below are checked by a unit test; parsing cannot fail.
    BigUint::parse_bytes(hex.as_bytes(), 16).unwrap_or_default()
}

/// g^x mod p with g = 2 (every MODP group's generator) and a 256-bit random
/// exponent, twice the security level of the largest group offered.
fn modp(prime_hex: &str) -> Vec<u8> {
    let p = prime(prime_hex);
    let mut x = [0u8; 32];
    rand::fill(&mut x[..]);
    x[0] |= 0x80; // full-length exponent
    let y = BigUint::from(2u8).modpow(&BigUint::from_bytes_be(&x), &p);
    let len = prime_hex.len() / 2;
    let bytes = y.to_bytes_be();
    let mut out = vec![0u8; len.saturating_sub(bytes.len())];
    out.extend_from_slice(&bytes);
    out
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

fn ecp256() -> Vec<u8> {
    let k = scalar_bytes::<32>(|k| p256::SecretKey::from_slice(k).is_ok());
    let sk = p256::SecretKey::from_slice(&k).ok();
    sk.map(|sk| sec1_to_ike(&sk.public_key().to_sec1_bytes()))
        .unwrap_or_default()
}

fn ecp384() -> Vec<u8> {
    let k = scalar_bytes::<48>(|k| p384::SecretKey::from_slice(k).is_ok());
    let sk = p384::SecretKey::from_slice(&k).ok();
    sk.map(|sk| sec1_to_ike(&sk.public_key().to_sec1_bytes()))
        .unwrap_or_default()
}

/// SEC1 uncompressed (0x04 || x || y) to IKE's x || y.
fn sec1_to_ike(sec1: &[u8]) -> Vec<u8> {
    sec1.strip_prefix(&[0x04]).unwrap_or(sec1).to_vec()
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
}
