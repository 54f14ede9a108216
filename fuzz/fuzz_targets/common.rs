//! Shared by the fuzz targets (included with `#[path]`): output checks and a
//! byte cursor for structured inputs.

#![allow(dead_code)]

use aovpn_diag::report::Detail;

/// Every level of detail the human views have.
pub const DETAILS: [Detail; 3] = [
    Detail {
        verbose: 0,
        quiet: false,
    },
    Detail {
        verbose: 2,
        quiet: false,
    },
    Detail {
        verbose: 0,
        quiet: true,
    },
];

/// The JSON a command printed must be one valid document.
pub fn assert_json(bytes: &[u8]) {
    let _: serde_json::Value = serde_json::from_slice(bytes).expect("one valid JSON document");
}

/// Takes fields off the front of the fuzz input; runs dry as zeros.
pub struct Bytes<'a>(pub &'a [u8]);

impl<'a> Bytes<'a> {
    pub fn u8(&mut self) -> u8 {
        let (first, rest) = self.0.split_first().map_or((0, &[][..]), |(f, r)| (*f, r));
        self.0 = rest;
        first
    }

    pub fn u16(&mut self) -> u16 {
        u16::from_be_bytes([self.u8(), self.u8()])
    }

    /// Up to `max` bytes, the length taken from the input.
    pub fn slice(&mut self, max: usize) -> &'a [u8] {
        let want = usize::from(self.u16()) % (max + 1);
        let n = want.min(self.0.len());
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        head
    }

    pub fn rest(&mut self) -> &'a [u8] {
        std::mem::take(&mut self.0)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}
