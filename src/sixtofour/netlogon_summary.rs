//! What a domain controller's netlogon.log `NO_CLIENT_SITE` lines add up to:
//! clients per public IPv4 /24, the 6to4 prefixes to assign as AD subnets,
//! Teredo and other clients, and the findings. Built one line at a time
//! ([`NetlogonSummary`]) in memory bounded by [`MAX_NETLOGON_CLIENTS`] and
//! [`MAX_LISTED`] whatever the file holds.

use std::collections::{BTreeMap, BTreeSet};
use std::net::Ipv4Addr;

use ipnet::{Ipv4Net, Ipv6Net};

use super::{InputCap, Kind, MAX_LISTED, REMEDY_6TO4, truncated};
use crate::addr::{
    self, Decoded, Input, NonGlobal, non_global_ipv4, parse_input, sixtofour_prefix_for,
};
use crate::finding::{Code, Finding, Severity};
use crate::netlogon::{MalformedLine, NetlogonLog, NoClientSite, parse_read_line};
use crate::text::{EXCERPT_CHARS, Line, excerpt};

/// One computer at one address in `NO_CLIENT_SITE` lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Client {
    pub computer: String,
    /// The address as logged.
    pub address: String,
    pub kind: Kind,
    /// The public IPv4 a 6to4 or Teredo address carries; the address itself for IPv4.
    pub public_ipv4: Option<Ipv4Addr>,
    pub first_line: usize,
    /// The last logged timestamp (`MM/DD HH:MM:SS`).
    pub last_seen: Option<String>,
    /// How many lines name this computer at this address.
    pub lines: usize,
}

/// The 6to4 and Teredo clients from one public IPv4 /24.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicNetwork {
    pub network: Ipv4Net,
    /// The 6to4 prefix (/40) that an AD subnet for this /24 needs.
    pub sixtofour_prefix: Ipv6Net,
    pub sixtofour_computers: BTreeSet<String>,
    pub teredo_computers: BTreeSet<String>,
    pub non_global: Option<NonGlobal>,
}

/// What a netlogon.log's `NO_CLIENT_SITE` lines add up to.
#[derive(Debug, Clone, PartialEq)]
pub struct NetlogonReport {
    pub lines: usize,
    pub no_client_site_lines: usize,
    /// Distinct computer+address pairs, in order of first appearance (at
    /// most [`MAX_NETLOGON_CLIENTS`]).
    pub clients: Vec<Client>,
    /// `NO_CLIENT_SITE` lines naming a pair beyond [`MAX_NETLOGON_CLIENTS`]:
    /// counted, not analysed.
    pub lines_beyond_client_cap: usize,
    /// Public IPv4 /24s of 6to4 and Teredo clients, in address order.
    pub networks: Vec<PublicNetwork>,
    /// The first [`MAX_LISTED`] malformed lines, in line order.
    pub malformed: Vec<MalformedLine>,
    /// Every malformed line, listed or not.
    pub malformed_total: usize,
    /// Set when the file was larger than the byte cap and only its start was read.
    pub truncated: Option<InputCap>,
    pub findings: Vec<Finding>,
}

/// Distinct computer/address pairs analysed from one netlogon.log; a DC log
/// names far fewer. Lines naming further pairs are counted only.
pub const MAX_NETLOGON_CLIENTS: usize = 2_000;

impl NetlogonReport {
    /// The 6to4 prefixes to add as AD subnets: one /40 per /24 with 6to4 clients.
    pub fn prefixes_to_assign(&self) -> Vec<Ipv6Net> {
        self.networks
            .iter()
            .filter(|n| !n.sixtofour_computers.is_empty())
            .map(|n| n.sixtofour_prefix)
            .collect()
    }

    /// Computers that reached the DC over 6to4 or Teredo.
    pub fn computers_affected(&self) -> BTreeSet<String> {
        self.networks
            .iter()
            .flat_map(|n| n.sixtofour_computers.iter().chain(&n.teredo_computers))
            .cloned()
            .collect()
    }

    /// Clients that are neither 6to4 nor Teredo (they need ordinary AD subnets).
    pub fn other_clients(&self) -> impl Iterator<Item = &Client> {
        self.clients
            .iter()
            .filter(|c| !matches!(c.kind, Kind::SixToFour | Kind::Teredo))
    }
}

