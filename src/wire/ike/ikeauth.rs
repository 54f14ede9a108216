//! The inside of an IKE_AUTH exchange as a credential-less probe needs it
//! (RFC 7296 §1.2, §2.16): the payloads of a minimal request from a client
//! that asks for EAP (IDi without AUTH, SA for the child, TSi, TSr), the
//! INFORMATIONAL Delete that closes the IKE SA again (§1.4.1, §3.11), and a
//! summary of what a responder put in its (decrypted) answer: notifies, IDr,
//! certificates, AUTH, EAP (RFC 3748 §4).
//!
//! Pure: values in, payloads out; payloads in, summary out.

use std::net::IpAddr;

use super::credentials::{CertReq, Identification};
use super::{
    Body, EncrId, EsnId, IntegId, Notify, NotifyType, Payload, PayloadType, Proposal, ProtocolId,
    Sa, Transform,
};
use crate::wire::Reader;

/// RFC 7296 §3.5: ID_FQDN.
pub const ID_FQDN: u8 = 2;
/// RFC 7296 §3.13.1: TS_IPV4_ADDR_RANGE and TS_IPV6_ADDR_RANGE.
pub const TS_IPV4_ADDR_RANGE: u8 = 7;
pub const TS_IPV6_ADDR_RANGE: u8 = 8;

/// The identity the probe claims: a name under the reserved `.invalid` TLD
/// (RFC 6761 §6.4), so no real account can ever match it.
pub const PROBE_IDENTITY: &str = "aovpn-diag.invalid";

/// IDi payload (§3.5) of type ID_FQDN.
pub fn idi_fqdn(name: &str) -> Payload {
    let mut data = vec![ID_FQDN, 0, 0, 0];
    data.extend_from_slice(name.as_bytes());
    Body::Other {
        kind: PayloadType::IDI,
        data,
    }
    .into()
}

/// A traffic selector payload (§3.13) with one selector that covers every
/// address, port and protocol of `family`: the responder narrows it (§2.9).
pub fn ts_all(kind: PayloadType, family: IpAddr) -> Payload {
    let (ts_type, len, start, end): (u8, u16, Vec<u8>, Vec<u8>) = match family {
        IpAddr::V4(_) => (TS_IPV4_ADDR_RANGE, 16, vec![0; 4], vec![0xff; 4]),
        IpAddr::V6(_) => (TS_IPV6_ADDR_RANGE, 40, vec![0; 16], vec![0xff; 16]),
    };
    let mut data = vec![1, 0, 0, 0]; // one selector, reserved
    data.push(ts_type);
    data.push(0); // any IP protocol
    data.extend_from_slice(&len.to_be_bytes());
    data.extend_from_slice(&0u16.to_be_bytes());
    data.extend_from_slice(&u16::MAX.to_be_bytes());
    data.extend_from_slice(&start);
    data.extend_from_slice(&end);
    Body::Other { kind, data }.into()
}

/// SA payload for the child SA (§1.2, §3.3.1): ESP with a 4-byte SPI,
/// AES-CBC-256/HMAC-SHA2-256-128 or AES-GCM-16-256, no ESN — what Windows
/// and strongSwan servers accept by default.
pub fn child_sa(esp_spi: [u8; 4]) -> Payload {
    let esp = |number: u8, transforms: Vec<Transform>| Proposal {
        number,
        protocol: ProtocolId::ESP,
        spi: esp_spi.to_vec(),
        transforms,
    };
    let no_esn = Transform::new(super::TransformType::ESN, EsnId::NO_ESN.0);
    Body::Sa(Sa {
        proposals: vec![
            esp(
                1,
                vec![
                    Transform::encr(EncrId::AES_CBC, Some(256)),
                    Transform::integ(IntegId::HMAC_SHA2_256_128),
                    no_esn.clone(),
                ],
            ),
            esp(
                2,
                vec![Transform::encr(EncrId::AES_GCM_16, Some(256)), no_esn],
            ),
        ],
    })
    .into()
}

/// The inner payloads of a credential-less IKE_AUTH request: IDi and no
/// AUTH, which tells the responder the client wants EAP (§2.16), then
/// the child SA and traffic selectors a minimal request needs (§1.2).
pub fn eap_request_payloads(identity: &str, esp_spi: [u8; 4], family: IpAddr) -> Vec<Payload> {
    vec![
        idi_fqdn(identity),
        child_sa(esp_spi),
        ts_all(PayloadType::TSI, family),
        ts_all(PayloadType::TSR, family),
    ]
}

