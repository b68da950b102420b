//! Messages rendered from the catalogues.

use std::borrow::Cow;
use std::fmt;
use std::sync::LazyLock;
use std::sync::atomic::{AtomicU8, Ordering};

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};

use crate::Lang;

/// The catalogues, as compiled in.
pub(crate) const CATALOGUES: [(Lang, &str); 3] = [
    (Lang::En, include_str!("../messages/en.ftl")),
    (Lang::Fr, include_str!("../messages/fr.ftl")),
    (Lang::Pt, include_str!("../messages/pt.ftl")),
];

type Bundle = FluentBundle<FluentResource>;

static BUNDLES: LazyLock<Vec<Bundle>> = LazyLock::new(|| {
    CATALOGUES
        .iter()
        .map(|(lang, source)| {
            let id = lang
                .code()
                .parse()
                .unwrap_or_else(|_| unreachable!("en, fr and pt are language identifiers"));
            let mut bundle = Bundle::new_concurrent(vec![id]);
            // Terminals and CSV files do not want bidirectional isolation marks.
            bundle.set_use_isolating(false);
            // A syntax error drops only the entry it is in; the catalogue test fails on it.
            let resource = FluentResource::try_new((*source).to_owned())
                .unwrap_or_else(|(resource, _)| resource);
            let _ = bundle.add_resource(resource);
            bundle
        })
        .collect()
});

fn bundle(lang: Lang) -> &'static Bundle {
    &BUNDLES[lang as usize]
}

static CURRENT: AtomicU8 = AtomicU8::new(0);

/// Sets the language of this process's user (what [`Text`]'s `Display` renders in).
pub fn set(lang: Lang) {
    CURRENT.store(lang as u8, Ordering::Relaxed);
}

thread_local! {
    static ON_THIS_THREAD: std::cell::Cell<Option<Lang>> = const { std::cell::Cell::new(None) };
}

/// Runs `f` with [`current`] answering `lang` on this thread only (what a test of another
/// language needs without changing the process's).
pub fn in_language<R>(lang: Lang, f: impl FnOnce() -> R) -> R {
    let before = ON_THIS_THREAD.with(|l| l.replace(Some(lang)));
    let result = f();
    ON_THIS_THREAD.with(|l| l.set(before));
    result
}

/// The language of this process's user; English until [`set`].
pub fn current() -> Lang {
    if let Some(lang) = ON_THIS_THREAD.with(std::cell::Cell::get) {
        return lang;
    }
    match CURRENT.load(Ordering::Relaxed) {
        1 => Lang::Fr,
        2 => Lang::Pt,
        _ => Lang::En,
    }
}

/// An argument of a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Arg {
    /// Text shown as it is (a file name, a column, a value from the user).
    Str(Cow<'static, str>),
    /// A whole number (Fluent picks plural forms from it).
    Int(i64),
    /// Another message, rendered in the same language.
    Text(Box<Text>),
}

impl From<&'static str> for Arg {
    fn from(s: &'static str) -> Self {
        Arg::Str(Cow::Borrowed(s))
    }
}

impl From<String> for Arg {
    fn from(s: String) -> Self {
        Arg::Str(Cow::Owned(s))
    }
}

impl From<&String> for Arg {
    fn from(s: &String) -> Self {
        Arg::Str(Cow::Owned(s.clone()))
    }
}

impl From<Text> for Arg {
    fn from(t: Text) -> Self {
        Arg::Text(Box::new(t))
    }
}

macro_rules! int_args {
    ($($t:ty),*) => {$(
        impl From<$t> for Arg {
            fn from(n: $t) -> Self {
                Arg::Int(i64::try_from(n).unwrap_or(i64::MAX))
            }
        }
    )*};
}
int_args!(u8, u16, u32, u64, usize, i32, i64);

/// A message of the catalogues with its arguments, rendered in a language when shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text {
    id: &'static str,
    args: Vec<(&'static str, Arg)>,
}

