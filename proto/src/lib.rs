//! The MIDWA Exchange wire contract and the anonymised event model.
#![warn(missing_docs)]
//!
//! - [`pb`]: the generated protobuf types and gRPC stubs of package `midwa.v1`. They are only
//!   ever used at the edges: every crate converts them to domain types in one place.
//! - [`access`]: the access log's hash chain and its check.
//! - [`codec`]: the gRPC codec, prost's with decoding failures answered as the sender's fault.
//! - [`codes`]: validated values (country codes, months, arrival points, regions).
//! - [`vocab`]: the controlled vocabularies of `shared/DOMAIN.md` (sex, mode, return type, ...),
//!   each with its CSV term and its wire value.
//! - [`event`]: the anonymised events a node publishes, as plain Rust.
//! - [`convert`]: wire to domain and back, with errors that name the offending field.
//! - [`policy`]: a state's consent policy: recipients, data classes, dimensions, grants.
//! - [`notice`]: cross-border notices of expected returns, checked.
//! - [`opportunity`]: reintegration opportunities, checked.
//! - [`receipt`]: the codes returnees carry, and the digests the gateway keeps of them.

#[macro_use]
mod terms;

pub mod access;
pub mod codec;
pub mod codes;
pub mod convert;
pub mod event;
pub mod notice;
pub mod opportunity;
pub mod policy;
pub mod receipt;
pub mod vocab;

/// Generated protobuf types and gRPC services of package `midwa.v1`.
#[allow(missing_docs, clippy::all, clippy::pedantic, clippy::unwrap_used)]
pub mod pb {
    tonic::include_proto!("midwa.v1");
}

/// The encoded file descriptor set of `midwa.v1`, for the gRPC reflection service.
pub const FILE_DESCRIPTOR_SET: &[u8] =
    include_bytes!(concat!(env!("OUT_DIR"), "/midwa_descriptor.bin"));
