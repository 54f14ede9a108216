//! The probe's plan and findings against the scripted responder.

use std::time::Duration;

use super::fake::FakeServer;
use super::*;
use crate::diagnose::ike::findings;
use crate::finding::{Code, Severity, Verdict};
use crate::probe::net::{self, Network};

fn cfg() -> Config {
    Config::new(Timing {
        timeout: Duration::from_millis(50),
        retransmits: 1,
    })
}

fn run(server: FakeServer, cfg: &Config) -> (TargetResult, Vec<crate::finding::Finding>, usize) {
    let net = server.network();
    let t = probe_address(&net.env(), "198.18.1.10".parse().unwrap(), cfg);
    let f = findings(std::slice::from_ref(&t));
    (t, f, net.sent().len())
}

fn codes(f: &[crate::finding::Finding]) -> Vec<(Code, Severity)> {
    f.iter().map(|f| (f.code, f.severity)).collect()
}

#[test]
fn healthy_server_with_fragmentation() {
    let (t, f, sent) = run(FakeServer::new("aes256-sha256-modp2048"), &cfg());
    assert_eq!(
        codes(&f),
        [
            (Code::IkeFragmentationSupported, Severity::Info),
            (Code::IkeAuthAnswered, Severity::Info)
        ]
    );
    assert_eq!(Verdict::from_findings(&f), Verdict::Ok);
    assert_eq!(
        sent, 5,
        "small and padded request on each port and the IKE_AUTH, one datagram each \
(AUTHENTICATION_FAILED ends the SA, so no Delete)"
    );
    let p500 = t.udp500.as_ref().unwrap();
    assert!(p500.small.answered());
    assert_eq!(p500.fragmented.as_ref().unwrap().ip_datagram_bytes, 2000);
    assert!(p500.fragmented.as_ref().unwrap().answered());
    assert_eq!(t.fragmentation_supported(), Some(true));
    assert_eq!(t.vendor_ids(), ["strongSwan"]);
    assert_eq!(
        t.chosen().unwrap().describe(),
        "AES-CBC-256/HMAC-SHA2-256/PRF-SHA2-256/MODP-2048"
    );
}

#[test]
fn blocked_port_500_is_a_failure_and_4500_still_tested() {
    let mut s = FakeServer::new("aes256-sha256-modp2048");
    s.dropped_ports.insert(500);
    let (t, f, _) = run(s, &cfg());
    assert_eq!(
        codes(&f),
        [
            (Code::Udp500Unanswered, Severity::Fail),
            (Code::IkeFragmentationSupported, Severity::Info)
        ]
    );
    assert!(t.udp500.as_ref().unwrap().fragmented.is_none());
    assert!(
        t.udp4500
            .as_ref()
            .unwrap()
            .fragmented
            .as_ref()
            .unwrap()
            .answered()
    );
    assert_eq!(f[0].evidence["requests_sent"], 2);
}

#[test]
fn closed_port_4500_reports_icmp() {
    let mut s = FakeServer::new("aes256-sha256-modp2048");
    s.closed_ports.insert(4500);
    let (_, f, _) = run(s, &cfg());
    assert_eq!(f[0].code, Code::Udp4500Unanswered);
    assert_eq!(f[0].evidence["icmp_unreachable"], true);
    assert!(f[0].summary.contains("ICMP unreachable"));
}

#[test]
fn dropped_fragments_fail_without_ike_fragmentation() {
    let mut s = FakeServer::new("aes256-sha256-modp2048");
    s.max_ip_size = Some(1500);
    s.fragmentation = false;
    let (t, f, _) = run(s, &cfg());
    // The small request sent after each unanswered padded one got through.
    assert!(
        t.ports()
            .all(|p| p.canary.as_ref().is_some_and(|c| c.answered()))
    );
    assert_eq!(
        codes(&f),
        [
            (Code::IpFragmentsDropped, Severity::Fail),
            (Code::IpFragmentsDropped, Severity::Fail),
            (Code::IkeFragmentationNotSupported, Severity::Warn),
            (Code::IkeAuthAnswered, Severity::Info)
        ]
    );
    assert_eq!(f[0].evidence["port"], 500);
    assert_eq!(f[1].evidence["port"], 4500);
    assert_eq!(f[0].evidence["fragmented_ip_bytes"], 2000);
    assert!(
        f[0].remedy
            .as_ref()
            .unwrap()
            .contains("EnableServerFragmentation")
    );
}

