//! The facts behind `aovpn-diag 6to4`: what each input address or prefix
//! converts to, what a domain controller's `NO_CLIENT_SITE` lines add up to
//! ([`netlogon_summary`]), and the findings (non-global IPv4, unreadable or
//! truncated input, unmapped clients).
//!
//! Pure: the caller reads files and stdin, `report::sixtofour` presents.

#![forbid(unsafe_code)]

use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

use ipnet::{Ipv4Net, Ipv6Net};

use crate::addr::{
    self, Decoded, Input, InputError, Isatap, NonGlobal, SixToFour, Teredo,
    decode_sixtofour_prefix, describe_ipv6, non_global_ipv4, non_global_ipv4_net, parse_input,
    sixtofour_host, sixtofour_prefix, sixtofour_prefix_for,
};
use crate::finding::{Code, Finding, Severity};
use crate::text::{EXCERPT_CHARS, TextLimits, excerpt};

pub mod netlogon_summary;

pub use netlogon_summary::{
    Client, MAX_NETLOGON_CLIENTS, NetlogonReport, NetlogonSummary, PublicNetwork,
    SUMMARY_PREFIX_LEN, analyse_netlogon,
};

/// Where an input came from, for messages that point back at it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// 1-based position among the command-line addresses.
    Argument(usize),
    /// 1-based line number on stdin.
    Stdin(usize),
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Argument(n) => write!(f, "argument {n}"),
            Source::Stdin(n) => write!(f, "stdin line {n}"),
        }
    }
}

/// The kinds JSON reports, a stable vocabulary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    Ipv4,
    Ipv4Prefix,
    SixToFour,
    Teredo,
    Isatap,
    Other,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Ipv4 => "ipv4",
            Kind::Ipv4Prefix => "ipv4-prefix",
            Kind::SixToFour => "6to4",
            Kind::Teredo => "teredo",
            Kind::Isatap => "isatap",
            Kind::Other => "other",
        }
    }
}

/// What one input converts to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Conversion {
    /// An IPv4 address: its 6to4 site prefix and the address Windows uses.
    Ipv4 {
        ipv4: Ipv4Addr,
        prefix: Ipv6Net,
        address: Ipv6Addr,
    },
    /// An IPv4 prefix: the 6to4 prefix (/16+n) that covers it.
    Ipv4Prefix {
        network: Ipv4Net,
        host_bits_cleared: bool,
        prefix: Ipv6Net,
    },
    /// A 6to4 address, decoded.
    SixToFour {
        address: Ipv6Addr,
        parts: SixToFour,
    },
    /// A 6to4 prefix, decoded to the IPv4 prefix it covers.
    SixToFourPrefix {
        prefix: Ipv6Net,
        host_bits_cleared: bool,
        ipv4: Ipv4Net,
    },
    Teredo {
        address: Ipv6Addr,
        parts: Teredo,
    },
    Isatap {
        address: Ipv6Addr,
        parts: Isatap,
    },
    /// None of the above; `what` says what it is instead.
    Other {
        text: String,
        what: &'static str,
    },
}

impl Conversion {
    pub fn kind(&self) -> Kind {
        match self {
            Conversion::Ipv4 { .. } => Kind::Ipv4,
            Conversion::Ipv4Prefix { .. } => Kind::Ipv4Prefix,
            Conversion::SixToFour { .. } | Conversion::SixToFourPrefix { .. } => Kind::SixToFour,
            Conversion::Teredo { .. } => Kind::Teredo,
            Conversion::Isatap { .. } => Kind::Isatap,
            Conversion::Other { .. } => Kind::Other,
        }
    }

    /// The 6to4 prefix an AD subnet for this input would use, if any.
    pub fn ad_subnet(&self) -> Option<Ipv6Net> {
        match self {
            Conversion::Ipv4 { prefix, .. } | Conversion::Ipv4Prefix { prefix, .. } => {
                Some(*prefix)
            }
            Conversion::SixToFour { parts, .. } => Some(parts.prefix()),
            Conversion::SixToFourPrefix { prefix, .. } => Some(*prefix),
            Conversion::Teredo { .. } | Conversion::Isatap { .. } | Conversion::Other { .. } => {
                None
            }
        }
    }
}

