//! The roots the server-certificate check trusts: `--ca FILE` (PEM or DER,
//! one or more files) or, without it, this machine's trust store through
//! `rustls-native-certs` (Windows: the Root stores via CryptoAPI; Linux:
//! the distribution's CA bundle, honouring SSL_CERT_FILE/SSL_CERT_DIR;
//! macOS: the keychains). The only part of the check that reads files.

use std::path::{Path, PathBuf};

use crate::cert::{CertError, TrustSource, TrustStore};

/// Why no trust store could be made.
#[derive(Debug, thiserror::Error)]
pub enum TrustError {
    #[error("cannot read --ca {}: {source}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("--ca {}: {source}", path.display())]
    Parse {
        path: PathBuf,
        #[source]
        source: CertError,
    },
    #[error(
        "--ca {files}: no root certificate (only intermediates); give the root CA the clients trust as well"
    )]
    NoRoot { files: String },
    #[error(
        "this machine's trust store gave no root certificate{detail}; name the roots with --ca FILE"
    )]
    NoSystemRoots { detail: String },
}

impl TrustError {
    /// A bad `--ca` is the user's input; an empty system store means the
    /// check cannot run here.
    pub fn is_input_error(&self) -> bool {
        !matches!(self, TrustError::NoSystemRoots { .. })
    }
}

/// Reads `files`, or the system store when there are none.
pub fn load(files: &[PathBuf]) -> Result<TrustStore, TrustError> {
    if files.is_empty() {
        return system();
    }
    let mut certs = Vec::new();
    for path in files {
        let bytes = std::fs::read(path).map_err(|source| TrustError::Read {
            path: path.clone(),
            source,
        })?;
        certs.extend(
            crate::cert::trust::certificates_in(&bytes).map_err(|source| TrustError::Parse {
                path: path.clone(),
                source,
            })?,
        );
    }
    let names: Vec<String> = files.iter().map(|p| display(p)).collect();
    let store = TrustStore::new(TrustSource::Files(names.clone()), certs);
    if store.anchors.is_empty() {
        return Err(TrustError::NoRoot {
            files: names.join(", "),
        });
    }
    Ok(store)
}

fn display(p: &Path) -> String {
    p.display().to_string()
}

fn system() -> Result<TrustStore, TrustError> {
    let found = rustls_native_certs::load_native_certs();
    let certs: Vec<Vec<u8>> = found.certs.iter().map(|c| c.as_ref().to_vec()).collect();
    let store = TrustStore::new(TrustSource::System, certs);
    if store.anchors.is_empty() {
        let detail = found
            .errors
            .first()
            .map(|e| format!(" ({e})"))
            .unwrap_or_default();
        return Err(TrustError::NoSystemRoots { detail });
    }
    Ok(store)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ca_files_are_read_and_bad_ones_named() {
        let dir = tempfile::tempdir().unwrap();
        let pki =
            crate::cert::testpki::Pki::new("File Root", &crate::cert::testpki::Leaf::default());
        let root = dir.path().join("root.der");
        std::fs::write(&root, &pki.root).unwrap();
        let inter = dir.path().join("inter.der");
        std::fs::write(&inter, &pki.intermediate).unwrap();
        let s = load(&[root.clone(), inter.clone()]).unwrap();
        assert_eq!((s.anchors.len(), s.intermediates.len()), (1, 1));
        let e = load(std::slice::from_ref(&inter)).unwrap_err();
        assert!(e.is_input_error());
        assert!(e.to_string().contains("no root certificate"), "{e}");
        let junk = dir.path().join("junk.txt");
        std::fs::write(&junk, "hello").unwrap();
        let e = load(&[junk]).unwrap_err();
        assert!(
            e.to_string().starts_with("--ca ") && e.to_string().contains("junk.txt"),
            "{e}"
        );
        let e = load(&[dir.path().join("missing.pem")]).unwrap_err();
        assert!(e.to_string().starts_with("cannot read --ca"), "{e}");
    }
}
