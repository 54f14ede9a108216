//! `aovpn-diag capture`'s loop: frames from a source (an interface, through
//! `crate::capture::device` with the `live` feature; a replayed file in
//! tests) go to the pcapng file (`--write`) and through the same
//! [`Session`] as `pcap`; every so often the [`Watch`] reports what has
//! settled; at the deadline, on Ctrl-C, or when the source fails, the
//! session ends and its analysis is the report.
//!
//! Every wait is bounded: the source returns within its read timeout
//! whether a frame came or not, so the stop flag and the deadline are
//! checked at least that often. Memory is what the session keeps (one
//! entry per IKE transmission), the reassembly pool (bounded), and the
//! watch's bounded memory of what it reported; frames themselves are not
//! kept. The session's working set is bounded for any duration
//! ([`crate::analyse::bounds`]): IKE SAs beyond it are summarised, and
//! their settled findings still reach the watch (as the summarised SAs').

#![forbid(unsafe_code)]

use std::io;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::analyse::live::{Event, Watch};
use crate::analyse::{Analysis, Options, Session};
use crate::capture::writer::PcapngWriter;
use crate::capture::{LinkType, Packet, PacketRef, Timestamp};
use crate::finding::{Code, Finding, Severity};

/// Live events kept for the report at the end (all are printed as they come).
pub const MAX_EVENTS_KEPT: usize = 10_000;

/// Shortest time between two looks at what has settled.
pub const POLL_EVERY: Duration = Duration::from_millis(250);
/// A look may take at most 1/`POLL_SHARE` of the time (it re-judges every
/// SA): on a busy server with many SAs the looks space out.
pub const POLL_SHARE: u32 = 20;

/// One captured frame, borrowed from the source until the next call.
#[derive(Debug, Clone, Copy)]
pub struct Frame<'a> {
    pub ts: Timestamp,
    pub data: &'a [u8],
    /// Length on the wire (more than `data.len()` when the snap length cut it).
    pub orig_len: u32,
}

/// Where frames come from.
pub trait FrameSource {
    /// The link type of every frame.
    fn link(&self) -> LinkType;
    /// The next frame, or `None` when the source's read timeout passed
    /// without one. Never blocks longer than that timeout.
    fn next(&mut self) -> Result<Option<Frame<'_>>, String>;
}

/// The wall clock, as capture timestamps (the kernel stamps frames with it).
pub trait WallClock {
    fn now(&self) -> Timestamp;
}

/// The system's wall clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl WallClock for SystemClock {
    fn now(&self) -> Timestamp {
        let d = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        Timestamp::from_secs_nanos(
            i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
            i64::from(d.subsec_nanos()),
        )
    }
}

/// Where the frames are written (`--write`).
pub trait Sink {
    fn frame(&mut self, f: &Frame<'_>) -> io::Result<()>;
    fn flush(&mut self) -> io::Result<()>;
}

impl<W: io::Write> Sink for PcapngWriter<W> {
    fn frame(&mut self, f: &Frame<'_>) -> io::Result<()> {
        self.write(f.ts, f.data, f.orig_len)
    }

    fn flush(&mut self) -> io::Result<()> {
        PcapngWriter::flush(self)
    }
}

/// Why the capture stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stopped {
    /// `--duration` ran out.
    Duration,
    /// Ctrl-C (or SIGTERM).
    Interrupted,
    /// Reading from the interface failed (it went down, ...).
    SourceFailed(String),
    /// Writing the `--write` file failed (disk full, ...).
    WriteFailed(String),
    /// Printing a live line failed (the reader of stdout went away).
    OutputFailed(String),
}

impl Stopped {
    /// The word for JSON: `duration`, `interrupted`, `source-error`,
    /// `write-error`, `output-error`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Stopped::Duration => "duration",
            Stopped::Interrupted => "interrupted",
            Stopped::SourceFailed(_) => "source-error",
            Stopped::WriteFailed(_) => "write-error",
            Stopped::OutputFailed(_) => "output-error",
        }
    }
}

/// What the loop needs besides the source.
pub struct Run<'a> {
    pub options: Options,
    /// Stop after this long (`--duration`); `None`: until interrupted.
    pub duration: Option<Duration>,
    /// Set by the Ctrl-C handler.
    pub stop: &'a AtomicBool,
    pub clock: &'a dyn WallClock,
    /// Called for each live event with the seconds since the start.
    pub on_event: &'a mut dyn FnMut(&Event, f64) -> io::Result<()>,
}

