//! Reads the RRAS settings of this machine from the Windows registry (HKLM
//! is readable without admin rights). What the values mean is judged in
//! [`crate::diagnose::rras`].

pub use crate::local::registry::{Registry, RegistryError};

pub use crate::diagnose::rras::{
    FIRST_FRAGMENTING_BUILD, FRAGMENTATION_VALUE, IKEV2_KEY, REMOTE_ACCESS_KEY, RrasReading,
    WINDOWS_VERSION_KEY, assess,
};

/// Reads the RRAS settings from the registry `reg` (HKLM).
pub fn read(reg: &dyn Registry) -> Result<RrasReading, RegistryError> {
    let rras_installed = reg.key_exists(REMOTE_ACCESS_KEY)?;
    let enable_server_fragmentation = reg.dword(IKEV2_KEY, FRAGMENTATION_VALUE)?;
    let windows_build = reg
        .string(WINDOWS_VERSION_KEY, "CurrentBuildNumber")?
        .and_then(|s| s.trim().parse().ok());
    Ok(RrasReading {
        rras_installed,
        enable_server_fragmentation,
        windows_build,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::local::registry::FakeRegistry;

    #[test]
    fn a_modern_rras_server_with_the_value_set() {
        let mut reg = FakeRegistry::default();
        reg.keys.push(REMOTE_ACCESS_KEY.to_owned());
        reg.dwords
            .insert(format!(r"{IKEV2_KEY}\{FRAGMENTATION_VALUE}"), 1);
        reg.strings.insert(
            format!(r"{WINDOWS_VERSION_KEY}\CurrentBuildNumber"),
            "20348 ".to_owned(),
        );
        assert_eq!(
            read(&reg).unwrap(),
            RrasReading {
                rras_installed: true,
                enable_server_fragmentation: Some(1),
                windows_build: Some(20348),
            }
        );
    }

    #[test]
    fn a_machine_without_rras_reads_as_not_installed() {
        let r = read(&FakeRegistry::default()).unwrap();
        assert!(!r.rras_installed);
        assert_eq!(r.enable_server_fragmentation, None);
        assert_eq!(r.windows_build, None);
    }

    #[cfg(not(windows))]
    #[test]
    fn reading_elsewhere_says_not_available() {
        assert!(matches!(
            read(&crate::local::registry::SystemRegistry),
            Err(RegistryError::NotWindows)
        ));
    }
}
