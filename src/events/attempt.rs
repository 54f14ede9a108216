//! RasClient events grouped into connection attempts. PURE.
//!
//! Source: the message templates of `mprmsg.dll` (libyal winevt-kb,
//! "MessageFile-mprmsg.dll"), the Application-log RasClient events:
//!
//! | ID | message (inserts) |
//! |---|---|
//! | 20221 | CoId=%1: The user %2 has started dialing a %3 connection using a %4 connection profile named %5. The connection settings are: %6. |
//! | 20222 | CoId=%1: The user %2 is trying to establish a link to the Remote Access Server for the connection named %3 using the following device: %4. |
//! | 20223 | CoId=%1: The user %2 has successfully established a link to the Remote Access Server using the following device: %3. |
//! | 20224 | CoId=%1: The link to the Remote Access Server has been established by user %2. |
//! | 20225 | CoId=%1: The user %2 has dialed a connection named %3 to the Remote Access Server which has successfully connected. The connection parameters are:%4. |
//! | 20226 | CoId=%1: The user %2 dialed a connection named %3 which has terminated. The reason code returned on termination is %4. |
//! | 20227 | CoId=%1: The user %2 dialed a connection named %3 which has failed. The error code returned on failure is %4. |
//!
//! The correlation ID (`%1`, a GUID in braces) is the same in every event of
//! one dial, which is how they are grouped. Microsoft's guidance diagnoses a
//! failure from the last informational event reached plus the 20227 code
//! ("Troubleshoot Always On VPN", application logs). `%6` of 20221 and `%4`
//! of 20222 are lists of `Key = Value` lines such as `VpnStrategy = IKEv2`,
//! `Server address/Phone Number = vpn.example.com`, `Device = WAN Miniport (IKEv2)`.

use serde::{Serialize, Serializer};

use super::errors;
use super::model::WinEvent;
use super::time::Timestamp;

pub const PROVIDER: &str = "RasClient";
pub const DIALING: u32 = 20221;
pub const TRYING: u32 = 20222;
pub const LINK_UP: u32 = 20223;
pub const LINK_ESTABLISHED: u32 = 20224;
pub const CONNECTED: u32 = 20225;
pub const DISCONNECTED: u32 = 20226;
pub const FAILED: u32 = 20227;

/// The last step of the dial the events show, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Stage {
    /// Only the failure (or a later event) was seen.
    Unknown,
    /// 20221: dialling started with the profile's settings.
    Dialing,
    /// 20222: trying the server address with a device (WAN Miniport).
    TryingServer,
    /// 20223: the link to the server is up.
    LinkUp,
    /// 20224: the link is established for the user (authenticated).
    Authenticated,
    /// 20225: connected.
    Connected,
}

impl Stage {
    /// A few words for tables.
    pub fn short(self) -> &'static str {
        match self {
            Stage::Unknown => "-",
            Stage::Dialing => "dialling (20221)",
            Stage::TryingServer => "server tried (20222)",
            Stage::LinkUp => "link up (20223)",
            Stage::Authenticated => "link established (20224)",
            Stage::Connected => "connected (20225)",
        }
    }

    pub fn words(self) -> &'static str {
        match self {
            Stage::Unknown => "no progress event seen",
            Stage::Dialing => "started dialling (20221), never tried a server",
            Stage::TryingServer => "tried the server (20222), no link came up",
            Stage::LinkUp => "link up (20223), not yet established for the user",
            Stage::Authenticated => "link established (20224), not connected",
            Stage::Connected => "connected (20225)",
        }
    }
}

/// How the attempt ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Connected,
    /// 20227 with its error code.
    Failed(u32),
    /// 20226 after a connection, with its reason code.
    Dropped(u32),
    /// No end event in the events read.
    Unfinished,
}

impl Outcome {
    pub fn word(self) -> &'static str {
        match self {
            Outcome::Connected => "connected",
            Outcome::Failed(_) => "failed",
            Outcome::Dropped(_) => "dropped",
            Outcome::Unfinished => "unfinished",
        }
    }

    /// The error or reason code, when there is one.
    pub fn code(self) -> Option<u32> {
        match self {
            Outcome::Failed(c) | Outcome::Dropped(c) => Some(c),
            _ => None,
        }
    }
}

