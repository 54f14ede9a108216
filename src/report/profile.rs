//! Presentation of `aovpn-diag profile`: one table row per VPN profile, then
//! the findings; JSON through dedicated serde types.

use std::io::{self, Write};

use serde::Serialize;

use super::{Detail, table, write_findings, write_verdict};
use crate::finding::{Finding, Verdict};
use crate::local::pbk::VpnProfile;

/// The profiles of one phonebook file.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct Phonebook {
    pub path: String,
    pub profiles: Vec<VpnProfile>,
}

/// Everything one run found (the human view's input).
#[derive(Debug)]
pub struct ProfileReport {
    pub verdict: Verdict,
    pub findings: Vec<Finding>,
    pub phonebooks: Vec<Phonebook>,
}

/// The `--json` body (inside the envelope, which carries the findings).
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct ProfileJson<'a> {
    pub phonebooks: &'a [Phonebook],
}

impl ProfileReport {
    pub fn json(&self) -> ProfileJson<'_> {
        ProfileJson {
            phonebooks: &self.phonebooks,
        }
    }
}

pub fn write_human(out: &mut dyn Write, r: &ProfileReport, detail: Detail) -> io::Result<()> {
    let count: usize = r.phonebooks.iter().map(|p| p.profiles.len()).sum();
    write_verdict(
        out,
        r.verdict,
        &format!(
            "{count} VPN profile(s) in {} phonebook(s)",
            r.phonebooks.len()
        ),
    )?;
    if !detail.quiet {
        for book in &r.phonebooks {
            writeln!(out, "\n{}", book.path)?;
            let mut table = table(&[
                "profile",
                "server",
                "strategy",
                "IKEv2 fragmentation",
                "IKE proposal",
            ]);
            for p in &book.profiles {
                table.add_row([
                    if p.device_tunnel {
                        format!("{} (device tunnel)", p.name)
                    } else {
                        p.name.clone()
                    },
                    p.server.clone().unwrap_or_else(|| "-".into()),
                    p.strategy.clone().unwrap_or_else(|| "-".into()),
                    if p.ikev2_fragmentation_disabled {
                        "disabled"
                    } else {
                        "allowed"
                    }
                    .into(),
                    match &p.custom_policy {
                        Some(c) => c.ike_proposal.clone().unwrap_or_else(|| {
                            format!(
                                "{}/{}/{}",
                                c.encryption_method, c.integrity_check_method, c.dh_group
                            )
                        }),
                        None if p.custom_policy_unreadable.is_some() => "unreadable".into(),
                        None => "Windows defaults".into(),
                    },
                ]);
            }
            writeln!(out, "{table}")?;
        }
        if !r.findings.is_empty() {
            writeln!(out)?;
        }
    }
    write_findings(out, &r.findings, detail)
}
