//! Each certificate defect on its own, on certificates made in the test.

use super::auth::{self, AuthVerdict};
use super::chain::{self, ChainProblem};
use super::info::{CertInfo, EKU_IKE_INTERMEDIATE, EKU_SERVER_AUTH};
use super::name;
use super::testpki::{HOST, Leaf, NOW, Pki};
use super::trust::{TrustSource, TrustStore, certificates_in, spki_sha1};
use crate::wire::ike::credentials::{Auth, AuthMethod};

fn infos(sent: &[Vec<u8>]) -> Vec<Option<CertInfo>> {
    sent.iter().map(|d| CertInfo::parse(d).ok()).collect()
}

fn store(certs: &[&Vec<u8>]) -> TrustStore {
    TrustStore::new(
        TrustSource::Files(vec!["ca.pem".to_owned()]),
        certs.iter().map(|c| (*c).clone()).collect(),
    )
}

fn chain_of(sent: &[Vec<u8>], trust: &TrustStore) -> chain::ChainCheck {
    chain::check(sent, &infos(sent), trust, NOW)
}

#[test]
fn a_healthy_chain_reads_and_verifies() {
    let pki = Pki::new("Test Root", &Leaf::default());
    let leaf = CertInfo::parse(&pki.leaf).unwrap();
    assert!(
        leaf.subject.contains("CN=vpn.example.test"),
        "{}",
        leaf.subject
    );
    assert!(leaf.issuer.contains("CN=Test Root Issuing CA"));
    assert_eq!(leaf.san_dns, [HOST]);
    assert_eq!(leaf.san_ip, ["198.51.100.7"]);
    assert!(leaf.has_eku(EKU_SERVER_AUTH) && leaf.has_eku(EKU_IKE_INTERMEDIATE));
    assert_eq!(leaf.key.describe(), "EC P-256");
    assert_eq!(leaf.signature_algorithm, "ecdsa-with-SHA256");
    assert_eq!(
        leaf.crl_distribution_points,
        ["http://crl.example.test/issuing.crl"]
    );
    assert_eq!(leaf.not_after.to_string(), "2027-01-01T00:00:00.000Z");
    assert!(!leaf.is_ca && !leaf.self_issued);
    let c = chain_of(&pki.sent(), &store(&[&pki.root]));
    assert!(c.trusted && c.complete_as_sent && c.in_order, "{c:?}");
    assert_eq!(c.path.len(), 3);
    assert!(c.root.as_deref().unwrap().contains("CN=Test Root"));
    assert_eq!(c.problem, None);
    assert!(c.unused.is_empty());
}

#[test]
fn an_intermediate_not_sent_is_an_incomplete_chain() {
    let pki = Pki::new("Test Root", &Leaf::default());
    let only_leaf = vec![pki.leaf.clone()];
    let c = chain_of(&only_leaf, &store(&[&pki.root]));
    assert!(!c.trusted);
    match c.problem.unwrap() {
        ChainProblem::Incomplete {
            cert,
            missing_issuer,
        } => {
            assert!(cert.contains(HOST));
            assert!(missing_issuer.contains("Test Root Issuing CA"));
        }
        other => panic!("{other:?}"),
    }
    // A client that holds the intermediate itself still builds the path.
    let c = chain_of(&only_leaf, &store(&[&pki.root, &pki.intermediate]));
    assert!(c.trusted && !c.complete_as_sent, "{c:?}");
    assert_eq!(c.taken_from_client.len(), 1);
}

#[test]
fn a_chain_to_another_root_is_untrusted() {
    let pki = Pki::new("Test Root", &Leaf::default());
    let other = Pki::new("Other Root", &Leaf::default());
    let c = chain_of(&pki.sent(), &store(&[&other.root]));
    assert!(!c.trusted);
    assert_eq!(
        c.problem,
        Some(ChainProblem::UntrustedRoot {
            root: CertInfo::parse(&pki.root).unwrap().subject,
            sent: false
        })
    );
    // The server sending its (untrusted) root changes nothing but `sent`.
    let mut with_root = pki.sent();
    with_root.push(pki.root.clone());
    let c = chain_of(&with_root, &store(&[&other.root]));
    assert!(matches!(
        c.problem,
        Some(ChainProblem::UntrustedRoot { sent: true, .. })
    ));
    // Sent with the root, and the root trusted: fine, the root is unused.
    let c = chain_of(&with_root, &store(&[&pki.root]));
    assert!(c.trusted && c.in_order);
}