/// Length of the public IPv4 networks the summary groups clients by.
pub const SUMMARY_PREFIX_LEN: u8 = 24;

/// Groups `NO_CLIENT_SITE` clients by public IPv4 /24 and derives findings.
pub fn analyse_netlogon(log: &NetlogonLog) -> NetlogonReport {
    let mut summary = NetlogonSummary::default();
    for entry in &log.entries {
        summary.entry(entry);
    }
    for m in &log.malformed {
        summary.malformed(m.clone());
    }
    summary.lines = log.lines;
    summary.finish()
}

/// Builds a [`NetlogonReport`] one line at a time, in memory bounded by
/// [`MAX_NETLOGON_CLIENTS`] and [`MAX_LISTED`] whatever the file holds.
#[derive(Debug, Default)]
pub struct NetlogonSummary {
    lines: usize,
    no_client_site_lines: usize,
    clients: Vec<Client>,
    index: BTreeMap<(String, String), usize>,
    lines_beyond_client_cap: usize,
    malformed: Vec<MalformedLine>,
    malformed_total: usize,
    truncated: Option<InputCap>,
}

impl NetlogonSummary {
    /// One line as [`crate::text::LineReader`] hands it out.
    pub fn line(&mut self, line: &Line) {
        self.lines = self.lines.max(line.number);
        match parse_read_line(line) {
            None => {}
            Some(Ok(entry)) => self.entry(&entry),
            Some(Err(bad)) => self.malformed(bad),
        }
    }

    /// The reader stopped at its byte cap: only the start of the file counts.
    pub fn truncated(&mut self, cap: InputCap) {
        self.truncated = Some(cap);
    }

    fn entry(&mut self, entry: &NoClientSite) {
        self.no_client_site_lines += 1;
        let (kind, public_ipv4) = match parse_input(&entry.address) {
            Ok(Input::Ipv4(v4)) => (Kind::Ipv4, Some(v4)),
            Ok(Input::Ipv6(v6)) => match addr::decode_ipv6(v6) {
                Decoded::SixToFour(s) => (Kind::SixToFour, Some(s.ipv4)),
                Decoded::Teredo(t) => (Kind::Teredo, Some(t.client_ipv4)),
                Decoded::Isatap(_) => (Kind::Isatap, None),
                Decoded::Other => (Kind::Other, None),
            },
            Ok(Input::Ipv4Prefix(_) | Input::Ipv6Prefix(_)) | Err(_) => {
                let text = format!("NO_CLIENT_SITE: {} {}", entry.computer, entry.address);
                self.malformed(MalformedLine {
                    line: entry.line,
                    text: format!("{} (not an address)", excerpt(&text, EXCERPT_CHARS)),
                });
                return;
            }
        };
        let key = (entry.computer.clone(), entry.address.clone());
        if let Some(&i) = self.index.get(&key) {
            if let Some(c) = self.clients.get_mut(i) {
                c.lines += 1;
                if entry.timestamp.is_some() {
                    c.last_seen.clone_from(&entry.timestamp);
                }
            }
            return;
        }
        if self.clients.len() >= MAX_NETLOGON_CLIENTS {
            self.lines_beyond_client_cap += 1;
            return;
        }
        self.index.insert(key, self.clients.len());
        self.clients.push(Client {
            computer: entry.computer.clone(),
            address: entry.address.clone(),
            kind,
            public_ipv4,
            first_line: entry.line,
            last_seen: entry.timestamp.clone(),
            lines: 1,
        });
    }

    fn malformed(&mut self, m: MalformedLine) {
        self.malformed_total += 1;
        // Keep the first lines of the file: entries arrive in line order
        // except in `analyse_netlogon`, which sorts afterwards.
        self.malformed.push(m);
        if self.malformed.len() > MAX_LISTED {
            self.malformed.sort_by_key(|m| m.line);
            self.malformed.truncate(MAX_LISTED);
        }
    }

