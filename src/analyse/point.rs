//! Where on the path between initiator and responder a capture file was
//! taken, from what its packets show:
//!
//! - TTL / hop limit: a host sends with 64, 128 or 255; every router on the
//!   way takes one off. When one side's packets arrive with an untouched
//!   value and the other side's with a reduced one, the capture was taken
//!   on (or next to) the first side's host.
//! - NAT_DETECTION hashes (RFC 7296 §2.23): each peer hashes its own
//!   address as it sees it (NAT_DETECTION_SOURCE_IP). When the client's
//!   hash does not match the address this capture shows, a NAT rewrote it
//!   before the capture point, so the capture is on the server's side of
//!   that NAT (clients sit behind their NAT; captures are taken at one end
//!   or the other); when a peer's own hash matches although the other
//!   side's hash shows a NAT in front of it, the capture sits inside that
//!   peer's NAT. Peers that force UDP encapsulation fake these hashes, so
//!   when both peers' own hashes fail they say nothing.
//!
//! Neither is proof on its own (a capture on a router next to the host
//! looks the same as one on the host), so the findings word what follows
//! from the side as "this capture point" and name the capture that would
//! settle the rest.

use super::sa::IkeSa;

/// Which end of the path a capture file was taken at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// On the initiator (client) or its network, before any NAT of its own.
    Initiator,
    /// On the responder (server) or its network, inside any NAT in front of it.
    Responder,
    Unknown,
}

/// What the packets of one capture file say about where it was taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CapturePoint {
    pub side: Side,
    /// The initiator's own NAT_DETECTION_SOURCE_IP hash does not match the
    /// address seen here: a NAT between the initiator and this point.
    pub past_initiator_nat: bool,
    /// The responder's own hash does not match: a NAT between this point
    /// and the responder.
    pub before_responder_nat: bool,
    /// Why `side` is what it is.
    pub reason: &'static str,
}

impl CapturePoint {
    /// Words for the human view: "on the responder's side (...)".
    pub fn describe(&self) -> String {
        let side = match self.side {
            Side::Initiator => "on the initiator's (client's) side",
            Side::Responder => "on the responder's (server's) side",
            Side::Unknown => "between initiator and responder, side unknown",
        };
        let mut s = format!("{side} ({})", self.reason);
        if self.side == Side::Unknown {
            if self.past_initiator_nat {
                s.push_str("; past the client's NAT");
            }
            if self.before_responder_nat {
                s.push_str("; outside the server's NAT");
            }
        }
        s
    }
}

/// TTL / hop limit values hosts send with (Linux, macOS: 64; Windows: 128;
/// network devices: 255).
fn initial_ttl(ttl: u8) -> bool {
    matches!(ttl, 64 | 128 | 255)
}

/// Where capture file `file` of this SA was taken.
pub fn capture_point(sa: &IkeSa, file: u16) -> CapturePoint {
    let here = sa.transmissions.iter().filter(|t| t.file == file);
    let (mut i_initial, mut i_reduced, mut r_initial, mut r_reduced) = (0, 0, 0, 0);
    for t in here {
        let initial = initial_ttl(t.ttl);
        match (t.key.from_initiator, initial) {
            (true, true) => i_initial += 1,
            (true, false) => i_reduced += 1,
            (false, true) => r_initial += 1,
            (false, false) => r_reduced += 1,
        }
    }
    let checks = sa.nat.checks.iter().filter(|c| c.at.file == file);
    let (mut past_i, mut before_r, mut own_i_ok, mut own_r_ok) = (false, false, false, false);
    for c in checks {
        match (c.by_initiator, c.about_sender, c.matches) {
            (true, true, false) => past_i = true,
            (true, true, true) => own_i_ok = true,
            (false, true, false) => before_r = true,
            (false, true, true) => own_r_ok = true,
            _ => {}
        }
    }
    let nat_in_front_of_i = sa.nat.initiator_behind_nat();
    let nat_in_front_of_r = sa.nat.responder_behind_nat();
    // One side's packets with their first TTL and the other's reduced (or
    // absent): the capture was taken where the first side sends from.
    let by_ttl = if i_initial > 0 && i_reduced == 0 && r_initial == 0 {
        Some(Side::Initiator)
    } else if i_reduced > 0 && i_initial == 0 && r_reduced == 0 {
        Some(Side::Responder)
    } else {
        None
    };
    // A peer's own hash wrong here: a NAT rewrote its address before this
    // point, so the capture is on the other side of that NAT; right here
    // although the other side saw it translated: inside that peer's NAT.
    let by_nat = match (
        past_i || (own_r_ok && nat_in_front_of_r),
        before_r || (own_i_ok && nat_in_front_of_i),
    ) {
        (true, false) => Some(Side::Responder),
        (false, true) => Some(Side::Initiator),
        _ => None,
    };
    let (side, reason) = match (by_ttl, by_nat) {
        (Some(a), Some(b)) if a == b => (a, "TTLs and NAT_DETECTION hashes agree"),
        (Some(_), Some(_)) => (Side::Unknown, "TTLs and NAT_DETECTION hashes disagree"),
        (Some(Side::Initiator), None) => (
            Side::Initiator,
            "the initiator's packets carry their first TTL, the responder's arrive reduced",
        ),
        (Some(Side::Responder), None) => (
            Side::Responder,
            "the initiator's packets arrive with a reduced TTL, the responder's carry their first",
        ),
        (None, Some(Side::Responder)) if past_i => (
            Side::Responder,
            "a NAT translated the client's address before this point: its own NAT_DETECTION hash does not match it",
        ),
        (None, Some(Side::Responder)) => (
            Side::Responder,
            "the server's own NAT_DETECTION hash matches its address here, inside its NAT",
        ),
        (None, Some(Side::Initiator)) if before_r => (
            Side::Initiator,
            "a NAT translates the server's address after this point: its own NAT_DETECTION hash does not match it",
        ),
        (None, Some(Side::Initiator)) => (
            Side::Initiator,
            "the client's own NAT_DETECTION hash matches its address here, inside its NAT",
        ),
        _ => (Side::Unknown, "neither TTLs nor NAT_DETECTION hashes tell"),
    };
    CapturePoint {
        side,
        past_initiator_nat: past_i,
        before_responder_nat: before_r,
        reason,
    }
}

#[cfg(test)]
mod tests;
