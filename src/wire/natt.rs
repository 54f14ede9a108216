//! NAT traversal on the wire: what travels on UDP 4500 (RFC 3948 §2.2/§2.3)
//! and the NAT_DETECTION hashes of RFC 7296 §2.23.

use std::net::{IpAddr, SocketAddr};

use sha1::{Digest, Sha1};

/// The IKE port (RFC 7296 §2).
pub const IKE_PORT: u16 = 500;
/// The NAT traversal port (RFC 3948 §2; RFC 7296 §2.23): IKE behind a
/// non-ESP marker, ESP in UDP and NAT keepalives share it.
pub const NATT_PORT: u16 = 4500;

/// RFC 3948 §2.2: four zero bytes where an ESP SPI would be; an IKE message
/// follows. (SPI 0 is reserved, so ESP never starts this way.)
pub const NON_ESP_MARKER: [u8; 4] = [0; 4];

/// RFC 3948 §2.3: a NAT-keepalive is one byte, 0xFF.
pub const NAT_KEEPALIVE: u8 = 0xff;

/// What a UDP 4500 payload carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Udp4500<'a> {
    /// An IKE message (the bytes after the non-ESP marker).
    Ike(&'a [u8]),
    /// A NAT-keepalive (one 0xFF byte).
    NatKeepalive,
    /// ESP in UDP: the SPI and, when present, the sequence number.
    Esp { spi: u32, sequence: Option<u32> },
    /// Too short for any of the above.
    Unknown(&'a [u8]),
}

/// Classifies a UDP payload received on (or sent to) port 4500.
pub fn classify_4500(payload: &[u8]) -> Udp4500<'_> {
    if payload == [NAT_KEEPALIVE] {
        return Udp4500::NatKeepalive;
    }
    let Some((head, rest)) = payload.split_first_chunk::<4>() else {
        return Udp4500::Unknown(payload);
    };
    if *head == NON_ESP_MARKER {
        return Udp4500::Ike(rest);
    }
    let sequence = rest.first_chunk::<4>().map(|s| u32::from_be_bytes(*s));
    Udp4500::Esp {
        spi: u32::from_be_bytes(*head),
        sequence,
    }
}

/// What a UDP datagram to or from an IKE port carries: the one place that
/// splits NAT-T traffic, for captures and probes alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IkeUdp<'a> {
    /// An IKE message; `marker` when a non-ESP marker preceded it.
    Ike { bytes: &'a [u8], marker: bool },
    /// A NAT-keepalive (RFC 3948 §2.3).
    NatKeepalive,
    /// ESP in UDP (RFC 3948 §2.1): SPI and, when present, sequence number.
    Esp { spi: u32, sequence: Option<u32> },
    /// A payload on UDP 4500 too short for any of the above.
    Unknown(&'a [u8]),
}

/// Splits the payload of a UDP datagram between `sport` and `dport`, one of
/// which is an IKE port. UDP 4500 carries IKE behind the non-ESP marker,
/// ESP and keepalives ([`classify_4500`]); UDP 500 carries IKE directly. Any
/// other port (one the user named) carries IKE directly too, unless its
/// payload starts with the non-ESP marker and holds at least an IKE header
/// behind it: then the port is used the NAT-T way.
pub fn split_udp(sport: u16, dport: u16, payload: &[u8]) -> IkeUdp<'_> {
    if sport == NATT_PORT || dport == NATT_PORT {
        return match classify_4500(payload) {
            Udp4500::Ike(bytes) => IkeUdp::Ike {
                bytes,
                marker: true,
            },
            Udp4500::NatKeepalive => IkeUdp::NatKeepalive,
            Udp4500::Esp { spi, sequence } => IkeUdp::Esp { spi, sequence },
            Udp4500::Unknown(b) => IkeUdp::Unknown(b),
        };
    }
    if sport != IKE_PORT
        && dport != IKE_PORT
        && let Some((head, rest)) = payload.split_first_chunk::<4>()
        && *head == NON_ESP_MARKER
        && rest.len() > super::ike::HEADER_LEN
    {
        return IkeUdp::Ike {
            bytes: rest,
            marker: true,
        };
    }
    IkeUdp::Ike {
        bytes: payload,
        marker: false,
    }
}

/// Prefixes an IKE message with the non-ESP marker for sending on UDP 4500.
pub fn with_marker(ike: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(ike.len() + 4);
    out.extend_from_slice(&NON_ESP_MARKER);
    out.extend_from_slice(ike);
    out
}

