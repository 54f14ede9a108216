//! gzip-compressed captures (`.pcap.gz`, `.pcapng.gz`; RFC 1952), told by
//! their magic bytes, read through flate2's decoder. Several gzip members
//! one after another (what `cat a.gz b.gz` makes) decode as one stream,
//! as gunzip does.

use std::io::{self, Read};
use std::sync::{Arc, Mutex};

use flate2::read::MultiGzDecoder;

/// ID1 and ID2 of a gzip member (RFC 1952 §2.3.1).
const MAGIC: [u8; 2] = [0x1f, 0x8b];

/// Whether a file starts like gzip.
pub(super) fn is_gzip(head: &[u8]) -> bool {
    head.starts_with(&MAGIC)
}

/// The decompressed bytes of `inner`. A damaged or cut-short compressed
/// stream is not an error here: it ends the capture (what was decoded is
/// still evidence), and the reason is left in `failure` for the reader's
/// truncation notice. Errors of the underlying source (which it records in
/// `source_error`) stay errors.
pub(super) struct Gunzip<R: Read> {
    decoder: MultiGzDecoder<R>,
    source_error: Arc<Mutex<Option<io::Error>>>,
    failure: Arc<Mutex<Option<String>>>,
    ended: bool,
}

impl<R: Read> Gunzip<R> {
    pub(super) fn new(
        inner: R,
        source_error: Arc<Mutex<Option<io::Error>>>,
        failure: Arc<Mutex<Option<String>>>,
    ) -> Gunzip<R> {
        Gunzip {
            decoder: MultiGzDecoder::new(inner),
            source_error,
            failure,
            ended: false,
        }
    }
}

impl<R: Read> Read for Gunzip<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.ended {
            return Ok(0);
        }
        match self.decoder.read(buf) {
            Ok(n) => Ok(n),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => Err(e),
            Err(e) => {
                let from_source = self.source_error.lock().is_ok_and(|s| s.is_some());
                if from_source {
                    return Err(e);
                }
                self.ended = true;
                if let Ok(mut slot) = self.failure.lock() {
                    *slot = Some(e.to_string());
                }
                Ok(0)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::Compression;
    use flate2::write::GzEncoder;
    use std::io::Write;

    fn gz(data: &[u8]) -> Vec<u8> {
        let mut e = GzEncoder::new(Vec::new(), Compression::default());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    fn gunzip(bytes: Vec<u8>) -> (Vec<u8>, Option<String>) {
        let failure = Arc::new(Mutex::new(None));
        let mut g = Gunzip::new(
            io::Cursor::new(bytes),
            Arc::new(Mutex::new(None)),
            failure.clone(),
        );
        let mut out = Vec::new();
        g.read_to_end(&mut out).unwrap();
        let f = failure.lock().unwrap().clone();
        (out, f)
    }

    #[test]
    fn magic_bytes_decide_not_the_name() {
        assert!(is_gzip(&gz(b"x")));
        assert!(!is_gzip(b"\xd4\xc3\xb2\xa1"));
        assert!(!is_gzip(b"\x1f"));
    }

    #[test]
    fn concatenated_members_decode_as_one_stream() {
        let mut both = gz(b"first ");
        both.extend(gz(b"second"));
        assert_eq!(gunzip(both), (b"first second".to_vec(), None));
    }

    #[test]
    fn a_cut_stream_ends_the_data_and_says_why() {
        let data: Vec<u8> = (0..20_000u32).flat_map(|i| i.to_le_bytes()).collect();
        let mut bytes = gz(&data);
        bytes.truncate(bytes.len() / 2);
        let (out, failure) = gunzip(bytes);
        assert!(!out.is_empty() && out.len() < data.len());
        assert!(data.starts_with(&out));
        assert!(failure.is_some());
    }
}
