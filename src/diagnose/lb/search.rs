//! Which address made a NAT_DETECTION hash: a search over address ranges.
//!
//! A responder's NAT_DETECTION_SOURCE_IP is SHA-1(SPIi | SPIr | its own IP |
//! its own port) (RFC 7296 §2.23). Behind a load balancer that rewrites only
//! the destination (DNAT), "its own IP" is the real server's address, which
//! the client never sees; the hash is one-way, so the only way back is to
//! hash every candidate address and compare. Likewise the
//! NAT_DETECTION_DESTINATION_IP names the address the server saw the client
//! as, which tells source NAT apart from none.
//!
//! The message hashed is 22 bytes (IPv4) or 34 bytes (IPv6), so each
//! candidate is exactly one SHA-1 block: the block is built once per target
//! and only the address (and port) bytes change, then one call of the
//! `sha1` crate's compression function (SHA-NI where the CPU has it, picked
//! at run time) per candidate. The ranges are cut into chunks of
//! [`CHUNK`] addresses that run in parallel on every core (rayon); between
//! chunks the search asks its [`Control`] whether to stop (time budget) and
//! reports progress. Pure computation: no socket, no clock, no printing.

use std::net::IpAddr;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use ipnet::IpNet;
use rayon::prelude::*;

/// Addresses per work unit between progress reports and stop checks.
pub const CHUNK: u64 = 1 << 16;

/// Most addresses one search may cover in all: 2^26 (67,108,864, an IPv4
/// /6), above the default private ranges (17.9 million) and bounded so a
/// search cannot run for hours.
pub const MAX_ADDRESSES: u64 = 1 << 26;

/// One hash to find: the SPIs it was made with, the port it covers, and
/// the 20 bytes that came in the notify.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Target {
    pub spi_i: [u8; 8],
    pub spi_r: [u8; 8],
    pub port: u16,
    pub hash: [u8; 20],
}

/// Progress and cancellation, asked between chunks (from several threads).
pub trait Control: Sync {
    /// `hashes` more candidates were hashed.
    fn progress(&self, hashes: u64);
    /// True to stop now (e.g. the time budget is spent).
    fn stop(&self) -> bool;
}

/// A [`Control`] that never stops and reports nowhere.
pub struct Unbounded;

impl Control for Unbounded {
    fn progress(&self, _: u64) {}
    fn stop(&self) -> bool {
        false
    }
}

/// What a search found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// Per target (same order): the address whose hash matched.
    pub addresses: Vec<Option<IpAddr>>,
    /// Candidates hashed (addresses × targets still open).
    pub hashes: u64,
    /// False when [`Control::stop`] ended it before every range was covered
    /// (and not every target was found).
    pub complete: bool,
}

/// Why a list of ranges cannot be searched.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RangeError {
    #[error(
        "the ranges cover {count} addresses, more than the {MAX_ADDRESSES} one search may hash: give narrower prefixes"
    )]
    TooLarge { count: u128 },
    #[error("{net} is not an IPv{want} range like the server address: give ranges of its family")]
    WrongFamily { net: IpNet, want: u8 },
}

/// Number of addresses in `net`.
pub fn size(net: &IpNet) -> u128 {
    1u128 << (net.max_prefix_len() - net.prefix_len())
}

/// `nets` merged (overlaps and neighbours joined, [`IpNet::aggregate`]) and
/// checked: one family (that of `v6`), at most [`MAX_ADDRESSES`] in all.
pub fn prepare(nets: &[IpNet], v6: bool) -> Result<Vec<IpNet>, RangeError> {
    if let Some(net) = nets.iter().find(|n| n.addr().is_ipv6() != v6) {
        return Err(RangeError::WrongFamily {
            net: *net,
            want: if v6 { 6 } else { 4 },
        });
    }
    let merged = IpNet::aggregate(&nets.to_vec());
    let count: u128 = merged.iter().map(size).sum();
    if count > u128::from(MAX_ADDRESSES) {
        return Err(RangeError::TooLarge { count });
    }
    Ok(merged)
}

/// The hash a candidate address would have made for `t` (the port of `t`).
pub fn hash_of(t: &Target, addr: IpAddr) -> [u8; 20] {
    let addr = addr.to_canonical();
    let mut block = Block::new(t, addr.is_ipv6());
    block.digest(addr, t.port)
}

