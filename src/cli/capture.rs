//! Arguments of `aovpn-diag capture`.

use std::path::PathBuf;

use clap::Args;

use super::target::{Target, TargetParser};

/// Watch an interface and explain a failing IKEv2 connection as it happens.
///
/// Captures IKE (UDP 500, 4500 and --ike-port), IP fragments of UDP and ICMP
/// "fragmentation needed" / "packet too big" / unreachable errors on one
/// interface, runs them through the same analysis as `pcap`, and prints each
/// IKE exchange as its outcome becomes known and each finding the moment it
/// is settled (e.g. IKE_AUTH sent three times without a reply). On Ctrl-C or
/// when --duration runs out it prints the full report, the same as `pcap`
/// gives for the --write file. Needs root or CAP_NET_RAW (Linux),
/// Administrator and Npcap (Windows), sudo (macOS).
///
/// Live capture needs libpcap or Npcap and is built with the cargo feature
/// `live` (Linux release builds have it; see README "Release builds").
/// Without it, `capture` prints the tcpdump command (Linux, macOS) or the
/// Windows `pktmon` commands that record the same traffic for `pcap`.
///
/// With --json, stdout gets one JSON document at the end (the `pcap --json`
/// fields plus `capture`: interface, filter, duration, drops, the live
/// events); the live lines go to stderr as NDJSON events, one JSON object a
/// line (`{"time":..,"event":"exchange"|"finding",...}`).
#[derive(Debug, Args)]
#[command(after_help = concat!(
    "Examples:
  sudo aovpn-diag capture --server vpn.example.com
      capture on the interface that routes to the VPN server; connect the
      VPN, watch, Ctrl-C for the report
  sudo aovpn-diag capture -i eth0 --duration 60 --write attempt.pcapng
      one minute on eth0, saved for `aovpn-diag pcap attempt.pcapng` or a ticket
  sudo aovpn-diag capture --list-interfaces
  sudo aovpn-diag capture --duration 120 --json > report.json 2> events.ndjson
      one JSON report at the end; live events as NDJSON on stderr

Windows only (an elevated PowerShell or cmd):
  aovpn-diag.exe capture --server vpn.example.com --write attempt.pcapng
      with Npcap and a build with live capture; otherwise it prints the
      pktmon commands that record the same traffic for `aovpn-diag pcap`

",
    crate::exit_codes_help!()
))]
pub struct CaptureArgs {
    /// Interface to capture on (a name from --list-interfaces). Default: the one with the route to --server, else the system's first active interface.
    #[arg(short = 'i', long, value_name = "IF")]
    pub interface: Option<String>,

    /// Stop after this long and print the report: seconds, or with s, m or h (90, 2.5, 5m, 1h). Default: until Ctrl-C.
    #[arg(long, value_name = "DURATION", value_parser = parse_seconds)]
    pub duration: Option<f64>,

    /// Also save what was captured as pcapng (for `aovpn-diag pcap FILE`, Wireshark or a ticket).
    #[arg(short = 'w', long, value_name = "FILE", value_hint = clap::ValueHint::FilePath)]
    pub write: Option<PathBuf>,

    /// The VPN server (name or address as in the VPN profile): capture on the interface that routes to it.
    #[arg(long, value_name = "HOST", value_parser = TargetParser, value_hint = clap::ValueHint::Hostname)]
    pub server: Option<Target>,

    /// List the interfaces that can be captured on, and exit.
    #[arg(long, conflicts_with_all = ["duration", "write", "interface"])]
    pub list_interfaces: bool,

    /// Also decode IKE on this UDP port (besides 500 and 4500); repeatable.
    #[arg(long = "ike-port", value_name = "PORT")]
    pub ike_ports: Vec<u16>,

    /// Seconds after which an unfinished IP datagram is given up.
    #[arg(long, value_name = "SECS", default_value_t = 30)]
    pub frag_timeout: u32,
}

/// Seconds from `90`, `2.5`, `90s`, `5m` or `1h` (at most a year).
pub fn parse_seconds(s: &str) -> Result<f64, String> {
    let t = s.trim();
    let (number, scale) = match t.char_indices().last() {
        Some((i, 's')) => (&t[..i], 1.0),
        Some((i, 'm')) => (&t[..i], 60.0),
        Some((i, 'h')) => (&t[..i], 3600.0),
        _ => (t, 1.0),
    };
    match number.trim().parse::<f64>() {
        Ok(v) if v.is_finite() && v > 0.0 && v * scale <= 366.0 * 86400.0 => Ok(v * scale),
        _ => Err(format!(
            "'{}' is not a duration: give seconds (90, 2.5) or a number with s, m or h (90s, 5m, 1h), up to a year",
            t.chars().take(40).collect::<String>()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_seconds("90"), Ok(90.0));
        assert_eq!(parse_seconds("2.5"), Ok(2.5));
        assert_eq!(parse_seconds("90s"), Ok(90.0));
        assert_eq!(parse_seconds("5m"), Ok(300.0));
        assert_eq!(parse_seconds(" 1h "), Ok(3600.0));
        for bad in ["", "0", "-3", "s", "abc", "1e999", "NaN", "400d", "9000h"] {
            assert!(parse_seconds(bad).is_err(), "{bad}");
        }
    }
}
