//! The server-certificate check in `probe --auth` output: its JSON object
//! and its lines in the human view. Presentation only.

use std::io::{self, Write};

use serde::Serialize;

use super::DIM;
use crate::cert::auth::AuthVerdict;
use crate::cert::info::CertInfo;
use crate::diagnose::ike::server_cert::{CertAssessment, MtuSource, ServerCertFacts};
use crate::diagnose::ike::{AuthFacts, TargetResult};

/// `targets[].server_cert` of `probe --auth --json`.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct ServerCertJson {
    /// The name the certificate must carry (what the user typed).
    pub host: String,
    /// The trusted roots: `kind` (`files` or `system`), `files`, and in words.
    pub trust_source: crate::cert::TrustSource,
    pub trusted_roots: String,
    pub trusted_root_count: usize,
    /// The time validity was judged at (RFC 3339, UTC).
    pub checked_at: String,
    /// The first IKE_AUTH (after IKE_SA_INIT on UDP 500, 16430 offered).
    pub with_fragmentation: Option<RunJson>,
    /// The second (IKE_SA_INIT and IKE_AUTH on one UDP 4500 conversation,
    /// 16430 not offered); null when not needed.
    pub without_fragmentation: Option<RunJson>,
    /// The MTU IP fragments are counted at, and `path` or `interface`.
    pub mtu: Option<u16>,
    pub mtu_source: Option<MtuSource>,
    /// What the server sent, read and checked; null without a certificate.
    pub certificate: Option<CertAssessment>,
}

/// One IKE_AUTH run of the check.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct RunJson {
    /// The IKE_SA_INIT before it was answered.
    pub sa_init_answered: bool,
    pub fragmentation_negotiated: bool,
    pub answered: bool,
    /// `answered`, `invalid-ike-spi`, `no-answer`, `unreachable`, `not-run`.
    pub outcome: &'static str,
    pub requests_sent: u32,
    pub request_ip_bytes: usize,
    /// SKF pieces the request went in (0: whole).
    pub request_fragments: u16,
    /// CERTREQ authorities named.
    pub certreq_authorities: Option<usize>,
    /// IP sizes of the datagrams the answer came in.
    pub response_ip_bytes: Vec<usize>,
    /// The answer's size as one message, bytes.
    pub response_whole_ip_bytes: Option<usize>,
    pub skf_fragments: u16,
    /// What came back (`IDr, 2 CERT, AUTH, EAP Request/Identity`).
    pub response: Option<String>,
    /// The INFORMATIONAL Delete that closed the IKE SA afterwards, and its
    /// answer (after no answer to IKE_AUTH, it shows the server had
    /// received the IKE_AUTH).
    pub delete_sent: bool,
    pub delete_answered: bool,
}

fn run_json(sa_init_answered: bool, a: &AuthFacts) -> RunJson {
    RunJson {
        sa_init_answered,
        fragmentation_negotiated: a.fragmentation_negotiated,
        answered: a.answered(),
        outcome: a.outcome.as_str(),
        requests_sent: a.requests_sent,
        request_ip_bytes: a.request_ip_bytes,
        request_fragments: a.request_fragments,
        certreq_authorities: a.certreq_sent,
        response_ip_bytes: a.response_ip_bytes.clone(),
        response_whole_ip_bytes: a.response_whole_ip_bytes,
        skf_fragments: a.skf_total,
        response: a.describe_response(),
        delete_sent: a.delete_sent,
        delete_answered: a.delete_answered,
    }
}

pub fn json(t: &TargetResult, f: &ServerCertFacts) -> ServerCertJson {
    ServerCertJson {
        host: f.host.clone(),
        trust_source: f.trust.source.clone(),
        trusted_roots: f.trust.describe(),
        trusted_root_count: f.trust.anchors.len(),
        checked_at: f.checked_at.to_string(),
        with_fragmentation: t
            .ike_auth
            .as_ref()
            .map(|a| run_json(t.port_answered(500), a)),
        without_fragmentation: f
            .unfragmented
            .as_ref()
            .and_then(|u| u.auth.as_ref().map(|a| run_json(u.sa_init.answered(), a))),
        mtu: f.mtu.map(|m| m.0),
        mtu_source: f.mtu.map(|m| m.1),
        certificate: f.assessment.clone(),
    }
}

