//! Facts of name resolution as the VPN client does it: the hosts file first,
//! then DNS with A and AAAA asked separately, each answer or failure with
//! its time. PURE: `resolve` fills these values; [`findings()`] judges them.
//!
//! Failures are told apart as the DNS protocol does: the name does not exist
//! (NXDOMAIN, RCODE 3, RFC 1035 §4.1.1), the name exists without records of
//! the type asked (NODATA: NOERROR with an empty answer, RFC 2308 §2.2), no
//! server answered in time, no server is configured, or any other failure
//! (SERVFAIL, REFUSED, a server that cannot be reached).

pub mod findings;

use std::fmt;
use std::net::IpAddr;
use std::time::Duration;

use serde::Serialize;

pub use findings::findings;

/// Which address families the user asked for (`-4`, `-6`, or both).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
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

    /// The record types to ask for, A first.
    pub fn record_types(self) -> &'static [RecordType] {
        match self {
            Family::Any => &[RecordType::A, RecordType::Aaaa],
            Family::V4 => &[RecordType::A],
            Family::V6 => &[RecordType::Aaaa],
        }
    }
}

/// An address record type (RFC 1035 §3.4.1, RFC 3596 §2.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, schemars::JsonSchema)]
pub enum RecordType {
    A,
    #[serde(rename = "AAAA")]
    Aaaa,
}

impl RecordType {
    pub fn as_str(self) -> &'static str {
        match self {
            RecordType::A => "A",
            RecordType::Aaaa => "AAAA",
        }
    }

    /// The record type that carries `addr`.
    pub fn of(addr: &IpAddr) -> RecordType {
        if addr.is_ipv4() {
            RecordType::A
        } else {
            RecordType::Aaaa
        }
    }

    /// `IPv4` or `IPv6`.
    pub fn family(self) -> &'static str {
        match self {
            RecordType::A => "IPv4",
            RecordType::Aaaa => "IPv6",
        }
    }
}

impl fmt::Display for RecordType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One address as the resolver returned it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct DnsAnswer {
    /// `A` or `AAAA`.
    pub record_type: RecordType,
    pub address: IpAddr,
    /// Seconds, from DNS; `None` for a hosts-file entry.
    pub ttl: Option<u32>,
}

impl DnsAnswer {
    /// A hosts-file entry (no TTL).
    pub fn hosts(address: IpAddr) -> Self {
        DnsAnswer {
            record_type: RecordType::of(&address),
            address,
            ttl: None,
        }
    }
}

/// Why one DNS query gave no address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema, thiserror::Error)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum LookupFailure {
    /// NXDOMAIN: the name does not exist.
    #[error("the name does not exist (NXDOMAIN)")]
    NxDomain,
    /// NODATA: the name exists, without a record of this type.
    #[error("no record of this type (NODATA)")]
    NoData,
    /// No DNS server answered before the deadline.
    #[error("no DNS server answered in time")]
    Timeout,
    /// This machine has no DNS server configured.
    #[error("no DNS server is configured ({detail})")]
    NoServer { detail: String },
    /// SERVFAIL, REFUSED, a server that cannot be reached, ...
    #[error("{detail}")]
    Failed { detail: String },
}

impl LookupFailure {
    /// An answer about the name itself (it does not exist, or has no such
    /// record), as opposed to no answer at all.
    pub fn is_answer(&self) -> bool {
        matches!(self, LookupFailure::NxDomain | LookupFailure::NoData)
    }
}

/// One DNS query and how it ended, with its time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Lookup {
    pub record_type: RecordType,
    /// The addresses it gave, or why none.
    #[serde(serialize_with = "serialize_outcome", rename = "result")]
    #[schemars(with = "LookupResult<'static>")]
    pub outcome: Result<Vec<DnsAnswer>, LookupFailure>,
    #[serde(serialize_with = "serialize_ms", rename = "elapsed_ms")]
    #[schemars(with = "f64")]
    pub elapsed: Duration,
}

impl Lookup {
    pub fn answers(&self) -> &[DnsAnswer] {
        self.outcome.as_deref().unwrap_or(&[])
    }

    /// `AAAA: no DNS server answered in time (2000.0 ms)` for a query that
    /// gave no address; `None` for one that did.
    pub fn failure_text(&self) -> Option<String> {
        let e = self.outcome.as_ref().err()?;
        Some(format!(
            "{}: {e} ({})",
            self.record_type,
            crate::millis::text(self.elapsed)
        ))
    }

