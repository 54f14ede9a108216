//! The working set of IKE SAs: at most [`MAX_SAS`] in full, holding at most
//! [`MAX_KEPT_TRANSMISSIONS`] transmissions and [`MAX_KEPT_LOST`] lost
//! datagrams together; when another one arrives, the least telling SA is
//! summarised (per peer and outcome,
//! [`super::summary`]) and its findings are counted by code
//! ([`super::findings::limit`]), so the verdict still sees it.
//!
//! Which SA leaves: never one of the first [`KEEP_FIRST_SAS`]; otherwise
//! the lowest class, the least recently active within a class:
//!
//! 0. settled (nothing can change any more) and no `warn` or `fail`;
//! 1. still active, established (IKE_AUTH answered or ESP), no `warn`/`fail`;
//! 2. still in setup, no `warn`/`fail` so far;
//! 3. with a `warn` finding, or of a peer that has a failing SA;
//! 4. with a `fail` finding.
//!
//! So failing SAs, the SAs of peers with failures, the first ones and the
//! most recent ones stay in full. An SA is *settled* once it has been
//! silent for longer than both the in-progress window and the reassembly
//! timeout (a lost datagram of it may still be given up until then).
//!
//! An SA that must leave while one of its exchanges is still within the
//! in-progress window (a flood: more than [`MAX_SAS`] new SAs inside
//! 5 seconds) is judged twice: as if the capture ended now (in progress)
//! and as if it stayed silent (unanswered). Findings both judgements share
//! are counted at once; the others wait in bins of 250 ms by deadline
//! until the capture shows which one happened (its clock passes the
//! deadline, or it ends before).

use std::collections::{HashSet, VecDeque};
use std::net::IpAddr;

use super::bounds::{
    KEEP_FIRST_SAS, MAX_KEPT_LOST, MAX_KEPT_TRANSMISSIONS, MAX_SA_NOTES, MAX_SAS, REMEMBERED_SPIS,
};
use super::exchange::IN_PROGRESS_WINDOW_SECS;
use super::findings::limit::FindingLimit;
use super::findings::{self};
use super::message;
use super::sa::{AnswerElsewhere, Spi};
use super::{Analyser, FileSpan};
use crate::capture::Timestamp;
use crate::finding::{Code, Finding, Severity};
use crate::wire::ike::ExchangeType;

/// Width of a pending bin.
const BIN_NANOS: i64 = 250_000_000;
/// Pending bins kept (20 per capture file cover the window); beyond this
/// the oldest is taken as settled.
const MAX_BINS: usize = 64;
/// Findings listed per code in a pending bin.
const BIN_EXAMPLES: usize = 2;

/// Working-set bookkeeping of one SA (parallel to the analyser's SAs).
#[derive(Debug, Clone)]
pub(super) struct Slot {
    /// Creation order.
    pub seq: u64,
    /// Last IKE message, lost datagram or held IP fragment of this SA.
    pub last_seen: Timestamp,
    /// Last IKE message or lost datagram per capture file.
    pub last_by_file: Vec<(u16, Timestamp)>,
    /// The class, and whether the SA was quiet and settled when it was
    /// computed; `None` after a change.
    class: Option<(u8, bool, bool)>,
}

impl Slot {
    pub fn new(seq: u64) -> Slot {
        Slot {
            seq,
            last_seen: Timestamp(i64::MIN),
            last_by_file: Vec::new(),
            class: None,
        }
    }

    /// A message or lost datagram of this SA from `file` at `ts`.
    pub fn touch(&mut self, file: u16, ts: Timestamp) {
        self.last_seen = self.last_seen.max(ts);
        match self.last_by_file.iter_mut().find(|(f, _)| *f == file) {
            Some((_, t)) => *t = (*t).max(ts),
            None => self.last_by_file.push((file, ts)),
        }
        self.class = None;
    }

    /// An IP fragment between this SA's peers was held for reassembly.
    pub fn held(&mut self, now: Timestamp) {
        self.last_seen = self.last_seen.max(now);
    }

    /// Something changed that may change its findings (ESP began).
    pub fn changed(&mut self) {
        self.class = None;
    }
}

/// What the working set keeps beside the SAs.
#[derive(Debug, Clone, Default)]
pub(super) struct Retired {
    /// SAs created so far.
    pub created: u64,
    /// Transmissions and lost datagrams kept over the SAs in full.
    pub kept_transmissions: usize,
    pub kept_lost: usize,
    /// Seconds of silence after which nothing more can arrive for an SA
    /// (the in-progress window, or the reassembly timeout and a second for
    /// the pool's sweep when that is longer).
    pub settle_secs: i64,
    spis: HashSet<Spi>,
    spi_order: VecDeque<Spi>,
    bins: Vec<Bin>,
}

