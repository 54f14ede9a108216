//! Each server-certificate finding from hand-made facts: real certificates
//! made in the test (rcgen), one defect at a time.

use std::sync::Arc;

use super::findings::{self, EXPIRY_WARNING_DAYS};
use super::{CertAssessment, MtuSource, ServerCertFacts, UnfragmentedRun, assess};
use crate::cert::testpki::{HOST, Leaf, NOW, Pki};
use crate::cert::{Timestamp, TrustSource, TrustStore};
use crate::diagnose::ike::{AuthFacts, AuthOutcome, ExchangeFacts, Outcome, TargetResult, samples};
use crate::finding::{Code, Finding, Severity};
use crate::wire::ike::credentials::Identification;
use crate::wire::ike::credentials::{Auth, AuthMethod, Cert, CertEncoding, CertReq, Credentials};
use crate::wire::ike::ikeauth::AuthSummary;

const OCTETS: &[u8] = b"RealMessage2 | NonceIData | MACedIDForR";

fn trust(roots: &[&Vec<u8>]) -> TrustStore {
    TrustStore::new(
        TrustSource::Files(vec!["ca.pem".to_owned()]),
        roots.iter().map(|r| (*r).clone()).collect(),
    )
}

/// The credentials an EAP server sends: IDr, `sent`, an RFC 7427 ECDSA
/// AUTH by the server's key over `OCTETS`.
fn creds(pki: &Pki, sent: Vec<Vec<u8>>) -> Credentials {
    let alg = crate::cert::unhex("300a06082a8648ce3d040302");
    let mut data = vec![alg.len() as u8];
    data.extend_from_slice(&alg);
    data.extend_from_slice(&pki.sign(OCTETS));
    Credentials {
        id: Some(Identification::from_text(HOST)),
        certs: sent
            .into_iter()
            .map(|data| Cert {
                encoding: CertEncoding::X509_SIGNATURE,
                data,
            })
            .collect(),
        certreqs: Vec::new(),
        auth: Some(Auth {
            method: AuthMethod::DIGITAL_SIGNATURE,
            data,
        }),
    }
}

fn assessed(
    pki: &Pki,
    sent: Vec<Vec<u8>>,
    trust: &TrustStore,
    host: &str,
    now: Timestamp,
) -> CertAssessment {
    assess(
        "udp-500-then-4500",
        &creds(pki, sent),
        OCTETS,
        &[CertReq::x509(vec![[0xab; 20]])],
        trust,
        host,
        now,
    )
    .unwrap()
}

fn target(a: Option<CertAssessment>) -> TargetResult {
    let mut t = samples::healthy();
    t.server_cert = Some(ServerCertFacts {
        host: HOST.to_owned(),
        trust: Arc::new(trust(&[])),
        checked_at: NOW,
        unfragmented: None,
        mtu: None,
        assessment: a,
    });
    t
}

fn codes(f: &[Finding]) -> Vec<(Code, Severity)> {
    f.iter().map(|f| (f.code, f.severity)).collect()
}

fn only_cert_codes(t: &TargetResult) -> Vec<(Code, Severity)> {
    codes(&findings::findings(t))
}

