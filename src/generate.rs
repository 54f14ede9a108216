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
