//! IKEv2 messages on the wire (RFC 7296 §3): the fixed header, the generic
//! payload chain, and the payloads this tool reads (SA, KE, Nonce, Notify,
//! Vendor ID, SK and SKF from RFC 7383 §2.5). Everything else is kept as raw
//! bytes with its type, so nothing is lost on a round trip.
//!
//! Two levels, for two kinds of callers:
//! - [`Header::parse`] + [`RawPayloads`] walk a message without copying and
//!   tolerate what the typed level refuses (a capture analyser can still
//!   count and time a message whose SA is broken);
//! - [`Message::parse`] / [`Message::emit`] give owned, typed values that
//!   round-trip byte for byte.

pub mod builder;
pub mod codes;
pub mod credentials;
pub mod ikeauth;
pub mod notation;
pub mod protect;
pub mod sa;
pub mod vendor;

pub use codes::{
    DhGroup, EncrId, EsnId, ExchangeType, IntegId, NotifyType, PayloadType, PrfId, ProtocolId,
    TransformType,
};
pub use sa::{Attribute, Proposal, Sa, Transform};

use super::{Error, Reader, Result};

/// RFC 7296 §3.1: the IKE header is 28 bytes.
pub const HEADER_LEN: usize = 28;
/// RFC 7296 §3.2: the generic payload header is 4 bytes.
pub const PAYLOAD_HEADER_LEN: usize = 4;
/// Version byte of IKEv2 (major 2, minor 0).
pub const VERSION_2_0: u8 = 0x20;
/// Version byte of IKEv1/ISAKMP (major 1, minor 0, RFC 2408 §3.1).
pub const VERSION_1_0: u8 = 0x10;

/// Header flags (RFC 7296 §3.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Flags(pub u8);

impl Flags {
    /// I: set by the original initiator of the IKE SA.
    pub const INITIATOR: u8 = 0x08;
    /// V: the sender can speak a higher major version.
    pub const VERSION: u8 = 0x10;
    /// R: this message is a response.
    pub const RESPONSE: u8 = 0x20;

    pub fn is_initiator(self) -> bool {
        self.0 & Self::INITIATOR != 0
    }
    pub fn is_response(self) -> bool {
        self.0 & Self::RESPONSE != 0
    }
}

/// Which ISAKMP generation a header belongs to (major version nibble).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IkeVersion {
    /// IKEv1 (RFC 2409): not what Always On VPN uses.
    V1,
    V2,
    Other(u8),
}

/// The IKE header (RFC 7296 §3.1). IKEv1 shares the layout (RFC 2408 §3.1:
/// cookies instead of SPIs, same offsets), so one parser recognises both.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    pub spi_i: [u8; 8],
    pub spi_r: [u8; 8],
    pub next_payload: PayloadType,
    /// Major version in the high nibble, minor in the low one.
    pub version: u8,
    pub exchange: ExchangeType,
    pub flags: Flags,
    pub message_id: u32,
    /// Declared length of the whole message, header included.
    pub length: u32,
}

impl Header {
    /// Reads the 28 header bytes; checks nothing else, so it also works on a
    /// message cut short by a capture's snap length or on an IKEv1 packet.
    pub fn parse(buf: &[u8]) -> Result<Header> {
        let mut r = Reader::new(buf);
        Ok(Header {
            spi_i: r.array("initiator SPI")?,
            spi_r: r.array("responder SPI")?,
            next_payload: PayloadType(r.u8("next payload")?),
            version: r.u8("version")?,
            exchange: ExchangeType(r.u8("exchange type")?),
            flags: Flags(r.u8("flags")?),
            message_id: r.u32("message ID")?,
            length: r.u32("message length")?,
        })
    }

    pub fn ike_version(&self) -> IkeVersion {
        match self.version >> 4 {
            1 => IkeVersion::V1,
            2 => IkeVersion::V2,
            other => IkeVersion::Other(other),
        }
    }

    pub fn is_ikev1(&self) -> bool {
        self.ike_version() == IkeVersion::V1
    }

    pub fn emit(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.spi_i);
        out.extend_from_slice(&self.spi_r);
        out.push(self.next_payload.0);
        out.push(self.version);
        out.push(self.exchange.0);
        out.push(self.flags.0);
        out.extend_from_slice(&self.message_id.to_be_bytes());
        out.extend_from_slice(&self.length.to_be_bytes());
    }
}

/// One payload as it sits in the chain, body not interpreted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RawPayload<'a> {
    pub kind: PayloadType,
    /// The Next Payload field. For SK and SKF this is the type of the first
    /// payload inside the encrypted data, not a successor in this chain.
    pub next: PayloadType,
    pub critical: bool,
    /// Offset of the generic payload header in the message.
    pub offset: usize,
    pub body: &'a [u8],
}

