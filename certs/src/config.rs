//! What every party's TOML configuration shares: the error saying which file is wrong and why,
//! and reading the file. Each binary's own `config` module gives the fields their types.

use std::path::{Path, PathBuf};

/// A configuration that cannot be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read the configuration {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not valid.
    #[error("configuration {path}: {why}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong, with the line where known.
        why: String,
    },
}

impl ConfigError {
    /// An invalid value in the file at `path`.
    pub fn invalid(path: &Path, why: impl Into<String>) -> Self {
        Self::Invalid {
            path: path.to_owned(),
            why: why.into(),
        }
    }
}

/// The text of the configuration file at `path`.
pub fn read(path: &Path) -> Result<String, ConfigError> {
    std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.to_owned(),
        source,
    })
}
