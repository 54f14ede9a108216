//! Presentation of `aovpn-diag pcap`: verdict line, one table per IKE SA
//! (exchanges counted per IKE message), findings with remedies, and with
//! `-v` the timeline of transmissions. JSON goes through [`json::PcapJson`].
//! Both are rendered from the same analysis facts.

pub mod each;
pub mod json;

use std::io::{self, Write};

use super::{DIM, Detail, table, write_findings, write_verdict};
use crate::analyse::exchange::{self, Status};
use crate::analyse::flows::FlowKind;
use crate::analyse::point;
use crate::analyse::sa::IkeSa;
use crate::analyse::summary::{Outcome, OutcomeCounts, PeerSummary, established};

use crate::analyse::{Analysis, Transmission};
use crate::finding::Verdict;
use crate::wire::hex;
use crate::wire::ike::{NotifyType, vendor};

pub use each::{EachJson, FileOutcome, FileResult, PcapBody, write_each};
pub use json::PcapJson;

/// Writes the human view.
pub fn write_human(out: &mut dyn Write, a: &Analysis, detail: Detail) -> io::Result<()> {
    let verdict = Verdict::from_findings(&a.findings);
    let (s, c) = (&a.stats, &a.capture);
    let transmissions = a.transmissions();
    let headline = match a.findings.first() {
        Some(f) if verdict == Verdict::Problem => format!("{}: {}", f.code, f.summary),
        _ => format!(
            "no failure found: {} IKE SA(s), {} IKEv2 message transmission(s) in {} packet(s)",
            a.sas_seen(),
            transmissions,
            c.packets
        ),
    };
    write_verdict(out, verdict, &headline)?;
    if !detail.quiet {
        writeln!(
            out,
            "{DIM}{} packets; IKEv2: {} message transmission(s) in {} datagram(s) ({} SKF pieces); {} IKEv1 messages; {} ESP; {} IP fragments ({} datagrams reassembled, {} incomplete); {} malformed{DIM:#}",
            c.packets,
            transmissions,
            s.ike_messages,
            s.skf_fragments,
            s.ikev1_messages,
            s.esp_packets,
            c.ip_fragments,
            c.datagrams_reassembled,
            c.datagrams_incomplete,
            s.malformed + c.malformed
        )?;
        if c.component_copies > 0 {
            writeln!(
                out,
                "{DIM}{} frame(s) were copies of a packet recorded again at another stack component (pktmon): each packet counted once{DIM:#}",
                c.component_copies
            )?;
        }
        if c.pppoe_frames > 0 || c.mpls_frames > 0 {
            let mut parts = Vec::new();
            if c.pppoe_frames > 0 {
                parts.push(format!(
                    "{} frame(s) in a PPPoE session (DSL: IP MTU 1492 = 1500 - 8 bytes of PPPoE)",
                    c.pppoe_frames
                ));
            }
            if c.mpls_frames > 0 {
                parts.push(format!("{} frame(s) under MPLS labels", c.mpls_frames));
            }
            writeln!(out, "{DIM}link: {}{DIM:#}", parts.join(", "))?;
        }
        if !c.unsupported_link_types.is_empty() {
            let names: Vec<String> = c
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
        if a.sas.is_empty() && !a.flows.flows.is_empty() {
            writeln!(out)?;
            write_flows(out, a)?;
        }
        let shown = shown_sas(a);
        for sa in a.sas.iter().enumerate().filter(|(i, _)| shown.contains(i)) {
            writeln!(out)?;
            write_sa(out, a, sa.1, detail)?;
        }
        if a.sas.len() > shown.len() {
            writeln!(
                out,
                "{DIM}{} more IKE SA(s) kept in full are in --json (`sas`): tables are shown for {MAX_SA_TABLES}, those that did not end established first{DIM:#}",
                a.sas.len() - shown.len()
            )?;
        }
        if !a.summarised.is_empty() {
            writeln!(out)?;
            write_summarised(out, a)?;
        }
        if !a.findings.is_empty() {
            writeln!(out)?;
        }
    }
    write_findings(out, &a.findings, detail)
}

/// IKE SA tables in the human view; `--json` has every SA kept in full.
pub const MAX_SA_TABLES: usize = 12;
/// Peers listed in the human table of summarised SAs.
const MAX_PEER_ROWS: usize = 10;

/// Which SAs get a table (indices): all when few; else those that did not
/// end established first, each group in capture order.
fn shown_sas(a: &Analysis) -> Vec<usize> {
    let (mut troubled, fine): (Vec<usize>, Vec<usize>) =
        (0..a.sas.len()).partition(|&i| a.sas.get(i).is_some_and(|sa| !established(sa)));
    troubled.extend(fine);
    troubled.truncate(MAX_SA_TABLES);
    troubled
}

/// The SAs not kept in full, per peer (the worst first) and outcome.
fn write_summarised(out: &mut dyn Write, a: &Analysis) -> io::Result<()> {
    let s = &a.summarised;
    let mut t = table(&["summarised IKE SAs", "SAs", "outcomes", "with fail"]);
    let mut peers: Vec<&PeerSummary> = s.peers.iter().collect();
    peers.sort_by_key(|p| {
        (
            std::cmp::Reverse(p.failed),
            std::cmp::Reverse(p.outcomes.total()),
        )
    });
    let row = |label: String, o: &OutcomeCounts, failed: u64| {
        let words: Vec<String> = Outcome::ALL
            .iter()
            .filter(|x| o.get(**x) > 0)
            .map(|x| format!("{} {}", thousands(o.get(*x)), x.words()))
            .collect();
        [
            label,
            thousands(o.total()),
            words.join("\n"),
            thousands(failed),
        ]
    };
    for p in peers.iter().take(MAX_PEER_ROWS) {
        t.add_row(row(
            format!("{} -> {}", p.initiator, p.responder),
            &p.outcomes,
            p.failed,
        ));
    }
    let mut rest = s.other_peers;
    let mut rest_failed = s.other_peers_failed;
    for p in peers.iter().skip(MAX_PEER_ROWS) {
        rest_failed += p.failed;
        rest.merge(&p.outcomes);
    }
    if rest.total() > 0 {
        t.add_row(row("other peers".to_string(), &rest, rest_failed));
    }
    writeln!(out, "{t}")
}

fn write_flows(out: &mut dyn Write, a: &Analysis) -> io::Result<()> {
    let mut t = table(&["IPsec without IKEv2", "from", "to", "SPI", "packets"]);
    for f in &a.flows.flows {
        t.add_row([
            match f.kind {
                FlowKind::Esp => "ESP".to_string(),
                FlowKind::EspInUdp => "ESP in UDP".to_string(),
                FlowKind::Ikev1 => "IKEv1".to_string(),
            },
            f.src_addr(),
            f.dst_addr(),
            f.spi
                .map(|s| format!("0x{s:08x}"))
                .unwrap_or_else(|| "-".into()),
            f.packets.to_string(),
        ]);
    }
    writeln!(out, "{t}")
}

fn write_sa(out: &mut dyn Write, a: &Analysis, sa: &IkeSa, detail: Detail) -> io::Result<()> {
    let title = format!("IKE SA {}", hex(&sa.spi_i));
    let peers = format!("{} -> {}", sa.initiator, sa.responder);
    let mut t = table(&[title.as_str(), peers.as_str()]);
    let sent: Vec<&Transmission> = sa
        .transmissions
        .iter()
        .filter(|t| t.same_as.is_none())
        .collect();
    let requests = sent.iter().filter(|t| t.is_request()).count();
    let retrans = sent
        .iter()
        .filter(|t| t.retransmission_of.is_some())
        .count();
    let datagrams: u32 = sent.iter().map(|t| t.datagrams).sum();
    t.add_row([
        "SPIs (i / r)".to_string(),
        format!("{} / {}", hex(&sa.spi_i), hex(&sa.spi_r)),
    ]);
    for f in sa.files() {
        let p = point::capture_point(sa, f);
        let label = if a.files.len() > 1 {
            format!("capture point (file {})", f + 1)
        } else {
            "capture point".to_string()
        };
        t.add_row([label, p.describe()]);
    }
    t.add_row([
        "messages".to_string(),
        format!(
            "{} transmission(s) ({} request(s), {} response(s), {} retransmission(s)) in {} datagram(s)",
            sent.len(),
            requests,
            sent.len() - requests,
            retrans,
            datagrams
        ),
    ]);
    let exchanges: Vec<String> = exchange::judged(a, sa)
        .iter()
        .map(|(e, s)| {
            let reqs = e.sent();
            let resps = e.answered_with();
            let shape = |t: Option<&&Transmission>| match t {
                Some(t) if t.is_skf() => {
                    format!(" ({} IKEv2 fragments)", t.skf_total.unwrap_or_default())
                }
                Some(t) if t.ip_fragmented() => {
                    format!(" ({} IP fragments)", t.ip_packets / t.datagrams.max(1))
                }
                _ => String::new(),
            };
            format!(
                "{} (ID {}{}): request{} sent {}x, {} response(s){}: {}",
                e.key.exchange,
                e.key.message_id,
                if e.key.by_initiator {
                    ""
                } else {
                    ", by responder"
                },
                shape(reqs.first()),
                reqs.len(),
                resps.len(),
                shape(resps.first()),
                status_words(*s)
            )
        })
        .collect();
    if !exchanges.is_empty() {
        t.add_row(["exchanges".to_string(), exchanges.join("\n")]);
    }
    if !sa.proposals_offered.is_empty() {
        let offered: Vec<String> = sa.proposals_offered.iter().map(|p| p.describe()).collect();
        t.add_row(["proposals offered".to_string(), offered.join("\n")]);
    }
    t.add_row([
        "proposal chosen".to_string(),
        sa.proposal_chosen
            .as_ref()
            .map_or_else(|| "-".into(), |p| p.describe()),
    ]);
    t.add_row([
        "IKEv2 fragmentation".to_string(),
        format!(
            "initiator {}, responder {}",
            support(sa.fragmentation.initiator),
            support(sa.fragmentation.responder)
        ),
    ]);
    let nat = match (sa.nat.initiator_behind_nat(), sa.nat.responder_behind_nat()) {
        (false, false) => "not detected",
        (true, false) => "initiator behind NAT",
        (false, true) => "responder behind NAT",
        (true, true) => "both behind NAT",
    };
    t.add_row(["NAT".to_string(), nat.to_string()]);
    if let Some(f) = sa.port_switch {
        t.add_row(["port switch".to_string(), format!("500 -> 4500 at {f}")]);
    }
    let vids = |v: &[Vec<u8>]| {
        if v.is_empty() {
            "-".to_string()
        } else {
            v.iter()
                .map(|x| vendor::describe(x))
                .collect::<Vec<_>>()
                .join(", ")
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
    let auth = if exchange::ike_auth_response_lost(a, sa) {
        "IKE_AUTH answered by the responder, but its response never reached the initiator"
    } else if sa.ike_auth_answered() {
        "IKE_AUTH answered"
    } else if sa
        .requests(crate::wire::ike::ExchangeType::IKE_AUTH)
        .next()
        .is_some()
    {
        "IKE_AUTH not answered"
    } else {
        "no IKE_AUTH seen"
    };
    t.add_row([
        "outcome".to_string(),
        format!(
            "{auth}; {} ESP packet(s); {} lost datagram(s)",
            sa.esp.total(),
            sa.lost.len()
        ),
    ]);
    writeln!(out, "{t}")?;
    if detail.verbose > 0 {
        write_timeline(out, a, sa)?;
    }
    Ok(())
}

pub(crate) fn status_words(s: Status) -> &'static str {
    match s {
        Status::Answered => "answered",
        Status::Unanswered => "NOT ANSWERED",
        Status::ResponseLost { .. } => "RESPONSE LOST (requester kept retransmitting)",
        Status::InProgress { .. } => "in progress when the capture ended",
        Status::NoCompleteRequest => "NO COMPLETE REQUEST at this capture point",
    }
}

/// One row per transmission (all SKF pieces of one sending in one row)
/// and per lost datagram, in time order.
fn write_timeline(out: &mut dyn Write, a: &Analysis, sa: &IkeSa) -> io::Result<()> {
    let mut tl = table(&[
        "frame",
        "time",
        "dir",
        "exchange",
        "id",
        "size/pieces",
        "notes",
    ]);
    let mut rows: Vec<(f64, [String; 7])> = Vec::new();
    for t in &sa.transmissions {
        let time = a.rel(t.first_ts);
        rows.push((
            time,
            [
                t.first.to_string(),
                format!("{time:.3}"),
                direction(t.key.from_initiator, t.src.port(), t.dst.port()),
                format!(
                    "{} {}",
                    t.key.exchange,
                    if t.key.response { "resp" } else { "req" }
                ),
                t.key.message_id.to_string(),
                size(t),
                notes(sa, t),
            ],
        ));
    }
    for d in &sa.lost {
        let time = a.rel(d.first_ts);
        let from_i = d.src == sa.initiator.ip();
        rows.push((
            time,
            [
                d.frames.first().map(|f| f.to_string()).unwrap_or_default(),
                format!("{time:.3}"),
                if from_i { "I->R".into() } else { "R->I".into() },
                d.header
                    .map_or_else(|| "?".to_string(), |h| h.key.exchange.to_string()),
                d.header
                    .map_or_else(|| "?".to_string(), |h| h.key.message_id.to_string()),
                format!("{} of ? IP frags", d.frames.len()),
                format!(
                    "LOST ({}): IP ID {}, {} missing",
                    d.reason.as_str(),
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
    writeln!(out, "{tl}")
}

/// `612`, `2244 / 2 IP frags`, `4 SKF <=612`.
fn size(t: &Transmission) -> String {
    match t.skf_total {
        Some(total) => {
            let seen = t.skf_numbers.len();
            if seen == usize::from(total) {
                format!("{total} SKF <={}", t.ip_len)
            } else {
                format!("{seen}/{total} SKF <={}", t.ip_len)
            }
        }
        None if t.ip_fragmented() => format!("{} / {} IP frags", t.ip_len, t.ip_packets),
        None => t.ip_len.to_string(),
    }
}

fn notes(sa: &IkeSa, t: &Transmission) -> String {
    // The frame of the SA's transmission `i`, as the table shows it.
    let frame = |i: usize| {
        sa.transmissions
            .get(i)
            .map(|o| o.first.to_string())
            .unwrap_or_default()
    };
    let mut n = Vec::new();
    if let Some(i) = t.retransmission_of {
        n.push(format!("retransmission of {}", frame(i)));
    }
    if let Some(i) = t.answers {
        n.push(format!("answers {}", frame(i)));
    }
    if t.same_as.is_some() {
        n.push("also in another file".into());
    }
    if !t.notifies.is_empty() {
        let short: Vec<String> = t.notifies.iter().map(|k| short_notify(*k)).collect();
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

/// Timeline cells are narrow: the long status notify names get short forms.
fn short_notify(kind: NotifyType) -> String {
    match kind {
        NotifyType::NAT_DETECTION_SOURCE_IP => "NAT-D(src)".into(),
        NotifyType::NAT_DETECTION_DESTINATION_IP => "NAT-D(dst)".into(),
        NotifyType::IKEV2_FRAGMENTATION_SUPPORTED => "FRAG_SUP".into(),
        NotifyType::SIGNATURE_HASH_ALGORITHMS => "SIG_HASH".into(),
        NotifyType::REDIRECT_SUPPORTED => "REDIR_SUP".into(),
        NotifyType::MULTIPLE_AUTH_SUPPORTED => "MULTI_AUTH".into(),
        NotifyType::CHILDLESS_IKEV2_SUPPORTED => "CHILDLESS".into(),
        other => other.to_string(),
    }
}

fn missing(d: &crate::analyse::LostDatagram) -> String {
    crate::analyse::ByteRange::list(&d.missing)
}

fn support(s: crate::analyse::Support) -> &'static str {
    match s {
        crate::analyse::Support::Yes => "yes",
        crate::analyse::Support::No => "no",
        crate::analyse::Support::Unknown => "not seen",
    }
}

/// `19,734`.
fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}
