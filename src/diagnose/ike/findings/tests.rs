//! The findings of the IKE probes on hand-made facts (`samples`).

use super::super::AuthFacts;
use super::super::proposals::ProposalSet;
use super::super::samples::{self, auth_failed, healthy, no_proposal, server};
use super::*;

fn codes(f: &[Finding]) -> Vec<(Code, Severity)> {
    f.iter().map(|f| (f.code, f.severity)).collect()
}

/// The proposals of `set`, each answered with `accepts(name)`.
fn checked_proposals(set: &str, accepts: impl Fn(&str) -> bool) -> Vec<ProposalResult> {
    ProposalSet::parse(set)
        .unwrap()
        .entries()
        .into_iter()
        .map(|entry| ProposalResult {
            accepted: Some(accepts(&entry.name)),
            entry,
            port: 500,
        })
        .collect()
}

#[test]
fn a_healthy_server_has_only_information() {
    let f = target_findings(&healthy());
    assert_eq!(
        codes(&f),
        [
            (Code::IkeFragmentationSupported, Severity::Info),
            (Code::IkeAuthAnswered, Severity::Info)
        ]
    );
}

#[test]
fn a_target_that_could_not_be_probed_has_no_findings() {
    let mut t = samples::server(false, false);
    t.error = Some(samples::could_not_run("no route"));
    assert!(findings(&[t]).is_empty());
}

#[test]
fn unanswered_ports_say_how_and_how_often() {
    let mut t = healthy();
    samples::silence_on(&mut t, 500);
    if let Some(p) = &mut t.udp4500 {
        p.small.outcome = Outcome::Unreachable;
    }
    let f = ports_unanswered(&t);
    assert_eq!(
        codes(&f),
        [
            (Code::Udp500Unanswered, Severity::Fail),
            (Code::Udp4500Unanswered, Severity::Fail)
        ]
    );
    assert_eq!(f[0].evidence["requests_sent"], 2);
    assert_eq!(f[0].evidence["icmp_unreachable"], false);
    assert!(f[0].summary.contains("no answer"));
    assert_eq!(f[1].evidence["icmp_unreachable"], true);
    assert!(f[1].summary.contains("ICMP unreachable"));
    assert!(ports_unanswered(&healthy()).is_empty());
}

#[test]
fn dropped_fragments_fail_without_ike_fragmentation_and_warn_with_it() {
    let f = fragments_dropped(&server(false, false));
    assert_eq!(
        codes(&f),
        [
            (Code::IpFragmentsDropped, Severity::Fail),
            (Code::IpFragmentsDropped, Severity::Fail)
        ]
    );
    assert_eq!(f[0].evidence["port"], 500);
    assert_eq!(f[1].evidence["port"], 4500);
    assert_eq!(f[0].evidence["fragmented_ip_bytes"], 2000);
    assert_eq!(f[0].evidence["small_ip_bytes"], 810);
    assert!(
        f[0].remedy
            .as_deref()
            .unwrap()
            .contains("EnableServerFragmentation")
    );
    let f = fragments_dropped(&server(true, false));
    assert!(f.iter().all(|f| f.severity == Severity::Warn));
    assert!(fragments_dropped(&healthy()).is_empty());
}

#[test]
fn no_proposal_chosen_from_the_offer_or_from_every_checked_proposal() {
    let mut t = healthy();
    if let Some(p) = &mut t.udp500 {
        p.small.response = Some(no_proposal());
    }
    if let Some(p) = &mut t.udp4500 {
        p.small.response = Some(no_proposal());
    }
    let f = no_proposal_chosen(&t).unwrap();
    assert!(f.summary.contains("the probe's offer"), "{}", f.summary);
    // A chosen proposal elsewhere: the offer was acceptable after all.
    let mut t = healthy();
    if let Some(p) = &mut t.udp4500 {
        p.small.response = Some(no_proposal());
    }
    assert!(no_proposal_chosen(&t).is_none());
    // Every checked proposal refused.
    let mut t = healthy();
    t.proposals = checked_proposals("aovpn", |_| false);
    let f = no_proposal_chosen(&t).unwrap();
    assert!(f.summary.contains("7 checked proposals"), "{}", f.summary);
}

#[test]
fn weak_only_from_the_check_or_from_the_choice() {
    let mut t = healthy();
    t.proposals = checked_proposals("windows", |n| n.starts_with("3des"));
    let f = weak_proposals_only(&t).unwrap();
    assert_eq!(f.evidence["accepted"][0], "3des-sha1-modp1024");
    // A strong one accepted as well: nothing.
    t.proposals = checked_proposals("windows", |n| n.contains("modp2048"));
    assert!(weak_proposals_only(&t).is_none());
    // No check: the weak choice from the main offer.
    let mut t = healthy();
    if let Some(p) = &mut t.udp500 {
        p.small.response = Some(samples::full("3des-sha1-modp1024", true));
    }
    let f = weak_proposals_only(&t).unwrap();
    assert!(f.summary.contains("weak proposal 3DES"), "{}", f.summary);
    assert!(weak_proposals_only(&healthy()).is_none());
}

