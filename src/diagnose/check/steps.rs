//! The judgement of `check`: findings from every test, and one step line per
//! test with `ok`, `problem` or `skipped` (with the reason): one function
//! per step. PURE.

use std::net::IpAddr;
use std::time::Duration;

use serde::Serialize;

use super::Observations;
use crate::diagnose::dns::{self, Source};
use crate::diagnose::ike::{self, AuthOutcome, Outcome, PortResult, ProposalResult, TargetResult};
use crate::diagnose::{mtu, rras};
use crate::finding::{Finding, Severity};

/// A step's state as scripts read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum StepStatus {
    Ok,
    Problem,
    Skipped,
}

/// One test of the check, in the order they build on each other.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Step {
    /// Stable name: dns, udp-500, udp-4500, ike-fragmentation,
    /// fragmented-request, ike-auth, server-cert, path-mtu, proposals,
    /// local-rras, local-events.
    pub name: &'static str,
    pub status: StepStatus,
    /// Wall time of the phase that ran this step. The probe steps (UDP 500
    /// and 4500, fragmentation, fragment test, proposals) are one phase and
    /// share its time.
    pub duration_ms: u64,
    /// What was seen, or why the step was skipped.
    pub detail: String,
}

/// Every step name, in the order the check runs them.
pub const STEP_NAMES: &[&str] = &[
    "dns",
    "udp-500",
    "udp-4500",
    "ike-fragmentation",
    "fragmented-request",
    "ike-auth",
    "server-cert",
    "path-mtu",
    "proposals",
    "local-rras",
    "local-events",
];

/// Every finding the observations support, cause before consequence.
pub fn findings(obs: &Observations) -> Vec<Finding> {
    let mut out = match &obs.resolution {
        Ok(r) => dns::findings(r),
        Err(failure) => vec![dns::findings::dns_failed(failure)],
    };
    out.extend(ike::findings(&obs.probes));
    for (_, outcome) in &obs.mtu {
        if let Ok(m) = outcome {
            out.extend(mtu::findings(m));
        }
    }
    if let Some(Ok(reading)) = &obs.rras {
        out.extend(rras::assess(reading));
    }
    if let Some(Ok(Some(last))) = &obs.last_attempt {
        out.extend(crate::events::judge::latest(std::slice::from_ref(last)));
    }
    out
}

/// A step is a problem when a finding whose registry row names the step
/// ([`crate::finding::CodeInfo::step`]) is reported as warn or fail.
fn problem_in(step: &str, findings: &[Finding]) -> bool {
    findings
        .iter()
        .any(|f| f.severity >= Severity::Warn && f.code.info().step == Some(step))
}

fn ms(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// A step that ran: `problem` when a warn or fail finding marks it.
fn judged(name: &'static str, findings: &[Finding], duration: Duration, detail: String) -> Step {
    Step {
        name,
        status: if problem_in(name, findings) {
            StepStatus::Problem
        } else {
            StepStatus::Ok
        },
        duration_ms: ms(duration),
        detail,
    }
}

fn skipped(name: &'static str, detail: impl Into<String>) -> Step {
    Step {
        name,
        status: StepStatus::Skipped,
        duration_ms: 0,
        detail: detail.into(),
    }
}

/// The step lines, in test order.
pub fn steps(obs: &Observations, findings: &[Finding]) -> Vec<Step> {
    let probes = Probes::of(obs);
    let mut out = vec![dns_step(obs, findings)];
    out.push(port_step("udp-500", 500, &probes, findings));
    out.push(port_step("udp-4500", 4500, &probes, findings));
    out.push(ike_fragmentation_step(&probes, findings));
    out.push(fragmented_request_step(&probes, obs.frag_test, findings));
    out.push(ike_auth_step(&probes, findings));
    out.push(server_cert_step(obs, &probes, findings));
    out.push(path_mtu_step(obs, &probes, findings));
    out.push(proposals_step(&probes, findings));
    out.extend(local_rras_step(obs, findings));
    out.extend(local_events_step(obs, findings));
    out
}

/// The probe results the probe steps read, or why they were skipped.
struct Probes<'a> {
    /// Addresses that could be probed.
    usable: Vec<&'a TargetResult>,
    /// Why no probe step can say anything (the name did not resolve, no
    /// address could be probed).
    skip: Option<String>,
    time: Duration,
}

