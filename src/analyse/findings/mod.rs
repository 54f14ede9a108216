//! From capture facts to findings: what went wrong, the packets that show
//! it, and what the admin changes. One small producer per code or family
//! (each unit-tested on facts in `tests/`); [`derive()`] runs them in an
//! order that puts causes before consequences (lost fragments before the
//! unanswered IKE_AUTH they caused), then sorts worst first.

mod capture;
mod evidence;
mod exchanges;
mod fragments;
pub mod limit;
mod negotiation;
mod remedy;

pub use capture::duplicate_capture;

use super::Analysis;
use super::exchange::{self, Exchange, Status};
use super::point::{self, CapturePoint};
use super::sa::{IkeSa, Spi};
use crate::capture::Timestamp;
use crate::finding::Finding;
use limit::FindingLimit;

/// Every finding of an analysis, worst first: at most
/// [`limit::MAX_PER_CODE`] per code listed (those of the SAs kept in full
/// first, then those of the summarised SAs), the rest counted in one more
/// finding per code.
pub fn derive(a: &Analysis) -> Vec<Finding> {
    let mut listed = FindingLimit::default();
    for (_, f) in in_producer_order(a) {
        listed.add(f);
    }
    listed.merge(a.summarised_findings.clone());
    listed.into_findings()
}

/// What a finding is about: the capture as a whole, one IKE SA kept in full
/// (by its initiator SPI), or the SAs summarised out of the working set
/// (their findings listed by code, see `analyse::retire`). A live capture
/// uses it to tell a finding it already reported from a new one of the
/// same code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Subject {
    Capture,
    Sa(Spi),
    Summarised,
}

/// Every finding with its subject, not capped per code (at most
/// [`super::bounds::MAX_SAS`] SAs in full produce them), worst first and
/// in the producers' order among equals; the summarised SAs' findings as
/// [`FindingLimit`] lists them. [`derive()`] is this, capped per code.
pub fn derive_by_subject(a: &Analysis) -> Vec<(Subject, Finding)> {
    let mut both = in_producer_order(a);
    if !a.summarised_findings.is_empty() {
        let summarised = a.summarised_findings.clone().into_findings();
        both.extend(summarised.into_iter().map(|f| (Subject::Summarised, f)));
    }
    // Worst first, keeping the producers' order among equals (as
    // `sort_by_severity` does).
    both.sort_by_key(|(_, f)| std::cmp::Reverse(f.severity));
    both
}

/// The findings of the capture and of the SAs kept in full, with their
/// subjects, in the order causes come before consequences.
fn in_producer_order(a: &Analysis) -> Vec<(Subject, Finding)> {
    let mut both: Vec<(Subject, Finding)> = Vec::new();
    let mut out = Vec::new();
    capture::truncated(a, &mut out);
    capture::no_ike_traffic(a, &mut out);
    capture::ike_not_in_capture(a, &mut out);
    capture::ikev1_traffic(a, &mut out);
    both.extend(out.drain(..).map(|f| (Subject::Capture, f)));
    for sa in &a.sas {
        both.extend(
            for_sa(a, sa)
                .into_iter()
                .map(|f| (Subject::Sa(sa.spi_i), f)),
        );
    }
    fragments::unattributed(a, &mut out);
    capture::icmp_too_big(a, &mut out);
    capture::sas_summarised(a, &mut out);
    both.extend(out.drain(..).map(|f| (Subject::Capture, f)));
    both
}

/// The findings of one IKE SA (its transmissions linked), in the order
/// causes come before consequences.
pub(crate) fn for_sa(a: &Analysis, sa: &IkeSa) -> Vec<Finding> {
    let mut out = Vec::new();
    let view = SaView::new(a, sa);
    fragments::lost(&view, &mut out);
    negotiation::cleartext_errors(&view, &mut out);
    negotiation::cookie_requested(&view, &mut out);
    exchanges::sa_init_unanswered(&view, &mut out);
    negotiation::fragmentation(&view, &mut out);
    negotiation::nat(&view, &mut out);
    fragments::too_many_ike_fragments(&view, &mut out);
    fragments::ip_fragmented(&view, &mut out);
    fragments::out_of_order(&view, &mut out);
    exchanges::ike_auth(&view, &mut out);
    exchanges::response_lost(&view, &mut out);
    exchanges::in_progress(&view, &mut out);
    negotiation::auth_failed_by_size(&view, &mut out);
    out
}

/// One SA with what the producers ask of it: its exchanges and their
/// status at the end of the capture, and where each file was taken.
pub(crate) struct SaView<'a> {
    pub a: &'a Analysis,
    pub sa: &'a IkeSa,
    pub exchanges: Vec<(Exchange<'a>, Status)>,
    points: Vec<(u16, CapturePoint)>,
}

impl<'a> SaView<'a> {
    pub fn new(a: &'a Analysis, sa: &'a IkeSa) -> SaView<'a> {
        let exchanges = exchange::judged(a, sa);
        let points = sa
            .files()
            .into_iter()
            .map(|f| (f, point::capture_point(sa, f)))
            .collect();
        SaView {
            a,
            sa,
            exchanges,
            points,
        }
    }

    /// Where capture file `file` was taken, as this SA's packets show it.
    pub fn point(&self, file: u16) -> CapturePoint {
        self.points
            .iter()
            .find(|(f, _)| *f == file)
            .map(|(_, p)| *p)
            .unwrap_or_else(|| point::capture_point(self.sa, file))
    }

    /// Seconds since the first frame of the analysis.
    pub fn rel(&self, ts: Timestamp) -> f64 {
        evidence::round3(self.a.rel(ts))
    }
}

#[cfg(test)]
mod tests;
