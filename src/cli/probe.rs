//! Arguments of `aovpn-diag probe`.

use clap::Args;

use super::TargetArgs;
use super::values::{Named, ParseFn};
use crate::diagnose::ike::proposals::ProposalSet;

/// Speak real IKEv2 to a VPN server: is it reachable on UDP 500 and 4500,
/// which proposals does it accept, does it support IKEv2 fragmentation, and
/// do IP fragments get through to it?
///
/// Sends IKE_SA_INIT requests (no credentials needed, no tunnel is built) to
/// every address of the server: on UDP 500, on UDP 4500 with the non-ESP
/// marker, and once per port padded to --frag-size bytes so the request must
/// travel as IP fragments. A server that answers the small request but not
/// the padded one sits behind a path that drops fragments: error 809.
///
/// Then, like a client, it moves to UDP 4500: an encrypted IKE_AUTH for the
/// IKE SA just made on UDP 500, with a made-up identity and no credentials.
/// Only the server that holds that SA can answer it; silence means a load
/// balancer sent UDP 4500 to another server (no persistence across both
/// ports), or the answer was lost as IP fragments.
///
/// A handful of datagrams per address. Only the first IKE_SA_INIT is a full
/// one, and the IKE_AUTH test closes that IKE SA; every other request
/// (UDP 4500, the padded test, --proposals) offers a KE the server refuses
/// with INVALID_KE_PAYLOAD, so it keeps no half-open IKE SA.
#[derive(Debug, Args)]
#[command(after_help = concat!(
    "Examples:
  aovpn-diag probe vpn.example.com
      UDP 500 and 4500 on every A and AAAA address, fragment test with 2000 bytes
  aovpn-diag probe vpn.example.com -4 --frag-size 1600
      IPv4 only; the padded request is 1600 bytes on the wire
  aovpn-diag probe vpn.example.com --no-auth-test
      only IKE_SA_INIT: no IKE_AUTH on UDP 4500
  aovpn-diag probe 198.51.100.10 --proposals windows
      which of the Windows built-in client's proposals the server accepts
  aovpn-diag probe vpn.example.com --proposals aes256-sha256-modp2048,aes256gcm16-prfsha384-ecp384
      check a custom list in strongSwan notation

Windows only (PowerShell):
  aovpn-diag.exe probe vpn.example.com --json | ConvertFrom-Json
      script the result in PowerShell

Proposal sets: windows (built-in client defaults), aovpn (sets commonly
configured for Always On VPN), all (both), or a comma-separated list.

",
    crate::exit_codes_help!()
))]
pub struct ProbeArgs {
    #[command(flatten)]
    pub target: TargetArgs,

    /// Check these proposals one at a time: windows, aovpn, all, or a list like aes256-sha256-modp2048,aes128gcm16-prfsha256-ecp256.
    #[arg(long, value_name = "SET", value_parser = PROPOSAL_SETS, hide_possible_values = true)]
    pub proposals: Option<ProposalSet>,

    /// Size in bytes of the padded IP datagram of the fragment test (576 to 65535); it must exceed the path MTU.
    #[arg(long, value_name = "BYTES", default_value_t = crate::probe::ike::DEFAULT_FRAG_SIZE as u16,
          value_parser = clap::value_parser!(u16).range(576..))]
    pub frag_size: u16,

    /// Skip the fragment test.
    #[arg(long, conflicts_with = "frag_size")]
    pub no_frag_test: bool,

    /// Skip the IKE_AUTH test (an IKE_AUTH on UDP 4500 for the IKE SA made on UDP 500, which shows a load balancer without persistence across both ports).
    #[arg(long)]
    pub no_auth_test: bool,

    /// Re-sends of an unanswered request, each wait 50% longer than the last (0 to 5).
    #[arg(long, value_name = "N", default_value_t = 2, value_parser = clap::value_parser!(u8).range(0..=5))]
    pub retransmits: u8,
}

/// `--proposals` of `probe` and `check`: a named set or strongSwan notation.
/// The named sets are what shell completions offer.
pub(super) const PROPOSAL_SETS: Named<ParseFn<ProposalSet>> = Named::new(
    parse_set,
    &[
        ("windows", "the Windows built-in client's default proposals"),
        ("aovpn", "sets commonly configured for Always On VPN"),
        ("all", "windows and aovpn"),
    ],
);

fn parse_set(s: &str) -> Result<ProposalSet, String> {
    ProposalSet::parse(s).map_err(|e| e.to_string())
}
