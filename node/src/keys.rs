//! The node's secret: one 32-byte master key, created at first start in a file only its owner
//! can read, from which a key per purpose is derived. Nobody outside the node can reverse a
//! pseudonym or link an event id to a record, not even the gateway's operator.
//!
//! Back the file up (and keep the copy as safe as the original): if it is lost, the same person
//! gets a new pseudonym and re-imported records new event ids.

use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use midwa_proto::event::{EventId, Pseudonym};
use midwa_proto::receipt::ReceiptCode;
use ring::hmac;
use ring::rand::{SecureRandom, SystemRandom};

/// The secret key file cannot be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// The file could not be read or created.
    #[error("secret key {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not a key.
    #[error("secret key {0}: not 64 hexadecimal characters; restore it from your backup")]
    Damaged(PathBuf),
    /// The file can be read by others.
    #[error("secret key {0}: readable by other users; run `chmod 600 {0}`")]
    Exposed(PathBuf),
    /// The backup could not be written.
    #[error("cannot write the backup: {0}")]
    Backup(String),
    /// There is no key to back up.
    #[error("secret key {0} does not exist: the node creates it at its first start")]
    Missing(PathBuf),
    /// The system's random generator failed.
    #[error("the system random number generator failed")]
    Random,
}

/// The purpose-bound keys of a node.
#[derive(Debug)]
pub struct Keys {
    pseudonym: hmac::Key,
    event_id: hmac::Key,
    receipt: hmac::Key,
}

impl Keys {
    /// Loads the master key, or creates it (mode 0600) if the file does not exist. Returns
    /// whether it was created.
    pub fn load_or_create(path: &Path) -> Result<(Self, bool), KeyError> {
        let io = |source| KeyError::Io {
            path: path.to_owned(),
            source,
        };
        let created = !path.exists();
        if created {
            let mut master = [0u8; 32];
            SystemRandom::new()
                .fill(&mut master)
                .map_err(|_| KeyError::Random)?;
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir).map_err(io)?;
            }
            let mut file = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(path)
                .map_err(io)?;
            let hex: String = master.iter().map(|b| format!("{b:02x}")).collect();
            file.write_all(format!("{hex}\n").as_bytes())
                .and_then(|_| file.sync_all())
                .map_err(io)?;
        }
        Ok((Self::from_master(&read_master(path)?), created))
    }

    /// Copies the key file to `to` (mode 0600, never over an existing file unless `force`),
    /// after checking it is a valid key.
    pub fn backup(path: &Path, to: &Path, force: bool) -> Result<(), KeyError> {
        if !path.exists() {
            return Err(KeyError::Missing(path.to_owned()));
        }
        let master = read_master(path)?;
        let hex: String = master.iter().map(|b| format!("{b:02x}")).collect();
        midwa_certs::files::write_file(
            to,
            format!("{hex}\n").as_bytes(),
            midwa_certs::files::Mode::Secret,
            force,
        )
        .map_err(|e| KeyError::Backup(e.to_string()))
    }

    fn from_master(master: &[u8]) -> Self {
        let root = hmac::Key::new(hmac::HMAC_SHA256, master);
        let derive =
            |purpose: &[u8]| hmac::Key::new(hmac::HMAC_SHA256, hmac::sign(&root, purpose).as_ref());
        Self {
            pseudonym: derive(b"midwa/v1/pseudonym"),
            event_id: derive(b"midwa/v1/event-id"),
            receipt: derive(b"midwa/v1/receipt"),
        }
    }

    /// The pseudonym of the agency's person identifier.
    pub fn pseudonym(&self, person_id: &str) -> Pseudonym {
        let tag = hmac::sign(&self.pseudonym, person_id.as_bytes());
        let mut out = [0u8; 32];
        out.copy_from_slice(tag.as_ref());
        Pseudonym(out)
    }

    /// The id of an event from its identifying parts (kind, person, date, ...). Parts are
    /// length-prefixed, so no two different lists of parts collide by concatenation.
    pub fn event_id(&self, parts: &[&[u8]]) -> EventId {
        let mut ctx = hmac::Context::with_key(&self.event_id);
        for part in parts {
            ctx.update(&(part.len() as u32).to_be_bytes());
            ctx.update(part);
        }
        let mut out = [0u8; 16];
        out.copy_from_slice(&ctx.sign().as_ref()[..16]);
        EventId(out)
    }

    /// The receipt code of a return: the same return always gets the same code, and nobody
    /// without this node's key can tell which codes exist.
    pub fn receipt(&self, event: &EventId) -> ReceiptCode {
        let tag = hmac::sign(&self.receipt, &event.0);
        let mut bits = [0u8; 8];
        bits.copy_from_slice(&tag.as_ref()[..8]);
        ReceiptCode::from_bits(u64::from_be_bytes(bits))
    }
}

/// Reads the master key, refusing a file others can read.
fn read_master(path: &Path) -> Result<Vec<u8>, KeyError> {
    let io = |source| KeyError::Io {
        path: path.to_owned(),
        source,
    };
    let meta = std::fs::metadata(path).map_err(io)?;
    if meta.permissions().mode() & 0o077 != 0 {
        return Err(KeyError::Exposed(path.to_owned()));
    }
    let text = std::fs::read_to_string(path).map_err(io)?;
    let text = text.trim();
    if text.len() != 64 {
        return Err(KeyError::Damaged(path.to_owned()));
    }
    (0..32)
        .map(|i| u8::from_str_radix(&text[2 * i..2 * i + 2], 16))
        .collect::<Result<_, _>>()
        .map_err(|_| KeyError::Damaged(path.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_created_once_private_and_stable() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("secret.key");
        let (keys, created) = Keys::load_or_create(&path).expect("create");
        assert!(created);
        assert_eq!(
            std::fs::metadata(&path).expect("file").permissions().mode() & 0o777,
            0o600
        );
        let (again, created) = Keys::load_or_create(&path).expect("load");
        assert!(!created);
        assert_eq!(keys.pseudonym("NG-123"), again.pseudonym("NG-123"));
        assert_ne!(keys.pseudonym("NG-123"), keys.pseudonym("NG-124"));
        assert_ne!(keys.event_id(&[b"ab", b"c"]), keys.event_id(&[b"a", b"bc"]));
        let copy = dir.path().join("backup.key");
        Keys::backup(&path, &copy, false).expect("backup");
        assert_eq!(
            std::fs::metadata(&copy).expect("file").permissions().mode() & 0o777,
            0o600
        );
        let (restored, _) = Keys::load_or_create(&copy).expect("restore");
        assert_eq!(restored.pseudonym("NG-123"), keys.pseudonym("NG-123"));
        assert!(
            Keys::backup(&path, &copy, false).is_err(),
            "overwrote a backup"
        );
    }

    #[test]
    fn an_exposed_or_damaged_key_is_refused() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("secret.key");
        Keys::load_or_create(&path).expect("create");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        assert!(matches!(
            Keys::load_or_create(&path),
            Err(KeyError::Exposed(_))
        ));
        std::fs::write(&path, "zz").expect("write");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).expect("chmod");
        assert!(matches!(
            Keys::load_or_create(&path),
            Err(KeyError::Damaged(_))
        ));
    }
}