    pub fn finish(mut self) -> NetlogonReport {
        self.malformed.sort_by_key(|m| m.line);
        let mut by_net: BTreeMap<Ipv4Net, PublicNetwork> = BTreeMap::new();
        for c in &self.clients {
            let (Some(ipv4), true) = (
                c.public_ipv4,
                matches!(c.kind, Kind::SixToFour | Kind::Teredo),
            ) else {
                continue;
            };
            let network = Ipv4Net::new_assert(ipv4, SUMMARY_PREFIX_LEN).trunc();
            let entry = by_net.entry(network).or_insert_with(|| PublicNetwork {
                network,
                sixtofour_prefix: sixtofour_prefix_for(network),
                sixtofour_computers: BTreeSet::new(),
                teredo_computers: BTreeSet::new(),
                non_global: None,
            });
            if entry.non_global.is_none() {
                entry.non_global = non_global_ipv4(ipv4);
            }
            if c.kind == Kind::SixToFour {
                entry.sixtofour_computers.insert(c.computer.clone());
            } else {
                entry.teredo_computers.insert(c.computer.clone());
            }
        }
        let mut report = NetlogonReport {
            lines: self.lines,
            no_client_site_lines: self.no_client_site_lines,
            clients: self.clients,
            lines_beyond_client_cap: self.lines_beyond_client_cap,
            networks: by_net.into_values().collect(),
            malformed: self.malformed,
            malformed_total: self.malformed_total,
            truncated: self.truncated,
            findings: Vec::new(),
        };
        report.findings = netlogon_findings(&report);
        report
    }
}

