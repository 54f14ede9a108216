//! The live capture (cargo feature `live`): pick and open the interface,
//! write the pcapng file, run [`aovpn_diag::live::run`] with the live lines
//! going to stdout (or NDJSON to stderr with --json), then the report.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::net::IpAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aovpn_diag::analyse::Options;
use aovpn_diag::capture::defrag::DefragLimits;
use aovpn_diag::capture::device::{
    self, DeviceError, Interface, LiveCapture, SNAPLEN, first_active, for_route,
};
use aovpn_diag::capture::filter;
use aovpn_diag::capture::ip::IkePorts;
use aovpn_diag::capture::writer::{EndOfCapture, PcapngWriter};
use aovpn_diag::cli::CaptureArgs;
use aovpn_diag::env::Env;
use aovpn_diag::exit::ErrorCode;
use aovpn_diag::finding::sort_by_severity;
use aovpn_diag::live::{self, FrameSource, Run, Sink, Stopped, SystemClock, dropped_finding};
use aovpn_diag::report::capture::{
    CaptureBody, CaptureInfo, CaptureJson, InterfaceRow, LiveEvent, StoppedBy, WriteInfo,
    write_event, write_interfaces, write_summary,
};
use aovpn_diag::report::pcap::write_human;
use aovpn_diag::report::{ErrorReport, Status};

use super::super::{quietly_on_closed_pipe, reader_gone};
use super::{Ctx, Failure, Outcome, recipe_for, server_addresses, with_recipe};

type FileWriter = PcapngWriter<BufWriter<File>>;

