//! Names and Windows' own messages for the error codes RasClient and the WFP
//! IKE failure events carry. PURE data.
//!
//! Sources (Microsoft Learn, read 2026-11):
//! - RAS: "Routing and Remote Access Error Codes" (raserror.h), codes 600-870.
//! - IPsec/IKE: "System Error Codes (12000-15999)" (winerror.h), 13800-13932;
//!   the `failureErrorCode` of a WFP IKE failure event is one of these.
//! - Certificates: "Troubleshoot Always On VPN" for 0x800B0109 and 0x80070040.
//!
//! The messages are the text Windows itself shows (FormatMessage), so a
//! helpdesk recognises them.

/// A Windows error code with its symbolic name and Windows' message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WinError {
    pub code: u32,
    pub name: &'static str,
    pub text: &'static str,
}

/// Parses an error code as Windows writes it: decimal (`809`), a signed
/// decimal HRESULT (`-2146762487`) or hexadecimal (`0x800B0109`).
pub fn parse_code(s: &str) -> Option<u32> {
    let s = s.trim();
    if let Some(hex) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        return u32::from_str_radix(hex, 16).ok();
    }
    if let Ok(v) = s.parse::<u32>() {
        return Some(v);
    }
    s.parse::<i32>().ok().map(|v| v as u32)
}

/// How a code is shown: decimal for Win32/RAS codes, hex for HRESULTs.
pub fn display_code(code: u32) -> String {
    if code >= 0x8000_0000 {
        format!("0x{code:08X}")
    } else {
        code.to_string()
    }
}

/// The name and message of a known code.
pub fn lookup(code: u32) -> Option<&'static WinError> {
    TABLE.iter().find(|e| e.code == code)
}

macro_rules! table {
    ($( $code:literal $name:ident $text:literal ),* $(,)?) => {
        /// Every code this module knows, ascending.
        pub const TABLE: &[WinError] = &[ $( WinError { code: $code, name: stringify!($name), text: $text } ),* ];
    };
}

