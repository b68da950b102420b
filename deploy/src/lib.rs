//! Running MIDWA Exchange on one machine: the layout of a region in a directory (CA,
//! certificates, configuration files) and synthetic agency records. Used by `midwa-region` and
//! by the end-to-end tests, so both go through the same files and configuration as a real
//! deployment.
//!
//! - [`region`]: the files of a region: CA, certificates, configurations.
//! - [`synthetic`]: agency records with realistic proportions, and their CSV files.
//! - [`demo`]: `midwa-region`, the whole region running with its console.
#![warn(missing_docs)]

pub mod demo;
pub mod region;
pub mod synthetic;
