//! Arguments shared by the commands that talk to a VPN server.

use std::time::Duration;

use clap::Args;

use crate::resolve::Family;

/// The server to test and how to reach it.
#[derive(Debug, Clone, Args)]
pub struct TargetArgs {
    /// VPN server name or IP address (as in the VPN profile), e.g. vpn.example.com.
    #[arg(value_name = "SERVER")]
    pub host: String,

    /// Test IPv4 addresses only (from the hosts file, else DNS A records).
    #[arg(short = '4', long = "ipv4", conflicts_with = "ipv6")]
    pub ipv4: bool,

    /// Test IPv6 addresses only (from the hosts file, else DNS AAAA records).
    #[arg(short = '6', long = "ipv6")]
    pub ipv6: bool,

    /// Seconds to wait for each reply: every probe, and name resolution as a whole
    /// (the hosts file first, then A and AAAA side by side).
    #[arg(long, value_name = "SECONDS", default_value_t = 2.0, value_parser = parse_timeout)]
    pub timeout: f64,
}

impl TargetArgs {
    pub fn family(&self) -> Family {
        match (self.ipv4, self.ipv6) {
            (true, _) => Family::V4,
            (_, true) => Family::V6,
            _ => Family::Any,
        }
    }

    pub fn timeout(&self) -> Duration {
        Duration::from_secs_f64(self.timeout)
    }
}

/// Accepts 0.05–60 s: shorter cannot cover a real round trip, longer hides a
/// dead path behind a hung terminal.
fn parse_timeout(s: &str) -> Result<f64, String> {
    let v: f64 = s
        .parse()
        .map_err(|_| format!("'{s}' is not a number of seconds"))?;
    if (0.05..=60.0).contains(&v) {
        Ok(v)
    } else {
        Err(format!("{v} s is out of range (0.05 to 60)"))
    }
}
