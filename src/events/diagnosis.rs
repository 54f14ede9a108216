//! From a Windows error code to the likely cause, the fix, and the
//! aovpn-diag step that would confirm it. PURE data and lookup.
//!
//! Each entry names its public sources. Abbreviations:
//! - \[TAOV\] Microsoft Learn, "Troubleshoot Always On VPN" (Windows Server
//!   networking troubleshooting, ms.date 2023-12-26), section "Error codes".
//! - \[RRAS\] Microsoft Learn, "Routing and Remote Access Error Codes".
//! - \[SEC\] Microsoft Learn, "System Error Codes (12000-15999)".
//! - \[HICKS\] Richard Hicks, directaccess.richardhicks.com: "Troubleshooting
//!   Always On VPN Error Code 809" (2019-02-14), "Always On VPN Error 13806"
//!   (2021-12-20), "Always On VPN IKEv2 Policy Mismatch Error" (2019-09-02,
//!   13868), "Troubleshooting Always On VPN Error 853", "Troubleshooting
//!   Always On VPN Errors 691 and 812" (2018-02).
//! - \[DOMAIN\] the project's collected field notes (shared/docs/domain.md,
//!   "What the field adds"), themselves from the sources above.
//!
//! `confirm` is a command line with `{server}` standing for the server the
//! client tried (RasClient 20222), or the profile's name when that is all
//! the events say.

use crate::finding::Code;

/// What an error code means for an Always On VPN connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Diagnosis {
    pub code: u32,
    /// The finding code it is reported under.
    pub finding: Code,
    /// The likely cause, in the admin's terms.
    pub cause: &'static str,
    /// What to change.
    pub fix: &'static str,
    /// The aovpn-diag command (or Windows command) that would confirm it.
    pub confirm: &'static str,
}

/// The diagnosis for a code, when there is a specific one.
pub fn lookup(code: u32) -> Option<&'static Diagnosis> {
    TABLE.iter().find(|d| d.code == code)
}

/// The confirm command with the server filled in.
pub fn confirm_for(d: &Diagnosis, server: &str) -> String {
    d.confirm.replace("{server}", server)
}

