//! Active tests: the only place that sends packets. Two families, each
//! built on small transport traits so its logic runs against scripted fakes
//! in unit tests:
//!
//! - [`ike`]: real IKEv2 towards the VPN server (IKE_SA_INIT on UDP 500 and
//!   4500, the fragment test, the IKE_AUTH test, the proposal check) over
//!   the [`net::Network`] trait (connected UDP sockets);
//! - [`lb`]: rounds of IKE_SA_INIT and IKE_AUTH against a load balancer's VIP;
//! - [`mtu`]: the path-MTU search over Don't-Fragment transports (ICMP echo,
//!   padded IKE_SA_INIT).
//!
//! Both return facts of [`crate::diagnose`], which turns them into findings;
//! nothing here judges or prints.

pub mod ike;
pub mod lb;
pub mod mtu;
pub mod net;
pub mod rtt;
