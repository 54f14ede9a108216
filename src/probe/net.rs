//! The probe's window on the network: "send a datagram, wait for one until a
//! deadline". The real implementation is a connected UDP socket (socket2);
//! [`Scripted`] answers from a closure so the probe logic is tested without
//! a network, byte for byte.
//!
//! A connected socket is used on purpose: the kernel then reports ICMP port
//! unreachable back to us (as ECONNREFUSED, or WSAECONNRESET on Windows), and
//! `local_addr` tells the source address and port the server will see, which
//! the NAT_DETECTION_SOURCE_IP hash needs.

use std::collections::VecDeque;
use std::io;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use socket2::{Domain, Protocol, SockAddr, Socket, Type};

/// What to do with the IP Don't Fragment bit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Fragmentation {
    /// The operating system's default (Linux: PMTU discovery; Windows: DF off).
    #[default]
    SystemDefault,
    /// DF clear: large datagrams leave as IP fragments, as a Windows VPN
    /// client's IKE_AUTH does. The fragment test needs this.
    Allow,
    /// DF set and the kernel's path-MTU cache ignored: a datagram that does
    /// not fit is dropped or rejected instead of fragmented (for MTU probing).
    Forbid,
}

/// Socket settings a probe asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Options {
    pub fragmentation: Fragmentation,
}

/// Datagrams a probe reads in one wait before it stops waiting. The wait's
/// deadline is what bounds a flood in time; this cap only bounds the work
/// when datagrams arrive without the clock moving (a scripted network). It
/// is far above what a socket buffer holds (about 200 KB, a few hundred
/// datagrams), so a flooding server does not cut the wait short: a 256 cap
/// made a server that sent its answer behind a few hundred junk datagrams
/// look silent, and used up the retransmissions in a fraction of their
/// wait (found by the hostile lab responder, `tests/lab_hostile.rs`).
pub const MAX_DATAGRAMS_PER_WAIT: usize = 16_384;

/// The result of waiting for a datagram.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Received {
    Datagram(Vec<u8>),
    /// The deadline passed without a datagram.
    TimedOut,
    /// An ICMP port (or host) unreachable came back for what we sent.
    Unreachable,
    /// An ICMP "fragmentation needed" / ICMPv6 "packet too big" came back: a
    /// router dropped what we sent, and the kernel now knows the smaller
    /// path MTU (a retransmission is fragmented to fit).
    TooBig,
}

/// A network failure that stops a probe, with the operation and peer.
#[derive(Debug, thiserror::Error)]
pub enum NetError {
    #[error("cannot open a UDP socket towards {peer}: {source}")]
    Open {
        peer: SocketAddr,
        #[source]
        source: io::Error,
    },
    #[error("cannot send to {peer}: {source} (is there a route to it?)")]
    Send {
        peer: SocketAddr,
        #[source]
        source: io::Error,
    },
    /// With DF set (`Fragmentation::Forbid`) the datagram exceeds the path
    /// MTU the kernel knows: it was not sent (EMSGSIZE).
    #[error("{bytes}-byte datagram to {peer} exceeds the known path MTU with Don't Fragment set")]
    TooBig { peer: SocketAddr, bytes: usize },
    #[error("cannot receive from {peer}: {source}")]
    Recv {
        peer: SocketAddr,
        #[source]
        source: io::Error,
    },
    #[error("cannot set {option} on the socket towards {peer}: {source}")]
    Option {
        option: &'static str,
        peer: SocketAddr,
        #[source]
        source: io::Error,
    },
}

/// One conversation with one peer address and port.
pub trait Conn {
    /// The address and port the peer sees us as (before any NAT).
    fn local_addr(&self) -> SocketAddr;
    fn peer_addr(&self) -> SocketAddr;
    fn send(&mut self, datagram: &[u8]) -> Result<(), NetError>;
    /// Waits for one datagram from the peer until `deadline`.
    fn recv(&mut self, deadline: Instant) -> Result<Received, NetError>;
}

/// Opens conversations; the probe's only way to reach the network. `Sync`:
/// one network serves probes that run side by side.
pub trait Network: Sync {
    fn open(&self, peer: SocketAddr, options: Options) -> Result<Box<dyn Conn>, NetError>;
}

/// The real network: one connected UDP socket per conversation.
#[derive(Debug, Default)]
pub struct Udp;

impl Network for Udp {
    fn open(&self, peer: SocketAddr, options: Options) -> Result<Box<dyn Conn>, NetError> {
        let open = |source| NetError::Open { peer, source };
        let socket = Socket::new(Domain::for_address(peer), Type::DGRAM, Some(Protocol::UDP))
            .map_err(open)?;
        set_fragmentation(&socket, peer, options.fragmentation)?;
        socket
            .connect(&SockAddr::from(peer))
            .map_err(|source| NetError::Send { peer, source })?;
        let local = socket
            .local_addr()
            .ok()
            .and_then(|a| a.as_socket())
            .ok_or_else(|| open(io::Error::other("no local address after connect")))?;
        Ok(Box::new(UdpConn {
            socket: socket.into(),
            peer,
            local,
        }))
    }
}

