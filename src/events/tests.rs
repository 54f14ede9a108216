//! Tests of the judgement over grouped attempts: severities, counts,
//! windows and the IKE failure findings.

use super::attempt::*;
use super::judge;
use super::model::WinEvent;
use super::time::Timestamp;
use super::wfp::IkeFailure;
use super::{Window, analyse, input::Collected};
use crate::finding::{Code, Severity, Verdict};

fn ev(id: u32, secs: i64, inserts: &[&str]) -> WinEvent {
    WinEvent {
        provider: "RasClient".into(),
        id,
        time: Some(Timestamp(secs * 1000)),
        record_id: None,
        computer: None,
        channel: None,
        activity_id: None,
        data: inserts.iter().map(|s| (None, (*s).to_owned())).collect(),
    }
}

fn guid(n: u32) -> String {
    format!("{{{n:08X}-0000-0000-0000-000000000000}}")
}

/// A dial of `profile` at `secs` ending in `end` (20225/20226/20227) with `code`.
fn dial(n: u32, secs: i64, profile: &str, end: u32, code: &str) -> Vec<WinEvent> {
    let id = guid(n);
    let mut v = vec![
        ev(
            DIALING,
            secs,
            &[&id, "u", "VPN", "all-user", profile, "VpnStrategy = IKEv2"],
        ),
        ev(
            TRYING,
            secs + 1,
            &[
                &id,
                "u",
                profile,
                "Server address/Phone Number = vpn.example.com",
            ],
        ),
    ];
    if end == DISCONNECTED {
        v.push(ev(CONNECTED, secs + 2, &[&id, "u", profile, ""]));
    }
    v.push(ev(end, secs + 3, &[&id, "u", profile, code]));
    v
}

fn run(events: Vec<WinEvent>) -> super::Analysis {
    analyse(
        Collected {
            events,
            ..Collected::default()
        },
        None,
    )
}

#[test]
fn repeated_809_is_one_failing_finding_with_counts_and_the_check_to_run() {
    let mut events = dial(1, 100, "Contoso", FAILED, "809");
    events.extend(dial(2, 200, "Contoso", FAILED, "809"));
    events.extend(dial(3, 300, "Contoso", FAILED, "809"));
    let a = run(events);
    assert_eq!(a.verdict, Verdict::Problem);
    assert_eq!(a.attempts.len(), 3);
    assert_eq!(a.findings.len(), 1);
    let f = &a.findings[0];
    assert_eq!((f.code, f.severity), (Code::RasClient809, Severity::Fail));
    assert_eq!(f.evidence["attempts"], 3);
    assert_eq!(f.evidence["first"], "1970-01-01T00:01:40.000Z");
    assert_eq!(f.evidence["last"], "1970-01-01T00:05:00.000Z");
    assert_eq!(f.evidence["servers"][0], "vpn.example.com");
    assert_eq!(f.evidence["confirm"], "aovpn-diag check vpn.example.com");
    assert!(f.summary.contains("ERROR_VPN_TIMEOUT"), "{}", f.summary);
    assert!(
        f.remedy
            .as_deref()
            .unwrap()
            .contains("aovpn-diag check vpn.example.com")
    );
    assert_eq!(
        f.evidence["stage_reached"],
        Stage::TryingServer.words(),
        "the last informational event reached"
    );
}

#[test]
fn a_failure_followed_by_a_connection_is_only_a_warning() {
    let mut events = dial(1, 100, "Contoso", FAILED, "13801");
    events.extend(dial(2, 200, "Contoso", CONNECTED, ""));
    let a = run(events);
    assert_eq!(a.verdict, Verdict::Ok);
    let codes: Vec<(Code, Severity)> = a.findings.iter().map(|f| (f.code, f.severity)).collect();
    assert_eq!(
        codes,
        [
            (Code::RasClient13801, Severity::Warn),
            (Code::VpnConnected, Severity::Info)
        ]
    );
    assert!(a.findings[0].summary.contains("connected since"));
}

