//! The resolution policy against a scripted resolver: every combination of
//! hosts file and per-family DNS outcome, and `-4`/`-6`.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::Duration;

use super::*;
use crate::diagnose::dns::FailureKind;

/// A resolver that answers from a script: an optional hosts file and, per
/// record type, an outcome and how long it takes (recorded, not slept).
#[derive(Default)]
struct Script {
    hosts: Option<&'static str>,
    answers: HashMap<RecordType, Result<Vec<&'static str>, LookupFailure>>,
    asked: Mutex<Vec<RecordType>>,
}

impl Script {
    fn hosts(mut self, text: &'static str) -> Self {
        self.hosts = Some(text);
        self
    }

    fn dns(mut self, rt: RecordType, outcome: Result<Vec<&'static str>, LookupFailure>) -> Self {
        self.answers.insert(rt, outcome);
        self
    }

    fn asked(&self) -> Vec<RecordType> {
        let mut v = self.asked.lock().unwrap().clone();
        v.sort_by_key(|rt| rt.as_str());
        v
    }
}

impl Resolver for Script {
    fn hosts_file(&self) -> Option<HostsFile> {
        self.hosts.map(|text| HostsFile {
            path: "/etc/hosts".into(),
            text: text.into(),
        })
    }

    fn query(
        &self,
        _: &str,
        record_type: RecordType,
        _: Duration,
    ) -> Result<Vec<DnsAnswer>, LookupFailure> {
        self.asked.lock().unwrap().push(record_type);
        match self.answers.get(&record_type) {
            Some(Ok(list)) => Ok(list
                .iter()
                .map(|a| DnsAnswer {
                    record_type,
                    address: a.parse().unwrap(),
                    ttl: Some(60),
                })
                .collect()),
            Some(Err(e)) => Err(e.clone()),
            None => Err(LookupFailure::NoData),
        }
    }
}

const NAME: &str = "vpn.example.com";

fn run(script: &Script, family: Family) -> Result<Resolution, ResolveError> {
    let env = Env {
        dns: script,
        ..Env::offline()
    };
    resolve(&env, NAME, family, Duration::from_secs(2))
}

fn ips(list: &[&str]) -> Vec<IpAddr> {
    list.iter().map(|s| s.parse().unwrap()).collect()
}

fn failure(r: Result<Resolution, ResolveError>) -> DnsFailure {
    match r {
        Err(ResolveError::Dns(f)) => f,
        other => panic!("expected a DNS failure, got {other:?}"),
    }
}

const HOSTS_BOTH: &str =
    "127.0.0.1 localhost\nfd00:2::2 vpn.example.com\n198.18.2.2 vpn.example.com\n";
const HOSTS_V4: &str = "198.18.2.2 vpn.example.com\n";
const HOSTS_V6: &str = "fd00:2::2 vpn.example.com\n";

#[test]
fn a_hosts_file_hit_answers_without_asking_dns() {
    let s = Script::default().hosts(HOSTS_BOTH);
    let r = run(&s, Family::Any).unwrap();
    assert_eq!(r.source, Source::HostsFile);
    assert_eq!(r.addresses, ips(&["198.18.2.2", "fd00:2::2"]), "IPv4 first");
    assert_eq!(r.hosts_file.as_deref(), Some("/etc/hosts"));
    assert!(!r.from_dns && r.lookups.is_empty());
    assert!(r.answers.iter().all(|a| a.ttl.is_none()));
    assert!(s.asked().is_empty(), "DNS asked: {:?}", s.asked());
}

#[test]
fn one_family_in_the_hosts_file_is_enough() {
    // IPv4 only: used as it is, the AAAA query is not sent to DNS at all.
    let s = Script::default()
        .hosts(HOSTS_V4)
        .dns(RecordType::Aaaa, Err(LookupFailure::Timeout));
    assert_eq!(
        run(&s, Family::Any).unwrap().addresses,
        ips(&["198.18.2.2"])
    );
    assert!(s.asked().is_empty());
    // IPv6 only, likewise.
    let s = Script::default().hosts(HOSTS_V6);
    assert_eq!(run(&s, Family::Any).unwrap().addresses, ips(&["fd00:2::2"]));
    assert!(s.asked().is_empty());
}

#[test]
fn family_options_keep_their_meaning_with_the_hosts_file() {
    let s = Script::default().hosts(HOSTS_BOTH);
    assert_eq!(run(&s, Family::V6).unwrap().addresses, ips(&["fd00:2::2"]));
    assert_eq!(run(&s, Family::V4).unwrap().addresses, ips(&["198.18.2.2"]));
    // -6 and a hosts file with IPv4 only: DNS is asked for AAAA, and only that.
    let s = Script::default()
        .hosts(HOSTS_V4)
        .dns(RecordType::Aaaa, Ok(vec!["2001:db8::7"]));
    let r = run(&s, Family::V6).unwrap();
    assert_eq!(
        (r.source, r.addresses.clone()),
        (Source::Dns, ips(&["2001:db8::7"]))
    );
    assert_eq!(s.asked(), [RecordType::Aaaa]);
    let s = Script::default().hosts(HOSTS_V4);
    let f = failure(run(&s, Family::V6));
    assert_eq!(f.kind, FailureKind::NoAddressRecords);
    assert!(f.to_string().contains("has no IPv6 (AAAA) address"), "{f}");
}

