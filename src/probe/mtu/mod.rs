//! The path-MTU measurement of `mtu` and of `check`'s `path-mtu` step.
//!
//! - [`search`]: the search as a pure state machine fed by probe outcomes
//!   (no sockets, no clock);
//! - [`driver`]: the loop that runs it over a [`driver::SizedProbe`]
//!   transport, which sends one Don't-Fragment packet of an exact IP size;
//! - the transports: ICMP echo ([`icmp`]: Linux ping/raw sockets with the
//!   socket error queue, Windows ICMP API) and padded IKE_SA_INIT ([`ike`]);
//! - [`iface`]: the outgoing interface and its MTU (the search's ceiling);
//! - [`measure`](mod@measure): one measurement end to end (interface, transport, search).
//!
//! The facts it produces (probe outcomes, how the search ended, the
//! [`Measurement`](crate::diagnose::mtu::Measurement)) live in
//! [`crate::diagnose::mtu`], where the findings are made.

pub mod driver;
// The Linux socket error queue (recvmsg MSG_ERRQUEUE, poll): raw libc calls.
// Public for the fuzz target of `errqueue::parse_error`.
#[cfg(target_os = "linux")]
#[allow(unsafe_code)]
pub mod errqueue;
#[cfg(test)]
pub(crate) mod fake;
pub mod icmp;
pub mod iface;
pub mod ike;
pub mod measure;
pub mod search;

use std::net::{IpAddr, SocketAddr};

pub use crate::diagnose::mtu::{Outcome, Unreachable};
pub use driver::{ProbeError, SizedProbe};
pub use icmp::OpenError;
pub use ike::IkeOpenError;
pub use measure::{MAX_PROBES, MeasureError, MeasureOptions, max_duration, measure};

/// Opens the Don't-Fragment transports of the path-MTU search (part of
/// [`crate::env::Env`]).
pub trait DfTransports: Sync {
    /// ICMP echo towards `target`, by the best method this process may use.
    fn icmp_echo(&self, target: IpAddr) -> Result<Box<dyn SizedProbe>, OpenError>;
    /// DF-set IKE_SA_INIT requests padded to size, towards `peer` (address
    /// and UDP port 500 or 4500).
    fn ike(&self, peer: SocketAddr) -> Result<Box<dyn SizedProbe>, IkeOpenError>;
}

/// This machine's sockets: [`icmp::open`] and [`ike::open`].
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemDf;

impl DfTransports for SystemDf {
    fn icmp_echo(&self, target: IpAddr) -> Result<Box<dyn SizedProbe>, OpenError> {
        icmp::open(target)
    }

    fn ike(&self, peer: SocketAddr) -> Result<Box<dyn SizedProbe>, IkeOpenError> {
        ike::open(peer)
    }
}
