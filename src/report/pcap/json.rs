//! The `pcap --json` document: dedicated serde types built from the
//! analysis facts (the facts themselves are typed values, not JSON).

use std::collections::BTreeMap;

use std::net::IpAddr;

use serde::Serialize;

use crate::analyse::exchange::{Exchange, Status};
use crate::analyse::flows::{Flow, FlowKind};
use crate::analyse::point::{self, Side};
use crate::analyse::sa::{ErrorNotify, IkeSa, LostDatagram, Support};
use crate::analyse::{Analysis, ByteRange, FileTruncation, PacketRef, TooBigFact, Transmission};
use crate::facts::{Endpoint, FragmentationSupport, Nat};
use crate::wire::hex;
use crate::wire::ike::vendor;

mod bounded;
pub use bounded::{BoundsJson, LostFlowJson, NotKeptJson, OutcomesJson, PeerJson, SummaryJson};

/// The `--json` document body (the envelope adds `schema_version` and `command`).
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct PcapJson<'a> {
    pub files: &'a [String],
    pub sas: Vec<SaJson>,
    pub stats: StatsJson,
    pub icmp_too_big: Vec<TooBigJson>,
    pub truncated: Vec<TruncationJson<'a>>,
    /// Lost datagrams no IKE SA claims, per flow, with a few examples.
    pub lost_datagram_flows: Vec<LostFlowJson>,
    /// Lost datagrams of flows beyond the bound, counted together.
    pub lost_datagrams_in_other_flows: u64,
    /// ESP, ESP in UDP and IKEv1 outside the capture's IKEv2 SAs.
    pub ipsec_flows: Vec<FlowJson>,
    /// The IKE SAs beyond those in `sas`, per peer and outcome.
    pub summarised_sas: SummaryJson,
    /// The bounds the analysis works within (README "Bounds").
    pub bounds: BoundsJson,
}

impl<'a> PcapJson<'a> {
    pub fn new(files: &'a [String], a: &'a Analysis) -> PcapJson<'a> {
        PcapJson {
            files,
            sas: a.sas.iter().map(|sa| SaJson::new(a, sa)).collect(),
            stats: StatsJson::new(a),
            icmp_too_big: a.too_big.iter().map(|t| TooBigJson::new(a, t)).collect(),
            truncated: a.truncated.iter().map(TruncationJson::new).collect(),
            lost_datagram_flows: a
                .lost_flows
                .flows
                .iter()
                .map(|f| LostFlowJson::new(a, f))
                .collect(),
            lost_datagrams_in_other_flows: a.lost_flows.other_datagrams,
            ipsec_flows: a.flows.flows.iter().map(|f| FlowJson::new(a, f)).collect(),
            summarised_sas: SummaryJson::new(a),
            bounds: BoundsJson::default(),
        }
    }
}

/// `stats`: counts per wire datagram, as tshark counts (each SKF piece is
/// one IKE message here), plus `ike_transmissions` counted per message.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct StatsJson {
    pub packets: u64,
    pub bytes: u64,
    pub ike_messages: u64,
    /// IKE messages sent (one per transmission; SKF pieces sent together
    /// and copies seen at another capture point count once).
    pub ike_transmissions: u64,
    pub ikev1_messages: u64,
    pub esp_packets: u64,
    pub nat_keepalives: u64,
    pub ip_fragments: u64,
    pub datagrams_reassembled: u64,
    pub datagrams_incomplete: u64,
    pub skf_fragments: u64,
    pub malformed: u64,
    pub snapped_ike_packets: u64,
    pub icmp_too_big: u64,
    pub not_ip: u64,
    /// Frames dropped as copies of one packet recorded at several stack
    /// components (pktmon); not in `packets`.
    pub component_copies: u64,
    pub pppoe_frames: u64,
    pub mpls_frames: u64,
    pub unsupported_link_types: BTreeMap<String, u64>,
}

