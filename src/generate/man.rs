//! Man pages: `aovpn-diag.1` and one `aovpn-diag-<command>.1` per command
//! (the git convention: the page of `aovpn-diag pcap` is found as
//! `man aovpn-diag-pcap`, its SYNOPSIS reads `aovpn-diag pcap ...`).
//!
//! clap_mangen renders the title, NAME, SYNOPSIS, DESCRIPTION and OPTIONS
//! (with the possible values of every option); this module feeds it the
//! command as a user types it and adds the sections clap_mangen has no notion
//! of: GLOBAL OPTIONS on every command's page, COMMANDS, EXAMPLES (the
//! `--help` examples, layout kept), EXIT STATUS and SEE ALSO.

use clap::{Command, CommandFactory};
use clap_mangen::Man;
use clap_mangen::roff::{Roff, bold, roman};

use super::BIN;
use crate::cli::Cli;
use crate::exit::Exit;

/// The heading the global options get on each command's page.
const GLOBAL_HEADING: &str = "Global options";

/// Where `--help` text ends and the exit-code table (rendered on its own as
/// EXIT STATUS) begins.
const EXIT_CODES_START: &str = "Exit codes (every command):";

/// `(file name, roff)` for `aovpn-diag.1` and one page per visible command,
/// in `--help` order.
pub fn man_pages() -> Vec<(String, Vec<u8>)> {
    let mut top = Cli::command();
    // Propagates the global options (--json, -v, -q, --color) and the
    // version into every subcommand, and sets their bin names.
    top.build();
    let mut pages = vec![(format!("{BIN}.1"), page(&top, None))];
    for sub in top.get_subcommands().filter(|s| !s.is_hide_set()) {
        if sub.get_name() == "help" {
            continue;
        }
        pages.push((format!("{BIN}-{}.1", sub.get_name()), page(sub, Some(&top))));
    }
    pages
}

/// The commands that have their own page, in `--help` order: the values
/// `aovpn-diag man COMMAND` takes.
pub fn man_page_commands() -> Vec<String> {
    let mut top = Cli::command();
    top.build();
    top.get_subcommands()
        .filter(|s| !s.is_hide_set() && s.get_name() != "help")
        .map(|s| s.get_name().to_owned())
        .collect()
}

/// One page: `top` itself (`parent` None) or one of its commands.
fn page(cmd: &Command, parent: Option<&Command>) -> Vec<u8> {
    let version = parent.unwrap_or(cmd).get_version().unwrap_or_default();
    let shown = match parent {
        None => for_page(cmd.clone(), BIN, None),
        Some(_) => {
            let page_name = format!("{BIN}-{}", cmd.get_name());
            for_page(cmd.clone(), &page_name, Some(cmd.get_name()))
        }
    };
    let page_name = shown.get_display_name().unwrap_or(BIN).to_owned();
    let man = Man::new(shown);
    // Every clap_mangen section starts with the same roff preamble (the
    // apostrophe string); keep it once, before our own .TH line (clap_mangen
    // leaves an empty date argument unquoted, which shifts the others).
    let preamble = Roff::default().render();
    let mut out = preamble.clone().into_bytes();
    out.extend_from_slice(
        format!(
            ".TH {} 1 \"\" \"{BIN} {version}\"\n",
            page_name.to_uppercase()
        )
        .as_bytes(),
    );
    type Section = fn(&Man, &mut dyn std::io::Write) -> std::io::Result<()>;
    let sections: [Section; 4] = [
        Man::render_name_section,
        Man::render_synopsis_section,
        Man::render_description_section,
        Man::render_options_section,
    ];
    for render in sections {
        let mut section = Vec::new();
        render(&man, &mut section).expect("rendering into a Vec cannot fail");
        out.extend_from_slice(
            section
                .strip_prefix(preamble.as_bytes())
                .unwrap_or(&section),
        );
    }
    let mut roff = Roff::default();
    if parent.is_none() {
        commands_section(&mut roff, cmd);
    }
    examples_section(&mut roff, cmd);
    exit_status_section(&mut roff);
    see_also_section(&mut roff, cmd, parent);
    let own = roff.render();
    out.extend_from_slice(own.strip_prefix(&preamble).unwrap_or(&own).as_bytes());
    out
}

