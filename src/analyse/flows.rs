//! IPsec traffic outside any IKEv2 SA of the capture: ESP (IP protocol 50),
//! ESP in UDP (RFC 3948) and IKEv1, per flow, so that a capture that shows a
//! tunnel working but holds no IKEv2 negotiation can say between which peers
//! what flowed. Bounded: at most [`MAX_FLOWS`] flows, the rest counted.

use std::net::IpAddr;

use crate::capture::datagram::Ports;
use crate::capture::{PacketRef, Timestamp};

/// Flows remembered; packets of further flows are only counted.
pub const MAX_FLOWS: usize = 64;

/// What kind of IPsec traffic a flow carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FlowKind {
    /// ESP, IP protocol 50 (RFC 4303).
    Esp,
    /// ESP in UDP, on UDP 4500 (RFC 3948).
    EspInUdp,
    /// IKEv1 / ISAKMP (RFC 2409).
    Ikev1,
}

/// One direction of IPsec traffic between two addresses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flow {
    pub kind: FlowKind,
    pub src: IpAddr,
    pub dst: IpAddr,
    pub ports: Option<Ports>,
    /// ESP: the SPI of the first packet (one SA per direction).
    pub spi: Option<u32>,
    pub packets: u64,
    pub first: PacketRef,
    pub first_ts: Timestamp,
    pub last_ts: Timestamp,
}

impl Flow {
    /// The source as `address:port` (ESP in UDP, IKEv1) or the address.
    pub fn src_addr(&self) -> String {
        super::sa::with_port(self.src, self.ports.map(|p| p.src))
    }

    pub fn dst_addr(&self) -> String {
        super::sa::with_port(self.dst, self.ports.map(|p| p.dst))
    }
}

/// The flows seen.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Flows {
    pub flows: Vec<Flow>,
    /// Packets of flows beyond [`MAX_FLOWS`].
    pub uncounted: u64,
}

impl Flows {
    /// Counts one packet.
    #[allow(clippy::too_many_arguments)]
    pub fn add(
        &mut self,
        kind: FlowKind,
        src: IpAddr,
        dst: IpAddr,
        ports: Option<Ports>,
        spi: Option<u32>,
        at: PacketRef,
        ts: Timestamp,
    ) {
        let same = |f: &&mut Flow| {
            f.kind == kind
                && f.src == src
                && f.dst == dst
                && f.ports == ports
                && (kind == FlowKind::Ikev1 || f.spi == spi)
        };
        if let Some(f) = self.flows.iter_mut().find(|f| same(f)) {
            f.packets += 1;
            f.last_ts = f.last_ts.max(ts);
            return;
        }
        if self.flows.len() >= MAX_FLOWS {
            self.uncounted += 1;
            return;
        }
        self.flows.push(Flow {
            kind,
            src,
            dst,
            ports,
            spi,
            packets: 1,
            first: at,
            first_ts: ts,
            last_ts: ts,
        });
    }

    pub fn is_empty(&self) -> bool {
        self.flows.is_empty() && self.uncounted == 0
    }

    /// Packets of one kind.
    pub fn packets(&self, kind: FlowKind) -> u64 {
        self.flows
            .iter()
            .filter(|f| f.kind == kind)
            .map(|f| f.packets)
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_per_direction_and_spi_within_a_bound() {
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        let b: IpAddr = "192.0.2.2".parse().unwrap();
        let at = PacketRef::default();
        let mut f = Flows::default();
        for _ in 0..3 {
            f.add(FlowKind::Esp, a, b, None, Some(7), at, Timestamp(1));
        }
        f.add(FlowKind::Esp, b, a, None, Some(8), at, Timestamp(2));
        f.add(FlowKind::Ikev1, a, b, None, None, at, Timestamp(3));
        assert_eq!(f.flows.len(), 3);
        assert_eq!(f.packets(FlowKind::Esp), 4);
        assert_eq!(f.flows[0].packets, 3);
        for spi in 0..100 {
            f.add(
                FlowKind::Esp,
                a,
                b,
                None,
                Some(1000 + spi),
                at,
                Timestamp(4),
            );
        }
        assert_eq!(f.flows.len(), MAX_FLOWS);
        assert_eq!(f.uncounted, 100 - (MAX_FLOWS as u64 - 3));
    }
}
