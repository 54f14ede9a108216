use super::super::negotiation::*;
use super::{codes, per_sa};
use crate::analyse::sa::{ErrorNotify, Support};
use crate::analyse::testing::*;
use crate::capture::PacketRef;
use crate::finding::{Code, Severity};
use crate::wire::ike::{DhGroup, NotifyType, vendor};

fn error(kind: NotifyType) -> ErrorNotify {
    ErrorNotify {
        at: PacketRef { file: 0, frame: 2 },
        kind,
        exchange: SA_INIT,
        from_initiator: false,
        requested_group: (kind == NotifyType::INVALID_KE_PAYLOAD).then_some(DhGroup(19)),
    }
}

#[test]
fn cleartext_errors_name_what_came_back() {
    let mut sa = SaBuilder::new().build();
    sa.errors = vec![
        error(NotifyType::NO_PROPOSAL_CHOSEN),
        error(NotifyType::INVALID_KE_PAYLOAD),
        error(NotifyType::AUTHENTICATION_FAILED),
    ];
    let out = per_sa(&analysis(vec![sa], 1000), cleartext_errors);
    assert_eq!(
        codes(&out),
        vec![
            (Code::NoProposalChosen, Severity::Fail),
            (Code::InvalidKeRetry, Severity::Info),
            (Code::AuthenticationFailed, Severity::Fail)
        ]
    );
    assert_eq!(out[0].windows_error, Some(13868));
    assert_eq!(out[1].evidence["requested_group"], "ECP-256");
    assert_eq!(out[2].windows_error, Some(13801));
}

#[test]
fn a_cookie_demand_is_information_about_load() {
    let mut b = SaBuilder::new();
    let req = key(SA_INIT, 0, false, true);
    let mut cookie = Send::new(key(SA_INIT, 0, true, false), 5);
    cookie.notifies = vec![NotifyType::COOKIE];
    let mut retry = Send::new(req, 10);
    retry.content = 2;
    retry.notifies = vec![NotifyType::COOKIE];
    b.send(Send::new(req, 0))
        .send(cookie)
        .send(retry)
        .send(Send::new(key(SA_INIT, 0, true, false), 20));
    let out = per_sa(&analysis(vec![b.build()], 1000), cookie_requested);
    assert_eq!(
        codes(&out),
        vec![(Code::IkeCookieRequested, Severity::Info)]
    );
    assert!(
        out[0].summary.contains("half-open IKE SAs"),
        "{}",
        out[0].summary
    );
    assert!(
        out[0]
            .summary
            .contains("retried with the cookie and was answered")
    );
    assert_eq!(out[0].evidence["retried_with_cookie"], true);
    // No COOKIE, no finding.
    let mut b = SaBuilder::new();
    b.send(Send::new(req, 0));
    assert!(per_sa(&analysis(vec![b.build()], 1000), cookie_requested).is_empty());
}

#[test]
fn fragmentation_stance_and_the_windows_remedy() {
    let mut sa = SaBuilder::new().build();
    sa.fragmentation.initiator = Support::Yes;
    sa.fragmentation.responder = Support::No;
    sa.vendor_ids_responder = vec![vendor::ms_nt5(9)];
    let out = per_sa(&analysis(vec![sa.clone()], 1000), fragmentation);
    assert_eq!(
        codes(&out),
        vec![(Code::IkeFragmentationNotNegotiated, Severity::Warn)]
    );
    assert!(
        out[0]
            .remedy
            .as_deref()
            .unwrap()
            .starts_with("The responder is Windows (RRAS)")
    );
    sa.fragmentation.responder = Support::Yes;
    let out = per_sa(&analysis(vec![sa], 1000), fragmentation);
    assert_eq!(
        codes(&out),
        vec![(Code::IkeFragmentationNegotiated, Severity::Info)]
    );
}

#[test]
fn a_small_last_ike_auth_response_and_silence_is_an_authentication_failure() {
    let mut b = SaBuilder::new();
    b.send(Send::new(key(AUTH, 1, false, true), 0));
    let mut resp = Send::new(key(AUTH, 1, true, false), 10);
    resp.ip_len = 120; // IKE length 88: one encrypted notify
    b.send(resp);
    let out = per_sa(&analysis(vec![b.build()], 60_000), auth_failed_by_size);
    assert_eq!(
        codes(&out),
        vec![(Code::AuthenticationFailed, Severity::Fail)]
    );
    // ESP after it: the tunnel came up.
    let mut sa = b.build();
    sa.esp.from_initiator = 3;
    assert!(per_sa(&analysis(vec![sa], 60_000), auth_failed_by_size).is_empty());
}
