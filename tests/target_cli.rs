//! The server argument of probe, mtu and check as people type it: every
//! rejected form exits 2 with one line that says why and what to type,
//! before any DNS query or packet; accepted forms reach the probes in their
//! plain form. (The rules themselves: src/cli/target/tests.rs.)

#[path = "support/cli.rs"]
mod cli;

use cli::bin;

const COMMANDS: &[&str] = &["probe", "mtu", "check"];

/// (argument, text the one-line error must contain)
const REJECTED: &[(&str, &str)] = &[
    (
        "https://vpn.example.com/remote/login",
        "is a URL, not a server: give the host name alone: vpn.example.com",
    ),
    (
        "vpn.example.com:443",
        "has a port (:443): give the server alone: vpn.example.com",
    ),
    (
        "[2001:db8::10]:4500",
        "has a port (:4500): give the server alone: 2001:db8::10",
    ),
    (
        "198.51.100.10:500",
        "has a port (:500): give the server alone: 198.51.100.10",
    ),
    ("fe80::1%eth0", "is a link-local address (fe80::/10)"),
    ("fe80::1%12", "is a link-local address (fe80::/10)"),
    (
        "198.51.100.10%eth0",
        "a zone (%...) belongs to IPv6 addresses only",
    ),
    (
        "2001:db8::10%bad;zone",
        "the zone after '%' must be an interface name or index",
    ),
    (
        "vpn.example.com/remote",
        "contains '/': give one server name or address",
    ),
    ("admin@vpn.example.com", "has a user name before '@'"),
    ("vpn example.com", "contains a space"),
    ("198.51.100.300", "is not a valid IPv4 address"),
    ("2001:db8::zz", "is not a valid IPv6 address"),
    (
        "vpn!.example.com",
        "is not a valid host name: '!' is not allowed",
    ),
    ("224.0.0.1", "is a multicast address"),
    ("  ", "the server argument is empty"),
];

#[test]
fn each_rejected_form_exits_2_with_one_specific_line() {
    for command in COMMANDS {
        for (arg, why) in REJECTED {
            let out = bin().args([command, arg]).output().unwrap();
            let err = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{command} {arg:?}: {err}");
            assert!(out.stdout.is_empty(), "{command} {arg:?}");
            assert_eq!(
                err.trim_end().lines().count(),
                1,
                "{command} {arg:?}: {err}"
            );
            assert!(
                err.contains(why),
                "{command} {arg:?}: want {why:?} in {err}"
            );
        }
    }
}

#[test]
fn a_long_bad_argument_is_never_echoed_whole() {
    let long = format!("https://vpn.example.com/{}", "A".repeat(10_000));
    for command in COMMANDS {
        let out = bin().args([*command, long.as_str()]).output().unwrap();
        assert_eq!(out.status.code(), Some(2));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.len() < 400, "{} bytes: {err}", err.len());
        assert!(!err.contains(&"A".repeat(81)), "{err}");
        assert!(err.contains("(10024 characters)"), "{err}");
    }
}

/// Spaces around, brackets and a zone on a non-link-local address are
/// accepted: the probe then runs against plain `::1` (loopback only).
#[test]
fn accepted_forms_reach_the_probe_in_plain_form() {
    for arg in [" ::1 ", "[::1]", "::1%1", "[::1%251]", "\t127.0.0.1\n"] {
        let out = bin()
            .args([
                "probe",
                arg,
                "--timeout",
                "0.1",
                "--retransmits",
                "0",
                "--no-frag-test",
                "--no-auth-test",
                "--json",
            ])
            .output()
            .unwrap();
        let code = out.status.code();
        // 0/1: checked; 3: this host has no IPv6 loopback (some containers).
        assert!(matches!(code, Some(0 | 1 | 3)), "{arg:?}: {out:?}");
        if code == Some(3) {
            continue;
        }
        let doc = cli::document(&out, "probe", &[]);
        let plain = arg.trim().trim_start_matches('[');
        let plain = plain.split(['%', ']']).next().unwrap();
        assert_eq!(doc["host"], plain, "{arg:?}");
        assert_eq!(doc["targets"][0]["address"], plain, "{arg:?}");
    }
}
