//! The IKE_AUTH test against the scripted responder, which really derives
//! the keys from its own Diffie-Hellman half and really checks and seals.

use std::time::Duration;

use crate::diagnose::ike::{TargetResult, findings};
use crate::finding::{Code, Finding, Severity};
use crate::probe::ike::fake::{FakeAuth, FakeServer, NoSaReply, SKF_PIECE};
use crate::probe::ike::{Config, NATT_PORT, Timing, probe_address};
use crate::probe::net::Sent;
use crate::wire::ike::{ExchangeType, Header, PayloadType};

use super::AuthOutcome;

fn cfg() -> Config {
    let mut c = Config::new(Timing {
        timeout: Duration::from_millis(50),
        retransmits: 2,
    });
    c.frag_size = None;
    c
}

fn run(server: FakeServer) -> (TargetResult, Vec<Finding>, Vec<Sent>) {
    let net = server.network();
    let t = probe_address(&net.env(), "198.18.1.10".parse().unwrap(), &cfg());
    let f = findings(std::slice::from_ref(&t));
    (t, f, net.sent())
}

fn has(f: &[Finding], code: Code, severity: Severity) -> bool {
    f.iter().any(|f| f.code == code && f.severity == severity)
}

/// Headers of the IKE messages sent to UDP 4500 (after the marker).
fn sent_4500(sent: &[Sent]) -> Vec<Header> {
    sent.iter()
        .filter(|s| s.peer.port() == NATT_PORT)
        .filter_map(|s| Header::parse(s.data.get(4..)?).ok())
        .collect()
}

#[test]
fn a_server_with_the_sa_answers_authentication_failed() {
    let (t, f, sent) = run(FakeServer::new("aes256-sha256-modp2048"));
    let a = t.ike_auth.as_ref().unwrap();
    assert_eq!(a.outcome, AuthOutcome::Answered);
    assert_eq!(a.describe_response().unwrap(), "AUTHENTICATION_FAILED");
    assert_eq!(a.requests_sent, 1);
    assert!(a.fragmentation_negotiated);
    assert!(!a.delete_sent, "AUTHENTICATION_FAILED already ended the SA");
    assert!(a.request_ip_bytes < 576, "{}", a.request_ip_bytes);
    // Sent after the UDP 500 IKE_SA_INIT (the stateless IKE_SA_INIT on
    // 4500 runs beside them), as message ID 1 in SK, with the non-ESP
    // marker and the responder's SPI.
    let at = sent
        .iter()
        .position(|s| {
            s.peer.port() == NATT_PORT
                && Header::parse(&s.data[4..]).is_ok_and(|h| h.exchange == ExchangeType::IKE_AUTH)
        })
        .unwrap();
    assert!(sent[..at].iter().any(|s| s.peer.port() == 500));
    assert_eq!(&sent[at].data[..4], &[0, 0, 0, 0]);
    let h = Header::parse(&sent[at].data[4..]).unwrap();
    assert_eq!(h.exchange, ExchangeType::IKE_AUTH);
    assert_eq!(h.message_id, 1);
    assert_eq!(h.next_payload, PayloadType::SK);
    assert_eq!(h.spi_r, [0x5e; 8]);
    assert!(h.flags.is_initiator() && !h.flags.is_response());
    assert!(has(&f, Code::IkeAuthAnswered, Severity::Info));
    assert!(!has(&f, Code::LoadBalancerNotPersistent, Severity::Fail));
}

#[test]
fn aes_gcm_and_ecp_suites_work_too() {
    for accepts in [
        "aes256gcm16-prfsha384-ecp384",
        "aes128-sha256-ecp256",
        "aes128gcm16-prfsha256-ecp256",
        "aes256-sha384-ecp384",
        "aes128-sha1-modp1024",
    ] {
        let (t, _, _) = run(FakeServer::new(accepts));
        let a = t.ike_auth.as_ref().unwrap();
        assert_eq!(a.outcome, AuthOutcome::Answered, "{accepts}");
    }
}

