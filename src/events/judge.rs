//! Findings from connection attempts and IKE failure events: one per
//! distinct error code (with counts, first and last time, profiles and
//! servers), one per drop reason, one per connected profile, and
//! `no-vpn-attempts` when there is nothing to judge. PURE.
//!
//! Severity: a failure code is `fail` while the latest attempt of some
//! profile ended with it; when every profile that failed with it has
//! connected since, it is a `warn` ("failed earlier, works now").

use std::collections::BTreeMap;

use serde_json::Value;

use super::attempt::{Attempt, ErrorCode, Outcome};
use super::diagnosis::{self, confirm_for};
use super::errors;
use super::time::Timestamp;
use super::wfp::IkeFailure;
use crate::finding::{Code, Finding, Severity};

/// At most this many correlation IDs (or addresses) are listed per finding.
pub const EXAMPLES: usize = 20;

/// Every finding the attempts and IKE failures support, worst first.
pub fn findings(
    attempts: &[Attempt],
    ike: &[IkeFailure],
    events: &[super::model::WinEvent],
    sources: &[super::input::SourceSummary],
) -> Vec<Finding> {
    let records_skipped: usize = sources.iter().map(|s| s.records_skipped).sum();
    let mut out = Vec::new();
    out.extend(failures(attempts));
    out.extend(ike_failures(ike, attempts));
    let refused = super::server::findings(events);
    let nothing = attempts.is_empty() && ike.is_empty() && refused.is_empty();
    out.extend(refused);
    out.extend(drops(attempts));
    out.extend(connected(attempts));
    if nothing {
        out.push(
            Finding::new(
                Code::NoVpnAttempts,
                Severity::Warn,
                "no VPN connection attempt in the events read: nothing to diagnose",
            )
            .remedy(
                "reproduce the failure (connect the VPN profile), then run this again; on a \
                 client the RasClient events are in the Application log (20221-20227)",
            ),
        );
    }
    if records_skipped > 0 {
        out.push(
            Finding::new(
                Code::EventsRecordsSkipped,
                Severity::Warn,
                format!(
                    "{records_skipped} damaged EVTX record(s) could not be read and were skipped"
                ),
            )
            .with("records", records_skipped)
            .remedy(
                "export the log again (wevtutil epl Application app.evtx) if events may be missing",
            ),
        );
    }
    out.extend(cut_short(sources));
    crate::finding::sort_by_severity(&mut out);
    out
}

/// `events-export-cut-short` (warn): an EVTX copy that ends inside a chunk
/// or before the chunks its header counts; what it held after the cut is
/// missing, so "no attempt" or the last attempt seen may not be the whole
/// story.
fn cut_short(sources: &[super::input::SourceSummary]) -> Vec<Finding> {
    sources
        .iter()
        .filter_map(|s| s.cut_short.map(|c| (s, c)))
        .map(|(s, c)| {
            Finding::new(
                Code::EventsExportCutShort,
                Severity::Warn,
                format!(
                    "{} was cut short: {} bytes where its chunks need {}; the events of the {} whole chunk(s) were read, the ones after the cut are missing",
                    s.name, c.bytes, c.expected, c.whole_chunks
                ),
            )
            .with("file", s.name.clone())
            .with("bytes", c.bytes)
            .with("expected_bytes", c.expected)
            .with("whole_chunks", c.whole_chunks)
            .remedy(
                "copy the .evtx file again (compare its size with the original) or export it again (wevtutil epl Application app.evtx)",
            )
        })
        .collect()
}

/// Whether the latest attempt of `profile` connected after `after`.
fn connected_since(attempts: &[Attempt], profile: Option<&str>, after: Option<Timestamp>) -> bool {
    attempts
        .iter()
        .filter(|a| a.profile.as_deref() == profile && a.connected())
        .any(|a| a.started > after)
}

fn unique<'a>(items: impl Iterator<Item = Option<&'a str>>) -> Vec<&'a str> {
    let mut v: Vec<&str> = Vec::new();
    for s in items.flatten() {
        if !v.contains(&s) {
            v.push(s);
        }
    }
    v
}

fn time(t: Option<Timestamp>) -> Value {
    t.map_or(Value::Null, |t| Value::String(t.to_string()))
}

/// One finding per distinct 20227 error code.
fn failures(attempts: &[Attempt]) -> Vec<Finding> {
    let mut by_code: BTreeMap<u32, Vec<&Attempt>> = BTreeMap::new();
    for a in attempts {
        if let Outcome::Failed(code) = a.outcome {
            by_code.entry(code).or_default().push(a);
        }
    }
    by_code
        .into_iter()
        .map(|(code, group)| failure_finding(code, &group, attempts))
        .collect()
}

