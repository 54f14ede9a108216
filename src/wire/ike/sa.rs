//! Security Association payload body: proposals, transforms, attributes
//! (RFC 7296 §3.3), and the human descriptor of a proposal such as
//! `AES-CBC-256/HMAC-SHA2-256/PRF-SHA2-256/MODP-2048`.

use std::fmt::{self, Write as _};

use super::codes::{DhGroup, EncrId, EsnId, IntegId, PrfId, ProtocolId, TransformType};
use crate::wire::{Error, Reader, Result};

/// RFC 7296 §3.3.5: attribute type 14 is the key length in bits, the only
/// attribute IKEv2 defines.
pub const ATTR_KEY_LENGTH: u16 = 14;

/// Attribute Format bit: set for the 4-byte TV form, clear for TLV (§3.3.5).
const ATTR_TV: u16 = 0x8000;

/// One transform attribute (RFC 7296 §3.3.5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attribute {
    /// TV format (AF=1): a 2-byte value in the header itself.
    Short { kind: u16, value: u16 },
    /// TLV format (AF=0): a length and that many bytes.
    Long { kind: u16, value: Vec<u8> },
}

impl Attribute {
    pub fn key_length(bits: u16) -> Self {
        Attribute::Short {
            kind: ATTR_KEY_LENGTH,
            value: bits,
        }
    }

    fn parse(r: &mut Reader<'_>) -> Result<Self> {
        let head = r.u16("transform attribute type")?;
        let kind = head & !ATTR_TV;
        if head & ATTR_TV != 0 {
            Ok(Attribute::Short {
                kind,
                value: r.u16("transform attribute value")?,
            })
        } else {
            let len = r.u16("transform attribute length")? as usize;
            let value = r.bytes(len, "transform attribute value")?.to_vec();
            Ok(Attribute::Long { kind, value })
        }
    }

    pub fn buffer_len(&self) -> usize {
        match self {
            Attribute::Short { .. } => 4,
            Attribute::Long { value, .. } => 4 + value.len(),
        }
    }

    fn emit(&self, out: &mut Vec<u8>) {
        match self {
            Attribute::Short { kind, value } => {
                out.extend_from_slice(&(kind | ATTR_TV).to_be_bytes());
                out.extend_from_slice(&value.to_be_bytes());
            }
            Attribute::Long { kind, value } => {
                out.extend_from_slice(&(kind & !ATTR_TV).to_be_bytes());
                out.extend_from_slice(&(value.len() as u16).to_be_bytes());
                out.extend_from_slice(value);
            }
        }
    }
}

/// One transform (RFC 7296 §3.3.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transform {
    pub kind: TransformType,
    pub id: u16,
    pub attributes: Vec<Attribute>,
}

impl Transform {
    pub fn new(kind: TransformType, id: u16) -> Self {
        Transform {
            kind,
            id,
            attributes: Vec::new(),
        }
    }

    pub fn encr(id: EncrId, key_bits: Option<u16>) -> Self {
        let mut t = Transform::new(TransformType::ENCR, id.0);
        if let Some(bits) = key_bits {
            t.attributes.push(Attribute::key_length(bits));
        }
        t
    }

    pub fn prf(id: PrfId) -> Self {
        Transform::new(TransformType::PRF, id.0)
    }

    pub fn integ(id: IntegId) -> Self {
        Transform::new(TransformType::INTEG, id.0)
    }

    pub fn dh(group: DhGroup) -> Self {
        Transform::new(TransformType::DH, group.0)
    }

    /// The key length attribute in bits, if present.
    pub fn key_length(&self) -> Option<u16> {
        self.attributes.iter().find_map(|a| match a {
            Attribute::Short { kind, value } if *kind == ATTR_KEY_LENGTH => Some(*value),
            _ => None,
        })
    }