/// Converts one understood input.
pub fn convert(input: Input) -> Conversion {
    match input {
        Input::Ipv4(ipv4) => Conversion::Ipv4 {
            ipv4,
            prefix: sixtofour_prefix(ipv4),
            address: sixtofour_host(ipv4),
        },
        Input::Ipv4Prefix(net) => Conversion::Ipv4Prefix {
            network: net.trunc(),
            host_bits_cleared: net.trunc() != net,
            prefix: sixtofour_prefix_for(net),
        },
        Input::Ipv6(address) => match addr::decode_ipv6(address) {
            Decoded::SixToFour(parts) => Conversion::SixToFour { address, parts },
            Decoded::Teredo(parts) => Conversion::Teredo { address, parts },
            Decoded::Isatap(parts) => Conversion::Isatap { address, parts },
            Decoded::Other => Conversion::Other {
                text: address.to_string(),
                what: describe_ipv6(address),
            },
        },
        Input::Ipv6Prefix(net) => match decode_sixtofour_prefix(net) {
            Some(ipv4) => Conversion::SixToFourPrefix {
                prefix: net.trunc(),
                host_bits_cleared: net.trunc() != net,
                ipv4,
            },
            None => Conversion::Other {
                text: net.trunc().to_string(),
                what: describe_ipv6(net.network()),
            },
        },
    }
}

/// One input and what it became.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Converted {
    pub source: Source,
    pub input: String,
    pub conversion: Conversion,
}

/// How much of stdin `6to4 -` reads: 16 MiB, lines of up to 4 KiB (an
/// address line has fewer than [`crate::addr::MAX_INPUT_CHARS`]
/// characters; a longer line is an unreadable input).
pub const STDIN_LIMITS: TextLimits = TextLimits {
    max_bytes: 16 << 20,
    max_line_bytes: 4 << 10,
};

/// Inputs converted in one run (arguments and stdin lines together); the
/// rest of stdin is left unread and `6to4-input-truncated` says so.
pub const MAX_INPUTS: usize = 5_000;

/// Every input of one run: the conversions in input order, the findings, and
/// whether any input could not be read (exit 2).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct InputsReport {
    pub converted: Vec<Converted>,
    pub findings: Vec<Finding>,
    pub bad_inputs: usize,
    /// Set when stdin held more than its caps allow (exit 2).
    pub truncated: Option<InputCap>,
}

impl InputsReport {
    /// The inputs were read only in part (stdin over [`STDIN_LIMITS`] or
    /// [`MAX_INPUTS`]): adds the `6to4-input-truncated` finding.
    pub fn set_truncated(&mut self, cap: InputCap) {
        self.findings.push(truncated(
            &cap,
            "Split the list into parts of at most 5000 addresses and run once per part.",
        ));
        self.truncated = Some(cap);
    }
}

/// Converts each `(source, text)`; an unreadable one becomes a `fail`
/// finding and the rest carry on. Findings of one code are listed for the
/// first [`MAX_LISTED`] inputs; one more finding counts the rest.
pub fn analyse_inputs<I>(items: I) -> InputsReport
where
    I: IntoIterator<Item = (Source, String)>,
{
    let mut report = InputsReport::default();
    let mut non_global = 0usize;
    for (source, input) in items {
        match parse_input(&input) {
            Ok(parsed) => {
                let conversion = convert(parsed);
                for f in non_global_findings(source, &input, &conversion) {
                    non_global += 1;
                    if non_global <= MAX_LISTED {
                        report.findings.push(f);
                    }
                }
                report.converted.push(Converted {
                    source,
                    input,
                    conversion,
                });
            }
            Err(error) => {
                report.bad_inputs += 1;
                if report.bad_inputs <= MAX_LISTED {
                    report.findings.push(bad_input(source, &input, &error));
                }
            }
        }
    }
    if report.bad_inputs > MAX_LISTED {
        let more = report.bad_inputs - MAX_LISTED;
        report.findings.push(
            Finding::new(
                Code::SixToFourBadInput,
                Severity::Fail,
                format!(
                    "{more} more unreadable input(s) ({} in all; the first {MAX_LISTED} are listed)",
                    report.bad_inputs
                ),
            )
            .with("count", more)
            .with("total", report.bad_inputs)
            .remedy(BAD_INPUT_REMEDY),
        );
    }
    if non_global > MAX_LISTED {
        let more = non_global - MAX_LISTED;
        report.findings.push(
            Finding::new(
                Code::SixToFourNonGlobal,
                Severity::Warn,
                format!(
                    "{more} more IPv4 address(es) in the inputs are not globally reachable \
                     ({non_global} in all; the first {MAX_LISTED} are listed)"
                ),
            )
            .with("count", more)
            .with("total", non_global)
            .remedy(REMEDY_6TO4),
        );
    }
    report
}

