//! One IKE_AUTH response as it comes in: whole (SK) or as SKF pieces
//! (RFC 7383 §2.6), reassembled by Fragment Number. PURE.

use std::collections::BTreeMap;

use super::MAX_FRAGMENTS;
use crate::wire::ike::protect::{Envelope, Opened};
use crate::wire::ike::{Payload, PayloadType, parse_chain};

/// Collected pieces of one response (RFC 7383 §2.6: kept by Fragment
/// Number, so a duplicate replaces its twin and pieces may come in any
/// order), with the IP size of the datagram each came in.
#[derive(Default)]
pub(super) struct Response {
    whole: Option<(Opened, usize)>,
    pub(super) fragments: BTreeMap<u16, (Opened, usize)>,
    /// The pieces the response has (0: none seen yet, or whole).
    pub(super) total: u16,
}

impl Response {
    /// Adds a verified piece that came in an IP datagram of `ip_bytes`;
    /// true once the response is complete.
    pub(super) fn add(&mut self, opened: Opened, ip_bytes: usize) -> bool {
        match opened.envelope {
            Envelope::Sk => {
                self.whole = Some((opened, ip_bytes));
                true
            }
            Envelope::Skf { number, total } => {
                if total == 0 || total > MAX_FRAGMENTS || number == 0 || number > total {
                    return false;
                }
                if self.total != total {
                    // A new total means a new fragmentation of the message
                    // (RFC 7383 §2.6.2): start over with it.
                    self.fragments.clear();
                    self.total = total;
                }
                self.fragments.insert(number, (opened, ip_bytes));
                self.fragments.len() == usize::from(total)
            }
        }
    }

    pub(super) fn verified(&self) -> bool {
        self.whole.is_some() || !self.fragments.is_empty()
    }

    /// The inner payloads of a complete response (RFC 7383 §2.6: the
    /// plaintexts of fragments 1..n in order, first type from fragment 1).
    pub(super) fn payloads(&self) -> Option<Vec<Payload>> {
        let (first, plain) = self.plaintext()?;
        parse_chain(first, &plain, 0).ok()
    }

    /// The whole inner payload chain and its first type: the SK payload's,
    /// or the SKF pieces' joined in Fragment Number order.
    pub(super) fn plaintext(&self) -> Option<(PayloadType, Vec<u8>)> {
        if let Some((w, _)) = &self.whole {
            return Some((w.first_inner, w.plaintext.clone()));
        }
        if self.total == 0 || self.fragments.len() != usize::from(self.total) {
            return None;
        }
        let first = self.fragments.get(&1)?.0.first_inner;
        let joined: Vec<u8> = self
            .fragments
            .values()
            .flat_map(|(f, _)| f.plaintext.iter().copied())
            .collect();
        Some((first, joined))
    }

    /// IP sizes of the datagrams the response came in, in fragment order.
    pub(super) fn datagram_sizes(&self) -> Vec<usize> {
        match &self.whole {
            Some((_, n)) => vec![*n],
            None => self.fragments.values().map(|(_, n)| *n).collect(),
        }
    }
}
