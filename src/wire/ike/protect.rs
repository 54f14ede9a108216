//! IKE SA keys and the protection of IKE messages after IKE_SA_INIT.
//!
//! - Key derivation, RFC 7296 §2.13 (prf+) and §2.14 (SKEYSEED and
//!   SK_d | SK_ai | SK_ar | SK_ei | SK_er | SK_pi | SK_pr).
//! - The Encrypted payload, RFC 7296 §3.14 (SK: IV, ciphertext, padding, pad
//!   length, ICV), its AES-GCM form from RFC 5282 (8-byte explicit IV, 4-byte
//!   salt taken from the end of each encryption key, AAD = the message from
//!   the IKE header up to the end of the SK payload header), and the
//!   Encrypted Fragment payload of RFC 7383 §2.5 (SKF: the same after a
//!   Fragment Number and Total Fragments field, which the AAD includes).
//!
//! Why the probe needs it: to prove that an IKE_AUTH on UDP 4500 reached the
//! server that holds the IKE SA made on UDP 500, the probe must send a
//! message that server can decrypt and check a response only that server
//! can produce. Pure: bytes and keys in, bytes out; the caller supplies the
//! IV, so the output is deterministic and testable.

use aes_gcm::{AeadInOut, KeyInit as _};
use cbc::cipher::block_padding::NoPadding;
use cbc::cipher::{BlockModeDecrypt, BlockModeEncrypt, KeyIvInit};
use hmac::{Hmac, Mac};

use super::{
    EncrId, Header, IntegId, PAYLOAD_HEADER_LEN, PayloadType, PrfId, Proposal, RawPayloads,
    TransformType,
};
use crate::wire::{self, Reader};

