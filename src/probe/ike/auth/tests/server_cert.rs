//! `probe --auth` against the scripted EAP responder with a real chain.

use std::sync::Arc;

use super::*;
use crate::cert::auth::AuthVerdict;
use crate::cert::testpki::{HOST, Leaf, Pki};
use crate::cert::{TrustSource, TrustStore};
use crate::probe::ike::CertCheck;
use crate::probe::net::{Network, Options, Received, Scripted};

fn pki() -> Arc<Pki> {
    Arc::new(Pki::new("Test Root", &Leaf::default()))
}

fn check_cfg(roots: Vec<Vec<u8>>) -> Config {
    let mut c = cfg();
    c.server_cert = Some(CertCheck {
        host: HOST.to_owned(),
        trust: Arc::new(TrustStore::new(
            TrustSource::Files(vec!["ca.pem".to_owned()]),
            roots,
        )),
        identity: None,
    });
    c
}

fn server(pki: &Arc<Pki>) -> FakeServer {
    let mut s = FakeServer::new("aes256-sha256-modp2048");
    s.auth = FakeAuth::EapWithCerts(Arc::clone(pki));
    s
}

fn run_net(net: &Scripted, c: &Config) -> (TargetResult, Vec<Finding>) {
    let t = probe_address(&net.env(), "198.18.1.10".parse().unwrap(), c);
    let f = findings(std::slice::from_ref(&t));
    (t, f)
}

#[test]
fn the_chain_comes_back_for_a_certreq_and_its_auth_verifies() {
    let pki = pki();
    let net = server(&pki).network();
    let (t, f) = run_net(&net, &check_cfg(vec![pki.root.clone()]));
    let a = t.ike_auth.as_ref().unwrap();
    assert_eq!(a.certreq_sent, Some(1));
    assert!(
        a.skf_total > 1,
        "16430 negotiated: the answer came in SKF pieces"
    );
    let sc = t.server_cert.as_ref().unwrap();
    let x = sc
        .assessment
        .as_ref()
        .expect("the fake sends CERT only for a CERTREQ");
    assert_eq!(x.from, "udp-500-then-4500");
    assert_eq!(x.idr.as_deref(), Some(HOST));
    assert_eq!(x.certs.len(), 2);
    assert!(x.chain.as_ref().unwrap().trusted);
    assert!(x.name.as_ref().unwrap().ok());
    // RealMessage2 | Ni | prf(SK_pr, IDr') as both sides computed it.
    assert_eq!(x.auth.as_ref().unwrap().verdict, AuthVerdict::Verified);
    // The server offers 16430, so the unfragmented run was made: one
    // UDP 4500 conversation, IKE_SA_INIT without 16430, then IKE_AUTH.
    let u = sc.unfragmented.as_ref().unwrap();
    assert!(u.sa_init.answered() && u.answered());
    assert_eq!(u.auth.as_ref().unwrap().skf_total, 0);
    assert_eq!(u.auth.as_ref().unwrap().certreq_sent, Some(1));
    let codes: Vec<Code> = f.iter().map(|f| f.code).collect();
    assert!(codes.contains(&Code::ServerCert), "{codes:?}");
    assert!(!f.iter().any(|f| f.severity == Severity::Fail), "{f:#?}");
    // The unfragmented run's IKE_SA_INIT left 16430 out.
    let no_frag_sa_init = net
        .sent()
        .into_iter()
        .filter(|s| s.peer.port() == NATT_PORT)
        .filter_map(|s| crate::wire::ike::Message::parse(s.data.get(4..)?).ok())
        .filter(|m| m.header.exchange == ExchangeType::IKE_SA_INIT)
        .any(|m| {
            m.notify(crate::wire::ike::NotifyType::IKEV2_FRAGMENTATION_SUPPORTED)
                .is_none()
        });
    assert!(no_frag_sa_init);
}

#[test]
fn without_a_certreq_the_server_keeps_its_certificate() {
    let pki = pki();
    let net = server(&pki).network();
    let mut c = cfg();
    c.auth_test = true;
    let (t, _) = run_net(&net, &c);
    let creds = t.ike_auth.unwrap().credentials.unwrap();
    assert!(creds.certs.is_empty() && creds.auth.is_some());
}

#[test]
fn the_large_answer_lost_without_ike_fragmentation_is_found() {
    let pki = pki();
    let mut s = server(&pki);
    s.max_reply_ip_size = Some(900);
    let net = s.network();
    let (t, f) = run_net(&net, &check_cfg(vec![pki.root.clone()]));
    assert!(t.ike_auth.as_ref().unwrap().answered());
    assert!(
        !t.server_cert
            .as_ref()
            .unwrap()
            .unfragmented
            .as_ref()
            .unwrap()
            .answered()
    );
    assert!(
        has(&f, Code::IpFragmentsDroppedTowardClient, Severity::Warn),
        "{f:#?}"
    );
    // The server does not offer 16430: nothing comes back, and that fails.
    let mut s = server(&pki);
    s.max_reply_ip_size = Some(900);
    s.fragmentation = false;
    let (t, f) = run_net(&s.network(), &check_cfg(vec![pki.root.clone()]));
    assert!(!t.ike_auth.as_ref().unwrap().answered());
    let u = t
        .server_cert
        .as_ref()
        .unwrap()
        .unfragmented
        .as_ref()
        .unwrap();
    assert!(u.sa_init.answered() && !u.answered());
    assert!(
        has(&f, Code::IpFragmentsDroppedTowardClient, Severity::Fail),
        "{f:#?}"
    );
    assert!(t.server_cert.as_ref().unwrap().assessment.is_none());
}

