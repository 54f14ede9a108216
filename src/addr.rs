//! PURE address arithmetic for IPv6 transition mechanisms that DirectAccess and
//! Always On VPN clients use: 6to4 (RFC 3056), Teredo (RFC 4380) and ISATAP
//! (RFC 5214), plus the IPv4 scope checks that say whether 6to4 can work at all.
//!
//! Nothing here does I/O or prints: values in, values out, so every rule is
//! unit-tested against the RFC vectors and cross-checked against Python's
//! `ipaddress` module (see `tests/addr_oracle.rs`).

#![forbid(unsafe_code)]

mod input;
mod isatap;
mod scope;
mod sixtofour;
mod teredo;

pub use input::{Input, InputError, MAX_INPUT_CHARS, parse_input};
pub use isatap::{Isatap, decode_isatap, encode_isatap};
pub use scope::{NonGlobal, describe_ipv6, non_global_ipv4, non_global_ipv4_net};
pub use sixtofour::{
    SIXTOFOUR_NET, SixToFour, decode_sixtofour, decode_sixtofour_prefix, sixtofour_host,
    sixtofour_prefix, sixtofour_prefix_for,
};
pub use teredo::{TEREDO_NET, Teredo, decode_teredo, encode_teredo};

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// What one IPv6 address turns out to be, decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decoded {
    SixToFour(SixToFour),
    Teredo(Teredo),
    Isatap(Isatap),
    /// None of the three; `describe_ipv6` says what it is instead.
    Other,
}

/// Recognises an IPv6 address as 6to4, Teredo or ISATAP. The three cannot
/// overlap: 6to4 is 2002::/16, Teredo is 2001:0::/32, and ISATAP is defined by
/// the interface identifier, which is checked only when the prefix is neither.
pub fn decode_ipv6(addr: Ipv6Addr) -> Decoded {
    if let Some(s) = decode_sixtofour(addr) {
        Decoded::SixToFour(s)
    } else if let Some(t) = decode_teredo(addr) {
        Decoded::Teredo(t)
    } else if let Some(i) = decode_isatap(addr) {
        Decoded::Isatap(i)
    } else {
        Decoded::Other
    }
}

/// The IPv4 address an IP address stands for when the client is reached over
/// 6to4 or Teredo: the embedded public IPv4 (for Teredo, the client's mapped
/// address), or the address itself for plain IPv4.
pub fn public_ipv4(addr: IpAddr) -> Option<Ipv4Addr> {
    match addr {
        IpAddr::V4(v4) => Some(v4),
        IpAddr::V6(v6) => match decode_ipv6(v6) {
            Decoded::SixToFour(s) => Some(s.ipv4),
            Decoded::Teredo(t) => Some(t.client_ipv4),
            Decoded::Isatap(_) | Decoded::Other => None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v6(s: &str) -> Ipv6Addr {
        s.parse().unwrap()
    }

    #[test]
    fn dispatches_each_mechanism() {
        assert!(matches!(
            decode_ipv6(v6("2002:c633:6453::c633:6453")),
            Decoded::SixToFour(_)
        ));
        assert!(matches!(
            decode_ipv6(v6("2001:0:4136:e378:8000:63bf:3fff:fdd2")),
            Decoded::Teredo(_)
        ));
        assert!(matches!(
            decode_ipv6(v6("fe80::5efe:10.0.0.1")),
            Decoded::Isatap(_)
        ));
        assert_eq!(decode_ipv6(v6("2001:db8::1")), Decoded::Other);
        // 2001:1::/32 is not Teredo: only 2001:0::/32 is.
        assert_eq!(decode_ipv6(v6("2001:1:4136:e378::1")), Decoded::Other);
    }

    #[test]
    fn public_ipv4_of_each_kind() {
        assert_eq!(
            public_ipv4("2002:c633:6453::c633:6453".parse().unwrap()),
            Some(Ipv4Addr::new(198, 51, 100, 83))
        );
        assert_eq!(
            public_ipv4("2001:0:4136:e378:8000:63bf:3fff:fdd2".parse().unwrap()),
            Some(Ipv4Addr::new(192, 0, 2, 45))
        );
        assert_eq!(
            public_ipv4("10.1.2.3".parse().unwrap()),
            Some(Ipv4Addr::new(10, 1, 2, 3))
        );
        assert_eq!(public_ipv4("fe80::5efe:10.0.0.1".parse().unwrap()), None);
    }
}
