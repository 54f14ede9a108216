//! The payloads that carry a peer's credentials (RFC 7296 §3.5-§3.8): the
//! Identification payloads IDi/IDr, CERT, CERTREQ and AUTH, plus the
//! RFC 7427 §3 layout of a Digital Signature AUTH (method 14), and the
//! octets a responder's AUTH signs (RFC 7296 §2.15).
//!
//! Pure: payload bodies in, typed values out, and back.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use super::{Body, Payload, PayloadType};
use crate::wire::{Reader, Result};

/// Identification type (RFC 7296 §3.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct IdType(pub u8);

impl IdType {
    pub const IPV4_ADDR: IdType = IdType(1);
    pub const FQDN: IdType = IdType(2);
    pub const RFC822_ADDR: IdType = IdType(3);
    pub const IPV6_ADDR: IdType = IdType(5);
    pub const DER_ASN1_DN: IdType = IdType(9);
    pub const DER_ASN1_GN: IdType = IdType(10);
    pub const KEY_ID: IdType = IdType(11);

    /// `ID_FQDN`, `ID_IPV4_ADDR`, ..., or `ID(n)`.
    pub fn name(self) -> String {
        match self.0 {
            1 => "ID_IPV4_ADDR".to_owned(),
            2 => "ID_FQDN".to_owned(),
            3 => "ID_RFC822_ADDR".to_owned(),
            5 => "ID_IPV6_ADDR".to_owned(),
            9 => "ID_DER_ASN1_DN".to_owned(),
            10 => "ID_DER_ASN1_GN".to_owned(),
            11 => "ID_KEY_ID".to_owned(),
            n => format!("ID({n})"),
        }
    }
}

/// An IDi or IDr payload body (§3.5): ID type, three reserved bytes, data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identification {
    pub id_type: IdType,
    pub data: Vec<u8>,
}

impl Identification {
    /// The identity a name, e-mail address or IP address stands for:
    /// `ID_IPV4_ADDR`/`ID_IPV6_ADDR` for an address, `ID_RFC822_ADDR` for
    /// `user@domain`, `ID_FQDN` for anything else.
    pub fn from_text(text: &str) -> Identification {
        match text.parse::<IpAddr>() {
            Ok(IpAddr::V4(a)) => Identification {
                id_type: IdType::IPV4_ADDR,
                data: a.octets().to_vec(),
            },
            Ok(IpAddr::V6(a)) => Identification {
                id_type: IdType::IPV6_ADDR,
                data: a.octets().to_vec(),
            },
            Err(_) if text.contains('@') => Identification {
                id_type: IdType::RFC822_ADDR,
                data: text.as_bytes().to_vec(),
            },
            Err(_) => Identification {
                id_type: IdType::FQDN,
                data: text.as_bytes().to_vec(),
            },
        }
    }

    /// Reads a payload body; `None` when it is shorter than its 4-byte head.
    pub fn parse(body: &[u8]) -> Result<Identification> {
        let mut r = Reader::new(body);
        let id_type = IdType(r.u8("ID type")?);
        let _reserved = r.bytes(3, "ID reserved")?;
        Ok(Identification {
            id_type,
            data: r.rest().to_vec(),
        })
    }

    /// The payload body as RFC 7296 §3.5 lays it out, which is also
    /// `RestOfIDPayload` of §2.15 (what the AUTH MACs).
    pub fn body(&self) -> Vec<u8> {
        let mut out = vec![self.id_type.0, 0, 0, 0];
        out.extend_from_slice(&self.data);
        out
    }

    pub fn payload(&self, kind: PayloadType) -> Payload {
        Body::Other {
            kind,
            data: self.body(),
        }
        .into()
    }

