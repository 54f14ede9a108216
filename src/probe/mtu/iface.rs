//! The interface packets to a target leave by, and its MTU: the ceiling of
//! the path-MTU search (a path cannot carry more than its first link).
//!
//! The device MTU is used rather than the route's cached path MTU (`IP_MTU`)
//! on purpose: a too-big error learnt earlier lowers the cached value, and a
//! search capped by it could never notice that the path got better.

use std::io;
use std::net::IpAddr;

pub use crate::diagnose::mtu::Outgoing;

/// Why the outgoing interface or its MTU could not be found.
#[derive(Debug, thiserror::Error)]
pub enum RouteError {
    #[error("no route to {target}: {source} (check the network connection and routing table)")]
    NoRoute {
        target: IpAddr,
        #[source]
        source: io::Error,
    },
    #[error(
        "cannot find the outgoing interface MTU for {target}: cannot open a UDP socket: {source}; \
         give the largest size with --max"
    )]
    Socket {
        target: IpAddr,
        #[source]
        source: io::Error,
    },
    #[error(
        "cannot find the outgoing interface MTU for {target}: neither the interface nor the route \
         reports one; give the largest size with --max"
    )]
    NoMtu { target: IpAddr },
    #[error(
        "cannot find the outgoing interface MTU for {target}: {call} failed: {source}; give the \
         largest size with --max"
    )]
    Os {
        target: IpAddr,
        call: &'static str,
        #[source]
        source: io::Error,
    },
    #[error(
        "cannot find the outgoing interface MTU for {target}: not implemented for this operating \
         system; give the largest size with --max"
    )]
    Unsupported { target: IpAddr },
}

/// Where packets to a target leave, without sending anything.
pub trait Routes: Sync {
    fn outgoing(&self, target: IpAddr) -> Result<Outgoing, RouteError>;
}

/// This machine's routing table (Linux: a connected UDP socket, getifaddrs
/// and /sys/class/net; Windows: GetBestInterfaceEx and GetIfEntry2).
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemRoutes;

impl Routes for SystemRoutes {
    fn outgoing(&self, target: IpAddr) -> Result<Outgoing, RouteError> {
        os::outgoing(target)
    }
}

fn clamp(mtu: u64) -> u16 {
    u16::try_from(mtu).unwrap_or(u16::MAX)
}

// getsockopt(IP_MTU) and getifaddrs(3): raw libc calls.
#[cfg(target_os = "linux")]
#[allow(unsafe_code)]
mod os {
    use std::ffi::CStr;
    use std::mem::size_of;
    use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, UdpSocket};
    use std::os::fd::AsRawFd;

    use super::{Outgoing, RouteError, clamp};

    pub fn outgoing(target: IpAddr) -> Result<Outgoing, RouteError> {
        let any: IpAddr = match target {
            IpAddr::V4(_) => Ipv4Addr::UNSPECIFIED.into(),
            IpAddr::V6(_) => Ipv6Addr::UNSPECIFIED.into(),
        };
        let sock = UdpSocket::bind(SocketAddr::new(any, 0))
            .map_err(|source| RouteError::Socket { target, source })?;
        // connect() on UDP sends nothing: it only asks the kernel for a route.
        sock.connect(SocketAddr::new(target, 9))
            .map_err(|source| RouteError::NoRoute { target, source })?;
        let source = sock.local_addr().ok().map(|a| a.ip());
        let interface = source.and_then(interface_with_address);
        let device_mtu = interface.as_deref().and_then(|name| {
            std::fs::read_to_string(format!("/sys/class/net/{name}/mtu"))
                .ok()
                .and_then(|s| s.trim().parse::<u64>().ok())
        });
        let mtu = match device_mtu {
            Some(m) => m,
            None => route_mtu(&sock, target).ok_or(RouteError::NoMtu { target })?,
        };
        Ok(Outgoing {
            interface,
            source,
            mtu: clamp(mtu),
        })
    }

    /// The route MTU of a connected socket (IP_MTU / IPV6_MTU, ip(7), ipv6(7)).
    fn route_mtu(sock: &UdpSocket, target: IpAddr) -> Option<u64> {
        let (level, name) = match target {
            IpAddr::V4(_) => (libc::IPPROTO_IP, libc::IP_MTU),
            IpAddr::V6(_) => (libc::IPPROTO_IPV6, libc::IPV6_MTU),
        };
        let mut value: libc::c_int = 0;
        let mut len = size_of::<libc::c_int>() as libc::socklen_t;
        // SAFETY: valid fd, an int-sized out buffer and its length.
        let rc = unsafe {
            libc::getsockopt(
                sock.as_raw_fd(),
                level,
                name,
                (&mut value as *mut libc::c_int).cast(),
                &mut len,
            )
        };
        (rc == 0).then(|| u64::try_from(value).ok()).flatten()
    }

    /// The name of the interface that holds `addr` (getifaddrs(3)).
    fn interface_with_address(addr: IpAddr) -> Option<String> {
        let mut list: *mut libc::ifaddrs = std::ptr::null_mut();
        // SAFETY: getifaddrs fills `list`; freed below with freeifaddrs.
        if unsafe { libc::getifaddrs(&mut list) } != 0 {
            return None;
        }
        let mut found = None;
        let mut cur = list;
        while !cur.is_null() {
            // SAFETY: `cur` is a node of the list getifaddrs returned.
            let entry = unsafe { &*cur };
            if !entry.ifa_addr.is_null() && sockaddr_ip(entry.ifa_addr) == Some(addr) {
                // SAFETY: ifa_name is a NUL-terminated string owned by the list.
                let name = unsafe { CStr::from_ptr(entry.ifa_name) };
                found = Some(name.to_string_lossy().into_owned());
                break;
            }
            cur = entry.ifa_next;
        }
        // SAFETY: `list` came from getifaddrs and is freed once.
        unsafe { libc::freeifaddrs(list) };
        found
    }

    fn sockaddr_ip(sa: *const libc::sockaddr) -> Option<IpAddr> {
        // SAFETY: the family field says which struct the pointer holds.
        unsafe {
            match i32::from((*sa).sa_family) {
                libc::AF_INET => {
                    let sin = &*sa.cast::<libc::sockaddr_in>();
                    Some(IpAddr::V4(Ipv4Addr::from(u32::from_be(
                        sin.sin_addr.s_addr,
                    ))))
                }
                libc::AF_INET6 => {
                    let sin6 = &*sa.cast::<libc::sockaddr_in6>();
                    Some(IpAddr::V6(Ipv6Addr::from(sin6.sin6_addr.s6_addr)))
                }
                _ => None,
            }
        }
    }
}