    /// Human name of the algorithm, with the key length for ciphers that
    /// need one: `AES-CBC-256`, `HMAC-SHA2-256`, `MODP-2048`.
    pub fn name(&self) -> String {
        let base = match self.kind {
            TransformType::ENCR => EncrId(self.id).to_string(),
            TransformType::PRF => PrfId(self.id).to_string(),
            TransformType::INTEG => IntegId(self.id).to_string(),
            TransformType::DH => DhGroup(self.id).to_string(),
            TransformType::ESN => EsnId(self.id).to_string(),
            other => format!("{other}-{}", self.id),
        };
        match self.key_length() {
            Some(bits) => format!("{base}-{bits}"),
            None => base,
        }
    }

    fn parse(r: &mut Reader<'_>) -> Result<(Self, bool)> {
        let start = r.offset();
        let last = r.u8("transform last-substructure")?;
        let _reserved = r.u8("transform reserved")?;
        let len = r.u16("transform length")? as usize;
        if len < 8 {
            return Err(Error::BadLength {
                what: "transform",
                offset: start,
                declared: len,
                problem: "shorter than its 8-byte header",
            });
        }
        let kind = TransformType(r.u8("transform type")?);
        let _reserved = r.u8("transform reserved")?;
        let id = r.u16("transform ID")?;
        let body_start = r.offset();
        let body = r.bytes(len - 8, "transform attributes")?;
        let mut ar = Reader::at(body, body_start);
        let mut attributes = Vec::new();
        while !ar.is_empty() {
            attributes.push(Attribute::parse(&mut ar)?);
        }
        let more = match last {
            0 => false,
            3 => true,
            other => {
                return Err(Error::Malformed {
                    what: "transform",
                    offset: start,
                    problem: format!("last-substructure value {other}, must be 0 or 3"),
                });
            }
        };
        Ok((
            Transform {
                kind,
                id,
                attributes,
            },
            more,
        ))
    }

    pub fn buffer_len(&self) -> usize {
        8 + self
            .attributes
            .iter()
            .map(Attribute::buffer_len)
            .sum::<usize>()
    }

    fn emit(&self, last: bool, out: &mut Vec<u8>) {
        out.push(if last { 0 } else { 3 });
        out.push(0);
        out.extend_from_slice(&(self.buffer_len() as u16).to_be_bytes());
        out.push(self.kind.0);
        out.push(0);
        out.extend_from_slice(&self.id.to_be_bytes());
        for a in &self.attributes {
            a.emit(out);
        }
    }
}

/// One proposal (RFC 7296 §3.3.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proposal {
    /// 1 for the first proposal, counting up; a response echoes the number
    /// of the proposal it chose.
    pub number: u8,
    pub protocol: ProtocolId,
    /// Empty for IKE proposals in IKE_SA_INIT (§3.3.1).
    pub spi: Vec<u8>,
    pub transforms: Vec<Transform>,
}

impl Proposal {
    /// An IKE proposal with no SPI.
    pub fn ike(number: u8, transforms: Vec<Transform>) -> Self {
        Proposal {
            number,
            protocol: ProtocolId::IKE,
            spi: Vec::new(),
            transforms,
        }
    }

    pub fn of_type(&self, kind: TransformType) -> impl Iterator<Item = &Transform> {
        self.transforms.iter().filter(move |t| t.kind == kind)
    }

    /// The key exchange groups this proposal allows, in order of preference.
    pub fn dh_groups(&self) -> Vec<DhGroup> {
        self.of_type(TransformType::DH)
            .map(|t| DhGroup(t.id))
            .collect()
    }

