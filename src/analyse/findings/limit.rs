//! Findings that repeat are listed up to a limit per code and counted
//! beyond it: however many datagrams a capture loses or IKE SAs it floods,
//! the list holds at most [`MAX_PER_CODE`] findings of one code plus one
//! more that says how many were not listed (by severity), so the output
//! stays small and the verdict stays what all of them together say.

use std::collections::HashMap;

use super::evidence::thousands;
use crate::finding::{Code, Finding, Severity, sort_by_severity};

/// Findings of one code listed one by one (README "Bounds").
pub const MAX_PER_CODE: usize = 20;

/// What was not listed of one code.
#[derive(Debug, Clone, Default, PartialEq)]
struct Omitted {
    info: u64,
    warn: u64,
    fail: u64,
    /// The remedy of the first omitted finding (findings of one code share
    /// their advice).
    remedy: Option<String>,
}

impl Omitted {
    fn count(&mut self, s: Severity) -> &mut u64 {
        match s {
            Severity::Info => &mut self.info,
            Severity::Warn => &mut self.warn,
            Severity::Fail => &mut self.fail,
        }
    }

    fn sum(&self) -> u64 {
        self.info + self.warn + self.fail
    }
}

/// A bounded list of findings: at most `cap` per code kept (the worst
/// first: a `fail` displaces a listed `info` of the same code), the rest
/// counted by code and severity.
#[derive(Debug, Clone, PartialEq)]
pub struct FindingLimit {
    cap: usize,
    listed: Vec<Finding>,
    per_code: HashMap<Code, usize>,
    omitted: Vec<(Code, Omitted)>,
}

impl Default for FindingLimit {
    fn default() -> Self {
        FindingLimit::new(MAX_PER_CODE)
    }
}

