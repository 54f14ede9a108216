//! Can a client build a path from the server's certificate to a root it
//! trusts, from what the server sent (RFC 7296 §3.6: the end-entity
//! certificate first, then intermediates) and what the client already
//! holds? Path building and signature checks are `rustls-webpki`'s; this
//! module says *why* a path is missing, in a client's terms: the server
//! left out an intermediate (`Incomplete`), or the chain ends at a root the
//! client does not trust (`UntrustedRoot`, Windows' 0x800B0109).
//!
//! Validity, names and extended key usages are judged separately (see
//! [`super::info`], [`super::name`]), so one defect is reported once: the
//! path is built at a time inside every sent certificate's validity and
//! with any EKU accepted.

use std::time::Duration;

use rustls_pki_types::{CertificateDer, TrustAnchor, UnixTime};
use serde::Serialize;
use webpki::{EndEntityCert, ExtendedKeyUsageValidator, KeyPurposeIdIter};

use super::Timestamp;
use super::info::CertInfo;
use super::sig::WEBPKI_ALGORITHMS;
use super::trust::TrustStore;

/// What is wrong with the chain, when a client cannot build one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum ChainProblem {
    /// The server did not send the issuer of `cert` (an intermediate), and
    /// it is no trusted root either.
    Incomplete {
        cert: String,
        missing_issuer: String,
    },
    /// The chain ends at `root`, which the client does not trust; `sent`
    /// says whether the server sent that root itself.
    UntrustedRoot { root: String, sent: bool },
    /// The path exists by name but does not verify (a bad signature, an
    /// unsupported algorithm or critical extension): `rustls-webpki`'s error.
    Invalid { error: String },
}

/// The chain as a client sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct ChainCheck {
    /// A path to a trusted root exists (perhaps only with intermediates the
    /// client holds itself, see `complete_as_sent`).
    pub trusted: bool,
    /// The path, end-entity first, then intermediates, then the root
    /// (subjects); empty without a path.
    pub path: Vec<String>,
    /// The trusted root the path ends at.
    pub root: Option<String>,
    /// The certificates the server sent are enough: no intermediate from
    /// the client's own store was needed.
    pub complete_as_sent: bool,
    /// Intermediates the path took from the client's own store (the server
    /// should have sent them).
    pub taken_from_client: Vec<String>,
    /// Each sent certificate after the first issued the one before it.
    pub in_order: bool,
    /// Sent certificates the path does not use.
    pub unused: Vec<String>,
    pub problem: Option<ChainProblem>,
    /// How the path was found when not the usual way, e.g. by names only
    /// because the certificates' validity periods do not overlap.
    pub note: Option<String>,
}

/// Accepts any EKU: extended key usages are judged on their own.
struct AnyEku;

impl ExtendedKeyUsageValidator for AnyEku {
    fn validate(&self, _: KeyPurposeIdIter<'_, '_>) -> Result<(), webpki::Error> {
        Ok(())
    }
}

/// A time inside the validity of every certificate in `infos` when there is
/// one; else the middle of the first's.
fn valid_time(infos: &[&CertInfo], now: Timestamp) -> Timestamp {
    let from = infos.iter().map(|i| i.not_before.0).max().unwrap_or(now.0);
    let to = infos.iter().map(|i| i.not_after.0).min().unwrap_or(now.0);
    if (from..=to).contains(&now.0) {
        now
    } else if from <= to {
        Timestamp(from + (to - from) / 2)
    } else {
        infos.first().map_or(now, |i| {
            Timestamp(i.not_before.0 + (i.not_after.0 - i.not_before.0) / 2)
        })
    }
}

fn unix(t: Timestamp) -> UnixTime {
    UnixTime::since_unix_epoch(Duration::from_millis(u64::try_from(t.0).unwrap_or(0)))
}

