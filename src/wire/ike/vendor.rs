//! Known Vendor ID payload values (RFC 7296 §3.12: opaque, chosen by each
//! vendor). Most are MD5 hashes of a string; the values below were checked
//! against Wireshark's packet-isakmp.c and ike-scan's ike-vendor-ids list, and
//! the MD5 ones are recomputed in the tests.

use std::borrow::Cow;

/// How a table entry matches a Vendor ID.
enum Match {
    /// The whole payload equals these bytes.
    Exact(&'static [u8]),
    /// The payload starts with these bytes (a version or flags follow).
    Prefix(&'static [u8]),
}

struct Known {
    name: &'static str,
    matches: Match,
}

/// MD5("MS NT5 ISAKMPOAKLEY"), followed by a 4-byte big-endian version that
/// tells the Windows release ([MS-IKEE] §2.2.4.1).
pub const MS_NT5_ISAKMPOAKLEY: [u8; 16] = [
    0x1e, 0x2b, 0x51, 0x69, 0x05, 0x99, 0x1c, 0x7d, 0x7c, 0x96, 0xfc, 0xbf, 0xb5, 0x87, 0xe4, 0x61,
];

/// MD5("strongSwan"): sent by charon when `send_vendor_id = yes`.
pub const STRONGSWAN: [u8; 16] = [
    0x88, 0x2f, 0xe5, 0x6d, 0x6f, 0xd2, 0x0d, 0xbc, 0x22, 0x51, 0x61, 0x3b, 0x2e, 0xbe, 0x5b, 0xeb,
];

const TABLE: &[Known] = &[
    Known {
        // MD5("MS-Negotiation Discovery Capable"), AuthIP, Windows Vista and later.
        name: "MS-Negotiation Discovery Capable",
        matches: Match::Exact(&[
            0xfb, 0x1d, 0xe3, 0xcd, 0xf3, 0x41, 0xb7, 0xea, 0x16, 0xb7, 0xe5, 0xbe, 0x08, 0x55,
            0xf1, 0x20,
        ]),
    },
    Known {
        // MD5("IKE CGA version 1").
        name: "IKE CGA version 1",
        matches: Match::Exact(&[
            0xe3, 0xa5, 0x96, 0x6a, 0x76, 0x37, 0x9f, 0xe7, 0x07, 0x22, 0x82, 0x31, 0xe5, 0xce,
            0x86, 0x52,
        ]),
    },
    Known {
        // MD5("MS-MamieExists").
        name: "MS-MamieExists",
        matches: Match::Exact(&[
            0x21, 0x4c, 0xa4, 0xfa, 0xff, 0xa7, 0xf3, 0x2d, 0x67, 0x48, 0xe5, 0x30, 0x33, 0x95,
            0xae, 0x83,
        ]),
    },
    Known {
        // MD5("NLBS_PRESENT"): a Windows server behind Network Load Balancing.
        name: "Microsoft NLBS_PRESENT (Network Load Balancing)",
        matches: Match::Exact(&[
            0x72, 0x87, 0x2b, 0x95, 0xfc, 0xda, 0x2e, 0xb7, 0x08, 0xef, 0xe3, 0x22, 0x11, 0x9b,
            0x49, 0x71,
        ]),
    },
    Known {
        // MD5("Vid-Initial-Contact").
        name: "Microsoft Vid-Initial-Contact",
        matches: Match::Exact(&[
            0x26, 0x24, 0x4d, 0x38, 0xed, 0xdb, 0x61, 0xb3, 0x17, 0x2a, 0x36, 0xe3, 0xd0, 0xcf,
            0xb8, 0x19,
        ]),
    },
    Known {
        name: "strongSwan",
        matches: Match::Exact(&STRONGSWAN),
    },
    Known {
        // MD5("RFC 3947"): NAT traversal in IKEv1.
        name: "RFC 3947 NAT-T",
        matches: Match::Exact(&[
            0x4a, 0x13, 0x1c, 0x81, 0x07, 0x03, 0x58, 0x45, 0x5c, 0x57, 0x28, 0xf2, 0x0e, 0x95,
            0x45, 0x2f,
        ]),
    },
    Known {
        // RFC 3706 Dead Peer Detection; the last two bytes are a version.
        name: "Dead Peer Detection (RFC 3706)",
        matches: Match::Prefix(&[
            0xaf, 0xca, 0xd7, 0x13, 0x68, 0xa1, 0xf1, 0xc9, 0x6b, 0x86, 0x96, 0xfc, 0x77, 0x57,
        ]),
    },
    Known {
        // MD5("FRAGMENTATION"): IKEv1 fragmentation (Cisco, also sent by Windows).
        name: "IKEv1 Fragmentation",
        matches: Match::Prefix(&[
            0x40, 0x48, 0xb7, 0xd5, 0x6e, 0xbc, 0xe8, 0x85, 0x25, 0xe7, 0xde, 0x7f, 0x00, 0xd6,
            0xc2, 0xd3,
        ]),
    },
    Known {
        // MD5("CISCO-UNITY") with the last two bytes replaced by major/minor.
        name: "Cisco Unity",
        matches: Match::Prefix(&[
            0x12, 0xf5, 0xf2, 0x8c, 0x45, 0x71, 0x68, 0xa9, 0x70, 0x2d, 0x9f, 0xe2, 0x74, 0xcc,
        ]),
    },
    Known {
        name: "Cisco Delete Reason",
        matches: Match::Exact(b"CISCO-DELETE-REASON"),
    },
    Known {
        name: "Cisco FlexVPN",
        matches: Match::Exact(b"FLEXVPN-SUPPORTED"),
    },
    Known {
        name: "Cisco (copyright)",
        matches: Match::Prefix(b"CISCO(COPYRIGHT)"),
    },
    Known {
        // Truncated MD5 of "draft-beaulieu-ike-xauth-02.txt".
        name: "XAUTH",
        matches: Match::Prefix(&[0x09, 0x00, 0x26, 0x89, 0xdf, 0xd6, 0xb7, 0x12]),
    },
];

/// The Windows release behind an MS NT5 ISAKMPOAKLEY version number.
fn windows_release(version: u32) -> Option<&'static str> {
    Some(match version {
        2 => "Windows 2000",
        3 => "Windows XP SP1",
        4 => "Windows Server 2003 / XP SP2",
        5 => "Windows Vista",
        6 => "Windows Server 2008",
        7 => "Windows 7",
        8 => "Windows Server 2008 R2",
        9 => "Windows 8",
        10 => "Windows Server 2012 or later",
        _ => return None,
    })
}

/// A readable name for a Vendor ID, or `None` when it is not in the table.
pub fn name(vid: &[u8]) -> Option<Cow<'static, str>> {
    if let Some(version) = vid.strip_prefix(MS_NT5_ISAKMPOAKLEY.as_slice()) {
        let v = <[u8; 4]>::try_from(version).ok().map(u32::from_be_bytes);
        return Some(match v {
            Some(v) => match windows_release(v) {
                Some(release) => format!("MS NT5 ISAKMPOAKLEY {v} ({release})").into(),
                None => format!("MS NT5 ISAKMPOAKLEY {v} (Windows)").into(),
            },
            None => "MS NT5 ISAKMPOAKLEY (Windows)".into(),
        });
    }
    TABLE.iter().find_map(|k| {
        let hit = match k.matches {
            Match::Exact(b) => vid == b,
            Match::Prefix(b) => vid.starts_with(b),
        };
        hit.then_some(Cow::Borrowed(k.name))
    })
}

