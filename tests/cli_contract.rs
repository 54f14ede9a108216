//! Contracts every command shares: help with real examples and the exit-code
//! table, `--version`, usage errors exit 2, finding codes documented.

#[path = "support/cli.rs"]
mod cli;

use clap::CommandFactory;
use predicates::prelude::*;

use aovpn_diag::cli::Cli;

use cli::bin;

#[test]
fn every_subcommand_help_has_examples() {
    for sub in Cli::command().get_subcommands() {
        let name = sub.get_name().to_owned();
        bin()
            .args([name.as_str(), "--help"])
            .assert()
            .success()
            .stdout(
                predicate::str::contains("Examples:").and(predicate::str::contains(
                    format!("aovpn-diag {name}").as_str(),
                )),
            );
    }
}

#[test]
fn top_level_help_lists_exit_codes() {
    bin().arg("--help").assert().success().stdout(
        predicate::str::contains("Exit codes")
            .and(predicate::str::contains("3  could not run the check")),
    );
}

#[test]
fn version_prints_the_package_version() {
    bin()
        .arg("--version")
        .assert()
        .success()
        .stdout(predicate::str::contains(env!("CARGO_PKG_VERSION")));
}

#[test]
fn usage_errors_exit_2() {
    bin().arg("no-such-command").assert().code(2);
    bin()
        .args(["--color", "sometimes", "6to4", "198.51.100.83"])
        .assert()
        .code(2);
}

#[test]
fn readme_documents_every_finding_code() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let missing: Vec<&str> = aovpn_diag::Code::ALL
        .iter()
        .map(|c| c.as_str())
        .filter(|c| !readme.contains(&format!("| `{c}` |")))
        .collect();
    assert!(
        missing.is_empty(),
        "README finding-code table lacks: {missing:?}"
    );
}

/// `aovpn-diag ... | head` closes stdout early: that is not an error, so no
/// message and exit 0 (EPIPE on Linux, ERROR_NO_DATA on Windows).
#[test]
fn closed_stdout_is_not_an_error() {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_aovpn-diag"))
        .args(["completions", "powershell"])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.is_empty(), "{stderr}");
    assert_eq!(out.status.code(), Some(0));
}
