use crate::analyse::testing::*;

#[test]
fn skf_pieces_of_one_sending_form_one_transmission() {
    let mut b = SaBuilder::new();
    b.send_skf(Send::new(key(AUTH, 1, false, true), 100), 17)
        .send_skf(Send::new(key(AUTH, 1, false, true), 1100), 17);
    let sa = b.build();
    assert_eq!(sa.transmissions.len(), 2);
    let (a, b) = (&sa.transmissions[0], &sa.transmissions[1]);
    assert_eq!(
        (a.datagrams, a.skf_total, a.complete()),
        (17, Some(17), true)
    );
    assert_eq!(a.skf_numbers, (1..=17).collect::<Vec<u16>>());
    assert_eq!(a.frames.len(), 17);
    assert_eq!(b.retransmission_of, Some(0));
    assert_eq!(a.digest, b.digest);
}

#[test]
fn pieces_too_far_apart_or_repeated_start_a_new_transmission() {
    let mut b = SaBuilder::new();
    let s = |ms, n| {
        let mut s = Send::new(key(AUTH, 1, false, true), ms);
        s.skf = Some((n, 2));
        s
    };
    // 1/2, then 1/2 again at once (a new sending), then 2/2 after 600 ms.
    b.send(s(0, 1)).send(s(1, 1)).send(s(601, 2));
    let sa = b.build();
    assert_eq!(sa.transmissions.len(), 3);
    assert!(sa.transmissions.iter().all(|t| !t.complete()));
}

#[test]
fn responses_answer_the_latest_request_and_copies_elsewhere_are_linked() {
    let mut b = SaBuilder::new();
    let req = key(SA_INIT, 0, false, true);
    let resp = key(SA_INIT, 0, true, false);
    b.send(Send::new(req, 0))
        .send(Send::new(req, 1000))
        .send(Send::new(resp, 1010));
    // The same request and response seen in a second capture file.
    let mut copy = Send::new(req, 1005);
    copy.file = 1;
    b.send(copy);
    let mut copy = Send::new(resp, 1006);
    copy.file = 1;
    b.send(copy);
    let sa = b.build();
    let t = &sa.transmissions;
    assert_eq!(t[1].retransmission_of, Some(0));
    assert_eq!(t[2].answers, Some(1));
    assert_eq!(t[3].same_as, Some(0));
    assert_eq!(t[3].retransmission_of, None);
    assert_eq!(t[4].same_as, Some(2));
    assert_eq!(t[4].answers, Some(3));
}

#[test]
fn a_retry_with_new_bytes_after_an_answer_is_not_a_retransmission() {
    // IKE_SA_INIT, COOKIE demanded, the retry carries the cookie (other
    // bytes, same message ID): a new request.
    let mut b = SaBuilder::new();
    let req = key(SA_INIT, 0, false, true);
    b.send(Send::new(req, 0))
        .send(Send::new(key(SA_INIT, 0, true, false), 5));
    let mut retry = Send::new(req, 10);
    retry.content = 2;
    b.send(retry.clone());
    retry.millis = 1010;
    b.send(retry);
    let sa = b.build();
    let t = &sa.transmissions;
    assert_eq!(t[2].retransmission_of, None);
    assert_eq!(t[3].retransmission_of, Some(2));
    // Without an answer in between, other bytes are a re-send (e.g.
    // re-fragmented smaller, RFC 7383 §2.5.2).
    let mut b = SaBuilder::new();
    let req = key(AUTH, 1, false, true);
    b.send(Send::new(req, 0));
    let mut smaller = Send::new(req, 1000);
    smaller.content = 9;
    b.send(smaller);
    assert_eq!(b.build().transmissions[1].retransmission_of, Some(0));
}

#[test]
fn message_ids_count_per_requester() {
    // The responder's INFORMATIONAL request with ID 0 is not the answer to
    // the initiator's IKE_SA_INIT with ID 0 (RFC 7296 §2.2).
    let k = key(INFO, 0, false, false);
    assert!(!k.exchange_key().by_initiator);
    assert!(key(INFO, 0, true, true).exchange_key() == k.exchange_key());
    assert!(key(SA_INIT, 0, true, false).exchange_key().by_initiator);
}

#[test]
fn digest_is_fnv1a() {
    assert_eq!(super::digest(b""), 0xcbf2_9ce4_8422_2325);
    assert_eq!(super::digest(b"a"), 0xaf63_dc4c_8601_ec8c);
}

#[test]
fn a_retransmission_is_paired_with_its_own_copy_at_the_other_capture_point() {
    // The client file has the request at 0 and 1000 ms (identical bytes);
    // the server file sees each a few ms later. The second copy pairs with
    // the retransmission, not with the first sending.
    let mut b = SaBuilder::new();
    let req = key(AUTH, 1, false, true);
    b.send(Send::new(req, 0));
    let mut c = Send::new(req, 5);
    c.file = 1;
    b.send(c.clone());
    b.send(Send::new(req, 1000));
    c.millis = 1005;
    b.send(c);
    let t = b.build().transmissions;
    assert_eq!(t[1].same_as, Some(0));
    assert_eq!(t[2].same_as, None);
    assert_eq!(t[2].retransmission_of, Some(0));
    assert_eq!(t[3].same_as, Some(2));
}
