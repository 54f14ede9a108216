//! Presentation of `aovpn-diag 6to4`: the human view (one block per input,
//! a comfy-table summary of netlogon.log) and the JSON document's serde types.

use std::io::{self, Write};
use std::net::Ipv6Addr;

use ipnet::Ipv6Net;
use serde::Serialize;

use super::{BOLD, DIM, Detail, NOTE, table, write_findings, write_verdict};
use crate::addr::decode_isatap;
use crate::finding::{Finding, Verdict};
use crate::sixtofour::{
    Client, Conversion, Converted, InputsReport, NetlogonReport, new_ad_subnet_command,
};

/// Everything one run found, ready to print either way.
pub struct View<'a> {
    pub inputs: Option<&'a InputsReport>,
    pub netlogon: Option<NetlogonView<'a>>,
    pub site: Option<&'a str>,
    /// All findings of the run, worst first.
    pub findings: &'a [Finding],
}

/// A netlogon summary plus where it came from.
pub struct NetlogonView<'a> {
    pub file: &'a str,
    pub encoding: &'a str,
    pub report: &'a NetlogonReport,
}

impl View<'_> {
    pub fn verdict(&self) -> Verdict {
        Verdict::from_findings(self.findings)
    }

    /// The 6to4 prefixes worth an AD subnet, inputs first, without repeats.
    fn ad_subnets(&self) -> Vec<Ipv6Net> {
        let mut out: Vec<Ipv6Net> = Vec::new();
        let from_inputs = self
            .inputs
            .into_iter()
            .flat_map(|r| r.converted.iter().filter_map(|c| c.conversion.ad_subnet()));
        let from_log = self
            .netlogon
            .iter()
            .flat_map(|n| n.report.prefixes_to_assign());
        for p in from_inputs.chain(from_log) {
            if !out.contains(&p) {
                out.push(p);
            }
        }
        out
    }

    fn powershell(&self) -> Option<Vec<String>> {
        let site = self.site?;
        Some(
            self.ad_subnets()
                .into_iter()
                .map(|p| new_ad_subnet_command(p, site))
                .collect(),
        )
    }
}

// ---- JSON -------------------------------------------------------------------

#[derive(Serialize, schemars::JsonSchema)]
pub struct Json<'a> {
    inputs: Vec<InputJson<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    netlogon: Option<NetlogonJson<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    site: Option<&'a str>,
    /// `New-ADReplicationSubnet` lines; present only with `--site`.
    #[serde(skip_serializing_if = "Option::is_none")]
    powershell: Option<Vec<String>>,
}

#[derive(Serialize, schemars::JsonSchema)]
struct InputJson<'a> {
    input: &'a str,
    source: String,
    kind: &'static str,
    ipv4: Option<String>,
    sixtofour_prefix: Option<String>,
    sixtofour_address: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    host_bits_cleared: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sixtofour: Option<SixToFourJson>,
    #[serde(skip_serializing_if = "Option::is_none")]
    teredo: Option<TeredoJson>,
    #[serde(skip_serializing_if = "Option::is_none")]
    isatap: Option<IsatapJson>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'static str>,
}

#[derive(Serialize, schemars::JsonSchema)]
struct SixToFourJson {
    subnet_id: u16,
    interface_id: String,
    windows_host: bool,
}

#[derive(Serialize, schemars::JsonSchema)]
struct TeredoJson {
    server: String,
    client_ipv4: String,
    client_port: u16,
    flags: String,
    cone: bool,
}

#[derive(Serialize, schemars::JsonSchema)]
struct IsatapJson {
    prefix: String,
    ipv4: String,
    universal: bool,
}

#[derive(Serialize, schemars::JsonSchema)]
struct NetlogonJson<'a> {
    file: &'a str,
    encoding: &'a str,
    lines: usize,
    no_client_site_lines: usize,
    /// The file was larger than the byte cap and was read only in part.
    truncated: bool,
    networks: Vec<NetworkJson<'a>>,
    prefixes_to_assign: Vec<String>,
    computers_affected: Vec<String>,
    clients: Vec<ClientJson<'a>>,
}

#[derive(Serialize, schemars::JsonSchema)]
struct NetworkJson<'a> {
    network: String,
    sixtofour_prefix: Option<String>,
    sixtofour_computers: Vec<&'a str>,
    teredo_computers: Vec<&'a str>,
    non_global: Option<&'static str>,
}

#[derive(Serialize, schemars::JsonSchema)]
struct ClientJson<'a> {
    computer: &'a str,
    address: &'a str,
    kind: &'static str,
    public_ipv4: Option<String>,
    first_line: usize,
    last_seen: Option<&'a str>,
    lines: usize,
}

