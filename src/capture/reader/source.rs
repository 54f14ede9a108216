//! The byte source under the capture reader.

use std::io::{self, Read};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// Wraps the byte source to keep what pcap-parser throws away (the real
/// `io::Error`), to count bytes for progress reporting, and to fill every
/// read completely (until EOF): pcap-parser parses the file header from its
/// first read alone, and a pipe or a replayed head may deliver less.
pub(super) struct Source<R> {
    head: io::Cursor<Vec<u8>>,
    inner: R,
    bytes: Arc<AtomicU64>,
    error: Arc<Mutex<Option<io::Error>>>,
}

impl<R: Read> Source<R> {
    pub(super) fn new(
        inner: R,
        bytes: Arc<AtomicU64>,
        error: Arc<Mutex<Option<io::Error>>>,
    ) -> Source<R> {
        Source {
            head: io::Cursor::new(Vec::new()),
            inner,
            bytes,
            error,
        }
    }

    /// The first `n` bytes (fewer at EOF), read completely and kept to be
    /// read again: the start of the file, looked at before parsing.
    pub(super) fn head(&mut self, n: usize) -> io::Result<Vec<u8>> {
        let mut head = vec![0u8; n];
        let got = self.read(&mut head)?;
        head.truncate(got);
        let mut rest = Vec::new();
        self.head.read_to_end(&mut rest)?;
        let mut all = head.clone();
        all.extend(rest);
        self.head = io::Cursor::new(all);
        Ok(head)
    }

    fn read_some(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.head.read(buf)?;
        if n > 0 {
            return Ok(n);
        }
        loop {
            match self.inner.read(buf) {
                Ok(n) => {
                    self.bytes.fetch_add(n as u64, Ordering::Relaxed);
                    return Ok(n);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    let copy = io::Error::new(e.kind(), e.to_string());
                    if let Ok(mut slot) = self.error.lock() {
                        *slot = Some(e);
                    }
                    return Err(copy);
                }
            }
        }
    }
}

impl<R: Read> Read for Source<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let mut filled = 0;
        while filled < buf.len() {
            let n = self.read_some(buf.get_mut(filled..).unwrap_or_default())?;
            if n == 0 {
                break;
            }
            filled += n;
        }
        Ok(filled)
    }
}