impl<'a> Probes<'a> {
    fn of(obs: &'a Observations) -> Self {
        let usable: Vec<&TargetResult> = obs.probes.iter().filter(|t| t.error.is_none()).collect();
        let skip = if obs.resolution.is_err() {
            Some("the server name did not resolve".to_owned())
        } else if usable.is_empty() {
            Some(
                obs.probes
                    .iter()
                    .find_map(|t| t.error.as_ref())
                    .map_or("no address to test".to_owned(), ToString::to_string),
            )
        } else {
            None
        };
        Probes {
            usable,
            skip,
            time: obs.probe_time,
        }
    }
}

/// `dns`: the literal, the hosts file's answer, or each DNS query.
fn dns_step(obs: &Observations, findings: &[Finding]) -> Step {
    let r = match &obs.resolution {
        Err(failure) => {
            return Step {
                name: "dns",
                status: StepStatus::Problem,
                duration_ms: ms(obs.dns_time),
                detail: failure.to_string(),
            };
        }
        Ok(r) => r,
    };
    let addresses = || {
        r.addresses
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    };
    match r.source {
        Source::Literal => judged(
            "dns",
            findings,
            Duration::ZERO,
            format!("{} is an IP address: no DNS needed", r.host),
        ),
        Source::HostsFile => judged(
            "dns",
            findings,
            obs.dns_time,
            format!(
                "hosts file {}: {} (DNS not asked)",
                r.hosts_file.as_deref().unwrap_or("?"),
                addresses()
            ),
        ),
        Source::Dns => {
            let mut parts: Vec<String> = r
                .answers
                .iter()
                .map(|a| format!("{} {}", a.record_type, a.address))
                .collect();
            parts.extend(r.lookups.iter().filter_map(|l| l.failure_text()));
            judged("dns", findings, obs.dns_time, parts.join(", "))
        }
    }
}

/// `udp-500` / `udp-4500`: the small IKE_SA_INIT per address.
fn port_step(name: &'static str, port: u16, probes: &Probes, findings: &[Finding]) -> Step {
    if let Some(why) = &probes.skip {
        return skipped(name, why.clone());
    }
    let detail = probes
        .usable
        .iter()
        .filter_map(|t| t.ports().find(|p| p.port == port).map(|p| (t.address, p)))
        .map(|(addr, p)| match p.small.rtt {
            Some(rtt) if p.small.answered() => {
                format!("{addr} answered in {}", crate::millis::text(rtt))
            }
            _ if p.small.outcome == Outcome::Unreachable => {
                format!("{addr} ICMP unreachable ({} sent)", p.small.requests_sent)
            }
            _ => format!("{addr} no answer ({} sent)", p.small.requests_sent),
        })
        .collect::<Vec<_>>()
        .join("; ");
    judged(name, findings, probes.time, detail)
}

/// `ike-fragmentation`: 16430 in the full IKE_SA_INIT responses.
fn ike_fragmentation_step(probes: &Probes, findings: &[Finding]) -> Step {
    const NAME: &str = "ike-fragmentation";
    if let Some(why) = &probes.skip {
        return skipped(NAME, why.clone());
    }
    let support: Vec<Option<bool>> = probes
        .usable
        .iter()
        .map(|t| t.fragmentation_supported())
        .collect();
    if support.iter().all(Option::is_none) {
        return skipped(NAME, "no complete IKE_SA_INIT response to read it from");
    }
    let detail = if support.contains(&Some(false)) {
        "the server did not send IKEV2_FRAGMENTATION_SUPPORTED (16430)"
    } else {
        "the server sent IKEV2_FRAGMENTATION_SUPPORTED (16430)"
    };
    judged(NAME, findings, probes.time, detail.to_owned())
}

/// `fragmented-request`: the padded request per answering port.
fn fragmented_request_step(probes: &Probes, frag_test: bool, findings: &[Finding]) -> Step {
    const NAME: &str = "fragmented-request";
    if let Some(why) = &probes.skip {
        return skipped(NAME, why.clone());
    }
    let padded: Vec<(IpAddr, &PortResult)> = probes
        .usable
        .iter()
        .flat_map(|t| t.ports().map(move |p| (t.address, p)))
        .filter(|(_, p)| p.fragmented.is_some())
        .collect();
    if padded.is_empty() {
        return skipped(
            NAME,
            if frag_test {
                "no port answered a small request, so a lost large one would prove nothing"
            } else {
                "fragment test turned off"
            },
        );
    }
    let detail = padded
        .iter()
        .filter_map(|(addr, p)| p.fragmented.as_ref().map(|f| (addr, p.port, f)))
        .map(|(addr, port, f)| {
            format!(
                "{addr} UDP {port}: {}-byte request {}",
                f.ip_datagram_bytes,
                if f.answered() {
                    "answered"
                } else {
                    "not answered"
                }
            )
        })
        .collect::<Vec<_>>()
        .join("; ");
    judged(NAME, findings, probes.time, detail)
}