struct UdpConn {
    socket: std::net::UdpSocket,
    peer: SocketAddr,
    local: SocketAddr,
}

/// EMSGSIZE: how a queued ICMP "too big" surfaces on a connected socket.
fn is_too_big(e: &io::Error) -> bool {
    #[cfg(unix)]
    let code = libc::EMSGSIZE;
    #[cfg(windows)]
    let code = 10040; // WSAEMSGSIZE
    #[cfg(not(any(unix, windows)))]
    let code = -1;
    e.raw_os_error() == Some(code)
}

/// ICMP errors surface on a connected UDP socket as these kinds.
fn is_unreachable(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ConnectionRefused
            | io::ErrorKind::ConnectionReset
            | io::ErrorKind::HostUnreachable
            | io::ErrorKind::NetworkUnreachable
    )
}

impl Conn for UdpConn {
    fn local_addr(&self) -> SocketAddr {
        self.local
    }

    fn peer_addr(&self) -> SocketAddr {
        self.peer
    }

    fn send(&mut self, datagram: &[u8]) -> Result<(), NetError> {
        match self.socket.send(datagram) {
            Ok(_) => Ok(()),
            // A pending ICMP error from an earlier datagram is reported on
            // the next call; the datagram itself was not sent, so try once more.
            Err(e) if e.kind() == io::ErrorKind::ConnectionRefused => self
                .socket
                .send(datagram)
                .map(|_| ())
                .or_else(|e| if is_unreachable(&e) { Ok(()) } else { Err(e) })
                .map_err(|source| NetError::Send {
                    peer: self.peer,
                    source,
                }),
            Err(e) if is_too_big(&e) => Err(NetError::TooBig {
                peer: self.peer,
                bytes: datagram.len(),
            }),
            Err(source) => Err(NetError::Send {
                peer: self.peer,
                source,
            }),
        }
    }

    fn recv(&mut self, deadline: Instant) -> Result<Received, NetError> {
        let mut buf = vec![0u8; 65_536];
        loop {
            let now = Instant::now();
            if now >= deadline {
                return Ok(Received::TimedOut);
            }
            // A zero read timeout means "block forever" to the OS: never pass it.
            let wait = (deadline - now).max(Duration::from_millis(1));
            self.socket
                .set_read_timeout(Some(wait))
                .map_err(|source| NetError::Recv {
                    peer: self.peer,
                    source,
                })?;
            match self.socket.recv(&mut buf) {
                Ok(n) => {
                    let data = buf.get(..n).unwrap_or(&[]).to_vec();
                    return Ok(Received::Datagram(data));
                }
                Err(e)
                    if e.kind() == io::ErrorKind::WouldBlock
                        || e.kind() == io::ErrorKind::TimedOut =>
                {
                    continue;
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) if is_unreachable(&e) => return Ok(Received::Unreachable),
                Err(e) if is_too_big(&e) => return Ok(Received::TooBig),
                Err(source) => {
                    return Err(NetError::Recv {
                        peer: self.peer,
                        source,
                    });
                }
            }
        }
    }
}

#[cfg(target_os = "linux")]
fn set_fragmentation(socket: &Socket, peer: SocketAddr, f: Fragmentation) -> Result<(), NetError> {
    use std::os::fd::AsRawFd;

    use super::mtu::errqueue::setsockopt_int;
    let (level, name, value, option) = match (peer, f) {
        (_, Fragmentation::SystemDefault) => return Ok(()),
        (SocketAddr::V4(_), Fragmentation::Allow) => (
            libc::IPPROTO_IP,
            libc::IP_MTU_DISCOVER,
            libc::IP_PMTUDISC_DONT,
            "IP_MTU_DISCOVER=IP_PMTUDISC_DONT",
        ),
        (SocketAddr::V4(_), Fragmentation::Forbid) => (
            libc::IPPROTO_IP,
            libc::IP_MTU_DISCOVER,
            libc::IP_PMTUDISC_PROBE,
            "IP_MTU_DISCOVER=IP_PMTUDISC_PROBE",
        ),
        // IPv6 routers never fragment (RFC 8200 §4.5): the source must, at
        // the path MTU it learned, which is what PMTUDISC_WANT does.
        (SocketAddr::V6(_), Fragmentation::Allow) => (
            libc::IPPROTO_IPV6,
            libc::IPV6_MTU_DISCOVER,
            libc::IPV6_PMTUDISC_WANT,
            "IPV6_MTU_DISCOVER=IPV6_PMTUDISC_WANT",
        ),
        (SocketAddr::V6(_), Fragmentation::Forbid) => (
            libc::IPPROTO_IPV6,
            libc::IPV6_MTU_DISCOVER,
            libc::IPV6_PMTUDISC_PROBE,
            "IPV6_MTU_DISCOVER=IPV6_PMTUDISC_PROBE",
        ),
    };
    setsockopt_int(socket.as_raw_fd(), level, name, value).map_err(|source| NetError::Option {
        option,
        peer,
        source,
    })?;
    if let (SocketAddr::V6(_), Fragmentation::Forbid) = (peer, f) {
        setsockopt_int(
            socket.as_raw_fd(),
            libc::IPPROTO_IPV6,
            libc::IPV6_DONTFRAG,
            1,
        )
        .map_err(|source| NetError::Option {
            option: "IPV6_DONTFRAG",
            peer,
            source,
        })?;
    }
    Ok(())
}

