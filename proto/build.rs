//! Compiles `midwa/v1/*.proto` with protox, a pure-Rust protobuf compiler, so that building needs
//! nothing but cargo (no system `protoc`). The file descriptor set is kept for gRPC reflection.

use std::path::PathBuf;

use prost::Message;

const PROTOS: &[&str] = &[
    "midwa/v1/events.proto",
    "midwa/v1/exchange.proto",
    "midwa/v1/node_local.proto",
    "midwa/v1/consent.proto",
    "midwa/v1/statistics.proto",
    "midwa/v1/verification.proto",
    "midwa/v1/notices.proto",
    "midwa/v1/opportunities.proto",
    "midwa/v1/subscriptions.proto",
    "midwa/v1/region.proto",
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    for proto in PROTOS {
        println!("cargo:rerun-if-changed={proto}");
    }
    let fds = protox::compile(PROTOS, ["."])?;
    let out_dir = PathBuf::from(std::env::var("OUT_DIR")?);
    std::fs::write(out_dir.join("midwa_descriptor.bin"), fds.encode_to_vec())?;
    tonic_prost_build::configure()
        .emit_rerun_if_changed(false)
        .codec_path("crate::codec::Codec")
        .compile_fds(fds)?;
    Ok(())
}
