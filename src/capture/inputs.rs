//! Which of the capture files given on the command line are the same
//! capture: the same path (after resolving `.`, `..` and links), or
//! different paths with identical bytes (a copy). A duplicate read again
//! would look like every packet sent twice, and a second copy of a file
//! whose datagrams end in IP fragments like one whose fragments never all
//! arrived, so each capture is read once.

use std::fs::{self, File};
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

/// How a duplicate was recognised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sameness {
    /// Both arguments name one file.
    SamePath,
    /// Two files with the same bytes (their SHA-256, hex).
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
/// Only files whose size equals another's are read (SHA-256, streamed).
pub fn duplicates(paths: &[PathBuf]) -> Vec<Duplicate> {
    let ids: Vec<Option<(PathBuf, u64)>> = paths
        .iter()
        .map(|p| {
            if p.as_os_str() == "-" {
                return None;
            }
            let canonical = fs::canonicalize(p).ok()?;
            let size = fs::metadata(&canonical).ok()?.len();
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

fn sha256(path: &Path) -> io::Result<[u8; 32]> {
    let mut file = File::open(path)?;
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
