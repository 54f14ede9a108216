//! Findings: the one vocabulary every command reports problems in.
//!
//! Codes are a public API (README lists them, scripts match on them), so they
//! live in one enum here: renaming a variant's string is a breaking change.

#![forbid(unsafe_code)]

use schemars::JsonSchema;
use serde::Serialize;
use serde_json::{Map, Value};

/// How bad a finding is. `Fail` makes the command exit 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, JsonSchema)]
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
    ($(
        $(#[$doc:meta])*
        $variant:ident = $code:literal {
            command: $command:literal,
            severity: $severity:ident,
            $(also: $also:literal,)?
            $(step: $step:literal,)?
            $(rank: $rank:literal,)?
            $(windows_error: $win:literal,)?
            meaning: $meaning:literal $(,)?
        }
    )*) => {
        /// Stable finding codes. The string form is what JSON and README show.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code { $( $(#[$doc])* $variant, )* }

        impl Code {
            /// Every code, in registry order.
            pub const ALL: &'static [Code] = &[$(Code::$variant),*];

            /// The code's registry row.
            pub fn info(self) -> &'static CodeInfo {
                match self {
                    $(Code::$variant => &CodeInfo {
                        code: $code,
                        command: $command,
                        severity: Severity::$severity,
                        also: opt!($($also)?),
                        step: opt!($($step)?),
                        rank: opt!($($rank)?),
                        windows_error: opt!($($win)?),
                        meaning: $meaning,
                    },)*
                }
            }

            pub fn as_str(self) -> &'static str {
                self.info().code
            }
        }
    };
}

/// `opt!()` is `None`, `opt!(x)` is `Some(x)`: optional registry columns.
macro_rules! opt {
    () => {
        None
    };
    ($x:expr) => {
        Some($x)
    };
}

/// One row of the finding-code registry: everything the tool and its
/// documentation say about a code, in one place. README's finding-code table
/// ([`crate::generate::finding_code_table`]), the `check` cause ranking
/// ([`crate::diagnose::check::cause`]) and the step each code marks
/// ([`crate::diagnose::check::steps`]) are derived from these rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodeInfo {
    /// The stable kebab-case code.
    pub code: &'static str,
    /// The command (with the option, where one is needed) that reports it.
    pub command: &'static str,
    /// The severity it is usually reported with.
    pub severity: Severity,
    /// When it is reported with another severity, in words ("warn when ...").
    pub also: Option<&'static str>,
    /// The `check` step it marks as a problem (as warn or fail).
    pub step: Option<&'static str>,
    /// Position in the `check` cause ranking: lower is more decisive (a
    /// failure that masks the others on the wire). `None` ranks last.
    pub rank: Option<u16>,
    /// The error a Windows VPN client shows when this is why it failed
    /// (Win32/RAS error number: 809, 13801, 13868, ...).
    pub windows_error: Option<u32>,
    /// One line: what it means.
    pub meaning: &'static str,
}

