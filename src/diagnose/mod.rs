//! The facts layer: typed observations of the active tests and the small
//! pure functions that turn them into findings. No sockets, no clock, no
//! printing: `probe`, `resolve` and `local` fill these values, `report`
//! presents them, `check` judges them together. Every finding code of the
//! active commands is made here, one function per code or family, each
//! unit-tested on hand-made facts.
//!
//! - [`dns`]: name resolution (what answered, per family, how long);
//! - [`ike`]: the IKEv2 probes (per address and port, IKE_AUTH, proposals);
//! - [`lb`]: the load-balancer rounds (persistence, source NAT, which servers);
//! - [`mtu`]: the path-MTU search (per probe, how it ended, the interface);
//! - [`rras`]: this machine's RRAS settings;
//! - [`check`]: all of them judged together: steps, verdict, cause.

#![forbid(unsafe_code)]

pub mod check;
pub mod dns;
pub mod ike;
pub mod lb;
pub mod mtu;
pub mod rras;

use std::fmt;
use std::sync::Arc;

/// Why a test could not run at all (no route, no permission, an algorithm
/// the probe cannot do), kept as evidence: the typed error of the layer
/// that failed, whose message names the operation and the address. Shared,
/// so facts stay `Clone`; [`CouldNotRun::error`] gives the error itself
/// (downcast it to the layer's error type to match on it).
#[derive(Clone)]
pub struct CouldNotRun(Arc<dyn std::error::Error + Send + Sync>);

impl CouldNotRun {
    pub fn new(error: impl std::error::Error + Send + Sync + 'static) -> Self {
        CouldNotRun(Arc::new(error))
    }

    pub fn error(&self) -> &(dyn std::error::Error + Send + Sync + 'static) {
        &*self.0
    }
}

impl fmt::Display for CouldNotRun {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl fmt::Debug for CouldNotRun {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

/// Two reasons are the same when they say the same (facts compare by value).
impl PartialEq for CouldNotRun {
    fn eq(&self, other: &Self) -> bool {
        self.to_string() == other.to_string()
    }
}

impl Eq for CouldNotRun {}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("no route to {0}")]
    struct NoRoute(&'static str);

    #[test]
    fn a_reason_keeps_its_message_and_its_type() {
        let r = CouldNotRun::new(NoRoute("198.18.2.2"));
        assert_eq!(r.to_string(), "no route to 198.18.2.2");
        assert!(r.error().downcast_ref::<NoRoute>().is_some());
        assert_eq!(r.clone(), r);
    }
}
