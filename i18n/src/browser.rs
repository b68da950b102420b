//! Messages for a web page: the console's words come from the same catalogues as the command
//! lines', rendered once per language with each argument left as `{name}` for the page to fill
//! in (a page cannot run Fluent's plural rules, so its messages have no selectors).

use fluent_bundle::FluentArgs;
use fluent_syntax::ast;

use crate::Lang;
use crate::render::{CATALOGUES, format};

/// Every message whose identifier starts with `prefix`, in each language: the identifier
/// without the prefix, and the text with its arguments written `{name}`.
pub fn messages(prefix: &str) -> Vec<(Lang, Vec<(String, String)>)> {
    let (_, english) = CATALOGUES[0];
    let resource = match fluent_syntax::parser::parse(english) {
        Ok(resource) => resource,
        Err((resource, _)) => resource,
    };
    let wanted: Vec<(&str, Vec<&str>)> = resource
        .body
        .iter()
        .filter_map(|entry| match entry {
            ast::Entry::Message(m) if m.id.name.starts_with(prefix) => {
                let mut names = Vec::new();
                for element in m.value.iter().flat_map(|v| &v.elements) {
                    if let ast::PatternElement::Placeable {
                        expression:
                            ast::Expression::Inline(ast::InlineExpression::VariableReference { id }),
                    } = element
                    {
                        names.push(id.name);
                    }
                }
                Some((m.id.name, names))
            }
            _ => None,
        })
        .collect();
    Lang::ALL
        .into_iter()
        .map(|lang| {
            let texts = wanted
                .iter()
                .map(|(id, names)| {
                    let mut args = FluentArgs::new();
                    for name in names {
                        args.set(*name, format!("{{{name}}}"));
                    }
                    let text = format(lang, id, Some(&args)).unwrap_or_default();
                    (id[prefix.len()..].to_owned(), text)
                })
                .collect();
            (lang, texts)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pages_messages_keep_their_arguments_for_the_page() {
        let all = messages("console-");
        assert_eq!(all.len(), 3);
        for (lang, texts) in &all {
            let who = texts
                .iter()
                .find(|(k, _)| k == "who-consulate")
                .unwrap_or_else(|| panic!("{lang}: who-consulate"));
            assert!(
                who.1.contains("{of_state}") && who.1.contains("{post}"),
                "{who:?}"
            );
        }
        let (_, french) = &all[1];
        assert!(
            french
                .iter()
                .any(|(k, v)| k == "term-mode-land" && v == "Terrestre")
        );
    }
}