// The registry. Adding a code: one row here (the README table is regenerated
// with `UPDATE_GENERATED=1 cargo test --test generated_files`) and one small
// function that produces the finding from facts, with its unit tests.
//
// Windows errors (Microsoft Learn, "Troubleshoot Always On VPN" and the RAS /
// Win32 system error codes): 809 ERROR_VPN_TIMEOUT (the server does not
// answer), 868 the server name does not resolve, 13801 IKE credentials
// unacceptable, 13868 no matching IPsec policy (ERROR_IPSEC_IKE_POLICY_MATCH).
codes! {
    // ---- 6to4 -------------------------------------------------------------
    /// 6to4: the IPv4 address inside a 6to4/Teredo address or request is not globally routable.
    SixToFourNonGlobal = "6to4-non-global-ipv4" {
        command: "6to4",
        severity: Warn,
        meaning: "the IPv4 address in the input, 6to4 or Teredo address is private, CGNAT, loopback, link-local or otherwise not globally reachable, so 6to4 cannot work",
    }
    /// 6to4: an input line could not be understood.
    SixToFourBadInput = "6to4-bad-input" {
        command: "6to4",
        severity: Fail,
        also: "warn for a damaged netlogon.log line",
        meaning: "an address or line could not be read (exit 2); in `--netlogon`, a `NO_CLIENT_SITE` line without computer and address was skipped",
    }
    /// 6to4: netlogon.log shows computers with 6to4 addresses that match no AD site.
    SixToFourNoClientSite = "6to4-no-client-site" {
        command: "6to4 --netlogon",
        severity: Warn,
        meaning: "computers reached the DC over 6to4 and matched no AD site; lists the 6to4 prefixes to assign",
    }
    /// 6to4: netlogon.log shows Teredo clients, which no AD subnet can map to a site by location.
    SixToFourTeredoNoSite = "6to4-teredo-no-site" {
        command: "6to4 --netlogon",
        severity: Warn,
        meaning: "computers reached the DC over Teredo, which no AD subnet can map to a site",
    }
    /// 6to4: an input (stdin, netlogon.log) was larger than its cap and was read only in part.
    SixToFourInputTruncated = "6to4-input-truncated" {
        command: "6to4",
        severity: Fail,
        also: "warn for the 2,000-pair cap of `--netlogon`",
        meaning: "stdin or a netlogon.log was larger than its cap and only its start was used (exit 2); see [Input limits](#input-limits)",
    }

    // ---- pcap -------------------------------------------------------------
    // (pcap also reports the probe section's `no-proposal-chosen` and
    // `nat-detected`: same meaning, seen in a capture instead of a probe.)
    /// pcap: IKE_SA_INIT requests without any response.
    IkeSaInitUnanswered = "ike-sa-init-unanswered" {
        command: "pcap",
        severity: Fail,
        windows_error: 809,
        meaning: "IKE_SA_INIT requests without any response (UDP 500 blocked, server not listening)",
    }
    /// pcap: IKE_AUTH sent (and retransmitted), never answered: the classic error 809.
    IkeAuthUnanswered = "ike-auth-unanswered" {
        command: "pcap",
        severity: Fail,
        windows_error: 809,
        meaning: "IKE_AUTH sent and retransmitted, never answered: the classic error 809; the remedy depends on whether it travelled as IP fragments",
    }
    /// pcap: responder-side view: IKE_SA_INIT answered, no complete IKE_AUTH request followed.
    IkeAuthNeverArrived = "ike-auth-never-arrived" {
        command: "pcap",
        severity: Fail,
        windows_error: 809,
        meaning: "responder-side view: IKE_SA_INIT answered, no complete IKE_AUTH request followed",
    }
    /// pcap: IKE datagrams whose IP fragments never all arrived.
    IpFragmentsMissing = "ip-fragments-missing" {
        command: "pcap",
        severity: Fail,
        also: "warn when a retransmission or smaller re-send got through",
        windows_error: 809,
        meaning: "IKE datagrams whose IP fragments never all arrived: which bytes, which frames, the IKE header of the first fragment",
    }
    /// pcap: the peers rejected each other's authentication.
    AuthenticationFailed = "authentication-failed" {
        command: "pcap",
        severity: Fail,
        windows_error: 13801,
        meaning: "AUTHENTICATION_FAILED seen, or an error-sized IKE_AUTH response with no ESP after it",
    }
    /// pcap: no IKEv2 traffic in the capture.
    NoIkeTraffic = "no-ike-traffic" {
        command: "pcap",
        severity: Fail,
        windows_error: 809,
        meaning: "no IKEv2 on UDP 500/4500 (or `--ike-port`) and no ESP or IKEv1 in the capture",
    }
    /// pcap: IKEV2_FRAGMENTATION_SUPPORTED (16430) missing from one side or both.
    IkeFragmentationNotNegotiated = "ike-fragmentation-not-negotiated" {
        command: "pcap",
        severity: Warn,
        meaning: "IKEV2_FRAGMENTATION_SUPPORTED (16430) missing from one side or both; names `EnableServerFragmentation` for a Windows responder",
    }
    /// pcap: an IKE message left its sender as IP fragments.
    IkeMessageIpFragmented = "ike-message-ip-fragmented" {
        command: "pcap",
        severity: Warn,
        meaning: "an IKE message left its sender as IP fragments: size, fragment count, the MTU it implies",
    }
    /// pcap: the capture ends mid-record, or its snap length cut IKE packets.
    CaptureTruncated = "capture-truncated" {
        command: "pcap",
        severity: Warn,
        meaning: "the file ends mid-record, or the snap length cut IKE packets",
    }
    /// pcap: both sides sent IKEV2_FRAGMENTATION_SUPPORTED (16430).
    IkeFragmentationNegotiated = "ike-fragmentation-negotiated" {
        command: "pcap",
        severity: Info,
        meaning: "both sides sent 16430",
    }
    /// pcap: the responder asked for another Diffie-Hellman group (INVALID_KE_PAYLOAD).
    InvalidKeRetry = "invalid-ke-retry" {
        command: "pcap",
        severity: Info,
        meaning: "INVALID_KE_PAYLOAD asked for another DH group (an extra round trip)",
    }
    /// pcap: IKEv1 traffic, which Always On VPN does not use.
    Ikev1Traffic = "ikev1-traffic" {
        command: "pcap",
        severity: Info,
        meaning: "IKEv1 messages, which Always On VPN does not use",
    }
    /// pcap: an ICMP "fragmentation needed" / ICMPv6 "packet too big" quotes an IKE datagram.
    IcmpTooBig = "icmp-too-big" {
        command: "pcap",
        severity: Info,
        meaning: "ICMP fragmentation-needed / ICMPv6 packet-too-big quoting an IKE datagram: router, MTU, message",
    }
    /// pcap: the responder answered, the requester kept retransmitting: the response was lost on the way back.
    IkeResponseLost = "ike-response-lost" {
        command: "pcap",
        severity: Fail,
        windows_error: 809,
        meaning: "the responder answered (any exchange) but the initiator kept retransmitting and never went on: the responses were lost on the way back; their sizes and the path MTU they imply",
    }
    /// pcap: an IKE message of more than 16 IKEv2 fragments (some gateways drop those).
    TooManyIkeFragments = "too-many-ike-fragments" {
        command: "pcap",
        severity: Fail,
        also: "warn when the exchange did not fail",
        windows_error: 809,
        meaning: "an IKE message of more than 16 IKEv2 fragments (some gateways drop those; Windows clients on small MTUs send 17 to 29)",
    }
    /// pcap: one peer's IKE_SA_INIT goes unanswered while the responder answers other peers.
    IkeSaInitRefusedForPeer = "ike-sa-init-refused-for-peer" {
        command: "pcap",
        severity: Fail,
        windows_error: 809,
        meaning: "a peer's IKE_SA_INIT goes unanswered while the same responder answers other peers on the same port meanwhile: a per-peer limit (half-open SAs per address; a source-NATing load balancer; RRAS `IkeNumEstablishedForInitialQuery`), not a firewall",
    }
    /// pcap: ESP, ESP in UDP or IKEv1 flows, but no IKEv2 negotiation is in the capture.
    IkeNotInCapture = "ike-not-in-capture" {
        command: "pcap",
        severity: Warn,
        meaning: "ESP, ESP in UDP or IKEv1 flows but no IKEv2 negotiation is in the capture (the tunnel was negotiated before it started): the peers, packet counts and how to capture the attempt",
    }
    /// pcap: an IKE datagram's IP fragments were sent last-first (some gateways drop those).
    IpFragmentsOutOfOrder = "ip-fragments-out-of-order" {
        command: "pcap",
        severity: Warn,
        meaning: "an IKE datagram whose IP fragments left last-first (some gateways, a major cloud VPN gateway among them, drop those); named in the remedy when the exchange failed",
    }
    /// pcap: the capture ended while an exchange could still complete.
    ExchangeInProgress = "exchange-in-progress" {
        command: "pcap",
        severity: Info,
        meaning: "the capture ended while an exchange could still complete (its only request less than 5 s before the end, or IKE_SA_INIT just answered): not a failure",
    }
    /// pcap: the responder demanded a COOKIE (half-open SA load, DoS protection).
    /// pcap: the same capture given twice; read once.
    DuplicateCapture = "duplicate-capture" {
        command: "pcap",
        severity: Info,
        meaning: "the same capture was given twice (the same path, or another file with identical capture bytes, compressed or not): it is read once, so its packets are not counted twice",
    }
    IkeCookieRequested = "ike-cookie-requested" {
        command: "pcap",
        severity: Info,
        meaning: "the responder demanded a COOKIE (RFC 7296 §2.6): it is under half-open SA load (denial-of-service protection)",
    }
    /// pcap: more IKE SAs than the analysis keeps in full; the rest are summarised.
    IkeSasSummarised = "ike-sas-summarised" {
        command: "pcap",
        severity: Info,
        meaning: "more IKE SAs than the 256 kept in full: the others are counted per peer and outcome and their findings per code; see [Bounds](#bounds)",
    }

    // ---- capture ----------------------------------------------------------
    // (capture reports every pcap code too: the same analysis, live.)
    /// capture: the capture buffer overflowed and libpcap dropped packets.
    CapturePacketsDropped = "capture-packets-dropped" {
        command: "capture",
        severity: Warn,
        meaning: "the live capture's buffer overflowed and packets were lost before the analysis saw them, so an exchange may look unanswered that was not: capture on a quieter interface or narrow the traffic",
    }

    // ---- probe ------------------------------------------------------------
    /// probe: no answer to IKE_SA_INIT on UDP 500.
    Udp500Unanswered = "udp-500-unanswered" {
        command: "probe",
        severity: Fail,
        step: "udp-500",
        rank: 20,
        windows_error: 809,
        meaning: "no answer to IKE_SA_INIT on UDP 500 (or ICMP unreachable)",
    }
    /// probe: no answer to IKE_SA_INIT (with non-ESP marker) on UDP 4500.
    Udp4500Unanswered = "udp-4500-unanswered" {
        command: "probe",
        severity: Fail,
        step: "udp-4500",
        rank: 30,
        windows_error: 809,
        meaning: "no answer to IKE_SA_INIT with non-ESP marker on UDP 4500",
    }
    /// probe: small requests answered, the IP-fragmented one not.
    IpFragmentsDropped = "ip-fragments-dropped" {
        command: "probe",
        severity: Fail,
        also: "warn when the server supports IKEv2 fragmentation",
        step: "fragmented-request",
        rank: 70,
        windows_error: 809,
        meaning: "small IKE_SA_INIT answered, the IP-fragmented one not",
    }
    /// probe: the IP-fragmented IKE_SA_INIT drew datagrams, none a valid response.
    FragmentedAnswerInvalid = "fragmented-answer-invalid" {
        command: "probe",
        severity: Fail,
        step: "fragmented-request",
        rank: 75,
        meaning: "the IP-fragmented IKE_SA_INIT drew datagrams from the server's address and port, but none was a valid response (truncated, lengths that lie, another SPI or message ID): the fragments arrived, the answers are broken",
    }
    /// probe: the IKE_SA_INIT on UDP 500 went unanswered after the server had answered it with a COOKIE demand.
    Udp500RequestIgnored = "udp-500-request-ignored" {
        command: "probe",
        severity: Fail,
        step: "udp-500",
        rank: 19,
        meaning: "the IKE_SA_INIT on UDP 500 drew a COOKIE demand, then no answer to the request with the cookie: UDP 500 is open, but the server ignored the request (its limit of half-open IKE SAs per client address, filled by this or an earlier run), so nothing further could be tested: run again after a minute",
    }
    /// probe: the small IKE_SA_INIT on UDP 4500 went unanswered although the server answered over UDP 4500 in the same run.
    Udp4500RequestIgnored = "udp-4500-request-ignored" {
        command: "probe",
        severity: Warn,
        step: "udp-4500",
        meaning: "the small IKE_SA_INIT on UDP 4500 got no answer, yet the server answered over UDP 4500 in the same run (a COOKIE demand, IKE_AUTH, or the server-certificate run's IKE_SA_INIT): UDP 4500 is open, and the server ignored that request (its limit of half-open IKE SAs per client address, filled by this or an earlier run)",
    }
    /// probe: the IP-fragmented IKE_SA_INIT and a small one right after it both went unanswered.
    FragmentTestInconclusive = "fragment-test-inconclusive" {
        command: "probe",
        severity: Warn,
        step: "fragmented-request",
        meaning: "the IP-fragmented IKE_SA_INIT got no answer, and neither did the small one sent right after it: the server had stopped answering this client (its limit of half-open IKE SAs per client address, or a rate limit), so whether IP fragments are dropped is not known",
    }
    /// probe: IKE_SA_INIT answered only with demands that never end (COOKIE again, INVALID_KE_PAYLOAD for a group already sent).
    IkeSaInitUnfinished = "ike-sa-init-unfinished" {
        command: "probe",
        severity: Fail,
        step: "proposals",
        rank: 45,
        meaning: "the server answers IKE_SA_INIT only with demands that never end (a second COOKIE after the first was returned; INVALID_KE_PAYLOAD again after one retry, or for a group already sent or not offered), so no client gets an IKE SA",
    }
    /// probe: the server accepted none of the offered proposals.
    NoProposalChosen = "no-proposal-chosen" {
        command: "probe",
        severity: Fail,
        step: "proposals",
        rank: 40,
        windows_error: 13868,
        meaning: "the server accepted none of the offered proposals",
    }
    /// probe: the server did not send IKEV2_FRAGMENTATION_SUPPORTED (16430).
    IkeFragmentationNotSupported = "ike-fragmentation-not-supported" {
        command: "probe",
        severity: Warn,
        step: "ike-fragmentation",
        rank: 130,
        meaning: "the server sent no IKEV2_FRAGMENTATION_SUPPORTED (16430); RRAS: `EnableServerFragmentation`",
    }
    /// probe: every proposal the server accepted is weak (3DES, SHA-1, MODP-1024, ...).
    WeakProposalsOnly = "weak-proposals-only" {
        command: "probe",
        severity: Warn,
        step: "proposals",
        rank: 160,
        meaning: "the server accepts only weak proposals (3DES, SHA-1, MODP-1024/1536)",
    }
    /// probe: the server accepted none of the Windows built-in client's proposals.
    WindowsDefaultsRejected = "windows-defaults-rejected" {
        command: "probe --proposals",
        severity: Warn,
        step: "proposals",
        rank: 50,
        windows_error: 13868,
        meaning: "none of the Windows built-in client's proposals is accepted",
    }
    /// probe: the server's NAT_DETECTION_SOURCE_IP does not match the address probed.
    ResponderBehindNat = "responder-behind-nat" {
        command: "probe",
        severity: Warn,
        rank: 150,
        meaning: "the server's NAT_DETECTION_SOURCE_IP does not match the probed address (DNAT, load balancer)",
    }
    /// probe: the server sent IKEV2_FRAGMENTATION_SUPPORTED (16430).
    IkeFragmentationSupported = "ike-fragmentation-supported" {
        command: "probe",
        severity: Info,
        meaning: "the server sent IKEV2_FRAGMENTATION_SUPPORTED (16430)",
    }
    /// probe: a NAT sits between this machine and the server.
    NatDetected = "nat-detected" {
        command: "probe",
        severity: Info,
        meaning: "a NAT sits between this machine and the server",
    }
    /// probe: IKE_AUTH on UDP 4500 for the IKE SA made on UDP 500 got no authenticated answer although both ports answer IKE_SA_INIT (16430 negotiated, or INVALID_IKE_SPI came back).
    LoadBalancerNotPersistent = "load-balancer-not-persistent" {
        command: "probe",
        severity: Fail,
        step: "ike-auth",
        rank: 60,
        windows_error: 809,
        meaning: "both ports answer IKE_SA_INIT, but an IKE_AUTH on UDP 4500 for the IKE SA made on UDP 500 gets no authenticated answer although IKEv2 fragmentation was negotiated (or a server answered INVALID_IKE_SPI): UDP 4500 reaches another server",
    }
    /// probe: IKE_AUTH on UDP 4500 unanswered without 16430: no persistence, or the large response lost as IP fragments.
    IkeAuthUnanswered4500 = "ike-auth-unanswered-4500" {
        command: "probe",
        severity: Fail,
        step: "ike-auth",
        rank: 80,
        windows_error: 809,
        meaning: "IKE_AUTH on UDP 4500 unanswered without IKEv2 fragmentation: either no persistence across UDP 500/4500, or the server's ~2 KB IKE_AUTH response lost as IP fragments on the way back",
    }
    /// probe: IKE_AUTH on UDP 4500 got an answer from the server that holds the IKE SA.
    IkeAuthAnswered = "ike-auth-answered" {
        command: "probe",
        severity: Info,
        meaning: "IKE_AUTH on UDP 4500 got an authenticated answer (e.g. AUTHENTICATION_FAILED, or IDr/CERT/AUTH/EAP from an EAP server)",
    }

    // ---- probe --auth, check: the server's certificate (IKE_AUTH) ----------
    // 13801 is ERROR_IPSEC_IKE_AUTH_FAIL ("IKE authentication credentials are
    // unacceptable"), 0x800B0109 (2148204809) CERT_E_UNTRUSTEDROOT; sources:
    // Microsoft Learn "Troubleshoot Always On VPN" and the Win32 error codes.
    /// probe --auth: the server's large IKE_AUTH response arrives as SKF pieces (or not at all) but never as one IP-fragmented datagram.
    IpFragmentsDroppedTowardClient = "ip-fragments-dropped-toward-client" {
        command: "probe --auth, check",
        severity: Fail,
        also: "warn when the server offers IKEv2 fragmentation, which saves clients that use it",
        step: "server-cert",
        rank: 76,
        windows_error: 809,
        meaning: "the server's IKE_AUTH response (certificates, about 2 KB) gets through as IKEv2 fragments but not as one IP-fragmented datagram (or not at all, while its IKE_SA_INIT on the same UDP 4500 conversation did): IP fragments toward the client are dropped",
    }
    /// probe --auth: the AUTH signature does not verify with the server certificate's key.
    ServerAuthInvalid = "server-auth-invalid" {
        command: "probe --auth, check",
        severity: Fail,
        step: "server-cert",
        rank: 121,
        windows_error: 13801,
        meaning: "the server's AUTH payload does not verify with the key of the certificate it sent, over the IKE_SA_INIT response it signs (RFC 7296 §2.15): a misconfigured server, or not the server",
    }
    /// probe --auth: the chain ends at a root the client does not trust.
    ServerCertUntrustedRoot = "server-cert-untrusted-root" {
        command: "probe --auth, check",
        severity: Fail,
        step: "server-cert",
        rank: 122,
        windows_error: 0x800b0109,
        meaning: "the server's certificate chain ends at a root not in the trusted roots (`--ca` or the system store), or does not verify: Windows shows 0x800B0109 (CERT_E_UNTRUSTEDROOT) and 13801",
    }
    /// probe --auth: a certificate of the server's chain has expired.
    ServerCertExpired = "server-cert-expired" {
        command: "probe --auth, check",
        severity: Fail,
        step: "server-cert",
        rank: 123,
        windows_error: 13801,
        meaning: "a certificate the server sent is past its notAfter date",
    }
    /// probe --auth: a certificate of the server's chain is not valid yet.
    ServerCertNotYetValid = "server-cert-not-yet-valid" {
        command: "probe --auth, check",
        severity: Fail,
        step: "server-cert",
        rank: 124,
        windows_error: 13801,
        meaning: "a certificate the server sent is before its notBefore date (or a clock is wrong)",
    }
    /// probe --auth: the server certificate does not name the host the profile uses.
    ServerCertNameMismatch = "server-cert-name-mismatch" {
        command: "probe --auth, check",
        severity: Fail,
        step: "server-cert",
        rank: 125,
        windows_error: 13801,
        meaning: "the server certificate names neither the host typed (subjectAltName dNSName, or the subject CN without one) nor, for an address, the iPAddress",
    }
    /// probe --auth: the server certificate lacks the Server Authentication EKU.
    ServerCertMissingServerAuthEku = "server-cert-missing-server-auth-eku" {
        command: "probe --auth, check",
        severity: Fail,
        step: "server-cert",
        rank: 126,
        windows_error: 13801,
        meaning: "the server certificate has no Server Authentication EKU (1.3.6.1.5.5.7.3.1), which Windows clients require",
    }
    /// probe --auth: the server did not send an intermediate certificate of its chain.
    ServerCertChainIncomplete = "server-cert-chain-incomplete" {
        command: "probe --auth, check",
        severity: Warn,
        step: "server-cert",
        rank: 127,
        meaning: "the server did not send every intermediate of its chain: clients that do not already hold it fail (13801)",
    }
    /// probe --auth: the server certificate expires within 30 days.
    ServerCertExpiresSoon = "server-cert-expires-soon" {
        command: "probe --auth, check",
        severity: Warn,
        step: "server-cert",
        rank: 128,
        meaning: "a certificate the server sent expires within 30 days",
    }
    /// probe --auth: the IKE_AUTH response is larger than the path MTU.
    LargeIkeAuthResponse = "large-ike-auth-response" {
        command: "probe --auth, check",
        severity: Warn,
        step: "server-cert",
        rank: 129,
        meaning: "the server's IKE_AUTH response as one message is larger than the MTU: its size and how many IP fragments it becomes",
    }
    /// probe --auth: the server's certificate chain, one line per certificate.
    ServerCert = "server-cert" {
        command: "probe --auth, check",
        severity: Info,
        meaning: "the server's IDr, certificate chain (one line per certificate) and AUTH method",
    }
    /// probe --auth: the server answered IKE_AUTH without a certificate.
    ServerCertNotOffered = "server-cert-not-offered" {
        command: "probe --auth, check",
        severity: Info,
        meaning: "the server answered the credential-less IKE_AUTH without a certificate (a certificate-only server refuses before sending it): what to try",
    }
    // ---- lb ---------------------------------------------------------------
    /// lb: UDP 500 and UDP 4500 of one client reached different servers.
    LbNoPersistenceAcrossPorts = "lb-no-persistence-across-ports" {
        command: "lb",
        severity: Fail,
        windows_error: 809,
        meaning: "in some rounds UDP 4500 of one client reached another server than UDP 500: IKE_AUTH on 4500 unanswered while the same IKE_AUTH on 500 was answered, or the two ports' responses came from two identified servers; names F5 Match Across Services and Kemp port following",
    }
    /// lb: the servers saw the client as another address (source NAT).
    LbSourceNat = "lb-source-nat" {
        command: "lb",
        severity: Fail,
        also: "warn when this machine is itself behind NAT and no candidate names the address",
        windows_error: 809,
        meaning: "the servers' NAT_DETECTION_DESTINATION_IP shows another address than the client's: source NAT, which funnels every client through a few addresses into RRAS's per-address limit (`IkeNumEstablishedForInitialQuery`)",
    }
    /// lb: which servers answered, how often, by port.
    LbBackends = "lb-backends" {
        command: "lb",
        severity: Info,
        meaning: "which real servers answered behind the VIP (from their NAT_DETECTION_SOURCE_IP, matched against `--backends` or searched with `--find-backends`), how often, on which port",
    }

    // ---- mtu --------------------------------------------------------------
    /// mtu: packets above the path MTU vanish without an ICMP "too big" error (PMTUD black hole).
    MtuBlackHole = "pmtu-black-hole" {
        command: "mtu",
        severity: Fail,
        step: "path-mtu",
        rank: 100,
        meaning: "packets above the path MTU vanish without an ICMP \"fragmentation needed\"/\"packet too big\" error, so PMTUD cannot work (a firewall drops those ICMP errors)",
    }
    /// mtu: ICMP echo got no answer at any size, so ICMP cannot measure the path; use --ike.
    MtuEchoBlocked = "icmp-echo-blocked" {
        command: "mtu",
        severity: Warn,
        step: "path-mtu",
        rank: 170,
        meaning: "no answer to ICMP echo at any size, so ICMP cannot measure the path (exit 3); use `--ike`",
    }
    /// mtu: how many IP fragments a certificate-sized IKE_AUTH becomes on this path.
    MtuIkeAuthFragments = "mtu-ike-auth-fragments" {
        command: "mtu",
        severity: Info,
        rank: 210,
        meaning: "how many IP fragments a certificate-sized IKE_AUTH (about 2,240 bytes) becomes on the measured path, and that IKEv2 fragmentation avoids them",
    }
    /// mtu: even the smallest size tested (576 IPv4 / 1280 IPv6) does not pass.
    MtuBelowMinimum = "mtu-below-minimum" {
        command: "mtu",
        severity: Fail,
        step: "path-mtu",
        rank: 110,
        meaning: "even the smallest size tested (576 IPv4 / 1280 IPv6, `--min`) does not pass",
    }
    /// mtu: the probes were refused with an ICMP error (unreachable, prohibited).
    MtuTargetUnreachable = "mtu-target-unreachable" {
        command: "mtu",
        severity: Fail,
        step: "path-mtu",
        rank: 120,
        meaning: "the probes were refused with an ICMP error (network/host/port unreachable, administratively prohibited)",
    }
    /// mtu: the probe or time budget ran out before the search finished.
    MtuSearchIncomplete = "mtu-search-incomplete" {
        command: "mtu",
        severity: Warn,
        step: "path-mtu",
        rank: 190,
        meaning: "the probe or time cap ran out before the search finished (a very lossy path); says what is known",
    }
    /// mtu --ike: no IKE answer on the UDP port at any size.
    MtuIkeUnanswered = "mtu-ike-unanswered" {
        command: "mtu --ike",
        severity: Fail,
        step: "path-mtu",
        rank: 180,
        windows_error: 809,
        meaning: "no IKE answer on the UDP port at any size (UDP 500/4500 blocked or no IKEv2 server)",
    }
    /// mtu: the path MTU is below the outgoing interface MTU (a tunnel or PPPoE link on the way).
    MtuBelowInterface = "mtu-below-interface" {
        command: "mtu",
        severity: Info,
        rank: 200,
        meaning: "the path MTU is below the outgoing interface MTU (tunnel, PPPoE or smaller link on the way); names the hop that said \"too big\"",
    }

    // ---- check ------------------------------------------------------------
    /// check: the VPN server name does not resolve.
    DnsFailed = "dns-failed" {
        command: "check",
        severity: Fail,
        step: "dns",
        rank: 10,
        windows_error: 868,
        meaning: "the VPN server name gives no address (neither the hosts file nor DNS): the name does not exist (NXDOMAIN), has no A/AAAA record (NODATA), DNS does not answer in time, or no DNS server is configured; each query with its time",
    }
    /// A family's DNS query failed while the other family answered.
    DnsAFailed = "dns-a-failed" {
        command: "probe, mtu, check",
        severity: Warn,
        step: "dns",
        meaning: "the A (IPv4) query timed out or failed (not NODATA) while AAAA answered: the test went on over IPv6; clients that need IPv4 are slowed or fail",
    }
    /// The AAAA twin of `dns-a-failed`.
    DnsAaaaFailed = "dns-aaaa-failed" {
        command: "probe, mtu, check",
        severity: Warn,
        step: "dns",
        meaning: "the AAAA (IPv6) query timed out or failed (not NODATA) while A answered: the test went on over IPv4; clients asking for both are slowed",
    }
    /// The hosts file answered; DNS was not asked.
    DnsHostsFile = "dns-hosts-file" {
        command: "probe, mtu, check",
        severity: Info,
        meaning: "the hosts file had the server name, so DNS was not asked (as Windows and getaddrinfo do): a DNS problem of other clients stays hidden",
    }

    // ---- events -----------------------------------------------------------
    // One code per Windows error that has its own diagnosis (scripts match the
    // number in the code; the row names the Windows error), `rasclient-error`
    // for every other code with the number as evidence. Sources of each
    // mapping: src/events/diagnosis.rs.
    /// events: RasClient 20227 error 809 (ERROR_VPN_TIMEOUT).
    RasClient809 = "rasclient-809" {
        command: "events",
        severity: Fail,
        also: "warn when the profile has connected since",
        step: "local-events",
        windows_error: 809,
        meaning: "RasClient 20227 error 809 (ERROR_VPN_TIMEOUT): the server never answered (UDP 500/4500 blocked, IKE_AUTH fragments lost, split load balancer); confirm with `check <server>`",
    }
    /// events: error 800 (ERROR_AUTOMATIC_VPN_FAILED).
    RasClient800 = "rasclient-800" {
        command: "events",
        severity: Fail,
        also: "warn when the profile has connected since",
        step: "local-events",
        windows_error: 800,
        meaning: "error 800 (ERROR_AUTOMATIC_VPN_FAILED): with tunnel type Automatic every tunnel failed; confirm with `check <server>`",
    }
    /// events: error 812 (ERROR_SERVER_POLICY).
    RasClient812 = "rasclient-812" {
        command: "events",
        severity: Fail,
        also: "warn when the profile has connected since",
        step: "local-events",
        windows_error: 812,
        meaning: "error 812 (ERROR_SERVER_POLICY): the NPS network policy refused the authentication method or a condition (NPS event 6273 names the reason)",
    }
    /// events: error 853 (ERROR_EAP_USER_CERT_INVALID).
    RasClient853 = "rasclient-853" {
        command: "events",
        severity: Fail,
        also: "warn when the profile has connected since",
        step: "local-events",
        windows_error: 853,
        meaning: "error 853 (ERROR_EAP_USER_CERT_INVALID): the NPS server does not accept the user certificate (issuing CA missing from NTAuth)",
    }
    /// events: error 691 (ERROR_AUTHENTICATION_FAILURE).
    RasClient691 = "rasclient-691" {
        command: "events",
        severity: Fail,
        also: "warn when the profile has connected since",
        step: "local-events",
        windows_error: 691,
        meaning: "error 691 (ERROR_AUTHENTICATION_FAILURE): the server refused the credentials or the authentication method",
    }
    /// events: error 868 (ERROR_DNSNAME_NOT_RESOLVABLE).
    RasClient868 = "rasclient-868" {
        command: "events",
        severity: Fail,
        also: "warn when the profile has connected since",
        step: "local-events",
        windows_error: 868,
        meaning: "error 868 (ERROR_DNSNAME_NOT_RESOLVABLE): the server name did not resolve; confirm with `check <server>`",
    }
    /// events: error 13801 (ERROR_IPSEC_IKE_AUTH_FAIL).
    RasClient13801 = "rasclient-13801" {
        command: "events",
        severity: Fail,
        also: "warn when the profile has connected since",
        step: "local-events",
        windows_error: 13801,
        meaning: "error 13801 (ERROR_IPSEC_IKE_AUTH_FAIL): IKE certificates unacceptable (server certificate EKU, expiry, untrusted root, name)",
    }
    /// events: error 13806 (ERROR_IPSEC_IKE_NO_CERT).
    RasClient13806 = "rasclient-13806" {
        command: "events",
        severity: Fail,
        also: "warn when the profile has connected since",
        step: "local-events",
        windows_error: 13806,
        meaning: "error 13806 (ERROR_IPSEC_IKE_NO_CERT): no valid machine certificate on the client (device tunnel) or the server",
    }
    /// events: error 13817 (ERROR_IPSEC_IKE_CRL_FAILED).
    RasClient13817 = "rasclient-13817" {
        command: "events",
        severity: Fail,
        also: "warn when the profile has connected since",
        step: "local-events",
        windows_error: 13817,
        meaning: "error 13817 (ERROR_IPSEC_IKE_CRL_FAILED): a certificate revocation check failed (CRL unreachable or expired)",
    }
    /// events: error 13848 (ERROR_IPSEC_IKE_PEER_CRL_FAILED).
    RasClient13848 = "rasclient-13848" {
        command: "events",
        severity: Fail,
        also: "warn when the profile has connected since",
        step: "local-events",
        windows_error: 13848,
        meaning: "error 13848 (ERROR_IPSEC_IKE_PEER_CRL_FAILED): the revocation check of the peer's certificate failed",
    }
    /// events: error 13818 (ERROR_IPSEC_IKE_INVALID_KEY_USAGE).
    RasClient13818 = "rasclient-13818" {
        command: "events",
        severity: Fail,
        also: "warn when the profile has connected since",
        step: "local-events",
        windows_error: 13818,
        meaning: "error 13818 (ERROR_IPSEC_IKE_INVALID_KEY_USAGE): a certificate's key usage or EKU does not allow IKE",
    }
    /// events: error 13843 (ERROR_IPSEC_IKE_INVALID_PAYLOAD).
    RasClient13843 = "rasclient-13843" {
        command: "events",
        severity: Fail,
        also: "warn when the profile has connected since",
        step: "local-events",
        windows_error: 13843,
        meaning: "error 13843 (ERROR_IPSEC_IKE_INVALID_PAYLOAD): a malformed or unexpected IKE payload arrived; confirm with `pcap`",
    }
    /// events: error 13847 (ERROR_IPSEC_IKE_NO_PEER_CERT).
    RasClient13847 = "rasclient-13847" {
        command: "events",
        severity: Fail,
        also: "warn when the profile has connected since",
        step: "local-events",
        windows_error: 13847,
        meaning: "error 13847 (ERROR_IPSEC_IKE_NO_PEER_CERT): the server sent no valid certificate in IKE_AUTH",
    }
    /// events: error 13868 (ERROR_IPSEC_IKE_POLICY_MATCH).
    RasClient13868 = "rasclient-13868" {
        command: "events",
        severity: Fail,
        also: "warn when the profile has connected since",
        step: "local-events",
        windows_error: 13868,
        meaning: "error 13868 (ERROR_IPSEC_IKE_POLICY_MATCH): no common IKE proposal; confirm with `probe <server> --proposals all` and `profile`",
    }
    /// events: error 13887 (ERROR_IPSEC_IKE_CERT_CHAIN_POLICY_MISMATCH).
    RasClient13887 = "rasclient-13887" {
        command: "events",
        severity: Fail,
        also: "warn when the profile has connected since",
        step: "local-events",
        windows_error: 13887,
        meaning: "error 13887 (ERROR_IPSEC_IKE_CERT_CHAIN_POLICY_MISMATCH): a certificate does not chain to the root the IPsec policy accepts",
    }
    /// events: error 0x800B0109 (CERT_E_UNTRUSTEDROOT).
    RasClientUntrustedRoot = "rasclient-0x800b0109" {
        command: "events",
        severity: Fail,
        also: "warn when the profile has connected since",
        step: "local-events",
        windows_error: 0x800b0109,
        meaning: "error 0x800B0109 (CERT_E_UNTRUSTEDROOT): the client does not trust the root CA of the server's certificate",
    }
    /// events: error 0x80070040.
    RasClientNoServerAuthEku = "rasclient-0x80070040" {
        command: "events",
        severity: Fail,
        also: "warn when the profile has connected since",
        step: "local-events",
        windows_error: 0x80070040,
        meaning: "error 0x80070040: per Microsoft's troubleshooting guide the server certificate lacks Server Authentication (the code itself reads ERROR_NETNAME_DELETED; sources disagree)",
    }
    /// events: any other RasClient 20227 error code, with the number, its name and Windows' message as evidence.
    RasClientError = "rasclient-error" {
        command: "events",
        severity: Fail,
        also: "warn when the profile has connected since",
        step: "local-events",
        meaning: "any other RasClient 20227 error code, with the number, its name and Windows' message as evidence",
    }
    /// events: a connected VPN was terminated (RasClient 20226) with a reason code other than the user's or the system's own.
    VpnConnectionDropped = "vpn-connection-dropped" {
        command: "events",
        severity: Warn,
        also: "info for logoff, user switch, hibernation or suspend",
        meaning: "a connected VPN was terminated (RasClient 20226) with a reason code other than the user's or the system's own",
    }
    /// events: a VPN profile connected (RasClient 20225).
    VpnConnected = "vpn-connected" {
        command: "events",
        severity: Info,
        meaning: "a VPN profile connected (RasClient 20225): how often and when last",
    }
    /// events: WFP IKE main-mode failure events (`netsh wfp show netevents`).
    IkeMmFailure = "ike-mm-failure" {
        command: "events",
        severity: Fail,
        also: "warn when a VPN attempt connected after it",
        meaning: "WFP IKE main-mode failure events (`netsh wfp show netevents`): error code, which side failed, main-mode state, peer",
    }
    /// events: the server refused an authentication (NPS 6273, RemoteAccess 20271).
    ServerAuthRefused = "server-auth-refused" {
        command: "events",
        severity: Fail,
        meaning: "the VPN server's side refused an authentication attempt: NPS event 6273 (reason code and reason) or RemoteAccess event 20271 (reason), per reason",
    }
    /// events: no VPN connection attempt in the events read (or in the `--since` window).
    NoVpnAttempts = "no-vpn-attempts" {
        command: "events",
        severity: Warn,
        meaning: "no VPN connection attempt in the events read (or in the `--since` window): nothing to diagnose",
    }
    /// events: damaged EVTX records could not be read and were skipped; the rest was judged.
    EventsRecordsSkipped = "events-records-skipped" {
        command: "events",
        severity: Warn,
        meaning: "damaged EVTX records could not be read and were skipped; the rest was judged",
    }
    /// events: an EVTX copy ends inside a chunk: the events after the cut are missing.
    EventsExportCutShort = "events-export-cut-short" {
        command: "events",
        severity: Warn,
        meaning: "an EVTX file was cut short (it ends inside a 64 KiB chunk or before the chunks its header counts): the events after the cut are missing; copy or export it again",
    }

    // ---- local (Windows registry, VPN phonebooks) --------------------------
    /// The machine is not an RRAS server.
    LocalRrasNotInstalled = "rras-not-installed" {
        command: "check --local-rras",
        severity: Info,
        meaning: "this machine is not an RRAS server",
    }
    /// RRAS has EnableServerFragmentation = 1.
    LocalRrasFragmentationEnabled = "rras-fragmentation-enabled" {
        command: "check --local-rras",
        severity: Info,
        meaning: "`EnableServerFragmentation`=1 is set",
    }
    /// RRAS lacks EnableServerFragmentation = 1.
    LocalRrasFragmentationDisabled = "rras-fragmentation-disabled" {
        command: "check --local-rras",
        severity: Fail,
        step: "local-rras",
        rank: 90,
        windows_error: 809,
        meaning: "this RRAS server lacks `EnableServerFragmentation`=1, so it never offers IKEv2 fragmentation",
    }
    /// The Windows build is older than 1803 (no IKEv2 fragmentation in RRAS).
    LocalRrasTooOldForFragmentation = "rras-too-old-for-fragmentation" {
        command: "check --local-rras",
        severity: Warn,
        step: "local-rras",
        rank: 140,
        meaning: "Windows build older than 1803/17134, RRAS cannot fragment IKEv2",
    }
    /// A VPN profile does not try IKEv2 at all.
    ProfileNotIkev2 = "profile-not-ikev2" {
        command: "profile",
        severity: Info,
        meaning: "the profile never tries IKEv2",
    }
    /// A VPN profile sets Disable_IKEv2_Fragmentation=1.
    ProfileIkeFragmentationDisabled = "profile-ike-fragmentation-disabled" {
        command: "profile",
        severity: Warn,
        meaning: "a VPN profile sets `Disable_IKEv2_Fragmentation=1`, so IKE_AUTH leaves as IP fragments",
    }
    /// A VPN profile has no custom IPsec policy (Windows defaults are offered).
    ProfileDefaultCrypto = "profile-default-crypto" {
        command: "profile",
        severity: Info,
        meaning: "no custom IPsec policy, Windows offers its built-in proposals",
    }
    /// A VPN profile's CustomIPSecPolicies value cannot be decoded.
    ProfileCryptoUnreadable = "profile-crypto-unreadable" {
        command: "profile",
        severity: Warn,
        meaning: "a profile's CustomIPSecPolicies value is not the 24-byte policy Windows writes: its IKE proposals cannot be told",
    }
    /// A VPN profile's custom policy uses DES/3DES/MD5/SHA-1/DH 1 or 2.
    ProfileWeakCrypto = "profile-weak-crypto" {
        command: "profile",
        severity: Warn,
        meaning: "the profile's custom IPsec policy uses DES/3DES, MD5/SHA-1 or DH group 1/2",
    }
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl JsonSchema for Code {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Code".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let codes: Vec<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
        schemars::json_schema!({
            "description": "A stable finding code (README: Finding codes).",
            "type": "string",
            "enum": codes,
        })
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One diagnosis: what was seen, the facts behind it, and what to change.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Finding {
    pub code: Code,
    pub severity: Severity,
    /// One line, readable on its own.
    pub summary: String,
    /// Facts that support the finding (packet numbers, sizes, addresses, times),
    /// as an ordered JSON object so scripts can read fields by name.
    pub evidence: Map<String, Value>,
    /// What to change, in words an admin acts on; null for pure information.
    pub remedy: Option<String>,
    /// The error a Windows VPN client shows for this problem (809, 13801,
    /// 13868, ...): the registry's value for a `fail` finding, none otherwise.
    pub windows_error: Option<u32>,
}

impl Finding {
    /// A finding with the code's Windows error (from its registry row) when
    /// `severity` is `fail`: a warning does not make the client fail.
    pub fn new(code: Code, severity: Severity, summary: impl Into<String>) -> Self {
        Finding {
            code,
            severity,
            summary: summary.into(),
            evidence: Map::new(),
            remedy: None,
            windows_error: Self::windows_error_for(code, severity),
        }
    }

    /// Changes the severity, keeping `windows_error` consistent with it.
    pub fn severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self.windows_error = Self::windows_error_for(self.code, severity);
        self
    }

    fn windows_error_for(code: Code, severity: Severity) -> Option<u32> {
        if severity == Severity::Fail {
            code.info().windows_error
        } else {
            None
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, JsonSchema)]
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
            r#"{"code":"6to4-non-global-ipv4","severity":"warn","summary":"s","evidence":{"zeta":1,"alpha":"x"},"remedy":"r","windows_error":null}"#
        );
    }

    #[test]
    fn fail_findings_carry_the_registry_windows_error() {
        let f = Finding::new(Code::IkeAuthUnanswered, Severity::Fail, "s");
        assert_eq!(f.windows_error, Some(809));
        let w = f.severity(Severity::Warn);
        assert_eq!(w.windows_error, None);
        assert_eq!(w.severity(Severity::Fail).windows_error, Some(809));
    }

    #[test]
    fn registry_rows_are_complete_and_ranks_unique() {
        let mut ranks = std::collections::HashSet::new();
        for code in Code::ALL {
            let info = code.info();
            assert_eq!(info.code, code.as_str());
            assert!(
                !info.command.is_empty() && !info.meaning.is_empty(),
                "{code}"
            );
            assert!(
                !info.meaning.ends_with('.'),
                "{code}: meaning is one line without a full stop"
            );
            if let Some(r) = info.rank {
                assert!(ranks.insert(r), "{code}: rank {r} used twice");
            }
        }
    }
}