/// Walks the generic payload chain (RFC 7296 §3.2) without copying.
///
/// Hostile input cannot make it loop or read out of bounds: every step
/// consumes at least the 4-byte generic header, a length below 4 or past the
/// end is an error, and after the first error the walk ends. SK and SKF end
/// the chain (their Next Payload names the first encrypted payload, §3.14);
/// bytes after the last payload are reported as an error.
#[derive(Debug, Clone)]
pub struct RawPayloads<'a> {
    r: Reader<'a>,
    next: PayloadType,
    done: bool,
}

impl<'a> RawPayloads<'a> {
    /// `chain` is the message after its header; `base` its offset (28).
    pub fn new(first: PayloadType, chain: &'a [u8], base: usize) -> Self {
        RawPayloads {
            r: Reader::at(chain, base),
            next: first,
            done: false,
        }
    }

    fn step(&mut self) -> Result<Option<RawPayload<'a>>> {
        let kind = self.next;
        if kind == PayloadType::NONE {
            if self.r.is_empty() {
                return Ok(None);
            }
            return Err(Error::Malformed {
                what: "payload chain",
                offset: self.r.offset(),
                problem: format!("{} bytes after the last payload", self.r.remaining()),
            });
        }
        let offset = self.r.offset();
        let next = PayloadType(self.r.u8("payload next-payload")?);
        let critical = self.r.u8("payload flags")? & 0x80 != 0;
        let len = self.r.u16("payload length")? as usize;
        if len < PAYLOAD_HEADER_LEN {
            return Err(Error::BadLength {
                what: "payload",
                offset,
                declared: len,
                problem: "shorter than the 4-byte generic payload header",
            });
        }
        let body = self.r.bytes(len - PAYLOAD_HEADER_LEN, "payload body")?;
        self.next = if kind == PayloadType::SK || kind == PayloadType::SKF {
            PayloadType::NONE
        } else {
            next
        };
        Ok(Some(RawPayload {
            kind,
            next,
            critical,
            offset,
            body,
        }))
    }
}

impl<'a> Iterator for RawPayloads<'a> {
    type Item = Result<RawPayload<'a>>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let item = self.step();
        match item {
            Ok(Some(p)) => Some(Ok(p)),
            Ok(None) => {
                self.done = true;
                None
            }
            Err(e) => {
                self.done = true;
                Some(Err(e))
            }
        }
    }
}

/// Key Exchange payload body (RFC 7296 §3.4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ke {
    pub group: DhGroup,
    pub data: Vec<u8>,
}

/// Notify payload body (RFC 7296 §3.10).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notify {
    pub protocol: ProtocolId,
    pub spi: Vec<u8>,
    pub kind: NotifyType,
    pub data: Vec<u8>,
}

impl Notify {
    /// A notify about the IKE SA being set up: no protocol, no SPI.
    pub fn new(kind: NotifyType, data: Vec<u8>) -> Self {
        Notify {
            protocol: ProtocolId::NONE,
            spi: Vec::new(),
            kind,
            data,
        }
    }

    /// The group an INVALID_KE_PAYLOAD asks for (§3.10.1: 2 bytes of data).
    pub fn requested_group(&self) -> Option<DhGroup> {
        if self.kind != NotifyType::INVALID_KE_PAYLOAD {
            return None;
        }
        let mut r = Reader::new(&self.data);
        r.u16("group").ok().map(DhGroup)
    }
}

/// SK payload (RFC 7296 §3.14): IV, ciphertext and ICV stay opaque here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Encrypted {
    /// Type of the first payload inside the encrypted data.
    pub first_inner: PayloadType,
    pub data: Vec<u8>,
}

/// SKF payload (RFC 7383 §2.5): one fragment of an encrypted message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncryptedFragment {
    /// The first inner payload's type in fragment 1, zero in the others.
    pub first_inner: PayloadType,
    /// 1-based, at most `total`.
    pub number: u16,
    pub total: u16,
    pub data: Vec<u8>,
}

/// A payload's body, typed where this tool needs the contents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Body {
    Sa(Sa),
    Ke(Ke),
    Nonce(Vec<u8>),
    Notify(Notify),
    VendorId(Vec<u8>),
    Sk(Encrypted),
    Skf(EncryptedFragment),
    /// Any other payload type, kept verbatim.
    Other {
        kind: PayloadType,
        data: Vec<u8>,
    },
}

