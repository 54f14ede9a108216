//! The shipped completion scripts, driven by the real shells: what a user
//! gets when pressing Tab after `aovpn-diag pcap --`, `probe --proposals `,
//! `completions `, and so on. bash is required (it is on every Linux CI
//! machine); zsh and fish are driven when installed and required when
//! `AOVPN_LAB` is set, as CI (`.ci/run`, which installs them) does.
#![cfg(unix)]

#[path = "support/cli.rs"]
mod cli;

use std::path::{Path, PathBuf};
use std::process::Command;

use aovpn_diag::generate::BIN;

fn completions_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("completions")
}

/// The words of a command line as the shell splits it; a trailing space
/// starts a new, empty word (the one being completed).
fn words(line: &str) -> Vec<String> {
    let mut w: Vec<String> = line.split_whitespace().map(str::to_owned).collect();
    if line.ends_with(' ') {
        w.push(String::new());
    }
    w
}

/// COMPREPLY after bash's programmable completion calls the function that
/// `script` registers for aovpn-diag, with COMP_WORDS/COMP_CWORD/COMP_LINE/
/// COMP_POINT set as bash sets them for `line` with the cursor at the end.
fn bash_complete(script: &Path, line: &str) -> Vec<String> {
    const DRIVER: &str = r#"
set -u
source "$1"; shift
spec=$(complete -p aovpn-diag) || exit 10
fn=${spec##*-F }; fn=${fn%% *}
COMP_WORDS=("$@")
COMP_CWORD=$(( $# - 1 ))
COMP_LINE=$LINE
COMP_POINT=${#COMP_LINE}
cur=${COMP_WORDS[COMP_CWORD]}
prev=${COMP_WORDS[COMP_CWORD-1]}
"$fn" aovpn-diag "$cur" "$prev" || true
printf '%s\n' "${COMPREPLY[@]}"
"#;
    let out = Command::new("bash")
        .args(["--norc", "--noprofile", "-c", DRIVER, "driver"])
        .arg(script)
        .args(words(line))
        .env("LINE", line)
        .output()
        .expect("bash runs");
    assert!(
        out.status.success(),
        "bash driver failed for {line:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.stderr.is_empty(),
        "bash printed errors for {line:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut v: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| l.trim().to_owned())
        .filter(|l| !l.is_empty())
        .collect();
    v.sort();
    v
}

fn sorted(v: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = v.iter().map(|s| (*s).to_owned()).collect();
    v.sort();
    v
}

/// Candidates every shell must offer: (line, exactly these) or (line, at
/// least these).
const EXACT: &[(&str, &[&str])] = &[
    (
        "aovpn-diag probe --proposals ",
        &["windows", "aovpn", "all"],
    ),
    ("aovpn-diag check --proposals w", &["windows"]),
    ("aovpn-diag completions f", &["fish"]),
    ("aovpn-diag man p", &["pcap", "probe", "profile"]),
    ("aovpn-diag mtu --ike --port ", &["500", "4500"]),
    ("aovpn-diag pcap --color ", &["auto", "always", "never"]),
    ("aovpn-diag --color ", &["auto", "always", "never"]),
];

const AT_LEAST: &[(&str, &[&str])] = &[
    (
        "aovpn-diag completions ",
        &["bash", "elvish", "fish", "powershell", "zsh"],
    ),
    (
        "aovpn-diag man ",
        &[
            "6to4",
            "check",
            "completions",
            "events",
            "man",
            "mtu",
            "pcap",
            "probe",
            "profile",
        ],
    ),
    (
        "aovpn-diag ",
        &[
            "check",
            "pcap",
            "probe",
            "mtu",
            "6to4",
            "profile",
            "events",
            "completions",
            "man",
        ],
    ),
    (
        "aovpn-diag pcap --",
        &[
            "--ike-port",
            "--frag-timeout",
            "--json",
            "--verbose",
            "--quiet",
            "--color",
            "--help",
        ],
    ),
    (
        "aovpn-diag probe --",
        &[
            "--proposals",
            "--frag-size",
            "--no-frag-test",
            "--no-auth-test",
            "--retransmits",
            "--timeout",
            "--ipv4",
            "--ipv6",
            "--json",
        ],
    ),
    (
        "aovpn-diag check --",
        &["--proposals", "--no-mtu", "--local-rras", "--json"],
    ),
    (
        "aovpn-diag mtu --",
        &["--min", "--max", "--tries", "--ike", "--port", "--progress"],
    ),
    ("aovpn-diag 6to4 --", &["--site", "--netlogon", "--json"]),
    ("aovpn-diag man --", &["--dir"]),
];

fn check_shell(name: &str, complete: impl Fn(&str) -> Vec<String>) {
    let mut wrong = Vec::new();
    for (line, want) in EXACT {
        let got = complete(line);
        if got != sorted(want) {
            wrong.push(format!("{line:?}: got {got:?}, want exactly {want:?}"));
        }
    }
    for (line, want) in AT_LEAST {
        let got = complete(line);
        let missing: Vec<&&str> = want
            .iter()
            .filter(|w| !got.iter().any(|g| g == *w))
            .collect();
        if !missing.is_empty() {
            wrong.push(format!("{line:?}: missing {missing:?} in {got:?}"));
        }
    }
    assert!(wrong.is_empty(), "{name} completion:\n{}", wrong.join("\n"));
}

#[test]
fn bash_completes_subcommand_options_and_values() {
    let script = completions_dir().join("aovpn-diag.bash");
    check_shell("bash", |line| bash_complete(&script, line));
}

/// The reason for `generate::fix_bash_case_labels`: clap_complete's own
/// script completes nothing below a subcommand of a hyphenated binary
/// (clap-rs/clap#6421). When this fails, clap_complete is fixed: drop the
/// workaround and this test.
#[test]
fn unpatched_clap_complete_script_still_needs_the_fix() {
    use clap::CommandFactory;
    let mut raw = Vec::new();
    clap_complete::generate(
        clap_complete::Shell::Bash,
        &mut aovpn_diag::cli::Cli::command(),
        BIN,
        &mut raw,
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("raw.bash");
    std::fs::write(&path, raw).unwrap();
    assert!(bash_complete(&path, "aovpn-diag ").contains(&"pcap".to_owned()));
    assert_eq!(
        bash_complete(&path, "aovpn-diag pcap --"),
        Vec::<String>::new(),
        "clap_complete's bash script now completes subcommand options by itself"
    );
}

#[test]
fn completions_command_prints_the_checked_in_scripts() {
    for (shell, file) in aovpn_diag::generate::COMPLETION_FILES {
        let out = cli::bin()
            .args(["completions", &shell.to_string()])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0));
        let shipped = std::fs::read(completions_dir().join(file)).unwrap();
        assert!(
            out.stdout == shipped,
            "completions {shell} differs from completions/{file}"
        );
    }
}

/// `true` when `shell` can be run; when it cannot, CI (AOVPN_LAB set)
/// fails and a developer run notes the skip.
fn have(shell: &str) -> bool {
    let found = Command::new(shell)
        .arg("-c")
        .arg("exit 0")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        assert!(
            std::env::var_os("AOVPN_LAB").is_none(),
            "{shell} is not installed, but AOVPN_LAB is set (CI installs it: .ci/run)"
        );
        eprintln!("{shell} not installed: its completion test did not run");
    }
    found
}

/// `complete -C` prints what fish would offer for a command line.
fn fish_complete(line: &str) -> Vec<String> {
    let script = completions_dir().join("aovpn-diag.fish");
    let out = Command::new("fish")
        .args(["--no-config", "-c"])
        .arg(r#"source $argv[1]; or exit 10; complete -C "$argv[2]""#)
        .arg(&script)
        .arg(line)
        .output()
        .expect("fish runs");
    assert!(
        out.status.success() && out.stderr.is_empty(),
        "fish failed for {line:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut v: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| l.split('\t').next().unwrap_or_default().to_owned())
        .filter(|l| !l.is_empty())
        .collect();
    v.sort();
    v.dedup();
    v
}

#[test]
fn fish_completes_subcommand_options_and_values() {
    if have("fish") {
        check_shell("fish", fish_complete);
    }
}

/// zsh completes only inside its line editor, so a child zsh runs on a
/// pseudo-terminal (zsh/zpty): it loads the completion with compinit, gets
/// the line typed and a key bound to `complete-word`, and a wrapper around
/// `compadd` prints every match offered, between `<<` and `>>` lines.
const ZSH_CHILD_SETUP: &str = r#"
PS1='' PROMPT='' RPROMPT=''
unsetopt zle_bracketed_paste 2>/dev/null
setopt no_beep
fpath=($COMPDIR $fpath)
autoload -Uz compinit && compinit -u -D
zstyle ':completion:*' menu no
compadd () {
  if [[ ${@[1,(i)(-|--)]} == *-(O|A|D)\ * ]]; then builtin compadd "$@"; return; fi
  local -a __h
  builtin compadd -A __h "$@"
  (( $#__h )) && print -r -l -- '' '<<' $__h '>>' >/dev/tty
  builtin compadd "$@"
}
comptest () { zle complete-word; print -n '<<DONE>>' >/dev/tty }
zle -N comptest
bindkey '^T' comptest
print '<<READY>>'
"#;

/// Runs the child (argv: completion dir, setup file, line); bounded to ~10 s.
const ZSH_DRIVER: &str = r#"
zmodload zsh/zpty || exit 10
zpty z env COMPDIR=$1 zsh -f -i
zpty -w z "source ${2:A}"
zpty -r z out '*<<READY>>*' || exit 11
zpty -n -w z "$3"$'\C-T'
all='' ; integer i=0
while (( i++ < 200 )); do
  if zpty -r -t z chunk; then all+=$chunk; [[ $all == *'<<DONE>>'* ]] && break; else sleep 0.05; fi
done
zpty -d z
print -r -- "$all"
[[ $all == *'<<DONE>>'* ]] || exit 12
"#;

fn zsh_complete(dir: &Path, line: &str) -> Vec<String> {
    let setup = dir.join("setup.zsh");
    let driver = dir.join("driver.zsh");
    std::fs::write(&setup, ZSH_CHILD_SETUP).unwrap();
    std::fs::write(&driver, ZSH_DRIVER).unwrap();
    let captured = dir.join("out.txt");
    let mut child = Command::new("zsh")
        .arg("-f")
        .arg(&driver)
        .arg(completions_dir())
        .arg(&setup)
        .arg(line)
        .stdout(std::fs::File::create(&captured).unwrap())
        .spawn()
        .expect("zsh runs");
    // The driver bounds its own wait for the completion; this bounds the
    // start-up (compinit) too, so a broken zsh fails instead of hanging.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("zsh driver for {line:?} did not finish in 60 s");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    let text = std::fs::read_to_string(&captured)
        .unwrap_or_default()
        .replace('\r', "");
    assert!(
        status.success(),
        "zsh driver for {line:?}: {status:?}\n{text}"
    );
    let mut v = Vec::new();
    let mut inside = false;
    for l in text.lines() {
        match l {
            "<<" => inside = true,
            ">>" => inside = false,
            _ if inside => v.push(l.to_owned()),
            _ => {}
        }
    }
    v.sort();
    v.dedup();
    v
}

#[test]
fn zsh_completes_subcommand_options_and_values() {
    if have("zsh") {
        let dir = tempfile::tempdir().unwrap();
        check_shell("zsh", |line| zsh_complete(dir.path(), line));
    }
}
