//! strongSwan's proposal notation (`aes256-sha256-modp2048`), the form admins
//! write in swanctl.conf and paste from documentation. Parsing follows
//! strongSwan's rules: an integrity keyword also adds the matching PRF unless
//! a `prf…` keyword is given, and with an AEAD cipher (GCM, CCM, ChaCha20)
//! integrity algorithms are dropped.

use super::codes::{DhGroup, EncrId, IntegId, PrfId, TransformType};
use super::sa::{Proposal, Transform};
use crate::text::{EXCERPT_CHARS, excerpt};

/// Proposals in one list at most: each one checked costs the server an
/// exchange, and an SA payload numbers its proposals with one byte.
pub const MAX_LIST: usize = 32;

/// Why a proposal string could not be understood. The text is quoted in part
/// ([`EXCERPT_CHARS`] characters at most).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotationError {
    #[error(
        "unknown algorithm `{token}` in proposal `{proposal}` (expected e.g. aes256-sha256-modp2048)"
    )]
    UnknownToken { token: String, proposal: String },
    #[error("proposal `{proposal}` has no {what} algorithm (expected e.g. aes256-sha256-modp2048)")]
    Missing {
        what: &'static str,
        proposal: String,
    },
    #[error(
        "proposal `{proposal}` mixes AEAD and classic ciphers; strongSwan needs separate proposals"
    )]
    MixedAead { proposal: String },
    #[error("more than {MAX_LIST} proposals in one list; check them in smaller groups")]
    TooMany,
}

/// One keyword: what it adds.
struct Keyword {
    token: &'static str,
    kind: TransformType,
    id: u16,
    key_bits: Option<u16>,
}

const fn kw(token: &'static str, kind: TransformType, id: u16, key_bits: Option<u16>) -> Keyword {
    Keyword {
        token,
        kind,
        id,
        key_bits,
    }
}

const E: TransformType = TransformType::ENCR;
const I: TransformType = TransformType::INTEG;
const P: TransformType = TransformType::PRF;
const D: TransformType = TransformType::DH;