impl Text {
    /// The message `id`, with no arguments yet.
    pub fn new(id: &'static str) -> Self {
        Self {
            id,
            args: Vec::new(),
        }
    }

    /// The message with argument `name` set to `value`.
    pub fn with(mut self, name: &'static str, value: impl Into<Arg>) -> Self {
        self.args.push((name, value.into()));
        self
    }

    /// A text that is not in the catalogues (a detail from a library, in its own words).
    pub fn plain(text: impl Into<String>) -> Self {
        Self::new("plain").with("text", text.into())
    }

    /// The message's identifier in the catalogues.
    pub fn id(&self) -> &'static str {
        self.id
    }

    /// The message in `lang`; in English if `lang`'s catalogue lacks it, and its identifier
    /// if every catalogue does (the catalogue test keeps both from happening).
    pub fn render(&self, lang: Lang) -> String {
        let mut args = FluentArgs::new();
        for (name, value) in &self.args {
            let value = match value {
                Arg::Str(s) => FluentValue::from(s.as_ref()),
                Arg::Int(n) => FluentValue::from(*n),
                Arg::Text(t) => FluentValue::from(t.render(lang)),
            };
            args.set(*name, value);
        }
        format(lang, self.id, Some(&args)).unwrap_or_else(|| self.id.to_owned())
    }
}

impl fmt::Display for Text {
    /// The message in the process's language ([`current`]).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(current()))
    }
}

impl std::error::Error for Text {}

impl From<String> for Text {
    fn from(s: String) -> Self {
        Text::plain(s)
    }
}

impl From<&'static str> for Text {
    fn from(s: &'static str) -> Self {
        Text::plain(s)
    }
}

/// The message whose identifier is computed (`console-form-of-SN`), in the process's
/// language with `args`; `None` if no catalogue has it.
pub fn message(id: &str, args: &[(&str, String)]) -> Option<String> {
    let mut fluent = FluentArgs::new();
    for (name, value) in args {
        fluent.set(*name, value.clone());
    }
    format(current(), id, Some(&fluent))
}

/// The message `id` in `lang`, or in English if `lang`'s catalogue lacks it; `None` if every
/// catalogue does.
pub(crate) fn format(lang: Lang, id: &str, args: Option<&FluentArgs<'_>>) -> Option<String> {
    [bundle(lang), bundle(Lang::En)]
        .into_iter()
        .find_map(|bundle| {
            let pattern = bundle.get_message(id)?.value()?;
            let mut errors = Vec::new();
            Some(
                bundle
                    .format_pattern(pattern, args, &mut errors)
                    .into_owned(),
            )
        })
}

