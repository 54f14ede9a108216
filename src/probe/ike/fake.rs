//! A scripted IKEv2 responder for unit tests: answers the probe's requests
//! the way strongSwan does (RFC 7296 §1.2, §1.3, §2.6), with knobs for the
//! failure modes the probe must tell apart. Used only by tests.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use super::exchange::{NATT_PORT, ip_udp_overhead};
use super::kex::KeyPair;
use crate::probe::net::{Received, Scripted, Sent};
use crate::wire::ike::credentials::{self, Identification};
use crate::wire::ike::notation;
use crate::wire::ike::protect::{self, Envelope, Protection, Sender, Suite};
use crate::wire::ike::{
    Body, DhGroup, ExchangeType, Flags, Header, Ke, Message, Notify, NotifyType, Payload,
    PayloadType, Proposal, Sa, Transform, TransformType, emit_chain, parse_chain, vendor,
};
use crate::wire::natt;

/// How the fake answers a credential-less IKE_AUTH for an SA it holds.
#[derive(Debug, Clone)]
pub enum FakeAuth {
    /// Certificate/PSK peers: an encrypted AUTHENTICATION_FAILED.
    Pubkey,
    /// EAP responder: IDr, CERT, AUTH, EAP Request/Identity, about 2 KB
    /// (SKF pieces of at most [`SKF_PIECE`] bytes when 16430 was negotiated).
    Eap,
    /// EAP responder with a real chain: IDr `vpn.example.test`, the server
    /// and intermediate certificates when the request has a CERTREQ (or
    /// always, with `send_cert_always`), and an RFC 7427 ECDSA-with-SHA256
    /// AUTH over the octets of RFC 7296 §2.15.
    EapWithCerts(Arc<crate::cert::testpki::Pki>),
}

/// What the fake keeps per IKE SA.
#[derive(Debug, Clone)]
struct FakeSa {
    /// The port it was made on.
    port: u16,
    protection: Protection,
    /// Both sides sent 16430.
    negotiated: bool,
    /// The IKE_SA_INIT response as sent (RealMessage2) and the initiator's nonce.
    message2: Vec<u8>,
    nonce_i: Vec<u8>,
    /// SKF pieces of a request being reassembled, by Fragment Number.
    pieces: BTreeMap<u16, (PayloadType, Vec<u8>)>,
}

/// What a server without the IKE SA does with an IKE_AUTH.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoSaReply {
    Silence,
    InvalidIkeSpi,
}

