//! Path MTU measured with IKE itself (`mtu --ike`): packetization-layer
//! PMTUD in the spirit of RFC 8899. Each probe is one IKE_SA_INIT request
//! (RFC 7296 §1.2) padded with Vendor ID payloads to the candidate IP size
//! and sent with DF set to UDP 500 or 4500 (with the non-ESP marker, RFC 3948
//! §2.2). Any IKE_SA_INIT response proves the request arrived whole: it
//! works where ping is blocked and measures the exact path IKE takes.
//!
//! The responder must keep no state for our probes: strongSwan ignores a peer
//! with more than 5 half-open IKE SAs (`block_threshold`), which would turn a
//! search into a false black hole. So the request offers one common proposal
//! with a KE payload of a group outside it: the responder answers
//! INVALID_KE_PAYLOAD (or NO_PROPOSAL_CHOSEN) and forgets us (RFC 7296 §1.3),
//! as the `probe` command's proposal check does.
//!
//! Requests are built with `wire::ike::builder` and answers parsed with
//! `wire::ike`. On Linux the socket is this module's own (DF, IP_RECVERR), so
//! a too-big error yields the advertised MTU and the hop that sent it; on
//! other systems the `probe` command's UDP transport (`net::Udp` with
//! `Fragmentation::Forbid`) is reused, which reports "too big" without them.

use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use super::driver::{Method, ProbeError, SizedProbe};
use super::search::Outcome;
use crate::probe::ike::kex;
use crate::probe::ike::{NATT_PORT, ike_overhead};
use crate::wire::ike::builder::SaInitRequest;
use crate::wire::ike::notation;
use crate::wire::ike::{DhGroup, ExchangeType, Ke, Message, Proposal};
use crate::wire::natt::{self, Udp4500};

/// Why the IKE transport could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum IkeOpenError {
    #[error("cannot {op} {peer}: {source}")]
    Socket {
        op: &'static str,
        peer: SocketAddr,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot build the IKE probe for {peer}: {source}")]
    Proposal {
        peer: SocketAddr,
        #[source]
        source: crate::wire::ike::notation::NotationError,
    },
    #[error("cannot make the IKE probe's key exchange value for {peer}: {source}")]
    Kex {
        peer: SocketAddr,
        #[source]
        source: crate::probe::ike::kex::KexError,
    },
}

/// The request every probe sends, apart from SPI, nonce and padding.
struct Template {
    proposals: Vec<Proposal>,
    ke: Ke,
}

/// One compact proposal every AOVPN server is usually configured for (the
/// common Windows custom policy): it keeps the floor-size probe small.
const PROPOSAL: &str = "aes256-sha256-modp2048";

fn template(peer: SocketAddr) -> Result<Template, IkeOpenError> {
    let mut proposal =
        notation::parse(PROPOSAL).map_err(|source| IkeOpenError::Proposal { peer, source })?;
    proposal.number = 1;
    let offered = proposal.dh_groups();
    // The smallest KE outside the offer keeps the probe small too.
    let group = [DhGroup::ECP_256, DhGroup::ECP_384]
        .into_iter()
        .chain(kex::SUPPORTED.iter().copied())
        .find(|g| !offered.contains(g))
        .unwrap_or(DhGroup::ECP_256);
    let data = kex::public_value(group).map_err(|source| IkeOpenError::Kex { peer, source })?;
    Ok(Template {
        proposals: vec![proposal],
        ke: Ke { group, data },
    })
}

/// IP + UDP header bytes, plus the non-ESP marker on 4500.
pub fn overhead(peer: SocketAddr) -> u16 {
    // At most 40 + 8 + 4 bytes.
    u16::try_from(ike_overhead(peer)).unwrap_or(u16::MAX)
}

