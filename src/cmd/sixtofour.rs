//! `aovpn-diag 6to4`: gather the inputs (arguments, stdin, a netlogon.log),
//! let the library convert and summarise them, print, and pick the exit code.
//! All file and stdin reading of the command happens here.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

use aovpn_diag::cli::SixToFourArgs;
use aovpn_diag::exit::ErrorCode;
use aovpn_diag::finding::sort_by_severity;
use aovpn_diag::netlogon;
use aovpn_diag::report::sixtofour::{NetlogonView, View, write_human};
use aovpn_diag::report::{ErrorReport, Status};
use aovpn_diag::sixtofour::{
    InputCap, InputsReport, MAX_INPUTS, NetlogonReport, NetlogonSummary, STDIN_LIMITS, Source,
    analyse_inputs,
};
use aovpn_diag::text::{LineReader, TextEncoding, TextLimits};

use super::{Ctx, Failure, Outcome};

pub fn run(args: &SixToFourArgs, ctx: &mut Ctx) -> Outcome {
    let inputs = if args.inputs.is_empty() {
        None
    } else {
        let (items, cap) = collect_inputs(&args.inputs, io::stdin().lock())?;
        let mut report: InputsReport = analyse_inputs(items);
        if let Some(cap) = cap {
            report.set_truncated(cap);
        }
        Some(report)
    };

    let netlogon = match &args.netlogon {
        Some(path) => {
            let (encoding, report) = read_netlogon(path)?;
            Some((path.display().to_string(), encoding, report))
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
    // Unreadable inputs, or inputs read only in part, are an input error
    // even though the rest was converted: the document says both.
    let bad = inputs.as_ref().map_or(0, |r| r.bad_inputs);
    let truncated = inputs.as_ref().is_some_and(|r| r.truncated.is_some())
        || netlogon
            .as_ref()
            .is_some_and(|(_, _, r)| r.truncated.is_some());
    let error = if bad > 0 {
        Some(ErrorReport::new(
            ErrorCode::BadInput,
            format!(
                "{bad} of {} input(s) could not be read (see the 6to4-bad-input findings)",
                inputs
                    .as_ref()
                    .map_or(0, |r| r.converted.len() + r.bad_inputs)
            ),
        ))
    } else if truncated {
        Some(ErrorReport::new(
            ErrorCode::InputTooLarge,
            "an input was read only up to its cap (see the 6to4-input-truncated finding)",
        ))
    } else {
        None
    };
    let status = Status::new(&findings, error.as_ref());
    let detail = ctx.detail;
    ctx.emit(status, &view.json(), |out| write_human(out, &view, detail))
}

type Items = Vec<(Source, String)>;

/// Arguments in order; `-` expands to stdin's lines, without blank lines and
/// `#` comments. Stdin may be UTF-8 or UTF-16 (what PowerShell 5.1 writes to
/// files), with LF or CRLF. At most [`MAX_INPUTS`] inputs and
/// [`STDIN_LIMITS`]: past either, the rest of stdin stays unread and the cap
/// is returned for a `6to4-input-truncated` finding.
fn collect_inputs(args: &[String], stdin: impl Read) -> Result<(Items, Option<InputCap>), Failure> {
    collect_inputs_within(args, stdin, STDIN_LIMITS, MAX_INPUTS)
}

fn collect_inputs_within(
    args: &[String],
    stdin: impl Read,
    limits: TextLimits,
    max_inputs: usize,
) -> Result<(Items, Option<InputCap>), Failure> {
    if args.iter().filter(|a| *a == "-").count() > 1 {
        return Err(Failure::usage(
            "`-` (read standard input) can be given only once",
        ));
    }
    let mut items = Vec::new();
    let mut lines = LineReader::new(stdin, limits);
    for (i, arg) in args.iter().enumerate() {
        if items.len() == max_inputs {
            return Err(Failure::new(
                ErrorCode::InputTooLarge,
                format!("more than {max_inputs} addresses: give at most {max_inputs} per run"),
            ));
        }
        if arg != "-" {
            items.push((Source::Argument(i + 1), arg.clone()));
            continue;
        }
        while let Some(line) = lines.next_line().map_err(|e| {
            Failure::new(
                ErrorCode::CannotRead,
                format!("cannot read addresses from standard input: {e}"),
            )
        })? {
            // A cut line keeps its first 4 KiB, which no address has: it is
            // reported as unreadable, quoted in part.
            let text = line.text.trim();
            if text.is_empty() || text.starts_with('#') {
                continue;
            }
            if items.len() == max_inputs {
                return Ok((
                    items,
                    Some(InputCap {
                        input: "stdin".into(),
                        cap: format!("{max_inputs} addresses"),
                        lines_read: line.number - 1,
                    }),
                ));
            }
            items.push((Source::Stdin(line.number), text.to_owned()));
        }
        if lines.truncated() {
            let cap = InputCap {
                input: "stdin".into(),
                cap: TextLimits::describe_bytes(limits.max_bytes),
                lines_read: lines.lines_read(),
            };
            return Ok((items, Some(cap)));
        }
    }
    Ok((items, None))
}

/// Reads a netlogon.log copy line by line within [`netlogon::LIMITS`].
fn read_netlogon(path: &Path) -> Result<(TextEncoding, NetlogonReport), Failure> {
    let cannot = |e: io::Error| {
        Failure::file(format!("cannot read netlogon log {}", path.display()), &e).hint(
            "copy %SystemRoot%\\debug\\netlogon.log from the domain controller and give the copy's path",
        )
    };
    let file = File::open(path).map_err(cannot)?;
    let mut lines = LineReader::new(file, netlogon::LIMITS);
    let mut summary = NetlogonSummary::default();
    while let Some(line) = lines.next_line().map_err(cannot)? {
        summary.line(&line);
    }
    if lines.truncated() {
        summary.truncated(InputCap {
            input: format!("netlogon.log {}", path.display()),
            cap: TextLimits::describe_bytes(netlogon::LIMITS.max_bytes),
            lines_read: lines.lines_read(),
        });
    }
    Ok((lines.encoding(), summary.finish()))
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
            (
                vec![
                    (Source::Argument(1), "198.51.100.83".to_owned()),
                    (Source::Stdin(3), "203.0.113.0/24".to_owned()),
                    (Source::Stdin(4), "bogus".to_owned()),
                ],
                None
            )
        );
    }

    #[test]
    fn stdin_only_once() {
        let args = vec!["-".to_owned(), "-".to_owned()];
        assert!(collect_inputs(&args, &b""[..]).is_err());
    }

    #[test]
    fn endless_stdin_stops_at_the_input_cap() {
        let args = vec!["-".to_owned()];
        let endless = io::repeat(b'\n');
        // Blank lines only: the byte cap ends it.
        let limits = TextLimits {
            max_bytes: 1 << 20,
            max_line_bytes: 64,
        };
        let (items, cap) = collect_inputs_within(&args, endless, limits, 5).unwrap();
        assert!(items.is_empty());
        let cap = cap.unwrap();
        assert_eq!((cap.cap.as_str(), cap.lines_read), ("1 MiB", 1 << 20));
        // Addresses: the input cap ends it.
        let many = "198.51.100.1\n".repeat(10);
        let (items, cap) = collect_inputs_within(&args, many.as_bytes(), limits, 5).unwrap();
        assert_eq!(items.len(), 5);
        assert_eq!(cap.unwrap().cap, "5 addresses");
        // Arguments beyond the cap are a usage error.
        let args: Vec<String> = (0..6).map(|i| format!("10.0.0.{i}")).collect();
        assert!(collect_inputs_within(&args, &b""[..], limits, 5).is_err());
    }
}
