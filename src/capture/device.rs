//! Network interfaces through libpcap (Linux, macOS) or Npcap (Windows),
//! with the `pcap` crate: the list, the one to capture on, and frames from
//! it with a read timeout, so the caller's loop wakes up at least every
//! [`READ_TIMEOUT`] whether packets come or not. Only built with the `live`
//! feature.

use std::net::IpAddr;
use std::time::Duration;

use pcap::{Active, Capture, Device};

use super::{LinkType, Timestamp};
use crate::live::{Frame, FrameSource};

/// Longest a read waits for a packet: how late Ctrl-C and `--duration`
/// may be noticed.
pub const READ_TIMEOUT: Duration = Duration::from_millis(100);
/// Bytes kept per frame: whole frames (jumbo frames included).
pub const SNAPLEN: u32 = 65_535;
/// Kernel buffer for bursts (an IKE_AUTH of 17 SKF pieces arrives at once).
const BUFFER: i32 = 4 << 20;

/// One interface as libpcap lists it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Interface {
    pub name: String,
    /// Npcap's adapter description ("Intel(R) Ethernet ..."), when given.
    pub description: Option<String>,
    pub addresses: Vec<IpAddr>,
    pub up: bool,
    pub running: bool,
    pub loopback: bool,
    pub wireless: bool,
}

/// Why the capture could not start or go on.
#[derive(Debug, thiserror::Error)]
pub enum DeviceError {
    #[error(
        "no permission to capture on {interface} ({detail}): {}",
        permission_hint()
    )]
    Permission { interface: String, detail: String },
    #[error("no interface named '{interface}'{}; --list-interfaces shows them", known_list(.known))]
    NoSuchInterface {
        interface: String,
        known: Vec<String>,
    },
    #[error("{}", no_interfaces_hint())]
    NoInterfaces,
    #[error("cannot list the network interfaces: {0}")]
    List(String),
    #[error("cannot open {interface} for capture: {detail}")]
    Open { interface: String, detail: String },
    #[error("libpcap refused the capture filter on {interface}: {detail}")]
    Filter { interface: String, detail: String },
}

impl DeviceError {
    /// A usage error (a name that does not exist: exit 2) rather than
    /// "could not run here" (exit 3).
    pub fn is_input_error(&self) -> bool {
        matches!(self, DeviceError::NoSuchInterface { .. })
    }
}

fn known_list(known: &[String]) -> String {
    if known.is_empty() {
        String::new()
    } else {
        format!(" (this machine has: {})", known.join(", "))
    }
}

fn permission_hint() -> &'static str {
    if cfg!(windows) {
        "run it as Administrator (Npcap was installed to restrict capture to Administrators), or reinstall Npcap without that option"
    } else if cfg!(target_os = "macos") {
        "run it with sudo (the BPF devices /dev/bpf* are root's unless Wireshark's ChmodBPF is installed)"
    } else {
        "run it as root, or give the program CAP_NET_RAW and CAP_NET_ADMIN: sudo setcap cap_net_raw,cap_net_admin=eip $(command -v aovpn-diag)"
    }
}

fn no_interfaces_hint() -> &'static str {
    if cfg!(windows) {
        "Npcap lists no network interfaces: Npcap is not installed or its driver is not running (install or repair it from npcap.com), or use the pktmon commands below"
    } else {
        "libpcap lists no network interfaces this user may capture on: run as root or with CAP_NET_RAW"
    }
}

/// Every interface libpcap can capture on.
pub fn interfaces() -> Result<Vec<Interface>, DeviceError> {
    let list = Device::list().map_err(|e| DeviceError::List(e.to_string()))?;
    Ok(list
        .into_iter()
        .map(|d| Interface {
            addresses: d.addresses.iter().map(|a| a.addr).collect(),
            up: d.flags.is_up(),
            running: d.flags.is_running(),
            loopback: d.flags.is_loopback(),
            wireless: d.flags.is_wireless(),
            description: d.desc,
            name: d.name,
        })
        .collect())
}

/// The interface the route to a server leaves by: the one that holds
/// `source` (the route's local address; works on Windows, where Npcap's
/// names are `\Device\NPF_{GUID}`), else the one named `route_interface`
/// (Linux: the route's device).
pub fn for_route(
    list: &[Interface],
    source: Option<IpAddr>,
    route_interface: Option<&str>,
) -> Option<String> {
    if let Some(ip) = source
        && let Some(i) = list.iter().find(|i| i.addresses.contains(&ip))
    {
        return Some(i.name.clone());
    }
    route_interface
        .filter(|name| list.iter().any(|i| i.name == *name))
        .map(str::to_owned)
}

