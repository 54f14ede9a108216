//! The verdict of `lb` on hand-made rounds.

use super::super::samples::{self, SERVER_A, SERVER_B, candidates, ip, round};
use super::*;

fn codes(f: &[Finding]) -> Vec<(Code, Severity)> {
    f.iter().map(|f| (f.code, f.severity)).collect()
}

#[test]
fn persistence_by_source_address_is_healthy() {
    let rounds = (1..=8)
        .map(|n| round(n, SERVER_A, SERVER_A, None))
        .collect();
    let f = samples::facts(rounds, &candidates(&[SERVER_A, SERVER_B]), None);
    let found = findings(&f);
    assert_eq!(codes(&found), [(Code::LbBackends, Severity::Info)]);
    let b = &found[0];
    assert_eq!(b.evidence["servers"], json!([SERVER_A]));
    assert_eq!(b.evidence["servers_udp500"], json!({ SERVER_A: 8 }));
    assert_eq!(b.evidence["servers_udp4500"], json!({ SERVER_A: 8 }));
    assert!(
        b.summary.contains("8 same server, 0 split"),
        "{}",
        b.summary
    );
    assert!(b.remedy.is_none());
}

#[test]
fn per_port_balancing_fails_with_the_f5_and_kemp_settings() {
    let rounds = (1..=4)
        .map(|n| round(n, SERVER_A, SERVER_B, None))
        .collect();
    let f = samples::facts(rounds, &candidates(&[SERVER_A, SERVER_B]), None);
    let found = findings(&f);
    assert_eq!(
        codes(&found),
        [
            (Code::LbNoPersistenceAcrossPorts, Severity::Fail),
            (Code::LbBackends, Severity::Info)
        ]
    );
    let p = &found[0];
    assert_eq!(p.windows_error, Some(809));
    assert_eq!(p.evidence["split_rounds"], json!([1, 2, 3, 4]));
    assert_eq!(p.evidence["different_server_rounds"], json!([1, 2, 3, 4]));
    assert_eq!(p.evidence["servers_udp500"], json!({ SERVER_A: 4 }));
    assert_eq!(p.evidence["servers_udp4500"], json!({ SERVER_B: 4 }));
    let remedy = p.remedy.as_deref().unwrap();
    for setting in [
        "Source Address Affinity",
        "Match Across Services",
        "Port Following",
    ] {
        assert!(remedy.contains(setting), "{setting}: {remedy}");
    }
}

#[test]
fn some_rounds_split_says_the_balancing_follows_flows() {
    let rounds = vec![
        round(1, SERVER_A, SERVER_A, None),
        round(2, SERVER_B, SERVER_A, None),
        round(3, SERVER_B, SERVER_B, None),
    ];
    let f = samples::facts(rounds, &candidates(&[SERVER_A, SERVER_B]), None);
    let p = no_persistence_across_ports(&f).unwrap();
    assert_eq!(p.evidence["split_rounds"], json!([2]));
    assert!(
        p.summary.contains("not the client's address"),
        "{}",
        p.summary
    );
}

#[test]
fn undecided_rounds_make_no_persistence_finding() {
    let mut r = round(1, SERVER_A, SERVER_A, None);
    r.auth4500 = Some(crate::diagnose::ike::samples::auth_failed(
        crate::diagnose::ike::AuthOutcome::NoAnswer,
        false,
    ));
    r.auth500 = Some(crate::diagnose::ike::samples::auth_failed(
        crate::diagnose::ike::AuthOutcome::NoAnswer,
        false,
    ));
    assert_eq!(r.persistence(), super::super::Persistence::Unknown);
    assert_eq!(r.left_open(), 1);
    let f = samples::facts(vec![r], &candidates(&[SERVER_A]), None);
    assert!(no_persistence_across_ports(&f).is_none());
    assert!(backends(&f).unwrap().summary.contains("1 undecided"));
}

#[test]
fn snat_named_by_a_candidate_fails_and_names_the_registry_limit() {
    let rounds = (1..=2)
        .map(|n| round(n, SERVER_A, SERVER_A, Some(ip("198.18.2.1"))))
        .collect();
    let mut c = candidates(&[SERVER_A]);
    c.snat = vec![ip("198.18.2.1")];
    let f = samples::facts(rounds, &c, None);
    let s = source_nat(&f).unwrap();
    assert_eq!((s.severity, s.windows_error), (Severity::Fail, Some(809)));
    assert!(s.summary.contains("as 198.18.2.1"), "{}", s.summary);
    assert_eq!(s.evidence["responses"], 4);
    let remedy = s.remedy.unwrap();
    for setting in [
        "Source Address Translation None",
        "Transparency",
        "IkeNumEstablishedForInitialQuery",
        "HKLM\\SYSTEM\\CurrentControlSet\\Services\\IKEEXT\\Parameters",
    ] {
        assert!(remedy.contains(setting), "{setting}: {remedy}");
    }
}

#[test]
fn unnamed_snat_from_behind_nat_is_only_a_warning() {
    // The lab client's 198.18.1.2 is benchmarking space: not global.
    let rounds = vec![round(1, SERVER_A, SERVER_A, Some(ip("198.18.2.1")))];
    let f = samples::facts(rounds, &candidates(&[SERVER_A]), None);
    let s = source_nat(&f).unwrap();
    assert_eq!((s.severity, s.windows_error), (Severity::Warn, None));
    assert!(s.remedy.unwrap().contains("--snat-candidates"));
}

#[test]
fn no_snat_no_finding() {
    let f = samples::facts(
        vec![round(1, SERVER_A, SERVER_A, None)],
        &candidates(&[SERVER_A]),
        None,
    );
    assert!(source_nat(&f).is_none());
}

#[test]
fn unidentified_servers_say_how_to_name_them() {
    let f = samples::facts(
        vec![round(1, SERVER_A, SERVER_A, None)],
        &candidates(&[]),
        None,
    );
    let b = backends(&f).unwrap();
    assert_eq!(b.evidence["unidentified"], 2);
    assert!(b.summary.contains("give --backends"), "{}", b.summary);
    assert!(b.remedy.unwrap().contains("kernel-libipsec"));
}
