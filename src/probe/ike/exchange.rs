//! One IKE_SA_INIT exchange with one server address and port, as a real
//! initiator runs it (RFC 7296 §1.2, §2.1, §2.6, §1.3): send the request,
//! retransmit the identical bytes with backoff while no answer comes, retry
//! with a COOKIE or with the key exchange group the responder asks for, stop
//! at the first real answer. On UDP 4500 every message carries the non-ESP
//! marker (RFC 3948 §2.2).
//!
//! Every wait has a deadline and every loop a fixed bound: at most
//! [`MAX_ROUNDS`] request variants, each sent at most `1 + retransmits` times
//! (plus at most [`MAX_TOO_BIG_RESENDS`] re-sends that answer an ICMP "too
//! big"). The waits come from the [`Responder`]: the `--timeout` schedule
//! until the responder's round trip is known, then that round trip (see
//! `responder` for the floors and the backoff), re-read while waiting.
//!
//! An ICMP error about a request is acted on at once: "unreachable" ends
//! the exchange; "fragmentation needed" / "packet too big" means a router
//! dropped the request and the kernel now knows the smaller path MTU, so
//! the request is sent again at once (fragmented to fit, for a request that
//! may be fragmented) instead of after the wait. (Seen in the lab: the
//! first IPv6 padded request draws a packet-too-big; waiting out the wait
//! cost 2 s.)

use std::net::SocketAddr;
use std::time::Duration;

use super::kex::{self, KexError, KeyPair};
use super::responder::{RECHECK, Responder, SA_INIT_FLOOR};
use crate::diagnose::ike::{ExchangeFacts, Outcome, ResponseFacts, Unfinished};
use crate::env::{Clock, Env};
use crate::probe::net::{Conn, Fragmentation, MAX_DATAGRAMS_PER_WAIT, NetError, Options, Received};
use crate::wire::ike::builder::{BuildError, SaInitRequest};
use crate::wire::ike::{DhGroup, ExchangeType, Ke, Message, Notify, NotifyType, Proposal};
use crate::wire::natt::{self, Udp4500};

/// First request, one COOKIE retry, and up to two INVALID_KE_PAYLOAD retries.
pub const MAX_ROUNDS: usize = 4;

/// Re-sends per request that answer an ICMP "too big" at once.
pub const MAX_TOO_BIG_RESENDS: u8 = 2;

/// UDP port of IKE with NAT traversal (RFC 3948 §2.2).
pub const NATT_PORT: u16 = 4500;

/// Hash algorithms announced in SIGNATURE_HASH_ALGORITHMS (RFC 7427 §4):
/// SHA2-256, SHA2-384, SHA2-512, as Windows and strongSwan announce them.
const SIGNATURE_HASHES: [u8; 6] = [0, 2, 0, 3, 0, 4];

/// How long to wait and how often to repeat.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timing {
    /// Wait for the first answer; later waits grow by half of it each time.
    pub timeout: Duration,
    /// Re-sends of an unanswered request (0 = send once).
    pub retransmits: u8,
}

impl Timing {
    /// Wait after send number `attempt` (0-based) while nothing is known
    /// about the responder: t, 1.5t, 2t, … — a gentle backoff that keeps a
    /// dead port's total cost predictable. (Once the responder has answered
    /// anything, [`Responder::wait`] paces by its round trip instead.)
    pub fn wait(&self, attempt: u8) -> Duration {
        self.timeout + self.timeout.mul_f64(f64::from(attempt) * 0.5)
    }

    /// Longest time one request variant can take unanswered.
    pub fn budget(&self) -> Duration {
        (0..=self.retransmits).map(|a| self.wait(a)).sum()
    }
}

/// What to send in one exchange.
#[derive(Debug, Clone)]
pub struct Exchange {
    pub peer: SocketAddr,
    pub proposals: Vec<Proposal>,
    /// Group of the KE payload; `None` uses the first proposal's first group.
    pub ke_group: Option<DhGroup>,
    /// Retry with the group an INVALID_KE_PAYLOAD asks for. Off for the
    /// proposal check, where that notify is itself the answer.
    pub follow_invalid_ke: bool,
    /// Pad the request so the IP datagram has this many bytes.
    pub pad_to_ip_size: Option<usize>,
    pub fragmentation: Fragmentation,
    pub timing: Timing,
    /// Send IKEV2_FRAGMENTATION_SUPPORTED (RFC 7383 §2.3). Off only to see
    /// how a server's large IKE_AUTH response travels without it.
    pub offer_fragmentation: bool,
}

