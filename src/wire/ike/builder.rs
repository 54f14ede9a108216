//! Builds IKE_SA_INIT requests (RFC 7296 §1.2, §3) as an initiator sends
//! them, including the padded variant for the fragment test: extra Vendor ID
//! payloads, which a responder must ignore when it does not know them
//! (§3.12), grow the message to a chosen size without changing its meaning.

use super::{
    Body, ExchangeType, Flags, HEADER_LEN, Header, Ke, Message, Notify, NotifyType,
    PAYLOAD_HEADER_LEN, Payload, Proposal, Sa, VERSION_2_0,
};

/// Vendor ID data that starts every padding payload, so a capture shows
/// where the bytes came from.
pub const PADDING_TAG: &[u8] = b"aovpn-diag fragment-test padding";

/// Largest payload body one generic payload header can describe.
const MAX_PAYLOAD_BODY: usize = u16::MAX as usize - PAYLOAD_HEADER_LEN;

/// Nonce length bounds (RFC 7296 §3.9: 16 to 256 bytes).
const NONCE_MAX: usize = 256;

/// Why a request could not be built as asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BuildError {
    #[error("an IKE_SA_INIT request needs at least one proposal")]
    NoProposal,
    #[error("cannot pad the IKE message to {target} bytes: it is already {actual} bytes")]
    TooSmallTarget { target: usize, actual: usize },
    #[error("cannot pad the IKE message to {target} bytes: the largest IKE message is 65535 bytes")]
    TooLargeTarget { target: usize },
}

/// Everything an IKE_SA_INIT request carries. Payload order follows
/// RFC 7296 §1.2 (SA, KE, Ni, then notifies and vendor IDs); a COOKIE notify,
/// when the responder asked for one, goes first (§2.6).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaInitRequest {
    pub spi_i: [u8; 8],
    pub proposals: Vec<Proposal>,
    pub ke: Ke,
    pub nonce: Vec<u8>,
    pub cookie: Option<Vec<u8>>,
    pub notifies: Vec<Notify>,
    pub vendor_ids: Vec<Vec<u8>>,
    /// Grow the IKE message (header included, marker excluded) to exactly
    /// this many bytes with padding Vendor IDs.
    pub pad_to: Option<usize>,
}

impl SaInitRequest {
    /// The message without padding.
    fn unpadded(&self) -> Result<Message, BuildError> {
        if self.proposals.is_empty() {
            return Err(BuildError::NoProposal);
        }
        let mut payloads: Vec<Payload> = Vec::new();
        if let Some(cookie) = &self.cookie {
            payloads.push(Body::Notify(Notify::new(NotifyType::COOKIE, cookie.clone())).into());
        }
        payloads.push(
            Body::Sa(Sa {
                proposals: self.proposals.clone(),
            })
            .into(),
        );
        payloads.push(Body::Ke(self.ke.clone()).into());
        payloads.push(Body::Nonce(self.nonce.clone()).into());
        payloads.extend(
            self.notifies
                .iter()
                .cloned()
                .map(|n| Body::Notify(n).into()),
        );
        payloads.extend(
            self.vendor_ids
                .iter()
                .cloned()
                .map(|v| Body::VendorId(v).into()),
        );
        Ok(Message {
            header: Header {
                spi_i: self.spi_i,
                spi_r: [0; 8],
                next_payload: super::PayloadType::NONE,
                version: VERSION_2_0,
                exchange: ExchangeType::IKE_SA_INIT,
                flags: Flags(Flags::INITIATOR),
                message_id: 0,
                length: 0,
            },
            payloads,
        })
    }

    /// The request as a typed message (lengths are filled in by `emit`).
    pub fn to_message(&self) -> Result<Message, BuildError> {
        let mut msg = self.unpadded()?;
        let Some(target) = self.pad_to else {
            return Ok(msg);
        };
        if target > u16::MAX as usize {
            return Err(BuildError::TooLargeTarget { target });
        }
        let actual = msg.buffer_len();
        if target < actual {
            return Err(BuildError::TooSmallTarget { target, actual });
        }
        let mut deficit = target - actual;
        // A padding payload costs at least its 4-byte header; a gap of 1..3
        // bytes is closed by a longer nonce (still within §3.9's bounds).
        if (1..PAYLOAD_HEADER_LEN).contains(&deficit) {
            let nonce_room = NONCE_MAX.saturating_sub(self.nonce.len());
            if nonce_room < deficit {
                return Err(BuildError::TooSmallTarget { target, actual });
            }
            for p in &mut msg.payloads {
                if let Body::Nonce(n) = &mut p.body {
                    n.extend(std::iter::repeat_n(0x5a, deficit));
                }
            }
            deficit = 0;
        }
        while deficit > 0 {
            let body = (deficit - PAYLOAD_HEADER_LEN).min(MAX_PAYLOAD_BODY);
            let mut data = PADDING_TAG.to_vec();
            data.resize(body, 0);
            data.truncate(body);
            msg.payloads.push(Body::VendorId(data).into());
            deficit -= body + PAYLOAD_HEADER_LEN;
            if (1..PAYLOAD_HEADER_LEN).contains(&deficit) {
                // Unreachable with targets <= 65535 (one payload suffices),
                // kept so the loop can never spin on a remainder.
                break;
            }
        }
        Ok(msg)
    }

    pub fn emit(&self) -> Result<Vec<u8>, BuildError> {
        Ok(self.to_message()?.emit())
    }
}

/// Smallest IKE message size `pad_to` can reach for this request.
pub fn unpadded_len(req: &SaInitRequest) -> Result<usize, BuildError> {
    Ok(req.unpadded()?.buffer_len())
}

/// Size of the fixed IKE header, re-exported for size arithmetic.
pub const IKE_HEADER_LEN: usize = HEADER_LEN;