/// Checks the chain `sent` (DER, end-entity first; `infos` parsed from the
/// same, `None` where unreadable) against `trust` at `now`.
pub fn check(
    sent: &[Vec<u8>],
    infos: &[Option<CertInfo>],
    trust: &TrustStore,
    now: Timestamp,
) -> ChainCheck {
    let mut out = ChainCheck {
        trusted: false,
        path: Vec::new(),
        root: None,
        complete_as_sent: false,
        taken_from_client: Vec::new(),
        in_order: infos
            .windows(2)
            .all(|w| matches!(w, [Some(a), Some(b)] if a.issuer_der == b.subject_der)),
        unused: Vec::new(),
        problem: None,
        note: None,
    };
    let Some(leaf_der) = sent.first() else {
        return out;
    };
    let leaf_cert = CertificateDer::from(leaf_der.as_slice());
    let leaf = match EndEntityCert::try_from(&leaf_cert) {
        Ok(l) => l,
        Err(e) => {
            out.problem = Some(ChainProblem::Invalid {
                error: format!("the end-entity certificate cannot be read: {e}"),
            });
            return out;
        }
    };
    let anchors: Vec<TrustAnchor<'_>> = trust
        .anchors
        .iter()
        .filter_map(|a| {
            webpki::anchor_from_trusted_cert(&CertificateDer::from(a.der.as_slice()))
                .ok()
                .map(|t| t.to_owned())
        })
        .collect();
    let sent_rest: Vec<CertificateDer<'_>> = sent
        .iter()
        .skip(1)
        .map(|d| CertificateDer::from(d.as_slice()))
        .collect();
    let mut with_client = sent_rest.clone();
    with_client.extend(
        trust
            .intermediates
            .iter()
            .map(|d| CertificateDer::from(d.as_slice())),
    );
    let readable: Vec<&CertInfo> = infos.iter().flatten().collect();
    // Validity is judged on its own: try a time inside every certificate's
    // validity, else inside each one's.
    let mut times = vec![valid_time(&readable, now)];
    times.extend(
        readable
            .iter()
            .map(|i| Timestamp(i.not_before.0 + (i.not_after.0 - i.not_before.0) / 2)),
    );
    let verify = |intermediates: &[CertificateDer<'_>]| -> Result<(Vec<Vec<u8>>, Option<usize>), webpki::Error> {
        let mut last = webpki::Error::UnknownIssuer;
        for at in &times {
            match leaf.verify_for_usage(WEBPKI_ALGORITHMS, &anchors, intermediates, unix(*at), AnyEku, None, None) {
                Ok(path) => {
                    let ders = path
                        .intermediate_certificates()
                        .map(|c| c.der().as_ref().to_vec())
                        .collect();
                    let anchor = anchors.iter().position(|a| std::ptr::eq(a, path.anchor()));
                    return Ok((ders, anchor));
                }
                Err(e) if is_time_error(&e) => last = e,
                Err(e) => return Err(e),
            }
        }
        Err(last)
    };
    let name_of = |der: &[u8]| {
        CertInfo::parse(der).map_or_else(|_| "(unreadable certificate)".to_owned(), |i| i.subject)
    };
    let result = match verify(&sent_rest) {
        Ok(p) => Ok((p, true)),
        Err(webpki::Error::UnknownIssuer) if !trust.intermediates.is_empty() => {
            verify(&with_client).map(|p| (p, false))
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(((intermediates, anchor), as_sent)) => {
            out.trusted = true;
            out.complete_as_sent = as_sent;
            out.path.push(
                readable
                    .first()
                    .map_or_else(|| name_of(leaf_der), |i| i.subject.clone()),
            );
            for der in &intermediates {
                out.path.push(name_of(der));
                if !sent.contains(der) {
                    out.taken_from_client.push(name_of(der));
                }
            }
            out.root = anchor
                .and_then(|i| trust.anchors.get(i))
                .map(|a| a.subject.clone());
            out.path.extend(out.root.clone());
            out.unused = sent
                .iter()
                .skip(1)
                .filter(|d| !intermediates.contains(d))
                .map(|d| name_of(d))
                .collect();
        }
        Err(webpki::Error::UnknownIssuer) => out.problem = Some(missing_link(infos)),
        Err(e) if is_time_error(&e) => {
            // No one moment suits every certificate (an expired server
            // certificate under an intermediate issued later): follow the
            // names instead; the dates are the validity findings' business.
            match by_names(infos, trust) {
                Some((path, root)) => {
                    out.trusted = true;
                    out.complete_as_sent = true;
                    out.path = path;
                    out.root = Some(root.clone());
                    out.path.push(root);
                    out.note = Some(
                        "found by names: the certificates' validity periods do not overlap, so \
                         their signatures could not be checked at one time"
                            .to_owned(),
                    );
                }
                None => out.problem = Some(missing_link(infos)),
            }
        }
        Err(e) => {
            out.problem = Some(ChainProblem::Invalid {
                error: e.to_string(),
            })
        }
    }
    out
}

fn is_time_error(e: &webpki::Error) -> bool {
    matches!(
        e,
        webpki::Error::CertExpired { .. }
            | webpki::Error::CertNotValidYet { .. }
            | webpki::Error::InvalidCertValidity
    )
}

/// The path by issuer and subject names alone: the sent certificates from
/// the end-entity on, up to a trusted root's subject. Bounded by the number
/// of certificates sent.
fn by_names(infos: &[Option<CertInfo>], trust: &TrustStore) -> Option<(Vec<String>, String)> {
    let sent: Vec<&CertInfo> = infos.iter().flatten().collect();
    let mut top = *sent.first()?;
    let mut path = vec![top.subject.clone()];
    for _ in 0..sent.len() {
        if let Some(root) = trust.anchors.iter().find_map(|a| {
            CertInfo::parse(&a.der)
                .ok()
                .filter(|r| r.subject_der == top.issuer_der)
        }) {
            return Some((path, root.subject));
        }
        top = sent
            .iter()
            .find(|c| c.subject_der == top.issuer_der && !c.self_issued)?;
        path.push(top.subject.clone());
    }
    None
}

/// Why no path reaches a trusted root, from the names: follow issuers from
/// the end-entity through the sent certificates to the last one found.
fn missing_link(infos: &[Option<CertInfo>]) -> ChainProblem {
    let sent: Vec<&CertInfo> = infos.iter().flatten().collect();
    let Some(mut top) = sent.first().copied() else {
        return ChainProblem::Invalid {
            error: "no readable certificate".to_owned(),
        };
    };
    // Bounded: each step moves to a certificate not visited yet.
    let mut visited = vec![top.subject_der.clone()];
    while !top.self_issued {
        match sent
            .iter()
            .find(|c| c.subject_der == top.issuer_der && !visited.contains(&c.subject_der))
        {
            Some(next) => {
                visited.push(next.subject_der.clone());
                top = next;
            }
            None => break,
        }
    }
    if top.self_issued {
        ChainProblem::UntrustedRoot {
            root: top.subject.clone(),
            sent: true,
        }
    } else if top.is_ca {
        // The server sent its intermediates; what is missing is most likely
        // the root above them, which the client does not trust.
        ChainProblem::UntrustedRoot {
            root: top.issuer.clone(),
            sent: false,
        }
    } else {
        ChainProblem::Incomplete {
            cert: top.subject.clone(),
            missing_issuer: top.issuer.clone(),
        }
    }
}
