//! aovpn-diag: find out why a Windows Always On VPN (IKEv2) connection fails.
//!
//! Layering (see README "Architecture"): `wire` and `addr` are pure
//! bytes/values code; `capture`, `probe`, `resolve` and `local` do I/O;
//! `analyse` (captures) and `diagnose` (active tests) turn facts into
//! findings; `report` only presents. Data flows one way.

// `unsafe` only where an OS call needs it: the socket options, error queue,
// ICMP API and interface queries in `probe::mtu`, a socket option in
// `probe::net`, the live capture's poll(2) in `capture::device` and the
// Windows registry in `local::registry` opt in with
// `#[allow(unsafe_code)]`, every block with a `// SAFETY:` note (clippy
// checks that). Everything else cannot opt in: see the
// `#![forbid(unsafe_code)]` at the top of each pure module.
#![deny(unsafe_code)]
#![deny(clippy::undocumented_unsafe_blocks)]

pub mod addr;
pub mod analyse;
pub mod capture;
pub mod check;
pub mod cli;
pub mod diagnose;
pub mod env;
pub mod events;
pub mod exit;
pub mod facts;
pub mod finding;
pub mod generate;
pub mod live;
pub mod local;
pub mod millis;
pub mod netlogon;
pub mod probe;
pub mod report;
pub mod resolve;
pub mod sixtofour;
pub mod text;
pub mod wire;

pub use exit::Exit;
pub use finding::{Code, Finding, Severity, Verdict};