    /// The identity as text: the address, the name, or the DN in hex.
    pub fn value(&self) -> String {
        match self.id_type {
            IdType::IPV4_ADDR => <[u8; 4]>::try_from(self.data.as_slice())
                .map(|a| Ipv4Addr::from(a).to_string())
                .unwrap_or_else(|_| crate::wire::hex(&self.data)),
            IdType::IPV6_ADDR => <[u8; 16]>::try_from(self.data.as_slice())
                .map(|a| Ipv6Addr::from(a).to_string())
                .unwrap_or_else(|_| crate::wire::hex(&self.data)),
            IdType::FQDN | IdType::RFC822_ADDR => String::from_utf8_lossy(&self.data).into_owned(),
            _ => crate::wire::hex(&self.data),
        }
    }
}

/// Certificate encoding (RFC 7296 §3.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CertEncoding(pub u8);

impl CertEncoding {
    /// "X.509 Certificate - Signature": a DER certificate.
    pub const X509_SIGNATURE: CertEncoding = CertEncoding(4);
    /// "Hash and URL of X.509 certificate".
    pub const HASH_AND_URL_X509: CertEncoding = CertEncoding(12);

    pub fn name(self) -> String {
        match self.0 {
            4 => "X.509 Certificate - Signature".to_owned(),
            7 => "Certificate Revocation List (CRL)".to_owned(),
            12 => "Hash and URL of X.509 certificate".to_owned(),
            13 => "Hash and URL of X.509 bundle".to_owned(),
            n => format!("encoding {n}"),
        }
    }
}

/// A CERT payload body (§3.6): encoding, then the certificate data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cert {
    pub encoding: CertEncoding,
    pub data: Vec<u8>,
}

impl Cert {
    pub fn parse(body: &[u8]) -> Result<Cert> {
        let mut r = Reader::new(body);
        Ok(Cert {
            encoding: CertEncoding(r.u8("certificate encoding")?),
            data: r.rest().to_vec(),
        })
    }
}

/// The length of one Certification Authority entry of a CERTREQ with
/// encoding 4: a SHA-1 hash (§3.7).
pub const CA_HASH_LEN: usize = 20;

/// A CERTREQ payload body (§3.7): encoding, then for X.509 signature
/// certificates a list of 20-byte SHA-1 hashes of the trusted CAs'
/// SubjectPublicKeyInfo.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertReq {
    pub encoding: CertEncoding,
    pub authorities: Vec<[u8; CA_HASH_LEN]>,
    /// Bytes after the last whole hash (a malformed list), kept for evidence.
    pub trailing: usize,
}

impl CertReq {
    pub fn parse(body: &[u8]) -> Result<CertReq> {
        let mut r = Reader::new(body);
        let encoding = CertEncoding(r.u8("certificate encoding")?);
        let rest = r.rest();
        let chunks = rest.chunks_exact(CA_HASH_LEN);
        let trailing = chunks.remainder().len();
        Ok(CertReq {
            encoding,
            authorities: chunks
                .filter_map(|c| <[u8; CA_HASH_LEN]>::try_from(c).ok())
                .collect(),
            trailing,
        })
    }

    /// A CERTREQ for X.509 signature certificates naming `authorities`.
    pub fn x509(authorities: Vec<[u8; CA_HASH_LEN]>) -> CertReq {
        CertReq {
            encoding: CertEncoding::X509_SIGNATURE,
            authorities,
            trailing: 0,
        }
    }

    pub fn payload(&self) -> Payload {
        let mut data = vec![self.encoding.0];
        for a in &self.authorities {
            data.extend_from_slice(a);
        }
        Body::Other {
            kind: PayloadType::CERTREQ,
            data,
        }
        .into()
    }
}

/// Authentication method (RFC 7296 §3.8, IANA "IKEv2 Authentication Method").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuthMethod(pub u8);

