//! The step lines and findings of `check` on hand-made observations.

use std::time::Duration;

use super::*;
use crate::diagnose::CouldNotRun;
use crate::diagnose::dns::samples::{answered, failed, from_dns, from_hosts};
use crate::diagnose::dns::{DnsFailure, Family, LookupFailure, RecordType, Resolution};
use crate::diagnose::ike::proposals::ProposalSet;
use crate::diagnose::ike::{ProposalResult, samples};
use crate::diagnose::mtu::End;
use crate::diagnose::mtu::findings::sample_measurement;
use crate::diagnose::rras::RrasReading;
use crate::finding::Code;

fn observations(resolution: Result<Resolution, DnsFailure>) -> Observations {
    let probes = match &resolution {
        Ok(_) => vec![samples::healthy()],
        Err(_) => Vec::new(),
    };
    Observations {
        host: "vpn.example.com".into(),
        resolution,
        dns_time: Duration::from_millis(12),
        probes,
        probe_time: Duration::from_millis(40),
        mtu: Vec::new(),
        mtu_time: Duration::ZERO,
        rras: None,
        last_attempt: None,
        frag_test: true,
    }
}

fn healthy() -> Observations {
    observations(Ok(Resolution::literal(
        samples::ADDRESS,
        Family::Any,
        samples::address(),
    )))
}

/// The steps and findings of `obs`, as `check` makes them.
fn judge(obs: &Observations) -> (Vec<Step>, Vec<Finding>) {
    let f = findings(obs);
    (steps(obs, &f), f)
}

fn step<'a>(steps: &'a [Step], name: &str) -> &'a Step {
    steps.iter().find(|s| s.name == name).unwrap()
}

fn could_not_run(text: &str) -> CouldNotRun {
    samples::could_not_run(text)
}

#[test]
fn every_registry_step_is_a_step_of_check() {
    for code in Code::ALL {
        if let Some(step) = code.info().step {
            assert!(STEP_NAMES.contains(&step), "{code}: unknown step {step}");
        }
    }
}

#[test]
fn a_healthy_run_has_every_step_in_order() {
    let (s, _) = judge(&healthy());
    let names: Vec<&str> = s.iter().map(|s| s.name).collect();
    // local-rras and local-events only when asked for.
    assert_eq!(names, STEP_NAMES[..STEP_NAMES.len() - 2]);
    assert_eq!(
        step(&s, "dns").detail,
        "198.18.2.2 is an IP address: no DNS needed"
    );
    assert_eq!(step(&s, "dns").duration_ms, 0);
    assert_eq!(step(&s, "udp-500").detail, "198.18.2.2 answered in 1.5 ms");
    assert_eq!(step(&s, "udp-500").duration_ms, 40);
    assert_eq!(step(&s, "ike-fragmentation").status, StepStatus::Ok);
    assert_eq!(
        step(&s, "fragmented-request").detail,
        "198.18.2.2 UDP 500: 2000-byte request answered; 198.18.2.2 UDP 4500: 2000-byte request answered"
    );
    assert_eq!(step(&s, "ike-auth").status, StepStatus::Ok);
    assert_eq!(step(&s, "path-mtu").detail, "turned off (--no-mtu)");
    assert_eq!(step(&s, "proposals").status, StepStatus::Skipped);
}

#[test]
fn dns_step_names_the_source_and_each_query() {
    let mut obs = healthy();
    obs.resolution = Ok(from_hosts(&[samples::address()]));
    let (s, f) = judge(&obs);
    let dns = step(&s, "dns");
    assert_eq!(dns.status, StepStatus::Ok);
    assert_eq!(
        dns.detail,
        "hosts file /etc/hosts: 198.18.2.2 (DNS not asked)"
    );
    assert!(f.iter().any(|f| f.code == Code::DnsHostsFile));

    obs.resolution = Ok(from_dns(vec![
        answered(RecordType::A, 3),
        failed(RecordType::Aaaa, LookupFailure::Timeout, 2000),
    ]));
    let (s, f) = judge(&obs);
    let dns = step(&s, "dns");
    assert_eq!(dns.status, StepStatus::Problem, "a warning marks the step");
    assert_eq!(
        dns.detail,
        "A 198.51.100.7, AAAA: no DNS server answered in time (2000.0 ms)"
    );
    assert!(f.iter().any(|f| f.code == Code::DnsAaaaFailed));
    assert!(!f.iter().any(|f| f.code == Code::DnsFailed));
}