impl Serialize for Outcome {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.word())
    }
}

impl schemars::JsonSchema for Outcome {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "AttemptOutcome".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "How the attempt ended (the error or reason code is in `error`)",
            "type": "string",
            "enum": ["connected", "failed", "dropped", "unfinished"],
        })
    }
}

/// A Windows error code with its name and meaning, as shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct ErrorCode {
    /// Decimal, or `0x...` for HRESULTs.
    pub code: String,
    pub value: u32,
    pub name: Option<&'static str>,
    pub meaning: Option<&'static str>,
}

impl ErrorCode {
    pub fn new(value: u32) -> ErrorCode {
        let known = errors::lookup(value);
        ErrorCode {
            code: errors::display_code(value),
            value,
            name: known.map(|k| k.name),
            meaning: known.map(|k| k.text),
        }
    }
}

/// One dial of a VPN profile, from 20221 to 20225/20226/20227.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Attempt {
    pub correlation_id: String,
    pub started: Option<Timestamp>,
    pub ended: Option<Timestamp>,
    pub computer: Option<String>,
    pub user: Option<String>,
    /// The VPN profile (connection) name.
    pub profile: Option<String>,
    /// `per-user` or `all-user` (device tunnels and all-user profiles).
    pub profile_type: Option<String>,
    /// The server address the client tried (20222).
    pub server: Option<String>,
    /// The device (WAN Miniport) it tried with.
    pub device: Option<String>,
    /// `VpnStrategy` from the settings of 20221.
    pub strategy: Option<String>,
    pub stage: Stage,
    pub outcome: Outcome,
    /// The 20227 error code or the 20226 reason code.
    pub error: Option<ErrorCode>,
    /// The event IDs seen, in time order.
    pub events: Vec<u32>,
}

impl Attempt {
    fn new(correlation_id: String) -> Attempt {
        Attempt {
            correlation_id,
            started: None,
            ended: None,
            computer: None,
            user: None,
            profile: None,
            profile_type: None,
            server: None,
            device: None,
            strategy: None,
            stage: Stage::Unknown,
            outcome: Outcome::Unfinished,
            error: None,
            events: Vec::new(),
        }
    }

    /// Whether the dial got connected (20225), even if it dropped later.
    pub fn connected(&self) -> bool {
        self.stage == Stage::Connected
    }

    /// The server for commands that re-test it: the address tried (20222),
    /// else a placeholder that says where to find it (a profile name is no
    /// host name).
    pub fn server_for_commands(&self) -> &str {
        self.server
            .as_deref()
            .unwrap_or("<the profile's VPN server>")
    }

    fn take(&mut self, e: &WinEvent) {
        if let Some(t) = e.time {
            self.started = Some(self.started.map_or(t, |s| s.min(t)));
            self.ended = Some(self.ended.map_or(t, |s| s.max(t)));
        }
        self.events.push(e.id);
        if self.computer.is_none() {
            self.computer = e.computer.clone();
        }
        let set = |slot: &mut Option<String>, v: Option<&str>| {
            if let Some(v) = v.filter(|v| !v.is_empty()) {
                *slot = Some(v.to_owned());
            }
        };
        set(&mut self.user, e.insert(2));
        let stage = match e.id {
            DIALING => {
                set(&mut self.profile_type, e.insert(4));
                set(&mut self.profile, e.insert(5));
                set(
                    &mut self.strategy,
                    e.insert(6).and_then(|s| setting(s, "VpnStrategy")),
                );
                Stage::Dialing
            }
            TRYING => {
                set(&mut self.profile, e.insert(3));
                let dev = e.insert(4).unwrap_or_default();
                set(
                    &mut self.server,
                    setting(dev, "Server address/Phone Number"),
                );
                set(&mut self.device, setting(dev, "Device"));
                Stage::TryingServer
            }
            LINK_UP => Stage::LinkUp,
            LINK_ESTABLISHED => Stage::Authenticated,
            CONNECTED => {
                set(&mut self.profile, e.insert(3));
                self.outcome = Outcome::Connected;
                Stage::Connected
            }
            DISCONNECTED | FAILED => {
                set(&mut self.profile, e.insert(3));
                let code = e.insert(4).and_then(errors::parse_code);
                self.error = code.map(ErrorCode::new);
                self.outcome = match (e.id, code) {
                    (FAILED, c) => Outcome::Failed(c.unwrap_or(0)),
                    (_, c) => Outcome::Dropped(c.unwrap_or(0)),
                };
                Stage::Unknown
            }
            _ => Stage::Unknown,
        };
        self.stage = self.stage.max(stage);
    }
}