/// Findings of SAs summarised before they settled, whose deadline falls
/// in one 250 ms slot of one capture file.
#[derive(Debug, Clone)]
struct Bin {
    file: u16,
    slot: i64,
    /// The latest deadline in the bin.
    deadline: Timestamp,
    /// The findings if the capture ends before the deadline.
    ended: FindingLimit,
    /// The findings if it goes on past the deadline (silence settles it).
    silent: FindingLimit,
}

impl Retired {
    pub fn new(frag_timeout_secs: i64) -> Retired {
        Retired {
            settle_secs: IN_PROGRESS_WINDOW_SECS.max(frag_timeout_secs.saturating_add(2)),
            ..Retired::default()
        }
    }

    /// Whether `spi` belonged to an SA summarised earlier.
    pub fn remembers(&self, spi: &Spi) -> bool {
        self.spis.contains(spi)
    }

    fn remember(&mut self, spi: Spi) {
        if self.spi_order.len() >= REMEMBERED_SPIS
            && let Some(old) = self.spi_order.pop_front()
        {
            self.spis.remove(&old);
        }
        if self.spis.insert(spi) {
            self.spi_order.push_back(spi);
        }
    }

    fn pend(
        &mut self,
        file: u16,
        deadline: Timestamp,
        ended: Vec<Finding>,
        silent: Vec<Finding>,
        settled: &mut FindingLimit,
    ) {
        let slot = deadline.0.div_euclid(BIN_NANOS);
        let have = self.bins.iter().any(|b| b.file == file && b.slot == slot);
        if !have && self.bins.len() >= MAX_BINS {
            // The earliest deadline is the likeliest to have passed.
            if let Some(i) =
                (0..self.bins.len()).min_by_key(|&i| self.bins.get(i).map(|b| b.deadline))
            {
                let old = self.bins.swap_remove(i);
                settled.merge(old.silent);
            }
        }
        if !have {
            self.bins.push(Bin {
                file,
                slot,
                deadline,
                ended: FindingLimit::new(BIN_EXAMPLES),
                silent: FindingLimit::new(BIN_EXAMPLES),
            });
        }
        if let Some(b) = self
            .bins
            .iter_mut()
            .find(|b| b.file == file && b.slot == slot)
        {
            b.deadline = b.deadline.max(deadline);
            for f in ended {
                b.ended.add(f);
            }
            for f in silent {
                b.silent.add(f);
            }
        }
    }

    /// Settles the bins whose deadline the capture of their file has
    /// passed: those SAs stayed silent.
    pub fn settle(&mut self, files: &[Option<FileSpan>], into: &mut FindingLimit) {
        let (done, open): (Vec<Bin>, Vec<Bin>) = std::mem::take(&mut self.bins)
            .into_iter()
            .partition(|b| end_of(files, b.file).is_some_and(|end| end >= b.deadline));
        self.bins = open;
        for b in done {
            into.merge(b.silent);
        }
    }

    /// The capture ended: bins whose deadline it reached settle as silent,
    /// the others as cut off by the end.
    pub fn finish(&mut self, files: &[Option<FileSpan>], into: &mut FindingLimit) {
        self.settle(files, into);
        for b in std::mem::take(&mut self.bins) {
            into.merge(b.ended);
        }
    }

    /// The findings of bins already settled if the capture went on to the
    /// ends in `files` (for [`Analyser::certain`], which must not change
    /// the analyser).
    pub fn settled_by(&self, files: &[Option<FileSpan>], into: &mut FindingLimit) {
        for b in &self.bins {
            if end_of(files, b.file).is_some_and(|end| end >= b.deadline) {
                into.merge(b.silent.clone());
            }
        }
    }
}

fn end_of(files: &[Option<FileSpan>], file: u16) -> Option<Timestamp> {
    files
        .get(usize::from(file))
        .copied()
        .flatten()
        .map(|s| s.last)
}

/// The worst severity among findings, as a number (0 none, 1 info, 2 warn,
/// 3 fail).
fn worst(fs: &[Finding]) -> u8 {
    fs.iter()
        .map(|f| match f.severity {
            Severity::Info => 1,
            Severity::Warn => 2,
            Severity::Fail => 3,
        })
        .max()
        .unwrap_or(0)
}

/// Splits two judgements of one SA into the findings both share (taken
/// from `silent`), those only `ended` has, and those only `silent` has;
/// findings match by code and severity.
fn split(ended: Vec<Finding>, silent: Vec<Finding>) -> (Vec<Finding>, Vec<Finding>, Vec<Finding>) {
    let mut ended: Vec<Option<Finding>> = ended.into_iter().map(Some).collect();
    let (mut both, mut only_silent) = (Vec::new(), Vec::new());
    for f in silent {
        let twin = ended.iter_mut().find(|e| {
            e.as_ref()
                .is_some_and(|e| e.code == f.code && e.severity == f.severity)
        });
        match twin {
            Some(e) => {
                *e = None;
                both.push(f);
            }
            None => only_silent.push(f),
        }
    }
    (both, ended.into_iter().flatten().collect(), only_silent)
}