/// Searches `ranges` (already [`prepare`]d) for the address of each target.
/// Stops early when every target is found or `ctl` says so.
pub fn search(ranges: &[IpNet], targets: &[Target], ctl: &dyn Control) -> Found {
    let mut chunks = Vec::new();
    for net in ranges {
        let n = size(net);
        let mut start = 0u128;
        while start < n {
            let len = (n - start).min(u128::from(CHUNK));
            chunks.push((*net, start, len as u64));
            start += len;
        }
    }
    let found: Mutex<Vec<Option<IpAddr>>> = Mutex::new(vec![None; targets.len()]);
    let open: Vec<AtomicBool> = targets.iter().map(|_| AtomicBool::new(true)).collect();
    let remaining = AtomicU64::new(targets.len() as u64);
    let stopped = AtomicBool::new(false);
    let hashes = AtomicU64::new(0);
    chunks.par_iter().for_each(|&(net, start, len)| {
        if remaining.load(Ordering::Relaxed) == 0 {
            return;
        }
        if ctl.stop() {
            stopped.store(true, Ordering::Relaxed);
            return;
        }
        let v6 = net.addr().is_ipv6();
        let mut done = 0u64;
        for (i, t) in targets.iter().enumerate() {
            if !open[i].load(Ordering::Relaxed) {
                continue;
            }
            let mut block = Block::new(t, v6);
            if let Some(addr) = block.scan(net, start, len, &t.hash, t.port) {
                open[i].store(false, Ordering::Relaxed);
                let mut f = found.lock().unwrap_or_else(|p| p.into_inner());
                // Lowest address wins should two ever match (never seen: SHA-1).
                let slot = &mut f[i];
                if slot.is_none_or(|old| addr < old) {
                    if slot.is_none() {
                        remaining.fetch_sub(1, Ordering::Relaxed);
                    }
                    *slot = Some(addr);
                }
            }
            done += len;
        }
        hashes.fetch_add(done, Ordering::Relaxed);
        ctl.progress(done);
    });
    let addresses = found.into_inner().unwrap_or_else(|p| p.into_inner());
    let all_found = addresses.iter().all(Option::is_some);
    Found {
        addresses,
        hashes: hashes.into_inner(),
        complete: all_found || !stopped.into_inner(),
    }
}

/// One SHA-1 block: SPIi (8) | SPIr (8) | address (4 or 16) | port (2),
/// then the padding of FIPS 180-4 §5.1.1 (0x80, zeros, the bit length).
struct Block {
    bytes: [u8; 64],
    addr_len: usize,
}

const H0: [u32; 5] = [
    0x6745_2301,
    0xEFCD_AB89,
    0x98BA_DCFE,
    0x1032_5476,
    0xC3D2_E1F0,
];

impl Block {
    fn new(t: &Target, v6: bool) -> Block {
        let addr_len = if v6 { 16 } else { 4 };
        let mut bytes = [0u8; 64];
        bytes[..8].copy_from_slice(&t.spi_i);
        bytes[8..16].copy_from_slice(&t.spi_r);
        let msg_len = 16 + addr_len + 2;
        bytes[msg_len] = 0x80;
        let bits = (msg_len as u64) * 8;
        bytes[56..].copy_from_slice(&bits.to_be_bytes());
        Block { bytes, addr_len }
    }

    fn set(&mut self, addr: IpAddr, port: u16) {
        let at = 16 + self.addr_len;
        match addr.to_canonical() {
            IpAddr::V4(a) if self.addr_len == 4 => self.bytes[16..20].copy_from_slice(&a.octets()),
            IpAddr::V6(a) if self.addr_len == 16 => self.bytes[16..32].copy_from_slice(&a.octets()),
            // A family mismatch never matches; keep the block as it is.
            _ => {}
        }
        self.bytes[at..at + 2].copy_from_slice(&port.to_be_bytes());
    }

    fn state(&self) -> [u32; 5] {
        let mut state = H0;
        sha1::block_api::compress(&mut state, std::slice::from_ref(&self.bytes));
        state
    }

    fn digest(&mut self, addr: IpAddr, port: u16) -> [u8; 20] {
        self.set(addr, port);
        let mut out = [0u8; 20];
        for (chunk, word) in out.chunks_exact_mut(4).zip(self.state()) {
            chunk.copy_from_slice(&word.to_be_bytes());
        }
        out
    }

    /// The first of `len` addresses from offset `start` of `net` whose hash
    /// is `want`.
    fn scan(
        &mut self,
        net: IpNet,
        start: u128,
        len: u64,
        want: &[u8; 20],
        port: u16,
    ) -> Option<IpAddr> {
        let mut words = [0u32; 5];
        for (w, c) in words.iter_mut().zip(want.chunks_exact(4)) {
            *w = u32::from_be_bytes([c[0], c[1], c[2], c[3]]);
        }
        let at = 16 + self.addr_len;
        self.bytes[at..at + 2].copy_from_slice(&port.to_be_bytes());
        match net {
            IpNet::V4(n) => {
                let base = u32::from(n.network()).wrapping_add(start as u32);
                for k in 0..len as u32 {
                    let a = base.wrapping_add(k);
                    self.bytes[16..20].copy_from_slice(&a.to_be_bytes());
                    if self.state() == words {
                        return Some(IpAddr::from(a.to_be_bytes()));
                    }
                }
            }
            IpNet::V6(n) => {
                let base = u128::from(n.network()).wrapping_add(start);
                for k in 0..u128::from(len) {
                    let a = base.wrapping_add(k);
                    self.bytes[16..32].copy_from_slice(&a.to_be_bytes());
                    if self.state() == words {
                        return Some(IpAddr::from(a.to_be_bytes()));
                    }
                }
            }
        }
        None
    }
}

#[cfg(test)]
mod tests;
