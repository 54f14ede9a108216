//! 6to4 (RFC 3056): an IPv4 address with a public IPv4 gets a whole IPv6 /48.
//!
//! RFC 3056 section 2 lays the address out as
//!
//! ```text
//! | 16 bits | 32 bits | 16 bits | 64 bits      |
//! | 0x2002  | V4ADDR  | SLA ID  | Interface ID |
//! ```
//!
//! so the site prefix is `2002:V4ADDR::/48`. Windows numbers its own 6to4
//! address with SLA ID 0 and the IPv4 address again as interface identifier
//! (`2002:c633:6453::c633:6453` for 198.51.100.83), which is what domain
//! controllers then log. Because V4ADDR sits right after the 16-bit 2002
//! prefix, an IPv4 prefix `a.b.c.d/n` covers exactly the 6to4 prefix
//! `2002:WWXX:YYZZ::/(16+n)`: the AD subnet that matches all its clients.

use std::net::{Ipv4Addr, Ipv6Addr};

use ipnet::{Ipv4Net, Ipv6Net};

/// 2002::/16, the 6to4 prefix (RFC 3056 section 2).
pub const SIXTOFOUR_NET: Ipv6Net =
    Ipv6Net::new_assert(Ipv6Addr::new(0x2002, 0, 0, 0, 0, 0, 0, 0), 16);

const TLA: u128 = 0x2002;

/// The parts of a 6to4 address (RFC 3056 section 2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SixToFour {
    /// V4ADDR: the site's public IPv4 address.
    pub ipv4: Ipv4Addr,
    /// SLA ID: the subnet inside the site's /48.
    pub subnet_id: u16,
    /// The low 64 bits.
    pub interface_id: u64,
}

impl SixToFour {
    /// The site's /48, `2002:V4ADDR::/48`.
    pub fn prefix(&self) -> Ipv6Net {
        sixtofour_prefix(self.ipv4)
    }

    /// Whether this is the address Windows gives itself: subnet 0 and the
    /// IPv4 address repeated as interface identifier.
    pub fn is_windows_host(&self) -> bool {
        self.subnet_id == 0 && self.interface_id == u64::from(u32::from(self.ipv4))
    }

    /// Builds the address again (the mirror image of `decode_sixtofour`).
    pub fn to_ipv6(&self) -> Ipv6Addr {
        Ipv6Addr::from(
            (TLA << 112)
                | (u128::from(u32::from(self.ipv4)) << 80)
                | (u128::from(self.subnet_id) << 64)
                | u128::from(self.interface_id),
        )
    }
}

/// The 6to4 site prefix of one IPv4 address: `2002:V4ADDR::/48`.
pub fn sixtofour_prefix(ipv4: Ipv4Addr) -> Ipv6Net {
    sixtofour_prefix_for(Ipv4Net::new_assert(ipv4, 32))
}

/// The address Windows configures for itself on 6to4: `2002:V4ADDR::V4ADDR`.
pub fn sixtofour_host(ipv4: Ipv4Addr) -> Ipv6Addr {
    SixToFour {
        ipv4,
        subnet_id: 0,
        interface_id: u64::from(u32::from(ipv4)),
    }
    .to_ipv6()
}

/// The 6to4 prefix that covers every 6to4 address of an IPv4 prefix: an IPv4
/// /n maps to a 6to4 /(16+n). Host bits of the IPv4 prefix are cleared first.
pub fn sixtofour_prefix_for(net: Ipv4Net) -> Ipv6Net {
    let net = net.trunc();
    let addr = Ipv6Addr::from((TLA << 112) | (u128::from(u32::from(net.network())) << 80));
    // prefix_len <= 32, so 16 + prefix_len <= 48 <= 128: always valid.
    Ipv6Net::new_assert(addr, 16 + net.prefix_len())
}

/// Decodes a 6to4 address; `None` when it is not in 2002::/16.
pub fn decode_sixtofour(addr: Ipv6Addr) -> Option<SixToFour> {
    let bits = u128::from(addr);
    if bits >> 112 != TLA {
        return None;
    }
    Some(SixToFour {
        ipv4: Ipv4Addr::from((bits >> 80) as u32),
        subnet_id: (bits >> 64) as u16,
        interface_id: bits as u64,
    })
}

