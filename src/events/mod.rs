//! `events`: Windows' own record of VPN connection attempts — RasClient
//! events of the Application log and the WFP IKE failure events — turned
//! into attempts, each error code into its cause and fix.
//!
//! Flow: [`input`] reads `.evtx` files and event XML (and [`local`] runs
//! `wevtutil` on Windows) into [`model::WinEvent`]s and
//! [`wfp::IkeFailure`]s; [`attempt`] groups RasClient events by their
//! correlation ID; [`judge`] turns attempts into findings with
//! [`diagnosis`] (cause, fix, confirming step per error code) and
//! [`errors`] (Windows' names and messages). Everything but `input` and
//! `local` is pure.

#![forbid(unsafe_code)]

pub mod attempt;
pub mod diagnosis;
pub mod errors;
pub mod input;
pub mod judge;
pub mod local;
pub mod model;
pub mod server;
pub mod time;
pub mod wfp;
pub mod xml;

#[cfg(test)]
mod tests;

use serde::Serialize;

use crate::finding::{Finding, Verdict};
use attempt::Attempt;
use input::Collected;
use time::Timestamp;
use wfp::IkeFailure;

/// The time window events are judged in.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Window {
    /// Events before this time are left out.
    pub since: Timestamp,
    /// The window's length in hours, as asked.
    pub hours: f64,
}

impl Window {
    /// The last `hours` before `now`.
    pub fn last(hours: f64, now: Timestamp) -> Window {
        let ms = (hours * 3_600_000.0).round() as i64;
        Window {
            since: Timestamp(now.0.saturating_sub(ms)),
            hours,
        }
    }
}

/// The judged result of everything read.
#[derive(Debug, Clone)]
pub struct Analysis {
    pub verdict: Verdict,
    /// Worst first.
    pub findings: Vec<Finding>,
    /// Oldest first.
    pub attempts: Vec<Attempt>,
    pub ike_failures: Vec<IkeFailure>,
    /// Events left out by the window.
    pub outside_window: usize,
    pub collected: Collected,
    pub window: Option<Window>,
}

/// The most recent VPN connection attempt in this Windows machine's
/// RasClient events of the last `hours` (for `check --local-events`).
/// `Ok(None)` when there was none; `Err` says why the logs could not be read.
pub fn last_local_attempt(hours: f64) -> Result<Option<Attempt>, String> {
    let (collected, _) = local::read(hours).map_err(|e| e.to_string())?;
    let a = analyse(collected, Some(Window::last(hours, Timestamp::now())));
    Ok(a.attempts.into_iter().max_by_key(|a| a.started))
}

/// Groups and judges what was read; events (with a time) before the
/// window's start are left out, events without a time are kept.
pub fn analyse(mut collected: Collected, window: Option<Window>) -> Analysis {
    let before = collected.events.len() + collected.ike_failures.len();
    if let Some(w) = window {
        let inside = |t: Option<Timestamp>| t.is_none_or(|t| t >= w.since);
        collected.events.retain(|e| inside(e.time));
        collected.ike_failures.retain(|f| inside(f.time));
    }
    let outside_window = before - collected.events.len() - collected.ike_failures.len();
    let attempts = attempt::group(&collected.events);
    let mut ike_failures = collected.ike_failures.clone();
    ike_failures.sort_by_key(|f| f.time);
    let findings = judge::findings(
        &attempts,
        &ike_failures,
        &collected.events,
        &collected.sources,
    );
    Analysis {
        verdict: Verdict::from_findings(&findings),
        findings,
        attempts,
        ike_failures,
        outside_window,
        collected,
        window,
    }
}
