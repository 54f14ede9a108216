//! The hash search on small ranges, against the independent SHA-1 of
//! `wire::natt` (itself checked against coreutils' sha1sum).

use std::sync::atomic::{AtomicU64, Ordering};

use super::*;
use crate::wire::natt::nat_detection_hash;

fn target(spi: u8, addr: &str, port: u16) -> Target {
    let addr: IpAddr = addr.parse().unwrap();
    let spi_i = [spi; 8];
    let spi_r = [spi ^ 0x5a; 8];
    Target {
        spi_i,
        spi_r,
        port,
        hash: nat_detection_hash(&spi_i, &spi_r, std::net::SocketAddr::new(addr, port)),
    }
}

fn nets(list: &[&str]) -> Vec<IpNet> {
    list.iter().map(|s| s.parse().unwrap()).collect()
}

#[test]
fn one_block_hash_equals_the_streaming_sha1() {
    for (addr, port) in [
        ("198.18.2.2", 500),
        ("10.255.0.1", 4500),
        ("fd00:2::2", 500),
    ] {
        let t = target(7, addr, port);
        assert_eq!(hash_of(&t, addr.parse().unwrap()), t.hash, "{addr}");
    }
    // IPv4-mapped IPv6 hashes as the IPv4 it maps, as the notify does.
    let t = target(9, "198.18.3.2", 500);
    assert_eq!(hash_of(&t, "::ffff:198.18.3.2".parse().unwrap()), t.hash);
}

#[test]
fn finds_every_target_in_the_ranges_and_stops() {
    let a = target(1, "198.18.2.2", 500);
    let b = target(2, "10.0.200.17", 4500);
    let missing = target(3, "192.0.2.1", 500);
    let ranges = prepare(&nets(&["198.18.0.0/16", "10.0.0.0/16"]), false).unwrap();
    let f = search(&ranges, &[a, b, missing], &Unbounded);
    assert_eq!(
        f.addresses,
        [
            Some("198.18.2.2".parse().unwrap()),
            Some("10.0.200.17".parse().unwrap()),
            None
        ]
    );
    assert!(f.complete);
    // The missing target was hashed against every address.
    assert!(f.hashes >= 2 * 65_536, "{}", f.hashes);
}

#[test]
fn the_port_is_part_of_the_hash() {
    let t = target(4, "198.18.3.2", 4500);
    let mut wrong_port = t;
    wrong_port.port = 500;
    let ranges = prepare(&nets(&["198.18.3.0/24"]), false).unwrap();
    let f = search(&ranges, &[wrong_port, t], &Unbounded);
    assert_eq!(f.addresses, [None, Some("198.18.3.2".parse().unwrap())]);
}

#[test]
fn ipv6_prefixes_are_searched_too() {
    let t = target(5, "fd00:3::2", 500);
    let ranges = prepare(&nets(&["fd00:3::/112"]), true).unwrap();
    let f = search(&ranges, &[t], &Unbounded);
    assert_eq!(f.addresses, [Some("fd00:3::2".parse().unwrap())]);
}

struct StopAfter {
    chunks: u64,
    seen: AtomicU64,
}

impl Control for StopAfter {
    fn progress(&self, _: u64) {
        self.seen.fetch_add(1, Ordering::Relaxed);
    }
    fn stop(&self) -> bool {
        self.seen.load(Ordering::Relaxed) >= self.chunks
    }
}

#[test]
fn a_stopped_search_says_it_is_incomplete() {
    let t = target(6, "192.0.2.1", 500); // not in the range
    let ranges = prepare(&nets(&["10.0.0.0/12"]), false).unwrap();
    let ctl = StopAfter {
        chunks: 2,
        seen: AtomicU64::new(0),
    };
    let f = search(&ranges, &[t], &ctl);
    assert!(!f.complete);
    assert_eq!(f.addresses, [None]);
    // 16 chunks in the range; a few more than 2 may be in flight per thread.
    assert!(f.hashes < 16 * CHUNK, "{}", f.hashes);
}

#[test]
fn ranges_are_merged_and_bounded() {
    let merged = prepare(
        &nets(&["10.0.0.0/8", "10.1.2.0/24", "192.168.0.0/16"]),
        false,
    )
    .unwrap();
    assert_eq!(merged, nets(&["10.0.0.0/8", "192.168.0.0/16"]));
    assert_eq!(
        prepare(&nets(&["0.0.0.0/5"]), false),
        Err(RangeError::TooLarge { count: 1 << 27 })
    );
    assert!(prepare(&nets(&["10.0.0.0/6"]), false).is_ok());
    let e = prepare(&nets(&["fd00::/64"]), true).unwrap_err();
    assert!(e.to_string().contains("give narrower prefixes"), "{e}");
    let e = prepare(&nets(&["10.0.0.0/8"]), true).unwrap_err();
    assert!(e.to_string().contains("not an IPv6 range"), "{e}");
}
