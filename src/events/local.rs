//! This Windows machine's own event logs, read with the built-in
//! `wevtutil qe <log> /q:<XPath> /f:xml /e:Events` (no admin rights needed
//! for the Application and System logs).
//!
//! What is read, and what it needs:
//! - Application log, RasClient 20221-20227 (the client's dials): any user.
//! - System log, RemoteAccess (an RRAS server's view): any user.
//! - Security log, NPS 6272/6273 (an NPS server's decisions): administrator
//!   or a member of Event Log Readers; without the right, that log is
//!   reported as skipped, not as an error.
//! - WFP IKE failure events are not read here: `netsh wfp show netevents`
//!   needs an administrator; run it yourself (`netsh wfp show netevents
//!   file=netevents.xml`) and pass the file.
//!
//! The process runner is portable (tested on Linux with `sh`); only the
//! choice of `wevtutil` is Windows-specific. Every run is bounded in time
//! ([`TIMEOUT`]) and output ([`MAX_OUTPUT`]).

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde::Serialize;

use super::input::{self, Collected, InputError};

/// Longest one `wevtutil` run may take.
pub const TIMEOUT: Duration = Duration::from_secs(60);
/// Most output read from one run (the XML cap of [`input`]).
pub const MAX_OUTPUT: usize = input::MAX_XML_BYTES as usize;

/// One log query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    pub log: &'static str,
    pub xpath: String,
    pub what: &'static str,
    /// Reading this log needs administrator rights (or Event Log Readers).
    pub needs_admin: bool,
}

/// The queries for the last `hours` hours.
pub fn queries(hours: f64) -> Vec<Query> {
    let ms = (hours * 3_600_000.0).round().max(0.0) as u64;
    let window = format!("TimeCreated[timediff(@SystemTime) <= {ms}]");
    vec![
        Query {
            log: "Application",
            xpath: format!(
                "*[System[Provider[@Name='RasClient'] and (EventID >= 20220 and EventID <= 20291) and {window}]]"
            ),
            what: "RasClient connection events",
            needs_admin: false,
        },
        Query {
            log: "System",
            xpath: format!("*[System[Provider[@Name='RemoteAccess'] and {window}]]"),
            what: "RRAS server events",
            needs_admin: false,
        },
        Query {
            log: "Security",
            xpath: format!("*[System[(EventID = 6272 or EventID = 6273) and {window}]]"),
            what: "NPS access decisions",
            needs_admin: true,
        },
    ]
}

/// The `wevtutil` arguments for a query: one `<Events>` root around the events.
pub fn wevtutil_args(q: &Query) -> Vec<String> {
    vec![
        "qe".into(),
        q.log.into(),
        format!("/q:{}", q.xpath),
        "/f:xml".into(),
        "/e:Events".into(),
    ]
}

/// What happened to one log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct LogRead {
    pub log: &'static str,
    pub what: &'static str,
    /// `read` or `skipped`.
    pub status: &'static str,
    pub detail: String,
}

/// A finished child process: exit status, output (capped) and error text.
#[derive(Debug)]
pub struct Ran {
    pub success: bool,
    pub stdout: Vec<u8>,
    pub stderr: String,
}

/// Why a program could not be run to the end.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("could not start {program}: {source}")]
    Start {
        program: String,
        source: std::io::Error,
    },
    #[error("{program} did not finish within {secs} s and was stopped")]
    Timeout { program: String, secs: u64 },
    #[error("{program} printed more than {cap} bytes")]
    TooMuch { program: String, cap: usize },
}

/// Runs `program args`, reading at most `cap` bytes of output, and kills it
/// after `timeout`.
pub fn run_bounded(
    program: &str,
    args: &[String],
    timeout: Duration,
    cap: usize,
) -> Result<Ran, RunError> {
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|source| RunError::Start {
            program: program.to_owned(),
            source,
        })?;
    let mut out = child.stdout.take().expect("piped");
    let mut err = child.stderr.take().expect("piped");
    let reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let r = (&mut out).take(cap as u64 + 1).read_to_end(&mut buf);
        (buf, r.is_ok())
    });
    let err_reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = (&mut err).take(64 * 1024).read_to_end(&mut buf);
        String::from_utf8_lossy(&buf).into_owned()
    });
    let deadline = Instant::now() + timeout;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if Instant::now() >= deadline => break None,
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(_) => break None,
        }
    };
    let Some(status) = status else {
        let _ = child.kill();
        let _ = child.wait();
        return Err(RunError::Timeout {
            program: program.to_owned(),
            secs: timeout.as_secs(),
        });
    };
    let (stdout, _) = reader.join().unwrap_or_default();
    let stderr = err_reader.join().unwrap_or_default();
    if stdout.len() > cap {
        return Err(RunError::TooMuch {
            program: program.to_owned(),
            cap,
        });
    }
    Ok(Ran {
        success: status.success(),
        stdout,
        stderr,
    })
}