pub fn run(args: &CaptureArgs, ctx: &mut Ctx) -> Outcome {
    let list = match device::interfaces() {
        Ok(l) if l.is_empty() => return device_failure(args, ctx, DeviceError::NoInterfaces, &[]),
        Ok(l) => l,
        Err(e) => return device_failure(args, ctx, e, &[]),
    };
    if args.list_interfaces {
        return list_interfaces(ctx, &list);
    }
    let servers = server_addresses(args)?;
    let (interface, chosen) = pick(args, &list, &servers)?;
    let ports = IkePorts::with_extra(&args.ike_ports);
    let filter = filter::bpf(&ports);
    let mut cap = match LiveCapture::open(&interface, &list, &filter) {
        Ok(c) => c,
        Err(e) => return device_failure(args, ctx, e, &servers),
    };
    let mut writer = match &args.write {
        None => None,
        Some(path) => match File::create(path)
            .and_then(|f| PcapngWriter::new(BufWriter::new(f), cap.link(), SNAPLEN, &interface))
        {
            Ok(w) => Some(w),
            Err(e) => {
                return Err(Failure::file(
                    format!("cannot write {}", path.display()),
                    &e,
                ));
            }
        },
    };

    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    if let Err(e) = ctrlc::set_handler(move || flag.store(true, Ordering::Relaxed)) {
        eprintln!("aovpn-diag: Ctrl-C will end the program without a report: {e}");
    }
    let mut info = CaptureInfo {
        interface: interface.clone(),
        chosen,
        link_type: cap.link().to_string(),
        filter,
        started: unix_now(),
        seconds: 0.0,
        stopped_by: StoppedBy::Duration,
        error: None,
        frames: 0,
        received: None,
        dropped: None,
        interface_dropped: None,
        write: None,
        events_omitted: 0,
    };
    quietly_on_closed_pipe(announce(ctx, &info, args.duration))?;

    // The reader of the live lines went away (`| head`): the capture
    // stops there, which is no error (the exit stays the verdict's).
    let mut output_closed = false;
    let outcome = {
        let json = ctx.json;
        let detail = ctx.detail;
        let out = &mut *ctx.out;
        let mut on_event = |e: &_, secs: f64| -> io::Result<()> {
            let r = if json {
                LiveEvent::new(e, secs).write_line(&mut io::stderr().lock())
            } else {
                write_event(out, e, secs, detail).and_then(|()| out.flush())
            };
            if let Err(err) = &r {
                output_closed = reader_gone(err);
            }
            r
        };
        live::run(
            &mut cap,
            writer.as_mut().map(|w| w as &mut dyn Sink),
            Run {
                options: Options {
                    ports,
                    defrag: DefragLimits {
                        timeout_secs: i64::from(args.frag_timeout),
                        ..DefragLimits::default()
                    },
                },
                duration: args.duration.map(Duration::from_secs_f64),
                stop: &stop,
                clock: &SystemClock,
                on_event: &mut on_event,
            },
        )
    };
    let counts = cap.counts();
    info.seconds = outcome.ended.secs_since(outcome.started);
    info.stopped_by = match &outcome.stopped {
        Stopped::Duration => StoppedBy::Duration,
        Stopped::Interrupted => StoppedBy::Interrupted,
        Stopped::OutputFailed(_) if output_closed => StoppedBy::OutputClosed,
        Stopped::OutputFailed(_) => StoppedBy::OutputError,
        Stopped::SourceFailed(_) => StoppedBy::SourceError,
        Stopped::WriteFailed(_) => StoppedBy::WriteError,
    };
    info.frames = outcome.frames;
    info.events_omitted = outcome.events_omitted;
    info.received = counts.map(|c| c.received);
    info.dropped = counts.map(|c| c.dropped);
    info.interface_dropped = counts.map(|c| c.interface_dropped);
    info.error = match &outcome.stopped {
        Stopped::OutputFailed(_) if output_closed => None,
        Stopped::SourceFailed(e) | Stopped::OutputFailed(e) => Some(e.clone()),
        Stopped::WriteFailed(e) => Some(format!("writing the capture file failed: {e}")),
        Stopped::Duration | Stopped::Interrupted => None,
    };
    info.write = finish_file(args, writer, &outcome, counts);
    let mut analysis = outcome.analysis;
    if let Some(c) = counts
        && let Some(f) = dropped_finding(c.dropped, c.received)
    {
        analysis.findings.push(f);
        sort_by_severity(&mut analysis.findings);
    }

    // A capture that stopped on an error still reports what it saw; the
    // error decides the exit status.
    let error = match (&info.stopped_by, &info.error, info.write.as_ref()) {
        (StoppedBy::SourceError, Some(e), _) => Some(ErrorReport::new(
            ErrorCode::CaptureUnavailable,
            format!("the capture on {} stopped: {e}", info.interface),
        )),
        (_, Some(e), _) => Some(ErrorReport::new(ErrorCode::OutputFailed, e.clone())),
        (_, None, Some(WriteInfo { error: Some(e), .. })) => {
            Some(ErrorReport::new(ErrorCode::OutputFailed, e.clone()))
        }
        _ => None,
    };
    let names = [interface];
    let status = Status::new(&analysis.findings, error.as_ref());
    let body = CaptureBody::Report(Box::new(CaptureJson::new(
        &info,
        &outcome.events,
        &names,
        &analysis,
    )));
    let detail = ctx.detail;
    ctx.emit(status, &body, |out| {
        if !detail.quiet {
            writeln!(out)?;
            write_summary(out, &info)?;
        }
        write_human(out, &analysis, detail)
    })
    .map_err(|f| Failure {
        say_hint: true,
        ..f
    })
}

/// The interface and why: --interface, the route to --server, or the first
/// active one.
fn pick(
    args: &CaptureArgs,
    list: &[Interface],
    servers: &[IpAddr],
) -> Result<(String, String), Failure> {
    if let Some(i) = &args.interface {
        return Ok((i.clone(), "--interface".into()));
    }
    let env = Env::system();
    let mut why_not = Vec::new();
    for &ip in servers {
        match env.routes.outgoing(ip) {
            Ok(o) => match for_route(list, o.source, o.interface.as_deref()) {
                Some(name) => return Ok((name, format!("the route to {ip}"))),
                None => why_not.push(format!(
                    "the route to {ip} leaves by {}, which cannot be captured on",
                    o.interface.as_deref().unwrap_or("an unnamed interface")
                )),
            },
            Err(e) => why_not.push(e.to_string()),
        }
    }
    if !why_not.is_empty() {
        return Err(Failure::advised(
            ErrorCode::CaptureUnavailable,
            format!(
                "{}; give --interface (see --list-interfaces)",
                why_not.join("; ")
            ),
        ));
    }
    first_active(list)
        .map(|name| (name, "the first active interface".into()))
        .ok_or_else(|| {
            Failure::advised(
                ErrorCode::CaptureUnavailable,
                "no active interface to capture on; give --interface (see --list-interfaces)",
            )
        })
}

