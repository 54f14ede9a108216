//! Windows VPN profiles (`rasphone.pbk`): what the client will do in IKEv2.
//!
//! A phonebook is an INI file, one `[Profile name]` section per connection,
//! written by Windows (Add-VpnConnection, Intune/ProfileXML for Always On VPN).
//! Device tunnels and all-user profiles live in
//! `%ProgramData%\Microsoft\Network\Connections\Pbk\rasphone.pbk`, user
//! tunnels in `%AppData%\Microsoft\Network\Connections\Pbk\rasphone.pbk`.
//!
//! Keys that matter for IKEv2 failures:
//! - `PhoneNumber`: the VPN server name the client dials.
//! - `VpnStrategy`: which tunnel types are tried (ras.h `VPNSTRATEGY`).
//! - `Disable_IKEv2_Fragmentation`: 1 turns off the client's RFC 7383 support,
//!   which brings back IP-fragmented IKE_AUTH messages.
//! - `NumCustomPolicy` / `CustomIPSecPolicies`: the crypto set from
//!   `Set-VpnConnectionIPsecConfiguration` (or ProfileXML
//!   `<CryptographySuite>`); without it Windows offers its built-in defaults.
//!
//! This module is pure: it parses text the caller read (line by line with
//! [`crate::text::LineReader`] and [`LIMITS`]).

#![forbid(unsafe_code)]

use std::collections::HashMap;

use serde::Serialize;

use crate::finding::{Code, Finding, Severity};
use crate::text::{Line, TextLimits};

/// How much of a phonebook is read: 16 MiB (a profile takes about 2 KB),
/// lines of up to 64 KiB (`CustomAuthData` holds EAP settings as hex and
/// can run to several KB). A larger file or a longer line is not a phonebook.
pub const LIMITS: TextLimits = TextLimits {
    max_bytes: 16 << 20,
    max_line_bytes: 64 << 10,
};

/// Profiles read from one phonebook at most; a client has a handful.
pub const MAX_PROFILES: usize = 1_000;

/// Longest profile name or server Windows stores (RAS_MaxEntryName).
pub const MAX_NAME_CHARS: usize = 256;

/// One VPN connection from a phonebook.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct VpnProfile {
    pub name: String,
    /// The server the client dials (`PhoneNumber`).
    pub server: Option<String>,
    /// `VpnStrategy` decoded, e.g. "IKEv2 only".
    pub strategy: Option<String>,
    /// Whether IKEv2 is among the protocols this profile tries.
    pub uses_ikev2: bool,
    /// `Disable_IKEv2_Fragmentation=1`.
    pub ikev2_fragmentation_disabled: bool,
    /// The custom IKE/IPsec crypto set, when one is configured.
    pub custom_policy: Option<CustomPolicy>,
    /// A `CustomIPSecPolicies` value that is not the 24-byte blob Windows
    /// writes (quoted in part, at most 80 characters).
    pub custom_policy_unreadable: Option<String>,
    /// `DeviceTunnel=1`: a machine-certificate tunnel before logon.
    pub device_tunnel: bool,
}

/// `CustomIPSecPolicies`: six little-endian DWORDs, in this order (matched
/// against profiles made with known `Set-VpnConnectionIPsecConfiguration`
/// arguments): IKE integrity, IKE encryption, IKE DH group, ESP cipher
/// transform, ESP auth transform, PFS group. The values are the Windows
/// `IKEEXT_*`/`IPSEC_*` enumerations, named here as the cmdlet names them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct CustomPolicy {
    pub integrity_check_method: String,
    pub encryption_method: String,
    pub dh_group: String,
    pub cipher_transform_constants: String,
    pub authentication_transform_constants: String,
    pub pfs_group: String,
    /// The IKE SA proposal this produces, in strongSwan notation
    /// (e.g. `aes256-sha256-modp2048`), when it maps onto one.
    pub ike_proposal: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PbkError {
    #[error("line {line}: text outside any [profile] section")]
    OutsideSection { line: usize },
    #[error("no VPN profiles found (no [section] in the phonebook)")]
    Empty,
    #[error(
        "line {line} is {bytes} bytes long; phonebook lines are shorter than {} KiB",
        LIMITS.max_line_bytes >> 10
    )]
    LineTooLong { line: usize, bytes: u64 },
    #[error(
        "line {line}: a profile name or server longer than {MAX_NAME_CHARS} characters or with \
         control characters, which Windows does not store"
    )]
    NameTooLong { line: usize },
    #[error("more than {MAX_PROFILES} profiles; a client's phonebook holds a handful")]
    TooManyProfiles,
    #[error(
        "larger than {} MiB; a phonebook holds about 2 KB per profile",
        LIMITS.max_bytes >> 20
    )]
    TooLarge,
}