impl Analyser {
    /// Where SA `idx` is after making room for one more transmission of it
    /// when the working set holds [`MAX_KEPT_TRANSMISSIONS`].
    pub(super) fn room_for_transmission(&mut self, idx: usize) -> usize {
        if self.retired.kept_transmissions < MAX_KEPT_TRANSMISSIONS {
            return idx;
        }
        self.make_room(Some(idx)).unwrap_or(idx)
    }

    /// Where SA `idx` is after making room for one more lost datagram of it
    /// when the working set holds [`MAX_KEPT_LOST`].
    pub(super) fn room_for_lost(&mut self, idx: usize) -> usize {
        if self.retired.kept_lost < MAX_KEPT_LOST {
            return idx;
        }
        self.make_room(Some(idx)).unwrap_or(idx)
    }

    /// Whether every exchange of SA `i` is past the in-progress window at
    /// the end of each file it was seen in so far.
    fn quiet(&self, i: usize) -> bool {
        let Some(slot) = self.slots.get(i) else {
            return true;
        };
        slot.last_by_file.iter().all(|&(file, last)| {
            self.a
                .end_of(file)
                .is_some_and(|end| end >= last.plus_secs(IN_PROGRESS_WINDOW_SECS))
        })
    }

    /// Whether nothing more can arrive for SA `i` (quiet, and silent for
    /// longer than the reassembly timeout).
    fn settled(&self, i: usize) -> bool {
        let Some(slot) = self.slots.get(i) else {
            return true;
        };
        self.quiet(i) && self.now >= slot.last_seen.plus_secs(self.retired.settle_secs)
    }

    /// The findings of SA `i` as the capture stands.
    fn judge(&mut self, i: usize) -> Vec<Finding> {
        if let Some(sa) = self.a.sas.get_mut(i) {
            message::link(&mut sa.transmissions);
        }
        match self.a.sas.get(i) {
            Some(sa) => findings::for_sa(&self.a, sa),
            None => Vec::new(),
        }
    }

    /// The findings of SA `i` if it stays silent until the in-progress
    /// window has passed in every file it was seen in.
    fn judge_silent(&mut self, i: usize) -> Vec<Finding> {
        let Some(slot) = self.slots.get(i) else {
            return Vec::new();
        };
        let saved = self.a.files.clone();
        for &(file, last) in &slot.last_by_file {
            if let Some(Some(span)) = self.a.files.get_mut(usize::from(file)) {
                span.last = span.last.max(last.plus_secs(IN_PROGRESS_WINDOW_SECS));
            }
        }
        let out = self.judge(i);
        self.a.files = saved;
        out
    }

    /// The class of SA `i` (see the module doc), cached until it changes.
    fn class(&mut self, i: usize) -> u8 {
        let quiet = self.quiet(i);
        let settled = self.settled(i);
        if let Some(Some((c, q, s))) = self.slots.get(i).map(|s| s.class)
            && q == quiet
            && s == settled
        {
            return c;
        }
        let worst = worst(&self.judge(i));
        let class = match worst {
            3 => 4,
            2 => 3,
            _ if settled => 0,
            _ if self.a.sas.get(i).is_some_and(super::summary::established) => 1,
            _ => 2,
        };
        if let Some(slot) = self.slots.get_mut(i) {
            slot.class = Some((class, quiet, settled));
        }
        class
    }

    /// Makes room: summarises the least telling SA other than `keep`, and
    /// returns where `keep` is afterwards (the working set is unordered).
    pub(super) fn make_room(&mut self, keep: Option<usize>) -> Option<usize> {
        let mut settled = std::mem::take(&mut self.a.summarised_findings);
        self.retired.settle(&self.a.files, &mut settled);
        self.a.summarised_findings = settled;
        let classes: Vec<u8> = (0..self.a.sas.len()).map(|i| self.class(i)).collect();
        let pinned = |i: usize| {
            Some(i) == keep
                || self
                    .slots
                    .get(i)
                    .is_none_or(|s| s.seq < KEEP_FIRST_SAS as u64)
        };
        let lowest = (0..classes.len())
            .filter(|&i| !pinned(i))
            .filter_map(|i| classes.get(i).copied())
            .min()
            .unwrap_or(4);
        // Peers with a failing SA keep their other SAs in full too.
        let failing: HashSet<IpAddr> = if lowest < 3 {
            self.a
                .sas
                .iter()
                .zip(&classes)
                .filter(|(_, c)| **c == 4)
                .map(|(sa, _)| sa.initiator.ip())
                .collect()
        } else {
            HashSet::new()
        };
        let victim = (0..self.a.sas.len())
            .filter(|&i| !pinned(i))
            .min_by_key(|&i| {
                let mut class = classes.get(i).copied().unwrap_or(4);
                if class < 3
                    && self
                        .a
                        .sas
                        .get(i)
                        .is_some_and(|sa| failing.contains(&sa.initiator.ip()))
                {
                    class = 3;
                }
                let slot = self.slots.get(i);
                (class, slot.map(|s| s.last_seen), slot.map(|s| s.seq))
            });
        let Some(i) = victim else {
            return keep;
        };
        self.summarise(i);
        // The last SA took the victim's place.
        keep.map(|k| if k == self.a.sas.len() { i } else { k })
    }

