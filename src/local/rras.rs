//! Reads the RRAS settings of this machine from the Windows registry (HKLM
//! is readable without admin rights). What the values mean is judged in
//! [`crate::diagnose::rras`].

pub use crate::diagnose::rras::{
    FIRST_FRAGMENTING_BUILD, FRAGMENTATION_VALUE, IKEV2_KEY, REMOTE_ACCESS_KEY, RrasReading,
    WINDOWS_VERSION_KEY, assess,
};

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

#[cfg(windows)]
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

#[cfg(all(test, not(windows)))]
mod tests {
    use super::*;

    #[test]
    fn reading_elsewhere_says_not_available() {
        assert!(matches!(read(), Err(RrasError::NotWindows)));
    }
}