/// Why the local logs could not be read at all.
#[derive(Debug, thiserror::Error)]
pub enum LocalError {
    #[error(
        "reading this machine's event logs needs Windows; elsewhere pass exported files \
         (wevtutil epl Application app.evtx, or wevtutil qe ... /f:xml > events.xml)"
    )]
    NotWindows,
    #[error("{0}")]
    Run(#[from] RunError),
    #[error("wevtutil could not read the {log} log: {detail}")]
    Failed { log: &'static str, detail: String },
    #[error(transparent)]
    Input(#[from] InputError),
}

/// Reads the logs of [`queries`] with `wevtutil` (found on PATH as
/// `wevtutil`). The Application log must be readable; others that need
/// rights the user lacks are reported as skipped.
pub fn read(hours: f64) -> Result<(Collected, Vec<LogRead>), LocalError> {
    if !cfg!(windows) {
        return Err(LocalError::NotWindows);
    }
    read_with("wevtutil", hours)
}

/// [`read`] with another program standing in for `wevtutil` (tests).
pub fn read_with(program: &str, hours: f64) -> Result<(Collected, Vec<LogRead>), LocalError> {
    let mut collected = Collected::default();
    let mut logs = Vec::new();
    for q in queries(hours) {
        let mut ran = run_bounded(program, &wevtutil_args(&q), TIMEOUT, MAX_OUTPUT)?;
        if ran.success
            && ran
                .stdout
                .iter()
                .all(|b| b.is_ascii_whitespace() || *b == 0)
        {
            // With /e:Events Windows' wevtutil always prints the root element;
            // nothing at all (Wine's stub does this) means nothing was read.
            ran.success = false;
            ran.stderr = "wevtutil printed nothing, not even the <Events> root: not Windows' own \
                          wevtutil (Wine's stub prints nothing)"
                .to_owned();
        }
        if !ran.success {
            let detail = crate::events::xml::short(ran.stderr.trim(), 120);
            if q.needs_admin || q.log != "Application" {
                logs.push(LogRead {
                    log: q.log,
                    what: q.what,
                    status: "skipped",
                    detail: if q.needs_admin {
                        format!("needs administrator rights or Event Log Readers ({detail})")
                    } else {
                        detail
                    },
                });
                continue;
            }
            return Err(LocalError::Failed { log: q.log, detail });
        }
        let before = collected.events.len();
        let name = format!("{} log", q.log);
        match input::read_bytes(&name, &ran.stdout, &mut collected) {
            Ok(()) => {}
            // An empty <Events/> or no output: nothing in the window.
            Err(InputError::NotEvents { .. } | InputError::Empty { .. }) => {}
            Err(e) => return Err(e.into()),
        }
        logs.push(LogRead {
            log: q.log,
            what: q.what,
            status: "read",
            detail: format!("{} event(s)", collected.events.len() - before),
        });
    }
    Ok((collected, logs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_cover_the_window_and_the_providers() {
        let q = queries(24.0);
        assert_eq!(q.len(), 3);
        assert!(q[0].xpath.contains("Provider[@Name='RasClient']"));
        assert!(q[0].xpath.contains("timediff(@SystemTime) <= 86400000"));
        assert!(!q[0].needs_admin && q[2].needs_admin);
        let args = wevtutil_args(&q[0]);
        assert_eq!(args[..2], ["qe", "Application"]);
        assert!(args.contains(&"/f:xml".to_owned()) && args.contains(&"/e:Events".to_owned()));
        assert!(queries(0.5)[1].xpath.contains("<= 1800000"));
    }

    #[cfg(unix)]
    #[test]
    fn the_runner_bounds_time_and_output() {
        let sh = |script: &str| vec!["-c".to_owned(), script.to_owned()];
        let ok = run_bounded("sh", &sh("printf hello"), TIMEOUT, 100).unwrap();
        assert!(ok.success);
        assert_eq!(ok.stdout, b"hello");
        let slow = run_bounded("sh", &sh("sleep 5"), Duration::from_millis(200), 100);
        assert!(matches!(slow, Err(RunError::Timeout { .. })));
        let big = run_bounded("sh", &sh("yes | head -c 5000"), TIMEOUT, 100);
        assert!(matches!(big, Err(RunError::TooMuch { .. })));
        let failed = run_bounded("sh", &sh("echo denied >&2; exit 5"), TIMEOUT, 100).unwrap();
        assert!(!failed.success);
        assert_eq!(failed.stderr.trim(), "denied");
        assert!(matches!(
            run_bounded("/nonexistent/wevtutil", &[], TIMEOUT, 1),
            Err(RunError::Start { .. })
        ));
    }

    /// A stand-in `wevtutil` that prints one RasClient event for the
    /// Application log, an empty root for System and is denied Security.
    #[cfg(unix)]
    #[test]
    fn logs_are_read_and_a_denied_security_log_is_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let fake = dir.path().join("wevtutil");
        std::fs::write(
            &fake,
            "#!/bin/sh\ncase \"$2\" in\n\
             Application) echo \"<Events><Event><System><Provider Name='RasClient'/><EventID>20227</EventID></System><EventData><Data>{B4000371-A67F-452F-AA4C-3125AA9CFC78}</Data><Data>u</Data><Data>P</Data><Data>809</Data></EventData></Event></Events>\";;\n\
             System) echo '<Events/>';;\n\
             *) echo 'Access is denied.' >&2; exit 5;;\nesac\n",
        )
        .unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
        let (c, logs) = read_with(fake.to_str().unwrap(), 24.0).unwrap();
        assert_eq!(c.events.len(), 1);
        let status: Vec<(&str, &str)> = logs.iter().map(|l| (l.log, l.status)).collect();
        assert_eq!(
            status,
            [
                ("Application", "read"),
                ("System", "read"),
                ("Security", "skipped")
            ]
        );
        assert!(
            logs[2].detail.contains("administrator"),
            "{}",
            logs[2].detail
        );

        // A wevtutil that prints nothing at all (Wine's stub) read nothing.
        std::fs::write(&fake, "#!/bin/sh\nexit 0\n").unwrap();
        let e = read_with(fake.to_str().unwrap(), 24.0).unwrap_err();
        assert!(
            matches!(
                e,
                LocalError::Failed {
                    log: "Application",
                    ..
                }
            ),
            "{e}"
        );
        assert!(e.to_string().contains("printed nothing"), "{e}");
    }
}