/// Why a message could not be protected or opened, or keys not derived.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProtectError {
    /// The chosen proposal uses an algorithm this module does not implement.
    #[error(
        "cannot protect IKE messages with {0}: not implemented (supported: AES-CBC and AES-GCM-16 with HMAC-SHA1/SHA2 PRFs)"
    )]
    Unsupported(String),
    /// The chosen proposal is incomplete or contradictory.
    #[error("the chosen IKE proposal {proposal} is unusable: {problem}")]
    BadProposal {
        proposal: String,
        problem: &'static str,
    },
    #[error(transparent)]
    Wire(#[from] wire::Error),
    /// The message has no SK or SKF payload at the end of its chain.
    #[error("the message carries no Encrypted (SK/SKF) payload")]
    NotProtected,
    /// The ICV or AEAD tag does not verify: another key, or altered bytes.
    #[error("integrity check of the {0} payload failed (wrong keys or altered message)")]
    IntegrityFailed(&'static str),
    /// Lengths that cannot come from the negotiated cipher.
    #[error("encrypted data of {len} bytes does not fit {what}")]
    BadCiphertext { what: &'static str, len: usize },
    /// The IV handed to `seal` has the wrong length for the cipher.
    #[error("an IV of {got} bytes was given where the cipher needs {want}")]
    BadIv { got: usize, want: usize },
    /// prf+ can produce at most 255 blocks (§2.13).
    #[error("prf+ cannot produce {0} bytes (at most 255 PRF blocks)")]
    PrfPlusTooLong(usize),
    /// A key of the wrong length for its algorithm (a bug, not hostile input).
    #[error("a {0} key has the wrong length")]
    BadKey(&'static str),
}

pub type Result<T> = std::result::Result<T, ProtectError>;

/// Pseudo-random functions (transform type 2) with HMAC (RFC 2104, RFC 4868).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prf {
    HmacSha1,
    HmacSha256,
    HmacSha384,
    HmacSha512,
}

/// HMAC over the concatenation of `parts`.
fn hmac_parts<M: Mac + hmac::KeyInit>(key: &[u8], parts: &[&[u8]]) -> Result<Vec<u8>> {
    let mut mac =
        <M as hmac::KeyInit>::new_from_slice(key).map_err(|_| ProtectError::BadKey("HMAC"))?;
    for p in parts {
        mac.update(p);
    }
    Ok(mac.finalize().into_bytes().to_vec())
}

impl Prf {
    pub fn from_id(id: PrfId) -> Option<Self> {
        match id {
            PrfId::HMAC_SHA1 => Some(Prf::HmacSha1),
            PrfId::HMAC_SHA2_256 => Some(Prf::HmacSha256),
            PrfId::HMAC_SHA2_384 => Some(Prf::HmacSha384),
            PrfId::HMAC_SHA2_512 => Some(Prf::HmacSha512),
            _ => None,
        }
    }

    /// Output length, which is also the length of SK_d, SK_pi and SK_pr
    /// (§2.14: "the length of SK_d, SK_pi, and SK_pr MUST be the preferred
    /// key length of the PRF agreed").
    pub fn output_len(self) -> usize {
        match self {
            Prf::HmacSha1 => 20,
            Prf::HmacSha256 => 32,
            Prf::HmacSha384 => 48,
            Prf::HmacSha512 => 64,
        }
    }

    /// `prf(key, parts[0] | parts[1] | ...)`.
    pub fn prf(self, key: &[u8], parts: &[&[u8]]) -> Result<Vec<u8>> {
        match self {
            Prf::HmacSha1 => hmac_parts::<Hmac<sha1::Sha1>>(key, parts),
            Prf::HmacSha256 => hmac_parts::<Hmac<sha2::Sha256>>(key, parts),
            Prf::HmacSha384 => hmac_parts::<Hmac<sha2::Sha384>>(key, parts),
            Prf::HmacSha512 => hmac_parts::<Hmac<sha2::Sha512>>(key, parts),
        }
    }

    /// RFC 7296 §2.13: prf+(K, S) = T1 | T2 | ... with
    /// T1 = prf(K, S | 0x01) and Tn = prf(K, Tn-1 | S | n), cut to `len`.
    pub fn prf_plus(self, key: &[u8], seed: &[u8], len: usize) -> Result<Vec<u8>> {
        let blocks = len.div_ceil(self.output_len());
        if blocks > 255 {
            return Err(ProtectError::PrfPlusTooLong(len));
        }
        let mut out = Vec::with_capacity(blocks * self.output_len());
        let mut t: Vec<u8> = Vec::new();
        for n in 1..=blocks as u8 {
            t = self.prf(key, &[&t, seed, &[n]])?;
            out.extend_from_slice(&t);
        }
        out.truncate(len);
        Ok(out)
    }
}

/// Integrity algorithms (transform type 3): HMAC truncated to the ICV
/// length (RFC 2404 for SHA-1-96, RFC 4868 for the SHA-2 ones).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Integ {
    HmacSha1_96,
    HmacSha256_128,
    HmacSha384_192,
    HmacSha512_256,
}

impl Integ {
    pub fn from_id(id: IntegId) -> Option<Self> {
        match id {
            IntegId::HMAC_SHA1_96 => Some(Integ::HmacSha1_96),
            IntegId::HMAC_SHA2_256_128 => Some(Integ::HmacSha256_128),
            IntegId::HMAC_SHA2_384_192 => Some(Integ::HmacSha384_192),
            IntegId::HMAC_SHA2_512_256 => Some(Integ::HmacSha512_256),
            _ => None,
        }
    }

    /// Key length: the hash's output length (RFC 4868 §2.1.1, RFC 2404 §3).
    pub fn key_len(self) -> usize {
        match self {
            Integ::HmacSha1_96 => 20,
            Integ::HmacSha256_128 => 32,
            Integ::HmacSha384_192 => 48,
            Integ::HmacSha512_256 => 64,
        }
    }

    pub fn icv_len(self) -> usize {
        match self {
            Integ::HmacSha1_96 => 12,
            Integ::HmacSha256_128 => 16,
            Integ::HmacSha384_192 => 24,
            Integ::HmacSha512_256 => 32,
        }
    }

    fn hmac(self, key: &[u8], data: &[u8]) -> Result<Vec<u8>> {
        let mut full = match self {
            Integ::HmacSha1_96 => hmac_parts::<Hmac<sha1::Sha1>>(key, &[data])?,
            Integ::HmacSha256_128 => hmac_parts::<Hmac<sha2::Sha256>>(key, &[data])?,
            Integ::HmacSha384_192 => hmac_parts::<Hmac<sha2::Sha384>>(key, &[data])?,
            Integ::HmacSha512_256 => hmac_parts::<Hmac<sha2::Sha512>>(key, &[data])?,
        };
        full.truncate(self.icv_len());
        Ok(full)
    }

    /// The ICV of `data`.
    pub fn icv(self, key: &[u8], data: &[u8]) -> Result<Vec<u8>> {
        self.hmac(key, data)
    }

    /// Constant-time check of a received ICV.
    fn verify(self, key: &[u8], data: &[u8], icv: &[u8]) -> Result<()> {
        fn check<M: Mac + hmac::KeyInit>(key: &[u8], data: &[u8], icv: &[u8]) -> Result<bool> {
            let mut mac = <M as hmac::KeyInit>::new_from_slice(key)
                .map_err(|_| ProtectError::BadKey("HMAC"))?;
            mac.update(data);
            Ok(mac.verify_truncated_left(icv).is_ok())
        }
        let ok = icv.len() == self.icv_len()
            && match self {
                Integ::HmacSha1_96 => check::<Hmac<sha1::Sha1>>(key, data, icv)?,
                Integ::HmacSha256_128 => check::<Hmac<sha2::Sha256>>(key, data, icv)?,
                Integ::HmacSha384_192 => check::<Hmac<sha2::Sha384>>(key, data, icv)?,
                Integ::HmacSha512_256 => check::<Hmac<sha2::Sha512>>(key, data, icv)?,
            };
        if ok {
            Ok(())
        } else {
            Err(ProtectError::IntegrityFailed("SK"))
        }
    }
}

/// Encryption algorithms (transform type 1) this module implements.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encr {
    /// AES-CBC (RFC 3602): 16-byte random IV, padding to 16-byte blocks.
    AesCbc { key_bytes: usize },
    /// AES-GCM with a 16-byte ICV (RFC 4106, RFC 5282).
    AesGcm16 { key_bytes: usize },
}

