//! Name resolution for the active commands (`probe`, `mtu`, `check`), the
//! way the OS resolves for the VPN client (Windows' DNS client, glibc's
//! `hosts: files dns`):
//!
//! 1. an IP address is used as it is;
//! 2. the hosts file first (Linux `/etc/hosts`, Windows
//!    `%SystemRoot%\System32\drivers\etc\hosts`): when it lists the name
//!    with an address of the family asked, that answer is used and DNS is
//!    not asked (a finding says so: it hides a DNS problem other clients
//!    have);
//! 3. otherwise DNS, A and AAAA asked separately and side by side, each with
//!    its own time and outcome (NXDOMAIN, NODATA, timeout, no server
//!    configured, other failure). One family answering is enough: the other
//!    one's failure is a warning, not a failed resolution.
//!
//! Bounded: each query ends after `timeout` at the latest and both run at
//! the same time, so the whole resolution takes at most `timeout` (the
//! `--timeout` of the command, 2 s by default) plus reading the hosts file.
//! `-4`/`-6` restrict both the hosts-file answer and the queries to one
//! family.
//!
//! The machine is reached through the [`Resolver`] trait of
//! [`crate::env::Env`]; the policy above is pure and tested with a scripted
//! resolver.

#![forbid(unsafe_code)]

pub mod hosts;
mod system;

use std::net::IpAddr;
use std::time::Duration;

pub use crate::diagnose::dns::{
    DnsAnswer, DnsFailure, Family, Lookup, LookupFailure, RecordType, Resolution, Source,
};
use crate::env::Env;
pub use hosts::HostsFile;
pub use system::SystemResolver;

/// Why a target gave no address to test.
#[derive(Debug, thiserror::Error)]
pub enum ResolveError {
    /// Not an IP address and not a host name: a typo, reported before any
    /// query is sent.
    #[error("'{host}' is not a valid host name or IP address")]
    InvalidName { host: String },
    /// Neither the hosts file nor DNS gave an address (or a literal of the
    /// other family was given with -4/-6): what each query said, and when.
    #[error(transparent)]
    Dns(#[from] DnsFailure),
}

/// What the resolver needs from the machine (part of [`Env`]).
pub trait Resolver: Sync {
    /// The system's hosts file; `None` when there is none or it cannot be
    /// read (then DNS alone answers, as the OS resolvers do).
    fn hosts_file(&self) -> Option<HostsFile>;
    /// One DNS query for the `record_type` records of `name` through the
    /// system's DNS configuration, ended after `timeout` at the latest. An
    /// empty answer is [`LookupFailure::NoData`], never `Ok(vec![])`.
    fn query(
        &self,
        name: &str,
        record_type: RecordType,
        timeout: Duration,
    ) -> Result<Vec<DnsAnswer>, LookupFailure>;
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

/// Resolves `host` to the addresses to test (see the module documentation
/// for the order and the bound).
pub fn resolve(
    env: &Env,
    host: &str,
    family: Family,
    timeout: Duration,
) -> Result<Resolution, ResolveError> {
    if let Some(addr) = parse_literal(host) {
        if !family.admits(&addr) {
            return Err(DnsFailure::wrong_family(host, family, addr).into());
        }
        return Ok(Resolution::literal(host, family, addr));
    }
    if !is_host_name(host) {
        return Err(ResolveError::InvalidName {
            host: host.to_owned(),
        });
    }
    let clock = env.clock;
    let started = clock.now();
    let since = |t| clock.now().saturating_duration_since(t);
    let hosts = env.dns.hosts_file();
    if let Some(file) = &hosts {
        let mut found: Vec<IpAddr> = file
            .lookup(host)
            .into_iter()
            .filter(|a| family.admits(a))
            .collect();
        if !found.is_empty() {
            found.sort_by_key(|a| a.is_ipv6());
            return Ok(Resolution {
                host: host.to_owned(),
                family,
                answers: found.iter().copied().map(DnsAnswer::hosts).collect(),
                addresses: found,
                source: Source::HostsFile,
                from_dns: false,
                hosts_file: Some(file.path.clone()),
                lookups: Vec::new(),
                elapsed: since(started),
            });
        }
    }
    let lookups: Vec<Lookup> = std::thread::scope(|scope| {
        let running: Vec<_> = family
            .record_types()
            .iter()
            .map(|&record_type| {
                let handle = scope.spawn(move || {
                    let t = clock.now();
                    let outcome = env.dns.query(host, record_type, timeout);
                    (outcome, since(t))
                });
                (record_type, handle)
            })
            .collect();
        running
            .into_iter()
            .map(|(record_type, handle)| {
                let (outcome, elapsed) = handle.join().unwrap_or_else(|_| {
                    let detail = "the DNS query stopped unexpectedly".to_owned();
                    (Err(LookupFailure::Failed { detail }), Duration::ZERO)
                });
                let outcome = match outcome {
                    Ok(a) if a.is_empty() => Err(LookupFailure::NoData),
                    other => other,
                };
                Lookup {
                    record_type,
                    outcome,
                    elapsed,
                }
            })
            .collect()
    });
    let answers: Vec<DnsAnswer> = lookups
        .iter()
        .flat_map(|l| l.answers().iter().cloned())
        .filter(|a| family.admits(&a.address))
        .collect();
    let elapsed = since(started);
    let hosts_file = hosts.map(|h| h.path);
    if answers.is_empty() {
        return Err(DnsFailure::from_lookups(host, family, hosts_file, lookups, elapsed).into());
    }
    Ok(Resolution {
        host: host.to_owned(),
        family,
        addresses: answers.iter().map(|a| a.address).collect(),
        source: Source::Dns,
        from_dns: true,
        hosts_file: None,
        answers,
        lookups,
        elapsed,
    })
}

#[cfg(test)]
mod tests;
