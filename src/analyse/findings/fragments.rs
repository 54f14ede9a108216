//! Findings about how IKE messages were cut up: IP fragments that never all
//! arrived, messages that left as IP fragments, fragments sent last-first,
//! and messages of more IKEv2 fragments than some gateways accept.

use serde_json::json;

use super::SaView;
use super::evidence::{WithFrames, frame, message, ranges, round3, shape, times};
use super::remedy;
use crate::analyse::Analysis;
use crate::analyse::exchange::Status;
use crate::analyse::lost::FirstFragment;
use crate::analyse::message::{MessageKey, Transmission};
use crate::analyse::sa::LostDatagram;
use crate::capture::PacketRef;
use crate::capture::defrag::FragmentOrder;
use crate::finding::{Code, Finding, Severity};

/// More IKEv2 fragments than this in one message are dropped by some
/// gateways (the field's 16-fragment limit).
pub const MAX_IKE_FRAGMENTS: u16 = 16;

/// `ip-fragments-missing`: datagrams of this SA whose IP fragments never
/// all arrived, one finding per IKE message (its transmissions grouped),
/// or one for those whose first fragment (and so the IKE header) is missing.
pub(super) fn lost(v: &SaView<'_>, out: &mut Vec<Finding>) {
    let sa = v.sa;
    let mut groups: Vec<(Option<MessageKey>, Vec<&LostDatagram>)> = Vec::new();
    for d in &sa.lost {
        let key = d.header.map(|h| h.key);
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, g)) => g.push(d),
            None => groups.push((key, vec![d])),
        }
    }
    for (key, ds) in groups {
        let Some(first) = ds.first() else { continue };
        let last_frame = ds
            .iter()
            .filter_map(|d| d.frames.first())
            .max()
            .copied()
            .unwrap_or_default();
        // Did a later (smaller, or luckier) sending of the message get through?
        let answered = match key {
            Some(k) if !k.response => sa
                .transmissions
                .iter()
                .any(|t| t.key.response && t.exchange_key() == k.exchange_key()),
            Some(k) => sa
                .transmissions
                .iter()
                .any(|t| t.key == k && t.first > last_frame),
            None => sa.ike_auth_answered(),
        };
        let what = match key {
            Some(k) => message(&k),
            None => "IKE datagram(s) (first fragment missing)".to_string(),
        };
        let (severity, tail) = if answered {
            (
                Severity::Warn,
                "; a later retransmission or smaller re-send got through: the path loses fragments or its MTU changed mid-exchange",
            )
        } else {
            (Severity::Fail, "; the exchange never completed")
        };
        let all_frames: Vec<PacketRef> = ds.iter().flat_map(|d| d.frames.iter().copied()).collect();
        let mut f = Finding::new(
            Code::IpFragmentsMissing,
            severity,
            format!(
                "{what} {} -> {}: {} transmission(s) arrived only in part (bytes {} missing){tail}",
                first.src_addr(),
                first.dst_addr(),
                ds.len(),
                ranges(&first.missing)
            ),
        )
        .with_frames("frames", &all_frames)
        .with("datagrams", ds.len())
        .with("first_time", v.rel(first.first_ts))
        .with("src", first.src_addr())
        .with("dst", first.dst_addr())
        .with(
            "ip_ids",
            json!(ds.iter().map(|d| d.ip_id).collect::<Vec<_>>()),
        )
        .with("arrived", ranges(&first.arrived))
        .with("missing", ranges(&first.missing));
        if let Some(h) = first.header {
            f = f.with("ike_length", h.ike_len);
        }
        f = f
            .with("largest_fragment", first.largest_fragment)
            .with("spi_i", crate::wire::hex(&sa.spi_i));
        if sa.not_kept.lost > 0 {
            f = f.with("sa_lost_datagrams_not_kept", sa.not_kept.lost);
        }
        out.push(f.remedy(remedy::FRAGMENTS));
    }
}

