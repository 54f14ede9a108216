//! Facts read from the machine the tool runs on (Windows registry), as
//! opposed to facts learned from the network or a capture.

pub mod pbk;
pub mod registry;
pub mod rras;
