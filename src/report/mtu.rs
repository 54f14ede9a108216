//! Presentation of `aovpn-diag mtu`: the human view (verdict, one row per
//! address, per-size table with -v, findings) and the JSON document's types.

use std::io::{self, Write};
use std::net::IpAddr;

use serde::Serialize;

use super::{BOLD, CAUTION, DIM, Detail, table, write_findings, write_verdict};
use crate::diagnose::mtu::{End, Measurement, Method, Outcome, ProbeRecord};
use crate::finding::{Finding, Verdict};
use crate::millis;

/// Everything one run found.
pub struct View<'a> {
    pub host: &'a str,
    pub targets: &'a [Measurement],
    /// All findings, worst first.
    pub findings: &'a [Finding],
}

impl View<'_> {
    pub fn verdict(&self) -> Verdict {
        Verdict::from_findings(self.findings)
    }

    pub fn json(&self) -> JsonDoc<'_> {
        JsonDoc {
            host: self.host,
            targets: self.targets.iter().map(json_target).collect(),
        }
    }
}

#[derive(Serialize, schemars::JsonSchema)]
pub struct JsonDoc<'a> {
    host: &'a str,
    targets: Vec<JsonTarget>,
}

#[derive(Serialize, schemars::JsonSchema)]
pub struct JsonTarget {
    address: IpAddr,
    /// Largest whole IP packet that passed; null when not found.
    path_mtu: Option<u16>,
    /// What is proven about the path MTU when the search could not pin it
    /// down (a budget ran out): it lies in [path_mtu_min, path_mtu_max].
    /// Both equal path_mtu when found; null when unknown.
    path_mtu_min: Option<u16>,
    path_mtu_max: Option<u16>,
    /// The same limit as payload: ICMP echo data (`ping -s`) or IKE message bytes.
    largest_payload: Option<u16>,
    method: Method,
    #[serde(skip_serializing_if = "Option::is_none")]
    port: Option<u16>,
    probes_sent: u32,
    too_big_from: Option<JsonTooBig>,
    black_hole: bool,
    /// found, below-floor, no-answer, unreachable, incomplete.
    result: &'static str,
    interface: Option<JsonInterface>,
    floor: u16,
    ceiling: u16,
    elapsed_ms: f64,
    probes: Vec<JsonProbe>,
}

#[derive(Serialize, schemars::JsonSchema)]
struct JsonTooBig {
    /// The hop that sent "too big"; null when this host's own interface refused the size.
    address: Option<IpAddr>,
    /// The MTU it advertised; null when it gave none (or 0, RFC 1191 §4).
    mtu: Option<u16>,
    /// Whether the search believed that MTU: false when it was below the
    /// family minimum, not smaller than the packet refused, or outside what
    /// had passed and failed (a router that lies, e.g. 68 or 65535).
    mtu_trusted: bool,
}

#[derive(Serialize, schemars::JsonSchema)]
struct JsonInterface {
    name: Option<String>,
    mtu: u16,
}

#[derive(Serialize, schemars::JsonSchema)]
struct JsonProbe {
    size: u16,
    payload: u16,
    attempt: u8,
    /// reply, too-big, lost, error.
    result: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    rtt_ms: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    from: Option<IpAddr>,
    #[serde(skip_serializing_if = "Option::is_none")]
    mtu: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'static str>,
    at_ms: f64,
    /// The reply came after the probe's wait (counted as lost, then found).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    late: bool,
}

fn end_name(end: &End) -> &'static str {
    match end {
        End::Found { .. } => "found",
        End::BelowFloor { .. } => "below-floor",
        End::NoAnswer => "no-answer",
        End::Unreachable { .. } => "unreachable",
        End::Incomplete { .. } => "incomplete",
    }
}