/// RFC 5282 §7.1: the last 4 bytes of each AES-GCM key are the salt.
const GCM_SALT_LEN: usize = 4;
const GCM_IV_LEN: usize = 8;
const GCM_ICV_LEN: usize = 16;
const AES_BLOCK: usize = 16;

impl Encr {
    /// `key_bits` is the Key Length attribute (§3.3.5), required for AES.
    pub fn from_id(id: EncrId, key_bits: Option<u16>) -> Option<Self> {
        let key_bytes = match key_bits? {
            128 => 16,
            192 => 24,
            256 => 32,
            _ => return None,
        };
        match id {
            EncrId::AES_CBC => Some(Encr::AesCbc { key_bytes }),
            EncrId::AES_GCM_16 if key_bytes != 24 => Some(Encr::AesGcm16 { key_bytes }),
            _ => None,
        }
    }

    /// Bytes of SK_ei / SK_er: the AES key, plus the salt for GCM.
    pub fn key_len(self) -> usize {
        match self {
            Encr::AesCbc { key_bytes } => key_bytes,
            Encr::AesGcm16 { key_bytes } => key_bytes + GCM_SALT_LEN,
        }
    }

    pub fn iv_len(self) -> usize {
        match self {
            Encr::AesCbc { .. } => AES_BLOCK,
            Encr::AesGcm16 { .. } => GCM_IV_LEN,
        }
    }

    pub fn is_aead(self) -> bool {
        matches!(self, Encr::AesGcm16 { .. })
    }
}

/// The algorithms of an IKE SA, read from the proposal the responder chose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Suite {
    pub encr: Encr,
    /// `None` for AEAD ciphers, whose tag is the integrity check.
    pub integ: Option<Integ>,
    pub prf: Prf,
}

impl Suite {
    /// Reads the first transform of each type (a response carries exactly
    /// one, §3.3.6). AEAD must come without integrity (or INTEG NONE), other
    /// ciphers with one (RFC 5282 §8).
    pub fn from_proposal(p: &Proposal) -> Result<Suite> {
        let bad = |problem| ProtectError::BadProposal {
            proposal: p.describe(),
            problem,
        };
        let encr_t = p
            .of_type(TransformType::ENCR)
            .next()
            .ok_or_else(|| bad("no encryption transform"))?;
        let encr = Encr::from_id(EncrId(encr_t.id), encr_t.key_length())
            .ok_or_else(|| ProtectError::Unsupported(encr_t.name()))?;
        let prf_t = p
            .of_type(TransformType::PRF)
            .next()
            .ok_or_else(|| bad("no PRF transform"))?;
        let prf =
            Prf::from_id(PrfId(prf_t.id)).ok_or_else(|| ProtectError::Unsupported(prf_t.name()))?;
        let integ_t = p
            .of_type(TransformType::INTEG)
            .find(|t| IntegId(t.id) != IntegId::NONE);
        let integ = match (encr.is_aead(), integ_t) {
            (true, None) => None,
            (true, Some(_)) => return Err(bad("an AEAD cipher with an integrity algorithm")),
            (false, None) => return Err(bad("a non-AEAD cipher without integrity algorithm")),
            (false, Some(t)) => Some(
                Integ::from_id(IntegId(t.id)).ok_or_else(|| ProtectError::Unsupported(t.name()))?,
            ),
        };
        Ok(Suite { encr, integ, prf })
    }

