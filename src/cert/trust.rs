//! The roots a client trusts, and what it tells a server about them: the
//! CERTREQ of RFC 7296 §3.7 holds the SHA-1 hash of each trust anchor's
//! SubjectPublicKeyInfo. Read from PEM or DER bytes (`--ca FILE`) or handed
//! over from the operating system's store (`local::trust`). Pure: bytes in.

use std::sync::Arc;

use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject as _;
use serde::Serialize;
use sha1::{Digest as _, Sha1};

use super::CertError;
use super::info::CertInfo;
use crate::wire::ike::credentials::CA_HASH_LEN;

/// Where the trusted roots came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case", tag = "kind", content = "files")]
pub enum TrustSource {
    /// `--ca FILE` (each file named).
    Files(Vec<String>),
    /// The operating system's trust store (Windows: the machine and user
    /// Root stores; Linux: the distribution's CA bundle; macOS: the keychain).
    System,
}

/// One trusted root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Anchor {
    pub der: Vec<u8>,
    pub subject: String,
    /// SHA-1 of the SubjectPublicKeyInfo: its CERTREQ entry.
    pub spki_sha1: [u8; CA_HASH_LEN],
}

/// The client's view of trust: roots, and intermediates it already holds
/// (non-self-issued CA certificates given with `--ca`, as a Windows client
/// keeps them in its Intermediate store).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustStore {
    pub source: TrustSource,
    pub anchors: Vec<Anchor>,
    pub intermediates: Vec<Vec<u8>>,
    /// Certificates that could not be read (the OS store can hold a few).
    pub unreadable: usize,
}

/// A certificate file may hold PEM certificates (any number) or one DER
/// certificate. Errors name what was wrong, never the file (the caller does).
pub fn certificates_in(bytes: &[u8]) -> Result<Vec<Vec<u8>>, CertError> {
    // DER: a SEQUENCE with a long-form length (every certificate is over
    // 127 bytes); text that merely starts with "0" is no DER.
    if bytes.first() == Some(&0x30) && matches!(bytes.get(1), Some(0x81..=0x84)) {
        CertInfo::parse(bytes)?;
        return Ok(vec![bytes.to_vec()]);
    }
    let mut out = Vec::new();
    for item in CertificateDer::pem_slice_iter(bytes) {
        let der = item.map_err(|e| CertError::Parse(format!("bad PEM: {e}")))?;
        out.push(der.as_ref().to_vec());
    }
    if out.is_empty() {
        return Err(CertError::Parse(
            "no certificate in it (expected PEM \"BEGIN CERTIFICATE\" blocks or one DER certificate)"
                .to_owned(),
        ));
    }
    Ok(out)
}

impl TrustStore {
    /// Sorts `certs` into roots (self-issued) and intermediates; a
    /// certificate that does not parse is counted in `unreadable`.
    pub fn new(source: TrustSource, certs: Vec<Vec<u8>>) -> TrustStore {
        let mut store = TrustStore {
            source,
            anchors: Vec::new(),
            intermediates: Vec::new(),
            unreadable: 0,
        };
        for der in certs {
            match CertInfo::parse(&der) {
                Ok(info) if info.self_issued => {
                    let spki_sha1 = spki_sha1(&der).unwrap_or([0; CA_HASH_LEN]);
                    if store.anchors.iter().all(|a| a.der != der) {
                        store.anchors.push(Anchor {
                            der,
                            subject: info.subject,
                            spki_sha1,
                        });
                    }
                }
                Ok(_) => store.intermediates.push(der),
                Err(_) => store.unreadable += 1,
            }
        }
        store
    }

    /// The CERTREQ authorities: one SHA-1 per root, in store order.
    pub fn certreq_hashes(&self) -> Vec<[u8; CA_HASH_LEN]> {
        self.anchors.iter().map(|a| a.spki_sha1).collect()
    }

    /// The root whose key a CERTREQ hash names.
    pub fn anchor_by_hash(&self, hash: &[u8; CA_HASH_LEN]) -> Option<&Anchor> {
        self.anchors.iter().find(|a| &a.spki_sha1 == hash)
    }

    /// `2 roots from ca.pem`, `143 roots from the system store`.
    pub fn describe(&self) -> String {
        let roots = format!(
            "{} root{}",
            self.anchors.len(),
            if self.anchors.len() == 1 { "" } else { "s" }
        );
        let extra = if self.intermediates.is_empty() {
            String::new()
        } else {
            format!(" and {} intermediate(s)", self.intermediates.len())
        };
        match &self.source {
            TrustSource::Files(f) => format!("{roots}{extra} from {}", f.join(", ")),
            TrustSource::System => format!("{roots}{extra} from the system trust store"),
        }
    }
}

/// A shared trust store (the probe of every address uses the same one).
pub type SharedTrust = Arc<TrustStore>;

/// SHA-1 of a certificate's DER SubjectPublicKeyInfo.
pub fn spki_sha1(der: &[u8]) -> Option<[u8; CA_HASH_LEN]> {
    use x509_parser::prelude::FromDer as _;
    let (_, cert) = x509_parser::certificate::X509Certificate::from_der(der).ok()?;
    Some(Sha1::digest(cert.public_key().raw).into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_without_certificates_say_so() {
        let e = certificates_in(b"hello").unwrap_err();
        assert!(e.to_string().contains("no certificate"), "{e}");
        assert!(certificates_in(&[0x30, 0x03, 1, 2, 3]).is_err());
        let e = certificates_in(b"-----BEGIN CERTIFICATE-----\n!!!\n-----END CERTIFICATE-----\n")
            .unwrap_err();
        assert!(e.to_string().contains("PEM"), "{e}");
    }
}