/// One payload of a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payload {
    /// The critical bit (§3.2): the receiver must reject the message if it
    /// does not understand this payload.
    pub critical: bool,
    pub body: Body,
}

impl From<Body> for Payload {
    fn from(body: Body) -> Self {
        Payload {
            critical: false,
            body,
        }
    }
}

impl Payload {
    pub fn kind(&self) -> PayloadType {
        match &self.body {
            Body::Sa(_) => PayloadType::SA,
            Body::Ke(_) => PayloadType::KE,
            Body::Nonce(_) => PayloadType::NONCE,
            Body::Notify(_) => PayloadType::NOTIFY,
            Body::VendorId(_) => PayloadType::VENDOR_ID,
            Body::Sk(_) => PayloadType::SK,
            Body::Skf(_) => PayloadType::SKF,
            Body::Other { kind, .. } => *kind,
        }
    }

    /// Interprets a raw payload's body by its type.
    pub fn parse(raw: &RawPayload<'_>) -> Result<Payload> {
        let base = raw.offset + PAYLOAD_HEADER_LEN;
        let mut r = Reader::at(raw.body, base);
        let body = match raw.kind {
            PayloadType::SA => Body::Sa(Sa::parse(raw.body, base)?),
            PayloadType::KE => {
                let group = DhGroup(r.u16("KE group")?);
                let _reserved = r.u16("KE reserved")?;
                Body::Ke(Ke {
                    group,
                    data: r.rest().to_vec(),
                })
            }
            PayloadType::NONCE => Body::Nonce(raw.body.to_vec()),
            PayloadType::NOTIFY => {
                let protocol = ProtocolId(r.u8("notify protocol ID")?);
                let spi_size = r.u8("notify SPI size")? as usize;
                let kind = NotifyType(r.u16("notify message type")?);
                let spi = r.bytes(spi_size, "notify SPI")?.to_vec();
                Body::Notify(Notify {
                    protocol,
                    spi,
                    kind,
                    data: r.rest().to_vec(),
                })
            }
            PayloadType::VENDOR_ID => Body::VendorId(raw.body.to_vec()),
            PayloadType::SK => Body::Sk(Encrypted {
                first_inner: raw.next,
                data: raw.body.to_vec(),
            }),
            PayloadType::SKF => {
                let number = r.u16("SKF fragment number")?;
                let total = r.u16("SKF total fragments")?;
                if number == 0 || number > total {
                    return Err(Error::Malformed {
                        what: "SKF payload",
                        offset: raw.offset,
                        problem: format!("fragment {number} of {total}"),
                    });
                }
                Body::Skf(EncryptedFragment {
                    first_inner: raw.next,
                    number,
                    total,
                    data: r.rest().to_vec(),
                })
            }
            kind => Body::Other {
                kind,
                data: raw.body.to_vec(),
            },
        };
        Ok(Payload {
            critical: raw.critical,
            body,
        })
    }

    pub fn buffer_len(&self) -> usize {
        PAYLOAD_HEADER_LEN
            + match &self.body {
                Body::Sa(sa) => sa.buffer_len(),
                Body::Ke(ke) => 4 + ke.data.len(),
                Body::Nonce(d) | Body::VendorId(d) => d.len(),
                Body::Notify(n) => 4 + n.spi.len() + n.data.len(),
                Body::Sk(e) => e.data.len(),
                Body::Skf(f) => 4 + f.data.len(),
                Body::Other { data, .. } => data.len(),
            }
    }

    /// Writes the payload; `next` is the following payload's type (ignored
    /// for SK/SKF, whose Next Payload names their first inner payload).
    pub fn emit(&self, next: PayloadType, out: &mut Vec<u8>) {
        let next = match &self.body {
            Body::Sk(e) => e.first_inner,
            Body::Skf(f) => f.first_inner,
            _ => next,
        };
        out.push(next.0);
        out.push(if self.critical { 0x80 } else { 0 });
        out.extend_from_slice(&(self.buffer_len() as u16).to_be_bytes());
        match &self.body {
            Body::Sa(sa) => sa.emit(out),
            Body::Ke(ke) => {
                out.extend_from_slice(&ke.group.0.to_be_bytes());
                out.extend_from_slice(&[0, 0]);
                out.extend_from_slice(&ke.data);
            }
            Body::Nonce(d) | Body::VendorId(d) => out.extend_from_slice(d),
            Body::Notify(n) => {
                out.push(n.protocol.0);
                out.push(n.spi.len() as u8);
                out.extend_from_slice(&n.kind.0.to_be_bytes());
                out.extend_from_slice(&n.spi);
                out.extend_from_slice(&n.data);
            }
            Body::Sk(e) => out.extend_from_slice(&e.data),
            Body::Skf(f) => {
                out.extend_from_slice(&f.number.to_be_bytes());
                out.extend_from_slice(&f.total.to_be_bytes());
                out.extend_from_slice(&f.data);
            }
            Body::Other { data, .. } => out.extend_from_slice(data),
        }
    }
}

