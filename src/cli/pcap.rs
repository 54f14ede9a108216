//! Arguments of `aovpn-diag pcap`.

use std::path::PathBuf;

use clap::Args;

/// Find why IKEv2 failed in a capture: unanswered IKE_SA_INIT or IKE_AUTH,
/// dropped IP fragments, missing IKEv2 fragmentation, proposal mismatch.
///
/// Reads pcap and pcapng files (Wireshark, tcpdump, pktmon/netsh traces
/// converted to pcapng), reassembles IP fragments, decodes IKEv2 on UDP 500
/// and 4500, tracks every IKE SA and says what went wrong and what to change.
/// Several files (a client-side and a server-side trace of one attempt) are
/// read together in time order.
#[derive(Debug, Args)]
#[command(after_help = concat!(
    "Examples:
  aovpn-diag pcap client.pcapng
      verdict, one table per IKE SA, findings with remedies
  aovpn-diag pcap client.pcapng server.pcap -v
      both sides of one attempt in time order, with the message timeline
  tcpdump -i eth0 -w - 'udp port 500 or udp port 4500 or ip[6:2] & 0x1fff != 0' | aovpn-diag pcap -
      read a live capture from stdin
  aovpn-diag pcap --ike-port 10500 --json trace.pcapng
      IKE on an extra port; JSON for scripts (findings, sas, stats)
  aovpn-diag pcap --each --json traces/*.pcapng traces/*.pcap.gz
      unrelated captures, one verdict per file (results[]); gzip read directly

",
    crate::exit_codes_help!()
))]
pub struct PcapArgs {
    /// Capture files (pcap or pcapng, also gzip-compressed); `-` reads one from stdin.
    #[arg(value_name = "FILE", required = true)]
    pub files: Vec<PathBuf>,

    /// Analyse each file on its own (one verdict per file; JSON `results[]`)
    /// instead of reading them together as one attempt.
    ///
    /// For a folder of unrelated captures. The exit code is the worst file's:
    /// 2 when one could not be read, else 1 when one shows a problem.
    #[arg(long)]
    pub each: bool,

    /// Also decode IKE on this UDP port (besides 500 and 4500); repeatable.
    #[arg(long = "ike-port", value_name = "PORT", value_parser = clap::value_parser!(u16).range(1..))]
    pub ike_ports: Vec<u16>,

    /// Seconds of capture time after which an unfinished IP datagram is given up (1-3600).
    #[arg(long, value_name = "SECS", default_value_t = 30,
          value_parser = clap::value_parser!(u32).range(1..=3600))]
    pub frag_timeout: u32,
}