/// Permission, unknown interface, Npcap missing: the error, and on
/// Windows the pktmon commands that record the same traffic without Npcap.
fn device_failure(
    args: &CaptureArgs,
    ctx: &mut Ctx,
    e: DeviceError,
    servers: &[IpAddr],
) -> Outcome {
    let code = match &e {
        DeviceError::Permission { .. } => ErrorCode::CaptureNotPermitted,
        DeviceError::NoSuchInterface { .. } => ErrorCode::UnknownInterface,
        DeviceError::NoInterfaces
        | DeviceError::List(_)
        | DeviceError::Open { .. }
        | DeviceError::Filter { .. } => ErrorCode::CaptureUnavailable,
    };
    // The device errors say what to do.
    let failure = Failure::advised(code, e);
    if cfg!(windows) && code != ErrorCode::UnknownInterface {
        let (tool, steps) = recipe_for(args, servers);
        with_recipe(ctx, failure, tool, &steps)
    } else {
        Err(failure)
    }
}

fn list_interfaces(ctx: &mut Ctx, list: &[Interface]) -> Outcome {
    let default = first_active(list);
    let rows: Vec<InterfaceRow> = list
        .iter()
        .map(|i| InterfaceRow {
            name: i.name.clone(),
            description: i.description.clone(),
            addresses: i.addresses.clone(),
            up: i.up,
            running: i.running,
            loopback: i.loopback,
            wireless: i.wireless,
            default: default.as_deref() == Some(i.name.as_str()),
        })
        .collect();
    let body = CaptureBody::Interfaces {
        interfaces: rows.clone(),
    };
    ctx.emit(Status::OK, &body, |out| write_interfaces(out, &rows))
}

/// Where the capture runs: a line on stderr for people, the first NDJSON
/// event with --json.
fn announce(ctx: &Ctx, info: &CaptureInfo, duration: Option<f64>) -> io::Result<()> {
    let mut err = io::stderr().lock();
    if ctx.json {
        return LiveEvent::start(info).write_line(&mut err);
    }
    if ctx.detail.quiet {
        return Ok(());
    }
    let until = match duration {
        Some(d) => format!("for {d} s (Ctrl-C for the report sooner)"),
        None => "until Ctrl-C, then the report".into(),
    };
    writeln!(
        err,
        "capturing on {} ({}) {until}; filter: {}",
        info.interface, info.chosen, info.filter
    )
}

/// Ends the pcapng file with the statistics block.
fn finish_file(
    args: &CaptureArgs,
    writer: Option<FileWriter>,
    outcome: &live::Outcome,
    counts: Option<device::Counts>,
) -> Option<WriteInfo> {
    let path = args.write.as_ref()?;
    let w = writer?;
    let frames = w.frames();
    let end = EndOfCapture {
        end: outcome.ended,
        received: counts.map(|c| c.received),
        dropped: counts.map(|c| c.dropped),
    };
    let error = match (&outcome.stopped, w.finish(end)) {
        (Stopped::WriteFailed(e), _) => Some(e.clone()),
        (_, Err(e)) => Some(format!("writing {} failed: {e}", path.display())),
        (_, Ok(_)) => None,
    };
    Some(WriteInfo {
        file: path.display().to_string(),
        frames,
        error,
    })
}

fn unix_now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| (d.as_millis() as f64) / 1000.0)
        .unwrap_or_default()
}