#[test]
fn an_eap_server_answers_in_skf_fragments_which_are_reassembled_then_deleted() {
    let mut s = FakeServer::new("aes256-sha256-modp2048");
    s.auth = FakeAuth::Eap;
    let (t, f, sent) = run(s);
    let a = t.ike_auth.as_ref().unwrap();
    assert_eq!(a.outcome, AuthOutcome::Answered);
    assert_eq!(
        a.describe_response().unwrap(),
        "IDr, 2 CERT, AUTH, EAP Request/Identity"
    );
    assert!(a.skf_total > 1 && a.skf_fragments == a.skf_total);
    assert_eq!(
        usize::from(a.skf_total),
        (2 * 4 + 13 + 4 + 1400 + 4 + 300 + 4 + 260 + 4 + 5usize).div_ceil(SKF_PIECE)
    );
    // The SA is still open after an EAP request: the probe deletes it.
    assert!(a.delete_sent && a.delete_answered);
    let info: Vec<Header> = sent_4500(&sent)
        .into_iter()
        .filter(|h| h.exchange == ExchangeType::INFORMATIONAL)
        .collect();
    assert_eq!(info.len(), 1);
    assert_eq!(info[0].message_id, 2);
    let finding = f.iter().find(|f| f.code == Code::IkeAuthAnswered).unwrap();
    assert_eq!(finding.evidence["skf_fragments"], a.skf_total);
}

#[test]
fn a_big_response_without_ike_fragmentation_lost_on_the_way_back_is_ambiguous() {
    let mut s = FakeServer::new("aes256-sha256-modp2048");
    s.auth = FakeAuth::Eap;
    s.fragmentation = false;
    s.max_reply_ip_size = Some(900);
    let (t, f, sent) = run(s);
    let a = t.ike_auth.as_ref().unwrap();
    assert_eq!(a.outcome, AuthOutcome::NoAnswer);
    assert_eq!(a.requests_sent, 3, "retransmitted twice");
    assert!(!a.fragmentation_negotiated);
    // The plain IKE_AUTH test sends no Delete after silence (that is for
    // --auth, see server_cert.rs).
    assert!(!a.delete_sent);
    assert_eq!(
        sent_4500(&sent)
            .iter()
            .filter(|h| h.exchange == ExchangeType::IKE_AUTH)
            .count(),
        3
    );
    assert!(has(&f, Code::IkeAuthUnanswered4500, Severity::Fail));
    assert!(!has(&f, Code::LoadBalancerNotPersistent, Severity::Fail));
    let fi = f
        .iter()
        .find(|f| f.code == Code::IkeAuthUnanswered4500)
        .unwrap();
    assert!(fi.summary.contains("IP fragments") && fi.summary.contains("load balancer"));
    let remedy = fi.remedy.as_ref().unwrap();
    assert!(
        remedy.contains("Match Across Services") && remedy.contains("EnableServerFragmentation")
    );
}

#[test]
fn udp_4500_on_another_server_that_stays_silent_is_a_load_balancer_without_persistence() {
    let mut s = FakeServer::new("aes256-sha256-modp2048");
    s.split_4500 = Some(NoSaReply::Silence);
    let (t, f, _) = run(s);
    let a = t.ike_auth.as_ref().unwrap();
    assert_eq!(a.outcome, AuthOutcome::NoAnswer);
    assert_eq!(a.requests_sent, 3);
    // Both ports answer IKE_SA_INIT on their own: a port scan looks healthy.
    assert!(t.udp500.as_ref().unwrap().small.answered());
    assert!(t.udp4500.as_ref().unwrap().small.answered());
    assert!(has(&f, Code::LoadBalancerNotPersistent, Severity::Fail));
    assert!(!has(&f, Code::IkeAuthUnanswered4500, Severity::Fail));
    let lb = f
        .iter()
        .find(|f| f.code == Code::LoadBalancerNotPersistent)
        .unwrap();
    assert!(lb.remedy.as_ref().unwrap().contains("SNAT"));
    assert_eq!(lb.evidence["fragmentation_negotiated"], true);
}

