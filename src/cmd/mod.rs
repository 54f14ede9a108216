//! Glue between parsed arguments and the library: one module per command.
//! Each `run` gathers facts through the library, hands them to `report`, and
//! returns the exit status; errors become a one-line message and an exit code.

pub mod capture;
pub mod check;
pub mod completions;
pub mod events;
pub mod exit;
pub mod man;
pub mod mtu;
pub mod pcap;
pub mod probe;
pub mod profile;
pub mod sixtofour;

use std::fmt::Display;
use std::io::{self, Write};

use aovpn_diag::report::Detail;

pub use exit::Exit;

/// Where a command writes and how much it shows.
pub struct Ctx<'a> {
    pub out: &'a mut dyn Write,
    pub json: bool,
    pub detail: Detail,
}

/// A command that could not finish: the message for stderr and the exit code.
#[derive(Debug)]
pub struct Failure {
    pub exit: Exit,
    pub message: String,
    broken_pipe: bool,
}

impl Failure {
    pub fn new(exit: Exit, message: impl Display) -> Self {
        Failure {
            exit,
            message: message.to_string(),
            broken_pipe: false,
        }
    }

    /// Bad input or usage: exit 2.
    pub fn input(message: impl Display) -> Self {
        Failure::new(Exit::Input, message)
    }

    /// The check could not run: exit 3.
    pub fn cannot_run(message: impl Display) -> Self {
        Failure::new(Exit::CannotRun, message)
    }

    /// `aovpn-diag ... | head` closes stdout early; that is not an error.
    pub fn is_broken_pipe(&self) -> bool {
        self.broken_pipe
    }
}

impl From<io::Error> for Failure {
    fn from(e: io::Error) -> Self {
        Failure {
            exit: Exit::CannotRun,
            broken_pipe: reader_gone(&e),
            message: format!("cannot write output: {e}"),
        }
    }
}

/// The reader of our stdout went away. Windows reports that as ERROR_NO_DATA
/// (232, which std maps to `BrokenPipe`) or, on some pipes and under Wine, as
/// ERROR_PIPE_NOT_CONNECTED (233), which std leaves uncategorised.
fn reader_gone(e: &io::Error) -> bool {
    const ERROR_PIPE_NOT_CONNECTED: i32 = 233;
    e.kind() == io::ErrorKind::BrokenPipe
        || (cfg!(windows) && e.raw_os_error() == Some(ERROR_PIPE_NOT_CONNECTED))
}

pub type Outcome = Result<Exit, Failure>;
