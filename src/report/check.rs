//! Presentation of `aovpn-diag check`: the verdict and cause first, then
//! one line per step, then the findings; JSON for scripts with the embedded
//! results of the probe and the path-MTU search.

use std::io::{self, Write};
use std::net::IpAddr;

use serde::Serialize;

use super::{BOLD, Detail, table, write_findings, write_verdict};
use crate::diagnose::check::{Cause, Judgement, Observations, Step, StepStatus};
use crate::diagnose::dns::{DnsFailure, Resolution};
use crate::finding::Code;
use crate::report::{mtu, probe};

/// The JSON document of `check` (after `schema_version` and `command`).
#[derive(Serialize, schemars::JsonSchema)]
pub struct CheckJson<'a> {
    pub host: &'a str,
    /// The code of the most likely cause; null when nothing is wrong.
    pub cause: Option<Code>,
    /// The cause in words, with the remedy to try first.
    pub cause_detail: Option<&'a Cause>,
    pub steps: &'a [Step],
    pub dns: DnsJson<'a>,
    pub probe: ProbeEmbed,
    pub mtu: MtuEmbed,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub local_rras: Option<RrasJson<'a>>,
    /// With `--local-events`: the last VPN attempt of this machine's events.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub local_events: Option<EventsJson<'a>>,
}

#[derive(Serialize, schemars::JsonSchema)]
pub struct EventsJson<'a> {
    pub available: bool,
    pub last_attempt: Option<&'a crate::events::attempt::Attempt>,
    pub reason: Option<String>,
}

#[derive(Serialize, schemars::JsonSchema)]
pub struct DnsJson<'a> {
    pub resolved: bool,
    /// Why the name gave no address, in words.
    pub error: Option<String>,
    /// The same as facts: `kind`, each query's result and time.
    pub failure: Option<&'a DnsFailure>,
    pub resolution: Option<&'a Resolution>,
}

#[derive(Serialize, schemars::JsonSchema)]
pub struct ProbeEmbed {
    pub targets: Vec<probe::TargetJson>,
}

#[derive(Serialize, schemars::JsonSchema)]
pub struct MtuEmbed {
    pub targets: Vec<mtu::JsonTarget>,
    /// Addresses whose path MTU could not be measured, with the reason.
    pub skipped: Vec<MtuSkipped>,
}

#[derive(Serialize, schemars::JsonSchema)]
pub struct MtuSkipped {
    pub address: IpAddr,
    pub reason: String,
}

#[derive(Serialize, schemars::JsonSchema)]
pub struct RrasJson<'a> {
    pub available: bool,
    pub reading: Option<&'a crate::diagnose::rras::RrasReading>,
    pub reason: Option<String>,
}

pub fn json<'a>(obs: &'a Observations, j: &'a Judgement) -> CheckJson<'a> {
    CheckJson {
        host: &obs.host,
        cause: j.cause.as_ref().map(|c| c.code),
        cause_detail: j.cause.as_ref(),
        steps: &j.steps,
        dns: DnsJson {
            resolved: obs.resolution.is_ok(),
            error: obs.resolution.as_ref().err().map(ToString::to_string),
            failure: obs.resolution.as_ref().err(),
            resolution: obs.resolution.as_ref().ok(),
        },
        probe: ProbeEmbed {
            targets: obs.probes.iter().map(probe::target_json).collect(),
        },
        mtu: MtuEmbed {
            targets: obs
                .mtu
                .iter()
                .filter_map(|(_, m)| m.as_ref().ok())
                .map(mtu::json_target)
                .collect(),
            skipped: obs
                .mtu
                .iter()
                .filter_map(|(a, m)| {
                    m.as_ref().err().map(|reason| MtuSkipped {
                        address: *a,
                        reason: reason.to_string(),
                    })
                })
                .collect(),
        },
        local_rras: obs.rras.as_ref().map(|r| RrasJson {
            available: r.is_ok(),
            reading: r.as_ref().ok(),
            reason: r.as_ref().err().map(ToString::to_string),
        }),
        local_events: obs.last_attempt.as_ref().map(|r| EventsJson {
            available: r.is_ok(),
            last_attempt: r.as_ref().ok().and_then(Option::as_ref),
            reason: r.as_ref().err().map(ToString::to_string),
        }),
    }
}

pub fn write_human(
    out: &mut dyn Write,
    obs: &Observations,
    j: &Judgement,
    detail: Detail,
    could_not_run: bool,
) -> io::Result<()> {
    let headline = match &j.cause {
        Some(c) => format!("{}: {}", obs.host, c.summary),
        None => format!("{}: no problem found", obs.host),
    };
    if could_not_run {
        super::write_error_headline(out, &headline)?;
    } else {
        write_verdict(out, j.verdict, &headline)?;
    }
    if let Some(c) = &j.cause {
        writeln!(out, "    {BOLD}cause:{BOLD:#} {}", c.code)?;
        if !c.remedy.is_empty() {
            writeln!(out, "    {BOLD}fix:{BOLD:#}   {}", c.remedy)?;
        }
    }
    if detail.quiet {
        return Ok(());
    }
    writeln!(out)?;
    let mut t = table(&["step", "status", "ms", "detail"]);
    for s in &j.steps {
        // Plain words: styles inside a cell would count towards its width.
        let status = match s.status {
            StepStatus::Ok => "ok",
            StepStatus::Problem => "PROBLEM",
            StepStatus::Skipped => "skipped",
        };
        t.add_row([
            s.name.to_owned(),
            status.to_owned(),
            s.duration_ms.to_string(),
            s.detail.clone(),
        ]);
    }
    writeln!(out, "{t}")?;
    if !j.findings.is_empty() {
        writeln!(out)?;
        write_findings(out, &j.findings, detail)?;
    }
    Ok(())
}
