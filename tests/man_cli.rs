//! `aovpn-diag man`: prints the shipped pages, writes them all with --dir,
//! and `man` then finds them where README's install section says.

#[path = "support/cli.rs"]
mod cli;

use std::fs;
use std::path::Path;
#[cfg(unix)]
use std::process::Command;

use aovpn_diag::cli::PAGE_COMMANDS;
use aovpn_diag::generate::man_page_commands;

use cli::bin;

fn shipped(name: &str) -> Vec<u8> {
    fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("man").join(name)).unwrap()
}

#[test]
fn every_command_has_a_page_and_man_accepts_exactly_those() {
    assert_eq!(man_page_commands(), PAGE_COMMANDS);
}

#[test]
fn prints_the_top_page_or_one_commands_page() {
    let out = bin().arg("man").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stdout == shipped("aovpn-diag.1"));
    for c in PAGE_COMMANDS {
        let out = bin().args(["man", c]).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{c}");
        assert!(out.stdout == shipped(&format!("aovpn-diag-{c}.1")), "{c}");
    }
}

#[test]
fn usage_errors_exit_2() {
    for args in [
        &["man", "nope"][..],
        &["man", "help"],
        &["man", "pcap", "--dir", "x"],
    ] {
        let out = bin().args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?}");
    }
    let err = bin().args(["man", "nope"]).output().unwrap().stderr;
    assert!(String::from_utf8_lossy(&err).contains("pages exist for check, pcap"));
}

#[test]
fn dir_writes_every_page_and_lists_them() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("share/man/man1");
    let out = bin().arg("man").arg("--dir").arg(&dir).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.starts_with(&format!("wrote {} man pages to ", PAGE_COMMANDS.len() + 1)),
        "{text}"
    );
    assert!(text.contains("man -w aovpn-diag-pcap"), "{text}");
    for name in std::iter::once("aovpn-diag.1".to_owned())
        .chain(PAGE_COMMANDS.iter().map(|c| format!("aovpn-diag-{c}.1")))
    {
        assert!(
            fs::read(dir.join(&name)).unwrap() == shipped(&name),
            "{name}"
        );
        assert!(text.contains(&name), "{name} listed");
    }
    // --json: the files written, in the shared envelope.
    let again = tmp.path().join("json");
    let out = bin()
        .args(["man", "--json", "--dir"])
        .arg(&again)
        .output()
        .unwrap();
    let doc = cli::document(&out, "man", &[]);
    assert_eq!(
        doc["pages"].as_array().unwrap().len(),
        PAGE_COMMANDS.len() + 1
    );
}

#[cfg(unix)]
#[test]
fn dir_that_cannot_be_written_is_an_input_error() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("a-file");
    fs::write(&file, "").unwrap();
    let out = bin()
        .arg("man")
        .arg("--dir")
        .arg(file.join("man1"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("cannot create") && err.contains("choose a directory"),
        "{err}"
    );
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
}

/// man(1) from man-db searches `<prefix>/share/man` for each `<prefix>/bin`
/// on PATH: the install step README gives (`aovpn-diag man --dir
/// ~/.cargo/share/man/man1` after `cargo install`) makes `man
/// aovpn-diag-pcap` work. Required in CI (AOVPN_LAB set, man-db installed).
#[cfg(unix)]
#[test]
fn man_finds_the_installed_pages() {
    let have_man = Command::new("man").arg("-w").arg("man").output().is_ok();
    if !have_man {
        assert!(
            std::env::var_os("AOVPN_LAB").is_none(),
            "man is not installed, but AOVPN_LAB is set (CI installs man-db: .ci/run)"
        );
        eprintln!("man not installed: man_finds_the_installed_pages did not run");
        return;
    }
    let prefix = tempfile::tempdir().unwrap();
    fs::create_dir_all(prefix.path().join("bin")).unwrap();
    let man1 = prefix.path().join("share/man/man1");
    let out = bin().arg("man").arg("--dir").arg(&man1).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let path = format!(
        "{}:{}",
        prefix.path().join("bin").display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let man = |args: &[&str]| {
        Command::new("man")
            .args(args)
            .env_remove("MANPATH")
            .env("PATH", &path)
            .env("MANPAGER", "cat")
            .env("PAGER", "cat")
            .env("MANWIDTH", "100")
            .env("LANG", "C.UTF-8")
            .output()
            .unwrap()
    };
    let found = man(&["-w", "aovpn-diag-pcap"]);
    assert_eq!(
        String::from_utf8_lossy(&found.stdout).trim(),
        man1.join("aovpn-diag-pcap.1").display().to_string()
    );
    let page = man(&["aovpn-diag-pcap"]);
    let text = String::from_utf8_lossy(&page.stdout);
    for want in [
        "aovpn-diag pcap [OPTIONS] <FILE>...",
        "GLOBAL OPTIONS",
        "--color <WHEN>",
        "never",
        "EXIT STATUS",
        "a problem was found",
    ] {
        assert!(text.contains(want), "{want:?} in\n{text}");
    }
}

/// groff's own checks (-ww: all warnings) find nothing in any page.
#[cfg(unix)]
#[test]
fn pages_render_without_groff_warnings() {
    if Command::new("groff").arg("-v").output().is_err() {
        assert!(
            std::env::var_os("AOVPN_LAB").is_none(),
            "groff missing in CI"
        );
        return;
    }
    for (name, roff) in aovpn_diag::generate::man_pages() {
        let tmp = tempfile::NamedTempFile::new().unwrap();
        fs::write(tmp.path(), roff).unwrap();
        let out = Command::new("groff")
            .args(["-man", "-Tutf8", "-ww", "-z"])
            .arg(tmp.path())
            .output()
            .unwrap();
        assert!(
            out.status.success() && out.stderr.is_empty(),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