/// Plaintext bytes per SKF piece of the fake's fragmented responses.
pub const SKF_PIECE: usize = 600;

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
    /// The server's own address behind a DNAT or load balancer, hashed with
    /// the port each request arrived on (unlike the fixed `real_addr`).
    pub real_ip: Option<IpAddr>,
    /// A port-preserving source NAT in front of the server: it sees the
    /// probe as this address with the probe's own source port.
    pub snat_ip: Option<IpAddr>,
    pub vendor_ids: Vec<Vec<u8>>,
    pub auth: FakeAuth,
    /// UDP 4500 reaches another server (a load balancer without
    /// persistence across services): it answers IKE_SA_INIT itself but
    /// knows no IKE SA made on UDP 500.
    pub split_4500: Option<NoSaReply>,
    /// Largest IP datagram of a response that reaches the probe (the
    /// return path drops IP fragments above it).
    pub max_reply_ip_size: Option<usize>,
    /// Send the certificates even without a CERTREQ (strongSwan
    /// `send_cert = always`; the default is `ifasked`).
    pub send_cert_always: bool,
    /// A request that arrives in SKF pieces is answered; this counts them.
    pub skf_requests_seen: usize,
    /// Once a datagram was dropped for `max_ip_size`, ignore every later
    /// IKE_SA_INIT (a responder whose half-open limit for this client fills
    /// up just then: the fragment test's canary goes unanswered too).
    pub stops_answering_after_a_drop: bool,
    stopped_answering: bool,
    /// IKE SAs by initiator SPI.
    sas: HashMap<[u8; 8], FakeSa>,
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
            real_ip: None,
            snat_ip: None,
            vendor_ids: vec![vendor::STRONGSWAN.to_vec()],
            auth: FakeAuth::Pubkey,
            split_4500: None,
            max_reply_ip_size: None,
            send_cert_always: false,
            skf_requests_seen: 0,
            stops_answering_after_a_drop: false,
            stopped_answering: false,
            sas: HashMap::new(),
        }
    }

    pub fn network(mut self) -> Scripted {
        Scripted::new(move |sent: &Sent| self.answer(sent))
    }

    /// The replies to one datagram (for fakes that route between servers).
    pub fn answer(&mut self, sent: &Sent) -> Vec<Received> {
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
            self.stopped_answering |= self.stops_answering_after_a_drop;
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
        let replies = if req.header.exchange == ExchangeType::IKE_SA_INIT {
            if self.stopped_answering {
                return vec![];
            }
            let bytes = self.respond(&req, sent).emit();
            if let Some(sa) = self.sas.get_mut(&req.header.spi_i) {
                sa.message2.clone_from(&bytes);
            }
            vec![bytes]
        } else {
            self.respond_protected(ike, &req.header, port)
        };
        replies
            .into_iter()
            .map(|bytes| {
                if port == NATT_PORT {
                    natt::with_marker(&bytes)
                } else {
                    bytes
                }
            })
            .filter(|d| {
                self.max_reply_ip_size
                    .is_none_or(|max| d.len() + ip_udp_overhead(sent.peer) <= max)
            })
            .map(Received::Datagram)
            .collect()
    }

    /// IKE_AUTH and INFORMATIONAL requests inside an IKE SA (RFC 7296 §1.2,
    /// §1.4), or what a server without the SA does with them.
    fn respond_protected(&mut self, ike: &[u8], h: &Header, port: u16) -> Vec<Vec<u8>> {
        let known = self.sas.get(&h.spi_i).filter(|sa| {
            self.split_4500.is_none() || (sa.port == NATT_PORT) == (port == NATT_PORT)
        });
        let Some(known) = known else {
            return match self.split_4500 {
                Some(NoSaReply::InvalidIkeSpi) => {
                    let mut header = *h;
                    header.flags = Flags(Flags::RESPONSE);
                    header.exchange = ExchangeType::INFORMATIONAL;
                    header.message_id = 0;
                    let msg = Message {
                        header,
                        payloads: vec![
                            Body::Notify(Notify::new(NotifyType::INVALID_IKE_SPI, vec![])).into(),
                        ],
                    };
                    vec![msg.emit()]
                }
                _ => vec![],
            };
        };
        let state = known.clone();
        let (sa, negotiated) = (state.protection.clone(), state.negotiated);
        let Ok(opened) = sa.open(Sender::Initiator, ike) else {
            return vec![];
        };
        // RFC 7383 §2.6: reassemble a request sent in SKF pieces.
        let (first_inner, plaintext) = match opened.envelope {
            Envelope::Sk => (opened.first_inner, opened.plaintext.clone()),
            Envelope::Skf { number, total } => {
                let Some(entry) = self.sas.get_mut(&h.spi_i) else {
                    return vec![];
                };
                entry
                    .pieces
                    .insert(number, (opened.first_inner, opened.plaintext.clone()));
                if entry.pieces.len() < usize::from(total) {
                    return vec![];
                }
                let pieces = std::mem::take(&mut entry.pieces);
                self.skf_requests_seen += 1;
                let first = pieces.get(&1).map_or(PayloadType::NONE, |p| p.0);
                (first, pieces.into_values().flat_map(|p| p.1).collect())
            }
        };
        let request = parse_chain(first_inner, &plaintext, 0).unwrap_or_default();
        let mut header = opened.header;
        header.flags = Flags(Flags::RESPONSE);
        let payloads: Vec<Payload> = if h.exchange == ExchangeType::IKE_AUTH {
            match &self.auth {
                FakeAuth::Pubkey => vec![
                    Body::Notify(Notify::new(NotifyType::AUTHENTICATION_FAILED, vec![])).into(),
                ],
                FakeAuth::Eap => {
                    let other = |kind, data: Vec<u8>| Payload::from(Body::Other { kind, data });
                    vec![
                        other(PayloadType::IDR, b"\x02\0\0\0vpn.fake.test".to_vec()),
                        other(PayloadType::CERT, vec![4; 1400]),
                        other(PayloadType::CERT, vec![4; 300]),
                        other(PayloadType::AUTH, vec![1; 260]),
                        other(PayloadType::EAP, vec![1, 1, 0, 5, 1]),
                    ]
                }
                FakeAuth::EapWithCerts(pki) => {
                    let asked = request.iter().any(|p| p.kind() == PayloadType::CERTREQ);
                    self.eap_with_certs(pki, &state, asked)
                }
            }
        } else {
            self.sas.remove(&h.spi_i);
            Vec::new()
        };
        let mut inner = Vec::new();
        emit_chain(&payloads, &mut inner);
        let first = payloads.first().map_or(PayloadType::NONE, Payload::kind);
        let iv = vec![0x17; sa.suite.encr.iv_len()];
        if !negotiated || inner.len() <= SKF_PIECE {
            return sa
                .seal(Sender::Responder, header, Envelope::Sk, first, &inner, &iv)
                .into_iter()
                .collect();
        }
        // RFC 7383 §2.5: every piece a complete message; the first names
        // the first inner payload, the others NONE.
        let pieces: Vec<&[u8]> = inner.chunks(SKF_PIECE).collect();
        let total = pieces.len() as u16;
        pieces
            .iter()
            .enumerate()
            .filter_map(|(i, piece)| {
                let number = i as u16 + 1;
                let next = if number == 1 {
                    first
                } else {
                    PayloadType::NONE
                };
                sa.seal(
                    Sender::Responder,
                    header,
                    Envelope::Skf { number, total },
                    next,
                    piece,
                    &iv,
                )
                .ok()
            })
            .collect()
    }

    /// IDr, CERT (when asked), AUTH (RFC 7427, ECDSA with SHA-256, over
    /// RealMessage2 | Ni | prf(SK_pr, IDr')) and EAP Request/Identity.
    fn eap_with_certs(
        &self,
        pki: &crate::cert::testpki::Pki,
        sa: &FakeSa,
        asked: bool,
    ) -> Vec<Payload> {
        let other = |kind, data: Vec<u8>| Payload::from(Body::Other { kind, data });
        let idr = Identification::from_text(crate::cert::testpki::HOST);
        let maced = sa
            .protection
            .suite
            .prf
            .prf(&sa.protection.keys.sk_pr, &[&idr.body()])
            .unwrap_or_default();
        let octets = credentials::responder_signed_octets(&sa.message2, &sa.nonce_i, &maced);
        // RFC 7427 Appendix A.4.1: ecdsa-with-SHA256.
        let alg = [
            0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02,
        ];
        let mut auth = vec![14, 0, 0, 0, alg.len() as u8];
        auth.extend_from_slice(&alg);
        auth.extend_from_slice(&pki.sign(&octets));
        let mut out = vec![idr.payload(PayloadType::IDR)];
        if asked || self.send_cert_always {
            for der in pki.sent() {
                let mut data = vec![4];
                data.extend_from_slice(&der);
                out.push(other(PayloadType::CERT, data));
            }
        }
        out.push(other(PayloadType::AUTH, auth));
        out.push(other(PayloadType::EAP, vec![1, 1, 0, 5, 1]));
        out
    }

    fn respond(&mut self, req: &Message, sent: &Sent) -> Message {
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
        // RFC 7383 §2.3: 16430 only in answer to 16430.
        let fragmentation = self.fragmentation
            && req
                .notify(NotifyType::IKEV2_FRAGMENTATION_SUPPORTED)
                .is_some();
        let nonce_r = vec![0x4e; 32];
        // A real key exchange, so the IKE_AUTH test can be answered.
        let peer_ke = req.ke().map(|k| k.data.clone()).unwrap_or_default();
        let mut ke_data = peer_ke.clone();
        if let Ok(kp) = KeyPair::generate(group)
            && let Ok(shared) = kp.shared_secret(group, &peer_ke)
            && let Ok(suite) = Suite::from_proposal(&chosen)
            && let Some(ni) = req.nonce()
            && let Ok(keys) =
                protect::derive_keys(&suite, &shared, ni, &nonce_r, &header.spi_i, &header.spi_r)
        {
            ke_data = kp.public.clone();
            self.sas.insert(
                header.spi_i,
                FakeSa {
                    port: sent.peer.port(),
                    protection: Protection { suite, keys },
                    negotiated: fragmentation,
                    message2: Vec::new(),
                    nonce_i: ni.to_vec(),
                    pieces: BTreeMap::new(),
                },
            );
        }
        let me = self
            .real_addr
            .or(self.real_ip.map(|ip| SocketAddr::new(ip, sent.peer.port())))
            .unwrap_or(sent.peer);
        let them = self
            .sees_client_as
            .or(self
                .snat_ip
                .map(|ip| SocketAddr::new(ip, sent.local.port())))
            .unwrap_or(sent.local);
        let mut payloads: Vec<Payload> = vec![
            Body::Sa(Sa {
                proposals: vec![chosen],
            })
            .into(),
            Body::Ke(Ke {
                group,
                data: ke_data,
            })
            .into(),
            Body::Nonce(nonce_r).into(),
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
        if fragmentation {
            payloads.push(
                Body::Notify(Notify::new(
                    NotifyType::IKEV2_FRAGMENTATION_SUPPORTED,
                    vec![],
                ))
                .into(),
            );
        }
        // Like strongSwan: a CERTREQ for the CAs it trusts (here, its own root).
        if let FakeAuth::EapWithCerts(pki) = &self.auth
            && let Some(hash) = crate::cert::trust::spki_sha1(&pki.root)
        {
            payloads.push(credentials::CertReq::x509(vec![hash]).payload());
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
