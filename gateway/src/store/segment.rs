//! The segment files: append-only records of a length, a CRC-32 (of key and value), the key
//! and the value; what sled points to for each stored batch.

use std::collections::HashMap;
use std::fs::File;
use std::os::unix::fs::FileExt;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};

use super::StoreError;

/// Bytes before each value in a segment file: its length and CRC-32 (of key and value),
/// little-endian, and its key.
pub(super) const RECORD_HEADER: u64 = 18;
/// A record's header: length, checksum of key and value, key.
pub(super) fn header(key: &[u8; 10], value: &[u8]) -> [u8; RECORD_HEADER as usize] {
    let mut crc = crc32fast::Hasher::new();
    crc.update(key);
    crc.update(value);
    let mut h = [0u8; RECORD_HEADER as usize];
    h[..4].copy_from_slice(&(value.len() as u32).to_le_bytes());
    h[4..8].copy_from_slice(&crc.finalize().to_le_bytes());
    h[8..].copy_from_slice(key);
    h
}

/// Whether `record` (header and value) is whole: the key and value it holds, if so.
pub(super) fn whole(record: &[u8]) -> Option<([u8; 10], &[u8])> {
    let (h, value) = record.split_at_checked(RECORD_HEADER as usize)?;
    let key: [u8; 10] = h[8..].try_into().ok()?;
    let len = u32::from_le_bytes(h[..4].try_into().ok()?);
    (len as usize == value.len() && header(&key, value)[..] == h[..]).then_some((key, value))
}

/// Where a value lies: its segment file, the offset of its bytes (after the record header),
/// and their length. What sled holds for each batch, 16 bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Location {
    pub(super) segment: u32,
    pub(super) offset: u64,
    pub(super) len: u32,
}

impl Location {
    pub(super) fn encode(self) -> [u8; 16] {
        let mut b = [0u8; 16];
        b[..4].copy_from_slice(&self.segment.to_le_bytes());
        b[4..12].copy_from_slice(&self.offset.to_le_bytes());
        b[12..].copy_from_slice(&self.len.to_le_bytes());
        b
    }

    pub(super) fn decode(b: &[u8]) -> Option<Self> {
        Some(Self {
            segment: u32::from_le_bytes(b.get(..4)?.try_into().ok()?),
            offset: u64::from_le_bytes(b.get(4..12)?.try_into().ok()?),
            len: u32::from_le_bytes(b.get(12..16)?.try_into().ok()?),
        })
    }
}

/// A batch's key (origin, last sequence) and where its value lies.
pub(super) type Pointer = ([u8; 10], Location);

/// The segment files, opened for reading on first use and shared with readers beside the
/// writer.
#[derive(Debug)]
pub(super) struct Segments {
    pub(super) dir: PathBuf,
    pub(super) open: Mutex<HashMap<u32, Arc<File>>>,
}

impl Segments {
    pub(super) fn path(&self, segment: u32) -> PathBuf {
        self.dir.join(format!("{segment:08}.seg"))
    }

    pub(super) fn file(&self, segment: u32) -> Result<Arc<File>, StoreError> {
        let mut open = self.open.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(file) = open.get(&segment) {
            return Ok(file.clone());
        }
        let path = self.path(segment);
        let file =
            Arc::new(File::open(&path).map_err(|source| StoreError::Segment { path, source })?);
        open.insert(segment, file.clone());
        Ok(file)
    }

    /// The value at `at`, checked against its header.
    pub(super) fn read(&self, at: Location) -> Result<Vec<u8>, StoreError> {
        let file = self.file(at.segment)?;
        let mut bytes = vec![0u8; at.len as usize + RECORD_HEADER as usize];
        file.read_exact_at(&mut bytes, at.offset - RECORD_HEADER)
            .map_err(|source| StoreError::Segment {
                path: self.path(at.segment),
                source,
            })?;
        if whole(&bytes).is_none() {
            return Err(StoreError::Damaged {
                path: self.path(at.segment),
                key: format!("offset {}", at.offset),
                why: "the value does not match its length and checksum".into(),
            });
        }
        Ok(bytes.split_off(RECORD_HEADER as usize))
    }

    /// Every segment number present, in order.
    pub(super) fn numbers(&self) -> Result<Vec<u32>, StoreError> {
        let err = |source| StoreError::Segment {
            path: self.dir.clone(),
            source,
        };
        let mut numbers = Vec::new();
        for entry in std::fs::read_dir(&self.dir).map_err(err)? {
            let name = entry.map_err(err)?.file_name();
            let name = name.to_string_lossy();
            if let Some(n) = name.strip_suffix(".seg").and_then(|n| n.parse().ok()) {
                numbers.push(n);
            }
        }
        numbers.sort_unstable();
        Ok(numbers)
    }
}
