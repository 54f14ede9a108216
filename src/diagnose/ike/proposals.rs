//! Proposal sets the probe offers: what Windows' built-in client proposes,
//! what AOVPN deployments commonly configure, and custom lists in strongSwan
//! notation. Also the judgement of which algorithms count as weak.

use crate::wire::ike::notation::{self, NotationError};
use crate::wire::ike::{DhGroup, EncrId, IntegId, PrfId, Proposal, TransformType};

/// IKE proposals of the Windows built-in IKEv2 client without a custom IPsec
/// policy (Windows 10/11: AES-CBC or 3DES with SHA-1/SHA-2 and MODP-1024;
/// Windows 11 adds AES-GCM; `NegotiateDH2048_AES256` adds AES-256/MODP-2048).
/// Source: strongSwan's "Windows Clients" interoperability notes.
pub const WINDOWS_DEFAULTS: &[&str] = &[
    "aes256-sha1-modp1024",
    "aes256-sha256-modp1024",
    "aes256-sha384-modp1024",
    "aes128-sha1-modp1024",
    "aes128-sha256-modp1024",
    "3des-sha1-modp1024",
    "aes128gcm16-prfsha256-modp1024",
    "aes256gcm16-prfsha384-modp1024",
    "aes256-sha256-modp2048",
];

/// Sets commonly configured for Always On VPN with
/// Set-VpnConnectionIPsecConfiguration / ProfileXML CryptographySuite and
/// the matching RRAS policy (AES-256/SHA-256/DH14, AES-GCM with ECP, …).
pub const AOVPN_COMMON: &[&str] = &[
    "aes256-sha256-modp2048",
    "aes128-sha256-modp2048",
    "aes256-sha384-ecp384",
    "aes256gcm16-prfsha384-ecp384",
    "aes128gcm16-prfsha256-ecp256",
    "aes256-sha256-ecp256",
    "aes256-sha256-modp2048s256",
];

/// Which proposals `--proposals` checks one at a time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProposalSet {
    Windows,
    Aovpn,
    /// Windows defaults and the common AOVPN sets.
    All,
    Custom(Vec<Proposal>),
}

impl ProposalSet {
    /// `windows`, `aovpn`, `all`, or a comma-separated list such as
    /// `aes256-sha256-modp2048,aes256gcm16-prfsha384-ecp384`.
    pub fn parse(text: &str) -> Result<Self, NotationError> {
        match text.trim().to_ascii_lowercase().as_str() {
            "windows" => Ok(ProposalSet::Windows),
            "aovpn" => Ok(ProposalSet::Aovpn),
            "all" => Ok(ProposalSet::All),
            _ => Ok(ProposalSet::Custom(notation::parse_list(text)?)),
        }
    }

    /// The proposals to check, each with its notation name, without duplicates.
    pub fn entries(&self) -> Vec<NamedProposal> {
        let texts: Vec<&str> = match self {
            ProposalSet::Windows => WINDOWS_DEFAULTS.to_vec(),
            ProposalSet::Aovpn => AOVPN_COMMON.to_vec(),
            ProposalSet::All => WINDOWS_DEFAULTS
                .iter()
                .chain(AOVPN_COMMON)
                .copied()
                .collect(),
            ProposalSet::Custom(list) => {
                return list.iter().map(NamedProposal::from_proposal).collect();
            }
        };
        let mut out: Vec<NamedProposal> = Vec::new();
        for t in texts {
            if out.iter().any(|n| n.name == t) {
                continue;
            }
            if let Ok(p) = notation::parse(t) {
                out.push(NamedProposal::from_proposal(&p));
            }
        }
        out
    }
}

/// A proposal with the names reports show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedProposal {
    /// strongSwan notation, e.g. `aes256-sha256-modp2048`.
    pub name: String,
    pub proposal: Proposal,
    /// One of the Windows built-in client's proposals.
    pub windows_default: bool,
    pub weak: bool,
}

impl NamedProposal {
    pub fn from_proposal(p: &Proposal) -> Self {
        let name = notation::format(p).unwrap_or_else(|| p.describe());
        NamedProposal {
            windows_default: WINDOWS_DEFAULTS.contains(&name.as_str()),
            weak: is_weak(p),
            name,
            proposal: p.clone(),
        }
    }
}