#[test]
fn a_certreq_naming_many_roots_goes_as_skf_pieces() {
    let pki = pki();
    let many: Vec<Vec<u8>> = (0..60)
        .map(|i| Pki::new(&format!("Root {i}"), &Leaf::default()).root)
        .chain([pki.root.clone()])
        .collect();
    let net = server(&pki).network();
    let (t, _) = run_net(&net, &check_cfg(many));
    let a = t.ike_auth.as_ref().unwrap();
    assert_eq!(a.certreq_sent, Some(61));
    assert!(a.request_fragments > 1, "{}", a.request_fragments);
    assert!(
        a.request_ip_bytes <= 576,
        "RFC 7383 §2.5.1: {}",
        a.request_ip_bytes
    );
    let x = t.server_cert.as_ref().unwrap().assessment.as_ref().unwrap();
    assert!(x.chain.as_ref().unwrap().trusted);
    // The unfragmented run names only the root the chain ended at.
    let u = t
        .server_cert
        .as_ref()
        .unwrap()
        .unfragmented
        .as_ref()
        .unwrap();
    assert_eq!(u.auth.as_ref().unwrap().certreq_sent, Some(1));
}

#[test]
fn without_16430_the_certreq_stays_small_and_names_the_servers_own_cas_first() {
    let pki = pki();
    let mut many: Vec<Vec<u8>> = (0..40)
        .map(|i| Pki::new(&format!("Root {i}"), &Leaf::default()).root)
        .collect();
    many.push(pki.root.clone());
    let mut s = server(&pki);
    s.fragmentation = false;
    let (t, _) = run_net(&s.network(), &check_cfg(many));
    let a = t.ike_auth.as_ref().unwrap();
    assert_eq!(
        a.certreq_sent,
        Some(crate::probe::ike::certreq_limit(
            "198.18.1.10".parse().unwrap()
        ))
    );
    assert_eq!(a.request_fragments, 0);
    assert!(a.request_ip_bytes <= 576, "{}", a.request_ip_bytes);
    assert_eq!(a.server_certreqs.len(), 1);
    // The server's root was last in the store but first in the CERTREQ.
    let x = t.server_cert.as_ref().unwrap().assessment.as_ref().unwrap();
    assert_eq!(
        x.server_asks_for[0]
            .known_as
            .as_deref()
            .map(|s| s.contains("Test Root")),
        Some(true)
    );
    assert!(x.chain.as_ref().unwrap().trusted);
}

#[test]
fn skf_pieces_out_of_order_and_twice_are_reassembled() {
    let pki = pki();
    let inner = server(&pki).network();
    // Every answer of several datagrams arrives last piece first, and
    // its first piece twice.
    let net = Scripted::new(move |sent: &Sent| {
        let mut conn = inner.open(sent.peer, Options::default()).unwrap();
        conn.send(&sent.data).unwrap();
        let mut out = Vec::new();
        while let Ok(Received::Datagram(d)) = conn.recv(std::time::Instant::now()) {
            out.push(Received::Datagram(d));
        }
        if out.len() > 1 {
            let first = out[0].clone();
            out.reverse();
            out.push(first);
        }
        out
    });
    let (t, _) = run_net(&net, &check_cfg(vec![pki.root.clone()]));
    let a = t.ike_auth.as_ref().unwrap();
    assert!(a.skf_total > 1 && a.skf_fragments == a.skf_total);
    let x = t.server_cert.as_ref().unwrap().assessment.as_ref().unwrap();
    assert_eq!(x.certs.len(), 2);
    assert_eq!(x.auth.as_ref().unwrap().verdict, AuthVerdict::Verified);
}

/// The `probe --auth --json` document of a scripted run, in the
/// envelope, checked against the published schema: what the binary
/// cannot show without a peer (the lab tests validate theirs too).
fn schema_errors(t: &TargetResult, f: &[Finding]) -> Vec<String> {
    use crate::diagnose::dns::{Family, Resolution};
    use crate::report::{Status, probe as view, schema};
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(schema::SCHEMA_FILE);
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let resolution = Resolution::literal(HOST, Family::Any, t.address);
    let doc = view::ProbeJson {
        host: HOST,
        resolution: &resolution,
        targets: vec![view::target_json(t)],
    };
    let mut out = Vec::new();
    crate::report::write_json(&mut out, "probe", Status::new(f, None), &doc).unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out).unwrap();
    // The object itself first, for errors that name the field.
    let part = serde_json::json!({
        "$defs": schema["$defs"],
        "$ref": "#/$defs/ServerCertJson",
    });
    let part = jsonschema::validator_for(&part).unwrap();
    let cert = &doc["targets"][0]["server_cert"];
    assert!(cert.is_object());
    part.iter_errors(cert)
        .chain(validator.iter_errors(&doc))
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect()
}

