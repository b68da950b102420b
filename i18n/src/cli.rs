//! A `clap` command's help in the user's language.
//!
//! The catalogues hold a command's texts under identifiers built from its path: `help-node`
//! is the about text of `midwa-node` (prefix `node`), `help-node-import` that of its `import`
//! subcommand, `help-node-import-check` the help of `import --check`. Commands both command
//! lines share are under `help-common` (`help-common-notice-send`), and arguments they share
//! under `help-common-arg` (`help-common-arg-out`). A text the catalogues lack keeps the
//! command's own (English) one. Headings, `--help` and `--version` are
//! translated too; the parser's own error messages stay in English.

use clap::{Arg, ArgAction, Command};

use crate::render::format;
use crate::{Lang, Text};

fn tr(lang: Lang, id: &'static str) -> String {
    Text::new(id).render(lang)
}

/// The command line parsed as `C`, its help written in the language of `--lang`, else of the
/// environment (the configuration is not read yet); that language becomes the process's. A
/// mistake on the command line or `--help` ends the process, as clap does.
pub fn parse<C: clap::Parser>(prefix: &str) -> C {
    crate::set(Lang::choose(Lang::from_args(std::env::args_os()), None));
    let command = localise(C::command(), prefix, crate::current());
    C::from_arg_matches(&command.get_matches()).unwrap_or_else(|e| e.exit())
}

/// `command` with its help, and its subcommands' help, in `lang`; its catalogue identifiers
/// start with `help-{prefix}`.
pub fn localise(command: Command, prefix: &str, lang: Lang) -> Command {
    let path = format!("help-{prefix}");
    walk(command, &path, &path, lang, true)
}

/// The help texts of `command` the catalogues lack (their identifiers), for a test of each
/// command line: a text missing there would stay in English.
pub fn missing(command: &Command, prefix: &str) -> Vec<String> {
    let root = format!("help-{prefix}");
    let mut out = Vec::new();
    gaps(command, &root, &root, &mut out);
    out
}

fn gaps(command: &Command, root: &str, path: &str, out: &mut Vec<String>) {
    if command.get_about().is_some() && find(Lang::En, root, path).is_none() {
        out.push(path.to_owned());
    }
    for arg in command.get_arguments() {
        let id = arg.get_id().as_str();
        if id == "help" || id == "version" || arg.get_help().is_none() {
            continue;
        }
        let key = format!("{path}-{id}");
        if find(Lang::En, root, &key).is_none()
            && lookup(Lang::En, &format!("help-common-arg-{id}")).is_none()
        {
            out.push(key);
        }
    }
    for sub in command.get_subcommands() {
        gaps(sub, root, &format!("{path}-{}", sub.get_name()), out);
    }
}

/// A text by its path under the command's root, then under `help-common`.
fn find(lang: Lang, root: &str, path: &str) -> Option<String> {
    lookup(lang, path).or_else(|| {
        let shared = format!("help-common{}", path.strip_prefix(root)?);
        lookup(lang, &shared)
    })
}

fn walk(mut command: Command, root: &str, path: &str, lang: Lang, top: bool) -> Command {
    if let Some(about) = find(lang, root, path) {
        command = command.about(about).long_about(None);
    }
    let ids: Vec<(String, bool)> = command
        .get_arguments()
        .map(|a| (a.get_id().to_string(), a.is_positional()))
        .collect();
    for (id, positional) in ids {
        let key = format!("{path}-{id}");
        let help =
            find(lang, root, &key).or_else(|| lookup(lang, &format!("help-common-arg-{id}")));
        let heading = tr(
            lang,
            if positional {
                "cli-arguments"
            } else {
                "cli-options"
            },
        );
        command = command.mut_arg(id, |a| {
            let a = a.help_heading(heading);
            match help {
                Some(h) => a.help(h).long_help(None),
                None => a,
            }
        });
    }
    let options = tr(lang, "cli-options");
    command = command
        .disable_help_flag(true)
        .disable_help_subcommand(true)
        .arg(
            Arg::new("help")
                .short('h')
                .long("help")
                .action(ArgAction::Help)
                .help(tr(lang, "cli-help"))
                .help_heading(options.clone()),
        )
        .subcommand_help_heading(tr(lang, "cli-commands"))
        .subcommand_value_name(tr(lang, "cli-command"))
        .help_template(format!(
            "{{about-with-newline}}\n{} {{usage}}\n\n{{all-args}}{{after-help}}",
            tr(lang, "cli-usage")
        ));
    if top && command.get_version().is_some() {
        command = command.disable_version_flag(true).arg(
            Arg::new("version")
                .short('V')
                .long("version")
                .action(ArgAction::Version)
                .help(tr(lang, "cli-version"))
                .help_heading(options),
        );
    }
    let names: Vec<String> = command
        .get_subcommands()
        .map(|s| s.get_name().to_owned())
        .collect();
    for name in names {
        let sub_path = format!("{path}-{name}");
        command = command.mut_subcommand(name, |s| walk(s, root, &sub_path, lang, false));
    }
    command
}

/// A catalogue text by a computed identifier.
fn lookup(lang: Lang, id: &str) -> Option<String> {
    format(lang, id, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn help_in_french_keeps_what_is_not_translated() {
        let command = Command::new("demo")
            .version("1")
            .about("English about")
            .subcommand(
                Command::new("import").about("Import a file").arg(
                    Arg::new("check")
                        .long("check")
                        .help("Check")
                        .action(ArgAction::SetTrue),
                ),
            )
            .subcommand(Command::new("untranslated").about("Stays English"));
        assert_eq!(
            missing(&command, "node"),
            ["help-node-untranslated"],
            "what the catalogues lack is found"
        );
        let mut command = localise(command, "node", Lang::Fr);
        let help = command.render_help().to_string();
        assert!(help.contains("Stays English"), "{help}");
        assert!(help.contains("Utilisation"), "{help}");
        assert!(!help.contains("Usage:"), "{help}");
        let import = command
            .find_subcommand_mut("import")
            .expect("import")
            .render_help()
            .to_string();
        assert!(!import.contains("Import a file"), "{import}");
    }
}
