//! IKE SA facts: every IKEv2 message of a capture grouped by IKE SA
//! (initiator SPI, RFC 7296 §2.6), counted per IKE message: the SKF pieces of
//! one message sent together (RFC 7383 §2.5) form one [`Transmission`]; what
//! IKE_SA_INIT negotiated; NAT_DETECTION results; lost datagrams.

use std::net::{IpAddr, SocketAddr};

use super::bounds::{MAX_PROPOSALS, MAX_SA_NOTES, MAX_VENDOR_ID_BYTES, MAX_VENDOR_IDS};
use super::message::{MessageKey, Transmission};
use crate::capture::datagram::Ports;
use crate::capture::defrag::{ByteRange, FragmentOrder, FragmentSize, GiveUp};
use crate::capture::{PacketRef, Timestamp};
use crate::wire::ike::{DhGroup, ExchangeType, Message, NotifyType, Proposal};
use crate::wire::natt;

/// An IKE SPI (RFC 7296 §3.1): 8 bytes, zero for an unknown responder SPI.
pub type Spi = [u8; 8];

/// A peer's stance on one thing it can announce in IKE_SA_INIT (the
/// shared JSON fact type).
pub use crate::facts::Support;

/// What each side said about IKEv2 fragmentation (notify 16430, RFC 7383
/// §2.3): the shared JSON fact type.
pub type SideSupport = crate::facts::FragmentationSupport;

/// One NAT_DETECTION hash compared with the address the capture shows
/// (RFC 7296 §2.23).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NatCheck {
    pub at: PacketRef,
    /// Sent by the original initiator.
    pub by_initiator: bool,
    /// NAT_DETECTION_SOURCE_IP: the sender's hash of its own address.
    /// Otherwise NAT_DETECTION_DESTINATION_IP: its hash of the other side's.
    pub about_sender: bool,
    /// The hash matches the address and port this capture shows.
    pub matches: bool,
}

impl NatCheck {
    /// Whether the hash is about the initiator's address.
    pub fn about_initiator(&self) -> bool {
        self.by_initiator == self.about_sender
    }
}

/// NAT facts from NAT_DETECTION hashes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NatFacts {
    /// Every hash checked (at most 16).
    pub checks: Vec<NatCheck>,
}

/// NAT_DETECTION hashes remembered per SA (IKE_SA_INIT carries two per
/// message; retries and several capture files add a few more).
const MAX_NAT_CHECKS: usize = 16;

impl NatFacts {
    /// A hash about the initiator's address did not match what the capture shows.
    pub fn initiator_behind_nat(&self) -> bool {
        self.checks
            .iter()
            .any(|c| c.about_initiator() && !c.matches)
    }

    /// A hash about the responder's address did not match.
    pub fn responder_behind_nat(&self) -> bool {
        self.checks
            .iter()
            .any(|c| !c.about_initiator() && !c.matches)
    }

    /// Per side: behind NAT, not, or null when no hash about it was seen.
    pub fn facts(&self) -> crate::facts::Nat {
        let side = |about_initiator: bool| {
            let mut about = self
                .checks
                .iter()
                .filter(|c| c.about_initiator() == about_initiator)
                .peekable();
            about.peek()?;
            Some(about.any(|c| !c.matches))
        };
        crate::facts::Nat {
            initiator_behind_nat: side(true),
            responder_behind_nat: side(false),
        }
    }

    /// Frames whose hashes disagreed.
    pub fn evidence(&self) -> Vec<PacketRef> {
        let mut v: Vec<PacketRef> = self
            .checks
            .iter()
            .filter(|c| !c.matches)
            .map(|c| c.at)
            .collect();
        v.dedup();
        v
    }
}

/// An error notify (type below 16384) sent in the clear.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ErrorNotify {
    pub at: PacketRef,
    pub kind: NotifyType,
    pub exchange: ExchangeType,
    pub from_initiator: bool,
    /// INVALID_KE_PAYLOAD: the group the responder asks for.
    pub requested_group: Option<DhGroup>,
}