#[test]
fn a_name_that_does_not_resolve_skips_every_probe_step() {
    let failure = DnsFailure::from_lookups(
        "vpn.example.com",
        Family::Any,
        None,
        vec![
            failed(RecordType::A, LookupFailure::NxDomain, 3),
            failed(RecordType::Aaaa, LookupFailure::NxDomain, 3),
        ],
        Duration::from_millis(3),
    );
    let (s, f) = judge(&observations(Err(failure)));
    assert_eq!(f[0].code, Code::DnsFailed);
    let dns = step(&s, "dns");
    assert_eq!((dns.status, dns.duration_ms), (StepStatus::Problem, 12));
    assert!(dns.detail.contains("NXDOMAIN"), "{}", dns.detail);
    for name in [
        "udp-500",
        "udp-4500",
        "ike-fragmentation",
        "fragmented-request",
        "ike-auth",
        "proposals",
    ] {
        let st = step(&s, name);
        assert_eq!(st.status, StepStatus::Skipped, "{name}");
        assert_eq!(st.detail, "the server name did not resolve", "{name}");
    }
}

#[test]
fn an_address_that_cannot_be_probed_skips_with_its_reason() {
    let mut obs = healthy();
    obs.probes[0].error = Some(could_not_run("no route to 198.18.2.2"));
    let (s, _) = judge(&obs);
    assert_eq!(step(&s, "udp-500").status, StepStatus::Skipped);
    assert_eq!(step(&s, "udp-500").detail, "no route to 198.18.2.2");
}

#[test]
fn port_steps_tell_silence_from_icmp_unreachable() {
    let mut obs = healthy();
    samples::silence_on(&mut obs.probes[0], 500);
    if let Some(p) = &mut obs.probes[0].udp4500 {
        p.small.outcome = crate::diagnose::ike::Outcome::Unreachable;
        p.small.requests_sent = 1;
    }
    let (s, _) = judge(&obs);
    assert_eq!(step(&s, "udp-500").detail, "198.18.2.2 no answer (2 sent)");
    assert_eq!(step(&s, "udp-500").status, StepStatus::Problem);
    assert_eq!(
        step(&s, "udp-4500").detail,
        "198.18.2.2 ICMP unreachable (1 sent)"
    );
}

#[test]
fn the_fragment_test_says_why_it_was_skipped() {
    let mut obs = healthy();
    let t = &mut obs.probes[0];
    for p in [&mut t.udp500, &mut t.udp4500].into_iter().flatten() {
        p.fragmented = None;
    }
    obs.frag_test = false;
    assert_eq!(
        step(&judge(&obs).0, "fragmented-request").detail,
        "fragment test turned off"
    );
    obs.frag_test = true;
    assert!(
        step(&judge(&obs).0, "fragmented-request")
            .detail
            .starts_with("no port answered a small request")
    );
    let (s, _) = judge(&observations(Ok(Resolution::literal(
        samples::ADDRESS,
        Family::Any,
        samples::address(),
    ))));
    assert_eq!(step(&s, "fragmented-request").status, StepStatus::Ok);
    let mut obs = healthy();
    obs.probes[0] = samples::server(false, false);
    let (s, _) = judge(&obs);
    assert_eq!(step(&s, "fragmented-request").status, StepStatus::Problem);
}

