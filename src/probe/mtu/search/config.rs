//! The limits of one path-MTU search, and the path MTUs real paths have.

use std::net::IpAddr;
use std::time::Duration;

/// Limits of one search. Sizes are whole IP packets (IP header included).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchConfig {
    /// Smallest size tested; a path that cannot carry it is reported as such.
    pub floor: u16,
    /// Largest size tested: the outgoing interface MTU or `--max`.
    pub ceiling: u16,
    /// Probes per size before silence counts as "too big".
    pub tries: u8,
    /// Hard cap on probes sent.
    pub max_probes: u32,
    /// Hard cap on the whole search.
    pub max_time: Duration,
    /// Wait per probe before any round-trip time is known; also the cap on
    /// the adaptive wait (the ceiling of [`crate::probe::rtt::RttEstimator`]).
    pub timeout: Duration,
    /// Shortest adaptive wait (the floor of [`crate::probe::rtt::RttEstimator`]): round-trip
    /// times jitter, and an ICMP error from a slow router can arrive later
    /// than an echo reply from a fast host.
    pub min_wait: Duration,
}

/// Most probes a silent size gets when the path is lossy (the `--tries`
/// maximum).
pub const MAX_TRIES: u8 = 10;

/// Path MTUs that real paths have, ascending: the search walks up these
/// (each followed by one byte more) when silence is all a too-large size
/// gets (the IPv4 floor, 576, is probed first anyway). Sources: 1006 SLIP (RFC 1191 §7);
/// 1280 IPv6 minimum and many IPv6 tunnels (RFC 8200 §5); 1400 a common
/// tunnel, SD-WAN and cloud VPN gateway MTU; 1420 and 1440 WireGuard over
/// IPv6 and IPv4; 1450 VXLAN (RFC 7348, 50 bytes); 1476 GRE (24 bytes);
/// 1480 IPv6-in-IPv4 and IP-in-IP (RFC 4213, 20 bytes); 1492 PPPoE
/// (RFC 2516); 1500 Ethernet; 4352 FDDI (RFC 1191 §7); 9000 jumbo frames.
pub const PLATEAUS: &[u16] = &[
    1006, 1280, 1400, 1420, 1440, 1450, 1476, 1480, 1492, 1500, 4352, 9000,
];

impl SearchConfig {
    /// Default floor for the address family: the minimum every IPv4 host must
    /// accept (RFC 791 "576 octets") or the IPv6 minimum link MTU (RFC 8200 §5).
    pub fn default_floor(addr: &IpAddr) -> u16 {
        match addr {
            IpAddr::V4(_) => 576,
            IpAddr::V6(_) => 1280,
        }
    }

    /// Smallest IP packet that can carry the probe: IP header plus ICMP echo
    /// header (8 bytes), with room for a sequence tag.
    pub fn smallest_packet(addr: &IpAddr) -> u16 {
        match addr {
            IpAddr::V4(_) => 28 + 8,
            IpAddr::V6(_) => 48 + 8,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    #[error("--min {floor} is larger than --max {ceiling}; the search needs min <= max")]
    FloorAboveCeiling { floor: u16, ceiling: u16 },
    #[error("--tries must be at least 1")]
    NoTries,
    #[error("the probe budget must allow at least one probe")]
    NoProbes,
}