    /// Takes SA `i` out of the working set into the summary.
    fn summarise(&mut self, i: usize) {
        let quiet = self.quiet(i);
        let now = self.judge(i);
        // Only an exchange in progress can end otherwise when the capture
        // goes on (its in-progress finding says so); without one, silence
        // changes nothing.
        let open = now.iter().any(|f| f.code == Code::ExchangeInProgress);
        let (both, ended, silent) = if quiet || !open {
            (now, Vec::new(), Vec::new())
        } else {
            let silent = self.judge_silent(i);
            split(now, silent)
        };
        // Failed for certain: a fail both judgements share.
        let failed = worst(&both) == 3;
        let Some(slot) = self.slots.get(i).cloned() else {
            return;
        };
        if let Some(sa) = self.a.sas.get(i) {
            self.a.summarised.add(sa, failed, quiet);
            self.retired.remember(sa.spi_i);
        }
        self.leave_answers(i);
        for f in both {
            self.a.summarised_findings.add(f);
        }
        if !ended.is_empty() || !silent.is_empty() {
            let (file, last) = slot
                .last_by_file
                .iter()
                .copied()
                .max_by_key(|(_, t)| *t)
                .unwrap_or((0, slot.last_seen));
            let deadline = last.plus_secs(IN_PROGRESS_WINDOW_SECS);
            let mut settled = std::mem::take(&mut self.a.summarised_findings);
            self.retired
                .pend(file, deadline, ended, silent, &mut settled);
            self.a.summarised_findings = settled;
        }
        self.remove(i);
    }

    /// SA `i` leaves: the IKE_SA_INIT answers it got stay with the SAs in
    /// full whose own IKE_SA_INIT to the same responder is not answered, so
    /// `ike-sa-init-refused-for-peer` still sees them.
    fn leave_answers(&mut self, i: usize) {
        let Some(gone) = self.a.sas.get(i) else {
            return;
        };
        if !gone.negotiated() {
            return;
        }
        let answers: Vec<AnswerElsewhere> = gone
            .responses(ExchangeType::IKE_SA_INIT)
            .filter(|r| r.same_as.is_none())
            .map(|r| AnswerElsewhere {
                initiator: gone.initiator,
                file: r.file,
                at: r.first_ts,
            })
            .collect();
        let (responder, initiator) = (gone.responder, gone.initiator);
        for (j, sa) in self.a.sas.iter_mut().enumerate() {
            if j == i || sa.responder != responder || sa.initiator == initiator || sa.negotiated() {
                continue;
            }
            // Only answers from the window before its first request on
            // can count (the window's end moves with its retransmissions).
            let Some(since) = sa
                .requests(ExchangeType::IKE_SA_INIT)
                .map(|t| t.first_ts)
                .min()
                .map(|t| t.plus_secs(-IN_PROGRESS_WINDOW_SECS))
            else {
                continue;
            };
            for a in answers.iter().filter(|a| a.at >= since) {
                if sa.answers_elsewhere.len() < MAX_SA_NOTES {
                    sa.answers_elsewhere.push(*a);
                }
            }
        }
    }

    /// Removes SA `i` from the working set (the last one takes its place).
    fn remove(&mut self, i: usize) {
        if i >= self.a.sas.len() {
            return;
        }
        let gone = self.a.sas.swap_remove(i);
        self.slots.swap_remove(i);
        self.retired.kept_transmissions = self
            .retired
            .kept_transmissions
            .saturating_sub(gone.transmissions.len());
        self.retired.kept_lost = self.retired.kept_lost.saturating_sub(gone.lost.len());
        self.by_spi.remove(&gone.spi_i);
        if let Some(moved) = self.a.sas.get(i) {
            self.by_spi.insert(moved.spi_i, i);
        }
    }

    /// The creation number of a new SA, after making room when the
    /// working set is full.
    pub(super) fn admit(&mut self) -> u64 {
        if self.a.sas.len() >= MAX_SAS {
            self.make_room(None);
        }
        let seq = self.retired.created;
        self.retired.created += 1;
        seq
    }
}

#[cfg(test)]
mod tests;