    fn icv_len(&self) -> usize {
        match self.integ {
            Some(i) => i.icv_len(),
            None => GCM_ICV_LEN,
        }
    }

    /// Bytes of a whole protected message (IKE header, the SK or SKF
    /// payload with IV, padding, Pad Length and ICV) whose inner payloads
    /// take `inner_len` bytes: what [`Protection::seal`] produces.
    pub fn sealed_len(&self, envelope: Envelope, inner_len: usize) -> usize {
        let pad = match self.encr {
            Encr::AesCbc { .. } => (AES_BLOCK - (inner_len + 1) % AES_BLOCK) % AES_BLOCK,
            Encr::AesGcm16 { .. } => 0,
        };
        super::HEADER_LEN
            + PAYLOAD_HEADER_LEN
            + envelope.prefix_len()
            + self.encr.iv_len()
            + inner_len
            + pad
            + 1
            + self.icv_len()
    }
}

/// The seven keys of an IKE SA (§2.14). `Debug` hides them.
#[derive(Clone, PartialEq, Eq)]
pub struct Keys {
    pub sk_d: Vec<u8>,
    pub sk_ai: Vec<u8>,
    pub sk_ar: Vec<u8>,
    pub sk_ei: Vec<u8>,
    pub sk_er: Vec<u8>,
    pub sk_pi: Vec<u8>,
    pub sk_pr: Vec<u8>,
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Keys(..)")
    }
}

/// RFC 7296 §2.14:
/// SKEYSEED = prf(Ni | Nr, g^ir);
/// {SK_d | SK_ai | SK_ar | SK_ei | SK_er | SK_pi | SK_pr}
///   = prf+(SKEYSEED, Ni | Nr | SPIi | SPIr).
/// The HMAC PRFs take the whole Ni | Nr as key (the fixed-key-length rule
/// of §2.14 only concerns AES-XCBC/CMAC, which are not supported).
pub fn derive_keys(
    suite: &Suite,
    shared_secret: &[u8],
    ni: &[u8],
    nr: &[u8],
    spi_i: &[u8; 8],
    spi_r: &[u8; 8],
) -> Result<Keys> {
    let prf = suite.prf;
    let nonces = [ni, nr].concat();
    let skeyseed = prf.prf(&nonces, &[shared_secret])?;
    let prf_len = prf.output_len();
    let a_len = suite.integ.map_or(0, Integ::key_len);
    let e_len = suite.encr.key_len();
    let total = 3 * prf_len + 2 * a_len + 2 * e_len;
    let seed = [ni, nr, spi_i, spi_r].concat();
    let km = prf.prf_plus(&skeyseed, &seed, total)?;
    let mut r = Reader::new(&km);
    let mut take = |n| r.bytes(n, "key material").map(<[u8]>::to_vec);
    Ok(Keys {
        sk_d: take(prf_len)?,
        sk_ai: take(a_len)?,
        sk_ar: take(a_len)?,
        sk_ei: take(e_len)?,
        sk_er: take(e_len)?,
        sk_pi: take(prf_len)?,
        sk_pr: take(prf_len)?,
    })
}

/// Who sends the message: selects SK_ei/SK_ai or SK_er/SK_ar (§2.14).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sender {
    Initiator,
    Responder,
}

/// SK for a whole message, SKF for one fragment of it (RFC 7383 §2.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Envelope {
    Sk,
    Skf { number: u16, total: u16 },
}

impl Envelope {
    fn kind(self) -> PayloadType {
        match self {
            Envelope::Sk => PayloadType::SK,
            Envelope::Skf { .. } => PayloadType::SKF,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Envelope::Sk => "SK",
            Envelope::Skf { .. } => "SKF",
        }
    }

