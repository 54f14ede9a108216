//! What name resolution means for the VPN client, as findings: one function
//! per code, each tested on hand-made facts below. PURE.

use super::{DnsFailure, FailureKind, Lookup, LookupFailure, RecordType, Resolution, Source};
use crate::finding::{Code, Finding, Severity};

/// Findings of a resolution that gave addresses: a family that failed while
/// the other answered, and a hosts-file answer.
pub fn findings(r: &Resolution) -> Vec<Finding> {
    let mut out = family_failed(r);
    out.extend(hosts_file(r));
    out
}

/// Evidence of every query: record type, result, time.
fn lookups_evidence(lookups: &[Lookup]) -> serde_json::Value {
    serde_json::Value::Array(
        lookups
            .iter()
            .map(|l| {
                serde_json::json!({
                    "record_type": l.record_type.as_str(),
                    "result": match &l.outcome {
                        Ok(a) => a.iter().map(|a| a.address.to_string()).collect::<Vec<_>>().join(", "),
                        Err(e) => e.to_string(),
                    },
                    "elapsed_ms": crate::millis::json(l.elapsed),
                })
            })
            .collect(),
    )
}

/// `dns-failed`: the name gave no address; what failed and the remedy for
/// that failure.
pub fn dns_failed(f: &DnsFailure) -> Finding {
    let remedy = match f.kind {
        FailureKind::WrongFamilyLiteral => {
            "give the address family the server has (drop -4/-6), or test its other address"
        }
        FailureKind::NoSuchName => {
            "check the server name in the VPN profile (a typo?) and that it is published in the DNS \
             zone the clients query (Resolve-DnsName NAME / nslookup NAME); publish A (and AAAA) \
             records for it"
        }
        FailureKind::NoAddressRecords => {
            "the name exists but has no address of the family asked: publish an A record (and an \
             AAAA record if the server has IPv6) for it"
        }
        FailureKind::Timeout => {
            "the client's DNS servers do not answer in time: check which servers it uses \
             (Get-DnsClientServerAddress, resolv.conf) and that UDP and TCP port 53 reach them"
        }
        FailureKind::NoServer => {
            "configure a DNS server on this machine (Set-DnsClientServerAddress, resolv.conf), or \
             for a test put the server name in the hosts file"
        }
        FailureKind::Failed => {
            "the DNS server failed or refused the query: check its zone, its forwarders and that \
             it answers this client (Resolve-DnsName NAME -Server SERVER)"
        }
    };
    let mut finding = Finding::new(
        Code::DnsFailed,
        Severity::Fail,
        format!("the VPN server name does not resolve: {f}"),
    )
    .with("host", f.host.as_str())
    .with("family", f.family.label())
    .with("failure", f.kind.as_str())
    .with("lookups", lookups_evidence(&f.lookups))
    .with("elapsed_ms", crate::millis::json(f.elapsed));
    if let Some(path) = &f.hosts_file {
        finding = finding.with("hosts_file", path.as_str());
    }
    finding.remedy(remedy)
}

/// `dns-a-failed` / `dns-aaaa-failed`: one record type failed (timeout,
/// NXDOMAIN, server failure) while the other answered, so the test went on
/// with the family that answered. NODATA is an answer (the server simply
/// has no address of that family) and draws no finding.
pub fn family_failed(r: &Resolution) -> Vec<Finding> {
    if r.addresses.is_empty() {
        return Vec::new();
    }
    r.failed_lookups()
        .map(|l| {
            let (code, other) = match l.record_type {
                RecordType::A => (Code::DnsAFailed, RecordType::Aaaa),
                RecordType::Aaaa => (Code::DnsAaaaFailed, RecordType::A),
            };
            let why = l.outcome.as_ref().err().map(ToString::to_string).unwrap_or_default();
            let used: Vec<String> = r.addresses.iter().map(ToString::to_string).collect();
            let remedy = match l.outcome {
                Err(LookupFailure::Timeout) => format!(
                    "Clients ask for A and AAAA; a query that goes unanswered delays every \
                     connection and can make it fail. Make the DNS servers answer {} queries for \
                     the name promptly (an empty answer is fine when the server has no {} address).",
                    l.record_type,
                    l.record_type.family()
                ),
                Err(LookupFailure::NxDomain) => format!(
                    "DNS says the name does not exist for {} but has {} records: fix the zone (a \
                     split or broken delegation answers differently per record type).",
                    l.record_type, other
                ),
                _ => format!(
                    "Fix the DNS servers' answer to {} queries for the name ({why}).",
                    l.record_type
                ),
            };
            Finding::new(
                code,
                Severity::Warn,
                format!(
                    "'{}': the {} query failed ({why}) after {}; went on with the {} answer ({})",
                    r.host,
                    l.record_type,
                    crate::millis::text(l.elapsed),
                    other,
                    used.join(", ")
                ),
            )
            .with("host", r.host.as_str())
            .with("record_type", l.record_type.as_str())
            .with("error", why)
            .with("elapsed_ms", crate::millis::json(l.elapsed))
            .with("addresses", used)
            .remedy(remedy)
        })
        .collect()
}

