//! Append-only segment files: where both sides keep bulk values (the gateway's stored batches,
//! the node's outbox and ledger) outside sled, which keeps only a 16-byte [`Location`] for each.
//!
//! sled 0.34's page cache keeps the pages it writes until they are read often enough, so values
//! kept in sled hold process memory in proportion to the data. In segment files they stay in the
//! kernel's page cache, which gives them back.
//!
//! A record is the value's length and a CRC-32 (of key and value), little-endian, then a
//! 10-byte key and the value. A log appends to its last file (`NNNNNNNN.seg`) and starts the
//! next once the caller sees it [`full`](SegmentLog::full). Durability is shared with the caller:
//! [`SegmentLog::sync`] writes and fsyncs what was appended, then the caller makes its pointers
//! durable. So a pointer never names bytes a crash could lose, and at open only the records after
//! the last one a pointer names can be incomplete: the whole ones are handed back to be indexed
//! again ([`Tail::Keep`]) or cut off with the rest ([`Tail::Cut`]). Only the last file is read
//! back, so the caller makes every pointer to a file durable before [`SegmentLog::roll`].

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

/// Bytes before each value: its length and CRC-32, and its key.
pub const HEADER: u64 = 18;

/// Bytes appended are written out (without a sync) once this many wait: what a large group
/// holds in memory.
pub const WRITE_OUT: usize = 1 << 20;

/// A record's key: what it is, so that a record can be indexed again without its pointer.
pub type Key = [u8; 10];

/// A segment file could not be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SegmentError {
    /// Reading, writing, creating, syncing or removing a file failed.
    #[error("segment file {path}: {source}; check the disk (space, permissions)")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A record does not match its length and checksum.
    #[error(
        "segment file {path}: the record at offset {offset} does not match its length and checksum; restore the data directory from backup"
    )]
    Damaged {
        /// The file.
        path: PathBuf,
        /// Where the record's value starts.
        offset: u64,
    },
    /// The last file is shorter than what the database points to in it.
    #[error(
        "segment file {path} holds {size} bytes, but the database points to bytes up to {end}: it was cut short outside this program; restore the data directory from backup"
    )]
    Short {
        /// The file.
        path: PathBuf,
        /// Its size.
        size: u64,
        /// The end of the last value pointed to.
        end: u64,
    },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> SegmentError + use<> {
    let path = path.to_owned();
    move |source| SegmentError::Io { path, source }
}

/// A record's header: length, checksum of key and value, key.
pub fn header(key: &Key, value: &[u8]) -> [u8; HEADER as usize] {
    let mut crc = crc32fast::Hasher::new();
    crc.update(key);
    crc.update(value);
    let mut h = [0u8; HEADER as usize];
    h[..4].copy_from_slice(&(value.len() as u32).to_le_bytes());
    h[4..8].copy_from_slice(&crc.finalize().to_le_bytes());
    h[8..].copy_from_slice(key);
    h
}

/// Whether `record` (header and value) is whole: the key and value it holds, if so.
fn whole(record: &[u8]) -> Option<(Key, &[u8])> {
    let (h, value) = record.split_at_checked(HEADER as usize)?;
    let key: Key = h[8..].try_into().ok()?;
    let len = u32::from_le_bytes(h[..4].try_into().ok()?);
    (len as usize == value.len() && header(&key, value)[..] == h[..]).then_some((key, value))
}

/// Where a value lies: its segment file, the offset of its bytes (after the record header),
/// and their length. What sled holds for each value, 16 bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Location {
    /// The file's number.
    pub segment: u32,
    /// Where the value starts.
    pub offset: u64,
    /// Its length.
    pub len: u32,
}

impl Location {
    /// The 16 bytes kept in sled.
    pub fn encode(self) -> [u8; 16] {
        let mut b = [0u8; 16];
        b[..4].copy_from_slice(&self.segment.to_le_bytes());
        b[4..12].copy_from_slice(&self.offset.to_le_bytes());
        b[12..].copy_from_slice(&self.len.to_le_bytes());
        b
    }

