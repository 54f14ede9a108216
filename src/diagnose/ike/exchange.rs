//! Facts of one IKE_SA_INIT exchange: what was sent, how it ended, and what
//! the response said (RFC 7296 §1.2, §2.6, §1.3, §2.23; RFC 7383 §2.3;
//! RFC 5685). Reading a parsed response into [`ResponseFacts`] is pure.

use std::net::SocketAddr;
use std::time::Duration;

use crate::wire::ike::{DhGroup, Message, Notify, NotifyType, Proposal, vendor};
use crate::wire::natt;

/// How an exchange ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// A valid IKE_SA_INIT response came back.
    Answered,
    /// Nothing came back within the retransmission budget.
    NoAnswer,
    /// An ICMP unreachable came back: nobody listens, or a firewall rejects.
    Unreachable,
}

impl Outcome {
    /// `answered`, `no-answer`, `unreachable` (JSON and step details).
    pub fn as_str(&self) -> &'static str {
        match self {
            Outcome::Answered => "answered",
            Outcome::NoAnswer => "no-answer",
            Outcome::Unreachable => "unreachable",
        }
    }
}

/// Why an answered exchange ended without a usable response: the responder
/// kept the initiator going round (RFC 7296 §2.6, §1.3) until the probe's
/// bounds stopped it. A real client never gets an IKE SA from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unfinished {
    /// A second COOKIE demand after the request carried the first cookie
    /// back (§2.6 needs one round).
    CookieRepeated,
    /// INVALID_KE_PAYLOAD for a group the request already carried or did
    /// not offer, or again after the request carried the group asked for
    /// (§1.3: the group must be one of the offer's, and one retry settles it).
    KeGroupRepeated(DhGroup),
    /// [`crate::probe::ike::MAX_ROUNDS`] request variants were all answered
    /// with another demand.
    RoundsExhausted,
}

impl Unfinished {
    /// `cookie-repeated`, `ke-group-repeated`, `rounds-exhausted` (JSON).
    pub fn as_str(&self) -> &'static str {
        match self {
            Unfinished::CookieRepeated => "cookie-repeated",
            Unfinished::KeGroupRepeated(_) => "ke-group-repeated",
            Unfinished::RoundsExhausted => "rounds-exhausted",
        }
    }
}

/// Everything observed in one exchange.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExchangeFacts {
    pub peer: SocketAddr,
    /// Our address and port as the socket sees them.
    pub local: SocketAddr,
    pub spi_i: [u8; 8],
    pub outcome: Outcome,
    /// Datagrams sent, retransmissions and retries included.
    pub requests_sent: u32,
    /// Size of the last request: UDP payload and whole IP datagram, bytes.
    pub udp_payload_bytes: usize,
    pub ip_datagram_bytes: usize,
    /// Time from the last send to the answer.
    pub rtt: Option<Duration>,
    /// Groups the responder asked for with INVALID_KE_PAYLOAD, in order.
    pub ke_retries: Vec<DhGroup>,
    /// The responder demanded a COOKIE (it is under load or always does).
    pub cookie_requested: bool,
    /// Datagrams from the peer's address and port that were not an answer
    /// to this request (truncated or damaged IKE, lengths that lie, another
    /// SPI or message ID, not IKE at all).
    pub ignored: u32,
    /// Answered, but only with demands that never ended (see [`Unfinished`]).
    pub unfinished: Option<Unfinished>,
    /// ICMP "fragmentation needed" / "packet too big" came back for a request.
    pub too_big: bool,
    /// What the final response said; `None` without one.
    pub response: Option<ResponseFacts>,
}

impl ExchangeFacts {
    /// Facts of an exchange that has not sent anything yet.
    pub fn new(peer: SocketAddr, local: SocketAddr, spi_i: [u8; 8]) -> Self {
        ExchangeFacts {
            peer,
            local,
            spi_i,
            outcome: Outcome::NoAnswer,
            requests_sent: 0,
            udp_payload_bytes: 0,
            ip_datagram_bytes: 0,
            rtt: None,
            ke_retries: Vec::new(),
            cookie_requested: false,
            ignored: 0,
            unfinished: None,
            too_big: false,
            response: None,
        }
    }

    pub fn answered(&self) -> bool {
        self.outcome == Outcome::Answered
    }

    /// The proposal the responder chose, when it sent a full response.
    pub fn chosen(&self) -> Option<&Proposal> {
        self.response.as_ref().and_then(|r| r.chosen.as_ref())
    }
}