    /// `A: 198.51.100.7 in 3.1 ms`, `AAAA: no record of this type (NODATA) in 2.0 ms`.
    pub fn describe(&self) -> String {
        let what = match &self.outcome {
            Ok(a) if a.is_empty() => "no address".to_owned(),
            Ok(a) => a
                .iter()
                .map(|a| a.address.to_string())
                .collect::<Vec<_>>()
                .join(", "),
            Err(e) => e.to_string(),
        };
        format!(
            "{}: {what} in {}",
            self.record_type,
            crate::millis::text(self.elapsed)
        )
    }
}

/// One query's result in JSON: the answers, or why there were none.
#[derive(Serialize, schemars::JsonSchema)]
struct LookupResult<'a> {
    answers: &'a [DnsAnswer],
    error: Option<&'a LookupFailure>,
    /// The error in words.
    message: Option<String>,
}

/// `{"answers": [...]}` or `{"error": {"kind": ..}}`.
fn serialize_outcome<S: serde::Serializer>(
    outcome: &Result<Vec<DnsAnswer>, LookupFailure>,
    s: S,
) -> Result<S::Ok, S::Error> {
    type Out<'a> = LookupResult<'a>;
    match outcome {
        Ok(a) => Out {
            answers: a,
            error: None,
            message: None,
        },
        Err(e) => Out {
            answers: &[],
            error: Some(e),
            message: Some(e.to_string()),
        },
    }
    .serialize(s)
}

fn serialize_ms<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(crate::millis::json(*d))
}

/// Where the addresses came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Source {
    /// The target was an IP address: nothing was resolved.
    Literal,
    /// The hosts file had the name; DNS was not asked.
    HostsFile,
    Dns,
}

/// The outcome of resolving a target that gave at least one address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Resolution {
    /// What the user typed.
    pub host: String,
    pub family: Family,
    /// Addresses to test, IPv4 first, filtered by family.
    pub addresses: Vec<IpAddr>,
    pub source: Source,
    /// True when the addresses came from DNS.
    pub from_dns: bool,
    /// The hosts file that answered, when one did.
    pub hosts_file: Option<String>,
    pub answers: Vec<DnsAnswer>,
    /// Every DNS query made, answered or not, with its time (none for a
    /// literal or a hosts-file answer).
    pub lookups: Vec<Lookup>,
    /// Wall time of the whole resolution; zero for literals.
    #[serde(serialize_with = "serialize_ms", rename = "elapsed_ms")]
    #[schemars(with = "f64")]
    pub elapsed: Duration,
}

impl Resolution {
    /// A literal address: nothing to resolve.
    pub fn literal(host: &str, family: Family, address: IpAddr) -> Self {
        Resolution {
            host: host.to_owned(),
            family,
            addresses: vec![address],
            source: Source::Literal,
            from_dns: false,
            hosts_file: None,
            answers: Vec::new(),
            lookups: Vec::new(),
            elapsed: Duration::ZERO,
        }
    }

    /// The DNS queries that failed for another reason than NODATA while
    /// addresses were found anyway: the family that answered carried on.
    pub fn failed_lookups(&self) -> impl Iterator<Item = &Lookup> {
        self.lookups
            .iter()
            .filter(|l| matches!(&l.outcome, Err(e) if *e != LookupFailure::NoData))
    }
}

/// How a resolution that gave no address failed, most telling first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum FailureKind {
    /// An IP address of the other family than `-4`/`-6` asked for.
    WrongFamilyLiteral,
    /// Every query: NXDOMAIN.
    NoSuchName,
    /// The name exists, without an address of the family asked (NODATA,
    /// or NXDOMAIN for one type and NODATA for the other).
    NoAddressRecords,
    /// No DNS server is configured.
    NoServer,
    /// At least one query timed out.
    Timeout,
    /// SERVFAIL, REFUSED, unreachable server, ...
    Failed,
}

impl FailureKind {
    /// The kebab-case name JSON shows.
    pub fn as_str(self) -> &'static str {
        match self {
            FailureKind::WrongFamilyLiteral => "wrong-family-literal",
            FailureKind::NoSuchName => "no-such-name",
            FailureKind::NoAddressRecords => "no-address-records",
            FailureKind::NoServer => "no-server",
            FailureKind::Timeout => "timeout",
            FailureKind::Failed => "failed",
        }
    }
}

