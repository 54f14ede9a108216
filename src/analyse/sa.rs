//! IKE SA bookkeeping: every IKEv2 message of a capture, grouped by IKE SA
//! (initiator SPI, RFC 7296 §2.6), with the facts a diagnosis needs —
//! direction, size on the wire, IP fragments, SKF n/m, retransmissions,
//! which request a response answers, what IKE_SA_INIT negotiated.

use std::net::SocketAddr;

use serde::Serialize;

use crate::capture::{PacketRef, Timestamp};
use crate::wire::ike::{Body, ExchangeType, Message, NotifyType};
use crate::wire::{hex, ike, natt};

/// One IKEv2 message as seen on the wire.
#[derive(Debug, Clone, Serialize)]
pub struct IkeMessage {
    /// The frame (for IP-fragmented messages: the one that completed it).
    pub frame: PacketRef,
    /// Every frame that carried part of it.
    pub frames: Vec<PacketRef>,
    #[serde(skip)]
    pub ts: Timestamp,
    /// Seconds since the first packet of the analysis.
    pub time: f64,
    pub src: SocketAddr,
    pub dst: SocketAddr,
    pub exchange: String,
    #[serde(skip)]
    pub exchange_type: ExchangeType,
    pub message_id: u32,
    pub response: bool,
    /// Sent by the original initiator (I flag).
    pub from_initiator: bool,
    /// IKE message length (header field).
    pub ike_len: u32,
    /// The IP datagram that carried it (header + UDP + marker + IKE).
    pub ip_len: u32,
    /// 1 when it travelled unfragmented.
    pub ip_fragments: u32,
    /// Largest IP packet that carried part of it: for a fragmented message,
    /// the MTU the sender fragmented for.
    pub largest_fragment: u32,
    /// RFC 7383 fragment number and total, when the message is an SKF piece.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skf: Option<(u16, u16)>,
    pub notifies: Vec<String>,
    /// Index (in the SA's message list) of the earlier identical message this
    /// repeats, from the same capture file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retransmission_of: Option<usize>,
    /// For a response: index of the request it answers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub answers: Option<usize>,
    /// The same message was already recorded from another capture file
    /// (client- and server-side traces of one attempt).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub also_seen_elsewhere: bool,
    #[serde(skip)]
    pub digest: u64,
}

impl IkeMessage {
    pub fn is_request(&self) -> bool {
        !self.response
    }
}

/// A datagram of this SA that never fully arrived.
#[derive(Debug, Clone, Serialize)]
pub struct LostDatagram {
    pub frames: Vec<PacketRef>,
    pub time: f64,
    pub src: String,
    pub dst: String,
    pub ip_id: u32,
    pub arrived: Vec<(u32, u32)>,
    pub missing: Vec<(u32, Option<u32>)>,
    pub total_len: Option<u32>,
    /// From the first fragment, when it arrived.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exchange: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_id: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ike_len: Option<u32>,
    pub largest_fragment: u32,
    pub reason: &'static str,
    #[serde(skip)]
    pub ts: Timestamp,
}

/// A peer's stance on one thing it can announce in IKE_SA_INIT.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Support {
    Yes,
    No,
    /// That side's IKE_SA_INIT was not in the capture.
    Unknown,
}

/// NAT facts from NAT_DETECTION hashes (RFC 7296 §2.23).
#[derive(Debug, Clone, Default, Serialize)]
pub struct NatFacts {
    /// A hash about the initiator's address did not match what the capture shows.
    pub initiator_behind_nat: bool,
    /// A hash about the responder's address did not match.
    pub responder_behind_nat: bool,
    /// Frames whose hashes disagreed.
    pub evidence: Vec<PacketRef>,
}

/// An error notify that came back.
#[derive(Debug, Clone, Serialize)]
pub struct ErrorNotify {
    pub frame: PacketRef,
    pub name: String,
    pub exchange: String,
    pub from_initiator: bool,
    #[serde(skip)]
    pub kind: NotifyType,
    /// INVALID_KE_PAYLOAD: the group asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requested_group: Option<String>,
}

