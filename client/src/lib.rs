//! MIDWA Exchange for regional coordinators and consulates, and the connection to the gateway
//! that every party (nodes too) uses.
//!
//! - [`address`]: the gateway's `https://host:port` address; there is no plaintext mode.
//! - [`connect`]: TCP, TLS 1.3 with the party's certificate (rustls), then gRPC.
//! - [`config`]: the `midwa` command's TOML configuration.
//! - [`query`]: aggregate requests, and answers as a table, CSV or JSON.
//! - [`notices`]: sending cross-border notices, and following them.
//! - [`opportunities`]: publishing and listing reintegration opportunities.
//! - [`subscribe`]: record-level subscriptions kept in a file that is its own cursor.
//! - [`text`]: aligned columns and other plain-text output.
//! - [`console`]: `midwa console`, the local web page in three languages.
//! - [`cli`]: the `midwa` command.
#![warn(missing_docs)]

pub mod address;
pub mod cli;
pub mod config;
pub mod connect;
pub mod console;
pub mod notices;
pub mod opportunities;
pub mod query;
pub mod subscribe;
pub mod text;