/// `ip-fragments-missing` (warn) for lost datagrams no IKE SA claims, one
/// per flow (addresses, ports, what the first fragment held) with the
/// count, and one for the datagrams of flows beyond the bound.
pub(super) fn unattributed(a: &Analysis, out: &mut Vec<Finding>) {
    for flow in &a.lost_flows.flows {
        let head = match flow.first_fragment {
            FirstFragment::Missing => {
                "the first fragment never arrived here, so the ports and contents are unknown and no IKE SA between these addresses claims it"
            }
            FirstFragment::EspInUdp => {
                "the first fragment arrived and carried ESP in UDP (tunnel traffic), not an IKE message"
            }
            FirstFragment::Ikev1 => {
                "the first fragment arrived and carried IKEv1 (ISAKMP), not IKEv2"
            }
            FirstFragment::NotIke => {
                "the first fragment arrived and carried no IKEv2 header that could be read"
            }
        };
        let frames_seen: Vec<PacketRef> = flow
            .examples
            .iter()
            .flat_map(|d| d.frames.iter().copied())
            .collect();
        let mut f = Finding::new(
            Code::IpFragmentsMissing,
            Severity::Warn,
            format!(
                "{} fragmented datagram(s) {} -> {} never completed; {head}",
                flow.datagrams,
                flow.src_addr(),
                flow.dst_addr()
            ),
        )
        .with_frames("frames", &frames_seen)
        .with("datagrams", flow.datagrams)
        .with("first_fragment", flow.first_fragment.as_str())
        .with("first_time", round3(a.rel(flow.first_ts)))
        .with("last_time", round3(a.rel(flow.last_ts)))
        .with(
            "ip_ids",
            json!(flow.examples.iter().map(|d| d.ip_id).collect::<Vec<_>>()),
        );
        if let Some(d) = flow.examples.first() {
            f = f.with("missing", ranges(&d.missing));
        }
        out.push(f.remedy(remedy::FRAGMENTS));
    }
    let other = a.lost_flows.other_datagrams;
    if other > 0 {
        out.push(
            Finding::new(
                Code::IpFragmentsMissing,
                Severity::Warn,
                format!(
                    "{other} more fragmented datagram(s) in further flows never completed (only the first {} flows are told apart)",
                    crate::analyse::bounds::MAX_LOST_FLOWS
                ),
            )
            .with("datagrams", other)
            .remedy(remedy::FRAGMENTS),
        );
    }
}

/// The first sending of each message that matches `keep`, copies at other
/// capture points left out.
fn first_of_each(ts: &[Transmission], keep: impl Fn(&Transmission) -> bool) -> Vec<&Transmission> {
    let mut firsts: Vec<&Transmission> = Vec::new();
    for t in ts.iter().filter(|t| t.same_as.is_none() && keep(t)) {
        if !firsts.iter().any(|f| f.key == t.key) {
            firsts.push(t);
        }
    }
    firsts
}

/// `ike-message-ip-fragmented` (warn): the first IP-fragmented sending of
/// each message (at most four).
pub(super) fn ip_fragmented(v: &SaView<'_>, out: &mut Vec<Finding>) {
    for t in first_of_each(&v.sa.transmissions, |t| t.ip_fragmented() && !t.is_skf())
        .into_iter()
        .take(4)
    {
        out.push(
            Finding::new(
                Code::IkeMessageIpFragmented,
                Severity::Warn,
                format!(
                    "{} {} of {} bytes left {} as {} IP fragments (path MTU about {} bytes{})",
                    t.key.exchange,
                    if t.key.response { "response" } else { "request" },
                    t.ip_len,
                    t.src,
                    t.ip_packets,
                    t.largest_ip_packet,
                    crate::capture::link::mtu_note(t.largest_ip_packet)
                ),
            )
            .with_frames("frames", &t.frames)
            .with("ip_length", t.ip_len)
            .with("ike_length", t.ike_len)
            .with("fragments", t.ip_packets)
            .with("fragment_sizes", json!(t.fragment_sizes))
            .with("mtu", t.largest_ip_packet)
            .remedy("Works only while every device on the path passes IP fragments. Negotiate IKEv2 fragmentation (both sides) so IKE messages are split into SKF pieces below the MTU instead."),
        );
    }
}