#[test]
fn chains_out_of_order_still_verify_but_say_so() {
    let pki = Pki::new("Test Root", &Leaf::default());
    let other = Pki::new("Other Root", &Leaf::default());
    let sent = vec![
        pki.leaf.clone(),
        other.intermediate.clone(),
        pki.intermediate.clone(),
    ];
    let c = chain_of(&sent, &store(&[&pki.root]));
    assert!(c.trusted && !c.in_order, "{c:?}");
    assert_eq!(c.unused.len(), 1);
}

#[test]
fn an_expired_certificate_does_not_also_break_the_chain() {
    let pki = Pki::new(
        "Test Root",
        &Leaf {
            valid: ((2024, 1, 1), (2025, 1, 1)),
            ..Leaf::default()
        },
    );
    let c = chain_of(&pki.sent(), &store(&[&pki.root]));
    assert!(c.trusted, "validity is judged on its own: {c:?}");
}

#[test]
fn names_match_the_san_then_the_cn_and_addresses_the_ip_san() {
    let pki = Pki::new("Test Root", &Leaf::default());
    let leaf = CertInfo::parse(&pki.leaf).unwrap();
    let n = name::check(&leaf, "VPN.example.test");
    assert_eq!(
        (n.matched.as_deref(), n.matched_in),
        (Some(HOST), Some("dNSName"))
    );
    let n = name::check(&leaf, "other.example.test");
    assert!(!n.ok());
    assert_eq!(n.names, [format!("DNS:{HOST}")]);
    let n = name::check(&leaf, "198.51.100.7");
    assert_eq!(n.matched_in, Some("iPAddress"));
    assert!(!name::check(&leaf, "198.51.100.8").ok());
    // With dNSNames present the CN does not count (RFC 6125 §6.4.4).
    let cn_only_in_cn = Pki::new(
        "Test Root",
        &Leaf {
            dns: vec!["a.example.test"],
            cn: "b.example.test",
            ..Leaf::default()
        },
    );
    let leaf = CertInfo::parse(&cn_only_in_cn.leaf).unwrap();
    assert!(!name::check(&leaf, "b.example.test").ok());
    // Without any SAN the CN is the name.
    let no_san = Pki::new(
        "Test Root",
        &Leaf {
            dns: vec![],
            ips: vec![],
            cn: "vpn.example.test",
            ..Leaf::default()
        },
    );
    let leaf = CertInfo::parse(&no_san.leaf).unwrap();
    let n = name::check(&leaf, HOST);
    assert_eq!(n.matched_in, Some("subject CN"));
    // A wildcard SAN.
    let wild = Pki::new(
        "Test Root",
        &Leaf {
            dns: vec!["*.example.test"],
            ..Leaf::default()
        },
    );
    let leaf = CertInfo::parse(&wild.leaf).unwrap();
    assert_eq!(
        name::check(&leaf, HOST).matched.as_deref(),
        Some("*.example.test")
    );
}

#[test]
fn ekus_are_read_as_listed() {
    let pki = Pki::new(
        "Test Root",
        &Leaf {
            server_auth: false,
            ike_intermediate: false,
            ..Leaf::default()
        },
    );
    let leaf = CertInfo::parse(&pki.leaf).unwrap();
    assert!(!leaf.has_eku(EKU_SERVER_AUTH));
    let names: Vec<&str> = leaf.ekus.as_ref().unwrap().iter().map(|e| e.name).collect();
    assert_eq!(names, ["Client Authentication"]);
    let none = Pki::new(
        "Test Root",
        &Leaf {
            no_eku: true,
            ..Leaf::default()
        },
    );
    assert_eq!(CertInfo::parse(&none.leaf).unwrap().ekus, None);
}