table! {
    // ---- Routing and Remote Access Error Codes (raserror.h) ----
    691 ERROR_AUTHENTICATION_FAILURE "Access denied because the user name, password, or both is not valid on the domain.",
    800 ERROR_AUTOMATIC_VPN_FAILED "Unable to establish the VPN connection. The VPN server may be unreachable, or security parameters may not be configured properly for this connection.",
    807 ERROR_VPN_DISCONNECT "The network connection between your computer and the VPN server was interrupted. This can be caused by a problem in the VPN transmission and is commonly the result of internet latency or simply that your VPN server has reached capacity.",
    808 ERROR_VPN_REFUSED "The network connection between your computer and the VPN server could not be established because the remote server refused the connection. This is typically caused by a mismatch between the server's configuration and your connection settings.",
    809 ERROR_VPN_TIMEOUT "The network connection between your computer and the VPN server could not be established because the remote server is not responding. This could be because one of the network devices (for example, firewalls, NAT, routers) between your computer and the remote server is not configured to allow VPN connections.",
    810 ERROR_VPN_BAD_CERT "A network connection between your computer and the VPN server was started, but the VPN connection was not completed. This is typically caused by the use of an incorrect or expired certificate for authentication between the client and the server.",
    812 ERROR_SERVER_POLICY "The connection was prevented because of a policy configured on your RAS/VPN server. Specifically, the authentication method used by the server to verify your username and password may not match the authentication method configured in your connection profile.",
    828 ERROR_IDLE_TIMEOUT "The connection was terminated because of idle timeout.",
    829 ERROR_LINK_FAILURE "The modem (or other connecting device) was disconnected due to link failure.",
    830 ERROR_USER_LOGOFF "The connection was terminated because user logged off.",
    831 ERROR_FAST_USER_SWITCH "The connection was terminated because user switch happened.",
    832 ERROR_HIBERNATION "The connection was terminated because of hibernation.",
    833 ERROR_SYSTEM_SUSPENDED "The connection was terminated because the system got suspended.",
    834 ERROR_RASMAN_SERVICE_STOPPED "The connection was terminated because Remote Access Connection manager stopped.",
    853 ERROR_EAP_USER_CERT_INVALID "The remote access connection completed, but authentication failed because the certificate that authenticates the client to the server is not valid.",
    854 ERROR_EAP_USER_CERT_EXPIRED "The remote access connection completed, but authentication failed because the certificate that authenticates the client to the server is expired.",
    855 ERROR_EAP_USER_CERT_REVOKED "The remote access connection completed, but authentication failed because the certificate that authenticates the client to the server is revoked.",
    857 ERROR_EAP_SERVER_CERT_INVALID "The remote access connection completed, but authentication failed because the certificate that the client uses to authenticate the server is not valid.",
    864 ERROR_EAP_SERVER_ROOT_CERT_NOT_FOUND "The remote access connection completed, but authentication failed because a certificate that validates the server certificate was not found in the Trusted Root Certification Authorities certificate store.",
    868 ERROR_DNSNAME_NOT_RESOLVABLE "The remote connection was not made because the name of the remote access server did not resolve.",
    // ---- System Error Codes (12000-15999), IKE negotiation status ----
    13801 ERROR_IPSEC_IKE_AUTH_FAIL "IKE authentication credentials are unacceptable.",
    13802 ERROR_IPSEC_IKE_ATTRIB_FAIL "IKE security attributes are unacceptable.",
    13803 ERROR_IPSEC_IKE_NEGOTIATION_PENDING "IKE Negotiation in progress.",
    13804 ERROR_IPSEC_IKE_GENERAL_PROCESSING_ERROR "General processing error.",
    13805 ERROR_IPSEC_IKE_TIMED_OUT "Negotiation timed out.",
    13806 ERROR_IPSEC_IKE_NO_CERT "IKE failed to find valid machine certificate. Contact your Network Security Administrator about installing a valid certificate in the appropriate Certificate Store.",
    13807 ERROR_IPSEC_IKE_SA_DELETED "IKE SA deleted by peer before establishment completed.",
    13808 ERROR_IPSEC_IKE_SA_REAPED "IKE SA deleted before establishment completed.",
    13813 ERROR_IPSEC_IKE_DROP_NO_RESPONSE "No response from peer.",
    13814 ERROR_IPSEC_IKE_MM_DELAY_DROP "Negotiation took too long.",
    13816 ERROR_IPSEC_IKE_ERROR "Unknown error occurred.",
    13817 ERROR_IPSEC_IKE_CRL_FAILED "Certificate Revocation Check failed.",
    13818 ERROR_IPSEC_IKE_INVALID_KEY_USAGE "Invalid certificate key usage.",
    13819 ERROR_IPSEC_IKE_INVALID_CERT_TYPE "Invalid certificate type.",
    13820 ERROR_IPSEC_IKE_NO_PRIVATE_KEY "IKE negotiation failed because the machine certificate used does not have a private key. IPsec certificates require a private key.",
    13822 ERROR_IPSEC_IKE_DH_FAIL "Failure in Diffie-Hellman computation.",
    13823 ERROR_IPSEC_IKE_CRITICAL_PAYLOAD_NOT_RECOGNIZED "Don't know how to process critical payload.",
    13824 ERROR_IPSEC_IKE_INVALID_HEADER "Invalid header.",
    13825 ERROR_IPSEC_IKE_NO_POLICY "No policy configured.",
    13826 ERROR_IPSEC_IKE_INVALID_SIGNATURE "Failed to verify signature.",
    13827 ERROR_IPSEC_IKE_KERBEROS_ERROR "Failed to authenticate using Kerberos.",
    13828 ERROR_IPSEC_IKE_NO_PUBLIC_KEY "Peer's certificate did not have a public key.",
    13829 ERROR_IPSEC_IKE_PROCESS_ERR "Error processing error payload.",
    13830 ERROR_IPSEC_IKE_PROCESS_ERR_SA "Error processing SA payload.",
    13831 ERROR_IPSEC_IKE_PROCESS_ERR_PROP "Error processing Proposal payload.",
    13832 ERROR_IPSEC_IKE_PROCESS_ERR_TRANS "Error processing Transform payload.",
    13833 ERROR_IPSEC_IKE_PROCESS_ERR_KE "Error processing KE payload.",
    13834 ERROR_IPSEC_IKE_PROCESS_ERR_ID "Error processing ID payload.",
    13835 ERROR_IPSEC_IKE_PROCESS_ERR_CERT "Error processing Cert payload.",
    13836 ERROR_IPSEC_IKE_PROCESS_ERR_CERT_REQ "Error processing Certificate Request payload.",
    13837 ERROR_IPSEC_IKE_PROCESS_ERR_HASH "Error processing Hash payload.",
    13838 ERROR_IPSEC_IKE_PROCESS_ERR_SIG "Error processing Signature payload.",
    13839 ERROR_IPSEC_IKE_PROCESS_ERR_NONCE "Error processing Nonce payload.",
    13840 ERROR_IPSEC_IKE_PROCESS_ERR_NOTIFY "Error processing Notify payload.",
    13841 ERROR_IPSEC_IKE_PROCESS_ERR_DELETE "Error processing Delete Payload.",
    13842 ERROR_IPSEC_IKE_PROCESS_ERR_VENDOR "Error processing VendorId payload.",
    13843 ERROR_IPSEC_IKE_INVALID_PAYLOAD "Invalid payload received.",
    13846 ERROR_IPSEC_IKE_INVALID_COOKIE "Invalid cookie received.",
    13847 ERROR_IPSEC_IKE_NO_PEER_CERT "Peer failed to send valid machine certificate.",
    13848 ERROR_IPSEC_IKE_PEER_CRL_FAILED "Certification Revocation check of peer's certificate failed.",
    13849 ERROR_IPSEC_IKE_POLICY_CHANGE "New policy invalidated SAs formed with old policy.",
    13850 ERROR_IPSEC_IKE_NO_MM_POLICY "There is no available Main Mode IKE policy.",
    13861 ERROR_IPSEC_IKE_INVALID_POLICY "Invalid policy.",
    13864 ERROR_IPSEC_IKE_DH_FAILURE "Diffie-Hellman failure.",
    13865 ERROR_IPSEC_IKE_INVALID_GROUP "Invalid Diffie-Hellman group.",
    13866 ERROR_IPSEC_IKE_ENCRYPT "Error encrypting payload.",
    13867 ERROR_IPSEC_IKE_DECRYPT "Error decrypting payload.",
    13868 ERROR_IPSEC_IKE_POLICY_MATCH "Policy match error.",
    13869 ERROR_IPSEC_IKE_UNSUPPORTED_ID "Unsupported ID.",
    13870 ERROR_IPSEC_IKE_INVALID_HASH "Hash verification failed.",
    13871 ERROR_IPSEC_IKE_INVALID_HASH_ALG "Invalid hash algorithm.",
    13872 ERROR_IPSEC_IKE_INVALID_HASH_SIZE "Invalid hash size.",
    13873 ERROR_IPSEC_IKE_INVALID_ENCRYPT_ALG "Invalid encryption algorithm.",
    13874 ERROR_IPSEC_IKE_INVALID_AUTH_ALG "Invalid authentication algorithm.",
    13875 ERROR_IPSEC_IKE_INVALID_SIG "Invalid certificate signature.",
    13880 ERROR_IPSEC_IKE_INVALID_MAJOR_VERSION "The recipient cannot handle version of IKE specified in the header.",
    13881 ERROR_IPSEC_IKE_INVALID_CERT_KEYLEN "Key length in certificate is too small for configured security requirements.",
    13882 ERROR_IPSEC_IKE_MM_LIMIT "Max number of established MM SAs to peer exceeded.",
    13885 ERROR_IPSEC_IKE_MM_EXPIRED "Main mode SA lifetime expired or peer sent a main mode delete.",
    13886 ERROR_IPSEC_IKE_PEER_MM_ASSUMED_INVALID "Main mode SA assumed to be invalid because peer stopped responding.",
    13887 ERROR_IPSEC_IKE_CERT_CHAIN_POLICY_MISMATCH "Certificate doesn't chain to a trusted root in IPsec policy.",
    13888 ERROR_IPSEC_IKE_UNEXPECTED_MESSAGE_ID "Received unexpected message ID.",
    13889 ERROR_IPSEC_IKE_INVALID_AUTH_PAYLOAD "Received invalid authentication offers.",
    13890 ERROR_IPSEC_IKE_DOS_COOKIE_SENT "Sent DoS cookie notify to initiator.",
    13891 ERROR_IPSEC_IKE_SHUTTING_DOWN "IKE service is shutting down.",
    13893 ERROR_IPSEC_IKE_PROCESS_ERR_NATOA "Error processing NatOA payload.",
    13899 ERROR_IPSEC_IKE_INNER_IP_ASSIGNMENT_FAILURE "Error in assigning inner IP address to initiator in tunnel mode.",
    13900 ERROR_IPSEC_IKE_REQUIRE_CP_PAYLOAD_MISSING "Require configuration payload missing.",
    13903 ERROR_IPSEC_IKE_RATELIMIT_DROP "Incoming SA request was dropped due to peer IP address rate limiting.",
    13904 ERROR_IPSEC_IKE_PEER_DOESNT_SUPPORT_MOBIKE "Peer does not support MOBIKE.",
    13905 ERROR_IPSEC_IKE_AUTHORIZATION_FAILURE "SA establishment is not authorized.",
    13907 ERROR_IPSEC_IKE_AUTHORIZATION_FAILURE_WITH_OPTIONAL_RETRY "SA establishment is not authorized. You may need to enter updated or different credentials such as a smartcard.",
    // ---- HRESULTs that "Troubleshoot Always On VPN" lists ----
    0x80070040 HRESULT_0x80070040 "Troubleshoot Always On VPN: the server certificate doesn't have Server Authentication in its usage entries. (As a Win32 code, 64 is ERROR_NETNAME_DELETED, \"The specified network name is no longer available\"; the sources disagree.)",
    0x800B0109 CERT_E_UNTRUSTEDROOT "A certificate chain processed, but terminated in a root certificate which is not trusted by the trust provider.",
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_parse_in_every_form_windows_writes() {
        assert_eq!(parse_code("809"), Some(809));
        assert_eq!(parse_code(" 13801 "), Some(13801));
        assert_eq!(parse_code("0x800B0109"), Some(0x800B_0109));
        assert_eq!(parse_code("-2146762487"), Some(0x800B_0109));
        assert_eq!(parse_code("0x000035e9"), Some(13801));
        assert_eq!(parse_code("ERROR_VPN_TIMEOUT"), None);
        assert_eq!(parse_code(""), None);
    }

    #[test]
    fn the_table_is_sorted_unique_and_named_by_the_headers() {
        for w in TABLE.windows(2) {
            assert!(w[0].code < w[1].code, "{} then {}", w[0].code, w[1].code);
        }
        // Spot checks against winerror.h / raserror.h values.
        assert_eq!(lookup(809).unwrap().name, "ERROR_VPN_TIMEOUT");
        assert_eq!(lookup(13801).unwrap().name, "ERROR_IPSEC_IKE_AUTH_FAIL");
        assert_eq!(lookup(13868).unwrap().name, "ERROR_IPSEC_IKE_POLICY_MATCH");
        assert_eq!(
            lookup(13887).unwrap().name,
            "ERROR_IPSEC_IKE_CERT_CHAIN_POLICY_MISMATCH"
        );
        assert_eq!(lookup(0x800B_0109).unwrap().name, "CERT_E_UNTRUSTEDROOT");
        assert!(lookup(1).is_none());
        assert_eq!(display_code(809), "809");
        assert_eq!(display_code(0x800B_0109), "0x800B0109");
    }
}
