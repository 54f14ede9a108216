//! From many findings to the one most likely cause of error 809, with the
//! one remedy to try first. PURE: findings in, a cause out.
//!
//! The order encodes how the failures mask each other on the wire: a name
//! that does not resolve hides every later test; a blocked UDP 500 means
//! IKE_SA_INIT never happens, so nothing about 4500 or fragments can be
//! known; a blocked 4500 stops IKE_AUTH whatever its size; only when both
//! ports answer does the size of IKE_AUTH (IP fragments) become the suspect.

use serde::Serialize;

use crate::finding::{Code, Finding, Severity};

/// Codes in the order a helpdesk should act on them, most decisive first:
/// the `rank` column of the finding-code registry ([`crate::finding`]).
/// Codes without a rank come after the ranked ones, in their given order.
pub fn ranking() -> Vec<Code> {
    let mut ranked: Vec<(u16, Code)> = Code::ALL
        .iter()
        .filter_map(|c| c.info().rank.map(|r| (r, *c)))
        .collect();
    ranked.sort();
    ranked.into_iter().map(|(_, c)| c).collect()
}

/// The verdict's headline: which finding explains the failure and what to do.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Cause {
    pub code: Code,
    pub severity: Severity,
    /// One sentence: what is wrong, in the user's terms.
    pub summary: String,
    /// The first thing to change.
    pub remedy: String,
}

fn rank(code: Code) -> u16 {
    code.info().rank.unwrap_or(u16::MAX)
}

fn has(findings: &[Finding], code: Code) -> bool {
    findings.iter().any(|f| f.code == code)
}

/// Picks the most likely cause of a failing connection: the best-ranked
/// `fail` finding. `None` when nothing fails: warnings (a server without
/// IKEv2 fragmentation on a path that passes fragments) stay in the
/// findings, but they do not explain a failure, and scripts read a null
/// cause as "nothing to fix".
pub fn most_likely_cause(findings: &[Finding]) -> Option<Cause> {
    let top = findings
        .iter()
        .enumerate()
        .filter(|(_, f)| f.severity == Severity::Fail)
        .min_by_key(|(i, f)| (rank(f.code), *i))
        .map(|(_, f)| f)?;
    Some(explain(top, findings))
}

