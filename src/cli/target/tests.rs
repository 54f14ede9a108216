use super::parse::TargetError;
use super::{Target, shown};

fn ok(raw: &str) -> Target {
    Target::parse(raw).unwrap_or_else(|e| panic!("{raw:?} should be a target: {e}"))
}

fn err(raw: &str) -> (TargetError, String) {
    let e = Target::parse(raw).expect_err(raw);
    let text = e.to_string();
    (e, text)
}

#[test]
fn names_and_literals_pass_unchanged() {
    for raw in [
        "vpn.example.com",
        "VPN.Example.COM.",
        "vpn-01.example.com",
        "_srv.example.com",
        "localhost",
        "198.51.100.10",
        "2001:db8::10",
        "::1",
        "::ffff:198.51.100.10",
    ] {
        let t = ok(raw);
        assert_eq!(
            t.host(),
            raw.parse::<std::net::IpAddr>()
                .map_or(raw.to_owned(), |ip| ip.to_string())
        );
        assert_eq!(t.zone(), None);
    }
}

#[test]
fn whitespace_around_is_trimmed() {
    assert_eq!(ok("  vpn.example.com\t").host(), "vpn.example.com");
    assert_eq!(ok("\n198.51.100.10 \r\n").host(), "198.51.100.10");
    assert_eq!(&*ok(" [2001:db8::10] "), "2001:db8::10");
}

#[test]
fn ipv6_in_brackets_and_with_zone() {
    assert_eq!(ok("[2001:db8::10]").host(), "2001:db8::10");
    assert_eq!(ok("[::1]").host(), "::1");
    let t = ok("2001:db8::10%eth0");
    assert_eq!((t.host(), t.zone()), ("2001:db8::10", Some("eth0")));
    let t = ok("2001:db8::10%12");
    assert_eq!((t.host(), t.zone()), ("2001:db8::10", Some("12")));
    // %25 is how a URL writes '%' (RFC 6874); alone it is index 25.
    let t = ok("[2001:db8::10%25eth0]");
    assert_eq!((t.host(), t.zone()), ("2001:db8::10", Some("eth0")));
    assert_eq!(ok("[2001:db8::10%25]").zone(), Some("25"));
    assert_eq!(ok("[fd00::1%Ethernet_2]").zone(), Some("Ethernet_2"));
    // Written long-hand: the literal is handed on in its canonical form.
    assert_eq!(ok("2001:0db8:0000::0010").host(), "2001:db8::10");
}

#[test]
fn link_local_says_why_it_cannot_be_probed() {
    for raw in ["fe80::1%eth0", "fe80::1%12", "[fe80::1%25eth0]", "fe80::1"] {
        let (e, text) = err(raw);
        assert!(matches!(e, TargetError::LinkLocal { .. }), "{raw}: {e:?}");
        assert!(
            text.contains("link-local") && text.contains("global"),
            "{text}"
        );
    }
}

#[test]
fn bad_zones_are_named() {
    for raw in ["2001:db8::1%", "2001:db8::1%Wi-Fi 2", "2001:db8::1%e;th"] {
        let (e, _) = err(raw);
        assert!(
            matches!(e, TargetError::BadZone { .. } | TargetError::Space { .. }),
            "{raw}: {e:?}"
        );
    }
    let (e, text) = err("198.51.100.10%eth0");
    assert!(matches!(e, TargetError::ZoneOnIpv4 { .. }));
    assert!(
        text.contains("IPv6 addresses only") && text.ends_with("198.51.100.10"),
        "{text}"
    );
}

#[test]
fn urls_name_the_host_to_type_instead() {
    let cases = [
        ("https://vpn.example.com/", Some("vpn.example.com")),
        (
            "https://vpn.example.com:8443/remote/login?x=1",
            Some("vpn.example.com"),
        ),
        ("http://user@vpn.example.com", Some("vpn.example.com")),
        ("https://[2001:db8::10]:443/", Some("2001:db8::10")),
        ("ike://", None),
    ];
    for (raw, host) in cases {
        let (e, text) = err(raw);
        assert_eq!(
            e,
            TargetError::Url {
                shown: shown(raw),
                host: host.map(str::to_owned)
            }
        );
        assert!(text.contains("is a URL, not a server"), "{text}");
        if let Some(h) = host {
            assert!(text.contains(&format!("alone: {h} (")), "{text}");
        }
    }
}

#[test]
fn ports_name_the_host_to_type_instead() {
    let cases = [
        ("vpn.example.com:443", "vpn.example.com", "443"),
        ("198.51.100.10:500", "198.51.100.10", "500"),
        ("[2001:db8::10]:4500", "2001:db8::10", "4500"),
    ];
    for (raw, host, port) in cases {
        let (e, text) = err(raw);
        assert_eq!(
            e,
            TargetError::Port {
                shown: shown(raw),
                host: Some(host.into()),
                port: port.into()
            }
        );
        assert!(
            text.contains(&format!("(:{port}): give the server alone: {host} (")),
            "{text}"
        );
        assert!(
            text.contains("UDP 500 and 4500") && text.contains("--port"),
            "{text}"
        );
    }
    // A port on something that is no server: no suggestion.
    let (e, _) = err("-bad-:443");
    assert!(matches!(e, TargetError::Port { host: None, .. }), "{e:?}");
}

