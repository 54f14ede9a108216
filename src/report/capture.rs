//! Presentation of `aovpn-diag capture`: the live lines (one per exchange
//! when its outcome is known, one per finding when it settles), as text
//! or as NDJSON events, the summary of the capture before the same report
//! as `pcap`, the interface list, and the commands that record the same
//! traffic where this build cannot.

use std::io::{self, Write};

use serde::Serialize;

use super::pcap::{PcapJson, status_words};
use super::{BOLD, DIM, Detail, severity_style, table};
use crate::analyse::live::{Event, ExchangeEvent, Shape};
use crate::analyse::{Analysis, exchange::Status};
use crate::finding::{Finding, Severity};
use crate::wire::hex;

/// How the capture ran, for the summary and the `capture` JSON object.
#[derive(Debug, Clone, Serialize)]
pub struct CaptureInfo {
    pub interface: String,
    /// Why this interface (`--interface`, the route to `--server`, ...).
    pub chosen: String,
    pub link_type: String,
    pub filter: String,
    /// Seconds since the Unix epoch.
    pub started: f64,
    pub seconds: f64,
    /// `duration`, `interrupted`, `source-error`, `write-error`, `output-error`.
    pub stopped_by: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub frames: u64,
    /// libpcap's counts: packets received, dropped for lack of buffer, and
    /// dropped by the interface (null where the platform does not say).
    pub received: Option<u64>,
    pub dropped: Option<u64>,
    pub interface_dropped: Option<u64>,
    pub write: Option<WriteInfo>,
    /// Live events printed but left out of `events` (beyond the first 10,000).
    pub events_omitted: u64,
}

/// The `--write` file.
#[derive(Debug, Clone, Serialize)]
pub struct WriteInfo {
    pub file: String,
    pub frames: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// One live line, as text.
pub fn write_event(out: &mut dyn Write, e: &Event, seconds: f64, detail: Detail) -> io::Result<()> {
    match e {
        Event::Exchange(x) if !detail.quiet => {
            writeln!(out, "{DIM}{seconds:>7.1} s{DIM:#}  {}", exchange_line(x))
        }
        Event::Exchange(_) => Ok(()),
        Event::Finding(f) if detail.quiet && f.severity != Severity::Fail => Ok(()),
        Event::Finding(f) => {
            let style = severity_style(f.severity);
            writeln!(
                out,
                "{DIM}{seconds:>7.1} s{DIM:#}  {style}{:<4}{style:#} {BOLD}{}{BOLD:#}  {}",
                f.severity.as_str(),
                f.code,
                f.summary
            )
        }
    }
}

/// `IKE_AUTH (ID 1) 198.18.1.2:4500 -> 198.18.2.2:4500: NOT ANSWERED;
/// request of 2,544 bytes in 2 IP fragments sent 3x over 2.5 s`.
pub fn exchange_line(x: &ExchangeEvent) -> String {
    let who = if x.key.by_initiator {
        ""
    } else {
        ", by the responder"
    };
    let outcome = match (x.status, x.round_trip) {
        (Status::Answered, Some(rtt)) => format!("answered in {}", millis(rtt)),
        (s, _) => status_words(s).to_owned(),
    };
    let mut line = format!(
        "{} (ID {}{who}) {} -> {}: {outcome}; request{} sent {}x",
        x.key.exchange,
        x.key.message_id,
        x.requester,
        x.responder,
        x.request.map(shape).unwrap_or_default(),
        x.requests
    );
    if x.requests > 1 {
        line.push_str(&format!(" over {:.1} s", x.span));
    }
    if x.responses > 0 {
        line.push_str(&format!(
            ", response{} {}x",
            x.response.map(shape).unwrap_or_default(),
            x.responses
        ));
    }
    line
}

fn millis(secs: f64) -> String {
    if secs < 1.0 {
        format!("{:.0} ms", secs * 1000.0)
    } else {
        format!("{secs:.2} s")
    }
}

/// ` of 2,544 bytes in 2 IP fragments`, ` in 5 IKEv2 fragments of <=1,278 bytes`.
fn shape(s: Shape) -> String {
    match (s.ike_fragments, s.ip_fragments) {
        (Some(n), _) => format!(" in {n} IKEv2 fragments of <={} bytes", grouped(s.ip_len)),
        (None, f) if f > 1 => format!(" of {} bytes in {f} IP fragments", grouped(s.ip_len)),
        _ => format!(" of {} bytes", grouped(s.ip_len)),
    }
}

fn grouped(n: u32) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// One live event as an NDJSON line (stderr with `--json`).
pub fn write_event_json(out: &mut dyn Write, e: &Event, seconds: f64) -> io::Result<()> {
    serde_json::to_writer(&mut *out, &EventJson::new(e, seconds)).map_err(io::Error::other)?;
    writeln!(out)
}

/// The first NDJSON line: where the capture runs.
pub fn write_start_json(out: &mut dyn Write, info: &CaptureInfo) -> io::Result<()> {
    #[derive(Serialize)]
    struct Start<'a> {
        event: &'static str,
        interface: &'a str,
        chosen: &'a str,
        link_type: &'a str,
        filter: &'a str,
    }
    serde_json::to_writer(
        &mut *out,
        &Start {
            event: "start",
            interface: &info.interface,
            chosen: &info.chosen,
            link_type: &info.link_type,
            filter: &info.filter,
        },
    )
    .map_err(io::Error::other)?;
    writeln!(out)
}