#[test]
fn dropped_fragments_only_warn_with_ike_fragmentation() {
    let mut s = FakeServer::new("aes256-sha256-modp2048");
    s.max_ip_size = Some(1500);
    let (_, f, _) = run(s, &cfg());
    assert_eq!(f[0].code, Code::IpFragmentsDropped);
    assert_eq!(f[0].severity, Severity::Warn);
    assert_eq!(Verdict::from_findings(&f), Verdict::Ok);
}

#[test]
fn frag_size_is_honoured_and_can_be_skipped() {
    let mut c = cfg();
    c.frag_size = Some(1600);
    let (t, _, _) = run(FakeServer::new("aes256-sha256-modp2048"), &c);
    let frag = t.udp4500.unwrap().fragmented.unwrap();
    assert_eq!(frag.ip_datagram_bytes, 1600);
    c.frag_size = None;
    let (t, _, sent) = run(FakeServer::new("aes256-sha256-modp2048"), &c);
    assert!(t.udp500.unwrap().fragmented.is_none());
    assert_eq!(sent, 3);
    c.auth_test = false;
    let (t, _, sent) = run(FakeServer::new("aes256-sha256-modp2048"), &c);
    assert!(t.ike_auth.is_none());
    assert_eq!(sent, 2);
}

#[test]
fn nothing_acceptable_is_no_proposal_chosen() {
    let (t, f, _) = run(FakeServer::new("aes256-sha512-ecp521"), &cfg());
    assert_eq!(codes(&f), [(Code::NoProposalChosen, Severity::Fail)]);
    assert!(t.udp500.unwrap().small.answered());
}

#[test]
fn proposal_check_side_by_side_below_the_half_open_limit() {
    let mut c = cfg();
    c.proposal_check = Some(ProposalSet::parse("all").unwrap());
    let (t, f, sent) = run(FakeServer::new("aes256gcm16-prfsha384-ecp384"), &c);
    let accepted: Vec<&str> = t
        .proposals
        .iter()
        .filter(|p| p.accepted == Some(true))
        .map(|p| p.entry.name.as_str())
        .collect();
    assert_eq!(accepted, ["aes256gcm16-prfsha384-ecp384"]);
    assert!(
        t.proposals
            .iter()
            .all(|p| p.accepted.is_some() && p.port == 500)
    );
    // Main probe: on 500 the first KE (MODP-2048) is refused with
    // INVALID_KE and retried with ECP-384 (2); the IKE_AUTH on 4500 (AES-GCM
    // with the ECP-384 secret) (1); UDP 4500 and both padded requests are
    // stateless, answered by INVALID_KE at once (3); then one per proposal.
    assert_eq!(sent, 6 + t.proposals.len());
    assert_eq!(
        codes(&f),
        [
            (Code::WindowsDefaultsRejected, Severity::Warn),
            (Code::IkeFragmentationSupported, Severity::Info),
            (Code::IkeAuthAnswered, Severity::Info)
        ]
    );
    // In the set's order, whatever order the answers came in.
    let names: Vec<String> = t.proposals.iter().map(|p| p.entry.name.clone()).collect();
    let expected: Vec<String> = ProposalSet::parse("all")
        .unwrap()
        .entries()
        .into_iter()
        .map(|e| e.name)
        .collect();
    assert_eq!(names, expected);
}

#[test]
fn never_more_than_four_ike_sas_open_at_once() {
    let mut c = cfg();
    c.proposal_check = Some(ProposalSet::parse("all").unwrap());
    let net = FakeServer::new("aes256-sha256-modp2048").network();
    let responder = Responder::new("198.18.1.10".parse().unwrap(), c.timing);
    let t = probe_address_with(&net.env(), &responder, &c);
    assert!(t.error.is_none());
    assert!(t.proposals.len() > 4, "enough exchanges to need the limit");
    assert!(responder.peak_open_sas() <= responder::MAX_OPEN_SAS);
    assert!(responder.peak_open_sas() >= 2, "side by side");
    // AUTHENTICATION_FAILED ended the UDP 500 IKE SA: every slot is free.
    assert_eq!(responder.open_sas(), 0);
}