#[test]
fn a_healthy_server_gets_only_the_information_line() {
    let pki = Pki::new("Test Root", &Leaf::default());
    let a = assessed(&pki, pki.sent(), &trust(&[&pki.root]), HOST, NOW);
    assert_eq!(a.idr.as_deref(), Some(HOST));
    assert_eq!(a.idr_type.as_deref(), Some("ID_FQDN"));
    assert_eq!(a.certs.len(), 2);
    assert_eq!(a.server_asks_for[0].sha1, "ab".repeat(20));
    assert_eq!(a.server_asks_for[0].known_as, None);
    let auth = a.auth.as_ref().unwrap();
    assert_eq!(auth.verdict, crate::cert::auth::AuthVerdict::Verified);
    let t = target(Some(a));
    let f = findings::findings(&t);
    assert_eq!(codes(&f), [(Code::ServerCert, Severity::Info)]);
    let info = &f[0];
    assert!(
        info.summary
            .contains("IDr vpn.example.test and 2 certificate(s)"),
        "{}",
        info.summary
    );
    let lines = info.evidence["certificates"].as_array().unwrap();
    assert_eq!(lines.len(), 2);
    assert!(
        lines[0]
            .as_str()
            .unwrap()
            .starts_with("1: CN=vpn.example.test, O=aovpn-diag tests (issuer")
    );
    assert!(
        info.evidence["auth"]
            .as_str()
            .unwrap()
            .contains("Digital Signature (14) (ecdsa-with-SHA256)")
    );
    assert!(
        info.evidence["chain"]
            .as_str()
            .unwrap()
            .starts_with("trusted: ")
    );
}

#[test]
fn an_expired_certificate_fails_with_13801() {
    let pki = Pki::new(
        "Test Root",
        &Leaf {
            valid: ((2025, 1, 1), (2026, 5, 1)),
            ..Leaf::default()
        },
    );
    let t = target(Some(assessed(
        &pki,
        pki.sent(),
        &trust(&[&pki.root]),
        HOST,
        NOW,
    )));
    let f = findings::findings(&t);
    assert_eq!(
        codes(&f),
        [
            (Code::ServerCertExpired, Severity::Fail),
            (Code::ServerCert, Severity::Info)
        ]
    );
    assert_eq!(f[0].windows_error, Some(13801));
    assert_eq!(f[0].evidence["days_expired"], 31);
    assert!(
        f[0].summary.contains("expired on 2026-05-01"),
        "{}",
        f[0].summary
    );
}

#[test]
fn not_yet_valid_and_expiring_soon() {
    let pki = Pki::new(
        "Test Root",
        &Leaf {
            valid: ((2026, 7, 1), (2027, 1, 1)),
            ..Leaf::default()
        },
    );
    let t = target(Some(assessed(
        &pki,
        pki.sent(),
        &trust(&[&pki.root]),
        HOST,
        NOW,
    )));
    assert_eq!(
        only_cert_codes(&t)[0],
        (Code::ServerCertNotYetValid, Severity::Fail)
    );
    let pki = Pki::new(
        "Test Root",
        &Leaf {
            valid: ((2026, 1, 1), (2026, 6, 20)),
            ..Leaf::default()
        },
    );
    let t = target(Some(assessed(
        &pki,
        pki.sent(),
        &trust(&[&pki.root]),
        HOST,
        NOW,
    )));
    let f = findings::findings(&t);
    assert_eq!(codes(&f)[0], (Code::ServerCertExpiresSoon, Severity::Warn));
    assert_eq!(f[0].evidence["days_left"], 19);
    assert_eq!(f[0].windows_error, None);
    // Exactly the warning window away: no warning.
    let later = Timestamp(NOW.0 - EXPIRY_WARNING_DAYS * 86_400_000 - 1);
    let t = target(Some(assessed(
        &pki,
        pki.sent(),
        &trust(&[&pki.root]),
        HOST,
        later,
    )));
    assert!(!only_cert_codes(&t).contains(&(Code::ServerCertExpiresSoon, Severity::Warn)));
}

#[test]
fn a_wrong_name_fails_and_lists_what_the_certificate_has() {
    let pki = Pki::new("Test Root", &Leaf::default());
    let t = target(Some(assessed(
        &pki,
        pki.sent(),
        &trust(&[&pki.root]),
        "vpn.other.test",
        NOW,
    )));
    let f = findings::findings(&t);
    assert_eq!(codes(&f)[0], (Code::ServerCertNameMismatch, Severity::Fail));
    assert!(
        f[0].summary
            .contains("does not name vpn.other.test: it has DNS:vpn.example.test"),
        "{}",
        f[0].summary
    );
    assert!(
        f[0].remedy
            .as_ref()
            .unwrap()
            .contains("DisableIKENameEkuCheck")
    );
    // An address is looked up among the iPAddress entries.
    let t = target(Some(assessed(
        &pki,
        pki.sent(),
        &trust(&[&pki.root]),
        "198.51.100.7",
        NOW,
    )));
    assert_eq!(only_cert_codes(&t), [(Code::ServerCert, Severity::Info)]);
}

