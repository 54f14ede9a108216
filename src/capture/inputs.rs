//! Which of the capture files given on the command line are the same
//! capture: the same path (after resolving `.`, `..` and links), or
//! different paths with identical capture bytes (a copy, also when one of
//! them is gzip-compressed: the bytes compared are the capture's, after
//! decompression). A duplicate read again
//! would look like every packet sent twice, and a second copy of a file
//! whose datagrams end in IP fragments like one whose fragments never all
//! arrived, so each capture is read once.

#![forbid(unsafe_code)]

use std::fs::{self, File};
use std::io::{self, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use flate2::read::MultiGzDecoder;
use sha2::{Digest, Sha256};

/// How a duplicate was recognised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sameness {
    /// Both arguments name one file.
    SamePath,
    /// Two files with the same capture bytes, after gzip decompression
    /// where a file is compressed (their SHA-256, hex).
    SameContent { sha256: String },
}

/// An input that repeats an earlier one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Duplicate {
    /// Its position among the inputs (0-based).
    pub index: usize,
    /// The earlier input it repeats (0-based).
    pub of: usize,
    pub how: Sameness,
}

/// The duplicates among `paths` (`-`, stdin, is never one). Files that
/// cannot be examined are not duplicates: opening them later reports why.
/// Only files whose capture size equals another's are read (SHA-256,
/// streamed); a gzip file's capture size is its trailer's ISIZE (RFC 1952
/// §2.3.1: the size modulo 2^32 of the last member, so a multi-member
/// file is only compared when that matches).
pub fn duplicates(paths: &[PathBuf]) -> Vec<Duplicate> {
    let ids: Vec<Option<(PathBuf, u64)>> = paths
        .iter()
        .map(|p| {
            if p.as_os_str() == "-" {
                return None;
            }
            let canonical = fs::canonicalize(p).ok()?;
            let size = capture_size(&canonical).ok()?;
            Some((canonical, size))
        })
        .collect();
    let mut digests: Vec<Option<Option<[u8; 32]>>> = vec![None; paths.len()];
    let mut out = Vec::new();
    for (i, id) in ids.iter().enumerate() {
        let Some((path, size)) = id else { continue };
        // Earlier inputs that are not themselves duplicates.
        let earlier = (0..i).filter(|&j| out.iter().all(|d: &Duplicate| d.index != j));
        for j in earlier {
            let Some((other, other_size)) = &ids[j] else {
                continue;
            };
            if other == path {
                out.push(Duplicate {
                    index: i,
                    of: j,
                    how: Sameness::SamePath,
                });
                break;
            }
            if other_size != size {
                continue;
            }
            let a = *digests[j].get_or_insert_with(|| sha256(other).ok());
            let b = *digests[i].get_or_insert_with(|| sha256(path).ok());
            if let (Some(a), Some(b)) = (a, b)
                && a == b
            {
                out.push(Duplicate {
                    index: i,
                    of: j,
                    how: Sameness::SameContent {
                        sha256: crate::wire::hex(&a),
                    },
                });
                break;
            }
        }
    }
    out
}

/// First two bytes of a gzip member (RFC 1952 §2.3.1).
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

fn is_gzip(file: &mut File) -> io::Result<bool> {
    let mut magic = [0u8; 2];
    let gz = file.read_exact(&mut magic).is_ok() && magic == GZIP_MAGIC;
    file.seek(SeekFrom::Start(0))?;
    Ok(gz)
}

/// The size of the capture a file holds: its length, or for gzip the
/// ISIZE of its trailer.
fn capture_size(path: &Path) -> io::Result<u64> {
    let mut file = File::open(path)?;
    let len = file.metadata()?.len();
    if len < 18 || !is_gzip(&mut file)? {
        return Ok(len);
    }
    let mut isize = [0u8; 4];
    file.seek(SeekFrom::End(-4))?;
    file.read_exact(&mut isize)?;
    Ok(u64::from(u32::from_le_bytes(isize)))
}

/// SHA-256 of the capture bytes (decompressed when the file is gzip).
fn sha256(path: &Path) -> io::Result<[u8; 32]> {
    let mut file = File::open(path)?;
    if is_gzip(&mut file)? {
        return digest(MultiGzDecoder::new(file));
    }
    digest(file)
}

fn digest(mut file: impl Read) -> io::Result<[u8; 32]> {
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(buf.get(..n).unwrap_or_default());
    }
    Ok(hasher.finalize().into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_path_same_content_and_different_files() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.pcap");
        let copy = dir.path().join("copy.pcap");
        let other = dir.path().join("other.pcap");
        let longer = dir.path().join("longer.pcap");
        fs::write(&a, b"capture bytes").unwrap();
        fs::write(&copy, b"capture bytes").unwrap();
        fs::write(&other, b"capture bytez").unwrap();
        fs::write(&longer, b"capture bytes!").unwrap();
        let dotted = dir.path().join(".").join("a.pcap");
        let paths = vec![
            a.clone(),
            other,
            dotted,
            PathBuf::from("-"),
            copy,
            longer,
            dir.path().join("missing.pcap"),
        ];
        let d = duplicates(&paths);
        assert_eq!(d.len(), 2, "{d:?}");
        assert_eq!(
            (d[0].index, d[0].of, &d[0].how),
            (2, 0, &Sameness::SamePath)
        );
        assert_eq!((d[1].index, d[1].of), (4, 0));
        assert!(matches!(&d[1].how, Sameness::SameContent { sha256 } if sha256.len() == 64));
    }

    #[test]
    fn a_gzip_copy_is_the_same_capture() {
        use std::io::Write;
        let dir = tempfile::tempdir().unwrap();
        let plain = dir.path().join("x.pcap");
        let gz = dir.path().join("x.pcap.gz");
        let other_gz = dir.path().join("y.pcap.gz");
        let bytes = b"capture bytes, long enough to matter".repeat(50);
        fs::write(&plain, &bytes).unwrap();
        let compress = |data: &[u8], to: &Path| {
            let mut e = flate2::write::GzEncoder::new(
                File::create(to).unwrap(),
                flate2::Compression::default(),
            );
            e.write_all(data).unwrap();
            e.finish().unwrap();
        };
        compress(&bytes, &gz);
        let mut changed = bytes.clone();
        changed[3] ^= 1;
        compress(&changed, &other_gz);
        let d = duplicates(&[plain.clone(), other_gz, gz.clone()]);
        assert_eq!(
            d.iter().map(|d| (d.index, d.of)).collect::<Vec<_>>(),
            [(2, 0)]
        );
        // And the other way round.
        let d = duplicates(&[gz, plain]);
        assert_eq!(
            d.iter().map(|d| (d.index, d.of)).collect::<Vec<_>>(),
            [(1, 0)]
        );
    }

    #[test]
    fn a_third_copy_names_the_first_not_the_second() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a");
        fs::write(&a, b"x").unwrap();
        let d = duplicates(&[a.clone(), a.clone(), a]);
        assert_eq!(
            d.iter().map(|d| (d.index, d.of)).collect::<Vec<_>>(),
            [(1, 0), (2, 0)]
        );
    }
}
