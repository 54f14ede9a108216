//! Signature verification in pure Rust (RustCrypto `rsa`, `p256`, `p384`),
//! for two callers: `rustls-webpki` building certificate paths (through its
//! [`SignatureVerificationAlgorithm`] trait) and the IKE AUTH check
//! ([`super::auth`]). One [`Scheme`] per (key, padding, hash) combination.
//!
//! Why not ring or aws-lc-rs: both need a C toolchain (aws-lc also cmake
//! and NASM on Windows); RustCrypto cross-compiles to
//! `x86_64-pc-windows-gnu` like the rest of the tool, and the project's IKE
//! crypto already uses it. Only public-key operations are done here, so the
//! timing side channels RSA decryption has (RUSTSEC-2023-0071) do not apply.

use p256::ecdsa::signature::hazmat::PrehashVerifier as _;
use rsa::pkcs1::DecodeRsaPublicKey as _;
use rustls_pki_types::{
    AlgorithmIdentifier, InvalidSignature, SignatureVerificationAlgorithm, alg_id,
};
use sha1::Sha1;
use sha2::{Digest as _, Sha256, Sha384, Sha512};

/// Hash functions of the supported schemes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub enum Hash {
    #[serde(rename = "SHA-1")]
    Sha1,
    #[serde(rename = "SHA-256")]
    Sha256,
    #[serde(rename = "SHA-384")]
    Sha384,
    #[serde(rename = "SHA-512")]
    Sha512,
}

impl Hash {
    pub fn digest(self, msg: &[u8]) -> Vec<u8> {
        match self {
            Hash::Sha1 => Sha1::digest(msg).to_vec(),
            Hash::Sha256 => Sha256::digest(msg).to_vec(),
            Hash::Sha384 => Sha384::digest(msg).to_vec(),
            Hash::Sha512 => Sha512::digest(msg).to_vec(),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Hash::Sha1 => "SHA-1",
            Hash::Sha256 => "SHA-256",
            Hash::Sha384 => "SHA-384",
            Hash::Sha512 => "SHA-512",
        }
    }
}

/// How the signature is made: the key type and padding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Padding {
    /// RSASSA-PKCS1-v1_5 (RFC 8017 §8.2).
    Pkcs1v15,
    /// RSASSA-PSS (RFC 8017 §8.1), any salt length.
    Pss,
    /// ECDSA with a DER `Ecdsa-Sig-Value` (RFC 5480, RFC 7427).
    EcdsaDer,
    /// ECDSA with `r | s` of fixed length (RFC 4754, IKE methods 9-11).
    EcdsaFixed,
}

/// One signature scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scheme {
    pub padding: Padding,
    pub hash: Hash,
}

impl Scheme {
    pub const fn new(padding: Padding, hash: Hash) -> Scheme {
        Scheme { padding, hash }
    }

    /// `RSASSA-PKCS1-v1_5 with SHA-256`, `ECDSA with SHA-384`.
    pub fn describe(&self) -> String {
        let kind = match self.padding {
            Padding::Pkcs1v15 => "RSASSA-PKCS1-v1_5",
            Padding::Pss => "RSASSA-PSS",
            Padding::EcdsaDer | Padding::EcdsaFixed => "ECDSA",
        };
        format!("{kind} with {}", self.hash.name())
    }

    /// Verifies `signature` over `message` with the key in `spki_key`, the
    /// subjectPublicKey bits of a SubjectPublicKeyInfo (RSA: a PKCS#1
    /// RSAPublicKey; EC: an uncompressed or compressed point) whose curve is
    /// `curve` (`P-256`/`P-384`) for EC keys.
    pub fn verify(
        &self,
        spki_key: &[u8],
        curve: Option<&str>,
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), InvalidSignature> {
        let hashed = self.hash.digest(message);
        match self.padding {
            Padding::Pkcs1v15 | Padding::Pss => {
                let key = rsa::PublicKey::from_pkcs1_der(spki_key).map_err(|_| InvalidSignature)?;
                let ok = match (self.padding, self.hash) {
                    (Padding::Pkcs1v15, Hash::Sha1) => {
                        key.verify(rsa::Pkcs1v15Sign::new::<Sha1>(), &hashed, signature)
                    }
                    (Padding::Pkcs1v15, Hash::Sha256) => {
                        key.verify(rsa::Pkcs1v15Sign::new::<Sha256>(), &hashed, signature)
                    }
                    (Padding::Pkcs1v15, Hash::Sha384) => {
                        key.verify(rsa::Pkcs1v15Sign::new::<Sha384>(), &hashed, signature)
                    }
                    (Padding::Pkcs1v15, Hash::Sha512) => {
                        key.verify(rsa::Pkcs1v15Sign::new::<Sha512>(), &hashed, signature)
                    }
                    (_, Hash::Sha1) => key.verify(pss::<Sha1>(), &hashed, signature),
                    (_, Hash::Sha256) => key.verify(pss::<Sha256>(), &hashed, signature),
                    (_, Hash::Sha384) => key.verify(pss::<Sha384>(), &hashed, signature),
                    (_, Hash::Sha512) => key.verify(pss::<Sha512>(), &hashed, signature),
                };
                ok.map_err(|_| InvalidSignature)
            }
            Padding::EcdsaDer | Padding::EcdsaFixed => {
                let der = self.padding == Padding::EcdsaDer;
                match curve {
                    Some("P-256") => {
                        let key = p256::ecdsa::VerifyingKey::from_sec1_bytes(spki_key)
                            .map_err(|_| InvalidSignature)?;
                        let sig = if der {
                            p256::ecdsa::Signature::from_der(signature)
                        } else {
                            p256::ecdsa::Signature::from_slice(signature)
                        }
                        .map_err(|_| InvalidSignature)?;
                        key.verify_prehash(&hashed, &sig)
                            .map_err(|_| InvalidSignature)
                    }
                    Some("P-384") => {
                        let key = p384::ecdsa::VerifyingKey::from_sec1_bytes(spki_key)
                            .map_err(|_| InvalidSignature)?;
                        let sig = if der {
                            p384::ecdsa::Signature::from_der(signature)
                        } else {
                            p384::ecdsa::Signature::from_slice(signature)
                        }
                        .map_err(|_| InvalidSignature)?;
                        key.verify_prehash(&hashed, &sig)
                            .map_err(|_| InvalidSignature)
                    }
                    _ => Err(InvalidSignature),
                }
            }
        }
    }
}

