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
//! Delete asks the server to close it (with [`Request::delete_unanswered`],
//! after no answer too); strongSwan answers it but keeps an IKE SA whose
//! IKE_AUTH is unfinished until its half-open timeout.

use std::net::{IpAddr, SocketAddr};

use super::exchange::{
    Arrived, ExchangeError, MAX_TOO_BIG_RESENDS, NATT_PORT, SaInit, Step, Timing, Waited,
    ike_overhead, ip_udp_overhead, wait_for,
};
use super::kex::KexError;
use super::responder::{AUTH_FLOOR, Responder, SA_INIT_FLOOR};
use crate::diagnose::CouldNotRun;
use crate::diagnose::ike::{AuthFacts, AuthOutcome};
use crate::env::Env;
use crate::probe::net::{Conn, Fragmentation, Options};
use crate::wire::ike::credentials::{self, CA_HASH_LEN, CertReq, Credentials, Identification};
use crate::wire::ike::ikeauth::{self, AuthSummary};
use crate::wire::ike::protect::{self, Envelope, Opened, Protection, Sender, Suite};
use crate::wire::ike::{
    ExchangeType, Flags, Header, Message, NotifyType, Payload, PayloadType, VERSION_2_0, emit_chain,
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
        let mut inner = Vec::new();
        emit_chain(payloads, &mut inner);
        let first = payloads.first().map_or(PayloadType::NONE, Payload::kind);
        self.seal(exchange, message_id, Envelope::Sk, first, &inner)
    }

    /// The request as RFC 7383 SKF pieces, each a whole IKE message of at
    /// most `max_ike` bytes (§2.5: same message ID, Fragment Number 1..n,
    /// the first inner payload's type in fragment 1 only). One piece when
    /// it fits whole.
    fn fragmented_request(
        &self,
        exchange: ExchangeType,
        message_id: u32,
        payloads: &[Payload],
        max_ike: usize,
    ) -> Result<Vec<Vec<u8>>, protect::ProtectError> {
        let mut inner = Vec::new();
        emit_chain(payloads, &mut inner);
        let first = payloads.first().map_or(PayloadType::NONE, Payload::kind);
        let suite = &self.protection.suite;
        if suite.sealed_len(Envelope::Sk, inner.len()) <= max_ike {
            return Ok(vec![self.seal(
                exchange,
                message_id,
                Envelope::Sk,
                first,
                &inner,
            )?]);
        }
        // The largest share whose sealed piece fits (padding included).
        let room = (1..=max_ike)
            .rev()
            .find(|&n| {
                suite.sealed_len(
                    Envelope::Skf {
                        number: 1,
                        total: 1,
                    },
                    n,
                ) <= max_ike
            })
            .unwrap_or(1);
        let pieces: Vec<&[u8]> = inner.chunks(room).collect();
        let total =
            u16::try_from(pieces.len()).map_err(|_| protect::ProtectError::BadCiphertext {
                what: "at most 65535 IKE fragments",
                len: inner.len(),
            })?;
        pieces
            .iter()
            .zip(1u16..)
            .map(|(piece, number)| {
                let next = if number == 1 {
                    first
                } else {
                    PayloadType::NONE
                };
                self.seal(
                    exchange,
                    message_id,
                    Envelope::Skf { number, total },
                    next,
                    piece,
                )
            })
            .collect()
    }

    fn seal(
        &self,
        exchange: ExchangeType,
        message_id: u32,
        envelope: Envelope,
        first: PayloadType,
        inner: &[u8],
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
        let mut iv = vec![0u8; self.protection.suite.encr.iv_len()];
        rand::fill(&mut iv[..]);
        self.protection
            .seal(Sender::Initiator, header, envelope, first, inner, &iv)
    }

    /// RFC 7296 §2.15: the octets the responder's AUTH signs,
    /// `RealMessage2 | NonceIData | prf(SK_pr, RestOfIDPayloadR)`.
    fn responder_signed_octets(&self, init: &SaInit, idr: &Identification) -> Option<Vec<u8>> {
        let maced = self
            .protection
            .suite
            .prf
            .prf(&self.protection.keys.sk_pr, &[&idr.body()])
            .ok()?;
        Some(credentials::responder_signed_octets(
            &init.response_bytes,
            &init.nonce_i,
            &maced,
        ))
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

/// An IKE message as sent to `peer`: with the non-ESP marker on UDP 4500,
/// bare on any other port (UDP 500) (RFC 3948 §2.2).
fn framed(peer: SocketAddr, ike: &[u8]) -> Vec<u8> {
    if peer.port() == NATT_PORT {
        natt::with_marker(ike)
    } else {
        ike.to_vec()
    }
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

/// What the IKE_AUTH request says about the client: who it claims to be
/// and, for the server-certificate check, which roots it trusts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// IDi (RFC 7296 §3.5).
    pub identity: Identification,
    /// CERTREQ authorities (§3.7: SHA-1 of each trusted root's
    /// SubjectPublicKeyInfo); none sends no CERTREQ.
    pub certreq: Option<Vec<[u8; CA_HASH_LEN]>>,
    /// Send the INFORMATIONAL Delete after no answer too (the
    /// server-certificate check: an answered Delete shows the server had
    /// the IKE_AUTH). Off for the plain IKE_AUTH test, where silence mostly
    /// means another server, which a Delete would only wait out.
    pub delete_unanswered: bool,
}

impl Default for Request {
    /// The probe's made-up identity ([`ikeauth::PROBE_IDENTITY`]), no CERTREQ.
    fn default() -> Self {
        Request {
            identity: Identification::from_text(ikeauth::PROBE_IDENTITY),
            certreq: None,
            delete_unanswered: false,
        }
    }
}

/// RFC 7383 §2.5.1: without a known path MTU, fragments should fit 576
/// bytes (IPv4) or 1280 bytes (IPv6) as IP datagrams.
pub fn fragment_ip_limit(peer: SocketAddr) -> usize {
    if peer.is_ipv4() { 576 } else { 1280 }
}

/// Runs the test after the UDP 500 exchange `init` (`None`: it got no
/// response, so the test cannot run), towards `address`:4500, with the
/// probe's identity and no CERTREQ, paced on its own (a fresh
/// [`Responder`] for `timing`).
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

/// [`run`], paced by what `responder` knows about the server.
pub fn run_with(
    env: &Env,
    responder: &Responder,
    init: Option<&SaInit>,
    fragmentation_negotiated: bool,
) -> Result<AuthFacts, ExchangeError> {
    run_request(
        env,
        responder,
        init,
        fragmentation_negotiated,
        &Request::default(),
    )
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
    run_request_to(
        env,
        &Responder::new(peer.ip(), timing),
        peer,
        init,
        fragmentation_negotiated,
        &Request::default(),
    )
}

/// [`run_with`] with the IDi and CERTREQ of `request`, on a new
/// conversation towards the responder's UDP 4500.
pub fn run_request(
    env: &Env,
    responder: &Responder,
    init: Option<&SaInit>,
    fragmentation_negotiated: bool,
    request: &Request,
) -> Result<AuthFacts, ExchangeError> {
    run_request_to(
        env,
        responder,
        SocketAddr::new(responder.address(), NATT_PORT),
        init,
        fragmentation_negotiated,
        request,
    )
}

fn run_request_to(
    env: &Env,
    responder: &Responder,
    peer: SocketAddr,
    init: Option<&SaInit>,
    fragmentation_negotiated: bool,
    request: &Request,
) -> Result<AuthFacts, ExchangeError> {
    if let Err(e) = ike_sa(init) {
        return Ok(AuthFacts::new(
            peer,
            AuthOutcome::NotRun(CouldNotRun::new(e)),
        ));
    }
    let mut conn = env.udp.open(
        peer,
        Options {
            fragmentation: Fragmentation::SystemDefault,
        },
    )?;
    run_on(
        env,
        conn.as_mut(),
        responder,
        init,
        fragmentation_negotiated,
        request,
    )
}

/// How the wait for the IKE_AUTH response ended early.
enum AuthEnd {
    Complete,
    InvalidIkeSpi,
}

/// The IKE_AUTH exchange on a conversation the caller opened (towards UDP
/// 4500 of the server: the same one the IKE_SA_INIT `init` came over, or a
/// new one), paced by `responder`, bounded as the module documentation
/// says.
pub fn run_on(
    env: &Env,
    conn: &mut dyn Conn,
    responder: &Responder,
    init: Option<&SaInit>,
    fragmentation_negotiated: bool,
    request: &Request,
) -> Result<AuthFacts, ExchangeError> {
    let peer = conn.peer_addr();
    let timing = responder.timing();
    let (sa, init) = match (ike_sa(init), init) {
        (Ok(sa), Some(init)) => (sa, init),
        (Err(e), _) => {
            return Ok(AuthFacts::new(
                peer,
                AuthOutcome::NotRun(CouldNotRun::new(e)),
            ));
        }
        (Ok(_), None) => {
            return Ok(AuthFacts::new(
                peer,
                AuthOutcome::NotRun(CouldNotRun::new(SaError::NoResponse)),
            ));
        }
    };
    let mut report = AuthFacts::new(peer, AuthOutcome::NoAnswer);
    report.fragmentation_negotiated = fragmentation_negotiated;
    report.server_certreqs = credentials::certreqs(&init.response.payloads);
    report.certreq_sent = request.certreq.as_ref().map(Vec::len);
    let mut esp_spi = [0u8; 4];
    rand::fill(&mut esp_spi[..]);
    esp_spi[0] |= 0x80; // never below 256 (RFC 4303 §2.1 reserves 1..255)
    let certreq = request.certreq.clone().map(CertReq::x509);
    let payloads =
        ikeauth::request_payloads(&request.identity, certreq.as_ref(), esp_spi, peer.ip());
    // With 16430 negotiated a large request (a CERTREQ naming many roots)
    // goes as SKF pieces, as a Windows 10 1803+ client sends it; without,
    // as one datagram the network may have to fragment.
    let max_ike = if fragmentation_negotiated {
        fragment_ip_limit(peer).saturating_sub(ike_overhead(peer))
    } else {
        usize::MAX
    };
    let datagrams: Vec<Vec<u8>> = sa
        .fragmented_request(ExchangeType::IKE_AUTH, 1, &payloads, max_ike)
        .map_err(|e| ExchangeError::Protect { peer, source: e })?
        .iter()
        .map(|m| framed(peer, m))
        .collect();
    report.request_ip_bytes = datagrams
        .iter()
        .map(|d| d.len() + ip_udp_overhead(peer))
        .max()
        .unwrap_or(0);
    report.request_fragments = if datagrams.len() > 1 {
        datagrams.len() as u16
    } else {
        0
    };
    let mut response = Response::default();
    let mut too_big_resends = 0u8;
    let mut sends = 0u32;
    for attempt in 0..=timing.retransmits {
        for d in &datagrams {
            conn.send(d)?;
        }
        sends += 1;
        let mut sent_at = env.clock.now();
        let mut first_piece = None;
        let waited = wait_for(
            conn,
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
                    let ip_bytes = bytes.len() + ip_udp_overhead(peer);
                    match classify(&bytes, peer.port(), &sa, ExchangeType::IKE_AUTH, 1) {
                        Seen::Protected(opened) => {
                            first_piece.get_or_insert_with(|| env.clock.now());
                            let complete = response.add(opened, ip_bytes);
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
        let payloads = response.payloads();
        report.response = payloads.as_deref().map(AuthSummary::read);
        report.response_ip_bytes = response.datagram_sizes();
        report.response_whole_ip_bytes = response.plaintext().map(|(_, plain)| {
            sa.protection.suite.sealed_len(Envelope::Sk, plain.len()) + ike_overhead(peer)
        });
        if let Some(p) = &payloads {
            let creds = Credentials::read(p);
            if let Some(idr) = &creds.id {
                report.signed_octets = sa.responder_signed_octets(init, idr).unwrap_or_default();
            }
            report.credentials = Some(creds);
        }
        // §2.21.2: after an error notify such as AUTHENTICATION_FAILED the
        // responder has no IKE SA left; otherwise close it (good citizen).
        let closed = report
            .response
            .as_ref()
            .is_some_and(|s| s.errors().next().is_some());
        if !closed {
            delete(conn, env, responder, &sa, &mut report)?;
        }
    } else if report.outcome == AuthOutcome::NoAnswer && request.delete_unanswered {
        // No answer: the server may still hold the IKE SA half-open (and
        // have answered an IKE_AUTH lost on the way back). Message 2 is in
        // its window only if it received message 1 (§2.3), so an answer to
        // this Delete also says the IKE_AUTH arrived.
        delete(conn, env, responder, &sa, &mut report)?;
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
    conn.send(&framed(peer, &msg))?;
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

mod response;

use response::Response;

#[cfg(test)]
mod tests;