#[test]
fn paths_users_spaces_and_prefixes() {
    let (e, text) = err("vpn.example.com/remote");
    assert!(matches!(e, TargetError::Path { sep: '/', .. }));
    assert!(
        text.ends_with("not a path or prefix: vpn.example.com"),
        "{text}"
    );
    let (e, _) = err("198.51.100.0/24");
    assert!(
        matches!(e, TargetError::Path { ref host, .. } if host.as_deref() == Some("198.51.100.0"))
    );
    let (e, _) = err(r"\\vpn01\share");
    assert!(
        matches!(
            e,
            TargetError::Path {
                sep: '\\',
                host: None,
                ..
            }
        ),
        "{e:?}"
    );
    let (e, text) = err("admin@vpn.example.com");
    assert!(matches!(e, TargetError::UserInfo { .. }));
    assert!(text.ends_with("alone: vpn.example.com"), "{text}");
    let (e, _) = err("vpn example.com");
    assert!(matches!(e, TargetError::Space { .. }));
    assert_eq!(err("   ").0, TargetError::Empty);
    assert_eq!(err("").0, TargetError::Empty);
}

#[test]
fn bad_names_and_addresses_say_which_rule() {
    let why = |raw: &str| match err(raw).0 {
        TargetError::BadName { why, .. } => why,
        other => panic!("{raw}: {other:?}"),
    };
    assert!(why("vpn_example!.com").contains("'!' is not allowed"));
    assert!(why("vpn.exämple.com").contains("xn--"));
    assert!(why("vpn..example.com").contains("empty label"));
    assert!(why("-vpn.example.com").contains("starts or ends with '-'"));
    assert!(why(&format!("{}.com", "a".repeat(64))).contains("63"));
    assert!(why(&"a.".repeat(130)).contains("253"));
    assert!(why("vpn.example.com:").contains("':'"));
    assert!(why("vpn%eth0").contains("'%'"));
    assert!(why("vpn\u{7}.com").contains("\\u{7}"));
    assert!(matches!(
        err("198.51.100.300").0,
        TargetError::BadIpv4 { .. }
    ));
    assert!(matches!(err("10.1").0, TargetError::BadIpv4 { .. }));
    assert!(matches!(err("2001:db8::zz").0, TargetError::BadIpv6 { .. }));
    assert!(matches!(
        err("[2001:db8::10").0,
        TargetError::BadIpv6 { .. }
    ));
    assert!(matches!(
        err("[vpn.example.com]").0,
        TargetError::BadIpv6 { .. }
    ));
    assert!(matches!(
        err("[2001:db8::10]x").0,
        TargetError::BadIpv6 { .. }
    ));
}

#[test]
fn non_unicast_literals_are_refused() {
    for (raw, what) in [
        ("0.0.0.0", "unspecified"),
        ("::", "unspecified"),
        ("255.255.255.255", "broadcast"),
        ("224.0.0.1", "multicast"),
        ("ff02::1", "multicast"),
    ] {
        let (e, text) = err(raw);
        assert!(matches!(e, TargetError::NotUnicast { .. }), "{raw}: {e:?}");
        assert!(text.contains(what), "{text}");
    }
}

#[test]
fn long_arguments_are_cut_in_every_message() {
    let long_url = format!("https://vpn.example.com/{}", "x".repeat(5000));
    let long_name = format!("{}!", "a".repeat(5000));
    let long_port = format!("vpn.example.com:{}", "4".repeat(5000));
    for raw in [long_url.as_str(), long_name.as_str(), long_port.as_str()] {
        let (_, text) = err(raw);
        assert!(
            text.chars().count() < 400,
            "{} chars: {text}",
            text.chars().count()
        );
        assert!(!text.contains(&"x".repeat(81)) && !text.contains(&"a".repeat(81)));
        assert!(
            text.contains(&format!("({} characters)", raw.chars().count())),
            "{text}"
        );
    }
}

#[test]
fn shown_quotes_escapes_and_cuts() {
    assert_eq!(shown("vpn"), "'vpn'");
    assert_eq!(shown("a\u{1b}[31m"), "'a\\u{1b}[31m'");
    let s = shown(&"é".repeat(100));
    assert_eq!(s, format!("'{}...' (100 characters)", "é".repeat(60)));
    // Found by fuzzing: escapes count as what they print, so 100 DELs
    // cannot stretch the quote to 600 characters.
    let s = shown(&"\u{7f}".repeat(100));
    assert!(s.chars().count() < 90, "{s}");
    assert!(s.ends_with("...' (100 characters)"), "{s}");
    assert_eq!(shown("ends..."), "'ends...'");
}
