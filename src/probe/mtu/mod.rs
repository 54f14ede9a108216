//! The path-MTU measurement of `mtu` and of `check`'s `path-mtu` step.
//!
//! - [`search`]: the search as a pure state machine fed by probe outcomes
//!   (no sockets, no clock);
//! - [`driver`]: the loop that runs it over a [`driver::SizedProbe`]
//!   transport, which sends one Don't-Fragment packet of an exact IP size;
//! - the transports: ICMP echo ([`icmp`]: Linux ping/raw sockets with the
//!   socket error queue, Windows ICMP API) and padded IKE_SA_INIT ([`ike`]);
//! - [`iface`]: the outgoing interface and its MTU (the search's ceiling);
//! - [`measure`]: one measurement end to end (interface, transport, search).
//!
//! The facts it produces (probe outcomes, how the search ended, the
//! [`Measurement`](crate::diagnose::mtu::Measurement)) live in
//! [`crate::diagnose::mtu`], where the findings are made.

pub mod driver;
#[cfg(target_os = "linux")]
pub(crate) mod errqueue;
pub mod icmp;
pub mod iface;
pub mod ike;
pub mod measure;
pub mod search;

pub use crate::diagnose::mtu::{Outcome, Unreachable};
pub use measure::{MAX_PROBES, MeasureError, MeasureOptions, measure};
