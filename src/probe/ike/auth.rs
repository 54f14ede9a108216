//! The IKE_AUTH test: does UDP 4500 reach the server that holds the IKE SA?
//!
//! An Always On VPN client does IKE_SA_INIT on UDP 500 and moves to UDP 4500
//! for IKE_AUTH (RFC 7296 §2.23, RFC 3948). A load balancer without source
//! persistence across both services sends the 4500 packets to another
//! server, which never saw the IKE_SA_INIT: IKE_AUTH vanishes (error 809),
//! although each port answers IKE_SA_INIT on its own.
//!
//! So after a complete IKE_SA_INIT on UDP 500 this module derives the IKE
//! SA's keys (RFC 7296 §2.14) and sends what a client sends next, without
//! credentials: an IKE_AUTH request (message ID 1) on UDP 4500 with the
//! non-ESP marker, protected with SK, with IDi and no AUTH (a client asking
//! for EAP). Any response with our SPI and message ID 1 whose integrity
//! check verifies proves that the packet reached the server with the SA
//! (nobody else has SK_ar). An unprotected INVALID_IKE_SPI, or silence,
//! means it reached a server without it (or nothing at all).
//!
//! Bounded like every exchange: `1 + retransmits` sends paced by the
//! [`Responder`] (the round trip of its IKE_SA_INIT answers, at least
//! [`AUTH_FLOOR`], doubled per retransmission; an ICMP "too big" is
//! answered by sending again at once), at most [`MAX_DATAGRAMS_PER_WAIT`](crate::probe::net::MAX_DATAGRAMS_PER_WAIT)
//! datagrams read per wait, at most [`MAX_FRAGMENTS`] SKF pieces kept. When
//! the server answered and the IKE SA is still alive, one INFORMATIONAL
//! Delete closes it again.

use std::collections::BTreeMap;
use std::net::{IpAddr, SocketAddr};

use super::exchange::{
    Arrived, ExchangeError, MAX_TOO_BIG_RESENDS, NATT_PORT, SaInit, Step, Timing, Waited,
    ip_udp_overhead, wait_for,
};
use super::kex::KexError;
use super::responder::{AUTH_FLOOR, Responder, SA_INIT_FLOOR};
use crate::diagnose::CouldNotRun;
use crate::diagnose::ike::{AuthFacts, AuthOutcome};
use crate::env::Env;
use crate::probe::net::{Conn, Fragmentation, Options};
use crate::wire::ike::ikeauth::{self, AuthSummary};
use crate::wire::ike::protect::{self, Envelope, Opened, Protection, Sender, Suite};
use crate::wire::ike::{
    ExchangeType, Flags, Header, Message, NotifyType, Payload, PayloadType, VERSION_2_0,
    emit_chain, parse_chain,
};
use crate::wire::natt::{self, Udp4500};

/// SKF pieces kept per response (RFC 7383 allows up to 65535; a real
/// IKE_AUTH response is a handful).
pub const MAX_FRAGMENTS: u16 = 64;

/// The IKE SA made by one IKE_SA_INIT exchange, with its keys.
struct IkeSa {
    spi_i: [u8; 8],
    spi_r: [u8; 8],
    protection: Protection,
}

