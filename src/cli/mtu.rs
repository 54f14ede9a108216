//! Arguments of `aovpn-diag mtu`.

use clap::Args;

use super::TargetArgs;
use super::values::{Named, ParseFn};

/// Measure the path MTU to a VPN server, like mtupath, and say what it means for IKEv2.
///
/// Sends Don't-Fragment probes of different sizes and finds the largest IP
/// packet that reaches the server: ICMP echo by default, or IKE_SA_INIT
/// requests to UDP 500/4500 with --ike (works where ping is blocked, and
/// measures the exact path IKE takes). Sizes are whole IP packets; the ICMP
/// payload (what `ping -s`, `ping -l` and mtupath count) is shown too.
/// Names a PMTUD black hole (large packets vanish without an ICMP "too big"
/// error) and the hop that did send "too big".
#[derive(Debug, Args)]
#[command(after_help = concat!(
    "Examples:
  aovpn-diag mtu vpn.example.com
      path MTU for every IPv4 and IPv6 address of the server
  aovpn-diag mtu -4 vpn.example.com -v
      IPv4 only, with a table of every size probed
  aovpn-diag mtu vpn.example.com --ike --port 4500
      measure with IKE_SA_INIT on UDP 4500 (where IKE_AUTH travels) when ping is blocked
  aovpn-diag mtu 198.51.100.7 --min 1200 --max 1500 --tries 5 --json
      a lossy path: more tries per size, narrower range, JSON for scripts

Privileges (Linux): unprivileged ICMP sockets when net.ipv4.ping_group_range allows
them, raw sockets as root or with CAP_NET_RAW; --ike needs neither.

",
    crate::exit_codes_help!()
))]
pub struct MtuArgs {
    #[command(flatten)]
    pub target: TargetArgs,

    /// Smallest IP packet size to test [default: 576 for IPv4, 1280 for IPv6].
    #[arg(long, value_name = "BYTES", value_parser = clap::value_parser!(u16).range(68..))]
    pub min: Option<u16>,

    /// Largest IP packet size to test [default: the outgoing interface MTU].
    #[arg(long, value_name = "BYTES", value_parser = clap::value_parser!(u16).range(68..))]
    pub max: Option<u16>,

    /// Probes per size before silence counts as "too big" (guards against random loss).
    #[arg(long, value_name = "N", default_value_t = 3, value_parser = clap::value_parser!(u8).range(1..=10))]
    pub tries: u8,

    /// Probe with IKE_SA_INIT requests over UDP instead of ICMP echo.
    #[arg(long)]
    pub ike: bool,

    /// UDP port for --ike: 500, or 4500 (the port IKE_AUTH uses).
    #[arg(long, value_name = "PORT", default_value_t = 500, requires = "ike",
          value_parser = IKE_PORTS)]
    pub port: u16,

    /// Show a progress bar on stderr (when stderr is a terminal).
    #[arg(long)]
    pub progress: bool,
}

const IKE_PORTS: Named<ParseFn<u16>> = Named::new(
    parse_port,
    &[
        ("500", "IKE (IKE_SA_INIT)"),
        ("4500", "NAT traversal, where IKE_AUTH travels"),
    ],
);

fn parse_port(s: &str) -> Result<u16, String> {
    match s {
        "500" => Ok(500),
        "4500" => Ok(4500),
        _ => Err(format!("'{s}' is not an IKE port: use 500 or 4500")),
    }
}