/// Writes a payload chain (RFC 7296 §3.2): each payload's Next Payload names
/// the one after it, the last says NONE. Also the plaintext inside an SK
/// payload (§3.14), whose first type travels in the SK header instead.
pub fn emit_chain(payloads: &[Payload], out: &mut Vec<u8>) {
    for (i, p) in payloads.iter().enumerate() {
        let next = payloads.get(i + 1).map_or(PayloadType::NONE, Payload::kind);
        p.emit(next, out);
    }
}

/// Parses a payload chain that starts with type `first`, e.g. the decrypted
/// contents of an SK payload. Offsets in errors count from `base`.
pub fn parse_chain(first: PayloadType, chain: &[u8], base: usize) -> Result<Vec<Payload>> {
    RawPayloads::new(first, chain, base)
        .map(|raw| Payload::parse(&raw?))
        .collect()
}

/// A whole IKEv2 message: header plus typed payloads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub header: Header,
    pub payloads: Vec<Payload>,
}

impl Message {
    /// Parses one IKEv2 message (after any non-ESP marker). The header's
    /// length must fit the buffer; bytes past it are ignored (§3.1: the length
    /// field, not the datagram, delimits the message).
    pub fn parse(buf: &[u8]) -> Result<Message> {
        let header = Header::parse(buf)?;
        if header.ike_version() != IkeVersion::V2 {
            return Err(Error::NotIkev2 {
                major: header.version >> 4,
                minor: header.version & 0x0f,
                offset: 17,
            });
        }
        let declared = header.length as usize;
        if declared < HEADER_LEN {
            return Err(Error::BadLength {
                what: "IKE message",
                offset: 24,
                declared,
                problem: "shorter than the 28-byte IKE header",
            });
        }
        let chain = Reader::new(buf)
            .bytes(declared, "IKE message")?
            .get(HEADER_LEN..)
            .unwrap_or(&[]);
        let mut payloads = Vec::new();
        for raw in RawPayloads::new(header.next_payload, chain, HEADER_LEN) {
            payloads.push(Payload::parse(&raw?)?);
        }
        Ok(Message { header, payloads })
    }

    pub fn buffer_len(&self) -> usize {
        HEADER_LEN + self.payloads.iter().map(Payload::buffer_len).sum::<usize>()
    }

    /// Serialises the message; the header's next-payload and length fields
    /// are computed from the payloads, whatever they held.
    pub fn emit(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.buffer_len());
        let mut header = self.header;
        header.next_payload = self
            .payloads
            .first()
            .map_or(PayloadType::NONE, Payload::kind);
        header.length = self.buffer_len() as u32;
        header.emit(&mut out);
        emit_chain(&self.payloads, &mut out);
        out
    }

    pub fn notifies(&self) -> impl Iterator<Item = &Notify> {
        self.payloads.iter().filter_map(|p| match &p.body {
            Body::Notify(n) => Some(n),
            _ => None,
        })
    }

    pub fn notify(&self, kind: NotifyType) -> Option<&Notify> {
        self.notifies().find(|n| n.kind == kind)
    }

    pub fn vendor_ids(&self) -> impl Iterator<Item = &[u8]> {
        self.payloads.iter().filter_map(|p| match &p.body {
            Body::VendorId(v) => Some(v.as_slice()),
            _ => None,
        })
    }

    pub fn sa(&self) -> Option<&Sa> {
        self.payloads.iter().find_map(|p| match &p.body {
            Body::Sa(sa) => Some(sa),
            _ => None,
        })
    }

    pub fn ke(&self) -> Option<&Ke> {
        self.payloads.iter().find_map(|p| match &p.body {
            Body::Ke(ke) => Some(ke),
            _ => None,
        })
    }

    pub fn nonce(&self) -> Option<&[u8]> {
        self.payloads.iter().find_map(|p| match &p.body {
            Body::Nonce(n) => Some(n.as_slice()),
            _ => None,
        })
    }

    pub fn fragment(&self) -> Option<&EncryptedFragment> {
        self.payloads.iter().find_map(|p| match &p.body {
            Body::Skf(f) => Some(f),
            _ => None,
        })
    }
}

#[cfg(test)]
mod tests;
