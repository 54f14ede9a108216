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