/// Decodes `VpnStrategy` (ras.h `VPNSTRATEGY`) and whether IKEv2 is tried.
pub fn vpn_strategy(value: u32) -> (&'static str, bool) {
    match value {
        0 => ("automatic (IKEv2, then SSTP, PPTP, L2TP)", true),
        1 => ("PPTP only", false),
        2 => ("PPTP first", true),
        3 => ("L2TP only", false),
        4 => ("L2TP first", true),
        5 => ("SSTP only", false),
        6 => ("SSTP first", true),
        7 => ("IKEv2 only", true),
        8 => ("IKEv2 first", true),
        9 => ("GRE only", false),
        12 => ("PPTP then SSTP", false),
        13 => ("L2TP then SSTP", false),
        14 => ("IKEv2 then SSTP", true),
        15 => ("protocol list (Windows 11)", true),
        _ => ("unknown", true),
    }
}

const INTEGRITY: &[&str] = &["MD5", "SHA1", "SHA256", "SHA384"];
const ENCRYPTION: &[&str] = &[
    "DES",
    "DES3",
    "AES128",
    "AES192",
    "AES256",
    "GCMAES128",
    "GCMAES256",
];
const DH_GROUP: &[&str] = &[
    "None", "Group1", "Group2", "Group14", "ECP256", "ECP384", "Group24",
];
const CIPHER_TRANSFORM: &[&str] = &[
    "None",
    "DES",
    "DES3",
    "AES128",
    "AES192",
    "AES256",
    "GCMAES128",
    "GCMAES192",
    "GCMAES256",
];
const AUTH_TRANSFORM: &[&str] = &[
    "MD596",
    "SHA196",
    "SHA256128",
    "GCMAES128",
    "GCMAES192",
    "GCMAES256",
];
const PFS_GROUP: &[&str] = &[
    "None", "PFS1", "PFS2", "PFS2048", "ECP256", "ECP384", "PFSMM", "PFS24",
];

fn name(table: &[&str], v: u32) -> String {
    table
        .get(v as usize)
        .map(|s| (*s).to_owned())
        .unwrap_or_else(|| format!("unknown({v})"))
}

/// Decodes a `CustomIPSecPolicies` hex blob; `None` if it is not 24 bytes of hex.
pub fn decode_custom_policy(hex: &str) -> Option<CustomPolicy> {
    let hex = hex.trim();
    if hex.len() != 48 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let bytes: Vec<u8> = (0..24)
        .map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16))
        .collect::<Result<_, _>>()
        .ok()?;
    let dw: Vec<u32> = bytes
        .chunks_exact(4)
        .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect();
    let (integrity, encryption, dh) = (dw[0], dw[1], dw[2]);
    Some(CustomPolicy {
        integrity_check_method: name(INTEGRITY, integrity),
        encryption_method: name(ENCRYPTION, encryption),
        dh_group: name(DH_GROUP, dh),
        cipher_transform_constants: name(CIPHER_TRANSFORM, dw[3]),
        authentication_transform_constants: name(AUTH_TRANSFORM, dw[4]),
        pfs_group: name(PFS_GROUP, dw[5]),
        ike_proposal: ike_proposal(integrity, encryption, dh),
    })
}

/// The IKE SA proposal in strongSwan notation. AES-GCM carries its own
/// integrity, so only the PRF is named then.
fn ike_proposal(integrity: u32, encryption: u32, dh: u32) -> Option<String> {
    let encr = match encryption {
        1 => "3des",
        2 => "aes128",
        3 => "aes192",
        4 => "aes256",
        5 => "aes128gcm16",
        6 => "aes256gcm16",
        _ => return None,
    };
    let hash = match integrity {
        0 => "md5",
        1 => "sha1",
        2 => "sha256",
        3 => "sha384",
        _ => return None,
    };
    let group = match dh {
        1 => "modp768",
        2 => "modp1024",
        3 => "modp2048",
        4 => "ecp256",
        5 => "ecp384",
        6 => "modp2048s256",
        _ => return None,
    };
    Some(if encryption >= 5 {
        format!("{encr}-prf{hash}-{group}")
    } else {
        format!("{encr}-{hash}-{group}")
    })
}

