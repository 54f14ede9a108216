//! Lost datagrams that no IKE SA claims, counted per flow: a busy server's
//! capture with the filter README suggests holds every non-first fragment
//! of unrelated traffic (DNS, video), and a hostile one millions of lost
//! fragments. Each flow (addresses, UDP ports when known, and what the
//! first fragment held) keeps a count, its first and last time and the
//! first [`LOST_EXAMPLES`] datagrams; at most [`MAX_LOST_FLOWS`] flows are
//! kept and datagrams of further flows are counted together.

use std::net::IpAddr;

use super::bounds::{LOST_EXAMPLES, MAX_LOST_FLOWS};
use super::sa::{LostDatagram, with_port};
use crate::capture::Timestamp;
use crate::capture::datagram::Ports;

/// What the first fragment of a lost datagram held.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FirstFragment {
    /// It never arrived here: ports and contents are unknown, so the
    /// datagram can only be tied to an IKE SA by its addresses.
    Missing,
    /// It arrived and carried ESP in UDP (RFC 3948): tunnel traffic, not IKE.
    EspInUdp,
    /// It arrived and carried an IKEv1 (ISAKMP) header.
    Ikev1,
    /// It arrived on an IKE port and held no IKEv2 header that could be
    /// read (too short, or not IKE).
    NotIke,
}

impl FirstFragment {
    /// `missing`, `esp-in-udp`, `ikev1`, `not-ike` (JSON).
    pub fn as_str(self) -> &'static str {
        match self {
            FirstFragment::Missing => "missing",
            FirstFragment::EspInUdp => "esp-in-udp",
            FirstFragment::Ikev1 => "ikev1",
            FirstFragment::NotIke => "not-ike",
        }
    }
}

/// Lost datagrams of one flow.
#[derive(Debug, Clone, PartialEq)]
pub struct LostFlow {
    pub src: IpAddr,
    pub dst: IpAddr,
    /// From the first fragment, when it arrived.
    pub ports: Option<Ports>,
    pub first_fragment: FirstFragment,
    pub datagrams: u64,
    pub first_ts: Timestamp,
    pub last_ts: Timestamp,
    /// The first [`LOST_EXAMPLES`] datagrams.
    pub examples: Vec<LostDatagram>,
}

impl LostFlow {
    pub fn src_addr(&self) -> String {
        with_port(self.src, self.ports.map(|p| p.src))
    }

    pub fn dst_addr(&self) -> String {
        with_port(self.dst, self.ports.map(|p| p.dst))
    }

    /// Between these two addresses, either way.
    pub fn between(&self, a: IpAddr, b: IpAddr) -> bool {
        (self.src == a && self.dst == b) || (self.src == b && self.dst == a)
    }
}

/// The flows of lost datagrams outside every IKE SA.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LostFlows {
    pub flows: Vec<LostFlow>,
    /// Datagrams of flows beyond [`MAX_LOST_FLOWS`].
    pub other_datagrams: u64,
}

impl LostFlows {
    /// Counts one lost datagram in its flow.
    pub fn add(&mut self, d: LostDatagram, first_fragment: FirstFragment) {
        let same = |f: &&mut LostFlow| {
            f.src == d.src
                && f.dst == d.dst
                && f.ports == d.ports
                && f.first_fragment == first_fragment
        };
        if let Some(f) = self.flows.iter_mut().find(|f| same(f)) {
            f.datagrams += 1;
            f.first_ts = f.first_ts.min(d.first_ts);
            f.last_ts = f.last_ts.max(d.first_ts);
            if f.examples.len() < LOST_EXAMPLES {
                f.examples.push(d);
            }
            return;
        }
        if self.flows.len() >= MAX_LOST_FLOWS {
            self.other_datagrams += 1;
            return;
        }
        self.flows.push(LostFlow {
            src: d.src,
            dst: d.dst,
            ports: d.ports,
            first_fragment,
            datagrams: 1,
            first_ts: d.first_ts,
            last_ts: d.first_ts,
            examples: vec![d],
        });
    }

