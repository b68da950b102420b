//! What every party's TOML configuration shares: the error saying which file is wrong and why,
//! reading the file, parsing its TOML, and placing its relative paths. Each binary's own
//! `config` module gives the fields their types.

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

/// Where a configuration file is, for the checks of its fields: errors that name it, and
/// relative paths taken from its directory.
#[derive(Debug, Clone, Copy)]
pub struct Place<'a> {
    path: &'a Path,
}

impl Place<'_> {
    /// An invalid value of this file.
    pub fn invalid(&self, why: impl Into<String>) -> ConfigError {
        ConfigError::invalid(self.path, why)
    }

    /// A path written in the file: a relative one is taken from the file's directory.
    pub fn at(&self, p: PathBuf) -> PathBuf {
        if p.is_absolute() {
            p
        } else {
            self.path.parent().unwrap_or(Path::new(".")).join(p)
        }
    }
}

/// Parses `text`, the TOML of the configuration at `path`, as `T` (unknown fields are refused
/// where `T` says so); also where the file is, for the checks that follow.
pub fn parse<'a, T: serde::de::DeserializeOwned>(
    text: &str,
    path: &'a Path,
) -> Result<(T, Place<'a>), ConfigError> {
    let file = toml::from_str(text).map_err(|e| ConfigError::invalid(path, e.to_string()))?;
    Ok((file, Place { path }))
}

/// Reads the configuration file at `path` and checks it with `check`, which gets its TOML
/// form and where it is.
pub fn load<C, F: serde::de::DeserializeOwned>(
    path: &Path,
    check: impl FnOnce(F, Place<'_>) -> Result<C, ConfigError>,
) -> Result<C, ConfigError> {
    parse_with(&read(path)?, path, check)
}

/// Parses `text`, the configuration at `path`, and checks it with `check`.
pub fn parse_with<C, F: serde::de::DeserializeOwned>(
    text: &str,
    path: &Path,
    check: impl FnOnce(F, Place<'_>) -> Result<C, ConfigError>,
) -> Result<C, ConfigError> {
    let (file, place) = parse(text, path)?;
    check(file, place)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct File {
        dir: PathBuf,
    }

    #[test]
    fn a_file_is_parsed_named_in_errors_and_anchors_relative_paths() {
        let path = Path::new("/etc/midwa/x.toml");
        let (file, place) = parse::<File>("dir = \"data\"", path).expect("valid");
        assert_eq!(place.at(file.dir), Path::new("/etc/midwa/data"));
        assert_eq!(place.at("/var/x".into()), Path::new("/var/x"));
        let err = parse::<File>("dri = 1", path)
            .expect_err("unknown field")
            .to_string();
        assert!(
            err.contains("/etc/midwa/x.toml") && err.contains("dri"),
            "{err}"
        );
        assert!(place.invalid("no").to_string().ends_with(": no"));
    }
}
