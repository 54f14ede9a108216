//! Linux: Don't-Fragment datagram sockets and their error queue, shared by
//! the ICMP echo and the IKE transports of the path-MTU search.
//!
//! With `IP_RECVERR`/`IPV6_RECVERR` (ip(7), ipv6(7)) the kernel queues every
//! ICMP error about a packet we sent on the socket's error queue, read with
//! `MSG_ERRQUEUE`: a `sock_extended_err` (linux/errqueue.h) whose `ee_info` is
//! the advertised MTU, followed by the offender's address (the hop that sent
//! the error), and as data the start of the datagram we sent (the echo
//! request, or the UDP payload), so the caller can tell which probe it was.

use std::io;
use std::mem::{MaybeUninit, size_of};
use std::net::IpAddr;
use std::os::fd::RawFd;
use std::time::Instant;

use super::search::{Outcome, Unreachable};
use crate::wire::icmp::{self as packet, IcmpError};

/// Sets an int socket option.
pub fn setsockopt_int(fd: RawFd, level: i32, name: i32, value: i32) -> io::Result<()> {
    // SAFETY: a valid fd and a pointer to an int of the stated size.
    let rc = unsafe {
        libc::setsockopt(
            fd,
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

/// Don't Fragment without the kernel's path-MTU cache, plus the error queue.
///
/// PROBE rather than DO: it sets DF but ignores the cached path MTU, so a
/// too-big error learnt earlier (by this run or another) does not make the
/// kernel refuse our probes locally; only the interface MTU limits what
/// leaves. Returns the option that failed.
pub fn set_df_and_recverr(fd: RawFd, v6: bool) -> Result<(), (&'static str, io::Error)> {
    let opts: &[(i32, i32, i32, &'static str)] = if v6 {
        &[
            (
                libc::IPPROTO_IPV6,
                libc::IPV6_MTU_DISCOVER,
                libc::IPV6_PMTUDISC_PROBE,
                "set IPV6_MTU_DISCOVER=IPV6_PMTUDISC_PROBE for",
            ),
            (
                libc::IPPROTO_IPV6,
                libc::IPV6_DONTFRAG,
                1,
                "set IPV6_DONTFRAG for",
            ),
            (
                libc::IPPROTO_IPV6,
                libc::IPV6_RECVERR,
                1,
                "enable IPV6_RECVERR for",
            ),
        ]
    } else {
        &[
            (
                libc::IPPROTO_IP,
                libc::IP_MTU_DISCOVER,
                libc::IP_PMTUDISC_PROBE,
                "set Don't Fragment (IP_MTU_DISCOVER=IP_PMTUDISC_PROBE) for",
            ),
            (
                libc::IPPROTO_IP,
                libc::IP_RECVERR,
                1,
                "enable IP_RECVERR for",
            ),
        ]
    };
    for &(level, name, value, what) in opts {
        setsockopt_int(fd, level, name, value).map_err(|e| (what, e))?;
    }
    Ok(())
}

/// One entry from the error queue, if any: the outcome it means and the
/// start of the datagram it is about (empty for local errors).
pub fn read(fd: RawFd) -> Option<(Outcome, Vec<u8>)> {
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
    // SAFETY: `fd` is an open socket; `msg` points at the iovec and control
    // buffer above, which live until the call returns, with their lengths set.
    let n = unsafe { libc::recvmsg(fd, &mut msg, libc::MSG_ERRQUEUE | libc::MSG_DONTWAIT) };
    if n < 0 {
        return None;
    }
    let sent = data.get(..usize::try_from(n).ok()?)?.to_vec();
    let mut outcome = None;
    // SAFETY: walking the control buffer the kernel filled, with the libc
    // CMSG macros that bound every step by msg_controllen.
    unsafe {
        let mut cmsg = libc::CMSG_FIRSTHDR(&msg);
        while !cmsg.is_null() {
            let c = &*cmsg;
            let is_err = (c.cmsg_level == libc::IPPROTO_IP && c.cmsg_type == libc::IP_RECVERR)
                || (c.cmsg_level == libc::IPPROTO_IPV6 && c.cmsg_type == libc::IPV6_RECVERR);
            let header = libc::CMSG_LEN(0) as usize;
            if is_err && c.cmsg_len as usize >= header {
                let payload = libc::CMSG_DATA(cmsg);
                let len = c.cmsg_len as usize - header;
                outcome = parse_error(std::slice::from_raw_parts(payload, len));
            }
            cmsg = libc::CMSG_NXTHDR(&msg, cmsg);
        }
    }
    outcome.map(|o| (o, sent))
}

/// Waits until the socket is readable or has an error queued, or the
/// deadline passes. `Some((readable, error queued))`, `None` at the deadline.
pub fn wait(fd: RawFd, deadline: Instant) -> io::Result<Option<(bool, bool)>> {
    loop {
        let now = Instant::now();
        if now >= deadline {
            return Ok(None);
        }
        let left = deadline - now;
        // Round up so a sub-millisecond remainder still waits.
        let ms = i32::try_from(left.as_micros().div_ceil(1000)).unwrap_or(i32::MAX);
        let mut pfd = libc::pollfd {
            fd,
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

/// After a send failed with EMSGSIZE: the interface MTU from the local
/// error-queue entry, if the kernel queued one.
pub fn local_mtu(fd: RawFd) -> Option<u16> {
    std::iter::from_fn(|| read(fd))
        .take(64)
        .find_map(|(o, _)| match o {
            Outcome::TooBig { mtu, from: None } => Some(mtu),
            _ => None,
        })
        .flatten()
}

/// The data of an `IP_RECVERR`/`IPV6_RECVERR` control message as bytes: a
/// `struct sock_extended_err` (linux/errqueue.h: errno u32, origin, type,
/// code, pad u8, info u32, data u32, in native byte order) and, for ICMP
/// errors, the offender's `sockaddr` after it (`SO_EE_OFFENDER`). Decoded
/// field by field, so any bytes are safe to hand over (the error queue
/// fuzz target does).
pub fn parse_error(cmsg_data: &[u8]) -> Option<Outcome> {
    let u32_at = |at: usize| -> Option<u32> {
        Some(u32::from_ne_bytes(
            cmsg_data.get(at..at + 4)?.try_into().ok()?,
        ))
    };
    let ee = libc::sock_extended_err {
        ee_errno: u32_at(0)?,
        ee_origin: *cmsg_data.get(4)?,
        ee_type: *cmsg_data.get(5)?,
        ee_code: *cmsg_data.get(6)?,
        ee_pad: *cmsg_data.get(7)?,
        ee_info: u32_at(8)?,
        ee_data: u32_at(12)?,
    };
    let offender = cmsg_data
        .get(size_of::<libc::sock_extended_err>()..)
        .and_then(|b| packet::sockaddr_ip(b, libc::AF_INET as u16, libc::AF_INET6 as u16));
    extended_error(&ee, offender)
}

/// Translates a `sock_extended_err` (linux/errqueue.h) into a probe outcome.
fn extended_error(ee: &libc::sock_extended_err, offender: Option<IpAddr>) -> Option<Outcome> {
    let mtu = u16::try_from(ee.ee_info).ok().filter(|&m| m != 0);
    let error = match ee.ee_origin {
        libc::SO_EE_ORIGIN_LOCAL if ee.ee_errno == libc::EMSGSIZE as u32 => {
            return Some(Outcome::TooBig { mtu, from: None });
        }
        libc::SO_EE_ORIGIN_ICMP => packet::error_v4(ee.ee_type, ee.ee_code),
        libc::SO_EE_ORIGIN_ICMP6 => packet::error_v6(ee.ee_type, ee.ee_code),
        _ => return None,
    };
    Some(match error {
        Some(IcmpError::TooBig) => Outcome::TooBig {
            mtu,
            from: offender,
        },
        Some(IcmpError::Other(kind)) => Outcome::Error {
            kind,
            from: offender,
        },
        None => Outcome::Error {
            kind: Unreachable::Other,
            from: offender,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ee(errno: u32, origin: u8, ty: u8, code: u8, info: u32) -> Vec<u8> {
        let mut b = errno.to_ne_bytes().to_vec();
        b.extend([origin, ty, code, 0]);
        b.extend(info.to_ne_bytes());
        b.extend(0u32.to_ne_bytes());
        b
    }

    #[test]
    fn parses_the_control_message_bytes() {
        // ICMP fragmentation needed (3/4), MTU 1400, from 192.0.2.1.
        let mut b = ee(libc::EMSGSIZE as u32, libc::SO_EE_ORIGIN_ICMP, 3, 4, 1400);
        b.extend((libc::AF_INET as u16).to_ne_bytes());
        b.extend([0, 0, 192, 0, 2, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
        assert_eq!(
            parse_error(&b),
            Some(Outcome::TooBig {
                mtu: Some(1400),
                from: Some(IpAddr::from([192, 0, 2, 1]))
            })
        );
        // Local EMSGSIZE: the interface MTU, no offender.
        let b = ee(libc::EMSGSIZE as u32, libc::SO_EE_ORIGIN_LOCAL, 0, 0, 1500);
        assert_eq!(
            parse_error(&b),
            Some(Outcome::TooBig {
                mtu: Some(1500),
                from: None
            })
        );
        // An MTU that does not fit 16 bits, or 0, is no MTU.
        let b = ee(0, libc::SO_EE_ORIGIN_ICMP, 3, 4, 70_000);
        assert!(matches!(
            parse_error(&b),
            Some(Outcome::TooBig { mtu: None, .. })
        ));
        // Cut short anywhere: nothing.
        for n in 0..16 {
            assert_eq!(parse_error(&b[..n]), None);
        }
    }
}