/// A live event in JSON: `{"time": s, "event": "exchange", ...}` or
/// `{"time": s, "event": "finding", "finding": {...}}`.
#[derive(Debug, Serialize)]
pub struct EventJson<'a> {
    /// Seconds since the capture started.
    pub time: f64,
    pub event: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exchange: Option<ExchangeJson>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub finding: Option<&'a Finding>,
}

impl<'a> EventJson<'a> {
    pub fn new(e: &'a Event, seconds: f64) -> EventJson<'a> {
        let time = (seconds * 1000.0).round() / 1000.0;
        match e {
            Event::Exchange(x) => EventJson {
                time,
                event: "exchange",
                exchange: Some(ExchangeJson::new(x)),
                finding: None,
            },
            Event::Finding(f) => EventJson {
                time,
                event: "finding",
                exchange: None,
                finding: Some(f),
            },
        }
    }
}

/// An exchange whose outcome is known, for scripts.
#[derive(Debug, Serialize)]
pub struct ExchangeJson {
    pub spi_i: String,
    pub exchange: String,
    pub message_id: u32,
    pub requester: String,
    pub responder: String,
    /// `answered`, `unanswered`, `response-lost`, `no-complete-request`.
    pub status: &'static str,
    pub request_transmissions: usize,
    pub response_transmissions: usize,
    pub round_trip_ms: Option<f64>,
    pub request_ip_len: Option<u32>,
    pub request_ip_fragments: Option<u32>,
    pub request_ike_fragments: Option<u16>,
    pub text: String,
}

impl ExchangeJson {
    fn new(x: &ExchangeEvent) -> ExchangeJson {
        ExchangeJson {
            spi_i: hex(&x.spi_i),
            exchange: x.key.exchange.to_string(),
            message_id: x.key.message_id,
            requester: x.requester.to_string(),
            responder: x.responder.to_string(),
            status: super::pcap::json::status_word(x.status),
            request_transmissions: x.requests,
            response_transmissions: x.responses,
            round_trip_ms: x.round_trip.map(|s| (s * 1e6).round() / 1e3),
            request_ip_len: x.request.map(|s| s.ip_len),
            request_ip_fragments: x.request.map(|s| s.ip_fragments),
            request_ike_fragments: x.request.and_then(|s| s.ike_fragments),
            text: exchange_line(x),
        }
    }
}

/// The `capture --json` document: `capture` (how it ran, and the live
/// events), then the same fields as `pcap --json`.
#[derive(Debug, Serialize)]
pub struct CaptureJson<'a> {
    pub capture: CaptureJsonInfo<'a>,
    #[serde(flatten)]
    pub report: PcapJson<'a>,
}

