//! What an X.509 certificate says, for people and for the checks: names,
//! validity, key, extended key usages, CRL distribution points (RFC 5280
//! §4.1, §4.2.1). Read with `x509-parser`; nothing is verified here.

use serde::Serialize;
use sha1::{Digest as _, Sha1};
use x509_parser::extensions::{DistributionPointName, GeneralName, ParsedExtension};
use x509_parser::prelude::{FromDer, X509Certificate};
use x509_parser::public_key::PublicKey;

use super::{CertError, Timestamp};

/// id-kp-serverAuth (RFC 5280 §4.2.1.12).
pub const EKU_SERVER_AUTH: &str = "1.3.6.1.5.5.7.3.1";
/// id-kp-clientAuth.
pub const EKU_CLIENT_AUTH: &str = "1.3.6.1.5.5.7.3.2";
/// "IP security IKE intermediate" (RFC 4945 §5.1.3.12 cites it; Microsoft
/// recommends it on VPN server certificates).
pub const EKU_IKE_INTERMEDIATE: &str = "1.3.6.1.5.5.8.2.2";
/// anyExtendedKeyUsage (RFC 5280 §4.2.1.12).
pub const EKU_ANY: &str = "2.5.29.37.0";

/// A readable name for an EKU object identifier.
pub fn eku_name(oid: &str) -> &'static str {
    match oid {
        EKU_SERVER_AUTH => "Server Authentication",
        EKU_CLIENT_AUTH => "Client Authentication",
        EKU_IKE_INTERMEDIATE => "IP security IKE intermediate",
        EKU_ANY => "Any Purpose",
        "1.3.6.1.5.5.7.3.3" => "Code Signing",
        "1.3.6.1.5.5.7.3.4" => "Secure Email",
        "1.3.6.1.5.5.7.3.5" => "IP security end system",
        "1.3.6.1.5.5.7.3.6" => "IP security tunnel termination",
        "1.3.6.1.5.5.7.3.7" => "IP security user",
        "1.3.6.1.5.5.7.3.8" => "Time Stamping",
        "1.3.6.1.5.5.7.3.9" => "OCSP Signing",
        "1.3.6.1.5.5.7.3.17" => "IPsec IKE (RFC 4945)",
        _ => "other",
    }
}

/// One extended key usage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Eku {
    pub oid: String,
    pub name: &'static str,
}

/// The subject public key: algorithm and size.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct KeyInfo {
    /// `RSA`, `EC`, `Ed25519`, `DSA` or the algorithm's OID.
    pub algorithm: String,
    /// Modulus bits (RSA) or curve size; 0 when unknown.
    pub bits: usize,
    /// The named curve of an EC key (`P-256`, `P-384`, `P-521` or its OID).
    pub curve: Option<String>,
}

impl KeyInfo {
    /// `RSA 4096`, `EC P-256`.
    pub fn describe(&self) -> String {
        match &self.curve {
            Some(c) => format!("{} {c}", self.algorithm),
            None if self.bits > 0 => format!("{} {}", self.algorithm, self.bits),
            None => self.algorithm.clone(),
        }
    }
}

/// Everything shown and checked about one certificate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct CertInfo {
    /// RFC 4514-style distinguished names, as x509-parser prints them
    /// (`C=XX, O=Example, CN=vpn.example.com`).
    pub subject: String,
    pub issuer: String,
    /// The subject's common names, in order.
    pub common_names: Vec<String>,
    /// Serial number, colon-separated hex.
    pub serial: String,
    pub not_before: Timestamp,
    pub not_after: Timestamp,
    pub key: KeyInfo,
    /// The signature algorithm the issuer used, by name where known.
    pub signature_algorithm: String,
    /// Subject alternative names of type dNSName and iPAddress.
    pub san_dns: Vec<String>,
    pub san_ip: Vec<String>,
    /// The extended key usages; `None` when the extension is absent.
    pub ekus: Option<Vec<Eku>>,
    /// BasicConstraints cA.
    pub is_ca: bool,
    /// Subject equals issuer (a root, or a self-issued certificate).
    pub self_issued: bool,
    /// CRL distribution points (URIs and other names as text).
    pub crl_distribution_points: Vec<String>,
    /// The AIA caIssuers URIs (where a client may fetch the issuer).
    pub ca_issuers: Vec<String>,
    /// SHA-1 of the DER SubjectPublicKeyInfo: what a CERTREQ names (RFC 7296 §3.7).
    pub spki_sha1: String,
    pub subject_key_id: Option<String>,
    pub authority_key_id: Option<String>,
    /// The DER subject and issuer, to link a chain by name.
    #[serde(skip)]
    pub subject_der: Vec<u8>,
    #[serde(skip)]
    pub issuer_der: Vec<u8>,
    /// The subjectPublicKey bits (RSA: PKCS#1 RSAPublicKey; EC: the point),
    /// to verify signatures made with the certificate's key.
    #[serde(skip)]
    pub public_key: Vec<u8>,
}

