//! Command lines as a user or a script types them, aimed at the arguments
//! that carry outside text: the server (host name or IP literal), ports,
//! timeouts, sizes, retransmits, proposal sets. clap parses; then what the
//! commands compute from the values before any packet is sent (the host
//! check, the timing budget, the MTU search bracket) must not panic.
#![no_main]

use std::time::Duration;

use aovpn_diag::cli::{Cli, Command, Ranges, Target, TargetArgs, default_ranges};
use aovpn_diag::diagnose::lb::search;
use aovpn_diag::probe::ike::Timing;
use aovpn_diag::probe::mtu::search::{Search, SearchConfig};
use aovpn_diag::resolve::{is_host_name, parse_literal};
use clap::Parser;
use libfuzzer_sys::fuzz_target;

const COMMANDS: [&str; 7] = ["probe", "mtu", "check", "pcap", "6to4", "profile", "lb"];
const OPTIONS: [&str; 19] = [
    "--timeout",
    "--port",
    "--frag-size",
    "--retransmits",
    "--proposals",
    "--min",
    "--max",
    "--tries",
    "--ike-port",
    "--frag-timeout",
    "--site",
    "-4",
    "-6",
    "--ike",
    "--find-backends",
    "--backends",
    "--snat-candidates",
    "--rounds",
    "--search-time",
];

fn target(t: &TargetArgs) {
    let timeout = t.timeout();
    let _ = t.family();
    for retransmits in [0, 5] {
        let _ = Timing {
            timeout,
            retransmits,
        }
        .budget();
    }
    let host = t.host.host();
    if parse_literal(host).is_none() {
        assert!(
            is_host_name(host),
            "a server argument that is neither name nor literal: {host:?}"
        );
    }
    let _ = t.host.zone();
}

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let mut args = vec![
        "aovpn-diag".to_owned(),
        COMMANDS[usize::from(pick) % COMMANDS.len()].to_owned(),
    ];
    // Words separated by NUL; a word "\x01N" stands for the Nth option name,
    // so the fuzzer need not guess the spellings.
    for word in rest.split(|&b| b == 0) {
        match word {
            [1, n] => args.push(OPTIONS[usize::from(*n) % OPTIONS.len()].to_owned()),
            _ => args.push(String::from_utf8_lossy(word).into_owned()),
        }
    }
    // Every word as a server argument: accepted ones are a host name or an
    // IP literal; refusals quote the argument in part only.
    for word in &args[2..] {
        match Target::parse(word) {
            Ok(t) => {
                if parse_literal(t.host()).is_none() {
                    assert!(is_host_name(t.host()), "accepted {word:?} as {t:?}");
                }
            }
            Err(e) => assert!(e.to_string().chars().count() < 400, "{e}"),
        }
    }
    let Ok(cli) = Cli::try_parse_from(&args) else {
        return;
    };
    match &cli.command {
        Command::Probe(a) => {
            target(&a.target);
            let _ = a.proposals.as_ref().map(|p| p.entries());
        }
        Command::Check(a) => {
            target(&a.target);
            let _ = a.proposals.entries();
        }
        Command::Mtu(a) => {
            target(&a.target);
            let address = parse_literal(a.target.host.host())
                .unwrap_or_else(|| std::net::IpAddr::from([192, 0, 2, 1]));
            let cfg = SearchConfig {
                floor: a
                    .min
                    .unwrap_or_else(|| SearchConfig::default_floor(&address)),
                ceiling: a.max.unwrap_or(1500),
                tries: a.tries,
                max_probes: 64,
                max_time: Duration::from_secs(30),
                timeout: a.target.timeout(),
                min_wait: Duration::from_millis(250),
            };
            let _ = Search::new(cfg);
        }
        Command::Lb(a) => {
            target(&a.target);
            // What `lb` checks before the first packet: the search ranges
            // of either family, bounded.
            for vip in [
                std::net::IpAddr::from([198, 51, 100, 10]),
                std::net::IpAddr::from([0x2001, 0xdb8, 0, 0, 0, 0, 0, 0x10]),
            ] {
                let ranges = match &a.find_backends {
                    None => continue,
                    Some(Ranges::Default) => default_ranges(vip),
                    Some(Ranges::List(l)) => Some(l.clone()),
                };
                if let Some(Ok(merged)) = ranges.map(|r| search::prepare(&r, vip.is_ipv6())) {
                    let total: u128 = merged.iter().map(search::size).sum();
                    assert!(total <= u128::from(search::MAX_ADDRESSES), "{merged:?}");
                }
            }
        }
        Command::Pcap(a) => {
            let _ = (i64::from(a.frag_timeout), a.ike_ports.len());
        }
        _ => {}
    }
});
