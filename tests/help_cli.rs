//! `--help` contracts: the -v levels are what the help says, and examples
//! that only work on Windows are marked so wherever the help is read.

#[path = "support/cli.rs"]
mod cli;

use clap::CommandFactory;

use aovpn_diag::cli::Cli;

use cli::{bin, command};

/// Text that only means something on Windows: PowerShell cmdlets, the
/// .exe name, drive paths, the local RRAS registry.
const WINDOWS_ONLY: &[&str] = &[
    "aovpn-diag.exe",
    "ConvertFrom-Json",
    "Get-Content",
    "Out-String",
    "Invoke-Expression",
    "$PROFILE",
    "C:\\",
    "--local-rras",
];

fn help(args: &[&str]) -> String {
    let out = bin().args(args).arg("--help").output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{args:?} --help");
    String::from_utf8(out.stdout).unwrap()
}

/// Every example line with Windows-only text sits in a block headed
/// "Windows only (...):" that runs to the next blank line.
fn unmarked_windows_lines(help: &str) -> Vec<String> {
    let Some(start) = help.find("Examples:") else {
        return vec!["no Examples: section".into()];
    };
    let mut in_windows_block = false;
    let mut bad = Vec::new();
    for line in help[start..].lines() {
        if line.trim().is_empty() {
            in_windows_block = false;
        } else if line.starts_with("Windows only (") && line.ends_with("):") {
            in_windows_block = true;
        } else if !in_windows_block && WINDOWS_ONLY.iter().any(|w| line.contains(w)) {
            bad.push(line.to_owned());
        }
    }
    bad
}

#[test]
fn windows_only_examples_are_marked() {
    let mut pages = vec![(String::new(), help(&[]))];
    for sub in Cli::command().get_subcommands() {
        let name = sub.get_name().to_owned();
        if name != "help" {
            pages.push((name.clone(), help(&[&name])));
        }
    }
    let mut marked = 0;
    for (name, text) in &pages {
        let bad = unmarked_windows_lines(text);
        assert!(
            bad.is_empty(),
            "aovpn-diag {name} --help: unmarked Windows lines {bad:#?}"
        );
        marked += text.matches("\nWindows only (").count();
    }
    // top level, check, probe, 6to4, profile, completions
    assert!(marked >= 6, "only {marked} Windows blocks");
    // The checker itself: an unmarked PowerShell line is caught.
    let sample = "Examples:\n  aovpn-diag x\n  aovpn-diag.exe x | ConvertFrom-Json\n";
    assert_eq!(unmarked_windows_lines(sample).len(), 1);
}

#[test]
fn verbose_is_one_level_and_repeats_are_refused() {
    for args in [
        &["-vv", "6to4", "198.51.100.83"][..],
        &["-v", "-v", "6to4", "198.51.100.83"],
        &["6to4", "--verbose", "-v", "198.51.100.83"],
        &[
            "pcap",
            "-vv",
            "fixtures/ike-frags-dropped-809-client.pcapng",
        ],
    ] {
        let out = command(args[0]).args(&args[1..]).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("'--verbose' cannot be used multiple times"),
            "{args:?}: {err}"
        );
        assert!(out.stdout.is_empty());
    }
    let text = help(&["pcap"]);
    assert!(text.contains("one level, -vv is refused"), "{text}");
    for command in [
        "pcap the message timeline",
        "probe the request",
        "mtu a",
        "6to4 every",
    ] {
        assert!(
            text.contains(command),
            "--help names what -v adds for {command}"
        );
    }
}

/// What the help promises for pcap: -v adds the message timeline, and
/// --json is the same either way.
#[test]
fn verbose_does_what_the_help_says() {
    let file = "fixtures/ike-frags-dropped-809-client.pcapng";
    let plain = command("pcap").arg(file).output().unwrap();
    let verbose = command("pcap").args(["-v", file]).output().unwrap();
    assert_eq!(plain.status.code(), verbose.status.code());
    let (p, v) = (
        String::from_utf8_lossy(&plain.stdout),
        String::from_utf8_lossy(&verbose.stdout),
    );
    assert!(
        v.contains("IKE_SA_INIT req") && !p.contains("IKE_SA_INIT req"),
        "{v}"
    );
    let json = command("pcap").args(["--json", file]).output().unwrap();
    let json_v = command("pcap")
        .args(["--json", "-v", file])
        .output()
        .unwrap();
    assert_eq!(json.stdout, json_v.stdout);
}
