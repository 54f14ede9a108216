//! Presentation of `aovpn-diag capture`: the live lines (one per exchange
//! when its outcome is known, one per finding when it settles), as text
//! or as NDJSON events, the summary of the capture before the same report
//! as `pcap`, the interface list, and the commands that record the same
//! traffic where this build cannot.

use std::io::{self, Write};

mod json;

pub use json::{
    CaptureBody, CaptureInfo, CaptureJson, CaptureJsonInfo, ExchangeEventJson, InterfaceRow,
    LiveEvent, RecipeJson, RecipeStep, StoppedBy, WriteInfo,
};

use super::pcap::status_words;
use super::{BOLD, DIM, Detail, severity_style, table};
use crate::analyse::exchange::Status;
use crate::analyse::live::{Event, ExchangeEvent, Shape};
use crate::finding::Severity;

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

/// The line between the live lines and the report.
pub fn write_summary(out: &mut dyn Write, info: &CaptureInfo) -> io::Result<()> {
    let why = match (info.stopped_by, &info.error) {
        (StoppedBy::Duration, _) => "--duration reached".to_owned(),
        (StoppedBy::Interrupted, _) => "interrupted".to_owned(),
        (StoppedBy::OutputClosed, _) => "the reader of the output went away".to_owned(),
        (_, Some(e)) => e.clone(),
        (_, None) => "an error".to_owned(),
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
        let addresses: Vec<String> = r.addresses.iter().map(ToString::to_string).collect();
        t.add_row([name, addresses.join("\n"), state.join(", ")]);
    }
    writeln!(out, "{t}")
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyse::message::ExchangeKey;
    use crate::finding::Finding;
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
        LiveEvent::new(&e, 2.6004).write_line(&mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(text.lines().count(), 1);
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["event"], "exchange");
        assert_eq!(v["time"], 2.6);
        assert_eq!(v["exchange"]["status"], "unanswered");
        assert_eq!(v["exchange"]["request_ip_fragments"], 2);
        assert_eq!(v["exchange"]["spi_i"], "ffeace453616da41");
        assert_eq!(v["exchange"]["requester"]["address"], "198.18.1.2");
        assert_eq!(v["exchange"]["requester"]["port"], 4500);
        assert_eq!(v["exchange"]["requested_by"], "initiator");
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