impl AuthMethod {
    /// RSASSA-PKCS1-v1_5 with SHA-1 (§3.8).
    pub const RSA_SIGNATURE: AuthMethod = AuthMethod(1);
    pub const SHARED_KEY_MIC: AuthMethod = AuthMethod(2);
    pub const DSS_SIGNATURE: AuthMethod = AuthMethod(3);
    /// RFC 4754: ECDSA with SHA-256 on P-256, SHA-384 on P-384, SHA-512 on P-521.
    pub const ECDSA_SHA256_P256: AuthMethod = AuthMethod(9);
    pub const ECDSA_SHA384_P384: AuthMethod = AuthMethod(10);
    pub const ECDSA_SHA512_P521: AuthMethod = AuthMethod(11);
    /// RFC 7427: the signature algorithm travels in the AUTH data.
    pub const DIGITAL_SIGNATURE: AuthMethod = AuthMethod(14);
}

impl fmt::Display for AuthMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self.0 {
            1 => "RSA Digital Signature",
            2 => "Shared Key Message Integrity Code",
            3 => "DSS Digital Signature",
            9 => "ECDSA with SHA-256 on the P-256 curve",
            10 => "ECDSA with SHA-384 on the P-384 curve",
            11 => "ECDSA with SHA-512 on the P-521 curve",
            12 => "Generic Secure Password Authentication Method",
            13 => "NULL Authentication",
            14 => "Digital Signature",
            n => return write!(f, "method {n}"),
        };
        write!(f, "{name} ({})", self.0)
    }
}

/// An AUTH payload body (§3.8): method, three reserved bytes, data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Auth {
    pub method: AuthMethod,
    pub data: Vec<u8>,
}

impl Auth {
    pub fn parse(body: &[u8]) -> Result<Auth> {
        let mut r = Reader::new(body);
        let method = AuthMethod(r.u8("auth method")?);
        let _reserved = r.bytes(3, "auth reserved")?;
        Ok(Auth {
            method,
            data: r.rest().to_vec(),
        })
    }

    /// For method 14 (RFC 7427 §3): the DER AlgorithmIdentifier and the
    /// signature after its one-byte length.
    pub fn digital_signature(&self) -> Result<(&[u8], &[u8])> {
        let mut r = Reader::new(&self.data);
        let len = usize::from(r.u8("ASN.1 length")?);
        let alg = r.bytes(len, "AlgorithmIdentifier")?;
        Ok((alg, r.rest()))
    }
}

/// RFC 7296 §2.15: the octets the responder signs, `RealMessage2 |
/// NonceIData | MACedIDForR`, where `MACedIDForR = prf(SK_pr,
/// RestOfIDPayloadR)` is computed by the caller (it needs the IKE SA's PRF).
pub fn responder_signed_octets(real_message2: &[u8], nonce_i: &[u8], maced_id: &[u8]) -> Vec<u8> {
    [real_message2, nonce_i, maced_id].concat()
}

/// The credentials in a decrypted IKE_AUTH response (or request), in
/// payload order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Credentials {
    pub id: Option<Identification>,
    pub certs: Vec<Cert>,
    pub certreqs: Vec<CertReq>,
    pub auth: Option<Auth>,
}

impl Credentials {
    /// Reads IDr (or IDi), CERT, CERTREQ and AUTH from a payload chain;
    /// payloads too short to parse are skipped.
    pub fn read(payloads: &[Payload]) -> Credentials {
        let mut c = Credentials::default();
        for p in payloads {
            let Body::Other { kind, data } = &p.body else {
                continue;
            };
            match *kind {
                PayloadType::IDR | PayloadType::IDI => {
                    c.id = c.id.take().or_else(|| Identification::parse(data).ok());
                }
                PayloadType::CERT => c.certs.extend(Cert::parse(data).ok()),
                PayloadType::CERTREQ => c.certreqs.extend(CertReq::parse(data).ok()),
                PayloadType::AUTH => c.auth = c.auth.take().or_else(|| Auth::parse(data).ok()),
                _ => {}
            }
        }
        c
    }
}

