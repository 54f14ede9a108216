//! Checks a responder's AUTH payload the way its peer must (RFC 7296 §2.15):
//! the signature over `RealMessage2 | NonceIData | MACedIDForR` made with
//! the key of the end-entity certificate. Methods: 1 (RSASSA-PKCS1-v1_5
//! with SHA-1, §3.8), 9/10 (ECDSA with SHA-256 on P-256, SHA-384 on P-384,
//! RFC 4754) and 14 (RFC 7427 Digital Signature: the AlgorithmIdentifier in
//! the AUTH data names RSASSA-PKCS1-v1_5, RSASSA-PSS or ECDSA with SHA-1 or
//! SHA-2, as strongSwan and Windows use them).

use serde::Serialize;
use x509_parser::prelude::FromDer as _;
use x509_parser::signature_algorithm::RsaSsaPssParams;
use x509_parser::x509::AlgorithmIdentifier;

use super::info::{CertInfo, signature_name};
use super::sig::{Hash, Padding, Scheme};
use crate::wire::ike::credentials::{Auth, AuthMethod};

/// What came of checking the AUTH payload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "result", content = "reason")]
pub enum AuthVerdict {
    /// The signature verifies with the end-entity certificate's key.
    Verified,
    /// It does not: another key signed it, or other octets.
    Invalid,
    /// It could not be checked, and why (a shared-key MIC, an algorithm not
    /// implemented, no certificate to take the key from).
    NotChecked(String),
}

/// The schema of the two fields [`AuthVerdict`] adds to [`AuthCheck`]
/// (flattened): `result` always, `reason` with `not-checked`. One object
/// schema, so the published schema keeps `AuthCheck` closed to other fields.
impl schemars::JsonSchema for AuthVerdict {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "AuthVerdict".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "object",
            "properties": {
                "result": {
                    "description": "`verified`: the signature verifies with the end-entity certificate's key; `invalid`: it does not; `not-checked`: see `reason`.",
                    "enum": ["verified", "invalid", "not-checked"],
                },
                "reason": {
                    "description": "Why the signature was not checked (only with `not-checked`).",
                    "type": "string",
                },
            },
            "required": ["result"],
        })
    }
}

/// The AUTH payload and its check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct AuthCheck {
    /// The method number (RFC 7296 §3.8) and its name.
    pub method: u8,
    pub method_name: String,
    /// For method 14, the signature algorithm in the AUTH data
    /// (`sha256WithRSAEncryption`, `RSASSA-PSS`, `ecdsa-with-SHA384`, ...).
    pub signature_algorithm: Option<String>,
    /// The scheme as verified: `RSASSA-PKCS1-v1_5 with SHA-1`.
    pub scheme: Option<String>,
    /// The hash the signature uses.
    pub hash: Option<Hash>,
    pub signature_bytes: usize,
    #[serde(flatten)]
    pub verdict: AuthVerdict,
}

/// The scheme of an RFC 7427 AlgorithmIdentifier, its name, or why it is
/// not supported.
fn rfc7427_scheme(alg_der: &[u8]) -> Result<(Scheme, String), String> {
    let (_, alg) = AlgorithmIdentifier::from_der(alg_der)
        .map_err(|e| format!("unreadable AlgorithmIdentifier: {e}"))?;
    let oid = alg.algorithm.to_id_string();
    let name = signature_name(&oid);
    let s = |padding, hash| Ok((Scheme::new(padding, hash), name.clone()));
    match oid.as_str() {
        "1.2.840.113549.1.1.5" => s(Padding::Pkcs1v15, Hash::Sha1),
        "1.2.840.113549.1.1.11" => s(Padding::Pkcs1v15, Hash::Sha256),
        "1.2.840.113549.1.1.12" => s(Padding::Pkcs1v15, Hash::Sha384),
        "1.2.840.113549.1.1.13" => s(Padding::Pkcs1v15, Hash::Sha512),
        "1.2.840.10045.4.1" => s(Padding::EcdsaDer, Hash::Sha1),
        "1.2.840.10045.4.3.2" => s(Padding::EcdsaDer, Hash::Sha256),
        "1.2.840.10045.4.3.3" => s(Padding::EcdsaDer, Hash::Sha384),
        "1.2.840.10045.4.3.4" => s(Padding::EcdsaDer, Hash::Sha512),
        "1.2.840.113549.1.1.10" => {
            let params = alg
                .parameters
                .as_ref()
                .ok_or("RSASSA-PSS without parameters")?;
            let params = RsaSsaPssParams::try_from(params)
                .map_err(|e| format!("unreadable RSASSA-PSS parameters: {e}"))?;
            let hash = match params.hash_algorithm_oid().to_id_string().as_str() {
                "1.3.14.3.2.26" => Hash::Sha1,
                "2.16.840.1.101.3.4.2.1" => Hash::Sha256,
                "2.16.840.1.101.3.4.2.2" => Hash::Sha384,
                "2.16.840.1.101.3.4.2.3" => Hash::Sha512,
                other => return Err(format!("RSASSA-PSS with hash {other}")),
            };
            Ok((
                Scheme::new(Padding::Pss, hash),
                format!(
                    "RSASSA-PSS ({}, salt {})",
                    hash.name(),
                    params.salt_length()
                ),
            ))
        }
        _ => Err(format!("signature algorithm {name} is not implemented")),
    }
}

