//! Facts of the IKE_AUTH test (does UDP 4500 reach the server that holds the
//! IKE SA made on UDP 500?). The test itself is `probe::ike::auth`.

use std::net::SocketAddr;
use std::time::Duration;

use crate::diagnose::CouldNotRun;
use crate::wire::ike::credentials::{CertReq, Credentials};
use crate::wire::ike::ikeauth::AuthSummary;

/// How the IKE_AUTH test ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthOutcome {
    /// An answer that verified with the IKE SA's keys (SK_ar or AEAD tag).
    Answered,
    /// An unprotected INVALID_IKE_SPI notify: a server without our IKE SA
    /// got the request (RFC 7296 §2.21.4).
    InvalidIkeSpi,
    /// Nothing authenticated came back within the retransmission budget.
    NoAnswer,
    /// An ICMP unreachable came back for UDP 4500.
    Unreachable,
    /// Not run, and why (e.g. UDP 500 unanswered, unsupported algorithms).
    NotRun(CouldNotRun),
}

impl AuthOutcome {
    /// `answered`, `invalid-ike-spi`, `no-answer`, `unreachable`, `not-run`.
    pub fn as_str(&self) -> &'static str {
        match self {
            AuthOutcome::Answered => "answered",
            AuthOutcome::InvalidIkeSpi => "invalid-ike-spi",
            AuthOutcome::NoAnswer => "no-answer",
            AuthOutcome::Unreachable => "unreachable",
            AuthOutcome::NotRun(_) => "not-run",
        }
    }
}

/// Everything observed in the IKE_AUTH test.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthFacts {
    pub peer: SocketAddr,
    pub outcome: AuthOutcome,
    /// Both sides sent IKEV2_FRAGMENTATION_SUPPORTED in IKE_SA_INIT, so the
    /// server's response comes as SKF pieces that fit the path (RFC 7383).
    pub fragmentation_negotiated: bool,
    pub requests_sent: u32,
    /// Size of the request as an IP datagram (the largest piece when it
    /// went as SKF fragments), bytes.
    pub request_ip_bytes: usize,
    /// SKF pieces the request was sent in (0: one whole message).
    pub request_fragments: u16,
    /// CERTREQ authorities sent (`None`: no CERTREQ).
    pub certreq_sent: Option<usize>,
    /// The CERTREQ payloads of the server's IKE_SA_INIT response: the CAs
    /// it trusts for client certificates (RFC 7296 §3.7).
    pub server_certreqs: Vec<CertReq>,
    pub rtt: Option<Duration>,
    /// What the decrypted answer held; `None` without a complete answer.
    pub response: Option<AuthSummary>,
    /// SKF pieces received and verified, and how many the response has.
    pub skf_fragments: u16,
    pub skf_total: u16,
    /// IP sizes of the datagrams the complete response came in.
    pub response_ip_bytes: Vec<usize>,
    /// The IP size the response has as one whole SK message (what a
    /// server sends when IKE fragmentation is off), bytes.
    pub response_whole_ip_bytes: Option<usize>,
    /// IDr, CERT, CERTREQ and AUTH of the decrypted response.
    pub credentials: Option<Credentials>,
    /// What the responder's AUTH signs (RFC 7296 §2.15); empty without IDr.
    pub signed_octets: Vec<u8>,
    /// Datagrams with our SPI whose integrity check failed.
    pub integrity_failures: u32,
    /// Other datagrams that were no answer to this request.
    pub ignored: u32,
    /// An INFORMATIONAL Delete (message ID 2) for the IKE SA was sent, and
    /// answered: after an answer that left the SA open, and (`--auth` only)
    /// after no answer at all, when an answered Delete also shows that the
    /// server received the IKE_AUTH (message 1; §2.3: message 2 is outside
    /// its window otherwise).
    pub delete_sent: bool,
    pub delete_answered: bool,
}

impl AuthFacts {
    /// Facts of a test that ends as `outcome` before sending anything.
    pub fn new(peer: SocketAddr, outcome: AuthOutcome) -> Self {
        AuthFacts {
            peer,
            outcome,
            fragmentation_negotiated: false,
            requests_sent: 0,
            request_ip_bytes: 0,
            request_fragments: 0,
            certreq_sent: None,
            server_certreqs: Vec::new(),
            rtt: None,
            response: None,
            skf_fragments: 0,
            skf_total: 0,
            response_ip_bytes: Vec::new(),
            response_whole_ip_bytes: None,
            credentials: None,
            signed_octets: Vec::new(),
            integrity_failures: 0,
            ignored: 0,
            delete_sent: false,
            delete_answered: false,
        }
    }

    pub fn sent(&self) -> bool {
        self.requests_sent > 0
    }

    pub fn answered(&self) -> bool {
        self.outcome == AuthOutcome::Answered
    }

    /// Short description of the answer, for the report.
    pub fn describe_response(&self) -> Option<String> {
        match (&self.outcome, &self.response) {
            (AuthOutcome::Answered, Some(s)) => Some(s.describe()),
            (AuthOutcome::Answered, None) => Some(format!(
                "{} of {} SKF fragments (incomplete)",
                self.skf_fragments, self.skf_total
            )),
            (AuthOutcome::InvalidIkeSpi, _) => Some("INVALID_IKE_SPI (unprotected)".to_owned()),
            _ => None,
        }
    }
}
