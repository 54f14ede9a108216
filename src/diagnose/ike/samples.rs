//! Hand-made probe facts for the findings and report tests: what the probe
//! records against a healthy strongSwan-like responder, and variations.
//! Values match the scripted responder of `probe::ike` (IKE_SA_INIT of 810
//! bytes on UDP 500 and 942 on UDP 4500, 2000-byte padded requests, 1.5 ms
//! round trips, an IKE_AUTH of 256 bytes answered AUTHENTICATION_FAILED).

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use super::{
    AuthFacts, AuthOutcome, ExchangeFacts, Outcome, PortResult, ResponseFacts, TargetResult,
};
use crate::wire::ike::ikeauth::AuthSummary;
use crate::wire::ike::{DhGroup, NotifyType, notation};

pub const ADDRESS: &str = "198.18.2.2";

pub fn address() -> IpAddr {
    ADDRESS.parse().unwrap()
}

/// A reason a test could not run, saying `text`.
pub fn could_not_run(text: &str) -> crate::diagnose::CouldNotRun {
    crate::diagnose::CouldNotRun::new(std::io::Error::other(text.to_owned()))
}

/// An exchange of `ip_bytes` towards `port` that got `response` (or none).
pub fn exchange(port: u16, ip_bytes: usize, response: Option<ResponseFacts>) -> ExchangeFacts {
    let mut e = ExchangeFacts::new(
        SocketAddr::new(address(), port),
        "198.18.1.2:40001".parse().unwrap(),
        [0x11; 8],
    );
    e.requests_sent = 1;
    e.ip_datagram_bytes = ip_bytes;
    e.udp_payload_bytes = ip_bytes - 28;
    if response.is_some() {
        e.outcome = Outcome::Answered;
        e.rtt = Some(Duration::from_micros(1500));
    } else {
        e.outcome = Outcome::NoAnswer;
        e.requests_sent = 2;
    }
    e.response = response;
    e
}

/// A full response choosing `proposal` (strongSwan notation), with or
/// without 16430, no NAT, the strongSwan vendor ID.
pub fn full(proposal: &str, fragmentation: bool) -> ResponseFacts {
    let mut chosen = notation::parse(proposal).unwrap();
    chosen.number = 1;
    ResponseFacts {
        chosen: Some(chosen),
        fragmentation_supported: fragmentation,
        responder_behind_nat: Some(false),
        initiator_behind_nat: Some(false),
        redirect: None,
        vendor_ids: vec!["strongSwan".to_owned()],
        errors: Vec::new(),
        requested_group: None,
    }
}

/// The answer to a stateless request: INVALID_KE_PAYLOAD asking for MODP-2048.
pub fn invalid_ke() -> ResponseFacts {
    ResponseFacts {
        errors: vec![NotifyType::INVALID_KE_PAYLOAD],
        requested_group: Some(DhGroup::MODP_2048),
        ..ResponseFacts::default()
    }
}

/// NO_PROPOSAL_CHOSEN.
pub fn no_proposal() -> ResponseFacts {
    ResponseFacts {
        errors: vec![NotifyType::NO_PROPOSAL_CHOSEN],
        ..ResponseFacts::default()
    }
}

/// The IKE_AUTH test answered with an encrypted AUTHENTICATION_FAILED.
pub fn auth_answered(fragmentation_negotiated: bool) -> AuthFacts {
    let mut a = AuthFacts::new(SocketAddr::new(address(), 4500), AuthOutcome::Answered);
    a.fragmentation_negotiated = fragmentation_negotiated;
    a.requests_sent = 1;
    a.request_ip_bytes = 256;
    a.rtt = Some(Duration::from_micros(2500));
    a.response = Some(AuthSummary {
        notifies: vec![NotifyType::AUTHENTICATION_FAILED],
        ..AuthSummary::default()
    });
    a
}

/// The IKE_AUTH test ending as `outcome` after three unanswered requests.
pub fn auth_failed(outcome: AuthOutcome, fragmentation_negotiated: bool) -> AuthFacts {
    let mut a = AuthFacts::new(SocketAddr::new(address(), 4500), outcome);
    a.fragmentation_negotiated = fragmentation_negotiated;
    a.requests_sent = 3;
    a.request_ip_bytes = 256;
    a
}

/// A healthy server: both ports answer, the padded requests too, 16430
/// offered, IKE_AUTH answered.
pub fn healthy() -> TargetResult {
    server(true, true)
}

/// The server as the probe sees it: `fragmentation` = 16430 offered,
/// `fragments_pass` = the padded (IP-fragmented) requests are answered.
pub fn server(fragmentation: bool, fragments_pass: bool) -> TargetResult {
    let padded = |port| exchange(port, 2000, fragments_pass.then(invalid_ke));
    let mut t = TargetResult::new(address());
    t.udp500 = Some(PortResult {
        port: 500,
        small: exchange(
            500,
            810,
            Some(full("aes256-sha256-modp2048", fragmentation)),
        ),
        fragmented: Some(padded(500)),
        canary: None,
    });
    t.udp4500 = Some(PortResult {
        port: 4500,
        small: exchange(4500, 942, Some(invalid_ke())),
        fragmented: Some(padded(4500)),
        canary: None,
    });
    t.ike_auth = Some(auth_answered(fragmentation));
    t
}

/// `port` unanswered (the padded request then skipped; on UDP 4500 the
/// IKE_AUTH test too).
pub fn silence_on(t: &mut TargetResult, port: u16) {
    let p = if port == 500 {
        &mut t.udp500
    } else {
        &mut t.udp4500
    };
    if let Some(p) = p {
        p.small = exchange(port, p.small.ip_datagram_bytes, None);
        p.fragmented = None;
    }
    if port == 4500
        && let Some(a) = &t.ike_auth
    {
        t.ike_auth = Some(auth_failed(
            AuthOutcome::NoAnswer,
            a.fragmentation_negotiated,
        ));
    }
}
