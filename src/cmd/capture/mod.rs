//! `aovpn-diag capture`: with the `live` feature, capture on an interface
//! through the same analysis as `pcap` (see `live.rs`); without it, say how
//! to get it and print the commands that record the same traffic with what
//! the system has (pktmon on Windows, tcpdump elsewhere).

#[cfg(feature = "live")]
mod live;

use std::net::IpAddr;
use std::time::Duration;

use aovpn_diag::capture::ip::IkePorts;
use aovpn_diag::capture::recipe::{self, Step};
use aovpn_diag::cli::CaptureArgs;
use aovpn_diag::env::Env;
#[cfg(not(feature = "live"))]
use aovpn_diag::exit::ErrorCode;
use aovpn_diag::report::Status;
use aovpn_diag::report::capture::{CaptureBody, RecipeJson, RecipeStep, write_recipe};
use aovpn_diag::resolve::{Family, resolve};

use super::{Ctx, Failure, Outcome};

/// DNS wait for --server.
const RESOLVE_TIMEOUT: Duration = Duration::from_secs(2);

pub fn run(args: &CaptureArgs, ctx: &mut Ctx) -> Outcome {
    #[cfg(feature = "live")]
    {
        live::run(args, ctx)
    }
    #[cfg(not(feature = "live"))]
    {
        not_built(args, ctx)
    }
}

/// The addresses of --server (none without it).
fn server_addresses(args: &CaptureArgs) -> Result<Vec<IpAddr>, Failure> {
    match &args.server {
        None => Ok(Vec::new()),
        Some(host) => resolve(&Env::system(), host, Family::Any, RESOLVE_TIMEOUT)
            .map(|r| r.addresses)
            .map_err(Failure::from),
    }
}

/// Where the recipe's file goes: --write, or `aovpn.pcapng` / `aovpn.pcap`.
fn recipe_file(args: &CaptureArgs, pcapng: bool) -> String {
    match &args.write {
        Some(p) => p.display().to_string(),
        None if pcapng => "aovpn.pcapng".into(),
        None => "aovpn.pcap".into(),
    }
}

/// The commands that record the same traffic on this system: pktmon on
/// Windows, tcpdump elsewhere.
fn recipe_for(args: &CaptureArgs, servers: &[IpAddr]) -> (&'static str, Vec<RecipeStep>) {
    let (tool, steps) = if cfg!(windows) {
        (
            "pktmon (built into Windows 10 2004 and later)",
            recipe::pktmon(servers, &recipe_file(args, true)),
        )
    } else {
        (
            "tcpdump",
            recipe::tcpdump(
                args.interface.as_deref(),
                &IkePorts::with_extra(&args.ike_ports),
                &recipe_file(args, false),
            ),
        )
    };
    (tool, steps.into_iter().map(step_row).collect())
}

fn step_row(s: Step) -> RecipeStep {
    RecipeStep {
        command: s.command,
        note: s.note,
    }
}

/// A capture that cannot run, with the commands that record the same
/// traffic instead: the recipe on stdout (text, or the `recipe` of the one
/// JSON document beside the error), the error on stderr, its exit code.
fn with_recipe(ctx: &mut Ctx, failure: Failure, tool: &str, steps: &[RecipeStep]) -> Outcome {
    let body = CaptureBody::Recipe {
        recipe: RecipeJson { tool, steps },
    };
    let say_hint = failure.say_hint;
    let status = Status::new(&[], Some(&failure.error));
    let shown = ctx.emit(status, &body, |out| write_recipe(out, tool, steps));
    // The document holds the error; stderr still gets the whole line.
    shown.map_err(|f| Failure { say_hint, ..f })
}

#[cfg(not(feature = "live"))]
fn not_built(args: &CaptureArgs, ctx: &mut Ctx) -> Outcome {
    let servers = if cfg!(windows) {
        server_addresses(args)?
    } else {
        Vec::new()
    };
    let how = if cfg!(windows) {
        "this aovpn-diag.exe has no live capture (it would need Npcap on every machine it runs on)"
    } else {
        "this aovpn-diag was built without live capture (the cargo feature `live`, which needs libpcap; see README \"Release builds\")"
    };
    let (tool, steps) = recipe_for(args, &servers);
    let failure = Failure::new(ErrorCode::LiveCaptureNotBuilt, how);
    with_recipe(ctx, failure, tool, &steps)
}
