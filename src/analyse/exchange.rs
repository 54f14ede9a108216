//! Exchanges of an IKE SA and what the capture point saw of each: which
//! requests reached it complete, which responses left or arrived, and
//! whether the exchange was answered, lost its response, went unanswered,
//! or was simply cut off by the end of the capture.
//!
//! The end of a capture is not a failure. An exchange without a response
//! counts as unanswered only when the requester already retransmitted (its
//! own timer said an earlier copy went unanswered) or when the capture ran
//! on for [`IN_PROGRESS_WINDOW_SECS`] after the last request; before that it
//! is in progress.

use super::Analysis;
use super::message::{ExchangeKey, MessageKey, Transmission};
use super::sa::{IkeSa, LostDatagram};
use crate::capture::Timestamp;

/// Seconds of silence after a request, with no retransmission seen, before
/// the end of the capture stops being an excuse. Every common initiator
/// retransmits within this time (Windows after about 1 s, strongSwan after
/// 4 s by default), and IKE_AUTH follows an answered IKE_SA_INIT within
/// milliseconds, so an initiator still trying would have shown itself.
pub const IN_PROGRESS_WINDOW_SECS: i64 = 5;

/// One exchange: its request and response transmissions (indices into the
/// SA's transmissions, capture order) and the lost datagrams that carried
/// its messages.
#[derive(Debug, Clone)]
pub struct Exchange<'a> {
    pub sa: &'a IkeSa,
    pub key: ExchangeKey,
    /// Request transmissions, copies seen at another capture point included.
    pub requests: Vec<usize>,
    pub responses: Vec<usize>,
    pub lost: Vec<&'a LostDatagram>,
}

/// What became of an exchange, judged at the capture point.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Status {
    /// A response came back and the requester did not keep retransmitting.
    Answered,
    /// The capture ended while the exchange could still complete: the
    /// request went out once and the capture ran on for `waited` seconds,
    /// less than the window.
    InProgress { waited: f64 },
    /// No response to the latest request, settled (retransmitted, or
    /// silence longer than the window).
    Unanswered,
    /// The responder answered, and the requester sent the same request
    /// `repeats` more times and never moved on: the responses were lost on
    /// the way back.
    ResponseLost { repeats: usize },
    /// No request of this exchange arrived whole at this capture point.
    NoCompleteRequest,
}

impl<'a> Exchange<'a> {
    /// The key of this exchange's request.
    pub fn key_request(&self) -> MessageKey {
        MessageKey {
            exchange: self.key.exchange,
            message_id: self.key.message_id,
            response: false,
            from_initiator: self.key.by_initiator,
        }
    }

    pub fn transmission(&self, i: usize) -> Option<&'a Transmission> {
        self.sa.transmissions.get(i)
    }

    /// Request transmissions, one per sending (copies recorded at another
    /// capture point are left out).
    pub fn sent(&self) -> Vec<&'a Transmission> {
        self.requests
            .iter()
            .filter_map(|&i| self.transmission(i))
            .filter(|t| t.same_as.is_none())
            .collect()
    }

    /// Response transmissions, one per sending.
    pub fn answered_with(&self) -> Vec<&'a Transmission> {
        self.responses
            .iter()
            .filter_map(|&i| self.transmission(i))
            .filter(|t| t.same_as.is_none())
            .collect()
    }

    /// The sendings of the latest request content (after a COOKIE or
    /// INVALID_KE_PAYLOAD retry: the retry and its retransmissions), one
    /// per sending.
    pub fn latest_sent(&self) -> Vec<&'a Transmission> {
        self.latest_chain()
            .into_iter()
            .filter_map(|i| self.transmission(i))
            .filter(|t| t.same_as.is_none())
            .collect()
    }

    /// Requests that reached this capture point with every SKF piece.
    pub fn complete_requests(&self) -> Vec<&'a Transmission> {
        self.sent().into_iter().filter(|t| t.complete()).collect()
    }

    /// The latest content of the request: the transmissions that repeat the
    /// last request sent (after a COOKIE or INVALID_KE_PAYLOAD the requester
    /// starts a new chain).
    fn latest_chain(&self) -> Vec<usize> {
        let Some(&last) = self.requests.last() else {
            return Vec::new();
        };
        let r = self.root(last);
        self.requests
            .iter()
            .copied()
            .filter(|&i| self.root(i) == r)
            .collect()
    }

    /// The first sending a transmission repeats, across capture points: a
    /// copy seen at another point stands for the original, a
    /// retransmission for the first sending.
    fn root(&self, mut i: usize) -> usize {
        for _ in 0..8 {
            let Some(t) = self.transmission(i) else { break };
            let next = t.same_as.or(t.retransmission_of).unwrap_or(i);
            if next == i {
                break;
            }
            i = next;
        }
        i
    }

    /// The requester sent something other than this request after `since`:
    /// a later request, an answer to the other side, or ESP.
    fn moved_on(&self, since: Timestamp) -> bool {
        let by_initiator = self.key.by_initiator;
        let chain_key = self
            .requests
            .first()
            .and_then(|&i| self.transmission(i))
            .map(|t| t.key);
        let other_message = self.sa.transmissions.iter().any(|t| {
            t.key.from_initiator == by_initiator && Some(t.key) != chain_key && t.first_ts > since
        });
        let esp = if by_initiator {
            self.sa.esp.from_initiator
        } else {
            self.sa.esp.from_responder
        };
        // Transmissions beyond the SA's bound are counted, with when each
        // side last sent one.
        let not_kept = if by_initiator {
            self.sa.not_kept.last_from_initiator
        } else {
            self.sa.not_kept.last_from_responder
        };
        let not_kept_other = not_kept.is_some_and(|(t, key)| t > since && Some(key) != chain_key);
        other_message || esp > 0 || not_kept_other
    }

    /// What became of the exchange when the capture (of the file the last
    /// request was seen in) ended at `end`.
    pub fn status(&self, end: Timestamp) -> Status {
        let chain = self.latest_chain();
        let chain_ts: Vec<&Transmission> = chain
            .iter()
            .filter_map(|&i| self.transmission(i))
            .filter(|t| t.same_as.is_none())
            .collect();
        let Some(last) = chain_ts.iter().map(|t| t.last_ts).max() else {
            return Status::NoCompleteRequest;
        };
        if !chain_ts.iter().any(|t| t.complete()) {
            return Status::NoCompleteRequest;
        }
        let first_answer = self
            .responses
            .iter()
            .filter_map(|&i| self.transmission(i))
            .filter(|r| r.answers.is_some_and(|a| chain.contains(&a)))
            .map(|r| r.first_ts)
            .min();
        let waited = end.secs_since(last);
        let settled_silence = waited >= IN_PROGRESS_WINDOW_SECS as f64;
        match first_answer {
            None => {
                let retransmitted = chain_ts.len() > 1;
                if retransmitted || settled_silence {
                    Status::Unanswered
                } else {
                    Status::InProgress { waited }
                }
            }
            Some(answered_at) => {
                let repeats = chain_ts.iter().filter(|t| t.first_ts > answered_at).count();
                if repeats == 0 || self.moved_on(answered_at) {
                    Status::Answered
                } else if repeats >= 2 || settled_silence {
                    Status::ResponseLost { repeats }
                } else {
                    Status::InProgress { waited }
                }
            }
        }
    }
}