/// What the capture saw.
#[derive(Debug)]
pub struct Outcome {
    pub analysis: Analysis,
    pub started: Timestamp,
    pub ended: Timestamp,
    pub frames: u64,
    pub stopped: Stopped,
    /// The events reported live, with the seconds since the start (the
    /// first [`MAX_EVENTS_KEPT`]).
    pub events: Vec<(f64, Event)>,
    /// Events printed but not kept.
    pub events_omitted: u64,
}

/// Runs the capture until the deadline, the stop flag or a failure.
pub fn run(source: &mut dyn FrameSource, mut sink: Option<&mut dyn Sink>, run: Run<'_>) -> Outcome {
    let mut session = Session::new(run.options);
    session.declare_interfaces(0, 1);
    let mut watch = Watch::new();
    let link = source.link();
    let started = run.clock.now();
    let deadline = run
        .duration
        .and_then(|d| i64::try_from(d.as_nanos()).ok())
        .map(|n| Timestamp(started.0.saturating_add(n)));
    let mut frames = 0u64;
    let mut events = Vec::new();
    let mut events_omitted = 0u64;
    let mut next_poll = started;
    let stopped = loop {
        if run.stop.load(Ordering::Relaxed) {
            break Stopped::Interrupted;
        }
        let now = run.clock.now();
        if deadline.is_some_and(|d| now >= d) {
            break Stopped::Duration;
        }
        match source.next() {
            Ok(Some(f)) => {
                frames += 1;
                if let Some(s) = sink.as_deref_mut()
                    && let Err(e) = s.frame(&f)
                {
                    break Stopped::WriteFailed(e.to_string());
                }
                session.push(&Packet {
                    at: PacketRef {
                        file: 0,
                        frame: frames,
                    },
                    ts: f.ts,
                    link,
                    interface: 0,
                    mark: None,
                    data: f.data,
                    orig_len: f.orig_len,
                });
            }
            Ok(None) => {}
            Err(e) => break Stopped::SourceFailed(e),
        }
        let now = run.clock.now();
        if now >= next_poll {
            let took = Instant::now();
            let a = session.snapshot(now);
            let new = watch.poll(&a, now);
            drop(a);
            if let Some(s) = sink.as_deref_mut()
                && let Err(e) = s.flush()
            {
                break Stopped::WriteFailed(e.to_string());
            }
            let since = now.secs_since(started);
            let mut failed = None;
            for e in new {
                if let Err(err) = (run.on_event)(&e, since) {
                    failed = Some(err.to_string());
                }
                if events.len() < MAX_EVENTS_KEPT {
                    events.push((since, e));
                } else {
                    events_omitted += 1;
                }
            }
            if let Some(err) = failed {
                break Stopped::OutputFailed(err);
            }
            let gap = POLL_EVERY.max(took.elapsed() * POLL_SHARE);
            next_poll = Timestamp(
                now.0
                    .saturating_add(i64::try_from(gap.as_nanos()).unwrap_or(i64::MAX)),
            );
        }
    };
    // Microseconds, as the pcapng file records it, so that `pcap` on the
    // file judges as of exactly the same moment.
    let ended = run.clock.now().max(started);
    let ended = Timestamp(ended.0 - ended.0.rem_euclid(1000));
    session.capture_ended(0, ended);
    Outcome {
        analysis: session.finish(),
        started,
        ended,
        frames,
        stopped,
        events,
        events_omitted,
    }
}

/// `capture-packets-dropped` when the capture lost `dropped` of the
/// packets it `received` for lack of buffer space (libpcap's `ps_drop`).
pub fn dropped_finding(dropped: u64, received: u64) -> Option<Finding> {
    if dropped == 0 {
        return None;
    }
    Some(
        Finding::new(
            Code::CapturePacketsDropped,
            Severity::Warn,
            format!(
                "the capture dropped {dropped} of {} packet(s) for lack of buffer space before the analysis saw them: a message missing from the analysis may have been sent",
                received.max(dropped)
            ),
        )
        .with("dropped", dropped)
        .with("received", received)
        .remedy("Capture where there is less traffic (the client rather than a busy server, or the VPN server's own interface only), or with the capture filter narrowed; then judge again. Findings that rest on a message never arriving (unanswered exchanges) are the ones a drop can fake."),
    )
}

#[cfg(test)]
mod tests;
