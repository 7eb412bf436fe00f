//! The gRPC API of the inspections service (`ofsted.inspections.v1`) and its conversions to
//! the domain's commands.
//!
//! # Layout
//! - [`pb`]: code generated at build time from `proto/` (messages, server and client), plus
//!   [`pb::FILE_DESCRIPTOR_SET`] for the reflection service.
//! - [`convert`]: request → domain command. Every value goes through the domain's own
//!   constructors (`Text::new`, `ContractSet::new`, `DocumentRef::new`, …), so no rule is
//!   written twice; this crate adds only what the wire format itself needs (a field that is
//!   absent, an enum left `*_UNSPECIFIED`, a malformed date). Refusals are
//!   [`domain::DomainError`]s whose `field` is the dotted path in the request
//!   (`meta.inspection_id`, `representatives[0].email`).

pub mod convert;

/// Generated code of package `ofsted.inspections.v1`.
#[allow(
    missing_docs,
    missing_debug_implementations,
    clippy::all,
    clippy::pedantic
)]
pub mod pb {
    tonic::include_proto!("ofsted.inspections.v1");

    /// Encoded `FileDescriptorSet` of the API, for `tonic-reflection`.
    pub const FILE_DESCRIPTOR_SET: &[u8] =
        tonic::include_file_descriptor_set!("ofsted_inspections_v1_descriptor");

    /// Fully qualified name of the command service, as reflection and health report it.
    pub const COMMAND_SERVICE_NAME: &str = "ofsted.inspections.v1.InspectionCommandService";
}

pub use convert::{CommandRequest, Meta, Parsed, codes, wire_field};
