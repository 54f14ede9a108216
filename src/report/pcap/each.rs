//! `pcap --each`: every capture analysed on its own, one verdict per file.
//! JSON: `results[]`, each with the file's own envelope fields (`verdict`,
//! `findings`, `error`) and, when it could be read, the same fields as a
//! single-file `pcap --json`. The human view: one block per file.

use std::io::{self, Write};

use schemars::JsonSchema;
use serde::Serialize;

use super::json::PcapJson;
use super::write_human;
use crate::analyse::Analysis;
use crate::finding::{Finding, Verdict};
use crate::report::{Answer, BAD, BOLD, Detail, ErrorReport};

/// `pcap --json`: all files as one attempt, or `--each` file on its own.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum PcapBody<'a> {
    /// The default: the files are both sides (or parts) of one attempt.
    Merged(Box<PcapJson<'a>>),
    /// `--each`.
    Each(EachJson<'a>),
}

/// `pcap --each --json` after the envelope (whose `findings` hold the
/// `duplicate-capture` notes and whose verdict is the worst file's).
#[derive(Debug, Serialize, JsonSchema)]
pub struct EachJson<'a> {
    /// One per distinct capture, in command-line order.
    pub results: Vec<FileResult<'a>>,
}

/// One capture of `pcap --each`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct FileResult<'a> {
    /// The file as given (`<stdin>` for `-`).
    pub file: &'a str,
    /// This file's answer: `error` when it could not be read.
    pub verdict: Answer,
    /// This file's findings, worst first.
    pub findings: &'a [Finding],
    /// Why the file could not be read; null otherwise.
    pub error: Option<&'a ErrorReport>,
    /// The analysis, as `pcap --json` shows one file (absent on error).
    #[serde(flatten)]
    pub analysis: Option<PcapJson<'a>>,
}

/// One file's outcome: its analysis (and the names of its files), or why
/// it could not be read.
#[derive(Debug)]
pub struct FileOutcome {
    pub file: String,
    pub names: Vec<String>,
    pub result: Result<Analysis, ErrorReport>,
}

impl FileOutcome {
    pub fn answer(&self) -> Answer {
        match &self.result {
            Ok(a) => Verdict::from_findings(&a.findings).into(),
            Err(_) => Answer::Error,
        }
    }

    pub fn json(&self) -> FileResult<'_> {
        match &self.result {
            Ok(a) => FileResult {
                file: &self.file,
                verdict: self.answer(),
                findings: &a.findings,
                error: None,
                analysis: Some(PcapJson::new(&self.names, a)),
            },
            Err(e) => FileResult {
                file: &self.file,
                verdict: Answer::Error,
                findings: &[],
                error: Some(e),
                analysis: None,
            },
        }
    }
}

/// The human view: per file, its name and its own report (or its error),
/// then one line that counts the answers.
pub fn write_each(out: &mut dyn Write, files: &[FileOutcome], detail: Detail) -> io::Result<()> {
    for (i, f) in files.iter().enumerate() {
        if i > 0 {
            writeln!(out)?;
        }
        writeln!(out, "{BOLD}== {} =={BOLD:#}", f.file)?;
        match &f.result {
            Ok(a) => write_human(out, a, detail)?,
            Err(e) => writeln!(out, "{BAD}ERROR{BAD:#}  {}: {}", e.code, e.message)?,
        }
    }
    let count = |w: Answer| files.iter().filter(|f| f.answer() == w).count();
    writeln!(
        out,
        "\n{} capture(s): {} problem, {} ok, {} unreadable",
        files.len(),
        count(Answer::Problem),
        count(Answer::Ok),
        count(Answer::Error)
    )
}
