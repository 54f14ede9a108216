//! The `aovpn-diag` binary: parse arguments, run one command from the
//! library, print, and map the outcome to the documented exit codes. With
//! `--json` every outcome is one JSON document on stdout, usage errors
//! included; errors also get one line on stderr.

#![forbid(unsafe_code)]

mod cmd;

use std::ffi::OsString;
use std::io::{self, Write};
use std::process::ExitCode;

use anstream::{AutoStream, ColorChoice};
use clap::Parser;
use clap::error::ErrorKind;

use aovpn_diag::cli::{Cli, ColorWhen, Command, PAGE_COMMANDS};
use aovpn_diag::exit::ErrorCode;
use aovpn_diag::report::{Detail, ErrorReport, write_error_json};

fn main() -> ExitCode {
    let raw: Vec<OsString> = std::env::args_os().collect();
    let cli = match Cli::try_parse_from(&raw) {
        Ok(cli) => cli,
        Err(e) => return usage_error(&e, &raw),
    };
    let choice = match cli.global.color {
        ColorWhen::Auto => ColorChoice::Auto,
        ColorWhen::Always => ColorChoice::Always,
        ColorWhen::Never => ColorChoice::Never,
    };
    // JSON is for machines: never style it.
    let choice = if cli.global.json {
        ColorChoice::Never
    } else {
        choice
    };
    let mut stdout = AutoStream::new(io::stdout().lock(), choice);
    let mut ctx = cmd::Ctx {
        out: &mut stdout,
        json: cli.global.json,
        detail: Detail {
            verbose: u8::from(cli.global.verbose),
            quiet: cli.global.quiet,
        },
        command: cli.command.name(),
    };

    let result = match &cli.command {
        Command::SixToFour(args) => cmd::sixtofour::run(args, &mut ctx),
        Command::Pcap(args) => cmd::pcap::run(args, &mut ctx),
        Command::Capture(args) => cmd::capture::run(args, &mut ctx),
        Command::Profile(args) => cmd::profile::run(args, &mut ctx),
        Command::Events(args) => cmd::events::run(args, &mut ctx),
        Command::Check(args) => cmd::check::run(args, &mut ctx),
        Command::Mtu(args) => cmd::mtu::run(args, &mut ctx),
        Command::Lb(args) => cmd::lb::run(args, &mut ctx),
        Command::Completions(args) => cmd::completions::run(args, &mut ctx),
        Command::Probe(args) => cmd::probe::run(args, &mut ctx),
        Command::Man(args) => cmd::man::run(args, &mut ctx),
    };

    match result {
        Ok(exit) => ExitCode::from(exit.code()),
        Err(mut failure) => {
            if failure.error.code == ErrorCode::Usage
                && failure.error.hint == ErrorCode::Usage.info().hint
            {
                failure = failure.hint(format!(
                    "see `aovpn-diag {} --help` for the options and examples",
                    ctx.command
                ));
            }
            if ctx.json && !failure.reported {
                // A closed stdout is no reason to say more.
                let written = write_error_json(ctx.out, Some(ctx.command), &failure.error)
                    .and_then(|()| ctx.out.flush());
                let _ = cmd::quietly_on_closed_pipe(written);
            }
            let mut stderr = AutoStream::new(io::stderr().lock(), choice);
            let style = aovpn_diag::report::BAD;
            let _ = writeln!(
                stderr,
                "{style}aovpn-diag: error:{style:#} {}",
                failure.line()
            );
            ExitCode::from(failure.exit().code())
        }
    }
}

/// clap could not parse the command line. `--help` and `--version` print
/// as usual; a real usage error is clap's message on stderr and, when
/// `--json` was asked for, the `usage` error document on stdout; exit 2.
fn usage_error(e: &clap::Error, raw: &[OsString]) -> ExitCode {
    let informational = matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion);
    if !informational && wants_json(raw) {
        let command = subcommand(raw);
        let report = usage_report(e, command);
        let mut out = io::stdout().lock();
        let written = write_error_json(&mut out, command, &report).and_then(|()| out.flush());
        let _ = cmd::quietly_on_closed_pipe(written);
    }
    let _ = e.print();
    ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(2))
}

/// `--json` anywhere before a `--` that ends the options.
fn wants_json(raw: &[OsString]) -> bool {
    raw.iter()
        .skip(1)
        .take_while(|a| *a != "--")
        .any(|a| a == "--json")
}

/// The subcommand the user typed, when one is recognisable: the first
/// argument that names one (`PAGE_COMMANDS` is every subcommand, a test
/// in tests/man_cli.rs keeps it so).
fn subcommand(raw: &[OsString]) -> Option<&'static str> {
    raw.iter()
        .skip(1)
        .take_while(|a| *a != "--")
        .find_map(|a| PAGE_COMMANDS.iter().copied().find(|n| a == *n))
}

/// clap's error as the JSON `error`: its error text as the message (the
/// first line and what it lists, e.g. the missing arguments, up to the
/// usage line), its tip (if any) as the hint, else where the command's
/// options are listed.
fn usage_report(e: &clap::Error, command: Option<&str>) -> ErrorReport {
    let text = e.render().to_string();
    let parts: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .take_while(|l| {
            !(l.starts_with("Usage:")
                || l.starts_with("tip:")
                || l.starts_with("For more information"))
        })
        .collect();
    let message = match parts.split_first() {
        Some((first, rest)) => {
            let first = first.strip_prefix("error: ").unwrap_or(first);
            if rest.is_empty() {
                first.to_owned()
            } else {
                format!("{first} {}", rest.join(", "))
            }
        }
        None => "invalid command line".to_owned(),
    };
    let help = match command {
        Some(c) => format!("see `aovpn-diag {c} --help` for the options and examples"),
        None => "see `aovpn-diag --help` for the commands and examples".to_owned(),
    };
    let report = ErrorReport::new(ErrorCode::Usage, message).hint(help);
    match text
        .lines()
        .map(str::trim)
        .find_map(|l| l.strip_prefix("tip: "))
    {
        Some(tip) => report.hint(tip.to_owned()),
        None => report,
    }
}
