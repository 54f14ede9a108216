//! Running the built binary from integration tests, and reading its JSON
//! document. Include it with `#[path = "support/cli.rs"] mod cli;`.
//!
//! One place for these so every test runs the binary the same way (by path,
//! see `bin`) and checks the same envelope (`schema_version`, `command`).

// Each test crate uses only some of these.
#![allow(dead_code)]

use std::process::Output;

use assert_cmd::Command;
use serde_json::Value;

/// The binary by path: `Command::cargo_bin` would prepend the cross runner
/// (wine) again when the tests themselves already run under Wine.
pub fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_aovpn-diag"))
}

/// `aovpn-diag --color never <command>` run from the crate root (so fixture
/// paths are relative to it) with `NO_COLOR` removed, so that the output
/// does not depend on the caller's environment.
pub fn command(command: &str) -> Command {
    let mut cmd = bin();
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("NO_COLOR")
        .args(["--color", "never", command]);
    cmd
}

/// The one JSON document `command` printed on stdout (run with `args`),
/// after checking its envelope.
pub fn document(out: &Output, command: &str, args: &[&str]) -> Value {
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "one JSON document on stdout for {command} {args:?}: {e}\nstderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    assert_eq!(doc["schema_version"], aovpn_diag::report::SCHEMA_VERSION);
    assert_eq!(doc["command"], command);
    doc
}

/// Runs `command --json args` (see `command`): the document and the exit code.
pub fn json(command_name: &str, args: &[&str]) -> (Value, i32) {
    let out = command(command_name)
        .arg("--json")
        .args(args)
        .output()
        .unwrap();
    let doc = document(&out, command_name, args);
    (doc, out.status.code().unwrap())
}

/// The findings of a document as (code, severity) pairs, in order.
pub fn codes(doc: &Value) -> Vec<(String, String)> {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_owned(),
                f["severity"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// The findings' codes, in order.
pub fn code_names(doc: &Value) -> Vec<&str> {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect()
}

/// The first finding with `code`; panics with the findings when there is none.
pub fn finding<'a>(doc: &'a Value, code: &str) -> &'a Value {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == code)
        .unwrap_or_else(|| panic!("no {code} in {:#}", doc["findings"]))
}

/// Whether the document has the finding `code` with `severity`.
pub fn has(doc: &Value, code: &str, severity: &str) -> bool {
    codes(doc).contains(&(code.to_owned(), severity.to_owned()))
}