#[test]
fn probe_auth_documents_validate_against_the_published_schema() {
    // Healthy; every certificate defect at once under another root
    // (chain problem, name, EKU, validity); the large answer lost
    // without IKEv2 fragmentation (no certificate at all).
    let pki = pki();
    let (t, f) = run_net(&server(&pki).network(), &check_cfg(vec![pki.root.clone()]));
    let x = t.server_cert.as_ref().unwrap().assessment.as_ref().unwrap();
    assert!(x.auth.is_some() && x.chain.is_some());
    let errors = schema_errors(&t, &f);
    assert!(errors.is_empty(), "{errors:#?}");

    let bad = Arc::new(Pki::new(
        "Bad Root",
        &Leaf {
            dns: vec!["other.example.test"],
            ips: vec![],
            cn: "other.example.test",
            server_auth: false,
            valid: ((2020, 1, 1), (2021, 1, 1)),
            ..Leaf::default()
        },
    ));
    let (t, f) = run_net(&server(&bad).network(), &check_cfg(vec![pki.root.clone()]));
    let x = t.server_cert.as_ref().unwrap().assessment.as_ref().unwrap();
    assert!(x.chain.as_ref().unwrap().problem.is_some());
    assert!(f.iter().any(|f| f.severity == Severity::Fail));
    let errors = schema_errors(&t, &f);
    assert!(errors.is_empty(), "{errors:#?}");

    let mut s = server(&pki);
    s.max_reply_ip_size = Some(900);
    s.fragmentation = false;
    let (t, f) = run_net(&s.network(), &check_cfg(vec![pki.root.clone()]));
    assert!(t.server_cert.as_ref().unwrap().assessment.is_none());
    let errors = schema_errors(&t, &f);
    assert!(errors.is_empty(), "{errors:#?}");
}

/// The human view of `probe --auth` (colour off): both runs, every
/// certificate, the chain, the name, the AUTH check, the server's CERTREQ.
fn human(t: &TargetResult) -> String {
    let mut out = Vec::new();
    crate::report::server_cert::write_human(&mut out, t, t.server_cert.as_ref().unwrap()).unwrap();
    let text = String::from_utf8(out).unwrap();
    // Strip the ANSI styles the view writes (DIM).
    let mut plain = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            chars.by_ref().find(|c| c.is_ascii_alphabetic());
        } else {
            plain.push(c);
        }
    }
    plain
}

#[test]
fn the_human_view_shows_the_chain_and_each_check() {
    let pki = pki();
    let (t, _) = run_net(&server(&pki).network(), &check_cfg(vec![pki.root.clone()]));
    let h = human(&t);
    for line in [
        "Server certificate (1 root from ca.pem):",
        "with IKEv2 fragmentation offered:    answered in 2 SKF pieces",
        "without (one UDP 4500 conversation): answered, ",
        "IDr ID_FQDN vpn.example.test",
        "1. CN=vpn.example.test, O=aovpn-diag tests",
        "SAN      DNS:vpn.example.test, IP:198.51.100.7",
        "EKU      Server Authentication, IP security IKE intermediate",
        "CRL      http://crl.example.test/issuing.crl",
        "2. CN=Test Root Issuing CA, O=aovpn-diag tests",
        "chain trusted: CN=vpn.example.test, O=aovpn-diag tests <- CN=Test Root Issuing CA",
        "name  vpn.example.test matches dNSName vpn.example.test",
        "AUTH  Digital Signature (14), ecdsa-with-SHA256: verified with the certificate's key",
        "CERTREQ of the server CN=Test Root, O=aovpn-diag tests",
    ] {
        assert!(h.contains(line), "{line:?} missing from:\n{h}");
    }
    // Under a root not trusted here, with the wrong name.
    let other = Arc::new(Pki::new(
        "Other Root",
        &Leaf {
            dns: vec!["other.example.test"],
            ips: vec![],
            ..Leaf::default()
        },
    ));
    let (t, _) = run_net(
        &server(&other).network(),
        &check_cfg(vec![pki.root.clone()]),
    );
    let h = human(&t);
    assert!(h.contains("chain NOT trusted"), "{h}");
    assert!(
        h.contains("name  vpn.example.test NOT in the certificate"),
        "{h}"
    );
    // Nothing came back without IKEv2 fragmentation: said, no certificate.
    let mut s = server(&pki);
    s.max_reply_ip_size = Some(900);
    s.fragmentation = false;
    let (t, _) = run_net(&s.network(), &check_cfg(vec![pki.root.clone()]));
    let h = human(&t);
    assert!(h.contains("NOT answered (3 sent)"), "{h}");
    assert!(h.contains("no answer, so no certificate to check"), "{h}");
}
