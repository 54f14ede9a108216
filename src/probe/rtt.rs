//! Round-trip time estimation, and the wait for a reply derived from it.
//! PURE: the caller measures round trips and passes them in.
//!
//! The estimator is RFC 6298 §2 (the TCP retransmission timer):
//!
//! ```text
//! first sample R:  SRTT = R, RTTVAR = R/2
//! later sample R:  RTTVAR = 3/4 RTTVAR + 1/4 |SRTT - R|,  SRTT = 7/8 SRTT + 1/8 R
//! wait             = SRTT + max(G, 4 RTTVAR), within [floor, ceiling]
//! ```
//!
//! with three changes for probing:
//!
//! 1. **The first sample is provisional.** The first packet to a destination
//!    often waits for something the later ones do not: neighbour resolution
//!    (ARP, or IPv6 neighbour discovery, RFC 4861 §7.2: up to three
//!    solicitations a second apart), a radio waking up, an on-demand link
//!    dialling. When the second sample is less than half of the first, the
//!    first is discarded and the estimate starts again from the second, as
//!    RFC 6298 §2.2 would have from a clean first sample. (Observed in the
//!    lab: the first echo to a fresh neighbour took about 1 s, the next ones
//!    0.1 ms; a search paced by that first sample waited 2 s per probe.)
//! 2. **A lone slow reply is held back.** A sample above both the floor and
//!    four times SRTT is not fed at once: when the next sample is at least
//!    half as slow, the path has slowed down and both are fed; otherwise the
//!    slow one was a one-off (a retransmission on a Wi-Fi hop, a router busy
//!    for a moment) and is dropped. Fed at once, one reply of 800 ms among
//!    replies of 1 ms would keep the RFC 6298 wait above 250 ms for the next
//!    nine probes.
//! 3. **The wait is bounded** by a `floor` (replies jitter, and an ICMP error
//!    from a slow router can come later than an echo reply from a fast host;
//!    RFC 6298 §2.4 has a floor of 1 s for the same reason) and a `ceiling`
//!    (the user's `--timeout`: no single wait is ever longer). Before any
//!    sample the wait is the ceiling.
//!
//! Samples come only from unambiguous replies (Karn's algorithm, RFC 6298
//! §3): a reply that can be matched to exactly one packet sent.

#![forbid(unsafe_code)]

use std::time::Duration;

/// Clock granularity `G` of RFC 6298 §2: the smallest margin above SRTT.
pub const GRANULARITY: Duration = Duration::from_millis(1);

/// RFC 6298's `K`: how many mean deviations above SRTT a reply may come.
const K: u32 = 4;

/// A sample above the floor and this many times SRTT is held back (see the
/// module documentation).
const SLOW: u32 = 4;

/// A round-trip time estimate with its bounded wait. See the module
/// documentation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RttEstimator {
    floor: Duration,
    ceiling: Duration,
    srtt: Option<Duration>,
    rttvar: Duration,
    /// The first sample while it is still provisional.
    first: Option<Duration>,
    /// A slow sample waiting for the next one to say whether it was a one-off.
    held: Option<Duration>,
    samples: u32,
    dropped: u32,
    min: Option<Duration>,
    discarded_first: bool,
}

impl RttEstimator {
    /// An estimator whose waits stay within `[floor, ceiling]` (a floor above
    /// the ceiling is lowered to it).
    pub fn new(floor: Duration, ceiling: Duration) -> Self {
        RttEstimator {
            floor: floor.min(ceiling),
            ceiling,
            srtt: None,
            rttvar: Duration::ZERO,
            first: None,
            held: None,
            samples: 0,
            dropped: 0,
            min: None,
            discarded_first: false,
        }
    }

    /// Feeds one measured round trip.
    pub fn sample(&mut self, rtt: Duration) {
        self.samples = self.samples.saturating_add(1);
        self.min = Some(self.min.map_or(rtt, |m| m.min(rtt)));
        if let Some(slow) = self.held.take() {
            if rtt >= slow / 2 {
                self.feed(slow);
            } else {
                self.dropped += 1;
            }
            self.feed(rtt);
            return;
        }
        match self.srtt {
            Some(srtt) if self.first.is_none() && rtt > self.floor && rtt > srtt * SLOW => {
                self.held = Some(rtt);
            }
            _ => self.feed(rtt),
        }
    }

    /// RFC 6298 §2.2/§2.3, with the provisional first sample.
    fn feed(&mut self, rtt: Duration) {
        match (self.srtt, self.first.take()) {
            (None, _) => {
                self.start(rtt);
                self.first = Some(rtt);
            }
            (Some(_), Some(first)) if rtt < first / 2 => {
                // The first reply waited for something the second did not.
                self.discarded_first = true;
                self.dropped += 1;
                self.start(rtt);
            }
            (Some(srtt), _) => {
                let deviation = srtt.abs_diff(rtt);
                self.rttvar = (self.rttvar * 3 + deviation) / 4;
                self.srtt = Some((srtt * 7 + rtt) / 8);
            }
        }
    }

    fn start(&mut self, rtt: Duration) {
        self.srtt = Some(rtt);
        self.rttvar = rtt / 2;
    }

    /// How long to wait for the next reply: the ceiling before any sample,
    /// then `SRTT + max(G, 4·RTTVAR)` within `[floor, ceiling]`.
    pub fn wait(&self) -> Duration {
        match self.srtt {
            None => self.ceiling,
            Some(srtt) => {
                (srtt + (self.rttvar * K).max(GRANULARITY)).clamp(self.floor, self.ceiling)
            }
        }
    }

    /// The wait for send number `attempt` (0-based) of the same request:
    /// [`wait`](Self::wait) doubled per retransmission (RFC 6298 §5.5),
    /// never above the ceiling.
    pub fn backoff(&self, attempt: u8) -> Duration {
        let factor = 1u32 << u32::from(attempt.min(16));
        self.wait().saturating_mul(factor).min(self.ceiling)
    }

    /// The smoothed round-trip time; `None` before any sample.
    pub fn srtt(&self) -> Option<Duration> {
        self.srtt
    }

    /// The shortest round trip seen.
    pub fn min_rtt(&self) -> Option<Duration> {
        self.min
    }

    /// Samples fed so far (the discarded first one included).
    pub fn samples(&self) -> u32 {
        self.samples
    }

    /// Whether the first sample was discarded as a one-off delay.
    pub fn discarded_first(&self) -> bool {
        self.discarded_first
    }

    /// Samples dropped as one-offs (the first included, when discarded).
    pub fn dropped(&self) -> u32 {
        self.dropped
    }

    pub fn floor(&self) -> Duration {
        self.floor
    }

    pub fn ceiling(&self) -> Duration {
        self.ceiling
    }
}

#[cfg(test)]
mod tests;
