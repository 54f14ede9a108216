//! ICMP echo with Don't Fragment on Windows, through the ICMP helper API
//! (iphlpapi: `IcmpSendEcho2`, `Icmp6SendEcho2`), the method `ping -f -l`
//! and mtupath use. It needs no administrator rights and no raw sockets.
//!
//! DF is `IP_OPTION_INFORMATION.Flags = IP_FLAG_DF`. A router's
//! "fragmentation needed" / "packet too big" comes back as the reply status
//! `IP_PACKET_TOO_BIG` with the router's address; the API does not pass on
//! the advertised MTU, so the search bisects instead of jumping.

use std::ffi::c_void;
use std::mem::size_of;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::time::{Duration, Instant};

use windows_sys::Win32::Foundation::{GetLastError, HANDLE, INVALID_HANDLE_VALUE};
use windows_sys::Win32::NetworkManagement::IpHelper::{
    ICMP_ECHO_REPLY, ICMPV6_ECHO_REPLY_LH, IP_DEST_HOST_UNREACHABLE, IP_DEST_NET_UNREACHABLE,
    IP_DEST_PORT_UNREACHABLE, IP_DEST_PROHIBITED, IP_DEST_UNREACHABLE, IP_FLAG_DF,
    IP_OPTION_INFORMATION, IP_PACKET_TOO_BIG, IP_REQ_TIMED_OUT, IP_SUCCESS, IP_TIME_EXCEEDED,
    IP_TTL_EXPIRED_TRANSIT, Icmp6CreateFile, Icmp6ParseReplies, Icmp6SendEcho2, IcmpCloseHandle,
    IcmpCreateFile, IcmpSendEcho2,
};
use windows_sys::Win32::Networking::WinSock::{AF_INET6, IN6_ADDR, IN6_ADDR_0, SOCKADDR_IN6};
use windows_sys::Win32::System::IO::IO_STATUS_BLOCK;

use super::OpenError;
use crate::probe::mtu::driver::{Method, ProbeError, SizedProbe};
use crate::probe::mtu::{Outcome, Unreachable};
use crate::wire::icmp as packet;

pub struct WindowsIcmp {
    handle: HANDLE,
    target: IpAddr,
}

impl Drop for WindowsIcmp {
    fn drop(&mut self) {
        // SAFETY: the handle came from IcmpCreateFile/Icmp6CreateFile and is closed once.
        unsafe { IcmpCloseHandle(self.handle) };
    }
}

fn sockaddr_in6(addr: Ipv6Addr) -> SOCKADDR_IN6 {
    // SAFETY: SOCKADDR_IN6 is plain data; all-zero is the unspecified address.
    let mut sa: SOCKADDR_IN6 = unsafe { std::mem::zeroed() };
    sa.sin6_family = AF_INET6;
    sa.sin6_addr = IN6_ADDR {
        u: IN6_ADDR_0 {
            Byte: addr.octets(),
        },
    };
    sa
}

/// IP_STATUS values (ipexport.h) that are not "too big" or "no answer".
fn status_error(status: u32) -> Unreachable {
    match status {
        IP_DEST_NET_UNREACHABLE => Unreachable::Network,
        IP_DEST_HOST_UNREACHABLE | IP_DEST_UNREACHABLE => Unreachable::Host,
        // IPv4 "protocol unreachable" and IPv6 "prohibited" share 11004.
        IP_DEST_PROHIBITED => Unreachable::Prohibited,
        IP_DEST_PORT_UNREACHABLE => Unreachable::Port,
        IP_TTL_EXPIRED_TRANSIT | IP_TIME_EXCEEDED => Unreachable::TtlExceeded,
        _ => Unreachable::Other,
    }
}

impl WindowsIcmp {
    pub fn open(target: IpAddr) -> Result<WindowsIcmp, OpenError> {
        // SAFETY: IcmpCreateFile/Icmp6CreateFile take no arguments and have no
        // preconditions; the handle is checked before use and closed in Drop.
        let handle = unsafe {
            match target {
                IpAddr::V4(_) => IcmpCreateFile(),
                IpAddr::V6(_) => Icmp6CreateFile(),
            }
        };
        if handle == INVALID_HANDLE_VALUE || handle.is_null() {
            return Err(OpenError::Socket {
                op: "open the Windows ICMP service (IcmpCreateFile) for",
                target,
                source: std::io::Error::last_os_error(),
            });
        }
        Ok(WindowsIcmp { handle, target })
    }

    fn outcome(&self, status: u32, from: IpAddr, started: Instant) -> Result<Outcome, ProbeError> {
        let from = (!from.is_unspecified()).then_some(from);
        Ok(match status {
            IP_SUCCESS => Outcome::Reply {
                rtt: started.elapsed(),
            },
            IP_REQ_TIMED_OUT => Outcome::Lost,
            IP_PACKET_TOO_BIG => Outcome::TooBig { mtu: None, from },
            other => Outcome::Error {
                kind: status_error(other),
                from,
            },
        })
    }
}

impl SizedProbe for WindowsIcmp {
    fn method(&self) -> Method {
        Method::Icmp
    }

    fn target(&self) -> IpAddr {
        self.target
    }

