//! Packet blocks in: the packet, its interface, time and same-packet mark
//! out of a pcap record or a pcapng EPB, SPB or OPB
//! (draft-ietf-opsawg-pcapng §4.2-4.4, Appendix A).

use pcap_parser::{Block, PcapBlockOwned};

use super::{Interface, OPB_TYPE};
use crate::capture::{LinkType, SamePacketMark, Timestamp};

/// What [`packet_of`] takes out of a packet block.
pub(super) struct Framed<'a> {
    pub link: LinkType,
    pub ts: Timestamp,
    pub interface: u32,
    pub mark: Option<SamePacketMark>,
    pub data: &'a [u8],
    pub orig_len: u32,
}

/// pcapng option codes in an EPB (draft-ietf-opsawg-pcapng §4.3.1).
const OPT_COMMENT: u16 = 1;
const OPT_EPB_PACKETID: u16 = 5;

/// The same-packet mark of an EPB: `epb_packetid` if present, else pktmon's
/// metadata line in a comment. `be`: the section is big-endian.
fn epb_mark(options: &[pcap_parser::PcapNGOption<'_>], be: bool) -> Option<SamePacketMark> {
    let mut from_comment = None;
    for o in options {
        match o.code.0 {
            OPT_EPB_PACKETID => {
                let b: [u8; 8] = o.as_bytes().ok()?.try_into().ok()?;
                let id = if be {
                    u64::from_be_bytes(b)
                } else {
                    u64::from_le_bytes(b)
                };
                return Some(SamePacketMark::PacketId(id));
            }
            OPT_COMMENT if from_comment.is_none() => {
                from_comment = o.as_str().ok().and_then(pktmon_comment);
            }
            _ => {}
        }
    }
    from_comment
}

/// pktmon's per-snapshot metadata as its text output and comments write it:
/// `PktGroupId 562949953421500, PktNumber 1, Appearance 2, Direction Tx ,
/// Type Ethernet , Component 31, ...` (the structure's field is PktCount in
/// the API, PktNumber in the text). `None` unless both numbers are there.
pub(crate) fn pktmon_comment(text: &str) -> Option<SamePacketMark> {
    let number_after = |key: &str| -> Option<u64> {
        let rest = &text[text.find(key)? + key.len()..];
        let digits: String = rest
            .trim_start()
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        digits.parse().ok()
    };
    let group = number_after("PktGroupId")?;
    let number = number_after("PktNumber").or_else(|| number_after("PktCount"))?;
    Some(SamePacketMark::Pktmon {
        group,
        number: u32::try_from(number).ok()?,
    })
}

/// The packet inside a block whose interface `absorb` already checked.
/// Takes the block by value so the packet bytes keep the buffer's lifetime.
pub(super) fn packet_of<'a>(
    block: PcapBlockOwned<'a>,
    interfaces: &[Interface],
    legacy: Option<&Interface>,
    last_ts: Timestamp,
) -> Option<Framed<'a>> {
    match block {
        PcapBlockOwned::Legacy(b) => {
            let iface = legacy?;
            let frac = i64::from(b.ts_usec);
            let nanos = if iface.resolution == 1_000_000_000 {
                frac
            } else {
                frac.saturating_mul(1000)
            };
            let secs = i64::from(b.ts_sec).saturating_add(iface.offset_secs);
            let data = b.data.get(..b.caplen as usize).unwrap_or(b.data);
            Some(Framed {
                link: iface.link,
                ts: Timestamp::from_secs_nanos(secs, nanos),
                interface: 0,
                mark: None,
                data,
                orig_len: b.origlen,
            })
        }
        PcapBlockOwned::NG(Block::EnhancedPacket(epb)) => {
            let iface = interfaces.get(epb.if_id as usize)?;
            let raw = (u64::from(epb.ts_high) << 32) | u64::from(epb.ts_low);
            let mark = if epb.options.is_empty() {
                None
            } else {
                epb_mark(&epb.options, epb.block_type != 0x0000_0006)
            };
            // `data` includes the 32-bit padding; caplen says what is real.
            let data = epb.data.get(..epb.caplen as usize).unwrap_or(epb.data);
            Some(Framed {
                link: iface.link,
                ts: iface.ts(raw),
                interface: epb.if_id,
                mark,
                data,
                orig_len: epb.origlen,
            })
        }
        PcapBlockOwned::NG(Block::SimplePacket(spb)) => {
            let iface = interfaces.first()?;
            // SPB has no caplen: the packet is min(original length, block
            // data, snap length) bytes.
            let mut len = (spb.origlen as usize).min(spb.data.len());
            if iface.snaplen > 0 {
                len = len.min(iface.snaplen as usize);
            }
            let data = spb.data.get(..len).unwrap_or(spb.data);
            // SPB carries no timestamp: keep the previous one so time order holds.
            Some(Framed {
                link: iface.link,
                ts: last_ts,
                interface: 0,
                mark: None,
                data,
                orig_len: spb.origlen,
            })
        }
        PcapBlockOwned::NG(Block::Unknown(u)) => {
            let opb = opb_fields(u.block_type, u.data)?;
            let iface = interfaces.get(opb.if_id as usize)?;
            Some(Framed {
                link: iface.link,
                ts: iface.ts(opb.ts),
                interface: u32::from(opb.if_id),
                mark: None,
                data: opb.data,
                orig_len: opb.orig_len,
            })
        }
        _ => None,
    }
}

pub(super) struct Opb<'a> {
    pub if_id: u16,
    pub ts: u64,
    pub orig_len: u32,
    pub data: &'a [u8],
}

/// Obsolete Packet Block body: interface (2), drops (2), timestamp high (4),
/// low (4), captured length (4), packet length (4), data
/// (draft-ietf-opsawg-pcapng Appendix A "Packet Block"). pcap-parser gives the
/// body after the 8-byte block header, block type as read little-endian.
pub(super) fn opb_fields(block_type: u32, body: &[u8]) -> Option<Opb<'_>> {
    let be = block_type != OPB_TYPE;
    let u16_at = |o: usize| -> Option<u16> {
        let b: [u8; 2] = body.get(o..o + 2)?.try_into().ok()?;
        Some(if be {
            u16::from_be_bytes(b)
        } else {
            u16::from_le_bytes(b)
        })
    };
    let u32_at = |o: usize| -> Option<u32> {
        let b: [u8; 4] = body.get(o..o + 4)?.try_into().ok()?;
        Some(if be {
            u32::from_be_bytes(b)
        } else {
            u32::from_le_bytes(b)
        })
    };
    let if_id = u16_at(0)?;
    let ts = (u64::from(u32_at(4)?) << 32) | u64::from(u32_at(8)?);
    let caplen = u32_at(12)? as usize;
    let orig_len = u32_at(16)?;
    let data = body.get(20..20usize.checked_add(caplen)?)?;
    Some(Opb {
        if_id,
        ts,
        orig_len,
        data,
    })
}

/// When the capture behind an Interface Statistics Block stopped
/// (`isb_endtime`, in the units of the interface it names).
pub(super) fn isb_end(
    isb: &pcap_parser::pcapng::InterfaceStatisticsBlock<'_>,
    interfaces: &[Interface],
) -> Option<Timestamp> {
    let iface = interfaces.get(isb.if_id as usize)?;
    let (high, low) = isb.isb_endtime()?.ok()?;
    Some(iface.ts((u64::from(high) << 32) | u64::from(low)))
}