/// Parses a phonebook into profiles. Unknown keys are ignored; a device
/// section (`MEDIA=`, `DEVICE=`) belongs to the profile above it.
pub fn parse(text: &str) -> Result<Vec<VpnProfile>, PbkError> {
    let mut parser = Parser::default();
    for (index, raw) in text.lines().enumerate() {
        parser.line(index + 1, raw)?;
    }
    parser.finish()
}

/// [`parse`] one line at a time, for [`crate::text::LineReader`]. Memory
/// stays within [`MAX_PROFILES`] profiles of [`MAX_NAME_CHARS`]-character
/// names whatever the input.
#[derive(Debug, Default)]
pub struct Parser {
    profiles: Vec<VpnProfile>,
    /// Lower-cased section name -> index in `profiles`.
    by_name: HashMap<String, usize>,
    current: Option<usize>,
}

impl Parser {
    /// One line as [`crate::text::LineReader`] hands it out.
    pub fn read_line(&mut self, line: &Line) -> Result<(), PbkError> {
        if line.cut {
            return Err(PbkError::LineTooLong {
                line: line.number,
                bytes: line.bytes,
            });
        }
        self.line(line.number, &line.text)
    }

    /// One line of text; `number` is 1-based.
    pub fn line(&mut self, number: usize, raw: &str) -> Result<(), PbkError> {
        let line = raw.trim_start_matches('\u{feff}').trim();
        if line.is_empty() || line.starts_with(';') {
            return Ok(());
        }
        // Also refused: control characters, which a terminal would obey
        // when the report shows the name.
        let too_long =
            |s: &str| s.chars().nth(MAX_NAME_CHARS).is_some() || s.chars().any(char::is_control);
        if let Some(section) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            let section = section.trim();
            if too_long(section) {
                return Err(PbkError::NameTooLong { line: number });
            }
            // Windows matches section names without regard to case: a
            // second `[aovpn]` continues the profile `[AOVPN]` began.
            let key = section.to_ascii_lowercase();
            if let Some(&i) = self.by_name.get(&key) {
                self.current = Some(i);
                return Ok(());
            }
            if self.profiles.len() == MAX_PROFILES {
                return Err(PbkError::TooManyProfiles);
            }
            self.current = Some(self.profiles.len());
            self.by_name.insert(key, self.profiles.len());
            self.profiles.push(VpnProfile {
                name: section.to_owned(),
                server: None,
                strategy: None,
                uses_ikev2: true,
                ikev2_fragmentation_disabled: false,
                custom_policy: None,
                custom_policy_unreadable: None,
                device_tunnel: false,
            });
            return Ok(());
        }
        let Some(profile) = self.current.and_then(|i| self.profiles.get_mut(i)) else {
            return Err(PbkError::OutsideSection { line: number });
        };
        let Some((key, value)) = line.split_once('=') else {
            return Ok(());
        };
        let value = value.trim();
        // Keys too are matched without regard to case and with surrounding
        // spaces trimmed, as Windows reads phonebooks: `VPNStrategy` and
        // `DISABLE_IKEv2_FRAGMENTATION` (written by some published scripts)
        // mean what `VpnStrategy` and `Disable_IKEv2_Fragmentation` mean.
        match key.trim().to_ascii_lowercase().as_str() {
            "phonenumber" if !value.is_empty() => {
                if too_long(value) {
                    return Err(PbkError::NameTooLong { line: number });
                }
                profile.server = Some(value.to_owned());
            }
            "vpnstrategy" => {
                if let Ok(v) = value.parse::<u32>() {
                    let (label, ikev2) = vpn_strategy(v);
                    profile.strategy = Some(format!("{label} ({v})"));
                    profile.uses_ikev2 = ikev2;
                }
            }
            "disable_ikev2_fragmentation" => profile.ikev2_fragmentation_disabled = value == "1",
            "customipsecpolicies" => {
                profile.custom_policy = decode_custom_policy(value);
                profile.custom_policy_unreadable = (profile.custom_policy.is_none()
                    && !value.trim().is_empty())
                .then(|| crate::text::excerpt(value.trim(), crate::text::EXCERPT_CHARS));
            }
            "devicetunnel" => profile.device_tunnel = value == "1",
            _ => {}
        }
        Ok(())
    }

    pub fn finish(self) -> Result<Vec<VpnProfile>, PbkError> {
        if self.profiles.is_empty() {
            return Err(PbkError::Empty);
        }
        Ok(self.profiles)
    }
}