    /// `AES-CBC-256/HMAC-SHA2-256/PRF-SHA2-256/MODP-2048`: encryption,
    /// integrity, PRF, group; alternatives of one type joined by `|`; the
    /// integrity part left out when there is none (AEAD ciphers).
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        for kind in [
            TransformType::ENCR,
            TransformType::INTEG,
            TransformType::PRF,
            TransformType::DH,
        ] {
            let names: Vec<String> = self.of_type(kind).map(Transform::name).collect();
            if !names.is_empty() {
                parts.push(names.join("|"));
            }
        }
        let mut s = parts.join("/");
        for t in &self.transforms {
            let known = [
                TransformType::ENCR,
                TransformType::INTEG,
                TransformType::PRF,
                TransformType::DH,
                TransformType::ESN,
            ];
            if !known.contains(&t.kind) {
                let _ = write!(s, "/{}", t.name());
            }
        }
        s
    }

    fn parse(r: &mut Reader<'_>) -> Result<(Self, bool)> {
        let start = r.offset();
        let last = r.u8("proposal last-substructure")?;
        let _reserved = r.u8("proposal reserved")?;
        let len = r.u16("proposal length")? as usize;
        if len < 8 {
            return Err(Error::BadLength {
                what: "proposal",
                offset: start,
                declared: len,
                problem: "shorter than its 8-byte header",
            });
        }
        let body_start = r.offset();
        let body = r.bytes(len - 4, "proposal body")?;
        let mut pr = Reader::at(body, body_start);
        let number = pr.u8("proposal number")?;
        let protocol = ProtocolId(pr.u8("proposal protocol ID")?);
        let spi_size = pr.u8("proposal SPI size")? as usize;
        let count = pr.u8("proposal transform count")? as usize;
        let spi = pr.bytes(spi_size, "proposal SPI")?.to_vec();
        let mut transforms = Vec::with_capacity(count.min(64));
        while !pr.is_empty() {
            let (t, more) = Transform::parse(&mut pr)?;
            transforms.push(t);
            if more == pr.is_empty() {
                return Err(Error::Malformed {
                    what: "proposal",
                    offset: start,
                    problem: if more {
                        "last transform says more follow".to_owned()
                    } else {
                        "bytes after the transform marked last".to_owned()
                    },
                });
            }
        }
        if transforms.len() != count {
            return Err(Error::Malformed {
                what: "proposal",
                offset: start,
                problem: format!("declares {count} transforms, holds {}", transforms.len()),
            });
        }
        let more = match last {
            0 => false,
            2 => true,
            other => {
                return Err(Error::Malformed {
                    what: "proposal",
                    offset: start,
                    problem: format!("last-substructure value {other}, must be 0 or 2"),
                });
            }
        };
        Ok((
            Proposal {
                number,
                protocol,
                spi,
                transforms,
            },
            more,
        ))
    }

    pub fn buffer_len(&self) -> usize {
        8 + self.spi.len()
            + self
                .transforms
                .iter()
                .map(Transform::buffer_len)
                .sum::<usize>()
    }

    fn emit(&self, last: bool, out: &mut Vec<u8>) {
        out.push(if last { 0 } else { 2 });
        out.push(0);
        out.extend_from_slice(&(self.buffer_len() as u16).to_be_bytes());
        out.push(self.number);
        out.push(self.protocol.0);
        out.push(self.spi.len() as u8);
        out.push(self.transforms.len() as u8);
        out.extend_from_slice(&self.spi);
        let n = self.transforms.len();
        for (i, t) in self.transforms.iter().enumerate() {
            t.emit(i + 1 == n, out);
        }
    }
}

impl fmt::Display for Proposal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe())
    }
}

/// The SA payload body: a list of proposals (RFC 7296 §3.3).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Sa {
    pub proposals: Vec<Proposal>,
}

impl Sa {
    /// Parses an SA payload body; `base` is its offset in the message.
    pub fn parse(body: &[u8], base: usize) -> Result<Self> {
        let mut r = Reader::at(body, base);
        let mut proposals = Vec::new();
        while !r.is_empty() {
            let at = r.offset();
            let (p, more) = Proposal::parse(&mut r)?;
            proposals.push(p);
            if more == r.is_empty() {
                return Err(Error::Malformed {
                    what: "SA payload",
                    offset: at,
                    problem: if more {
                        "last proposal says more follow".to_owned()
                    } else {
                        "bytes after the proposal marked last".to_owned()
                    },
                });
            }
        }
        Ok(Sa { proposals })
    }

