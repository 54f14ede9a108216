//! `aovpn-diag profile`: read phonebooks, judge each profile, print.

use std::fs::File;
use std::io;
use std::path::Path;

use aovpn_diag::Verdict;
use aovpn_diag::cli::ProfileArgs;
use aovpn_diag::exit::ErrorCode;
use aovpn_diag::finding::sort_by_severity;
use aovpn_diag::local::pbk;
use aovpn_diag::local::pbk::{PbkError, VpnProfile};
use aovpn_diag::report::Status;
use aovpn_diag::report::profile::{Phonebook, ProfileReport, write_human};
use aovpn_diag::text::LineReader;

use super::{Ctx, Failure, Outcome};

pub fn run(args: &ProfileArgs, ctx: &mut Ctx) -> Outcome {
    if args.files.iter().filter(|f| f.as_os_str() == "-").count() > 1 {
        return Err(Failure::usage("`-` (stdin) can be given only once"));
    }
    let explicit = !args.files.is_empty();
    let paths = if explicit {
        args.files.clone()
    } else if cfg!(windows) {
        pbk::default_paths()
    } else {
        return Err(Failure::usage(
            "no phonebook given: outside Windows, pass the path of a rasphone.pbk copied from a client",
        ));
    };

    let mut phonebooks = Vec::new();
    let mut findings = Vec::new();
    for path in &paths {
        let stdin = path.as_os_str() == "-";
        let shown = if stdin {
            "<stdin>".to_owned()
        } else {
            path.display().to_string()
        };
        let profiles = if stdin {
            read_phonebook(io::stdin().lock(), Path::new(&shown))?
        } else {
            let file = match File::open(path) {
                Ok(f) => f,
                // A user with no personal VPN profiles has no per-user phonebook.
                Err(e) if !explicit && e.kind() == io::ErrorKind::NotFound => continue,
                Err(e) => return Err(Failure::file(format!("cannot read {shown}"), &e)),
            };
            read_phonebook(file, path)?
        };
        for p in &profiles {
            findings.extend(pbk::assess(p, &shown));
        }
        phonebooks.push(Phonebook {
            path: shown,
            profiles,
        });
    }
    if phonebooks.is_empty() {
        return Err(Failure::advised(
            ErrorCode::NotAPhonebook,
            "this machine has no VPN profiles (no rasphone.pbk under %ProgramData% or %AppData%)",
        ));
    }
    sort_by_severity(&mut findings);
    let report = ProfileReport {
        verdict: Verdict::from_findings(&findings),
        findings,
        phonebooks,
    };
    let status = Status::new(&report.findings, None);
    let detail = ctx.detail;
    ctx.emit(status, &report.json(), |out| {
        write_human(out, &report, detail)
    })
}

/// Reads one phonebook within [`pbk::LIMITS`]: anything larger, a longer
/// line or more than [`pbk::MAX_PROFILES`] profiles is not a phonebook (exit 2).
fn read_phonebook(file: impl io::Read, path: &Path) -> Result<Vec<VpnProfile>, Failure> {
    let shown = path.display();
    let not_a_phonebook = |e: PbkError| {
        let code = match e {
            PbkError::TooLarge => ErrorCode::InputTooLarge,
            _ => ErrorCode::NotAPhonebook,
        };
        Failure::new(code, format!("{shown} is not a VPN phonebook: {e}"))
    };
    let mut lines = LineReader::new(file, pbk::LIMITS);
    let mut parser = pbk::Parser::default();
    while let Some(line) = lines
        .next_line()
        .map_err(|e| Failure::file(format!("cannot read {shown}"), &e))?
    {
        parser.read_line(&line).map_err(not_a_phonebook)?;
    }
    if lines.truncated() {
        return Err(not_a_phonebook(PbkError::TooLarge));
    }
    parser.finish().map_err(not_a_phonebook)
}
