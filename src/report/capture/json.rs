//! The `capture --json` document body and the NDJSON live events. Both are
//! in the published schema: the body as the `capture` command's, each
//! NDJSON line (stderr with `--json`) as `LiveEvent`, which is also the
//! type of the body's `capture.events[]`.

use std::io::{self, Write};
use std::net::IpAddr;

use schemars::JsonSchema;
use serde::Serialize;

use super::exchange_line;
use crate::analyse::live::{Event, ExchangeEvent};
use crate::analyse::{Analysis, PacketRef};
use crate::facts::Endpoint;
use crate::finding::Finding;
use crate::report::pcap::PcapJson;
use crate::report::pcap::json::status_word;
use crate::wire::hex;

/// `capture --json` after the envelope: the report of a capture that ran,
/// the interface list, or (with an error in the envelope) the commands
/// that record the same traffic where this capture cannot run.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum CaptureBody<'a> {
    /// The capture ran (also when it stopped on an error: the envelope's
    /// `error` says which, the report holds what was captured until then).
    Report(Box<CaptureJson<'a>>),
    /// `--list-interfaces`.
    Interfaces { interfaces: Vec<InterfaceRow> },
    /// The capture could not run here (`live-capture-not-built`, or on
    /// Windows `capture-not-permitted`/`capture-unavailable`): how to
    /// record the same traffic for `aovpn-diag pcap`.
    Recipe { recipe: RecipeJson<'a> },
}

/// The report of a capture: `capture` (how it ran, the live events), then
/// the same fields as `pcap --json` about what was captured.
#[derive(Debug, Serialize, JsonSchema)]
pub struct CaptureJson<'a> {
    pub capture: CaptureJsonInfo<'a>,
    #[serde(flatten)]
    pub report: PcapJson<'a>,
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
                events: events.iter().map(|(s, e)| LiveEvent::new(e, *s)).collect(),
            },
            report: PcapJson::new(files, a),
        }
    }
}

/// `capture`: how the capture ran, and what it reported live.
#[derive(Debug, Serialize, JsonSchema)]
pub struct CaptureJsonInfo<'a> {
    #[serde(flatten)]
    pub info: &'a CaptureInfo,
    /// The exchanges and findings printed live, in order (at most 10,000;
    /// `events_omitted` counts the rest). Never `start` events.
    pub events: Vec<LiveEvent<'a>>,
}

/// Why the capture stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum StoppedBy {
    /// `--duration` ran out.
    Duration,
    /// Ctrl-C or SIGTERM.
    Interrupted,
    /// The reader of stdout went away (`| head`): not an error.
    OutputClosed,
    /// Reading the interface failed (see `error`).
    SourceError,
    /// Writing the `--write` file failed (see `error`).
    WriteError,
    /// Printing a live line failed (see `error`).
    OutputError,
}

/// How the capture ran, for the summary line and the `capture` object.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct CaptureInfo {
    pub interface: String,
    /// Why this interface: `--interface`, `the route to ADDRESS`, `the
    /// first active interface`.
    pub chosen: String,
    /// The interface's link type (libpcap's name, e.g. `EN10MB`).
    pub link_type: String,
    /// The BPF filter the kernel applied.
    pub filter: String,
    /// When it started, seconds since the Unix epoch.
    pub started: f64,
    /// How long it ran, seconds.
    pub seconds: f64,
    pub stopped_by: StoppedBy,
    /// What failed, when it stopped on an error (also in the envelope's
    /// `error`).
    pub error: Option<String>,
    /// Frames the filter let through and the analysis read.
    pub frames: u64,
    /// libpcap's counts: packets received, dropped for lack of buffer, and
    /// dropped by the interface (null where the platform does not say).
    pub received: Option<u64>,
    pub dropped: Option<u64>,
    pub interface_dropped: Option<u64>,
    /// The `--write` file; null without `--write`.
    pub write: Option<WriteInfo>,
    /// Live events printed but left out of `events` (beyond the first 10,000).
    pub events_omitted: u64,
}

/// The `--write` file.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct WriteInfo {
    pub file: String,
    /// Frames written.
    pub frames: u64,
    /// Why the file is incomplete; null when it was written in full.
    pub error: Option<String>,
}