    fn overhead(&self) -> u16 {
        packet::ip_header_len(self.target.is_ipv6()) + packet::ECHO_HEADER_LEN
    }

    fn probe(&mut self, size: u16, wait: Duration) -> Result<Outcome, ProbeError> {
        let v6 = self.target.is_ipv6();
        let payload = packet::payload_len(size, v6).ok_or(ProbeError::TooSmall {
            target: self.target,
            size,
        })?;
        // The request carries only the echo payload; Windows adds the headers.
        let request = packet::echo_request(v6, 0, 0, payload);
        let data = request
            .get(usize::from(packet::ECHO_HEADER_LEN)..)
            .unwrap_or(&[]);
        let options = IP_OPTION_INFORMATION {
            Ttl: 128,
            Tos: 0,
            Flags: IP_FLAG_DF as u8,
            OptionsSize: 0,
            OptionsData: std::ptr::null_mut(),
        };
        // Reply buffer as documented: one reply structure, the echoed data,
        // 8 bytes for an ICMP error, and an IO_STATUS_BLOCK. u64 elements
        // keep the reply structure aligned.
        let reply_bytes = size_of::<ICMP_ECHO_REPLY>().max(size_of::<ICMPV6_ECHO_REPLY_LH>())
            + data.len()
            + 8
            + size_of::<IO_STATUS_BLOCK>();
        let mut reply = vec![0u64; reply_bytes.div_ceil(8)];
        let reply_size = u32::try_from(reply.len() * 8).unwrap_or(u32::MAX);
        let timeout_ms = u32::try_from(wait.as_millis().max(1)).unwrap_or(u32::MAX);
        let started = Instant::now();
        match self.target {
            IpAddr::V4(dst) => {
                // SAFETY: valid handle; `data` and `reply` live across the call
                // with the sizes passed; `options` is initialised; no event or
                // APC, so the call is synchronous and nothing outlives it.
                let n = unsafe {
                    IcmpSendEcho2(
                        self.handle,
                        std::ptr::null_mut(),
                        None,
                        std::ptr::null(),
                        u32::from_ne_bytes(dst.octets()),
                        data.as_ptr().cast::<c_void>(),
                        payload,
                        &options,
                        reply.as_mut_ptr().cast::<c_void>(),
                        reply_size,
                        timeout_ms,
                    )
                };
                if n == 0 {
                    // SAFETY: GetLastError has no arguments and no preconditions.
                    let status = unsafe { GetLastError() };
                    return self.outcome(status, IpAddr::V4(Ipv4Addr::UNSPECIFIED), started);
                }
                // SAFETY: `reply` is at least size_of::<ICMP_ECHO_REPLY>() bytes
                // (see reply_bytes), and with n >= 1 Windows wrote one reply at
                // its start; read_unaligned needs no alignment, every bit
                // pattern is a valid ICMP_ECHO_REPLY (integers and a pointer we
                // do not follow).
                let r: ICMP_ECHO_REPLY = unsafe { std::ptr::read_unaligned(reply.as_ptr().cast()) };
                let from = Ipv4Addr::from(r.Address.to_ne_bytes());
                self.outcome(r.Status, IpAddr::V4(from), started)
            }
            IpAddr::V6(dst) => {
                let source = sockaddr_in6(Ipv6Addr::UNSPECIFIED);
                let destination = sockaddr_in6(dst);
                // SAFETY: valid handle; `data`, `reply` and both sockaddrs live
                // across the call with the sizes passed; no event or APC, so
                // the call is synchronous. Source "::" lets Windows pick.
                let n = unsafe {
                    Icmp6SendEcho2(
                        self.handle,
                        std::ptr::null_mut(),
                        None,
                        std::ptr::null(),
                        &source,
                        &destination,
                        data.as_ptr().cast::<c_void>(),
                        payload,
                        &options,
                        reply.as_mut_ptr().cast::<c_void>(),
                        reply_size,
                        timeout_ms,
                    )
                };
                // SAFETY: the same buffer and size Icmp6SendEcho2 just filled
                // (only called when it reported a reply, n != 0).
                let parsed = n != 0
                    && unsafe { Icmp6ParseReplies(reply.as_mut_ptr().cast(), reply_size) } != 0;
                if !parsed {
                    // SAFETY: GetLastError has no arguments and no preconditions.
                    let status = unsafe { GetLastError() };
                    return self.outcome(status, IpAddr::V6(Ipv6Addr::UNSPECIFIED), started);
                }
                // SAFETY: `reply` is at least size_of::<ICMPV6_ECHO_REPLY_LH>()
                // bytes and Icmp6ParseReplies confirmed a reply at its start;
                // read_unaligned needs no alignment; the struct is plain integers.
                let r: ICMPV6_ECHO_REPLY_LH =
                    unsafe { std::ptr::read_unaligned(reply.as_ptr().cast()) };
                let words = r.Address.sin6_addr;
                let mut octets = [0u8; 16];
                for (i, w) in words.iter().enumerate() {
                    // IPV6_ADDRESS_EX holds the address as network-order words.
                    octets[2 * i..2 * i + 2].copy_from_slice(&w.to_ne_bytes());
                }
                self.outcome(r.Status, IpAddr::V6(Ipv6Addr::from(octets)), started)
            }
        }
    }
}
