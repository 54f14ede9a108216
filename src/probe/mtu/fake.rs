//! Scripted routes and Don't-Fragment transports for tests of code above
//! the path-MTU search (the `check` policy and runner).

use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::driver::fake::ScriptedPath;
use super::iface::{RouteError, Routes};
use super::{DfTransports, IkeOpenError, OpenError, SizedProbe};
use crate::diagnose::mtu::{Method, Outcome, Outgoing};
use crate::env::ManualClock;

/// Every address leaves by eth0 with MTU 1500.
pub struct Eth0;

impl Routes for Eth0 {
    fn outgoing(&self, _: IpAddr) -> Result<Outgoing, RouteError> {
        Ok(Outgoing {
            interface: Some("eth0".into()),
            source: None,
            mtu: 1500,
        })
    }
}

/// A path of MTU 1400 on which ICMP echo and IKE each answer or not,
/// or cannot be opened; records which transports were opened.
pub struct Path {
    pub clock: Arc<ManualClock>,
    pub echo: Option<bool>,
    pub ike: Option<bool>,
    pub opened: Mutex<Vec<Method>>,
}

impl Path {
    pub fn new(echo: Option<bool>, ike: Option<bool>) -> Self {
        Path {
            clock: Arc::default(),
            echo,
            ike,
            opened: Mutex::new(Vec::new()),
        }
    }

    fn transport(&self, method: Method, answers: bool) -> Box<dyn SizedProbe> {
        self.opened.lock().unwrap().push(method);
        Box::new(ScriptedPath {
            target: "198.18.2.2".parse().unwrap(),
            method,
            clock: self.clock.clone(),
            script: Default::default(),
            respond: Box::new(move |size| {
                if answers && size <= 1400 {
                    Outcome::Reply {
                        rtt: Duration::from_millis(1),
                    }
                } else {
                    Outcome::Lost
                }
            }),
            sent: Vec::new(),
        })
    }
}

impl DfTransports for Path {
    fn icmp_echo(&self, target: IpAddr) -> Result<Box<dyn SizedProbe>, OpenError> {
        match self.echo {
            Some(answers) => Ok(self.transport(Method::IcmpRaw, answers)),
            None => Err(OpenError::NoPermission {
                target,
                datagram: std::io::Error::from_raw_os_error(13),
                raw: std::io::Error::from_raw_os_error(1),
            }),
        }
    }

    fn ike(&self, peer: std::net::SocketAddr) -> Result<Box<dyn SizedProbe>, IkeOpenError> {
        match self.ike {
            Some(answers) => Ok(self.transport(Method::Ike, answers)),
            None => Err(IkeOpenError::Socket {
                op: "open a UDP socket towards",
                peer,
                source: std::io::Error::from_raw_os_error(24),
            }),
        }
    }
}