/// Checks `auth` against the key of `leaf` over `signed_octets`.
pub fn check(auth: &Auth, leaf: Option<&CertInfo>, signed_octets: &[u8]) -> AuthCheck {
    let mut out = AuthCheck {
        method: auth.method.0,
        method_name: auth.method.to_string(),
        signature_algorithm: None,
        scheme: None,
        hash: None,
        signature_bytes: 0,
        verdict: AuthVerdict::NotChecked(String::new()),
    };
    let scheme_and_sig: Result<(Scheme, &[u8]), String> = match auth.method {
        AuthMethod::RSA_SIGNATURE => Ok((Scheme::new(Padding::Pkcs1v15, Hash::Sha1), &auth.data)),
        AuthMethod::ECDSA_SHA256_P256 => {
            Ok((Scheme::new(Padding::EcdsaFixed, Hash::Sha256), &auth.data))
        }
        AuthMethod::ECDSA_SHA384_P384 => {
            Ok((Scheme::new(Padding::EcdsaFixed, Hash::Sha384), &auth.data))
        }
        AuthMethod::DIGITAL_SIGNATURE => match auth.digital_signature() {
            Ok((alg, sig)) => rfc7427_scheme(alg).map(|(scheme, name)| {
                out.signature_algorithm = Some(name);
                (scheme, sig)
            }),
            Err(e) => Err(format!("unreadable Digital Signature AUTH data: {e}")),
        },
        AuthMethod::SHARED_KEY_MIC => Err(
            "a pre-shared key MIC: the server authenticates with a shared secret, not a certificate"
                .to_owned(),
        ),
        other => Err(format!("{other} is not implemented")),
    };
    let (scheme, sig) = match scheme_and_sig {
        Ok(v) => v,
        Err(why) => {
            out.verdict = AuthVerdict::NotChecked(why);
            return out;
        }
    };
    out.scheme = Some(scheme.describe());
    out.hash = Some(scheme.hash);
    out.signature_bytes = sig.len();
    let Some(leaf) = leaf else {
        out.verdict = AuthVerdict::NotChecked("no certificate to take the key from".to_owned());
        return out;
    };
    let key_fits = match scheme.padding {
        Padding::Pkcs1v15 | Padding::Pss => leaf.key.algorithm == "RSA",
        Padding::EcdsaDer | Padding::EcdsaFixed => leaf.key.algorithm == "EC",
    };
    if !key_fits {
        out.verdict = AuthVerdict::NotChecked(format!(
            "{} cannot be made with the certificate's {} key",
            scheme.describe(),
            leaf.key.describe()
        ));
        return out;
    }
    if scheme.padding != Padding::Pkcs1v15
        && scheme.padding != Padding::Pss
        && !matches!(leaf.key.curve.as_deref(), Some("P-256" | "P-384"))
    {
        out.verdict = AuthVerdict::NotChecked(format!(
            "ECDSA on {} is not implemented",
            leaf.key.describe()
        ));
        return out;
    }
    out.verdict = match scheme.verify(
        &leaf.public_key,
        leaf.key.curve.as_deref(),
        signed_octets,
        sig,
    ) {
        Ok(()) => AuthVerdict::Verified,
        Err(_) => AuthVerdict::Invalid,
    };
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc_7427_appendix_a_identifiers_are_recognised() {
        // RFC 7427 Appendix A.1.2 (sha256WithRSAEncryption) and A.4.1
        // (ecdsa-with-sha256), byte for byte.
        let rsa256 = crate::cert::unhex("300d06092a864886f70d01010b0500");
        let (s, name) = rfc7427_scheme(&rsa256).unwrap();
        assert_eq!(
            (s, name.as_str()),
            (
                Scheme::new(Padding::Pkcs1v15, Hash::Sha256),
                "sha256WithRSAEncryption"
            )
        );
        let ec256 = crate::cert::unhex("300a06082a8648ce3d040302");
        assert_eq!(
            rfc7427_scheme(&ec256).unwrap().0,
            Scheme::new(Padding::EcdsaDer, Hash::Sha256)
        );
        // A.4.3 RSASSA-PSS with SHA-256, MGF1 SHA-256, salt 32.
        let pss = crate::cert::unhex(
            "3041\
             06092a864886f70d01010a\
             3034a00f300d06096086480165030402010500\
             a11c301a06092a864886f70d010108300d06096086480165030402010500\
             a203020120",
        );
        let (s, name) = rfc7427_scheme(&pss).unwrap();
        assert_eq!(s, Scheme::new(Padding::Pss, Hash::Sha256));
        assert_eq!(name, "RSASSA-PSS (SHA-256, salt 32)");
        // Ed25519 (A.6.1?) is named, not guessed.
        let ed = crate::cert::unhex("300506032b6570");
        assert!(rfc7427_scheme(&ed).unwrap_err().contains("Ed25519"));
        assert!(rfc7427_scheme(&[0x30, 0x80]).is_err());
    }

    #[test]
    fn a_shared_key_or_no_certificate_is_not_checked() {
        let psk = Auth {
            method: AuthMethod::SHARED_KEY_MIC,
            data: vec![1; 32],
        };
        let c = check(&psk, None, b"x");
        assert!(
            matches!(c.verdict, AuthVerdict::NotChecked(ref w) if w.contains("pre-shared key"))
        );
        let rsa = Auth {
            method: AuthMethod::RSA_SIGNATURE,
            data: vec![1; 512],
        };
        let c = check(&rsa, None, b"x");
        assert_eq!(c.scheme.as_deref(), Some("RSASSA-PKCS1-v1_5 with SHA-1"));
        assert_eq!(c.signature_bytes, 512);
        assert!(
            matches!(c.verdict, AuthVerdict::NotChecked(ref w) if w.contains("no certificate"))
        );
    }
}