#[test]
fn certreq_names_each_root_by_the_sha1_of_its_public_key() {
    let pki = Pki::new("Test Root", &Leaf::default());
    let s = store(&[&pki.root, &pki.intermediate]);
    assert_eq!(
        s.anchors.len(),
        1,
        "only self-issued certificates are roots"
    );
    assert_eq!(s.intermediates.len(), 1);
    let hashes = s.certreq_hashes();
    assert_eq!(hashes, [spki_sha1(&pki.root).unwrap()]);
    assert_eq!(
        crate::wire::hex(&hashes[0]),
        CertInfo::parse(&pki.root).unwrap().spki_sha1
    );
    assert!(s.anchor_by_hash(&hashes[0]).is_some());
    assert_eq!(s.describe(), "1 root and 1 intermediate(s) from ca.pem");
    // PEM and DER files.
    let pem = format!(
        "junk before\n{}{}",
        pem_of(&pki.root),
        pem_of(&pki.intermediate)
    );
    assert_eq!(
        certificates_in(pem.as_bytes()).unwrap(),
        vec![pki.root.clone(), pki.intermediate.clone()]
    );
    assert_eq!(certificates_in(&pki.root).unwrap(), vec![pki.root.clone()]);
    // Text starting with "0" (0x30, a DER SEQUENCE tag) is still no DER,
    // and says so plainly; a damaged DER certificate says what broke.
    let text = certificates_in(b"01/02 10:00:00 [LOGON] x\r\n").unwrap_err();
    assert!(text.to_string().contains("no certificate in it"), "{text}");
    let cut = certificates_in(&pki.root[..pki.root.len() - 1]).unwrap_err();
    assert!(cut.to_string().contains("not a readable X.509"), "{cut}");
}

fn pem_of(der: &[u8]) -> String {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut b64 = String::new();
    for chunk in der.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                b64.push(ABC[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                b64.push('=');
            }
        }
    }
    let lines: Vec<&str> = b64
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    format!(
        "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
        lines.join("\n")
    )
}

#[test]
fn an_ecdsa_digital_signature_auth_verifies_over_its_octets_only() {
    let pki = Pki::new("Test Root", &Leaf::default());
    let leaf = CertInfo::parse(&pki.leaf).unwrap();
    let octets = b"RealMessage2 | NonceIData | MACedIDForR";
    // RFC 7427 §3: length of the AlgorithmIdentifier, ecdsa-with-SHA256
    // (Appendix A.4.1), then the DER signature.
    let alg = super::unhex("300a06082a8648ce3d040302");
    let mut data = vec![alg.len() as u8];
    data.extend_from_slice(&alg);
    data.extend_from_slice(&pki.sign(octets));
    let a = Auth {
        method: AuthMethod::DIGITAL_SIGNATURE,
        data,
    };
    let c = auth::check(&a, Some(&leaf), octets);
    assert_eq!(c.verdict, AuthVerdict::Verified);
    assert_eq!(c.signature_algorithm.as_deref(), Some("ecdsa-with-SHA256"));
    assert_eq!(c.scheme.as_deref(), Some("ECDSA with SHA-256"));
    assert_eq!(
        auth::check(&a, Some(&leaf), b"other octets").verdict,
        AuthVerdict::Invalid
    );
    // The key of another certificate: invalid.
    let other = Pki::new("Other Root", &Leaf::default());
    let other_leaf = CertInfo::parse(&other.leaf).unwrap();
    assert_eq!(
        auth::check(&a, Some(&other_leaf), octets).verdict,
        AuthVerdict::Invalid
    );
    // An RSA method with an EC key cannot be checked: said, not failed.
    let rsa = Auth {
        method: AuthMethod::RSA_SIGNATURE,
        data: vec![1; 256],
    };
    assert!(matches!(
        auth::check(&rsa, Some(&leaf), octets).verdict,
        AuthVerdict::NotChecked(_)
    ));
}

#[test]
fn an_expired_certificate_under_a_later_intermediate_still_chains_by_name() {
    // The lab's case: the server certificate's validity (2024) ends before
    // its intermediate's begins (rcgen's CA: 2020-2040, so make the leaf
    // older than any moment the root and intermediate share... here the
    // leaf ends in 2019, before both CAs begin).
    let pki = Pki::new(
        "Test Root",
        &Leaf {
            valid: ((2018, 1, 1), (2019, 1, 1)),
            ..Leaf::default()
        },
    );
    let c = chain_of(&pki.sent(), &store(&[&pki.root]));
    assert!(c.trusted, "{c:?}");
    assert!(c.note.as_deref().unwrap().contains("by names"), "{c:?}");
    assert_eq!(c.path.len(), 3);
    // By names too, another root is still another root.
    let other = Pki::new("Other Root", &Leaf::default());
    let c = chain_of(&pki.sent(), &store(&[&other.root]));
    assert!(!c.trusted);
}

