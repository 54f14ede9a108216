//! The `aovpn-diag` binary: parse arguments, run one command from the
//! library, print, and map the outcome to the documented exit codes.

mod cmd;

use std::io::{self, Write};
use std::process::ExitCode;

use anstream::{AutoStream, ColorChoice};
use clap::Parser;

use aovpn_diag::cli::{Cli, ColorWhen, Command};
use aovpn_diag::report::Detail;

fn main() -> ExitCode {
    let cli = Cli::parse();
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
    };

    let result = match cli.command {
        Command::SixToFour(args) => cmd::sixtofour::run(&args, &mut ctx),
        Command::Pcap(args) => cmd::pcap::run(&args, &mut ctx),
        Command::Capture(args) => cmd::capture::run(&args, &mut ctx),
        Command::Profile(args) => cmd::profile::run(&args, &mut ctx),
        Command::Events(args) => cmd::events::run(&args, &mut ctx),
        Command::Check(args) => cmd::check::run(&args, &mut ctx),
        Command::Mtu(args) => cmd::mtu::run(&args, &mut ctx),
        Command::Completions(args) => cmd::completions::run(&args, &mut ctx),
        Command::Probe(args) => cmd::probe::run(&args, &mut ctx),
        Command::Man(args) => cmd::man::run(&args, &mut ctx),
    };
    let result = result.and_then(|exit| ctx.out.flush().map(|()| exit).map_err(Into::into));

    match result {
        Ok(exit) => ExitCode::from(exit.code()),
        Err(failure) if failure.is_broken_pipe() => ExitCode::SUCCESS,
        Err(failure) => {
            let mut stderr = AutoStream::new(io::stderr().lock(), choice);
            let style = aovpn_diag::report::BAD;
            let _ = writeln!(
                stderr,
                "{style}aovpn-diag: error:{style:#} {}",
                failure.message
            );
            ExitCode::from(failure.exit.code())
        }
    }
}