#[cfg(windows)]
#[allow(unsafe_code)] // setsockopt (Windows API)
fn set_fragmentation(socket: &Socket, peer: SocketAddr, f: Fragmentation) -> Result<(), NetError> {
    use std::os::windows::io::AsRawSocket;
    use windows_sys::Win32::Networking::WinSock::{
        IP_DONTFRAGMENT, IPPROTO_IP, IPPROTO_IPV6, IPV6_DONTFRAG, setsockopt,
    };
    let value: i32 = match f {
        Fragmentation::SystemDefault => return Ok(()),
        Fragmentation::Allow => 0,
        Fragmentation::Forbid => 1,
    };
    let (level, name, option) = match peer {
        SocketAddr::V4(_) => (IPPROTO_IP, IP_DONTFRAGMENT, "IP_DONTFRAGMENT"),
        SocketAddr::V6(_) => (IPPROTO_IPV6, IPV6_DONTFRAG, "IPV6_DONTFRAG"),
    };
    // SAFETY: the socket is live; the value is an i32 whose size we pass.
    let rc = unsafe {
        setsockopt(
            socket.as_raw_socket() as usize,
            level,
            name,
            (&value as *const i32).cast(),
            std::mem::size_of::<i32>() as i32,
        )
    };
    if rc == 0 {
        Ok(())
    } else {
        Err(NetError::Option {
            option,
            peer,
            source: io::Error::last_os_error(),
        })
    }
}

#[cfg(not(any(target_os = "linux", windows)))]
fn set_fragmentation(_socket: &Socket, peer: SocketAddr, f: Fragmentation) -> Result<(), NetError> {
    match f {
        Fragmentation::SystemDefault => Ok(()),
        _ => Err(NetError::Option {
            option: "Don't Fragment",
            peer,
            source: io::Error::new(
                io::ErrorKind::Unsupported,
                "not available on this operating system",
            ),
        }),
    }
}

/// What the scripted peer does with one datagram we sent.
pub type Responder = dyn FnMut(&Sent) -> Vec<Received> + Send;

/// A datagram the probe sent, as the fake recorded it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sent {
    pub peer: SocketAddr,
    pub local: SocketAddr,
    pub options: Options,
    pub data: Vec<u8>,
}

/// The shared state of a [`Scripted`] network.
struct Script {
    responder: Box<Responder>,
    sent: Vec<Sent>,
    next_port: u16,
}

/// A fake network for tests: every datagram sent is recorded and handed to
/// a responder closure, whose replies are queued for `recv`. `recv` never
/// sleeps: with nothing queued it reports a timeout at once (and moves a
/// [`ManualClock`](crate::env::ManualClock), when given one, to the
/// deadline), so tests of retransmission logic run in microseconds.
#[derive(Clone)]
pub struct Scripted {
    script: Arc<Mutex<Script>>,
    local_ip: std::net::IpAddr,
    clock: Option<Arc<crate::env::ManualClock>>,
}

impl Scripted {
    pub fn new(responder: impl FnMut(&Sent) -> Vec<Received> + Send + 'static) -> Self {
        Scripted {
            script: Arc::new(Mutex::new(Script {
                responder: Box::new(responder),
                sent: Vec::new(),
                next_port: 40_000,
            })),
            local_ip: std::net::IpAddr::from([198, 18, 0, 2]),
            clock: None,
        }
    }

    /// Uses `ip` as our source address (e.g. an IPv6 one for IPv6 peers).
    pub fn with_local_ip(mut self, ip: std::net::IpAddr) -> Self {
        self.local_ip = ip;
        self
    }

    /// Waits that time out move `clock` to their deadline.
    pub fn with_clock(mut self, clock: Arc<crate::env::ManualClock>) -> Self {
        self.clock = Some(clock);
        self
    }

    fn script(&self) -> MutexGuard<'_, Script> {
        self.script.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Every datagram sent so far, in order.
    pub fn sent(&self) -> Vec<Sent> {
        self.script().sent.clone()
    }

