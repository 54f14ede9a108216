//! The facts layer: typed observations of the active tests and the small
//! pure functions that turn them into findings. No sockets, no clock, no
//! printing: `probe`, `resolve` and `local` fill these values, `report`
//! presents them, `check` judges them together. Every finding code of the
//! active commands is made here, one function per code or family, each
//! unit-tested on hand-made facts.
//!
//! - [`dns`]: name resolution (what answered, per family, how long);
//! - [`ike`]: the IKEv2 probes (per address and port, IKE_AUTH, proposals);
//! - [`mtu`]: the path-MTU search (per probe, how it ended, the interface);
//! - [`rras`]: this machine's RRAS settings;
//! - [`check`]: all of them judged together: steps, verdict, cause.

pub mod check;
pub mod dns;
pub mod ike;
pub mod mtu;
pub mod rras;