/// `ike-auth`: the IKE_AUTH on UDP 4500 per address.
fn ike_auth_step(probes: &Probes, findings: &[Finding]) -> Step {
    const NAME: &str = "ike-auth";
    if let Some(why) = &probes.skip {
        return skipped(NAME, why.clone());
    }
    let mut details = Vec::new();
    let mut ran = false;
    for t in &probes.usable {
        let what = match t.ike_auth.as_ref().map(|a| &a.outcome) {
            None => "turned off".to_owned(),
            Some(AuthOutcome::NotRun(why)) => format!("not run: {why}"),
            Some(outcome) => {
                ran = true;
                match outcome {
                    AuthOutcome::Answered => "the server holding the IKE SA answered on UDP 4500",
                    AuthOutcome::InvalidIkeSpi => {
                        "INVALID_IKE_SPI: UDP 4500 reached a server without the IKE SA"
                    }
                    AuthOutcome::NoAnswer => "no authenticated answer on UDP 4500",
                    AuthOutcome::Unreachable => "ICMP unreachable for UDP 4500",
                    AuthOutcome::NotRun(_) => "not run",
                }
                .to_owned()
            }
        };
        details.push(format!("{}: {what}", t.address));
    }
    let detail = details.join("; ");
    if ran {
        judged(NAME, findings, probes.time, detail)
    } else {
        skipped(NAME, detail)
    }
}

/// `server-cert`: per address, the certificate the server sent over
/// IKE_AUTH and how the answer travelled back; skipped when turned off,
/// when there are no trusted roots here, or when no IKE_AUTH was answered.
fn server_cert_step(obs: &Observations, probes: &Probes, findings: &[Finding]) -> Step {
    const NAME: &str = "server-cert";
    match &obs.server_cert {
        None => return skipped(NAME, "turned off (--no-server-cert)"),
        Some(Err(why)) => return skipped(NAME, why.to_string()),
        Some(Ok(())) => {}
    }
    if let Some(why) = &probes.skip {
        return skipped(NAME, why.clone());
    }
    let mut details = Vec::new();
    let mut ran = false;
    for t in &probes.usable {
        let Some(f) = &t.server_cert else { continue };
        let first = t.ike_auth.as_ref();
        let second = f.unfragmented.as_ref();
        let answered = first.is_some_and(|a| a.answered()) || second.is_some_and(|u| u.answered());
        let sent = first.is_some_and(|a| a.sent()) || second.is_some();
        ran |= sent;
        let mut parts = Vec::new();
        match &f.assessment {
            Some(a) => {
                parts.push(format!(
                    "{} certificate(s), {}",
                    a.certs.len(),
                    a.leaf().map_or("unreadable".to_owned(), |l| l.short_name())
                ));
                if let Some(c) = &a.chain {
                    parts.push(if c.trusted {
                        format!(
                            "chain to {} trusted",
                            c.root.as_deref().unwrap_or("a trusted root")
                        )
                    } else {
                        "chain NOT trusted".to_owned()
                    });
                }
                if let Some(x) = &a.auth {
                    parts.push(format!(
                        "AUTH {}",
                        match &x.verdict {
                            crate::cert::auth::AuthVerdict::Verified => "verified".to_owned(),
                            crate::cert::auth::AuthVerdict::Invalid => "does NOT verify".to_owned(),
                            crate::cert::auth::AuthVerdict::NotChecked(w) =>
                                format!("not checked ({w})"),
                        }
                    ));
                }
            }
            None if answered => parts.push("no certificate in the answer".to_owned()),
            None if sent => parts.push("IKE_AUTH not answered".to_owned()),
            None => parts.push("no IKE_AUTH could be sent".to_owned()),
        }
        if let Some(u) = second {
            parts.push(format!(
                "without IKEv2 fragmentation: {}",
                if u.answered() {
                    "answered"
                } else {
                    "NOT answered"
                }
            ));
        }
        details.push(format!("{}: {}", t.address, parts.join("; ")));
    }
    let detail = details.join("; ");
    if ran {
        judged(NAME, findings, probes.time, detail)
    } else if detail.is_empty() {
        skipped(
            NAME,
            "no IKE_AUTH could be sent (IKE_SA_INIT on UDP 500 got no usable answer)",
        )
    } else {
        skipped(NAME, detail)
    }
}