/// Decodes a 6to4 prefix back to the IPv4 prefix it covers:
/// `2002:cb00:7100::/40` -> `203.0.113.0/24`. Prefixes longer than /48 lie
/// inside one site and map to that site's /32. `None` outside 2002::/16 or
/// for a prefix shorter than /16 (which is wider than 6to4 itself).
pub fn decode_sixtofour_prefix(net: Ipv6Net) -> Option<Ipv4Net> {
    if net.prefix_len() < 16 || !SIXTOFOUR_NET.contains(&net.network()) {
        return None;
    }
    let v4_len = (net.prefix_len() - 16).min(32);
    let ipv4 = decode_sixtofour(net.network())?.ipv4;
    Ipv4Net::new(ipv4, v4_len).ok().map(|n| n.trunc())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v4(s: &str) -> Ipv4Addr {
        s.parse().unwrap()
    }

    /// The example of the DirectAccess seed article and issue 3.
    #[test]
    fn windows_host_address_of_198_51_100_83() {
        let ip = v4("198.51.100.83");
        assert_eq!(sixtofour_prefix(ip).to_string(), "2002:c633:6453::/48");
        assert_eq!(sixtofour_host(ip).to_string(), "2002:c633:6453::c633:6453");
        let d = decode_sixtofour(sixtofour_host(ip)).unwrap();
        assert_eq!(d.ipv4, ip);
        assert!(d.is_windows_host());
    }

    /// RFC 3056 section 2 layout: 0x2002, V4ADDR, SLA ID, interface ID.
    #[test]
    fn rfc3056_section2_fields() {
        assert_eq!(
            sixtofour_prefix(v4("192.1.2.3")).to_string(),
            "2002:c001:203::/48"
        );
        let d = decode_sixtofour("2002:c001:203:5:0:0:0:1".parse().unwrap()).unwrap();
        assert_eq!(d.ipv4, v4("192.1.2.3"));
        assert_eq!(d.subnet_id, 5);
        assert_eq!(d.interface_id, 1);
        assert!(!d.is_windows_host());
    }

    #[test]
    fn ipv4_prefix_maps_to_16_plus_n() {
        let net: Ipv4Net = "203.0.113.0/24".parse().unwrap();
        assert_eq!(sixtofour_prefix_for(net).to_string(), "2002:cb00:7100::/40");
        let with_host_bits: Ipv4Net = "203.0.113.77/24".parse().unwrap();
        assert_eq!(
            sixtofour_prefix_for(with_host_bits).to_string(),
            "2002:cb00:7100::/40"
        );
        assert_eq!(
            sixtofour_prefix_for("0.0.0.0/0".parse().unwrap()).to_string(),
            "2002::/16"
        );
        assert_eq!(
            sixtofour_prefix_for("10.0.0.0/8".parse().unwrap()).to_string(),
            "2002:a00::/24"
        );
    }

    #[test]
    fn prefix_decodes_back() {
        let back = decode_sixtofour_prefix("2002:cb00:7100::/40".parse().unwrap()).unwrap();
        assert_eq!(back.to_string(), "203.0.113.0/24");
        let site = decode_sixtofour_prefix("2002:c633:6453:7::/64".parse().unwrap()).unwrap();
        assert_eq!(site.to_string(), "198.51.100.83/32");
        assert_eq!(
            decode_sixtofour_prefix("2002::/16".parse().unwrap())
                .unwrap()
                .to_string(),
            "0.0.0.0/0"
        );
        assert_eq!(decode_sixtofour_prefix("2000::/3".parse().unwrap()), None);
        assert_eq!(
            decode_sixtofour_prefix("2001:db8::/32".parse().unwrap()),
            None
        );
    }

    #[test]
    fn not_6to4_outside_2002_16() {
        assert_eq!(decode_sixtofour("2003:c633:6453::1".parse().unwrap()), None);
        assert_eq!(
            decode_sixtofour("::ffff:198.51.100.83".parse().unwrap()),
            None
        );
    }

    #[test]
    fn round_trip_keeps_every_field() {
        let s = SixToFour {
            ipv4: v4("255.0.128.1"),
            subnet_id: 0xbeef,
            interface_id: 0x0123_4567_89ab_cdef,
        };
        assert_eq!(decode_sixtofour(s.to_ipv6()), Some(s));
    }
}
