//! `aovpn-diag pcap`: read captures in time order (or, with `--each`, one
//! by one), analyse, print.

use std::fs::File;
use std::io::{self, IsTerminal};
use std::path::Path;
use std::time::Duration;

use aovpn_diag::analyse::findings::duplicate_capture;
use aovpn_diag::analyse::{Analysis, Options, Session};
use aovpn_diag::capture::defrag::DefragLimits;
use aovpn_diag::capture::inputs::duplicates;
use aovpn_diag::capture::ip::IkePorts;
use aovpn_diag::capture::{CaptureError, CaptureReader, for_each_in_time_order};
use aovpn_diag::cli::PcapArgs;
use aovpn_diag::exit::ErrorCode;
use aovpn_diag::finding::{Finding, Verdict, sort_by_severity};
use aovpn_diag::report::pcap::{
    EachJson, FileOutcome, PcapBody, PcapJson, write_each, write_human,
};
use aovpn_diag::report::{ErrorReport, Status};

use super::{Ctx, Failure, Outcome};

/// Packets between progress-bar updates: rare enough to cost nothing.
const PROGRESS_EVERY: u64 = 1 << 16;

/// One input as given: its position, name, and path (`None` for stdin).
struct Input<'a> {
    index: usize,
    name: String,
    path: Option<&'a Path>,
}

pub fn run(args: &PcapArgs, ctx: &mut Ctx) -> Outcome {
    if args.files.iter().filter(|f| f.as_os_str() == "-").count() > 1 {
        return Err(Failure::usage("`-` (stdin) can be given only once"));
    }
    if args.files.len() > usize::from(u16::MAX) {
        return Err(Failure::usage("too many capture files"));
    }
    let names: Vec<String> = args
        .files
        .iter()
        .map(|p| {
            if p.as_os_str() == "-" {
                "<stdin>".to_owned()
            } else {
                p.display().to_string()
            }
        })
        .collect();
    // The same capture twice is read once (a copy would look like every
    // packet retransmitted); the note says which.
    let dups = duplicates(&args.files);
    let notes: Vec<Finding> = dups.iter().map(|d| duplicate_capture(d, &names)).collect();
    let inputs: Vec<Input> = args
        .files
        .iter()
        .enumerate()
        .filter(|(i, _)| dups.iter().all(|d| d.index != *i))
        .map(|(index, p)| Input {
            index,
            name: names[index].clone(),
            path: (p.as_os_str() != "-").then_some(p.as_path()),
        })
        .collect();
    let opts = Options {
        ports: IkePorts::with_extra(&args.ike_ports),
        defrag: DefragLimits {
            timeout_secs: i64::from(args.frag_timeout),
            ..DefragLimits::default()
        },
    };
    if args.each {
        return each(&inputs, notes, &opts, ctx);
    }

    // Frame references name the file by its position on the command line,
    // so a skipped duplicate leaves its number unused.
    let mut readers = Vec::with_capacity(inputs.len());
    for input in &inputs {
        readers.push(open(input)?);
    }
    let mut analysis = analyse(readers, &opts, ctx.detail.quiet)?;
    analysis.findings.extend(notes);
    sort_by_severity(&mut analysis.findings);
    let status = Status::new(&analysis.findings, None);
    let detail = ctx.detail;
    let body = PcapBody::Merged(Box::new(PcapJson::new(&names, &analysis)));
    ctx.emit(status, &body, |out| write_human(out, &analysis, detail))
}