impl StatsJson {
    fn new(a: &Analysis) -> StatsJson {
        let (s, c) = (&a.stats, &a.capture);
        StatsJson {
            packets: c.packets,
            bytes: c.bytes,
            ike_messages: s.ike_messages,
            ike_transmissions: a.transmissions(),
            ikev1_messages: s.ikev1_messages,
            esp_packets: s.esp_packets,
            nat_keepalives: s.nat_keepalives,
            ip_fragments: c.ip_fragments,
            datagrams_reassembled: c.datagrams_reassembled,
            datagrams_incomplete: c.datagrams_incomplete,
            skf_fragments: s.skf_fragments,
            malformed: s.malformed + c.malformed,
            snapped_ike_packets: s.snapped_ike_packets,
            icmp_too_big: s.icmp_too_big,
            not_ip: c.not_ip,
            component_copies: c.component_copies,
            pppoe_frames: c.pppoe_frames,
            mpls_frames: c.mpls_frames,
            unsupported_link_types: c
                .unsupported_link_types
                .iter()
                .map(|(l, n)| (l.to_string(), *n))
                .collect(),
        }
    }
}

pub fn support(s: Support) -> &'static str {
    s.as_str()
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct ErrorJson {
    pub frame: PacketRef,
    pub name: String,
    pub exchange: String,
    pub from_initiator: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requested_group: Option<String>,
}

impl ErrorJson {
    fn new(e: &ErrorNotify) -> ErrorJson {
        ErrorJson {
            frame: e.at,
            name: e.kind.to_string(),
            exchange: e.exchange.to_string(),
            from_initiator: e.from_initiator,
            requested_group: e.requested_group.map(|g| g.to_string()),
        }
    }
}

/// Where one capture file was taken, as this SA's packets show it.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct CapturePointJson {
    /// 1-based, as in packet references (`2#17`).
    pub file: u16,
    /// `initiator`, `responder` or `unknown`.
    pub side: &'static str,
    pub past_initiator_nat: bool,
    pub before_responder_nat: bool,
    pub reason: &'static str,
}

/// One exchange and what became of it at the capture point.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct ExchangeJson {
    pub exchange: String,
    pub message_id: u32,
    /// `initiator` or `responder`: who sent the request.
    pub requester: &'static str,
    /// `answered`, `unanswered`, `response-lost`, `in-progress` or
    /// `no-complete-request`.
    pub status: &'static str,
    pub request_transmissions: usize,
    pub response_transmissions: usize,
    /// IKEv2 fragments per request (absent when not fragmented that way).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_ike_fragments: Option<u16>,
    pub lost_datagrams: usize,
}

impl ExchangeJson {
    fn new(e: &Exchange<'_>, status: Status) -> ExchangeJson {
        let sent = e.sent();
        ExchangeJson {
            exchange: e.key.exchange.to_string(),
            message_id: e.key.message_id,
            requester: if e.key.by_initiator {
                "initiator"
            } else {
                "responder"
            },
            status: status_word(status),
            request_transmissions: sent.len(),
            response_transmissions: e.answered_with().len(),
            request_ike_fragments: sent.iter().find_map(|t| t.skf_total),
            lost_datagrams: e.lost.len(),
        }
    }
}

pub fn status_word(s: Status) -> &'static str {
    match s {
        Status::Answered => "answered",
        Status::Unanswered => "unanswered",
        Status::ResponseLost { .. } => "response-lost",
        Status::InProgress { .. } => "in-progress",
        Status::NoCompleteRequest => "no-complete-request",
    }
}

/// IKEv2 fragments (RFC 7383) of one transmission.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct IkeFragmentsJson {
    pub seen: usize,
    pub total: u16,
}

/// One transmission of an IKE message (all its SKF pieces, or its IP
/// fragments, count as one).
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct MessageJson {
    /// The frame of its first piece.
    pub frame: PacketRef,
    pub frames: Vec<PacketRef>,
    /// Seconds since the first frame of the analysis.
    pub time: f64,
    pub src: Endpoint,
    pub dst: Endpoint,
    pub exchange: String,
    pub message_id: u32,
    pub response: bool,
    pub from_initiator: bool,
    /// Sum of the pieces' IKE lengths.
    pub ike_len: u32,
    /// IP length of its largest datagram.
    pub ip_len: u32,
    /// UDP datagrams it travelled as (its SKF pieces; 1 otherwise).
    pub datagrams: u32,
    /// IP packets per datagram (1 when not IP-fragmented).
    pub ip_fragments: u32,
    pub largest_fragment: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ike_fragments: Option<IkeFragmentsJson>,
    pub complete: bool,
    pub notifies: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retransmission_of: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub answers: Option<usize>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub also_seen_elsewhere: bool,
    pub ttl: u8,
}