/// Words for the cause. Combinations that change the advice are spelled out;
/// otherwise the finding's own summary and remedy stand.
fn explain(top: &Finding, all: &[Finding]) -> Cause {
    let own = |summary: &str| Cause {
        code: top.code,
        severity: top.severity,
        summary: summary.to_owned(),
        remedy: top.remedy.clone().unwrap_or_default(),
    };
    match top.code {
        Code::Udp500Unanswered if has(all, Code::Udp4500Unanswered) => Cause {
            remedy: "allow UDP 500 and UDP 4500 from the clients to the VPN server at every \
                     firewall on the way (and forward both to the same server on a load \
                     balancer or NAT); check that the IKEv2 service is running on the server"
                .to_owned(),
            ..own(
                "the VPN server answers IKEv2 on neither UDP 500 nor UDP 4500: the ports are \
                 blocked on the way or the server is not listening (error 809)",
            )
        },
        Code::IpFragmentsDropped
            if top.severity == Severity::Fail && has(all, Code::IkeFragmentationNotSupported) =>
        {
            Cause {
                remedy: "set EnableServerFragmentation=1 (DWORD) under \
                         HKLM\\SYSTEM\\CurrentControlSet\\Services\\RemoteAccess\\Parameters\\Ikev2 \
                         on the RRAS servers (Windows Server 1803 / 2019 or later) and restart \
                         RemoteAccess, or allow IP fragments on UDP 500/4500 at the firewall"
                    .to_owned(),
                ..own(
                    "IP fragments toward the server are dropped and the server does not offer \
                     IKEv2 fragmentation: the certificate-sized IKE_AUTH never arrives (error 809)",
                )
            }
        }
        _ => own(&top.summary),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(code: Code, severity: Severity) -> Finding {
        Finding::new(code, severity, format!("{code} summary")).remedy(format!("{code} remedy"))
    }

    #[test]
    fn nothing_but_information_has_no_cause() {
        assert_eq!(most_likely_cause(&[]), None);
        assert_eq!(
            most_likely_cause(&[f(Code::IkeFragmentationSupported, Severity::Info)]),
            None
        );
    }

    #[test]
    fn the_classic_809_names_the_registry_value() {
        let findings = [
            f(Code::IkeFragmentationNotSupported, Severity::Warn),
            f(Code::MtuIkeAuthFragments, Severity::Info),
            f(Code::IpFragmentsDropped, Severity::Fail),
        ];
        let cause = most_likely_cause(&findings).unwrap();
        assert_eq!(cause.code, Code::IpFragmentsDropped);
        assert!(
            cause.remedy.contains("EnableServerFragmentation=1"),
            "{}",
            cause.remedy
        );
        assert!(cause.summary.contains("does not offer IKEv2 fragmentation"));
    }

    #[test]
    fn a_blocked_port_outranks_everything_after_it() {
        let findings = [
            f(Code::IkeFragmentationNotSupported, Severity::Warn),
            f(Code::Udp4500Unanswered, Severity::Fail),
            f(Code::MtuBlackHole, Severity::Fail),
        ];
        assert_eq!(
            most_likely_cause(&findings).unwrap().code,
            Code::Udp4500Unanswered
        );
    }

    #[test]
    fn a_split_load_balancer_outranks_the_ambiguous_silence_and_fragments() {
        let findings = [
            f(Code::IpFragmentsDropped, Severity::Fail),
            f(Code::LoadBalancerNotPersistent, Severity::Fail),
        ];
        assert_eq!(
            most_likely_cause(&findings).unwrap().code,
            Code::LoadBalancerNotPersistent
        );
        let findings = [
            f(Code::IkeAuthUnanswered4500, Severity::Fail),
            f(Code::IpFragmentsDropped, Severity::Fail),
        ];
        assert_eq!(
            most_likely_cause(&findings).unwrap().code,
            Code::IpFragmentsDropped
        );
    }

    #[test]
    fn both_ports_blocked_is_explained_together() {
        let findings = [
            f(Code::Udp4500Unanswered, Severity::Fail),
            f(Code::Udp500Unanswered, Severity::Fail),
        ];
        let cause = most_likely_cause(&findings).unwrap();
        assert_eq!(cause.code, Code::Udp500Unanswered);
        assert!(cause.summary.contains("neither UDP 500 nor UDP 4500"));
    }

    #[test]
    fn warnings_alone_are_no_cause() {
        let findings = [
            f(Code::MtuIkeAuthFragments, Severity::Warn),
            f(Code::IkeFragmentationNotSupported, Severity::Warn),
            f(Code::IpFragmentsDropped, Severity::Warn),
        ];
        assert_eq!(most_likely_cause(&findings), None);
    }

    #[test]
    fn a_failure_keeps_its_own_words_without_a_special_case() {
        let findings = [f(Code::NoProposalChosen, Severity::Fail)];
        let cause = most_likely_cause(&findings).unwrap();
        assert_eq!(cause.summary, "no-proposal-chosen summary");
        assert_eq!(cause.remedy, "no-proposal-chosen remedy");
    }

    #[test]
    fn unranked_failures_still_count_after_ranked_ones() {
        let findings = [
            f(Code::AuthenticationFailed, Severity::Fail),
            f(Code::NoProposalChosen, Severity::Fail),
        ];
        assert_eq!(
            most_likely_cause(&findings).unwrap().code,
            Code::NoProposalChosen
        );
        let only = [f(Code::AuthenticationFailed, Severity::Fail)];
        assert_eq!(
            most_likely_cause(&only).unwrap().code,
            Code::AuthenticationFailed
        );
    }
}
