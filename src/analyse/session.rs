//! Frames in, analysis out: the capture pipeline feeding the analyser, for
//! callers that hold frames (capture files today, a live interface later).

use super::{Analyser, Analysis, Options};
use crate::capture::dedup::{self, ComponentCopies};
use crate::capture::pipeline::Pipeline;
use crate::capture::{Packet, Timestamp, Truncation};
use crate::finding::Finding;

/// One analysis over frames pushed in capture order (several files merged
/// in time order, see [`crate::capture::for_each_in_time_order`]): frames
/// -> component-copy filter ([`dedup`]) -> pipeline -> analyser.
pub struct Session {
    copies: ComponentCopies,
    pipeline: Pipeline,
    analyser: Analyser,
    /// When the reassembly pool is next asked to give up stale datagrams.
    next_expiry: Timestamp,
}

impl Session {
    pub fn new(opts: Options) -> Session {
        Session {
            copies: ComponentCopies::new(),
            pipeline: Pipeline::new(opts.ports, opts.defrag),
            analyser: Analyser::with_frag_timeout(opts.defrag.timeout_secs),
            next_expiry: Timestamp(i64::MIN),
        }
    }

    /// Says how many interfaces capture file `file` declares up front (from
    /// [`crate::capture::CaptureReader::interfaces_declared`]), so copies of
    /// one packet on two of them can be recognised.
    pub fn declare_interfaces(&mut self, file: u16, interfaces: usize) {
        self.copies.declare_interfaces(file, interfaces);
    }

    /// Feeds one frame.
    #[inline]
    pub fn push(&mut self, p: &Packet<'_>) {
        if self.copies.is_copy(&dedup::Frame::of(p)) {
            return;
        }
        self.analyser.clock(p.at.file, p.ts);
        let analyser = &mut self.analyser;
        // Once a second of capture time the pool gives up datagrams whose
        // fragments stopped coming, even when no further fragment arrives:
        // their IKE SA then learns of them within the reassembly timeout.
        if p.ts >= self.next_expiry {
            self.next_expiry = p.ts.plus_secs(1);
            self.pipeline.expire(p.ts, &mut |d| analyser.push(&d));
        }
        self.pipeline.push(p, &mut |d| analyser.push(&d));
    }

    /// Notes that a file ended early.
    pub fn file_truncated(&mut self, file: &str, t: &Truncation) {
        self.analyser.file_truncated(file, t);
    }

    /// Findings that are settled with the clock at `now` (see
    /// [`super::live`]; datagrams still being reassembled are given up only
    /// after the reassembly timeout).
    pub fn certain(&mut self, now: Timestamp) -> Vec<Finding> {
        let analyser = &mut self.analyser;
        self.pipeline.expire(now, &mut |d| analyser.push(&d));
        self.analyser.certain(now)
    }

    /// The facts so far as if the capture ended at `now` (see
    /// [`Analyser::snapshot`]); datagrams still being reassembled are
    /// given up only after the reassembly timeout.
    pub fn snapshot(&mut self, now: Timestamp) -> Analysis {
        let analyser = &mut self.analyser;
        self.pipeline.expire(now, &mut |d| analyser.push(&d));
        self.analyser.snapshot(now)
    }

    /// Capture file `file` kept running until `at`, after its last frame (a
    /// live capture stopped, or a pcapng `isb_endtime`): exchanges are
    /// judged as of then.
    pub fn capture_ended(&mut self, file: u16, at: Timestamp) {
        self.analyser.clock(file, at);
    }

    /// The capture ended: flushes reassembly and returns the analysis.
    pub fn finish(mut self) -> Analysis {
        let analyser = &mut self.analyser;
        self.pipeline.finish(&mut |d| analyser.push(&d));
        let mut capture = self.pipeline.stats();
        capture.component_copies = self.copies.copies();
        self.analyser.finish(capture)
    }
}
