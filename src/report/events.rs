//! Presentation of `aovpn-diag events`: a table of connection attempts, a
//! table of IKE failure events, then the findings; JSON through dedicated
//! serde types.

use std::io::{self, Write};

use serde::Serialize;

use super::{DIM, Detail, table, write_findings, write_verdict};
use crate::events::Analysis;
use crate::events::attempt::{Attempt, Outcome};
use crate::events::input::SourceSummary;
use crate::events::local::LogRead;
use crate::events::wfp::IkeFailure;
use crate::events::{Window, errors};
use crate::finding::{Finding, Verdict};

/// At most this many attempts (the most recent) and IKE failures are
/// listed one by one; the findings count them all.
pub const MAX_LISTED: usize = 1_000;

/// Rows of the human tables without -v.
const HUMAN_ROWS: usize = 20;

fn last_n<T>(v: &[T]) -> &[T] {
    &v[v.len().saturating_sub(MAX_LISTED)..]
}

/// The `--json` document (after `schema_version` and `command`).
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct EventsReport<'a> {
    #[serde(skip)]
    pub verdict: Verdict,
    #[serde(skip)]
    pub findings: &'a [Finding],
    /// Oldest first; at most the last [`MAX_LISTED`] (see `stats.attempts`).
    pub attempts: &'a [Attempt],
    /// WFP IKE main-mode failures, oldest first; at most the last [`MAX_LISTED`].
    pub ike_failures: &'a [IkeFailure],
    /// The files read (or the local logs as `Application log`, ...).
    pub sources: &'a [SourceSummary],
    /// With no FILE on Windows: what happened to each local log.
    pub logs: Option<&'a [LogRead]>,
    /// `null` when every event read was judged.
    pub window: Option<Window>,
    pub stats: Stats,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct Stats {
    /// Connection attempts found (all of them, listed or not).
    pub attempts: usize,
    /// Of those, failed ones.
    pub failed_attempts: usize,
    /// WFP IKE main-mode failures found.
    pub ike_failures: usize,
    /// VPN-related events and IKE failures read.
    pub relevant_events: usize,
    /// Of those, left out because they are older than the window.
    pub outside_window: usize,
    /// EVTX records that could not be read.
    pub records_skipped: usize,
    /// WFP net events of other types (drops, quick-mode failures).
    pub other_net_events: usize,
}

impl<'a> EventsReport<'a> {
    pub fn new(a: &'a Analysis, logs: Option<&'a [LogRead]>) -> EventsReport<'a> {
        EventsReport {
            verdict: a.verdict,
            findings: &a.findings,
            attempts: last_n(&a.attempts),
            ike_failures: last_n(&a.ike_failures),
            sources: &a.collected.sources,
            logs,
            window: a.window,
            stats: Stats {
                attempts: a.attempts.len(),
                failed_attempts: a
                    .attempts
                    .iter()
                    .filter(|a| matches!(a.outcome, Outcome::Failed(_)))
                    .count(),
                ike_failures: a.ike_failures.len(),
                relevant_events: a.collected.sources.iter().map(|s| s.relevant).sum(),
                outside_window: a.outside_window,
                records_skipped: a.collected.records_skipped(),
                other_net_events: a.collected.other_net_events,
            },
        }
    }
}

fn headline(r: &EventsReport) -> String {
    let failed = r.stats.failed_attempts;
    let mut s = format!("{} VPN connection attempt(s)", r.stats.attempts);
    if failed > 0 {
        s.push_str(&format!(", {failed} failed"));
    }
    if let Some(last) = r
        .attempts
        .iter()
        .rev()
        .find(|a| matches!(a.outcome, Outcome::Failed(_)))
        && let Some(e) = &last.error
    {
        s.push_str(&format!(
            " (last: error {} {})",
            e.code,
            e.name.unwrap_or("")
        ));
    }
    if r.stats.ike_failures > 0 {
        s.push_str(&format!("; {} IKE failure event(s)", r.stats.ike_failures));
    }
    if let Some(w) = r.window {
        s.push_str(&format!(" since {}", w.since));
    }
    s
}

fn or_dash(s: Option<&str>) -> String {
    s.filter(|s| !s.is_empty()).unwrap_or("-").to_owned()
}

pub fn write_human(out: &mut dyn Write, r: &EventsReport, detail: Detail) -> io::Result<()> {
    write_verdict(out, r.verdict, &headline(r))?;
    if !detail.quiet {
        if let Some(logs) = r.logs {
            for l in logs {
                writeln!(
                    out,
                    "{DIM}{} log ({}): {} — {}{DIM:#}",
                    l.log, l.what, l.status, l.detail
                )?;
            }
        }
        if detail.verbose > 0 {
            for s in r.sources {
                writeln!(
                    out,
                    "{DIM}{}: {:?}, {} event(s), {} relevant, {} record(s) skipped{DIM:#}",
                    s.name, s.format, s.events, s.relevant, s.records_skipped
                )?;
            }
        }
        if !r.attempts.is_empty() {
            let mut t = table(&[
                "started (UTC)",
                "profile",
                "server",
                "strategy",
                "stage reached",
                "outcome",
            ]);
            let shown = if detail.verbose > 0 {
                r.attempts
            } else {
                &r.attempts[r.attempts.len().saturating_sub(HUMAN_ROWS)..]
            };
            for a in shown {
                let outcome = match (&a.outcome, &a.error) {
                    (Outcome::Failed(_) | Outcome::Dropped(_), Some(e)) => {
                        format!("{} {}", a.outcome.word(), e.code)
                    }
                    (o, _) => o.word().to_owned(),
                };
                t.add_row([
                    a.started.map_or("-".to_owned(), |t| t.short()),
                    or_dash(a.profile.as_deref()),
                    or_dash(a.server.as_deref()),
                    or_dash(a.strategy.as_deref()),
                    a.stage.short().to_owned(),
                    outcome,
                ]);
            }
            writeln!(out, "\n{t}")?;
            if shown.len() < r.stats.attempts {
                writeln!(
                    out,
                    "{DIM}the last {} of {} attempts (-v for up to {MAX_LISTED}, --json){DIM:#}",
                    shown.len(),
                    r.stats.attempts
                )?;
            }
            if detail.verbose > 0 {
                for a in shown {
                    writeln!(
                        out,
                        "{DIM}{}  user {}  device {}  events {:?}{DIM:#}",
                        a.correlation_id,
                        or_dash(a.user.as_deref()),
                        or_dash(a.device.as_deref()),
                        a.events
                    )?;
                }
            }
        }
        if !r.ike_failures.is_empty() {
            let mut t = table(&[
                "time (UTC)",
                "peer",
                "error",
                "failed at",
                "main-mode state",
            ]);
            for f in &r.ike_failures[r.ike_failures.len().saturating_sub(HUMAN_ROWS)..] {
                let name = errors::lookup(f.error_code).map_or("", |e| e.name);
                t.add_row([
                    f.time.map_or("-".to_owned(), |t| t.short()),
                    f.remote_address.map_or("-".to_owned(), |a| a.to_string()),
                    format!("{} {name}", errors::display_code(f.error_code)),
                    f.side().to_owned(),
                    or_dash(f.mm_state.as_deref()),
                ]);
            }
            writeln!(out, "\n{t}")?;
        }
        writeln!(out)?;
    }
    write_findings(out, r.findings, detail)
}
