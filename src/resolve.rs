//! Name resolution for the active commands (`probe`, `mtu`, `check`).
//!
//! A and AAAA are asked separately and concurrently so the report can show
//! what the resolver answered for each family (an AOVPN profile that names a
//! host with a broken AAAA record fails differently from one without IPv6).
//! The resolver reads the system configuration (resolv.conf, the Windows
//! registry) and the hosts file, like the VPN client itself would.

#![forbid(unsafe_code)]

use std::net::IpAddr;
use std::time::{Duration, Instant};

use hickory_resolver::TokioResolver;
use hickory_resolver::net::NetError;
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

    fn label(self) -> &'static str {
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

#[derive(Debug, thiserror::Error)]
pub enum ResolveError {
    #[error("'{host}' is not a valid host name or IP address")]
    InvalidName { host: String },
    #[error(
        "unknown host '{host}': DNS has no A or AAAA record for it (check the name in the VPN profile)"
    )]
    NotFound { host: String },
    #[error("'{host}' has no {} address (drop -4/-6 or check DNS)", .family.label())]
    NoAddressForFamily { host: String, family: Family },
    #[error("DNS lookup of '{host}' timed out after {:.1} s (is a DNS server reachable?)", .after.as_secs_f64())]
    Timeout { host: String, after: Duration },
    #[error("cannot look up '{host}': {source} (check the system's DNS configuration)")]
    Resolver {
        host: String,
        #[source]
        source: NetError,
    },
    #[error("cannot start the DNS resolver: {0}")]
    Runtime(#[source] std::io::Error),
}

impl ResolveError {
    /// Unknown or malformed names are the user's input (exit 2); a resolver
    /// that cannot be reached means the check could not run (exit 3).
    pub fn exit(&self) -> crate::Exit {
        match self {
            ResolveError::InvalidName { .. }
            | ResolveError::NotFound { .. }
            | ResolveError::NoAddressForFamily { .. } => crate::Exit::Input,
            ResolveError::Timeout { .. }
            | ResolveError::Resolver { .. }
            | ResolveError::Runtime(_) => crate::Exit::CannotRun,
        }
    }
}

/// Parses an IP literal, also in URL-style brackets (`[2001:db8::1]`).
pub fn parse_literal(host: &str) -> Option<IpAddr> {
    let trimmed = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    trimmed.parse().ok()
}

/// A DNS host name as a VPN profile can hold one (RFC 1123 §2.1): labels of
/// 1-63 letters, digits, hyphens (not at either end) or underscores, at most
/// 253 characters, one optional trailing dot. Anything else is the user's
/// typo, reported before any query is sent.
pub fn is_host_name(host: &str) -> bool {
    let name = host.strip_suffix('.').unwrap_or(host);
    !name.is_empty()
        && name.len() <= 253
        && name.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
}

/// Resolves `host` to the addresses to test, within `timeout`.
pub fn resolve(host: &str, family: Family, timeout: Duration) -> Result<Resolution, ResolveError> {
    if let Some(addr) = parse_literal(host) {
        if !family.admits(&addr) {
            return Err(ResolveError::NoAddressForFamily {
                host: host.to_owned(),
                family,
            });
        }
        return Ok(Resolution {
            host: host.to_owned(),
            addresses: vec![addr],
            from_dns: false,
            answers: Vec::new(),
            elapsed: Duration::ZERO,
        });
    }
    if !is_host_name(host) {
        return Err(ResolveError::InvalidName {
            host: host.to_owned(),
        });
    }

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(ResolveError::Runtime)?;
    let started = Instant::now();
    let answers = runtime.block_on(async {
        let mut builder =
            TokioResolver::builder_tokio().map_err(|source| ResolveError::Resolver {
                host: host.to_owned(),
                source,
            })?;
        // One bounded attempt per server inside our own overall deadline.
        builder.options_mut().timeout = timeout;
        builder.options_mut().attempts = 1;
        let resolver = builder.build().map_err(|source| ResolveError::Resolver {
            host: host.to_owned(),
            source,
        })?;
        let lookups = async {
            let v4 = async {
                if family == Family::V6 {
                    None
                } else {
                    Some(resolver.ipv4_lookup(host).await)
                }
            };
            let v6 = async {
                if family == Family::V4 {
                    None
                } else {
                    Some(resolver.ipv6_lookup(host).await)
                }
            };
            tokio::join!(v4, v6)
        };
        let (v4, v6) =
            tokio::time::timeout(timeout, lookups)
                .await
                .map_err(|_| ResolveError::Timeout {
                    host: host.to_owned(),
                    after: timeout,
                })?;
        collect_answers(host, [v4, v6].into_iter().flatten())
    })?;
    let elapsed = started.elapsed();

    let addresses: Vec<IpAddr> = answers.iter().map(|a| a.address).collect();
    if addresses.is_empty() {
        return Err(if family == Family::Any {
            ResolveError::NotFound {
                host: host.to_owned(),
            }
        } else {
            ResolveError::NoAddressForFamily {
                host: host.to_owned(),
                family,
            }
        });
    }
    Ok(Resolution {
        host: host.to_owned(),
        addresses,
        from_dns: true,
        answers,
        elapsed,
    })
}

