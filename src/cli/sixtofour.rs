//! Arguments of `aovpn-diag 6to4`.

use std::path::PathBuf;

use clap::Args;

/// Map IPv4 addresses and prefixes to 6to4 and back; decode Teredo and ISATAP.
///
/// DirectAccess and Always On VPN clients behind 6to4 show up on domain
/// controllers with 2002::/16 addresses that match no AD site. This command
/// turns client IPv4 addresses and subnets into the 6to4 prefixes to add as AD
/// subnets, decodes 6to4/Teredo/ISATAP addresses back to IPv4, and summarises
/// the NO_CLIENT_SITE lines of a domain controller's netlogon.log.
#[derive(Debug, Args)]
#[command(after_help = concat!(
    "Examples:
  aovpn-diag 6to4 198.51.100.83
      6to4 prefix 2002:c633:6453::/48, Windows host address 2002:c633:6453::c633:6453
  aovpn-diag 6to4 203.0.113.0/24 --site London
      prefix 2002:cb00:7100::/40 and the New-ADReplicationSubnet line for site London
  aovpn-diag 6to4 2002:c633:6453::c633:6453 2001:0:4136:e378:8000:63bf:3fff:fdd2
      decode a 6to4 and a Teredo address
  aovpn-diag 6to4 - < addresses.txt
      one address per line; blank lines and # comments are skipped
  aovpn-diag 6to4 --netlogon netlogon.log --site Dublin
      which public IPv4 /24s and 6to4 prefixes lack an AD site, with the
      New-ADReplicationSubnet lines (a copy of a domain controller's
      %SystemRoot%\\debug\\netlogon.log: UTF-8 or UTF-16LE, CRLF or LF)
  aovpn-diag 6to4 --json 2002:cb00:7100::/40
      the same facts as JSON: input, kind, ipv4, sixtofour_prefix, sixtofour_address

Windows only (PowerShell, on a domain controller):
  Get-Content addresses.txt | aovpn-diag.exe 6to4 -
      one address per line from a file
  aovpn-diag.exe 6to4 --netlogon C:\\Windows\\debug\\netlogon.log --site Dublin
      read the domain controller's own netlogon.log

Unreadable addresses are reported with their argument or line number and the
command exits 2, after converting the rest. A private, CGNAT (100.64.0.0/10),
loopback, link-local or otherwise non-global IPv4 draws a warning (6to4 cannot
work from it); the conversion is still printed and the exit code stays 0.
Documentation ranges (RFC 5737) are treated as public, as examples intend.

Limits: at most 5000 addresses and 16 MiB from stdin, 128 MiB of netlogon.log
(2000 distinct computer/address pairs analysed); past a limit the command says
so (6to4-input-truncated) and exits 2 after using what it read.

",
    crate::exit_codes_help!()
))]
pub struct SixToFourArgs {
    /// IPv4 addresses or prefixes (a.b.c.d/n) to turn into 6to4, or IPv6 addresses and 6to4 prefixes to decode; `-` reads one per line from stdin (blank lines and # comments skipped).
    #[arg(value_name = "ADDRESS", required_unless_present = "netlogon")]
    pub inputs: Vec<String>,

    /// Also print the PowerShell line that adds each 6to4 prefix as a subnet of this AD site.
    #[arg(long, value_name = "NAME", value_parser = clap::builder::NonEmptyStringValueParser::new())]
    pub site: Option<String>,

    /// Summarise the NO_CLIENT_SITE lines of a domain controller's netlogon.log: clients per public IPv4 /24, the 6to4 prefixes to assign, the computers affected.
    #[arg(long, value_name = "FILE")]
    pub netlogon: Option<PathBuf>,
}