fn netlogon_findings(r: &NetlogonReport) -> Vec<Finding> {
    let mut out = Vec::new();
    let sixtofour: BTreeSet<&String> = r
        .networks
        .iter()
        .flat_map(|n| &n.sixtofour_computers)
        .collect();
    if !sixtofour.is_empty() {
        let prefixes: Vec<String> = r
            .prefixes_to_assign()
            .iter()
            .map(ToString::to_string)
            .collect();
        out.push(
            Finding::new(
                Code::SixToFourNoClientSite,
                Severity::Warn,
                format!(
                    "{} computer(s) reached this domain controller over 6to4 from {} public \
                     /24 network(s) and matched no AD site",
                    sixtofour.len(),
                    prefixes.len()
                ),
            )
            .with("computers", listed(&sixtofour))
            .with("prefixes_to_assign", listed(&prefixes))
            .with_unlisted("computers", sixtofour.len())
            .with_unlisted("prefixes_to_assign", prefixes.len())
            .remedy(
                "Add each listed 6to4 prefix as an AD subnet of the site nearest that network \
                 (New-ADReplicationSubnet; --site NAME prints the lines) instead of mapping \
                 2002::/16 to one central site; better, disable 6to4 on DirectAccess/Always On \
                 VPN clients (Set-Net6to4Configuration -State Disabled).",
            ),
        );
    }
    let teredo: BTreeSet<&String> = r
        .networks
        .iter()
        .flat_map(|n| &n.teredo_computers)
        .collect();
    if !teredo.is_empty() {
        out.push(
            Finding::new(
                Code::SixToFourTeredoNoSite,
                Severity::Warn,
                format!(
                    "{} computer(s) reached this domain controller over Teredo; a Teredo \
                     address carries the client's IPv4 in its last 32 bits, so no AD subnet \
                     can map it to a site by location",
                    teredo.len()
                ),
            )
            .with("computers", listed(&teredo))
            .with_unlisted("computers", teredo.len())
            .remedy(
                "Map 2001::/32 to the site that serves remote clients, or disable Teredo on \
                 DirectAccess/Always On VPN clients (Set-NetTeredoConfiguration -Type Disabled) \
                 so they use IP-HTTPS.",
            ),
        );
    }
    let non_global: Vec<&PublicNetwork> = r
        .networks
        .iter()
        .filter(|n| n.non_global.is_some())
        .collect();
    for n in non_global.iter().take(MAX_LISTED) {
        if let Some(ng) = n.non_global {
            out.push(
                Finding::new(
                    Code::SixToFourNonGlobal,
                    Severity::Warn,
                    format!(
                        "clients in {} carry a {} IPv4 address ({}) in their 6to4/Teredo \
                         address, not reachable from the Internet",
                        n.network, ng.what, ng.rfc
                    ),
                )
                .with("network", n.network.to_string())
                .with("range", ng.range.to_string())
                .with("scope", ng.what)
                .remedy(REMEDY_6TO4),
            );
        }
    }
    for m in &r.malformed {
        out.push(
            Finding::new(
                Code::SixToFourBadInput,
                Severity::Warn,
                format!(
                    "netlogon.log line {}: NO_CLIENT_SITE line without a computer name and \
                     an address; skipped",
                    m.line
                ),
            )
            .with("line", m.line)
            .with("text", m.text.clone())
            .remedy("None needed unless many lines are affected; then check the file is a complete copy."),
        );
    }
    if non_global.len() > MAX_LISTED {
        out.push(
            Finding::new(
                Code::SixToFourNonGlobal,
                Severity::Warn,
                format!(
                    "{} more client network(s) carry a non-global IPv4 address ({} in all; the \
                     first {MAX_LISTED} are listed)",
                    non_global.len() - MAX_LISTED,
                    non_global.len()
                ),
            )
            .with("count", non_global.len() - MAX_LISTED)
            .with("total", non_global.len())
            .remedy(REMEDY_6TO4),
        );
    }
    let unlisted = r.malformed_total.saturating_sub(r.malformed.len());
    if unlisted > 0 {
        out.push(
            Finding::new(
                Code::SixToFourBadInput,
                Severity::Warn,
                format!(
                    "netlogon.log: {unlisted} more damaged NO_CLIENT_SITE line(s) skipped \
                     ({} in all; the first {} are listed)",
                    r.malformed_total,
                    r.malformed.len()
                ),
            )
            .with("count", unlisted)
            .with("total", r.malformed_total)
            .remedy("Check the file is a complete copy of netlogon.log, not a damaged or converted one."),
        );
    }
    if r.lines_beyond_client_cap > 0 {
        out.push(
            Finding::new(
                Code::SixToFourInputTruncated,
                Severity::Warn,
                format!(
                    "netlogon.log names more than {MAX_NETLOGON_CLIENTS} distinct computer/address \
                     pairs; the first {MAX_NETLOGON_CLIENTS} are analysed, {} later NO_CLIENT_SITE \
                     line(s) only counted",
                    r.lines_beyond_client_cap
                ),
            )
            .with("clients_analysed", MAX_NETLOGON_CLIENTS)
            .with("lines_not_analysed", r.lines_beyond_client_cap)
            .remedy(
                "Fix the subnets the summary names, then run again on a newer copy of the log; \
                 or split the file and run once per part.",
            ),
        );
    }
    if let Some(cap) = &r.truncated {
        out.push(truncated(
            cap,
            "Windows keeps netlogon.log under 20 MB unless MaximumLogFileSize is raised: give \
             netlogon.log itself, or its last part (PowerShell: Get-Content netlogon.log -Tail \
             200000 | Set-Content part.log).",
        ));
    }
    out
}

/// The first [`MAX_LISTED`] items of a list for a finding's evidence.
fn listed<T: ToString>(items: impl IntoIterator<Item = T>) -> Vec<String> {
    items
        .into_iter()
        .take(MAX_LISTED)
        .map(|i| i.to_string())
        .collect()
}

trait WithUnlisted {
    /// `{key}_not_listed`: how many of `total` items [`listed`] left out, when any.
    fn with_unlisted(self, key: &str, total: usize) -> Self;
}