#[test]
fn invalid_ike_spi_in_clear_blames_the_load_balancer_even_without_fragmentation() {
    let mut s = FakeServer::new("aes256-sha256-modp2048");
    s.split_4500 = Some(NoSaReply::InvalidIkeSpi);
    s.fragmentation = false;
    let (t, f, _) = run(s);
    let a = t.ike_auth.as_ref().unwrap();
    assert_eq!(a.outcome, AuthOutcome::InvalidIkeSpi);
    assert_eq!(
        a.requests_sent, 1,
        "INVALID_IKE_SPI is an answer: no retransmission"
    );
    assert!(!a.answered());
    assert!(has(&f, Code::LoadBalancerNotPersistent, Severity::Fail));
    assert!(!has(&f, Code::IkeAuthUnanswered4500, Severity::Fail));
}

#[test]
fn no_finding_when_udp_4500_is_dead_anyway_or_the_test_did_not_run() {
    let mut s = FakeServer::new("aes256-sha256-modp2048");
    s.dropped_ports.insert(NATT_PORT);
    let (t, f, _) = run(s);
    assert_eq!(t.ike_auth.as_ref().unwrap().outcome, AuthOutcome::NoAnswer);
    assert!(has(&f, Code::Udp4500Unanswered, Severity::Fail));
    assert!(!f.iter().any(|f| matches!(
        f.code,
        Code::LoadBalancerNotPersistent | Code::IkeAuthUnanswered4500
    )));

    let mut s = FakeServer::new("aes256-sha256-modp2048");
    s.dropped_ports.insert(500);
    let (t, f, _) = run(s);
    let a = t.ike_auth.as_ref().unwrap();
    assert!(matches!(&a.outcome, AuthOutcome::NotRun(r) if r.to_string().contains("UDP 500")));
    assert!(!a.sent());
    assert!(!f.iter().any(|f| matches!(
        f.code,
        Code::LoadBalancerNotPersistent | Code::IkeAuthUnanswered4500 | Code::IkeAuthAnswered
    )));

    // A suite the probe cannot protect: said, not guessed.
    let (t, _, _) = run(FakeServer::new("3des-sha1-modp1024"));
    assert!(
        matches!(&t.ike_auth.as_ref().unwrap().outcome, AuthOutcome::NotRun(r) if r.to_string().contains("3DES"))
    );
}

#[test]
fn answers_that_fail_the_integrity_check_are_not_taken() {
    // Every protected answer arrives with one ciphertext bit flipped (a
    // forgery or corruption): nothing is believed, the test reports silence.
    let inner = FakeServer::new("aes256-sha256-modp2048").network();
    let net = crate::probe::net::Scripted::new(move |sent: &Sent| {
        use crate::probe::net::{Network, Options};
        let mut conn = inner.open(sent.peer, Options::default()).unwrap();
        conn.send(&sent.data).unwrap();
        let mut out = Vec::new();
        while let Ok(crate::probe::net::Received::Datagram(mut d)) =
            conn.recv(std::time::Instant::now())
        {
            // Flip one ciphertext bit of every protected answer.
            if sent.peer.port() == NATT_PORT && d.len() > 60 {
                let i = d.len() - 20;
                d[i] ^= 1;
            }
            out.push(crate::probe::net::Received::Datagram(d));
        }
        out
    });
    let t = probe_address(&net.env(), "198.18.1.10".parse().unwrap(), &cfg());
    let a = t.ike_auth.unwrap();
    assert_eq!(a.outcome, AuthOutcome::NoAnswer);
    assert_eq!(a.integrity_failures, 3);
}

mod server_cert;
