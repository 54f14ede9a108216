//! The hosts file, read as the OS resolvers read it: one entry per line, an
//! IP address then the canonical name and aliases, separated by spaces or
//! tabs, `#` to the end of the line a comment (hosts(5); Windows'
//! `%SystemRoot%\System32\drivers\etc\hosts` has the same format). Names
//! match without regard to case and to a trailing dot; a name listed on
//! several lines gives all their addresses, in file order. PURE: the file
//! is read by the [`Resolver`](super::Resolver).

use std::net::IpAddr;

/// A hosts file as read from disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostsFile {
    /// Where it was read from, for messages and findings.
    pub path: String,
    pub text: String,
}

impl HostsFile {
    /// Every address listed for `name`, in file order, without repeats.
    /// Lines that are not `ADDRESS NAME...` (a bad address, no name) are
    /// skipped, as the OS resolvers skip them. An IPv6 address may carry a
    /// zone (`fe80::1%eth0`); the zone is dropped.
    pub fn lookup(&self, name: &str) -> Vec<IpAddr> {
        let want = name.strip_suffix('.').unwrap_or(name);
        let mut out: Vec<IpAddr> = Vec::new();
        for line in self.text.lines() {
            let line = line.split('#').next().unwrap_or_default();
            let mut fields = line.split_ascii_whitespace();
            let Some(address) = fields.next().and_then(parse_address) else {
                continue;
            };
            let listed =
                fields.any(|n| n.strip_suffix('.').unwrap_or(n).eq_ignore_ascii_case(want));
            if listed && !out.contains(&address) {
                out.push(address);
            }
        }
        out
    }
}

fn parse_address(field: &str) -> Option<IpAddr> {
    let without_zone = field.split('%').next().unwrap_or(field);
    without_zone.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &str) -> HostsFile {
        HostsFile {
            path: "/etc/hosts".into(),
            text: text.into(),
        }
    }

    fn ips(list: &[&str]) -> Vec<IpAddr> {
        list.iter().map(|s| s.parse().unwrap()).collect()
    }

    #[test]
    fn names_and_aliases_match_without_case_or_trailing_dot() {
        let h = file(
            "127.0.0.1\tlocalhost\n\
             # the VPN server\n\
             198.18.2.2   vpn.aovd.test  VPN  # lab\n\
             fd00:2::2 vpn.aovd.test.\n",
        );
        assert_eq!(h.lookup("vpn.aovd.test"), ips(&["198.18.2.2", "fd00:2::2"]));
        assert_eq!(
            h.lookup("VPN.AOVD.TEST."),
            ips(&["198.18.2.2", "fd00:2::2"])
        );
        assert_eq!(h.lookup("vpn"), ips(&["198.18.2.2"]));
        assert!(h.lookup("aovd.test").is_empty());
        assert!(h.lookup("lab").is_empty(), "comments are not names");
    }

    #[test]
    fn windows_files_with_crlf_and_bad_lines_are_read_like_the_os_does() {
        let h = file(
            "# Copyright (c) 1993-2009 Microsoft Corp.\r\n\
             #      127.0.0.1       localhost\r\n\
             not-an-address vpn.example.com\r\n\
             198.51.100.7\r\n\
             \r\n\
             198.51.100.7 vpn.example.com\r\n\
             198.51.100.7 vpn.example.com\r\n\
             fe80::1%12 vpn.example.com\r\n",
        );
        assert_eq!(
            h.lookup("vpn.example.com"),
            ips(&["198.51.100.7", "fe80::1"])
        );
        assert!(h.lookup("localhost").is_empty(), "commented out");
    }

    #[test]
    fn an_empty_or_hostile_file_gives_nothing() {
        assert!(file("").lookup("vpn").is_empty());
        assert!(file("\u{0}\u{ff}###\n   \n\t").lookup("vpn").is_empty());
    }
}