impl WithUnlisted for Finding {
    fn with_unlisted(self, key: &str, total: usize) -> Self {
        if total > MAX_LISTED {
            self.with(&format!("{key}_not_listed"), total - MAX_LISTED)
        } else {
            self
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::addr::sixtofour_host;
    use crate::netlogon::parse_log;

    #[test]
    fn netlogon_state_and_findings_stay_bounded() {
        let mut summary = NetlogonSummary::default();
        let n = MAX_NETLOGON_CLIENTS + 100;
        for i in 0..n {
            // Each client from its own /24, every fourth from CGNAT space.
            let v4 = if i % 4 == 0 {
                Ipv4Addr::new(100, 64 + (i / 256 % 64) as u8, (i % 256) as u8, 9)
            } else {
                Ipv4Addr::new(198, (i / 256) as u8, (i % 256) as u8, 9)
            };
            let line = Line {
                number: i + 1,
                text: format!("NO_CLIENT_SITE: PC{i} {}", sixtofour_host(v4)),
                bytes: 60,
                cut: false,
            };
            summary.line(&line);
        }
        for i in 0..50 {
            summary.line(&Line {
                number: n + i + 1,
                text: "NO_CLIENT_SITE: only-a-name".into(),
                bytes: 27,
                cut: false,
            });
        }
        let r = summary.finish();
        assert_eq!(r.clients.len(), MAX_NETLOGON_CLIENTS);
        assert_eq!(r.lines_beyond_client_cap, 100);
        assert_eq!((r.malformed.len(), r.malformed_total), (MAX_LISTED, 50));
        let count = |code| r.findings.iter().filter(|f| f.code == code).count();
        assert_eq!(count(Code::SixToFourNonGlobal), MAX_LISTED + 1);
        assert_eq!(count(Code::SixToFourBadInput), MAX_LISTED + 1);
        assert_eq!(count(Code::SixToFourInputTruncated), 1);
        let site = r
            .findings
            .iter()
            .find(|f| f.code == Code::SixToFourNoClientSite)
            .unwrap();
        assert_eq!(
            site.evidence["computers"].as_array().unwrap().len(),
            MAX_LISTED
        );
        assert_eq!(
            site.evidence["computers_not_listed"],
            MAX_NETLOGON_CLIENTS - MAX_LISTED
        );
    }

    #[test]
    fn netlogon_summary_groups_by_public_24() {
        let log = parse_log(
            "08/14 09:12:44 [SITE] CONTOSO: NO_CLIENT_SITE: LAPTOP-1 2002:c633:6453::c633:6453\n\
             08/14 09:13:00 [SITE] CONTOSO: NO_CLIENT_SITE: LAPTOP-1 2002:c633:6453::c633:6453\n\
             08/14 09:14:00 [SITE] CONTOSO: NO_CLIENT_SITE: LAPTOP-2 2002:c633:6407::c633:6407\n\
             08/14 09:15:00 [SITE] CONTOSO: NO_CLIENT_SITE: LAPTOP-3 2001:0:4136:e378:8000:63bf:3fff:fdd2\n\
             08/14 09:16:00 [SITE] CONTOSO: NO_CLIENT_SITE: WS-9 10.9.8.7\n\
             08/14 09:17:00 [SITE] CONTOSO: NO_CLIENT_SITE: LAPTOP-4 2002:6440:101::6440:101\n\
             08/14 09:18:00 [SITE] CONTOSO: NO_CLIENT_SITE: LAPTOP-5 not-an-address\n",
        );
        let r = analyse_netlogon(&log);
        assert_eq!(r.no_client_site_lines, 7);
        assert_eq!(r.clients.len(), 5);
        assert_eq!(r.clients[0].lines, 2);
        assert_eq!(r.clients[0].last_seen.as_deref(), Some("08/14 09:13:00"));
        let nets: Vec<String> = r.networks.iter().map(|n| n.network.to_string()).collect();
        assert_eq!(nets, ["100.64.1.0/24", "192.0.2.0/24", "198.51.100.0/24"]);
        let prefixes: Vec<String> = r
            .prefixes_to_assign()
            .iter()
            .map(|p| p.to_string())
            .collect();
        assert_eq!(prefixes, ["2002:6440:100::/40", "2002:c633:6400::/40"]);
        assert_eq!(
            r.networks[2].sixtofour_computers.iter().collect::<Vec<_>>(),
            ["LAPTOP-1", "LAPTOP-2"]
        );
        assert_eq!(r.computers_affected().len(), 4);
        assert_eq!(r.other_clients().count(), 1);
        assert_eq!(r.malformed.len(), 1);
        let codes: Vec<Code> = r.findings.iter().map(|f| f.code).collect();
        assert_eq!(
            codes,
            [
                Code::SixToFourNoClientSite,
                Code::SixToFourTeredoNoSite,
                Code::SixToFourNonGlobal,
                Code::SixToFourBadInput
            ]
        );
    }
}