#[test]
fn no_server_authentication_eku_fails() {
    let pki = Pki::new(
        "Test Root",
        &Leaf {
            server_auth: false,
            ..Leaf::default()
        },
    );
    let t = target(Some(assessed(
        &pki,
        pki.sent(),
        &trust(&[&pki.root]),
        HOST,
        NOW,
    )));
    let f = findings::findings(&t);
    assert_eq!(
        codes(&f)[0],
        (Code::ServerCertMissingServerAuthEku, Severity::Fail)
    );
    assert!(
        f[0].summary.contains(
            "lists only Client Authentication (1.3.6.1.5.5.7.3.2), IP security IKE intermediate"
        ),
        "{}",
        f[0].summary
    );
    assert_eq!(f[0].evidence["ike_intermediate"], true);
    let pki = Pki::new(
        "Test Root",
        &Leaf {
            no_eku: true,
            ..Leaf::default()
        },
    );
    let t = target(Some(assessed(
        &pki,
        pki.sent(),
        &trust(&[&pki.root]),
        HOST,
        NOW,
    )));
    let f = findings::findings(&t);
    assert!(
        f[0].summary.contains("has no Extended Key Usage extension"),
        "{}",
        f[0].summary
    );
}

#[test]
fn an_untrusted_root_names_0x800b0109() {
    let pki = Pki::new("Test Root", &Leaf::default());
    let other = Pki::new("Other Root", &Leaf::default());
    let t = target(Some(assessed(
        &pki,
        pki.sent(),
        &trust(&[&other.root]),
        HOST,
        NOW,
    )));
    let f = findings::findings(&t);
    assert_eq!(
        codes(&f),
        [
            (Code::ServerCertUntrustedRoot, Severity::Fail),
            (Code::ServerCert, Severity::Info)
        ]
    );
    assert_eq!(f[0].windows_error, Some(2_148_204_809));
    assert!(f[0].summary.contains("CN=Test Root, O=aovpn-diag tests, which is not among the trusted roots (1 root from ca.pem)"), "{}", f[0].summary);
    assert!(f[0].remedy.as_ref().unwrap().contains("Intune"));
}

#[test]
fn an_intermediate_not_sent_is_a_warning() {
    let pki = Pki::new("Test Root", &Leaf::default());
    let t = target(Some(assessed(
        &pki,
        vec![pki.leaf.clone()],
        &trust(&[&pki.root]),
        HOST,
        NOW,
    )));
    let f = findings::findings(&t);
    assert_eq!(
        codes(&f),
        [
            (Code::ServerCertChainIncomplete, Severity::Warn),
            (Code::ServerCert, Severity::Info)
        ]
    );
    assert!(
        f[0].summary.contains("did not send the issuer"),
        "{}",
        f[0].summary
    );
    // Held by the client: still a warning, naming what it took.
    let t = target(Some(assessed(
        &pki,
        vec![pki.leaf.clone()],
        &trust(&[&pki.root, &pki.intermediate]),
        HOST,
        NOW,
    )));
    let f = findings::findings(&t);
    assert_eq!(
        codes(&f)[0],
        (Code::ServerCertChainIncomplete, Severity::Warn)
    );
    assert!(
        f[0].summary
            .contains("only with intermediate(s) the server did not send"),
        "{}",
        f[0].summary
    );
}