#[test]
fn windows_defaults_rejected_only_when_something_else_is_accepted() {
    let mut t = healthy();
    t.proposals = checked_proposals("all", |n| n == "aes256gcm16-prfsha384-ecp384");
    let f = windows_defaults_rejected(&t).unwrap();
    assert!(f.summary.contains("all 9 proposals"), "{}", f.summary);
    t.proposals = checked_proposals("all", |_| false);
    assert!(windows_defaults_rejected(&t).is_none());
    t.proposals = checked_proposals("all", |n| n == "aes256-sha256-modp2048");
    assert!(windows_defaults_rejected(&t).is_none());
}

#[test]
fn ike_fragmentation_needs_a_full_response() {
    assert_eq!(
        ike_fragmentation(&server(true, true)).unwrap().code,
        Code::IkeFragmentationSupported
    );
    let f = ike_fragmentation(&server(false, true)).unwrap();
    assert_eq!(
        (f.code, f.severity),
        (Code::IkeFragmentationNotSupported, Severity::Warn)
    );
    let mut t = healthy();
    if let Some(p) = &mut t.udp500 {
        p.small.response = Some(samples::invalid_ke());
    }
    assert!(ike_fragmentation(&t).is_none());
}

#[test]
fn nat_on_either_side() {
    let mut t = healthy();
    assert!(responder_behind_nat(&t).is_none() && nat_detected(&t).is_none());
    if let Some(r) = t.udp500.as_mut().and_then(|p| p.small.response.as_mut()) {
        r.responder_behind_nat = Some(true);
        r.initiator_behind_nat = Some(true);
    }
    assert_eq!(responder_behind_nat(&t).unwrap().severity, Severity::Warn);
    assert_eq!(nat_detected(&t).unwrap().severity, Severity::Info);
}

#[test]
fn ike_auth_answered_is_information_with_the_response() {
    let f = ike_auth(&healthy()).unwrap();
    assert_eq!(f.code, Code::IkeAuthAnswered);
    assert_eq!(f.evidence["response"], "AUTHENTICATION_FAILED");
    assert!(f.summary.contains("in 2.5 ms"), "{}", f.summary);
}

#[test]
fn silent_ike_auth_is_a_split_load_balancer_when_fragmentation_rules_out_the_return_path() {
    let mut t = healthy();
    t.ike_auth = Some(auth_failed(AuthOutcome::NoAnswer, true));
    let f = ike_auth(&t).unwrap();
    assert_eq!(
        (f.code, f.severity),
        (Code::LoadBalancerNotPersistent, Severity::Fail)
    );
    assert_eq!(f.evidence["outcome"], "no-answer");
    // INVALID_IKE_SPI proves another server, with or without fragmentation.
    t.ike_auth = Some(auth_failed(AuthOutcome::InvalidIkeSpi, false));
    assert_eq!(ike_auth(&t).unwrap().code, Code::LoadBalancerNotPersistent);
    // Without fragmentation, silence has two explanations.
    t.ike_auth = Some(auth_failed(AuthOutcome::NoAnswer, false));
    let f = ike_auth(&t).unwrap();
    assert_eq!(f.code, Code::IkeAuthUnanswered4500);
    assert!(
        f.remedy
            .as_deref()
            .unwrap()
            .contains("Match Across Services")
    );
}

#[test]
fn ike_auth_says_nothing_when_a_port_is_dead_or_it_did_not_run() {
    let mut t = healthy();
    t.ike_auth = Some(auth_failed(AuthOutcome::NoAnswer, true));
    samples::silence_on(&mut t, 4500);
    assert!(ike_auth(&t).is_none());
    let mut t = healthy();
    t.ike_auth = Some(AuthFacts::new(
        t.ike_auth.as_ref().unwrap().peer,
        AuthOutcome::NotRun(samples::could_not_run("UDP 500 unanswered")),
    ));
    assert!(ike_auth(&t).is_none());
    t.ike_auth = None;
    assert!(ike_auth(&t).is_none());
}

#[test]
fn junk_instead_of_an_answer_is_named_with_its_count() {
    let mut t = healthy();
    samples::silence_on(&mut t, 500);
    if let Some(p) = &mut t.udp500 {
        p.small.ignored = 6;
    }
    let f = ports_unanswered(&t);
    assert_eq!(codes(&f), [(Code::Udp500Unanswered, Severity::Fail)]);
    assert_eq!(f[0].evidence["invalid_datagrams"], 6);
    assert!(
        f[0].summary.contains("no valid answer: 6 datagram(s)"),
        "{}",
        f[0].summary
    );
    assert!(
        f[0].remedy
            .as_deref()
            .unwrap()
            .contains("not with valid IKE")
    );
}