/// Everything known about one IKE SA.
#[derive(Debug, Clone, Serialize)]
pub struct IkeSa {
    pub spi_i: String,
    pub spi_r: String,
    pub initiator: SocketAddr,
    pub responder: SocketAddr,
    #[serde(skip)]
    pub spi_i_raw: [u8; 8],
    #[serde(skip)]
    pub spi_r_raw: [u8; 8],
    pub proposals_offered: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proposal_chosen: Option<String>,
    pub fragmentation_supported: SideSupport,
    pub nat: NatFacts,
    pub vendor_ids_initiator: Vec<String>,
    pub vendor_ids_responder: Vec<String>,
    pub errors: Vec<ErrorNotify>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub cookies: Vec<PacketRef>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub redirects: Vec<PacketRef>,
    /// First message on UDP 4500 after IKE_SA_INIT on 500.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port_switch: Option<PacketRef>,
    /// An IKE_AUTH response came back (its contents are encrypted: success
    /// or an encrypted error are told apart later by size and follow-up).
    pub ike_auth_answered: bool,
    /// ESP packets (UDP 4500 or IP protocol 50) between the two peers.
    pub esp_packets: u64,
    pub messages: Vec<IkeMessage>,
    pub lost_datagrams: Vec<LostDatagram>,
}

#[derive(Debug, Clone, Copy, Serialize)]
pub struct SideSupport {
    pub initiator: Support,
    pub responder: Support,
}

impl IkeSa {
    pub fn new(spi_i: [u8; 8], initiator: SocketAddr, responder: SocketAddr) -> IkeSa {
        IkeSa {
            spi_i: hex(&spi_i),
            spi_r: hex(&[0; 8]),
            initiator,
            responder,
            spi_i_raw: spi_i,
            spi_r_raw: [0; 8],
            proposals_offered: Vec::new(),
            proposal_chosen: None,
            fragmentation_supported: SideSupport {
                initiator: Support::Unknown,
                responder: Support::Unknown,
            },
            nat: NatFacts::default(),
            vendor_ids_initiator: Vec::new(),
            vendor_ids_responder: Vec::new(),
            errors: Vec::new(),
            cookies: Vec::new(),
            redirects: Vec::new(),
            port_switch: None,
            ike_auth_answered: false,
            esp_packets: 0,
            messages: Vec::new(),
            lost_datagrams: Vec::new(),
        }
    }

    /// Requests of one exchange type.
    pub fn requests(&self, exchange: ExchangeType) -> impl Iterator<Item = &IkeMessage> {
        self.messages
            .iter()
            .filter(move |m| m.is_request() && m.exchange_type == exchange)
    }

    pub fn responses(&self, exchange: ExchangeType) -> impl Iterator<Item = &IkeMessage> {
        self.messages
            .iter()
            .filter(move |m| m.response && m.exchange_type == exchange)
    }

    pub fn has_error(&self, kind: NotifyType) -> bool {
        self.errors.iter().any(|e| e.kind == kind)
    }

    /// Records a parsed (or header-only) message and derives what it says.
    /// `parsed` is `None` when only the header could be read.
    pub fn record(&mut self, mut msg: IkeMessage, header: &ike::Header, parsed: Option<&Message>) {
        if header.flags.is_response() && header.spi_r != [0; 8] {
            self.spi_r_raw = header.spi_r;
            self.spi_r = hex(&header.spi_r);
        }
        // Pair and de-duplicate.
        let file = msg.frame.file;
        for (i, earlier) in self.messages.iter().enumerate() {
            if earlier.digest == msg.digest && earlier.message_id == msg.message_id {
                if earlier.frame.file == file {
                    if msg.retransmission_of.is_none() {
                        msg.retransmission_of = Some(earlier.retransmission_of.unwrap_or(i));
                    }
                } else {
                    msg.also_seen_elsewhere = true;
                }
            }
        }
        if msg.response {
            msg.answers = self.messages.iter().position(|m| {
                m.is_request()
                    && m.message_id == msg.message_id
                    && m.exchange_type == msg.exchange_type
            });
        }
        let port_4500 = msg.src.port() == 4500 || msg.dst.port() == 4500;
        if port_4500
            && self.port_switch.is_none()
            && self
                .messages
                .iter()
                .any(|m| m.src.port() == 500 || m.dst.port() == 500)
        {
            self.port_switch = Some(msg.frame);
        }
        if let Some(m) = parsed {
            self.learn(&msg, m);
        }
        if msg.response
            && msg.exchange_type == ExchangeType::IKE_AUTH
            && !msg.notifies.iter().any(|n| is_error_name(n))
            && msg.skf.is_none_or(|(n, _)| n == 1)
        {
            // An encrypted IKE_AUTH response: its errors are inside SK and
            // invisible, so "answered" is what the capture can say; errors
            // are judged from the follow-up (INFORMATIONAL delete) if any.
            self.ike_auth_answered = true;
        }
        self.messages.push(msg);
    }