/// Where Windows keeps phonebooks: all-user/device-tunnel first, then the
/// current user's. Only meaningful on Windows (environment variables).
pub fn default_paths() -> Vec<std::path::PathBuf> {
    let tail = r"Microsoft\Network\Connections\Pbk\rasphone.pbk";
    ["ProgramData", "APPDATA"]
        .iter()
        .filter_map(std::env::var_os)
        .map(|dir| std::path::Path::new(&dir).join(tail))
        .collect()
}

/// Judges one profile for IKEv2 failure causes.
pub fn assess(profile: &VpnProfile, source: &str) -> Vec<Finding> {
    let mut findings = Vec::new();
    let base = |f: Finding| {
        f.with("profile", profile.name.as_str())
            .with("phonebook", source)
    };
    if !profile.uses_ikev2 {
        findings.push(
            base(Finding::new(
                Code::ProfileNotIkev2,
                Severity::Info,
                format!("profile '{}' does not try IKEv2", profile.name),
            ))
            .with("strategy", profile.strategy.clone()),
        );
        return findings;
    }
    if profile.ikev2_fragmentation_disabled {
        findings.push(
            base(Finding::new(
                Code::ProfileIkeFragmentationDisabled,
                Severity::Warn,
                format!(
                    "profile '{}' turns off IKEv2 fragmentation: IKE_AUTH will leave as IP fragments",
                    profile.name
                ),
            ))
            .with("setting", "Disable_IKEv2_Fragmentation=1")
            .remedy(
                "set Disable_IKEv2_Fragmentation=0 in the phonebook (or remove it), so the client \
                 can send IKE_AUTH as RFC 7383 fragments when the server offers them",
            ),
        );
    }
    match &profile.custom_policy {
        None if profile.custom_policy_unreadable.is_some() => findings.push(
            base(Finding::new(
                Code::ProfileCryptoUnreadable,
                Severity::Warn,
                format!(
                    "profile '{}' has a CustomIPSecPolicies value that is not the 24-byte policy Windows writes ('{}'): which IKE proposals it offers cannot be told from the phonebook",
                    profile.name,
                    profile.custom_policy_unreadable.as_deref().unwrap_or_default()
                ),
            ))
            .with(
                "value",
                profile.custom_policy_unreadable.clone().unwrap_or_default(),
            )
            .remedy(
                "read the policy Windows applies (Get-VpnConnection -Name NAME | Select-Object \
                 -ExpandProperty IPsecCustomPolicy) and set it again with \
                 Set-VpnConnectionIPsecConfiguration or <CryptographySuite> in ProfileXML",
            ),
        ),
        None => findings.push(
            base(Finding::new(
                Code::ProfileDefaultCrypto,
                Severity::Info,
                format!(
                    "profile '{}' has no custom IPsec policy: Windows offers its built-in IKE proposals",
                    profile.name
                ),
            ))
            .remedy(
                "if the server accepts only strong sets, configure the same set on the client \
                 (Set-VpnConnectionIPsecConfiguration or <CryptographySuite> in ProfileXML), \
                 otherwise the server answers NO_PROPOSAL_CHOSEN",
            ),
        ),
        Some(policy) => {
            let weak: Vec<&str> = [
                policy.encryption_method.as_str(),
                policy.integrity_check_method.as_str(),
                policy.dh_group.as_str(),
            ]
            .into_iter()
            .filter(|v| WEAK.contains(v))
            .collect();
            if !weak.is_empty() {
                findings.push(
                    base(Finding::new(
                        Code::ProfileWeakCrypto,
                        Severity::Warn,
                        format!(
                            "profile '{}' uses weak IKE algorithms: {}",
                            profile.name,
                            weak.join(", ")
                        ),
                    ))
                    .with("ike_proposal", policy.ike_proposal.clone())
                    .remedy(
                        "use AES-256 (or AES-GCM), SHA-256 or better, and DH group 14, ECP256 \
                         or ECP384 on both client and server",
                    ),
                );
            }
        }
    }
    findings
}

/// Algorithms no longer fit for IKE (RFC 8247 §2.1, §2.3, §2.4).
const WEAK: &[&str] = &["DES", "DES3", "MD5", "SHA1", "Group1", "Group2"];

#[cfg(test)]
mod tests {
    use super::*;