/// Turns the per-family lookup results into answers. "No such name" and "no
/// records of this type" are empty results, not errors: the caller decides
/// whether an empty total is an unknown host. Any other failure is reported.
fn collect_answers(
    host: &str,
    results: impl Iterator<Item = Result<hickory_resolver::lookup::Lookup, NetError>>,
) -> Result<Vec<DnsAnswer>, ResolveError> {
    use hickory_resolver::proto::rr::RData;
    let mut answers = Vec::new();
    for result in results {
        let lookup = match result {
            Ok(lookup) => lookup,
            Err(e) if e.is_no_records_found() || e.is_nx_domain() => continue,
            Err(source) => {
                return Err(ResolveError::Resolver {
                    host: host.to_owned(),
                    source,
                });
            }
        };
        for record in lookup.answers() {
            let (record_type, address) = match &record.data {
                RData::A(a) => ("A", IpAddr::V4(a.0)),
                RData::AAAA(a) => ("AAAA", IpAddr::V6(a.0)),
                _ => continue, // CNAME chain members: the final addresses follow
            };
            answers.push(DnsAnswer {
                record_type,
                address,
                ttl: record.ttl,
            });
        }
    }
    Ok(answers)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_skip_dns() {
        let r = resolve("198.18.0.1", Family::Any, Duration::from_secs(1)).unwrap();
        assert!(!r.from_dns);
        assert_eq!(r.addresses, vec!["198.18.0.1".parse::<IpAddr>().unwrap()]);
        let r = resolve("[fd00::1]", Family::V6, Duration::from_secs(1)).unwrap();
        assert_eq!(r.addresses, vec!["fd00::1".parse::<IpAddr>().unwrap()]);
    }

    #[test]
    fn literal_of_the_wrong_family_is_an_input_error() {
        let e = resolve("fd00::1", Family::V4, Duration::from_secs(1)).unwrap_err();
        assert!(matches!(e, ResolveError::NoAddressForFamily { .. }));
        assert_eq!(e.exit(), crate::Exit::Input);
    }

    #[test]
    fn malformed_names_are_rejected_before_dns() {
        for bad in [
            "",
            "has space",
            "a/b",
            "bad..name",
            ".",
            "-vpn.example.com",
            "vpn-.example.com",
            "vpn.example.com..",
            "vpn:500",
        ] {
            let e = resolve(bad, Family::Any, Duration::from_secs(1)).unwrap_err();
            assert!(matches!(e, ResolveError::InvalidName { .. }), "{bad}: {e}");
        }
    }

    #[test]
    fn ordinary_names_are_accepted() {
        for good in [
            "vpn.example.com",
            "vpn.example.com.",
            "VPN-01.corp_dc.example",
            "localhost",
        ] {
            assert!(is_host_name(good), "{good}");
        }
        assert!(!is_host_name(&format!("{}.com", "a".repeat(64))));
    }

    /// `.invalid` is answered locally by the resolver (RFC 6761 §6.4), so
    /// this sends nothing on the network; the trailing dot stops search-list
    /// expansion.
    #[test]
    fn reserved_invalid_name_is_unknown_host() {
        let e = resolve("no-such-host.invalid.", Family::Any, Duration::from_secs(2)).unwrap_err();
        assert!(matches!(e, ResolveError::NotFound { .. }), "{e}");
        assert_eq!(e.exit(), crate::Exit::Input);
    }

    /// `localhost` is answered by the resolver itself (RFC 6761 §6.3).
    #[test]
    fn localhost_resolves_without_network() {
        let r = resolve("localhost.", Family::V4, Duration::from_secs(2)).unwrap();
        assert!(r.from_dns);
        assert!(
            r.addresses.iter().all(|a| a.is_loopback()),
            "{:?}",
            r.addresses
        );
    }
}