/// The CERTREQ payloads of a message's unencrypted chain (IKE_SA_INIT
/// response, §1.2).
pub fn certreqs(payloads: &[Payload]) -> Vec<CertReq> {
    Credentials::read(payloads).certreqs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::ike::{emit_chain, parse_chain};

    #[test]
    fn identities_from_text_pick_the_rfc_7296_type() {
        let v4 = Identification::from_text("198.18.2.2");
        assert_eq!(
            (v4.id_type, v4.data.as_slice()),
            (IdType::IPV4_ADDR, &[198, 18, 2, 2][..])
        );
        assert_eq!(v4.value(), "198.18.2.2");
        let v6 = Identification::from_text("fd00:2::2");
        assert_eq!(v6.id_type, IdType::IPV6_ADDR);
        assert_eq!(v6.value(), "fd00:2::2");
        assert_eq!(
            Identification::from_text("user@example.com").id_type,
            IdType::RFC822_ADDR
        );
        let fqdn = Identification::from_text("vpn.aovd.test");
        assert_eq!(fqdn.body(), b"\x02\0\0\0vpn.aovd.test");
        assert_eq!(Identification::parse(&fqdn.body()).unwrap(), fqdn);
        assert!(Identification::parse(&[2, 0]).is_err());
        assert_eq!(IdType(9).name(), "ID_DER_ASN1_DN");
        assert_eq!(IdType(200).name(), "ID(200)");
    }

    #[test]
    fn certreq_round_trips_and_tolerates_a_ragged_list() {
        let req = CertReq::x509(vec![[0xaa; 20], [0xbb; 20]]);
        let mut bytes = Vec::new();
        emit_chain(&[req.payload()], &mut bytes);
        assert_eq!(bytes.len(), 4 + 1 + 40);
        assert_eq!(bytes[4], 4, "encoding 4: X.509 Certificate - Signature");
        let back = Credentials::read(&parse_chain(PayloadType::CERTREQ, &bytes, 0).unwrap());
        assert_eq!(back.certreqs, vec![req]);
        let mut ragged = vec![4];
        ragged.extend_from_slice(&[1; 25]);
        let r = CertReq::parse(&ragged).unwrap();
        assert_eq!((r.authorities.len(), r.trailing), (1, 5));
        assert!(CertReq::parse(&[]).is_err());
    }

    #[test]
    fn auth_payloads_and_rfc_7427_signatures() {
        let mut body = vec![14, 0, 0, 0, 3, 0x30, 0x01, 0x00];
        body.extend_from_slice(&[9; 8]);
        let a = Auth::parse(&body).unwrap();
        assert_eq!(a.method, AuthMethod::DIGITAL_SIGNATURE);
        let (alg, sig) = a.digital_signature().unwrap();
        assert_eq!(alg, &[0x30, 0x01, 0x00]);
        assert_eq!(sig, &[9; 8]);
        // An ASN.1 length past the end is an error, not a panic.
        let short = Auth::parse(&[14, 0, 0, 0, 40, 1, 2]).unwrap();
        assert!(short.digital_signature().is_err());
        assert_eq!(AuthMethod(1).to_string(), "RSA Digital Signature (1)");
        assert_eq!(AuthMethod(99).to_string(), "method 99");
    }

    #[test]
    fn credentials_read_in_payload_order() {
        let other = |kind, data: &[u8]| {
            Payload::from(Body::Other {
                kind,
                data: data.to_vec(),
            })
        };
        let c = Credentials::read(&[
            other(PayloadType::IDR, b"\x02\0\0\0vpn"),
            other(PayloadType::CERT, &[4, 0x30, 1]),
            other(PayloadType::CERT, &[4, 0x30, 2]),
            other(PayloadType::AUTH, &[1, 0, 0, 0, 7, 7]),
            other(PayloadType::EAP, &[1, 1, 0, 5, 1]),
        ]);
        assert_eq!(c.id.unwrap().value(), "vpn");
        assert_eq!(c.certs.len(), 2);
        assert_eq!(c.certs[1].data, [0x30, 2]);
        assert_eq!(c.auth.unwrap().data, [7, 7]);
        assert_eq!(
            responder_signed_octets(b"m2", b"ni", b"mac"),
            b"m2nimac".to_vec()
        );
    }
}
