//! Facts of the server-certificate check (`probe --auth`, the `server-cert`
//! step of `check`) and their assessment. PURE.
//!
//! The probe sends what a Windows client sends in IKE_AUTH when it asks for
//! EAP (IDi, CERTREQ naming the roots it trusts, no AUTH) twice:
//! 1. after IKE_SA_INIT on UDP 500 with IKEV2_FRAGMENTATION_SUPPORTED
//!    offered, on UDP 4500 (the `ike_auth` test of [`super::TargetResult`],
//!    with a CERTREQ): an EAP server answers with IDr, CERT, AUTH and an EAP
//!    request, in SKF pieces when 16430 was negotiated;
//! 2. with an IKE_SA_INIT on UDP 4500 *without* 16430 and IKE_AUTH on the
//!    same conversation ([`UnfragmentedRun`]): the same answer as one
//!    message, which the network must carry as IP fragments when it is
//!    larger than the path MTU. One address and port throughout, so no load
//!    balancer can split it: when it alone goes unanswered, the large
//!    response was lost on the way back.
//!
//! [`assess`] reads what came back into a [`CertAssessment`]: every
//! certificate, the path to a trusted root, the host name, the AUTH
//! signature; `server_cert::findings` judges it.

pub mod findings;

use std::sync::Arc;

use serde::Serialize;

use super::{AuthFacts, ExchangeFacts};
use crate::cert::auth::{self, AuthCheck};
use crate::cert::chain::{self, ChainCheck};
use crate::cert::name::{self, NameCheck};
use crate::cert::{CertInfo, Timestamp, TrustStore};
use crate::wire::ike::credentials::{CertEncoding, CertReq, Credentials};

/// The run without IKEv2 fragmentation: its IKE_SA_INIT on UDP 4500 and the
/// IKE_AUTH that followed on the same conversation (`None` when the
/// IKE_SA_INIT got no usable answer).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnfragmentedRun {
    pub sa_init: ExchangeFacts,
    pub auth: Option<AuthFacts>,
}

impl UnfragmentedRun {
    pub fn answered(&self) -> bool {
        self.auth.as_ref().is_some_and(AuthFacts::answered)
    }
}

/// Where the MTU used to count a response's IP fragments comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum MtuSource {
    /// Measured along the path (the `path-mtu` step of `check`).
    Path,
    /// This machine's outgoing interface (the path may be smaller).
    Interface,
}

/// Everything the server-certificate check observed for one address.
#[derive(Debug, Clone)]
pub struct ServerCertFacts {
    /// The name (or address) the VPN profile uses: what the certificate
    /// must name.
    pub host: String,
    pub trust: Arc<TrustStore>,
    /// When the check ran (validity is judged at this time).
    pub checked_at: Timestamp,
    pub unfragmented: Option<UnfragmentedRun>,
    /// The MTU to count IP fragments with, and where it came from.
    pub mtu: Option<(u16, MtuSource)>,
    /// What the server's credentials say; `None` when it sent none.
    pub assessment: Option<CertAssessment>,
}

/// One CERT payload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct CertEntry {
    /// RFC 7296 §3.6 encoding, by name.
    pub encoding: String,
    pub bytes: usize,
    /// What it says; `None` when it is no readable X.509 certificate.
    #[serde(flatten)]
    pub info: Option<CertInfo>,
    pub error: Option<String>,
}

/// A CA the server named in its CERTREQ.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Authority {
    /// SHA-1 of the CA's SubjectPublicKeyInfo (RFC 7296 §3.7), hex.
    pub sha1: String,
    /// The root with that key among the roots trusted here, if any.
    pub known_as: Option<String>,
}

/// The server's credentials, read and checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct CertAssessment {
    /// Which exchange they came from: `udp-500-then-4500` (16430 offered)
    /// or `udp-4500` (without 16430).
    pub from: &'static str,
    /// IDr: type and value.
    pub idr_type: Option<String>,
    pub idr: Option<String>,
    pub certs: Vec<CertEntry>,
    /// Path to a trusted root; `None` without a readable certificate.
    pub chain: Option<ChainCheck>,
    /// Does the end-entity certificate name the host?
    pub name: Option<NameCheck>,
    /// The AUTH payload and whether it verifies with the certificate's key.
    pub auth: Option<AuthCheck>,
    /// The CAs the server asked for in IKE_SA_INIT (for client certificates).
    pub server_asks_for: Vec<Authority>,
    /// The roots the check trusts, in words.
    pub trust: String,
    pub checked_at: Timestamp,
}

impl CertAssessment {
    /// The end-entity certificate (the first CERT, RFC 7296 §3.6), when readable.
    pub fn leaf(&self) -> Option<&CertInfo> {
        self.certs.first().and_then(|c| c.info.as_ref())
    }

    /// The readable certificates, in the order sent.
    pub fn infos(&self) -> impl Iterator<Item = &CertInfo> {
        self.certs.iter().filter_map(|c| c.info.as_ref())
    }
}

/// Reads and checks the credentials of an IKE_AUTH response: `creds` and
/// the octets its AUTH signs (`signed_octets`, RFC 7296 §2.15), the
/// CERTREQs of the IKE_SA_INIT response, against `trust` at `now`, for the
/// name `host`. `None` when the response carries no certificate.
pub fn assess(
    from: &'static str,
    creds: &Credentials,
    signed_octets: &[u8],
    server_certreqs: &[CertReq],
    trust: &TrustStore,
    host: &str,
    now: Timestamp,
) -> Option<CertAssessment> {
    if creds.certs.is_empty() {
        return None;
    }
    let certs: Vec<CertEntry> = creds
        .certs
        .iter()
        .map(|c| {
            let parsed = if c.encoding == CertEncoding::X509_SIGNATURE {
                CertInfo::parse(&c.data).map_err(|e| e.to_string())
            } else {
                Err(format!("{} is not an X.509 certificate", c.encoding.name()))
            };
            CertEntry {
                encoding: c.encoding.name(),
                bytes: c.data.len(),
                error: parsed.as_ref().err().cloned(),
                info: parsed.ok(),
            }
        })
        .collect();
    let x509: Vec<Vec<u8>> = creds
        .certs
        .iter()
        .filter(|c| c.encoding == CertEncoding::X509_SIGNATURE)
        .map(|c| c.data.clone())
        .collect();
    let infos: Vec<Option<CertInfo>> = certs
        .iter()
        .filter(|c| c.encoding == CertEncoding::X509_SIGNATURE.name())
        .map(|c| c.info.clone())
        .collect();
    let leaf = infos.first().and_then(Option::as_ref);
    let chain = leaf.map(|_| chain::check(&x509, &infos, trust, now));
    Some(CertAssessment {
        from,
        idr_type: creds.id.as_ref().map(|i| i.id_type.name()),
        idr: creds.id.as_ref().map(|i| i.value()),
        name: leaf.map(|l| name::check(l, host)),
        auth: creds
            .auth
            .as_ref()
            .map(|a| auth::check(a, leaf, signed_octets)),
        chain,
        certs,
        server_asks_for: server_certreqs
            .iter()
            .flat_map(|r| r.authorities.iter())
            .map(|h| Authority {
                sha1: crate::wire::hex(h),
                known_as: trust.anchor_by_hash(h).map(|a| a.subject.clone()),
            })
            .collect(),
        trust: trust.describe(),
        checked_at: now,
    })
}

#[cfg(test)]
mod tests;
