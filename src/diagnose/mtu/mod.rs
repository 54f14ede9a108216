//! Facts of a path-MTU measurement: what each probe met, how the search
//! ended, and the context needed to explain it (method, interface, floor and
//! ceiling). PURE: the search in `probe::mtu` produces these values; the
//! findings in [`findings`](mod@findings) and `report::mtu` read them.
//!
//! Sizes are whole IP packets (IP header included) unless a name says
//! payload.

pub mod findings;

use std::net::IpAddr;
use std::time::Duration;

use serde::Serialize;

pub use findings::findings;

/// How the probes were sent, as the report names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub enum Method {
    /// ICMP echo over an unprivileged ICMP datagram socket (Linux ping
    /// socket) or the Windows ICMP API.
    #[serde(rename = "icmp")]
    Icmp,
    /// ICMP echo over a raw socket (root or CAP_NET_RAW).
    #[serde(rename = "icmp-raw")]
    IcmpRaw,
    /// IKE_SA_INIT requests padded to size over UDP 500/4500.
    #[serde(rename = "ike")]
    Ike,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Icmp => "icmp",
            Method::IcmpRaw => "icmp-raw",
            Method::Ike => "ike",
        }
    }
}

/// Where packets to a target leave: the ceiling of the path-MTU search (a
/// path cannot carry more than its first link).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    /// Interface name (Linux) or alias (Windows), when it could be found.
    pub interface: Option<String>,
    /// Local address the OS picked for the target.
    pub source: Option<IpAddr>,
    /// The interface MTU, capped at 65535 (the largest IP packet).
    pub mtu: u16,
}

/// One address's measurement with the context needed to explain it.
#[derive(Debug, Clone)]
pub struct Measurement {
    pub address: IpAddr,
    pub method: Method,
    /// UDP port of the IKE probes (`--ike`), `None` for ICMP.
    pub port: Option<u16>,
    pub interface: Option<Outgoing>,
    pub floor: u16,
    pub ceiling: u16,
    /// Header bytes between the IP packet size and the payload users think
    /// in (ICMP: the `ping -s` size; IKE: the IKE message).
    pub overhead: u16,
    pub result: SearchResult,
}

impl Measurement {
    /// Nothing measured: ICMP echo went unanswered at every size tried.
    pub fn icmp_unanswered(&self) -> bool {
        self.method != Method::Ike && self.result.end == End::NoAnswer
    }

    /// What is proven about the path MTU, as an interval `(min, max)` of
    /// whole IP packet sizes, each `None` when unknown: the exact MTU twice
    /// when found; the largest size that passed and one byte below the
    /// smallest that failed (or the ceiling) when a budget ended the search;
    /// below the floor when even the floor failed.
    pub fn path_mtu_bounds(&self) -> (Option<u16>, Option<u16>) {
        match self.result.end {
            End::Found { path_mtu } => (Some(path_mtu), Some(path_mtu)),
            End::Incomplete { at_least, fails_at } => (
                at_least,
                Some(fails_at.map_or(self.ceiling, |f| f.saturating_sub(1))),
            ),
            End::BelowFloor { .. } => (None, Some(self.floor.saturating_sub(1))),
            End::NoAnswer | End::Unreachable { .. } => (None, None),
        }
    }
}

/// A certificate-authenticated IKE_AUTH as Windows sends it with an RSA-4096
/// root + intermediate chain: about 2,240 bytes (observed in the project's
/// lab; RSA-2048 chains are a few hundred bytes smaller).
pub const TYPICAL_IKE_AUTH: u32 = 2240;

