//! What a MIDWA user reads, in English, French or Portuguese, from one set of translations.
#![warn(missing_docs)]
//!
//! - `messages/en.ftl`, `fr.ftl`, `pt.ftl`: the catalogues, in [Project Fluent]'s syntax, one
//!   per language, compiled into every binary. Every message exists in all three with the same
//!   arguments (a test checks it).
//! - [`Lang`]: the three languages, and how one is chosen ([`Lang::choose`]): `--lang`, then the
//!   configuration, then `LC_ALL`, `LC_MESSAGES` or `LANG`, English by default.
//! - [`Text`] (built with [`text!`]): a message and its arguments, rendered in a language when
//!   shown, so that a server answers each caller in the caller's language
//!   ([`Lang::from_accept_language`], the `accept-language` request header).
//! - [`cli`]: a `clap` command's help in the chosen language.
//! - [`browser`]: messages for a web page (the console), its arguments left for the page.
//!
//! [Project Fluent]: https://projectfluent.org

pub mod browser;
pub mod cli;
mod lang;
mod render;

pub use lang::{HEADER, Lang};
pub use render::{Arg, Text, current, in_language, message, set};

/// A [`Text`]: the message identifier as a string literal, then `name = value` arguments, each
/// value a string, a number or a [`Text`].
#[macro_export]
macro_rules! text {
    ($id:literal $(, $name:ident = $value:expr)* $(,)?) => {
        $crate::Text::new($id)$(.with(stringify!($name), $value))*
    };
}
