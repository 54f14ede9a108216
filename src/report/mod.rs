//! Presentation only: human text and JSON. Nothing here parses packets or
//! touches the network; it receives finished facts and findings.
//!
//! Human output is written with ANSI styles to any `io::Write`; the binary
//! wraps stdout in an `anstream::AutoStream`, which strips the styles when
//! colour is off (pipe, `--color never`, NO_COLOR) and translates them on old
//! Windows consoles.

pub mod capture;
pub mod check;
pub mod events;
pub mod mtu;
pub mod pcap;
pub mod probe;
pub mod profile;
pub mod sixtofour;

use std::io::{self, Write};

use anstyle::{AnsiColor, Style};
use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{ContentArrangement, Table};
use serde::Serialize;

use crate::finding::{Finding, Severity, Verdict};

/// Version of every JSON document's shape; bump on an incompatible change.
pub const SCHEMA_VERSION: u32 = 1;

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

/// The JSON envelope every command shares: `schema_version` and `command`
/// first, then the command's own fields.
#[derive(Serialize)]
struct Envelope<'a, T: Serialize> {
    schema_version: u32,
    command: &'a str,
    #[serde(flatten)]
    body: &'a T,
}

/// Writes one JSON document (pretty, newline-terminated).
pub fn write_json<T: Serialize>(out: &mut dyn Write, command: &str, body: &T) -> io::Result<()> {
    let envelope = Envelope {
        schema_version: SCHEMA_VERSION,
        command,
        body,
    };
    serde_json::to_writer_pretty(&mut *out, &envelope).map_err(io::Error::other)?;
    writeln!(out)
}

pub fn severity_style(s: Severity) -> Style {
    match s {
        Severity::Fail => BAD,
        Severity::Warn => CAUTION,
        Severity::Info => NOTE,
    }
}

/// The first line of a human report: the answer before the details.
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
                let value = match value {
                    serde_json::Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                writeln!(out, "     {DIM}{key}:{DIM:#} {value}")?;
            }
        }
        if let Some(remedy) = &f.remedy {
            writeln!(out, "     {BOLD}fix:{BOLD:#} {remedy}")?;
        }
    }
    Ok(())
}
