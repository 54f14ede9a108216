use std::cell::Cell;
use std::path::Path;
use std::rc::Rc;

use super::*;
use crate::analyse::live::Event;
use crate::capture::CaptureReader;
use crate::capture::writer::EndOfCapture;
use crate::finding::{Code, Finding};

/// How long the replayed source waits for a frame before it gives up.
const READ_TIMEOUT_NS: i64 = 100_000_000;

/// A clock the replayed source moves.
struct Clock(Rc<Cell<Timestamp>>);

impl WallClock for Clock {
    fn now(&self) -> Timestamp {
        self.0.get()
    }
}

/// A fixture replayed as an interface would deliver it: each frame when the
/// clock reaches its time; between frames and after the last, read timeouts
/// that move the clock on.
struct Replay {
    link: LinkType,
    frames: Vec<(Timestamp, Vec<u8>, u32)>,
    next: usize,
    clock: Rc<Cell<Timestamp>>,
    fail_after: Option<usize>,
}

impl Replay {
    fn fixture(name: &str) -> Replay {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures")
            .join(name);
        let file = std::fs::File::open(path).unwrap();
        let mut r = CaptureReader::new(name, 0, file).unwrap();
        let mut frames = Vec::new();
        let mut link = LinkType::ETHERNET;
        while let Some(p) = r.peek().unwrap() {
            link = p.link;
            frames.push((p.ts, p.data.to_vec(), p.orig_len));
            r.advance();
        }
        let start = Timestamp(frames[0].0.0 - 500_000_000);
        Replay {
            link,
            frames,
            next: 0,
            clock: Rc::new(Cell::new(start)),
            fail_after: None,
        }
    }

    fn span_secs(&self) -> f64 {
        self.frames.last().unwrap().0.secs_since(self.clock.get())
    }
}

impl FrameSource for Replay {
    fn link(&self) -> LinkType {
        self.link
    }

    fn next(&mut self) -> Result<Option<Frame<'_>>, String> {
        if self.fail_after == Some(self.next) {
            return Err("the interface went down".into());
        }
        let now = self.clock.get();
        match self.frames.get(self.next) {
            Some((ts, data, orig_len)) if ts.0 <= now.0 + READ_TIMEOUT_NS => {
                self.clock.set(now.max(*ts));
                self.next += 1;
                Ok(Some(Frame {
                    ts: *ts,
                    data,
                    orig_len: *orig_len,
                }))
            }
            _ => {
                self.clock.set(Timestamp(now.0 + READ_TIMEOUT_NS));
                Ok(None)
            }
        }
    }
}

fn capture(
    source: &mut Replay,
    sink: Option<&mut dyn Sink>,
    duration: Duration,
    stop: &AtomicBool,
) -> Outcome {
    let clock = Clock(source.clock.clone());
    let mut seen = |_: &Event, _: f64| Ok(());
    let r = Run {
        options: Options::default(),
        duration: Some(duration),
        stop,
        clock: &clock,
        on_event: &mut seen,
    };
    super::run(source, sink, r)
}

fn shown(findings: &[Finding]) -> Vec<String> {
    findings
        .iter()
        .map(|f| format!("{} {} {}", f.severity.as_str(), f.code, f.summary))
        .collect()
}

/// What `aovpn-diag pcap` says about a pcapng file.
fn pcap_of(bytes: Vec<u8>) -> Analysis {
    let mut r = CaptureReader::new("out.pcapng", 0, std::io::Cursor::new(bytes)).unwrap();
    let mut s = Session::new(Options::default());
    let _ = r.peek();
    s.declare_interfaces(0, r.interfaces_declared());
    while let Some(p) = r.peek().unwrap() {
        s.push(&p);
        r.advance();
    }
    if let Some(end) = r.capture_end() {
        s.capture_ended(0, end);
    }
    s.finish()
}

