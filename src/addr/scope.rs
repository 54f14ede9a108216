//! Which IPv4 addresses 6to4 and Teredo cannot work with, and what an IPv6
//! address is when it is none of the transition mechanisms.
//!
//! 6to4 needs the site's own globally reachable IPv4 address (RFC 3056
//! section 2: "a valid, globally unique 32-bit IPv4 address"), so a 6to4
//! address or AD subnet built from a private, CGNAT or otherwise special
//! address can never carry traffic. The ranges follow the IANA IPv4
//! Special-Purpose Address Registry (RFC 6890).
//!
//! Deliberate exception: the documentation ranges of RFC 5737 (192.0.2.0/24,
//! 198.51.100.0/24, 203.0.113.0/24) are not reported. They never occur on real
//! networks; where they do appear (RFC examples, this tool's own examples and
//! tests) they stand for public addresses, and warning about them would only
//! add noise to every example.

use std::net::{Ipv4Addr, Ipv6Addr};

use ipnet::{Ipv4Net, Ipv6Net};

/// An IPv4 range 6to4 cannot work from, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NonGlobal {
    pub range: Ipv4Net,
    /// Short human description, e.g. "shared address space (carrier-grade NAT)".
    pub what: &'static str,
    /// The RFC that reserves the range.
    pub rfc: &'static str,
}

const fn net(a: u8, b: u8, c: u8, d: u8, len: u8) -> Ipv4Net {
    Ipv4Net::new_assert(Ipv4Addr::new(a, b, c, d), len)
}

/// Most specific first: the first match wins.
const NON_GLOBAL: &[NonGlobal] = &[
    NonGlobal {
        range: net(255, 255, 255, 255, 32),
        what: "the limited broadcast address",
        rfc: "RFC 919",
    },
    NonGlobal {
        range: net(0, 0, 0, 0, 8),
        what: "\"this network\"",
        rfc: "RFC 1122",
    },
    NonGlobal {
        range: net(10, 0, 0, 0, 8),
        what: "private",
        rfc: "RFC 1918",
    },
    NonGlobal {
        range: net(100, 64, 0, 0, 10),
        what: "shared address space (carrier-grade NAT)",
        rfc: "RFC 6598",
    },
    NonGlobal {
        range: net(127, 0, 0, 0, 8),
        what: "loopback",
        rfc: "RFC 1122",
    },
    NonGlobal {
        range: net(169, 254, 0, 0, 16),
        what: "link-local",
        rfc: "RFC 3927",
    },
    NonGlobal {
        range: net(172, 16, 0, 0, 12),
        what: "private",
        rfc: "RFC 1918",
    },
    NonGlobal {
        range: net(192, 0, 0, 0, 24),
        what: "IETF protocol assignments",
        rfc: "RFC 6890",
    },
    NonGlobal {
        range: net(192, 168, 0, 0, 16),
        what: "private",
        rfc: "RFC 1918",
    },
    NonGlobal {
        range: net(198, 18, 0, 0, 15),
        what: "benchmarking",
        rfc: "RFC 2544",
    },
    NonGlobal {
        range: net(224, 0, 0, 0, 4),
        what: "multicast",
        rfc: "RFC 5771",
    },
    NonGlobal {
        range: net(240, 0, 0, 0, 4),
        what: "reserved",
        rfc: "RFC 1112",
    },
];

/// Addresses inside 192.0.0.0/24 that IANA marks globally reachable
/// (PCP anycast, NAT traversal anycast).
const GLOBAL_EXCEPTIONS: &[Ipv4Addr] = &[Ipv4Addr::new(192, 0, 0, 9), Ipv4Addr::new(192, 0, 0, 10)];

/// `Some` when `ipv4` is not globally reachable, so 6to4 cannot work with it.
pub fn non_global_ipv4(ipv4: Ipv4Addr) -> Option<NonGlobal> {
    if GLOBAL_EXCEPTIONS.contains(&ipv4) {
        return None;
    }
    NON_GLOBAL.iter().copied().find(|n| n.range.contains(&ipv4))
}

/// `Some` when a whole IPv4 prefix lies inside a non-global range. A prefix
/// that merely contains such a range (0.0.0.0/0) is not flagged: most of it is
/// usable.
pub fn non_global_ipv4_net(prefix: Ipv4Net) -> Option<NonGlobal> {
    let prefix = prefix.trunc();
    if prefix.prefix_len() == 32 {
        return non_global_ipv4(prefix.network());
    }
    NON_GLOBAL
        .iter()
        .copied()
        .find(|n| n.range.contains(&prefix))
}

