//! Facts of name resolution: what the user asked for (family), what the
//! resolver answered, and how long it took. PURE: `resolve` fills these.

use std::net::IpAddr;
use std::time::Duration;

use serde::Serialize;

/// Which address families the user asked for (`-4`, `-6`, or both).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Family {
    Any,
    V4,
    V6,
}

impl Family {
    pub fn admits(self, addr: &IpAddr) -> bool {
        match self {
            Family::Any => true,
            Family::V4 => addr.is_ipv4(),
            Family::V6 => addr.is_ipv6(),
        }
    }

    /// In words, for messages: `IPv4 (A)`, `IPv6 (AAAA)`, `IPv4 or IPv6`.
    pub fn label(self) -> &'static str {
        match self {
            Family::Any => "IPv4 or IPv6",
            Family::V4 => "IPv4 (A)",
            Family::V6 => "IPv6 (AAAA)",
        }
    }
}

/// One address record as the resolver returned it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DnsAnswer {
    /// `A` or `AAAA`.
    pub record_type: &'static str,
    pub address: IpAddr,
    pub ttl: u32,
}

/// The outcome of resolving a target.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Resolution {
    /// What the user typed.
    pub host: String,
    /// Addresses to test, in resolver order, IPv4 first, filtered by family.
    pub addresses: Vec<IpAddr>,
    /// False when the target was an IP literal and DNS was not asked.
    pub from_dns: bool,
    pub answers: Vec<DnsAnswer>,
    /// Wall time of the lookup; zero for literals.
    #[serde(serialize_with = "serialize_ms", rename = "elapsed_ms")]
    pub elapsed: Duration,
}

fn serialize_ms<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64((d.as_secs_f64() * 1000.0 * 10.0).round() / 10.0)
}
