//! Teredo (RFC 4380): IPv6 over UDP through NATs. Windows clients behind NAT
//! fall back to it, and domain controllers then log their Teredo addresses.
//!
//! RFC 4380 section 4 lays the address out as
//!
//! ```text
//! | 32 bits    | 32 bits     | 16 bits | 16 bits | 32 bits     |
//! | 2001:0000  | Server IPv4 | Flags   | Port    | Client IPv4 |
//! ```
//!
//! where Port and Client IPv4 are the client's *public* (NAT-mapped) UDP port
//! and IPv4 address, each XOR-ed with all ones ("obfuscated") so NATs that
//! rewrite addresses inside payloads leave them alone. In Flags, bit 0x8000
//! is the Cone bit; RFC 5991 (Teredo security updates) turned 12 of the
//! other bits into random bits (`CRAAAAUG AAAAAAAA`), so Windows Vista and
//! later show values such as 0x8000 | random.

use std::net::{Ipv4Addr, Ipv6Addr};

use ipnet::Ipv6Net;

/// 2001:0::/32, the Teredo prefix (RFC 4380 section 2.6).
pub const TEREDO_NET: Ipv6Net = Ipv6Net::new_assert(Ipv6Addr::new(0x2001, 0, 0, 0, 0, 0, 0, 0), 32);

const PREFIX: u128 = 0x2001_0000;

/// Cone bit: the client found itself behind a cone NAT (RFC 4380 section 4).
pub const FLAG_CONE: u16 = 0x8000;
/// The 12 random bits of RFC 5991 (`CRAAAAUG AAAAAAAA`).
pub const FLAG_RANDOM_MASK: u16 = 0x3cff;

/// The parts of a Teredo address, with port and client IPv4 un-obfuscated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Teredo {
    /// The Teredo server the client qualified with.
    pub server: Ipv4Addr,
    pub flags: u16,
    /// The client's public (NAT-mapped) UDP port.
    pub client_port: u16,
    /// The client's public (NAT-mapped) IPv4 address.
    pub client_ipv4: Ipv4Addr,
}

impl Teredo {
    /// Whether the client was behind a cone NAT when it qualified.
    pub fn is_cone(&self) -> bool {
        self.flags & FLAG_CONE != 0
    }

    /// The RFC 5991 random bits of the flags.
    pub fn random_bits(&self) -> u16 {
        self.flags & FLAG_RANDOM_MASK
    }
}

/// Builds a Teredo address, obfuscating port and client IPv4 (RFC 4380 section 4).
pub fn encode_teredo(t: &Teredo) -> Ipv6Addr {
    Ipv6Addr::from(
        (PREFIX << 96)
            | (u128::from(u32::from(t.server)) << 64)
            | (u128::from(t.flags) << 48)
            | (u128::from(!t.client_port) << 32)
            | u128::from(!u32::from(t.client_ipv4)),
    )
}

/// Decodes a Teredo address; `None` outside 2001:0::/32.
pub fn decode_teredo(addr: Ipv6Addr) -> Option<Teredo> {
    let bits = u128::from(addr);
    if bits >> 96 != PREFIX {
        return None;
    }
    Some(Teredo {
        server: Ipv4Addr::from((bits >> 64) as u32),
        flags: (bits >> 48) as u16,
        client_port: !((bits >> 32) as u16),
        client_ipv4: Ipv4Addr::from(!(bits as u32)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The classic Teredo example (RFC 4380 layout; used by issue 3):
    /// server 65.54.227.120, cone, client 192.0.2.45 port 40000.
    #[test]
    fn decodes_the_classic_example() {
        let t = decode_teredo("2001:0:4136:e378:8000:63bf:3fff:fdd2".parse().unwrap()).unwrap();
        assert_eq!(t.server, Ipv4Addr::new(65, 54, 227, 120));
        assert_eq!(t.client_ipv4, Ipv4Addr::new(192, 0, 2, 45));
        assert_eq!(t.client_port, 40000);
        assert_eq!(t.flags, 0x8000);
        assert!(t.is_cone());
        assert_eq!(t.random_bits(), 0);
    }

    /// Obfuscation is XOR with all ones (RFC 4380 section 4): port 0x9c40
    /// (40000) is carried as 0x63bf, 192.0.2.45 (c000:022d) as 3fff:fdd2.
    #[test]
    fn encodes_with_obfuscation() {
        let t = Teredo {
            server: Ipv4Addr::new(65, 54, 227, 120),
            flags: FLAG_CONE,
            client_port: 40000,
            client_ipv4: Ipv4Addr::new(192, 0, 2, 45),
        };
        assert_eq!(
            encode_teredo(&t).to_string(),
            "2001:0:4136:e378:8000:63bf:3fff:fdd2"
        );
    }

    #[test]
    fn restricted_nat_with_rfc5991_random_bits() {
        // Flags 0x0f05: not cone, random bits set, as Windows Vista+ produces.
        let t = Teredo {
            server: Ipv4Addr::new(198, 51, 100, 1),
            flags: 0x0f05,
            client_port: 1,
            client_ipv4: Ipv4Addr::new(203, 0, 113, 9),
        };
        let a = encode_teredo(&t);
        assert_eq!(a.to_string(), "2001:0:c633:6401:f05:fffe:34ff:8ef6");
        let back = decode_teredo(a).unwrap();
        assert_eq!(back, t);
        assert!(!back.is_cone());
        assert_eq!(back.random_bits(), 0x0c05);
    }

    #[test]
    fn not_teredo_outside_2001_0_32() {
        assert_eq!(decode_teredo("2001:1::1".parse().unwrap()), None);
        assert_eq!(decode_teredo("2001:db8::1".parse().unwrap()), None);
        assert_eq!(decode_teredo("2002::1".parse().unwrap()), None);
    }
}
