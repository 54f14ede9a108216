//! Evidence values shared by the finding producers: packet lists, byte
//! ranges, times, and the words that name an IKE message.

use serde_json::{Value, json};

use crate::analyse::message::{MessageKey, Transmission};
use crate::analyse::sa::IkeSa;
use crate::capture::PacketRef;
use crate::capture::defrag::ByteRange;
use crate::finding::Finding;

/// Evidence lists stay readable: at most this many packet numbers.
pub const MAX_FRAMES: usize = 12;

/// One frame reference: `{"file": 1, "frame": 12}`.
pub fn frame(r: PacketRef) -> Value {
    json!(r)
}

/// Frame references (`{"file": 1, "frame": 12}`), at most [`MAX_FRAMES`].
pub fn frames(refs: &[PacketRef]) -> Value {
    json!(refs.iter().take(MAX_FRAMES).collect::<Vec<_>>())
}

/// Evidence of frames: the first [`MAX_FRAMES`] under `key` and, when
/// there are more, their number under `{key}_total`.
pub trait WithFrames {
    fn with_frames(self, key: &str, refs: &[PacketRef]) -> Self;
}

impl WithFrames for Finding {
    fn with_frames(self, key: &str, refs: &[PacketRef]) -> Finding {
        let f = self.with(key, frames(refs));
        if refs.len() > MAX_FRAMES {
            f.with(&format!("{key}_total"), refs.len())
        } else {
            f
        }
    }
}

/// `0-1480, 2960-end` style byte ranges (end exclusive).
pub fn ranges(r: &[ByteRange]) -> String {
    ByteRange::list(r)
}

/// Seconds rounded to milliseconds, for JSON.
pub fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// `initiator -> responder`.
pub fn peers(sa: &IkeSa) -> String {
    format!("{} -> {}", sa.initiator, sa.responder)
}

/// `IKE_AUTH request (message ID 1)`.
pub fn message(key: &MessageKey) -> String {
    format!(
        "{} {} (message ID {})",
        key.exchange,
        if key.response { "response" } else { "request" },
        key.message_id
    )
}

/// How one transmission travelled: `17 IKEv2 fragments of up to 626
/// bytes`, `2,244 bytes in 2 IP fragments`, `612 bytes`.
pub fn shape(t: &Transmission) -> String {
    if let Some(total) = t.skf_total {
        let mut s = format!(
            "{total} IKEv2 fragments of up to {} bytes",
            thousands(t.ip_len)
        );
        if t.ip_fragmented() {
            s.push_str(", themselves IP-fragmented");
        }
        s
    } else if t.ip_fragmented() {
        format!(
            "{} bytes in {} IP fragments",
            thousands(t.ip_len),
            t.ip_packets
        )
    } else {
        format!("{} bytes", thousands(t.ip_len))
    }
}

/// `1,264` (thousands separated, as admins read sizes).
pub fn thousands(n: impl Into<u64>) -> String {
    let n: u64 = n.into();
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `5 times` / `once`.
pub fn times(n: usize) -> String {
    match n {
        1 => "once".to_string(),
        2 => "twice".to_string(),
        n => format!("{n} times"),
    }
}

/// `1, 2 and 3`.
pub fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_and_numbers() {
        assert_eq!(thousands(626u32), "626");
        assert_eq!(thousands(1264u32), "1,264");
        assert_eq!(thousands(1_234_567u32), "1,234,567");
        assert_eq!(times(1), "once");
        assert_eq!(times(5), "5 times");
        assert_eq!(
            and_list(&["a".into(), "b".into(), "c".into()]),
            "a, b and c"
        );
        assert_eq!(
            ranges(&[
                ByteRange { start: 0, end: 8 },
                ByteRange {
                    start: 16,
                    end: u32::MAX
                }
            ]),
            "0-8, 16-end"
        );
        let many: Vec<PacketRef> = (1..=14).map(|frame| PacketRef { file: 0, frame }).collect();
        let f = Finding::new(
            crate::finding::Code::IcmpTooBig,
            crate::finding::Severity::Info,
            "s",
        )
        .with_frames("frames", &many);
        assert_eq!(f.evidence["frames"].as_array().unwrap().len(), MAX_FRAMES);
        assert_eq!(f.evidence["frames"][0], json!({"file": 1, "frame": 1}));
        assert_eq!(f.evidence["frames_total"], 14);
        let few = Finding::new(
            crate::finding::Code::IcmpTooBig,
            crate::finding::Severity::Info,
            "s",
        )
        .with_frames("frames", &many[..2]);
        assert!(few.evidence.get("frames_total").is_none());
    }
}
