//! The server argument as people type or paste it: from a VPN profile, a
//! browser's address bar, `ipconfig` or `ip addr`. Pure text rules, no DNS.

use std::net::{IpAddr, Ipv6Addr};

use super::Target;
use crate::resolve::is_host_name;
use crate::text::escaped_prefix;

/// How many characters of a bad argument an error message repeats.
const SHOWN_CHARS: usize = 60;

/// Why a server argument is not a server, each with what to type instead.
/// `shown` is the argument as [`shown`] quotes it (at most ~80 characters).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TargetError {
    #[error("the server argument is empty: give a name such as vpn.example.com or an IP address")]
    Empty,
    #[error(
        "{shown} is a URL, not a server: give the host name alone{} (IKEv2 always goes to UDP 500 and 4500, whatever the URL says)",
        instead(.host)
    )]
    Url { shown: String, host: Option<String> },
    #[error(
        "{shown} has a port (:{port}): give the server alone{} (probe and check always use UDP 500 and 4500; mtu --ike picks one with --port)",
        instead(.host)
    )]
    Port {
        shown: String,
        host: Option<String>,
        port: String,
    },
    #[error("{shown} contains '{sep}': give one server name or address, not a path or prefix{}", instead(.host))]
    Path {
        shown: String,
        sep: char,
        host: Option<String>,
    },
    #[error("{shown} has a user name before '@': give the server alone{}", instead(.host))]
    UserInfo { shown: String, host: Option<String> },
    #[error("{shown} contains a space: give one server name or address")]
    Space { shown: String },
    #[error(
        "{shown}: a zone (%...) belongs to IPv6 addresses only; give the IPv4 address alone, {addr}"
    )]
    ZoneOnIpv4 { shown: String, addr: String },
    #[error(
        "{shown}: the zone after '%' must be an interface name or index, such as fe80::1%eth0 or fe80::1%12"
    )]
    BadZone { shown: String },
    #[error("{shown} is not a valid IPv6 address (e.g. 2001:db8::10, or [2001:db8::10])")]
    BadIpv6 { shown: String },
    #[error("{shown} is not a valid IPv4 address (four numbers 0-255, e.g. 198.51.100.10)")]
    BadIpv4 { shown: String },
    #[error(
        "{shown} is a link-local address (fe80::/10), valid only on one link: the probes cannot send to it; give the server's global or unique-local address (or its name)"
    )]
    LinkLocal { shown: String },
    #[error("{shown} is {what} address, not the address of one server")]
    NotUnicast { shown: String, what: &'static str },
    #[error("{shown} is not a valid host name: {why} (e.g. vpn.example.com)")]
    BadName { shown: String, why: String },
}

/// `, e.g. `host`` when a usable server could be cut out of the argument.
fn instead(host: &Option<String>) -> String {
    match host {
        Some(h) => format!(": {h}"),
        None => String::new(),
    }
}

/// `arg` in single quotes for an error message: control characters escaped,
/// cut after `SHOWN_CHARS` printed characters (an escape counts as what it
/// prints, [`escaped_prefix`]) with the full length named, so a pasted
/// kilobyte (or a run of control characters) never floods the terminal.
pub fn shown(arg: &str) -> String {
    match escaped_prefix(arg, SHOWN_CHARS) {
        (start, true) => format!("'{start}...' ({} characters)", arg.chars().count()),
        (all, false) => format!("'{all}'"),
    }
}

pub(super) fn target(raw: &str) -> Result<Target, TargetError> {
    let t = raw.trim();
    let s = shown(t);
    if t.is_empty() {
        return Err(TargetError::Empty);
    }
    if t.contains("://") {
        return Err(TargetError::Url {
            shown: s,
            host: salvage(t),
        });
    }
    if t.contains(char::is_whitespace) {
        return Err(TargetError::Space { shown: s });
    }
    if let Some(sep) = t.chars().find(|c| matches!(c, '/' | '\\')) {
        return Err(TargetError::Path {
            shown: s,
            sep,
            host: salvage(t),
        });
    }
    if t.contains('@') {
        return Err(TargetError::UserInfo {
            shown: s,
            host: salvage(t),
        });
    }
    if let Some(inner) = t.strip_prefix('[') {
        return bracketed(t, inner);
    }
    if let Some((addr, zone)) = t.split_once('%') {
        return zoned(t, addr, zone);
    }
    if let Ok(ip) = t.parse::<IpAddr>() {
        return literal(t, ip, None);
    }
    match t.matches(':').count() {
        0 => {}
        1 => {
            let (host, port) = t.split_once(':').unwrap_or((t, ""));
            if !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) {
                return Err(TargetError::Port {
                    shown: s,
                    host: usable(host),
                    port: shown_port(port),
                });
            }
            return Err(TargetError::BadName {
                shown: s,
                why: "':' is not allowed in a name".into(),
            });
        }
        _ => return Err(TargetError::BadIpv6 { shown: s }),
    }
    name(t)
}

/// `[addr]`, `[addr%zone]` (`%25zone` as in URLs, RFC 6874), or `[addr]:port`.
fn bracketed(t: &str, inner: &str) -> Result<Target, TargetError> {
    let s = shown(t);
    let Some((body, rest)) = inner.split_once(']') else {
        return Err(TargetError::BadIpv6 { shown: s });
    };
    if let Some(port) = rest.strip_prefix(':')
        && !port.is_empty()
        && port.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(TargetError::Port {
            shown: s,
            host: usable(body),
            port: shown_port(port),
        });
    }
    if !rest.is_empty() {
        return Err(TargetError::BadIpv6 { shown: s });
    }
    let (addr, zone) = match body.split_once('%') {
        Some((addr, zone)) => {
            let zone = zone
                .strip_prefix("25")
                .filter(|z| !z.is_empty())
                .unwrap_or(zone);
            (addr, Some(zone))
        }
        None => (body, None),
    };
    match addr.parse::<Ipv6Addr>() {
        Ok(ip) => {
            check_zone(t, zone)?;
            literal(t, IpAddr::V6(ip), zone)
        }
        Err(_) => Err(TargetError::BadIpv6 { shown: s }),
    }
}