#[test]
fn a_half_open_sa_the_server_may_still_hold_keeps_its_slot() {
    // IKE_AUTH unanswered (UDP 4500 reaches another server): the IKE SA
    // made on 500 may stay half open on the server for the rest of the run.
    let mut s = FakeServer::new("aes256-sha256-modp2048");
    s.split_4500 = Some(fake::NoSaReply::Silence);
    let c = cfg();
    let net = s.network();
    let responder = Responder::new("198.18.1.10".parse().unwrap(), c.timing);
    let t = probe_address_with(&net.env(), &responder, &c);
    assert!(t.ike_auth.as_ref().is_some_and(|a| !a.delete_answered));
    assert_eq!(responder.open_sas(), 1);
}

#[test]
fn silent_udp_500_gets_a_full_exchange_on_4500_and_the_proposals_there() {
    let mut s = FakeServer::new("aes256-sha256-modp2048");
    s.dropped_ports.insert(500);
    let mut c = cfg();
    c.proposal_check = Some(ProposalSet::parse("windows").unwrap());
    let (t, _, _) = run(s, &c);
    let p4500 = t.udp4500.as_ref().unwrap();
    assert!(p4500.small.chosen().is_some(), "the full exchange on 4500");
    assert!(t.proposals.iter().all(|p| p.port == 4500));
    assert_eq!(t.fragmentation_supported(), Some(true));
}

#[test]
fn weak_only_server_is_flagged() {
    let mut c = cfg();
    c.proposal_check = Some(ProposalSet::parse("windows").unwrap());
    let (_, f, _) = run(FakeServer::new("3des-sha1-modp1024"), &c);
    assert!(codes(&f).contains(&(Code::WeakProposalsOnly, Severity::Warn)));
    assert!(
        !codes(&f)
            .iter()
            .any(|(c, _)| *c == Code::WindowsDefaultsRejected)
    );
    // Without the check, the choice of a weak proposal is flagged too.
    let (_, f, _) = run(FakeServer::new("3des-sha1-modp1024"), &cfg());
    assert!(codes(&f).contains(&(Code::WeakProposalsOnly, Severity::Warn)));
}

#[test]
fn nat_on_both_sides() {
    let mut s = FakeServer::new("aes256-sha256-modp2048");
    s.real_addr = Some("10.1.1.1:500".parse().unwrap());
    s.sees_client_as = Some("203.0.113.7:40001".parse().unwrap());
    let (_, f, _) = run(s, &cfg());
    let c = codes(&f);
    assert!(c.contains(&(Code::ResponderBehindNat, Severity::Warn)));
    assert!(c.contains(&(Code::NatDetected, Severity::Info)));
}

#[test]
fn unroutable_address_is_an_error_not_a_finding() {
    struct NoRoute;
    impl Network for NoRoute {
        fn open(
            &self,
            peer: SocketAddr,
            _: net::Options,
        ) -> Result<Box<dyn net::Conn>, net::NetError> {
            Err(net::NetError::Send {
                peer,
                source: std::io::Error::from(std::io::ErrorKind::NetworkUnreachable),
            })
        }
    }
    let env = crate::env::Env {
        udp: &NoRoute,
        ..crate::env::Env::offline()
    };
    let t = probe_address(&env, "fd00::1".parse().unwrap(), &cfg());
    assert!(
        t.error
            .as_ref()
            .unwrap()
            .to_string()
            .contains("[fd00::1]:500")
    );
    assert!(findings(&[t]).is_empty());
}

