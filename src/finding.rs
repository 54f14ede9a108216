//! Findings: the one vocabulary every command reports problems in.
//!
//! Codes are a public API (README lists them, scripts match on them), so they
//! live in one enum here: renaming a variant's string is a breaking change.

#![forbid(unsafe_code)]

use serde::Serialize;
use serde_json::{Map, Value};

/// How bad a finding is. `Fail` makes the command exit 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Severity {
    Info,
    Warn,
    Fail,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warn => "warn",
            Severity::Fail => "fail",
        }
    }
}

macro_rules! codes {
    ($( $(#[$doc:meta])* $variant:ident = $code:literal, )*) => {
        /// Stable finding codes. The string form is what JSON and README show.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code { $( $(#[$doc])* $variant, )* }

        impl Code {
            /// Every code, for documentation checks.
            pub const ALL: &'static [Code] = &[$(Code::$variant),*];

            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $code,)* }
            }
        }
    };
}

codes! {
    // ---- 6to4 -------------------------------------------------------------
    /// 6to4: the IPv4 address inside a 6to4/Teredo address or request is not globally routable.
    SixToFourNonGlobal = "6to4-non-global-ipv4",
    /// 6to4: an input line could not be understood.
    SixToFourBadInput = "6to4-bad-input",
    /// 6to4: netlogon.log shows computers with 6to4 addresses that match no AD site.
    SixToFourNoClientSite = "6to4-no-client-site",
    /// 6to4: netlogon.log shows Teredo clients, which no AD subnet can map to a site by location.
    SixToFourTeredoNoSite = "6to4-teredo-no-site",
    /// 6to4: an input (stdin, netlogon.log) was larger than its cap and was read only in part.
    SixToFourInputTruncated = "6to4-input-truncated",
    // ---- end 6to4 ---------------------------------------------------------


    // ---- pcap -------------------------------------------------------------
    // (pcap also reports the probe section's `no-proposal-chosen` and
    // `nat-detected`: same meaning, seen in a capture instead of a probe.)
    /// pcap: IKE_SA_INIT requests without any response.
    IkeSaInitUnanswered = "ike-sa-init-unanswered",
    /// pcap: IKE_AUTH sent (and retransmitted), never answered: the classic error 809.
    IkeAuthUnanswered = "ike-auth-unanswered",
    /// pcap: responder-side view: IKE_SA_INIT answered, no complete IKE_AUTH request followed.
    IkeAuthNeverArrived = "ike-auth-never-arrived",
    /// pcap: IKE datagrams whose IP fragments never all arrived.
    IpFragmentsMissing = "ip-fragments-missing",
    /// pcap: the peers rejected each other's authentication.
    AuthenticationFailed = "authentication-failed",
    /// pcap: no IKEv2 traffic in the capture.
    NoIkeTraffic = "no-ike-traffic",
    /// pcap: IKEV2_FRAGMENTATION_SUPPORTED (16430) missing from one side or both.
    IkeFragmentationNotNegotiated = "ike-fragmentation-not-negotiated",
    /// pcap: an IKE message left its sender as IP fragments.
    IkeMessageIpFragmented = "ike-message-ip-fragmented",
    /// pcap: the capture ends mid-record, or its snap length cut IKE packets.
    CaptureTruncated = "capture-truncated",
    /// pcap: both sides sent IKEV2_FRAGMENTATION_SUPPORTED (16430).
    IkeFragmentationNegotiated = "ike-fragmentation-negotiated",
    /// pcap: the responder asked for another Diffie-Hellman group (INVALID_KE_PAYLOAD).
    InvalidKeRetry = "invalid-ke-retry",
    /// pcap: IKEv1 traffic, which Always On VPN does not use.
    Ikev1Traffic = "ikev1-traffic",
    /// pcap: an ICMP "fragmentation needed" / ICMPv6 "packet too big" quotes an IKE datagram.
    IcmpTooBig = "icmp-too-big",
    // ---- end pcap ---------------------------------------------------------


    // ---- probe ------------------------------------------------------------
    /// probe: no answer to IKE_SA_INIT on UDP 500.
    Udp500Unanswered = "udp-500-unanswered",
    /// probe: no answer to IKE_SA_INIT (with non-ESP marker) on UDP 4500.
    Udp4500Unanswered = "udp-4500-unanswered",
    /// probe: small requests answered, the IP-fragmented one not.
    IpFragmentsDropped = "ip-fragments-dropped",
    /// probe: the server accepted none of the offered proposals.
    NoProposalChosen = "no-proposal-chosen",
    /// probe: the server did not send IKEV2_FRAGMENTATION_SUPPORTED (16430).
    IkeFragmentationNotSupported = "ike-fragmentation-not-supported",
    /// probe: every proposal the server accepted is weak (3DES, SHA-1, MODP-1024, ...).
    WeakProposalsOnly = "weak-proposals-only",
    /// probe: the server accepted none of the Windows built-in client's proposals.
    WindowsDefaultsRejected = "windows-defaults-rejected",
    /// probe: the server's NAT_DETECTION_SOURCE_IP does not match the address probed.
    ResponderBehindNat = "responder-behind-nat",
    /// probe: the server sent IKEV2_FRAGMENTATION_SUPPORTED (16430).
    IkeFragmentationSupported = "ike-fragmentation-supported",
    /// probe: a NAT sits between this machine and the server.
    NatDetected = "nat-detected",
    /// probe: IKE_AUTH on UDP 4500 for the IKE SA made on UDP 500 got no authenticated answer although both ports answer IKE_SA_INIT (16430 negotiated, or INVALID_IKE_SPI came back).
    LoadBalancerNotPersistent = "load-balancer-not-persistent",
    /// probe: IKE_AUTH on UDP 4500 unanswered without 16430: no persistence, or the large response lost as IP fragments.
    IkeAuthUnanswered4500 = "ike-auth-unanswered-4500",
    /// probe: IKE_AUTH on UDP 4500 got an answer from the server that holds the IKE SA.
    IkeAuthAnswered = "ike-auth-answered",
    // ---- end probe --------------------------------------------------------


    // ---- mtu --------------------------------------------------------------
    /// mtu: packets above the path MTU vanish without an ICMP "too big" error (PMTUD black hole).
    MtuBlackHole = "pmtu-black-hole",
    /// mtu: ICMP echo got no answer at any size, so ICMP cannot measure the path; use --ike.
    MtuEchoBlocked = "icmp-echo-blocked",
    /// mtu: how many IP fragments a certificate-sized IKE_AUTH becomes on this path.
    MtuIkeAuthFragments = "mtu-ike-auth-fragments",
    /// mtu: even the smallest size tested (576 IPv4 / 1280 IPv6) does not pass.
    MtuBelowMinimum = "mtu-below-minimum",
    /// mtu: the probes were refused with an ICMP error (unreachable, prohibited).
    MtuTargetUnreachable = "mtu-target-unreachable",
    /// mtu: the probe or time budget ran out before the search finished.
    MtuSearchIncomplete = "mtu-search-incomplete",
    /// mtu --ike: no IKE answer on the UDP port at any size.
    MtuIkeUnanswered = "mtu-ike-unanswered",
    /// mtu: the path MTU is below the outgoing interface MTU (a tunnel or PPPoE link on the way).
    MtuBelowInterface = "mtu-below-interface",
    // ---- end mtu ----------------------------------------------------------


    // ---- check ------------------------------------------------------------
    /// check: the VPN server name does not resolve.
    DnsFailed = "dns-failed",
    // ---- end check --------------------------------------------------------

    // ---- local (Windows registry) ------------------------------------------
    /// The machine is not an RRAS server.
    LocalRrasNotInstalled = "rras-not-installed",
    /// RRAS has EnableServerFragmentation = 1.
    LocalRrasFragmentationEnabled = "rras-fragmentation-enabled",
    /// RRAS lacks EnableServerFragmentation = 1.
    LocalRrasFragmentationDisabled = "rras-fragmentation-disabled",
    /// The Windows build is older than 1803 (no IKEv2 fragmentation in RRAS).
    LocalRrasTooOldForFragmentation = "rras-too-old-for-fragmentation",
    /// A VPN profile does not try IKEv2 at all.
    ProfileNotIkev2 = "profile-not-ikev2",
    /// A VPN profile sets Disable_IKEv2_Fragmentation=1.
    ProfileIkeFragmentationDisabled = "profile-ike-fragmentation-disabled",
    /// A VPN profile has no custom IPsec policy (Windows defaults are offered).
    ProfileDefaultCrypto = "profile-default-crypto",
    /// A VPN profile's custom policy uses DES/3DES/MD5/SHA-1/DH 1 or 2.
    ProfileWeakCrypto = "profile-weak-crypto",
    // ---- end local --------------------------------------------------------
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One diagnosis: what was seen, the facts behind it, and what to change.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    pub code: Code,
    pub severity: Severity,
    /// One line, readable on its own.
    pub summary: String,
    /// Facts that support the finding (packet numbers, sizes, addresses, times),
    /// as an ordered JSON object so scripts can read fields by name.
    pub evidence: Map<String, Value>,
    /// What to change, in words an admin acts on. Empty for pure information.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remedy: Option<String>,
}

