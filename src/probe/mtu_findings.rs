//! What a path-MTU measurement means for IKEv2, as findings. Pure: facts in,
//! findings out.

use std::net::IpAddr;

use crate::finding::{Code, Finding, Severity};
use crate::probe::iface::Outgoing;
use crate::probe::mtu::{End, SearchResult, Unreachable};
use crate::probe::mtu_driver::Method;

/// One address's measurement with the context needed to explain it.
#[derive(Debug, Clone)]
pub struct Measurement {
    pub address: IpAddr,
    pub method: Method,
    /// UDP port of the IKE probes (`--ike`), `None` for ICMP.
    pub port: Option<u16>,
    pub interface: Option<Outgoing>,
    pub floor: u16,
    pub ceiling: u16,
    /// Header bytes between the IP packet size and the payload users think
    /// in (ICMP: the `ping -s` size; IKE: the IKE message).
    pub overhead: u16,
    pub result: SearchResult,
}

/// A certificate-authenticated IKE_AUTH as Windows sends it with an RSA-4096
/// root + intermediate chain: about 2,240 bytes (observed in the project's
/// lab; RSA-2048 chains are a few hundred bytes smaller).
pub const TYPICAL_IKE_AUTH: u32 = 2240;

/// How many IP fragments an IKE message of `ike_len` bytes becomes on a path
/// of `mtu` bytes when sent on UDP 4500 (where IKE_AUTH travels): UDP header
/// (8) plus the non-ESP marker (4, RFC 3948 §2.2) ride in the first
/// fragment; IPv4 fragments carry multiples of 8 bytes (RFC 791), IPv6
/// fragments also carry an 8-byte fragment header (RFC 8200 §4.5).
pub fn ip_fragments(ike_len: u32, mtu: u16, v6: bool) -> u32 {
    let payload = ike_len + 8 + 4;
    let (ip, frag) = if v6 { (40, 8) } else { (20, 0) };
    let mtu = u32::from(mtu);
    if payload + ip <= mtu {
        return 1;
    }
    let per_fragment = mtu.saturating_sub(ip + frag) / 8 * 8;
    if per_fragment == 0 {
        return u32::MAX;
    }
    payload.div_ceil(per_fragment)
}

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
    let mut out = Vec::new();
    let r = &m.result;
    let addr = m.address.to_string();
    match r.end {
        End::Found { path_mtu } => {
            let payload = path_mtu.saturating_sub(m.overhead);
            if r.black_hole {
                out.push(
                    Finding::new(
                        Code::MtuBlackHole,
                        Severity::Fail,
                        format!(
                            "packets larger than {path_mtu} bytes to {addr} vanish without an \
                             ICMP \"too big\" error: a path-MTU black hole"
                        ),
                    )
                    .with("address", addr.clone())
                    .with("path_mtu", path_mtu)
                    .with("smallest_silent_size", path_mtu + 1)
                    .with("method", m.method.as_str())
                    .remedy(format!(
                        "Let ICMP \"fragmentation needed\" (IPv4 type 3 code 4) and ICMPv6 \
                         \"packet too big\" (type 2) through every firewall between client and \
                         server. {FRAGMENTATION_REMEDY}"
                    )),
                );
            }
            if path_mtu < m.ceiling && m.interface.as_ref().is_some_and(|i| i.mtu == m.ceiling) {
                let mut f = Finding::new(
                    Code::MtuBelowInterface,
                    Severity::Info,
                    format!(
                        "the path to {addr} carries {path_mtu} bytes, less than the {} bytes of \
                         the outgoing interface: a tunnel, PPPoE or smaller link on the way",
                        m.ceiling
                    ),
                )
                .with("address", addr.clone())
                .with("path_mtu", path_mtu)
                .with("interface_mtu", m.ceiling);
                if let Some(tb) = r.too_big.filter(|t| t.mtu == Some(path_mtu)) {
                    f = f.with("limited_by", hop(tb.from));
                }
                out.push(f);
            }
            let k = ip_fragments(TYPICAL_IKE_AUTH, path_mtu, m.address.is_ipv6());
            if k == 1 {
                out.push(
                    Finding::new(
                        Code::MtuIkeAuthFragments,
                        Severity::Info,
                        format!(
                            "an IKE_AUTH of {TYPICAL_IKE_AUTH} bytes (typical with an RSA-4096 \
                             root + intermediate certificate chain) fits in one packet on this \
                             {path_mtu}-byte path"
                        ),
                    )
                    .with("address", addr.clone())
                    .with("path_mtu", path_mtu)
                    .with("largest_payload", payload)
                    .with("ike_auth_bytes", TYPICAL_IKE_AUTH)
                    .with("ip_fragments", k),
                );
                return out;
            }
            out.push(
                Finding::new(
                    Code::MtuIkeAuthFragments,
                    Severity::Info,
                    format!(
                        "an IKE_AUTH of {TYPICAL_IKE_AUTH} bytes (typical with an RSA-4096 root + \
                         intermediate certificate chain) becomes {k} IP fragments on this \
                         {path_mtu}-byte path; IKEv2 fragmentation avoids that"
                    ),
                )
                .with("address", addr.clone())
                .with("path_mtu", path_mtu)
                .with("largest_payload", payload)
                .with("ike_auth_bytes", TYPICAL_IKE_AUTH)
                .with("ip_fragments", k)
                .remedy(format!(
                    "{FRAGMENTATION_REMEDY}; then no firewall, NAT or load balancer that drops \
                     IP fragments can break IKE_AUTH (error 809)"
                )),
            );
        }
        End::BelowFloor { advertised } => {
            let mut f = Finding::new(
                Code::MtuBelowMinimum,
                Severity::Fail,
                format!(
                    "even {} bytes, the smallest size tested, do not reach {addr}",
                    m.floor
                ),
            )
            .with("address", addr.clone())
            .with("floor", m.floor);
            if let Some(mtu) = advertised {
                f = f.with("advertised_mtu", mtu);
            }
            if let Some(tb) = r.too_big {
                f = f.with("too_big_from", hop(tb.from));
            }
            out.push(f.remedy(
                "A link on the path is below the minimum every host must support (576 bytes \
                 IPv4, 1280 IPv6): find it (the too-big sender above) and fix its MTU; lower \
                 --min only to measure it",
            ));
        }
        End::NoAnswer => match m.method {
            Method::Ike => out.push(
                Finding::new(
                    Code::MtuIkeUnanswered,
                    Severity::Fail,
                    format!(
                        "no IKE answer from {addr} on UDP {} even at {} bytes",
                        m.port.unwrap_or(500),
                        m.floor
                    ),
                )
                .with("address", addr.clone())
                .with("port", m.port.unwrap_or(500))
                .with("probes_sent", r.probes_sent())
                .remedy(
                    "Check that UDP 500 and 4500 reach the VPN server (firewall, NAT rules) \
                     and that it runs IKEv2: `aovpn-diag probe` tests both ports",
                ),
            ),
            Method::Icmp | Method::IcmpRaw => out.push(
                Finding::new(
                    Code::MtuEchoBlocked,
                    Severity::Warn,
                    format!(
                        "{addr} does not answer ICMP echo (not even at {} bytes): ICMP cannot \
                         measure this path",
                        m.floor
                    ),
                )
                .with("address", addr.clone())
                .with("probes_sent", r.probes_sent())
                .remedy(
                    "Measure with the traffic that matters instead: `aovpn-diag mtu --ike` \
                     sends IKE_SA_INIT requests of each size to UDP 500, which the VPN server \
                     must answer",
                ),
            ),
        },
        End::Unreachable { kind, from } => {
            let remedy = match (m.method, kind) {
                (Method::Ike, Unreachable::Port) => format!(
                    "Nothing answers IKE on UDP {} of {addr}: check that the VPN service runs \
                     and listens there (`aovpn-diag probe` tests UDP 500 and 4500)",
                    m.port.unwrap_or(500)
                ),
                _ => "Fix reachability first (routing, firewall rules), then measure again".into(),
            };
            out.push(
                Finding::new(
                    Code::MtuTargetUnreachable,
                    Severity::Fail,
                    format!("probes to {addr} were refused: {}", kind.describe()),
                )
                .with("address", addr.clone())
                .with("error", kind.describe())
                .with("from", hop(from))
                .remedy(remedy),
            );
        }
        End::Incomplete { at_least, fails_at } => {
            let mut f = Finding::new(
                Code::MtuSearchIncomplete,
                Severity::Warn,
                format!(
                    "the search for {addr} ran out of probes or time before it finished{}",
                    at_least
                        .map(|a| format!("; at least {a} bytes pass"))
                        .unwrap_or_default()
                ),
            )
            .with("address", addr.clone())
            .with("probes_sent", r.probes_sent());
            if let Some(a) = at_least {
                f = f.with("passes_at", a);
            }
            if let Some(fl) = fails_at {
                f = f.with("fails_at", fl);
            }
            out.push(f.remedy(
                "The path loses many packets: run again, raise --timeout, or narrow the search \
                 with --min/--max",
            ));
        }
    }
    out
}

/// The fixture the findings and the report tests share: an ICMP search
/// from eth0 (MTU 1500) to 198.18.2.2 in which 198.18.1.1 answered the
/// 1500-byte probe with "too big, MTU 1400"; no probe records.
#[cfg(test)]
pub(crate) fn sample_measurement(end: End, black_hole: bool) -> Measurement {
    use crate::probe::mtu::TooBigSeen;
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
}