impl FindingLimit {
    /// At most `cap` findings of one code listed.
    pub fn new(cap: usize) -> FindingLimit {
        FindingLimit {
            cap,
            listed: Vec::new(),
            per_code: HashMap::new(),
            omitted: Vec::new(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.listed.is_empty() && self.omitted.is_empty()
    }

    /// Findings of `code` seen in all, listed or not.
    pub fn total(&self, code: Code) -> u64 {
        let listed = self.per_code.get(&code).copied().unwrap_or(0) as u64;
        listed
            + self
                .omitted
                .iter()
                .filter(|(c, _)| *c == code)
                .map(|(_, o)| o.sum())
                .sum::<u64>()
    }

    /// Takes one finding: listed while its code has room, else counted;
    /// when full, a worse finding displaces the latest less severe one of
    /// its code.
    pub fn add(&mut self, f: Finding) {
        let n = self.per_code.entry(f.code).or_insert(0);
        if *n < self.cap {
            *n += 1;
            self.listed.push(f);
            return;
        }
        let weaker = self
            .listed
            .iter()
            .rposition(|l| l.code == f.code && l.severity < f.severity);
        let out = match weaker {
            Some(i) => {
                let old = self.listed.remove(i);
                self.listed.push(f);
                old
            }
            None => f,
        };
        self.omit(out.code, out.severity, 1, out.remedy);
    }

    /// Counts `n` findings of `code` at `severity` that are not listed.
    pub fn omit(&mut self, code: Code, severity: Severity, n: u64, remedy: Option<String>) {
        if n == 0 {
            return;
        }
        if !self.omitted.iter().any(|(c, _)| *c == code) {
            self.omitted.push((code, Omitted::default()));
        }
        if let Some((_, o)) = self.omitted.iter_mut().find(|(c, _)| *c == code) {
            *o.count(severity) += n;
            if o.remedy.is_none() {
                o.remedy = remedy;
            }
        }
    }

    /// Adds everything `other` holds: its listed findings (while there is
    /// room) and its counts.
    pub fn merge(&mut self, other: FindingLimit) {
        for f in other.listed {
            self.add(f);
        }
        for (code, mut o) in other.omitted {
            for s in [Severity::Info, Severity::Warn, Severity::Fail] {
                let n = *o.count(s);
                self.omit(code, s, n, o.remedy.clone());
            }
        }
    }

    /// The findings, worst first: those listed in the order they came, then
    /// per code with findings not listed, one finding that counts them
    /// (its severity the worst of them, so the verdict is unchanged).
    pub fn into_findings(self) -> Vec<Finding> {
        let mut out = self.listed;
        for (code, o) in self.omitted {
            let listed = self.per_code.get(&code).copied().unwrap_or(0);
            out.push(more(code, listed, &o));
        }
        sort_by_severity(&mut out);
        out
    }
}

/// `… 999,980 more ip-fragments-missing findings not listed`.
fn more(code: Code, listed: usize, o: &Omitted) -> Finding {
    let (info, warn, fail) = (o.info, o.warn, o.fail);
    let not_listed = o.sum();
    let worst = if fail > 0 {
        Severity::Fail
    } else if warn > 0 {
        Severity::Warn
    } else {
        Severity::Info
    };
    let mut by: Vec<String> = Vec::new();
    for (n, word) in [(fail, "fail"), (warn, "warn"), (info, "info")] {
        if n > 0 {
            by.push(format!("{} {word}", thousands(n)));
        }
    }
    let mut f = Finding::new(
        code,
        worst,
        format!(
            "{} more {code} finding(s) like the {listed} listed ({} in all; not listed: {}); only the first {listed} of each code are listed",
            thousands(not_listed),
            thousands(not_listed + listed as u64),
            by.join(", "),
        ),
    )
    .with("not_listed", not_listed)
    .with("listed", listed)
    .with("total", not_listed + listed as u64)
    .with("not_listed_fail", fail)
    .with("not_listed_warn", warn)
    .with("not_listed_info", info);
    if let Some(r) = &o.remedy {
        f = f.remedy(r.clone());
    }
    f
}

/// At most [`MAX_PER_CODE`] findings per code, the rest counted.
pub fn cap(findings: Vec<Finding>) -> Vec<Finding> {
    let mut l = FindingLimit::default();
    for f in findings {
        l.add(f);
    }
    l.into_findings()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(code: Code, s: Severity, n: usize) -> Finding {
        Finding::new(code, s, format!("#{n}")).remedy("fix it")
    }

    #[test]
    fn under_the_cap_nothing_changes() {
        let input = vec![
            f(Code::IkeAuthUnanswered, Severity::Fail, 1),
            f(Code::ExchangeInProgress, Severity::Info, 2),
            f(Code::IpFragmentsMissing, Severity::Warn, 3),
        ];
        let mut expected = input.clone();
        sort_by_severity(&mut expected);
        assert_eq!(cap(input), expected);
    }

    #[test]
    fn a_million_findings_become_twenty_and_a_count() {
        let mut l = FindingLimit::default();
        for n in 0..1_000_000 {
            l.add(f(Code::IpFragmentsMissing, Severity::Fail, n));
        }
        l.add(f(Code::ExchangeInProgress, Severity::Info, 0));
        assert_eq!(l.total(Code::IpFragmentsMissing), 1_000_000);
        let out = l.into_findings();
        assert_eq!(out.len(), MAX_PER_CODE + 2);
        let more = &out[MAX_PER_CODE];
        assert_eq!(more.code, Code::IpFragmentsMissing);
        assert_eq!(more.severity, Severity::Fail);
        assert_eq!(more.evidence["not_listed"], 999_980);
        assert_eq!(more.evidence["total"], 1_000_000);
        assert_eq!(more.windows_error, Some(809));
        assert_eq!(more.remedy.as_deref(), Some("fix it"));
        assert!(
            more.summary
                .starts_with("999,980 more ip-fragments-missing")
        );
        assert_eq!(out[0].summary, "#0");
        assert_eq!(out[MAX_PER_CODE + 1].code, Code::ExchangeInProgress);
    }

    #[test]
    fn the_worst_are_listed_and_the_verdict_kept() {
        let mut l = FindingLimit::new(2);
        for n in 0..5 {
            l.add(f(Code::IpFragmentsMissing, Severity::Warn, n));
        }
        l.add(f(Code::IpFragmentsMissing, Severity::Fail, 9));
        let out = l.into_findings();
        // The fail displaced the latest warn; four warns are counted.
        assert_eq!(out.len(), 3);
        assert_eq!(
            (out[0].severity, out[0].summary.as_str()),
            (Severity::Fail, "#9")
        );
        assert_eq!(out[1].summary, "#0");
        assert_eq!(out[2].severity, Severity::Warn);
        assert_eq!(out[2].evidence["not_listed_warn"], 4);
        assert_eq!(out[2].evidence["not_listed_fail"], 0);
    }

    #[test]
    fn merging_keeps_listed_first_and_adds_counts() {
        let mut kept = FindingLimit::new(3);
        kept.add(f(Code::IkeSaInitUnanswered, Severity::Fail, 1));
        let mut retired = FindingLimit::new(3);
        for n in 10..20 {
            retired.add(f(Code::IkeSaInitUnanswered, Severity::Fail, n));
        }
        retired.omit(Code::ExchangeInProgress, Severity::Info, 7, None);
        kept.merge(retired);
        assert_eq!(kept.total(Code::IkeSaInitUnanswered), 11);
        assert_eq!(kept.total(Code::ExchangeInProgress), 7);
        let out = kept.into_findings();
        let summaries: Vec<&str> = out.iter().map(|f| f.summary.as_str()).collect();
        assert_eq!(&summaries[..3], &["#1", "#10", "#11"]);
        assert_eq!(out[3].evidence["not_listed"], 8);
        // A code with nothing listed still gets its count.
        assert_eq!(out[4].code, Code::ExchangeInProgress);
        assert_eq!(out[4].evidence["listed"], 0);
        assert_eq!(out[4].evidence["not_listed_info"], 7);
    }
}