/// A resolution that gave no address, with everything tried.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct DnsFailure {
    pub host: String,
    pub family: Family,
    pub kind: FailureKind,
    /// The literal address given, when it was of the other family.
    pub literal: Option<IpAddr>,
    /// The hosts file that was read (it had no entry for the name).
    pub hosts_file: Option<String>,
    pub lookups: Vec<Lookup>,
    #[serde(serialize_with = "serialize_ms", rename = "elapsed_ms")]
    #[schemars(with = "f64")]
    pub elapsed: Duration,
}

impl DnsFailure {
    /// The failure of `lookups`, none of which gave an address (the most
    /// telling kind wins: a timeout or a missing server says more about why
    /// the client fails than a NODATA for the other family).
    pub fn from_lookups(
        host: &str,
        family: Family,
        hosts_file: Option<String>,
        lookups: Vec<Lookup>,
        elapsed: Duration,
    ) -> Self {
        let errors: Vec<&LookupFailure> = lookups
            .iter()
            .filter_map(|l| l.outcome.as_ref().err())
            .collect();
        let any = |f: fn(&LookupFailure) -> bool| errors.iter().any(|e| f(e));
        let kind = if any(|e| matches!(e, LookupFailure::NoServer { .. })) {
            FailureKind::NoServer
        } else if any(|e| *e == LookupFailure::Timeout) {
            FailureKind::Timeout
        } else if any(|e| matches!(e, LookupFailure::Failed { .. })) {
            FailureKind::Failed
        } else if !errors.is_empty() && errors.iter().all(|e| **e == LookupFailure::NxDomain) {
            FailureKind::NoSuchName
        } else {
            FailureKind::NoAddressRecords
        };
        DnsFailure {
            host: host.to_owned(),
            family,
            kind,
            literal: None,
            hosts_file,
            lookups,
            elapsed,
        }
    }

    /// `-4`/`-6` and an IP address of the other family.
    pub fn wrong_family(host: &str, family: Family, literal: IpAddr) -> Self {
        DnsFailure {
            host: host.to_owned(),
            family,
            kind: FailureKind::WrongFamilyLiteral,
            literal: Some(literal),
            hosts_file: None,
            lookups: Vec::new(),
            elapsed: Duration::ZERO,
        }
    }

    /// The user's input is wrong (exit 2): the name does not exist, has no
    /// address of the family asked, or is a literal of the other family.
    /// Otherwise DNS could not be asked (exit 3).
    pub fn is_input_error(&self) -> bool {
        matches!(
            self.kind,
            FailureKind::WrongFamilyLiteral
                | FailureKind::NoSuchName
                | FailureKind::NoAddressRecords
        )
    }

    /// Each query in words, `; `-separated.
    pub fn lookups_text(&self) -> String {
        self.lookups
            .iter()
            .map(Lookup::describe)
            .collect::<Vec<_>>()
            .join("; ")
    }
}

impl fmt::Display for DnsFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let host = &self.host;
        let hosts = match &self.hosts_file {
            Some(path) => format!(", and the hosts file {path} has no entry for it"),
            None => String::new(),
        };
        match self.kind {
            FailureKind::WrongFamilyLiteral => write!(
                f,
                "'{host}' has no {} address (drop -4/-6 or check DNS)",
                self.family.label()
            ),
            FailureKind::NoSuchName => write!(
                f,
                "unknown host '{host}': the name does not exist in DNS (NXDOMAIN){hosts} \
                 (check the name in the VPN profile) [{}]",
                self.lookups_text()
            ),
            FailureKind::NoAddressRecords if self.family != Family::Any => write!(
                f,
                "'{host}' has no {} address (drop -4/-6 or check DNS) [{}]",
                self.family.label(),
                self.lookups_text()
            ),
            FailureKind::NoAddressRecords => write!(
                f,
                "'{host}' exists in DNS but has no A or AAAA record{hosts} (publish one) [{}]",
                self.lookups_text()
            ),
            FailureKind::Timeout => write!(
                f,
                "DNS lookup of '{host}' timed out after {:.1} s{hosts} (is a DNS server \
                 reachable?) [{}]",
                self.elapsed.as_secs_f64(),
                self.lookups_text()
            ),
            FailureKind::NoServer => write!(
                f,
                "cannot look up '{host}': no DNS server is configured on this machine{hosts} \
                 (configure one, or put the name in the hosts file)"
            ),
            FailureKind::Failed => write!(
                f,
                "cannot look up '{host}'{hosts}: {} (check the system's DNS configuration)",
                self.lookups_text()
            ),
        }
    }
}

impl std::error::Error for DnsFailure {}

#[cfg(test)]
pub(crate) mod samples;
#[cfg(test)]
mod tests;