/// The UDP payload of a probe whose IP packet is exactly `size` bytes.
fn datagram(
    peer: SocketAddr,
    t: &Template,
    spi_i: [u8; 8],
    size: u16,
) -> Result<Vec<u8>, ProbeError> {
    let mut nonce = vec![0u8; 32];
    rand::fill(&mut nonce[..]);
    let req = SaInitRequest {
        spi_i,
        proposals: t.proposals.clone(),
        ke: t.ke.clone(),
        nonce,
        cookie: None,
        notifies: Vec::new(),
        vendor_ids: Vec::new(),
        pad_to: Some(usize::from(size.saturating_sub(overhead(peer)))),
    };
    let ike = req.emit().map_err(|source| ProbeError::Build {
        target: peer.ip(),
        source,
    })?;
    Ok(if peer.port() == NATT_PORT {
        natt::with_marker(&ike)
    } else {
        ike
    })
}

/// The initiator SPI of `bytes` (a UDP payload from the peer) when it is
/// an IKE_SA_INIT response (RFC 7296 §3.1: Response flag, message ID 0):
/// which probe it answers.
fn response_spi(bytes: &[u8], port: u16) -> Option<[u8; 8]> {
    let ike = if port == NATT_PORT {
        match natt::classify_4500(bytes) {
            Udp4500::Ike(rest) => rest,
            _ => return None,
        }
    } else {
        bytes
    };
    let m = Message::parse(ike).ok()?;
    (m.header.flags.is_response()
        && m.header.exchange == ExchangeType::IKE_SA_INIT
        && m.header.message_id == 0)
        .then_some(m.header.spi_i)
}

/// Whether `bytes` is an IKE_SA_INIT response to the request with `spi_i`.
#[cfg_attr(target_os = "linux", allow(dead_code))]
fn answers(bytes: &[u8], port: u16, spi_i: &[u8; 8]) -> bool {
    response_spi(bytes, port).is_some_and(|s| s == *spi_i)
}

/// Earlier probes remembered so that a late answer can still be matched.
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
const REMEMBERED: usize = 32;

/// Whether a queued error is about the request with `spi_i`: the queue
/// returns the start of our UDP payload (marker first on 4500).
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
fn about(sent: &[u8], port: u16, spi_i: &[u8; 8]) -> bool {
    let at = if port == NATT_PORT { 4 } else { 0 };
    sent.get(at..at + 8) == Some(&spi_i[..])
}

fn new_spi() -> [u8; 8] {
    let mut spi = [0u8; 8];
    rand::fill(&mut spi[..]);
    spi
}

/// Opens the IKE transport towards `peer` (address and UDP port).
pub fn open(peer: SocketAddr) -> Result<Box<dyn SizedProbe>, IkeOpenError> {
    let t = template(peer)?;
    os::open(peer, t)
}

#[cfg(target_os = "linux")]
mod os {
    use std::collections::VecDeque;
    use std::io;
    use std::mem::MaybeUninit;
    use std::os::fd::AsRawFd;

    use socket2::{Domain, Protocol, SockAddr, Socket, Type};

    use super::*;
    use crate::probe::mtu::errqueue;

    pub struct LinuxIke {
        sock: Socket,
        peer: SocketAddr,
        template: Template,
        /// Earlier probes still unanswered: initiator SPI, size, send time.
        earlier: VecDeque<([u8; 8], u16, Instant)>,
        /// Answers to earlier probes seen since the driver last asked.
        late: Vec<(u16, Duration)>,
    }

    pub fn open(peer: SocketAddr, template: Template) -> Result<Box<dyn SizedProbe>, IkeOpenError> {
        let err = |op, source| IkeOpenError::Socket { op, peer, source };
        let sock = Socket::new(Domain::for_address(peer), Type::DGRAM, Some(Protocol::UDP))
            .map_err(|e| err("open a UDP socket towards", e))?;
        errqueue::set_df_and_recverr(sock.as_raw_fd(), peer.is_ipv6())
            .map_err(|(op, e)| err(op, e))?;
        // Connected: only the server's datagrams reach us.
        sock.connect(&SockAddr::from(peer))
            .map_err(|e| err("connect a UDP socket to", e))?;
        Ok(Box::new(LinuxIke {
            sock,
            peer,
            template,
            earlier: VecDeque::new(),
            late: Vec::new(),
        }))
    }

    impl SizedProbe for LinuxIke {
        fn method(&self) -> Method {
            Method::Ike
        }