/// RFC 7296 §2.23: SHA-1(SPIi | SPIr | IP address | port), the data of
/// NAT_DETECTION_SOURCE_IP (with the sender's address) and
/// NAT_DETECTION_DESTINATION_IP (with the receiver's). SPIr is zero in the
/// first IKE_SA_INIT request. IPv4 addresses hash as 4 bytes, IPv6 as 16;
/// an IPv4-mapped IPv6 socket address is hashed as the IPv4 it maps.
pub fn nat_detection_hash(spi_i: &[u8; 8], spi_r: &[u8; 8], addr: SocketAddr) -> [u8; 20] {
    let mut h = Sha1::new();
    h.update(spi_i);
    h.update(spi_r);
    match addr.ip().to_canonical() {
        IpAddr::V4(v4) => h.update(v4.octets()),
        IpAddr::V6(v6) => h.update(v6.octets()),
    }
    h.update(addr.port().to_be_bytes());
    h.finalize().into()
}

/// True when a received NAT_DETECTION hash does NOT match the address we
/// know: the address was changed on the way, so a NAT sits in between.
pub fn nat_between(hash: &[u8], spi_i: &[u8; 8], spi_r: &[u8; 8], addr: SocketAddr) -> bool {
    hash != nat_detection_hash(spi_i, spi_r, addr).as_slice()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_udp_4500_payloads() {
        assert_eq!(classify_4500(&[0xff]), Udp4500::NatKeepalive);
        assert_eq!(classify_4500(&[0, 0, 0, 0, 1, 2]), Udp4500::Ike(&[1, 2]));
        assert_eq!(
            classify_4500(&[0xc0, 0, 0, 1, 0, 0, 0, 7, 9]),
            Udp4500::Esp {
                spi: 0xc000_0001,
                sequence: Some(7)
            }
        );
        assert_eq!(
            classify_4500(&[0xc0, 0, 0, 1]),
            Udp4500::Esp {
                spi: 0xc000_0001,
                sequence: None
            }
        );
        assert_eq!(classify_4500(&[0, 0]), Udp4500::Unknown(&[0, 0]));
        assert_eq!(classify_4500(&[]), Udp4500::Unknown(&[]));
        assert_eq!(with_marker(&[7]), vec![0, 0, 0, 0, 7]);
    }

    #[test]
    fn splits_ike_ports_one_way() {
        let ike = [1u8; 40];
        let mut marked = vec![0, 0, 0, 0];
        marked.extend_from_slice(&ike);
        assert_eq!(
            split_udp(500, 500, &ike),
            IkeUdp::Ike {
                bytes: &ike,
                marker: false
            }
        );
        assert_eq!(
            split_udp(4500, 61_000, &marked),
            IkeUdp::Ike {
                bytes: &ike,
                marker: true
            }
        );
        assert_eq!(split_udp(61_000, 4500, &[0xff]), IkeUdp::NatKeepalive);
        assert_eq!(
            split_udp(4500, 4500, &[0, 0, 0, 9, 0, 0, 0, 1]),
            IkeUdp::Esp {
                spi: 9,
                sequence: Some(1)
            }
        );
        assert_eq!(split_udp(4500, 4500, &[1]), IkeUdp::Unknown(&[1]));
        // A user-named port: NAT-T framing when the marker is there.
        assert_eq!(
            split_udp(10_500, 10_500, &marked),
            IkeUdp::Ike {
                bytes: &ike,
                marker: true
            }
        );
        assert_eq!(
            split_udp(10_500, 10_500, &ike),
            IkeUdp::Ike {
                bytes: &ike,
                marker: false
            }
        );
        // On UDP 500 a leading zero word belongs to the initiator SPI.
        assert_eq!(
            split_udp(500, 500, &marked),
            IkeUdp::Ike {
                bytes: &marked,
                marker: false
            }
        );
    }

    #[test]
    fn nat_detection_hash_matches_an_independent_sha1() {
        // Reference value computed with coreutils:
        // printf '\x01\x02\x03\x04\x05\x06\x07\x08\0\0\0\0\0\0\0\0\xc6\x12\x00\x01\x01\xf4' | sha1sum
        let spi_i = [1, 2, 3, 4, 5, 6, 7, 8];
        let addr: SocketAddr = "198.18.0.1:500".parse().unwrap();
        let h = nat_detection_hash(&spi_i, &[0; 8], addr);
        assert_eq!(
            crate::wire::hex(&h),
            "280f94959aee1ebe498f9dff32da1d081ab8d03e"
        );
        assert!(!nat_between(&h, &spi_i, &[0; 8], addr));
        let natted: SocketAddr = "198.18.0.1:4500".parse().unwrap();
        assert!(nat_between(&h, &spi_i, &[0; 8], natted));
        let mapped: SocketAddr = "[::ffff:198.18.0.1]:500".parse().unwrap();
        assert_eq!(nat_detection_hash(&spi_i, &[0; 8], mapped), h);
    }
}