#[test]
fn an_auth_signed_by_another_key_fails() {
    let pki = Pki::new("Test Root", &Leaf::default());
    let impostor = Pki::new("Test Root", &Leaf::default());
    // The impostor's certificate chain, the real server's signature.
    let a = assess(
        "udp-4500",
        &Credentials {
            certs: creds(&impostor, impostor.sent()).certs,
            ..creds(&pki, vec![])
        },
        OCTETS,
        &[],
        &trust(&[&impostor.root]),
        HOST,
        NOW,
    )
    .unwrap();
    assert_eq!(a.from, "udp-4500");
    let t = target(Some(a));
    let f = findings::findings(&t);
    assert_eq!(codes(&f)[0], (Code::ServerAuthInvalid, Severity::Fail));
    assert!(
        f[0].summary
            .contains("does not verify with the key of its certificate"),
        "{}",
        f[0].summary
    );
}

#[test]
fn no_certificate_says_what_to_try() {
    let mut t = target(None);
    let mut a = AuthFacts::new("198.18.2.2:4500".parse().unwrap(), AuthOutcome::Answered);
    a.requests_sent = 1;
    a.response = Some(AuthSummary {
        notifies: vec![crate::wire::ike::NotifyType::AUTHENTICATION_FAILED],
        ..AuthSummary::default()
    });
    t.ike_auth = Some(a);
    let f = findings::findings(&t);
    assert_eq!(codes(&f), [(Code::ServerCertNotOffered, Severity::Info)]);
    assert!(f[0].summary.contains("AUTHENTICATION_FAILED"));
    assert!(f[0].remedy.as_ref().unwrap().contains("--identity"));
    // Nothing answered at all: nothing to say here (other findings do).
    t.ike_auth = None;
    assert!(findings::findings(&t).is_empty());
    // A certificate-less assessment never comes about: no CERT, no assessment.
    assert!(
        assess(
            "udp-4500",
            &Credentials::default(),
            &[],
            &[],
            &trust(&[]),
            HOST,
            NOW
        )
        .is_none()
    );
}

/// The first IKE_AUTH (16430 offered) answered in `skf` pieces of a
/// `whole`-byte response; the second (no 16430, one UDP 4500
/// conversation) answered or not.
fn return_path(offered: bool, first_answered: bool, second_answered: bool) -> TargetResult {
    let mut t = target(None);
    for p in [t.udp500.as_mut().unwrap(), t.udp4500.as_mut().unwrap()] {
        if let Some(r) = p.small.response.as_mut() {
            r.fragmentation_supported = offered;
        }
    }
    let peer = "198.18.2.2:4500".parse().unwrap();
    let mut a = AuthFacts::new(
        peer,
        if first_answered {
            AuthOutcome::Answered
        } else {
            AuthOutcome::NoAnswer
        },
    );
    a.requests_sent = if first_answered { 1 } else { 3 };
    a.request_ip_bytes = 400;
    a.fragmentation_negotiated = offered;
    if first_answered {
        a.skf_total = if offered { 2 } else { 0 };
        a.response_whole_ip_bytes = Some(2144);
    }
    let mut b = AuthFacts::new(
        peer,
        if second_answered {
            AuthOutcome::Answered
        } else {
            AuthOutcome::NoAnswer
        },
    );
    b.requests_sent = if second_answered { 1 } else { 3 };
    b.request_ip_bytes = 300;
    let mut sa_init = ExchangeFacts::new(peer, "198.18.1.2:40000".parse().unwrap(), [1; 8]);
    sa_init.outcome = Outcome::Answered;
    t.ike_auth = Some(a);
    let f = t.server_cert.as_mut().unwrap();
    f.unfragmented = Some(UnfragmentedRun {
        sa_init,
        auth: Some(b),
    });
    f.mtu = Some((1400, MtuSource::Interface));
    t
}