const BAD_INPUT_REMEDY: &str = "Give one IPv4 address (198.51.100.83), IPv4 prefix \
(203.0.113.0/24) or IPv6 address/prefix per argument or line; lines starting with # are comments.";

fn bad_input(source: Source, input: &str, error: &InputError) -> Finding {
    Finding::new(
        Code::SixToFourBadInput,
        Severity::Fail,
        format!("{source}: {error}"),
    )
    .with("source", source.to_string())
    .with("input", excerpt(input, EXCERPT_CHARS))
    .remedy(BAD_INPUT_REMEDY)
}

const REMEDY_6TO4: &str = "6to4 needs a public IPv4 address on the client itself; behind NAT or \
carrier-grade NAT it cannot work. Build AD subnets from clients' public addresses, and disable \
6to4 on DirectAccess/Always On VPN clients behind NAT (Set-Net6to4Configuration -State Disabled, \
or the Group Policy setting \"Set 6to4 State\" = Disabled) so they use IP-HTTPS.";

const REMEDY_TEREDO: &str = "A Teredo address carries the server's and the client's public \
(NAT-mapped) IPv4 addresses; a non-global one cannot be reached from the Internet. Check where \
the address came from (a lab, or a hand-made value).";

fn non_global_findings(source: Source, input: &str, conversion: &Conversion) -> Vec<Finding> {
    let found = |role: &str, ipv4: String, n: NonGlobal, remedy: &str| {
        Finding::new(
            Code::SixToFourNonGlobal,
            Severity::Warn,
            format!(
                "{} is {} ({}), not reachable from the Internet",
                if role.is_empty() {
                    input.to_owned()
                } else {
                    format!("{input}: {role}{ipv4}")
                },
                n.what,
                n.rfc
            ),
        )
        .with("source", source.to_string())
        .with("input", input)
        .with("ipv4", ipv4)
        .with("range", n.range.to_string())
        .with("scope", n.what)
        .remedy(remedy)
    };
    let mut out = Vec::new();
    match conversion {
        Conversion::Ipv4 { ipv4, .. } => {
            if let Some(n) = non_global_ipv4(*ipv4) {
                out.push(found("", ipv4.to_string(), n, REMEDY_6TO4));
            }
        }
        Conversion::Ipv4Prefix { network, .. } => {
            if let Some(n) = non_global_ipv4_net(*network) {
                out.push(found("", network.to_string(), n, REMEDY_6TO4));
            }
        }
        Conversion::SixToFour { parts, .. } => {
            if let Some(n) = non_global_ipv4(parts.ipv4) {
                out.push(found(
                    "embedded IPv4 ",
                    parts.ipv4.to_string(),
                    n,
                    REMEDY_6TO4,
                ));
            }
        }
        Conversion::SixToFourPrefix { ipv4, .. } => {
            if let Some(n) = non_global_ipv4_net(*ipv4) {
                out.push(found("embedded IPv4 ", ipv4.to_string(), n, REMEDY_6TO4));
            }
        }
        Conversion::Teredo { parts, .. } => {
            if let Some(n) = non_global_ipv4(parts.server) {
                out.push(found(
                    "Teredo server ",
                    parts.server.to_string(),
                    n,
                    REMEDY_TEREDO,
                ));
            }
            if let Some(n) = non_global_ipv4(parts.client_ipv4) {
                out.push(found(
                    "Teredo client ",
                    parts.client_ipv4.to_string(),
                    n,
                    REMEDY_TEREDO,
                ));
            }
        }
        // ISATAP runs inside a site: a private IPv4 is normal there.
        Conversion::Isatap { .. } | Conversion::Other { .. } => {}
    }
    out
}

/// Where a whole-input reader stopped before the end of its input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputCap {
    /// What was being read: `netlogon.log C:\copy.log`, `stdin`.
    pub input: String,
    /// The cap that was reached, for people: `128 MiB`, `10000 addresses`.
    pub cap: String,
    /// Lines read (and used) before it.
    pub lines_read: usize,
}

/// Findings of one kind listed one by one; beyond this, one more finding
/// gives the count of the rest.
pub const MAX_LISTED: usize = 20;

/// The `6to4-input-truncated` finding for an input read only in part (exit 2).
fn truncated(cap: &InputCap, remedy: &str) -> Finding {
    Finding::new(
        Code::SixToFourInputTruncated,
        Severity::Fail,
        format!(
            "{}: stopped reading at the {} cap; only the first {} line(s) were used",
            cap.input, cap.cap, cap.lines_read
        ),
    )
    .with("input", cap.input.as_str())
    .with("cap", cap.cap.as_str())
    .with("lines_read", cap.lines_read)
    .remedy(remedy)
}