#[test]
fn a_fragmented_request_answered_with_junk_did_arrive() {
    let mut t = server(false, false);
    if let Some(p) = &mut t.udp500
        && let Some(frag) = &mut p.fragmented
    {
        frag.ignored = 3;
    }
    let f = fragments_dropped(&t);
    assert_eq!(
        codes(&f),
        [
            (Code::FragmentedAnswerInvalid, Severity::Fail),
            (Code::IpFragmentsDropped, Severity::Fail)
        ]
    );
    assert_eq!(f[0].evidence["invalid_datagrams"], 3);
    assert!(
        f[0].summary.contains("fragments arrived"),
        "{}",
        f[0].summary
    );
}

#[test]
fn endless_demands_are_an_unfinished_ike_sa_init() {
    let mut t = healthy();
    assert!(sa_init_unfinished(&t).is_empty());
    if let Some(p) = &mut t.udp500 {
        p.small.cookie_requested = true;
        p.small.unfinished = Some(Unfinished::CookieRepeated);
        p.small.response = None;
    }
    if let Some(p) = &mut t.udp4500 {
        p.small.ke_retries = vec![crate::wire::ike::DhGroup::ECP_384];
        p.small.unfinished = Some(Unfinished::KeGroupRepeated(
            crate::wire::ike::DhGroup::MODP_2048,
        ));
    }
    let f = sa_init_unfinished(&t);
    assert_eq!(
        codes(&f),
        [
            (Code::IkeSaInitUnfinished, Severity::Fail),
            (Code::IkeSaInitUnfinished, Severity::Fail)
        ]
    );
    assert_eq!(f[0].evidence["unfinished"], "cookie-repeated");
    assert!(f[0].summary.contains("COOKIE again"), "{}", f[0].summary);
    assert_eq!(f[1].evidence["unfinished"], "ke-group-repeated");
    assert!(f[1].summary.contains("MODP-2048"), "{}", f[1].summary);
    assert!(f[1].summary.contains("ECP-384"), "{}", f[1].summary);
    // And in the full list, so `check` sees it too.
    assert!(
        target_findings(&t)
            .iter()
            .any(|f| f.code == Code::IkeSaInitUnfinished)
    );
}

#[test]
fn an_unanswered_udp_4500_request_is_ignored_not_blocked_when_4500_answered_otherwise() {
    // The server's half-open limit: the small stateless request on 4500
    // went unanswered, the IKE_AUTH over 4500 was answered.
    let mut t = healthy();
    if let Some(p) = &mut t.udp4500 {
        p.small = samples::exchange(4500, 942, None);
        p.fragmented = None;
    }
    let f = ports_unanswered(&t);
    assert_eq!(codes(&f), [(Code::Udp4500RequestIgnored, Severity::Warn)]);
    assert!(f[0].summary.contains("authenticated answer"));
    assert_eq!(f[0].evidence["port"], 4500);
    assert!(f[0].remedy.as_deref().unwrap().contains("half-open"));
    // Without any answer over 4500 it is the port.
    samples::silence_on(&mut t, 4500);
    assert_eq!(
        codes(&ports_unanswered(&t)),
        [(Code::Udp4500Unanswered, Severity::Fail)]
    );
    // A COOKIE demand for the request shows the port open, on 500 too.
    samples::silence_on(&mut t, 500);
    for p in [&mut t.udp500, &mut t.udp4500].into_iter().flatten() {
        p.small.cookie_requested = true;
    }
    assert_eq!(
        codes(&ports_unanswered(&t)),
        [
            (Code::Udp500RequestIgnored, Severity::Fail),
            (Code::Udp4500RequestIgnored, Severity::Warn)
        ]
    );
    // An ICMP unreachable is the port whatever else answered.
    let mut t = healthy();
    if let Some(p) = &mut t.udp4500 {
        p.small.outcome = Outcome::Unreachable;
    }
    assert_eq!(
        codes(&ports_unanswered(&t)),
        [(Code::Udp4500Unanswered, Severity::Fail)]
    );
}

#[test]
fn the_canary_after_an_unanswered_fragmented_request_decides_what_it_means() {
    // Answered: the padded request's fragments were lost.
    let mut t = server(false, false);
    for p in [&mut t.udp500, &mut t.udp4500].into_iter().flatten() {
        p.canary = Some(samples::exchange(p.port, 400, Some(samples::invalid_ke())));
    }
    assert!(
        fragments_dropped(&t)
            .iter()
            .all(|f| (f.code, f.severity) == (Code::IpFragmentsDropped, Severity::Fail))
    );
    // Unanswered too: the server had stopped answering; nothing is known
    // about fragments.
    for p in [&mut t.udp500, &mut t.udp4500].into_iter().flatten() {
        p.canary = Some(samples::exchange(p.port, 400, None));
    }
    let f = fragments_dropped(&t);
    assert_eq!(
        codes(&f),
        [
            (Code::FragmentTestInconclusive, Severity::Warn),
            (Code::FragmentTestInconclusive, Severity::Warn)
        ]
    );
    assert_eq!(f[0].evidence["ip_bytes"], 2000);
    assert!(f[0].summary.contains("cannot tell"));
}
