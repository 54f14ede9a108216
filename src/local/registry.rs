//! The Windows registry, read-only, behind the [`Registry`] trait (part of
//! [`crate::env::Env`]): HKLM keys and values, as RRAS and Windows store
//! their settings. Reading HKLM needs no admin rights.

/// Why a registry read failed.
#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    #[error(
        "reading the Windows registry is only possible on Windows (run aovpn-diag.exe on the VPN server)"
    )]
    NotWindows,
    #[error("cannot read HKLM\\{key}: Windows error {code}")]
    Os { key: String, code: u32 },
}

/// Read-only access to `HKEY_LOCAL_MACHINE`. A missing key or value is
/// `Ok(false)` / `Ok(None)`, not an error.
pub trait Registry: Sync {
    /// Whether `HKLM\key` exists.
    fn key_exists(&self, key: &str) -> Result<bool, RegistryError>;
    /// A REG_DWORD value.
    fn dword(&self, key: &str, value: &str) -> Result<Option<u32>, RegistryError>;
    /// A REG_SZ value.
    fn string(&self, key: &str, value: &str) -> Result<Option<String>, RegistryError>;
}

/// This machine's registry (Windows); elsewhere every read is
/// [`RegistryError::NotWindows`].
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemRegistry;

#[cfg(windows)]
impl Registry for SystemRegistry {
    fn key_exists(&self, key: &str) -> Result<bool, RegistryError> {
        os::key_exists(key)
    }

    fn dword(&self, key: &str, value: &str) -> Result<Option<u32>, RegistryError> {
        os::dword(key, value)
    }

    fn string(&self, key: &str, value: &str) -> Result<Option<String>, RegistryError> {
        os::string(key, value)
    }
}

#[cfg(not(windows))]
impl Registry for SystemRegistry {
    fn key_exists(&self, key: &str) -> Result<bool, RegistryError> {
        NoRegistry.key_exists(key)
    }

    fn dword(&self, key: &str, value: &str) -> Result<Option<u32>, RegistryError> {
        NoRegistry.dword(key, value)
    }

    fn string(&self, key: &str, value: &str) -> Result<Option<String>, RegistryError> {
        NoRegistry.string(key, value)
    }
}

/// No registry at all (not Windows, or an offline test environment): every
/// read is [`RegistryError::NotWindows`].
#[derive(Debug, Default, Clone, Copy)]
pub struct NoRegistry;

impl Registry for NoRegistry {
    fn key_exists(&self, _: &str) -> Result<bool, RegistryError> {
        Err(RegistryError::NotWindows)
    }

    fn dword(&self, _: &str, _: &str) -> Result<Option<u32>, RegistryError> {
        Err(RegistryError::NotWindows)
    }

    fn string(&self, _: &str, _: &str) -> Result<Option<String>, RegistryError> {
        Err(RegistryError::NotWindows)
    }
}

// RegOpenKeyExW/RegGetValueW/RegCloseKey (Windows API).
#[cfg(windows)]
#[allow(unsafe_code)]
mod os {
    //! Thin, safe wrappers over RegOpenKeyExW/RegGetValueW for HKLM reads.

    use windows_sys::Win32::Foundation::{ERROR_FILE_NOT_FOUND, ERROR_SUCCESS};
    use windows_sys::Win32::System::Registry::{
        HKEY, HKEY_LOCAL_MACHINE, KEY_READ, RRF_RT_REG_DWORD, RRF_RT_REG_SZ, RegCloseKey,
        RegGetValueW, RegOpenKeyExW,
    };

    use super::RegistryError;

    fn wide(s: &str) -> Vec<u16> {
        s.encode_utf16().chain(std::iter::once(0)).collect()
    }

    pub fn key_exists(key: &str) -> Result<bool, RegistryError> {
        let wkey = wide(key);
        let mut handle: HKEY = std::ptr::null_mut();
        // SAFETY: wkey is NUL-terminated and outlives the call; handle is a valid out pointer.
        let rc =
            unsafe { RegOpenKeyExW(HKEY_LOCAL_MACHINE, wkey.as_ptr(), 0, KEY_READ, &mut handle) };
        match rc {
            ERROR_SUCCESS => {
                // SAFETY: `handle` was opened above and is closed once.
                unsafe { RegCloseKey(handle) };
                Ok(true)
            }
            ERROR_FILE_NOT_FOUND => Ok(false),
            code => Err(RegistryError::Os {
                key: key.to_owned(),
                code,
            }),
        }
    }

    pub fn dword(key: &str, value: &str) -> Result<Option<u32>, RegistryError> {
        let (wkey, wvalue) = (wide(key), wide(value));
        let mut data: u32 = 0;
        let mut size = std::mem::size_of::<u32>() as u32;
        // SAFETY: `wkey` and `wvalue` are NUL-terminated and outlive the call;
        // `data` is a u32 and `size` says so.
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
            code => Err(RegistryError::Os {
                key: format!(r"{key}\{value}"),
                code,
            }),
        }
    }

    pub fn string(key: &str, value: &str) -> Result<Option<String>, RegistryError> {
        let (wkey, wvalue) = (wide(key), wide(value));
        let mut buf = [0u16; 256];
        let mut size = std::mem::size_of_val(&buf) as u32;
        // SAFETY: `buf` is valid for `size` bytes and lives across the call;
        // `wkey` and `wvalue` are NUL-terminated.
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
            code => Err(RegistryError::Os {
                key: format!(r"{key}\{value}"),
                code,
            }),
        }
    }
}

/// A registry made of the values given, for tests: keys are `HKLM`-relative
/// paths, values `key\\name`.
#[cfg(test)]
#[derive(Debug, Default)]
pub struct FakeRegistry {
    pub keys: Vec<String>,
    pub dwords: std::collections::HashMap<String, u32>,
    pub strings: std::collections::HashMap<String, String>,
}

#[cfg(test)]
impl Registry for FakeRegistry {
    fn key_exists(&self, key: &str) -> Result<bool, RegistryError> {
        Ok(self.keys.iter().any(|k| k.eq_ignore_ascii_case(key)))
    }

    fn dword(&self, key: &str, value: &str) -> Result<Option<u32>, RegistryError> {
        Ok(self.dwords.get(&format!(r"{key}\{value}")).copied())
    }

    fn string(&self, key: &str, value: &str) -> Result<Option<String>, RegistryError> {
        Ok(self.strings.get(&format!(r"{key}\{value}")).cloned())
    }
}
