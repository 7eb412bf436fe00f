//! Generates the gRPC code and a file descriptor set (for reflection) from `proto/`, with the
//! protoc shipped by `protoc-bin-vendored`, so no system protoc is needed.

use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Read at run time: `env!` would bake in the path of whichever checkout compiled the script.
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR")?).join("../../proto");
    let out_dir = PathBuf::from(std::env::var("OUT_DIR")?);
    let protos = [
        root.join("ofsted/inspections/v1/types.proto"),
        root.join("ofsted/inspections/v1/commands.proto"),
        root.join("ofsted/inspections/v1/queries.proto"),
    ];
    let includes = [root.clone(), protoc_bin_vendored::include_path()?];

    let mut config = tonic_prost_build::Config::new();
    config.protoc_executable(protoc_bin_vendored::protoc_bin_path()?);
    tonic_prost_build::configure()
        .file_descriptor_set_path(out_dir.join("ofsted_inspections_v1_descriptor.bin"))
        .compile_with_config(config, &protos, &includes)?;
    for proto in &protos {
        println!("cargo:rerun-if-changed={}", proto.display());
    }
    Ok(())
}
