//! What a path-MTU measurement means for IKEv2, as findings: one function
//! per code, each tested on hand-made facts below. PURE: facts in, findings
//! out.

use std::net::IpAddr;

use super::{End, Measurement, Method, TYPICAL_IKE_AUTH, Unreachable, ip_fragments};
use crate::finding::{Code, Finding, Severity};

/// The hop that limited the path, in words.
fn hop(from: Option<IpAddr>) -> String {
    match from {
        Some(a) => a.to_string(),
        None => "this host's interface".to_owned(),
    }
}

const FRAGMENTATION_REMEDY: &str = "Enable IKEv2 fragmentation (RFC 7383) so IKE_AUTH never \
needs IP fragments: on RRAS set HKLM\\SYSTEM\\CurrentControlSet\\Services\\RemoteAccess\\\
Parameters\\Ikev2\\EnableServerFragmentation = 1 (Windows Server 1803+); Windows clients \
offer it by default";

/// Findings for one measured address, worst first.
pub fn findings(m: &Measurement) -> Vec<Finding> {
    match m.result.end {
        End::Found { path_mtu } => [
            black_hole(m),
            below_interface(m, path_mtu),
            Some(ike_auth_fragments(m, path_mtu)),
        ]
        .into_iter()
        .flatten()
        .collect(),
        End::BelowFloor { advertised } => vec![below_minimum(m, advertised)],
        End::NoAnswer => vec![no_answer(m)],
        End::Unreachable { kind, from } => vec![unreachable(m, kind, from)],
        End::Incomplete { at_least, fails_at } => {
            [black_hole(m), Some(incomplete(m, at_least, fails_at))]
                .into_iter()
                .flatten()
                .collect()
        }
    }
}

/// `pmtu-black-hole`: sizes above the path MTU vanished without a too-big
/// error that names it. Also from a search a budget cut short, as soon as
/// the black hole is proven: then the path MTU is an interval.
pub fn black_hole(m: &Measurement) -> Option<Finding> {
    if !m.result.black_hole {
        return None;
    }
    let (Some(min), Some(max)) = m.path_mtu_bounds() else {
        return None;
    };
    let addr = m.address.to_string();
    let limit = if min == max {
        format!("larger than {max} bytes")
    } else {
        format!("larger than {max} bytes (the path MTU is between {min} and {max} bytes)")
    };
    let mut f = Finding::new(
        Code::MtuBlackHole,
        Severity::Fail,
        format!(
            "packets {limit} to {addr} vanish without an ICMP \"too big\" error: a \
             path-MTU black hole"
        ),
    )
    .with("address", addr);
    if min == max {
        f = f.with("path_mtu", max);
    }
    Some(
        f.with("path_mtu_min", min)
            .with("path_mtu_max", max)
            .with("smallest_silent_size", u32::from(max) + 1)
            .with("method", m.method.as_str())
            .remedy(format!(
                "Let ICMP \"fragmentation needed\" (IPv4 type 3 code 4) and ICMPv6 \
                 \"packet too big\" (type 2) through every firewall between client and \
                 server. {FRAGMENTATION_REMEDY}"
            )),
    )
}

/// `mtu-below-interface`: the path carries less than the outgoing interface
/// (only when the ceiling is that interface's MTU, not `--max`).
pub fn below_interface(m: &Measurement, path_mtu: u16) -> Option<Finding> {
    let ceiling_is_interface = m.interface.as_ref().is_some_and(|i| i.mtu == m.ceiling);
    if path_mtu >= m.ceiling || !ceiling_is_interface {
        return None;
    }
    let addr = m.address.to_string();
    let mut f = Finding::new(
        Code::MtuBelowInterface,
        Severity::Info,
        format!(
            "the path to {addr} carries {path_mtu} bytes, less than the {} bytes of \
             the outgoing interface: a tunnel, PPPoE or smaller link on the way",
            m.ceiling
        ),
    )
    .with("address", addr)
    .with("path_mtu", path_mtu)
    .with("interface_mtu", m.ceiling);
    if let Some(tb) = m.result.too_big.filter(|t| t.mtu == Some(path_mtu)) {
        f = f.with("limited_by", hop(tb.from));
    }
    Some(f)
}