fn interface_id(iid: u64) -> String {
    Ipv6Addr::from(u128::from(iid)).to_string()
}

fn input_json(c: &Converted) -> InputJson<'_> {
    let mut j = InputJson {
        input: &c.input,
        source: c.source.to_string(),
        kind: c.conversion.kind().as_str(),
        ipv4: None,
        sixtofour_prefix: None,
        sixtofour_address: None,
        host_bits_cleared: None,
        sixtofour: None,
        teredo: None,
        isatap: None,
        description: None,
    };
    match &c.conversion {
        Conversion::Ipv4 {
            ipv4,
            prefix,
            address,
        } => {
            j.ipv4 = Some(ipv4.to_string());
            j.sixtofour_prefix = Some(prefix.to_string());
            j.sixtofour_address = Some(address.to_string());
        }
        Conversion::Ipv4Prefix {
            network,
            host_bits_cleared,
            prefix,
        } => {
            j.ipv4 = Some(network.to_string());
            j.sixtofour_prefix = Some(prefix.to_string());
            j.host_bits_cleared = Some(*host_bits_cleared);
        }
        Conversion::SixToFour { address, parts } => {
            j.ipv4 = Some(parts.ipv4.to_string());
            j.sixtofour_prefix = Some(parts.prefix().to_string());
            j.sixtofour_address = Some(address.to_string());
            j.sixtofour = Some(SixToFourJson {
                subnet_id: parts.subnet_id,
                interface_id: interface_id(parts.interface_id),
                windows_host: parts.is_windows_host(),
            });
        }
        Conversion::SixToFourPrefix {
            prefix,
            host_bits_cleared,
            ipv4,
        } => {
            j.ipv4 = Some(ipv4.to_string());
            j.sixtofour_prefix = Some(prefix.to_string());
            j.host_bits_cleared = Some(*host_bits_cleared);
        }
        Conversion::Teredo { parts, .. } => {
            j.ipv4 = Some(parts.client_ipv4.to_string());
            j.teredo = Some(TeredoJson {
                server: parts.server.to_string(),
                client_ipv4: parts.client_ipv4.to_string(),
                client_port: parts.client_port,
                flags: format!("0x{:04x}", parts.flags),
                cone: parts.is_cone(),
            });
        }
        Conversion::Isatap { parts, .. } => {
            j.ipv4 = Some(parts.ipv4.to_string());
            j.isatap = Some(IsatapJson {
                prefix: parts.prefix_net().to_string(),
                ipv4: parts.ipv4.to_string(),
                universal: parts.universal,
            });
        }
        Conversion::Other { what, .. } => j.description = Some(what),
    }
    j
}

fn client_json(c: &Client) -> ClientJson<'_> {
    ClientJson {
        computer: &c.computer,
        address: &c.address,
        kind: c.kind.as_str(),
        public_ipv4: c.public_ipv4.map(|a| a.to_string()),
        first_line: c.first_line,
        last_seen: c.last_seen.as_deref(),
        lines: c.lines,
    }
}

fn netlogon_json<'a>(n: &NetlogonView<'a>) -> NetlogonJson<'a> {
    let r = n.report;
    NetlogonJson {
        file: n.file,
        encoding: n.encoding,
        lines: r.lines,
        no_client_site_lines: r.no_client_site_lines,
        truncated: r.truncated.is_some(),
        networks: r
            .networks
            .iter()
            .map(|net| NetworkJson {
                network: net.network.to_string(),
                sixtofour_prefix: (!net.sixtofour_computers.is_empty())
                    .then(|| net.sixtofour_prefix.to_string()),
                sixtofour_computers: net.sixtofour_computers.iter().map(String::as_str).collect(),
                teredo_computers: net.teredo_computers.iter().map(String::as_str).collect(),
                non_global: net.non_global.map(|g| g.what),
            })
            .collect(),
        prefixes_to_assign: r
            .prefixes_to_assign()
            .iter()
            .map(ToString::to_string)
            .collect(),
        computers_affected: r.computers_affected().into_iter().collect(),
        clients: r.clients.iter().map(client_json).collect(),
    }
}