/// `path-mtu`: per address, the MTU found or why it was not measured.
fn path_mtu_step(obs: &Observations, probes: &Probes, findings: &[Finding]) -> Step {
    const NAME: &str = "path-mtu";
    if obs.mtu.is_empty() {
        return skipped(
            NAME,
            probes
                .skip
                .clone()
                .unwrap_or_else(|| "turned off (--no-mtu)".to_owned()),
        );
    }
    let mut details = Vec::new();
    let mut measured = false;
    for (addr, outcome) in &obs.mtu {
        details.push(match outcome {
            Ok(m) => {
                measured = true;
                let method = m.method.as_str();
                match m.path_mtu_bounds() {
                    (Some(a), Some(b)) if a == b => format!("{addr}: {a} bytes ({method})"),
                    (Some(a), Some(b)) => {
                        format!("{addr}: between {a} and {b} bytes ({method}, search incomplete)")
                    }
                    _ => format!("{addr}: not found ({method})"),
                }
            }
            Err(why) => format!("{addr}: {why}"),
        });
    }
    if measured {
        judged(NAME, findings, obs.mtu_time, details.join("; "))
    } else {
        skipped(NAME, details.join("; "))
    }
}

/// `proposals`: accepted and refused, each proposal named once.
fn proposals_step(probes: &Probes, findings: &[Finding]) -> Step {
    const NAME: &str = "proposals";
    if let Some(why) = &probes.skip {
        return skipped(NAME, why.clone());
    }
    let checked: Vec<&ProposalResult> = probes
        .usable
        .iter()
        .flat_map(|t| t.proposals.iter())
        .collect();
    if checked.is_empty() {
        return skipped(
            NAME,
            "no proposal checked (no port answered, or turned off)",
        );
    }
    let names = |want: Option<bool>| {
        // Each address checks the same set: name each proposal once.
        let mut v: Vec<&str> = Vec::new();
        for p in checked.iter().filter(|p| p.accepted == want) {
            if !v.contains(&p.entry.name.as_str()) {
                v.push(p.entry.name.as_str());
            }
        }
        v.join(", ")
    };
    let accepted = names(Some(true));
    let mut detail = format!(
        "accepted: {}",
        if accepted.is_empty() {
            "none"
        } else {
            &accepted
        }
    );
    let refused = names(Some(false));
    if !refused.is_empty() {
        detail.push_str(&format!("; refused: {refused}"));
    }
    judged(NAME, findings, probes.time, detail)
}

/// `local-rras`, only when asked for.
fn local_rras_step(obs: &Observations, findings: &[Finding]) -> Option<Step> {
    const NAME: &str = "local-rras";
    Some(match obs.rras.as_ref()? {
        Ok(r) => judged(
            NAME,
            findings,
            Duration::ZERO,
            match r.enable_server_fragmentation {
                Some(v) => format!("EnableServerFragmentation = {v}"),
                None if r.rras_installed => "EnableServerFragmentation is not set".to_owned(),
                None => "not an RRAS server".to_owned(),
            },
        ),
        Err(why) => skipped(NAME, why.to_string()),
    })
}

/// `local-events`, only when asked for: the last attempt in this machine's
/// event logs, with its Windows error.
fn local_events_step(obs: &Observations, findings: &[Finding]) -> Option<Step> {
    const NAME: &str = "local-events";
    Some(match obs.last_attempt.as_ref()? {
        Ok(Some(a)) => judged(
            NAME,
            findings,
            Duration::ZERO,
            format!(
                "last attempt {} '{}' to {}: {}{}",
                a.started.map_or("-".to_owned(), |t| t.to_string()),
                a.profile.as_deref().unwrap_or("?"),
                a.server.as_deref().unwrap_or("?"),
                a.outcome.word(),
                a.error
                    .as_ref()
                    .map(|e| format!(" {} {}", e.code, e.name.unwrap_or("")))
                    .unwrap_or_default()
            ),
        ),
        Ok(None) => skipped(
            NAME,
            format!(
                "no VPN connection attempt in the last {} hours",
                super::LOCAL_EVENTS_HOURS
            ),
        ),
        Err(why) => skipped(NAME, why.to_string()),
    })
}

#[cfg(test)]
mod tests;