/// `mtu-ike-auth-fragments`: how many IP fragments a certificate-sized
/// IKE_AUTH becomes on this path (with the IKEv2 fragmentation remedy when
/// more than one).
pub fn ike_auth_fragments(m: &Measurement, path_mtu: u16) -> Finding {
    let addr = m.address.to_string();
    let payload = path_mtu.saturating_sub(m.overhead);
    let k = ip_fragments(TYPICAL_IKE_AUTH, path_mtu, m.address.is_ipv6());
    let summary = if k == 1 {
        format!(
            "an IKE_AUTH of {TYPICAL_IKE_AUTH} bytes (typical with an RSA-4096 \
             root + intermediate certificate chain) fits in one packet on this \
             {path_mtu}-byte path"
        )
    } else {
        format!(
            "an IKE_AUTH of {TYPICAL_IKE_AUTH} bytes (typical with an RSA-4096 root + \
             intermediate certificate chain) becomes {k} IP fragments on this \
             {path_mtu}-byte path; IKEv2 fragmentation avoids that"
        )
    };
    let f = Finding::new(Code::MtuIkeAuthFragments, Severity::Info, summary)
        .with("address", addr)
        .with("path_mtu", path_mtu)
        .with("largest_payload", payload)
        .with("ike_auth_bytes", TYPICAL_IKE_AUTH)
        .with("ip_fragments", k);
    if k == 1 {
        f
    } else {
        f.remedy(format!(
            "{FRAGMENTATION_REMEDY}; then no firewall, NAT or load balancer that drops \
             IP fragments can break IKE_AUTH (error 809)"
        ))
    }
}

/// `mtu-below-minimum`: even the floor did not pass.
pub fn below_minimum(m: &Measurement, advertised: Option<u16>) -> Finding {
    let addr = m.address.to_string();
    let mut f = Finding::new(
        Code::MtuBelowMinimum,
        Severity::Fail,
        format!(
            "even {} bytes, the smallest size tested, do not reach {addr}",
            m.floor
        ),
    )
    .with("address", addr)
    .with("floor", m.floor);
    if let Some(mtu) = advertised {
        f = f.with("advertised_mtu", mtu);
    }
    if let Some(tb) = m.result.too_big {
        f = f.with("too_big_from", hop(tb.from));
    }
    f.remedy(
        "A link on the path is below the minimum every host must support (576 bytes \
         IPv4, 1280 IPv6): find it (the too-big sender above) and fix its MTU; lower \
         --min only to measure it",
    )
}

/// `mtu-ike-unanswered` (IKE probes) or `icmp-echo-blocked` (ICMP): nothing
/// answered at any size.
pub fn no_answer(m: &Measurement) -> Finding {
    let addr = m.address.to_string();
    let r = &m.result;
    match m.method {
        Method::Ike => Finding::new(
            Code::MtuIkeUnanswered,
            Severity::Fail,
            format!(
                "no IKE answer from {addr} on UDP {} even at {} bytes",
                m.port.unwrap_or(500),
                m.floor
            ),
        )
        .with("address", addr)
        .with("port", m.port.unwrap_or(500))
        .with("probes_sent", r.probes_sent())
        .remedy(
            "Check that UDP 500 and 4500 reach the VPN server (firewall, NAT rules) \
             and that it runs IKEv2: `aovpn-diag probe` tests both ports",
        ),
        Method::Icmp | Method::IcmpRaw => Finding::new(
            Code::MtuEchoBlocked,
            Severity::Warn,
            format!(
                "{addr} does not answer ICMP echo (not even at {} bytes): ICMP cannot \
                 measure this path",
                m.floor
            ),
        )
        .with("address", addr)
        .with("probes_sent", r.probes_sent())
        .remedy(
            "Measure with the traffic that matters instead: `aovpn-diag mtu --ike` \
             sends IKE_SA_INIT requests of each size to UDP 500, which the VPN server \
             must answer",
        ),
    }
}