/// The same request with any identity and, when `certreq` is given, a
/// CERTREQ right after IDi, where RFC 7296 §1.2 places it
/// (`IDi, [CERT,] [CERTREQ,] [IDr,] AUTH, SAi2, TSi, TSr`; no AUTH here):
/// the payloads a client that asks for EAP and for the server's
/// certificate sends.
pub fn request_payloads(
    identity: &Identification,
    certreq: Option<&CertReq>,
    esp_spi: [u8; 4],
    family: IpAddr,
) -> Vec<Payload> {
    let mut out = vec![identity.payload(PayloadType::IDI)];
    out.extend(certreq.map(CertReq::payload));
    out.extend([
        child_sa(esp_spi),
        ts_all(PayloadType::TSI, family),
        ts_all(PayloadType::TSR, family),
    ]);
    out
}

/// A Delete payload for the IKE SA itself (§3.11: protocol IKE, SPI size 0,
/// no SPIs), the content of the INFORMATIONAL request that closes it.
pub fn delete_ike_sa() -> Payload {
    Body::Other {
        kind: PayloadType::DELETE,
        data: vec![ProtocolId::IKE.0, 0, 0, 0],
    }
    .into()
}

/// The header of an EAP packet (RFC 3748 §4): code, and the method type
/// of Requests and Responses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EapInfo {
    /// 1 Request, 2 Response, 3 Success, 4 Failure.
    pub code: u8,
    pub method: Option<u8>,
}

impl EapInfo {
    fn parse(data: &[u8]) -> Option<EapInfo> {
        let mut r = Reader::new(data);
        let code = r.u8("EAP code").ok()?;
        let _id = r.u8("EAP identifier").ok()?;
        let _len = r.u16("EAP length").ok()?;
        let method = if code == 1 || code == 2 {
            r.u8("EAP type").ok()
        } else {
            None
        };
        Some(EapInfo { code, method })
    }

    /// `EAP Request/Identity`, `EAP Request/MSCHAPv2`, `EAP Failure`.
    pub fn describe(&self) -> String {
        let code = match self.code {
            1 => "Request",
            2 => "Response",
            3 => "Success",
            4 => "Failure",
            _ => "code?",
        };
        // RFC 3748 §5 and the IANA "Method Types" registry.
        let method = self.method.map(|m| match m {
            1 => "Identity".to_owned(),
            4 => "MD5-Challenge".to_owned(),
            13 => "TLS".to_owned(),
            21 => "TTLS".to_owned(),
            25 => "PEAP".to_owned(),
            26 => "MSCHAPv2".to_owned(),
            n => format!("type {n}"),
        });
        match method {
            Some(m) => format!("EAP {code}/{m}"),
            None => format!("EAP {code}"),
        }
    }
}

/// What a decrypted IKE_AUTH response contains, for the report.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AuthSummary {
    pub notifies: Vec<NotifyType>,
    pub idr: bool,
    pub certs: usize,
    pub auth: bool,
    pub eap: Option<EapInfo>,
    pub child_sa: bool,
}

impl AuthSummary {
    pub fn read(payloads: &[Payload]) -> AuthSummary {
        let mut s = AuthSummary::default();
        for p in payloads {
            match &p.body {
                Body::Notify(Notify { kind, .. }) => s.notifies.push(*kind),
                Body::Sa(_) => s.child_sa = true,
                Body::Other { kind, data } => match *kind {
                    PayloadType::IDR => s.idr = true,
                    PayloadType::CERT => s.certs += 1,
                    PayloadType::AUTH => s.auth = true,
                    PayloadType::EAP => s.eap = EapInfo::parse(data),
                    _ => {}
                },
                _ => {}
            }
        }
        s
    }

