use super::*;
use crate::analyse::testing::*;

fn status_of(sa: &IkeSa, exchange: crate::wire::ike::ExchangeType, end_ms: i64) -> Status {
    let a = analysis(vec![sa.clone()], end_ms);
    let sa = &a.sas[0];
    let judged = judged(&a, sa);
    judged
        .iter()
        .find(|(e, _)| e.key.exchange == exchange && e.key.by_initiator)
        .map(|(_, s)| *s)
        .unwrap()
}

#[test]
fn answered() {
    let mut b = SaBuilder::new();
    b.send(Send::new(key(SA_INIT, 0, false, true), 0))
        .send(Send::new(key(SA_INIT, 0, true, false), 10));
    assert_eq!(status_of(&b.build(), SA_INIT, 60_000), Status::Answered);
}

#[test]
fn the_end_of_the_capture_is_not_a_failure() {
    // One request, the capture ends 2 s later: in progress.
    let mut b = SaBuilder::new();
    b.send(Send::new(key(AUTH, 1, false, true), 0));
    assert_eq!(
        status_of(&b.build(), AUTH, 2000),
        Status::InProgress { waited: 2.0 }
    );
    // The same after 5 s of silence: unanswered.
    assert_eq!(status_of(&b.build(), AUTH, 5000), Status::Unanswered);
}

#[test]
fn a_retransmission_says_the_first_sending_went_unanswered() {
    // The requester's own timer expired: unanswered, even if the capture
    // ends right after the last retransmission.
    let mut b = SaBuilder::new();
    b.send_skf(Send::new(key(AUTH, 1, false, true), 0), 17)
        .send_skf(Send::new(key(AUTH, 1, false, true), 1000), 17);
    assert_eq!(status_of(&b.build(), AUTH, 1020), Status::Unanswered);
}

#[test]
fn answered_and_repeated_and_never_moved_on_is_a_lost_response() {
    // The field case: every request answered, the initiator retransmits
    // anyway and never goes on.
    let mut b = SaBuilder::new();
    for (req, resp) in [
        (70, 110),
        (978, 1018),
        (4985, 5025),
        (8990, 9030),
        (15000, 15040),
    ] {
        b.send_skf(Send::new(key(AUTH, 1, false, true), req), 4)
            .send_skf(Send::new(key(AUTH, 1, true, false), resp), 2);
    }
    let sa = b.build();
    assert_eq!(
        status_of(&sa, AUTH, 31_522),
        Status::ResponseLost { repeats: 4 }
    );
    let a = analysis(vec![sa], 31_522);
    let j = judged(&a, &a.sas[0]);
    assert_eq!(j[0].0.sent().len(), 5);
    assert_eq!(j[0].0.answered_with().len(), 5);
}

#[test]
fn a_response_that_crossed_a_retransmission_is_fine_when_the_initiator_goes_on() {
    let mut b = SaBuilder::new();
    b.send(Send::new(key(AUTH, 1, false, true), 0))
        .send(Send::new(key(AUTH, 1, true, false), 990))
        .send(Send::new(key(AUTH, 1, false, true), 1000))
        .send(Send::new(key(AUTH, 2, false, true), 1100))
        .send(Send::new(key(AUTH, 2, true, false), 1110));
    assert_eq!(status_of(&b.build(), AUTH, 60_000), Status::Answered);
    // Still undecided when the capture ends right after one repeat.
    let mut b = SaBuilder::new();
    b.send(Send::new(key(AUTH, 1, false, true), 0))
        .send(Send::new(key(AUTH, 1, true, false), 10))
        .send(Send::new(key(AUTH, 1, false, true), 1000));
    assert!(matches!(
        status_of(&b.build(), AUTH, 1100),
        Status::InProgress { .. }
    ));
}

#[test]
fn after_a_cookie_the_retry_is_judged_on_its_own() {
    let mut b = SaBuilder::new();
    let req = key(SA_INIT, 0, false, true);
    b.send(Send::new(req, 0))
        .send(Send::new(key(SA_INIT, 0, true, false), 5));
    let mut retry = Send::new(req, 10);
    retry.content = 2;
    b.send(retry.clone());
    retry.millis = 1010;
    b.send(retry);
    assert_eq!(status_of(&b.build(), SA_INIT, 1100), Status::Unanswered);
}

#[test]
fn pieces_missing_at_this_point_mean_no_complete_request() {
    let mut b = SaBuilder::new();
    for n in [1u16, 2] {
        let mut s = Send::new(key(AUTH, 1, false, true), i64::from(n));
        s.skf = Some((n, 3));
        b.send(s);
    }
    assert_eq!(
        status_of(&b.build(), AUTH, 60_000),
        Status::NoCompleteRequest
    );
}

#[test]
fn a_copy_at_another_capture_point_is_not_a_retransmission() {
    let mut b = SaBuilder::new();
    b.send(Send::new(key(AUTH, 1, false, true), 0));
    let mut copy = Send::new(key(AUTH, 1, false, true), 3);
    copy.file = 1;
    b.send(copy);
    let sa = b.build();
    let a = crate::analyse::Analysis {
        files: vec![
            Some(crate::analyse::FileSpan {
                first: ms(0),
                last: ms(1000),
            }),
            Some(crate::analyse::FileSpan {
                first: ms(0),
                last: ms(1000),
            }),
        ],
        ..analysis(vec![sa], 1000)
    };
    let j = judged(&a, &a.sas[0]);
    assert_eq!(j[0].0.sent().len(), 1);
    assert!(matches!(j[0].1, Status::InProgress { .. }));
}