/// `mtu-target-unreachable`: the floor was refused with an ICMP error.
pub fn unreachable(m: &Measurement, kind: Unreachable, from: Option<IpAddr>) -> Finding {
    let addr = m.address.to_string();
    let remedy = match (m.method, kind) {
        (Method::Ike, Unreachable::Port) => format!(
            "Nothing answers IKE on UDP {} of {addr}: check that the VPN service runs \
             and listens there (`aovpn-diag probe` tests UDP 500 and 4500)",
            m.port.unwrap_or(500)
        ),
        _ => "Fix reachability first (routing, firewall rules), then measure again".into(),
    };
    Finding::new(
        Code::MtuTargetUnreachable,
        Severity::Fail,
        format!("probes to {addr} were refused: {}", kind.describe()),
    )
    .with("address", addr)
    .with("error", kind.describe())
    .with("from", hop(from))
    .remedy(remedy)
}

/// `mtu-search-incomplete`: the probe or time cap ran out first; says
/// what is proven (`path_mtu_min`, `path_mtu_max`).
pub fn incomplete(m: &Measurement, at_least: Option<u16>, fails_at: Option<u16>) -> Finding {
    let addr = m.address.to_string();
    let (min, max) = m.path_mtu_bounds();
    let known = match (at_least, fails_at.and(max)) {
        (Some(a), Some(b)) => format!("; the path MTU is between {a} and {b} bytes"),
        (Some(a), None) => format!("; at least {a} bytes pass"),
        (None, Some(b)) => format!("; it is at most {b} bytes"),
        (None, None) => String::new(),
    };
    let mut f = Finding::new(
        Code::MtuSearchIncomplete,
        Severity::Warn,
        format!("the search for {addr} ran out of probes or time before it finished{known}"),
    )
    .with("address", addr)
    .with("probes_sent", m.result.probes_sent());
    if let Some(a) = at_least {
        f = f.with("passes_at", a);
    }
    if let Some(fl) = fails_at {
        f = f.with("fails_at", fl);
    }
    if let Some(a) = min {
        f = f.with("path_mtu_min", a);
    }
    if let Some(b) = max {
        f = f.with("path_mtu_max", b);
    }
    f.remedy(
        "The path loses many packets or answers slowly: run again, raise --timeout or \
         --tries, or narrow the search with --min/--max",
    )
}

