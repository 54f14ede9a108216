//! Presentation only: human text and JSON. Nothing here parses packets or
//! touches the network; it receives finished facts and findings.
//!
//! Human output is written with ANSI styles to any `io::Write`; the binary
//! wraps stdout in an `anstream::AutoStream`, which strips the styles when
//! colour is off (pipe, `--color never`, NO_COLOR) and translates them on old
//! Windows consoles.

#![forbid(unsafe_code)]

pub mod capture;
pub mod check;
pub mod envelope;
pub mod events;
pub mod files;
pub mod lb;
pub mod mtu;
pub mod pcap;
pub mod probe;
pub mod profile;
pub mod schema;
pub mod sixtofour;

use std::io::{self, Write};

use crate::finding::{Finding, Severity, Verdict};
use anstyle::{AnsiColor, Style};
use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{ContentArrangement, Table};

pub use envelope::{
    Answer, ErrorReport, SCHEMA_VERSION, Status, TOOL_VERSION, write_error_json, write_json,
};

pub const BOLD: Style = Style::new().bold();
pub const DIM: Style = Style::new().dimmed();
pub const GOOD: Style = AnsiColor::Green.on_default().bold();
pub const BAD: Style = AnsiColor::Red.on_default().bold();
pub const CAUTION: Style = AnsiColor::Yellow.on_default().bold();
pub const NOTE: Style = AnsiColor::Cyan.on_default();

/// How much the human view shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Detail {
    pub verbose: u8,
    pub quiet: bool,
}

pub fn severity_style(s: Severity) -> Style {
    match s {
        Severity::Fail => BAD,
        Severity::Warn => CAUTION,
        Severity::Info => NOTE,
    }
}

/// The first line of a human report: the answer before the details.
/// The headline of a run that could not give its answer (exit 2 or 3): the
/// word scripts and people see for `verdict: error`.
pub fn write_error_headline(out: &mut dyn Write, headline: &str) -> io::Result<()> {
    writeln!(out, "{BAD}ERROR{BAD:#}  {headline}")
}

pub fn write_verdict(out: &mut dyn Write, verdict: Verdict, headline: &str) -> io::Result<()> {
    let (style, word) = match verdict {
        Verdict::Ok => (GOOD, "OK"),
        Verdict::Problem => (BAD, "PROBLEM"),
    };
    writeln!(out, "{style}{word}{style:#}  {headline}")
}

/// A table in the house style: condensed UTF-8 borders, wrapped to the
/// terminal, or to 100 columns when the output is not a terminal (files,
/// pipes, helpdesk tickets).
pub fn table(header: &[&str]) -> Table {
    let mut t = Table::new();
    t.load_style(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(header.iter().copied());
    if t.width().is_none() {
        t.set_width(100);
    }
    t
}

/// Findings with evidence and remedy. `quiet` keeps only failures.
pub fn write_findings(out: &mut dyn Write, findings: &[Finding], detail: Detail) -> io::Result<()> {
    for f in findings {
        if detail.quiet && f.severity != Severity::Fail {
            continue;
        }
        let style = severity_style(f.severity);
        writeln!(
            out,
            "{style}{:<4}{style:#} {BOLD}{}{BOLD:#}  {}",
            f.severity.as_str(),
            f.code,
            f.summary
        )?;
        if let Some(e) = f.windows_error {
            writeln!(out, "     {DIM}Windows shows:{DIM:#} error {e}")?;
        }
        if !detail.quiet {
            for (key, value) in &f.evidence {
                writeln!(out, "     {DIM}{key}:{DIM:#} {}", evidence_text(value))?;
            }
        }
        if let Some(remedy) = &f.remedy {
            writeln!(out, "     {BOLD}fix:{BOLD:#} {remedy}")?;
        }
    }
    Ok(())
}

/// One evidence value as the human view shows it: strings bare, frame
/// references (`{"file": 2, "frame": 17}`) as Wireshark-style `2#17` (`#17`
/// in the first file), lists of them joined, anything else as JSON.
pub fn evidence_text(value: &serde_json::Value) -> String {
    use serde_json::Value;
    fn frame(v: &Value) -> Option<String> {
        let o = v.as_object()?;
        if o.len() != 2 {
            return None;
        }
        let file = o.get("file")?.as_u64()?;
        let frame = o.get("frame")?.as_u64()?;
        Some(if file <= 1 {
            format!("#{frame}")
        } else {
            format!("{file}#{frame}")
        })
    }
    match value {
        Value::String(s) => s.clone(),
        Value::Array(items) if !items.is_empty() => {
            match items.iter().map(frame).collect::<Option<Vec<_>>>() {
                Some(refs) => refs.join(", "),
                None => value.to_string(),
            }
        }
        other => frame(other).unwrap_or_else(|| other.to_string()),
    }
}