impl<'a> View<'a> {
    /// The JSON body (the shared envelope adds `schema_version` and `command`).
    pub fn json(&'a self) -> Json<'a> {
        Json {
            inputs: self
                .inputs
                .map(|r| r.converted.iter().map(input_json).collect())
                .unwrap_or_default(),
            netlogon: self.netlogon.as_ref().map(netlogon_json),
            site: self.site,
            powershell: self.powershell(),
        }
    }
}

// ---- human view ---------------------------------------------------------------

/// Verdict line, input blocks, netlogon summary, PowerShell lines, findings.
pub fn write_human(out: &mut dyn Write, view: &View, detail: Detail) -> io::Result<()> {
    write_verdict(out, view.verdict(), &headline(view))?;
    if !detail.quiet {
        if let Some(inputs) = view.inputs {
            for c in &inputs.converted {
                writeln!(out)?;
                write_conversion(out, c)?;
            }
        }
        if let Some(n) = &view.netlogon {
            writeln!(out)?;
            write_netlogon(out, n, detail)?;
        }
        write_powershell(out, view)?;
    }
    if view
        .findings
        .iter()
        .any(|f| !detail.quiet || f.severity == crate::Severity::Fail)
    {
        writeln!(out)?;
    }
    write_findings(out, view.findings, detail)
}

fn headline(view: &View) -> String {
    let mut parts = Vec::new();
    if let Some(r) = view.inputs {
        let mut s = format!("{} input(s) converted", r.converted.len());
        if r.bad_inputs > 0 {
            s.push_str(&format!(", {} could not be read", r.bad_inputs));
        }
        if let Some(cap) = &r.truncated {
            s.push_str(&format!(
                ", {} read only up to the {} cap",
                cap.input, cap.cap
            ));
        }
        parts.push(s);
    }
    if let Some(n) = &view.netlogon {
        let r = n.report;
        parts.push(format!(
            "{}: {} NO_CLIENT_SITE line(s), {} computer(s) via 6to4/Teredo from {} public /24 network(s)",
            n.file,
            r.no_client_site_lines,
            r.computers_affected().len(),
            r.networks.len()
        ));
        if let Some(cap) = &r.truncated {
            parts.push(format!("read only up to the {} cap", cap.cap));
        }
    }
    let warnings = view
        .findings
        .iter()
        .filter(|f| f.severity == crate::Severity::Warn)
        .count();
    if warnings > 0 {
        parts.push(format!("{warnings} warning(s)"));
    }
    parts.join("; ")
}

fn field(out: &mut dyn Write, label: &str, value: &str) -> io::Result<()> {
    writeln!(out, "  {DIM}{label:<14}{DIM:#}{value}")
}

fn title(out: &mut dyn Write, input: &str, kind: &str) -> io::Result<()> {
    writeln!(out, "{BOLD}{input}{BOLD:#}  {NOTE}{kind}{NOTE:#}")
}

fn write_conversion(out: &mut dyn Write, c: &Converted) -> io::Result<()> {
    let input = c.input.trim();
    match &c.conversion {
        Conversion::Ipv4 {
            prefix, address, ..
        } => {
            title(out, input, "IPv4 address")?;
            field(out, "6to4 prefix", &prefix.to_string())?;
            field(
                out,
                "6to4 address",
                &format!("{address}  (the address Windows gives itself)"),
            )?;
        }
        Conversion::Ipv4Prefix {
            network,
            host_bits_cleared,
            prefix,
        } => {
            title(out, input, "IPv4 prefix")?;
            if *host_bits_cleared {
                field(out, "network", &format!("{network}  (host bits cleared)"))?;
            }
            field(
                out,
                "6to4 prefix",
                &format!(
                    "{prefix}  (IPv4 /{} -> 6to4 /{}: add as the AD subnet)",
                    network.prefix_len(),
                    prefix.prefix_len()
                ),
            )?;
        }
        Conversion::SixToFour { address, parts } => {
            title(out, input, "6to4 address (RFC 3056)")?;
            field(out, "IPv4", &parts.ipv4.to_string())?;
            field(out, "6to4 prefix", &parts.prefix().to_string())?;
            field(out, "subnet ID", &format!("{:#x}", parts.subnet_id))?;
            let iid = interface_id(parts.interface_id);
            let note = if parts.is_windows_host() {
                "  (Windows: the IPv4 address again)".to_owned()
            } else if let Some(i) = decode_isatap(*address) {
                format!("  (ISATAP, IPv4 {})", i.ipv4)
            } else {
                String::new()
            };
            field(out, "interface ID", &format!("{iid}{note}"))?;
        }
        Conversion::SixToFourPrefix {
            prefix,
            host_bits_cleared,
            ipv4,
        } => {
            title(out, input, "6to4 prefix (RFC 3056)")?;
            if *host_bits_cleared {
                field(out, "network", &format!("{prefix}  (host bits cleared)"))?;
            }
            field(out, "IPv4", &ipv4.to_string())?;
        }
        Conversion::Teredo { parts, .. } => {
            title(out, input, "Teredo address (RFC 4380)")?;
            field(out, "server", &parts.server.to_string())?;
            field(
                out,
                "client",
                &format!("{} port {}", parts.client_ipv4, parts.client_port),
            )?;
            let nat = if parts.is_cone() {
                "cone NAT".to_owned()
            } else {
                "not cone (restricted or symmetric NAT)".to_owned()
            };
            let random = if parts.random_bits() != 0 {
                format!("; RFC 5991 random bits {:#06x}", parts.random_bits())
            } else {
                String::new()
            };
            field(
                out,
                "flags",
                &format!("{:#06x} ({nat}{random})", parts.flags),
            )?;
        }
        Conversion::Isatap { parts, .. } => {
            title(out, input, "ISATAP address (RFC 5214)")?;
            field(out, "IPv4", &parts.ipv4.to_string())?;
            field(out, "prefix", &parts.prefix_net().to_string())?;
            field(
                out,
                "u bit",
                if parts.universal {
                    "1 (0200:5efe: IPv4 declared globally unique)"
                } else {
                    "0 (0000:5efe: IPv4 not declared globally unique)"
                },
            )?;
        }
        Conversion::Other { what, .. } => {
            title(out, input, "none of 6to4, Teredo or ISATAP")?;
            field(out, "it is", what)?;
        }
    }
    Ok(())
}

/// Names, shortened to `limit` with "+N more" unless verbose.
fn names<'a>(list: impl IntoIterator<Item = &'a String>, detail: Detail) -> String {
    const LIMIT: usize = 6;
    let all: Vec<&str> = list.into_iter().map(String::as_str).collect();
    if detail.verbose > 0 || all.len() <= LIMIT {
        return all.join(", ");
    }
    format!(
        "{}, +{} more (-v lists all)",
        all[..LIMIT].join(", "),
        all.len() - LIMIT
    )
}

