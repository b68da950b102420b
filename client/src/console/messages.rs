//! The console's words, served as `/i18n.js`: written once from the project's Fluent catalogues
//! (`console-*` messages), so that the page and the command lines say the same things. Keys are
//! the message identifiers less `console-`, with `.` for `-` (`who.coordinator`); `term-*`
//! messages are the vocabularies as people read them (`TERMS.fr.mode.land`).

use std::sync::LazyLock;

use serde_json::{Map, Value};

/// The script, built at the first request.
pub static SCRIPT: LazyLock<String> = LazyLock::new(script);

fn script() -> String {
    let mut messages = Map::new();
    let mut terms = Map::new();
    for (lang, texts) in midwa_i18n::browser::messages("console-") {
        let (mut words, mut vocabulary) = (Map::new(), Map::new());
        for (key, text) in texts {
            match key.strip_prefix("term-").and_then(|k| k.split_once('-')) {
                Some((kind, value)) => {
                    let kind = vocabulary
                        .entry(kind.to_owned())
                        .or_insert_with(|| Value::Object(Map::new()));
                    if let Value::Object(kind) = kind {
                        kind.insert(value.to_owned(), Value::String(text));
                    }
                }
                None => {
                    words.insert(key.replace('-', "."), Value::String(text));
                }
            }
        }
        messages.insert(lang.code().to_owned(), Value::Object(words));
        terms.insert(lang.code().to_owned(), Value::Object(vocabulary));
    }
    format!(
        "// The console's words in English, French and Portuguese, from the project's Fluent\n\
         // catalogues (i18n/messages). `{{name}}` is filled in by `t`. Numbers and dates are not\n\
         // here: they follow the chosen language through Intl.\n\
         \"use strict\";\n\nconst MESSAGES = {};\n\nconst TERMS = {};\n",
        Value::Object(messages),
        Value::Object(terms)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_script_holds_every_word_in_every_language() {
        let text = script();
        assert!(text.contains("\"who.consulate\":\"Consulate {of_state}, {post}\""));
        assert!(text.contains("\"form.of.SN\":\"du Sénégal\""));
        assert!(text.contains("\"land\":\"Terrestre\""));
        assert!(text.contains("const TERMS = {\"en\":"));
    }
}