#[test]
fn a_large_response_lost_only_without_ike_fragmentation_warns() {
    let t = return_path(true, true, false);
    let f = findings::findings(&t);
    let c = codes(&f);
    assert_eq!(
        c[0],
        (Code::IpFragmentsDroppedTowardClient, Severity::Warn),
        "{c:?}"
    );
    assert!(
        f[0].summary.contains("about 2144 bytes"),
        "{}",
        f[0].summary
    );
    assert!(
        f[0].summary
            .contains("arrived as IKEv2 fragments but never as one IP-fragmented datagram")
    );
    assert_eq!(f[0].windows_error, None);
    assert_eq!(c[1], (Code::LargeIkeAuthResponse, Severity::Warn));
    assert_eq!(f[1].evidence["ip_fragments"], 2);
    // The server already offers 16430: the advice is not to switch it on.
    for finding in &f[..2] {
        let remedy = finding.remedy.as_deref().unwrap();
        assert!(!remedy.contains("EnableServerFragmentation"), "{remedy}");
        assert!(
            remedy.contains("already offers IKEv2 fragmentation"),
            "{remedy}"
        );
    }
    assert!(
        f[1].summary.contains("interface MTU of 1400"),
        "{}",
        f[1].summary
    );
}

#[test]
fn nothing_back_without_ike_fragmentation_fails_with_809() {
    let t = return_path(false, false, false);
    let f = findings::findings(&t);
    assert_eq!(
        codes(&f)[0],
        (Code::IpFragmentsDroppedTowardClient, Severity::Fail)
    );
    assert_eq!(f[0].windows_error, Some(809));
    assert!(
        f[0].remedy
            .as_ref()
            .unwrap()
            .contains("EnableServerFragmentation")
    );
    // Without an answer to the Delete either, a server ignoring the
    // request is still possible, and the summary says what would tell.
    assert_eq!(f[0].evidence["delete_answered_after_lost_response"], false);
    assert!(f[0].summary.contains("a capture on the server tells"));
    // The Delete (message 2) answered: the server had received message 1.
    let mut t = return_path(false, false, false);
    let run = t
        .server_cert
        .as_mut()
        .unwrap()
        .unfragmented
        .as_mut()
        .unwrap();
    let b = run.auth.as_mut().unwrap();
    b.delete_sent = true;
    b.delete_answered = true;
    let f = findings::findings(&t);
    assert_eq!(f[0].code, Code::IpFragmentsDroppedTowardClient);
    assert_eq!(f[0].evidence["delete_answered_after_lost_response"], true);
    assert!(
        f[0].summary.contains("answered the INFORMATIONAL Delete")
            && !f[0].summary.contains("capture"),
        "{}",
        f[0].summary
    );
}

#[test]
fn no_drop_when_the_unfragmented_answer_came_or_proves_nothing() {
    let t = return_path(true, true, true);
    assert!(
        !only_cert_codes(&t)
            .iter()
            .any(|(c, _)| *c == Code::IpFragmentsDroppedTowardClient)
    );
    // 16430 offered and even the SKF answer missing: a load-balancer
    // question, not a fragment one.
    let t = return_path(true, false, false);
    assert!(
        !only_cert_codes(&t)
            .iter()
            .any(|(c, _)| *c == Code::IpFragmentsDroppedTowardClient)
    );
    // A request larger than anything that got through proves nothing.
    let mut t = return_path(false, false, false);
    let f = t.server_cert.as_mut().unwrap();
    f.unfragmented
        .as_mut()
        .unwrap()
        .auth
        .as_mut()
        .unwrap()
        .request_ip_bytes = 5000;
    assert!(
        !only_cert_codes(&t)
            .iter()
            .any(|(c, _)| *c == Code::IpFragmentsDroppedTowardClient)
    );
    // A response that fits the MTU is not large.
    let mut t = return_path(true, true, true);
    t.server_cert.as_mut().unwrap().mtu = Some((9000, MtuSource::Path));
    assert!(
        !only_cert_codes(&t)
            .iter()
            .any(|(c, _)| *c == Code::LargeIkeAuthResponse)
    );
}
