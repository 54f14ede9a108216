//! `aovpn-diag profile`: read phonebooks, judge each profile, print.

use std::fs;

use aovpn_diag::Verdict;
use aovpn_diag::cli::ProfileArgs;
use aovpn_diag::exit::ErrorCode;
use aovpn_diag::finding::sort_by_severity;
use aovpn_diag::local::pbk;
use aovpn_diag::report::Status;
use aovpn_diag::report::profile::{Phonebook, ProfileReport, write_human};
use aovpn_diag::text::decode_text;

use super::{Ctx, Failure, Outcome};

pub fn run(args: &ProfileArgs, ctx: &mut Ctx) -> Outcome {
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
        let shown = path.display().to_string();
        let bytes = match fs::read(path) {
            Ok(b) => b,
            // A user with no personal VPN profiles has no per-user phonebook.
            Err(e) if !explicit && e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(Failure::file(format!("cannot read {shown}"), &e)),
        };
        let (text, _) = decode_text(&bytes);
        let profiles = pbk::parse(&text).map_err(|e| {
            Failure::new(
                ErrorCode::NotAPhonebook,
                format!("{shown} is not a VPN phonebook: {e}"),
            )
        })?;
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
