//! What a live capture reports while it runs: each IKE exchange once, when
//! its outcome is known, and each finding once, the moment it is settled.
//! Pure: the caller feeds [`Watch::poll`] a [`Session::snapshot`] and the
//! clock; the report prints the [`Event`]s.
//!
//! "Settled" is stricter than "true if the capture ended now": a request
//! retransmitted once is unanswered *so far*, but the answer may still come
//! (a slow RADIUS/NPS server), and the end-of-capture findings
//! (`no-ike-traffic`, `ike-not-in-capture`) are about a capture that has not
//! ended. So:
//!
//! - an exchange is settled when it was answered, or when its request went
//!   out [`SETTLE_SENDINGS`] times without a reply (the initiator's own
//!   timer said so twice), or when the requester fell silent for
//!   [`IN_PROGRESS_WINDOW_SECS`] after its last sending;
//! - an IKE SA's findings are settled when every exchange of the SA is,
//!   the SA is not waiting for its next exchange (`exchange-in-progress`),
//!   and either one of its exchanges failed for good or the SA has been
//!   quiet for the window (some findings rest on nothing following: a small
//!   last IKE_AUTH response is an error only if no EAP round follows);
//! - findings about the capture as a whole are settled at once, except
//!   `no-ike-traffic` and `ike-not-in-capture`, which only the end decides.
//!
//! The report at the end of the capture ([`Session::finish`]) remains the
//! record: a live line says what was settled when it was printed.
//!
//! [`Session::snapshot`]: super::Session::snapshot
//! [`Session::finish`]: super::Session::finish

use std::collections::{HashSet, VecDeque};
use std::hash::Hash;
use std::net::SocketAddr;

use super::exchange::{self, Exchange, IN_PROGRESS_WINDOW_SECS, Status};
use super::findings::{self, Subject};
use super::message::{ExchangeKey, Transmission};
use super::sa::{IkeSa, Spi};
use super::{Analysis, PacketRef, Timestamp};
use crate::finding::{Code, Finding};

/// Sendings of one request without a reply after which its exchange counts
/// as unanswered for good: the first one and two retransmissions (strongSwan
/// gives up after three by default in the lab; Windows keeps going longer).
pub const SETTLE_SENDINGS: usize = 3;

/// Keys remembered per kind, so the memory of what was reported stays
/// bounded on a capture of any length (the oldest are forgotten first).
pub const MAX_REMEMBERED: usize = 1 << 16;

/// The size and shape of one sending of an IKE message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shape {
    /// IP length of its largest datagram.
    pub ip_len: u32,
    /// IP fragments per datagram (0 when not IP-fragmented).
    pub ip_fragments: u32,
    /// RFC 7383 fragments, when sent as SKF pieces.
    pub ike_fragments: Option<u16>,
}

impl Shape {
    fn of(t: &Transmission) -> Shape {
        Shape {
            ip_len: t.ip_len,
            ip_fragments: if t.ip_fragmented() {
                t.ip_packets / t.datagrams.max(1)
            } else {
                0
            },
            ike_fragments: t.skf_total,
        }
    }
}

/// One exchange whose outcome is known.
#[derive(Debug, Clone, PartialEq)]
pub struct ExchangeEvent {
    /// The IKE SA (initiator SPI).
    pub spi_i: Spi,
    pub key: ExchangeKey,
    /// Never [`Status::InProgress`].
    pub status: Status,
    /// Who sent the request, and to whom (UDP ports as the request had them).
    pub requester: SocketAddr,
    pub responder: SocketAddr,
    /// The frame of its first request.
    pub first_frame: Option<PacketRef>,
    /// Sendings of the request and of responses (copies at another
    /// capture point left out).
    pub requests: usize,
    pub responses: usize,
    pub request: Option<Shape>,
    pub response: Option<Shape>,
    /// Seconds from the request to its first answer.
    pub round_trip: Option<f64>,
    /// Seconds from the first to the last sending of the request.
    pub span: f64,
}

/// What a live capture prints as it goes.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    Exchange(ExchangeEvent),
    Finding(Finding),
}

/// Remembers what was already reported.
#[derive(Debug, Default)]
pub struct Watch {
    exchanges: Seen<(Spi, ExchangeKey)>,
    findings: Seen<(Subject, Code, usize)>,
    /// Hashes of the findings reported (code and summary), so an SA's
    /// finding reported while the SA was in full is not reported again
    /// when the SA is summarised and its findings are listed with the
    /// summarised SAs'.
    said: Seen<u64>,
}

impl Watch {
    pub fn new() -> Watch {
        Watch::default()
    }

    /// The exchanges and findings settled in `a` (facts as of `now`) that
    /// were not reported before: exchanges first, in the order they began,
    /// then findings worst first.
    pub fn poll(&mut self, a: &Analysis, now: Timestamp) -> Vec<Event> {
        let mut events = Vec::new();
        for sa in &a.sas {
            for (e, status) in exchange::judged(a, sa) {
                if settled(&e, status, now) && self.exchanges.insert((sa.spi_i, e.key)) {
                    events.push(Event::Exchange(event(sa, &e, status)));
                }
            }
        }
        let mut ordinal: Vec<((Subject, Code), usize)> = Vec::new();
        for (subject, f) in certain(a, now) {
            let n = match ordinal.iter_mut().find(|(k, _)| *k == (subject, f.code)) {
                Some((_, n)) => {
                    *n += 1;
                    *n
                }
                None => {
                    ordinal.push(((subject, f.code), 0));
                    0
                }
            };
            if self.findings.insert((subject, f.code, n)) {
                let said = self.said.insert(said_hash(&f));
                if said || subject != Subject::Summarised {
                    events.push(Event::Finding(f));
                }
            }
        }
        events
    }
}

