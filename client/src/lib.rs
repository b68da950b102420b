//! MIDWA Exchange for regional coordinators and consulates: the `midwa` command and its console.
//!
//! - [`config`]: the `midwa` command's TOML configuration.
//! - [`query`]: aggregate requests, and answers as a table, CSV or JSON.
//! - [`console`]: `midwa console`, the local web page in three languages.
//! - [`cli`]: the `midwa` command; the commands it shares with `midwa-node` (notices,
//!   opportunities, subscriptions) are in `midwa-commands`.
#![warn(missing_docs)]

pub mod cli;
pub mod config;
pub mod console;
pub mod export;
pub mod query;
