use super::super::exchanges::*;
use super::{codes, find, per_sa};
use crate::analyse::sa::{IkeSa, Support};
use crate::analyse::testing::*;
use crate::capture::defrag::FragmentOrder;
use crate::finding::{Code, Severity};

/// IKE_SA_INIT answered, with each side's stance on 16430.
fn negotiated(i: Support, r: Support) -> SaBuilder {
    let mut b = SaBuilder::new();
    b.send(Send::new(key(SA_INIT, 0, false, true), 0))
        .send(Send::new(key(SA_INIT, 0, true, false), 10));
    b.sa.fragmentation.initiator = i;
    b.sa.fragmentation.responder = r;
    b
}

fn remedy(f: &crate::finding::Finding) -> &str {
    f.remedy.as_deref().unwrap()
}

#[test]
fn ike_sa_init_unanswered_names_the_path_from_the_client_and_the_server_from_the_server() {
    let mut b = SaBuilder::new();
    for n in 0..3 {
        let mut s = Send::new(key(SA_INIT, 0, false, true), n * 1000);
        s.ttl = 64;
        b.send(s);
    }
    let out = per_sa(&analysis(vec![b.build()], 3000), sa_init_unanswered);
    assert_eq!(
        codes(&out),
        vec![(Code::IkeSaInitUnanswered, Severity::Fail)]
    );
    assert!(
        out[0].summary.contains("sent 3 times"),
        "{}",
        out[0].summary
    );
    assert!(remedy(&out[0]).contains("allow UDP 500 and 4500"));
    // Seen on the server (requests arrive with a reduced TTL): not the path.
    let mut b = SaBuilder::new();
    for n in 0..3 {
        let mut s = Send::new(key(SA_INIT, 0, false, true), n * 1000);
        s.ttl = 60;
        b.send(s);
    }
    let out = per_sa(&analysis(vec![b.build()], 3000), sa_init_unanswered);
    assert!(
        out[0].summary.contains("on the server's side"),
        "{}",
        out[0].summary
    );
    assert!(
        !remedy(&out[0]).contains("firewall and NAT on the way"),
        "{}",
        remedy(&out[0])
    );
    assert!(remedy(&out[0]).contains("The server receives IKE_SA_INIT and does not answer"));
}

#[test]
fn one_peer_refused_while_others_are_answered_is_a_per_peer_limit() {
    let mut refused = SaBuilder::new();
    for n in 0..3 {
        refused.send(Send::new(key(SA_INIT, 0, false, true), n * 1000));
    }
    let mut other = SaBuilder::new();
    other.sa.initiator = "198.18.1.3:500".parse().unwrap();
    other.sa.spi_i = [2; 8];
    other
        .send(Send::new(key(SA_INIT, 0, false, true), 1500))
        .send(Send::new(key(SA_INIT, 0, true, false), 1510));
    let mut other = other.build();
    other.proposal_chosen = None;
    let a = analysis(vec![refused.build(), other], 10_000);
    let out = per_sa(&a, sa_init_unanswered);
    assert_eq!(
        codes(&out),
        vec![(Code::IkeSaInitRefusedForPeer, Severity::Fail)]
    );
    assert!(
        out[0].summary.contains("answered 1 other peer(s)"),
        "{}",
        out[0].summary
    );
    assert!(remedy(&out[0]).contains("IkeNumEstablishedForInitialQuery"));
    assert!(remedy(&out[0]).contains("Not a firewall"));
    assert_eq!(out[0].windows_error, Some(809));
    // The other peer answered outside this peer's attempts: plain unanswered.
    let mut late = SaBuilder::new();
    late.sa.initiator = "198.18.1.3:500".parse().unwrap();
    late.send(Send::new(key(SA_INIT, 0, false, true), 9000))
        .send(Send::new(key(SA_INIT, 0, true, false), 9010));
    let mut again = SaBuilder::new();
    for n in 0..3 {
        again.send(Send::new(key(SA_INIT, 0, false, true), n * 1000));
    }
    let a = analysis(vec![again.build(), late.build()], 10_000);
    assert_eq!(
        codes(&per_sa(&a, sa_init_unanswered)),
        vec![(Code::IkeSaInitUnanswered, Severity::Fail)]
    );
}