/// PSS verification that accepts any salt length (RFC 8017 §9.1.2 with the
/// salt length recovered from the encoding), as RFC 7427 allows.
fn pss<D: sha2::Digest + sha2::digest::FixedOutputReset>() -> rsa::Pss<D> {
    rsa::Pss {
        blinded: false,
        digest: D::new(),
        salt_len: None,
    }
}

/// A [`Scheme`] as `rustls-webpki` sees it: the algorithm identifiers of
/// the key and of the signature it verifies.
#[derive(Debug)]
struct WebPki {
    scheme: Scheme,
    key: AlgorithmIdentifier,
    signature: AlgorithmIdentifier,
    curve: Option<&'static str>,
}

impl SignatureVerificationAlgorithm for WebPki {
    fn verify_signature(
        &self,
        public_key: &[u8],
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), InvalidSignature> {
        self.scheme
            .verify(public_key, self.curve, message, signature)
    }

    fn public_key_alg_id(&self) -> AlgorithmIdentifier {
        self.key
    }

    fn signature_alg_id(&self) -> AlgorithmIdentifier {
        self.signature
    }
}

macro_rules! webpki_alg {
    ($name:ident, $padding:ident, $hash:ident, $key:ident, $sig:ident, $curve:expr) => {
        static $name: WebPki = WebPki {
            scheme: Scheme::new(Padding::$padding, Hash::$hash),
            key: alg_id::$key,
            signature: alg_id::$sig,
            curve: $curve,
        };
    };
}

webpki_alg!(
    RSA_PKCS1_SHA256,
    Pkcs1v15,
    Sha256,
    RSA_ENCRYPTION,
    RSA_PKCS1_SHA256,
    None
);
webpki_alg!(
    RSA_PKCS1_SHA384,
    Pkcs1v15,
    Sha384,
    RSA_ENCRYPTION,
    RSA_PKCS1_SHA384,
    None
);
webpki_alg!(
    RSA_PKCS1_SHA512,
    Pkcs1v15,
    Sha512,
    RSA_ENCRYPTION,
    RSA_PKCS1_SHA512,
    None
);
webpki_alg!(
    RSA_PSS_SHA256,
    Pss,
    Sha256,
    RSA_ENCRYPTION,
    RSA_PSS_SHA256,
    None
);
webpki_alg!(
    RSA_PSS_SHA384,
    Pss,
    Sha384,
    RSA_ENCRYPTION,
    RSA_PSS_SHA384,
    None
);
webpki_alg!(
    RSA_PSS_SHA512,
    Pss,
    Sha512,
    RSA_ENCRYPTION,
    RSA_PSS_SHA512,
    None
);
webpki_alg!(
    P256_SHA256,
    EcdsaDer,
    Sha256,
    ECDSA_P256,
    ECDSA_SHA256,
    Some("P-256")
);
webpki_alg!(
    P256_SHA384,
    EcdsaDer,
    Sha384,
    ECDSA_P256,
    ECDSA_SHA384,
    Some("P-256")
);
webpki_alg!(
    P384_SHA256,
    EcdsaDer,
    Sha256,
    ECDSA_P384,
    ECDSA_SHA256,
    Some("P-384")
);
webpki_alg!(
    P384_SHA384,
    EcdsaDer,
    Sha384,
    ECDSA_P384,
    ECDSA_SHA384,
    Some("P-384")
);

/// The certificate signature algorithms path building accepts: RSA
/// (PKCS#1 v1.5 and PSS with SHA-2) and ECDSA on P-256/P-384, the set
/// Windows and every public CA use today. SHA-1 certificates are refused,
/// as Windows refuses them for TLS and IKE server certificates.
pub static WEBPKI_ALGORITHMS: &[&dyn SignatureVerificationAlgorithm] = &[
    &RSA_PKCS1_SHA256,
    &RSA_PKCS1_SHA384,
    &RSA_PKCS1_SHA512,
    &RSA_PSS_SHA256,
    &RSA_PSS_SHA384,
    &RSA_PSS_SHA512,
    &P256_SHA256,
    &P256_SHA384,
    &P384_SHA256,
    &P384_SHA384,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_keys_and_signatures_are_invalid_never_a_panic() {
        for scheme in [
            Scheme::new(Padding::Pkcs1v15, Hash::Sha256),
            Scheme::new(Padding::Pss, Hash::Sha384),
            Scheme::new(Padding::EcdsaDer, Hash::Sha256),
            Scheme::new(Padding::EcdsaFixed, Hash::Sha384),
        ] {
            for curve in [None, Some("P-256"), Some("P-384"), Some("P-521")] {
                assert!(scheme.verify(&[], curve, b"m", &[]).is_err());
                assert!(scheme.verify(&[4; 65], curve, b"m", &[0x30; 70]).is_err());
            }
        }
        assert_eq!(
            Scheme::new(Padding::Pss, Hash::Sha512).describe(),
            "RSASSA-PSS with SHA-512"
        );
    }
}