/// `cmd` prepared for clap_mangen: the page name as display name, the
/// command line (`aovpn-diag pcap [OPTIONS] <FILE>...`) as synopsis, the
/// NAME line saying which command the page is about, global options under
/// their own heading.
fn for_page(cmd: Command, page_name: &str, sub: Option<&str>) -> Command {
    let usage = cmd.clone().render_usage().to_string();
    let usage = usage.trim().trim_start_matches("Usage:").trim().to_owned();
    let about = cmd.get_about().map(|a| a.to_string()).unwrap_or_default();
    let long_about = cmd
        .get_long_about()
        .map(|a| a.to_string())
        .unwrap_or_else(|| about.clone());
    let mut cmd = cmd
        .display_name(page_name.to_owned())
        .override_usage(usage)
        .long_about(long_about);
    if let Some(sub) = sub {
        cmd = cmd.about(format!("{BIN} {sub}: {}", lowercase_first(&about)));
        let globals: Vec<String> = cmd
            .get_arguments()
            .filter(|a| a.is_global_set())
            .map(|a| a.get_id().to_string())
            .collect();
        for id in globals {
            cmd = cmd.mut_arg(id, |a| a.help_heading(GLOBAL_HEADING));
        }
    }
    cmd
}

fn lowercase_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        // "IKEv2 ..." stays as it is; "Find why ..." becomes "find why ...".
        Some(first) if c.clone().next().is_some_and(char::is_lowercase) => {
            first.to_lowercase().chain(c).collect()
        }
        _ => s.to_owned(),
    }
}

/// The top page's list of commands, each with the page that documents it.
fn commands_section(roff: &mut Roff, top: &Command) {
    roff.control("SH", ["COMMANDS"]);
    for sub in top.get_subcommands().filter(|s| !s.is_hide_set()) {
        let name = sub.get_name();
        roff.control("TP", []);
        roff.text([bold(format!("{BIN} {name}"))]);
        let about = sub.get_about().map(|a| a.to_string()).unwrap_or_default();
        if name == "help" {
            roff.text([roman(about)]);
        } else {
            let stop = if about.ends_with(['.', '?', '!']) {
                ""
            } else {
                "."
            };
            roff.text([roman(format!("{about}{stop} See {BIN}-{name}(1)."))]);
        }
    }
}

/// The `--help` examples and notes, without the exit codes, line by line as
/// `--help` prints them.
fn examples_section(roff: &mut Roff, cmd: &Command) {
    let text = cmd
        .get_after_long_help()
        .or_else(|| cmd.get_after_help())
        .map(|t| t.to_string())
        .unwrap_or_default();
    let text = text
        .split(EXIT_CODES_START)
        .next()
        .unwrap_or_default()
        .trim_end();
    let text = text.strip_prefix("Examples:").unwrap_or(text);
    let text = text.trim_start_matches('\n');
    if text.trim().is_empty() {
        return;
    }
    roff.control("SH", ["EXAMPLES"]);
    roff.control("nf", []);
    for line in text.lines() {
        roff.text([roman(line)]);
    }
    roff.control("fi", []);
}

/// The exit-code contract, from [`Exit`].
fn exit_status_section(roff: &mut Roff) {
    roff.control("SH", ["EXIT STATUS"]);
    for (exit, meaning) in [
        (
            Exit::Ok,
            "checked, no problem found (warnings may have been printed)",
        ),
        (
            Exit::Problem,
            "checked, a problem was found (at least one fail finding)",
        ),
        (
            Exit::Input,
            "usage or input error: bad argument, unreadable file, bad address, unknown host",
        ),
        (
            Exit::CannotRun,
            "could not run the check: no permission for raw sockets, no route, interface down, DNS unreachable",
        ),
    ] {
        roff.control("TP", []);
        roff.text([bold(exit.code().to_string())]);
        roff.text([roman(meaning)]);
    }
}

