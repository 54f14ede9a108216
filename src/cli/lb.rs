//! Arguments of `aovpn-diag lb`.

use std::net::IpAddr;

use clap::Args;
use ipnet::IpNet;

use super::TargetArgs;
use super::values::{Named, ParseFn};

/// Test a load balancer in front of VPN servers: does it keep each client on
/// one server for UDP 500 and 4500, without source NAT, and which servers
/// are behind it?
///
/// Runs --rounds connection attempts from this machine, each from fresh
/// source ports, as a Windows client does: a full IKE_SA_INIT on UDP 500,
/// then IKE_AUTH for that IKE SA on UDP 4500 (only the server holding the SA
/// can answer it; without an answer the same IKE_AUTH is sent on UDP 500,
/// and an answer there proves UDP 4500 went to another server), then one
/// IKE_SA_INIT on UDP 4500. No credentials; every IKE SA is closed again.
///
/// Each answer's NAT_DETECTION_SOURCE_IP is a hash of the real server's own
/// address: matched against --backends, or searched in address ranges with
/// --find-backends, it names the server. Its NAT_DETECTION_DESTINATION_IP
/// names the address the server saw this client as: another address than
/// this machine's means source NAT (checked against this machine's
/// addresses, the VIP and --snat-candidates at every port).
///
/// Bounded: with the defaults (8 rounds, 2 s timeout, 1 retransmission) a
/// healthy load balancer takes about 2 s, one that splits the ports about
/// 8 x 5 s; the worst case (everything unanswered) is printed with -v. The
/// search is bounded by --search-time.
#[derive(Debug, Args)]
#[command(after_help = concat!(
    "Examples:
  aovpn-diag lb vpn.example.com
      8 rounds against every address of the name; persistence and source NAT
  aovpn-diag lb 198.51.100.10 --backends 10.1.0.11,10.1.0.12
      also say which of the two servers answered each time
  aovpn-diag lb 198.51.100.10 --find-backends
      search 10/8, 172.16/12, 192.168/16 and the VIP's /24 for the servers
      (about 18 million SHA-1 hashes per port tried; seconds on a few cores)
  aovpn-diag lb 198.51.100.10 --find-backends 10.20.0.0/16 --rounds 16
      search one range; more rounds show how the load balancer spreads clients
  aovpn-diag lb 2001:db8::10 --find-backends 2001:db8:0:5::/112
      IPv6 needs an explicit prefix (at most 2^26 addresses in all)
  aovpn-diag lb 198.51.100.10 --snat-candidates 10.1.0.2,10.1.0.3
      name the load balancer's self IPs or SNAT pool if the servers see them

Windows only (PowerShell):
  aovpn-diag.exe lb vpn.example.com --json | ConvertFrom-Json
      script the result in PowerShell

",
    crate::exit_codes_help!()
))]
pub struct LbArgs {
    #[command(flatten)]
    pub target: TargetArgs,

    /// Connection attempts, each from fresh source ports (1 to 64).
    #[arg(long, value_name = "N", default_value_t = crate::probe::lb::DEFAULT_ROUNDS,
          value_parser = clap::value_parser!(u32).range(1..=i64::from(crate::probe::lb::MAX_ROUNDS)))]
    pub rounds: u32,

    /// The real servers' addresses, comma-separated: each answer is matched against them.
    #[arg(long, value_name = "ADDR,...", value_delimiter = ',', value_parser = parse_addr)]
    pub backends: Vec<IpAddr>,

    /// Search these ranges (CIDR, comma-separated) for the servers; alone (or 'default'): 10/8, 172.16/12, 192.168/16 and the VIP's /24 (IPv4 only).
    #[arg(long, value_name = "CIDR,...", num_args = 0..=1, default_missing_value = "default",
          value_parser = RANGES)]
    pub find_backends: Option<Ranges>,

    /// Addresses the load balancer may source-NAT clients to (self IPs, SNAT pool), comma-separated, at most 64.
    #[arg(long, value_name = "ADDR,...", value_delimiter = ',', value_parser = parse_addr)]
    pub snat_candidates: Vec<IpAddr>,

    /// Seconds the backend search may take per VIP (1 to 3600).
    #[arg(long, value_name = "SECONDS", default_value_t = 120,
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub search_time: u64,

    /// Re-sends of an unanswered request, each wait 50% longer than the last (0 to 5).
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u8).range(0..=5))]
    pub retransmits: u8,
}

/// `--find-backends`: the default private ranges, or a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ranges {
    /// 10/8, 172.16/12, 192.168/16 and the VIP's /24.
    Default,
    List(Vec<IpNet>),
}

/// The default ranges for an IPv4 VIP; `None` for IPv6 (no default makes
/// sense there).
pub fn default_ranges(vip: IpAddr) -> Option<Vec<IpNet>> {
    let IpAddr::V4(v4) = vip.to_canonical() else {
        return None;
    };
    let own = ipnet::Ipv4Net::new(v4, 24).ok()?.trunc();
    Some(vec![
        IpNet::V4(own),
        "192.168.0.0/16".parse().ok()?,
        "172.16.0.0/12".parse().ok()?,
        "10.0.0.0/8".parse().ok()?,
    ])
}

const RANGES: Named<ParseFn<Ranges>> = Named::new(
    parse_ranges,
    &[(
        "default",
        "10/8, 172.16/12, 192.168/16 and the VIP's /24 (IPv4)",
    )],
);

fn parse_ranges(s: &str) -> Result<Ranges, String> {
    if s.trim() == "default" {
        return Ok(Ranges::Default);
    }
    s.split(',')
        .map(|part| {
            let part = part.trim();
            part.parse::<IpNet>()
                .or_else(|_| part.parse::<IpAddr>().map(IpNet::from))
                .map(|n| n.trunc())
                .map_err(|_| {
                    format!(
                        "'{}' is not an address range such as 10.0.0.0/8 or 2001:db8::/112 \
(to search the default ranges, put --find-backends after the server or write --find-backends=default)",
                        super::shown(part).trim_matches('\'')
                    )
                })
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Ranges::List)
}

fn parse_addr(s: &str) -> Result<IpAddr, String> {
    let t = s.trim().trim_start_matches('[').trim_end_matches(']');
    t.parse::<IpAddr>().map_err(|_| {
        format!(
            "'{}' is not an IP address",
            super::shown(t).trim_matches('\'')
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_parse_as_people_type_them() {
        assert_eq!(parse_ranges("default"), Ok(Ranges::Default));
        assert_eq!(
            parse_ranges("10.20.0.0/16, 198.18.2.7"),
            Ok(Ranges::List(vec![
                "10.20.0.0/16".parse().unwrap(),
                "198.18.2.7/32".parse().unwrap()
            ]))
        );
        // Host bits are dropped, as the prefix means the network.
        assert_eq!(
            parse_ranges("10.20.3.4/16"),
            Ok(Ranges::List(vec!["10.20.0.0/16".parse().unwrap()]))
        );
        let e = parse_ranges("vpn.example.com").unwrap_err();
        assert!(e.contains("--find-backends=default"), "{e}");
    }

    #[test]
    fn default_ranges_are_ipv4_only() {
        let r = default_ranges("198.51.100.10".parse().unwrap()).unwrap();
        assert_eq!(r[0], "198.51.100.0/24".parse::<IpNet>().unwrap());
        assert_eq!(r.len(), 4);
        assert!(default_ranges("2001:db8::10".parse().unwrap()).is_none());
    }
}
