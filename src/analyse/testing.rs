//! Facts for unit tests: IKE SAs and their transmissions built directly,
//! without packets, so each producer and judgement is tested on the facts it
//! reads.

use std::net::SocketAddr;

use super::message::{self, MessageKey, Piece};
use super::sa::IkeSa;
use super::{Analysis, FileSpan};
use crate::capture::datagram::{Fragments, Wire};
use crate::capture::defrag::{FragmentOrder, FragmentSize};
use crate::capture::{PacketRef, Timestamp};
use crate::wire::ike::{ExchangeType, NotifyType};

pub const CLIENT: &str = "198.18.1.2:4500";
pub const SERVER: &str = "198.18.2.2:4500";

/// Milliseconds as a capture timestamp.
pub fn ms(millis: i64) -> Timestamp {
    Timestamp(millis * 1_000_000)
}

/// A message key: request (`response` false) or response, sent by the
/// initiator or the responder.
pub fn key(exchange: ExchangeType, id: u32, response: bool, from_initiator: bool) -> MessageKey {
    MessageKey {
        exchange,
        message_id: id,
        response,
        from_initiator,
    }
}

/// One datagram to record.
#[derive(Debug, Clone)]
pub struct Send {
    pub key: MessageKey,
    pub file: u16,
    pub millis: i64,
    pub ip_len: u32,
    pub skf: Option<(u16, u16)>,
    /// Bytes stand-in: equal for identical messages.
    pub content: u64,
    pub ttl: u8,
    pub ip_fragments: Option<(u32, FragmentOrder)>,
    pub notifies: Vec<NotifyType>,
}

impl Send {
    pub fn new(key: MessageKey, millis: i64) -> Send {
        Send {
            key,
            file: 0,
            millis,
            ip_len: 500,
            skf: None,
            content: 1,
            ttl: 128,
            ip_fragments: None,
            notifies: Vec::new(),
        }
    }
}

/// Builds an SA by recording datagrams the way the analyser does.
pub struct SaBuilder {
    pub sa: IkeSa,
    frame: u64,
}

impl SaBuilder {
    pub fn new() -> SaBuilder {
        let i: SocketAddr = CLIENT.parse().unwrap();
        let r: SocketAddr = SERVER.parse().unwrap();
        SaBuilder {
            sa: IkeSa::new([1; 8], i, r),
            frame: 0,
        }
    }

    /// Records one datagram.
    pub fn send(&mut self, s: Send) -> &mut SaBuilder {
        self.frame += 1;
        let (src, dst) = if s.key.from_initiator {
            (self.sa.initiator, self.sa.responder)
        } else {
            (self.sa.responder, self.sa.initiator)
        };
        let at = PacketRef {
            file: s.file,
            frame: self.frame,
        };
        let wire = Wire {
            at,
            interface: 0,
            ts: ms(s.millis),
            src: src.ip(),
            dst: dst.ip(),
            ip_len: s.ip_len,
            ttl: s.ttl,
            frame_len: s.ip_len + 14,
            fragments: s.ip_fragments.map(|(count, order)| Fragments {
                first_ts: ms(s.millis),
                count,
                frames: (0..count)
                    .map(|k| PacketRef {
                        file: s.file,
                        frame: self.frame + u64::from(k),
                    })
                    .collect(),
                largest: 1400.min(s.ip_len),
                sizes: (0..count)
                    .map(|k| FragmentSize {
                        offset: k * 1376,
                        ip_len: 1400,
                    })
                    .collect(),
                order,
            }),
            complete: true,
        };
        let piece = Piece {
            key: s.key,
            wire: &wire,
            src,
            dst,
            ike_len: s.ip_len.saturating_sub(32),
            skf: s.skf,
            notifies: s.notifies.clone(),
            digest: s.content ^ u64::from(s.skf.map_or(0, |(n, _)| n)) << 32,
            snapped: false,
        };
        message::record(&mut self.sa.transmissions, &piece, usize::MAX);
        self
    }

    /// Records every piece of a message sent as `total` SKF pieces.
    pub fn send_skf(&mut self, s: Send, total: u16) -> &mut SaBuilder {
        for n in 1..=total {
            let mut p = s.clone();
            p.skf = Some((n, total));
            p.millis += i64::from(n);
            self.send(p);
        }
        self
    }

    /// The SA with its transmissions linked.
    pub fn build(&mut self) -> IkeSa {
        let mut sa = self.sa.clone();
        message::link(&mut sa.transmissions);
        sa
    }
}

/// An analysis of these SAs whose single capture file ended at `end_ms`.
pub fn analysis(sas: Vec<IkeSa>, end_ms: i64) -> Analysis {
    Analysis {
        sas,
        files: vec![Some(FileSpan {
            first: ms(0),
            last: ms(end_ms),
        })],
        first_ts: Some(ms(0)),
        ..Analysis::default()
    }
}

pub const SA_INIT: ExchangeType = ExchangeType::IKE_SA_INIT;
pub const AUTH: ExchangeType = ExchangeType::IKE_AUTH;
pub const INFO: ExchangeType = ExchangeType::INFORMATIONAL;