/// Whether the exchange of `key` failed (no answer, or the answer lost).
fn failed(v: &SaView<'_>, key: &MessageKey) -> bool {
    v.exchanges.iter().any(|(e, s)| {
        e.key == key.exchange_key()
            && matches!(
                s,
                Status::Unanswered | Status::ResponseLost { .. } | Status::NoCompleteRequest
            )
    })
}

/// `too-many-ike-fragments`: a message of more than 16 IKEv2 fragments;
/// fail when its exchange then failed, warn otherwise.
pub(super) fn too_many_ike_fragments(v: &SaView<'_>, out: &mut Vec<Finding>) {
    let sa = v.sa;
    for t in first_of_each(&sa.transmissions, |t| {
        t.skf_total.is_some_and(|n| n > MAX_IKE_FRAGMENTS)
    }) {
        let total = t.skf_total.unwrap_or_default();
        let sent = sa
            .transmissions
            .iter()
            .filter(|o| o.key == t.key && o.same_as.is_none())
            .count();
        let fail = failed(v, &t.key);
        let outcome = if fail {
            format!("sent {}, and the exchange failed", times(sent))
        } else {
            format!("sent {}; the exchange did not fail here", times(sent))
        };
        out.push(
            Finding::new(
                Code::TooManyIkeFragments,
                if fail { Severity::Fail } else { Severity::Warn },
                format!(
                    "{} from {} to {} travelled as {total} IKEv2 fragments, more than the {MAX_IKE_FRAGMENTS} some gateways accept ({}); {outcome}",
                    message(&t.key),
                    t.src,
                    t.dst,
                    shape(t),
                ),
            )
            .with_frames("frames", &t.frames)
            .with("message_id", t.key.message_id)
            .with("ike_fragments", total)
            .with("largest_packet", t.ip_len)
            .with("ike_length", t.ike_len)
            .with("transmissions", sent)
            .with("limit", MAX_IKE_FRAGMENTS)
            .remedy(remedy::TOO_MANY_FRAGMENTS),
        );
    }
}

/// One datagram whose fragments were captured last-first.
struct LastFirst {
    key: Option<MessageKey>,
    src: String,
    dst: String,
    frames: Vec<PacketRef>,
    fragments: usize,
}

/// `ip-fragments-out-of-order` (warn): an IKE datagram whose IP fragments
/// were captured last-first, once per message.
pub(super) fn out_of_order(v: &SaView<'_>, out: &mut Vec<Finding>) {
    let sa = v.sa;
    let mut cases: Vec<LastFirst> = first_of_each(&sa.transmissions, |t| {
        t.fragment_order == FragmentOrder::LastFirst
    })
    .into_iter()
    .map(|t| LastFirst {
        key: Some(t.key),
        src: t.src.to_string(),
        dst: t.dst.to_string(),
        frames: t.frames.clone(),
        fragments: t.fragment_sizes.len(),
    })
    .collect();
    for d in sa
        .lost
        .iter()
        .filter(|d| d.order == FragmentOrder::LastFirst)
    {
        cases.push(LastFirst {
            key: d.header.map(|h| h.key),
            src: d.src_addr(),
            dst: d.dst_addr(),
            frames: d.frames.clone(),
            fragments: d.sizes.len(),
        });
    }
    let mut seen: Vec<Option<MessageKey>> = Vec::new();
    for c in cases {
        if seen.contains(&c.key) {
            continue;
        }
        seen.push(c.key);
        let what = c
            .key
            .map_or_else(|| "an IKE datagram".to_string(), |k| message(&k));
        let fail = c.key.is_some_and(|k| failed(v, &k));
        let mut f = Finding::new(
            Code::IpFragmentsOutOfOrder,
            Severity::Warn,
            format!(
                "{what} {} -> {}: its {} IP fragments were captured last-first (the fragment with the end of the datagram before the one at offset 0); some gateways drop such datagrams{}",
                c.src,
                c.dst,
                c.fragments,
                if fail { "; this exchange failed" } else { "" }
            ),
        )
        .with_frames("frames", &c.frames)
        .with("fragments", c.fragments)
        .with("exchange_failed", fail);
        if let Some(first) = c.frames.first() {
            f = f.with("first_frame", frame(*first));
        }
        out.push(f.remedy(remedy::OUT_OF_ORDER));
    }
}