fn write_netlogon(out: &mut dyn Write, n: &NetlogonView, detail: Detail) -> io::Result<()> {
    let r = n.report;
    writeln!(
        out,
        "{BOLD}{}{BOLD:#}  {NOTE}netlogon.log, {}, {} line(s), {} NO_CLIENT_SITE{NOTE:#}",
        n.file, n.encoding, r.lines, r.no_client_site_lines
    )?;
    if r.networks.is_empty() {
        writeln!(
            out,
            "  no client reached this domain controller over 6to4 or Teredo"
        )?;
    } else {
        let mut t = table(&[
            "public IPv4 /24",
            "6to4 prefix to assign",
            "6to4",
            "Teredo",
            "computers",
        ]);
        for net in &r.networks {
            let prefix = if net.sixtofour_computers.is_empty() {
                "- (Teredo only)".to_owned()
            } else {
                net.sixtofour_prefix.to_string()
            };
            let network = match net.non_global {
                Some(_) => format!("{} (not global)", net.network),
                None => net.network.to_string(),
            };
            t.add_row([
                network,
                prefix,
                net.sixtofour_computers.len().to_string(),
                net.teredo_computers.len().to_string(),
                names(
                    net.sixtofour_computers.iter().chain(&net.teredo_computers),
                    detail,
                ),
            ]);
        }
        writeln!(out, "{t}")?;
        let affected = r.computers_affected();
        writeln!(
            out,
            "{BOLD}computers affected ({}):{BOLD:#} {}",
            affected.len(),
            names(&affected, detail)
        )?;
    }
    let others: Vec<&Client> = r.other_clients().collect();
    if !others.is_empty() {
        writeln!(
            out,
            "\n{BOLD}other NO_CLIENT_SITE clients{BOLD:#} (not 6to4/Teredo: they need ordinary AD subnets)"
        )?;
        let mut t = table(&["address", "kind", "computer", "lines"]);
        for c in others {
            t.add_row([
                c.address.clone(),
                c.kind.as_str().to_owned(),
                c.computer.clone(),
                c.lines.to_string(),
            ]);
        }
        writeln!(out, "{t}")?;
    }
    Ok(())
}

fn write_powershell(out: &mut dyn Write, view: &View) -> io::Result<()> {
    match (view.site, view.powershell()) {
        (Some(site), Some(lines)) if !lines.is_empty() => {
            writeln!(
                out,
                "\n{BOLD}PowerShell{BOLD:#} (ActiveDirectory module) to add the subnets to site {site}:"
            )?;
            for l in lines {
                writeln!(out, "{l}")?;
            }
        }
        (None, _) if !view.ad_subnets().is_empty() && view.netlogon.is_some() => {
            writeln!(
                out,
                "\n{DIM}add --site NAME to print the New-ADReplicationSubnet lines{DIM:#}"
            )?;
        }
        _ => {}
    }
    Ok(())
}
