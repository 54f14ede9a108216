//! Certificates made in the tests (rcgen, ECDSA P-256): a root, an
//! intermediate and a server certificate, each defect switchable on its
//! own. Test-only.

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, SanType, SigningKey as _, date_time_ymd,
};

use super::Timestamp;

/// 2026-06-01T00:00:00Z: "now" in these tests.
pub const NOW: Timestamp = Timestamp(1_780_272_000_000);

pub const HOST: &str = "vpn.example.test";

/// What the server certificate looks like.
#[derive(Debug, Clone)]
pub struct Leaf {
    pub dns: Vec<&'static str>,
    pub ips: Vec<&'static str>,
    pub cn: &'static str,
    pub server_auth: bool,
    pub ike_intermediate: bool,
    pub no_eku: bool,
    /// (year, month, day) of notBefore and notAfter.
    pub valid: ((i32, u8, u8), (i32, u8, u8)),
}

impl Default for Leaf {
    fn default() -> Self {
        Leaf {
            dns: vec![HOST],
            ips: vec!["198.51.100.7"],
            cn: HOST,
            server_auth: true,
            ike_intermediate: true,
            no_eku: false,
            valid: ((2026, 1, 1), (2027, 1, 1)),
        }
    }
}

/// A root -> intermediate -> server chain, with the server's key.
#[derive(Debug)]
pub struct Pki {
    pub root: Vec<u8>,
    pub intermediate: Vec<u8>,
    pub leaf: Vec<u8>,
    pub leaf_key: KeyPair,
}

fn ca_params(cn: &str) -> CertificateParams {
    let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
    p.distinguished_name
        .push(DnType::OrganizationName, "aovpn-diag tests");
    p.distinguished_name.push(DnType::CommonName, cn);
    p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    p.not_before = date_time_ymd(2020, 1, 1);
    p.not_after = date_time_ymd(2040, 1, 1);
    p
}

impl Pki {
    /// A chain under a root called `root_cn`.
    pub fn new(root_cn: &str, leaf: &Leaf) -> Pki {
        let root =
            CertifiedIssuer::self_signed(ca_params(root_cn), KeyPair::generate().unwrap()).unwrap();
        let inter = CertifiedIssuer::signed_by(
            ca_params(&format!("{root_cn} Issuing CA")),
            KeyPair::generate().unwrap(),
            &root,
        )
        .unwrap();
        let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
        p.distinguished_name
            .push(DnType::OrganizationName, "aovpn-diag tests");
        p.distinguished_name.push(DnType::CommonName, leaf.cn);
        for d in &leaf.dns {
            p.subject_alt_names
                .push(SanType::DnsName((*d).try_into().unwrap()));
        }
        for ip in &leaf.ips {
            p.subject_alt_names
                .push(SanType::IpAddress(ip.parse().unwrap()));
        }
        if !leaf.no_eku {
            if leaf.server_auth {
                p.extended_key_usages
                    .push(ExtendedKeyUsagePurpose::ServerAuth);
            } else {
                p.extended_key_usages
                    .push(ExtendedKeyUsagePurpose::ClientAuth);
            }
            if leaf.ike_intermediate {
                p.extended_key_usages
                    .push(ExtendedKeyUsagePurpose::Other(vec![
                        1, 3, 6, 1, 5, 5, 8, 2, 2,
                    ]));
            }
        }
        p.crl_distribution_points.push(rcgen::CrlDistributionPoint {
            uris: vec!["http://crl.example.test/issuing.crl".to_owned()],
        });
        let ((y0, m0, d0), (y1, m1, d1)) = leaf.valid;
        p.not_before = date_time_ymd(y0, m0, d0);
        p.not_after = date_time_ymd(y1, m1, d1);
        let leaf_key = KeyPair::generate().unwrap();
        let cert = p.signed_by(&leaf_key, &inter).unwrap();
        Pki {
            root: root.der().to_vec(),
            intermediate: inter.der().to_vec(),
            leaf: cert.der().to_vec(),
            leaf_key,
        }
    }

    /// The chain a well-configured server sends: server, intermediate.
    pub fn sent(&self) -> Vec<Vec<u8>> {
        vec![self.leaf.clone(), self.intermediate.clone()]
    }

    /// An ECDSA-with-SHA256 signature by the server's key (DER).
    pub fn sign(&self, msg: &[u8]) -> Vec<u8> {
        self.leaf_key.sign(msg).unwrap()
    }
}
