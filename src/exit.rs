//! The exit codes every command uses, as `--help`, the man page and README
//! state them, and the error codes that lead to 2 and 3. Which library
//! error gets which error code is decided in one place, at the edge: the
//! binary's `cmd::exit`. Each error code has one exit code, so the same
//! situation exits the same way in every command.

#![forbid(unsafe_code)]

use serde::Serialize;

/// The process exit status contract scripts rely on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Exit {
    /// Checked, no problem found.
    Ok = 0,
    /// Checked, a problem found (at least one `fail` finding).
    Problem = 1,
    /// Usage or input error: bad file, bad address, unknown host.
    Input = 2,
    /// Could not run the check: no permission for raw sockets, no route, interface down.
    CannotRun = 3,
}

impl Exit {
    pub fn code(self) -> u8 {
        self as u8
    }
}

/// The verdict's code: 0 nothing failed, 1 a `fail` finding. (Which error
/// means 2 or 3 is decided by its [`ErrorCode`].)
impl From<crate::finding::Verdict> for Exit {
    fn from(v: crate::finding::Verdict) -> Exit {
        match v {
            crate::finding::Verdict::Ok => Exit::Ok,
            crate::finding::Verdict::Problem => Exit::Problem,
        }
    }
}

macro_rules! error_codes {
    ($(
        $(#[$doc:meta])*
        $variant:ident = $code:literal {
            exit: $exit:ident,
            meaning: $meaning:literal,
            hint: $hint:literal $(,)?
        }
    )*) => {
        /// Why a command could not give its answer: the `error.code` of the
        /// JSON document. Stable kebab-case strings, like finding codes.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum ErrorCode { $( $(#[$doc])* $variant, )* }

        impl ErrorCode {
            /// Every code, in registry order.
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant),*];

            /// The code's registry row.
            pub fn info(self) -> &'static ErrorInfo {
                match self {
                    $(ErrorCode::$variant => &ErrorInfo {
                        code: $code,
                        exit: Exit::$exit,
                        meaning: $meaning,
                        hint: $hint,
                    },)*
                }
            }
        }
    };
}

/// One row of the error-code registry. README's error-code table
/// ([`crate::generate::error_code_table`]) and the JSON schema's list of
/// codes are derived from these rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ErrorInfo {
    /// The stable kebab-case code.
    pub code: &'static str,
    /// The exit status it always gives: [`Exit::Input`] or [`Exit::CannotRun`].
    pub exit: Exit,
    /// One line: when it is reported.
    pub meaning: &'static str,
    /// What to do, when the error itself gives no more specific advice.
    pub hint: &'static str,
}

