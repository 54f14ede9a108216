//! Does a server certificate name the host the VPN profile uses? The way a
//! Windows IKEv2 client checks it (Microsoft's Always On VPN certificate
//! guidance; RFC 6125 §6.4 for the matching rules): a host name must be one
//! of the subjectAltName dNSName entries (a leftmost `*` matches one whole
//! label), or, when the certificate has no dNSName at all, its subject CN;
//! an IP address must be an iPAddress entry (or the CN when the certificate
//! has no subjectAltName at all).

use std::net::IpAddr;

use serde::Serialize;

use super::info::CertInfo;

/// How the host was found in the certificate, or that it was not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct NameCheck {
    /// The name or address checked: what the user typed.
    pub host: String,
    /// The entry that matched, e.g. `vpn.example.com` or `*.example.com`.
    pub matched: Option<String>,
    /// Where it matched: `dNSName`, `iPAddress` or `subject CN`.
    pub matched_in: Option<&'static str>,
    /// What the certificate offers instead (SANs, or the CN), for the finding.
    pub names: Vec<String>,
}

impl NameCheck {
    pub fn ok(&self) -> bool {
        self.matched.is_some()
    }
}

fn normalise(name: &str) -> String {
    name.trim_end_matches('.').to_ascii_lowercase()
}

/// RFC 6125 §6.4.3: `*` only as the whole leftmost label, matching exactly
/// one label; never for a name that has fewer labels.
pub fn dns_matches(pattern: &str, host: &str) -> bool {
    let (pattern, host) = (normalise(pattern), normalise(host));
    match pattern.strip_prefix("*.") {
        Some(rest) => match host.split_once('.') {
            Some((first, host_rest)) => {
                !first.is_empty() && host_rest == rest && rest.contains('.')
            }
            None => false,
        },
        None => !pattern.contains('*') && pattern == host,
    }
}

/// Checks `host` (a DNS name or an IP address as text) against `leaf`.
pub fn check(leaf: &CertInfo, host: &str) -> NameCheck {
    let host_text = host.trim();
    let mut out = NameCheck {
        host: host_text.to_owned(),
        matched: None,
        matched_in: None,
        names: Vec::new(),
    };
    let cn_match = |out: &mut NameCheck, cmp: &dyn Fn(&str) -> bool| {
        out.names
            .extend(leaf.common_names.iter().map(|c| format!("CN={c}")));
        if let Some(cn) = leaf.common_names.iter().find(|cn| cmp(cn)) {
            out.matched = Some(cn.clone());
            out.matched_in = Some("subject CN");
        }
    };
    if let Ok(ip) = host_text.trim_matches(['[', ']']).parse::<IpAddr>() {
        out.names
            .extend(leaf.san_ip.iter().map(|a| format!("IP:{a}")));
        out.names
            .extend(leaf.san_dns.iter().map(|d| format!("DNS:{d}")));
        if let Some(a) = leaf
            .san_ip
            .iter()
            .find(|a| a.parse::<IpAddr>().ok() == Some(ip))
        {
            out.matched = Some(a.clone());
            out.matched_in = Some("iPAddress");
        } else if leaf.san_ip.is_empty() && leaf.san_dns.is_empty() {
            cn_match(&mut out, &|cn| cn.parse::<IpAddr>().ok() == Some(ip));
        }
        return out;
    }
    if leaf.san_dns.is_empty() {
        out.names
            .extend(leaf.san_ip.iter().map(|a| format!("IP:{a}")));
        cn_match(&mut out, &|cn| dns_matches(cn, host_text));
        return out;
    }
    out.names
        .extend(leaf.san_dns.iter().map(|d| format!("DNS:{d}")));
    if let Some(d) = leaf.san_dns.iter().find(|d| dns_matches(d, host_text)) {
        out.matched = Some(d.clone());
        out.matched_in = Some("dNSName");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_match_one_leftmost_label() {
        assert!(dns_matches("vpn.example.com", "VPN.Example.com."));
        assert!(dns_matches("*.example.com", "vpn.example.com"));
        assert!(!dns_matches("*.example.com", "a.vpn.example.com"));
        assert!(!dns_matches("*.example.com", "example.com"));
        assert!(
            !dns_matches("*.com", "example.com"),
            "no wildcard over a public suffix-like single label"
        );
        assert!(!dns_matches("v*.example.com", "vpn.example.com"));
        assert!(!dns_matches("vpn.example.com", "vpn2.example.com"));
    }
}