fn json_probe(p: &ProbeRecord, overhead: u16) -> JsonProbe {
    let mut j = JsonProbe {
        size: p.size,
        payload: p.size.saturating_sub(overhead),
        attempt: p.attempt,
        result: "lost",
        rtt_ms: None,
        from: None,
        mtu: None,
        error: None,
        at_ms: millis::json(p.at),
        late: p.late,
    };
    match p.outcome {
        Outcome::Reply { rtt } => {
            j.result = "reply";
            j.rtt_ms = Some(millis::json(rtt));
        }
        Outcome::TooBig { mtu, from } => {
            j.result = "too-big";
            j.mtu = mtu;
            j.from = from;
        }
        Outcome::Lost => {}
        Outcome::Error { kind, from } => {
            j.result = "error";
            j.error = Some(kind.describe());
            j.from = from;
        }
    }
    j
}

pub fn json_target(m: &Measurement) -> JsonTarget {
    let r = &m.result;
    let path_mtu = r.path_mtu();
    let (path_mtu_min, path_mtu_max) = m.path_mtu_bounds();
    JsonTarget {
        address: m.address,
        path_mtu,
        path_mtu_min,
        path_mtu_max,
        largest_payload: path_mtu.map(|p| p.saturating_sub(m.overhead)),
        method: m.method,
        port: m.port,
        probes_sent: r.probes_sent(),
        too_big_from: r.too_big.map(|t| JsonTooBig {
            address: t.from,
            mtu: t.mtu,
            mtu_trusted: t.trusted,
        }),
        black_hole: r.black_hole,
        result: end_name(&r.end),
        interface: m.interface.as_ref().map(|i| JsonInterface {
            name: i.interface.clone(),
            mtu: i.mtu,
        }),
        floor: m.floor,
        ceiling: m.ceiling,
        elapsed_ms: millis::json(r.elapsed),
        probes: r.probes.iter().map(|p| json_probe(p, m.overhead)).collect(),
    }
}

/// What the payload column means for a method.
fn payload_label(method: Method) -> &'static str {
    match method {
        Method::Icmp | Method::IcmpRaw => "ICMP payload",
        Method::Ike => "IKE message",
    }
}

fn headline(host: &str, targets: &[Measurement]) -> String {
    let parts: Vec<String> = targets
        .iter()
        .map(|m| {
            let label = if host == m.address.to_string() {
                m.address.to_string()
            } else {
                format!("{host} ({})", m.address)
            };
            match m.result.end {
                End::Found { path_mtu } => format!(
                    "path MTU to {label}: {path_mtu} bytes ({} {} bytes)",
                    payload_label(m.method),
                    path_mtu.saturating_sub(m.overhead)
                ),
                End::BelowFloor { .. } => {
                    format!("path MTU to {label}: below {} bytes", m.floor)
                }
                End::NoAnswer => format!("path MTU to {label}: unknown, no answer at any size"),
                End::Unreachable { kind, .. } => {
                    format!("path MTU to {label}: unknown, {}", kind.describe())
                }
                End::Incomplete { at_least, fails_at } => {
                    match (at_least, fails_at.and(m.path_mtu_bounds().1)) {
                        (Some(a), Some(b)) => format!(
                            "path MTU to {label}: between {a} and {b} bytes (search incomplete)"
                        ),
                        (Some(a), None) => {
                            format!("path MTU to {label}: at least {a} bytes (search incomplete)")
                        }
                        (None, Some(b)) => {
                            format!("path MTU to {label}: at most {b} bytes (search incomplete)")
                        }
                        (None, None) => format!("path MTU to {label}: unknown (search incomplete)"),
                    }
                }
            }
        })
        .collect();
    parts.join("; ")
}

fn elapsed(d: std::time::Duration) -> String {
    if d < std::time::Duration::from_secs(1) {
        format!("{} ms", d.as_millis())
    } else {
        format!("{:.2} s", d.as_secs_f64())
    }
}

/// Who sent "too big", in the human view: the hop, or this host itself.
fn sender(from: Option<IpAddr>) -> String {
    from.map_or("this host".to_owned(), |a| a.to_string())
}

