//! ISATAP (RFC 5214): IPv6 inside an IPv4 site, with the IPv4 address in the
//! interface identifier. Old DirectAccess deployments used it on the intranet.
//!
//! RFC 5214 section 6.1 builds the interface identifier in Modified EUI-64
//! format (RFC 4291 appendix A) from the IANA OUI 00-00-5E, the type octet
//! 0xFE and the IPv4 address:
//!
//! ```text
//! | 64 bits   | 16 bits        | 16 bits | 32 bits |
//! | prefix    | 0000 or 0200   | 5efe    | IPv4    |
//! ```
//!
//! The 0x02 is the "u" (universal) bit, set when the IPv4 address is globally
//! unique; the "g" (group) bit is always 0 for these unicast identifiers, so
//! identifiers with it set are not ISATAP. Windows shows them as
//! `fe80::5efe:10.0.0.1` or `fe80::200:5efe:198.51.100.7`.

use std::net::{Ipv4Addr, Ipv6Addr};

use ipnet::Ipv6Net;

const OUI_TYPE: u32 = 0x0000_5efe;
const U_BIT: u32 = 0x0200_0000;

/// The parts of an ISATAP address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Isatap {
    /// The upper 64 bits: link-local fe80::/64 or a site's global /64.
    pub prefix: u64,
    /// The IPv4 address of the ISATAP interface.
    pub ipv4: Ipv4Addr,
    /// The "u" bit: the host declared its IPv4 address globally unique (0200:5efe).
    pub universal: bool,
}

impl Isatap {
    /// The /64 the address lives in.
    pub fn prefix_net(&self) -> Ipv6Net {
        Ipv6Net::new_assert(Ipv6Addr::from(u128::from(self.prefix) << 64), 64)
    }
}

/// Builds an ISATAP address (RFC 5214 section 6.1).
pub fn encode_isatap(i: &Isatap) -> Ipv6Addr {
    let high = if i.universal {
        OUI_TYPE | U_BIT
    } else {
        OUI_TYPE
    };
    Ipv6Addr::from(
        (u128::from(i.prefix) << 64) | (u128::from(high) << 32) | u128::from(u32::from(i.ipv4)),
    )
}

/// Decodes an ISATAP address; `None` when the interface identifier is not
/// `0000:5efe:IPv4` or `0200:5efe:IPv4`.
pub fn decode_isatap(addr: Ipv6Addr) -> Option<Isatap> {
    let bits = u128::from(addr);
    let high = (bits >> 32) as u32;
    if high & !U_BIT != OUI_TYPE {
        return None;
    }
    Some(Isatap {
        prefix: (bits >> 64) as u64,
        ipv4: Ipv4Addr::from(bits as u32),
        universal: high & U_BIT != 0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 5214 section 6.1: a private IPv4 gives 0000:5efe, a globally
    /// unique one 0200:5efe.
    #[test]
    fn rfc5214_interface_identifiers() {
        let local = decode_isatap("fe80::5efe:10.0.0.1".parse().unwrap()).unwrap();
        assert_eq!(local.ipv4, Ipv4Addr::new(10, 0, 0, 1));
        assert!(!local.universal);
        assert_eq!(local.prefix_net().to_string(), "fe80::/64");

        let global = decode_isatap("2001:db8:1:2:200:5efe:198.51.100.7".parse().unwrap()).unwrap();
        assert_eq!(global.ipv4, Ipv4Addr::new(198, 51, 100, 7));
        assert!(global.universal);
        assert_eq!(global.prefix_net().to_string(), "2001:db8:1:2::/64");
    }

    #[test]
    fn the_issue_forms_without_prefix() {
        let a = decode_isatap("::0:5efe:192.0.2.1".parse().unwrap()).unwrap();
        assert_eq!((a.prefix, a.universal), (0, false));
        let b = decode_isatap("::200:5efe:192.0.2.1".parse().unwrap()).unwrap();
        assert_eq!((b.prefix, b.universal), (0, true));
    }

    #[test]
    fn round_trip() {
        let i = Isatap {
            prefix: 0xfe80_0000_0000_0000,
            ipv4: Ipv4Addr::new(172, 16, 5, 9),
            universal: false,
        };
        let a = encode_isatap(&i);
        assert_eq!(a.to_string(), "fe80::5efe:ac10:509");
        assert_eq!(decode_isatap(a), Some(i));
    }

    #[test]
    fn other_identifiers_are_not_isatap() {
        // Group bit set, other OUI, other type octet.
        assert_eq!(decode_isatap("fe80::100:5efe:a00:1".parse().unwrap()), None);
        assert_eq!(decode_isatap("fe80::5efd:a00:1".parse().unwrap()), None);
        assert_eq!(decode_isatap("fe80::1".parse().unwrap()), None);
    }
}
