//! The bounds of the analysis, in one place (README "Bounds" lists them).
//!
//! Whatever a capture holds (a million lost fragments, a flood of
//! IKE_SA_INIT requests, one SA that talks for a day), the analysis keeps a
//! bounded working set in full and counts the rest, so memory and output
//! stay flat while the verdict still sees everything:
//!
//! - at most [`MAX_SAS`] IKE SAs in full, holding at most
//!   [`MAX_KEPT_TRANSMISSIONS`] transmissions and [`MAX_KEPT_LOST`] lost
//!   datagrams together; beyond that the least telling one (see
//!   `analyse::retire`) is summarised per peer and outcome, and its findings
//!   are counted by code;
//! - per SA at most [`MAX_TRANSMISSIONS`] transmissions, [`MAX_LOST_PER_SA`]
//!   lost datagrams, [`MAX_SA_NOTES`] error notifies, COOKIE and REDIRECT
//!   frames, [`MAX_PROPOSALS`] proposals and [`MAX_VENDOR_IDS`] vendor IDs
//!   per side; later ones are counted;
//! - lost datagrams outside any SA as counts per flow ([`MAX_LOST_FLOWS`]
//!   flows, [`LOST_EXAMPLES`] examples each);
//! - at most [`super::findings::limit::MAX_PER_CODE`] findings per code plus
//!   one that counts the rest.
//!
//! Below these the analysis is exactly what it was without them.

/// IKE SAs kept in full (tables, messages, exchanges).
pub const MAX_SAS: usize = 256;
/// The first IKE SAs of a capture are never summarised (the attempt an
/// admin captured usually comes first).
pub const KEEP_FIRST_SAS: usize = 8;
/// Transmissions kept per IKE SA (an ordinary failed attempt has fewer
/// than 30; a long-lived SA adds two per liveness check). Later ones are
/// counted.
pub const MAX_TRANSMISSIONS: usize = 64;
/// Lost datagrams kept per IKE SA; more are counted.
pub const MAX_LOST_PER_SA: usize = 32;
/// Transmissions kept over all SAs in full together (a quarter of
/// `MAX_SAS` x `MAX_TRANSMISSIONS`): beyond it an SA is summarised as for a
/// new one, so many large SAs cannot add up.
pub const MAX_KEPT_TRANSMISSIONS: usize = 4096;
/// Lost datagrams kept over all SAs in full together.
pub const MAX_KEPT_LOST: usize = 1024;
/// Error notifies, COOKIE demands and REDIRECTs kept per IKE SA.
pub const MAX_SA_NOTES: usize = 16;
/// Notify types kept per transmission.
pub const MAX_NOTIFIES: usize = 32;
/// Proposals kept of an IKE_SA_INIT offer (Windows offers up to about 10),
/// and transforms kept per proposal.
pub const MAX_PROPOSALS: usize = 32;
/// Vendor IDs kept per side, and bytes kept of each.
pub const MAX_VENDOR_IDS: usize = 16;
pub const MAX_VENDOR_ID_BYTES: usize = 64;
/// Flows (addresses, ports, what the first fragment held) of lost datagrams
/// outside any IKE SA; datagrams of further flows are counted.
pub const MAX_LOST_FLOWS: usize = 32;
/// Lost datagrams kept as examples per flow.
pub const LOST_EXAMPLES: usize = 3;
/// Peers (initiator address, responder) listed in the summary of IKE SAs
/// not kept in full; further peers are counted together.
pub const MAX_PEERS: usize = 64;
/// Initiator SPIs of summarised SAs remembered, so that their later
/// messages are counted with them instead of starting a new SA.
pub const REMEMBERED_SPIS: usize = 4096;

pub use super::MAX_TOO_BIG;
pub use super::findings::limit::MAX_PER_CODE;
pub use super::flows::MAX_FLOWS;