fn cert_lines(out: &mut dyn Write, n: usize, c: &CertInfo) -> io::Result<()> {
    writeln!(out, "    {n}. {}", c.subject)?;
    writeln!(out, "       {DIM}issuer{DIM:#}   {}", c.issuer)?;
    writeln!(
        out,
        "       {DIM}valid{DIM:#}    {} to {}   {DIM}serial{DIM:#} {}",
        c.not_before.short(),
        c.not_after.short(),
        c.serial
    )?;
    writeln!(
        out,
        "       {DIM}key{DIM:#}      {}, signed {}",
        c.key.describe(),
        c.signature_algorithm
    )?;
    let mut sans: Vec<String> = c.san_dns.iter().map(|d| format!("DNS:{d}")).collect();
    sans.extend(c.san_ip.iter().map(|a| format!("IP:{a}")));
    if !sans.is_empty() {
        writeln!(out, "       {DIM}SAN{DIM:#}      {}", sans.join(", "))?;
    }
    match &c.ekus {
        Some(ekus) => writeln!(
            out,
            "       {DIM}EKU{DIM:#}      {}",
            ekus.iter().map(|e| e.name).collect::<Vec<_>>().join(", ")
        )?,
        None if !c.is_ca => writeln!(out, "       {DIM}EKU{DIM:#}      (none)")?,
        None => {}
    }
    if !c.crl_distribution_points.is_empty() {
        writeln!(
            out,
            "       {DIM}CRL{DIM:#}      {}",
            c.crl_distribution_points.join(", ")
        )?;
    }
    Ok(())
}

fn run_line(a: &AuthFacts) -> String {
    if let crate::diagnose::ike::AuthOutcome::NotRun(why) = &a.outcome {
        return format!("not run: {why}");
    }
    if !a.answered() {
        return format!("NOT answered ({} sent)", a.requests_sent);
    }
    let size = a
        .response_whole_ip_bytes
        .map(|n| format!("{n} B"))
        .unwrap_or_default();
    if a.skf_total > 1 {
        format!(
            "answered in {} SKF pieces ({size} as one message)",
            a.skf_total
        )
    } else {
        format!("answered, {size} in one datagram")
    }
}

/// The human lines for one address.
pub fn write_human(out: &mut dyn Write, t: &TargetResult, f: &ServerCertFacts) -> io::Result<()> {
    writeln!(out, "  Server certificate ({}):", f.trust.describe())?;
    if let Some(a) = &t.ike_auth {
        writeln!(
            out,
            "    with IKEv2 fragmentation offered:    {}",
            run_line(a)
        )?;
    }
    if let Some(u) = &f.unfragmented {
        let line = match &u.auth {
            Some(a) => run_line(a),
            None => "IKE_SA_INIT on UDP 4500 not answered".to_owned(),
        };
        writeln!(out, "    without (one UDP 4500 conversation): {line}")?;
    }
    let Some(a) = &f.assessment else {
        let answered = t.ike_auth.as_ref().is_some_and(AuthFacts::answered)
            || f.unfragmented.as_ref().is_some_and(|u| u.answered());
        return writeln!(
            out,
            "    {}",
            if answered {
                "no certificate in the answer"
            } else {
                "no answer, so no certificate to check"
            }
        );
    };
    writeln!(
        out,
        "    {DIM}IDr{DIM:#} {} {}",
        a.idr_type.as_deref().unwrap_or("-"),
        a.idr.as_deref().unwrap_or("-")
    )?;
    for (i, c) in a.certs.iter().enumerate() {
        match &c.info {
            Some(info) => cert_lines(out, i + 1, info)?,
            None => writeln!(
                out,
                "    {}. {} bytes: {}",
                i + 1,
                c.bytes,
                c.error.as_deref().unwrap_or("unreadable")
            )?,
        }
    }
    if let Some(c) = &a.chain {
        if c.trusted {
            writeln!(
                out,
                "    {DIM}chain{DIM:#} trusted: {}",
                c.path.join(" <- ")
            )?;
        } else {
            writeln!(out, "    {DIM}chain{DIM:#} NOT trusted")?;
        }
    }
    if let Some(n) = &a.name {
        match (&n.matched, n.matched_in) {
            (Some(m), Some(kind)) => {
                writeln!(out, "    {DIM}name{DIM:#}  {} matches {kind} {m}", n.host)?;
            }
            _ => writeln!(
                out,
                "    {DIM}name{DIM:#}  {} NOT in the certificate",
                n.host
            )?,
        }
    }
    if let Some(x) = &a.auth {
        let verdict = match &x.verdict {
            AuthVerdict::Verified => "verified with the certificate's key".to_owned(),
            AuthVerdict::Invalid => "does NOT verify".to_owned(),
            AuthVerdict::NotChecked(why) => format!("not checked: {why}"),
        };
        let alg = x
            .signature_algorithm
            .as_deref()
            .or(x.scheme.as_deref())
            .map(|s| format!(", {s}"))
            .unwrap_or_default();
        writeln!(
            out,
            "    {DIM}AUTH{DIM:#}  {}{alg}: {verdict}",
            x.method_name
        )?;
    }
    if !a.server_asks_for.is_empty() {
        let cas: Vec<String> = a
            .server_asks_for
            .iter()
            .map(|c| c.known_as.clone().unwrap_or_else(|| c.sha1.clone()))
            .collect();
        writeln!(
            out,
            "    {DIM}CERTREQ of the server{DIM:#} {}",
            cas.join("; ")
        )?;
    }
    Ok(())
}
