//! The exit-code policy, in one place: which library error gets which of
//! the documented codes (`exit_codes_help!`); a verdict maps by
//! `Exit::from` (0 or 1).

use aovpn_diag::probe::mtu::MeasureError;
use aovpn_diag::resolve::ResolveError;

use super::Failure;

pub use aovpn_diag::Exit;

/// A name that is malformed, does not exist (NXDOMAIN), or has no address
/// of the family asked is the user's input (2); DNS that does not answer,
/// fails, or is not configured means the check could not run (3).
pub fn resolve(e: &ResolveError) -> Exit {
    match e {
        ResolveError::InvalidName { .. } => Exit::Input,
        ResolveError::Dns(f) if f.is_input_error() => Exit::Input,
        ResolveError::Dns(_) => Exit::CannotRun,
    }
}

/// Bad bounds are the user's input (2); everything else means the
/// measurement could not run here (3).
pub fn measure(e: &MeasureError) -> Exit {
    match e {
        MeasureError::Bounds { .. } | MeasureError::Config(_) => Exit::Input,
        _ => Exit::CannotRun,
    }
}

impl From<ResolveError> for Failure {
    fn from(e: ResolveError) -> Failure {
        Failure::new(resolve(&e), e)
    }
}

impl From<MeasureError> for Failure {
    fn from(e: MeasureError) -> Failure {
        Failure::new(measure(&e), e)
    }
}