/// `dns-hosts-file`: the hosts file answered, so DNS was not asked; other
/// clients without the entry depend on DNS.
pub fn hosts_file(r: &Resolution) -> Option<Finding> {
    if r.source != Source::HostsFile {
        return None;
    }
    let path = r.hosts_file.as_deref().unwrap_or("the hosts file");
    let addresses: Vec<String> = r.addresses.iter().map(ToString::to_string).collect();
    Some(
        Finding::new(
            Code::DnsHostsFile,
            Severity::Info,
            format!(
                "the hosts file {path} answered for '{}' ({}): DNS was not asked, so a DNS \
                 problem other clients have stays hidden here",
                r.host,
                addresses.join(", ")
            ),
        )
        .with("host", r.host.as_str())
        .with("hosts_file", path)
        .with("addresses", addresses)
        .remedy(
            "To test what clients without this entry see, run without it (or on such a client); \
             clients need A (and AAAA) records for the name in DNS.",
        ),
    )
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::super::samples::*;
    use super::super::{Family, LookupFailure};
    use super::*;

    #[test]
    fn a_family_that_answers_is_enough_and_the_other_one_warns() {
        let r = from_dns(vec![
            answered(RecordType::A, 3),
            failed(RecordType::Aaaa, LookupFailure::Timeout, 2000),
        ]);
        let f = findings(&r);
        assert_eq!(f.len(), 1);
        assert_eq!(
            (f[0].code, f[0].severity),
            (Code::DnsAaaaFailed, Severity::Warn)
        );
        assert!(
            f[0].summary
                .contains("the AAAA query failed (no DNS server answered in time) after 2000.0 ms"),
            "{}",
            f[0].summary
        );
        assert!(
            f[0].summary
                .contains("went on with the A answer (198.51.100.7)"),
            "{}",
            f[0].summary
        );
        assert_eq!(f[0].evidence["elapsed_ms"], 2000.0);
        // The reverse: AAAA answers, A is NXDOMAIN (a broken zone).
        let r = from_dns(vec![
            failed(RecordType::A, LookupFailure::NxDomain, 4),
            answered(RecordType::Aaaa, 3),
        ]);
        let f = findings(&r);
        assert_eq!(f[0].code, Code::DnsAFailed);
        assert!(
            f[0].remedy
                .as_deref()
                .unwrap()
                .contains("does not exist for A")
        );
    }

    #[test]
    fn nodata_for_the_other_family_is_no_finding() {
        let r = from_dns(vec![
            answered(RecordType::A, 3),
            failed(RecordType::Aaaa, LookupFailure::NoData, 3),
        ]);
        assert!(findings(&r).is_empty());
        let r = from_dns(vec![
            answered(RecordType::A, 3),
            answered(RecordType::Aaaa, 3),
        ]);
        assert!(findings(&r).is_empty());
    }

    #[test]
    fn a_hosts_file_answer_is_information() {
        let r = from_hosts(&[v4(), v6()]);
        let f = findings(&r);
        assert_eq!(f.len(), 1);
        assert_eq!(
            (f[0].code, f[0].severity),
            (Code::DnsHostsFile, Severity::Info)
        );
        assert_eq!(f[0].evidence["hosts_file"], "/etc/hosts");
        assert_eq!(f[0].evidence["addresses"][1], "2001:db8::7");
        assert!(hosts_file(&from_dns(vec![answered(RecordType::A, 1)])).is_none());
    }

    #[test]
    fn dns_failed_names_the_failure_and_its_remedy() {
        let cases = [
            (LookupFailure::NxDomain, FailureKind::NoSuchName, "a typo?"),
            (
                LookupFailure::NoData,
                FailureKind::NoAddressRecords,
                "publish an A record",
            ),
            (LookupFailure::Timeout, FailureKind::Timeout, "port 53"),
            (
                LookupFailure::NoServer {
                    detail: "no nameservers found in config".into(),
                },
                FailureKind::NoServer,
                "configure a DNS server",
            ),
            (
                LookupFailure::Failed {
                    detail: "the DNS server answered SERVFAIL".into(),
                },
                FailureKind::Failed,
                "forwarders",
            ),
        ];
        for (failure, kind, remedy) in cases {
            let f = DnsFailure::from_lookups(
                HOST,
                Family::Any,
                None,
                vec![
                    failed(RecordType::A, failure.clone(), 7),
                    failed(RecordType::Aaaa, failure.clone(), 9),
                ],
                Duration::from_millis(9),
            );
            assert_eq!(f.kind, kind);
            let finding = dns_failed(&f);
            assert_eq!(finding.code, Code::DnsFailed);
            assert_eq!(finding.severity, Severity::Fail);
            assert!(
                finding.remedy.as_deref().unwrap().contains(remedy),
                "{kind:?}"
            );
            assert_eq!(finding.evidence["lookups"][1]["record_type"], "AAAA");
            assert_eq!(finding.evidence["lookups"][1]["elapsed_ms"], 9.0);
            assert_eq!(finding.evidence["failure"], kind.as_str());
        }
    }
}