#[test]
fn a_failing_attempt_is_reported_while_it_runs_and_the_written_file_says_the_same() {
    let mut src = Replay::fixture("ike-frags-dropped-809-client.pcapng");
    let duration = Duration::from_secs_f64(src.span_secs() + 10.0);
    let mut w = PcapngWriter::new(Vec::new(), src.link, 65535, "aovd-cr").unwrap();
    let stop = AtomicBool::new(false);
    let out = capture(&mut src, Some(&mut w), duration, &stop);
    assert_eq!(out.stopped, Stopped::Duration);
    assert_eq!(out.frames, src.frames.len() as u64);
    let bytes = w
        .finish(EndOfCapture {
            end: out.ended,
            ..EndOfCapture::default()
        })
        .unwrap();

    // The unanswered IKE_AUTH is reported when its third sending goes
    // unanswered, long before the capture ends.
    let (when, _) = out
        .events
        .iter()
        .find(|(_, e)| matches!(e, Event::Finding(f) if f.code == Code::IkeAuthUnanswered))
        .expect("ike-auth-unanswered reported live");
    assert!(*when < duration.as_secs_f64() - 5.0, "reported at {when} s");
    // Each exchange once, when its outcome was known.
    let lines: Vec<String> = out
        .events
        .iter()
        .filter_map(|(_, e)| match e {
            Event::Exchange(x) => Some(format!("{} {:?}", x.key.exchange, x.status)),
            Event::Finding(_) => None,
        })
        .collect();
    assert_eq!(lines, vec!["IKE_SA_INIT Answered", "IKE_AUTH Unanswered"]);

    // The report at the end is what `pcap` says about the written file.
    let again = pcap_of(bytes);
    assert_eq!(shown(&out.analysis.findings), shown(&again.findings));
    assert!(
        out.analysis
            .findings
            .iter()
            .any(|f| f.code == Code::IkeAuthUnanswered)
    );
    assert_eq!(out.analysis.capture.packets, again.capture.packets);
}

#[test]
fn an_answered_attempt_reports_its_exchanges_and_no_failure() {
    let mut src = Replay::fixture("ike-skf-success-client.pcapng");
    let duration = Duration::from_secs_f64(src.span_secs() + 8.0);
    let stop = AtomicBool::new(false);
    let out = capture(&mut src, None, duration, &stop);
    assert_eq!(out.stopped, Stopped::Duration);
    assert!(
        out.events
            .iter()
            .all(|(_, e)| !matches!(e, Event::Finding(f) if f.severity == crate::Severity::Fail)),
        "{:?}",
        out.events
    );
    assert!(out.events.iter().any(
        |(_, e)| matches!(e, Event::Exchange(x) if x.key.exchange == crate::wire::ike::ExchangeType::IKE_AUTH)
    ));
    assert!(crate::Verdict::from_findings(&out.analysis.findings) == crate::Verdict::Ok);
}

#[test]
fn ctrl_c_stops_at_once_and_still_gives_the_analysis() {
    let mut src = Replay::fixture("ike-frags-dropped-809-client.pcapng");
    let stop = AtomicBool::new(true);
    let out = capture(&mut src, None, Duration::from_secs(3600), &stop);
    assert_eq!(out.stopped, Stopped::Interrupted);
    assert_eq!(out.frames, 0);
    assert!(
        out.analysis
            .findings
            .iter()
            .any(|f| f.code == Code::NoIkeTraffic)
    );
}

#[test]
fn a_failing_interface_ends_the_capture_with_what_was_seen() {
    let mut src = Replay::fixture("ike-frags-dropped-809-client.pcapng");
    src.fail_after = Some(4);
    let stop = AtomicBool::new(false);
    let out = capture(&mut src, None, Duration::from_secs(3600), &stop);
    assert_eq!(
        out.stopped,
        Stopped::SourceFailed("the interface went down".into())
    );
    assert_eq!(out.frames, 4);
    assert!(!out.analysis.sas.is_empty());
}

struct Full;

impl Sink for Full {
    fn frame(&mut self, _: &Frame<'_>) -> io::Result<()> {
        Err(io::Error::other("No space left on device"))
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[test]
fn a_write_error_stops_the_capture_and_says_why() {
    let mut src = Replay::fixture("ike-frags-dropped-809-client.pcapng");
    let stop = AtomicBool::new(false);
    let out = capture(&mut src, Some(&mut Full), Duration::from_secs(60), &stop);
    assert_eq!(
        out.stopped,
        Stopped::WriteFailed("No space left on device".into())
    );
    assert_eq!(out.frames, 1);
}

#[test]
fn dropped_packets_are_a_warning_only_when_there_were_some() {
    assert!(dropped_finding(0, 1000).is_none());
    let f = dropped_finding(12, 5000).unwrap();
    assert_eq!(f.code, Code::CapturePacketsDropped);
    assert_eq!(f.severity, crate::Severity::Warn);
    assert!(
        f.summary.contains("dropped 12 of 5000 packet(s)"),
        "{}",
        f.summary
    );
    assert_eq!(f.evidence["dropped"], 12);
}