/// Why the IKE SA of an IKE_SA_INIT cannot be derived, so the IKE_AUTH test
/// cannot run (RFC 7296 §2.14 needs the chosen suite, both KE values and
/// both nonces).
#[derive(Debug, thiserror::Error)]
pub enum SaError {
    #[error("IKE_SA_INIT on UDP 500 got no answer")]
    NoResponse,
    #[error("the IKE_SA_INIT response chose no proposal")]
    NoProposal,
    #[error("the IKE_SA_INIT response has no KE payload")]
    NoKe,
    #[error("the IKE_SA_INIT response has no nonce")]
    NoNonce,
    /// An algorithm the probe cannot do, or keys it cannot derive.
    #[error(transparent)]
    Protect(#[from] protect::ProtectError),
    #[error(transparent)]
    Kex(#[from] KexError),
}

/// Derives the IKE SA from an answered IKE_SA_INIT, or says why it cannot.
fn ike_sa(init: Option<&SaInit>) -> Result<IkeSa, SaError> {
    let init = init.ok_or(SaError::NoResponse)?;
    let msg = &init.response;
    let chosen = msg
        .sa()
        .and_then(|sa| sa.proposals.first())
        .ok_or(SaError::NoProposal)?;
    let suite = Suite::from_proposal(chosen)?;
    let ke = msg.ke().ok_or(SaError::NoKe)?;
    let nr = msg.nonce().ok_or(SaError::NoNonce)?;
    let shared = init.key_pair.shared_secret(ke.group, &ke.data)?;
    let keys = protect::derive_keys(
        &suite,
        &shared,
        &init.nonce_i,
        nr,
        &init.spi_i,
        &msg.header.spi_r,
    )?;
    Ok(IkeSa {
        spi_i: init.spi_i,
        spi_r: msg.header.spi_r,
        protection: Protection { suite, keys },
    })
}

impl IkeSa {
    /// A protected request from us (the original initiator, §3.1 I flag).
    fn request(
        &self,
        exchange: ExchangeType,
        message_id: u32,
        payloads: &[Payload],
    ) -> Result<Vec<u8>, protect::ProtectError> {
        let header = Header {
            spi_i: self.spi_i,
            spi_r: self.spi_r,
            next_payload: PayloadType::NONE,
            version: VERSION_2_0,
            exchange,
            flags: Flags(Flags::INITIATOR),
            message_id,
            length: 0,
        };
        let mut inner = Vec::new();
        emit_chain(payloads, &mut inner);
        let first = payloads.first().map_or(PayloadType::NONE, Payload::kind);
        let mut iv = vec![0u8; self.protection.suite.encr.iv_len()];
        rand::fill(&mut iv[..]);
        self.protection
            .seal(Sender::Initiator, header, Envelope::Sk, first, &inner, &iv)
    }
}

/// What one received datagram means for the exchange in progress.
enum Seen {
    /// A verified SK message or SKF piece of the response we wait for.
    Protected(Opened),
    InvalidIkeSpi,
    BadIntegrity,
    Other,
}

fn classify(bytes: &[u8], port: u16, sa: &IkeSa, exchange: ExchangeType, message_id: u32) -> Seen {
    let ike = if port == NATT_PORT {
        let Udp4500::Ike(ike) = natt::classify_4500(bytes) else {
            return Seen::Other;
        };
        ike
    } else {
        bytes
    };
    let Ok(h) = Header::parse(ike) else {
        return Seen::Other;
    };
    if h.spi_i != sa.spi_i || h.is_ikev1() {
        return Seen::Other;
    }
    if h.flags.is_response()
        && h.exchange == exchange
        && h.message_id == message_id
        && h.spi_r == sa.spi_r
    {
        match sa.protection.open(Sender::Responder, ike) {
            Ok(opened) => return Seen::Protected(opened),
            // In clear: only an INVALID_IKE_SPI below means anything.
            Err(protect::ProtectError::NotProtected) => {}
            Err(_) => return Seen::BadIntegrity,
        }
    }
    // RFC 7296 §2.21.4: a server without the SA may answer in clear with
    // INVALID_IKE_SPI (strongSwan and Windows usually stay silent).
    match Message::parse(ike) {
        Ok(m) if m.notify(NotifyType::INVALID_IKE_SPI).is_some() => Seen::InvalidIkeSpi,
        _ => Seen::Other,
    }
}

/// Collected pieces of one response.
#[derive(Default)]
struct Response {
    whole: Option<Opened>,
    fragments: BTreeMap<u16, Opened>,
    total: u16,
}

impl Response {
    /// Adds a verified piece; true once the response is complete.
    fn add(&mut self, opened: Opened) -> bool {
        match opened.envelope {
            Envelope::Sk => {
                self.whole = Some(opened);
                true
            }
            Envelope::Skf { number, total } => {
                if total == 0 || total > MAX_FRAGMENTS || number == 0 || number > total {
                    return false;
                }
                if self.total != total {
                    // A new total means a new fragmentation of the message
                    // (RFC 7383 §2.6.2): start over with it.
                    self.fragments.clear();
                    self.total = total;
                }
                self.fragments.insert(number, opened);
                self.fragments.len() == usize::from(total)
            }
        }
    }

    fn verified(&self) -> bool {
        self.whole.is_some() || !self.fragments.is_empty()
    }

    /// The inner payloads of a complete response (RFC 7383 §2.6: the
    /// plaintexts of fragments 1..n in order, first type from fragment 1).
    fn payloads(&self) -> Option<Vec<Payload>> {
        if let Some(w) = &self.whole {
            return parse_chain(w.first_inner, &w.plaintext, 0).ok();
        }
        if self.total == 0 || self.fragments.len() != usize::from(self.total) {
            return None;
        }
        let first = self.fragments.get(&1)?.first_inner;
        let joined: Vec<u8> = self
            .fragments
            .values()
            .flat_map(|f| f.plaintext.iter().copied())
            .collect();
        parse_chain(first, &joined, 0).ok()
    }
}

/// Runs the test after the UDP 500 exchange `init` (`None`: it got no
/// response, so the test cannot run), towards `address`:4500, paced on its
/// own (a fresh [`Responder`] for `timing`).
pub fn run(
    env: &Env,
    address: IpAddr,
    init: Option<&SaInit>,
    fragmentation_negotiated: bool,
    timing: Timing,
) -> Result<AuthFacts, ExchangeError> {
    run_with(
        env,
        &Responder::new(address, timing),
        init,
        fragmentation_negotiated,
    )
}

/// How the wait for the IKE_AUTH response ended early.
enum AuthEnd {
    Complete,
    InvalidIkeSpi,
}

/// [`run`], paced by what `responder` knows about the server.
pub fn run_with(
    env: &Env,
    responder: &Responder,
    init: Option<&SaInit>,
    fragmentation_negotiated: bool,
) -> Result<AuthFacts, ExchangeError> {
    let peer = SocketAddr::new(responder.address(), NATT_PORT);
    run_to_with(env, responder, peer, init, fragmentation_negotiated)
}

/// The same test towards any `peer`: on UDP 4500 with the non-ESP marker,
/// on any other port (UDP 500) without (RFC 3948 §2.2). `lb` sends the
/// IKE_AUTH on UDP 500 too: an answer there and none on 4500 proves that
/// 4500 reached another server, and closes the IKE SA.
pub fn run_to(
    env: &Env,
    peer: SocketAddr,
    init: Option<&SaInit>,
    fragmentation_negotiated: bool,
    timing: Timing,
) -> Result<AuthFacts, ExchangeError> {
    let responder = Responder::new(peer.ip(), timing);
    run_to_with(env, &responder, peer, init, fragmentation_negotiated)
}

/// [`run_to`], paced by what `responder` (at `peer`'s address) knows.
pub fn run_to_with(
    env: &Env,
    responder: &Responder,
    peer: SocketAddr,
    init: Option<&SaInit>,
    fragmentation_negotiated: bool,
) -> Result<AuthFacts, ExchangeError> {
    let address = peer.ip();
    let timing = responder.timing();
    let framed = |ike: &[u8]| {
        if peer.port() == NATT_PORT {
            natt::with_marker(ike)
        } else {
            ike.to_vec()
        }
    };
    let sa = match ike_sa(init) {
        Ok(sa) => sa,
        Err(e) => {
            return Ok(AuthFacts::new(
                peer,
                AuthOutcome::NotRun(CouldNotRun::new(e)),
            ));
        }
    };
    let mut report = AuthFacts::new(peer, AuthOutcome::NoAnswer);
    report.fragmentation_negotiated = fragmentation_negotiated;
    let mut esp_spi = [0u8; 4];
    rand::fill(&mut esp_spi[..]);
    esp_spi[0] |= 0x80; // never below 256 (RFC 4303 §2.1 reserves 1..255)
    let payloads = ikeauth::eap_request_payloads(ikeauth::PROBE_IDENTITY, esp_spi, address);
    let request = sa
        .request(ExchangeType::IKE_AUTH, 1, &payloads)
        .map_err(|e| ExchangeError::Protect { peer, source: e })?;
    let datagram = framed(&request);
    report.request_ip_bytes = datagram.len() + ip_udp_overhead(peer);
    let mut conn = env.udp.open(
        peer,
        Options {
            fragmentation: Fragmentation::SystemDefault,
        },
    )?;
    let mut response = Response::default();
    let mut too_big_resends = 0u8;
    let mut sends = 0u32;
    for attempt in 0..=timing.retransmits {
        conn.send(&datagram)?;
        sends += 1;
        let mut sent_at = env.clock.now();
        let mut first_piece = None;
        let waited = wait_for(
            conn.as_mut(),
            env.clock,
            responder,
            attempt,
            AUTH_FLOOR,
            &mut sent_at,
            |seen| match seen {
                Arrived::Unreachable => Step::Unreachable,
                Arrived::TooBig => {
                    if too_big_resends < MAX_TOO_BIG_RESENDS {
                        too_big_resends += 1;
                        Step::Resend
                    } else {
                        Step::Wait
                    }
                }
                Arrived::Datagram(bytes) => {
                    match classify(&bytes, peer.port(), &sa, ExchangeType::IKE_AUTH, 1) {
                        Seen::Protected(opened) => {
                            first_piece.get_or_insert_with(|| env.clock.now());
                            let complete = response.add(opened);
                            report.skf_fragments = response.fragments.len() as u16;
                            report.skf_total = response.total;
                            if complete {
                                Step::Done(AuthEnd::Complete)
                            } else {
                                Step::Wait
                            }
                        }
                        Seen::InvalidIkeSpi if !response.verified() => {
                            Step::Done(AuthEnd::InvalidIkeSpi)
                        }
                        Seen::InvalidIkeSpi => Step::Wait,
                        Seen::BadIntegrity => {
                            report.integrity_failures += 1;
                            Step::Wait
                        }
                        Seen::Other => {
                            report.ignored += 1;
                            Step::Wait
                        }
                    }
                }
            },
        )?;
        if report.rtt.is_none() {
            report.rtt = first_piece.map(|t| t.saturating_duration_since(sent_at));
        }
        match waited {
            Waited::Answer(AuthEnd::Complete, _) => break,
            Waited::Answer(AuthEnd::InvalidIkeSpi, rtt) => {
                report.outcome = AuthOutcome::InvalidIkeSpi;
                report.rtt = Some(rtt);
                break;
            }
            Waited::Unreachable => {
                report.outcome = AuthOutcome::Unreachable;
                break;
            }
            Waited::TimedOut => {}
        }
    }
    report.requests_sent = sends;
    if response.verified() {
        report.outcome = AuthOutcome::Answered;
        report.response = response.payloads().map(|p| AuthSummary::read(&p));
        // §2.21.2: after an error notify such as AUTHENTICATION_FAILED the
        // responder has no IKE SA left; otherwise close it (good citizen).
        let closed = report
            .response
            .as_ref()
            .is_some_and(|s| s.errors().next().is_some());
        if !closed {
            delete(conn.as_mut(), env, responder, &sa, &mut report)?;
        }
    }
    Ok(report)
}

/// Sends one INFORMATIONAL Delete for the IKE SA (message ID 2) and waits
/// one paced wait for its answer; never retransmitted.
fn delete(
    conn: &mut dyn Conn,
    env: &Env,
    responder: &Responder,
    sa: &IkeSa,
    report: &mut AuthFacts,
) -> Result<(), ExchangeError> {
    let peer = report.peer;
    let msg = sa
        .request(ExchangeType::INFORMATIONAL, 2, &[ikeauth::delete_ike_sa()])
        .map_err(|e| ExchangeError::Protect { peer, source: e })?;
    let datagram = if peer.port() == NATT_PORT {
        natt::with_marker(&msg)
    } else {
        msg
    };
    conn.send(&datagram)?;
    report.delete_sent = true;
    let mut sent_at = env.clock.now();
    let waited = wait_for(
        conn,
        env.clock,
        responder,
        0,
        SA_INIT_FLOOR,
        &mut sent_at,
        |seen| match seen {
            Arrived::Datagram(bytes) => {
                match classify(&bytes, peer.port(), sa, ExchangeType::INFORMATIONAL, 2) {
                    Seen::Protected(_) => Step::Done(()),
                    _ => Step::Wait,
                }
            }
            Arrived::TooBig => Step::Wait,
            Arrived::Unreachable => Step::Unreachable,
        },
    )?;
    report.delete_answered = matches!(waited, Waited::Answer(..));
    Ok(())
}

#[cfg(test)]
mod tests;