/// One live event: an NDJSON line on stderr with `--json` (`start` first,
/// then one per exchange and finding as they settle), and an element of
/// the document's `capture.events` (exchanges and findings only).
#[derive(Debug, Serialize, JsonSchema)]
#[serde(tag = "event", rename_all = "kebab-case")]
pub enum LiveEvent<'a> {
    /// Where the capture runs (the first NDJSON line).
    Start {
        /// Seconds since the capture started (0).
        time: f64,
        interface: &'a str,
        chosen: &'a str,
        link_type: &'a str,
        filter: &'a str,
    },
    /// An exchange whose outcome became known.
    Exchange {
        /// Seconds since the capture started.
        time: f64,
        exchange: ExchangeEventJson,
    },
    /// A finding that settled (it will be in the final report too).
    Finding {
        /// Seconds since the capture started.
        time: f64,
        finding: &'a Finding,
    },
}

impl<'a> LiveEvent<'a> {
    pub fn new(e: &'a Event, seconds: f64) -> LiveEvent<'a> {
        let time = (seconds * 1000.0).round() / 1000.0;
        match e {
            Event::Exchange(x) => LiveEvent::Exchange {
                time,
                exchange: ExchangeEventJson::new(x),
            },
            Event::Finding(f) => LiveEvent::Finding { time, finding: f },
        }
    }

    pub fn start(info: &'a CaptureInfo) -> LiveEvent<'a> {
        LiveEvent::Start {
            time: 0.0,
            interface: &info.interface,
            chosen: &info.chosen,
            link_type: &info.link_type,
            filter: &info.filter,
        }
    }

    /// Writes the event as one NDJSON line.
    pub fn write_line(&self, out: &mut dyn Write) -> io::Result<()> {
        serde_json::to_writer(&mut *out, self).map_err(io::Error::from)?;
        writeln!(out)
    }
}

/// An exchange whose outcome is known, for scripts.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ExchangeEventJson {
    /// The IKE SA's initiator SPI, hex.
    pub spi_i: String,
    pub exchange: String,
    pub message_id: u32,
    /// Who sent the request, and to whom (ports as the request had them).
    pub requester: Endpoint,
    pub responder: Endpoint,
    /// `initiator` or `responder`: which side of the IKE SA asked.
    pub requested_by: &'static str,
    /// `answered`, `unanswered`, `response-lost` or `no-complete-request`.
    pub status: &'static str,
    /// The frame of the first request in the `--write` file (file 1).
    pub frame: Option<PacketRef>,
    pub request_transmissions: usize,
    pub response_transmissions: usize,
    /// Milliseconds from the request to its first answer.
    pub round_trip_ms: Option<f64>,
    /// IP length of the request's largest datagram, bytes.
    pub request_ip_len: Option<u32>,
    /// IP fragments per request datagram (0 when not IP-fragmented).
    pub request_ip_fragments: Option<u32>,
    /// RFC 7383 fragments per request, when sent that way.
    pub request_ike_fragments: Option<u16>,
    /// The line the human view prints.
    pub text: String,
}

impl ExchangeEventJson {
    fn new(x: &ExchangeEvent) -> ExchangeEventJson {
        ExchangeEventJson {
            spi_i: hex(&x.spi_i),
            exchange: x.key.exchange.to_string(),
            message_id: x.key.message_id,
            requester: x.requester.into(),
            responder: x.responder.into(),
            requested_by: if x.key.by_initiator {
                "initiator"
            } else {
                "responder"
            },
            status: status_word(x.status),
            frame: x.first_frame,
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

/// One interface of `--list-interfaces`.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct InterfaceRow {
    pub name: String,
    /// Npcap's adapter description; null elsewhere.
    pub description: Option<String>,
    pub addresses: Vec<IpAddr>,
    pub up: bool,
    pub running: bool,
    pub loopback: bool,
    pub wireless: bool,
    /// The interface `capture` takes without `--interface` and `--server`.
    pub default: bool,
}

/// One command of a recipe.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct RecipeStep {
    pub command: String,
    /// What the command is for; null when it says it itself.
    pub note: Option<&'static str>,
}

/// The commands that record the same traffic with `tool` for `pcap`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct RecipeJson<'a> {
    /// `tcpdump`, or `pktmon (built into Windows 10 2004 and later)`.
    pub tool: &'a str,
    pub steps: &'a [RecipeStep],
}
