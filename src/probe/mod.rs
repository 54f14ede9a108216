//! Active tests: the only place (with `capture`) that touches the network.
//! Decision logic stays pure (fed outcomes and times); sockets sit behind
//! small traits so that logic is tested with scripted fakes.

pub mod icmp;
pub mod iface;
pub mod mtu;
pub mod mtu_driver;
pub mod mtu_findings;