/// A recorded strongSwan IKE_AUTH answer (`fixtures/ike-auth/`, made by
/// `tests/lab_auth_fixtures.rs`): the fields of one file.
struct Recorded {
    prf: crate::wire::ike::protect::Prf,
    message2: Vec<u8>,
    nonce_i: Vec<u8>,
    sk_pr: Vec<u8>,
    idr: Vec<u8>,
    certs: Vec<Vec<u8>>,
    auth: Auth,
}

impl Recorded {
    fn parse(text: &str) -> Recorded {
        let all = |k: &str| -> Vec<Vec<u8>> {
            text.lines()
                .filter_map(|l| l.strip_prefix(k)?.strip_prefix('='))
                .map(super::unhex)
                .collect()
        };
        let one = |k: &str| all(k).remove(0);
        let prf: u16 = text
            .lines()
            .find_map(|l| l.strip_prefix("prf="))
            .unwrap()
            .parse()
            .unwrap();
        Recorded {
            prf: crate::wire::ike::protect::Prf::from_id(crate::wire::ike::PrfId(prf)).unwrap(),
            message2: one("message2"),
            nonce_i: one("nonce_i"),
            sk_pr: one("sk_pr"),
            idr: one("idr"),
            certs: all("cert"),
            auth: Auth::parse(&one("auth")).unwrap(),
        }
    }

    /// RFC 7296 §2.15: RealMessage2 | NonceIData | prf(SK_pr, RestOfIDPayloadR).
    fn octets(&self) -> Vec<u8> {
        let maced = self.prf.prf(&self.sk_pr, &[&self.idr]).unwrap();
        crate::wire::ike::credentials::responder_signed_octets(
            &self.message2,
            &self.nonce_i,
            &maced,
        )
    }
}

#[test]
fn recorded_strongswan_auth_payloads_verify_with_each_scheme() {
    let cases = [
        (
            include_str!("../../fixtures/ike-auth/strongswan-rsa-rfc7427.txt"),
            14,
            "RSASSA-PKCS1-v1_5 with SHA-384",
        ),
        (
            include_str!("../../fixtures/ike-auth/strongswan-rsa-pss.txt"),
            14,
            "RSASSA-PSS with SHA-384",
        ),
        (
            include_str!("../../fixtures/ike-auth/strongswan-rsa-method1.txt"),
            1,
            "RSASSA-PKCS1-v1_5 with SHA-1",
        ),
        (
            include_str!("../../fixtures/ike-auth/strongswan-ecdsa-rfc7427.txt"),
            14,
            "ECDSA with SHA-384",
        ),
        (
            include_str!("../../fixtures/ike-auth/strongswan-ecdsa-method10.txt"),
            10,
            "ECDSA with SHA-384",
        ),
    ];
    for (text, method, scheme) in cases {
        let r = Recorded::parse(text);
        // RealMessage2 is a real IKE_SA_INIT response.
        let m2 = crate::wire::ike::Message::parse(&r.message2).unwrap();
        assert_eq!(
            m2.header.exchange,
            crate::wire::ike::ExchangeType::IKE_SA_INIT
        );
        assert!(m2.header.flags.is_response());
        let leaf = CertInfo::parse(&r.certs[0]).unwrap();
        let octets = r.octets();
        let c = auth::check(&r.auth, Some(&leaf), &octets);
        assert_eq!(c.method, method, "{scheme}");
        assert_eq!(c.scheme.as_deref(), Some(scheme));
        assert_eq!(c.verdict, AuthVerdict::Verified, "{scheme}");
        // One changed octet anywhere in what is signed: invalid.
        for at in [0, r.message2.len(), octets.len() - 1] {
            let mut bad = octets.clone();
            bad[at] ^= 1;
            assert_eq!(
                auth::check(&r.auth, Some(&leaf), &bad).verdict,
                AuthVerdict::Invalid,
                "{scheme} @{at}"
            );
        }
        // Another SK_pr (another IKE SA): invalid.
        let mut other = Recorded::parse(text);
        other.sk_pr[0] ^= 0x80;
        assert_eq!(
            auth::check(&r.auth, Some(&leaf), &other.octets()).verdict,
            AuthVerdict::Invalid
        );
        // The chain verifies to the lab's Cert-Check root by name and key.
        assert!(
            leaf.issuer.contains("aovd Cert-Check Issuing CA"),
            "{}",
            leaf.issuer
        );
    }
}