    /// Reads back [`Location::encode`]; `None` if `b` is not 16 bytes.
    pub fn decode(b: &[u8]) -> Option<Self> {
        let b: &[u8; 16] = b.try_into().ok()?;
        Some(Self {
            segment: u32::from_le_bytes([b[0], b[1], b[2], b[3]]),
            offset: u64::from_le_bytes(b[4..12].try_into().ok()?),
            len: u32::from_le_bytes([b[12], b[13], b[14], b[15]]),
        })
    }

    /// Where the value ends.
    pub fn end(self) -> u64 {
        self.offset + u64::from(self.len)
    }
}

/// The files of a log, opened for reading on first use; shared with readers beside the writer.
#[derive(Debug)]
pub struct Segments {
    dir: PathBuf,
    open: Mutex<HashMap<u32, Arc<File>>>,
}

impl Segments {
    /// The path of file `segment`.
    pub fn path(&self, segment: u32) -> PathBuf {
        self.dir.join(format!("{segment:08}.seg"))
    }

    /// The log's directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn file(&self, segment: u32) -> Result<Arc<File>, SegmentError> {
        let mut open = self.open.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(file) = open.get(&segment) {
            return Ok(file.clone());
        }
        let path = self.path(segment);
        let file = Arc::new(File::open(&path).map_err(io(&path))?);
        open.insert(segment, file.clone());
        Ok(file)
    }

    /// The value at `at`, checked against its header.
    pub fn read(&self, at: Location) -> Result<Vec<u8>, SegmentError> {
        let path = || self.path(at.segment);
        let mut bytes = vec![0u8; at.len as usize + HEADER as usize];
        let start = at.offset.checked_sub(HEADER).ok_or(SegmentError::Damaged {
            path: path(),
            offset: at.offset,
        })?;
        self.file(at.segment)?
            .read_exact_at(&mut bytes, start)
            .map_err(io(&path()))?;
        if whole(&bytes).is_none() {
            return Err(SegmentError::Damaged {
                path: path(),
                offset: at.offset,
            });
        }
        bytes.drain(..HEADER as usize);
        Ok(bytes)
    }

    /// Every file's number, in order.
    fn numbers(&self) -> Result<Vec<u32>, SegmentError> {
        let mut numbers = Vec::new();
        for entry in std::fs::read_dir(&self.dir).map_err(io(&self.dir))? {
            let name = entry.map_err(io(&self.dir))?.file_name();
            let name = name.to_string_lossy();
            if let Some(n) = name.strip_suffix(".seg").and_then(|n| n.parse().ok()) {
                numbers.push(n);
            }
        }
        numbers.sort_unstable();
        Ok(numbers)
    }
}

/// What [`SegmentLog::open`] does with whole records after the last one pointed to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tail {
    /// Hands them back to be indexed again (their sync finished, their pointers were not yet
    /// durable).
    Keep,
    /// Cuts them off (what was not pointed to was never promised).
    Cut,
}

/// A log of segment files, appended to by one writer.
#[derive(Debug)]
pub struct SegmentLog {
    segments: Arc<Segments>,
    file_bytes: u64,
    /// The file appended to.
    segment: u32,
    file: File,
    /// Bytes in the file, those still buffered included.
    len: u64,
    /// Bytes appended, not yet written to the file.
    buffer: Vec<u8>,
    /// Whether directory entries are new since the last sync: the log's (a new file), and its
    /// parent's (a new log).
    new_file: bool,
    new_dir: bool,
    /// The lowest file number present, and the bytes of the files before the current one.
    first: u32,
    earlier: u64,
}

