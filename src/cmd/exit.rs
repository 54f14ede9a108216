//! The error-code policy, in one place: which library error gets which
//! error code (and so which exit status: each code has one, see
//! `aovpn_diag::exit::ErrorCode`); a verdict maps by `Exit::from` (0 or 1).

use std::io;

use aovpn_diag::diagnose::dns::{DnsFailure, FailureKind};
use aovpn_diag::events::input::InputError;
use aovpn_diag::events::local::LocalError;
use aovpn_diag::exit::ErrorCode;
use aovpn_diag::probe::ike::ExchangeError;
use aovpn_diag::probe::mtu::MeasureError;
use aovpn_diag::probe::mtu::icmp::OpenError;
use aovpn_diag::resolve::ResolveError;

use super::Failure;

pub use aovpn_diag::Exit;

/// A file named on the command line that could not be read or written.
pub fn io_code(e: &io::Error) -> ErrorCode {
    match e.kind() {
        io::ErrorKind::NotFound => ErrorCode::FileNotFound,
        io::ErrorKind::PermissionDenied => ErrorCode::PermissionDenied,
        _ => ErrorCode::CannotRead,
    }
}

/// A name that does not exist is `unknown-host`, one without an address
/// of the family asked `no-address` (both the user's input: 2); DNS that
/// does not answer, fails, or is not configured is `dns-unavailable` (the
/// check could not run: 3). The same in `probe`, `mtu`, `lb` and `check`.
pub fn dns(f: &DnsFailure) -> ErrorCode {
    match f.kind {
        FailureKind::NoSuchName => ErrorCode::UnknownHost,
        FailureKind::NoAddressRecords | FailureKind::WrongFamilyLiteral => ErrorCode::NoAddress,
        FailureKind::NoServer | FailureKind::Timeout | FailureKind::Failed => {
            ErrorCode::DnsUnavailable
        }
    }
}

pub fn resolve(e: &ResolveError) -> ErrorCode {
    match e {
        ResolveError::InvalidName { .. } => ErrorCode::Usage,
        ResolveError::Dns(f) => dns(f),
    }
}

/// Bad bounds are the user's input; no ICMP permission is its own code;
/// everything else means the measurement could not run here.
pub fn measure(e: &MeasureError) -> ErrorCode {
    match e {
        MeasureError::Bounds { .. } | MeasureError::Config(_) => ErrorCode::Usage,
        MeasureError::Icmp(OpenError::NoPermission { .. } | OpenError::Unsupported) => {
            ErrorCode::IcmpNotPermitted
        }
        _ => ErrorCode::NetworkUnavailable,
    }
}

/// An IKE exchange that could not run at all: no socket, no route (the
/// other errors would be ours, and still mean nothing was tested).
pub fn exchange(_: &ExchangeError) -> ErrorCode {
    ErrorCode::NetworkUnavailable
}

/// An event export that cannot be used.
pub fn events_input(e: &InputError) -> ErrorCode {
    match e {
        InputError::Open { source, .. } => io_code(source),
        InputError::TooBig { .. } | InputError::TooManyEvents { .. } => ErrorCode::InputTooLarge,
        InputError::NotEvents { .. }
        | InputError::OtherKind { .. }
        | InputError::Empty { .. }
        | InputError::Xml { .. }
        | InputError::Evtx { .. } => ErrorCode::NotAnEventLog,
    }
}

/// No FILE outside Windows is a usage error; wevtutil missing, hanging or
/// refusing the Application log means the check could not run.
pub fn events_local(e: &LocalError) -> ErrorCode {
    match e {
        LocalError::NotWindows => ErrorCode::Usage,
        LocalError::Input(i) => events_input(i),
        LocalError::Run(_) | LocalError::Failed { .. } => ErrorCode::EventLogUnavailable,
    }
}

impl From<ResolveError> for Failure {
    fn from(e: ResolveError) -> Failure {
        // The DNS messages say what to check.
        Failure::advised(resolve(&e), e)
    }
}

impl From<MeasureError> for Failure {
    fn from(e: MeasureError) -> Failure {
        // The measurement errors say what to do.
        Failure::advised(measure(&e), e)
    }
}

impl From<InputError> for Failure {
    fn from(e: InputError) -> Failure {
        let code = events_input(&e);
        match code {
            ErrorCode::FileNotFound | ErrorCode::PermissionDenied | ErrorCode::CannotRead => {
                Failure::new(code, e)
            }
            _ => Failure::advised(code, e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_errors_are_coded_by_what_the_os_said() {
        let nf = io::Error::from(io::ErrorKind::NotFound);
        let pd = io::Error::from(io::ErrorKind::PermissionDenied);
        let other = io::Error::other("x");
        assert_eq!(io_code(&nf), ErrorCode::FileNotFound);
        assert_eq!(io_code(&pd), ErrorCode::PermissionDenied);
        assert_eq!(io_code(&other), ErrorCode::CannotRead);
        for c in [io_code(&nf), io_code(&pd), io_code(&other)] {
            assert_eq!(c.exit(), Exit::Input);
        }
    }
}