pub const TABLE: &[Diagnosis] = &[
    // [RRAS] ERROR_VPN_TIMEOUT; [TAOV] "Error 809": UDP 500 or 4500 blocked on
    // the way; [HICKS] 809: also load balancers that split UDP 500/4500 and
    // IKE_AUTH lost as IP fragments; [DOMAIN].
    Diagnosis {
        code: 809,
        finding: Code::RasClient809,
        cause: "the VPN server never answered: UDP 500 or 4500 blocked on the way, IKE_AUTH lost as IP fragments, or a load balancer sending UDP 500 and 4500 to different servers",
        fix: "run the check below from the same network as the client; it tells which of these it is (open UDP 500/4500, enable IKEv2 fragmentation or allow fragments, or fix load-balancer persistence)",
        confirm: "aovpn-diag check {server}",
    },
    // [RRAS] ERROR_AUTOMATIC_VPN_FAILED; [TAOV] "Error 800": tunnel type
    // Automatic and every tunnel failed; check UDP 500/4500 and certificates.
    Diagnosis {
        code: 800,
        finding: Code::RasClient800,
        cause: "with the tunnel type Automatic, every tunnel type failed: often the server is unreachable, or IKE's security parameters or certificates do not fit",
        fix: "set the profile to the one tunnel type the server offers (IKEv2) so the real error shows, and make sure UDP 500 and 4500 reach the server",
        confirm: "aovpn-diag check {server}",
    },
    // [RRAS] ERROR_SERVER_POLICY; [TAOV] "Error 812": the NPS specified an
    // authentication condition the client cannot meet (server event 20276);
    // [DOMAIN] NPS event 6273 with its reason code; [HICKS] 691/812 on 2012 R2
    // with TLS 1.0 disabled.
    Diagnosis {
        code: 812,
        finding: Code::RasClient812,
        cause: "the NPS network policy demands an authentication method or condition this client does not meet (e.g. PEAP with certificates while the client offers EAP-MSCHAPv2)",
        fix: "make the profile's EAP settings and the NPS network policy's authentication methods and conditions match; the NPS server's event 6273 names the reason code",
        confirm: "on the NPS server: aovpn-diag events Security.evtx (event 6273, reason code), or Get-WinEvent -FilterHashtable @{LogName='Security';Id=6273}",
    },
    // [RRAS] ERROR_EAP_USER_CERT_INVALID; [HICKS] 853: the issuing CA is
    // missing from the NPS server's NTAuth store.
    Diagnosis {
        code: 853,
        finding: Code::RasClient853,
        cause: "the NPS server does not accept the client's user certificate: most often its issuing CA is missing from the NTAuth store of the NPS server",
        fix: "publish the issuing CA in NTAuth (certutil -dspublish -f issuing-ca.cer NTAuthCA) and check with certutil -enterprise -viewstore NTAuth on the NPS server",
        confirm: "on the NPS server: certutil -enterprise -viewstore NTAuth",
    },
    // [RRAS] ERROR_AUTHENTICATION_FAILURE; [HICKS] 691 (SSTP) / 812 (IKEv2)
    // when TLS 1.0 is disabled on a Windows Server 2012 R2 RRAS server.
    Diagnosis {
        code: 691,
        finding: Code::RasClient691,
        cause: "the server refused the user's credentials (wrong name or password, or an authentication method the server does not permit)",
        fix: "check the user's account and the NPS network policy (event 6273 on the NPS server names the reason); on Windows Server 2012 R2 RRAS with EAP certificates, TLS 1.0 must stay enabled",
        confirm: "on the NPS server: aovpn-diag events Security.evtx (event 6273)",
    },
    // [RRAS] ERROR_DNSNAME_NOT_RESOLVABLE.
    Diagnosis {
        code: 868,
        finding: Code::RasClient868,
        cause: "the VPN server's name in the profile does not resolve on the client's network",
        fix: "publish the name in public DNS (A and AAAA) or correct the server name in the VPN profile",
        confirm: "aovpn-diag check {server}",
    },
    // [SEC] ERROR_IPSEC_IKE_AUTH_FAIL; [TAOV] "Error 13801": server
    // certificate without Server Authentication EKU, expired, client lacks
    // its root, or the name dialled is not the certificate's subject name.
    Diagnosis {
        code: 13801,
        finding: Code::RasClient13801,
        cause: "IKE authentication failed on the certificates: the VPN server's certificate lacks the Server Authentication EKU, has expired, chains to a root the client does not trust, or does not carry the name the client dials",
        fix: "give the VPN server a valid certificate with Server Authentication (and IP security IKE intermediate) EKUs whose subject/SAN is the public name in the profile, and install its root on the clients",
        confirm: "aovpn-diag probe {server}  (the server answers IKE_AUTH: the path is fine, the certificates are not); then certutil -verify on the server certificate",
    },
    // [SEC] ERROR_IPSEC_IKE_NO_CERT; [TAOV] "Error 13806": the VPN server
    // lacks the machine certificate or its root; [HICKS] 13806: for the
    // device tunnel, the client lacks a valid device certificate (Client
    // Authentication EKU, subject = FQDN) or the CA chain. The sources point
    // at different sides; both are checked.
    Diagnosis {
        code: 13806,
        finding: Code::RasClient13806,
        cause: "IKE found no valid machine certificate: on the client (device tunnel: no Client Authentication certificate for the computer, or its chain is not trusted) or on the VPN server (no machine certificate or root); Microsoft's and Hicks' notes name different sides",
        fix: "install a valid machine certificate with the right EKU and its root/intermediate CAs on the side that lacks it (client: Local Computer\\Personal; server: the certificate RRAS uses for IKEv2)",
        confirm: "on the client: certutil -store My (computer store); on the server: Get-RemoteAccess | Select SslCertificate, certlm.msc",
    },
    // [SEC] ERROR_IPSEC_IKE_CRL_FAILED; [DOMAIN] 13817/13848 are CRL checks.
    Diagnosis {
        code: 13817,
        finding: Code::RasClient13817,
        cause: "the revocation check of a certificate failed here: the CRL (distribution point in the certificate) could not be reached or has expired",
        fix: "publish a current CRL at a distribution point the checking side can reach (for clients: reachable from the internet before the tunnel is up)",
        confirm: "certutil -verify -urlfetch <certificate file> on the side that failed",
    },
    // [SEC] ERROR_IPSEC_IKE_PEER_CRL_FAILED; [DOMAIN] CertAuthFlags=4 turns
    // on CRL checks of client certificates on RRAS.
    Diagnosis {
        code: 13848,
        finding: Code::RasClient13848,
        cause: "the revocation check of the peer's certificate failed: the CRL could not be fetched or the certificate is revoked (on RRAS, CRL checks of client certificates run with CertAuthFlags=4)",
        fix: "make the CRL distribution point reachable from the side that checks it and keep the CRL current; revoked certificates must be reissued",
        confirm: "certutil -verify -urlfetch <peer certificate>",
    },
    // [SEC] ERROR_IPSEC_IKE_INVALID_KEY_USAGE; [DOMAIN] Server Authentication
    // EKU required, IP security IKE intermediate recommended.
    Diagnosis {
        code: 13818,
        finding: Code::RasClient13818,
        cause: "a certificate's key usage or enhanced key usage does not allow IKE: the server certificate needs Server Authentication (and IP security IKE intermediate, 1.3.6.1.5.5.8.2.2), the device certificate Client Authentication",
        fix: "reissue the certificate from a template with the right EKUs and key usage (digital signature, key encipherment)",
        confirm: "certutil -dump <certificate> (look at Enhanced Key Usage and Key Usage)",
    },
    // [SEC] ERROR_IPSEC_IKE_INVALID_PAYLOAD.
    Diagnosis {
        code: 13843,
        finding: Code::RasClient13843,
        cause: "an IKE message arrived malformed or with a payload the client did not expect (a middlebox altering UDP 500/4500, or a gateway implementation mismatch)",
        fix: "capture the attempt and check what the server sent; bypass devices that inspect or rewrite IKE",
        confirm: "aovpn-diag pcap <capture of the attempt>",
    },
    // [SEC] ERROR_IPSEC_IKE_NO_PEER_CERT.
    Diagnosis {
        code: 13847,
        finding: Code::RasClient13847,
        cause: "the VPN server sent no valid machine certificate in IKE_AUTH (no certificate bound to IKEv2 on the server, or one the client cannot use)",
        fix: "bind a valid server certificate to IKEv2 on the VPN server (RRAS: Set-RemoteAccess -SslCertificate / the IKEv2 certificate in RRAS properties)",
        confirm: "aovpn-diag pcap <capture of the attempt> (IKE_AUTH response without CERT)",
    },
    // [SEC] ERROR_IPSEC_IKE_POLICY_MATCH; [HICKS] 13868: the client's IKEv2
    // security policy does not match the server's
    // (Get-VpnServerIPsecConfiguration vs Get-VpnConnection IPsecCustomPolicy).
    Diagnosis {
        code: 13868,
        finding: Code::RasClient13868,
        cause: "the client's IKEv2 crypto set (custom IPsec policy) and the server's do not share a proposal",
        fix: "make the profile's IPsec policy (Set-VpnConnectionIPsecConfiguration or ProfileXML CryptographySuite) match the server's (Get-VpnServerIPsecConfiguration / Set-VpnServerConfiguration -CustomPolicy)",
        confirm: "aovpn-diag probe {server} --proposals all; aovpn-diag profile",
    },
    // [SEC] ERROR_IPSEC_IKE_CERT_CHAIN_POLICY_MISMATCH; [DOMAIN]
    // "certificate chain policy mismatch".
    Diagnosis {
        code: 13887,
        finding: Code::RasClient13887,
        cause: "a certificate does not chain to the root CA that the IPsec policy accepts (the server restricts client certificates to a root, e.g. Set-VpnAuthProtocol -RootCertificateNameToAccept, or the client's chain is incomplete)",
        fix: "issue the certificate from the CA the policy names, or name the right root in the server's policy, and install the intermediates",
        confirm: "on the server: Get-VpnAuthProtocol (RootCertificateNameToAccept); certutil -verify <certificate>",
    },
    // [TAOV] "Error 0x800B0109": the client lacks the trusted root CA.
    Diagnosis {
        code: 0x800B_0109,
        finding: Code::RasClientUntrustedRoot,
        cause: "the client does not trust the root CA of the VPN server's certificate chain (typical for computers not joined to the domain, or an alternative chain)",
        fix: "install the root CA certificate in the client's Trusted Root Certification Authorities store (Local Computer)",
        confirm: "certutil -verify <server certificate> on the client",
    },
    // [TAOV] "Error 0x80070040": the server certificate lacks Server
    // Authentication; as an HRESULT of Win32 error 64 it reads
    // ERROR_NETNAME_DELETED — the sources disagree, TAOV's reading is used.
    Diagnosis {
        code: 0x8007_0040,
        finding: Code::RasClientNoServerAuthEku,
        cause: "per Microsoft's troubleshooting guide, the VPN server's certificate lacks Server Authentication in its usage entries (the code itself is the HRESULT of Win32 error 64, ERROR_NETNAME_DELETED)",
        fix: "give the VPN server a certificate with the Server Authentication EKU and bind it to IKEv2",
        confirm: "certutil -dump <server certificate>",
    },
    // [SEC] ERROR_IPSEC_IKE_TIMED_OUT / ERROR_IPSEC_IKE_DROP_NO_RESPONSE:
    // the same silence as 809, seen by IKE itself.
    Diagnosis {
        code: 13805,
        finding: Code::RasClientError,
        cause: "IKE negotiation timed out: the server stopped answering (blocked UDP 4500, lost IP fragments, or a split load balancer)",
        fix: "run the check below; it tells which",
        confirm: "aovpn-diag check {server}",
    },
    Diagnosis {
        code: 13813,
        finding: Code::RasClientError,
        cause: "no response from the peer: the IKE messages never got an answer (blocked UDP 500/4500, lost IP fragments)",
        fix: "run the check below; it tells which",
        confirm: "aovpn-diag check {server}",
    },
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::errors;

    /// Every mapped code is a known Windows error and each code maps once.
    #[test]
    fn every_mapping_names_a_known_error_once() {
        let mut seen = std::collections::HashSet::new();
        for d in TABLE {
            assert!(seen.insert(d.code), "{} twice", d.code);
            assert!(errors::lookup(d.code).is_some(), "{} has no name", d.code);
            assert!(!d.cause.is_empty() && !d.fix.is_empty() && !d.confirm.is_empty());
        }
    }

    /// The list of codes, each with its own finding code (or the
    /// shared one for the IKE timeouts), and the step that confirms it.
    #[test]
    fn each_required_code_maps_to_its_finding_and_confirming_step() {
        let cases: &[(u32, Code, &str)] = &[
            (809, Code::RasClient809, "aovpn-diag check vpn.example.com"),
            (812, Code::RasClient812, "6273"),
            (853, Code::RasClient853, "NTAuth"),
            (691, Code::RasClient691, "6273"),
            (
                13801,
                Code::RasClient13801,
                "aovpn-diag probe vpn.example.com",
            ),
            (13806, Code::RasClient13806, "certutil -store My"),
            (13817, Code::RasClient13817, "-urlfetch"),
            (13848, Code::RasClient13848, "-urlfetch"),
            (13818, Code::RasClient13818, "Enhanced Key Usage"),
            (13843, Code::RasClient13843, "aovpn-diag pcap"),
            (13847, Code::RasClient13847, "aovpn-diag pcap"),
            (
                13868,
                Code::RasClient13868,
                "aovpn-diag probe vpn.example.com --proposals all",
            ),
            (13887, Code::RasClient13887, "RootCertificateNameToAccept"),
            (
                0x800B_0109,
                Code::RasClientUntrustedRoot,
                "certutil -verify",
            ),
            (
                0x8007_0040,
                Code::RasClientNoServerAuthEku,
                "certutil -dump",
            ),
            (868, Code::RasClient868, "aovpn-diag check vpn.example.com"),
            (800, Code::RasClient800, "aovpn-diag check vpn.example.com"),
            (
                13805,
                Code::RasClientError,
                "aovpn-diag check vpn.example.com",
            ),
            (
                13813,
                Code::RasClientError,
                "aovpn-diag check vpn.example.com",
            ),
        ];
        for (code, finding, confirm) in cases {
            let d = lookup(*code).unwrap_or_else(|| panic!("{code} unmapped"));
            assert_eq!(d.finding, *finding, "{code}");
            let c = confirm_for(d, "vpn.example.com");
            assert!(c.contains(confirm), "{code}: {c}");
        }
        assert_eq!(TABLE.len(), cases.len(), "a mapping without a test case");
        assert!(lookup(13804).is_none());
    }
}