#[test]
fn a_only_and_aaaa_only_both_resolve() {
    let s = Script::default()
        .dns(RecordType::A, Ok(vec!["198.51.100.7"]))
        .dns(RecordType::Aaaa, Err(LookupFailure::NoData));
    let r = run(&s, Family::Any).unwrap();
    assert_eq!(r.addresses, ips(&["198.51.100.7"]));
    assert_eq!(r.lookups.len(), 2);
    assert_eq!(r.lookups[1].outcome, Err(LookupFailure::NoData));
    assert_eq!(s.asked(), [RecordType::A, RecordType::Aaaa]);
    let s = Script::default()
        .dns(RecordType::A, Err(LookupFailure::NoData))
        .dns(RecordType::Aaaa, Ok(vec!["2001:db8::7"]));
    assert_eq!(
        run(&s, Family::Any).unwrap().addresses,
        ips(&["2001:db8::7"])
    );
}

#[test]
fn one_family_timing_out_does_not_take_the_other_down() {
    let s = Script::default()
        .dns(RecordType::A, Ok(vec!["198.51.100.7"]))
        .dns(RecordType::Aaaa, Err(LookupFailure::Timeout));
    let r = run(&s, Family::Any).unwrap();
    assert_eq!(r.addresses, ips(&["198.51.100.7"]));
    assert_eq!(r.failed_lookups().count(), 1);
    let f = crate::diagnose::dns::findings(&r);
    assert_eq!(f[0].code, crate::finding::Code::DnsAaaaFailed);
    // The reverse.
    let s = Script::default()
        .dns(RecordType::A, Err(LookupFailure::Timeout))
        .dns(RecordType::Aaaa, Ok(vec!["2001:db8::7"]));
    assert_eq!(
        run(&s, Family::Any).unwrap().addresses,
        ips(&["2001:db8::7"])
    );
}

#[test]
fn nxdomain_nodata_timeout_and_no_server_are_told_apart() {
    let both = |e: LookupFailure| {
        Script::default()
            .dns(RecordType::A, Err(e.clone()))
            .dns(RecordType::Aaaa, Err(e))
    };
    let f = failure(run(&both(LookupFailure::NxDomain), Family::Any));
    assert_eq!(f.kind, FailureKind::NoSuchName);
    assert!(f.is_input_error());
    let f = failure(run(&both(LookupFailure::NoData), Family::Any));
    assert_eq!(f.kind, FailureKind::NoAddressRecords);
    assert!(f.to_string().contains("has no A or AAAA record"), "{f}");
    let f = failure(run(&both(LookupFailure::Timeout), Family::Any));
    assert_eq!(f.kind, FailureKind::Timeout);
    assert!(!f.is_input_error());
    let none = LookupFailure::NoServer {
        detail: "no nameservers found in config".into(),
    };
    let f = failure(run(
        &both(none).hosts(HOSTS_V4.replace("vpn", "other").leak()),
        Family::Any,
    ));
    assert_eq!(f.kind, FailureKind::NoServer);
    assert_eq!(f.hosts_file.as_deref(), Some("/etc/hosts"));
    assert!(f.to_string().contains("no DNS server is configured"), "{f}");
    assert!(f.to_string().contains("/etc/hosts has no entry"), "{f}");
    assert_eq!(f.lookups.len(), 2, "each query with its outcome and time");
}

#[test]
fn family_options_ask_only_their_record_type() {
    let s = Script::default()
        .dns(RecordType::A, Ok(vec!["198.51.100.7"]))
        .dns(RecordType::Aaaa, Ok(vec!["2001:db8::7"]));
    assert_eq!(
        run(&s, Family::V4).unwrap().addresses,
        ips(&["198.51.100.7"])
    );
    assert_eq!(s.asked(), [RecordType::A]);
}

#[test]
fn literals_skip_dns() {
    let s = Script::default().hosts(HOSTS_BOTH);
    let env = Env {
        dns: &s,
        ..Env::offline()
    };
    let r = resolve(&env, "198.18.0.1", Family::Any, Duration::from_secs(1)).unwrap();
    assert_eq!((r.source, r.from_dns), (Source::Literal, false));
    assert_eq!(r.addresses, ips(&["198.18.0.1"]));
    let r = resolve(&env, "[fd00::1]", Family::V6, Duration::from_secs(1)).unwrap();
    assert_eq!(r.addresses, ips(&["fd00::1"]));
    assert!(s.asked().is_empty());
}

#[test]
fn literal_of_the_wrong_family_is_an_input_error() {
    let e = resolve(
        &Env::offline(),
        "fd00::1",
        Family::V4,
        Duration::from_secs(1),
    )
    .unwrap_err();
    let f = failure(Err(e));
    assert_eq!(f.kind, FailureKind::WrongFamilyLiteral);
    assert!(f.is_input_error());
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
        let e = resolve(&Env::offline(), bad, Family::Any, Duration::from_secs(1)).unwrap_err();
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

/// `.invalid` is answered locally by the system resolver (RFC 6761 §6.4):
/// this sends nothing on the network; the trailing dot stops search-list
/// expansion. (Where no DNS server is configured at all, the answer is
/// "no server" instead: both are failures of the name, never a hang.)
#[test]
fn reserved_invalid_name_fails_on_the_system_resolver() {
    let e = resolve(
        &Env::system(),
        "no-such-host.invalid.",
        Family::Any,
        Duration::from_secs(2),
    )
    .unwrap_err();
    let f = failure(Err(e));
    assert!(
        matches!(f.kind, FailureKind::NoSuchName | FailureKind::NoServer),
        "{f}"
    );
}

/// `localhost` is in the hosts file, or answered by the resolver itself
/// (RFC 6761 §6.3): loopback either way.
#[test]
fn localhost_resolves_without_network() {
    let r = resolve(
        &Env::system(),
        "localhost.",
        Family::V4,
        Duration::from_secs(2),
    )
    .unwrap();
    assert!(
        r.addresses.iter().all(|a| a.is_loopback()),
        "{:?}",
        r.addresses
    );
}
