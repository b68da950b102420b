//! What every party's TOML configuration shares: the error saying which file is wrong and why,
//! reading the file, parsing its TOML, and placing its relative paths. Each binary's own
//! `config` module gives the fields their types.

use std::path::{Path, PathBuf};

use midwa_i18n::{Text, text};

/// A configuration that cannot be used; shown in the user's language.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The file could not be read.
    #[error("{}", text!("config-cannot-read", path = path.display().to_string(), why = io_reason(error)))]
    Read {
        /// The file.
        path: PathBuf,
        /// Why (said in the message, so not a source to print again).
        error: std::io::Error,
    },
    /// The file is not valid.
    #[error("{}", text!("config-invalid", path = path.display().to_string(), why = why.clone()))]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong, with the line where known.
        why: Text,
    },
}

impl ConfigError {
    /// An invalid value in the file at `path`.
    pub fn invalid(path: &Path, why: impl Into<Text>) -> Self {
        Self::Invalid {
            path: path.to_owned(),
            why: why.into(),
        }
    }
}

/// Why a file could not be read, in words a user acts on.
pub fn io_reason(e: &std::io::Error) -> Text {
    match e.kind() {
        std::io::ErrorKind::NotFound => text!("io-not-found"),
        std::io::ErrorKind::PermissionDenied => text!("io-permission"),
        _ => Text::plain(e.to_string()),
    }
}

/// The text of the configuration file at `path`.
pub fn read(path: &Path) -> Result<String, ConfigError> {
    std::fs::read_to_string(path).map_err(|error| ConfigError::Read {
        path: path.to_owned(),
        error,
    })
}

/// What is wrong with a file's TOML (`text`), in the user's language where the parser's words
/// are known: a missing or unknown field, with its line.
pub fn toml_reason(text: &str, e: &toml::de::Error) -> Text {
    let line = e
        .span()
        .map(|span| text[..span.start.min(text.len())].lines().count().max(1));
    let quoted = |m: &str| m.split('`').nth(1).map(str::to_owned);
    let message = e.message();
    let why = if let Some(field) = message
        .strip_prefix("missing field")
        .and_then(|_| quoted(message))
    {
        text!("config-missing-field", field = field)
    } else if let Some(field) = message
        .strip_prefix("unknown field")
        .and_then(|_| quoted(message))
    {
        let expected = message
            .split_once("expected ")
            .map(|(_, rest)| rest.trim_start_matches("one of ").replace('`', ""))
            .unwrap_or_default();
        text!("config-unknown-field", field = field, expected = expected)
    } else {
        text!("config-toml", detail = message.to_owned())
    };
    match line {
        Some(line) => text!("config-at-line", line = line, why = why),
        None => why,
    }
}

/// Where a configuration file is, for the checks of its fields: errors that name it, and
/// relative paths taken from its directory.
#[derive(Debug, Clone, Copy)]
pub struct Place<'a> {
    path: &'a Path,
}

impl Place<'_> {
    /// An invalid value of this file.
    pub fn invalid(&self, why: impl Into<Text>) -> ConfigError {
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
    let file =
        toml::from_str(text).map_err(|e| ConfigError::invalid(path, toml_reason(text, &e)))?;
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