    /// Fragment Number and Total Fragments precede the IV in SKF.
    fn prefix_len(self) -> usize {
        match self {
            Envelope::Sk => 0,
            Envelope::Skf { .. } => 4,
        }
    }
}

/// A decrypted SK or SKF payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opened {
    pub header: Header,
    pub envelope: Envelope,
    /// Type of the first inner payload (zero in SKF fragments after the first).
    pub first_inner: PayloadType,
    /// The inner payload chain (or this fragment's share of it), padding removed.
    pub plaintext: Vec<u8>,
}

/// The keys and algorithms of one IKE SA, ready to seal and open messages.
#[derive(Debug, Clone)]
pub struct Protection {
    pub suite: Suite,
    pub keys: Keys,
}

impl Protection {
    fn keys_of(&self, sender: Sender) -> (&[u8], &[u8]) {
        match sender {
            Sender::Initiator => (&self.keys.sk_ei, &self.keys.sk_ai),
            Sender::Responder => (&self.keys.sk_er, &self.keys.sk_ar),
        }
    }

    /// Builds a whole protected message: `header` (next payload and length
    /// are set here) followed by one SK/SKF payload that holds `inner`, the
    /// emitted payload chain starting with `first_inner`. `iv` must be fresh
    /// random bytes of `suite.encr.iv_len()` (§3.14: unpredictable for CBC;
    /// RFC 5282 §3.1: never repeated under one GCM key).
    pub fn seal(
        &self,
        sender: Sender,
        mut header: Header,
        envelope: Envelope,
        first_inner: PayloadType,
        inner: &[u8],
        iv: &[u8],
    ) -> Result<Vec<u8>> {
        let encr = self.suite.encr;
        if iv.len() != encr.iv_len() {
            return Err(ProtectError::BadIv {
                got: iv.len(),
                want: encr.iv_len(),
            });
        }
        // Padding (§3.14): CBC pads to the block size; GCM needs none
        // (RFC 5282 §3). The Pad Length byte always follows.
        let mut plain = inner.to_vec();
        let pad = match encr {
            Encr::AesCbc { .. } => (AES_BLOCK - (inner.len() + 1) % AES_BLOCK) % AES_BLOCK,
            Encr::AesGcm16 { .. } => 0,
        };
        plain.resize(inner.len() + pad, 0);
        plain.push(pad as u8);
        let icv_len = self.suite.icv_len();
        let body_len = envelope.prefix_len() + iv.len() + plain.len() + icv_len;
        let payload_len = PAYLOAD_HEADER_LEN + body_len;
        let total = super::HEADER_LEN + payload_len;
        if total > u32::MAX as usize || payload_len > u16::MAX as usize {
            return Err(ProtectError::BadCiphertext {
                what: "one IKE message",
                len: total,
            });
        }
        header.next_payload = envelope.kind();
        header.length = total as u32;
        let mut out = Vec::with_capacity(total);
        header.emit(&mut out);
        out.push(first_inner.0);
        out.push(0);
        out.extend_from_slice(&(payload_len as u16).to_be_bytes());
        if let Envelope::Skf { number, total } = envelope {
            out.extend_from_slice(&number.to_be_bytes());
            out.extend_from_slice(&total.to_be_bytes());
        }
        let aad_len = out.len();
        out.extend_from_slice(iv);
        let (ek, ak) = self.keys_of(sender);
        match encr {
            Encr::AesCbc { key_bytes } => {
                cbc_encrypt(key_bytes, ek, iv, &mut plain)?;
                out.extend_from_slice(&plain);
                let integ = self.suite.integ.ok_or(ProtectError::BadKey("integrity"))?;
                let icv = integ.icv(ak, &out)?;
                out.extend_from_slice(&icv);
            }
            Encr::AesGcm16 { key_bytes } => {
                let aad = out.get(..aad_len).unwrap_or(&[]).to_vec();
                let tag = gcm_seal(key_bytes, ek, iv, &aad, &mut plain)?;
                out.extend_from_slice(&plain);
                out.extend_from_slice(&tag);
            }
        }
        Ok(out)
    }

