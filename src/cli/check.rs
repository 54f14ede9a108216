//! Arguments of `aovpn-diag check`.

use clap::Args;

use super::TargetArgs;
use super::probe::PROPOSAL_SETS;
use crate::diagnose::ike::proposals::ProposalSet;

/// One call for a helpdesk script on error 809: every test in order, one
/// verdict, the most likely cause and its remedy.
///
/// Tests, in the order the connection needs them: the server name resolves
/// (A/AAAA); IKE_SA_INIT is answered on UDP 500 and on UDP 4500; the IKE
/// SA made on UDP 500 is answered on UDP 4500 too (IKE_AUTH: a load balancer
/// without persistence across both ports fails it); the server offers IKEv2
/// fragmentation (notify 16430); an IP-fragmented IKE_SA_INIT
/// gets through; the path MTU (ICMP, or IKE itself when ICMP is blocked);
/// the Windows client's default proposals and the common Always On VPN sets
/// are accepted. Steps that cannot run are reported as skipped with the
/// reason. No credentials are needed and no tunnel is built.
#[derive(Debug, Args)]
#[command(after_help = concat!(
    "Examples:
  aovpn-diag check vpn.example.com
      all tests, human verdict with the most likely cause of error 809
  aovpn-diag check vpn.example.com --json | jq -r '.cause // \"none\"'
      the cause code for a script (null when nothing is wrong)

Windows only (PowerShell):
  aovpn-diag.exe check vpn.example.com --json | ConvertFrom-Json
      the same in PowerShell; exit code 0 ok, 1 problem, 2 bad input, 3 could not test
  aovpn-diag.exe check vpn.example.com --local-rras
      on a Windows RRAS server: also read EnableServerFragmentation from the registry
  aovpn-diag.exe check vpn.example.com --local-events
      on a client: also name the error code of the last VPN attempt (RasClient events)

",
    crate::exit_codes_help!()
))]
pub struct CheckArgs {
    #[command(flatten)]
    pub target: TargetArgs,

    /// Proposals to check one at a time: windows, aovpn, all, or a list like aes256-sha256-modp2048.
    #[arg(long, value_name = "SET", default_value = "all", value_parser = PROPOSAL_SETS, hide_possible_values = true)]
    pub proposals: ProposalSet,

    /// Size in bytes of the IP datagram of the fragment test (576 to 65535).
    #[arg(long, value_name = "BYTES", default_value_t = crate::probe::ike::DEFAULT_FRAG_SIZE as u16,
          value_parser = clap::value_parser!(u16).range(576..))]
    pub frag_size: u16,

    /// Skip the path-MTU step.
    #[arg(long)]
    pub no_mtu: bool,

    /// Also read this machine's RRAS IKEv2 fragmentation setting (Windows only).
    #[arg(long)]
    pub local_rras: bool,

    /// Also read this machine's RasClient events of the last 24 hours and fold the last attempt's error code into the verdict (Windows only).
    #[arg(long)]
    pub local_events: bool,
}
