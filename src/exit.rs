//! The exit codes every command uses, as `--help`, the man page and README
//! state them. Which outcome or error gets which code is decided in one
//! place, at the edge: the binary's `cmd::exit`.

/// The process exit status contract scripts rely on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Checked, no problem found.
    Ok = 0,
    /// Checked, a problem found (at least one `fail` finding).
    Problem = 1,
    /// Usage or input error: bad file, bad address, unknown host.
    Input = 2,
    /// Could not run the check: no permission for raw sockets, no route, interface down.
    CannotRun = 3,
}

impl Exit {
    pub fn code(self) -> u8 {
        self as u8
    }
}

/// The verdict's code: 0 nothing failed, 1 a `fail` finding. (Which error
/// means 2 or 3 is decided in the binary's `cmd::exit`.)
impl From<crate::finding::Verdict> for Exit {
    fn from(v: crate::finding::Verdict) -> Exit {
        match v {
            crate::finding::Verdict::Ok => Exit::Ok,
            crate::finding::Verdict::Problem => Exit::Problem,
        }
    }
}

/// Text for `--help` and the man page, kept next to the enum it describes.
/// A macro (not a const) so `concat!` can join it into clap's static help text.
#[macro_export]
macro_rules! exit_codes_help {
    () => {
        "Exit codes (every command):
  0  checked, no problem found
  1  checked, a problem found (a `fail` finding)
  2  usage or input error (bad file, bad address, unknown host)
  3  could not run the check (no permission for raw sockets, no route, interface down)"
    };
}