/// `--each`: every input analysed on its own; an unreadable one is its
/// own result with its error, the others are still analysed.
fn each(inputs: &[Input], notes: Vec<Finding>, opts: &Options, ctx: &mut Ctx) -> Outcome {
    let mut files = Vec::with_capacity(inputs.len());
    for input in inputs {
        let single = Input {
            index: 0,
            name: input.name.clone(),
            path: input.path,
        };
        let result = open(&single)
            .and_then(|r| analyse(vec![r], opts, ctx.detail.quiet))
            .map_err(|f| f.error);
        files.push(FileOutcome {
            file: input.name.clone(),
            names: vec![input.name.clone()],
            result,
        });
    }
    let failed: Vec<&FileOutcome> = files.iter().filter(|f| f.result.is_err()).collect();
    // The worst file decides: an unreadable one (its error's exit code),
    // else a problem (1), else ok. The envelope's findings are the notes
    // about the inputs; each file's are in its result.
    let error = failed.first().and_then(|first| {
        let e = first.result.as_ref().err()?;
        let list: Vec<String> = failed
            .iter()
            .filter_map(|f| Some(format!("{}: {}", f.file, f.result.as_ref().err()?.code)))
            .collect();
        Some(
            ErrorReport::new(
                e.code,
                format!(
                    "{} of {} capture(s) could not be analysed ({}){}",
                    failed.len(),
                    files.len(),
                    list.join(", "),
                    if failed.len() < files.len() {
                        "; the others were analysed"
                    } else {
                        ""
                    }
                ),
            )
            .hint(e.hint.clone()),
        )
    });
    let worst = files
        .iter()
        .filter_map(|f| f.result.as_ref().ok())
        .map(|a| Verdict::from_findings(&a.findings))
        .max()
        .unwrap_or(Verdict::Ok);
    let status = Status::new(&notes, error.as_ref()).at_least(worst);
    let detail = ctx.detail;
    let body = PcapBody::Each(EachJson {
        results: files.iter().map(FileOutcome::json).collect(),
    });
    ctx.emit(status, &body, |out| write_each(out, &files, detail))
}

/// Opens one capture (gzip-compressed or not), with its size on disk
/// (for the progress bar; 0 for stdin).
fn open(input: &Input) -> Result<(CaptureReader, u64), Failure> {
    let index = input.index as u16;
    let (reader, size) = match input.path {
        None => (
            CaptureReader::new(input.name.clone(), index, io::stdin()),
            0,
        ),
        Some(path) => {
            let file = File::open(path)
                .map_err(|e| Failure::file(format!("cannot open {}", input.name), &e))?;
            let size = file.metadata().map(|m| m.len()).unwrap_or(0);
            (CaptureReader::new(input.name.clone(), index, file), size)
        }
    };
    Ok((reader.map_err(capture_failure)?, size))
}

/// Reads the captures in time order through one analysis session.
fn analyse(
    opened: Vec<(CaptureReader, u64)>,
    opts: &Options,
    quiet: bool,
) -> Result<Analysis, Failure> {
    let mut session = Session::new(opts.clone());
    let total_bytes = opened.iter().map(|(_, size)| size).sum();
    let mut readers: Vec<CaptureReader> = opened.into_iter().map(|(r, _)| r).collect();
    let bar = progress_bar(total_bytes, quiet);
    let counters: Vec<_> = readers.iter().map(|r| r.bytes_counter()).collect();
    let mut n = 0u64;
    // The session drops copies of one packet recorded at several stack
    // components (capture::dedup) before the analysis; it needs to know
    // which files hold several interfaces.
    for r in &mut readers {
        // Peeking reads the header blocks (pcapng IDBs precede packets);
        // a read error shows up again, and is reported, in the loop below.
        let _ = r.peek();
        session.declare_interfaces(r.index(), r.interfaces_declared());
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
    .map_err(capture_failure)?;
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
    // No packet at all proves nothing about the network: the capture was
    // taken on the wrong interface or stopped before the client connected.
    if n == 0 {
        let names: Vec<&str> = readers.iter().map(|r| r.name()).collect();
        let cut: Vec<String> = readers
            .iter()
            .filter_map(|r| {
                r.truncation()
                    .map(|t| format!("{} ends early at byte {}: {}", r.name(), t.offset, t.reason))
            })
            .collect();
        let failure = Failure::new(
            ErrorCode::NoPackets,
            format!(
                "{} holds no packets{}, so there is nothing to diagnose",
                names.join(", "),
                if cut.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", cut.join("; "))
                }
            ),
        );
        return Err(if cut.is_empty() {
            failure
        } else {
            failure.hint("the file ends before its first packet: copy it again once the capture has stopped (Wireshark: Stop; pktmon stop)")
        });
    }
    Ok(session.finish())
}

/// A capture that cannot be read at all.
fn capture_failure(e: CaptureError) -> Failure {
    match &e {
        CaptureError::NotACapture { .. } | CaptureError::Empty { .. } => {
            Failure::advised(ErrorCode::NotACapture, e)
        }
        CaptureError::Read { source, .. } => Failure::new(super::exit::io_code(source), e),
    }
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