#[test]
fn ike_auth_not_run_or_off_is_skipped_with_the_reason() {
    let mut obs = healthy();
    obs.probes[0].ike_auth = None;
    let st = judge(&obs)
        .0
        .into_iter()
        .find(|s| s.name == "ike-auth")
        .unwrap();
    assert_eq!(
        (st.status, st.detail.as_str()),
        (StepStatus::Skipped, "198.18.2.2: turned off")
    );
    obs.probes[0].ike_auth = Some(crate::diagnose::ike::AuthFacts::new(
        "198.18.2.2:4500".parse().unwrap(),
        AuthOutcome::NotRun(could_not_run("the IKE_SA_INIT response chose no proposal")),
    ));
    let st = judge(&obs)
        .0
        .into_iter()
        .find(|s| s.name == "ike-auth")
        .unwrap();
    assert_eq!(st.status, StepStatus::Skipped);
    assert_eq!(
        st.detail,
        "198.18.2.2: not run: the IKE_SA_INIT response chose no proposal"
    );
}

#[test]
fn path_mtu_measured_or_not_with_the_reason() {
    let mut obs = healthy();
    obs.mtu_time = Duration::from_millis(30);
    obs.mtu = vec![(
        samples::address(),
        Ok(sample_measurement(End::Found { path_mtu: 1400 }, true)),
    )];
    let (s, f) = judge(&obs);
    let st = step(&s, "path-mtu");
    assert_eq!(
        (st.status, st.duration_ms, st.detail.as_str()),
        (StepStatus::Problem, 30, "198.18.2.2: 1400 bytes (icmp-raw)")
    );
    assert!(f.iter().any(|f| f.code == Code::MtuBlackHole));
    obs.mtu = vec![(
        samples::address(),
        Err(could_not_run("not allowed to send ICMP echo")),
    )];
    let st = judge(&obs)
        .0
        .into_iter()
        .find(|s| s.name == "path-mtu")
        .unwrap();
    assert_eq!(st.status, StepStatus::Skipped);
    assert_eq!(st.detail, "198.18.2.2: not allowed to send ICMP echo");
}

#[test]
fn proposals_are_named_once_accepted_and_refused() {
    let mut obs = healthy();
    let entries = ProposalSet::parse("aes256-sha256-modp2048,3des-sha1-modp1024")
        .unwrap()
        .entries();
    let result = |i: usize, accepted| ProposalResult {
        entry: entries[i].clone(),
        accepted: Some(accepted),
        port: 500,
    };
    obs.probes[0].proposals = vec![result(0, true), result(1, false)];
    // A second address with the same answers: each name once.
    let mut second = obs.probes[0].clone();
    second.address = "198.18.3.2".parse().unwrap();
    obs.probes.push(second);
    let st = judge(&obs)
        .0
        .into_iter()
        .find(|s| s.name == "proposals")
        .unwrap();
    assert_eq!(
        st.detail,
        "accepted: aes256-sha256-modp2048; refused: 3des-sha1-modp1024"
    );
    obs.probes.truncate(1);
    obs.probes[0].proposals = vec![result(1, false)];
    let (s, _) = judge(&obs);
    let st = step(&s, "proposals");
    assert_eq!(st.detail, "accepted: none; refused: 3des-sha1-modp1024");
    assert_eq!(st.status, StepStatus::Problem);
}

#[test]
fn local_rras_reads_or_says_why_not() {
    let mut obs = healthy();
    obs.rras = Some(Ok(RrasReading {
        rras_installed: true,
        enable_server_fragmentation: None,
        windows_build: Some(20348),
    }));
    let (s, f) = judge(&obs);
    let st = step(&s, "local-rras");
    assert_eq!(
        (st.status, st.detail.as_str()),
        (StepStatus::Problem, "EnableServerFragmentation is not set")
    );
    assert!(
        f.iter()
            .any(|f| f.code == Code::LocalRrasFragmentationDisabled)
    );
    obs.rras = Some(Err(could_not_run(
        "reading the Windows registry is only possible on Windows",
    )));
    let st = judge(&obs)
        .0
        .into_iter()
        .find(|s| s.name == "local-rras")
        .unwrap();
    assert_eq!(st.status, StepStatus::Skipped);
}