/// Why an exchange could not be run at all (as opposed to not answered).
#[derive(Debug, thiserror::Error)]
pub enum ExchangeError {
    #[error(transparent)]
    Net(#[from] NetError),
    #[error(transparent)]
    Kex(#[from] KexError),
    #[error("cannot build the IKE_SA_INIT request for {peer}: {source}")]
    Build {
        peer: SocketAddr,
        #[source]
        source: BuildError,
    },
    #[error("no key exchange group to offer to {peer}: the proposals name none")]
    NoGroup { peer: SocketAddr },
    #[error("cannot protect the IKE message for {peer}: {source}")]
    Protect {
        peer: SocketAddr,
        #[source]
        source: crate::wire::ike::protect::ProtectError,
    },
}

/// An answered IKE_SA_INIT with what the initiator keeps secret: enough to
/// derive the IKE SA's keys (RFC 7296 §2.14) and continue with IKE_AUTH.
#[derive(Debug)]
pub struct SaInit {
    pub spi_i: [u8; 8],
    /// The final response (not a COOKIE or INVALID_KE_PAYLOAD demand).
    pub response: Message,
    /// The same response as received (after any non-ESP marker), up to its
    /// declared length: `RealMessage2` of the responder's AUTH (RFC 7296 §2.15).
    pub response_bytes: Vec<u8>,
    /// Our nonce (Ni) and the key pair of the KE we sent last.
    pub nonce_i: Vec<u8>,
    pub key_pair: KeyPair,
}

/// The result of one exchange: its facts, and the secrets of the IKE SA
/// when the responder answered with a response.
#[derive(Debug)]
pub struct Exchanged {
    pub facts: ExchangeFacts,
    pub sa_init: Option<SaInit>,
}

/// IPv4 header without options (20) or IPv6 header (40), plus UDP (8).
pub fn ip_udp_overhead(peer: SocketAddr) -> usize {
    (if peer.is_ipv4() { 20 } else { 40 }) + 8
}

fn marker_len(peer: SocketAddr) -> usize {
    if peer.port() == NATT_PORT { 4 } else { 0 }
}

/// Bytes between the IP datagram and the IKE message: IP and UDP headers,
/// plus the non-ESP marker on UDP 4500.
pub fn ike_overhead(peer: SocketAddr) -> usize {
    ip_udp_overhead(peer) + marker_len(peer)
}

/// Runs one exchange over `env.udp`, paced on its own (a fresh
/// [`Responder`] for `ex.timing`); bounded by `MAX_ROUNDS * timing.budget()`
/// (times from `env.clock`).
pub fn run(env: &Env, ex: &Exchange) -> Result<Exchanged, ExchangeError> {
    run_with(env, ex, &Responder::new(ex.peer.ip(), ex.timing))
}

/// Runs one exchange paced by what `responder` knows (and teaches it the
/// round trip of the answer); bounded like [`run`].
pub fn run_with(
    env: &Env,
    ex: &Exchange,
    responder: &Responder,
) -> Result<Exchanged, ExchangeError> {
    let mut conn = env.udp.open(
        ex.peer,
        Options {
            fragmentation: ex.fragmentation,
        },
    )?;
    run_on(env, conn.as_mut(), ex, responder)
}

/// [`run_with`] on a conversation the caller opened towards `ex.peer` (and
/// may go on using, e.g. for IKE_AUTH from the same address and port).
pub fn run_on(
    env: &Env,
    conn: &mut dyn Conn,
    ex: &Exchange,
    responder: &Responder,
) -> Result<Exchanged, ExchangeError> {
    let peer = ex.peer;
    let local = conn.local_addr();
    let mut spi_i = [0u8; 8];
    rand::fill(&mut spi_i[..]);
    let mut nonce = vec![0u8; 32];
    rand::fill(&mut nonce[..]);
    let group = ex
        .ke_group
        .or_else(|| ex.proposals.iter().flat_map(|p| p.dh_groups()).next())
        .ok_or(ExchangeError::NoGroup { peer })?;
    let key_pair = KeyPair::generate(group)?;
    let mut req = SaInitRequest {
        spi_i,
        proposals: ex.proposals.clone(),
        ke: Ke {
            group,
            data: key_pair.public.clone(),
        },
        nonce: nonce.clone(),
        cookie: None,
        notifies: vec![
            Notify::new(
                NotifyType::NAT_DETECTION_SOURCE_IP,
                natt::nat_detection_hash(&spi_i, &[0; 8], local).to_vec(),
            ),
            Notify::new(
                NotifyType::NAT_DETECTION_DESTINATION_IP,
                natt::nat_detection_hash(&spi_i, &[0; 8], peer).to_vec(),
            ),
            Notify::new(
                NotifyType::SIGNATURE_HASH_ALGORITHMS,
                SIGNATURE_HASHES.to_vec(),
            ),
            Notify::new(NotifyType::REDIRECT_SUPPORTED, Vec::new()),
        ],
        vendor_ids: Vec::new(),
        pad_to: ex
            .pad_to_ip_size
            .map(|size| size.saturating_sub(ike_overhead(peer))),
    };
    if ex.offer_fragmentation {
        req.notifies.insert(
            2,
            Notify::new(NotifyType::IKEV2_FRAGMENTATION_SUPPORTED, Vec::new()),
        );
    }
    let mut report = ExchangeFacts::new(peer, local, spi_i);
    let first_group = req.ke.group;
    let mut key_pair = key_pair;
    for _round in 0..MAX_ROUNDS {
        let ike = req
            .emit()
            .map_err(|source| ExchangeError::Build { peer, source })?;
        let datagram = if peer.port() == NATT_PORT {
            natt::with_marker(&ike)
        } else {
            ike
        };
        report.udp_payload_bytes = datagram.len();
        report.ip_datagram_bytes = datagram.len() + ip_udp_overhead(peer);
        let Some((response, response_bytes, rtt)) =
            send_and_wait(conn, env.clock, responder, &datagram, ex, &mut report)?
        else {
            return Ok(Exchanged {
                facts: report,
                sa_init: None,
            });
        };
        report.outcome = Outcome::Answered;
        report.rtt = Some(rtt);
        // RFC 7296 §2.6: repeat the request with the cookie as first payload.
        if let Some(cookie) = response.notify(NotifyType::COOKIE) {
            if !report.cookie_requested {
                report.cookie_requested = true;
                req.cookie = Some(cookie.data.clone());
                continue;
            }
            // A second demand: the responder sends us round in circles.
            report.unfinished = Some(Unfinished::CookieRepeated);
        }
        // RFC 7296 §1.3: repeat with a KE of the group the responder wants,
        // if we offered it and can compute it and have not tried it yet.
        if let Some(wanted) = response
            .notify(NotifyType::INVALID_KE_PAYLOAD)
            .and_then(Notify::requested_group)
            && ex.follow_invalid_ke
        {
            let offered = ex.proposals.iter().any(|p| p.dh_groups().contains(&wanted));
            // Tried: the group of the first request and every retry.
            let fresh = wanted != first_group && !report.ke_retries.contains(&wanted);
            if offered && fresh && kex::is_supported(wanted) {
                report.ke_retries.push(wanted);
                key_pair = KeyPair::generate(wanted)?;
                req.ke = Ke {
                    group: wanted,
                    data: key_pair.public.clone(),
                };
                continue;
            }
            // Not offered, already tried, or another group after we
            // followed one demand (RFC 7296 §1.3: one retry settles it) is
            // the responder going round in circles. A first demand for an
            // offered group this probe cannot compute is our limit: that
            // one stays a plain answer.
            if !offered || !fresh || !report.ke_retries.is_empty() {
                report.unfinished = Some(Unfinished::KeGroupRepeated(wanted));
            }
        }
        report.response = Some(ResponseFacts::read(&response, &spi_i, peer, local));
        return Ok(Exchanged {
            facts: report,
            sa_init: Some(SaInit {
                spi_i,
                response,
                response_bytes,
                nonce_i: nonce,
                key_pair,
            }),
        });
    }
    // Every round drew another demand.
    report.unfinished = Some(Unfinished::RoundsExhausted);
    Ok(Exchanged {
        facts: report,
        sa_init: None,
    })
}

/// Sends `datagram` up to `1 + retransmits` times and waits for a matching
/// response, paced by `responder`. `Ok(None)` when none came (outcome set
/// in `report`).
fn send_and_wait(
    conn: &mut dyn Conn,
    clock: &dyn Clock,
    responder: &Responder,
    datagram: &[u8],
    ex: &Exchange,
    report: &mut ExchangeFacts,
) -> Result<Option<(Message, Vec<u8>, Duration)>, ExchangeError> {
    let mut too_big_resends = 0u8;
    let mut sends = 0u32;
    let spi_i = report.spi_i;
    for attempt in 0..=ex.timing.retransmits {
        conn.send(datagram)?;
        sends += 1;
        let mut sent_at = clock.now();
        let waited = wait_for(
            conn,
            clock,
            responder,
            attempt,
            SA_INIT_FLOOR,
            &mut sent_at,
            |seen| {
                match seen {
                    Arrived::Datagram(bytes) => match as_response(&bytes, ex.peer, &spi_i) {
                        Some(answer) => Step::Done(answer),
                        None => {
                            report.ignored += 1;
                            Step::Wait
                        }
                    },
                    Arrived::Unreachable => Step::Unreachable,
                    Arrived::TooBig => {
                        report.too_big = true;
                        // Dropped by a router that told us: send again now
                        // (fragmented to the MTU the kernel just learned),
                        // unless fragmenting is forbidden.
                        if ex.fragmentation != Fragmentation::Forbid
                            && too_big_resends < MAX_TOO_BIG_RESENDS
                        {
                            too_big_resends += 1;
                            Step::Resend
                        } else {
                            Step::Wait
                        }
                    }
                }
            },
        )?;
        match waited {
            Waited::Answer((msg, raw), rtt) => {
                report.requests_sent += sends;
                // Karn: only an answer to a request sent once is a sample.
                if sends == 1 {
                    responder.sample(rtt);
                }
                return Ok(Some((msg, raw, rtt)));
            }
            Waited::Unreachable => {
                report.requests_sent += sends;
                report.outcome = Outcome::Unreachable;
                return Ok(None);
            }
            Waited::TimedOut => {}
        }
    }
    report.requests_sent += sends;
    report.outcome = Outcome::NoAnswer;
    Ok(None)
}

/// What a datagram or ICMP error seen while waiting means to the caller.
pub(crate) enum Arrived {
    Datagram(Vec<u8>),
    Unreachable,
    TooBig,
}

/// The caller's verdict on what was seen.
pub(crate) enum Step<T> {
    /// The answer: stop waiting.
    Done(T),
    /// Not it: keep waiting.
    Wait,
    /// Send the request again now and wait anew.
    Resend,
    /// An ICMP unreachable ends the exchange.
    Unreachable,
}

/// How a wait ended.
pub(crate) enum Waited<T> {
    Answer(T, Duration),
    Unreachable,
    TimedOut,
}

/// Waits for the answer to send number `attempt` (sent at `sent_at`) until
/// `responder.wait(attempt, floor)` has passed since then, re-reading that
/// wait every [`RECHECK`] so that a round trip learned meanwhile (from an
/// exchange running beside this one) shortens it. `judge` says what each
/// datagram or ICMP error means; [`Step::Resend`] ends the wait at once, so
/// that the caller's next retransmission goes out now (it counts as one:
/// an ICMP "too big" never adds sends or time beyond the documented
/// bounds, see [`crate::probe::ike::Config::max_duration`]).
/// Bounded: the deadline bounds a flood in time (nothing that arrives
/// after it extends the wait); at most [`MAX_DATAGRAMS_PER_WAIT`] datagrams
/// and one pass per [`RECHECK`] of the longest wait bound the work when the
/// clock does not move (a scripted network).
#[allow(clippy::too_many_arguments)]
pub(crate) fn wait_for<T>(
    conn: &mut dyn Conn,
    clock: &dyn Clock,
    responder: &Responder,
    attempt: u8,
    floor: Duration,
    sent_at: &mut std::time::Instant,
    mut judge: impl FnMut(Arrived) -> Step<T>,
) -> Result<Waited<T>, ExchangeError> {
    let longest = responder.timing().wait(attempt).max(floor);
    let slices =
        usize::try_from(longest.as_millis() / RECHECK.as_millis() + 2).unwrap_or(usize::MAX);
    let passes = MAX_DATAGRAMS_PER_WAIT.saturating_add(slices);
    for _ in 0..passes {
        let deadline = *sent_at + responder.wait(attempt, floor);
        let now = clock.now();
        // Past the deadline, one last look at what has already arrived.
        let over = now >= deadline;
        let seen = match conn.recv(deadline.min(now + RECHECK))? {
            Received::TimedOut if over => return Ok(Waited::TimedOut),
            Received::TimedOut => continue,
            Received::Datagram(bytes) => Arrived::Datagram(bytes),
            Received::Unreachable => Arrived::Unreachable,
            Received::TooBig => Arrived::TooBig,
        };
        match judge(seen) {
            Step::Done(answer) => {
                let rtt = clock.now().saturating_duration_since(*sent_at);
                return Ok(Waited::Answer(answer, rtt));
            }
            // Past the deadline, what still arrives (a flood) does not
            // extend the wait.
            Step::Wait if over => return Ok(Waited::TimedOut),
            Step::Wait => {}
            Step::Resend => return Ok(Waited::TimedOut),
            Step::Unreachable => return Ok(Waited::Unreachable),
        }
    }
    Ok(Waited::TimedOut)
}

/// The datagram as an IKE_SA_INIT response to our SPI (parsed, and its
/// bytes up to the declared length), or `None`.
fn as_response(bytes: &[u8], peer: SocketAddr, spi_i: &[u8; 8]) -> Option<(Message, Vec<u8>)> {
    let ike = if peer.port() == NATT_PORT {
        match natt::classify_4500(bytes) {
            Udp4500::Ike(rest) => rest,
            _ => return None,
        }
    } else {
        bytes
    };
    let msg = Message::parse(ike).ok()?;
    let h = msg.header;
    (h.spi_i == *spi_i
        && h.flags.is_response()
        && h.exchange == ExchangeType::IKE_SA_INIT
        && h.message_id == 0)
        .then(|| {
            let raw = ike.get(..h.length as usize).unwrap_or(ike).to_vec();
            (msg, raw)
        })
}

#[cfg(test)]
mod tests;
