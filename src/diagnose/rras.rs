//! Is this Windows RRAS server set up to fragment IKEv2 (RFC 7383)?
//!
//! RRAS sends IKEV2_FRAGMENTATION_SUPPORTED only when the DWORD
//! `EnableServerFragmentation` = 1 exists under
//! `HKLM\SYSTEM\CurrentControlSet\Services\RemoteAccess\Parameters\Ikev2`,
//! and only on Windows Server 1803 / 2019 (build 17134) or later. Reading
//! HKLM needs no admin rights, so a helpdesk can run this anywhere.
//!
//! This module is the interpretation (pure, tested everywhere); the
//! registry read is `local::rras`.

use serde::Serialize;

use crate::finding::{Code, Finding, Severity};

pub const IKEV2_KEY: &str = r"SYSTEM\CurrentControlSet\Services\RemoteAccess\Parameters\Ikev2";
pub const REMOTE_ACCESS_KEY: &str = r"SYSTEM\CurrentControlSet\Services\RemoteAccess\Parameters";
pub const FRAGMENTATION_VALUE: &str = "EnableServerFragmentation";
pub const WINDOWS_VERSION_KEY: &str = r"SOFTWARE\Microsoft\Windows NT\CurrentVersion";
/// Windows 10 / Server version 1803: the first build whose RRAS fragments IKEv2.
pub const FIRST_FRAGMENTING_BUILD: u32 = 17134;

/// What the registry says, before any judgement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct RrasReading {
    /// `RemoteAccess\Parameters` exists: the RRAS role is installed.
    pub rras_installed: bool,
    /// `EnableServerFragmentation` as stored; `None` when the value is absent.
    pub enable_server_fragmentation: Option<u32>,
    /// `CurrentBuildNumber`, when readable.
    pub windows_build: Option<u32>,
}

/// The reading judged: findings an admin acts on.
pub fn assess(reading: &RrasReading) -> Vec<Finding> {
    let mut findings = Vec::new();
    if !reading.rras_installed {
        findings.push(
            Finding::new(
                Code::LocalRrasNotInstalled,
                Severity::Info,
                "this machine is not an RRAS server (no RemoteAccess parameters in the registry)",
            )
            .with("key", format!(r"HKLM\{REMOTE_ACCESS_KEY}")),
        );
        return findings;
    }
    let build_too_old = reading
        .windows_build
        .is_some_and(|b| b < FIRST_FRAGMENTING_BUILD);
    if build_too_old {
        findings.push(
            Finding::new(
                Code::LocalRrasTooOldForFragmentation,
                Severity::Warn,
                "this Windows build predates 1803: RRAS cannot do IKEv2 fragmentation",
            )
            .with("windows_build", reading.windows_build)
            .with("required_build", FIRST_FRAGMENTING_BUILD)
            .remedy(
                "upgrade the VPN server to Windows Server 2019 or later, or allow IP fragments \
                 on UDP 500/4500 through every firewall, NAT and load balancer in the path",
            ),
        );
    }
    match reading.enable_server_fragmentation {
        Some(1) => findings.push(
            Finding::new(
                Code::LocalRrasFragmentationEnabled,
                Severity::Info,
                "EnableServerFragmentation is 1: RRAS offers IKEv2 fragmentation",
            )
            .with("value", format!(r"HKLM\{IKEV2_KEY}\{FRAGMENTATION_VALUE} = 1")),
        ),
        other => findings.push(
            Finding::new(
                Code::LocalRrasFragmentationDisabled,
                Severity::Fail,
                match other {
                    None => "EnableServerFragmentation is not set: RRAS does not offer IKEv2 fragmentation",
                    Some(_) => "EnableServerFragmentation is not 1: RRAS does not offer IKEv2 fragmentation",
                },
            )
            .with("value", match other {
                None => "absent".to_owned(),
                Some(v) => v.to_string(),
            })
            .remedy(format!(
                "New-ItemProperty -Path 'HKLM:\\{IKEV2_KEY}' -Name {FRAGMENTATION_VALUE} \
                 -PropertyType DWORD -Value 1 -Force; then Restart-Service RemoteAccess"
            )),
        ),
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(r: &RrasReading) -> Vec<(Code, Severity)> {
        assess(r).iter().map(|f| (f.code, f.severity)).collect()
    }

    #[test]
    fn missing_value_on_modern_rras_is_a_failure_with_the_registry_fix() {
        let r = RrasReading {
            rras_installed: true,
            enable_server_fragmentation: None,
            windows_build: Some(17763),
        };
        let f = assess(&r);
        assert_eq!(
            codes(&r),
            vec![(Code::LocalRrasFragmentationDisabled, Severity::Fail)]
        );
        assert!(
            f[0].remedy
                .as_deref()
                .unwrap()
                .contains("EnableServerFragmentation")
        );
    }

    #[test]
    fn value_one_is_enabled() {
        let r = RrasReading {
            rras_installed: true,
            enable_server_fragmentation: Some(1),
            windows_build: Some(20348),
        };
        assert_eq!(
            codes(&r),
            vec![(Code::LocalRrasFragmentationEnabled, Severity::Info)]
        );
    }

    #[test]
    fn old_build_is_warned_even_when_set() {
        let r = RrasReading {
            rras_installed: true,
            enable_server_fragmentation: Some(1),
            windows_build: Some(14393),
        };
        assert_eq!(
            codes(&r),
            vec![
                (Code::LocalRrasTooOldForFragmentation, Severity::Warn),
                (Code::LocalRrasFragmentationEnabled, Severity::Info)
            ]
        );
    }

    #[test]
    fn other_values_count_as_disabled() {
        let r = RrasReading {
            rras_installed: true,
            enable_server_fragmentation: Some(0),
            windows_build: None,
        };
        assert_eq!(
            codes(&r),
            vec![(Code::LocalRrasFragmentationDisabled, Severity::Fail)]
        );
    }

    #[test]
    fn not_an_rras_server_is_information_only() {
        let r = RrasReading {
            rras_installed: false,
            enable_server_fragmentation: None,
            windows_build: Some(22631),
        };
        assert_eq!(
            codes(&r),
            vec![(Code::LocalRrasNotInstalled, Severity::Info)]
        );
    }
}
