//! What both MIDWA command lines offer, `midwa` (coordinators, consulates) and `midwa-node`
//! (a state's agency), over the gateway's regional services:
#![warn(missing_docs)]
//!
//! - [`notices`]: sending cross-border notices, following them, reading those received.
//! - [`opportunities`]: publishing, withdrawing and listing reintegration opportunities.
//! - [`subscribe`]: record-level subscriptions kept in a file that is its own cursor.
//! - [`text`]: aligned columns, times, parties, privacy budgets, the origins an answer
//!   included, and the output formats.

pub mod notices;
pub mod opportunities;
pub mod subscribe;
pub mod text;