/// The peers answered meanwhile may have been summarised already (a busy
/// server): the answers they left with this SA still count, within the
/// same window.
#[test]
fn answers_left_by_summarised_sas_still_show_a_refused_peer() {
    use crate::analyse::sa::AnswerElsewhere;
    let mut refused = SaBuilder::new();
    for n in 0..3 {
        refused.send(Send::new(key(SA_INIT, 0, false, true), n * 1000));
    }
    let mut sa = refused.build();
    sa.answers_elsewhere.push(AnswerElsewhere {
        initiator: "198.18.1.3:500".parse().unwrap(),
        file: 0,
        at: ms(1510),
    });
    let a = analysis(vec![sa.clone()], 10_000);
    let out = per_sa(&a, sa_init_unanswered);
    assert_eq!(
        codes(&out),
        vec![(Code::IkeSaInitRefusedForPeer, Severity::Fail)]
    );
    assert_eq!(
        out[0].evidence["answered_peers"],
        serde_json::json!(["198.18.1.3:500"])
    );
    // An answer long after this peer's last request does not count.
    sa.answers_elsewhere[0].at = ms(9000);
    let a = analysis(vec![sa], 10_000);
    assert_eq!(
        codes(&per_sa(&a, sa_init_unanswered)),
        vec![(Code::IkeSaInitUnanswered, Severity::Fail)]
    );
}

/// IKE_AUTH sent `times` times, never answered.
fn auth_unanswered(mut b: SaBuilder, s: Send, times: i64) -> IkeSa {
    for n in 0..times {
        let mut s = s.clone();
        s.millis = 100 + n * 1000;
        b.send(s);
    }
    b.build()
}

#[test]
fn ike_auth_in_ip_fragments_from_the_client_names_dropped_fragments_first() {
    let mut s = Send::new(key(AUTH, 1, false, true), 0);
    s.ip_len = 2244;
    s.ip_fragments = Some((2, FragmentOrder::InOrder));
    s.ttl = 64;
    let sa = auth_unanswered(negotiated(Support::Yes, Support::No), s, 3);
    let out = per_sa(&analysis(vec![sa], 5000), ike_auth);
    let f = find(&out, Code::IkeAuthUnanswered);
    assert!(
        f.summary
            .contains("2,244 bytes in 2 IP fragments, sent 3 times"),
        "{}",
        f.summary
    );
    assert!(
        remedy(f).starts_with("Most likely: A device on the path drops IP fragments"),
        "{}",
        remedy(f)
    );
    assert!(remedy(f).contains("EnableServerFragmentation"));
    assert!(remedy(f).contains("To tell them apart: capture on the VPN server"));
}

#[test]
fn ike_auth_that_reached_the_server_complete_blames_the_server_not_the_path() {
    let mut s = Send::new(key(AUTH, 1, false, true), 0);
    s.ttl = 120; // arrived over routers; the server's own packets carry 128
    let mut b = negotiated(Support::Yes, Support::Yes);
    b.sa.transmissions[1].ttl = 128;
    b.sa.transmissions[0].ttl = 120;
    for n in 0..5 {
        let mut s = s.clone();
        s.millis = 100 + n * 1000;
        b.send_skf(s, 17);
    }
    let out = per_sa(&analysis(vec![b.build()], 6000), ike_auth);
    let f = find(&out, Code::IkeAuthUnanswered);
    assert!(
        f.summary.contains("17 IKEv2 fragments (SKF)"),
        "{}",
        f.summary
    );
    assert!(f.summary.contains("sent 5 times"));
    assert!(
        f.summary.contains("the server itself discards it"),
        "{}",
        f.summary
    );
    let r = remedy(f);
    assert!(
        r.starts_with("Most likely: Some gateways drop IKE messages of more than 16"),
        "{r}"
    );
    assert!(!r.contains("UDP 4500 is blocked"), "{r}");
    assert!(!r.contains("load balancer"), "{r}");
}

#[test]
fn ike_auth_without_ike_sa_init_here_points_at_the_load_balancer() {
    let mut s = Send::new(key(AUTH, 1, false, true), 0);
    s.ttl = 63;
    let sa = auth_unanswered(SaBuilder::new(), s, 3);
    let out = per_sa(&analysis(vec![sa], 5000), ike_auth);
    let f = find(&out, Code::IkeAuthUnanswered);
    assert!(f.summary.contains("never negotiated it"), "{}", f.summary);
    assert!(remedy(f).starts_with("Most likely: A load balancer sends UDP 500 and UDP 4500"));
}