// The registry. Adding a code: one row here (README's table is regenerated
// with `UPDATE_GENERATED=1 cargo test --test generated_files`, the schema
// with it) and its mapping from the library error in the binary's
// `cmd::exit`.
error_codes! {
    // ---- 2: usage or input ----------------------------------------------
    /// The command line: unknown option, missing or malformed argument.
    Usage = "usage" {
        exit: Input,
        meaning: "the command line is wrong: an unknown command or option, a missing or malformed argument (also a server given as a URL or with a port), options that exclude each other",
        hint: "see `aovpn-diag COMMAND --help` for the options and examples",
    }
    /// NXDOMAIN for the server name.
    UnknownHost = "unknown-host" {
        exit: Input,
        meaning: "the server name does not exist (NXDOMAIN from DNS, and not in the hosts file)",
        hint: "check the name against the VPN profile's server address; `nslookup NAME` shows what DNS answers",
    }
    /// The name exists without an address of the family asked.
    NoAddress = "no-address" {
        exit: Input,
        meaning: "the server name exists but has no address of the family asked (NODATA), or `-4`/`-6` was given with an address of the other family",
        hint: "leave out -4/-6, or add the missing A/AAAA record",
    }
    /// A file named on the command line does not exist.
    FileNotFound = "file-not-found" {
        exit: Input,
        meaning: "a file named on the command line does not exist",
        hint: "check the path (relative paths start in the current directory)",
    }
    /// A file or directory may not be read or written by this user.
    PermissionDenied = "permission-denied" {
        exit: Input,
        meaning: "a file or directory named on the command line may not be read (or, for `man --dir`, written) by this user",
        hint: "copy the file somewhere readable, or run as a user who may read it",
    }
    /// Another I/O error on a file named on the command line.
    CannotRead = "cannot-read" {
        exit: Input,
        meaning: "a file named on the command line cannot be read or written for another reason (a directory, a device error)",
        hint: "give a regular file that can be read",
    }
    /// `pcap`: not a capture.
    NotACapture = "not-a-capture" {
        exit: Input,
        meaning: "`pcap`: the input is not a pcap or pcapng capture (also after gzip decompression), or is empty",
        hint: "save the trace as .pcap or .pcapng (Wireshark: File > Save As; pktmon: pktmon etl2pcap), gzip-compressed or not",
    }
    /// `pcap`: a capture without a single packet.
    NoPackets = "no-packets" {
        exit: Input,
        meaning: "`pcap`: the capture is well-formed but holds no packets (not one frame to judge the network by)",
        hint: "capture on the interface the VPN traffic passes while the client connects, e.g. tcpdump -i any -w vpn.pcap 'udp port 500 or udp port 4500 or esp or (ip[6:2] & 0x3fff != 0)'",
    }
    /// `events`: no Windows events in the input.
    NotAnEventLog = "not-an-event-log" {
        exit: Input,
        meaning: "`events`: the input is not an EVTX file, event XML or WFP net-event XML, or it is damaged",
        hint: "export with wevtutil epl Application app.evtx, or wevtutil qe Application /f:xml > events.xml",
    }
    /// `profile`: not a phonebook, or none on this machine.
    NotAPhonebook = "not-a-phonebook" {
        exit: Input,
        meaning: "`profile`: the file is not a VPN phonebook (rasphone.pbk), or this machine has none",
        hint: "give a rasphone.pbk from %ProgramData% or %AppData%\\Microsoft\\Network\\Connections\\Pbk",
    }
    /// An input over the size limits.
    InputTooLarge = "input-too-large" {
        exit: Input,
        meaning: "an input is over its documented limits (README: Input limits; e.g. `events`: 32 MiB XML, 1 GiB EVTX, 100,000 VPN events; `6to4`: 5,000 addresses)",
        hint: "export a shorter window (wevtutil with a time filter, or --since)",
    }
    /// `capture`: no interface of that name.
    UnknownInterface = "unknown-interface" {
        exit: Input,
        meaning: "`capture`: no interface of the name given with --interface (the message lists those this machine has)",
        hint: "pick a name from `aovpn-diag capture --list-interfaces`",
    }
    /// `6to4`: an address or line could not be read.
    BadInput = "bad-input" {
        exit: Input,
        meaning: "`6to4`: an address, prefix or stdin line could not be read (the others are still converted and in the document)",
        hint: "give IPv4 addresses or prefixes, 6to4, Teredo or ISATAP IPv6 addresses, one per argument or line",
    }

    // ---- 3: could not run -----------------------------------------------
    /// DNS did not answer.
    DnsUnavailable = "dns-unavailable" {
        exit: CannotRun,
        meaning: "no DNS server answered in time, none is configured, or DNS failed (SERVFAIL, REFUSED): the name could not be looked up",
        hint: "check this machine's network connection and DNS servers, or give the server's IP address",
    }
    /// No socket, no route.
    NetworkUnavailable = "network-unavailable" {
        exit: CannotRun,
        meaning: "no address of the server could be tested: no socket could be opened, no route leads to it, or the outgoing interface's MTU is unknown",
        hint: "check the network connection and routing table (`ip route get ADDRESS`, `route print`)",
    }
    /// ICMP sockets refused.
    IcmpNotPermitted = "icmp-not-permitted" {
        exit: CannotRun,
        meaning: "`mtu`: this user may not send ICMP echo (no unprivileged ICMP sockets, no raw-socket permission)",
        hint: "run as root, allow ping sockets (net.ipv4.ping_group_range), or measure with IKE itself: --ike",
    }
    /// ICMP echo unanswered at every size.
    NothingMeasured = "nothing-measured" {
        exit: CannotRun,
        meaning: "`mtu`: no address answered ICMP echo at any size, so no path MTU was measured (the document still lists the probes)",
        hint: "measure with IKE itself: aovpn-diag mtu SERVER --ike",
    }
    /// `lb`: no IKE_SA_INIT answer in any round.
    NoIkeAnswer = "no-ike-answer" {
        exit: CannotRun,
        meaning: "`lb`: no round got a full IKE_SA_INIT answer on UDP 500 from any address, so the load balancer could not be judged (the document still lists the rounds)",
        hint: "`aovpn-diag probe SERVER` tells why UDP 500 brings no IKEv2 answer (blocked, no IKE service, proposals refused)",
    }
    /// `capture`: packet capture not permitted.
    CaptureNotPermitted = "capture-not-permitted" {
        exit: CannotRun,
        meaning: "`capture`: this user may not capture packets (Linux: neither root nor CAP_NET_RAW; Windows: not Administrator where Npcap restricts capture to Administrators; macOS: no access to /dev/bpf*)",
        hint: "run as root (sudo), or give the program CAP_NET_RAW and CAP_NET_ADMIN: sudo setcap cap_net_raw,cap_net_admin=eip $(command -v aovpn-diag); on Windows run it as Administrator",
    }
    /// `capture`: this build has no live capture.
    LiveCaptureNotBuilt = "live-capture-not-built" {
        exit: CannotRun,
        meaning: "`capture`: this aovpn-diag was built without the cargo feature `live` (libpcap/Npcap): the document's `recipe` holds the tcpdump or pktmon commands that record the same traffic",
        hint: "record the traffic with the commands printed (JSON: `recipe`) and run `aovpn-diag pcap FILE` on the file, or build with `cargo build --release --features live`",
    }
    /// `capture`: no interface could be opened or read.
    CaptureUnavailable = "capture-unavailable" {
        exit: CannotRun,
        meaning: "`capture`: no interface could be captured on (none listed: on Windows Npcap missing; no route to --server; libpcap refused to open it or its filter), or reading it failed while capturing (the document then still holds what was captured)",
        hint: "see `aovpn-diag capture --list-interfaces` and give --interface; on Windows without Npcap record with the pktmon commands printed (JSON: `recipe`)",
    }
    /// The local event logs could not be read.
    EventLogUnavailable = "event-log-unavailable" {
        exit: CannotRun,
        meaning: "`events`: this machine's event logs could not be read (wevtutil missing, failing or too slow)",
        hint: "export the logs on a Windows machine (wevtutil epl Application app.evtx) and pass the file",
    }
    /// Stdout could not be written (not a closed pipe: that is no error).
    OutputFailed = "output-failed" {
        exit: CannotRun,
        meaning: "the output could not be written (disk full, a device error); a reader that closes the pipe early is not an error",
        hint: "write the output somewhere with space",
    }
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        self.info().code
    }

    pub fn exit(self) -> Exit {
        self.info().exit
    }
}

