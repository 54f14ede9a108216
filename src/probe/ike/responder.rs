//! What one run knows about one IKE responder address, shared by the
//! exchanges that run against it side by side: how fast it answers (the
//! round-trip estimate that paces every retransmission) and how many IKE
//! SAs it may be keeping for us at once (to stay below its half-open limit).
//!
//! # Pacing
//! Before any answer, send number `n` (0-based) of a request waits
//! [`Timing::wait`]`(n)`: `--timeout`, then 50 % longer per retransmission,
//! as an initiator that knows nothing must. Once any exchange with this
//! responder has been answered, the wait is the round-trip estimate of
//! [`crate::probe::rtt`] (RFC 6298: SRTT + 4·RTTVAR), at least the floor of
//! the exchange's kind, doubled per retransmission (RFC 7296 §2.1 asks for
//! exponential backoff), and never longer than the wait without knowledge.
//! A request already being waited for is paced anew when the estimate
//! arrives during its wait (the exchanges re-read it every
//! [`RECHECK`]), so a dead port stops being waited for once a live one
//! shows how fast the server answers. Only answers to a request sent once
//! are samples (Karn's algorithm, RFC 6298 §3).
//!
//! The floors: [`SA_INIT_FLOOR`] for IKE_SA_INIT and INFORMATIONAL, which a
//! responder answers without asking anyone; [`AUTH_FLOOR`] for IKE_AUTH,
//! where it signs with its certificate's key and may ask a RADIUS server.
//!
//! # Half-open IKE SAs
//! A responder limits the IKE SAs that are half open (IKE_SA_INIT answered,
//! IKE_AUTH not finished) per peer address: strongSwan ignores a peer with
//! 5 or more (`charon.block_threshold`, default 5), and a probe that is
//! ignored reads as "no answer". An SA may exist from the moment a request
//! arrives, also for a request the responder will refuse statelessly
//! (strongSwan creates the IKE SA, then destroys it when it answers
//! INVALID_KE_PAYLOAD). So every request in flight holds one slot
//! ([`Responder::open_sa`]) until its exchange ends, and a full
//! IKE_SA_INIT holds its slot until its IKE SA is deleted again, or to the
//! end of the run when it may still be open on the server. At most
//! [`MAX_OPEN_SAS`] slots are held at once; an exchange waits for a free
//! one. The limit is the responder's count per *peer* address, ours: when
//! a name resolves to several addresses of one family, they may be one
//! server seeing one source address of ours, so their responders share one
//! count ([`Responder::sharing_limit_with`]).

use std::net::IpAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::Duration;

use super::exchange::Timing;
use crate::probe::rtt::{GRANULARITY, RttEstimator};

/// IKE SAs this run holds open at one responder at most: one below
/// strongSwan's default `block_threshold` of 5.
pub const MAX_OPEN_SAS: usize = 4;

/// Shortest wait for an IKE_SA_INIT or INFORMATIONAL answer once the
/// responder's round trip is known: the same floor as the path-MTU search.
pub const SA_INIT_FLOOR: Duration = Duration::from_millis(250);

/// Shortest wait for an IKE_AUTH answer once the round trip is known: the
/// responder signs (an RSA-4096 signature takes milliseconds on a busy
/// server) and may first ask a RADIUS server (NPS) before it answers.
pub const AUTH_FLOOR: Duration = Duration::from_millis(500);

/// How often a wait in progress re-reads the round-trip estimate.
pub const RECHECK: Duration = Duration::from_millis(50);

/// Longest an exchange waits for a free SA slot: every holder is bounded by
/// its own retransmission budget, so this is never reached; it only keeps
/// the wait bounded by construction.
const SLOT_WAIT: Duration = Duration::from_secs(120);

/// One responder address as this run sees it. `Sync`: shared by the
/// threads of one address's probes.
#[derive(Debug)]
pub struct Responder {
    address: IpAddr,
    timing: Timing,
    rtt: Mutex<RttEstimator>,
    limit: Arc<SaLimit>,
}