/// Keywords in the order `format` prefers them (first match wins when
/// turning a transform back into a keyword).
const KEYWORDS: &[Keyword] = &[
    kw("aes128", E, EncrId::AES_CBC.0, Some(128)),
    kw("aes192", E, EncrId::AES_CBC.0, Some(192)),
    kw("aes256", E, EncrId::AES_CBC.0, Some(256)),
    kw("aes", E, EncrId::AES_CBC.0, Some(128)),
    kw("3des", E, EncrId::TRIPLE_DES.0, None),
    kw("des", E, EncrId::DES.0, None),
    kw("null", E, EncrId::NULL.0, None),
    kw("aes128ctr", E, EncrId::AES_CTR.0, Some(128)),
    kw("aes192ctr", E, EncrId::AES_CTR.0, Some(192)),
    kw("aes256ctr", E, EncrId::AES_CTR.0, Some(256)),
    kw("camellia128", E, EncrId::CAMELLIA_CBC.0, Some(128)),
    kw("camellia192", E, EncrId::CAMELLIA_CBC.0, Some(192)),
    kw("camellia256", E, EncrId::CAMELLIA_CBC.0, Some(256)),
    kw("aes128gcm16", E, EncrId::AES_GCM_16.0, Some(128)),
    kw("aes192gcm16", E, EncrId::AES_GCM_16.0, Some(192)),
    kw("aes256gcm16", E, EncrId::AES_GCM_16.0, Some(256)),
    kw("aes128gcm", E, EncrId::AES_GCM_16.0, Some(128)),
    kw("aes192gcm", E, EncrId::AES_GCM_16.0, Some(192)),
    kw("aes256gcm", E, EncrId::AES_GCM_16.0, Some(256)),
    kw("aes128gcm12", E, EncrId::AES_GCM_12.0, Some(128)),
    kw("aes192gcm12", E, EncrId::AES_GCM_12.0, Some(192)),
    kw("aes256gcm12", E, EncrId::AES_GCM_12.0, Some(256)),
    kw("aes128gcm8", E, EncrId::AES_GCM_8.0, Some(128)),
    kw("aes192gcm8", E, EncrId::AES_GCM_8.0, Some(192)),
    kw("aes256gcm8", E, EncrId::AES_GCM_8.0, Some(256)),
    kw("aes128ccm16", E, EncrId::AES_CCM_16.0, Some(128)),
    kw("aes192ccm16", E, EncrId::AES_CCM_16.0, Some(192)),
    kw("aes256ccm16", E, EncrId::AES_CCM_16.0, Some(256)),
    kw("aes128ccm12", E, EncrId::AES_CCM_12.0, Some(128)),
    kw("aes192ccm12", E, EncrId::AES_CCM_12.0, Some(192)),
    kw("aes256ccm12", E, EncrId::AES_CCM_12.0, Some(256)),
    kw("aes128ccm8", E, EncrId::AES_CCM_8.0, Some(128)),
    kw("aes192ccm8", E, EncrId::AES_CCM_8.0, Some(192)),
    kw("aes256ccm8", E, EncrId::AES_CCM_8.0, Some(256)),
    kw("chacha20poly1305", E, EncrId::CHACHA20_POLY1305.0, None),
    kw("sha1", I, IntegId::HMAC_SHA1_96.0, None),
    kw("sha", I, IntegId::HMAC_SHA1_96.0, None),
    kw("sha256", I, IntegId::HMAC_SHA2_256_128.0, None),
    kw("sha2_256", I, IntegId::HMAC_SHA2_256_128.0, None),
    kw("sha384", I, IntegId::HMAC_SHA2_384_192.0, None),
    kw("sha2_384", I, IntegId::HMAC_SHA2_384_192.0, None),
    kw("sha512", I, IntegId::HMAC_SHA2_512_256.0, None),
    kw("sha2_512", I, IntegId::HMAC_SHA2_512_256.0, None),
    kw("md5", I, IntegId::HMAC_MD5_96.0, None),
    kw("aesxcbc", I, IntegId::AES_XCBC_96.0, None),
    kw("aescmac", I, IntegId::AES_CMAC_96.0, None),
    kw("prfsha1", P, PrfId::HMAC_SHA1.0, None),
    kw("prfsha256", P, PrfId::HMAC_SHA2_256.0, None),
    kw("prfsha384", P, PrfId::HMAC_SHA2_384.0, None),
    kw("prfsha512", P, PrfId::HMAC_SHA2_512.0, None),
    kw("prfmd5", P, PrfId::HMAC_MD5.0, None),
    kw("prfaesxcbc", P, PrfId::AES128_XCBC.0, None),
    kw("prfaescmac", P, PrfId::AES128_CMAC.0, None),
    kw("modp768", D, DhGroup::MODP_768.0, None),
    kw("modp1024", D, DhGroup::MODP_1024.0, None),
    kw("modp1536", D, DhGroup::MODP_1536.0, None),
    kw("modp2048", D, DhGroup::MODP_2048.0, None),
    kw("modp3072", D, DhGroup::MODP_3072.0, None),
    kw("modp4096", D, DhGroup::MODP_4096.0, None),
    kw("modp6144", D, DhGroup::MODP_6144.0, None),
    kw("modp8192", D, DhGroup::MODP_8192.0, None),
    kw("modp1024s160", D, DhGroup::MODP_1024_160.0, None),
    kw("modp2048s224", D, DhGroup::MODP_2048_224.0, None),
    kw("modp2048s256", D, DhGroup::MODP_2048_256.0, None),
    kw("ecp192", D, DhGroup::ECP_192.0, None),
    kw("ecp224", D, DhGroup::ECP_224.0, None),
    kw("ecp256", D, DhGroup::ECP_256.0, None),
    kw("ecp384", D, DhGroup::ECP_384.0, None),
    kw("ecp521", D, DhGroup::ECP_521.0, None),
    kw("ecp224bp", D, DhGroup::BRAINPOOL_P224.0, None),
    kw("ecp256bp", D, DhGroup::BRAINPOOL_P256.0, None),
    kw("ecp384bp", D, DhGroup::BRAINPOOL_P384.0, None),
    kw("ecp512bp", D, DhGroup::BRAINPOOL_P512.0, None),
    kw("curve25519", D, DhGroup::CURVE25519.0, None),
    kw("x25519", D, DhGroup::CURVE25519.0, None),
    kw("curve448", D, DhGroup::CURVE448.0, None),
    kw("x448", D, DhGroup::CURVE448.0, None),
];