impl CertInfo {
    /// Parses a DER certificate.
    pub fn parse(der: &[u8]) -> Result<CertInfo, CertError> {
        let (rest, cert) =
            X509Certificate::from_der(der).map_err(|e| CertError::Parse(e.to_string()))?;
        if !rest.is_empty() {
            return Err(CertError::Parse(format!(
                "{} bytes after the certificate",
                rest.len()
            )));
        }
        let mut info = CertInfo {
            subject: cert.subject().to_string(),
            issuer: cert.issuer().to_string(),
            common_names: cert
                .subject()
                .iter_common_name()
                .filter_map(|cn| cn.as_str().ok().map(str::to_owned))
                .collect(),
            serial: cert.raw_serial_as_string(),
            not_before: ts(cert.validity().not_before.timestamp()),
            not_after: ts(cert.validity().not_after.timestamp()),
            key: key_info(&cert),
            signature_algorithm: signature_name(&cert.signature_algorithm.algorithm.to_id_string()),
            san_dns: Vec::new(),
            san_ip: Vec::new(),
            ekus: None,
            is_ca: cert.is_ca(),
            self_issued: cert.subject().as_raw() == cert.issuer().as_raw(),
            crl_distribution_points: Vec::new(),
            ca_issuers: Vec::new(),
            spki_sha1: crate::wire::hex(&Sha1::digest(cert.public_key().raw)),
            subject_key_id: None,
            authority_key_id: None,
            subject_der: cert.subject().as_raw().to_vec(),
            issuer_der: cert.issuer().as_raw().to_vec(),
            public_key: cert.public_key().subject_public_key.data.to_vec(),
        };
        for ext in cert.extensions() {
            match ext.parsed_extension() {
                ParsedExtension::SubjectAlternativeName(san) => {
                    for name in &san.general_names {
                        match name {
                            GeneralName::DNSName(d) => info.san_dns.push((*d).to_owned()),
                            GeneralName::IPAddress(ip) => info.san_ip.push(ip_text(ip)),
                            _ => {}
                        }
                    }
                }
                ParsedExtension::ExtendedKeyUsage(eku) => {
                    let mut list = Vec::new();
                    let mut push = |on: bool, oid: &str| {
                        if on {
                            list.push(Eku {
                                oid: oid.to_owned(),
                                name: eku_name(oid),
                            });
                        }
                    };
                    push(eku.server_auth, EKU_SERVER_AUTH);
                    push(eku.client_auth, EKU_CLIENT_AUTH);
                    push(eku.any, EKU_ANY);
                    push(eku.code_signing, "1.3.6.1.5.5.7.3.3");
                    push(eku.email_protection, "1.3.6.1.5.5.7.3.4");
                    push(eku.time_stamping, "1.3.6.1.5.5.7.3.8");
                    push(eku.ocsp_signing, "1.3.6.1.5.5.7.3.9");
                    for oid in &eku.other {
                        push(true, &oid.to_id_string());
                    }
                    info.ekus = Some(list);
                }
                ParsedExtension::CRLDistributionPoints(points) => {
                    for p in points.iter() {
                        if let Some(DistributionPointName::FullName(names)) = &p.distribution_point
                        {
                            info.crl_distribution_points
                                .extend(names.iter().map(general_name_text));
                        }
                    }
                }
                ParsedExtension::AuthorityInfoAccess(aia) => {
                    for d in &aia.accessdescs {
                        // id-ad-caIssuers (RFC 5280 §4.2.2.1)
                        if d.access_method.to_id_string() == "1.3.6.1.5.5.7.48.2" {
                            info.ca_issuers.push(general_name_text(&d.access_location));
                        }
                    }
                }
                ParsedExtension::SubjectKeyIdentifier(k) => {
                    info.subject_key_id = Some(crate::wire::hex(k.0));
                }
                ParsedExtension::AuthorityKeyIdentifier(k) => {
                    info.authority_key_id =
                        k.key_identifier.as_ref().map(|k| crate::wire::hex(k.0));
                }
                _ => {}
            }
        }
        Ok(info)
    }

    /// Does the certificate list the EKU `oid`?
    pub fn has_eku(&self, oid: &str) -> bool {
        self.ekus
            .as_ref()
            .is_some_and(|list| list.iter().any(|e| e.oid == oid))
    }