#[test]
fn another_profile_connecting_does_not_excuse_the_failing_one() {
    let mut events = dial(1, 100, "User Tunnel", FAILED, "13868");
    events.extend(dial(2, 200, "Device Tunnel", CONNECTED, ""));
    let a = run(events);
    assert_eq!(a.verdict, Verdict::Problem);
    assert_eq!(a.findings[0].code, Code::RasClient13868);
    assert_eq!(
        a.findings[0].evidence["confirm"],
        "aovpn-diag probe vpn.example.com --proposals all; aovpn-diag profile"
    );
}

#[test]
fn unknown_codes_fall_back_to_rasclient_error_with_the_number() {
    let a = run(dial(1, 100, "P", FAILED, "13804"));
    let f = &a.findings[0];
    assert_eq!(f.code, Code::RasClientError);
    assert_eq!(f.evidence["error_code"], "13804");
    assert_eq!(
        f.evidence["error_name"],
        "ERROR_IPSEC_IKE_GENERAL_PROCESSING_ERROR"
    );
    let b = run(dial(1, 100, "P", FAILED, "4242"));
    assert_eq!(b.findings[0].code, Code::RasClientError);
    assert_eq!(
        b.findings[0].evidence["error_name"],
        serde_json::Value::Null
    );
}

#[test]
fn drops_are_warned_unless_the_user_ended_them() {
    let mut events = dial(1, 100, "P", DISCONNECTED, "829");
    events.extend(dial(2, 200, "P", DISCONNECTED, "830"));
    let a = run(events);
    let drops: Vec<(Severity, &serde_json::Value)> = a
        .findings
        .iter()
        .filter(|f| f.code == Code::VpnConnectionDropped)
        .map(|f| (f.severity, &f.evidence["reason_code"]))
        .collect();
    assert_eq!(drops.len(), 2);
    assert!(drops.contains(&(Severity::Warn, &serde_json::json!("829"))));
    assert!(drops.contains(&(Severity::Info, &serde_json::json!("830"))));
    assert_eq!(a.verdict, Verdict::Ok);
}

#[test]
fn nothing_to_judge_says_so() {
    let a = run(Vec::new());
    assert_eq!(a.findings.len(), 1);
    assert_eq!(a.findings[0].code, Code::NoVpnAttempts);
    assert_eq!(a.verdict, Verdict::Ok);
}

#[test]
fn the_window_leaves_old_events_out() {
    let mut events = dial(1, 100, "P", FAILED, "809");
    events.extend(dial(2, 10_000, "P", FAILED, "13801"));
    let a = analyse(
        Collected {
            events,
            ..Collected::default()
        },
        Some(Window::last(1.0, Timestamp(10_100_000))),
    );
    assert_eq!(a.attempts.len(), 1);
    assert_eq!(a.outside_window, 3);
    assert_eq!(a.findings[0].code, Code::RasClient13801);
    let none = analyse(
        Collected {
            events: dial(1, 100, "P", FAILED, "809"),
            ..Collected::default()
        },
        Some(Window::last(1.0, Timestamp(100_000_000))),
    );
    assert_eq!(none.findings[0].code, Code::NoVpnAttempts);
}

fn ike(code: u32, secs: i64, point: &str) -> IkeFailure {
    IkeFailure {
        time: Some(Timestamp(secs * 1000)),
        local_address: Some("192.0.2.10".parse().unwrap()),
        remote_address: Some("198.51.100.7".parse().unwrap()),
        local_port: Some(4500),
        remote_port: Some(4500),
        error_code: code,
        failure_point: Some(point.into()),
        keying_module: Some("IKEEXT_KEY_MODULE_IKEV2".into()),
        mm_state: Some("IKEEXT_MM_SA_STATE_FINAL".into()),
        sa_role: Some("IKEEXT_SA_ROLE_INITIATOR".into()),
        auth_method: Some("IKEEXT_CERTIFICATE".into()),
    }
}