/// The interface to capture on when nothing says which: the first one that
/// is up, not loopback and has an address (libpcap lists the busiest kinds
/// first), else the first that is up and not loopback.
pub fn first_active(list: &[Interface]) -> Option<String> {
    list.iter()
        .find(|i| i.up && !i.loopback && !i.addresses.is_empty())
        .or_else(|| list.iter().find(|i| i.up && !i.loopback && i.name != "any"))
        .map(|i| i.name.clone())
}

/// libpcap reports link types as DLT_ values; files carry LINKTYPE_ values.
/// They differ for raw IP (DLT_RAW is 12, or 14 on OpenBSD; LINKTYPE_RAW
/// is 101, <https://www.tcpdump.org/linktypes.html>).
pub fn linktype_of_dlt(dlt: i32) -> LinkType {
    match dlt {
        12 | 14 => LinkType::RAW,
        other => LinkType(u32::try_from(other).unwrap_or(u32::MAX)),
    }
}

/// An open capture on one interface with the filter set.
pub struct LiveCapture {
    cap: Capture<Active>,
    link: LinkType,
    interface: String,
    /// The last read returned a packet: read again before waiting (no
    /// poll(2) per packet while packets flow). Unix only.
    #[cfg_attr(windows, allow(dead_code))]
    flowing: bool,
}

/// Packets the capture received and dropped so far (libpcap's `pcap_stats`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Counts {
    pub received: u64,
    /// Dropped because the buffer was full: the analysis missed them.
    pub dropped: u64,
    /// Dropped by the interface or its driver.
    pub interface_dropped: u64,
}

impl LiveCapture {
    /// Opens `interface` (which must be in `list`) with `filter`.
    pub fn open(
        interface: &str,
        list: &[Interface],
        filter: &str,
    ) -> Result<LiveCapture, DeviceError> {
        if interface != "any" && !list.iter().any(|i| i.name == interface) {
            return Err(DeviceError::NoSuchInterface {
                interface: interface.to_owned(),
                known: list.iter().map(|i| i.name.clone()).collect(),
            });
        }
        let classify = |e: pcap::Error| {
            let detail = e.to_string();
            let lower = detail.to_lowercase();
            if lower.contains("permission") || lower.contains("not permitted") {
                DeviceError::Permission {
                    interface: interface.to_owned(),
                    detail,
                }
            } else if lower.contains("no such device") {
                DeviceError::NoSuchInterface {
                    interface: interface.to_owned(),
                    known: list.iter().map(|i| i.name.clone()).collect(),
                }
            } else {
                DeviceError::Open {
                    interface: interface.to_owned(),
                    detail,
                }
            }
        };
        let mut cap = Capture::from_device(interface)
            .map_err(classify)?
            .snaplen(SNAPLEN as i32)
            .timeout(READ_TIMEOUT.as_millis() as i32)
            .immediate_mode(true)
            .buffer_size(BUFFER)
            .open()
            .map_err(classify)?;
        cap.filter(filter, true).map_err(|e| DeviceError::Filter {
            interface: interface.to_owned(),
            detail: e.to_string(),
        })?;
        // libpcap's own read timeout is not dependable in immediate mode
        // (Linux libpcap 1.10 keeps polling until a packet comes), so on
        // Unix reads do not block and [`wait_readable`] bounds the wait.
        #[cfg(unix)]
        let cap = cap.setnonblock().map_err(classify)?;
        Ok(LiveCapture {
            link: linktype_of_dlt(cap.get_datalink().0),
            cap,
            interface: interface.to_owned(),
            flowing: false,
        })
    }

    pub fn interface(&self) -> &str {
        &self.interface
    }

    /// What the capture counted so far, when the platform says.
    pub fn counts(&mut self) -> Option<Counts> {
        self.cap.stats().ok().map(|s| Counts {
            received: u64::from(s.received),
            dropped: u64::from(s.dropped),
            interface_dropped: u64::from(s.if_dropped),
        })
    }
}

impl FrameSource for LiveCapture {
    fn link(&self) -> LinkType {
        self.link
    }