// GetBestInterfaceEx/GetIfEntry2 (Windows API).
#[cfg(windows)]
#[allow(unsafe_code)]
mod os {
    use std::net::IpAddr;

    use windows_sys::Win32::NetworkManagement::IpHelper::{
        GetBestInterfaceEx, GetIfEntry2, MIB_IF_ROW2,
    };
    use windows_sys::Win32::Networking::WinSock::{
        AF_INET, AF_INET6, IN_ADDR, IN_ADDR_0, IN6_ADDR, IN6_ADDR_0, SOCKADDR, SOCKADDR_IN,
        SOCKADDR_IN6,
    };

    use super::{Outgoing, RouteError, clamp};

    /// GetBestInterfaceEx picks the interface for the destination (no packet
    /// is sent); GetIfEntry2 reads its MTU and alias.
    pub fn outgoing(target: IpAddr) -> Result<Outgoing, RouteError> {
        let mut index: u32 = 0;
        // SAFETY: zeroed sockaddrs are valid; the family and address are set below.
        let rc = unsafe {
            match target {
                IpAddr::V4(v4) => {
                    let mut sa: SOCKADDR_IN = std::mem::zeroed();
                    sa.sin_family = AF_INET;
                    sa.sin_addr = IN_ADDR {
                        S_un: IN_ADDR_0 {
                            S_addr: u32::from_ne_bytes(v4.octets()),
                        },
                    };
                    GetBestInterfaceEx((&sa as *const SOCKADDR_IN).cast::<SOCKADDR>(), &mut index)
                }
                IpAddr::V6(v6) => {
                    let mut sa: SOCKADDR_IN6 = std::mem::zeroed();
                    sa.sin6_family = AF_INET6;
                    sa.sin6_addr = IN6_ADDR {
                        u: IN6_ADDR_0 { Byte: v6.octets() },
                    };
                    GetBestInterfaceEx((&sa as *const SOCKADDR_IN6).cast::<SOCKADDR>(), &mut index)
                }
            }
        };
        if rc != 0 {
            return Err(RouteError::NoRoute {
                target,
                source: std::io::Error::from_raw_os_error(rc as i32),
            });
        }
        // SAFETY: MIB_IF_ROW2 is plain data; GetIfEntry2 reads InterfaceIndex.
        let mut row: MIB_IF_ROW2 = unsafe { std::mem::zeroed() };
        row.InterfaceIndex = index;
        // SAFETY: `row` is an initialised MIB_IF_ROW2 that lives across the call.
        let rc = unsafe { GetIfEntry2(&mut row) };
        if rc != 0 {
            return Err(RouteError::Os {
                target,
                call: "GetIfEntry2",
                source: std::io::Error::from_raw_os_error(rc as i32),
            });
        }
        let alias_len = row
            .Alias
            .iter()
            .position(|&c| c == 0)
            .unwrap_or(row.Alias.len());
        let interface = String::from_utf16(&row.Alias[..alias_len]).ok();
        Ok(Outgoing {
            interface,
            source: None,
            mtu: clamp(u64::from(row.Mtu)),
        })
    }
}

#[cfg(not(any(target_os = "linux", windows)))]
mod os {
    use std::net::IpAddr;

    use super::{Outgoing, RouteError};

    pub fn outgoing(target: IpAddr) -> Result<Outgoing, RouteError> {
        Err(RouteError::Unsupported { target })
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    /// Loopback always exists; asking for its route sends nothing.
    #[test]
    fn loopback_route_is_lo_with_its_mtu() {
        let out = SystemRoutes.outgoing("127.0.0.1".parse().unwrap()).unwrap();
        assert_eq!(out.interface.as_deref(), Some("lo"));
        let sys: u64 = std::fs::read_to_string("/sys/class/net/lo/mtu")
            .unwrap()
            .trim()
            .parse()
            .unwrap();
        assert_eq!(u64::from(out.mtu), sys.min(65535));
    }
}