    pub fn is_empty(&self) -> bool {
        self.flows.is_empty() && self.other_datagrams == 0
    }

    /// Lost datagrams counted, in every flow.
    pub fn datagrams(&self) -> u64 {
        self.flows.iter().map(|f| f.datagrams).sum::<u64>() + self.other_datagrams
    }

    /// Takes out the flows whose first fragment is missing between `a` and
    /// `b` (either way): datagrams that belong to the IKE SA of these peers.
    pub fn take_missing_between(&mut self, a: IpAddr, b: IpAddr) -> Vec<LostFlow> {
        let (taken, kept) = std::mem::take(&mut self.flows)
            .into_iter()
            .partition(|f| f.first_fragment == FirstFragment::Missing && f.between(a, b));
        self.flows = kept;
        taken
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capture::PacketRef;
    use crate::capture::defrag::{ByteRange, FragmentOrder, GiveUp};

    fn lost(src: &str, dst: &str, ports: Option<(u16, u16)>, millis: i64) -> LostDatagram {
        LostDatagram {
            file: 0,
            frames: vec![PacketRef {
                file: 0,
                frame: millis as u64 + 1,
            }],
            first_ts: Timestamp(millis * 1_000_000),
            src: src.parse().unwrap(),
            dst: dst.parse().unwrap(),
            ports: ports.map(|(src, dst)| Ports { src, dst }),
            ip_id: millis as u32,
            arrived: vec![ByteRange {
                start: 1480,
                end: 2000,
            }],
            missing: vec![ByteRange {
                start: 0,
                end: 1480,
            }],
            total_len: Some(2000),
            header: None,
            largest_fragment: 540,
            sizes: Vec::new(),
            order: FragmentOrder::InOrder,
            reason: GiveUp::EndOfCapture,
        }
    }

    #[test]
    fn a_flood_becomes_bounded_flows_with_counts_and_examples() {
        let mut flows = LostFlows::default();
        // 20,000 lost datagrams from 1,000 sources to one server.
        for i in 0..20_000i64 {
            let src = format!("198.18.{}.{}", (i % 1000) / 256, (i % 1000) % 256);
            flows.add(lost(&src, "198.19.2.20", None, i), FirstFragment::Missing);
        }
        assert_eq!(flows.flows.len(), MAX_LOST_FLOWS);
        assert_eq!(flows.datagrams(), 20_000);
        let first = &flows.flows[0];
        assert_eq!(first.datagrams, 20);
        assert_eq!(first.examples.len(), LOST_EXAMPLES);
        assert_eq!(first.last_ts, Timestamp(19_000 * 1_000_000));
        assert_eq!(flows.other_datagrams, 20_000 - 20 * MAX_LOST_FLOWS as u64);
    }

    #[test]
    fn flows_differ_by_ports_and_first_fragment() {
        let mut flows = LostFlows::default();
        flows.add(
            lost("192.0.2.1", "192.0.2.2", None, 1),
            FirstFragment::Missing,
        );
        flows.add(
            lost("192.0.2.1", "192.0.2.2", Some((4500, 4500)), 2),
            FirstFragment::EspInUdp,
        );
        flows.add(
            lost("192.0.2.1", "192.0.2.2", Some((4500, 4500)), 3),
            FirstFragment::NotIke,
        );
        flows.add(
            lost("192.0.2.2", "192.0.2.1", None, 4),
            FirstFragment::Missing,
        );
        assert_eq!(flows.flows.len(), 4);
        assert_eq!(flows.flows[1].src_addr(), "192.0.2.1:4500");
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        let b: IpAddr = "192.0.2.2".parse().unwrap();
        let taken = flows.take_missing_between(b, a);
        assert_eq!(taken.len(), 2);
        assert_eq!(flows.flows.len(), 2);
        assert!(
            flows
                .flows
                .iter()
                .all(|f| f.first_fragment != FirstFragment::Missing)
        );
    }
}
