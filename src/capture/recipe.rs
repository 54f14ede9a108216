//! The commands that record what `aovpn-diag capture` would, with a tool the
//! system already has, for a build without live capture: Windows' built-in
//! Packet Monitor (`pktmon`, Windows 10 2004 / Server 2022 and later) or
//! tcpdump. The file they write goes to `aovpn-diag pcap`.
//!
//! pktmon (Microsoft Learn, "pktmon filter add", "pktmon start", "pktmon
//! etl2pcap"): a packet is recorded when it matches every condition of at
//! least one filter; `-i` matches source or destination address, `-t` the
//! IP protocol. The filters are by the server's address, not by port:
//! IP fragments after the first carry no UDP ports, and a port filter would
//! miss exactly the fragments whose loss causes error 809. ICMP and ICMPv6
//! come from routers on the way (their source is not the server), so they
//! get filters of their own. `--comp nics` records each packet once, at the
//! network adapter, instead of once per stack component; `--pkt-size 0`
//! keeps whole packets (the default, 128 bytes, cuts IKE messages).

#![forbid(unsafe_code)]

use std::net::IpAddr;

use super::filter;
use super::ip::IkePorts;

/// One command and what it is for.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Step {
    pub command: String,
    /// Said before the command, for a person following along.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<&'static str>,
}

fn step(command: String, note: Option<&'static str>) -> Step {
    Step { command, note }
}

/// `aovpn.pcapng` -> `aovpn.etl`: the trace pktmon writes before conversion.
fn etl_name(pcapng: &str) -> String {
    let stem = pcapng
        .strip_suffix(".pcapng")
        .or_else(|| pcapng.strip_suffix(".pcap"))
        .unwrap_or(pcapng);
    format!("{stem}.etl")
}

/// Quotes a path for cmd and PowerShell when it needs it.
fn quoted(path: &str) -> String {
    if path.contains([' ', '&', '(', ')', ';', ',']) {
        format!("\"{path}\"")
    } else {
        path.to_owned()
    }
}

/// pktmon commands (run as Administrator) that record the traffic with
/// `servers` (all of it: IKE, ESP and every IP fragment) and the ICMP
/// errors routers send, convert it to `pcapng`, and analyse it. Without a
/// server address every UDP packet is recorded (IKE on 500 and 4500 and
/// every IPv4 fragment, which keeps IP protocol 17 in each piece).
pub fn pktmon(servers: &[IpAddr], pcapng: &str) -> Vec<Step> {
    let etl = quoted(&etl_name(pcapng));
    let out = quoted(pcapng);
    let mut steps = vec![step(
        "pktmon filter remove".into(),
        Some("in an elevated prompt (Run as Administrator): clear earlier pktmon filters"),
    )];
    if servers.is_empty() {
        steps.push(step(
            "pktmon filter add AOVPN-UDP -t UDP".into(),
            Some("every UDP packet: IKE on 500/4500 and IP fragments (give --server to record only the VPN server's traffic)"),
        ));
    }
    // pktmon allows 32 filters; two are for ICMP.
    for (i, addr) in servers.iter().take(30).enumerate() {
        steps.push(step(
            format!("pktmon filter add AOVPN-server{} -i {addr}", i + 1),
            (i == 0).then_some(
                "everything to and from the VPN server: IKE, ESP and IP fragments (which carry no ports after the first)",
            ),
        ));
    }
    steps.push(step(
        "pktmon filter add AOVPN-ICMP -t ICMP".into(),
        Some("ICMP errors from routers on the way (fragmentation needed, unreachable)"),
    ));
    steps.push(step(
        "pktmon filter add AOVPN-ICMPv6 -t ICMPv6".into(),
        None,
    ));
    steps.push(step(
        format!("pktmon start --capture --comp nics --pkt-size 0 --file-name {etl}"),
        Some("record whole packets, once each, at the network adapters"),
    ));
    steps.push(step(
        "pktmon stop".into(),
        Some("now connect the VPN and wait until it fails; then stop"),
    ));
    steps.push(step(
        format!("pktmon etl2pcap {etl} --out {out}"),
        Some("convert to pcapng (the pktmon of Windows 10 before 2004 calls it: pktmon pcapng FILE.etl -o FILE.pcapng)"),
    ));
    steps.push(step(
        "pktmon filter remove".into(),
        Some("leave no filters behind"),
    ));
    steps.push(step(
        format!("aovpn-diag.exe pcap {out}"),
        Some("and analyse it"),
    ));
    steps
}