    /// IKE_SA_INIT contents: proposals, 16430, NAT-D, vendor IDs, errors.
    fn learn(&mut self, msg: &IkeMessage, m: &Message) {
        let from_i = msg.from_initiator;
        for n in m.notifies() {
            if n.kind.is_error() {
                self.errors.push(ErrorNotify {
                    frame: msg.frame,
                    name: n.kind.to_string(),
                    exchange: msg.exchange.clone(),
                    from_initiator: from_i,
                    kind: n.kind,
                    requested_group: n.requested_group().map(|g| g.to_string()),
                });
            }
            if n.kind == NotifyType::COOKIE {
                self.cookies.push(msg.frame);
            }
            if n.kind == NotifyType::REDIRECT {
                self.redirects.push(msg.frame);
            }
        }
        if msg.exchange_type != ExchangeType::IKE_SA_INIT {
            return;
        }
        // Only a response that negotiates (has an SA payload) says what the
        // responder supports; an error-only answer says nothing about 16430.
        let negotiating = m.sa().is_some();
        let frag = if m
            .notify(NotifyType::IKEV2_FRAGMENTATION_SUPPORTED)
            .is_some()
        {
            Support::Yes
        } else {
            Support::No
        };
        let vids: Vec<String> = m.vendor_ids().map(ike::vendor::describe).collect();
        if msg.response {
            if negotiating {
                self.fragmentation_supported.responder = frag;
                self.proposal_chosen = m
                    .sa()
                    .and_then(|sa| sa.proposals.first())
                    .map(|p| p.describe());
            }
            if !vids.is_empty() {
                self.vendor_ids_responder = vids;
            }
        } else {
            if negotiating {
                // Retries after COOKIE/INVALID_KE carry the latest offer.
                self.fragmentation_supported.initiator = frag;
                if let Some(sa) = m.sa() {
                    self.proposals_offered = sa.proposals.iter().map(|p| p.describe()).collect();
                }
            }
            if !vids.is_empty() {
                self.vendor_ids_initiator = vids;
            }
        }
        self.check_nat(msg, m);
    }

    /// RFC 7296 §2.23: compare each NAT_DETECTION hash with the addresses
    /// the capture shows. SPIr is zero in the request's hashes.
    fn check_nat(&mut self, msg: &IkeMessage, m: &Message) {
        let spi_r = if msg.response { m.header.spi_r } else { [0; 8] };
        let spi_i = m.header.spi_i;
        for n in m.notifies() {
            let (addr, about_initiator) = match n.kind {
                NotifyType::NAT_DETECTION_SOURCE_IP => (msg.src, msg.from_initiator),
                NotifyType::NAT_DETECTION_DESTINATION_IP => (msg.dst, !msg.from_initiator),
                _ => continue,
            };
            if natt::nat_between(&n.data, &spi_i, &spi_r, addr) {
                if about_initiator {
                    self.nat.initiator_behind_nat = true;
                } else {
                    self.nat.responder_behind_nat = true;
                }
                if !self.nat.evidence.contains(&msg.frame) {
                    self.nat.evidence.push(msg.frame);
                }
            }
        }
    }
}

/// Names of notifies in a message, errors first as they appear.
pub fn notify_names(m: &Message) -> Vec<String> {
    m.payloads
        .iter()
        .filter_map(|p| match &p.body {
            Body::Notify(n) => Some(n.kind.to_string()),
            _ => None,
        })
        .collect()
}

pub(crate) fn is_error_name(name: &str) -> bool {
    NotifyType::from_name(name).is_some_and(|k| k.is_error())
}

/// A cheap 64-bit digest (FNV-1a) of a message's bytes: equal bytes, equal
/// digest; used to recognise retransmissions, never for security.
pub fn digest(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}
