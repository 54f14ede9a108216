//! `aovpn-diag events`: read event exports (or this Windows machine's
//! logs), group into attempts, judge, print.

use aovpn_diag::cli::EventsArgs;
use aovpn_diag::events::input::{self, Collected};
use aovpn_diag::events::local::{self, LocalError, RunError};
use aovpn_diag::events::time::Timestamp;
use aovpn_diag::events::{Window, analyse};
use aovpn_diag::report::events::{EventsReport, write_human};
use aovpn_diag::report::write_json;

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
            .map_err(Failure::input)?;
        }
        (collected, None, args.since.map(|h| Window::last(h, now)))
    };
    let analysis = analyse(collected, window);
    let report = EventsReport::new(&analysis, logs.as_deref());
    if ctx.json {
        write_json(ctx.out, "events", &report)?;
    } else {
        write_human(ctx.out, &report, ctx.detail)?;
    }
    Ok(analysis.verdict.into())
}

/// No FILE outside Windows is a usage error; wevtutil missing, hanging or
/// refusing the Application log means the check could not run.
fn local_failure(e: LocalError) -> Failure {
    match e {
        LocalError::NotWindows | LocalError::Input(_) => Failure::input(e),
        LocalError::Run(RunError::Start { .. }) => Failure::cannot_run(format!(
            "{e} (wevtutil is part of Windows; under Wine or a stripped image, export the logs \
             on a real Windows machine and pass the files)"
        )),
        LocalError::Run(_) | LocalError::Failed { .. } => Failure::cannot_run(e),
    }
}