fn outcome_text(o: &Outcome) -> String {
    match *o {
        Outcome::Reply { rtt } => format!("reply {}", millis::text(rtt)),
        Outcome::TooBig { mtu, from } => {
            let who = sender(from);
            match mtu {
                Some(m) => format!("too big (MTU {m}) from {who}"),
                None => format!("too big from {who}"),
            }
        }
        Outcome::Lost => "no answer".to_owned(),
        Outcome::Error { kind, from } => match from {
            Some(a) => format!("{} from {a}", kind.describe()),
            None => kind.describe().to_owned(),
        },
    }
}

pub fn write_human(out: &mut dyn Write, view: &View, detail: Detail) -> io::Result<()> {
    let measured_nothing = !view.targets.is_empty()
        && view.targets.iter().all(|m| {
            matches!(
                m.result.end,
                End::NoAnswer | End::Incomplete { at_least: None, .. }
            )
        });
    if measured_nothing && view.verdict() == Verdict::Ok {
        // Not "OK": nothing was measured (exit 3).
        writeln!(
            out,
            "{CAUTION}UNKNOWN{CAUTION:#}  {}",
            headline(view.host, view.targets)
        )?;
    } else {
        write_verdict(out, view.verdict(), &headline(view.host, view.targets))?;
    }
    if !detail.quiet {
        writeln!(out)?;
        let mut t = table(&[
            "address",
            "path MTU",
            "payload",
            "method",
            "too big from (MTU)",
            "black hole",
            "probes",
            "time",
        ]);
        for m in view.targets {
            let r = &m.result;
            let too_big = r.too_big.map_or("-".to_owned(), |tb| {
                let who = sender(tb.from);
                match tb.mtu {
                    Some(mtu) => format!("{who} ({mtu})"),
                    None => format!("{who} (no MTU given)"),
                }
            });
            let method = match m.port {
                Some(p) => format!("{} udp/{p}", m.method.as_str()),
                None => m.method.as_str().to_owned(),
            };
            let (mtu, payload) = match m.path_mtu_bounds() {
                (Some(a), Some(b)) if a == b => {
                    (a.to_string(), a.saturating_sub(m.overhead).to_string())
                }
                (Some(a), Some(b)) => (
                    format!("{a}..{b}"),
                    format!(
                        "{}..{}",
                        a.saturating_sub(m.overhead),
                        b.saturating_sub(m.overhead)
                    ),
                ),
                _ => ("-".to_owned(), "-".to_owned()),
            };
            t.add_row(vec![
                m.address.to_string(),
                mtu,
                payload,
                method,
                too_big,
                if r.black_hole { "yes" } else { "no" }.to_owned(),
                r.probes_sent().to_string(),
                elapsed(r.elapsed),
            ]);
        }
        writeln!(out, "{t}")?;
        let note = match view.targets.first().map(|m| m.method) {
            Some(Method::Ike) => {
                "payload = the IKE message (UDP payload without the non-ESP marker)"
            }
            _ => "payload = ICMP echo data, what ping -s / ping -l / mtupath count",
        };
        writeln!(out, "{DIM}Sizes are whole IP packets; {note}.{DIM:#}")?;
        if detail.verbose > 0 {
            for m in view.targets {
                writeln!(
                    out,
                    "\n{BOLD}{}{BOLD:#}  searched {}..{} bytes ({})",
                    m.address,
                    m.floor,
                    m.ceiling,
                    m.interface.as_ref().map_or("--max".to_owned(), |i| format!(
                        "interface {} MTU {}",
                        i.interface.as_deref().unwrap_or("?"),
                        i.mtu
                    ))
                )?;
                let mut t = table(&["#", "size", "payload", "try", "result", "at"]);
                for (n, p) in m.result.probes.iter().enumerate() {
                    t.add_row(vec![
                        (n + 1).to_string(),
                        p.size.to_string(),
                        p.size.saturating_sub(m.overhead).to_string(),
                        p.attempt.to_string(),
                        if p.late {
                            format!("{} (late)", outcome_text(&p.outcome))
                        } else {
                            outcome_text(&p.outcome)
                        },
                        format!("{:.3} s", p.at.as_secs_f64()),
                    ]);
                }
                writeln!(out, "{t}")?;
            }
        }
        if !view.findings.is_empty() {
            writeln!(out)?;
        }
    }
    write_findings(out, view.findings, detail)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::diagnose::mtu::findings::{findings, sample_measurement};

    fn measurement() -> Measurement {
        let router: IpAddr = "198.18.1.1".parse().unwrap();
        let probe = |size, outcome, ms| ProbeRecord {
            size,
            attempt: 1,
            outcome,
            at: Duration::from_millis(ms),
            late: false,
        };
        let reply = Outcome::Reply {
            rtt: Duration::from_micros(200),
        };
        let too_big = Outcome::TooBig {
            mtu: Some(1400),
            from: Some(router),
        };
        let mut m = sample_measurement(End::Found { path_mtu: 1400 }, false);
        m.result.probes = vec![
            probe(576, reply, 1),
            probe(1500, too_big, 2),
            probe(1400, reply, 3),
            probe(1401, too_big, 4),
        ];
        m.result.elapsed = Duration::from_millis(4);
        m
    }

    /// Writes the view of `measurement()` and its findings with `write`.
    fn render(write: impl FnOnce(&mut Vec<u8>, &View) -> io::Result<()>) -> Vec<u8> {
        let targets = [measurement()];
        let all = findings(&targets[0]);
        let view = View {
            host: "vpn.example.com",
            targets: &targets,
            findings: &all,
        };
        let mut out = Vec::new();
        write(&mut out, &view).unwrap();
        out
    }

    #[test]
    fn json_has_the_documented_target_fields() {
        let out = render(|out, view| {
            let status = crate::report::Status::new(view.findings, None);
            super::super::write_json(out, "mtu", status, &view.json())
        });
        let doc: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(doc["schema_version"], crate::report::SCHEMA_VERSION);
        assert_eq!(doc["verdict"], "ok");
        let t = &doc["targets"][0];
        assert_eq!(t["address"], "198.18.2.2");
        assert_eq!(t["path_mtu"], 1400);
        assert_eq!(t["path_mtu_min"], 1400);
        assert_eq!(t["path_mtu_max"], 1400);
        assert_eq!(t["largest_payload"], 1372);
        assert_eq!(t["method"], "icmp-raw");
        assert_eq!(t["probes_sent"], 4);
        assert_eq!(t["too_big_from"]["address"], "198.18.1.1");
        assert_eq!(t["too_big_from"]["mtu"], 1400);
        assert_eq!(t["too_big_from"]["mtu_trusted"], true);
        assert_eq!(t["black_hole"], false);
        assert_eq!(t["probes"][1]["result"], "too-big");
        assert_eq!(t["probes"][0]["payload"], 548);
    }

    #[test]
    fn human_view_leads_with_the_answer_and_shows_sizes_with_v() {
        let detail = Detail {
            verbose: 1,
            quiet: false,
        };
        let out = render(|out, view| write_human(out, view, detail));
        let text = String::from_utf8(anstream::adapter::strip_bytes(&out).into_vec()).unwrap();
        let first = text.lines().next().unwrap();
        assert_eq!(
            first,
            "OK  path MTU to vpn.example.com (198.18.2.2): 1400 bytes (ICMP payload 1372 bytes)"
        );
        assert!(text.contains("198.18.1.1 (1400)"), "{text}");
        assert!(
            text.contains("too big (MTU 1400) from 198.18.1.1"),
            "{text}"
        );
        assert!(text.contains("mtu-ike-auth-fragments"), "{text}");
    }
}