    // timeval's fields are i64 on Linux and macOS, i32 on Windows.
    #[allow(clippy::useless_conversion)]
    fn next(&mut self) -> Result<Option<Frame<'_>>, String> {
        #[cfg(unix)]
        if !self.flowing {
            match wait_readable(&self.cap, READ_TIMEOUT) {
                Ok(true) => {}
                Ok(false) => return Ok(None),
                Err(e) => {
                    return Err(format!(
                        "waiting for packets on {} failed: {e}",
                        self.interface
                    ));
                }
            }
        }
        self.flowing = false;
        match self.cap.next_packet() {
            Ok(p) => {
                self.flowing = true;
                Ok(Some(Frame {
                    ts: Timestamp::from_secs_nanos(
                        i64::from(p.header.ts.tv_sec),
                        i64::from(p.header.ts.tv_usec) * 1000,
                    ),
                    data: p.data,
                    orig_len: p.header.len,
                }))
            }
            Err(pcap::Error::TimeoutExpired) => Ok(None),
            Err(e) => Err(format!("reading from {} failed: {e}", self.interface)),
        }
    }
}

/// Waits until the capture has packets to read, at most `timeout`
/// (poll(2)); `false` when it timed out or a signal (Ctrl-C) came.
#[cfg(unix)]
#[allow(unsafe_code)]
fn wait_readable(cap: &Capture<Active>, timeout: Duration) -> std::io::Result<bool> {
    use std::os::unix::io::AsRawFd;
    let mut fds = libc::pollfd {
        fd: cap.as_raw_fd(),
        events: libc::POLLIN,
        revents: 0,
    };
    let millis = libc::c_int::try_from(timeout.as_millis()).unwrap_or(libc::c_int::MAX);
    // SAFETY: `fds` is one valid pollfd that outlives the call, and its
    // descriptor is the capture's own, open for as long as `cap` is borrowed.
    let rc = unsafe { libc::poll(&mut fds, 1, millis) };
    if rc < 0 {
        let e = std::io::Error::last_os_error();
        if e.kind() == std::io::ErrorKind::Interrupted {
            return Ok(false);
        }
        return Err(e);
    }
    Ok(rc > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iface(name: &str, addrs: &[&str], up: bool, loopback: bool) -> Interface {
        Interface {
            name: name.into(),
            description: None,
            addresses: addrs.iter().map(|a| a.parse().unwrap()).collect(),
            up,
            running: up,
            loopback,
            wireless: false,
        }
    }

    #[test]
    fn the_interface_with_the_routes_source_address_wins() {
        let list = vec![
            iface("lo", &["127.0.0.1"], true, true),
            iface("eth0", &["192.0.2.10"], true, false),
            iface(
                r"\Device\NPF_{A1}",
                &["198.18.1.2", "fd00:1::2"],
                true,
                false,
            ),
        ];
        let ip: IpAddr = "fd00:1::2".parse().unwrap();
        assert_eq!(
            for_route(&list, Some(ip), Some("Ethernet 2")).as_deref(),
            Some(r"\Device\NPF_{A1}")
        );
        assert_eq!(
            for_route(&list, None, Some("eth0")).as_deref(),
            Some("eth0")
        );
        assert_eq!(for_route(&list, None, Some("wlan0")), None);
        // Nothing known about the route: the first up, non-loopback one.
        assert_eq!(first_active(&list).as_deref(), Some("eth0"));
        assert_eq!(
            first_active(&[iface("lo", &["127.0.0.1"], true, true)]),
            None
        );
    }

    #[test]
    fn raw_ip_link_types_are_written_as_linktype_raw() {
        assert_eq!(linktype_of_dlt(12), LinkType::RAW);
        assert_eq!(linktype_of_dlt(1), LinkType::ETHERNET);
        assert_eq!(linktype_of_dlt(113), LinkType::LINUX_SLL);
    }

    #[test]
    fn an_unknown_interface_is_a_usage_error_naming_the_known_ones() {
        let list = vec![iface("eth0", &[], true, false)];
        let e = LiveCapture::open("eht0", &list, "udp port 500")
            .err()
            .unwrap();
        assert!(e.is_input_error());
        assert_eq!(
            e.to_string(),
            "no interface named 'eht0' (this machine has: eth0); --list-interfaces shows them"
        );
    }
}