/// ESP packets between the two peers (IP protocol 50 or UDP 4500).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EspCount {
    pub from_initiator: u64,
    pub from_responder: u64,
}

impl EspCount {
    pub fn total(&self) -> u64 {
        self.from_initiator + self.from_responder
    }
}

/// What the first fragment of a lost datagram said about the IKE message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LostHeader {
    pub key: MessageKey,
    pub spi_i: Spi,
    /// The IKE message length the header declares.
    pub ike_len: u32,
}

/// An IKE datagram whose IP fragments never all arrived at this capture point.
#[derive(Debug, Clone, PartialEq)]
pub struct LostDatagram {
    pub file: u16,
    pub frames: Vec<PacketRef>,
    pub first_ts: Timestamp,
    pub src: IpAddr,
    pub dst: IpAddr,
    /// From the first fragment, when it arrived.
    pub ports: Option<Ports>,
    pub ip_id: u32,
    pub arrived: Vec<ByteRange>,
    /// Missing byte ranges; an end of `u32::MAX` means "to the unknown end".
    pub missing: Vec<ByteRange>,
    pub total_len: Option<u32>,
    /// From the first fragment, when it arrived and carried an IKEv2 header.
    pub header: Option<LostHeader>,
    pub largest_fragment: u32,
    pub sizes: Vec<FragmentSize>,
    pub order: FragmentOrder,
    pub reason: GiveUp,
}

impl LostDatagram {
    /// The source as `address:port` when the port is known.
    pub fn src_addr(&self) -> String {
        with_port(self.src, self.ports.map(|p| p.src))
    }

    pub fn dst_addr(&self) -> String {
        with_port(self.dst, self.ports.map(|p| p.dst))
    }
}

/// `address:port`, or the address alone when the port is unknown.
pub fn with_port(ip: IpAddr, port: Option<u16>) -> String {
    match port {
        Some(p) => SocketAddr::new(ip, p).to_string(),
        None => ip.to_string(),
    }
}

/// An IKE_SA_INIT answer the same responder gave another peer, kept from an
/// SA summarised since (see `analyse::retire`), so that a peer refused while
/// others were answered is still told apart from a dead responder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AnswerElsewhere {
    pub initiator: SocketAddr,
    pub file: u16,
    /// When the answer was seen.
    pub at: Timestamp,
}

/// A proposal with at most [`MAX_PROPOSALS`] transforms (real ones have
/// fewer than ten).
fn bounded(p: &Proposal) -> Proposal {
    let mut p = p.clone();
    p.transforms.truncate(MAX_PROPOSALS);
    p
}

/// What an SA sent beyond its bounds ([`super::bounds`]): counted, not kept.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NotKept {
    /// Transmissions beyond [`super::bounds::MAX_TRANSMISSIONS`].
    pub transmissions: u64,
    /// Lost datagrams beyond [`super::bounds::MAX_LOST_PER_SA`].
    pub lost: u64,
    /// The last transmission not kept from the initiator, and from the
    /// responder: when, and which message (so a requester that went on is
    /// still seen to).
    pub last_from_initiator: Option<(Timestamp, MessageKey)>,
    pub last_from_responder: Option<(Timestamp, MessageKey)>,
}

impl NotKept {
    pub fn is_empty(&self) -> bool {
        self.transmissions == 0 && self.lost == 0
    }

    /// Counts a transmission not kept.
    pub fn transmission(&mut self, key: MessageKey, ts: Timestamp) {
        self.transmissions += 1;
        let last = if key.from_initiator {
            &mut self.last_from_initiator
        } else {
            &mut self.last_from_responder
        };
        if last.is_none_or(|(t, _)| ts >= t) {
            *last = Some((ts, key));
        }
    }
}