    /// Checks and decrypts a protected message sent by `sender`. The SK or
    /// SKF payload must be the last of the chain (§3.14); unprotected
    /// payloads before it are allowed and ignored. The integrity check
    /// covers the message up to its declared length.
    pub fn open(&self, sender: Sender, msg: &[u8]) -> Result<Opened> {
        let header = Header::parse(msg)?;
        let declared = header.length as usize;
        if declared < super::HEADER_LEN {
            return Err(wire::Error::BadLength {
                what: "IKE message",
                offset: 24,
                declared,
                problem: "shorter than the 28-byte IKE header",
            }
            .into());
        }
        let msg = Reader::new(msg).bytes(declared, "IKE message")?;
        let chain = msg.get(super::HEADER_LEN..).unwrap_or(&[]);
        let mut last = None;
        for raw in RawPayloads::new(header.next_payload, chain, super::HEADER_LEN) {
            last = Some(raw?);
        }
        let raw = last
            .filter(|p| p.kind == PayloadType::SK || p.kind == PayloadType::SKF)
            .ok_or(ProtectError::NotProtected)?;
        let mut r = Reader::at(raw.body, raw.offset + PAYLOAD_HEADER_LEN);
        let envelope = if raw.kind == PayloadType::SKF {
            Envelope::Skf {
                number: r.u16("SKF fragment number")?,
                total: r.u16("SKF total fragments")?,
            }
        } else {
            Envelope::Sk
        };
        let encr = self.suite.encr;
        let icv_len = self.suite.icv_len();
        let iv = r.bytes(encr.iv_len(), "IV")?;
        let rest = r.rest();
        let ct_len = rest
            .len()
            .checked_sub(icv_len)
            .ok_or(ProtectError::BadCiphertext {
                what: "the ICV",
                len: rest.len(),
            })?;
        let (ct, icv) = rest.split_at(ct_len);
        let (ek, ak) = self.keys_of(sender);
        let mut plain = ct.to_vec();
        match encr {
            Encr::AesCbc { key_bytes } => {
                let integ = self.suite.integ.ok_or(ProtectError::BadKey("integrity"))?;
                let signed = msg.get(..declared - icv_len).unwrap_or(&[]);
                integ
                    .verify(ak, signed, icv)
                    .map_err(|_| ProtectError::IntegrityFailed(envelope.name()))?;
                if plain.is_empty() || plain.len() % AES_BLOCK != 0 {
                    return Err(ProtectError::BadCiphertext {
                        what: "whole AES blocks",
                        len: plain.len(),
                    });
                }
                cbc_decrypt(key_bytes, ek, iv, &mut plain)?;
            }
            Encr::AesGcm16 { key_bytes } => {
                let aad_end = raw.offset + PAYLOAD_HEADER_LEN + envelope.prefix_len();
                let aad = msg.get(..aad_end).unwrap_or(&[]);
                gcm_open(key_bytes, ek, iv, aad, &mut plain, icv)
                    .map_err(|_| ProtectError::IntegrityFailed(envelope.name()))?;
            }
        }
        let pad = usize::from(*plain.last().ok_or(ProtectError::BadCiphertext {
            what: "a Pad Length byte",
            len: 0,
        })?);
        let keep = plain
            .len()
            .checked_sub(pad + 1)
            .ok_or(ProtectError::BadCiphertext {
                what: "its Pad Length",
                len: plain.len(),
            })?;
        plain.truncate(keep);
        Ok(Opened {
            header,
            envelope,
            first_inner: raw.next,
            plaintext: plain,
        })
    }
}

fn cbc_encrypt(key_bytes: usize, key: &[u8], iv: &[u8], buf: &mut [u8]) -> Result<()> {
    match key_bytes {
        16 => cbc_encrypt_with::<aes::Aes128>(key, iv, buf),
        24 => cbc_encrypt_with::<aes::Aes192>(key, iv, buf),
        _ => cbc_encrypt_with::<aes::Aes256>(key, iv, buf),
    }
}

fn cbc_decrypt(key_bytes: usize, key: &[u8], iv: &[u8], buf: &mut [u8]) -> Result<()> {
    match key_bytes {
        16 => cbc_decrypt_with::<aes::Aes128>(key, iv, buf),
        24 => cbc_decrypt_with::<aes::Aes192>(key, iv, buf),
        _ => cbc_decrypt_with::<aes::Aes256>(key, iv, buf),
    }
}