impl Finding {
    pub fn new(code: Code, severity: Severity, summary: impl Into<String>) -> Self {
        Finding {
            code,
            severity,
            summary: summary.into(),
            evidence: Map::new(),
            remedy: None,
        }
    }

    /// Adds one evidence field; builder style so findings read as one expression.
    pub fn with(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.evidence.insert(key.to_owned(), value.into());
        self
    }

    pub fn remedy(mut self, remedy: impl Into<String>) -> Self {
        self.remedy = Some(remedy.into());
        self
    }
}

/// The overall answer of a command, derived from its findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    Ok,
    Problem,
}

impl Verdict {
    pub fn from_findings(findings: &[Finding]) -> Verdict {
        if findings.iter().any(|f| f.severity == Severity::Fail) {
            Verdict::Problem
        } else {
            Verdict::Ok
        }
    }
}

/// Sorts findings worst first, keeping the order of equal severities (the
/// producer's order is meaningful: usually cause before consequence).
pub fn sort_by_severity(findings: &mut [Finding]) {
    findings.sort_by_key(|f| std::cmp::Reverse(f.severity));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_kebab_case() {
        let mut seen = std::collections::HashSet::new();
        for code in Code::ALL {
            let s = code.as_str();
            assert!(seen.insert(s), "duplicate code {s}");
            assert!(
                s.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                "{s} is not kebab-case"
            );
        }
    }

    #[test]
    fn verdict_is_problem_only_with_a_fail() {
        let warn = Finding::new(Code::SixToFourNonGlobal, Severity::Warn, "w");
        assert_eq!(
            Verdict::from_findings(std::slice::from_ref(&warn)),
            Verdict::Ok
        );
        let fail = Finding::new(Code::SixToFourBadInput, Severity::Fail, "f");
        assert_eq!(Verdict::from_findings(&[warn, fail]), Verdict::Problem);
    }

    #[test]
    fn finding_serialises_with_ordered_evidence() {
        let f = Finding::new(Code::SixToFourNonGlobal, Severity::Warn, "s")
            .with("zeta", 1)
            .with("alpha", "x")
            .remedy("r");
        let json = serde_json::to_string(&f).unwrap();
        assert_eq!(
            json,
            r#"{"code":"6to4-non-global-ipv4","severity":"warn","summary":"s","evidence":{"zeta":1,"alpha":"x"},"remedy":"r"}"#
        );
    }
}