/// Everything known about one IKE SA.
#[derive(Debug, Clone, PartialEq)]
pub struct IkeSa {
    pub spi_i: Spi,
    /// Zero until a response named it.
    pub spi_r: Spi,
    pub initiator: SocketAddr,
    pub responder: SocketAddr,
    pub proposals_offered: Vec<Proposal>,
    pub proposal_chosen: Option<Proposal>,
    pub fragmentation: SideSupport,
    pub nat: NatFacts,
    pub vendor_ids_initiator: Vec<Vec<u8>>,
    pub vendor_ids_responder: Vec<Vec<u8>>,
    pub errors: Vec<ErrorNotify>,
    pub cookies: Vec<PacketRef>,
    pub redirects: Vec<PacketRef>,
    /// First message on UDP 4500 after one on UDP 500.
    pub port_switch: Option<PacketRef>,
    pub esp: EspCount,
    /// Every IKE message sent, one entry per transmission, in capture order.
    pub transmissions: Vec<Transmission>,
    pub lost: Vec<LostDatagram>,
    /// What went beyond the bounds.
    pub not_kept: NotKept,
    /// IKE_SA_INIT answers to other peers from SAs summarised while this
    /// one waited for its own (at most [`MAX_SA_NOTES`]).
    pub answers_elsewhere: Vec<AnswerElsewhere>,
}

