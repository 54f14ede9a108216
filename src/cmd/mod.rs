//! Glue between parsed arguments and the library: one module per command.
//! Each `run` gathers facts through the library and hands them to
//! [`Ctx::emit`], which writes the JSON document or the human view and
//! returns the exit status; errors become a [`Failure`] with an error code.

pub mod capture;
pub mod check;
pub mod completions;
pub mod events;
pub mod exit;
pub mod lb;
pub mod man;
pub mod mtu;
pub mod pcap;
pub mod probe;
pub mod profile;
pub mod sixtofour;

use std::fmt::Display;
use std::io::{self, Write};

use serde::Serialize;

use aovpn_diag::exit::ErrorCode;
use aovpn_diag::report::{Detail, ErrorReport, Status, write_json};

pub use exit::Exit;

/// Where a command writes and how much it shows.
pub struct Ctx<'a> {
    pub out: &'a mut dyn Write,
    pub json: bool,
    pub detail: Detail,
    /// The command's name, as JSON's `command` shows it.
    pub command: &'static str,
}

impl Ctx<'_> {
    /// Writes the answer (the JSON document around `body`, or the human
    /// view) and returns the exit status of `status`. A reader that closed
    /// stdout early (`| head`) changes nothing: the status stays the
    /// verdict's. With an error in `status` (a document that still says
    /// what was found, e.g. `6to4` with one unreadable input), returns it
    /// as a [`Failure`] already reported.
    pub fn emit<B: Serialize>(
        &mut self,
        status: Status<'_>,
        body: &B,
        human: impl FnOnce(&mut dyn Write) -> io::Result<()>,
    ) -> Outcome {
        let exit = status.exit();
        let written = if self.json {
            write_json(self.out, self.command, status, body)
        } else {
            human(self.out)
        };
        quietly_on_closed_pipe(written.and_then(|()| self.out.flush()))?;
        match status.error {
            Some(e) => Err(Failure {
                error: e.clone(),
                say_hint: false,
                reported: true,
            }),
            None => Ok(exit),
        }
    }

    /// Writes output that is not a report (a completion script, a man
    /// page): the same handling of a closed pipe.
    pub fn write_raw(&mut self, bytes: &[u8]) -> Result<(), Failure> {
        quietly_on_closed_pipe(self.out.write_all(bytes).and_then(|()| self.out.flush()))
    }
}

/// A closed stdout is no error (the reader has all it wanted); any other
/// write error is `output-failed`.
pub fn quietly_on_closed_pipe(r: io::Result<()>) -> Result<(), Failure> {
    match r {
        Ok(()) => Ok(()),
        Err(e) if reader_gone(&e) => Ok(()),
        Err(e) => Err(Failure::new(
            ErrorCode::OutputFailed,
            format!("cannot write output: {e}"),
        )),
    }
}

/// A command that could not give its answer: the error for stderr and for
/// JSON's `error`, whose code decides the exit status.
#[derive(Debug)]
pub struct Failure {
    pub error: ErrorReport,
    /// Append the hint to the one-line message on stderr (when the message
    /// itself does not already say what to do).
    say_hint: bool,
    /// The command already wrote its document, with this error in it.
    pub reported: bool,
}

impl Failure {
    /// An error whose message says what went wrong; stderr adds the code's hint.
    pub fn new(code: ErrorCode, message: impl Display) -> Self {
        Failure {
            error: ErrorReport::new(code, message.to_string()),
            say_hint: true,
            reported: false,
        }
    }

    /// An error whose message already says what to do (the library's
    /// messages mostly do); JSON still carries the code's hint.
    pub fn advised(code: ErrorCode, message: impl Display) -> Self {
        Failure {
            say_hint: false,
            ..Failure::new(code, message)
        }
    }

    /// A more specific hint than the code's.
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.error = self.error.hint(hint);
        self
    }

    /// A usage error found after parsing (clap's own are handled in main).
    pub fn usage(message: impl Display) -> Self {
        Failure::new(ErrorCode::Usage, message)
    }

    /// The error reading or writing a file named on the command line,
    /// coded by what the OS said.
    pub fn file(message: impl Display, e: &io::Error) -> Self {
        Failure::new(exit::io_code(e), format!("{message}: {e}"))
    }

    pub fn exit(&self) -> Exit {
        self.error.exit()
    }

    /// The one line for stderr.
    pub fn line(&self) -> String {
        if self.say_hint {
            format!("{}; {}", self.error.message, self.error.hint)
        } else {
            self.error.message.clone()
        }
    }
}

/// The reader of our stdout went away. Windows reports that as ERROR_NO_DATA
/// (232, which std maps to `BrokenPipe`) or, on some pipes and under Wine, as
/// ERROR_PIPE_NOT_CONNECTED (233), which std leaves uncategorised.
pub fn reader_gone(e: &io::Error) -> bool {
    const ERROR_PIPE_NOT_CONNECTED: i32 = 233;
    e.kind() == io::ErrorKind::BrokenPipe
        || (cfg!(windows) && e.raw_os_error() == Some(ERROR_PIPE_NOT_CONNECTED))
}

pub type Outcome = Result<Exit, Failure>;