/// Facts read from an IKE_SA_INIT response.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ResponseFacts {
    /// The proposal the responder chose, when it accepted one.
    pub chosen: Option<Proposal>,
    /// Notify 16430 present (RFC 7383 §2.3).
    pub fragmentation_supported: bool,
    /// The responder's own address differs from the one we sent to: it sits
    /// behind NAT (a DNAT, load balancer or port forward). `None` without the notify.
    pub responder_behind_nat: Option<bool>,
    /// Our address as the responder saw it differs from our socket's: a NAT
    /// sits on our side. `None` without the notify.
    pub initiator_behind_nat: Option<bool>,
    /// REDIRECT (RFC 5685 §3.1/§4): the gateway the responder sends us to.
    pub redirect: Option<String>,
    pub vendor_ids: Vec<String>,
    /// Error notifies (type below 16384), e.g. NO_PROPOSAL_CHOSEN.
    pub errors: Vec<NotifyType>,
    /// The group an INVALID_KE_PAYLOAD asked for.
    pub requested_group: Option<DhGroup>,
}

impl ResponseFacts {
    /// Reads the response `msg` to the request with initiator SPI `spi_i`
    /// sent from `local` to `peer` (the NAT_DETECTION hashes cover both
    /// addresses, RFC 7296 §2.23).
    pub fn read(msg: &Message, spi_i: &[u8; 8], peer: SocketAddr, local: SocketAddr) -> Self {
        let spi_r = msg.header.spi_r;
        let check = |kind: NotifyType, addr: SocketAddr| {
            msg.notify(kind)
                .map(|n| natt::nat_between(&n.data, spi_i, &spi_r, addr))
        };
        ResponseFacts {
            chosen: msg.sa().and_then(|sa| sa.proposals.first().cloned()),
            fragmentation_supported: msg
                .notify(NotifyType::IKEV2_FRAGMENTATION_SUPPORTED)
                .is_some(),
            responder_behind_nat: check(NotifyType::NAT_DETECTION_SOURCE_IP, peer),
            initiator_behind_nat: check(NotifyType::NAT_DETECTION_DESTINATION_IP, local),
            redirect: msg
                .notify(NotifyType::REDIRECT)
                .map(|n| redirect_target(&n.data)),
            vendor_ids: msg.vendor_ids().map(vendor::describe).collect(),
            errors: msg
                .notifies()
                .filter(|n| n.kind.is_error())
                .map(|n| n.kind)
                .collect(),
            requested_group: msg
                .notify(NotifyType::INVALID_KE_PAYLOAD)
                .and_then(Notify::requested_group),
        }
    }
}

/// RFC 5685 §4: GW Ident Type (1 IPv4, 2 IPv6, 3 FQDN), length, identity.
fn redirect_target(data: &[u8]) -> String {
    let mut r = crate::wire::Reader::new(data);
    let parsed = (|| {
        let kind = r.u8("gateway identity type")?;
        let len = r.u8("gateway identity length")? as usize;
        let id = r.bytes(len, "gateway identity")?;
        Ok::<_, crate::wire::Error>(match (kind, len) {
            (1, 4) => <[u8; 4]>::try_from(id)
                .map(|a| std::net::Ipv4Addr::from(a).to_string())
                .unwrap_or_default(),
            (2, 16) => <[u8; 16]>::try_from(id)
                .map(|a| std::net::Ipv6Addr::from(a).to_string())
                .unwrap_or_default(),
            (3, _) => String::from_utf8_lossy(id).into_owned(),
            _ => crate::wire::hex(id),
        })
    })();
    parsed.unwrap_or_else(|_| crate::wire::hex(data))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirect_targets_of_each_identity_type() {
        assert_eq!(redirect_target(&[1, 4, 198, 51, 100, 7]), "198.51.100.7");
        let mut v6 = vec![2, 16];
        v6.extend_from_slice(
            &"2001:db8::7"
                .parse::<std::net::Ipv6Addr>()
                .unwrap()
                .octets(),
        );
        assert_eq!(redirect_target(&v6), "2001:db8::7");
        assert_eq!(
            redirect_target(b"\x03\x0fvpn.example.com"),
            "vpn.example.com"
        );
        assert_eq!(redirect_target(&[1, 4, 198, 18, 0, 9]), "198.18.0.9");
        assert_eq!(redirect_target(&[3, 3, b'v', b'p', b'n']), "vpn");
        assert_eq!(redirect_target(&[3, 9, b'v']), "030976");
        // Truncated or unknown: shown as hex, never a panic.
        assert_eq!(redirect_target(&[1, 4, 198]), "0104c6");
        assert_eq!(redirect_target(&[9, 1, 0xab]), "ab");
    }
}
