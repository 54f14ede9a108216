//! Arguments shared by the commands that talk to a VPN server, and the
//! server argument itself ([`Target`]) checked as people type it.

mod parse;
#[cfg(test)]
mod tests;

use std::ffi::OsStr;
use std::fmt;
use std::ops::Deref;
use std::time::Duration;

use clap::Args;
use clap::builder::TypedValueParser;
use clap::error::ErrorKind;

use crate::resolve::Family;

pub use parse::{TargetError, shown};

/// The server to test and how to reach it.
#[derive(Debug, Clone, Args)]
pub struct TargetArgs {
    // The doc comment is clap's help text, so its brackets stay unescaped.
    #[allow(rustdoc::broken_intra_doc_links)]
    /// VPN server name or IP address as in the VPN profile: vpn.example.com, 198.51.100.10, 2001:db8::10 or [2001:db8::10]. No URL, no port.
    #[arg(value_name = "SERVER", value_parser = TargetParser, value_hint = clap::ValueHint::Hostname)]
    pub host: Target,

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

/// A server argument after [`Target::parse`]: surrounding whitespace gone,
/// an IPv6 literal without its brackets and zone, so that what is left is
/// exactly what [`crate::resolve::resolve`] takes (a DNS name or an IP
/// literal). Derefs to that text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    host: String,
    zone: Option<String>,
}

impl Target {
    /// Checks one server argument: a host name (RFC 1123 §2.1), an IPv4
    /// literal, or an IPv6 literal (RFC 4291 §2.2), bare or in brackets
    /// (RFC 3986 §3.2.2), with or without a zone (`fe80::1%eth0`, `%12`,
    /// RFC 4007 §11; `%25` as in URLs, RFC 6874). Rejects, with what to type
    /// instead: URLs, `host:port` and `[v6]:port`, paths and prefixes,
    /// `user@host`, inner spaces, link-local, multicast and unspecified
    /// addresses.
    pub fn parse(raw: &str) -> Result<Target, TargetError> {
        parse::target(raw)
    }

    /// What to resolve: the host name, or the IP literal without brackets and zone.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The IPv6 zone typed after `%` (interface name or index), if any. It
    /// only selects an interface for link-local addresses, which are
    /// rejected, so for every accepted target it changes nothing on the wire.
    pub fn zone(&self) -> Option<&str> {
        self.zone.as_deref()
    }
}

impl Deref for Target {
    type Target = str;

    fn deref(&self) -> &str {
        &self.host
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.host)
    }
}

/// clap glue for [`Target::parse`]: the error is our one line, without
/// clap's `invalid value '<whole argument>'` prefix, so a long pasted
/// argument is never echoed in full. A usage error: exit 2.
#[derive(Debug, Clone, Copy)]
pub struct TargetParser;

impl TypedValueParser for TargetParser {
    type Value = Target;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        _arg: Option<&clap::Arg>,
        value: &OsStr,
    ) -> Result<Target, clap::Error> {
        let raw = value.to_string_lossy();
        Target::parse(&raw).map_err(|e| {
            clap::Error::raw(ErrorKind::ValueValidation, format!("{e}\n")).with_cmd(cmd)
        })
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
