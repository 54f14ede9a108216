//! Fact types every command's JSON shows the same way: a peer's address
//! and port, each side's IKEv2 fragmentation support, and NAT on either
//! side. One type each, used by `pcap` (what a capture shows), `probe` and
//! `check` (what the server answered), so a script reads them alike.
//! (Frame references are [`crate::capture::PacketRef`]: `{file, frame}`.)

use std::net::{IpAddr, SocketAddr};

use schemars::JsonSchema;
use serde::Serialize;

/// An IP address and, where the packet has one, its UDP port (null for ESP,
/// a non-first IP fragment, a router that sent ICMP).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, JsonSchema)]
pub struct Endpoint {
    pub address: IpAddr,
    pub port: Option<u16>,
}

impl Endpoint {
    pub fn new(address: IpAddr, port: Option<u16>) -> Endpoint {
        Endpoint { address, port }
    }
}

impl From<SocketAddr> for Endpoint {
    fn from(a: SocketAddr) -> Endpoint {
        Endpoint::new(a.ip(), Some(a.port()))
    }
}

impl From<IpAddr> for Endpoint {
    fn from(a: IpAddr) -> Endpoint {
        Endpoint::new(a, None)
    }
}

/// What one side said about an IKEv2 feature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Support {
    Yes,
    No,
    /// That side's IKE_SA_INIT message was not seen (not in the capture,
    /// or no full answer to the probe).
    Unknown,
}

impl Support {
    pub fn from_bool(b: Option<bool>) -> Support {
        match b {
            Some(true) => Support::Yes,
            Some(false) => Support::No,
            None => Support::Unknown,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Support::Yes => "yes",
            Support::No => "no",
            Support::Unknown => "unknown",
        }
    }
}

/// IKEV2_FRAGMENTATION_SUPPORTED (notify 16430, RFC 7383 §2.3) in each
/// side's IKE_SA_INIT message. (A probe is the initiator and always sends it.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
pub struct FragmentationSupport {
    pub initiator: Support,
    pub responder: Support,
}

impl FragmentationSupport {
    /// Both sides sent 16430: IKE messages may travel as SKF pieces.
    pub fn negotiated(&self) -> bool {
        self.initiator == Support::Yes && self.responder == Support::Yes
    }
}

/// NAT between the peers, from the NAT_DETECTION_SOURCE_IP and
/// NAT_DETECTION_DESTINATION_IP hashes (RFC 7296 §2.23): a side is behind
/// NAT when a hash of its address does not match the address seen. Null
/// when no hash about that side was seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, JsonSchema)]
pub struct Nat {
    pub initiator_behind_nat: Option<bool>,
    pub responder_behind_nat: Option<bool>,
}

impl Nat {
    /// A NAT on either side.
    pub fn detected(&self) -> bool {
        self.initiator_behind_nat == Some(true) || self.responder_behind_nat == Some(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_shapes() {
        let e = Endpoint::from("198.51.100.7:4500".parse::<SocketAddr>().unwrap());
        assert_eq!(
            serde_json::to_value(e).unwrap(),
            serde_json::json!({"address": "198.51.100.7", "port": 4500})
        );
        let f = FragmentationSupport {
            initiator: Support::Yes,
            responder: Support::from_bool(None),
        };
        assert_eq!(
            serde_json::to_value(f).unwrap(),
            serde_json::json!({"initiator": "yes", "responder": "unknown"})
        );
        assert!(!f.negotiated());
        let n = Nat {
            initiator_behind_nat: None,
            responder_behind_nat: Some(true),
        };
        assert!(n.detected());
    }
}