    /// Blob written for `-EncryptionMethod AES256 -IntegrityCheckMethod SHA256
    /// -DHGroup Group14 -CipherTransformConstants AES256
    /// -AuthenticationTransformConstants SHA256128 -PfsGroup None`.
    #[test]
    fn decodes_aes256_sha256_group14_policy() {
        let p = decode_custom_policy("020000000400000003000000050000000200000000000000").unwrap();
        assert_eq!(p.integrity_check_method, "SHA256");
        assert_eq!(p.encryption_method, "AES256");
        assert_eq!(p.dh_group, "Group14");
        assert_eq!(p.cipher_transform_constants, "AES256");
        assert_eq!(p.authentication_transform_constants, "SHA256128");
        assert_eq!(p.pfs_group, "None");
        assert_eq!(p.ike_proposal.as_deref(), Some("aes256-sha256-modp2048"));
    }

    /// AES128/SHA256/Group14 with PFS2048.
    #[test]
    fn decodes_aes128_with_pfs2048() {
        let p = decode_custom_policy("020000000200000003000000030000000200000003000000").unwrap();
        assert_eq!(p.encryption_method, "AES128");
        assert_eq!(p.cipher_transform_constants, "AES128");
        assert_eq!(p.pfs_group, "PFS2048");
        assert_eq!(p.ike_proposal.as_deref(), Some("aes128-sha256-modp2048"));
    }

    #[test]
    fn gcm_names_only_the_prf() {
        let p = decode_custom_policy("030000000600000005000000080000000500000005000000").unwrap();
        assert_eq!(
            p.ike_proposal.as_deref(),
            Some("aes256gcm16-prfsha384-ecp384")
        );
    }

    #[test]
    fn rejects_malformed_blobs() {
        assert_eq!(decode_custom_policy("0200"), None);
        assert_eq!(decode_custom_policy(&"zz".repeat(24)), None);
    }

    #[test]
    fn parses_profiles_with_device_sections_and_crlf() {
        let text = "\u{feff}[AOVPN User Tunnel]\r\nEncoding=1\r\nVpnStrategy=7\r\nDisable_IKEv2_Fragmentation=1\r\n\
NumCustomPolicy=1\r\nCustomIPSecPolicies=020000000400000003000000050000000200000000000000\r\n\
DeviceTunnel=0\r\n\r\nMEDIA=rastapi\r\nDevice=WAN Miniport (IKEv2)\r\n\r\nDEVICE=vpn\r\n\
PhoneNumber=vpn.example.com\r\n\r\n[Old SSTP]\r\nVpnStrategy=5\r\nPhoneNumber=sstp.example.com\r\n";
        let profiles = parse(text).unwrap();
        assert_eq!(profiles.len(), 2);
        let aovpn = &profiles[0];
        assert_eq!(aovpn.name, "AOVPN User Tunnel");
        assert_eq!(aovpn.server.as_deref(), Some("vpn.example.com"));
        assert_eq!(aovpn.strategy.as_deref(), Some("IKEv2 only (7)"));
        assert!(aovpn.uses_ikev2 && aovpn.ikev2_fragmentation_disabled && !aovpn.device_tunnel);
        assert!(aovpn.custom_policy.is_some());
        assert!(!profiles[1].uses_ikev2);
    }

    fn profile(fragmentation_off: bool, policy: Option<&str>) -> VpnProfile {
        VpnProfile {
            name: "AOVPN".into(),
            server: Some("vpn.example.com".into()),
            strategy: Some("IKEv2 only (7)".into()),
            uses_ikev2: true,
            ikev2_fragmentation_disabled: fragmentation_off,
            custom_policy: policy.and_then(decode_custom_policy),
            custom_policy_unreadable: None,
            device_tunnel: false,
        }
    }

    #[test]
    fn an_unreadable_policy_is_not_called_the_windows_defaults() {
        let mut parser = Parser::default();
        for line in ["[X]", "PhoneNumber=a", "CustomIPSecPolicies=zzzz"] {
            parser
                .read_line(&crate::text::Line {
                    number: 1,
                    text: line.into(),
                    bytes: line.len() as u64,
                    cut: false,
                })
                .unwrap();
        }
        let profiles = parser.finish().unwrap();
        assert_eq!(
            profiles[0].custom_policy_unreadable.as_deref(),
            Some("zzzz")
        );
        let codes: Vec<Code> = assess(&profiles[0], "x.pbk")
            .iter()
            .map(|f| f.code)
            .collect();
        assert_eq!(codes, vec![Code::ProfileCryptoUnreadable]);
    }

