//! A scripted IKEv2 responder for unit tests: answers the probe's requests
//! the way strongSwan does (RFC 7296 §1.2, §1.3, §2.6), with knobs for the
//! failure modes the probe must tell apart. Used only by tests.

use std::collections::HashSet;
use std::net::SocketAddr;

use super::ike::{NATT_PORT, ip_udp_overhead};
use super::net::{Received, Scripted, Sent};
use crate::wire::ike::notation;
use crate::wire::ike::{
    Body, DhGroup, Flags, Ke, Message, Notify, NotifyType, Payload, Proposal, Sa, Transform,
    TransformType, vendor,
};
use crate::wire::natt;

#[derive(Debug, Clone)]
pub struct FakeServer {
    /// Proposals the server accepts, strongSwan notation.
    pub accepts: Vec<Proposal>,
    pub fragmentation: bool,
    pub cookie: bool,
    /// Ports where datagrams vanish.
    pub dropped_ports: HashSet<u16>,
    /// Ports that answer with ICMP port unreachable.
    pub closed_ports: HashSet<u16>,
    /// Largest IP datagram that reaches the server (fragments dropped above).
    pub max_ip_size: Option<usize>,
    /// The address the server believes it has (differs from the probed one
    /// when it sits behind a DNAT or load balancer).
    pub real_addr: Option<SocketAddr>,
    /// The address the server sees the probe coming from (client-side NAT).
    pub sees_client_as: Option<SocketAddr>,
    pub vendor_ids: Vec<Vec<u8>>,
}

impl FakeServer {
    pub fn new(accepts: &str) -> Self {
        FakeServer {
            accepts: notation::parse_list(accepts).expect("valid test proposals"),
            fragmentation: true,
            cookie: false,
            dropped_ports: HashSet::new(),
            closed_ports: HashSet::new(),
            max_ip_size: None,
            real_addr: None,
            sees_client_as: None,
            vendor_ids: vec![vendor::STRONGSWAN.to_vec()],
        }
    }

    pub fn network(self) -> Scripted {
        Scripted::new(move |sent: &Sent| self.answer(sent))
    }

    fn answer(&self, sent: &Sent) -> Vec<Received> {
        let port = sent.peer.port();
        if self.closed_ports.contains(&port) {
            return vec![Received::Unreachable];
        }
        if self.dropped_ports.contains(&port) {
            return vec![];
        }
        if let Some(max) = self.max_ip_size
            && sent.data.len() + ip_udp_overhead(sent.peer) > max
        {
            return vec![];
        }
        let ike = if port == NATT_PORT {
            match natt::classify_4500(&sent.data) {
                natt::Udp4500::Ike(rest) => rest,
                _ => return vec![],
            }
        } else {
            &sent.data[..]
        };
        let Ok(req) = Message::parse(ike) else {
            return vec![];
        };
        let reply = self.respond(&req, sent);
        let mut bytes = reply.emit();
        if port == NATT_PORT {
            bytes = natt::with_marker(&bytes);
        }
        vec![Received::Datagram(bytes)]
    }

    fn respond(&self, req: &Message, sent: &Sent) -> Message {
        let mut header = req.header;
        header.flags = Flags(Flags::RESPONSE);
        let notify_only = |kind: NotifyType, data: Vec<u8>| Message {
            header,
            payloads: vec![Body::Notify(Notify::new(kind, data)).into()],
        };
        let has_cookie = req.payloads.first().is_some_and(
            |p| matches!(&p.body, Body::Notify(n) if n.kind == NotifyType::COOKIE && n.data == b"fake-cookie"),
        );
        if self.cookie && !has_cookie {
            return notify_only(NotifyType::COOKIE, b"fake-cookie".to_vec());
        }
        let offered = req.sa().map(|sa| sa.proposals.clone()).unwrap_or_default();
        let Some(chosen) = offered.iter().find_map(|p| self.select(p)) else {
            return notify_only(NotifyType::NO_PROPOSAL_CHOSEN, Vec::new());
        };
        let group = chosen.dh_groups()[0];
        if req.ke().map(|k| k.group) != Some(group) {
            return notify_only(
                NotifyType::INVALID_KE_PAYLOAD,
                group.0.to_be_bytes().to_vec(),
            );
        }
        header.spi_r = [0x5e; 8];
        let me = self.real_addr.unwrap_or(sent.peer);
        let them = self.sees_client_as.unwrap_or(sent.local);
        let mut payloads: Vec<Payload> = vec![
            Body::Sa(Sa {
                proposals: vec![chosen],
            })
            .into(),
            Body::Ke(Ke {
                group,
                data: req.ke().map(|k| k.data.clone()).unwrap_or_default(),
            })
            .into(),
            Body::Nonce(vec![0x4e; 32]).into(),
            Body::Notify(Notify::new(
                NotifyType::NAT_DETECTION_SOURCE_IP,
                natt::nat_detection_hash(&header.spi_i, &header.spi_r, me).to_vec(),
            ))
            .into(),
            Body::Notify(Notify::new(
                NotifyType::NAT_DETECTION_DESTINATION_IP,
                natt::nat_detection_hash(&header.spi_i, &header.spi_r, them).to_vec(),
            ))
            .into(),
        ];
        if self.fragmentation {
            payloads.push(
                Body::Notify(Notify::new(
                    NotifyType::IKEV2_FRAGMENTATION_SUPPORTED,
                    vec![],
                ))
                .into(),
            );
        }
        payloads.extend(
            self.vendor_ids
                .iter()
                .cloned()
                .map(|v| Body::VendorId(v).into()),
        );
        Message { header, payloads }
    }

    /// strongSwan-like selection: the first transform of each type in the
    /// offered proposal that one accepted proposal also lists.
    fn select(&self, offered: &Proposal) -> Option<Proposal> {
        self.accepts.iter().find_map(|mine| {
            let mut picked = Vec::new();
            for kind in [
                TransformType::ENCR,
                TransformType::INTEG,
                TransformType::PRF,
                TransformType::DH,
            ] {
                let want: Vec<&Transform> = mine.of_type(kind).collect();
                let theirs: Vec<&Transform> = offered.of_type(kind).collect();
                if want.is_empty() && theirs.is_empty() {
                    continue;
                }
                let hit = theirs.iter().find(|t| want.contains(t))?;
                picked.push((*hit).clone());
            }
            let mut p = Proposal::ike(offered.number, picked);
            p.spi.clone_from(&offered.spi);
            Some(p)
        })
    }
}

/// The DH group of a KE payload in a request, for assertions.
pub fn ke_group(datagram: &[u8], port: u16) -> Option<DhGroup> {
    let ike = if port == NATT_PORT {
        datagram.get(4..)?
    } else {
        datagram
    };
    Message::parse(ike).ok()?.ke().map(|k| k.group)
}