#[cfg(test)]
fn has(lang: Lang, id: &str) -> bool {
    bundle(lang).has_message(id)
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use fluent_syntax::ast;

    use super::*;

    /// Each message's identifier and the variables it uses, from a catalogue's source.
    fn messages(lang: Lang, source: &str) -> BTreeMap<String, BTreeSet<String>> {
        let resource = fluent_syntax::parser::parse(source)
            .unwrap_or_else(|(_, errors)| panic!("{lang}.ftl does not parse: {errors:?}"));
        let mut out = BTreeMap::new();
        for entry in resource.body {
            match entry {
                ast::Entry::Message(m) => {
                    let mut vars = BTreeSet::new();
                    if let Some(value) = &m.value {
                        pattern_vars(value, &mut vars);
                    }
                    assert!(m.value.is_some(), "{lang}.ftl: {} has no text", m.id.name);
                    assert!(
                        out.insert(m.id.name.to_owned(), vars).is_none(),
                        "{lang}.ftl: {} is defined twice",
                        m.id.name
                    );
                }
                ast::Entry::Junk { content } => panic!("{lang}.ftl: cannot read {content:?}"),
                _ => {}
            }
        }
        out
    }

    fn pattern_vars(pattern: &ast::Pattern<&str>, vars: &mut BTreeSet<String>) {
        for element in &pattern.elements {
            if let ast::PatternElement::Placeable { expression } = element {
                expression_vars(expression, vars);
            }
        }
    }

    fn expression_vars(expression: &ast::Expression<&str>, vars: &mut BTreeSet<String>) {
        match expression {
            ast::Expression::Select { selector, variants } => {
                inline_vars(selector, vars);
                for v in variants {
                    pattern_vars(&v.value, vars);
                }
            }
            ast::Expression::Inline(inline) => inline_vars(inline, vars),
        }
    }

    fn inline_vars(inline: &ast::InlineExpression<&str>, vars: &mut BTreeSet<String>) {
        match inline {
            ast::InlineExpression::VariableReference { id } => {
                vars.insert(id.name.to_owned());
            }
            ast::InlineExpression::FunctionReference { arguments, .. } => {
                for a in &arguments.positional {
                    inline_vars(a, vars);
                }
            }
            ast::InlineExpression::Placeable { expression } => expression_vars(expression, vars),
            _ => {}
        }
    }

    #[test]
    fn every_message_exists_in_every_language_with_the_same_arguments() {
        let english = messages(Lang::En, CATALOGUES[0].1);
        assert!(english.len() > 50, "the English catalogue is nearly empty");
        for (lang, source) in &CATALOGUES[1..] {
            let other = messages(*lang, source);
            let missing: Vec<_> = english.keys().filter(|k| !other.contains_key(*k)).collect();
            let extra: Vec<_> = other.keys().filter(|k| !english.contains_key(*k)).collect();
            assert!(missing.is_empty(), "{lang}.ftl lacks {missing:?}");
            assert!(
                extra.is_empty(),
                "{lang}.ftl has {extra:?}, English does not"
            );
            for (id, vars) in &english {
                assert_eq!(
                    &other[id], vars,
                    "{lang}.ftl: {id} uses other arguments than in English"
                );
            }
        }
    }

    #[test]
    fn every_message_the_code_names_is_in_the_catalogues() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let mut named = BTreeSet::new();
        let mut dirs = vec![root.clone()];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).expect("read the workspace") {
                let path = entry.expect("entry").path();
                let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
                if path.is_dir() && !name.starts_with('.') && name != "target" {
                    dirs.push(path);
                } else if name.ends_with(".rs") {
                    let code = std::fs::read_to_string(&path).expect("read a source file");
                    for (i, _) in code.match_indices("text!(\"") {
                        let rest = &code[i + 7..];
                        if let Some(end) = rest.find('"') {
                            named.insert((rest[..end].to_owned(), path.clone()));
                        }
                    }
                }
            }
        }
        assert!(!named.is_empty());
        for (id, path) in named {
            assert!(
                has(Lang::En, &id),
                "{} names message {id:?}, which en.ftl lacks",
                path.display()
            );
        }
    }

    #[test]
    fn arguments_plurals_and_nested_messages_render() {
        let one = crate::text!("import-conflicts", file = "a.csv", count = 1u64);
        let two = crate::text!("import-conflicts", file = "a.csv", count = 2u64);
        for lang in Lang::ALL {
            assert!(
                !one.render(lang).contains('1'),
                "{lang}: {}",
                one.render(lang)
            );
            assert!(
                two.render(lang).contains('2'),
                "{lang}: {}",
                two.render(lang)
            );
        }
        assert_ne!(one.render(Lang::En), one.render(Lang::Fr));
        let nested = crate::text!(
            "problem-at-cell",
            line = 5u64,
            letter = "C",
            column = "sex",
            reason = crate::text!("value-required")
        );
        assert!(nested.render(Lang::Pt).contains("5"));
        assert!(!nested.render(Lang::Pt).contains("value-required"));
        // Unknown messages show their identifier, never nothing.
        assert_eq!(
            Text::new("no-such-message").render(Lang::Fr),
            "no-such-message"
        );
    }
}