/// The PRF strongSwan derives from an integrity algorithm.
fn prf_for_integ(integ: u16) -> Option<PrfId> {
    Some(match IntegId(integ) {
        IntegId::HMAC_MD5_96 => PrfId::HMAC_MD5,
        IntegId::HMAC_SHA1_96 => PrfId::HMAC_SHA1,
        IntegId::AES_XCBC_96 => PrfId::AES128_XCBC,
        IntegId::AES_CMAC_96 => PrfId::AES128_CMAC,
        IntegId::HMAC_SHA2_256_128 => PrfId::HMAC_SHA2_256,
        IntegId::HMAC_SHA2_384_192 => PrfId::HMAC_SHA2_384,
        IntegId::HMAC_SHA2_512_256 => PrfId::HMAC_SHA2_512,
        _ => return None,
    })
}

fn push_unique(list: &mut Vec<Transform>, t: Transform) {
    if !list.contains(&t) {
        list.push(t);
    }
}

/// Parses one IKE proposal such as `aes256-sha256-modp2048` or
/// `aes256gcm16-prfsha384-ecp384` into transforms ordered ENCR, INTEG, PRF, KE.
/// The proposal number is 1; callers renumber when they combine proposals.
pub fn parse(text: &str) -> Result<Proposal, NotationError> {
    let text = text.trim();
    let (mut encr, mut integ, mut prf, mut dh) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for token in text.split('-').map(str::trim).filter(|t| !t.is_empty()) {
        let lower = token.to_ascii_lowercase();
        let k = KEYWORDS.iter().find(|k| k.token == lower).ok_or_else(|| {
            NotationError::UnknownToken {
                token: excerpt(token, EXCERPT_CHARS),
                proposal: excerpt(text, EXCERPT_CHARS),
            }
        })?;
        let list = match k.kind {
            TransformType::ENCR => &mut encr,
            TransformType::INTEG => &mut integ,
            TransformType::PRF => &mut prf,
            _ => &mut dh,
        };
        let t = match k.kind {
            TransformType::ENCR => Transform::encr(EncrId(k.id), k.key_bits),
            kind => Transform::new(kind, k.id),
        };
        push_unique(list, t);
    }
    let missing = |what| NotationError::Missing {
        what,
        proposal: excerpt(text, EXCERPT_CHARS),
    };
    if encr.is_empty() {
        return Err(missing("encryption"));
    }
    let aead = encr.iter().filter(|t| EncrId(t.id).is_aead()).count();
    if aead != 0 && aead != encr.len() {
        return Err(NotationError::MixedAead {
            proposal: excerpt(text, EXCERPT_CHARS),
        });
    }
    if prf.is_empty() {
        for t in &integ {
            if let Some(p) = prf_for_integ(t.id) {
                push_unique(&mut prf, Transform::prf(p));
            }
        }
    }
    if aead > 0 {
        integ.clear();
    } else if integ.is_empty() {
        return Err(missing("integrity"));
    }
    if prf.is_empty() {
        return Err(missing("PRF"));
    }
    if dh.is_empty() {
        return Err(missing("key exchange (DH group)"));
    }
    let mut transforms = encr;
    transforms.extend(integ);
    transforms.extend(prf);
    transforms.extend(dh);
    Ok(Proposal::ike(1, transforms))
}

/// Parses a comma- or space-separated list of proposals, numbering them 1, 2,
/// …; at most [`MAX_LIST`] of them.
pub fn parse_list(text: &str) -> Result<Vec<Proposal>, NotationError> {
    let mut out = Vec::new();
    for item in text
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|s| !s.is_empty())
    {
        if out.len() == MAX_LIST {
            return Err(NotationError::TooMany);
        }
        let mut p = parse(item)?;
        p.number = u8::try_from(out.len() + 1).unwrap_or(u8::MAX);
        out.push(p);
    }
    Ok(out)
}

fn keyword_for(t: &Transform) -> Option<&'static str> {
    let bits = if t.kind == TransformType::ENCR {
        t.key_length()
    } else {
        None
    };
    KEYWORDS
        .iter()
        .find(|k| k.kind == t.kind && k.id == t.id && k.key_bits == bits)
        .map(|k| k.token)
}

