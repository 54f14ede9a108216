//! X.509 for the server-certificate check (`probe --auth`, the
//! `server-cert` step of `check`): what a certificate says ([`info`]),
//! whether it names the host ([`name`]), whether a client can build a path
//! to a root it trusts ([`chain`]), which roots those are ([`trust`]), and
//! whether the server's IKE AUTH signature verifies with the certificate's
//! key ([`auth`], with the signature schemes of [`sig`]).
//!
//! PURE: DER bytes, trust anchors and "now" in, typed results out; no
//! files, sockets or clock. Crates: `x509-parser` reads certificates,
//! `rustls-webpki` builds and verifies paths, RustCrypto (`rsa`, `p256`,
//! `p384`) verifies signatures.

pub mod auth;
pub mod chain;
pub mod info;
pub mod name;
pub mod sig;
pub mod trust;

#[cfg(test)]
pub(crate) mod testpki;

pub use crate::events::time::Timestamp;
pub use info::CertInfo;
pub use trust::{TrustSource, TrustStore};

/// Why certificate bytes could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CertError {
    #[error("not a readable X.509 certificate: {0}")]
    Parse(String),
}

#[cfg(test)]
pub(crate) fn unhex(s: &str) -> Vec<u8> {
    let s: String = s.split_whitespace().collect();
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

#[cfg(test)]
mod tests;