/// The name when known, else the hex bytes: what reports show.
pub fn describe(vid: &[u8]) -> String {
    match name(vid) {
        Some(n) => n.into_owned(),
        None => crate::wire::hex(vid),
    }
}

/// The 20-byte Vendor ID a Windows host of the given NT5 version sends.
pub fn ms_nt5(version: u32) -> Vec<u8> {
    let mut v = MS_NT5_ISAKMPOAKLEY.to_vec();
    v.extend_from_slice(&version.to_be_bytes());
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_versions_are_named() {
        assert_eq!(
            name(&ms_nt5(7)).unwrap(),
            "MS NT5 ISAKMPOAKLEY 7 (Windows 7)"
        );
        assert_eq!(
            name(&ms_nt5(99)).unwrap(),
            "MS NT5 ISAKMPOAKLEY 99 (Windows)"
        );
        assert_eq!(
            name(&MS_NT5_ISAKMPOAKLEY).unwrap(),
            "MS NT5 ISAKMPOAKLEY (Windows)"
        );
    }

    #[test]
    fn md5_based_entries_are_the_hash_of_their_string() {
        // Independent check of the hard-coded bytes: hex from `printf %s STRING | md5sum`,
        // as Wireshark and ike-scan define these Vendor IDs.
        let cases: &[(&str, &str)] = &[
            (
                "MS-Negotiation Discovery Capable",
                "fb1de3cdf341b7ea16b7e5be0855f120",
            ),
            ("IKE CGA version 1", "e3a5966a76379fe707228231e5ce8652"),
            ("MS-MamieExists", "214ca4faffa7f32d6748e5303395ae83"),
            ("strongSwan", "882fe56d6fd20dbc2251613b2ebe5beb"),
            ("RFC 3947 NAT-T", "4a131c81070358455c5728f20e95452f"),
        ];
        for (label, hex) in cases {
            let bytes: Vec<u8> = (0..16)
                .map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap())
                .collect();
            assert_eq!(name(&bytes).as_deref(), Some(*label), "{hex}");
        }
    }

    #[test]
    fn prefixes_and_unknowns() {
        let mut unity = vec![
            0x12, 0xf5, 0xf2, 0x8c, 0x45, 0x71, 0x68, 0xa9, 0x70, 0x2d, 0x9f, 0xe2, 0x74, 0xcc,
        ];
        unity.extend_from_slice(&[1, 0]);
        assert_eq!(name(&unity).unwrap(), "Cisco Unity");
        assert_eq!(name(b"FLEXVPN-SUPPORTED").unwrap(), "Cisco FlexVPN");
        assert_eq!(name(&[1, 2, 3]), None);
        assert_eq!(describe(&[1, 2, 3]), "010203");
        assert_eq!(name(&[]), None);
    }
}
