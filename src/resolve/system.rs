//! The [`Resolver`] of this machine: its hosts file, and one DNS query at a
//! time through hickory-resolver with the system's DNS configuration
//! (resolv.conf, the Windows registry). hickory's own hosts-file lookup is
//! off: the hosts file is read here, once, so a DNS answer is really from
//! DNS.

use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

use hickory_resolver::config::{ResolveHosts, ResolverConfig};
use hickory_resolver::net::runtime::TokioRuntimeProvider;
use hickory_resolver::net::{DnsError, NetError};
use hickory_resolver::proto::rr::{RData, RecordType as HickoryType};
use hickory_resolver::{Resolver as Hickory, TokioResolver};

use super::{HostsFile, Resolver};
use crate::diagnose::dns::{DnsAnswer, LookupFailure, RecordType};
use crate::text::decode_text;

/// This machine's resolver: see the module documentation.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemResolver;

impl Resolver for SystemResolver {
    fn hosts_file(&self) -> Option<HostsFile> {
        let path = hosts_path();
        let bytes = std::fs::read(&path).ok()?;
        Some(HostsFile {
            path: path.display().to_string(),
            // Windows editors save it as ANSI, UTF-8 or UTF-16.
            text: decode_text(&bytes).0,
        })
    }

    fn query(
        &self,
        name: &str,
        record_type: RecordType,
        timeout: Duration,
    ) -> Result<Vec<DnsAnswer>, LookupFailure> {
        query(None, name, record_type, timeout)
    }
}

/// `/etc/hosts`, or `%SystemRoot%\System32\drivers\etc\hosts` on Windows
/// (the default `DataBasePath` of Tcpip; a relocated one is not followed).
fn hosts_path() -> PathBuf {
    if cfg!(windows) {
        let root = std::env::var_os("SystemRoot").unwrap_or_else(|| r"C:\Windows".into());
        PathBuf::from(root).join(r"System32\drivers\etc\hosts")
    } else {
        PathBuf::from("/etc/hosts")
    }
}

/// One query with the system configuration, or with `config` (tests).
fn query(
    config: Option<ResolverConfig>,
    name: &str,
    record_type: RecordType,
    timeout: Duration,
) -> Result<Vec<DnsAnswer>, LookupFailure> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| LookupFailure::Failed {
            detail: format!("cannot start the DNS resolver: {e}"),
        })?;
    runtime.block_on(async {
        let mut builder = match config {
            Some(c) => Hickory::builder_with_config(c, TokioRuntimeProvider::default()),
            // No nameserver in resolv.conf (or none in the registry) ends here.
            None => TokioResolver::builder_tokio().map_err(|e| LookupFailure::NoServer {
                detail: e.to_string(),
            })?,
        };
        let options = builder.options_mut();
        options.timeout = timeout;
        options.attempts = 1;
        options.use_hosts_file = ResolveHosts::Never;
        let resolver = builder.build().map_err(|e| LookupFailure::Failed {
            detail: format!("cannot start the DNS resolver: {e}"),
        })?;
        let wanted = match record_type {
            RecordType::A => HickoryType::A,
            RecordType::Aaaa => HickoryType::AAAA,
        };
        // hickory bounds each server by `timeout`; this bounds the whole query.
        let lookup = tokio::time::timeout(timeout, resolver.lookup(name, wanted))
            .await
            .map_err(|_| LookupFailure::Timeout)?
            .map_err(failure)?;
        let answers: Vec<DnsAnswer> = lookup
            .answers()
            .iter()
            .filter_map(|record| {
                let address = match &record.data {
                    RData::A(a) => IpAddr::V4(a.0),
                    RData::AAAA(a) => IpAddr::V6(a.0),
                    _ => return None, // CNAME chain members: the addresses follow
                };
                Some(DnsAnswer {
                    record_type: RecordType::of(&address),
                    address,
                    ttl: Some(record.ttl),
                })
            })
            .filter(|a| a.record_type == record_type)
            .collect();
        if answers.is_empty() {
            Err(LookupFailure::NoData)
        } else {
            Ok(answers)
        }
    })
}