/// The exchanges of an SA with their status, each judged at the end of the
/// capture file its last message was seen in.
pub fn judged<'a>(a: &Analysis, sa: &'a IkeSa) -> Vec<(Exchange<'a>, Status)> {
    exchanges(sa)
        .into_iter()
        .map(|e| {
            let status = e.status(end_for(a, sa, &e));
            (e, status)
        })
        .collect()
}

/// The responder answered an IKE_AUTH but the initiator kept sending it:
/// the response never reached the initiator ([`Status::ResponseLost`]).
pub fn ike_auth_response_lost(a: &Analysis, sa: &IkeSa) -> bool {
    response_lost_in(&judged(a, sa))
}

/// [`ike_auth_response_lost`] over exchanges already [`judged`].
pub fn response_lost_in(judged: &[(Exchange<'_>, Status)]) -> bool {
    judged.iter().any(|(e, s)| {
        e.key.exchange == crate::wire::ike::ExchangeType::IKE_AUTH
            && matches!(s, Status::ResponseLost { .. })
    })
}

/// When the capture that saw an exchange's last message ended (the last
/// frame of that file; of the SA's files when no message was seen).
fn end_for(a: &Analysis, sa: &IkeSa, e: &Exchange<'_>) -> Timestamp {
    let last = e
        .requests
        .iter()
        .chain(&e.responses)
        .filter_map(|&i| sa.transmissions.get(i))
        .max_by_key(|t| t.last_ts);
    let files = match last {
        Some(t) => vec![t.file],
        None => sa.files(),
    };
    files
        .into_iter()
        .filter_map(|f| a.end_of(f))
        .max()
        .or(a.first_ts)
        .unwrap_or_default()
}

/// The exchanges of an SA, in the order their first message was seen.
pub fn exchanges(sa: &IkeSa) -> Vec<Exchange<'_>> {
    fn slot<'a>(out: &mut Vec<Exchange<'a>>, sa: &'a IkeSa, key: ExchangeKey) -> usize {
        match out.iter().position(|e| e.key == key) {
            Some(i) => i,
            None => {
                out.push(Exchange {
                    sa,
                    key,
                    requests: Vec::new(),
                    responses: Vec::new(),
                    lost: Vec::new(),
                });
                out.len() - 1
            }
        }
    }
    let mut out: Vec<Exchange<'_>> = Vec::new();
    for (i, t) in sa.transmissions.iter().enumerate() {
        let at = slot(&mut out, sa, t.exchange_key());
        if let Some(e) = out.get_mut(at) {
            if t.key.response {
                e.responses.push(i);
            } else {
                e.requests.push(i);
            }
        }
    }
    for d in &sa.lost {
        if let Some(h) = &d.header {
            let at = slot(&mut out, sa, h.key.exchange_key());
            if let Some(e) = out.get_mut(at) {
                e.lost.push(d);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests;