#[test]
fn the_documented_bound_for_the_default_timing() {
    // timeout 2 s, 2 retransmits: one request variant 2 + 3 + 4 = 9 s, an
    // exchange 4 x 9 = 36 s; two ports x (small + padded + the canary
    // after an unanswered padded one) = 216 s, the IKE_AUTH test 9 + 2 s.
    let mut cfg = Config::new(Timing {
        timeout: Duration::from_secs(2),
        retransmits: 2,
    });
    assert_eq!(cfg.max_duration(), Duration::from_secs(227));
    cfg.frag_size = None;
    cfg.auth_test = false;
    assert_eq!(cfg.max_duration(), Duration::from_secs(72));
    cfg.proposal_check = Some(ProposalSet::parse("aes256-sha256-modp2048").unwrap());
    assert_eq!(cfg.max_duration(), Duration::from_secs(108));
    // --auth: the run without 16430 (one exchange on UDP 4500, 36 s; its
    // IKE_AUTH, 9 s; the Delete's wait, 2 s).
    cfg.server_cert = Some(cert_check());
    assert_eq!(cfg.max_duration(), Duration::from_secs(108 + 47));
}

fn cert_check() -> CertCheck {
    use crate::cert::{TrustSource, TrustStore};
    CertCheck {
        host: "vpn.example.test".to_owned(),
        trust: std::sync::Arc::new(TrustStore::new(TrustSource::System, Vec::new())),
        identity: None,
    }
}

#[test]
fn the_server_cert_runs_stay_within_the_documented_bound() {
    use super::fake::FakeAuth;
    // Both ports answer, IKE_AUTH never does (no answer, and the run
    // without 16430 is made): every wait is waited out.
    let mut cfg = cfg();
    cfg.server_cert = Some(cert_check());
    let clock = std::sync::Arc::new(crate::env::ManualClock::default());
    let mut s = FakeServer::new("aes256-sha256-modp2048");
    s.auth = FakeAuth::Eap;
    s.max_reply_ip_size = Some(600);
    s.fragmentation = false;
    let net = s.network().with_clock(clock.clone());
    let t = probe_address(&net.env(), "198.18.1.10".parse().unwrap(), &cfg);
    let sc = t.server_cert.as_ref().unwrap();
    let u = sc.unfragmented.as_ref().expect("the run without 16430");
    assert!(u.auth.as_ref().is_some_and(|a| a.delete_sent));
    assert!(
        clock.elapsed() <= cfg.max_duration(),
        "{:?} > {:?}",
        clock.elapsed(),
        cfg.max_duration()
    );
}

#[test]
fn silence_and_junk_stay_within_the_documented_bound() {
    use crate::probe::net::Received;
    let mut cfg = cfg();
    cfg.proposal_check = Some(ProposalSet::parse("windows").unwrap());
    for junk in [0usize, 300] {
        let clock = std::sync::Arc::new(crate::env::ManualClock::default());
        let net = net::Scripted::new(move |_| vec![Received::Datagram(vec![0xff; 40]); junk])
            .with_clock(clock.clone());
        let t = probe_address(&net.env(), "198.18.1.10".parse().unwrap(), &cfg);
        assert!(!t.port_answered(500));
        assert!(
            clock.elapsed() <= cfg.max_duration(),
            "{junk} junk datagrams per request: {:?} > {:?}",
            clock.elapsed(),
            cfg.max_duration()
        );
        assert_eq!(t.udp500.as_ref().unwrap().small.ignored > 0, junk > 0);
    }
}

#[test]
fn a_server_that_stops_answering_makes_the_fragment_test_inconclusive() {
    let mut s = FakeServer::new("aes256-sha256-modp2048");
    s.max_ip_size = Some(1500);
    s.fragmentation = false;
    s.stops_answering_after_a_drop = true;
    let (t, f, _) = run(s, &cfg());
    assert!(
        t.ports()
            .all(|p| p.canary.as_ref().is_some_and(|c| !c.answered()))
    );
    let frag: Vec<_> = f
        .iter()
        .filter(|f| f.code.info().step == Some("fragmented-request"))
        .map(|f| (f.code, f.severity))
        .collect();
    assert_eq!(
        frag,
        [
            (Code::FragmentTestInconclusive, Severity::Warn),
            (Code::FragmentTestInconclusive, Severity::Warn)
        ]
    );
    // Nothing blames the path: no fail at all.
    assert_eq!(Verdict::from_findings(&f), Verdict::Ok);
}
