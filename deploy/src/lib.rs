//! Running MIDWA Exchange on one machine: the layout of a region in a directory (CA,
//! certificates, configuration files) and synthetic agency records. Used by `midwa-region` and
//! by the end-to-end tests, so both go through the same files and configuration as a real
//! deployment.
#![warn(missing_docs)]

pub mod region;
pub mod synthetic;