/// The fixture the findings and the report tests share: an ICMP search
/// from eth0 (MTU 1500) to 198.18.2.2 in which 198.18.1.1 answered the
/// 1500-byte probe with "too big, MTU 1400"; no probe records.
#[cfg(test)]
pub(crate) fn sample_measurement(end: End, black_hole: bool) -> Measurement {
    use super::{Outgoing, SearchResult, TooBigSeen};
    use std::time::Duration;

    Measurement {
        address: "198.18.2.2".parse().unwrap(),
        method: Method::IcmpRaw,
        port: None,
        interface: Some(Outgoing {
            interface: Some("eth0".into()),
            source: None,
            mtu: 1500,
        }),
        floor: 576,
        ceiling: 1500,
        overhead: 28,
        result: SearchResult {
            end,
            black_hole,
            too_big: Some(TooBigSeen {
                size: 1500,
                mtu: Some(1400),
                from: Some("198.18.1.1".parse().unwrap()),
                trusted: true,
            }),
            probes: Vec::new(),
            elapsed: Duration::ZERO,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fragment_counts_match_hand_calculation() {
        // 2240 + 12 = 2252 bytes of IP payload.
        // IPv4/1500: 1480 per fragment -> 2; IPv4/576: 552 -> 5.
        assert_eq!(ip_fragments(2240, 1500, false), 2);
        assert_eq!(ip_fragments(2240, 576, false), 5);
        // IPv6/1280: (1280 - 48) = 1232 per fragment -> 2.
        assert_eq!(ip_fragments(2240, 1280, true), 2);
        // A small message fits in one packet.
        assert_eq!(ip_fragments(500, 1400, false), 1);
        // Exactly at the limit: 1488 + 12 + 20 = 1520 > 1500 -> 2; 1468 fits.
        assert_eq!(ip_fragments(1468, 1500, false), 1);
        assert_eq!(ip_fragments(1469, 1500, false), 2);
    }

    fn measurement(end: End, black_hole: bool) -> Measurement {
        sample_measurement(end, black_hole)
    }

    fn codes(f: &[Finding]) -> Vec<&'static str> {
        f.iter().map(|f| f.code.as_str()).collect()
    }

    #[test]
    fn found_mtu_below_interface_explains_ike_fragments() {
        let f = findings(&measurement(End::Found { path_mtu: 1400 }, false));
        assert_eq!(codes(&f), ["mtu-below-interface", "mtu-ike-auth-fragments"]);
        assert_eq!(f[0].evidence["limited_by"], "198.18.1.1");
        assert!(
            f[1].summary.contains("becomes 2 IP fragments"),
            "{}",
            f[1].summary
        );
    }

    #[test]
    fn black_hole_is_a_failure_with_the_icmp_remedy() {
        let f = findings(&measurement(End::Found { path_mtu: 1400 }, true));
        assert_eq!(f[0].code, Code::MtuBlackHole);
        assert_eq!(f[0].severity, Severity::Fail);
        assert!(f[0].remedy.as_deref().unwrap().contains("type 3 code 4"));
        assert_eq!(f[0].evidence["smallest_silent_size"], 1401);
        assert_eq!(f[0].evidence["path_mtu"], 1400);
        assert!(black_hole(&measurement(End::Found { path_mtu: 1400 }, false)).is_none());
    }

    #[test]
    fn a_path_at_the_interface_mtu_or_below_max_is_not_below_the_interface() {
        let m = measurement(End::Found { path_mtu: 1500 }, false);
        assert!(below_interface(&m, 1500).is_none());
        // --max 1450 below the interface: the ceiling is not the interface's.
        let mut m = measurement(End::Found { path_mtu: 1400 }, false);
        m.ceiling = 1450;
        assert!(below_interface(&m, 1400).is_none());
        // The hop is named only when its advertised MTU is the path MTU.
        let mut m = measurement(End::Found { path_mtu: 1300 }, false);
        m.result.too_big = None;
        let f = below_interface(&m, 1300).unwrap();
        assert!(!f.evidence.contains_key("limited_by"));
    }

    #[test]
    fn one_packet_ike_auth_needs_no_remedy() {
        let mut m = measurement(End::Found { path_mtu: 9000 }, false);
        m.ceiling = 9000;
        let f = ike_auth_fragments(&m, 9000);
        assert_eq!(f.evidence["ip_fragments"], 1);
        assert!(f.remedy.is_none());
        assert!(f.summary.contains("fits in one packet"), "{}", f.summary);
        let f = ike_auth_fragments(&m, 576);
        assert_eq!(f.evidence["ip_fragments"], 5);
        assert!(
            f.remedy
                .as_deref()
                .unwrap()
                .contains("EnableServerFragmentation")
        );
    }

    #[test]
    fn below_floor_names_the_advertised_mtu_and_the_hop() {
        let f = findings(&measurement(
            End::BelowFloor {
                advertised: Some(500),
            },
            false,
        ));
        assert_eq!(codes(&f), ["mtu-below-minimum"]);
        assert_eq!(f[0].severity, Severity::Fail);
        assert_eq!(f[0].evidence["advertised_mtu"], 500);
        assert_eq!(f[0].evidence["too_big_from"], "198.18.1.1");
        assert_eq!(f[0].evidence["floor"], 576);
    }

    #[test]
    fn no_echo_answer_advises_ike_mode() {
        let f = findings(&measurement(End::NoAnswer, false));
        assert_eq!(codes(&f), ["icmp-echo-blocked"]);
        assert!(f[0].remedy.as_deref().unwrap().contains("--ike"));
        let mut ike = measurement(End::NoAnswer, false);
        ike.method = Method::Ike;
        ike.port = Some(4500);
        let f = findings(&ike);
        assert_eq!(codes(&f), ["mtu-ike-unanswered"]);
        assert_eq!(f[0].evidence["port"], 4500);
    }

    #[test]
    fn refused_probes_name_the_reason_and_the_sender() {
        let end = End::Unreachable {
            kind: Unreachable::Prohibited,
            from: Some("198.18.1.1".parse().unwrap()),
        };
        let f = findings(&measurement(end, false));
        assert_eq!(codes(&f), ["mtu-target-unreachable"]);
        assert_eq!(f[0].evidence["from"], "198.18.1.1");
        assert!(f[0].summary.contains("administratively prohibited"));
        // IKE to a closed port: the remedy is about the VPN service.
        let mut ike = measurement(
            End::Unreachable {
                kind: Unreachable::Port,
                from: None,
            },
            false,
        );
        ike.method = Method::Ike;
        ike.port = Some(500);
        let f = findings(&ike);
        assert_eq!(f[0].evidence["from"], "this host's interface");
        assert!(f[0].remedy.as_deref().unwrap().contains("UDP 500"));
    }

    #[test]
    fn an_incomplete_search_says_what_is_known() {
        let end = End::Incomplete {
            at_least: Some(1038),
            fails_at: Some(1500),
        };
        let f = findings(&measurement(end, false));
        assert_eq!(codes(&f), ["mtu-search-incomplete"]);
        assert_eq!(f[0].severity, Severity::Warn);
        assert_eq!(f[0].evidence["passes_at"], 1038);
        assert_eq!(f[0].evidence["fails_at"], 1500);
        assert_eq!(f[0].evidence["path_mtu_min"], 1038);
        assert_eq!(f[0].evidence["path_mtu_max"], 1499);
        assert!(
            f[0].summary.contains("between 1038 and 1499 bytes"),
            "{}",
            f[0].summary
        );
        let f = incomplete(&measurement(end, false), None, None);
        assert!(!f.evidence.contains_key("passes_at"));
        // Nothing failed yet: only the lower bound is a statement.
        let end = End::Incomplete {
            at_least: Some(1038),
            fails_at: None,
        };
        let f = findings(&measurement(end, false));
        assert!(f[0].summary.contains("at least 1038 bytes pass"));
        assert_eq!(f[0].evidence["path_mtu_max"], 1500);
    }

    #[test]
    fn a_black_hole_proven_before_the_budget_ran_out_is_reported_with_bounds() {
        // 1399 passed, 1401 vanished every try, 1400 was never settled.
        let end = End::Incomplete {
            at_least: Some(1399),
            fails_at: Some(1401),
        };
        let mut m = measurement(end, true);
        m.result.too_big = None;
        let f = findings(&m);
        assert_eq!(codes(&f), ["pmtu-black-hole", "mtu-search-incomplete"]);
        assert_eq!(f[0].severity, Severity::Fail);
        assert!(
            f[0].summary.contains("between 1399 and 1400 bytes"),
            "{}",
            f[0].summary
        );
        assert_eq!(f[0].evidence["path_mtu_min"], 1399);
        assert_eq!(f[0].evidence["path_mtu_max"], 1400);
        assert_eq!(f[0].evidence["smallest_silent_size"], 1401);
        assert!(!f[0].evidence.contains_key("path_mtu"));
        assert!(f[1].summary.contains("between 1399 and 1400 bytes"));
    }
}
