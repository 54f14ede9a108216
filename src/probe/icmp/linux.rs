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

use std::io;
use std::mem::{MaybeUninit, size_of};
use std::net::{IpAddr, SocketAddr};
use std::os::fd::AsRawFd;
use std::time::{Duration, Instant};

use socket2::{Domain, Protocol, SockAddr, Socket, Type};

use super::OpenError;
use super::packet::{self, Message};
use crate::probe::mtu::{Outcome, Unreachable};
use crate::probe::mtu_driver::{Method, ProbeError, SizedProbe};

pub struct LinuxIcmp {
    sock: Socket,
    target: IpAddr,
    raw: bool,
    id: u16,
    seq: u16,
}

fn is_permission(e: &io::Error) -> bool {
    matches!(e.raw_os_error(), Some(libc::EACCES | libc::EPERM))
}

fn setsockopt_int(sock: &Socket, level: i32, name: i32, value: i32) -> io::Result<()> {
    // SAFETY: a valid fd and a pointer to an int of the stated size.
    let rc = unsafe {
        libc::setsockopt(
            sock.as_raw_fd(),
            level,
            name,
            (&value as *const i32).cast(),
            size_of::<i32>() as libc::socklen_t,
        )
    };
    if rc == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
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
        let opt = |level, name, value, what: &'static str| {
            setsockopt_int(&sock, level, name, value).map_err(|source| OpenError::Socket {
                op: what,
                target,
                source,
            })
        };
        match target {
            IpAddr::V4(_) => {
                opt(
                    libc::IPPROTO_IP,
                    libc::IP_MTU_DISCOVER,
                    libc::IP_PMTUDISC_PROBE,
                    "set Don't Fragment (IP_MTU_DISCOVER) for",
                )?;
                opt(
                    libc::IPPROTO_IP,
                    libc::IP_RECVERR,
                    1,
                    "enable IP_RECVERR for",
                )?;
            }
            IpAddr::V6(_) => {
                opt(
                    libc::IPPROTO_IPV6,
                    libc::IPV6_MTU_DISCOVER,
                    libc::IPV6_PMTUDISC_PROBE,
                    "set IPV6_MTU_DISCOVER for",
                )?;
                opt(
                    libc::IPPROTO_IPV6,
                    libc::IPV6_DONTFRAG,
                    1,
                    "set IPV6_DONTFRAG for",
                )?;
                opt(
                    libc::IPPROTO_IPV6,
                    libc::IPV6_RECVERR,
                    1,
                    "enable IPV6_RECVERR for",
                )?;
            }
        }
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

    /// One entry from the error queue, if any: the outcome it means and the
    /// sequence number of the probe it is about (`None` for local errors,
    /// which carry no copy of the packet).
    fn read_error_queue(&self) -> Option<(Outcome, Option<u16>)> {
        let mut data = [0u8; 2048];
        let mut control = [0u64; 64]; // u64 for cmsghdr alignment
        let mut from = MaybeUninit::<libc::sockaddr_storage>::zeroed();
        let mut iov = libc::iovec {
            iov_base: data.as_mut_ptr().cast(),
            iov_len: data.len(),
        };
        // SAFETY: msghdr is plain data; all pointers below outlive the call.
        let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
        msg.msg_name = from.as_mut_ptr().cast();
        msg.msg_namelen = size_of::<libc::sockaddr_storage>() as libc::socklen_t;
        msg.msg_iov = &mut iov;
        msg.msg_iovlen = 1;
        msg.msg_control = control.as_mut_ptr().cast();
        msg.msg_controllen = size_of::<[u64; 64]>();
        // SAFETY: valid fd and msghdr.
        let n = unsafe {
            libc::recvmsg(
                self.sock.as_raw_fd(),
                &mut msg,
                libc::MSG_ERRQUEUE | libc::MSG_DONTWAIT,
            )
        };
        if n < 0 {
            return None;
        }
        let sent = data.get(..usize::try_from(n).ok()?)?;
        let mut outcome = None;
        // SAFETY: walking the control buffer the kernel filled, with the
        // libc CMSG macros that bound every step by msg_controllen.
        unsafe {
            let mut cmsg = libc::CMSG_FIRSTHDR(&msg);
            while !cmsg.is_null() {
                let c = &*cmsg;
                let is_err = (c.cmsg_level == libc::IPPROTO_IP && c.cmsg_type == libc::IP_RECVERR)
                    || (c.cmsg_level == libc::IPPROTO_IPV6 && c.cmsg_type == libc::IPV6_RECVERR);
                let header = libc::CMSG_LEN(0) as usize;
                if is_err && c.cmsg_len as usize >= header + size_of::<libc::sock_extended_err>() {
                    let payload = libc::CMSG_DATA(cmsg);
                    let len = c.cmsg_len as usize - header;
                    let bytes = std::slice::from_raw_parts(payload, len);
                    let ee: libc::sock_extended_err = std::ptr::read_unaligned(payload.cast());
                    let offender =
                        bytes
                            .get(size_of::<libc::sock_extended_err>()..)
                            .and_then(|b| {
                                packet::sockaddr_ip(b, libc::AF_INET as u16, libc::AF_INET6 as u16)
                            });
                    outcome = extended_error(&ee, offender);
                }
                cmsg = libc::CMSG_NXTHDR(&msg, cmsg);
            }
        }
        let seq = if sent.is_empty() {
            None
        } else {
            packet::sent_seq(sent)
        };
        outcome.map(|o| (o, seq))
    }

    /// Empties the error queue (stale errors of earlier probes).
    fn drain_error_queue(&self) {
        for _ in 0..64 {
            if self.read_error_queue().is_none() {
                break;
            }
        }
    }

    /// One datagram from the normal queue, as a message about our probe.
    fn read_packet(&self) -> io::Result<Option<Outcome>> {
        let mut buf = [MaybeUninit::<u8>::uninit(); 2048];
        let (n, from) = self
            .sock
            .recv_from_with_flags(&mut buf, libc::MSG_DONTWAIT)?;
        // SAFETY: recv_from initialised the first n bytes.
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
            Some(Message::TooBig { mtu, quoted }) if self.raw && ours(quoted) => {
                Some(Outcome::TooBig { mtu, from: src })
            }
            Some(Message::Error { kind, quoted }) if self.raw && ours(quoted) => {
                Some(Outcome::Error { kind, from: src })
            }
            _ => None,
        })
    }

    /// Waits until the socket is readable or has an error queued, or the
    /// deadline passes. Returns (readable, error queued).
    fn wait_until(&self, deadline: Instant) -> io::Result<Option<(bool, bool)>> {
        loop {
            let now = Instant::now();
            if now >= deadline {
                return Ok(None);
            }
            let left = deadline - now;
            // Round up so a sub-millisecond remainder still waits.
            let ms = i32::try_from(left.as_micros().div_ceil(1000)).unwrap_or(i32::MAX);
            let mut pfd = libc::pollfd {
                fd: self.sock.as_raw_fd(),
                events: libc::POLLIN,
                revents: 0,
            };
            // SAFETY: one valid pollfd.
            let rc = unsafe { libc::poll(&mut pfd, 1, ms) };
            if rc < 0 {
                let e = io::Error::last_os_error();
                if e.kind() == io::ErrorKind::Interrupted {
                    continue;
                }
                return Err(e);
            }
            if rc > 0 {
                return Ok(Some((
                    pfd.revents & libc::POLLIN != 0,
                    pfd.revents & libc::POLLERR != 0,
                )));
            }
        }
    }
}

