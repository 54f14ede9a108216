//! The judgement of `check`: findings from every test, and one step line per
//! test with `ok`, `problem` or `skipped` (with the reason). PURE.

use serde::Serialize;

use super::Observations;
use crate::finding::{Code, Finding, Severity};
use crate::local::rras;
use crate::probe::auth::AuthOutcome;
use crate::probe::ike::Outcome;
use crate::probe::{self, PortResult, TargetResult};

/// A step's state as scripts read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum StepStatus {
    Ok,
    Problem,
    Skipped,
}

/// One test of the check, in the order they build on each other.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Step {
    /// Stable name: dns, udp-500, udp-4500, ike-fragmentation,
    /// fragmented-request, ike-auth, path-mtu, proposals, local-rras.
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
    "path-mtu",
    "proposals",
    "local-rras",
    "local-events",
];

/// Every finding the observations support, cause before consequence.
pub fn findings(obs: &Observations) -> Vec<Finding> {
    let mut out = Vec::new();
    if let Err(why) = &obs.resolution {
        out.push(
            Finding::new(
                Code::DnsFailed,
                Severity::Fail,
                format!("the VPN server name '{}' does not resolve: {why}", obs.host),
            )
            .with("host", obs.host.as_str())
            .with("error", why.as_str())
            .remedy(
                "check the server name in the VPN profile and that the client's DNS servers \
                 resolve it (Resolve-DnsName / nslookup); publish A (and AAAA) records for it",
            ),
        );
    }
    out.extend(probe::findings(&obs.probes));
    for (_, outcome) in &obs.mtu {
        if let Ok(m) = outcome {
            out.extend(probe::mtu_findings::findings(m));
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

fn ms(d: std::time::Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// The step lines, in test order.
pub fn steps(obs: &Observations, findings: &[Finding]) -> Vec<Step> {
    let judged = |name: &'static str, duration_ms: u64, detail: String| Step {
        name,
        status: if problem_in(name, findings) {
            StepStatus::Problem
        } else {
            StepStatus::Ok
        },
        duration_ms,
        detail,
    };
    let skipped = |name: &'static str, detail: String| Step {
        name,
        status: StepStatus::Skipped,
        duration_ms: 0,
        detail,
    };

    let mut out = Vec::new();
    let dns_ms = ms(obs.dns_time);
    match &obs.resolution {
        Ok(r) if !r.from_dns => out.push(judged(
            "dns",
            0,
            format!("{} is an IP address: no DNS needed", r.host),
        )),
        Ok(r) => {
            let answers: Vec<String> = r
                .answers
                .iter()
                .map(|a| format!("{} {}", a.record_type, a.address))
                .collect();
            out.push(judged("dns", dns_ms, answers.join(", ")));
        }
        Err(why) => out.push(Step {
            name: "dns",
            status: StepStatus::Problem,
            duration_ms: dns_ms,
            detail: why.clone(),
        }),
    }

    let probe_ms = ms(obs.probe_time);
    let usable: Vec<&TargetResult> = obs.probes.iter().filter(|t| t.error.is_none()).collect();
    let probe_skip = if obs.resolution.is_err() {
        Some("the server name did not resolve".to_owned())
    } else if usable.is_empty() {
        Some(
            obs.probes
                .iter()
                .filter_map(|t| t.error.as_deref())
                .next()
                .unwrap_or("no address to test")
                .to_owned(),
        )
    } else {
        None
    };

    for (name, pick) in [
        (
            "udp-500",
            (|t: &TargetResult| t.udp500.as_ref()) as fn(&TargetResult) -> Option<&PortResult>,
        ),
        ("udp-4500", |t: &TargetResult| t.udp4500.as_ref()),
    ] {
        match &probe_skip {
            Some(why) => out.push(skipped(name, why.clone())),
            None => {
                let detail = usable
                    .iter()
                    .filter_map(|t| pick(t).map(|p| (t.address, p)))
                    .map(|(addr, p)| match p.small.report.rtt {
                        Some(rtt) if p.small.answered() => {
                            format!("{addr} answered in {}", crate::millis::text(rtt))
                        }
                        _ if p.small.report.outcome == Outcome::Unreachable => format!(
                            "{addr} ICMP unreachable ({} sent)",
                            p.small.report.requests_sent
                        ),
                        _ => format!("{addr} no answer ({} sent)", p.small.report.requests_sent),
                    })
                    .collect::<Vec<_>>()
                    .join("; ");
                out.push(judged(name, probe_ms, detail));
            }
        }
    }

    match &probe_skip {
        Some(why) => out.push(skipped("ike-fragmentation", why.clone())),
        None => {
            let support: Vec<Option<bool>> =
                usable.iter().map(|t| t.fragmentation_supported()).collect();
            if support.iter().all(Option::is_none) {
                out.push(skipped(
                    "ike-fragmentation",
                    "no complete IKE_SA_INIT response to read it from".to_owned(),
                ));
            } else {
                let detail = if support.contains(&Some(false)) {
                    "the server did not send IKEV2_FRAGMENTATION_SUPPORTED (16430)"
                } else {
                    "the server sent IKEV2_FRAGMENTATION_SUPPORTED (16430)"
                };
                out.push(judged("ike-fragmentation", probe_ms, detail.to_owned()));
            }
        }
    }

    let padded: Vec<(std::net::IpAddr, &PortResult)> = usable
        .iter()
        .flat_map(|t| t.ports().map(move |p| (t.address, p)))
        .filter(|(_, p)| p.fragmented.is_some())
        .collect();
    match &probe_skip {
        Some(why) => out.push(skipped("fragmented-request", why.clone())),
        None if padded.is_empty() => out.push(skipped(
            "fragmented-request",
            if !obs.frag_test {
                "fragment test turned off".to_owned()
            } else {
                "no port answered a small request, so a lost large one would prove nothing"
                    .to_owned()
            },
        )),
        None => {
            let detail = padded
                .iter()
                .map(|(addr, p)| {
                    let a = p.fragmented.as_ref().map(|a| a.answered()).unwrap_or(false);
                    let size = p
                        .fragmented
                        .as_ref()
                        .map_or(0, |a| a.report.ip_datagram_bytes);
                    format!(
                        "{addr} UDP {}: {size}-byte request {}",
                        p.port,
                        if a { "answered" } else { "not answered" }
                    )
                })
                .collect::<Vec<_>>()
                .join("; ");
            out.push(judged("fragmented-request", probe_ms, detail));
        }
    }

    match &probe_skip {
        Some(why) => out.push(skipped("ike-auth", why.clone())),
        None => {
            let mut details = Vec::new();
            let mut ran = false;
            for t in &usable {
                match t.ike_auth.as_ref().map(|a| &a.outcome) {
                    None => details.push(format!("{}: turned off", t.address)),
                    Some(AuthOutcome::NotRun(why)) => {
                        details.push(format!("{}: not run: {why}", t.address))
                    }
                    Some(outcome) => {
                        ran = true;
                        details.push(format!(
                            "{}: {}",
                            t.address,
                            match outcome {
                                AuthOutcome::Answered =>
                                    "the server holding the IKE SA answered on UDP 4500",
                                AuthOutcome::InvalidIkeSpi =>
                                    "INVALID_IKE_SPI: UDP 4500 reached a server without the IKE SA",
                                AuthOutcome::NoAnswer => "no authenticated answer on UDP 4500",
                                AuthOutcome::Unreachable => "ICMP unreachable for UDP 4500",
                                AuthOutcome::NotRun(_) => "not run",
                            }
                        ));
                    }
                }
            }
            let detail = details.join("; ");
            out.push(if ran {
                judged("ike-auth", probe_ms, detail)
            } else {
                skipped("ike-auth", detail)
            });
        }
    }

    if obs.mtu.is_empty() {
        out.push(skipped(
            "path-mtu",
            match &probe_skip {
                Some(why) => why.clone(),
                None => "turned off (--no-mtu)".to_owned(),
            },
        ));
    } else {
        let mut details = Vec::new();
        let mut measured = false;
        for (addr, outcome) in &obs.mtu {
            match outcome {
                Ok(m) => {
                    measured = true;
                    details.push(match m.result.path_mtu() {
                        Some(mtu) => format!("{addr}: {mtu} bytes ({})", m.method.as_str()),
                        None => format!("{addr}: not found ({})", m.method.as_str()),
                    });
                }
                Err(why) => details.push(format!("{addr}: {why}")),
            }
        }
        let mtu_ms = ms(obs.mtu_time);
        if measured {
            out.push(judged("path-mtu", mtu_ms, details.join("; ")));
        } else {
            out.push(skipped("path-mtu", details.join("; ")));
        }
    }

    let checked: Vec<&probe::ProposalResult> =
        usable.iter().flat_map(|t| t.proposals.iter()).collect();
    match &probe_skip {
        Some(why) => out.push(skipped("proposals", why.clone())),
        None if checked.is_empty() => out.push(skipped(
            "proposals",
            "no proposal checked (no port answered, or turned off)".to_owned(),
        )),
        None => {
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
            let mut detail = format!("accepted: {}", or_none(names(Some(true))));
            let refused = names(Some(false));
            if !refused.is_empty() {
                detail.push_str(&format!("; refused: {refused}"));
            }
            out.push(judged("proposals", probe_ms, detail));
        }
    }

    if let Some(rras) = &obs.rras {
        match rras {
            Ok(r) => out.push(judged(
                "local-rras",
                0,
                match r.enable_server_fragmentation {
                    Some(v) => format!("EnableServerFragmentation = {v}"),
                    None if r.rras_installed => "EnableServerFragmentation is not set".to_owned(),
                    None => "not an RRAS server".to_owned(),
                },
            )),
            Err(why) => out.push(skipped("local-rras", why.clone())),
        }
    }
    if let Some(last) = &obs.last_attempt {
        out.push(match last {
            Ok(Some(a)) => judged(
                "local-events",
                0,
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
                "local-events",
                format!(
                    "no VPN connection attempt in the last {} hours",
                    super::LOCAL_EVENTS_HOURS
                ),
            ),
            Err(why) => skipped("local-events", why.clone()),
        });
    }
    out
}

fn or_none(s: String) -> String {
    if s.is_empty() { "none".to_owned() } else { s }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_registry_step_is_a_step_of_check() {
        for code in Code::ALL {
            if let Some(step) = code.info().step {
                assert!(STEP_NAMES.contains(&step), "{code}: unknown step {step}");
            }
        }
    }
}