/// hickory's error, as one of the failures the report tells apart.
fn failure(e: NetError) -> LookupFailure {
    if e.is_nx_domain() {
        return LookupFailure::NxDomain;
    }
    if e.is_no_records_found() {
        return LookupFailure::NoData;
    }
    match e {
        NetError::Timeout => LookupFailure::Timeout,
        NetError::Dns(DnsError::ResponseCode(code)) => LookupFailure::Failed {
            detail: format!("the DNS server answered {code}"),
        },
        other => LookupFailure::Failed {
            detail: other.to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use std::net::{SocketAddr, UdpSocket};
    use std::time::Instant;

    use hickory_resolver::config::{ConnectionConfig, NameServerConfig};

    use super::*;

    /// What the loopback DNS server does with a query for `name`.
    #[derive(Clone, Copy)]
    enum Reply {
        /// A records for A queries, NODATA for AAAA.
        V4Only,
        NxDomain,
        ServFail,
        Silence,
    }

    /// A one-purpose DNS server on 127.0.0.1 (RFC 1035 §4.1): answers every
    /// query per `reply`, for `queries` queries, then stops.
    fn server(reply: Reply, queries: usize) -> SocketAddr {
        let sock = UdpSocket::bind("127.0.0.1:0").unwrap();
        sock.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let addr = sock.local_addr().unwrap();
        std::thread::spawn(move || {
            let mut buf = [0u8; 1500];
            for _ in 0..queries {
                let Ok((n, from)) = sock.recv_from(&mut buf) else {
                    return;
                };
                if let Some(resp) = answer(&buf[..n], reply) {
                    let _ = sock.send_to(&resp, from);
                }
            }
        });
        addr
    }

    fn answer(q: &[u8], reply: Reply) -> Option<Vec<u8>> {
        // Header (12), then the question: labels up to the root, QTYPE, QCLASS.
        let mut end = 12;
        while *q.get(end)? != 0 {
            end += 1 + usize::from(q[end]);
        }
        let question = q.get(12..end + 5)?;
        let qtype = u16::from_be_bytes([q[end + 1], q[end + 2]]);
        let (rcode, answer): (u8, Option<[u8; 4]>) = match reply {
            Reply::Silence => return None,
            Reply::NxDomain => (3, None),
            Reply::ServFail => (2, None),
            Reply::V4Only if qtype == 1 => (0, Some([198, 51, 100, 7])),
            Reply::V4Only => (0, None),
        };
        let mut r = Vec::new();
        r.extend_from_slice(&q[..2]); // ID
        r.push(0x80 | (q[2] & 0x01)); // QR, RD copied
        r.push(0x80 | rcode); // RA, RCODE
        r.extend_from_slice(&[0, 1, 0, u8::from(answer.is_some()), 0, 0, 0, 0]);
        r.extend_from_slice(question);
        if let Some(a) = answer {
            // Name: a pointer to the question's; A, IN, TTL 300, 4 bytes.
            r.extend_from_slice(&[0xc0, 12, 0, 1, 0, 1, 0, 0, 1, 44, 0, 4]);
            r.extend_from_slice(&a);
        }
        Some(r)
    }

    fn config(server: SocketAddr) -> ResolverConfig {
        let mut udp = ConnectionConfig::udp();
        udp.port = server.port();
        ResolverConfig::from_parts(
            None,
            Vec::new(),
            vec![NameServerConfig::new(server.ip(), true, vec![udp])],
        )
    }

    fn ask(
        reply: Reply,
        record_type: RecordType,
    ) -> (Result<Vec<DnsAnswer>, LookupFailure>, Duration) {
        let s = server(reply, 4);
        let started = Instant::now();
        let r = query(
            Some(config(s)),
            "vpn.example.com.",
            record_type,
            Duration::from_millis(400),
        );
        (r, started.elapsed())
    }

    #[test]
    fn an_a_record_is_an_answer_with_its_ttl() {
        let (r, _) = ask(Reply::V4Only, RecordType::A);
        let a = r.unwrap();
        assert_eq!(a.len(), 1);
        assert_eq!(a[0].address, "198.51.100.7".parse::<IpAddr>().unwrap());
        assert_eq!(a[0].ttl, Some(300));
    }

    #[test]
    fn an_empty_answer_is_nodata() {
        assert_eq!(
            ask(Reply::V4Only, RecordType::Aaaa).0,
            Err(LookupFailure::NoData)
        );
    }

    #[test]
    fn nxdomain_is_told_apart() {
        assert_eq!(
            ask(Reply::NxDomain, RecordType::A).0,
            Err(LookupFailure::NxDomain)
        );
    }

    #[test]
    fn servfail_is_a_failure_that_names_the_code() {
        let (r, _) = ask(Reply::ServFail, RecordType::A);
        match r {
            Err(LookupFailure::Failed { detail }) => {
                assert!(
                    detail.contains("Server Failure") || detail.contains("SERVFAIL"),
                    "{detail}"
                )
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_silent_server_is_a_timeout_within_the_bound() {
        let (r, took) = ask(Reply::Silence, RecordType::A);
        assert_eq!(r, Err(LookupFailure::Timeout));
        assert!(took < Duration::from_millis(1500), "{took:?}");
    }

    #[test]
    fn the_hosts_file_path_is_the_systems() {
        let p = hosts_path();
        if cfg!(windows) {
            assert!(p.ends_with(r"System32\drivers\etc\hosts"), "{p:?}");
        } else {
            assert_eq!(p, PathBuf::from("/etc/hosts"));
        }
    }
}