#[test]
fn a_small_ike_auth_unanswered_without_server_fragmentation_names_the_large_response() {
    let mut s = Send::new(key(AUTH, 1, false, true), 0);
    s.ttl = 64;
    let sa = auth_unanswered(negotiated(Support::No, Support::No), s, 3);
    let f = &per_sa(&analysis(vec![sa], 5000), ike_auth)[0];
    assert!(
        remedy(f).starts_with(
            "Most likely: The server's IKE_AUTH response carries its certificate chain"
        ),
        "{}",
        remedy(f)
    );
}

#[test]
fn ike_auth_never_arrived_without_16430_names_ip_fragments_first() {
    // The example: a server-side capture, IKE_SA_INIT completed
    // without 16430, nothing on UDP 4500.
    let sa = negotiated(Support::Yes, Support::No).build();
    let out = per_sa(&analysis(vec![sa], 6000), ike_auth);
    assert_eq!(
        codes(&out),
        vec![(Code::IkeAuthNeverArrived, Severity::Fail)]
    );
    let r = remedy(&out[0]);
    assert!(r.starts_with("Most likely: IKEv2 fragmentation was not negotiated (the server's side did not offer it)"), "{r}");
    assert!(r.find("EnableServerFragmentation").unwrap() < r.find("UDP 4500 is blocked").unwrap());
    assert!(r.contains("`aovpn-diag probe SERVER`"));
    // Both sides negotiated 16430: UDP 4500 and load balancers first.
    let sa = negotiated(Support::Yes, Support::Yes).build();
    let out = per_sa(&analysis(vec![sa], 6000), ike_auth);
    assert!(remedy(&out[0]).starts_with("Most likely: UDP 4500 is blocked"));
}

#[test]
fn the_end_of_the_capture_right_after_ike_sa_init_is_in_progress() {
    let sa = negotiated(Support::Yes, Support::Yes).build();
    let out = per_sa(&analysis(vec![sa], 12), ike_auth);
    assert_eq!(
        codes(&out),
        vec![(Code::ExchangeInProgress, Severity::Info)]
    );
    assert!(
        out[0].summary.contains("IKE_AUTH had no time to appear"),
        "{}",
        out[0].summary
    );
    assert_eq!(out[0].windows_error, None);
}

#[test]
fn an_exchange_cut_off_by_the_end_is_in_progress() {
    let mut b = negotiated(Support::Yes, Support::Yes);
    b.send(Send::new(key(AUTH, 1, false, true), 100));
    let a = analysis(vec![b.build()], 600);
    assert!(per_sa(&a, ike_auth).is_empty());
    let out = per_sa(&a, in_progress);
    assert_eq!(
        codes(&out),
        vec![(Code::ExchangeInProgress, Severity::Info)]
    );
    assert_eq!(out[0].evidence["waited_secs"], 0.5);
}

#[test]
fn lost_responses_name_their_sizes_and_the_fix_for_larger_server_fragments() {
    let mut b = negotiated(Support::Yes, Support::Yes);
    for (req, resp) in [(70, 110), (978, 1018), (4985, 5025)] {
        let mut q = Send::new(key(AUTH, 1, false, true), req);
        q.ip_len = 612;
        b.send_skf(q, 4);
        let mut r = Send::new(key(AUTH, 1, true, false), resp);
        r.ip_len = 1264;
        b.send_skf(r, 2);
    }
    let out = per_sa(&analysis(vec![b.build()], 31_000), response_lost);
    assert_eq!(codes(&out), vec![(Code::IkeResponseLost, Severity::Fail)]);
    let f = &out[0];
    assert!(
        f.summary
            .starts_with("the responder answered IKE_AUTH (message ID 1) 3 times"),
        "{}",
        f.summary
    );
    assert!(
        f.summary
            .contains("lost on the way back to 198.18.1.2:4500")
    );
    assert!(f.summary.contains("less than 1,264 bytes"), "{}", f.summary);
    assert!(remedy(f).contains("Lower the responder's IKEv2 fragment size to at most 612 bytes"));
    assert_eq!(f.evidence["request_transmissions"], 3);
    assert_eq!(f.evidence["response_transmissions"], 3);
    assert_eq!(f.windows_error, Some(809));
    // Nothing lost when the initiator went on.
    let mut b = negotiated(Support::Yes, Support::Yes);
    b.send(Send::new(key(AUTH, 1, false, true), 100))
        .send(Send::new(key(AUTH, 1, true, false), 110))
        .send(Send::new(key(AUTH, 2, false, true), 200))
        .send(Send::new(key(AUTH, 2, true, false), 210));
    assert!(per_sa(&analysis(vec![b.build()], 31_000), response_lost).is_empty());
}