/// What an IPv6 address is, in a few words, for addresses that are not 6to4,
/// Teredo or ISATAP (which the caller has already ruled out).
pub fn describe_ipv6(addr: Ipv6Addr) -> &'static str {
    const KINDS: &[(u16, u16, u16, u8, &str)] = &[
        (0x0064, 0xff9b, 0, 96, "NAT64 well-known prefix (RFC 6052)"),
        (0x2001, 0x0db8, 0, 32, "documentation (RFC 3849)"),
        (0xfe80, 0, 0, 10, "link-local (RFC 4291)"),
        (0xfec0, 0, 0, 10, "deprecated site-local (RFC 3879)"),
        (0xfc00, 0, 0, 7, "unique local (RFC 4193)"),
        (0xff00, 0, 0, 8, "multicast (RFC 4291)"),
        (0x2000, 0, 0, 3, "global unicast"),
    ];
    if addr.is_unspecified() {
        return "the unspecified address";
    }
    if addr.is_loopback() {
        return "loopback";
    }
    if addr.to_ipv4_mapped().is_some() {
        return "IPv4-mapped (RFC 4291)";
    }
    for &(a, b, c, len, what) in KINDS {
        let range = Ipv6Net::new_assert(Ipv6Addr::new(a, b, c, 0, 0, 0, 0, 0), len);
        if range.contains(&addr) {
            return what;
        }
    }
    "reserved or unassigned IPv6 space"
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scope(s: &str) -> Option<&'static str> {
        non_global_ipv4(s.parse().unwrap()).map(|n| n.what)
    }

    #[test]
    fn the_ranges_6to4_cannot_use() {
        assert_eq!(scope("10.1.2.3"), Some("private"));
        assert_eq!(scope("172.31.255.255"), Some("private"));
        assert_eq!(scope("192.168.0.1"), Some("private"));
        assert_eq!(
            scope("100.64.0.1"),
            Some("shared address space (carrier-grade NAT)")
        );
        assert_eq!(
            scope("100.127.255.255"),
            Some("shared address space (carrier-grade NAT)")
        );
        assert_eq!(scope("127.0.0.1"), Some("loopback"));
        assert_eq!(scope("169.254.10.20"), Some("link-local"));
        assert_eq!(scope("0.1.2.3"), Some("\"this network\""));
        assert_eq!(scope("198.19.0.1"), Some("benchmarking"));
        assert_eq!(scope("239.1.1.1"), Some("multicast"));
        assert_eq!(scope("250.0.0.1"), Some("reserved"));
        assert_eq!(
            scope("255.255.255.255"),
            Some("the limited broadcast address")
        );
        assert_eq!(scope("192.0.0.8"), Some("IETF protocol assignments"));
    }

    #[test]
    fn global_and_documentation_addresses_pass() {
        for a in [
            "8.8.8.8",
            "100.63.255.255",
            "100.128.0.0",
            "172.32.0.1",
            "192.0.0.9",
            "198.20.0.1",
            "65.54.227.120",
            // RFC 5737: stand-ins for public addresses (see module docs).
            "192.0.2.45",
            "198.51.100.83",
            "203.0.113.1",
        ] {
            assert_eq!(scope(a), None, "{a}");
        }
    }

    #[test]
    fn prefixes_inside_a_range_are_flagged() {
        let p = |s: &str| non_global_ipv4_net(s.parse().unwrap()).map(|n| n.what);
        assert_eq!(p("10.20.0.0/16"), Some("private"));
        assert_eq!(
            p("100.64.0.0/10"),
            Some("shared address space (carrier-grade NAT)")
        );
        assert_eq!(p("100.0.0.0/8"), None);
        assert_eq!(p("0.0.0.0/0"), None);
        assert_eq!(p("203.0.113.0/24"), None);
        assert_eq!(p("10.0.0.1/32"), Some("private"));
    }

    #[test]
    fn describes_other_ipv6() {
        let d = |s: &str| describe_ipv6(s.parse().unwrap());
        assert_eq!(d("2001:db8::1"), "documentation (RFC 3849)");
        assert_eq!(d("fe80::1"), "link-local (RFC 4291)");
        assert_eq!(d("fd00::1"), "unique local (RFC 4193)");
        assert_eq!(d("::ffff:10.0.0.1"), "IPv4-mapped (RFC 4291)");
        assert_eq!(d("::1"), "loopback");
        assert_eq!(d("::"), "the unspecified address");
        assert_eq!(d("2a00:1450::1"), "global unicast");
        assert_eq!(d("ff02::1"), "multicast (RFC 4291)");
        assert_eq!(d("64:ff9b::c000:22d"), "NAT64 well-known prefix (RFC 6052)");
        assert_eq!(d("4000::1"), "reserved or unassigned IPv6 space");
    }
}
