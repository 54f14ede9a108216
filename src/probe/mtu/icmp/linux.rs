//! ICMP echo with Don't Fragment on Linux.
//!
//! Socket choice: an unprivileged ICMP datagram socket ("ping socket",
//! `SOCK_DGRAM`/`IPPROTO_ICMP`, allowed for groups in
//! `net.ipv4.ping_group_range`) first, a raw ICMP socket (root or
//! CAP_NET_RAW) otherwise.
//!
//! DF: `IP_MTU_DISCOVER = IP_PMTUDISC_PROBE` (IPv4) and `IPV6_DONTFRAG` with
//! `IPV6_MTU_DISCOVER = IPV6_PMTUDISC_PROBE` (IPv6). PROBE, not DO: it sets DF
//! but ignores the kernel's cached path MTU, so a too-big error learnt by an
//! earlier run (or by this one) does not make the kernel refuse our probes
//! locally; only the interface MTU limits what leaves.
//!
//! Errors: `IP_RECVERR`/`IPV6_RECVERR` queue every ICMP error about our
//! packets on the socket's error queue (`MSG_ERRQUEUE`), with a
//! `sock_extended_err` whose `ee_info` is the advertised MTU and whose
//! offender address is the hop that sent it; the queued data is the echo
//! request we sent, so the sequence number says which probe it was about.
//! Raw sockets also see the ICMP errors themselves, parsed in `packet`.

use std::collections::VecDeque;
use std::io;
use std::mem::MaybeUninit;
use std::net::{IpAddr, SocketAddr};
use std::os::fd::AsRawFd;
use std::time::{Duration, Instant};

use socket2::{Domain, Protocol, SockAddr, Socket, Type};

use super::OpenError;
use crate::probe::mtu::Outcome;
use crate::probe::mtu::driver::{Method, ProbeError, SizedProbe};
use crate::probe::mtu::errqueue;
use crate::wire::icmp::{self as packet, Message};

/// Earlier probes remembered so that a late reply can still be matched.
const REMEMBERED: usize = 32;

pub struct LinuxIcmp {
    sock: Socket,
    target: IpAddr,
    raw: bool,
    id: u16,
    seq: u16,
    /// Earlier probes still unanswered: sequence number, size, send time.
    earlier: VecDeque<(u16, u16, Instant)>,
    /// Replies to earlier probes seen since the driver last asked.
    late: Vec<(u16, Duration)>,
}

fn is_permission(e: &io::Error) -> bool {
    matches!(e.raw_os_error(), Some(libc::EACCES | libc::EPERM))
}

impl LinuxIcmp {
    pub fn open(target: IpAddr) -> Result<LinuxIcmp, OpenError> {
        let (domain, proto) = match target {
            IpAddr::V4(_) => (Domain::IPV4, Protocol::ICMPV4),
            IpAddr::V6(_) => (Domain::IPV6, Protocol::ICMPV6),
        };
        let (sock, raw) = match Socket::new(domain, Type::DGRAM, Some(proto)) {
            Ok(s) => (s, false),
            Err(datagram) => match Socket::new(domain, Type::RAW, Some(proto)) {
                Ok(s) => (s, true),
                Err(raw) if is_permission(&datagram) && is_permission(&raw) => {
                    return Err(OpenError::NoPermission {
                        target,
                        datagram,
                        raw,
                    });
                }
                Err(source) => {
                    return Err(OpenError::Socket {
                        op: "open a raw ICMP socket for",
                        target,
                        source,
                    });
                }
            },
        };
        errqueue::set_df_and_recverr(sock.as_raw_fd(), target.is_ipv6())
            .map_err(|(op, source)| OpenError::Socket { op, target, source })?;
        // Raw sockets see every ICMP message for the host: a per-run
        // identifier tells our replies apart. Ping sockets get theirs from
        // the kernel, which also demultiplexes the replies for us.
        let id = (std::process::id() as u16) ^ 0xa0d5;
        Ok(LinuxIcmp {
            sock,
            target,
            raw,
            id,
            seq: 0,
            earlier: VecDeque::new(),
            late: Vec::new(),
        })
    }

    fn v6(&self) -> bool {
        self.target.is_ipv6()
    }

    fn io_error(&self, op: &'static str, source: io::Error) -> ProbeError {
        match source.raw_os_error() {
            Some(libc::ENETUNREACH | libc::EHOSTUNREACH) => ProbeError::NoRoute {
                target: self.target,
                source,
            },
            _ => ProbeError::Io {
                op,
                target: self.target,
                source,
            },
        }
    }

    /// One entry from the error queue: the outcome it means and the
    /// sequence number of the probe it is about (`None` for local errors,
    /// which carry no copy of the packet).
    fn read_error_queue(&self) -> Option<(Outcome, Option<u16>)> {
        let (outcome, sent) = errqueue::read(self.sock.as_raw_fd())?;
        let seq = if sent.is_empty() {
            None
        } else {
            packet::sent_seq(&sent)
        };
        Some((outcome, seq))
    }

    /// Empties the error queue (stale errors of earlier probes).
    fn drain_error_queue(&self) {
        for _ in 0..64 {
            if self.read_error_queue().is_none() {
                break;
            }
        }
    }