impl MessageJson {
    fn new(a: &Analysis, t: &Transmission) -> MessageJson {
        MessageJson {
            frame: t.first,
            frames: t.frames.clone(),
            time: round3(a.rel(t.first_ts)),
            src: t.src.into(),
            dst: t.dst.into(),
            exchange: t.key.exchange.to_string(),
            message_id: t.key.message_id,
            response: t.key.response,
            from_initiator: t.key.from_initiator,
            ike_len: t.ike_len,
            ip_len: t.ip_len,
            datagrams: t.datagrams,
            ip_fragments: t.ip_packets / t.datagrams.max(1),
            largest_fragment: t.largest_ip_packet,
            ike_fragments: t.skf_total.map(|total| IkeFragmentsJson {
                seen: t.skf_numbers.len(),
                total,
            }),
            complete: t.complete(),
            notifies: t.notifies.iter().map(|n| n.to_string()).collect(),
            retransmission_of: t.retransmission_of,
            answers: t.answers,
            also_seen_elsewhere: t.same_as.is_some(),
            ttl: t.ttl,
        }
    }
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct LostJson {
    pub frames: Vec<PacketRef>,
    pub time: f64,
    /// The UDP ports are known when the first fragment arrived.
    pub src: Endpoint,
    pub dst: Endpoint,
    pub ip_id: u32,
    pub arrived: Vec<(u32, u32)>,
    pub missing: Vec<(u32, Option<u32>)>,
    pub total_len: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exchange: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_id: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ike_len: Option<u32>,
    pub largest_fragment: u32,
    pub fragments_last_first: bool,
    pub reason: &'static str,
}

fn pairs(r: &[ByteRange]) -> Vec<(u32, Option<u32>)> {
    r.iter()
        .map(|r| (r.start, (r.end != u32::MAX).then_some(r.end)))
        .collect()
}

impl LostJson {
    fn new(a: &Analysis, d: &LostDatagram) -> LostJson {
        LostJson {
            frames: d.frames.clone(),
            time: round3(a.rel(d.first_ts)),
            src: Endpoint::new(d.src, d.ports.map(|p| p.src)),
            dst: Endpoint::new(d.dst, d.ports.map(|p| p.dst)),
            ip_id: d.ip_id,
            arrived: d.arrived.iter().map(|r| (r.start, r.end)).collect(),
            missing: pairs(&d.missing),
            total_len: d.total_len,
            exchange: d.header.map(|h| h.key.exchange.to_string()),
            message_id: d.header.map(|h| h.key.message_id),
            response: d.header.map(|h| h.key.response),
            ike_len: d.header.map(|h| h.ike_len),
            largest_fragment: d.largest_fragment,
            fragments_last_first: d.order == crate::analyse::FragmentOrder::LastFirst,
            reason: d.reason.as_str(),
        }
    }
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct SaJson {
    pub spi_i: String,
    pub spi_r: String,
    pub initiator: Endpoint,
    pub responder: Endpoint,
    pub capture_points: Vec<CapturePointJson>,
    pub proposals_offered: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proposal_chosen: Option<String>,
    pub fragmentation_supported: FragmentationSupport,
    pub nat: Nat,
    /// The frames whose NAT_DETECTION hashes did not match.
    pub nat_frames: Vec<PacketRef>,
    pub vendor_ids_initiator: Vec<String>,
    pub vendor_ids_responder: Vec<String>,
    pub errors: Vec<ErrorJson>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub cookies: Vec<PacketRef>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub redirects: Vec<PacketRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port_switch: Option<PacketRef>,
    /// The responder sent an IKE_AUTH response (seen in the capture).
    pub ike_auth_answered: bool,
    /// ... but the initiator kept sending the request: the response never
    /// reached it (exchange status `response-lost`).
    pub ike_auth_response_lost: bool,
    pub esp_packets: u64,
    pub exchanges: Vec<ExchangeJson>,
    /// One entry per transmission of an IKE message.
    pub messages: Vec<MessageJson>,
    pub lost_datagrams: Vec<LostJson>,
    /// Transmissions and lost datagrams beyond the SA's bounds (counted).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub not_kept: Option<NotKeptJson>,
}

impl SaJson {
    fn new(a: &Analysis, sa: &IkeSa) -> SaJson {
        let view = crate::analyse::exchange::judged(a, sa);
        SaJson {
            spi_i: hex(&sa.spi_i),
            spi_r: hex(&sa.spi_r),
            initiator: sa.initiator.into(),
            responder: sa.responder.into(),
            capture_points: sa
                .files()
                .into_iter()
                .map(|f| {
                    let p = point::capture_point(sa, f);
                    CapturePointJson {
                        file: f + 1,
                        side: match p.side {
                            Side::Initiator => "initiator",
                            Side::Responder => "responder",
                            Side::Unknown => "unknown",
                        },
                        past_initiator_nat: p.past_initiator_nat,
                        before_responder_nat: p.before_responder_nat,
                        reason: p.reason,
                    }
                })
                .collect(),
            proposals_offered: sa.proposals_offered.iter().map(|p| p.describe()).collect(),
            proposal_chosen: sa.proposal_chosen.as_ref().map(|p| p.describe()),
            fragmentation_supported: sa.fragmentation,
            nat: sa.nat.facts(),
            nat_frames: sa.nat.evidence(),
            vendor_ids_initiator: sa
                .vendor_ids_initiator
                .iter()
                .map(|v| vendor::describe(v))
                .collect(),
            vendor_ids_responder: sa
                .vendor_ids_responder
                .iter()
                .map(|v| vendor::describe(v))
                .collect(),
            errors: sa.errors.iter().map(ErrorJson::new).collect(),
            cookies: sa.cookies.clone(),
            redirects: sa.redirects.clone(),
            port_switch: sa.port_switch,
            ike_auth_answered: sa.ike_auth_answered(),
            ike_auth_response_lost: crate::analyse::exchange::response_lost_in(&view),
            esp_packets: sa.esp.total(),
            exchanges: view.iter().map(|(e, s)| ExchangeJson::new(e, *s)).collect(),
            messages: sa
                .transmissions
                .iter()
                .map(|t| MessageJson::new(a, t))
                .collect(),
            lost_datagrams: sa.lost.iter().map(|d| LostJson::new(a, d)).collect(),
            not_kept: (!sa.not_kept.is_empty()).then_some(NotKeptJson {
                transmissions: sa.not_kept.transmissions,
                lost_datagrams: sa.not_kept.lost,
            }),
        }
    }
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct TooBigJson {
    pub frame: PacketRef,
    pub time: f64,
    pub router: IpAddr,
    pub mtu: Option<u32>,
    pub quoted_src: Endpoint,
    pub quoted_dst: Endpoint,
    pub quoted_len: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exchange: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_id: Option<u32>,
}

impl TooBigJson {
    fn new(a: &Analysis, t: &TooBigFact) -> TooBigJson {
        TooBigJson {
            frame: t.at,
            time: round3(a.rel(t.ts)),
            router: t.router,
            mtu: t.mtu,
            quoted_src: t.quoted_src.into(),
            quoted_dst: t.quoted_dst.into(),
            quoted_len: t.quoted_len,
            exchange: t.exchange.map(|e| e.to_string()),
            message_id: t.message_id,
        }
    }
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct TruncationJson<'a> {
    pub file: &'a str,
    pub offset: u64,
    pub frames_read: u64,
    pub reason: &'a str,
}

impl<'a> TruncationJson<'a> {
    fn new(t: &'a FileTruncation) -> TruncationJson<'a> {
        TruncationJson {
            file: &t.file,
            offset: t.offset,
            frames_read: t.frames_read,
            reason: &t.reason,
        }
    }
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct FlowJson {
    /// `esp`, `esp-in-udp` or `ikev1`.
    pub kind: &'static str,
    /// Ports only for ESP in UDP.
    pub src: Endpoint,
    pub dst: Endpoint,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub spi: Option<String>,
    pub packets: u64,
    pub first_frame: PacketRef,
    pub first_time: f64,
    pub last_time: f64,
}

impl FlowJson {
    fn new(a: &Analysis, f: &Flow) -> FlowJson {
        FlowJson {
            kind: match f.kind {
                FlowKind::Esp => "esp",
                FlowKind::EspInUdp => "esp-in-udp",
                FlowKind::Ikev1 => "ikev1",
            },
            src: Endpoint::new(f.src, f.ports.map(|p| p.src)),
            dst: Endpoint::new(f.dst, f.ports.map(|p| p.dst)),
            spi: f.spi.map(|s| format!("0x{s:08x}")),
            packets: f.packets,
            first_frame: f.first,
            first_time: round3(a.rel(f.first_ts)),
            last_time: round3(a.rel(f.last_ts)),
        }
    }
}

pub(super) fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}