    /// `vpn.example.com (RSA 4096, until 2027-01-01)` style one-liner.
    pub fn short_name(&self) -> String {
        self.common_names
            .first()
            .cloned()
            .unwrap_or_else(|| self.subject.clone())
    }
}

/// Seconds since 1970 as a [`Timestamp`] (milliseconds).
fn ts(secs: i64) -> Timestamp {
    Timestamp(secs.saturating_mul(1_000))
}

fn ip_text(bytes: &[u8]) -> String {
    match bytes.len() {
        4 => <[u8; 4]>::try_from(bytes)
            .map(|a| std::net::Ipv4Addr::from(a).to_string())
            .unwrap_or_default(),
        16 => <[u8; 16]>::try_from(bytes)
            .map(|a| std::net::Ipv6Addr::from(a).to_string())
            .unwrap_or_default(),
        _ => crate::wire::hex(bytes),
    }
}

fn general_name_text(name: &GeneralName<'_>) -> String {
    match name {
        GeneralName::URI(u) => (*u).to_owned(),
        GeneralName::DNSName(d) => (*d).to_owned(),
        GeneralName::RFC822Name(m) => (*m).to_owned(),
        GeneralName::DirectoryName(n) => n.to_string(),
        GeneralName::IPAddress(ip) => ip_text(ip),
        other => format!("{other:?}"),
    }
}

/// Bits of a big-endian unsigned integer (leading zero bytes ignored).
fn int_bits(bytes: &[u8]) -> usize {
    let mut it = bytes.iter().skip_while(|b| **b == 0);
    match it.next() {
        Some(first) => (8 - first.leading_zeros() as usize) + 8 * it.count(),
        None => 0,
    }
}

fn key_info(cert: &X509Certificate<'_>) -> KeyInfo {
    let spki = cert.public_key();
    let oid = spki.algorithm.algorithm.to_id_string();
    let curve = spki
        .algorithm
        .parameters
        .as_ref()
        .and_then(|p| p.as_oid().ok())
        .map(|o| curve_name(&o.to_id_string()));
    match spki.parsed() {
        Ok(PublicKey::RSA(rsa)) => KeyInfo {
            algorithm: "RSA".to_owned(),
            bits: int_bits(rsa.modulus),
            curve: None,
        },
        Ok(PublicKey::EC(point)) => KeyInfo {
            algorithm: "EC".to_owned(),
            bits: point.key_size(),
            curve,
        },
        _ => KeyInfo {
            algorithm: match oid.as_str() {
                "1.3.101.112" => "Ed25519".to_owned(),
                "1.3.101.113" => "Ed448".to_owned(),
                "1.2.840.10040.4.1" => "DSA".to_owned(),
                _ => oid,
            },
            bits: 0,
            curve: None,
        },
    }
}

fn curve_name(oid: &str) -> String {
    match oid {
        "1.2.840.10045.3.1.7" => "P-256".to_owned(),
        "1.3.132.0.34" => "P-384".to_owned(),
        "1.3.132.0.35" => "P-521".to_owned(),
        other => other.to_owned(),
    }
}

/// Names of the signature algorithms certificates use (RFC 4055, RFC 5758).
pub fn signature_name(oid: &str) -> String {
    match oid {
        "1.2.840.113549.1.1.5" => "sha1WithRSAEncryption",
        "1.2.840.113549.1.1.11" => "sha256WithRSAEncryption",
        "1.2.840.113549.1.1.12" => "sha384WithRSAEncryption",
        "1.2.840.113549.1.1.13" => "sha512WithRSAEncryption",
        "1.2.840.113549.1.1.10" => "RSASSA-PSS",
        "1.2.840.10045.4.3.2" => "ecdsa-with-SHA256",
        "1.2.840.10045.4.3.3" => "ecdsa-with-SHA384",
        "1.2.840.10045.4.3.4" => "ecdsa-with-SHA512",
        "1.3.101.112" => "Ed25519",
        other => return other.to_owned(),
    }
    .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integer_bits_ignore_leading_zeros() {
        assert_eq!(int_bits(&[0x00, 0x80, 0, 0]), 24);
        assert_eq!(int_bits(&[0x01]), 1);
        assert_eq!(int_bits(&[0, 0]), 0);
        assert_eq!(int_bits(&[0xff; 512]), 4096);
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert!(CertInfo::parse(&[]).is_err());
        assert!(CertInfo::parse(&[0x30, 0x03, 1, 2, 3]).is_err());
        assert_eq!(
            eku_name(EKU_IKE_INTERMEDIATE),
            "IP security IKE intermediate"
        );
        assert_eq!(signature_name("1.2.3"), "1.2.3");
    }
}
