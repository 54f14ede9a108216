//! Hand-made lookups and resolutions for the findings, steps and report tests.

use super::*;

pub const HOST: &str = "vpn.example.com";

pub fn v4() -> IpAddr {
    "198.51.100.7".parse().unwrap()
}

pub fn v6() -> IpAddr {
    "2001:db8::7".parse().unwrap()
}

pub fn answered(record_type: RecordType, ms: u64) -> Lookup {
    let address = match record_type {
        RecordType::A => v4(),
        RecordType::Aaaa => v6(),
    };
    Lookup {
        record_type,
        outcome: Ok(vec![DnsAnswer {
            record_type,
            address,
            ttl: Some(300),
        }]),
        elapsed: Duration::from_millis(ms),
    }
}

pub fn failed(record_type: RecordType, failure: LookupFailure, ms: u64) -> Lookup {
    Lookup {
        record_type,
        outcome: Err(failure),
        elapsed: Duration::from_millis(ms),
    }
}

/// A DNS resolution from `lookups` (the ones that answered give the addresses).
pub fn from_dns(lookups: Vec<Lookup>) -> Resolution {
    let answers: Vec<DnsAnswer> = lookups.iter().flat_map(|l| l.answers().to_vec()).collect();
    Resolution {
        host: HOST.to_owned(),
        family: Family::Any,
        addresses: answers.iter().map(|a| a.address).collect(),
        source: Source::Dns,
        from_dns: true,
        hosts_file: None,
        answers,
        elapsed: lookups.iter().map(|l| l.elapsed).max().unwrap_or_default(),
        lookups,
    }
}

/// The hosts file answered with `addresses`.
pub fn from_hosts(addresses: &[IpAddr]) -> Resolution {
    Resolution {
        host: HOST.to_owned(),
        family: Family::Any,
        addresses: addresses.to_vec(),
        source: Source::HostsFile,
        from_dns: false,
        hosts_file: Some("/etc/hosts".to_owned()),
        answers: addresses.iter().copied().map(DnsAnswer::hosts).collect(),
        lookups: Vec::new(),
        elapsed: Duration::from_micros(80),
    }
}