/// A finding's identity for [`Watch::said`]: its code and summary.
fn said_hash(f: &Finding) -> u64 {
    use std::hash::{DefaultHasher, Hasher};
    let mut h = DefaultHasher::new();
    f.code.hash(&mut h);
    f.summary.hash(&mut h);
    h.finish()
}

/// Whether an exchange's outcome can no longer change (see the module
/// documentation).
pub fn settled(e: &Exchange<'_>, status: Status, now: Timestamp) -> bool {
    match status {
        Status::Answered => true,
        Status::InProgress { .. } => false,
        Status::Unanswered | Status::ResponseLost { .. } | Status::NoCompleteRequest => {
            let sent = e.latest_sent();
            let last = sent.iter().map(|t| t.last_ts).max();
            let silent = last.is_none_or(|l| now.secs_since(l) >= IN_PROGRESS_WINDOW_SECS as f64);
            // A lost response is only settled once the requester gave up:
            // one more retransmission may still bring the answer through.
            let enough =
                !matches!(status, Status::ResponseLost { .. }) && sent.len() >= SETTLE_SENDINGS;
            silent || enough
        }
    }
}

/// The findings of `a` (facts as of `now`) that are settled, with their
/// subjects, worst first.
pub fn certain(a: &Analysis, now: Timestamp) -> Vec<(Subject, Finding)> {
    let all = findings::derive_by_subject(a);
    let mut open: HashSet<Spi> = a
        .sas
        .iter()
        .filter(|sa| sa_open(a, sa, now))
        .map(|sa| sa.spi_i)
        .collect();
    for (s, f) in &all {
        if let (Subject::Sa(spi), Code::ExchangeInProgress) = (s, f.code) {
            open.insert(*spi);
        }
    }
    all.into_iter()
        .filter(|(s, f)| {
            f.code != Code::ExchangeInProgress
                && match s {
                    Subject::Capture => {
                        !matches!(f.code, Code::NoIkeTraffic | Code::IkeNotInCapture)
                    }
                    Subject::Sa(spi) => !open.contains(spi),
                    // Summarised SAs' findings are in the snapshot once
                    // settled (see `Analyser::snapshot`).
                    Subject::Summarised => true,
                }
        })
        .collect()
}

/// Whether an SA's findings may still change: an exchange is not settled,
/// or everything was answered so far and the SA has not been quiet for
/// [`IN_PROGRESS_WINDOW_SECS`] (what comes next decides some findings, e.g.
/// a small last IKE_AUTH response is an error only if nothing follows it;
/// EAP takes several IKE_AUTH rounds). An exchange that failed for good
/// (unanswered after [`SETTLE_SENDINGS`]) settles the SA's findings at once.
fn sa_open(a: &Analysis, sa: &IkeSa, now: Timestamp) -> bool {
    let judged = exchange::judged(a, sa);
    if judged.iter().any(|(e, s)| !settled(e, *s, now)) {
        return true;
    }
    let failing = judged
        .iter()
        .any(|(_, s)| matches!(s, Status::Unanswered | Status::NoCompleteRequest));
    let last = sa
        .transmissions
        .iter()
        .map(|t| t.last_ts)
        .chain(sa.lost.iter().map(|d| d.first_ts))
        .max();
    let quiet = last.is_none_or(|l| now.secs_since(l) >= IN_PROGRESS_WINDOW_SECS as f64);
    !(failing || quiet)
}

fn event(sa: &IkeSa, e: &Exchange<'_>, status: Status) -> ExchangeEvent {
    let sent = e.sent();
    let answers = e.answered_with();
    let first = sent.first();
    let (requester, responder) = match first {
        Some(t) => (t.src, t.dst),
        None if e.key.by_initiator => (sa.initiator, sa.responder),
        None => (sa.responder, sa.initiator),
    };
    let round_trip = answers.iter().find_map(|r| {
        let asked = e.transmission(r.answers?)?;
        Some(r.first_ts.secs_since(asked.first_ts))
    });
    ExchangeEvent {
        spi_i: sa.spi_i,
        key: e.key,
        status,
        requester,
        responder,
        first_frame: first.map(|t| t.first),
        requests: sent.len(),
        responses: answers.len(),
        request: sent.last().map(|t| Shape::of(t)),
        response: answers.first().map(|t| Shape::of(t)),
        round_trip,
        span: match (first, sent.last()) {
            (Some(a), Some(b)) => b.last_ts.secs_since(a.first_ts),
            _ => 0.0,
        },
    }
}

/// A set that forgets its oldest entries beyond [`MAX_REMEMBERED`].
#[derive(Debug)]
struct Seen<T> {
    set: HashSet<T>,
    order: VecDeque<T>,
}

impl<T> Default for Seen<T> {
    fn default() -> Self {
        Seen {
            set: HashSet::new(),
            order: VecDeque::new(),
        }
    }
}

impl<T: Eq + Hash + Clone> Seen<T> {
    /// True when `key` is new.
    fn insert(&mut self, key: T) -> bool {
        if !self.set.insert(key.clone()) {
            return false;
        }
        self.order.push_back(key);
        if self.order.len() > MAX_REMEMBERED
            && let Some(old) = self.order.pop_front()
        {
            self.set.remove(&old);
        }
        true
    }
}

#[cfg(test)]
mod tests;