        fn target(&self) -> IpAddr {
            self.peer.ip()
        }

        fn overhead(&self) -> u16 {
            overhead(self.peer)
        }

        #[allow(unsafe_code)] // the bytes recv initialised, as a slice
        fn probe(&mut self, size: u16, wait: Duration) -> Result<Outcome, ProbeError> {
            let fd = self.sock.as_raw_fd();
            let target = self.peer.ip();
            let io_err = |op, source: io::Error| match source.raw_os_error() {
                Some(libc::ENETUNREACH | libc::EHOSTUNREACH) => {
                    ProbeError::NoRoute { target, source }
                }
                _ => ProbeError::Io { op, target, source },
            };
            while errqueue::read(fd).is_some() {} // stale errors of earlier probes
            let spi = new_spi();
            let datagram = datagram(self.peer, &self.template, spi, size)?;
            let started = Instant::now();
            match self.sock.send(&datagram) {
                Ok(_) => {}
                Err(e) if e.raw_os_error() == Some(libc::EMSGSIZE) => {
                    return Ok(Outcome::TooBig {
                        mtu: errqueue::local_mtu(fd),
                        from: None,
                    });
                }
                // A pending error of an earlier probe surfaces on this call;
                // this datagram was not sent: send it again once.
                Err(e) if e.raw_os_error() == Some(libc::ECONNREFUSED) => {
                    self.sock
                        .send(&datagram)
                        .map_err(|e| io_err("send an IKE probe to", e))?;
                }
                Err(e) => return Err(io_err("send an IKE probe to", e)),
            }
            let deadline = started + wait;
            let unanswered = |me: &mut Self| {
                if me.earlier.len() == REMEMBERED {
                    me.earlier.pop_front();
                }
                me.earlier.push_back((spi, size, started));
                Ok(Outcome::Lost)
            };
            // Bounded: every pass consumes a datagram or an error, or ends the wait.
            for _ in 0..crate::probe::net::MAX_DATAGRAMS_PER_WAIT {
                let Some((readable, errored)) = errqueue::wait(fd, deadline)
                    .map_err(|e| io_err("wait for IKE answers from", e))?
                else {
                    return unanswered(self);
                };
                if errored {
                    while let Some((outcome, sent)) = errqueue::read(fd) {
                        let port = self.peer.port();
                        if about(&sent, port, &spi) {
                            return Ok(outcome);
                        }
                    }
                }
                if readable {
                    let mut buf = [MaybeUninit::<u8>::uninit(); 4096];
                    // An error here is the socket error that accompanies a
                    // queued ICMP error: the queue says what it was next pass.
                    if let Ok(n) = self.sock.recv_with_flags(&mut buf, libc::MSG_DONTWAIT) {
                        // SAFETY: recv wrote the first n <= buf.len() bytes
                        // (socket2's contract), and MaybeUninit<u8> has the
                        // layout of u8.
                        let bytes: &[u8] =
                            unsafe { std::slice::from_raw_parts(buf.as_ptr().cast(), n) };
                        match response_spi(bytes, self.peer.port()) {
                            Some(s) if s == spi => {
                                return Ok(Outcome::Reply {
                                    rtt: started.elapsed(),
                                });
                            }
                            Some(s) => {
                                if let Some(at) = self.earlier.iter().position(|e| e.0 == s)
                                    && let Some((_, size, sent)) = self.earlier.remove(at)
                                {
                                    self.late.push((size, sent.elapsed()));
                                }
                            }
                            None => {}
                        }
                    }
                }
            }
            unanswered(self)
        }

        fn late_replies(&mut self) -> Vec<(u16, Duration)> {
            std::mem::take(&mut self.late)
        }
    }
}

#[cfg(not(target_os = "linux"))]
mod os {
    use super::*;
    use crate::probe::mtu::search::Unreachable;
    use crate::probe::net::{Conn, Fragmentation, Network, Options, Received, Udp};

    pub struct PortableIke {
        peer: SocketAddr,
        template: Template,
    }

    pub fn open(peer: SocketAddr, template: Template) -> Result<Box<dyn SizedProbe>, IkeOpenError> {
        Ok(Box::new(PortableIke { peer, template }))
    }