/// The IKE SA slots of one source address of ours, shared by the
/// responders that may be one server.
#[derive(Debug, Default)]
struct SaLimit {
    open: Mutex<usize>,
    freed: Condvar,
    peak: AtomicUsize,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Responder {
    /// A responder nothing is known about yet.
    pub fn new(address: IpAddr, timing: Timing) -> Self {
        Responder {
            address,
            timing,
            rtt: Mutex::new(RttEstimator::new(GRANULARITY, timing.timeout)),
            limit: Arc::default(),
        }
    }

    /// A responder at `address` whose SA slots are counted together with
    /// `other`'s (another address of the same name and family: possibly the
    /// same server, which counts half-open SAs per peer address). Its round
    /// trip is its own.
    pub fn sharing_limit_with(address: IpAddr, other: &Responder) -> Self {
        Responder {
            limit: Arc::clone(&other.limit),
            ..Responder::new(address, other.timing)
        }
    }

    /// One responder per address; addresses of one family share their SA
    /// count (see [`Responder::sharing_limit_with`]).
    pub fn for_addresses(addresses: &[IpAddr], timing: Timing) -> Vec<Responder> {
        let mut out: Vec<Responder> = Vec::with_capacity(addresses.len());
        for &a in addresses {
            let same_family = out.iter().find(|r| r.address.is_ipv4() == a.is_ipv4());
            let r = match same_family {
                Some(first) => Responder::sharing_limit_with(a, first),
                None => Responder::new(a, timing),
            };
            out.push(r);
        }
        out
    }

    pub fn address(&self) -> IpAddr {
        self.address
    }

    pub fn timing(&self) -> Timing {
        self.timing
    }

    /// The wait after send number `attempt` (0-based) of a request whose
    /// answer needs at least `floor` (see the module documentation).
    pub fn wait(&self, attempt: u8, floor: Duration) -> Duration {
        let blind = self.timing.wait(attempt);
        let est = lock(&self.rtt);
        if est.srtt().is_none() {
            return blind;
        }
        let factor = 1u32 << u32::from(attempt.min(16));
        est.wait().max(floor).saturating_mul(factor).min(blind)
    }

    /// Feeds the round trip of an answer to a request sent once.
    pub fn sample(&self, rtt: Duration) {
        lock(&self.rtt).sample(rtt);
    }

    /// The smoothed round trip of IKE_SA_INIT answers, once one came.
    pub fn srtt(&self) -> Option<Duration> {
        lock(&self.rtt).srtt()
    }

    /// Takes one SA slot, waiting while [`MAX_OPEN_SAS`] are taken.
    pub fn open_sa(&self) -> SaSlot<'_> {
        let limit = &*self.limit;
        let open = lock(&limit.open);
        let (mut open, _) = limit
            .freed
            .wait_timeout_while(open, SLOT_WAIT, |n| *n >= MAX_OPEN_SAS)
            .unwrap_or_else(|p| p.into_inner());
        *open += 1;
        limit.peak.fetch_max(*open, Ordering::Relaxed);
        SaSlot {
            responder: self,
            kept: false,
        }
    }

    /// Slots held right now (with the responders sharing the count).
    pub fn open_sas(&self) -> usize {
        *lock(&self.limit.open)
    }

    /// The most slots held at once so far (with the responders sharing
    /// the count).
    pub fn peak_open_sas(&self) -> usize {
        self.limit.peak.load(Ordering::Relaxed)
    }

    fn release(&self) {
        let mut open = lock(&self.limit.open);
        *open = open.saturating_sub(1);
        self.limit.freed.notify_one();
    }
}

/// One held SA slot: freed when dropped, unless [`SaSlot::keep`] says the
/// IKE SA may outlive the exchange on the server.
#[derive(Debug)]
pub struct SaSlot<'a> {
    responder: &'a Responder,
    kept: bool,
}

impl SaSlot<'_> {
    /// The IKE SA may still be open on the server (an IKE_SA_INIT was
    /// answered and no Delete confirmed): the slot stays taken for the rest
    /// of the run.
    pub fn keep(mut self) {
        self.kept = true;
    }
}

