//! Command-line definitions: the one source for `--help`, `man/` and `completions/`.
//! Each command's arguments live in their own file beside this one.

#![forbid(unsafe_code)]

mod capture;
mod check;
mod events;
mod lb;
mod man;
mod mtu;
mod pcap;
mod probe;
mod profile;
mod sixtofour;
mod target;
mod values;

pub use capture::{CaptureArgs, parse_seconds};
pub use check::CheckArgs;
pub use events::{EventsArgs, parse_hours};
pub use lb::{LbArgs, Ranges, default_ranges};
pub use man::{ManArgs, PAGE_COMMANDS};
pub use mtu::MtuArgs;
pub use pcap::PcapArgs;
pub use probe::ProbeArgs;
pub use profile::ProfileArgs;
pub use sixtofour::SixToFourArgs;
pub use target::{Target, TargetArgs, TargetError, TargetParser, shown};

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Diagnose Windows Always On VPN (IKEv2) failures such as error 809.
#[derive(Debug, Parser)]
#[command(
    name = "aovpn-diag",
    version,
    about,
    long_about = "Diagnose why a Windows Always On VPN (IKEv2) connection fails, above all with \
error 809 (\"the remote server is not responding\"): dropped IP fragments, missing IKEv2 \
fragmentation, blocked UDP 500/4500, load balancers without persistence or with source NAT, 6to4 \
site mapping.",
    after_help = concat!(
        "Examples:
  aovpn-diag check vpn.example.com
  aovpn-diag pcap client.pcapng server.pcapng
  sudo aovpn-diag capture --server vpn.example.com
  aovpn-diag probe vpn.example.com
  aovpn-diag mtu vpn.example.com
  aovpn-diag lb vpn.example.com --find-backends
  aovpn-diag 6to4 198.51.100.83
  aovpn-diag events Application.evtx
  aovpn-diag man --dir ~/.cargo/share/man/man1

Windows only (PowerShell):
  aovpn-diag.exe check vpn.example.com --json | ConvertFrom-Json
      run aovpn-diag.exe from PowerShell or cmd; --json for scripts
  aovpn-diag.exe events
      this machine's own record of the last VPN attempts (24 h)

",
        crate::exit_codes_help!()
    ),
    propagate_version = true
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,

    #[command(subcommand)]
    pub command: Command,
}

/// Options every command accepts.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Print one JSON document on stdout instead of the human view.
    #[arg(long, global = true)]
    pub json: bool,

    /// Show more detail (pcap, probe, mtu, 6to4); one level, -vv is refused.
    ///
    /// Adds to the human view: pcap the message timeline of every IKE SA,
    /// probe the request sent on each port (size, local address, SPI), mtu a
    /// table of every size probed, 6to4 every computer name from
    /// netlogon.log. check and profile always show everything; --json output
    /// is the same with or without -v. There is one level: -vv is refused.
    #[arg(short, long, global = true)]
    pub verbose: bool,

    /// Print only the verdict and failing findings; no progress.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,

    /// When to colour the human view.
    #[arg(long, value_enum, default_value_t = ColorWhen::Auto, global = true, value_name = "WHEN")]
    pub color: ColorWhen,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorWhen {
    /// Colour when stdout is a terminal and NO_COLOR is not set.
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    Check(CheckArgs),

    Pcap(PcapArgs),

    Capture(CaptureArgs),

    Probe(ProbeArgs),

    Mtu(MtuArgs),

    Lb(LbArgs),

    #[command(name = "6to4")]
    SixToFour(SixToFourArgs),

    Profile(ProfileArgs),

    Events(EventsArgs),

    Completions(CompletionsArgs),

    Man(ManArgs),
}

impl Command {
    /// The command's name as typed (and as JSON's `command` shows it).
    pub fn name(&self) -> &'static str {
        match self {
            Command::Check(_) => "check",
            Command::Pcap(_) => "pcap",
            Command::Capture(_) => "capture",
            Command::Probe(_) => "probe",
            Command::Mtu(_) => "mtu",
            Command::Lb(_) => "lb",
            Command::SixToFour(_) => "6to4",
            Command::Profile(_) => "profile",
            Command::Events(_) => "events",
            Command::Completions(_) => "completions",
            Command::Man(_) => "man",
        }
    }
}

/// Print a shell completion script on stdout.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  aovpn-diag completions bash > ~/.local/share/bash-completion/completions/aovpn-diag
      bash loads it the next time it completes aovpn-diag
  aovpn-diag completions zsh > ~/.zfunc/_aovpn-diag
      with fpath+=(~/.zfunc) before compinit in ~/.zshrc
  aovpn-diag completions fish > ~/.config/fish/completions/aovpn-diag.fish
      fish loads it on demand

Windows only (PowerShell):
  aovpn-diag.exe completions powershell | Out-String | Invoke-Expression
      this session; add the line to $PROFILE to keep it")]
pub struct CompletionsArgs {
    /// The shell to generate completions for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}
