//! Man pages and shell completions rendered from the clap definitions, so the
//! checked-in `man/` and `completions/` can never drift from `--help`.

#![forbid(unsafe_code)]

use clap::CommandFactory;
use clap_complete::Shell;

use crate::cli::Cli;

/// Shells we ship completion files for, with the file name each expects.
pub const COMPLETION_FILES: &[(Shell, &str)] = &[
    (Shell::Bash, "aovpn-diag.bash"),
    (Shell::Zsh, "_aovpn-diag"),
    (Shell::Fish, "aovpn-diag.fish"),
    (Shell::PowerShell, "_aovpn-diag.ps1"),
    (Shell::Elvish, "aovpn-diag.elv"),
];

/// The completion script for one shell.
pub fn completion(shell: Shell) -> Vec<u8> {
    let mut cmd = Cli::command();
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut cmd, "aovpn-diag", &mut buf);
    buf
}

/// `(file name, roff text)` for `aovpn-diag.1` and one page per subcommand
/// (`aovpn-diag-6to4.1`, ...).
pub fn man_pages() -> Vec<(String, Vec<u8>)> {
    let cmd = Cli::command();
    let mut pages = Vec::new();
    let mut buf = Vec::new();
    clap_mangen::Man::new(cmd.clone())
        .render(&mut buf)
        .expect("rendering into a Vec cannot fail");
    pages.push(("aovpn-diag.1".to_owned(), buf));
    for sub in cmd.get_subcommands() {
        if sub.is_hide_set() {
            continue;
        }
        let name = format!("aovpn-diag-{}", sub.get_name());
        let sub = sub
            .clone()
            .name(name.clone())
            .version(cmd.get_version().unwrap_or_default().to_owned());
        let mut buf = Vec::new();
        clap_mangen::Man::new(sub)
            .render(&mut buf)
            .expect("rendering into a Vec cannot fail");
        pages.push((format!("{name}.1"), buf));
    }
    pages
}

/// Where README's finding-code table starts and ends; the lines between are
/// [`finding_code_table`].
pub const FINDING_TABLE_MARKERS: (&str, &str) = (
    "<!-- finding-codes: generated from src/finding.rs, do not edit -->",
    "<!-- end finding-codes -->",
);

/// Commands in the order README's finding-code table groups them (`check`
/// first: it reports the `probe` and `mtu` codes too). Commands not listed
/// follow in registry order.
const TABLE_GROUPS: &[&str] = &["check", "probe", "mtu", "pcap", "profile", "6to4"];

/// README's finding-code table, rendered from the registry in
/// [`crate::finding`]: grouped by command, worst first.
pub fn finding_code_table() -> String {
    use crate::finding::Code;
    let group = |c: &Code| {
        let base = c.info().command.split(' ').next().unwrap_or_default();
        let base = if base == "probe" { "check" } else { base };
        TABLE_GROUPS
            .iter()
            .position(|g| *g == base)
            .unwrap_or(TABLE_GROUPS.len())
    };
    let mut rows: Vec<(usize, &Code)> = Code::ALL.iter().enumerate().collect();
    rows.sort_by_key(|(i, c)| {
        (
            group(c),
            std::cmp::Reverse(c.info().severity),
            c.info().rank.unwrap_or(u16::MAX),
            *i,
        )
    });
    let mut out = String::from(
        "| code | severity | Windows error | `check` step | meaning |\n|---|---|---|---|---|\n",
    );
    for (_, c) in rows {
        let info = c.info();
        let severity = match info.also {
            Some(also) => format!("{} ({also})", info.severity.as_str()),
            None => info.severity.as_str().to_owned(),
        };
        let win = info
            .windows_error
            .map(|e| e.to_string())
            .unwrap_or_default();
        let step = info.step.map(|s| format!("`{s}`")).unwrap_or_default();
        out.push_str(&format!(
            "| `{}` | {severity} | {win} | {step} | `{}`: {} |\n",
            info.code, info.command, info.meaning
        ));
    }
    out
}

/// `readme` with the text between [`FINDING_TABLE_MARKERS`] replaced by the
/// current [`finding_code_table`]; `None` when the markers are missing.
pub fn readme_with_finding_table(readme: &str) -> Option<String> {
    let (start, end) = FINDING_TABLE_MARKERS;
    let a = readme.find(start)? + start.len();
    let b = a + readme.get(a..)?.find(end)?;
    Some(format!(
        "{}\n{}{}",
        readme.get(..a)?,
        finding_code_table(),
        readme.get(b..)?
    ))
}