    /// One datagram from the normal queue, as a message about our probe
    /// (a late reply to an earlier probe is kept in `late`).
    #[allow(unsafe_code)] // the bytes recv_from initialised, as a slice
    fn read_packet(&mut self) -> io::Result<Option<Outcome>> {
        let mut buf = [MaybeUninit::<u8>::uninit(); 2048];
        let (n, from) = self
            .sock
            .recv_from_with_flags(&mut buf, libc::MSG_DONTWAIT)?;
        // SAFETY: recv_from wrote the first n <= buf.len() bytes (socket2's
        // contract), and MaybeUninit<u8> has the layout of u8.
        let bytes: &[u8] = unsafe { std::slice::from_raw_parts(buf.as_ptr().cast(), n) };
        let from = from.as_socket().map(|s| s.ip());
        let (src, icmp) = match (self.v6(), self.raw) {
            (false, true) => match packet::strip_ipv4(bytes) {
                Some((src, icmp)) => (Some(IpAddr::V4(src)), icmp),
                None => return Ok(None),
            },
            _ => (from, bytes),
        };
        let message = if self.v6() {
            packet::parse_v6(icmp)
        } else {
            packet::parse_v4(icmp)
        };
        let ours = |q: Option<packet::Quoted>| {
            q.is_some_and(|q| q.seq == self.seq && (!self.raw || q.id == self.id))
        };
        Ok(match message {
            Some(Message::EchoReply { id, seq })
                if seq == self.seq && (!self.raw || id == self.id) && src == Some(self.target) =>
            {
                Some(Outcome::Reply {
                    rtt: Duration::ZERO,
                })
            }
            Some(Message::EchoReply { id, seq })
                if (!self.raw || id == self.id) && src == Some(self.target) =>
            {
                if let Some(at) = self.earlier.iter().position(|e| e.0 == seq)
                    && let Some((_, size, sent)) = self.earlier.remove(at)
                {
                    self.late.push((size, sent.elapsed()));
                }
                None
            }
            Some(Message::TooBig { mtu, quoted }) if self.raw && ours(quoted) => {
                Some(Outcome::TooBig { mtu, from: src })
            }
            Some(Message::Error { kind, quoted }) if self.raw && ours(quoted) => {
                Some(Outcome::Error { kind, from: src })
            }
            _ => None,
        })
    }

    fn wait_until(&self, deadline: Instant) -> io::Result<Option<(bool, bool)>> {
        errqueue::wait(self.sock.as_raw_fd(), deadline)
    }
}

impl SizedProbe for LinuxIcmp {
    fn method(&self) -> Method {
        if self.raw {
            Method::IcmpRaw
        } else {
            Method::Icmp
        }
    }

    fn target(&self) -> IpAddr {
        self.target
    }

    fn overhead(&self) -> u16 {
        packet::ip_header_len(self.v6()) + packet::ECHO_HEADER_LEN
    }

    fn probe(&mut self, size: u16, wait: Duration) -> Result<Outcome, ProbeError> {
        let payload = packet::payload_len(size, self.v6()).ok_or(ProbeError::TooSmall {
            target: self.target,
            size,
        })?;
        self.drain_error_queue();
        self.seq = self.seq.wrapping_add(1);
        // Forget any earlier probe with this number (after 65536 probes).
        let seq = self.seq;
        self.earlier.retain(|e| e.0 != seq);
        let request = packet::echo_request(self.v6(), self.id, self.seq, payload);
        let to = SockAddr::from(SocketAddr::new(self.target, 0));
        let started = Instant::now();
        match self.sock.send_to(&request, &to) {
            Ok(_) => {}
            Err(e) if e.raw_os_error() == Some(libc::EMSGSIZE) => {
                // Larger than this host's interface allows: the local error
                // queue entry carries the interface MTU.
                let mtu = errqueue::local_mtu(self.sock.as_raw_fd());
                return Ok(Outcome::TooBig { mtu, from: None });
            }
            Err(e) => return Err(self.io_error("send ICMP echo to", e)),
        }
        let deadline = started + wait;
        loop {
            let Some((readable, errored)) = self
                .wait_until(deadline)
                .map_err(|e| self.io_error("wait for replies from", e))?
            else {
                // Unanswered for now: a reply may still come during a
                // later probe's wait.
                if self.earlier.len() == REMEMBERED {
                    self.earlier.pop_front();
                }
                self.earlier.push_back((self.seq, size, started));
                return Ok(Outcome::Lost);
            };
            if errored {
                while let Some((outcome, seq)) = self.read_error_queue() {
                    if seq == Some(self.seq) {
                        return Ok(outcome);
                    }
                }
            }
            if readable {
                loop {
                    match self.read_packet() {
                        Ok(Some(Outcome::Reply { .. })) => {
                            return Ok(Outcome::Reply {
                                rtt: started.elapsed(),
                            });
                        }
                        Ok(Some(outcome)) => return Ok(outcome),
                        Ok(None) => {}
                        Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                        // A pending socket error (set alongside the error
                        // queue entry) is reported once by recv: the queue
                        // entry is read on the next round.
                        Err(_) => break,
                    }
                }
            }
        }
    }

    fn late_replies(&mut self) -> Vec<(u16, Duration)> {
        std::mem::take(&mut self.late)
    }
}
