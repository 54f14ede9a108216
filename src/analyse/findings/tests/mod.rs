//! Each producer on facts built for it (see `analyse::testing`).

mod capture;
mod exchanges;
mod fragments;
mod negotiation;

use super::SaView;
use crate::analyse::Analysis;
use crate::finding::{Code, Finding, Severity};

/// What one per-SA producer says about the first SA of `a`.
pub fn per_sa(a: &Analysis, producer: fn(&SaView<'_>, &mut Vec<Finding>)) -> Vec<Finding> {
    let view = SaView::new(a, &a.sas[0]);
    let mut out = Vec::new();
    producer(&view, &mut out);
    out
}

/// The codes and severities of `findings`, in order.
pub fn codes(findings: &[Finding]) -> Vec<(Code, Severity)> {
    findings.iter().map(|f| (f.code, f.severity)).collect()
}

/// The finding with `code` (panics with the list when there is none).
pub fn find(findings: &[Finding], code: Code) -> &Finding {
    findings
        .iter()
        .find(|f| f.code == code)
        .unwrap_or_else(|| panic!("no {code} in {:#?}", codes(findings)))
}
