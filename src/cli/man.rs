//! Arguments of `aovpn-diag man`.

use std::path::PathBuf;

use clap::Args;

use super::values::{Named, ParseFn};

/// Print a man page, or write all of them where `man` finds them.
///
/// The pages are the ones shipped in man/ of the source: aovpn-diag(1) and
/// one per command, aovpn-diag-pcap(1) and so on. Without --dir, prints one
/// page (roff) on stdout: aovpn-diag's, or the COMMAND's. With --dir, writes
/// every page into DIR (created if missing) and lists the files written.
///
/// man searches <prefix>/share/man/man1 for every <prefix>/bin on PATH, so
/// the directory to choose follows from where the binary is installed:
/// ~/.cargo/share/man/man1 after `cargo install`, ~/.local/share/man/man1
/// for ~/.local/bin, /usr/local/share/man/man1 for /usr/local/bin.
#[allow(rustdoc::invalid_html_tags)] // clap help text, not HTML
#[derive(Debug, Args)]
#[command(after_help = concat!(
    "Examples:
  aovpn-diag man --dir ~/.cargo/share/man/man1
      after `cargo install`: then `man aovpn-diag-pcap` works
  sudo aovpn-diag man --dir /usr/local/share/man/man1
      for a binary installed in /usr/local/bin
  aovpn-diag man pcap | man -l -
      read one page without installing anything

",
    crate::exit_codes_help!()
))]
pub struct ManArgs {
    /// The command whose page to print (default: the aovpn-diag page).
    #[arg(value_name = "COMMAND", value_parser = MAN_COMMANDS, conflicts_with = "dir")]
    pub command: Option<String>,

    /// Write every page into this directory (created if missing) instead of printing one.
    #[arg(long, value_name = "DIR", value_hint = clap::ValueHint::DirPath)]
    pub dir: Option<PathBuf>,
}

/// One list of the commands with a page of their own, from which both
/// `PAGE_COMMANDS` and the values `man` accepts (with their page names)
/// are made.
macro_rules! pages {
    ($($command:literal),* $(,)?) => {
        /// The commands with a page of their own (kept equal to the
        /// subcommands by a test in tests/man_cli.rs).
        pub const PAGE_COMMANDS: &[&str] = &[$($command),*];

        const MAN_COMMANDS: Named<ParseFn<String>> = Named::new(
            parse_command,
            &[$(($command, concat!("aovpn-diag-", $command, "(1)"))),*],
        );
    };
}

pages!(
    "check",
    "pcap",
    "capture",
    "probe",
    "mtu",
    "lb",
    "6to4",
    "profile",
    "events",
    "completions",
    "man",
);

fn parse_command(s: &str) -> Result<String, String> {
    if PAGE_COMMANDS.contains(&s) {
        Ok(s.to_owned())
    } else {
        Err(format!(
            "no such command; pages exist for {}",
            PAGE_COMMANDS.join(", ")
        ))
    }
}