    /// Error notifies (below 16384), e.g. AUTHENTICATION_FAILED.
    pub fn errors(&self) -> impl Iterator<Item = NotifyType> + '_ {
        self.notifies.iter().copied().filter(|n| n.is_error())
    }

    /// `AUTHENTICATION_FAILED`, `IDr, 3 CERT, AUTH, EAP Request/Identity`.
    pub fn describe(&self) -> String {
        let mut parts: Vec<String> = self.errors().map(|n| n.to_string()).collect();
        if self.idr {
            parts.push("IDr".to_owned());
        }
        match self.certs {
            0 => {}
            1 => parts.push("CERT".to_owned()),
            n => parts.push(format!("{n} CERT")),
        }
        if self.auth {
            parts.push("AUTH".to_owned());
        }
        if let Some(e) = &self.eap {
            parts.push(e.describe());
        }
        if self.child_sa {
            parts.push("child SA".to_owned());
        }
        if parts.is_empty() {
            let status: Vec<String> = self.notifies.iter().map(ToString::to_string).collect();
            if status.is_empty() {
                "an empty encrypted response".to_owned()
            } else {
                status.join(", ")
            }
        } else {
            parts.join(", ")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::ike::{emit_chain, parse_chain};

    #[test]
    fn request_payloads_round_trip_and_are_small() {
        let ps = eap_request_payloads(PROBE_IDENTITY, [1, 2, 3, 4], "198.18.0.1".parse().unwrap());
        let mut bytes = Vec::new();
        emit_chain(&ps, &mut bytes);
        assert_eq!(parse_chain(PayloadType::IDI, &bytes, 0).unwrap(), ps);
        // IDi 4+4+18, SA 4+(8+4+12+8+8)+(8+4+12+8) = 76, TSi/TSr 4+4+16 each.
        assert_eq!(bytes.len(), 26 + 76 + 24 + 24);
        // The IDi body as RFC 7296 §3.5 lays it out.
        assert_eq!(&bytes[4..8], &[ID_FQDN, 0, 0, 0]);
        assert_eq!(&bytes[8..26], PROBE_IDENTITY.as_bytes());
        let v6 = eap_request_payloads(PROBE_IDENTITY, [1, 2, 3, 4], "fd00::1".parse().unwrap());
        let mut b6 = Vec::new();
        emit_chain(&v6, &mut b6);
        assert_eq!(b6.len(), bytes.len() + 2 * 24);
    }

    #[test]
    fn a_certreq_follows_idi_and_any_identity_fits() {
        let id = Identification::from_text("user@example.test");
        let req = CertReq::x509(vec![[7; 20]]);
        let ps = request_payloads(&id, Some(&req), [1, 2, 3, 4], "198.18.0.1".parse().unwrap());
        let kinds: Vec<PayloadType> = ps.iter().map(Payload::kind).collect();
        assert_eq!(
            kinds,
            [
                PayloadType::IDI,
                PayloadType::CERTREQ,
                PayloadType::SA,
                PayloadType::TSI,
                PayloadType::TSR
            ]
        );
        let plain = request_payloads(
            &Identification::from_text(PROBE_IDENTITY),
            None,
            [1, 2, 3, 4],
            "198.18.0.1".parse().unwrap(),
        );
        assert_eq!(
            plain,
            eap_request_payloads(PROBE_IDENTITY, [1, 2, 3, 4], "198.18.0.1".parse().unwrap())
        );
    }

    #[test]
    fn traffic_selector_layout_follows_rfc_7296_3_13_1() {
        let mut out = Vec::new();
        ts_all(PayloadType::TSI, "198.18.0.1".parse().unwrap()).emit(PayloadType::NONE, &mut out);
        assert_eq!(
            crate::wire::hex(&out),
            "0000001801000000070000100000ffff00000000ffffffff"
        );
        let mut out = Vec::new();
        delete_ike_sa().emit(PayloadType::NONE, &mut out);
        assert_eq!(out, [0, 0, 0, 8, 1, 0, 0, 0]);
    }

    #[test]
    fn summaries_name_what_came_back() {
        let failed = [Payload::from(Body::Notify(Notify::new(
            NotifyType::AUTHENTICATION_FAILED,
            vec![],
        )))];
        assert_eq!(
            AuthSummary::read(&failed).describe(),
            "AUTHENTICATION_FAILED"
        );
        let other = |kind, data: &[u8]| {
            Payload::from(Body::Other {
                kind,
                data: data.to_vec(),
            })
        };
        let eap = [
            other(PayloadType::IDR, &[2, 0, 0, 0, b'v']),
            other(PayloadType::CERT, &[4, 1]),
            other(PayloadType::CERT, &[4, 2]),
            other(PayloadType::AUTH, &[1, 0, 0, 0]),
            other(PayloadType::EAP, &[1, 7, 0, 5, 1]),
        ];
        let s = AuthSummary::read(&eap);
        assert_eq!(s.describe(), "IDr, 2 CERT, AUTH, EAP Request/Identity");
        assert_eq!(s.errors().count(), 0);
        assert_eq!(
            AuthSummary::read(&[other(PayloadType::EAP, &[3, 1, 0, 4])]).describe(),
            "EAP Success"
        );
        // A truncated EAP payload is not an error, just unknown.
        assert_eq!(
            AuthSummary::read(&[other(PayloadType::EAP, &[1])]).eap,
            None
        );
        assert_eq!(
            AuthSummary::read(&[]).describe(),
            "an empty encrypted response"
        );
    }
}