/// In-place AES-CBC without padding (IKE pads itself, RFC 7296 §3.14) with
/// the AES variant `C`; errors name a wrong key or IV length, or a buffer
/// that is not whole blocks.
fn cbc_encrypt_with<C>(key: &[u8], iv: &[u8], buf: &mut [u8]) -> Result<()>
where
    C: cbc::cipher::BlockCipherEncrypt,
    cbc::Encryptor<C>: KeyIvInit + BlockModeEncrypt,
{
    let len = buf.len();
    cbc::Encryptor::<C>::new_from_slices(key, iv)
        .map_err(|_| ProtectError::BadKey("AES-CBC"))?
        .encrypt_padded::<NoPadding>(buf, len)
        .map(|_| ())
        .map_err(|_| not_whole_blocks(len))
}

/// The inverse of [`cbc_encrypt_with`].
fn cbc_decrypt_with<C>(key: &[u8], iv: &[u8], buf: &mut [u8]) -> Result<()>
where
    C: cbc::cipher::BlockCipherDecrypt,
    cbc::Decryptor<C>: KeyIvInit + BlockModeDecrypt,
{
    let len = buf.len();
    cbc::Decryptor::<C>::new_from_slices(key, iv)
        .map_err(|_| ProtectError::BadKey("AES-CBC"))?
        .decrypt_padded::<NoPadding>(buf)
        .map(|_| ())
        .map_err(|_| not_whole_blocks(len))
}

fn not_whole_blocks(len: usize) -> ProtectError {
    ProtectError::BadCiphertext {
        what: "whole AES blocks",
        len,
    }
}

/// RFC 5282 §3.1 / RFC 4106 §4: nonce = salt (last 4 key bytes) | IV.
fn gcm_split<'k>(key_bytes: usize, key: &'k [u8], iv: &[u8]) -> Result<(&'k [u8], [u8; 12])> {
    let (aes_key, salt) = key
        .split_at_checked(key_bytes)
        .ok_or(ProtectError::BadKey("AES-GCM"))?;
    let mut nonce = [0u8; 12];
    let n = salt.len() + iv.len();
    if n != 12 {
        return Err(ProtectError::BadKey("AES-GCM salt"));
    }
    nonce[..GCM_SALT_LEN].copy_from_slice(salt);
    nonce[GCM_SALT_LEN..].copy_from_slice(iv);
    Ok((aes_key, nonce))
}

fn gcm_seal(
    key_bytes: usize,
    key: &[u8],
    iv: &[u8],
    aad: &[u8],
    buf: &mut [u8],
) -> Result<Vec<u8>> {
    let (k, nonce) = gcm_split(key_bytes, key, iv)?;
    let nonce = aes_gcm::Nonce::<aes_gcm::aead::consts::U12>::from(nonce);
    let bad = |_| ProtectError::BadKey("AES-GCM");
    let tag = match key_bytes {
        16 => aes_gcm::Aes128Gcm::new_from_slice(k)
            .map_err(bad)?
            .encrypt_inout_detached(&nonce, aad, buf.into()),
        _ => aes_gcm::Aes256Gcm::new_from_slice(k)
            .map_err(bad)?
            .encrypt_inout_detached(&nonce, aad, buf.into()),
    }
    .map_err(|_| ProtectError::BadCiphertext {
        what: "AES-GCM",
        len: 0,
    })?;
    Ok(tag.to_vec())
}

fn gcm_open(
    key_bytes: usize,
    key: &[u8],
    iv: &[u8],
    aad: &[u8],
    buf: &mut [u8],
    tag: &[u8],
) -> Result<()> {
    let (k, nonce) = gcm_split(key_bytes, key, iv)?;
    let nonce = aes_gcm::Nonce::<aes_gcm::aead::consts::U12>::from(nonce);
    let tag = aes_gcm::Tag::try_from(tag).map_err(|_| ProtectError::IntegrityFailed("SK"))?;
    let bad = |_| ProtectError::BadKey("AES-GCM");
    match key_bytes {
        16 => aes_gcm::Aes128Gcm::new_from_slice(k)
            .map_err(bad)?
            .decrypt_inout_detached(&nonce, aad, buf.into(), &tag),
        _ => aes_gcm::Aes256Gcm::new_from_slice(k)
            .map_err(bad)?
            .decrypt_inout_detached(&nonce, aad, buf.into(), &tag),
    }
    .map_err(|_| ProtectError::IntegrityFailed("SK"))
}

#[cfg(test)]
mod tests;