impl SegmentLog {
    /// Opens (or creates) the log in `dir`, whose files take no more records once they hold
    /// `file_bytes`. `pointed` is every location the caller's durable pointers name; records
    /// after the last of them in the last file are handled as `tail` says (an incomplete record
    /// and what follows it is always cut off). Returns the log and the records kept.
    pub fn open(
        dir: &Path,
        file_bytes: u64,
        pointed: impl IntoIterator<Item = Location>,
        tail: Tail,
    ) -> Result<(Self, Vec<(Key, Location)>), SegmentError> {
        let new_dir = !dir.exists();
        std::fs::create_dir_all(dir).map_err(io(dir))?;
        let segments = Arc::new(Segments {
            dir: dir.to_owned(),
            open: Mutex::default(),
        });
        let numbers = segments.numbers()?;
        let segment = numbers.last().copied().unwrap_or(1);
        let path = segments.path(segment);
        let end = pointed
            .into_iter()
            .filter(|at| at.segment == segment)
            .map(Location::end)
            .max()
            .unwrap_or(0);
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .open(&path)
            .map_err(io(&path))?;
        let size = file.metadata().map_err(io(&path))?.len();
        if end > size {
            return Err(SegmentError::Short { path, size, end });
        }
        let (whole_end, recovered) = match tail {
            Tail::Keep => read_whole(&file, &path, segment, end, size)?,
            Tail::Cut => (end, Vec::new()),
        };
        if whole_end < size {
            tracing::warn!(segment = %path.display(), kept = whole_end, cut = size - whole_end, "cutting off what a segment file holds after its last complete record");
            file.set_len(whole_end).map_err(io(&path))?;
        }
        let mut earlier = 0;
        for n in numbers.iter().filter(|n| **n != segment) {
            let path = segments.path(*n);
            earlier += std::fs::metadata(&path).map_err(io(&path))?.len();
        }
        let log = Self {
            segments,
            file_bytes,
            segment,
            file,
            len: whole_end,
            buffer: Vec::new(),
            new_file: numbers.is_empty(),
            new_dir,
            first: numbers.first().copied().unwrap_or(segment),
            earlier,
        };
        Ok((log, recovered))
    }

    /// Appends a record; durable only after [`SegmentLog::sync`]. Values are at most 4 GiB.
    /// What is appended is written out (not synced) every [`WRITE_OUT`] bytes.
    pub fn append(&mut self, key: &Key, value: &[u8]) -> Result<Location, SegmentError> {
        let at = Location {
            segment: self.segment,
            offset: self.len + HEADER,
            len: value.len() as u32,
        };
        self.buffer.extend_from_slice(&header(key, value));
        self.buffer.extend_from_slice(value);
        self.len = at.end();
        if self.buffer.len() >= WRITE_OUT {
            self.write_out()?;
        }
        Ok(at)
    }

    fn write_out(&mut self) -> Result<(), SegmentError> {
        if !self.buffer.is_empty() {
            let written = self.len - self.buffer.len() as u64;
            self.file
                .write_all_at(&self.buffer, written)
                .map_err(io(&self.segments.path(self.segment)))?;
            self.buffer.clear();
        }
        Ok(())
    }

    /// Whether the current file holds enough: time to [`roll`](SegmentLog::roll).
    pub fn full(&self) -> bool {
        self.len >= self.file_bytes
    }

    /// Makes every record appended so far survive power loss: written, the file fsynced, and
    /// for a new file its directory entry too.
    pub fn sync(&mut self) -> Result<(), SegmentError> {
        self.write_out()?;
        let path = self.segments.path(self.segment);
        self.file.sync_data().map_err(io(&path))?;
        if std::mem::take(&mut self.new_file) {
            sync_dir(&self.segments.dir)?;
        }
        if std::mem::take(&mut self.new_dir)
            && let Some(parent) = self.segments.dir.parent()
        {
            sync_dir(parent)?;
        }
        Ok(())
    }

    /// Finishes the current file and starts the next. Call it only once every pointer to the
    /// current file is durable: at open, only the last file is read back.
    pub fn roll(&mut self) -> Result<(), SegmentError> {
        self.sync()?;
        let segment = self.segment + 1;
        let path = self.segments.path(segment);
        self.file = OpenOptions::new()
            .create_new(true)
            .read(true)
            .write(true)
            .open(&path)
            .map_err(io(&path))?;
        self.earlier += self.len;
        self.segment = segment;
        self.len = 0;
        self.new_file = true;
        Ok(())
    }

    /// Removes the files numbered below `segment` (never the current one), once the caller has
    /// made durable that nothing points into them. Returns how many were removed.
    pub fn remove_below(&mut self, segment: u32) -> Result<u32, SegmentError> {
        self.remove_files_below(segment, false)
    }

