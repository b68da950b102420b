//! Writing files durably: whole files or nothing, private keys readable by their owner only,
//! nothing overwritten unless asked.

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

/// A file that could not be written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WriteError {
    /// The file exists and overwriting was not asked for.
    #[error("{0} already exists; pass --force to replace it")]
    Exists(PathBuf),
    /// The file system refused.
    #[error("cannot write {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

/// Who may read a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// A private key: the owner only (0600).
    Secret,
    /// A certificate or CRL: anyone (0644).
    Public,
}

/// Writes `contents` to `path` atomically: to a temporary file beside it, synced, then renamed
/// over, so a crash leaves either the old file or the new one. Refuses to replace an existing
/// file unless `force`.
pub fn write_file(path: &Path, contents: &[u8], mode: Mode, force: bool) -> Result<(), WriteError> {
    if !force && path.exists() {
        return Err(WriteError::Exists(path.to_owned()));
    }
    let io = |source| WriteError::Io {
        path: path.to_owned(),
        source,
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        fs::create_dir_all(dir).map_err(io)?;
    }
    let tmp = path.with_extension("tmp~");
    let bits = match mode {
        Mode::Secret => 0o600,
        Mode::Public => 0o644,
    };
    let result = (|| {
        let mut file = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(bits)
            .open(&tmp)?;
        file.write_all(contents)?;
        file.sync_all()?;
        fs::rename(&tmp, path)?;
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            fs::File::open(dir)?.sync_all()?;
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result.map_err(io)
}

/// Reads a file, saying which one when it fails.
pub fn read_file(path: &Path) -> Result<Vec<u8>, WriteError> {
    fs::read(path).map_err(|source| WriteError::Io {
        path: path.to_owned(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    #[test]
    fn secrets_are_owner_only_and_never_silently_replaced() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("sub/key.pem");
        write_file(&path, b"one", Mode::Secret, false).expect("first write");
        let mode = fs::metadata(&path).expect("written").permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let err = write_file(&path, b"two", Mode::Secret, false).expect_err("exists");
        assert!(err.to_string().contains("--force"), "{err}");
        assert_eq!(fs::read(&path).expect("still there"), b"one");
        write_file(&path, b"two", Mode::Secret, true).expect("forced");
        assert_eq!(fs::read(&path).expect("replaced"), b"two");
    }
}