/// How many IP fragments an IKE message of `ike_len` bytes becomes on a path
/// of `mtu` bytes when sent on UDP 4500 (where IKE_AUTH travels): UDP header
/// (8) plus the non-ESP marker (4, RFC 3948 §2.2) ride in the first
/// fragment; IPv4 fragments carry multiples of 8 bytes (RFC 791), IPv6
/// fragments also carry an 8-byte fragment header (RFC 8200 §4.5).
pub fn ip_fragments(ike_len: u32, mtu: u16, v6: bool) -> u32 {
    let payload = ike_len + 8 + 4;
    let (ip, frag) = if v6 { (40, 8) } else { (20, 0) };
    let mtu = u32::from(mtu);
    if payload + ip <= mtu {
        return 1;
    }
    let per_fragment = mtu.saturating_sub(ip + frag) / 8 * 8;
    if per_fragment == 0 {
        return u32::MAX;
    }
    payload.div_ceil(per_fragment)
}

/// Why a probe got no reply, when an ICMP error said why (one ICMP
/// classification for probes and captures, in [`crate::wire::icmp`]).
pub use crate::wire::icmp::Unreachable;

/// What happened to one probe, as the transport saw it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The target answered: the packet arrived whole.
    Reply { rtt: Duration },
    /// Too big for a link on the way. `mtu` is the advertised next-hop MTU
    /// (`None` when the error carried none, e.g. a pre-RFC 1191 router that
    /// sends 0); `from` is the hop that said so, `None` for this host's own
    /// interface (the send itself failed with EMSGSIZE).
    TooBig {
        mtu: Option<u16>,
        from: Option<IpAddr>,
    },
    /// Nothing came back within the wait.
    Lost,
    /// Another ICMP error: the packet did not arrive, for a reason other than size.
    Error {
        kind: Unreachable,
        from: Option<IpAddr>,
    },
}

/// One probe and its fate, for the per-size table and JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProbeRecord {
    pub size: u16,
    /// 1 for the first probe of this size in a row, 2 for its retry, ...
    pub attempt: u8,
    pub outcome: Outcome,
    /// Time since the search began when the outcome was recorded.
    pub at: Duration,
    /// The reply came after the probe's wait (the search had counted the
    /// probe as lost and moved on); `outcome` is that reply.
    pub late: bool,
}

/// A too-big error as received, with whether the search believed its MTU.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TooBigSeen {
    pub size: u16,
    pub mtu: Option<u16>,
    pub from: Option<IpAddr>,
    pub trusted: bool,
}

/// How the search ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    /// The largest size that passed, with the next size up known to fail (or
    /// the ceiling itself passed).
    Found { path_mtu: u16 },
    /// Even the floor is too big for the path; `advertised` is what the
    /// hop said, if anything.
    BelowFloor { advertised: Option<u16> },
    /// Not one probe, not even at the floor, got any answer.
    NoAnswer,
    /// The floor was refused with a non-size ICMP error.
    Unreachable {
        kind: Unreachable,
        from: Option<IpAddr>,
    },
    /// The probe or time budget ran out first. `at_least` is the largest size
    /// that passed, `fails_at` the smallest that failed, if known: the path
    /// MTU is proven to lie in `[at_least, fails_at - 1]`.
    Incomplete {
        at_least: Option<u16>,
        fails_at: Option<u16>,
    },
}

/// The answer of a search and the evidence behind it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchResult {
    pub end: End,
    /// Sizes above the path MTU vanished without any too-big error that
    /// names this MTU: the limiting hop is silent (a PMTUD black hole). Also
    /// set for an incomplete search once a size above one that passed
    /// vanished every try without a too-big error naming an MTU between them.
    pub black_hole: bool,
    /// The too-big error that explains the result: the one that advertised
    /// the path MTU, else the last one received.
    pub too_big: Option<TooBigSeen>,
    pub probes: Vec<ProbeRecord>,
    pub elapsed: Duration,
}

impl SearchResult {
    pub fn path_mtu(&self) -> Option<u16> {
        match self.end {
            End::Found { path_mtu } => Some(path_mtu),
            _ => None,
        }
    }

    pub fn probes_sent(&self) -> u32 {
        u32::try_from(self.probes.len()).unwrap_or(u32::MAX)
    }
}
