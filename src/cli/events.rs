//! Arguments of `aovpn-diag events`.

use std::path::PathBuf;

use clap::Args;

/// Read Windows' own record of VPN connection attempts and say why they failed.
///
/// Reads the RasClient events of the Application log (20221 dialling with
/// the profile's settings, 20222 the server and device tried, 20223-20225
/// how far the connection got, 20226 dropped with a reason, 20227 failed
/// with an error code) and the WFP IKE main-mode failure events of `netsh
/// wfp show netevents` (error code, which side failed, main-mode state).
/// Events are grouped into connection attempts by their correlation ID;
/// each attempt shows time, profile, server, strategy, the stage reached
/// and the error code with its name and meaning, and every distinct error
/// becomes one finding with its likely cause, the fix, and the aovpn-diag
/// step that would confirm it.
///
/// Inputs: .evtx files (wevtutil epl, Event Viewer "Save All Events As"),
/// XML from `wevtutil qe ... /f:xml` (with or without a root element) or
/// `Get-WinEvent | ForEach-Object ToXml` (UTF-8 or UTF-16), and the XML of
/// `netsh wfp show netevents`. On Windows, without FILE, it reads this
/// machine's Application and System logs with wevtutil (no admin rights
/// needed) and, when allowed, the NPS events of the Security log (needs
/// admin or Event Log Readers). WFP net events need an administrator:
/// export them with `netsh wfp show netevents file=netevents.xml`.
///
/// Limits: XML files up to 32 MiB, EVTX files up to 1 GiB, 100,000
/// VPN-related events in all; past a limit the command stops with exit 2.
#[derive(Debug, Args)]
#[command(after_help = concat!(
    "Examples:
  aovpn-diag events Application.evtx netevents.xml
      a client's exported Application log and WFP net events, read together
  aovpn-diag events ras.xml -v
      RasClient events exported as XML on the client (wevtutil qe ... /f:xml), read anywhere

Windows only (this machine's logs, PowerShell or cmd):
  aovpn-diag.exe events
      this machine's VPN attempts of the last 24 hours (no admin rights)
  aovpn-diag.exe events --since 2h --json | ConvertFrom-Json
      the last two hours, for a script: attempts[], findings[]
  wevtutil qe Application /q:\"*[System[Provider[@Name='RasClient']]]\" /f:xml > ras.xml
      export the RasClient events as XML to read elsewhere
  wevtutil qe Application /c:500 /rd:true /f:xml | aovpn-diag.exe events -
      the newest 500 Application events piped in cmd (stdin holds up to 32 MiB)

",
    crate::exit_codes_help!()
))]
pub struct EventsArgs {
    /// Event exports to read: .evtx, event XML or WFP netevents XML; `-` reads stdin (default on Windows: this machine's logs).
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,

    /// Only events of the last DURATION: hours (24), or with a unit: 90m, 2h, 7d. Default: 24h for this machine's logs, everything in files.
    #[arg(long, value_name = "DURATION", value_parser = parse_hours)]
    pub since: Option<f64>,
}

/// A duration in hours from `24`, `1.5`, `90m`, `2h` or `7d`.
pub fn parse_hours(s: &str) -> Result<f64, String> {
    let s = s.trim();
    let (number, per_hour) = match s.char_indices().last() {
        Some((i, 'm')) => (&s[..i], 60.0),
        Some((i, 'h')) => (&s[..i], 1.0),
        Some((i, 'd')) => (&s[..i], 1.0 / 24.0),
        _ => (s, 1.0),
    };
    match number.parse::<f64>() {
        Ok(v) if v.is_finite() && v > 0.0 && v / per_hour <= 24.0 * 366.0 * 10.0 => {
            Ok(v / per_hour)
        }
        _ => Err(format!(
            "'{}' is not a duration: give hours (24) or a number with m, h or d (90m, 2h, 7d)",
            crate::events::xml::short(s, 40)
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_hours("24"), Ok(24.0));
        assert_eq!(parse_hours("90m"), Ok(1.5));
        assert_eq!(parse_hours("2h"), Ok(2.0));
        assert_eq!(parse_hours("7d"), Ok(168.0));
        for bad in ["", "0", "-1", "h", "abc", "1e999", "NaN", "100000d"] {
            assert!(parse_hours(bad).is_err(), "{bad}");
        }
    }
}