/// The finding for one error code over its attempts (oldest first).
pub fn failure_finding(code: u32, group: &[&Attempt], all: &[Attempt]) -> Finding {
    let last = group.last().expect("a group has an attempt");
    let err = ErrorCode::new(code);
    let diag = diagnosis::lookup(code);
    let profiles = unique(group.iter().map(|a| a.profile.as_deref()));
    let servers = unique(group.iter().map(|a| a.server.as_deref()));
    let still_failing = profiles.is_empty()
        || profiles
            .iter()
            .any(|p| !connected_since(all, Some(p), last.started));
    let name = err.name.unwrap_or("unknown code");
    let mut summary = format!(
        "error {} ({name}) in {} attempt(s){}{}",
        err.code,
        group.len(),
        match profiles.as_slice() {
            [] => String::new(),
            [p] => format!(" of '{p}'"),
            many => format!(" of {} profiles", many.len()),
        },
        match servers.as_slice() {
            [s] => format!(" to {s}"),
            _ => String::new(),
        },
    );
    match diag {
        Some(d) => summary.push_str(&format!(": {}", d.cause)),
        None => summary.push_str(&format!(
            ": {}",
            err.meaning
                .unwrap_or("a code this tool has no diagnosis for")
        )),
    }
    if !still_failing {
        summary.push_str(" (the profile has connected since)");
    }
    let server = last.server_for_commands();
    let mut f = Finding::new(
        diag.map_or(Code::RasClientError, |d| d.finding),
        if still_failing {
            Severity::Fail
        } else {
            Severity::Warn
        },
        summary,
    )
    .with("error_code", err.code.clone())
    .with("error_name", err.name)
    .with("meaning", err.meaning)
    .with("attempts", group.len())
    .with("first", time(group.first().and_then(|a| a.started)))
    .with("last", time(last.started))
    .with("profiles", profiles.clone())
    .with("servers", servers.clone())
    .with("stage_reached", last.stage.words())
    .with(
        "correlation_ids",
        group
            .iter()
            .rev()
            .take(EXAMPLES)
            .map(|a| a.correlation_id.as_str())
            .collect::<Vec<_>>(),
    );
    if f.severity == Severity::Fail {
        // rasclient-error has no number of its own in the registry.
        f.windows_error = Some(code);
    }
    match diag {
        Some(d) => {
            let confirm = confirm_for(d, server);
            f = f
                .with("confirm", confirm.clone())
                .remedy(format!("{} Confirm: {confirm}", d.fix));
        }
        None => {
            f = f.remedy(format!(
                "look the code up in Microsoft's Routing and Remote Access / System error code \
                 lists; to see where the connection stops, run aovpn-diag check {server} and \
                 capture an attempt for aovpn-diag pcap"
            ));
        }
    }
    f
}

/// One finding per (error, remote address, failing side) of WFP IKE
/// main-mode failures.
fn ike_failures(ike: &[IkeFailure], attempts: &[Attempt]) -> Vec<Finding> {
    let mut groups: BTreeMap<(u32, Option<std::net::IpAddr>, &str), Vec<&IkeFailure>> =
        BTreeMap::new();
    for f in ike {
        groups
            .entry((f.error_code, f.remote_address, f.side()))
            .or_default()
            .push(f);
    }
    let mut out = Vec::new();
    for ((code, remote, side), mut group) in groups {
        group.sort_by_key(|f| f.time);
        let first = group.first().and_then(|f| f.time);
        let last_f = group.last().expect("non-empty");
        let last = last_f.time;
        let known = errors::lookup(code);
        let name = known.map_or("unknown code", |k| k.name);
        let diag = diagnosis::lookup(code);
        let remote_s = remote.map_or_else(|| "the peer".to_owned(), |r| r.to_string());
        let recovered = attempts.iter().any(|a| a.connected() && a.started > last);
        let mut f = Finding::new(
            Code::IkeMmFailure,
            if recovered {
                Severity::Warn
            } else {
                Severity::Fail
            },
            format!(
                "IKE main mode with {remote_s} failed {} time(s) with {} ({name}), failure at {side}{}; {}: {}",
                group.len(),
                errors::display_code(code),
                last_f
                    .mm_state
                    .as_deref()
                    .map(|s| format!(" in state {s}"))
                    .unwrap_or_default(),
                last_f.side_meaning(),
                diag.map_or_else(
                    || known.map_or("no diagnosis for this code", |k| k.text),
                    |d| d.cause
                ),
            ),
        )
        .with("error_code", errors::display_code(code))
        .with("error_name", known.map(|k| k.name))
        .with("meaning", known.map(|k| k.text))
        .with("failure_point", last_f.failure_point.clone())
        .with("side", side)
        .with("mm_state", last_f.mm_state.clone())
        .with("keying_module", last_f.keying_module.clone())
        .with("auth_method", last_f.auth_method.clone())
        .with("remote_address", remote.map(|r| r.to_string()))
        .with("local_address", last_f.local_address.map(|r| r.to_string()))
        .with("remote_port", last_f.remote_port)
        .with("count", group.len())
        .with("first", time(first))
        .with("last", time(last));
        if f.severity == Severity::Fail {
            f.windows_error = Some(code);
        }
        f = match diag {
            Some(d) => {
                let confirm = confirm_for(d, &remote_s);
                f.with("confirm", confirm.clone())
                    .remedy(format!("{} Confirm: {confirm}", d.fix))
            }
            None => f.remedy(format!(
                "the failure point says which side to look at ({side}); capture an attempt and \
                 run aovpn-diag pcap on it, and aovpn-diag check {remote_s}"
            )),
        };
        out.push(f);
    }
    out
}