/// The value of `key` in a RasClient settings text: `key = value` on its
/// own line (or, in older Windows, within one line up to the next `  `
/// run or ` , `), compared without regard to case. `None` when absent or empty.
pub fn setting<'a>(text: &'a str, key: &str) -> Option<&'a str> {
    for line in text.lines() {
        let line = line.trim();
        let Some((k, v)) = line.split_once('=') else {
            continue;
        };
        if k.trim().eq_ignore_ascii_case(key) {
            let v = v.trim().trim_end_matches(['.', ',']).trim();
            return (!v.is_empty()).then_some(v);
        }
    }
    None
}

/// The correlation ID of a RasClient event: `%1`, a GUID, normalised to
/// upper case without braces. `None` for events that carry none.
pub fn correlation_id(e: &WinEvent) -> Option<String> {
    let raw = e.insert(1)?.trim_matches(|c| c == '{' || c == '}');
    let ok = raw.len() == 36 && raw.chars().all(|c| c.is_ascii_hexdigit() || c == '-');
    ok.then(|| raw.to_ascii_uppercase())
}

/// Groups RasClient events (any order) into attempts, oldest first. Events
/// of other providers and RasClient events without a correlation ID are
/// ignored. A new 20221 for a correlation ID whose attempt already ended
/// starts a new attempt.
pub fn group(events: &[WinEvent]) -> Vec<Attempt> {
    let mut ras: Vec<&WinEvent> = events
        .iter()
        .filter(|e| e.provider.eq_ignore_ascii_case(PROVIDER))
        .filter(|e| (DIALING..=FAILED).contains(&e.id))
        .collect();
    ras.sort_by_key(|e| (e.time, e.record_id));
    let mut attempts: Vec<Attempt> = Vec::new();
    let mut open: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for e in ras {
        let Some(id) = correlation_id(e) else {
            continue;
        };
        let index = match open.get(&id) {
            Some(&i) if e.id != DIALING || matches!(attempts[i].outcome, Outcome::Unfinished) => i,
            _ => {
                attempts.push(Attempt::new(id.clone()));
                open.insert(id, attempts.len() - 1);
                attempts.len() - 1
            }
        };
        attempts[index].take(e);
    }
    attempts.sort_by_key(|a| a.started);
    attempts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(id: u32, secs: i64, inserts: &[&str]) -> WinEvent {
        WinEvent {
            provider: "RasClient".into(),
            id,
            time: Some(Timestamp(secs * 1000)),
            record_id: None,
            computer: Some("PC1".into()),
            channel: Some("Application".into()),
            activity_id: None,
            data: inserts.iter().map(|s| (None, (*s).to_owned())).collect(),
        }
    }

    const A: &str = "{B4000371-A67F-452F-AA4C-3125AA9CFC78}";
    const B: &str = "{0F5671E9-BAD1-49DE-BAA1-7BD6BB4B6755}";

    #[test]
    fn a_failed_dial_carries_profile_server_strategy_stage_and_code() {
        let events = [
            ev(FAILED, 40, &[A, "CORP\\alice", "Contoso VPN", "809"]),
            ev(
                DIALING,
                10,
                &[
                    A,
                    "CORP\\alice",
                    "VPN",
                    "all-user",
                    "Contoso VPN",
                    "\nVpnStrategy = IKEv2\nDataEncryption = Require\n",
                ],
            ),
            ev(
                TRYING,
                11,
                &[
                    A,
                    "CORP\\alice",
                    "Contoso VPN",
                    "\nServer address/Phone Number = vpn.example.com\nDevice = WAN Miniport (IKEv2)\nPort = VPN2-0\nMediaType = VPN\n",
                ],
            ),
        ];
        let got = group(&events);
        assert_eq!(got.len(), 1);
        let a = &got[0];
        assert_eq!(a.correlation_id, "B4000371-A67F-452F-AA4C-3125AA9CFC78");
        assert_eq!(a.profile.as_deref(), Some("Contoso VPN"));
        assert_eq!(a.profile_type.as_deref(), Some("all-user"));
        assert_eq!(a.server.as_deref(), Some("vpn.example.com"));
        assert_eq!(a.device.as_deref(), Some("WAN Miniport (IKEv2)"));
        assert_eq!(a.strategy.as_deref(), Some("IKEv2"));
        assert_eq!(a.stage, Stage::TryingServer);
        assert_eq!(a.outcome, Outcome::Failed(809));
        assert_eq!(a.error.as_ref().unwrap().name, Some("ERROR_VPN_TIMEOUT"));
        assert_eq!(a.events, [DIALING, TRYING, FAILED]);
        assert_eq!(a.started, Some(Timestamp(10_000)));
        assert_eq!(a.ended, Some(Timestamp(40_000)));
        assert_eq!(a.server_for_commands(), "vpn.example.com");
        let mut no_20222 = a.clone();
        no_20222.server = None;
        assert_eq!(no_20222.server_for_commands(), "<the profile's VPN server>");
    }

    #[test]
    fn interleaved_dials_are_kept_apart_and_ordered_by_start() {
        let events = [
            ev(
                DIALING,
                5,
                &[B, "SYSTEM", "VPN", "all-user", "Device Tunnel", ""],
            ),
            ev(DIALING, 1, &[A, "u", "VPN", "per-user", "User Tunnel", ""]),
            ev(CONNECTED, 7, &[B, "SYSTEM", "Device Tunnel", ""]),
            ev(LINK_UP, 2, &[A, "u", "dev"]),
            ev(LINK_ESTABLISHED, 3, &[A, "u"]),
            ev(FAILED, 4, &[A, "u", "User Tunnel", "13801"]),
        ];
        let got = group(&events);
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].profile.as_deref(), Some("User Tunnel"));
        assert_eq!(got[0].stage, Stage::Authenticated);
        assert_eq!(got[0].outcome, Outcome::Failed(13801));
        assert_eq!(got[1].profile.as_deref(), Some("Device Tunnel"));
        assert_eq!(got[1].outcome, Outcome::Connected);
        assert_eq!(got[1].stage, Stage::Connected);
    }

    #[test]
    fn a_drop_after_connecting_and_a_redial_with_the_same_id() {
        let events = [
            ev(DIALING, 1, &[A, "u", "VPN", "per-user", "P", ""]),
            ev(CONNECTED, 2, &[A, "u", "P", ""]),
            ev(DISCONNECTED, 100, &[A, "u", "P", "829"]),
            ev(DIALING, 200, &[A, "u", "VPN", "per-user", "P", ""]),
            ev(FAILED, 230, &[A, "u", "P", "-2146762487"]),
        ];
        let got = group(&events);
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].outcome, Outcome::Dropped(829));
        assert_eq!(got[0].stage, Stage::Connected);
        assert_eq!(
            got[0].error.as_ref().unwrap().name,
            Some("ERROR_LINK_FAILURE")
        );
        assert_eq!(got[1].outcome, Outcome::Failed(0x800B_0109));
        assert_eq!(got[1].error.as_ref().unwrap().code, "0x800B0109");
    }

    #[test]
    fn events_without_a_correlation_id_or_of_other_sources_are_ignored() {
        let mut other = ev(FAILED, 1, &[A, "u", "P", "809"]);
        other.provider = "RemoteAccess".into();
        let events = [
            other,
            ev(FAILED, 2, &["not-a-guid", "u", "P", "809"]),
            ev(20220, 3, &["x"]),
        ];
        assert!(group(&events).is_empty());
    }

    #[test]
    fn settings_are_found_by_key_without_regard_to_case() {
        let s = "\r\nVpnStrategy = IKEv2 , SSTP , PPTP then L2TP\r\nAuthentication Type = MS-CHAPv2\r\n";
        assert_eq!(
            setting(s, "vpnstrategy"),
            Some("IKEv2 , SSTP , PPTP then L2TP")
        );
        assert_eq!(setting(s, "Authentication Type"), Some("MS-CHAPv2"));
        assert_eq!(setting(s, "Device"), None);
        assert_eq!(setting("Device = .", "Device"), None);
    }
}