/// Translates a `sock_extended_err` (linux/errqueue.h) into a probe outcome.
fn extended_error(ee: &libc::sock_extended_err, offender: Option<IpAddr>) -> Option<Outcome> {
    let mtu = u16::try_from(ee.ee_info).ok().filter(|&m| m != 0);
    match ee.ee_origin {
        libc::SO_EE_ORIGIN_LOCAL if ee.ee_errno == libc::EMSGSIZE as u32 => {
            Some(Outcome::TooBig { mtu, from: None })
        }
        libc::SO_EE_ORIGIN_ICMP => Some(match (ee.ee_type, ee.ee_code) {
            (3, 4) => Outcome::TooBig {
                mtu,
                from: offender,
            },
            (3, code) => Outcome::Error {
                kind: packet::unreachable_v4(code),
                from: offender,
            },
            (11, _) => Outcome::Error {
                kind: Unreachable::TtlExceeded,
                from: offender,
            },
            _ => Outcome::Error {
                kind: Unreachable::Other,
                from: offender,
            },
        }),
        libc::SO_EE_ORIGIN_ICMP6 => Some(match (ee.ee_type, ee.ee_code) {
            (2, _) => Outcome::TooBig {
                mtu,
                from: offender,
            },
            (1, code) => Outcome::Error {
                kind: packet::unreachable_v6(code),
                from: offender,
            },
            (3, _) => Outcome::Error {
                kind: Unreachable::TtlExceeded,
                from: offender,
            },
            _ => Outcome::Error {
                kind: Unreachable::Other,
                from: offender,
            },
        }),
        _ => None,
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
        let payload = packet::payload_len(size, self.v6()).ok_or_else(|| ProbeError::Io {
            op: "build a probe for",
            target: self.target,
            source: io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("{size} bytes cannot hold the IP and ICMP headers"),
            ),
        })?;
        self.drain_error_queue();
        self.seq = self.seq.wrapping_add(1);
        let request = packet::echo_request(self.v6(), self.id, self.seq, payload);
        let to = SockAddr::from(SocketAddr::new(self.target, 0));
        let started = Instant::now();
        match self.sock.send_to(&request, &to) {
            Ok(_) => {}
            Err(e) if e.raw_os_error() == Some(libc::EMSGSIZE) => {
                // Larger than this host's interface allows: the local error
                // queue entry carries the interface MTU.
                let mtu = std::iter::from_fn(|| self.read_error_queue())
                    .take(64)
                    .find_map(|(o, _)| match o {
                        Outcome::TooBig { mtu, from: None } => Some(mtu),
                        _ => None,
                    })
                    .flatten();
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
}
