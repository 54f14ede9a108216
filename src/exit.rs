//! The exit codes every command uses, as `--help` and the man page state
//! them. Which outcome or error gets which code is decided in one place, at
//! the edge: the binary's `cmd::exit`.

/// Text for `--help` and the man page.
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
