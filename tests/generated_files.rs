//! `man/` and `completions/` are generated from the clap definitions, and
//! README's finding-code table from the registry in src/finding.rs; all are
//! checked in. These tests fail when they are stale; regenerate with
//! `UPDATE_GENERATED=1 cargo test --test generated_files`.

use std::fs;
use std::path::{Path, PathBuf};

use aovpn_diag::generate::{COMPLETION_FILES, completion, man_pages, readme_with_finding_table};

fn expected_files() -> Vec<(PathBuf, Vec<u8>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<(PathBuf, Vec<u8>)> = man_pages()
        .into_iter()
        .map(|(name, text)| (root.join("man").join(name), text))
        .collect();
    for (shell, name) in COMPLETION_FILES {
        files.push((root.join("completions").join(name), completion(*shell)));
    }
    files
}

fn listed(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = fs::read_dir(dir)
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    v.sort();
    v
}

#[test]
fn man_pages_and_completions_are_current() {
    let files = expected_files();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    if std::env::var_os("UPDATE_GENERATED").is_some() {
        for dir in ["man", "completions"] {
            let _ = fs::remove_dir_all(root.join(dir));
            fs::create_dir_all(root.join(dir)).unwrap();
        }
        for (path, text) in &files {
            fs::write(path, text).unwrap();
        }
        return;
    }
    let mut stale = Vec::new();
    for (path, text) in &files {
        if fs::read(path).ok().as_deref() != Some(text.as_slice()) {
            stale.push(path.display().to_string());
        }
    }
    let mut wanted: Vec<PathBuf> = files.iter().map(|(p, _)| p.clone()).collect();
    wanted.sort();
    for dir in ["man", "completions"] {
        for path in listed(&root.join(dir)) {
            if !wanted.contains(&path) {
                stale.push(format!("{} (no longer generated)", path.display()));
            }
        }
    }
    assert!(
        stale.is_empty(),
        "stale generated files: {stale:?}\nrun: UPDATE_GENERATED=1 cargo test --test generated_files"
    );
}

#[test]
fn readme_finding_code_table_is_current() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md");
    let readme = fs::read_to_string(&path).unwrap();
    let current = readme_with_finding_table(&readme)
        .expect("README.md lacks the finding-codes markers (see generate::FINDING_TABLE_MARKERS)");
    if std::env::var_os("UPDATE_GENERATED").is_some() {
        fs::write(&path, current).unwrap();
        return;
    }
    assert!(
        readme == current,
        "README's finding-code table is stale\nrun: UPDATE_GENERATED=1 cargo test --test generated_files"
    );
}
