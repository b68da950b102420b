//! `midwa-node import --template KIND FILE`: an empty file of one kind for an agency to fill in
//! its spreadsheet. The file holds the header only, with a byte-order mark so that spreadsheets
//! read it as UTF-8, and semicolons where the user's language writes decimal commas (as French
//! and Portuguese spreadsheets save); the notes on its columns are printed in the user's
//! language, and the whole format is in `docs/formats/`.

use std::path::Path;

use anyhow::bail;
use midwa_i18n::{Lang, Text, text};
use midwa_proto::vocab::{
    AssistanceCategory, AssistanceType, Modality, Mode, Outcome, ProviderKind, ReturnType, Sex,
    Vulnerability,
};

use crate::record::intake::{Column, Kind};

/// Writes the template of the kind named `kind` to `file` (not over an existing one unless
/// `force`) and prints the notes on its columns.
pub fn write(kind: &str, file: &Path, force: bool) -> anyhow::Result<()> {
    let lang = midwa_i18n::current();
    let wanted = kind.trim().to_ascii_lowercase();
    let Some(kind) = Kind::ALL.into_iter().find(|k| k.as_str() == wanted) else {
        bail!(
            "{}",
            text!("import-template-unknown", kind = kind.to_owned())
        );
    };
    if file.exists() && !force {
        bail!(
            "{}",
            text!("import-template-exists", path = file.display().to_string())
        );
    }
    midwa_certs::files::write_file(
        file,
        header(kind, lang).as_bytes(),
        midwa_certs::files::Mode::Public,
        true,
    )?;
    println!(
        "{}",
        text!(
            "import-template-written",
            path = file.display().to_string(),
            kind = kind.as_str(),
            notes = format!("docs/formats/{}.md", lang.code())
        )
    );
    let width = kind
        .columns()
        .iter()
        .map(|c| c.name.len())
        .max()
        .unwrap_or(0);
    for column in kind.columns() {
        let need = if column.required {
            text!("template-required")
        } else {
            text!("template-optional")
        };
        println!(
            "  {:width$}  {}",
            column.name,
            text!("template-column", need = need, note = note(kind, column)),
            width = width
        );
    }
    Ok(())
}

/// The header line of a template: a byte-order mark, the column names, a line end.
fn header(kind: Kind, lang: Lang) -> String {
    let separator = if lang == Lang::En { "," } else { ";" };
    let names: Vec<&str> = kind.columns().iter().map(|c| c.name).collect();
    format!("\u{feff}{}\r\n", names.join(separator))
}

/// What a column holds, in the user's words.
fn note(kind: Kind, column: &Column) -> Text {
    let one_of = |terms: &[&str]| {
        let named: Vec<&str> = terms.iter().copied().filter(|t| !t.is_empty()).collect();
        text!("column-one-of", values = named.join(", "))
    };
    match column.name {
        "person_id" if kind == Kind::Returns => text!("column-person_id"),
        "person_id" => text!("column-person_id-follow-up"),
        "full_name" | "phone" => text!("column-ignored"),
        "date_of_birth" => text!("column-date_of_birth"),
        "sex" => one_of(Sex::TERMS),
        "nationality" => text!("column-nationality"),
        "return_date" => text!("column-return_date"),
        "mode" => one_of(Mode::TERMS),
        "return_type" => one_of(ReturnType::TERMS),
        "host_country" => text!("column-host_country"),
        "transit_countries" => text!("column-transit_countries"),
        "arrival_point" => text!("column-arrival_point"),
        "destination_region" => text!("column-destination_region"),
        "vulnerabilities" => text!("column-some-of", values = Vulnerability::TERMS.join(", ")),
        "date" => text!("column-date"),
        "category" => one_of(AssistanceCategory::TERMS),
        "type" => one_of(AssistanceType::TERMS),
        "modality" => one_of(Modality::TERMS),
        "provider" => one_of(ProviderKind::TERMS),
        "economic" | "social" | "psychosocial" => text!("column-score"),
        "outcome" => one_of(Outcome::TERMS),
        other => Text::plain(other.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::intake::CsvRecords;

    #[test]
    fn a_template_is_recognised_as_its_kind_in_every_language() {
        for lang in Lang::ALL {
            for kind in Kind::ALL {
                let text = header(kind, lang);
                let read = CsvRecords::new(text.as_bytes())
                    .unwrap_or_else(|p| panic!("{lang} {kind}: {p}"));
                assert_eq!(read.kind(), kind, "{lang}");
            }
        }
        assert!(header(Kind::Closures, Lang::Fr).contains("person_id;date;outcome"));
    }

    #[test]
    fn the_format_guide_in_every_language_names_every_column_and_every_value() {
        let guides = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/formats");
        let terms: Vec<&str> = [
            Sex::TERMS,
            Mode::TERMS,
            ReturnType::TERMS,
            Vulnerability::TERMS,
            AssistanceCategory::TERMS,
            AssistanceType::TERMS,
            Modality::TERMS,
            ProviderKind::TERMS,
            Outcome::TERMS,
        ]
        .concat();
        for lang in Lang::ALL {
            let path = guides.join(format!("{}.md", lang.code()));
            let guide = std::fs::read_to_string(&path).expect("the format guide");
            for kind in Kind::ALL {
                assert!(guide.contains(&format!("(`{kind}`)")), "{lang}: {kind}");
                for column in kind.columns() {
                    assert!(
                        guide.contains(&format!("| {} |", column.name)),
                        "{}: column {}",
                        path.display(),
                        column.name
                    );
                }
            }
            for term in terms.iter().filter(|t| !t.is_empty()) {
                assert!(
                    guide.contains(&format!("`{term}`")),
                    "{}: {term}",
                    path.display()
                );
            }
        }
    }

    #[test]
    fn every_column_has_a_note_in_every_language() {
        for kind in Kind::ALL {
            for column in kind.columns() {
                let note = note(kind, column);
                assert_ne!(note.id(), "plain", "{kind}.{} has no note", column.name);
                for lang in Lang::ALL {
                    assert!(!note.render(lang).is_empty());
                }
            }
        }
    }
}
