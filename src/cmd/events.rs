//! `aovpn-diag events`: read event exports (or this Windows machine's
//! logs), group into attempts, judge, print.

use aovpn_diag::cli::EventsArgs;
use aovpn_diag::events::input::{self, Collected};
use aovpn_diag::events::local::{self, LocalError, RunError};
use aovpn_diag::events::time::Timestamp;
use aovpn_diag::events::{Window, analyse};
use aovpn_diag::report::Status;
use aovpn_diag::report::events::{EventsReport, write_human};

use super::{Ctx, Failure, Outcome};

/// The window for this machine's logs when `--since` is not given.
const DEFAULT_LOCAL_HOURS: f64 = 24.0;

pub fn run(args: &EventsArgs, ctx: &mut Ctx) -> Outcome {
    let now = Timestamp::now();
    let (collected, logs, window) = if args.files.is_empty() {
        let hours = args.since.unwrap_or(DEFAULT_LOCAL_HOURS);
        let (collected, logs) = local::read(hours).map_err(local_failure)?;
        (collected, Some(logs), Some(Window::last(hours, now)))
    } else {
        let mut collected = Collected::default();
        for path in &args.files {
            if path.as_os_str() == "-" {
                input::read_stream("stdin", std::io::stdin().lock(), &mut collected)
            } else {
                input::read_file(path, &mut collected)
            }
            .map_err(Failure::from)?;
        }
        (collected, None, args.since.map(|h| Window::last(h, now)))
    };
    let analysis = analyse(collected, window);
    let report = EventsReport::new(&analysis, logs.as_deref());
    let status = Status::new(&analysis.findings, None);
    let detail = ctx.detail;
    ctx.emit(status, &report, |out| write_human(out, &report, detail))
}

/// The local logs could not be read: see `exit::events_local` for the code.
fn local_failure(e: LocalError) -> Failure {
    let code = super::exit::events_local(&e);
    match e {
        LocalError::Input(i) => Failure::from(i),
        LocalError::Run(RunError::Start { .. }) => Failure::advised(
            code,
            format!(
                "{e} (wevtutil is part of Windows; under Wine or a stripped image, export the logs \
                 on a real Windows machine and pass the files)"
            ),
        ),
        LocalError::NotWindows => Failure::advised(code, e),
        LocalError::Run(_) | LocalError::Failed { .. } => Failure::new(code, e),
    }
}
