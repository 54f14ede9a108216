//! `aovpn-diag pcap`: read captures in time order, analyse, print.

use std::fs::File;
use std::io::{self, IsTerminal};
use std::time::Duration;

use aovpn_diag::Exit;
use aovpn_diag::analyse::{Options, Session};
use aovpn_diag::capture::defrag::DefragLimits;
use aovpn_diag::capture::ip::IkePorts;
use aovpn_diag::capture::{CaptureReader, for_each_in_time_order};
use aovpn_diag::cli::PcapArgs;
use aovpn_diag::finding::Verdict;
use aovpn_diag::report::pcap::{PcapJson, write_human};
use aovpn_diag::report::write_json;

use super::{Ctx, Failure, Outcome};

/// Packets between progress-bar updates: rare enough to cost nothing.
const PROGRESS_EVERY: u64 = 1 << 16;

pub fn run(args: &PcapArgs, ctx: &mut Ctx) -> Outcome {
    if args.files.iter().filter(|f| f.as_os_str() == "-").count() > 1 {
        return Err(Failure::input("`-` (stdin) can be given only once"));
    }
    if args.files.len() > usize::from(u16::MAX) {
        return Err(Failure::input("too many capture files"));
    }
    let mut readers = Vec::with_capacity(args.files.len());
    let mut names = Vec::with_capacity(args.files.len());
    let mut total_bytes = 0u64;
    for (i, path) in args.files.iter().enumerate() {
        let index = i as u16;
        let reader = if path.as_os_str() == "-" {
            names.push("<stdin>".to_string());
            CaptureReader::new("<stdin>", index, io::stdin())
        } else {
            let shown = path.display().to_string();
            names.push(shown.clone());
            let file = File::open(path)
                .map_err(|e| Failure::input(format!("cannot open {shown}: {e}")))?;
            total_bytes += file.metadata().map(|m| m.len()).unwrap_or(0);
            CaptureReader::new(shown, index, file)
        };
        readers.push(reader.map_err(Failure::input)?);
    }

    let opts = Options {
        ports: IkePorts::with_extra(&args.ike_ports),
        defrag: DefragLimits {
            timeout_secs: i64::from(args.frag_timeout),
            ..DefragLimits::default()
        },
    };
    let mut session = Session::new(opts);
    let bar = progress_bar(total_bytes, ctx.detail.quiet);
    let counters: Vec<_> = readers.iter().map(|r| r.bytes_counter()).collect();
    let mut n = 0u64;
    // The session drops copies of one packet recorded at several stack
    // components (capture::dedup) before the analysis; it needs to know
    // which files hold several interfaces.
    for (i, r) in readers.iter_mut().enumerate() {
        // Peeking reads the header blocks (pcapng IDBs precede packets);
        // a read error shows up again, and is reported, in the loop below.
        let _ = r.peek();
        session.declare_interfaces(i as u16, r.interfaces_declared());
    }
    for_each_in_time_order(&mut readers, |p| {
        session.push(p);
        n += 1;
        if n.is_multiple_of(PROGRESS_EVERY)
            && let Some(bar) = &bar
        {
            bar.set_position(
                counters
                    .iter()
                    .map(|c| c.load(std::sync::atomic::Ordering::Relaxed))
                    .sum(),
            );
        }
        true
    })
    .map_err(Failure::input)?;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    for (i, r) in readers.iter().enumerate() {
        if let Some(t) = r.truncation() {
            session.file_truncated(r.name(), t);
        }
        // A pcapng file that says when its capture stopped (dumpcap,
        // `aovpn-diag capture --write`): exchanges are judged as of then.
        if let Some(end) = r.capture_end() {
            session.capture_ended(i as u16, end);
        }
    }
    let analysis = session.finish();
    if ctx.json {
        write_json(ctx.out, "pcap", &PcapJson::new(&names, &analysis))?;
    } else {
        write_human(ctx.out, &analysis, ctx.detail)?;
    }
    Ok(Exit::from(Verdict::from_findings(&analysis.findings)))
}

/// A byte-based progress bar on stderr, only for a person watching a
/// terminal and only for files large enough to wait for.
fn progress_bar(total: u64, quiet: bool) -> Option<indicatif::ProgressBar> {
    if quiet || total < (64 << 20) || !io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::with_draw_target(
        Some(total),
        indicatif::ProgressDrawTarget::stderr(),
    );
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{bar:40} {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
    ) {
        bar.set_style(style);
    }
    bar.enable_steady_tick(Duration::from_millis(200));
    Some(bar)
}