/// `addr%zone` without brackets: `fe80::1%eth0`, `2001:db8::1%12`.
fn zoned(t: &str, addr: &str, zone: &str) -> Result<Target, TargetError> {
    let s = shown(t);
    match addr.parse::<IpAddr>() {
        Ok(IpAddr::V4(v4)) => Err(TargetError::ZoneOnIpv4 {
            shown: s,
            addr: v4.to_string(),
        }),
        Ok(ip) => {
            check_zone(t, Some(zone))?;
            literal(t, ip, Some(zone))
        }
        Err(_) if addr.contains(':') => Err(TargetError::BadIpv6 { shown: s }),
        Err(_) => Err(TargetError::BadName {
            shown: s,
            why: "'%' is not allowed in a name (a zone such as %eth0 follows IPv6 addresses only)"
                .into(),
        }),
    }
}

/// A zone names an interface: its name (`eth0`, `Ethernet0`, `wlp2s0`) or
/// index (`12`), RFC 4007 §11.2. Windows' friendly names with spaces
/// ("Wi-Fi 2") are not zones: `ipconfig` shows the index.
fn check_zone(t: &str, zone: Option<&str>) -> Result<(), TargetError> {
    let Some(zone) = zone else { return Ok(()) };
    let ok = !zone.is_empty()
        && zone.len() <= 64
        && zone
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    if ok {
        Ok(())
    } else {
        Err(TargetError::BadZone { shown: shown(t) })
    }
}

/// An IP literal must name one unicast host the probes can send to.
fn literal(t: &str, ip: IpAddr, zone: Option<&str>) -> Result<Target, TargetError> {
    let s = shown(t);
    let not = |what| {
        Err(TargetError::NotUnicast {
            shown: s.clone(),
            what,
        })
    };
    if ip.is_unspecified() {
        return not("the unspecified");
    }
    if ip.is_multicast() {
        return not("a multicast");
    }
    match ip {
        IpAddr::V4(v4) if v4.is_broadcast() => return not("the broadcast"),
        IpAddr::V6(v6) if v6.is_unicast_link_local() => {
            return Err(TargetError::LinkLocal { shown: s });
        }
        _ => {}
    }
    Ok(Target {
        host: ip.to_string(),
        zone: zone.map(str::to_owned),
    })
}

/// A DNS name, RFC 1123 §2.1; says which rule a bad one breaks. A name
/// whose last label is all digits was meant as an IPv4 address (RFC 3696 §2:
/// top-level labels are never all-numeric).
fn name(t: &str) -> Result<Target, TargetError> {
    let s = shown(t);
    let body = t.strip_suffix('.').unwrap_or(t);
    let last = body.rsplit('.').next().unwrap_or(body);
    if !last.is_empty() && last.bytes().all(|b| b.is_ascii_digit()) {
        return Err(TargetError::BadIpv4 { shown: s });
    }
    if is_host_name(t) {
        return Ok(Target {
            host: t.to_owned(),
            zone: None,
        });
    }
    Err(TargetError::BadName {
        shown: s,
        why: name_fault(body),
    })
}

fn name_fault(body: &str) -> String {
    if body.len() > 253 {
        return format!("{} characters, more than the 253 DNS allows", body.len());
    }
    if let Some(c) = body
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
    {
        return if c.is_alphabetic() {
            format!("'{c}' is not allowed; write an international name in its xn-- (punycode) form")
        } else {
            format!(
                "'{}' is not allowed (letters, digits, '-', '_' and '.' only)",
                c.escape_default()
            )
        };
    }
    for label in body.split('.') {
        if label.is_empty() {
            return "it has an empty label ('..', or a leading dot)".into();
        }
        if label.len() > 63 {
            return format!(
                "a label has {} characters, more than the 63 DNS allows",
                label.len()
            );
        }
        if label.starts_with('-') || label.ends_with('-') {
            return format!("the label '{label}' starts or ends with '-'");
        }
    }
    "not a name DNS can look up".into()
}

/// The server inside a URL, `user@host`, `host/path` or `host:port`, when
/// what is left is itself a valid target: what to suggest instead.
fn salvage(t: &str) -> Option<String> {
    let rest = t.split_once("://").map_or(t, |(_, r)| r);
    let authority = rest.split(['/', '\\', '?', '#']).next().unwrap_or(rest);
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    usable(strip_port(host))
}

fn strip_port(hostport: &str) -> &str {
    if let Some(inner) = hostport.strip_prefix('[') {
        return inner.split_once(']').map_or(hostport, |(h, _)| h);
    }
    match hostport.split_once(':') {
        Some((h, port)) if !port.contains(':') => h,
        _ => hostport,
    }
}

/// `host` as the user should type it, when it is a valid target.
fn usable(host: &str) -> Option<String> {
    if host.is_empty() || host.len() > 253 {
        return None;
    }
    target(host).ok().map(|_| host.to_owned())
}

/// A port as the message repeats it: digits only, at most 10 of them.
fn shown_port(port: &str) -> String {
    if port.len() > 10 {
        format!("{}...", &port[..10])
    } else {
        port.to_owned()
    }
}