/// Reason codes of 20226 that are the user's or the system's doing, not a fault.
const BENIGN_DROPS: &[u32] = &[0, 830, 831, 832, 833];

/// One finding per distinct 20226 reason code.
fn drops(attempts: &[Attempt]) -> Vec<Finding> {
    let mut by_reason: BTreeMap<u32, Vec<&Attempt>> = BTreeMap::new();
    for a in attempts {
        if let Outcome::Dropped(reason) = a.outcome {
            by_reason.entry(reason).or_default().push(a);
        }
    }
    by_reason
        .into_iter()
        .map(|(reason, group)| {
            let err = ErrorCode::new(reason);
            let benign = BENIGN_DROPS.contains(&reason);
            let profiles = unique(group.iter().map(|a| a.profile.as_deref()));
            let last = group.last().expect("non-empty");
            Finding::new(
                Code::VpnConnectionDropped,
                if benign {
                    Severity::Info
                } else {
                    Severity::Warn
                },
                format!(
                    "{} connection(s) dropped with reason {} ({}){}",
                    group.len(),
                    err.code,
                    err.meaning.unwrap_or("no meaning known"),
                    match profiles.as_slice() {
                        [p] => format!(" on '{p}'"),
                        _ => String::new(),
                    }
                ),
            )
            .with("reason_code", err.code.clone())
            .with("reason_name", err.name)
            .with("count", group.len())
            .with("last", time(last.ended))
            .with("profiles", profiles)
            .remedy(if benign {
                "nothing to fix: the user or the system ended the connection".to_owned()
            } else {
                format!(
                    "if drops repeat, test the path for loss and MTU problems: aovpn-diag check {}",
                    last.server_for_commands()
                )
            })
        })
        .collect()
}

/// One information finding per profile that connected.
fn connected(attempts: &[Attempt]) -> Vec<Finding> {
    let mut by_profile: BTreeMap<Option<&str>, Vec<&Attempt>> = BTreeMap::new();
    for a in attempts.iter().filter(|a| a.connected()) {
        by_profile.entry(a.profile.as_deref()).or_default().push(a);
    }
    by_profile
        .into_iter()
        .map(|(profile, group)| {
            let last = group.last().expect("non-empty");
            Finding::new(
                Code::VpnConnected,
                Severity::Info,
                format!(
                    "'{}' connected {} time(s), last at {}",
                    profile.unwrap_or("?"),
                    group.len(),
                    last.started.map_or("?".to_owned(), |t| t.to_string())
                ),
            )
            .with("profile", profile)
            .with("count", group.len())
            .with("last", time(last.started))
            .with("server", last.server.as_deref())
        })
        .collect()
}

/// The finding for the most recent attempt alone (for `check --local-events`):
/// its failure or drop, or `None` when it connected or is unfinished.
pub fn latest(attempts: &[Attempt]) -> Option<Finding> {
    let last = attempts.iter().max_by_key(|a| a.started)?;
    match last.outcome {
        Outcome::Failed(code) => Some(failure_finding(code, &[last], std::slice::from_ref(last))),
        _ => None,
    }
}
