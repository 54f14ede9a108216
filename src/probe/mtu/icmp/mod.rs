//! ICMP echo transport with Don't Fragment, for the path-MTU search.
//!
//! Linux: unprivileged ICMP datagram sockets, raw sockets otherwise
//! (`linux.rs`). Windows: the ICMP helper API (`IcmpSendEcho2` /
//! `Icmp6SendEcho2` with `IP_FLAG_DF`), the same method as `ping -f -l` and
//! mtupath (`windows.rs`). Message formats live in [`crate::wire::icmp`].

#[cfg(target_os = "linux")]
mod linux;
// IcmpSendEcho2/Icmp6SendEcho2 and their reply buffers (Windows API).
#[cfg(windows)]
#[allow(unsafe_code)]
mod windows;

use std::io;
use std::net::IpAddr;

use crate::probe::mtu::driver::SizedProbe;

/// Why no ICMP transport could be opened. Every variant means "could not
/// run the check" (exit 3), and says what to do.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error(
        "not allowed to send ICMP echo to {target}: unprivileged ICMP sockets are off \
         ({datagram}) and raw sockets need root ({raw}). Run as root, or \
         `sudo setcap cap_net_raw+ep $(command -v aovpn-diag)`, or allow ping sockets with \
         `sudo sysctl -w net.ipv4.ping_group_range=\"0 2147483647\"`; or probe over IKE with --ike"
    )]
    NoPermission {
        target: IpAddr,
        datagram: io::Error,
        raw: io::Error,
    },
    #[error("cannot {op} {target}: {source}")]
    Socket {
        op: &'static str,
        target: IpAddr,
        #[source]
        source: io::Error,
    },
    #[error("ICMP probing is not available on this operating system; use --ike")]
    Unsupported,
}

/// Opens the best ICMP echo transport this process may use for `target`.
pub fn open(target: IpAddr) -> Result<Box<dyn SizedProbe>, OpenError> {
    #[cfg(target_os = "linux")]
    {
        Ok(Box::new(linux::LinuxIcmp::open(target)?))
    }
    #[cfg(windows)]
    {
        Ok(Box::new(windows::WindowsIcmp::open(target)?))
    }
    #[cfg(not(any(target_os = "linux", windows)))]
    {
        let _ = target;
        Err(OpenError::Unsupported)
    }
}