    pub fn buffer_len(&self) -> usize {
        self.proposals.iter().map(Proposal::buffer_len).sum()
    }

    pub fn emit(&self, out: &mut Vec<u8>) {
        let n = self.proposals.len();
        for (i, p) in self.proposals.iter().enumerate() {
            p.emit(i + 1 == n, out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn aes256_sha256_modp2048() -> Proposal {
        Proposal::ike(
            1,
            vec![
                Transform::encr(EncrId::AES_CBC, Some(256)),
                Transform::integ(IntegId::HMAC_SHA2_256_128),
                Transform::prf(PrfId::HMAC_SHA2_256),
                Transform::dh(DhGroup::MODP_2048),
            ],
        )
    }

    // Bytes laid out by hand from RFC 7296 §3.3.1/§3.3.2/§3.3.5.
    const SA_BODY: [u8; 44] = [
        0x00, 0x00, 0x00, 0x2c, 0x01, 0x01, 0x00,
        0x04, // proposal 1, IKE, no SPI, 4 transforms
        0x03, 0x00, 0x00, 0x0c, 0x01, 0x00, 0x00, 0x0c, 0x80, 0x0e, 0x01,
        0x00, // AES-CBC keylen 256
        0x03, 0x00, 0x00, 0x08, 0x03, 0x00, 0x00, 0x0c, // INTEG 12
        0x03, 0x00, 0x00, 0x08, 0x02, 0x00, 0x00, 0x05, // PRF 5
        0x00, 0x00, 0x00, 0x08, 0x04, 0x00, 0x00, 0x0e, // DH 14, last
    ];

    #[test]
    fn parse_and_emit_are_mirror_images() {
        let sa = Sa::parse(&SA_BODY, 0).unwrap();
        assert_eq!(
            sa,
            Sa {
                proposals: vec![aes256_sha256_modp2048()]
            }
        );
        assert_eq!(sa.buffer_len(), SA_BODY.len());
        let mut out = Vec::new();
        sa.emit(&mut out);
        assert_eq!(out, SA_BODY);
    }

    #[test]
    fn describes_proposals_like_admins_read_them() {
        assert_eq!(
            aes256_sha256_modp2048().describe(),
            "AES-CBC-256/HMAC-SHA2-256/PRF-SHA2-256/MODP-2048"
        );
        let gcm = Proposal::ike(
            1,
            vec![
                Transform::encr(EncrId::AES_GCM_16, Some(256)),
                Transform::encr(EncrId::AES_GCM_16, Some(128)),
                Transform::prf(PrfId::HMAC_SHA2_384),
                Transform::dh(DhGroup::ECP_384),
            ],
        );
        assert_eq!(
            gcm.describe(),
            "AES-GCM-16-256|AES-GCM-16-128/PRF-SHA2-384/ECP-384"
        );
    }

    #[test]
    fn rejects_lying_lengths_and_flags() {
        let mut short = SA_BODY;
        short[3] = 0x04; // proposal length 4 < 8
        assert!(matches!(
            Sa::parse(&short, 0),
            Err(Error::BadLength {
                what: "proposal",
                ..
            })
        ));
        let mut long = SA_BODY;
        long[3] = 0x40; // longer than the body
        assert!(matches!(Sa::parse(&long, 0), Err(Error::Truncated { .. })));
        let mut count = SA_BODY;
        count[7] = 5;
        assert!(matches!(Sa::parse(&count, 0), Err(Error::Malformed { .. })));
        let mut last = SA_BODY;
        last[0] = 2; // says another proposal follows
        assert!(matches!(Sa::parse(&last, 0), Err(Error::Malformed { .. })));
        let mut tlen = SA_BODY;
        tlen[11] = 0x02; // transform length 2
        assert!(matches!(
            Sa::parse(&tlen, 100),
            Err(Error::BadLength {
                what: "transform",
                offset: 108,
                ..
            })
        ));
    }
}
