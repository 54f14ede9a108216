//! Presentation of `aovpn-diag pcap`: verdict line, one table per IKE SA,
//! findings with remedies, and with `-v` the message timeline. JSON goes
//! through [`PcapReport`].

use std::io::{self, Write};

use serde::Serialize;

use super::{DIM, Detail, table, write_findings, write_verdict};
use crate::analyse::sa::{IkeMessage, IkeSa, Support};
use crate::analyse::{Analysis, FileTruncation, LostDatagram, Stats, TooBig};
use crate::finding::{Finding, Verdict};

/// The `--json` document body (the envelope adds `schema_version` and `command`).
#[derive(Debug, Serialize)]
pub struct PcapReport<'a> {
    pub verdict: Verdict,
    pub files: Vec<String>,
    pub findings: &'a [Finding],
    pub sas: &'a [IkeSa],
    pub stats: &'a Stats,
    pub icmp_too_big: &'a [TooBig],
    pub truncated: &'a [FileTruncation],
    pub unattributed_lost_datagrams: &'a [LostDatagram],
}

impl<'a> PcapReport<'a> {
    pub fn new(files: Vec<String>, a: &'a Analysis) -> PcapReport<'a> {
        PcapReport {
            verdict: Verdict::from_findings(&a.findings),
            files,
            findings: &a.findings,
            sas: &a.sas,
            stats: &a.stats,
            icmp_too_big: &a.too_big,
            truncated: &a.truncated,
            unattributed_lost_datagrams: &a.unattributed_lost,
        }
    }
}

pub fn write_human(out: &mut dyn Write, r: &PcapReport<'_>, detail: Detail) -> io::Result<()> {
    let s = r.stats;
    let headline = match r.findings.first() {
        Some(f) if r.verdict == Verdict::Problem => format!("{}: {}", f.code, f.summary),
        _ => format!(
            "no failure found: {} IKE SA(s), {} IKEv2 message(s) in {} packet(s)",
            r.sas.len(),
            s.ike_messages,
            s.packets
        ),
    };
    write_verdict(out, r.verdict, &headline)?;
    if !detail.quiet {
        writeln!(
            out,
            "{DIM}{} packets, {} IKEv2 / {} IKEv1 messages, {} ESP, {} IP fragments ({} datagrams reassembled, {} incomplete), {} SKF fragments, {} malformed{DIM:#}",
            s.packets,
            s.ike_messages,
            s.ikev1_messages,
            s.esp_packets,
            s.ip_fragments,
            s.datagrams_reassembled,
            s.datagrams_incomplete,
            s.skf_fragments,
            s.malformed
        )?;
        if s.component_copies > 0 {
            writeln!(
                out,
                "{DIM}{} frame(s) were copies of a packet recorded again at another stack component (pktmon): each packet counted once{DIM:#}",
                s.component_copies
            )?;
        }
        if s.pppoe_frames > 0 || s.mpls_frames > 0 {
            let mut parts = Vec::new();
            if s.pppoe_frames > 0 {
                parts.push(format!(
                    "{} frame(s) in a PPPoE session (DSL: IP MTU 1492 = 1500 - 8 bytes of PPPoE)",
                    s.pppoe_frames
                ));
            }
            if s.mpls_frames > 0 {
                parts.push(format!("{} frame(s) under MPLS labels", s.mpls_frames));
            }
            writeln!(out, "{DIM}link: {}{DIM:#}", parts.join(", "))?;
        }
        if !s.unsupported_link_types.is_empty() {
            let names: Vec<String> = s
                .unsupported_link_types
                .iter()
                .map(|(k, v)| format!("{k}: {v} frame(s)"))
                .collect();
            writeln!(
                out,
                "{DIM}not decoded (link type): {}{DIM:#}",
                names.join(", ")
            )?;
        }
        for sa in r.sas {
            writeln!(out)?;
            write_sa(out, sa, detail)?;
        }
        if !r.findings.is_empty() {
            writeln!(out)?;
        }
    }
    write_findings(out, r.findings, detail)
}

fn write_sa(out: &mut dyn Write, sa: &IkeSa, detail: Detail) -> io::Result<()> {
    let title = format!("IKE SA {}", sa.spi_i);
    let peers = format!("{} -> {}", sa.initiator, sa.responder);
    let mut t = table(&[title.as_str(), peers.as_str()]);
    let requests = sa.messages.iter().filter(|m| !m.response).count();
    let retrans = sa
        .messages
        .iter()
        .filter(|m| m.retransmission_of.is_some())
        .count();
    t.add_row([
        "SPIs (i / r)".to_string(),
        format!("{} / {}", sa.spi_i, sa.spi_r),
    ]);
    t.add_row([
        "messages".to_string(),
        format!(
            "{} ({} requests, {} responses, {} retransmissions)",
            sa.messages.len(),
            requests,
            sa.messages.len() - requests,
            retrans
        ),
    ]);
    if !sa.proposals_offered.is_empty() {
        t.add_row([
            "proposals offered".to_string(),
            sa.proposals_offered.join("\n"),
        ]);
    }
    t.add_row([
        "proposal chosen".to_string(),
        sa.proposal_chosen.clone().unwrap_or_else(|| "-".into()),
    ]);
    t.add_row([
        "IKEv2 fragmentation".to_string(),
        format!(
            "initiator {}, responder {}",
            support(sa.fragmentation_supported.initiator),
            support(sa.fragmentation_supported.responder)
        ),
    ]);
    let nat = match (sa.nat.initiator_behind_nat, sa.nat.responder_behind_nat) {
        (false, false) => "not detected",
        (true, false) => "initiator behind NAT",
        (false, true) => "responder behind NAT",
        (true, true) => "both behind NAT",
    };
    t.add_row(["NAT".to_string(), nat.to_string()]);
    if let Some(f) = sa.port_switch {
        t.add_row(["port switch".to_string(), format!("500 -> 4500 at {f}")]);
    }
    let vids = |v: &[String]| {
        if v.is_empty() {
            "-".to_string()
        } else {
            v.join(", ")
        }
    };
    t.add_row([
        "vendor IDs".to_string(),
        format!(
            "initiator: {}\nresponder: {}",
            vids(&sa.vendor_ids_initiator),
            vids(&sa.vendor_ids_responder)
        ),
    ]);
    let auth = if sa.ike_auth_answered {
        "IKE_AUTH answered"
    } else if sa.messages.iter().any(|m| m.exchange == "IKE_AUTH") {
        "IKE_AUTH not answered"
    } else {
        "no IKE_AUTH seen"
    };
    t.add_row([
        "outcome".to_string(),
        format!(
            "{auth}; {} ESP packet(s); {} lost datagram(s)",
            sa.esp_packets,
            sa.lost_datagrams.len()
        ),
    ]);
    writeln!(out, "{t}")?;
    if detail.verbose > 0 {
        let mut tl = table(&[
            "frame",
            "time",
            "dir",
            "exchange",
            "id",
            "size/frags",
            "notes",
        ]);
        let mut rows: Vec<(f64, [String; 7])> = Vec::new();
        for m in &sa.messages {
            rows.push((
                m.time,
                [
                    m.frame.to_string(),
                    format!("{:.3}", m.time),
                    direction(m.from_initiator, m.src.port(), m.dst.port()),
                    format!("{} {}", m.exchange, if m.response { "resp" } else { "req" }),
                    m.message_id.to_string(),
                    if m.ip_fragments > 1 {
                        format!("{} / {} IP frags", m.ip_len, m.ip_fragments)
                    } else {
                        m.ip_len.to_string()
                    },
                    notes(sa, m),
                ],
            ));
        }
        for d in &sa.lost_datagrams {
            rows.push((
                d.time,
                [
                    d.frames.first().map(|f| f.to_string()).unwrap_or_default(),
                    format!("{:.3}", d.time),
                    lost_direction(sa, d),
                    d.exchange.clone().unwrap_or_else(|| "?".into()),
                    d.message_id
                        .map(|i| i.to_string())
                        .unwrap_or_else(|| "?".into()),
                    format!("{} of ? IP frags", d.frames.len()),
                    format!(
                        "LOST ({}): IP ID {}, {} missing",
                        d.reason,
                        d.ip_id,
                        missing(d)
                    ),
                ],
            ));
        }
        rows.sort_by(|a, b| a.0.total_cmp(&b.0));
        for (_, row) in rows {
            tl.add_row(row);
        }
        writeln!(out, "{tl}")?;
    }
    Ok(())
}

fn notes(sa: &IkeSa, m: &IkeMessage) -> String {
    // The frame of the SA's message `i`, as the table shows it.
    let frame = |i: usize| {
        sa.messages
            .get(i)
            .map(|o| o.frame.to_string())
            .unwrap_or_default()
    };
    let mut n = Vec::new();
    if let Some((i, t)) = m.skf {
        n.push(format!("SKF {i}/{t}"));
    }
    if let Some(i) = m.retransmission_of {
        n.push(format!("retransmission of {}", frame(i)));
    }
    if let Some(i) = m.answers {
        n.push(format!("answers {}", frame(i)));
    }
    if m.also_seen_elsewhere {
        n.push("also in another file".into());
    }
    if !m.notifies.is_empty() {
        let short: Vec<&str> = m.notifies.iter().map(|s| short_notify(s)).collect();
        n.push(short.join(" "));
    }
    n.join("; ")
}

/// `I->R 500` style: who sent it (by the header's Initiator flag) and the
/// UDP ports; full addresses are in the SA table above.
fn direction(from_initiator: bool, sport: u16, dport: u16) -> String {
    let arrow = if from_initiator { "I->R" } else { "R->I" };
    if sport == dport {
        format!("{arrow} {sport}")
    } else {
        format!("{arrow} {sport}/{dport}")
    }
}

fn lost_direction(sa: &IkeSa, d: &LostDatagram) -> String {
    let from_i = d.src.parse::<std::net::SocketAddr>().map(|a| a.ip()).ok()
        == Some(sa.initiator.ip())
        || d.src.parse::<std::net::IpAddr>().ok() == Some(sa.initiator.ip());
    if from_i { "I->R".into() } else { "R->I".into() }
}

/// Timeline cells are narrow: the long status notify names get short forms.
fn short_notify(name: &str) -> &str {
    match name {
        "NAT_DETECTION_SOURCE_IP" => "NAT-D(src)",
        "NAT_DETECTION_DESTINATION_IP" => "NAT-D(dst)",
        "IKEV2_FRAGMENTATION_SUPPORTED" => "FRAG_SUP",
        "SIGNATURE_HASH_ALGORITHMS" => "SIG_HASH",
        "REDIRECT_SUPPORTED" => "REDIR_SUP",
        "MULTIPLE_AUTH_SUPPORTED" => "MULTI_AUTH",
        "CHILDLESS_IKEV2_SUPPORTED" => "CHILDLESS",
        other => other,
    }
}

fn missing(d: &LostDatagram) -> String {
    d.missing
        .iter()
        .map(|(s, e)| match e {
            Some(e) => format!("{s}-{e}"),
            None => format!("{s}-end"),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn support(s: Support) -> &'static str {
    match s {
        Support::Yes => "yes",
        Support::No => "no",
        Support::Unknown => "not seen",
    }
}