    #[test]
    fn assess_flags_fragmentation_off_and_weak_crypto() {
        // 3DES / SHA1 / Group2
        let p = profile(
            true,
            Some("010000000100000002000000020000000100000000000000"),
        );
        let codes: Vec<Code> = assess(&p, "x").iter().map(|f| f.code).collect();
        assert_eq!(
            codes,
            vec![
                Code::ProfileIkeFragmentationDisabled,
                Code::ProfileWeakCrypto
            ]
        );
        let strong = profile(
            false,
            Some("020000000400000003000000050000000200000000000000"),
        );
        assert!(assess(&strong, "x").is_empty());
        let default = profile(false, None);
        let codes: Vec<Code> = assess(&default, "x").iter().map(|f| f.code).collect();
        assert_eq!(codes, vec![Code::ProfileDefaultCrypto]);
    }

    /// Windows reads phonebook keys and section names without regard to
    /// case and trims the spaces around them (field case: a published
    /// workaround script writes `VPNStrategy` and `DISABLE_IKEv2_FRAGMENTATION`).
    #[test]
    fn keys_and_sections_ignore_case_and_surrounding_spaces() {
        let text = "[ AOVPN ]\r\nVPNStrategy=7\r\n  DISABLE_IKEv2_FRAGMENTATION = 1 \r\n\
phonenumber= vpn.example.com\r\n[aovpn]\r\ndevicetunnel=1\r\n";
        let profiles = parse(text).unwrap();
        assert_eq!(
            profiles.len(),
            1,
            "[aovpn] is the same section as [ AOVPN ]"
        );
        let p = &profiles[0];
        assert_eq!(p.name, "AOVPN");
        assert_eq!(p.strategy.as_deref(), Some("IKEv2 only (7)"));
        assert!(p.ikev2_fragmentation_disabled && p.device_tunnel);
        assert_eq!(p.server.as_deref(), Some("vpn.example.com"));
        let codes: Vec<Code> = assess(p, "x").iter().map(|f| f.code).collect();
        assert!(codes.contains(&Code::ProfileIkeFragmentationDisabled));
    }

    /// The field case file itself (shared/cases/pbk-key-case.pbk, copied to fixtures/).
    #[test]
    fn field_case_pbk_key_case() {
        let text = include_str!("../../fixtures/pbk-key-case.pbk");
        let profiles = parse(text).unwrap();
        assert_eq!(profiles.len(), 1);
        assert_eq!(profiles[0].strategy.as_deref(), Some("IKEv2 only (7)"));
        assert!(profiles[0].ikev2_fragmentation_disabled);
    }

    #[test]
    fn hostile_phonebooks_are_refused_without_echo() {
        let long = format!("[{}]\n", "n".repeat(300));
        assert_eq!(parse(&long), Err(PbkError::NameTooLong { line: 1 }));
        let server = format!("[a]\nPhoneNumber={}\n", "s".repeat(300));
        assert_eq!(parse(&server), Err(PbkError::NameTooLong { line: 2 }));
        let escape = "[a]\nPhoneNumber=vpn\u{1b}[2J.example.com\n";
        assert_eq!(parse(escape), Err(PbkError::NameTooLong { line: 2 }));
        let sections = |n: usize| (0..n).map(|i| format!("[p{i}]\n")).collect::<String>();
        assert_eq!(parse(&sections(1001)), Err(PbkError::TooManyProfiles));
        assert_eq!(parse(&sections(1000)).unwrap().len(), 1000);
        // A repeated section continues its profile, however often it repeats.
        assert_eq!(parse(&"[a]\n[A]\n".repeat(5000)).unwrap().len(), 1);
        let mut p = Parser::default();
        let cut = Line {
            number: 4,
            text: "x".repeat(10),
            bytes: 100 << 20,
            cut: true,
        };
        let e = p.read_line(&cut).unwrap_err();
        assert_eq!(
            e.to_string(),
            "line 4 is 104857600 bytes long; phonebook lines are shorter than 64 KiB"
        );
    }

    #[test]
    fn text_before_a_section_is_an_error() {
        assert_eq!(
            parse("PhoneNumber=x\n[a]\n"),
            Err(PbkError::OutsideSection { line: 1 })
        );
        assert_eq!(parse("\n; only comments\n"), Err(PbkError::Empty));
    }
}
