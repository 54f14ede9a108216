//! Man pages and shell completions rendered from the clap definitions, so the
//! checked-in `man/` and `completions/` can never drift from `--help`.

#![forbid(unsafe_code)]

mod man;

use clap::CommandFactory;
use clap_complete::Shell;

use crate::cli::Cli;

pub use man::{man_page_commands, man_pages};

/// Shells we ship completion files for, with the file name each expects.
pub const COMPLETION_FILES: &[(Shell, &str)] = &[
    (Shell::Bash, "aovpn-diag.bash"),
    (Shell::Zsh, "_aovpn-diag"),
    (Shell::Fish, "aovpn-diag.fish"),
    (Shell::PowerShell, "_aovpn-diag.ps1"),
    (Shell::Elvish, "aovpn-diag.elv"),
];

/// The program name completions and man pages are written for.
pub const BIN: &str = "aovpn-diag";

/// The completion script for one shell.
pub fn completion(shell: Shell) -> Vec<u8> {
    let mut cmd = Cli::command();
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut cmd, BIN, &mut buf);
    match shell {
        Shell::Bash => fix_bash_case_labels(&String::from_utf8_lossy(&buf), BIN).into_bytes(),
        Shell::Fish => fix_fish(&String::from_utf8_lossy(&buf), &cmd, BIN).into_bytes(),
        _ => buf,
    }
}

/// clap_complete 4.6's fish script (up to 4.6.12) has two gaps:
/// - it completes no positional values ("the fish generator currently only
///   supports named options"), so `aovpn-diag completions <Tab>` offered
///   files: one `complete` line per positional value is appended;
/// - the value of a top-level option (`aovpn-diag --color <Tab>`) never
///   completes: its condition parses the words typed so far with argparse,
///   which fails while the option still lacks its value. The condition now
///   retries without the last word.
///
/// tests/completions.rs drives fish over both.
pub fn fix_fish(script: &str, cmd: &clap::Command, bin: &str) -> String {
    let fn_prefix = format!("__fish_{}", bin.replace('-', "_"));
    let parse = format!("    argparse -s ({fn_prefix}_global_optspecs) -- $cmd 2>/dev/null\n");
    let retry = format!(
        "{parse}    or argparse -s ({fn_prefix}_global_optspecs) -- $cmd[1..-2] 2>/dev/null\n"
    );
    let mut out = script.replacen(
        &format!("{parse}    or return\n"),
        &format!("{retry}    or return\n"),
        1,
    );
    let mut lines = Vec::new();
    for sub in cmd.get_subcommands() {
        for arg in sub.get_positionals() {
            for value in arg
                .get_possible_values()
                .iter()
                .filter(|v| !v.is_hide_set())
            {
                let help = value.get_help().map(|h| h.to_string()).unwrap_or_default();
                let mut line = format!(
                    "complete -c {bin} -n \"{fn_prefix}_using_subcommand {}\" -f -a {}",
                    sub.get_name(),
                    fish_quote(value.get_name()),
                );
                if !help.is_empty() {
                    line.push_str(&format!(" -d {}", fish_quote(&help)));
                }
                lines.push(line);
            }
        }
    }
    if !lines.is_empty() {
        out.push_str("\n# Positional values (added by aovpn-diag's generate::fix_fish)\n");
        out.push_str(&lines.join("\n"));
        out.push('\n');
    }
    out
}

/// A fish single-quoted string: only `\` and `'` are special inside.
fn fish_quote(s: &str) -> String {
    format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'"))
}

