//! Failures told apart, messages with each time, JSON of a lookup.

use super::samples::*;
use super::*;

fn failure(lookups: Vec<Lookup>) -> DnsFailure {
    DnsFailure::from_lookups(
        HOST,
        Family::Any,
        Some("/etc/hosts".into()),
        lookups,
        Duration::from_secs(2),
    )
}

#[test]
fn failures_are_told_apart_most_telling_first() {
    use LookupFailure::*;
    let kind = |a, b| {
        failure(vec![
            failed(RecordType::A, a, 5),
            failed(RecordType::Aaaa, b, 5),
        ])
        .kind
    };
    assert_eq!(kind(NxDomain, NxDomain), FailureKind::NoSuchName);
    assert_eq!(kind(NoData, NoData), FailureKind::NoAddressRecords);
    assert_eq!(kind(NxDomain, NoData), FailureKind::NoAddressRecords);
    assert_eq!(kind(NoData, Timeout), FailureKind::Timeout);
    assert_eq!(kind(Timeout, Timeout), FailureKind::Timeout);
    let none = || NoServer {
        detail: "no nameservers found in config".into(),
    };
    assert_eq!(kind(none(), none()), FailureKind::NoServer);
    let servfail = || Failed {
        detail: "the DNS server answered SERVFAIL".into(),
    };
    assert_eq!(kind(NxDomain, servfail()), FailureKind::Failed);
}

#[test]
fn messages_say_which_failure_with_each_time() {
    use LookupFailure::*;
    let f = failure(vec![
        failed(RecordType::A, NxDomain, 3),
        failed(RecordType::Aaaa, NxDomain, 4),
    ]);
    assert!(f.is_input_error());
    let text = f.to_string();
    assert!(text.starts_with("unknown host 'vpn.example.com'"), "{text}");
    assert!(text.contains("NXDOMAIN"), "{text}");
    assert!(
        text.contains("A: the name does not exist (NXDOMAIN) in 3.0 ms"),
        "{text}"
    );
    assert!(text.contains("/etc/hosts has no entry"), "{text}");
    let f = failure(vec![
        failed(RecordType::A, Timeout, 2000),
        failed(RecordType::Aaaa, Timeout, 2000),
    ]);
    assert!(!f.is_input_error());
    assert!(f.to_string().contains("timed out after 2.0 s"), "{f}");
    let f = DnsFailure::wrong_family("fd00::1", Family::V4, "fd00::1".parse().unwrap());
    assert_eq!(
        f.to_string(),
        "'fd00::1' has no IPv4 (A) address (drop -4/-6 or check DNS)"
    );
}

#[test]
fn a_lookup_serialises_its_answers_or_its_error() {
    let j = serde_json::to_value(answered(RecordType::Aaaa, 3)).unwrap();
    assert_eq!(j["record_type"], "AAAA");
    assert_eq!(j["result"]["answers"][0]["address"], "2001:db8::7");
    assert_eq!(j["result"]["error"], serde_json::Value::Null);
    assert_eq!(j["elapsed_ms"], 3.0);
    let j = serde_json::to_value(failed(RecordType::A, LookupFailure::Timeout, 2000)).unwrap();
    assert_eq!(j["result"]["error"]["kind"], "timeout");
    assert_eq!(j["result"]["message"], "no DNS server answered in time");
}

#[test]
fn only_real_failures_count_as_failed_lookups() {
    let r = from_dns(vec![
        answered(RecordType::A, 3),
        failed(RecordType::Aaaa, LookupFailure::NoData, 3),
    ]);
    assert_eq!(r.failed_lookups().count(), 0);
    let r = from_dns(vec![
        answered(RecordType::A, 3),
        failed(RecordType::Aaaa, LookupFailure::Timeout, 2000),
    ]);
    assert_eq!(r.failed_lookups().count(), 1);
}

#[test]
fn failure_kind_names_match_json() {
    for k in [
        FailureKind::WrongFamilyLiteral,
        FailureKind::NoSuchName,
        FailureKind::NoAddressRecords,
        FailureKind::NoServer,
        FailureKind::Timeout,
        FailureKind::Failed,
    ] {
        assert_eq!(serde_json::to_value(k).unwrap(), k.as_str());
    }
}