impl IkeSa {
    pub fn new(spi_i: Spi, initiator: SocketAddr, responder: SocketAddr) -> IkeSa {
        IkeSa {
            spi_i,
            spi_r: [0; 8],
            initiator,
            responder,
            proposals_offered: Vec::new(),
            proposal_chosen: None,
            fragmentation: SideSupport {
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
            esp: EspCount::default(),
            transmissions: Vec::new(),
            lost: Vec::new(),
            not_kept: NotKept::default(),
            answers_elsewhere: Vec::new(),
        }
    }

    /// Transmissions of requests of one exchange type.
    pub fn requests(&self, exchange: ExchangeType) -> impl Iterator<Item = &Transmission> {
        self.transmissions
            .iter()
            .filter(move |t| !t.key.response && t.key.exchange == exchange)
    }

    /// Transmissions of responses of one exchange type.
    pub fn responses(&self, exchange: ExchangeType) -> impl Iterator<Item = &Transmission> {
        self.transmissions
            .iter()
            .filter(move |t| t.key.response && t.key.exchange == exchange)
    }

    pub fn has_error(&self, kind: NotifyType) -> bool {
        self.errors.iter().any(|e| e.kind == kind)
    }

    /// An IKE_AUTH response came back (its contents are encrypted: success
    /// and an encrypted error are told apart by size and what follows).
    pub fn ike_auth_answered(&self) -> bool {
        self.responses(ExchangeType::IKE_AUTH)
            .any(|t| !t.notifies.iter().any(|n| n.is_error()))
    }

    /// IKE_SA_INIT succeeded: a proposal was chosen, or (header-only view)
    /// a response came back without an error notify or a COOKIE demand.
    pub fn negotiated(&self) -> bool {
        self.proposal_chosen.is_some()
            || self.responses(ExchangeType::IKE_SA_INIT).any(|t| {
                !t.notifies
                    .iter()
                    .any(|n| n.is_error() || *n == NotifyType::COOKIE)
            })
    }

    /// The capture files this SA was seen in.
    pub fn files(&self) -> Vec<u16> {
        let mut f: Vec<u16> = self
            .transmissions
            .iter()
            .map(|t| t.file)
            .chain(self.lost.iter().map(|l| l.file))
            .collect();
        f.sort_unstable();
        f.dedup();
        f
    }

    /// Time of the first and the last packet of this SA.
    pub fn span(&self) -> Option<(Timestamp, Timestamp)> {
        let times = self
            .transmissions
            .iter()
            .flat_map(|t| [t.first_ts, t.last_ts])
            .chain(self.lost.iter().map(|l| l.first_ts));
        times.fold(None, |acc, t| match acc {
            None => Some((t, t)),
            Some((a, b)) => Some((a.min(t), b.max(t))),
        })
    }

    /// Notes that a message was seen: SPIr, port switch.
    pub(crate) fn note(
        &mut self,
        key: &MessageKey,
        spi_r: Spi,
        src: SocketAddr,
        dst: SocketAddr,
        at: PacketRef,
    ) {
        if key.response && spi_r != [0; 8] {
            self.spi_r = spi_r;
        }
        let on_4500 = src.port() == natt::NATT_PORT || dst.port() == natt::NATT_PORT;
        if on_4500
            && self.port_switch.is_none()
            && self
                .transmissions
                .iter()
                .any(|t| t.src.port() == natt::IKE_PORT || t.dst.port() == natt::IKE_PORT)
        {
            self.port_switch = Some(at);
        }
    }

    /// What a parsed message tells: errors, COOKIE, REDIRECT, and from
    /// IKE_SA_INIT proposals, 16430, NAT_DETECTION and vendor IDs.
    pub(crate) fn learn(
        &mut self,
        key: &MessageKey,
        m: &Message,
        src: SocketAddr,
        dst: SocketAddr,
        at: PacketRef,
    ) {
        for n in m.notifies() {
            if n.kind.is_error() && self.errors.len() < MAX_SA_NOTES {
                self.errors.push(ErrorNotify {
                    at,
                    kind: n.kind,
                    exchange: key.exchange,
                    from_initiator: key.from_initiator,
                    requested_group: n.requested_group(),
                });
            }
            if n.kind == NotifyType::COOKIE && self.cookies.len() < MAX_SA_NOTES {
                self.cookies.push(at);
            }
            if n.kind == NotifyType::REDIRECT && self.redirects.len() < MAX_SA_NOTES {
                self.redirects.push(at);
            }
        }
        if key.exchange != ExchangeType::IKE_SA_INIT {
            return;
        }
        // Only a message that negotiates (has an SA payload) says what its
        // sender supports; an error-only answer says nothing about 16430.
        let negotiating = m.sa().is_some();
        let frag = if m
            .notify(NotifyType::IKEV2_FRAGMENTATION_SUPPORTED)
            .is_some()
        {
            Support::Yes
        } else {
            Support::No
        };
        let vids: Vec<Vec<u8>> = m
            .vendor_ids()
            .take(MAX_VENDOR_IDS)
            .map(|v| v.get(..MAX_VENDOR_ID_BYTES).unwrap_or(v).to_vec())
            .collect();
        if key.response {
            if negotiating {
                self.fragmentation.responder = frag;
                self.proposal_chosen = m.sa().and_then(|sa| sa.proposals.first()).map(bounded);
            }
            if !vids.is_empty() {
                self.vendor_ids_responder = vids;
            }
        } else {
            if negotiating {
                // Retries after COOKIE/INVALID_KE carry the latest offer.
                self.fragmentation.initiator = frag;
                if let Some(sa) = m.sa() {
                    self.proposals_offered = sa
                        .proposals
                        .iter()
                        .take(MAX_PROPOSALS)
                        .map(bounded)
                        .collect();
                }
            }
            if !vids.is_empty() {
                self.vendor_ids_initiator = vids;
            }
        }
        self.check_nat(key, m, src, dst, at);
    }

    /// RFC 7296 §2.23: compare each NAT_DETECTION hash with the addresses
    /// the capture shows. SPIr is zero in the request's hashes.
    pub(crate) fn check_nat(
        &mut self,
        key: &MessageKey,
        m: &Message,
        src: SocketAddr,
        dst: SocketAddr,
        at: PacketRef,
    ) {
        let spi_r = if key.response { m.header.spi_r } else { [0; 8] };
        let spi_i = m.header.spi_i;
        for n in m.notifies() {
            let (addr, about_sender) = match n.kind {
                NotifyType::NAT_DETECTION_SOURCE_IP => (src, true),
                NotifyType::NAT_DETECTION_DESTINATION_IP => (dst, false),
                _ => continue,
            };
            if self.nat.checks.len() >= MAX_NAT_CHECKS {
                return;
            }
            self.nat.checks.push(NatCheck {
                at,
                by_initiator: key.from_initiator,
                about_sender,
                matches: !natt::nat_between(&n.data, &spi_i, &spi_r, addr),
            });
        }
    }
}