/// The PowerShell line that adds `prefix` as a subnet of AD site `site`.
/// The site name is quoted for a PowerShell double-quoted string: backtick,
/// `"` and `$` are escaped with a backtick so the name arrives verbatim.
pub fn new_ad_subnet_command(prefix: Ipv6Net, site: &str) -> String {
    let mut quoted = String::with_capacity(site.len());
    for c in site.chars() {
        if matches!(c, '`' | '"' | '$' | '\u{201c}' | '\u{201d}' | '\u{201e}') {
            quoted.push('`');
        }
        quoted.push(c);
    }
    format!("New-ADReplicationSubnet -Name \"{prefix}\" -Site \"{quoted}\"")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(input: &str) -> Conversion {
        convert(parse_input(input).unwrap())
    }

    #[test]
    fn the_issue_examples() {
        match one("198.51.100.83") {
            Conversion::Ipv4 {
                prefix, address, ..
            } => {
                assert_eq!(prefix.to_string(), "2002:c633:6453::/48");
                assert_eq!(address.to_string(), "2002:c633:6453::c633:6453");
            }
            other => panic!("{other:?}"),
        }
        let c = one("203.0.113.0/24");
        assert_eq!(c.ad_subnet().unwrap().to_string(), "2002:cb00:7100::/40");
        assert_eq!(
            new_ad_subnet_command(c.ad_subnet().unwrap(), "NAME"),
            r#"New-ADReplicationSubnet -Name "2002:cb00:7100::/40" -Site "NAME""#
        );
        match one("2002:c633:6453::c633:6453") {
            Conversion::SixToFour { parts, .. } => {
                assert_eq!(parts.ipv4, Ipv4Addr::new(198, 51, 100, 83));
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            one("2001:0:4136:e378:8000:63bf:3fff:fdd2").kind(),
            Kind::Teredo
        );
        assert_eq!(one("::0:5efe:192.0.2.1").kind(), Kind::Isatap);
        assert_eq!(one("::200:5efe:192.0.2.1").kind(), Kind::Isatap);
        assert_eq!(
            one("2001:db8::1"),
            Conversion::Other {
                text: "2001:db8::1".into(),
                what: "documentation (RFC 3849)"
            }
        );
    }

    #[test]
    fn site_names_are_quoted_for_powershell() {
        let p: Ipv6Net = "2002::/16".parse().unwrap();
        assert_eq!(
            new_ad_subnet_command(p, r#"A "b" $x `y"#),
            r#"New-ADReplicationSubnet -Name "2002::/16" -Site "A `"b`" `$x ``y""#
        );
    }

    #[test]
    fn bad_inputs_do_not_stop_the_rest() {
        let r = analyse_inputs([
            (Source::Stdin(1), "198.51.100.83".to_owned()),
            (Source::Stdin(2), "bogus".to_owned()),
            (Source::Stdin(3), "10.0.0.1".to_owned()),
        ]);
        assert_eq!(r.converted.len(), 2);
        assert_eq!(r.bad_inputs, 1);
        let codes: Vec<_> = r.findings.iter().map(|f| (f.code, f.severity)).collect();
        assert_eq!(
            codes,
            vec![
                (Code::SixToFourBadInput, Severity::Fail),
                (Code::SixToFourNonGlobal, Severity::Warn)
            ]
        );
        assert!(r.findings[0].summary.starts_with("stdin line 2: `bogus`"));
    }

    #[test]
    fn non_global_checks_cover_every_carrier() {
        let warns = |input: &str| {
            let r = analyse_inputs([(Source::Argument(1), input.to_owned())]);
            r.findings.len()
        };
        assert_eq!(warns("100.64.1.1"), 1);
        assert_eq!(warns("192.168.0.0/16"), 1);
        assert_eq!(warns("2002:a00:1::a00:1"), 1);
        assert_eq!(warns("2002:a00::/24"), 1);
        // Server 10.0.0.1 and client 192.168.1.1: two warnings.
        let t = crate::addr::encode_teredo(&Teredo {
            server: Ipv4Addr::new(10, 0, 0, 1),
            flags: 0,
            client_port: 1,
            client_ipv4: Ipv4Addr::new(192, 168, 1, 1),
        });
        assert_eq!(warns(&t.to_string()), 2);
        assert_eq!(warns("fe80::5efe:10.0.0.1"), 0);
        assert_eq!(warns("198.51.100.83"), 0);
    }
}