#[derive(Debug, Serialize)]
pub struct CaptureJsonInfo<'a> {
    #[serde(flatten)]
    pub info: &'a CaptureInfo,
    pub events: Vec<EventJson<'a>>,
}

impl<'a> CaptureJson<'a> {
    pub fn new(
        info: &'a CaptureInfo,
        events: &'a [(f64, Event)],
        files: &'a [String],
        a: &'a Analysis,
    ) -> CaptureJson<'a> {
        CaptureJson {
            capture: CaptureJsonInfo {
                info,
                events: events.iter().map(|(s, e)| EventJson::new(e, *s)).collect(),
            },
            report: PcapJson::new(files, a),
        }
    }
}

/// The line between the live lines and the report.
pub fn write_summary(out: &mut dyn Write, info: &CaptureInfo) -> io::Result<()> {
    let why = match (info.stopped_by, &info.error) {
        ("duration", _) => "--duration reached".to_owned(),
        ("interrupted", _) => "interrupted".to_owned(),
        (_, Some(e)) => e.clone(),
        (other, None) => other.to_owned(),
    };
    let mut line = format!(
        "capture stopped ({why}) after {:.1} s: {} frame(s) on {}",
        info.seconds, info.frames, info.interface
    );
    if let Some(d) = info.dropped.filter(|d| *d > 0) {
        line.push_str(&format!(
            ", {d} DROPPED by the capture buffer (the analysis misses them)"
        ));
    }
    if let Some(w) = &info.write {
        match &w.error {
            None => line.push_str(&format!("; written to {} ({} frames)", w.file, w.frames)),
            Some(e) => line.push_str(&format!(
                "; writing {} FAILED after {} frames: {e}",
                w.file, w.frames
            )),
        }
    }
    writeln!(out, "{DIM}{line}{DIM:#}")?;
    writeln!(out)
}

/// One interface of `--list-interfaces`.
#[derive(Debug, Clone, Serialize)]
pub struct InterfaceRow {
    pub name: String,
    pub description: Option<String>,
    pub addresses: Vec<String>,
    pub up: bool,
    pub running: bool,
    pub loopback: bool,
    pub wireless: bool,
    /// The interface `capture` takes without `--interface`.
    pub default: bool,
}

/// `--list-interfaces`, for people.
pub fn write_interfaces(out: &mut dyn Write, rows: &[InterfaceRow]) -> io::Result<()> {
    let mut t = table(&["interface", "addresses", "state"]);
    for r in rows {
        let mut state = vec![if r.up { "up" } else { "down" }];
        if r.loopback {
            state.push("loopback");
        }
        if r.wireless {
            state.push("wireless");
        }
        if r.default {
            state.push("DEFAULT");
        }
        let name = match &r.description {
            Some(d) => format!("{}\n{d}", r.name),
            None => r.name.clone(),
        };
        t.add_row([name, r.addresses.join("\n"), state.join(", ")]);
    }
    writeln!(out, "{t}")
}

/// One command of a recipe for a build without live capture.
#[derive(Debug, Clone, Serialize)]
pub struct RecipeStep {
    pub command: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<&'static str>,
}

/// The commands that record the same traffic with `tool`, for people.
pub fn write_recipe(out: &mut dyn Write, tool: &str, steps: &[RecipeStep]) -> io::Result<()> {
    writeln!(out, "Record the same traffic with {tool}:")?;
    for s in steps {
        if let Some(n) = s.note {
            writeln!(out, "  {DIM}# {n}{DIM:#}")?;
        }
        writeln!(out, "  {BOLD}{}{BOLD:#}", s.command)?;
    }
    Ok(())
}

/// The `--json` document of a capture that could not run: what failed and,
/// where there is one, the recipe that records the same traffic.
#[derive(Debug, Serialize)]
pub struct UnavailableJson<'a> {
    pub error: ErrorJson<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recipe: Option<RecipeJson<'a>>,
}

