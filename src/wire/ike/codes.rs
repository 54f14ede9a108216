//! IANA "Internet Key Exchange Version 2 (IKEv2) Parameters" code points.
//!
//! Each registry is a newtype over the raw integer (as ipsec-parser does) so a
//! value the table does not know still parses, compares and prints as its
//! number: a capture from a newer peer must never fail because of a new code.

use std::fmt;

macro_rules! code_points {
    (
        $(#[$meta:meta])*
        $name:ident($int:ty), unknown = $unknown:literal {
            $( $(#[$cmeta:meta])* $konst:ident = $value:literal => $text:literal, )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
        pub struct $name(pub $int);

        #[allow(dead_code)]
        impl $name {
            $( $(#[$cmeta])* pub const $konst: $name = $name($value); )*

            /// The registry's name for this value, if the table knows it.
            pub fn name(self) -> Option<&'static str> {
                match self.0 {
                    $( $value => Some($text), )*
                    _ => None,
                }
            }

            /// Looks a value up by its registry name (case-insensitive).
            pub fn from_name(name: &str) -> Option<Self> {
                $( if name.eq_ignore_ascii_case($text) { return Some($name($value)); } )*
                None
            }
        }

        /// The registry name, or `<unknown>(<number>)` for values the table lacks.
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                match self.name() {
                    Some(n) => f.write_str(n),
                    None => write!(f, concat!($unknown, "({})"), self.0),
                }
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({}={})", stringify!($name), self, self.0)
            }
        }
    };
}

code_points! {
    /// Exchange type, RFC 7296 §3.1 (IKEv1 values from RFC 2408 §3.1 / RFC 2409,
    /// so an IKEv1 header can be named too).
    ExchangeType(u8), unknown = "EXCHANGE" {
        V1_BASE = 1 => "IKEv1 Base",
        V1_MAIN_MODE = 2 => "IKEv1 Main Mode",
        V1_AUTH_ONLY = 3 => "IKEv1 Authentication Only",
        V1_AGGRESSIVE = 4 => "IKEv1 Aggressive Mode",
        V1_INFORMATIONAL = 5 => "IKEv1 Informational",
        V1_QUICK_MODE = 32 => "IKEv1 Quick Mode",
        V1_NEW_GROUP = 33 => "IKEv1 New Group Mode",
        IKE_SA_INIT = 34 => "IKE_SA_INIT",
        IKE_AUTH = 35 => "IKE_AUTH",
        CREATE_CHILD_SA = 36 => "CREATE_CHILD_SA",
        INFORMATIONAL = 37 => "INFORMATIONAL",
        IKE_SESSION_RESUME = 38 => "IKE_SESSION_RESUME",
        GSA_AUTH = 39 => "GSA_AUTH",
        GSA_REGISTRATION = 40 => "GSA_REGISTRATION",
        GSA_REKEY = 41 => "GSA_REKEY",
        IKE_INTERMEDIATE = 43 => "IKE_INTERMEDIATE",
        IKE_FOLLOWUP_KE = 44 => "IKE_FOLLOWUP_KE",
    }
}

code_points! {
    /// Payload type ("Next Payload"), RFC 7296 §3.2; 53 SKF from RFC 7383 §2.5.
    PayloadType(u8), unknown = "PAYLOAD" {
        NONE = 0 => "NONE",
        SA = 33 => "SA",
        KE = 34 => "KE",
        IDI = 35 => "IDi",
        IDR = 36 => "IDr",
        CERT = 37 => "CERT",
        CERTREQ = 38 => "CERTREQ",
        AUTH = 39 => "AUTH",
        NONCE = 40 => "Nonce",
        NOTIFY = 41 => "Notify",
        DELETE = 42 => "Delete",
        VENDOR_ID = 43 => "Vendor ID",
        TSI = 44 => "TSi",
        TSR = 45 => "TSr",
        SK = 46 => "SK",
        CP = 47 => "CP",
        EAP = 48 => "EAP",
        GSPM = 49 => "GSPM",
        IDG = 50 => "IDg",
        GSA = 51 => "GSA",
        KD = 52 => "KD",
        SKF = 53 => "SKF",
        PS = 54 => "PS",
    }
}

code_points! {
    /// Notify message type, RFC 7296 §3.10.1 and the IANA registry
    /// (errors below 16384, status messages from 16384 on).
    NotifyType(u16), unknown = "NOTIFY" {
        UNSUPPORTED_CRITICAL_PAYLOAD = 1 => "UNSUPPORTED_CRITICAL_PAYLOAD",
        INVALID_IKE_SPI = 4 => "INVALID_IKE_SPI",
        INVALID_MAJOR_VERSION = 5 => "INVALID_MAJOR_VERSION",
        INVALID_SYNTAX = 7 => "INVALID_SYNTAX",
        INVALID_MESSAGE_ID = 9 => "INVALID_MESSAGE_ID",
        INVALID_SPI = 11 => "INVALID_SPI",
        NO_PROPOSAL_CHOSEN = 14 => "NO_PROPOSAL_CHOSEN",
        INVALID_KE_PAYLOAD = 17 => "INVALID_KE_PAYLOAD",
        AUTHENTICATION_FAILED = 24 => "AUTHENTICATION_FAILED",
        SINGLE_PAIR_REQUIRED = 34 => "SINGLE_PAIR_REQUIRED",
        NO_ADDITIONAL_SAS = 35 => "NO_ADDITIONAL_SAS",
        INTERNAL_ADDRESS_FAILURE = 36 => "INTERNAL_ADDRESS_FAILURE",
        FAILED_CP_REQUIRED = 37 => "FAILED_CP_REQUIRED",
        TS_UNACCEPTABLE = 38 => "TS_UNACCEPTABLE",
        INVALID_SELECTORS = 39 => "INVALID_SELECTORS",
        UNACCEPTABLE_ADDRESSES = 40 => "UNACCEPTABLE_ADDRESSES",
        UNEXPECTED_NAT_DETECTED = 41 => "UNEXPECTED_NAT_DETECTED",
        USE_ASSIGNED_HOA = 42 => "USE_ASSIGNED_HoA",
        TEMPORARY_FAILURE = 43 => "TEMPORARY_FAILURE",
        CHILD_SA_NOT_FOUND = 44 => "CHILD_SA_NOT_FOUND",
        INVALID_GROUP_ID = 45 => "INVALID_GROUP_ID",
        AUTHORIZATION_FAILED = 46 => "AUTHORIZATION_FAILED",
        STATE_NOT_FOUND = 47 => "STATE_NOT_FOUND",
        INITIAL_CONTACT = 16384 => "INITIAL_CONTACT",
        SET_WINDOW_SIZE = 16385 => "SET_WINDOW_SIZE",
        ADDITIONAL_TS_POSSIBLE = 16386 => "ADDITIONAL_TS_POSSIBLE",
        IPCOMP_SUPPORTED = 16387 => "IPCOMP_SUPPORTED",
        NAT_DETECTION_SOURCE_IP = 16388 => "NAT_DETECTION_SOURCE_IP",
        NAT_DETECTION_DESTINATION_IP = 16389 => "NAT_DETECTION_DESTINATION_IP",
        COOKIE = 16390 => "COOKIE",
        USE_TRANSPORT_MODE = 16391 => "USE_TRANSPORT_MODE",
        HTTP_CERT_LOOKUP_SUPPORTED = 16392 => "HTTP_CERT_LOOKUP_SUPPORTED",
        REKEY_SA = 16393 => "REKEY_SA",
        ESP_TFC_PADDING_NOT_SUPPORTED = 16394 => "ESP_TFC_PADDING_NOT_SUPPORTED",
        NON_FIRST_FRAGMENTS_ALSO = 16395 => "NON_FIRST_FRAGMENTS_ALSO",
        MOBIKE_SUPPORTED = 16396 => "MOBIKE_SUPPORTED",
        ADDITIONAL_IP4_ADDRESS = 16397 => "ADDITIONAL_IP4_ADDRESS",
        ADDITIONAL_IP6_ADDRESS = 16398 => "ADDITIONAL_IP6_ADDRESS",
        NO_ADDITIONAL_ADDRESSES = 16399 => "NO_ADDITIONAL_ADDRESSES",
        UPDATE_SA_ADDRESSES = 16400 => "UPDATE_SA_ADDRESSES",
        COOKIE2 = 16401 => "COOKIE2",
        NO_NATS_ALLOWED = 16402 => "NO_NATS_ALLOWED",
        AUTH_LIFETIME = 16403 => "AUTH_LIFETIME",
        MULTIPLE_AUTH_SUPPORTED = 16404 => "MULTIPLE_AUTH_SUPPORTED",
        ANOTHER_AUTH_FOLLOWS = 16405 => "ANOTHER_AUTH_FOLLOWS",
        REDIRECT_SUPPORTED = 16406 => "REDIRECT_SUPPORTED",
        REDIRECT = 16407 => "REDIRECT",
        REDIRECTED_FROM = 16408 => "REDIRECTED_FROM",
        TICKET_LT_OPAQUE = 16409 => "TICKET_LT_OPAQUE",
        TICKET_REQUEST = 16410 => "TICKET_REQUEST",
        TICKET_ACK = 16411 => "TICKET_ACK",
        TICKET_NACK = 16412 => "TICKET_NACK",
        TICKET_OPAQUE = 16413 => "TICKET_OPAQUE",
        LINK_ID = 16414 => "LINK_ID",
        USE_WESP_MODE = 16415 => "USE_WESP_MODE",
        ROHC_SUPPORTED = 16416 => "ROHC_SUPPORTED",
        EAP_ONLY_AUTHENTICATION = 16417 => "EAP_ONLY_AUTHENTICATION",
        CHILDLESS_IKEV2_SUPPORTED = 16418 => "CHILDLESS_IKEV2_SUPPORTED",
        QUICK_CRASH_DETECTION = 16419 => "QUICK_CRASH_DETECTION",
        IKEV2_MESSAGE_ID_SYNC_SUPPORTED = 16420 => "IKEV2_MESSAGE_ID_SYNC_SUPPORTED",
        IPSEC_REPLAY_COUNTER_SYNC_SUPPORTED = 16421 => "IPSEC_REPLAY_COUNTER_SYNC_SUPPORTED",
        IKEV2_MESSAGE_ID_SYNC = 16422 => "IKEV2_MESSAGE_ID_SYNC",
        IPSEC_REPLAY_COUNTER_SYNC = 16423 => "IPSEC_REPLAY_COUNTER_SYNC",
        SECURE_PASSWORD_METHODS = 16424 => "SECURE_PASSWORD_METHODS",
        PSK_PERSIST = 16425 => "PSK_PERSIST",
        PSK_CONFIRM = 16426 => "PSK_CONFIRM",
        ERX_SUPPORTED = 16427 => "ERX_SUPPORTED",
        IFOM_CAPABILITY = 16428 => "IFOM_CAPABILITY",
        SENDER_REQUEST_ID = 16429 => "SENDER_REQUEST_ID",
        IKEV2_FRAGMENTATION_SUPPORTED = 16430 => "IKEV2_FRAGMENTATION_SUPPORTED",
        SIGNATURE_HASH_ALGORITHMS = 16431 => "SIGNATURE_HASH_ALGORITHMS",
        CLONE_IKE_SA_SUPPORTED = 16432 => "CLONE_IKE_SA_SUPPORTED",
        CLONE_IKE_SA = 16433 => "CLONE_IKE_SA",
        PUZZLE = 16434 => "PUZZLE",
        USE_PPK = 16435 => "USE_PPK",
        PPK_IDENTITY = 16436 => "PPK_IDENTITY",
        NO_PPK_AUTH = 16437 => "NO_PPK_AUTH",
        INTERMEDIATE_EXCHANGE_SUPPORTED = 16438 => "INTERMEDIATE_EXCHANGE_SUPPORTED",
        IP4_ALLOWED = 16439 => "IP4_ALLOWED",
        IP6_ALLOWED = 16440 => "IP6_ALLOWED",
        ADDITIONAL_KEY_EXCHANGE = 16441 => "ADDITIONAL_KEY_EXCHANGE",
        USE_AGGFRAG = 16442 => "USE_AGGFRAG",
        SUPPORTED_AUTH_METHODS = 16443 => "SUPPORTED_AUTH_METHODS",
    }
}

impl NotifyType {
    /// RFC 7296 §3.10.1: types below 16384 report errors.
    pub fn is_error(self) -> bool {
        self.0 < 16384
    }
}

code_points! {
    /// Security protocol ID in proposals and notifies, RFC 7296 §3.3.1.
    ProtocolId(u8), unknown = "PROTOCOL" {
        NONE = 0 => "NONE",
        IKE = 1 => "IKE",
        AH = 2 => "AH",
        ESP = 3 => "ESP",
    }
}

code_points! {
    /// Transform type, RFC 7296 §3.3.2 (type 4 is "Key Exchange Method" since RFC 9370).
    TransformType(u8), unknown = "TRANSFORM" {
        ENCR = 1 => "ENCR",
        PRF = 2 => "PRF",
        INTEG = 3 => "INTEG",
        DH = 4 => "KE",
        ESN = 5 => "ESN",
    }
}

code_points! {
    /// Encryption algorithm (transform type 1) IDs.
    EncrId(u16), unknown = "ENCR" {
        DES_IV64 = 1 => "DES-IV64",
        DES = 2 => "DES",
        TRIPLE_DES = 3 => "3DES",
        RC5 = 4 => "RC5",
        IDEA = 5 => "IDEA",
        CAST = 6 => "CAST",
        BLOWFISH = 7 => "BLOWFISH",
        IDEA3 = 8 => "3IDEA",
        DES_IV32 = 9 => "DES-IV32",
        NULL = 11 => "NULL",
        AES_CBC = 12 => "AES-CBC",
        AES_CTR = 13 => "AES-CTR",
        AES_CCM_8 = 14 => "AES-CCM-8",
        AES_CCM_12 = 15 => "AES-CCM-12",
        AES_CCM_16 = 16 => "AES-CCM-16",
        AES_GCM_8 = 18 => "AES-GCM-8",
        AES_GCM_12 = 19 => "AES-GCM-12",
        AES_GCM_16 = 20 => "AES-GCM-16",
        NULL_AUTH_AES_GMAC = 21 => "NULL-AUTH-AES-GMAC",
        CAMELLIA_CBC = 23 => "CAMELLIA-CBC",
        CAMELLIA_CTR = 24 => "CAMELLIA-CTR",
        CAMELLIA_CCM_8 = 25 => "CAMELLIA-CCM-8",
        CAMELLIA_CCM_12 = 26 => "CAMELLIA-CCM-12",
        CAMELLIA_CCM_16 = 27 => "CAMELLIA-CCM-16",
        CHACHA20_POLY1305 = 28 => "CHACHA20-POLY1305",
    }
}

impl EncrId {
    /// Authenticated encryption: no separate INTEG transform (RFC 5282 §8).
    pub fn is_aead(self) -> bool {
        matches!(self.0, 14..=16 | 18..=20 | 25..=28)
    }
}

code_points! {
    /// Pseudo-random function (transform type 2) IDs.
    PrfId(u16), unknown = "PRF" {
        HMAC_MD5 = 1 => "PRF-MD5",
        HMAC_SHA1 = 2 => "PRF-SHA1",
        HMAC_TIGER = 3 => "PRF-TIGER",
        AES128_XCBC = 4 => "PRF-AES128-XCBC",
        HMAC_SHA2_256 = 5 => "PRF-SHA2-256",
        HMAC_SHA2_384 = 6 => "PRF-SHA2-384",
        HMAC_SHA2_512 = 7 => "PRF-SHA2-512",
        AES128_CMAC = 8 => "PRF-AES128-CMAC",
    }
}

code_points! {
    /// Integrity algorithm (transform type 3) IDs. Names drop the truncation
    /// suffix (HMAC-SHA2-256-128 prints as HMAC-SHA2-256) because admins know
    /// the algorithms by those names in RRAS and strongSwan.
    IntegId(u16), unknown = "INTEG" {
        NONE = 0 => "NONE",
        HMAC_MD5_96 = 1 => "HMAC-MD5",
        HMAC_SHA1_96 = 2 => "HMAC-SHA1",
        DES_MAC = 3 => "DES-MAC",
        KPDK_MD5 = 4 => "KPDK-MD5",
        AES_XCBC_96 = 5 => "AES-XCBC",
        HMAC_MD5_128 = 6 => "HMAC-MD5-128",
        HMAC_SHA1_160 = 7 => "HMAC-SHA1-160",
        AES_CMAC_96 = 8 => "AES-CMAC",
        AES_128_GMAC = 9 => "AES-128-GMAC",
        AES_192_GMAC = 10 => "AES-192-GMAC",
        AES_256_GMAC = 11 => "AES-256-GMAC",
        HMAC_SHA2_256_128 = 12 => "HMAC-SHA2-256",
        HMAC_SHA2_384_192 = 13 => "HMAC-SHA2-384",
        HMAC_SHA2_512_256 = 14 => "HMAC-SHA2-512",
    }
}

code_points! {
    /// Diffie-Hellman / key exchange method (transform type 4) IDs, also the
    /// group number in KE payloads and INVALID_KE_PAYLOAD notifies.
    DhGroup(u16), unknown = "GROUP" {
        NONE = 0 => "NONE",
        MODP_768 = 1 => "MODP-768",
        MODP_1024 = 2 => "MODP-1024",
        MODP_1536 = 5 => "MODP-1536",
        MODP_2048 = 14 => "MODP-2048",
        MODP_3072 = 15 => "MODP-3072",
        MODP_4096 = 16 => "MODP-4096",
        MODP_6144 = 17 => "MODP-6144",
        MODP_8192 = 18 => "MODP-8192",
        ECP_256 = 19 => "ECP-256",
        ECP_384 = 20 => "ECP-384",
        ECP_521 = 21 => "ECP-521",
        MODP_1024_160 = 22 => "MODP-1024-160",
        MODP_2048_224 = 23 => "MODP-2048-224",
        MODP_2048_256 = 24 => "MODP-2048-256",
        ECP_192 = 25 => "ECP-192",
        ECP_224 = 26 => "ECP-224",
        BRAINPOOL_P224 = 27 => "BRAINPOOL-P224",
        BRAINPOOL_P256 = 28 => "BRAINPOOL-P256",
        BRAINPOOL_P384 = 29 => "BRAINPOOL-P384",
        BRAINPOOL_P512 = 30 => "BRAINPOOL-P512",
        CURVE25519 = 31 => "CURVE25519",
        CURVE448 = 32 => "CURVE448",
        ML_KEM_512 = 35 => "ML-KEM-512",
        ML_KEM_768 = 36 => "ML-KEM-768",
        ML_KEM_1024 = 37 => "ML-KEM-1024",
    }
}

code_points! {
    /// Extended sequence numbers (transform type 5) IDs.
    EsnId(u16), unknown = "ESN" {
        NO_ESN = 0 => "NO-ESN",
        ESN = 1 => "ESN",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values_print_by_name_unknown_by_number() {
        assert_eq!(
            NotifyType(16430).to_string(),
            "IKEV2_FRAGMENTATION_SUPPORTED"
        );
        assert_eq!(NotifyType(60000).to_string(), "NOTIFY(60000)");
        assert_eq!(ExchangeType(34).to_string(), "IKE_SA_INIT");
        assert_eq!(PayloadType(53).to_string(), "SKF");
        assert_eq!(PayloadType(200).to_string(), "PAYLOAD(200)");
        assert_eq!(DhGroup(14).to_string(), "MODP-2048");
        assert_eq!(
            format!("{:?}", NotifyType::COOKIE),
            "NotifyType(COOKIE=16390)"
        );
    }

    #[test]
    fn lookup_by_name_and_classes() {
        assert_eq!(
            NotifyType::from_name("no_proposal_chosen"),
            Some(NotifyType(14))
        );
        assert!(NotifyType::NO_PROPOSAL_CHOSEN.is_error());
        assert!(!NotifyType::COOKIE.is_error());
        assert!(EncrId::AES_GCM_16.is_aead());
        assert!(!EncrId::AES_CBC.is_aead());
    }
}
