//! The server's side of a refusal: NPS event 6273 ("Network Policy Server
//! denied access to a user", Security log, named fields `SubjectUserName`,
//! `CallingStationID`, `NetworkPolicyName`, `ReasonCode`, `Reason`) and
//! RemoteAccess event 20271 (System log of an RRAS server; mprmsg.dll
//! template `CoId=%1: The user %2 connected from %3 but failed an
//! authentication attempt due to the following reason: %4`). Microsoft's
//! "Troubleshoot Always On VPN" sends 812 to the NPS log; the project's
//! field notes name NPS 6273 reason code 258 (revocation check failed).
//! PURE.

use std::collections::BTreeMap;

use super::model::WinEvent;
use super::time::Timestamp;
use crate::finding::{Code, Finding, Severity};

/// NPS: access denied.
pub const NPS_DENIED: u32 = 6273;
/// RemoteAccess: a user connected but failed to authenticate.
pub const RRAS_AUTH_FAILED: u32 = 20271;

/// One refusal, from either source.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Refusal<'a> {
    source: &'static str,
    time: Option<Timestamp>,
    user: Option<&'a str>,
    client: Option<&'a str>,
    policy: Option<&'a str>,
    reason_code: Option<&'a str>,
    reason: Option<&'a str>,
}

fn nonempty(s: Option<&str>) -> Option<&str> {
    s.filter(|s| !s.is_empty() && *s != "-")
}

fn refusal(e: &WinEvent) -> Option<Refusal<'_>> {
    match (e.provider.as_str(), e.id) {
        ("Microsoft-Windows-Security-Auditing", NPS_DENIED) => Some(Refusal {
            source: "NPS 6273",
            time: e.time,
            user: nonempty(e.named("SubjectUserName")),
            client: nonempty(e.named("CallingStationID")),
            policy: nonempty(e.named("NetworkPolicyName")),
            reason_code: nonempty(e.named("ReasonCode")),
            reason: nonempty(e.named("Reason")),
        }),
        (p, RRAS_AUTH_FAILED) if p.eq_ignore_ascii_case("RemoteAccess") => Some(Refusal {
            source: "RemoteAccess 20271",
            time: e.time,
            user: nonempty(e.insert(2)),
            client: nonempty(e.insert(3)),
            policy: None,
            reason_code: None,
            reason: nonempty(e.insert(4)),
        }),
        _ => None,
    }
}

/// What refusals are grouped by: source, reason code, reason.
type Key<'a> = (&'static str, Option<&'a str>, Option<&'a str>);

/// One `server-auth-refused` finding per (source, reason code, reason).
pub fn findings(events: &[WinEvent]) -> Vec<Finding> {
    let mut groups: BTreeMap<Key, Vec<Refusal>> = BTreeMap::new();
    for r in events.iter().filter_map(refusal) {
        groups
            .entry((r.source, r.reason_code, r.reason))
            .or_default()
            .push(r);
    }
    groups
        .into_iter()
        .map(|((source, code, reason), mut group)| {
            group.sort_by_key(|r| r.time);
            let users = unique(group.iter().map(|r| r.user));
            let clients = unique(group.iter().map(|r| r.client));
            let policies = unique(group.iter().map(|r| r.policy));
            let last = group.last().and_then(|r| r.time);
            let remedy = if code == Some("258") {
                "reason 258: the revocation check of the client's certificate failed; make the CRL \
                 of the issuing CA reachable from the NPS server and current"
                    .to_owned()
            } else {
                format!(
                    "the reason is the server's own words: change what it names (network policy \
                     conditions and authentication methods{}, the user's account, the client's \
                     certificate)",
                    match policies.as_slice() {
                        [p] => format!(" of '{p}'"),
                        _ => String::new(),
                    }
                )
            };
            Finding::new(
                Code::ServerAuthRefused,
                Severity::Fail,
                format!(
                    "{source}: the server refused {} authentication attempt(s){}{}",
                    group.len(),
                    code.map(|c| format!(", reason code {c}"))
                        .unwrap_or_default(),
                    reason.map(|r| format!(": {r}")).unwrap_or_default()
                ),
            )
            .with("source", source)
            .with("reason_code", code)
            .with("reason", reason)
            .with("count", group.len())
            .with("last", last.map(|t| t.to_string()))
            .with("users", users)
            .with("clients", clients)
            .with("policies", policies)
            .remedy(remedy)
        })
        .collect()
}

fn unique<'a>(items: impl Iterator<Item = Option<&'a str>>) -> Vec<&'a str> {
    let mut v: Vec<&str> = Vec::new();
    for s in items.flatten() {
        if !v.contains(&s) && v.len() < super::judge::EXAMPLES {
            v.push(s);
        }
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nps(code: &str, reason: &str, user: &str) -> WinEvent {
        WinEvent {
            provider: "Microsoft-Windows-Security-Auditing".into(),
            id: NPS_DENIED,
            time: Some(Timestamp(1_000)),
            record_id: None,
            computer: None,
            channel: Some("Security".into()),
            activity_id: None,
            data: [
                ("SubjectUserName", user),
                ("CallingStationID", "192.0.2.45"),
                ("NetworkPolicyName", "Always On VPN"),
                ("ReasonCode", code),
                ("Reason", reason),
            ]
            .iter()
            .map(|(k, v)| (Some((*k).to_owned()), (*v).to_owned()))
            .collect(),
        }
    }

    #[test]
    fn nps_refusals_group_by_reason() {
        let events = [
            nps(
                "258",
                "The revocation function was unable to check revocation for the certificate.",
                "alice",
            ),
            nps(
                "258",
                "The revocation function was unable to check revocation for the certificate.",
                "bob",
            ),
            nps(
                "48",
                "The connection request did not match any configured network policy.",
                "carol",
            ),
        ];
        let f = findings(&events);
        assert_eq!(f.len(), 2);
        let revocation = f
            .iter()
            .find(|f| f.evidence["reason_code"] == "258")
            .unwrap();
        assert_eq!(revocation.code, Code::ServerAuthRefused);
        assert_eq!(revocation.evidence["count"], 2);
        assert_eq!(
            revocation.evidence["users"],
            serde_json::json!(["alice", "bob"])
        );
        assert!(revocation.remedy.as_deref().unwrap().contains("CRL"));
        let other = f
            .iter()
            .find(|f| f.evidence["reason_code"] == "48")
            .unwrap();
        assert!(other.remedy.as_deref().unwrap().contains("'Always On VPN'"));
    }

    #[test]
    fn rras_20271_uses_its_inserts() {
        let e = WinEvent {
            provider: "RemoteAccess".into(),
            id: RRAS_AUTH_FAILED,
            time: None,
            record_id: None,
            computer: None,
            channel: Some("System".into()),
            activity_id: None,
            data: [
                "{B4000371-A67F-452F-AA4C-3125AA9CFC78}",
                "CORP\\alice",
                "192.0.2.45",
                "IKE authentication credentials are unacceptable",
            ]
            .iter()
            .map(|v| (None, (*v).to_owned()))
            .collect(),
        };
        let f = findings(&[e]);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].evidence["source"], "RemoteAccess 20271");
        assert!(
            f[0].summary.contains("IKE authentication credentials"),
            "{}",
            f[0].summary
        );
        assert_eq!(f[0].evidence["clients"][0], "192.0.2.45");
    }

    #[test]
    fn other_events_are_not_refusals() {
        let mut e = nps("0", "", "x");
        e.id = 6272;
        assert!(findings(&[e]).is_empty());
    }
}