    /// Like [`SegmentLog::remove_below`], but each file is first overwritten with zeros and
    /// synced: for files that held what was erased, so that their bytes do not outlive them in
    /// the file system's free blocks.
    pub fn erase_below(&mut self, segment: u32) -> Result<u32, SegmentError> {
        self.remove_files_below(segment, true)
    }

    fn remove_files_below(&mut self, segment: u32, zero: bool) -> Result<u32, SegmentError> {
        let upto = segment.min(self.segment);
        let mut removed = 0;
        for n in self.first..upto {
            let path = self.segments.path(n);
            let size = match std::fs::metadata(&path) {
                Ok(m) => m.len(),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => return Err(io(&path)(e)),
            };
            self.segments
                .open
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .remove(&n);
            if zero {
                overwrite_with_zeros(&path, size).map_err(io(&path))?;
            }
            std::fs::remove_file(&path).map_err(io(&path))?;
            self.earlier = self.earlier.saturating_sub(size);
            removed += 1;
        }
        if upto > self.first {
            self.first = upto;
            sync_dir(&self.segments.dir)?;
        }
        Ok(removed)
    }

    /// Overwrites values nothing points to any more (their replacements are durable) with
    /// zeros, header included, and syncs each file touched.
    pub fn zero(&self, stale: &[Location]) -> Result<(), SegmentError> {
        let mut touched = std::collections::HashSet::new();
        for at in stale {
            let path = self.segments.path(at.segment);
            let file = OpenOptions::new()
                .write(true)
                .open(&path)
                .map_err(io(&path))?;
            let zeros = vec![0u8; at.len as usize + HEADER as usize];
            file.write_all_at(&zeros, at.offset - HEADER)
                .map_err(io(&path))?;
            if touched.insert(at.segment) {
                file.sync_data().map_err(io(&path))?;
            }
        }
        Ok(())
    }

    /// The files, for readers beside the writer.
    pub fn segments(&self) -> Arc<Segments> {
        self.segments.clone()
    }

    /// The file appended to.
    pub fn current(&self) -> u32 {
        self.segment
    }

    /// The lowest file number present.
    pub fn first(&self) -> u32 {
        self.first
    }

    /// Bytes the log's files hold.
    pub fn size_on_disk(&self) -> u64 {
        self.earlier + self.len
    }
}

fn sync_dir(dir: &Path) -> Result<(), SegmentError> {
    File::open(dir).and_then(|d| d.sync_all()).map_err(io(dir))
}

/// The whole records of `file` from `from` on: where they end, and each one's key and location.
fn read_whole(
    file: &File,
    path: &Path,
    segment: u32,
    from: u64,
    size: u64,
) -> Result<(u64, Vec<(Key, Location)>), SegmentError> {
    let mut end = from;
    let mut recovered = Vec::new();
    let mut record = Vec::new();
    let mut h = [0u8; HEADER as usize];
    while end + HEADER <= size {
        file.read_exact_at(&mut h, end).map_err(io(path))?;
        let len = u64::from(u32::from_le_bytes([h[0], h[1], h[2], h[3]]));
        if end + HEADER + len > size {
            break;
        }
        record.resize((HEADER + len) as usize, 0);
        file.read_exact_at(&mut record, end).map_err(io(path))?;
        let Some((key, _)) = whole(&record) else {
            break;
        };
        let at = Location {
            segment,
            offset: end + HEADER,
            len: len as u32,
        };
        recovered.push((key, at));
        end = at.end();
    }
    Ok((end, recovered))
}

/// Overwrites the first `size` bytes of the file at `path` with zeros, and syncs it.
fn overwrite_with_zeros(path: &Path, size: u64) -> std::io::Result<()> {
    let file = OpenOptions::new().write(true).open(path)?;
    let zeros = vec![0u8; 1 << 20];
    let mut at = 0;
    while at < size {
        let n = (size - at).min(zeros.len() as u64) as usize;
        file.write_all_at(&zeros[..n], at)?;
        at += n as u64;
    }
    file.sync_data()
}

#[cfg(test)]
mod tests;
