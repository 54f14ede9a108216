//! ICMP as the `mtu` search receives it from hostile routers: raw ICMPv4
//! (with the IPv4 header a raw socket delivers) and ICMPv6 messages, the
//! Linux error-queue control message (`sock_extended_err` and offender), and
//! then the path-MTU search itself driven by what those bytes say (any MTU:
//! 0, 68, 65535, beyond the bracket, errors that contradict earlier
//! answers). The search must end within its probe cap.
#![no_main]

#[path = "common.rs"]
mod common;

use std::cell::Cell;
use std::net::IpAddr;
use std::time::Duration;

use aovpn_diag::probe::mtu::driver::{self as mtu_driver, Method, ProbeError, SizedProbe};
use aovpn_diag::probe::mtu::search::{Search, SearchConfig};
use aovpn_diag::probe::mtu::{Outcome, Unreachable};
use aovpn_diag::wire::icmp::{self as packet, Message};
use libfuzzer_sys::fuzz_target;

use common::Bytes;

/// What the bytes of one ICMP message (or error-queue entry) tell the search.
fn outcome(kind: u8, bytes: &[u8], target: IpAddr) -> Outcome {
    let message = match kind % 4 {
        0 => packet::strip_ipv4(bytes).and_then(|(_, icmp)| packet::parse_v4(icmp)),
        1 => packet::parse_v6(bytes),
        2 => {
            #[cfg(target_os = "linux")]
            if let Some(o) = aovpn_diag::probe::mtu::errqueue::parse_error(bytes) {
                return o;
            }
            None
        }
        _ => {
            let _ = packet::sent_seq(bytes);
            return Outcome::Reply {
                rtt: Duration::from_millis(u64::from(bytes.first().copied().unwrap_or(1))),
            };
        }
    };
    match message {
        Some(Message::EchoReply { .. }) => Outcome::Reply {
            rtt: Duration::from_millis(3),
        },
        Some(Message::TooBig { mtu, .. }) => Outcome::TooBig {
            mtu,
            from: Some(target),
        },
        Some(Message::Error { kind, .. }) => Outcome::Error {
            kind,
            from: Some(target),
        },
        None => Outcome::Lost,
    }
}

/// A transport whose answers the fuzz input writes, on a virtual clock.
struct Hostile<'a> {
    input: Bytes<'a>,
    target: IpAddr,
    now: &'a Cell<Duration>,
    sent: u32,
}

impl SizedProbe for Hostile<'_> {
    fn method(&self) -> Method {
        Method::Icmp
    }

    fn target(&self) -> IpAddr {
        self.target
    }

    fn overhead(&self) -> u16 {
        if self.target.is_ipv6() { 48 } else { 28 }
    }

    fn probe(&mut self, _size: u16, wait: Duration) -> Result<Outcome, ProbeError> {
        self.sent += 1;
        let kind = self.input.u8();
        let bytes = self.input.slice(256);
        let o = if self.input.is_empty() && bytes.is_empty() {
            Outcome::Lost
        } else {
            outcome(kind, bytes, self.target)
        };
        let spent = match o {
            Outcome::Lost => wait,
            _ => wait / 4,
        };
        self.now.set(self.now.get() + spent);
        Ok(o)
    }
}

fuzz_target!(|data: &[u8]| {
    let mut input = Bytes(data);
    let flags = input.u8();
    // The parsers alone, on the whole input.
    let rest = input.0;
    let _ = packet::strip_ipv4(rest).map(|(_, icmp)| packet::parse_v4(icmp));
    let _ = (
        packet::parse_v4(rest),
        packet::parse_v6(rest),
        packet::sent_seq(rest),
    );
    #[cfg(target_os = "linux")]
    let _ = aovpn_diag::probe::mtu::errqueue::parse_error(rest);
    let _ = Unreachable::Other.describe();

    let target = if flags & 1 == 0 {
        IpAddr::from([198, 51, 100, 7])
    } else {
        IpAddr::from([0x2001, 0xdb8, 0, 0, 0, 0, 0, 7])
    };
    let floor = SearchConfig::default_floor(&target);
    let cfg = SearchConfig {
        floor,
        ceiling: floor.max(1500u16.saturating_add(input.u16() % 8000)),
        tries: 1 + flags % 4,
        max_probes: 64,
        max_time: Duration::from_secs(30),
        timeout: Duration::from_secs(2),
        min_wait: Duration::from_millis(250),
    };
    let Ok(search) = Search::new(cfg) else {
        return;
    };
    let now = Cell::new(Duration::ZERO);
    let mut transport = Hostile {
        input,
        target,
        now: &now,
        sent: 0,
    };
    let result = mtu_driver::run(search, &mut transport, &|| now.get(), &mut |_| {})
        .expect("the hostile transport never fails to send");
    assert!(transport.sent <= 64, "{} probes", transport.sent);
    assert_eq!(result.probes_sent(), transport.sent);
    let _ = result.path_mtu();
});
