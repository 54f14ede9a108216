//! Facts of the IKE_AUTH test (does UDP 4500 reach the server that holds the
//! IKE SA made on UDP 500?). The test itself is `probe::ike::auth`.

use std::net::SocketAddr;
use std::time::Duration;

use crate::diagnose::CouldNotRun;
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
    /// Size of the request as an IP datagram, bytes.
    pub request_ip_bytes: usize,
    pub rtt: Option<Duration>,
    /// What the decrypted answer held; `None` without a complete answer.
    pub response: Option<AuthSummary>,
    /// SKF pieces received and verified, and how many the response has.
    pub skf_fragments: u16,
    pub skf_total: u16,
    /// Datagrams with our SPI whose integrity check failed.
    pub integrity_failures: u32,
    /// Other datagrams that were no answer to this request.
    pub ignored: u32,
    /// An INFORMATIONAL Delete for the IKE SA was sent, and answered.
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
            rtt: None,
            response: None,
            skf_fragments: 0,
            skf_total: 0,
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
