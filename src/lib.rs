//! aovpn-diag: find out why a Windows Always On VPN (IKEv2) connection fails.
//!
//! Layering (see README "Architecture"): `wire` and `addr` are pure
//! bytes/values code; `capture`, `probe`, `resolve` and `local` do I/O;
//! `analyse` (captures) and `diagnose` (active tests) turn facts into
//! findings; `report` only presents. Data flows one way.

pub mod addr;
pub mod analyse;
pub mod capture;
pub mod check;
pub mod cli;
pub mod diagnose;
pub mod env;
pub mod events;
pub mod exit;
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
