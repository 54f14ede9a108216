//! Is this Windows RRAS server set up to fragment IKEv2 (RFC 7383)?
//!
//! RRAS sends IKEV2_FRAGMENTATION_SUPPORTED only when the DWORD
//! `EnableServerFragmentation` = 1 exists under
//! `HKLM\SYSTEM\CurrentControlSet\Services\RemoteAccess\Parameters\Ikev2`,
//! and only on Windows Server 1803 / 2019 (build 17134) or later. Reading
//! HKLM needs no admin rights, so a helpdesk can run this anywhere.
//!
//! The registry access is Windows-only; the interpretation is pure and
//! tested everywhere.

use serde::Serialize;

use crate::finding::{Code, Finding, Severity};

pub const IKEV2_KEY: &str = r"SYSTEM\CurrentControlSet\Services\RemoteAccess\Parameters\Ikev2";
pub const REMOTE_ACCESS_KEY: &str = r"SYSTEM\CurrentControlSet\Services\RemoteAccess\Parameters";
pub const FRAGMENTATION_VALUE: &str = "EnableServerFragmentation";
pub const WINDOWS_VERSION_KEY: &str = r"SOFTWARE\Microsoft\Windows NT\CurrentVersion";
/// Windows 10 / Server version 1803: the first build whose RRAS fragments IKEv2.
pub const FIRST_FRAGMENTING_BUILD: u32 = 17134;

/// What the registry says, before any judgement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
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

#[derive(Debug, thiserror::Error)]
pub enum RrasError {
    #[error(
        "reading the RRAS registry settings is only possible on Windows (run aovpn-diag.exe on the VPN server)"
    )]
    NotWindows,
    #[error("cannot read HKLM\\{key}: Windows error {code}")]
    Registry { key: String, code: u32 },
}

/// Reads the RRAS settings from the local registry.
#[cfg(windows)]
pub fn read() -> Result<RrasReading, RrasError> {
    let rras_installed = registry::key_exists(REMOTE_ACCESS_KEY)?;
    let enable_server_fragmentation = registry::dword(IKEV2_KEY, FRAGMENTATION_VALUE)?;
    let windows_build = registry::string(WINDOWS_VERSION_KEY, "CurrentBuildNumber")?
        .and_then(|s| s.trim().parse().ok());
    Ok(RrasReading {
        rras_installed,
        enable_server_fragmentation,
        windows_build,
    })
}

/// Reads the RRAS settings from the local registry.
#[cfg(not(windows))]
pub fn read() -> Result<RrasReading, RrasError> {
    Err(RrasError::NotWindows)
}

// RegOpenKeyExW/RegQueryValueExW/RegCloseKey (Windows API).
#[cfg(windows)]
#[allow(unsafe_code)]
mod registry {
    //! Thin, safe wrappers over RegOpenKeyExW/RegGetValueW for HKLM reads.

    use windows_sys::Win32::Foundation::{ERROR_FILE_NOT_FOUND, ERROR_SUCCESS};
    use windows_sys::Win32::System::Registry::{
        HKEY, HKEY_LOCAL_MACHINE, KEY_READ, RRF_RT_REG_DWORD, RRF_RT_REG_SZ, RegCloseKey,
        RegGetValueW, RegOpenKeyExW,
    };

    use super::RrasError;

    fn wide(s: &str) -> Vec<u16> {
        s.encode_utf16().chain(std::iter::once(0)).collect()
    }

    pub fn key_exists(key: &str) -> Result<bool, RrasError> {
        let wkey = wide(key);
        let mut handle: HKEY = std::ptr::null_mut();
        // SAFETY: wkey is NUL-terminated and outlives the call; handle is a valid out pointer.
        let rc =
            unsafe { RegOpenKeyExW(HKEY_LOCAL_MACHINE, wkey.as_ptr(), 0, KEY_READ, &mut handle) };
        match rc {
            ERROR_SUCCESS => {
                // SAFETY: handle was opened above.
                unsafe { RegCloseKey(handle) };
                Ok(true)
            }
            ERROR_FILE_NOT_FOUND => Ok(false),
            code => Err(RrasError::Registry {
                key: key.to_owned(),
                code,
            }),
        }
    }

    pub fn dword(key: &str, value: &str) -> Result<Option<u32>, RrasError> {
        let (wkey, wvalue) = (wide(key), wide(value));
        let mut data: u32 = 0;
        let mut size = std::mem::size_of::<u32>() as u32;
        // SAFETY: pointers are valid for the sizes given; strings NUL-terminated.
        let rc = unsafe {
            RegGetValueW(
                HKEY_LOCAL_MACHINE,
                wkey.as_ptr(),
                wvalue.as_ptr(),
                RRF_RT_REG_DWORD,
                std::ptr::null_mut(),
                (&mut data as *mut u32).cast(),
                &mut size,
            )
        };
        match rc {
            ERROR_SUCCESS => Ok(Some(data)),
            ERROR_FILE_NOT_FOUND => Ok(None),
            code => Err(RrasError::Registry {
                key: format!(r"{key}\{value}"),
                code,
            }),
        }
    }

    pub fn string(key: &str, value: &str) -> Result<Option<String>, RrasError> {
        let (wkey, wvalue) = (wide(key), wide(value));
        let mut buf = [0u16; 256];
        let mut size = std::mem::size_of_val(&buf) as u32;
        // SAFETY: buf is valid for `size` bytes; strings NUL-terminated.
        let rc = unsafe {
            RegGetValueW(
                HKEY_LOCAL_MACHINE,
                wkey.as_ptr(),
                wvalue.as_ptr(),
                RRF_RT_REG_SZ,
                std::ptr::null_mut(),
                buf.as_mut_ptr().cast(),
                &mut size,
            )
        };
        match rc {
            ERROR_SUCCESS => {
                let chars = (size as usize / 2).min(buf.len());
                let text = String::from_utf16_lossy(&buf[..chars]);
                Ok(Some(text.trim_end_matches('\0').to_owned()))
            }
            ERROR_FILE_NOT_FOUND => Ok(None),
            code => Err(RrasError::Registry {
                key: format!(r"{key}\{value}"),
                code,
            }),
        }
    }
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

    #[cfg(not(windows))]
    #[test]
    fn reading_elsewhere_says_not_available() {
        assert!(matches!(read(), Err(RrasError::NotWindows)));
    }
}