#[derive(Debug, Serialize)]
pub struct ErrorJson<'a> {
    /// `not-built`, `permission`, `unknown-interface`, `no-interface`,
    /// `open-failed`, `bad-file`.
    pub kind: &'a str,
    pub message: &'a str,
    pub exit_code: u8,
}

#[derive(Debug, Serialize)]
pub struct RecipeJson<'a> {
    pub tool: &'a str,
    pub steps: &'a [RecipeStep],
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyse::message::ExchangeKey;
    use crate::wire::ike::ExchangeType;

    fn auth_unanswered() -> ExchangeEvent {
        ExchangeEvent {
            spi_i: [0xff, 0xea, 0xce, 0x45, 0x36, 0x16, 0xda, 0x41],
            key: ExchangeKey {
                message_id: 1,
                by_initiator: true,
                exchange: ExchangeType::IKE_AUTH,
            },
            status: Status::Unanswered,
            requester: "198.18.1.2:4500".parse().unwrap(),
            responder: "198.18.2.2:4500".parse().unwrap(),
            first_frame: None,
            requests: 3,
            responses: 0,
            request: Some(Shape {
                ip_len: 2544,
                ip_fragments: 2,
                ike_fragments: None,
            }),
            response: None,
            round_trip: None,
            span: 2.501,
        }
    }

    #[test]
    fn an_exchange_is_one_line_with_its_outcome_and_shape() {
        assert_eq!(
            exchange_line(&auth_unanswered()),
            "IKE_AUTH (ID 1) 198.18.1.2:4500 -> 198.18.2.2:4500: NOT ANSWERED; request of 2,544 bytes in 2 IP fragments sent 3x over 2.5 s"
        );
        let mut init = auth_unanswered();
        init.key.exchange = ExchangeType::IKE_SA_INIT;
        init.key.message_id = 0;
        init.status = Status::Answered;
        init.round_trip = Some(0.0123);
        init.requests = 1;
        init.responses = 1;
        init.request = Some(Shape {
            ip_len: 612,
            ip_fragments: 0,
            ike_fragments: None,
        });
        init.response = Some(Shape {
            ip_len: 1278,
            ip_fragments: 0,
            ike_fragments: Some(2),
        });
        assert_eq!(
            exchange_line(&init),
            "IKE_SA_INIT (ID 0) 198.18.1.2:4500 -> 198.18.2.2:4500: answered in 12 ms; request of 612 bytes sent 1x, response in 2 IKEv2 fragments of <=1,278 bytes 1x"
        );
    }

    #[test]
    fn events_are_ndjson_lines_scripts_can_match() {
        let e = Event::Exchange(auth_unanswered());
        let mut out = Vec::new();
        write_event_json(&mut out, &e, 2.6004).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(text.lines().count(), 1);
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["event"], "exchange");
        assert_eq!(v["time"], 2.6);
        assert_eq!(v["exchange"]["status"], "unanswered");
        assert_eq!(v["exchange"]["request_ip_fragments"], 2);
        assert_eq!(v["exchange"]["spi_i"], "ffeace453616da41");
    }

    #[test]
    fn quiet_shows_only_failures_live() {
        let warn = Event::Finding(Finding::new(
            crate::Code::IkeFragmentationNotNegotiated,
            Severity::Warn,
            "w",
        ));
        let fail = Event::Finding(Finding::new(
            crate::Code::IkeAuthUnanswered,
            Severity::Fail,
            "f",
        ));
        let quiet = Detail {
            verbose: 0,
            quiet: true,
        };
        let mut out = Vec::new();
        for e in [&Event::Exchange(auth_unanswered()), &warn, &fail] {
            write_event(&mut out, e, 1.0, quiet).unwrap();
        }
        let text = String::from_utf8(out).unwrap();
        assert_eq!(text.lines().count(), 1, "{text}");
        assert!(
            text.contains("ike-auth-unanswered") && text.trim_end().ends_with(" f"),
            "{text}"
        );
    }
}