impl Drop for SaSlot<'_> {
    fn drop(&mut self) {
        if !self.kept {
            self.responder.release();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: Duration = Duration::from_millis(1);

    fn responder() -> Responder {
        Responder::new(
            "198.18.2.2".parse().unwrap(),
            Timing {
                timeout: 2000 * MS,
                retransmits: 2,
            },
        )
    }

    #[test]
    fn waits_without_knowledge_are_the_timing_schedule() {
        let r = responder();
        assert_eq!(r.wait(0, SA_INIT_FLOOR), 2000 * MS);
        assert_eq!(r.wait(1, SA_INIT_FLOOR), 3000 * MS);
        assert_eq!(r.wait(2, SA_INIT_FLOOR), 4000 * MS);
    }

    #[test]
    fn a_known_round_trip_paces_with_floor_and_backoff() {
        let r = responder();
        r.sample(MS);
        r.sample(MS);
        assert_eq!(r.wait(0, SA_INIT_FLOOR), 250 * MS);
        assert_eq!(r.wait(1, SA_INIT_FLOOR), 500 * MS);
        assert_eq!(r.wait(2, SA_INIT_FLOOR), 1000 * MS);
        assert_eq!(r.wait(0, AUTH_FLOOR), 500 * MS);
        assert_eq!(r.wait(2, AUTH_FLOOR), 2000 * MS);
        // Never longer than without knowledge.
        assert_eq!(r.wait(5, AUTH_FLOOR), r.timing().wait(5));
    }

    #[test]
    fn a_slow_responder_is_waited_for_longer_than_the_floor() {
        let r = responder();
        r.sample(300 * MS);
        // RFC 6298 from one sample: 3 x 300 ms.
        assert_eq!(r.wait(0, SA_INIT_FLOOR), 900 * MS);
    }

    #[test]
    fn slots_are_counted_kept_and_freed() {
        let r = responder();
        let a = r.open_sa();
        let b = r.open_sa();
        assert_eq!(r.open_sas(), 2);
        drop(a);
        assert_eq!(r.open_sas(), 1);
        b.keep();
        assert_eq!(r.open_sas(), 1, "kept: the SA may outlive the exchange");
        assert_eq!(r.peak_open_sas(), 2);
    }

    #[test]
    fn a_fifth_slot_waits_until_one_is_freed() {
        let r = responder();
        let held: Vec<SaSlot> = (0..MAX_OPEN_SAS).map(|_| r.open_sa()).collect();
        std::thread::scope(|s| {
            let waiter = s.spawn(|| {
                let _slot = r.open_sa();
                r.open_sas()
            });
            std::thread::sleep(Duration::from_millis(50));
            assert!(!waiter.is_finished(), "the fifth slot must wait");
            drop(held);
            assert!(waiter.join().unwrap() <= MAX_OPEN_SAS);
        });
        assert_eq!(r.peak_open_sas(), MAX_OPEN_SAS);
    }

    #[test]
    fn addresses_of_one_family_share_their_slots() {
        let addresses: Vec<IpAddr> = ["198.18.2.2", "2001:db8::2", "198.18.2.3"]
            .iter()
            .map(|a| a.parse().unwrap())
            .collect();
        let rs = Responder::for_addresses(&addresses, responder().timing());
        let held: Vec<SaSlot> = (0..3).map(|_| rs[0].open_sa()).collect();
        let _v6 = rs[1].open_sa();
        let _other = rs[2].open_sa();
        assert_eq!(rs[2].open_sas(), 4, "one IPv4 source address, one count");
        assert_eq!(rs[1].open_sas(), 1, "IPv6 counts apart");
        drop(held);
        assert_eq!(rs[0].open_sas(), 1);
        // The round trip stays each address's own.
        rs[0].sample(MS);
        assert_eq!(rs[2].srtt(), None);
        assert_eq!(rs[2].address(), addresses[2]);
    }
}