/// The main probe's offer, compact so the unpadded request stays far below
/// any MTU (about 700 bytes): strong proposals first (a responder that
/// follows the initiator's order picks the best it supports), then what the
/// Windows built-in client proposes, several algorithms per proposal as
/// Windows itself does, so any server a Windows client can reach answers.
pub const DEFAULT_OFFER: &[&str] = &[
    "aes256-sha256-modp2048",
    "aes256gcm16-aes128gcm16-prfsha384-prfsha256-ecp384-ecp256",
    "aes256-aes128-sha384-sha256-ecp384-ecp256-modp2048s256-modp2048",
    "aes256-aes128-3des-sha256-sha384-sha1-modp1024",
    "aes256gcm16-aes128gcm16-prfsha384-prfsha256-prfsha1-modp1024",
];

/// [`DEFAULT_OFFER`] parsed and numbered.
pub fn default_offer() -> Vec<Proposal> {
    notation::parse_list(&DEFAULT_OFFER.join(",")).unwrap_or_default()
}

/// Weak by today's guidance (NIST SP 800-57 / 800-131A, RFC 8247): DES,
/// 3DES or NULL encryption, MD5 or SHA-1 integrity or PRF, DH groups under
/// 2048 bits.
pub fn is_weak(p: &Proposal) -> bool {
    p.transforms.iter().any(|t| match t.kind {
        TransformType::ENCR => matches!(
            EncrId(t.id),
            EncrId::DES | EncrId::TRIPLE_DES | EncrId::NULL | EncrId::DES_IV64 | EncrId::DES_IV32
        ),
        TransformType::INTEG => matches!(
            IntegId(t.id),
            IntegId::HMAC_MD5_96
                | IntegId::HMAC_SHA1_96
                | IntegId::HMAC_MD5_128
                | IntegId::HMAC_SHA1_160
        ),
        TransformType::PRF => matches!(PrfId(t.id), PrfId::HMAC_MD5 | PrfId::HMAC_SHA1),
        TransformType::DH => matches!(
            DhGroup(t.id),
            DhGroup::MODP_768 | DhGroup::MODP_1024 | DhGroup::MODP_1536 | DhGroup::MODP_1024_160
        ),
        _ => false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn named_sets_parse_and_are_flagged() {
        let w = ProposalSet::parse("windows").unwrap().entries();
        assert_eq!(w.len(), WINDOWS_DEFAULTS.len());
        assert!(w.iter().all(|n| n.windows_default));
        assert!(
            w.iter()
                .find(|n| n.name == "3des-sha1-modp1024")
                .unwrap()
                .weak
        );
        assert!(
            !w.iter()
                .find(|n| n.name == "aes256-sha256-modp2048")
                .unwrap()
                .weak
        );
        let all = ProposalSet::parse("ALL").unwrap().entries();
        // aes256-sha256-modp2048 is in both lists: listed once.
        assert_eq!(all.len(), WINDOWS_DEFAULTS.len() + AOVPN_COMMON.len() - 1);
        let a = ProposalSet::parse("aovpn").unwrap().entries();
        assert!(
            a.iter()
                .any(|n| n.name == "aes256gcm16-prfsha384-ecp384" && !n.weak)
        );
    }

    #[test]
    fn custom_lists_use_strongswan_notation() {
        let c = ProposalSet::parse("aes256-sha256-modp2048, 3des-sha1-modp1024").unwrap();
        let e = c.entries();
        assert_eq!(e.len(), 2);
        assert!(e[0].windows_default && !e[0].weak);
        assert!(e[1].weak);
        assert!(ProposalSet::parse("aes999-sha1-modp1024").is_err());
    }

    #[test]
    fn default_offer_is_numbered_strong_first_and_covers_windows() {
        let offer = default_offer();
        assert_eq!(offer[0].number, 1);
        assert!(!is_weak(&offer[0]));
        assert_eq!(offer[0].dh_groups(), [DhGroup::MODP_2048]);
        for (i, p) in offer.iter().enumerate() {
            assert_eq!(usize::from(p.number), i + 1);
        }
        // Every single proposal the Windows client or an AOVPN profile
        // makes is covered by one proposal of the offer.
        for w in WINDOWS_DEFAULTS.iter().chain(AOVPN_COMMON) {
            let p = notation::parse(w).unwrap();
            assert!(
                offer
                    .iter()
                    .any(|o| p.transforms.iter().all(|t| o.transforms.contains(t))),
                "{w}"
            );
        }
    }
}
