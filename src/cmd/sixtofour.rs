//! `aovpn-diag 6to4`: gather the inputs (arguments, stdin, a netlogon.log),
//! let the library convert and summarise them, print, and pick the exit code.
//! All file and stdin reading of the command happens here.

use std::fs;
use std::io::{self, Read};
use std::path::Path;

use aovpn_diag::cli::SixToFourArgs;
use aovpn_diag::finding::sort_by_severity;
use aovpn_diag::netlogon::parse_log;
use aovpn_diag::report::sixtofour::{NetlogonView, View, write_human};
use aovpn_diag::report::write_json;
use aovpn_diag::sixtofour::{Source, analyse_inputs, analyse_netlogon};
use aovpn_diag::text::decode_text;

use super::{Ctx, Exit, Failure, Outcome};

pub fn run(args: &SixToFourArgs, ctx: &mut Ctx) -> Outcome {
    let inputs = if args.inputs.is_empty() {
        None
    } else {
        Some(analyse_inputs(collect_inputs(
            &args.inputs,
            io::stdin().lock(),
        )?))
    };

    let netlogon = match &args.netlogon {
        Some(path) => {
            let bytes = read_netlogon(path)?;
            let (text, encoding) = decode_text(&bytes);
            Some((
                path.display().to_string(),
                encoding,
                analyse_netlogon(&parse_log(&text)),
            ))
        }
        None => None,
    };

    let mut findings = Vec::new();
    if let Some(r) = &inputs {
        findings.extend(r.findings.iter().cloned());
    }
    if let Some((_, _, r)) = &netlogon {
        findings.extend(r.findings.iter().cloned());
    }
    sort_by_severity(&mut findings);

    let view = View {
        inputs: inputs.as_ref(),
        netlogon: netlogon
            .as_ref()
            .map(|(file, encoding, report)| NetlogonView {
                file,
                encoding: encoding.as_str(),
                report,
            }),
        site: args.site.as_deref(),
        findings: &findings,
    };
    if ctx.json {
        write_json(ctx.out, "6to4", &view.json())?;
    } else {
        write_human(ctx.out, &view, ctx.detail)?;
    }

    // Unreadable inputs are an input error even though the rest was converted.
    if inputs.as_ref().is_some_and(|r| r.bad_inputs > 0) {
        Ok(Exit::Input)
    } else {
        Ok(Exit::from(view.verdict()))
    }
}

/// Arguments in order; `-` expands to stdin's lines, without blank lines and
/// `#` comments. Stdin may be UTF-8 or UTF-16 (what PowerShell 5.1 writes to
/// files), with LF or CRLF.
fn collect_inputs(args: &[String], mut stdin: impl Read) -> Result<Vec<(Source, String)>, Failure> {
    let mut items = Vec::new();
    let mut stdin_read = false;
    for (i, arg) in args.iter().enumerate() {
        if arg != "-" {
            items.push((Source::Argument(i + 1), arg.clone()));
            continue;
        }
        if stdin_read {
            return Err(Failure::input(
                "`-` (read standard input) can be given only once",
            ));
        }
        stdin_read = true;
        let mut bytes = Vec::new();
        stdin.read_to_end(&mut bytes).map_err(|e| {
            Failure::input(format!("cannot read addresses from standard input: {e}"))
        })?;
        let (text, _) = decode_text(&bytes);
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            items.push((Source::Stdin(n + 1), line.to_owned()));
        }
    }
    Ok(items)
}

fn read_netlogon(path: &Path) -> Result<Vec<u8>, Failure> {
    fs::read(path).map_err(|e| {
        Failure::input(format!(
            "cannot read netlogon log {}: {e}; copy %SystemRoot%\\debug\\netlogon.log from the \
             domain controller and give the copy's path",
            path.display()
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stdin_lines_skip_blanks_and_comments_and_keep_numbers() {
        let args = vec!["198.51.100.83".to_owned(), "-".to_owned()];
        let stdin = "# header\r\n\r\n203.0.113.0/24\r\n  bogus  \n".as_bytes();
        let items = collect_inputs(&args, stdin).unwrap();
        assert_eq!(
            items,
            vec![
                (Source::Argument(1), "198.51.100.83".to_owned()),
                (Source::Stdin(3), "203.0.113.0/24".to_owned()),
                (Source::Stdin(4), "bogus".to_owned()),
            ]
        );
    }

    #[test]
    fn stdin_only_once() {
        let args = vec!["-".to_owned(), "-".to_owned()];
        assert!(collect_inputs(&args, &b""[..]).is_err());
    }
}