/// Writes a proposal back in strongSwan notation, or `None` when a
/// transform has no keyword (an unknown or exotic algorithm). PRFs are
/// written only when they differ from what the integrity keywords imply.
pub fn format(p: &Proposal) -> Option<String> {
    let mut tokens = Vec::new();
    for t in p.of_type(TransformType::ENCR) {
        tokens.push(keyword_for(t)?);
    }
    let mut implied = Vec::new();
    for t in p.of_type(TransformType::INTEG) {
        tokens.push(keyword_for(t)?);
        if let Some(prf) = prf_for_integ(t.id) {
            implied.push(prf.0);
        }
    }
    let prfs: Vec<u16> = p.of_type(TransformType::PRF).map(|t| t.id).collect();
    if prfs != implied {
        for t in p.of_type(TransformType::PRF) {
            tokens.push(keyword_for(t)?);
        }
    }
    for t in p.of_type(TransformType::DH) {
        tokens.push(keyword_for(t)?);
    }
    Some(tokens.join("-"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lists_and_long_tokens_are_refused_and_quoted_in_part() {
        let list = vec!["aes256-sha256-modp2048"; MAX_LIST].join(",");
        assert_eq!(parse_list(&list).unwrap().len(), MAX_LIST);
        let list = format!("{list},aes128-sha256-ecp256");
        assert_eq!(parse_list(&list), Err(NotationError::TooMany));
        let e = parse(&format!("aes256-{}-modp2048", "x".repeat(100_000))).unwrap_err();
        assert!(e.to_string().len() < 300, "{e}");
    }

    #[test]
    fn classic_proposal_derives_prf_from_integrity() {
        let p = parse("aes256-sha256-modp2048").unwrap();
        assert_eq!(
            p.describe(),
            "AES-CBC-256/HMAC-SHA2-256/PRF-SHA2-256/MODP-2048"
        );
        assert_eq!(format(&p).unwrap(), "aes256-sha256-modp2048");
    }

    #[test]
    fn aead_drops_integrity_keeps_its_prf() {
        let p = parse("aes256gcm16-sha384-ecp384").unwrap();
        assert_eq!(p.describe(), "AES-GCM-16-256/PRF-SHA2-384/ECP-384");
        assert_eq!(format(&p).unwrap(), "aes256gcm16-prfsha384-ecp384");
        assert_eq!(parse(&format(&p).unwrap()).unwrap(), p);
    }

    #[test]
    fn windows_style_multi_algorithm_proposal() {
        let p = parse("3des-aes128-aes256-sha1-sha256-modp1024").unwrap();
        assert_eq!(
            p.describe(),
            "3DES|AES-CBC-128|AES-CBC-256/HMAC-SHA1|HMAC-SHA2-256/PRF-SHA1|PRF-SHA2-256/MODP-1024"
        );
        assert_eq!(parse(&format(&p).unwrap()).unwrap(), p);
    }

    #[test]
    fn explicit_prf_is_kept_and_printed() {
        let p = parse("aes128-sha1-prfsha256-ecp256").unwrap();
        assert_eq!(p.describe(), "AES-CBC-128/HMAC-SHA1/PRF-SHA2-256/ECP-256");
        assert_eq!(format(&p).unwrap(), "aes128-sha1-prfsha256-ecp256");
    }

    #[test]
    fn errors_name_the_token_and_the_gap() {
        let e = parse("aes256-sha999-modp2048").unwrap_err();
        assert_eq!(
            e.to_string(),
            "unknown algorithm `sha999` in proposal `aes256-sha999-modp2048` (expected e.g. aes256-sha256-modp2048)"
        );
        assert!(matches!(
            parse("aes256-sha256"),
            Err(NotationError::Missing { .. })
        ));
        assert!(matches!(
            parse("aes256-modp2048"),
            Err(NotationError::Missing {
                what: "integrity",
                ..
            })
        ));
        assert!(matches!(
            parse("aes256-aes256gcm16-sha256-modp2048"),
            Err(NotationError::MixedAead { .. })
        ));
    }

    #[test]
    fn lists_are_numbered() {
        let list = parse_list("aes256-sha256-modp2048, aes128gcm16-prfsha256-ecp256").unwrap();
        assert_eq!(list.len(), 2);
        assert_eq!(list[1].number, 2);
    }

    #[test]
    fn errors_quote_multi_byte_input_cut_by_characters() {
        // Found by the fuzzer: 3-byte characters; the cut counts characters
        // (the error stays short on a terminal), not bytes.
        let text = format!(".{}T.{}", "\u{169a}".repeat(100), "\u{169a}".repeat(100));
        let e = parse(&text).unwrap_err().to_string();
        assert!(e.chars().count() < 2 * EXCERPT_CHARS + 100, "{e}");
        assert!(e.contains('\u{169a}'));
    }
}