#[test]
fn ike_failures_group_by_code_peer_and_side() {
    let failures = [
        ike(13801, 10, "IPSEC_FAILURE_PEER"),
        ike(13801, 20, "IPSEC_FAILURE_PEER"),
        ike(13868, 30, "IPSEC_FAILURE_ME"),
    ];
    let found = judge::findings(&[], &failures, &[], &[]);
    assert_eq!(found.len(), 2);
    let f = &found[0];
    assert_eq!((f.code, f.severity), (Code::IkeMmFailure, Severity::Fail));
    assert_eq!(f.evidence["count"], 2);
    assert_eq!(f.evidence["side"], "the peer");
    assert_eq!(f.evidence["error_name"], "ERROR_IPSEC_IKE_AUTH_FAIL");
    assert!(f.summary.contains("198.51.100.7"), "{}", f.summary);
    assert!(
        f.remedy
            .as_deref()
            .unwrap()
            .contains("aovpn-diag probe 198.51.100.7")
    );
    assert_eq!(found[1].evidence["side"], "this host");
}

#[test]
fn the_latest_attempt_alone_is_what_check_folds_in() {
    let mut events = dial(1, 100, "P", FAILED, "809");
    events.extend(dial(2, 200, "P", FAILED, "13806"));
    let attempts = group(&events);
    let f = judge::latest(&attempts).unwrap();
    assert_eq!((f.code, f.severity), (Code::RasClient13806, Severity::Fail));
    let ok = group(&dial(3, 300, "P", CONNECTED, ""));
    assert!(judge::latest(&ok).is_none());
    assert!(judge::latest(&[]).is_none());
}

/// `check --local-events` folds the last attempt's code into check's
/// findings and step list; the wire evidence keeps its rank over it.
#[test]
fn check_folds_in_the_last_attempt() {
    use crate::diagnose::check::{Observations, StepStatus, judge};
    use crate::diagnose::dns::{DnsFailure, Family, Lookup, LookupFailure, RecordType};
    use std::time::Duration;
    let attempts = group(&dial(1, 100, "Contoso", FAILED, "13801"));
    let obs = |last| Observations {
        host: "vpn.example.com".into(),
        resolution: Err(DnsFailure::from_lookups(
            "vpn.example.com",
            Family::V4,
            None,
            vec![Lookup {
                record_type: RecordType::A,
                outcome: Err(LookupFailure::NxDomain),
                elapsed: Duration::ZERO,
            }],
            Duration::ZERO,
        )),
        dns_time: Duration::ZERO,
        probes: Vec::new(),
        probe_time: Duration::ZERO,
        mtu: Vec::new(),
        mtu_time: Duration::ZERO,
        rras: None,
        last_attempt: last,
        frag_test: true,
    };
    let j = judge(&obs(Some(Ok(attempts.last().cloned()))));
    let codes: Vec<Code> = j.findings.iter().map(|f| f.code).collect();
    assert!(codes.contains(&Code::RasClient13801), "{codes:?}");
    // The name not resolving outranks the event's code.
    assert_eq!(j.cause.unwrap().code, Code::DnsFailed);
    let step = j.steps.iter().find(|s| s.name == "local-events").unwrap();
    assert_eq!(step.status, StepStatus::Problem);
    assert!(
        step.detail.contains("13801 ERROR_IPSEC_IKE_AUTH_FAIL"),
        "{}",
        step.detail
    );

    let none = judge(&obs(Some(Ok(None))));
    let step = none
        .steps
        .iter()
        .find(|s| s.name == "local-events")
        .unwrap();
    assert_eq!(step.status, StepStatus::Skipped);
    let not_asked = judge(&obs(None));
    assert!(not_asked.steps.iter().all(|s| s.name != "local-events"));
}
