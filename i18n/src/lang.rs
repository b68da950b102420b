//! The three languages of the region's users, and which one a user gets.

use std::fmt;
use std::str::FromStr;

/// The request header that carries the caller's language to a server (as browsers send it).
pub const HEADER: &str = "accept-language";

/// A language every user-facing text exists in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    /// English.
    #[default]
    En,
    /// French: Senegal, Mali, Niger, Côte d'Ivoire, Guinea, Togo, Benin, Burkina Faso.
    Fr,
    /// Portuguese: Guinea-Bissau, Cabo Verde.
    Pt,
}

impl Lang {
    /// Every language, English first.
    pub const ALL: [Lang; 3] = [Lang::En, Lang::Fr, Lang::Pt];

    /// Its two-letter code (ISO 639-1).
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Fr => "fr",
            Lang::Pt => "pt",
        }
    }

    /// A whole number with its digits grouped as this language writes them: `1,234,567` in
    /// English; in French and Portuguese with a (narrow) no-break space, `1 234 567`.
    pub fn number(self, n: u64) -> String {
        let separator = match self {
            Lang::En => ',',
            Lang::Fr => '\u{202f}',
            Lang::Pt => '\u{a0}',
        };
        let digits = n.to_string();
        let mut out = String::with_capacity(digits.len() * 2);
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push(separator);
            }
            out.push(c);
        }
        out
    }

    /// The language of a tag as users and systems write it: `fr`, `fr-SN`, `fr_FR.UTF-8`,
    /// `pt_BR@euro`, `PT`. `None` for another language, or for `C` and `POSIX`.
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let primary = tag
            .trim()
            .split(['-', '_', '.', '@'])
            .next()
            .unwrap_or_default();
        Lang::ALL
            .into_iter()
            .find(|l| primary.eq_ignore_ascii_case(l.code()))
    }

    /// The caller's language from an `accept-language` value (`fr-FR,fr;q=0.9,en;q=0.8`): the
    /// first one listed that this project speaks.
    pub fn from_accept_language(value: &str) -> Option<Lang> {
        value
            .split(',')
            .filter_map(|item| item.split(';').next())
            .find_map(Lang::from_tag)
    }

    /// The language of the environment, as POSIX orders it: `LC_ALL`, then `LC_MESSAGES`, then
    /// `LANG`; the first that is set and not empty decides.
    pub fn from_env() -> Option<Lang> {
        Self::from_env_with(|name| std::env::var(name).ok())
    }

    fn from_env_with(var: impl Fn(&str) -> Option<String>) -> Option<Lang> {
        ["LC_ALL", "LC_MESSAGES", "LANG"]
            .into_iter()
            .filter_map(|name| var(name).filter(|v| !v.is_empty()))
            .map(|value| Lang::from_tag(&value))
            .next()
            .flatten()
    }

    /// The value of a `--lang` option among command-line arguments, read before they are
    /// parsed (the help is written in it). Unknown values are left for the parser to refuse.
    pub fn from_args<I, S>(args: I) -> Option<Lang>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        let mut args = args.into_iter();
        while let Some(arg) = args.next() {
            let arg = arg.as_ref().to_string_lossy().into_owned();
            if arg == "--" {
                break;
            }
            if arg == "--lang" {
                return args
                    .next()
                    .and_then(|v| Lang::from_tag(&v.as_ref().to_string_lossy()));
            }
            if let Some(value) = arg.strip_prefix("--lang=") {
                return Lang::from_tag(value);
            }
        }
        None
    }

    /// The language a user gets: the command line's, then the configuration's, then the
    /// environment's, English by default.
    pub fn choose(flag: Option<Lang>, configured: Option<Lang>) -> Lang {
        flag.or(configured)
            .or_else(Lang::from_env)
            .unwrap_or_default()
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A language that is not one of the three.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownLang(pub String);

impl fmt::Display for UnknownLang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?} is not en, fr or pt", self.0)
    }
}

impl std::error::Error for UnknownLang {}

impl FromStr for Lang {
    type Err = UnknownLang;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Lang::from_tag(s).ok_or_else(|| UnknownLang(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_grouped_as_each_language_writes_them() {
        assert_eq!(Lang::En.number(0), "0");
        assert_eq!(Lang::En.number(999), "999");
        assert_eq!(Lang::En.number(1_234_567), "1,234,567");
        assert_eq!(Lang::Fr.number(1_000), "1\u{202f}000");
        assert_eq!(Lang::Pt.number(12_345), "12\u{a0}345");
    }

    #[test]
    fn tags_as_systems_write_them() {
        assert_eq!(Lang::from_tag("fr_FR.UTF-8"), Some(Lang::Fr));
        assert_eq!(Lang::from_tag("pt-BR"), Some(Lang::Pt));
        assert_eq!(Lang::from_tag("PT_pt@euro"), Some(Lang::Pt));
        assert_eq!(Lang::from_tag("en"), Some(Lang::En));
        assert_eq!(Lang::from_tag("C.UTF-8"), None);
        assert_eq!(Lang::from_tag("de_DE"), None);
        assert_eq!(Lang::from_tag(""), None);
        assert!("wo".parse::<Lang>().is_err());
    }

    #[test]
    fn the_environment_in_posix_order() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, v)| v.to_string())
            }
        };
        assert_eq!(
            Lang::from_env_with(env(&[("LANG", "fr_SN.UTF-8")])),
            Some(Lang::Fr)
        );
        assert_eq!(
            Lang::from_env_with(env(&[("LANG", "fr_SN.UTF-8"), ("LC_MESSAGES", "pt_CV")])),
            Some(Lang::Pt)
        );
        assert_eq!(
            Lang::from_env_with(env(&[("LC_ALL", "en_GB"), ("LC_MESSAGES", "pt_CV")])),
            Some(Lang::En)
        );
        // An empty variable does not count; C is nobody's language.
        assert_eq!(
            Lang::from_env_with(env(&[("LC_ALL", ""), ("LANG", "pt_GW")])),
            Some(Lang::Pt)
        );
        assert_eq!(Lang::from_env_with(env(&[("LANG", "C")])), None);
    }

    #[test]
    fn the_flag_before_the_rest() {
        assert_eq!(
            Lang::from_args(["midwa-node", "--lang", "pt", "import", "x.csv"]),
            Some(Lang::Pt)
        );
        assert_eq!(Lang::from_args(["midwa", "--lang=fr-CI"]), Some(Lang::Fr));
        assert_eq!(Lang::from_args(["midwa", "--", "--lang", "fr"]), None);
        assert_eq!(Lang::choose(Some(Lang::Pt), Some(Lang::Fr)), Lang::Pt);
        assert_eq!(Lang::choose(None, Some(Lang::Fr)), Lang::Fr);
    }

    #[test]
    fn accept_language_as_browsers_send_it() {
        assert_eq!(
            Lang::from_accept_language("de-DE,fr;q=0.9,en;q=0.8"),
            Some(Lang::Fr)
        );
        assert_eq!(Lang::from_accept_language("pt"), Some(Lang::Pt));
        assert_eq!(Lang::from_accept_language("*"), None);
    }
}
