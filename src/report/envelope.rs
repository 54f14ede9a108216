//! The JSON envelope every command and every outcome shares: one document
//! on stdout with `schema_version`, `tool_version`, `command`, `verdict`
//! (`ok`, `problem`, `error`), `findings`, `error`, then the command's own
//! fields (its *body*, absent when the command could not produce one).

use std::io::{self, Write};

use schemars::JsonSchema;
use serde::Serialize;

use crate::exit::{ErrorCode, Exit};
use crate::finding::{Finding, Verdict};

/// Version of every JSON document's shape; bumped on an incompatible change
/// (README, "JSON output", lists what changed).
pub const SCHEMA_VERSION: u32 = 2;

/// The version of the tool that wrote a document.
pub const TOOL_VERSION: &str = env!("CARGO_PKG_VERSION");

/// The answer of one document: the findings' verdict, or `error` when the
/// command could not give one (exit 2 or 3, with the `error` object).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Answer {
    /// Checked, no problem found (exit 0).
    Ok,
    /// Checked, a problem found: at least one `fail` finding (exit 1).
    Problem,
    /// Not answered: see `error` (exit 2 or 3, from its code).
    Error,
}

impl From<Verdict> for Answer {
    fn from(v: Verdict) -> Answer {
        match v {
            Verdict::Ok => Answer::Ok,
            Verdict::Problem => Answer::Problem,
        }
    }
}

/// Why a command could not give its answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct ErrorReport {
    pub code: ErrorCode,
    /// One line: what went wrong, naming the input.
    pub message: String,
    /// What to do about it.
    pub hint: String,
}

impl ErrorReport {
    /// `message` with the code's registry hint.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> ErrorReport {
        ErrorReport {
            code,
            message: message.into(),
            hint: code.info().hint.to_owned(),
        }
    }

    /// A more specific hint than the registry's.
    pub fn hint(mut self, hint: impl Into<String>) -> ErrorReport {
        self.hint = hint.into();
        self
    }

    pub fn exit(&self) -> Exit {
        self.code.exit()
    }
}

/// What one run ended with: the verdict of its findings, or an error.
#[derive(Debug, Clone, Copy)]
pub struct Status<'a> {
    pub findings: &'a [Finding],
    verdict: Verdict,
    pub error: Option<&'a ErrorReport>,
}

impl<'a> Status<'a> {
    /// The verdict of `findings`, unless `error` says there is none.
    pub fn new(findings: &'a [Finding], error: Option<&'a ErrorReport>) -> Status<'a> {
        Status {
            findings,
            verdict: Verdict::from_findings(findings),
            error,
        }
    }

    /// Nothing to report, nothing wrong.
    pub const OK: Status<'static> = Status {
        findings: &[],
        verdict: Verdict::Ok,
        error: None,
    };

    /// A verdict at least as bad as `v`, for problems reported beside the
    /// envelope's findings (`pcap --each`: in a file's result).
    pub fn at_least(mut self, v: Verdict) -> Status<'a> {
        self.verdict = self.verdict.max(v);
        self
    }

    pub fn answer(&self) -> Answer {
        match self.error {
            Some(_) => Answer::Error,
            None => self.verdict.into(),
        }
    }

    /// The exit status: 0 or 1 from the verdict, the error code's otherwise.
    pub fn exit(&self) -> Exit {
        match self.error {
            Some(e) => e.exit(),
            None => self.verdict.into(),
        }
    }
}

/// The fields every document starts with (the schema's `Envelope`).
#[derive(Debug, Serialize, JsonSchema)]
pub struct Envelope<'a> {
    /// The version of this document's shape (README, "JSON output").
    pub schema_version: u32,
    /// The aovpn-diag version that wrote it.
    pub tool_version: &'a str,
    /// The command; null only for a usage error that names none.
    pub command: Option<&'a str>,
    pub verdict: Answer,
    /// Worst first; empty when the command could not run.
    pub findings: &'a [Finding],
    /// Why there is no answer; null unless `verdict` is `error`.
    pub error: Option<&'a ErrorReport>,
}

#[derive(Serialize, schemars::JsonSchema)]
struct Document<'a, B: Serialize> {
    #[serde(flatten)]
    envelope: Envelope<'a>,
    #[serde(flatten)]
    body: Option<&'a B>,
}

impl<'a> Envelope<'a> {
    pub fn new(command: Option<&'a str>, status: Status<'a>) -> Envelope<'a> {
        Envelope {
            schema_version: SCHEMA_VERSION,
            tool_version: TOOL_VERSION,
            command,
            verdict: status.answer(),
            findings: status.findings,
            error: status.error,
        }
    }
}

/// Writes one JSON document (pretty, newline-terminated): the envelope,
/// then `body`'s fields.
pub fn write_json<B: Serialize>(
    out: &mut dyn Write,
    command: &str,
    status: Status<'_>,
    body: &B,
) -> io::Result<()> {
    write_document(out, Envelope::new(Some(command), status), Some(body))
}

/// Writes the document of a command that could not produce its body.
pub fn write_error_json(
    out: &mut dyn Write,
    command: Option<&str>,
    error: &ErrorReport,
) -> io::Result<()> {
    let status = Status::new(&[], Some(error));
    write_document::<()>(out, Envelope::new(command, status), None)
}

fn write_document<B: Serialize>(
    out: &mut dyn Write,
    envelope: Envelope<'_>,
    body: Option<&B>,
) -> io::Result<()> {
    let doc = Document { envelope, body };
    // `io::Error::from` hands back the writer's own error (a closed pipe
    // stays recognisable as one).
    serde_json::to_writer_pretty(&mut *out, &doc).map_err(io::Error::from)?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{Code, Severity};

    #[derive(Serialize, schemars::JsonSchema)]
    struct Body {
        host: &'static str,
    }

    fn doc(status: Status<'_>) -> serde_json::Value {
        let mut out = Vec::new();
        write_json(&mut out, "probe", status, &Body { host: "h" }).unwrap();
        serde_json::from_slice(&out).unwrap()
    }

    #[test]
    fn the_envelope_comes_first_then_the_body() {
        let f = [Finding::new(Code::Udp500Unanswered, Severity::Fail, "s")];
        let d = doc(Status::new(&f, None));
        let keys: Vec<&str> = d.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            [
                "schema_version",
                "tool_version",
                "command",
                "verdict",
                "findings",
                "error",
                "host"
            ]
        );
        assert_eq!(d["verdict"], "problem");
        assert_eq!(d["tool_version"], env!("CARGO_PKG_VERSION"));
        assert!(d["error"].is_null());
        assert!(d["findings"][0]["remedy"].is_null());
    }

    #[test]
    fn an_error_makes_the_verdict_error_and_picks_the_exit() {
        let e = ErrorReport::new(ErrorCode::UnknownHost, "unknown host x");
        let s = Status::new(&[], Some(&e));
        assert_eq!(s.exit(), Exit::Input);
        let d = doc(s);
        assert_eq!(d["verdict"], "error");
        assert_eq!(d["error"]["code"], "unknown-host");
        assert_eq!(d["error"]["hint"], ErrorCode::UnknownHost.info().hint);
        let mut out = Vec::new();
        write_error_json(&mut out, None, &e).unwrap();
        let d: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert!(d["command"].is_null());
        assert_eq!(d.as_object().unwrap().len(), 6);
    }
}