    /// An offline [`Env`](crate::env::Env) whose UDP is this network (and
    /// whose clock is this network's, when it has one).
    pub fn env(&self) -> crate::env::Env<'_> {
        crate::env::Env {
            udp: self,
            clock: match &self.clock {
                Some(c) => &**c,
                None => &crate::env::SystemClock,
            },
            ..crate::env::Env::offline()
        }
    }
}

impl Network for Scripted {
    fn open(&self, peer: SocketAddr, options: Options) -> Result<Box<dyn Conn>, NetError> {
        let port = {
            let mut script = self.script();
            script.next_port = script.next_port.wrapping_add(1);
            script.next_port
        };
        Ok(Box::new(ScriptedConn {
            peer,
            local: SocketAddr::new(self.local_ip, port),
            options,
            net: self.clone(),
            queue: VecDeque::new(),
        }))
    }
}

struct ScriptedConn {
    peer: SocketAddr,
    local: SocketAddr,
    options: Options,
    net: Scripted,
    queue: VecDeque<Received>,
}

impl Conn for ScriptedConn {
    fn local_addr(&self) -> SocketAddr {
        self.local
    }

    fn peer_addr(&self) -> SocketAddr {
        self.peer
    }

    fn send(&mut self, datagram: &[u8]) -> Result<(), NetError> {
        let sent = Sent {
            peer: self.peer,
            local: self.local,
            options: self.options,
            data: datagram.to_vec(),
        };
        let replies = {
            let mut script = self.net.script();
            script.sent.push(sent.clone());
            (script.responder)(&sent)
        };
        self.queue.extend(replies);
        Ok(())
    }

    fn recv(&mut self, deadline: Instant) -> Result<Received, NetError> {
        match self.queue.pop_front() {
            Some(r) => Ok(r),
            None => {
                if let Some(clock) = &self.net.clock {
                    clock.advance_to(deadline);
                }
                Ok(Received::TimedOut)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::UdpSocket;

    #[test]
    fn udp_conn_talks_to_a_loopback_peer() {
        let server = UdpSocket::bind("127.0.0.1:0").unwrap();
        let peer = server.local_addr().unwrap();
        let mut conn = Udp
            .open(
                peer,
                Options {
                    fragmentation: Fragmentation::Allow,
                },
            )
            .unwrap();
        conn.send(b"ping").unwrap();
        let mut buf = [0u8; 16];
        let (n, from) = server.recv_from(&mut buf).unwrap();
        assert_eq!(&buf[..n], b"ping");
        assert_eq!(from, conn.local_addr());
        server.send_to(b"pong", from).unwrap();
        let got = conn.recv(Instant::now() + Duration::from_secs(2)).unwrap();
        assert_eq!(got, Received::Datagram(b"pong".to_vec()));
        // Nothing more: the deadline is honoured.
        let start = Instant::now();
        let got = conn.recv(start + Duration::from_millis(50)).unwrap();
        assert_eq!(got, Received::TimedOut);
        assert!(start.elapsed() < Duration::from_secs(1));
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn dont_fragment_options_are_accepted_by_the_kernel() {
        // The setsockopt calls run in `open`; a rejected option is an error.
        let server = UdpSocket::bind("127.0.0.1:0").unwrap();
        let peer = server.local_addr().unwrap();
        let forbid = Options {
            fragmentation: Fragmentation::Forbid,
        };
        let mut conn = Udp.open(peer, forbid).unwrap();
        conn.send(&vec![0u8; 1400]).unwrap();
        let mut buf = [0u8; 2000];
        assert_eq!(server.recv(&mut buf).unwrap(), 1400);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn closed_loopback_port_reports_unreachable() {
        // Bind then drop to find a port with nobody listening.
        let port = UdpSocket::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let peer: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
        let mut conn = Udp
            .open(
                peer,
                Options {
                    fragmentation: Fragmentation::Forbid,
                },
            )
            .unwrap();
        conn.send(b"x").unwrap();
        let got = conn.recv(Instant::now() + Duration::from_secs(2)).unwrap();
        assert_eq!(got, Received::Unreachable);
    }

    #[test]
    fn scripted_records_and_answers() {
        let net = Scripted::new(|sent: &Sent| vec![Received::Datagram(sent.data.clone())]);
        let mut conn = net
            .open("198.18.1.1:500".parse().unwrap(), Options::default())
            .unwrap();
        conn.send(&[1, 2]).unwrap();
        assert_eq!(
            conn.recv(Instant::now()).unwrap(),
            Received::Datagram(vec![1, 2])
        );
        assert_eq!(conn.recv(Instant::now()).unwrap(), Received::TimedOut);
        assert_eq!(net.sent().len(), 1);
    }
}