    impl SizedProbe for PortableIke {
        fn method(&self) -> Method {
            Method::Ike
        }

        fn target(&self) -> IpAddr {
            self.peer.ip()
        }

        fn overhead(&self) -> u16 {
            overhead(self.peer)
        }

        fn probe(&mut self, size: u16, wait: Duration) -> Result<Outcome, ProbeError> {
            // A fresh socket per probe: no error of an earlier probe lingers.
            let mut conn: Box<dyn Conn> = Udp.open(
                self.peer,
                Options {
                    fragmentation: Fragmentation::Forbid,
                },
            )?;
            let spi = new_spi();
            let datagram = datagram(self.peer, &self.template, spi, size)?;
            let started = Instant::now();
            match conn.send(&datagram) {
                Ok(()) => {}
                // Larger than this host's interface (or known path) allows.
                Err(crate::probe::net::NetError::TooBig { .. }) => {
                    return Ok(Outcome::TooBig {
                        mtu: None,
                        from: None,
                    });
                }
                Err(e) => return Err(e.into()),
            }
            let deadline = started + wait;
            for _ in 0..crate::probe::net::MAX_DATAGRAMS_PER_WAIT {
                match conn.recv(deadline)? {
                    Received::TimedOut => return Ok(Outcome::Lost),
                    Received::Unreachable => {
                        return Ok(Outcome::Error {
                            kind: Unreachable::Port,
                            from: Some(self.peer.ip()),
                        });
                    }
                    Received::TooBig => {
                        return Ok(Outcome::TooBig {
                            mtu: None,
                            from: None,
                        });
                    }
                    Received::Datagram(bytes) => {
                        if answers(&bytes, self.peer.port(), &spi) {
                            return Ok(Outcome::Reply {
                                rtt: started.elapsed(),
                            });
                        }
                    }
                }
            }
            Ok(Outcome::Lost)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn peer(port: u16) -> SocketAddr {
        SocketAddr::new("198.18.2.2".parse().unwrap(), port)
    }

    #[test]
    fn probes_are_padded_to_the_exact_ip_size() {
        for port in [500, 4500] {
            let p = peer(port);
            let t = template(p).unwrap();
            for size in [576u16, 1280, 1400, 1500] {
                let d = datagram(p, &t, [7; 8], size).unwrap();
                assert_eq!(d.len() + 28, usize::from(size), "port {port} size {size}");
                let ike = if port == 4500 { &d[4..] } else { &d[..] };
                if port == 4500 {
                    assert_eq!(&d[..4], &[0u8; 4], "non-ESP marker");
                }
                let m = Message::parse(ike).unwrap();
                assert_eq!(m.header.exchange, ExchangeType::IKE_SA_INIT);
                assert_eq!(m.header.spi_i, [7; 8]);
                assert!(!m.header.flags.is_response());
            }
        }
    }

    #[test]
    fn ke_group_is_outside_the_offer_so_the_responder_keeps_no_state() {
        let t = template(peer(500)).unwrap();
        let offered: Vec<DhGroup> = t.proposals.iter().flat_map(|p| p.dh_groups()).collect();
        assert!(
            !offered.contains(&t.ke.group),
            "{:?} in {offered:?}",
            t.ke.group
        );
    }

    #[test]
    fn errors_are_matched_by_initiator_spi() {
        let spi = [1, 2, 3, 4, 5, 6, 7, 8];
        assert!(about(&spi, 500, &spi));
        let mut with_marker = vec![0, 0, 0, 0];
        with_marker.extend_from_slice(&spi);
        assert!(about(&with_marker, 4500, &spi));
        assert!(!about(&with_marker, 500, &spi));
        assert!(!about(&[], 500, &spi));
    }

    #[test]
    fn a_request_is_not_its_own_answer() {
        let p = peer(500);
        let t = template(p).unwrap();
        let d = datagram(p, &t, [9; 8], 600).unwrap();
        assert!(!answers(&d, 500, &[9; 8]));
        assert!(!answers(&[], 500, &[9; 8]));
    }
}