/// tcpdump commands (as root) that record what the live capture would, on
/// `interface` (or tcpdump's default), with the same filter.
pub fn tcpdump(interface: Option<&str>, ports: &IkePorts, out: &str) -> Vec<Step> {
    let iface = interface.map_or(String::new(), |i| format!(" -i {i}"));
    vec![
        step(
            format!(
                "tcpdump{iface} -n -s 0 -w {} '{}'",
                quoted(out),
                filter::bpf(ports)
            ),
            Some(
                "as root: record what the live capture keeps; connect the VPN, wait until it fails, then Ctrl-C",
            ),
        ),
        step(
            format!("aovpn-diag pcap {}", quoted(out)),
            Some("and analyse it"),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn commands(steps: &[Step]) -> Vec<&str> {
        steps.iter().map(|s| s.command.as_str()).collect()
    }

    #[test]
    fn pktmon_filters_by_server_address_and_protocol_never_by_port() {
        let servers: Vec<IpAddr> = vec![
            "198.51.100.7".parse().unwrap(),
            "2001:db8::7".parse().unwrap(),
        ];
        let steps = pktmon(&servers, "aovpn.pcapng");
        assert_eq!(
            commands(&steps),
            vec![
                "pktmon filter remove",
                "pktmon filter add AOVPN-server1 -i 198.51.100.7",
                "pktmon filter add AOVPN-server2 -i 2001:db8::7",
                "pktmon filter add AOVPN-ICMP -t ICMP",
                "pktmon filter add AOVPN-ICMPv6 -t ICMPv6",
                "pktmon start --capture --comp nics --pkt-size 0 --file-name aovpn.etl",
                "pktmon stop",
                "pktmon etl2pcap aovpn.etl --out aovpn.pcapng",
                "pktmon filter remove",
                "aovpn-diag.exe pcap aovpn.pcapng",
            ]
        );
        assert!(steps.iter().all(|s| !s.command.contains(" -p ")));
    }

    #[test]
    fn without_a_server_pktmon_keeps_all_udp_and_paths_are_quoted() {
        let steps = pktmon(&[], r"C:\Users\Jo Admin\vpn trace.pcapng");
        let c = commands(&steps);
        assert_eq!(c[1], "pktmon filter add AOVPN-UDP -t UDP");
        assert!(
            c.contains(
                &r#"pktmon start --capture --comp nics --pkt-size 0 --file-name "C:\Users\Jo Admin\vpn trace.etl""#
            ),
            "{c:?}"
        );
        assert!(c.contains(
            &r#"pktmon etl2pcap "C:\Users\Jo Admin\vpn trace.etl" --out "C:\Users\Jo Admin\vpn trace.pcapng""#
        ));
    }

    #[test]
    fn many_addresses_stay_within_pktmons_32_filters() {
        let servers: Vec<IpAddr> = (1..=40u8)
            .map(|n| IpAddr::from([198, 51, 100, n]))
            .collect();
        let steps = pktmon(&servers, "a.pcapng");
        let filters = steps
            .iter()
            .filter(|s| s.command.starts_with("pktmon filter add"))
            .count();
        assert_eq!(filters, 32);
    }

    #[test]
    fn tcpdump_uses_the_live_capture_filter() {
        let steps = tcpdump(Some("eth0"), &IkePorts::default(), "aovpn.pcap");
        assert_eq!(
            steps[0].command,
            format!(
                "tcpdump -i eth0 -n -s 0 -w aovpn.pcap '{}'",
                filter::bpf(&IkePorts::default())
            )
        );
        assert_eq!(steps[1].command, "aovpn-diag pcap aovpn.pcap");
    }
}