fn see_also_section(roff: &mut Roff, cmd: &Command, parent: Option<&Command>) {
    roff.control("SH", ["SEE ALSO"]);
    let pages: Vec<String> = match parent {
        None => cmd
            .get_subcommands()
            .filter(|s| !s.is_hide_set() && s.get_name() != "help")
            .map(|s| format!("{BIN}-{}(1)", s.get_name()))
            .collect(),
        Some(_) => vec![format!("{BIN}(1)")],
    };
    roff.text([roman(format!(
        "{}; README.md of the aovpn-diag source for the finding codes and JSON fields.",
        pages.join(", ")
    ))]);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page_text(name: &str) -> String {
        let pages = man_pages();
        let (_, roff) = pages
            .iter()
            .find(|(n, _)| n == name)
            .unwrap_or_else(|| panic!("no page {name}"));
        String::from_utf8(roff.clone()).unwrap()
    }

    /// The roff between `.SH heading` and the next `.SH`.
    fn section(page: &str, heading: &str) -> String {
        let start = page
            .find(&format!(".SH {heading}\n"))
            .or_else(|| page.find(&format!(".SH \"{heading}\"\n")))
            .unwrap_or_else(|| panic!("no section {heading} in\n{page}"));
        let rest = &page[start..];
        let end = rest[1..].find("\n.SH ").map_or(rest.len(), |e| e + 2);
        rest[..end].to_owned()
    }

    #[test]
    fn one_page_per_command_named_like_git_pages() {
        let names: Vec<String> = man_pages().into_iter().map(|(n, _)| n).collect();
        let mut want = vec!["aovpn-diag.1".to_owned()];
        want.extend(
            man_page_commands()
                .iter()
                .map(|c| format!("aovpn-diag-{c}.1")),
        );
        assert_eq!(names, want);
        for c in [
            "check",
            "pcap",
            "probe",
            "mtu",
            "6to4",
            "profile",
            "completions",
            "man",
        ] {
            assert!(man_page_commands().iter().any(|m| m == c), "{c}");
        }
    }

    #[test]
    fn command_pages_name_the_command_as_typed() {
        let p = page_text("aovpn-diag-pcap.1");
        assert!(
            p.contains("\n.TH AOVPN-DIAG-PCAP 1 \"\" \"aovpn-diag "),
            "{p}"
        );
        assert_eq!(p.matches(".ds Aq \\(aq").count(), 1, "one preamble:\n{p}");
        let name = section(&p, "NAME");
        assert!(
            name.contains("aovpn\\-diag\\-pcap \\- aovpn\\-diag pcap: find why"),
            "{name}"
        );
        let synopsis = section(&p, "SYNOPSIS");
        assert!(
            synopsis.contains("\\fBaovpn\\-diag pcap\\fR [OPTIONS] <FILE>..."),
            "{synopsis}"
        );
        assert!(!synopsis.contains("aovpn\\-diag\\-pcap"), "{synopsis}");
    }

    #[test]
    fn command_pages_list_global_options_and_values() {
        for name in [
            "aovpn-diag-pcap.1",
            "aovpn-diag-probe.1",
            "aovpn-diag-man.1",
        ] {
            let p = page_text(name);
            let globals = section(&p, "GLOBAL OPTIONS");
            for opt in [
                "\\-\\-json",
                "\\-v\\fR, \\fB\\-\\-verbose",
                "\\-q\\fR, \\fB\\-\\-quiet",
                "\\-\\-color",
            ] {
                assert!(globals.contains(opt), "{name}: {opt} in\n{globals}");
            }
            assert!(globals.contains("auto: Colour when"), "{globals}");
            assert!(globals.contains("always") && globals.contains("never"));
            let own = section(&p, "OPTIONS");
            assert!(!own.contains("\\-\\-json"), "{name}: globals twice\n{own}");
        }
        let completions = page_text("aovpn-diag-completions.1");
        let own = section(&completions, "OPTIONS");
        for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
            assert!(own.contains(shell), "{shell} in\n{own}");
        }
        let mtu = section(&page_text("aovpn-diag-mtu.1"), "OPTIONS");
        assert!(mtu.contains("4500: NAT traversal"), "{mtu}");
    }

    #[test]
    fn pages_have_examples_exit_status_and_see_also() {
        for (name, roff) in man_pages() {
            let p = String::from_utf8(roff).unwrap();
            let exit = section(&p, "\"EXIT STATUS\"");
            for code in ["0", "1", "2", "3"] {
                assert!(
                    exit.contains(&format!(".TP\n\\fB{code}\\fR\n")),
                    "{name}: {code}"
                );
            }
            assert!(exit.contains("a problem was found"), "{name}");
            assert!(
                !p.contains("Exit codes (every command)"),
                "{name}: exit codes twice"
            );
            assert!(section(&p, "EXAMPLES").contains(".nf\n"), "{name}");
            assert!(p.contains(".SH \"SEE ALSO\""), "{name}");
            assert!(!p.contains(".SH EXTRA"), "{name}");
        }
        let top = page_text("aovpn-diag.1");
        let commands = section(&top, "COMMANDS");
        assert!(commands.contains("\\fBaovpn\\-diag pcap\\fR"), "{commands}");
        assert!(
            commands.contains("See aovpn\\-diag\\-pcap(1)."),
            "{commands}"
        );
        assert!(!commands.contains("aovpn\\-diag\\-help(1)"), "{commands}");
    }

    #[test]
    fn lowercase_first_keeps_acronyms() {
        assert_eq!(lowercase_first("Find why"), "find why");
        assert_eq!(lowercase_first("IKEv2 ..."), "IKEv2 ...");
        assert_eq!(lowercase_first(""), "");
    }
}
