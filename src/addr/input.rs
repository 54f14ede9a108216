//! Reading what an admin types or pastes: an IPv4 address, an IPv4 prefix, an
//! IPv6 address (as Windows prints it, zone index and brackets included) or an
//! IPv6 prefix.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use ipnet::{Ipv4Net, Ipv6Net};

use crate::text::{EXCERPT_CHARS, excerpt};

/// Longest text read as one input: the longest address form (IPv6 with an
/// embedded IPv4, brackets, zone index and prefix length) is well under it.
pub const MAX_INPUT_CHARS: usize = 128;

/// One understood input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Input {
    Ipv4(Ipv4Addr),
    /// As typed; host bits may be set (`203.0.113.77/24`).
    Ipv4Prefix(Ipv4Net),
    Ipv6(Ipv6Addr),
    /// As typed; host bits may be set.
    Ipv6Prefix(Ipv6Net),
}

/// Why an input could not be read. Each message names the input (at most
/// [`EXCERPT_CHARS`] characters of it) and what would have been accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InputError {
    #[error(
        "`{input}` is not an IPv4 or IPv6 address or prefix \
         (expected e.g. 198.51.100.83, 203.0.113.0/24 or 2002:c633:6453::c633:6453)"
    )]
    NotAnAddress { input: String },
    #[error("`{input}`: prefix length `{len}` is not a number from 0 to {max}")]
    BadPrefixLength { input: String, len: String, max: u8 },
    #[error("`{input}`: expected one address per line, found {words} words")]
    SeveralWords { input: String, words: usize },
    #[error("empty address")]
    Empty,
    #[error("`{input}` is longer than {MAX_INPUT_CHARS} characters: not an address or prefix")]
    TooLong { input: String },
}

/// Parses one address or prefix. Surrounding whitespace is ignored; an IPv6
/// zone index (`%12`, as in `fe80::5efe:10.0.0.1%12`) and brackets
/// (`[2002::1]`) are accepted and dropped because they do not change what the
/// address encodes.
pub fn parse_input(text: &str) -> Result<Input, InputError> {
    let text = text.trim();
    if text.chars().nth(MAX_INPUT_CHARS).is_some() {
        return Err(InputError::TooLong {
            input: excerpt(text, EXCERPT_CHARS),
        });
    }
    let words = text.split_whitespace().count();
    if words == 0 {
        return Err(InputError::Empty);
    }
    if words > 1 {
        return Err(InputError::SeveralWords {
            input: excerpt(text, EXCERPT_CHARS),
            words,
        });
    }
    let not_an_address = || InputError::NotAnAddress {
        input: excerpt(text, EXCERPT_CHARS),
    };
    let (addr_text, len_text) = match text.split_once('/') {
        Some((a, l)) => (a, Some(l)),
        None => (text, None),
    };
    let addr_text = addr_text
        .strip_prefix('[')
        .and_then(|a| a.strip_suffix(']'))
        .unwrap_or(addr_text);
    let addr_text = match addr_text.split_once('%') {
        Some((a, _zone)) if a.contains(':') => a,
        _ => addr_text,
    };
    let addr: IpAddr = addr_text.parse().map_err(|_| not_an_address())?;
    let Some(len_text) = len_text else {
        return Ok(match addr {
            IpAddr::V4(a) => Input::Ipv4(a),
            IpAddr::V6(a) => Input::Ipv6(a),
        });
    };
    let max = if addr.is_ipv4() { 32 } else { 128 };
    let len = len_text
        .parse::<u8>()
        .ok()
        .filter(|&l| l <= max)
        .ok_or_else(|| InputError::BadPrefixLength {
            input: excerpt(text, EXCERPT_CHARS),
            len: excerpt(len_text, EXCERPT_CHARS),
            max,
        })?;
    Ok(match addr {
        IpAddr::V4(a) => Input::Ipv4Prefix(Ipv4Net::new(a, len).map_err(|_| not_an_address())?),
        IpAddr::V6(a) => Input::Ipv6Prefix(Ipv6Net::new(a, len).map_err(|_| not_an_address())?),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_or_hostile_inputs_are_quoted_in_part_only() {
        let long = "1".repeat(1 << 20);
        let e = parse_input(&long).unwrap_err();
        assert!(matches!(e, InputError::TooLong { .. }));
        assert!(e.to_string().len() < 200, "{e}");
        let e = parse_input("bad\u{1b}[2Jaddress").unwrap_err();
        assert!(e.to_string().contains("\\u{1b}"), "{e}");
        // A long zone index does not make an address.
        let zone = format!("fe80::1%{}", "9".repeat(200));
        assert!(matches!(
            parse_input(&zone),
            Err(InputError::TooLong { .. })
        ));
        assert!(parse_input("fe80::1%12").is_ok());
    }

    #[test]
    fn accepts_every_form() {
        assert_eq!(
            parse_input(" 198.51.100.83 "),
            Ok(Input::Ipv4(Ipv4Addr::new(198, 51, 100, 83)))
        );
        assert_eq!(
            parse_input("203.0.113.0/24"),
            Ok(Input::Ipv4Prefix("203.0.113.0/24".parse().unwrap()))
        );
        assert_eq!(
            parse_input("fe80::5efe:10.0.0.1%12"),
            Ok(Input::Ipv6("fe80::5efe:10.0.0.1".parse().unwrap()))
        );
        assert_eq!(
            parse_input("[2002:c633:6453::c633:6453]"),
            Ok(Input::Ipv6("2002:c633:6453::c633:6453".parse().unwrap()))
        );
        assert_eq!(
            parse_input("2002:cb00:7100::/40"),
            Ok(Input::Ipv6Prefix("2002:cb00:7100::/40".parse().unwrap()))
        );
    }

    #[test]
    fn rejects_with_a_reason() {
        assert!(matches!(
            parse_input("LAPTOP-123"),
            Err(InputError::NotAnAddress { .. })
        ));
        assert!(matches!(
            parse_input("198.51.100.256"),
            Err(InputError::NotAnAddress { .. })
        ));
        assert!(matches!(
            parse_input("203.0.113.0/33"),
            Err(InputError::BadPrefixLength { max: 32, .. })
        ));
        assert!(matches!(
            parse_input("2002::/x"),
            Err(InputError::BadPrefixLength { max: 128, .. })
        ));
        assert_eq!(
            parse_input("LAPTOP-123 2002::1"),
            Err(InputError::SeveralWords {
                input: "LAPTOP-123 2002::1".into(),
                words: 2
            })
        );
        assert_eq!(parse_input("   "), Err(InputError::Empty));
        // A zone index on an IPv4 address is not a thing.
        assert!(parse_input("10.0.0.1%3").is_err());
    }

    #[test]
    fn messages_name_the_input_and_the_fix() {
        let e = parse_input("nonsense").unwrap_err().to_string();
        assert!(
            e.contains("`nonsense`") && e.contains("198.51.100.83"),
            "{e}"
        );
    }

    proptest::proptest! {
        #[test]
        fn any_text_parses_or_errs_without_panic(text in "[0-9a-fA-F:./%\\[\\] x-]{0,48}") {
            let _ = parse_input(&text);
        }

        #[test]
        fn every_ipv6_address_round_trips(bits in proptest::prelude::any::<u128>()) {
            let a = Ipv6Addr::from(bits);
            proptest::prop_assert_eq!(parse_input(&a.to_string()), Ok(Input::Ipv6(a)));
        }
    }
}
