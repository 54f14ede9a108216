//! The direction of flow, checked on the source: `report` presents facts and
//! never reaches into the code that gathers them; `diagnose` (facts and
//! findings) is pure and imports no I/O module. A `use` that breaks the
//! layering fails here with the file and line.

use std::fs;
use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Lines of `src/<layer>` (comments skipped) that name `crate::<module>`.
fn uses(layer: &str, forbidden: &[&str]) -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("src")
        .join(layer);
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    let mut hits = Vec::new();
    for file in files {
        let text = fs::read_to_string(&file).unwrap();
        for (n, line) in text.lines().enumerate() {
            let code = line.trim_start();
            if code.starts_with("//") {
                continue;
            }
            for module in forbidden {
                if code.contains(&format!("crate::{module}::"))
                    || code.contains(&format!("crate::{module};"))
                    || code.contains(&format!("crate::{module}}}"))
                {
                    hits.push(format!("{}:{}: {}", file.display(), n + 1, code));
                }
            }
        }
    }
    hits
}

#[test]
fn report_imports_no_probe_capture_resolver_or_runner() {
    let hits = uses("report", &["probe", "capture", "resolve", "check", "env"]);
    assert!(
        hits.is_empty(),
        "report reaches below the facts:\n{}",
        hits.join("\n")
    );
}

#[test]
fn diagnose_is_pure() {
    let hits = uses(
        "diagnose",
        &[
            "probe", "capture", "resolve", "check", "local", "report", "env", "cli",
        ],
    );
    assert!(
        hits.is_empty(),
        "diagnose imports I/O or presentation:\n{}",
        hits.join("\n")
    );
}

#[test]
fn wire_imports_nothing_of_the_crate_above_it() {
    let hits = uses(
        "wire",
        &[
            "probe", "capture", "analyse", "diagnose", "report", "check", "resolve", "local",
        ],
    );
    assert!(
        hits.is_empty(),
        "wire imports a higher layer:\n{}",
        hits.join("\n")
    );
}
