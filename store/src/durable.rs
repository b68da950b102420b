//! Making what others write durable: fsyncing files a library wrote without syncing, and
//! opening a database guarded by a file lock; and making scratch files go for good.

use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};

/// A file or directory that could not be synced.
#[derive(Debug, thiserror::Error)]
#[error("cannot sync {path}: {source}")]
pub struct SyncError {
    /// The file or directory.
    pub path: PathBuf,
    /// Why.
    pub source: std::io::Error,
}

/// Fsyncs every file in `dir` not in `synced`, then the directory if any was new, and records
/// them in `synced`. A file that vanishes meanwhile needs nothing; a missing `dir` neither. For
/// files a library writes without syncing (sled's blobs).
pub fn sync_new_files(dir: &Path, synced: &mut HashSet<PathBuf>) -> Result<(), SyncError> {
    let io = |path: &Path| {
        let path = path.to_owned();
        move |source| SyncError { path, source }
    };
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(io(dir)(e)),
    };
    let mut new = false;
    for entry in entries.flatten() {
        let path = entry.path();
        if synced.contains(&path) {
            continue;
        }
        match fs::File::open(&path).and_then(|f| f.sync_all()) {
            Ok(()) => {
                synced.insert(path);
                new = true;
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(io(&path)(e)),
        }
    }
    if new {
        synced.retain(|p| p.exists());
        fs::File::open(dir)
            .and_then(|f| f.sync_all())
            .map_err(io(dir))?;
    }
    Ok(())
}

/// Opens something guarded by a file lock, waiting up to two seconds while `locked` says the
/// lock is still held: a process that is stopping, or a handle whose threads are finishing,
/// lets go of it within moments. Used for databases; any other error is returned at once.
pub fn open_locked<T, E>(
    mut open: impl FnMut() -> Result<T, E>,
    locked: impl Fn(&E) -> bool,
) -> Result<T, E> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(2);
    loop {
        match open() {
            Err(e) if locked(&e) && std::time::Instant::now() < deadline => {
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            other => return other,
        }
    }
}

/// Overwrites every file directly in `dir` with zeros, syncs it and removes it: scratch files
/// (index runs) that may hold keys of erased records, at a clean stop, when they are no longer
/// needed (they are rebuilt at start). A missing `dir` needs nothing.
pub fn erase_files(dir: &Path) -> Result<(), SyncError> {
    use std::io::Write as _;
    let err = |path: &Path| {
        let path = path.to_owned();
        move |source| SyncError { path, source }
    };
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(err(dir)(e)),
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if !path.is_file() {
            continue;
        }
        let size = fs::metadata(&path).map_err(err(&path))?.len();
        let mut file = fs::OpenOptions::new()
            .write(true)
            .open(&path)
            .map_err(err(&path))?;
        let zeros = vec![0u8; 1 << 20];
        let mut left = size;
        while left > 0 {
            let n = left.min(zeros.len() as u64) as usize;
            file.write_all(&zeros[..n]).map_err(err(&path))?;
            left -= n as u64;
        }
        file.sync_data().map_err(err(&path))?;
        fs::remove_file(&path).map_err(err(&path))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scratch_files_are_zeroed_and_removed() {
        let dir = tempfile::tempdir().expect("dir");
        let scratch = dir.path().join("index");
        fs::create_dir_all(scratch.join("sub")).expect("dirs");
        fs::write(scratch.join("ids.run.1"), b"secret key bytes").expect("write");
        erase_files(&scratch).expect("erase");
        assert!(!scratch.join("ids.run.1").exists());
        assert!(scratch.join("sub").exists(), "only files");
        erase_files(&dir.path().join("missing")).expect("nothing to do");
    }
}
