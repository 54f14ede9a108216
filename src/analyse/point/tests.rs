use super::*;
use crate::analyse::sa::NatCheck;
use crate::analyse::testing::*;
use crate::capture::PacketRef;

fn with_ttls(i: u8, r: Option<u8>) -> IkeSa {
    let mut b = SaBuilder::new();
    let mut req = Send::new(key(SA_INIT, 0, false, true), 0);
    req.ttl = i;
    b.send(req);
    if let Some(r) = r {
        let mut resp = Send::new(key(SA_INIT, 0, true, false), 5);
        resp.ttl = r;
        b.send(resp);
    }
    b.build()
}

#[test]
fn ttls_tell_which_host_the_capture_was_taken_on() {
    assert_eq!(
        capture_point(&with_ttls(64, Some(63)), 0).side,
        Side::Initiator
    );
    assert_eq!(
        capture_point(&with_ttls(127, Some(128)), 0).side,
        Side::Responder
    );
    // Only the initiator's packets, reduced: they crossed routers to get here.
    assert_eq!(capture_point(&with_ttls(63, None), 0).side, Side::Responder);
    assert_eq!(
        capture_point(&with_ttls(128, None), 0).side,
        Side::Initiator
    );
    // Both untouched (a lab on one link, a synthetic capture): no idea.
    assert_eq!(
        capture_point(&with_ttls(128, Some(128)), 0).side,
        Side::Unknown
    );
}

fn nat(sa: &mut IkeSa, by_initiator: bool, about_sender: bool, matches: bool) {
    sa.nat.checks.push(NatCheck {
        at: PacketRef { file: 0, frame: 1 },
        by_initiator,
        about_sender,
        matches,
    });
}

#[test]
fn nat_detection_hashes_tell_which_side_of_a_nat_the_capture_is() {
    // The client's own hash does not match what this point shows: a NAT
    // translated it on the way here, so this is the server's side.
    let mut sa = with_ttls(128, Some(128));
    nat(&mut sa, true, true, false);
    nat(&mut sa, false, true, true);
    let p = capture_point(&sa, 0);
    assert_eq!(p.side, Side::Responder);
    assert!(p.past_initiator_nat);
    assert!(
        p.describe()
            .starts_with("on the responder's (server's) side (a NAT translated"),
        "{}",
        p.describe()
    );
    // The client's own hash matches but the server saw it translated: this
    // point is inside the client's NAT.
    let mut sa = with_ttls(128, Some(128));
    nat(&mut sa, true, true, true);
    nat(&mut sa, false, false, false);
    assert_eq!(capture_point(&sa, 0).side, Side::Initiator);
    // TTLs and hashes disagree: no answer.
    let mut sa = with_ttls(64, Some(63));
    nat(&mut sa, true, true, false);
    assert_eq!(capture_point(&sa, 0).side, Side::Unknown);
}