impl Serialize for ErrorCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl schemars::JsonSchema for ErrorCode {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "ErrorCode".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let codes: Vec<&str> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
        schemars::json_schema!({
            "description": "Why the command could not give its answer (README: Error codes). Each code has one exit status.",
            "type": "string",
            "enum": codes,
        })
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Text for `--help` and the man page, kept next to the enum it describes.
/// A macro (not a const) so `concat!` can join it into clap's static help text.
#[macro_export]
macro_rules! exit_codes_help {
    () => {
        "Exit codes (every command):
  0  checked, no problem found
  1  checked, a problem found (a `fail` finding)
  2  usage or input error (bad file, bad address, unknown host)
  3  could not run the check (no permission for raw sockets, no route, interface down)
With --json, every outcome is one JSON document on stdout, errors included."
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_codes_are_unique_kebab_case_and_exit_2_or_3() {
        let mut seen = std::collections::HashSet::new();
        for code in ErrorCode::ALL {
            let i = code.info();
            assert!(seen.insert(i.code), "duplicate {}", i.code);
            assert!(
                i.code
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                "{} is not kebab-case",
                i.code
            );
            assert!(matches!(i.exit, Exit::Input | Exit::CannotRun), "{code}");
            assert!(!i.meaning.is_empty() && !i.hint.is_empty(), "{code}");
        }
    }
}