/// clap_complete 4.6 (up to 4.6.12, clap-rs/clap#6421) names the state of a
/// subcommand `aovpn__diag__subcmd__pcap` when it walks the words, but labels
/// the branch that completes it `aovpn__subcmd__diag__subcmd__pcap` (it
/// turns the binary name's hyphen into the subcommand separator), so for a
/// hyphenated binary nothing below a subcommand ever completes. Relabel
/// those branches the way the walk spells them; a no-op once clap_complete
/// is fixed (tests/completions.rs drives the script either way).
pub fn fix_bash_case_labels(script: &str, bin: &str) -> String {
    let wrong = format!("{}__subcmd__", bin.replace('-', "__subcmd__"));
    let right = format!("{}__subcmd__", bin.replace('-', "__"));
    script
        .split_inclusive('\n')
        .map(|line| {
            let label = line.trim_start();
            match label.strip_prefix(&wrong) {
                Some(rest) if rest.trim_end().ends_with(')') => {
                    format!("{}{right}{rest}", &line[..line.len() - label.len()])
                }
                _ => line.to_owned(),
            }
        })
        .collect()
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
const TABLE_GROUPS: &[&str] = &[
    "check", "probe", "mtu", "lb", "pcap", "capture", "events", "profile", "6to4",
];

/// README's finding-code table, rendered from the registry in
/// [`crate::finding`]: grouped by command, worst first.
pub fn finding_code_table() -> String {
    use crate::finding::Code;
    let group = |c: &Code| {
        let base = c
            .info()
            .command
            .split([' ', ','])
            .next()
            .unwrap_or_default();
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
            .map(crate::events::errors::display_code)
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

/// Where README's error-code table starts and ends.
pub const ERROR_TABLE_MARKERS: (&str, &str) = (
    "<!-- error-codes: generated from src/exit.rs, do not edit -->",
    "<!-- end error-codes -->",
);

/// README's error-code table, rendered from the registry in
/// [`crate::exit`], in registry order (exit 2 first, then 3).
pub fn error_code_table() -> String {
    let mut out = String::from("| `error.code` | exit | when | what to do |\n|---|---|---|---|\n");
    for c in crate::exit::ErrorCode::ALL {
        let i = c.info();
        out.push_str(&format!(
            "| `{}` | {} | {} | {} |\n",
            i.code,
            i.exit.code(),
            i.meaning.replace('|', "\\|"),
            i.hint.replace('|', "\\|")
        ));
    }
    out
}

/// `readme` with the text between [`ERROR_TABLE_MARKERS`] replaced by the
/// current [`error_code_table`]; `None` when the markers are missing.
pub fn readme_with_error_table(readme: &str) -> Option<String> {
    let (start, end) = ERROR_TABLE_MARKERS;
    let a = readme.find(start)? + start.len();
    let b = a + readme.get(a..)?.find(end)?;
    Some(format!(
        "{}\n{}{}",
        readme.get(..a)?,
        error_code_table(),
        readme.get(b..)?
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    const CLAP_BASH: &str = "    case \"${cmd}\" in
        my__app)
            opts=\"-h thunder\"
            ;;
        my__subcmd__app__subcmd__thunder)
            opts=\"--lightning\"
            ;;
    esac
";

    #[test]
    fn bash_labels_are_spelled_as_the_word_walk_spells_them() {
        let fixed = fix_bash_case_labels(CLAP_BASH, "my-app");
        assert!(
            fixed.contains("\n        my__app__subcmd__thunder)\n"),
            "{fixed}"
        );
        assert!(!fixed.contains("my__subcmd__app"), "{fixed}");
        assert!(fixed.contains("\n        my__app)\n"));
        // Without a hyphen there is nothing to relabel.
        assert_eq!(fix_bash_case_labels(CLAP_BASH, "myapp"), CLAP_BASH);
        // Our own script: no branch left under the wrong name.
        let ours = String::from_utf8(completion(Shell::Bash)).unwrap();
        assert!(ours.contains("aovpn__diag__subcmd__pcap)"));
        assert!(!ours.contains("aovpn__subcmd__diag"));
    }

    #[test]
    fn fish_gets_positional_values_and_the_argparse_retry() {
        let ours = String::from_utf8(completion(Shell::Fish)).unwrap();
        assert!(
            ours.contains("-- $cmd[1..-2] 2>/dev/null\n    or return\n"),
            "{ours}"
        );
        assert!(ours.contains(
            "complete -c aovpn-diag -n \"__fish_aovpn_diag_using_subcommand completions\" -f -a 'zsh'\n"
        ));
        assert!(ours.contains("-f -a 'pcap' -d 'aovpn-diag-pcap(1)'"));
        assert_eq!(fish_quote(r"it's a\b"), r"'it\'s a\\b'");
    }
}
