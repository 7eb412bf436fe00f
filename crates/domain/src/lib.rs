//! Pure domain core of the Ofsted ECF/NPQ lead-provider inspection system.
//!
//! # Layout
//! - [`calendar`]: England-and-Wales working days (R1–R3) from the gov.uk `bank-holidays.json`.
//! - [`clock`]: where "now" comes from (system, manual, offset), shared by both services.
//! - [`london`]: Europe/London wall-clock rules (R4).
//! - [`schedule`]: the standard timeline of an inspection (R8, R10, R19, R20, R25, R27, R28).
//! - [`kind`], [`values`], [`ids`], [`evidence`], [`personal`]: types that cannot hold invalid
//!   values; personal data (R31) only in [`personal`]'s types.
//! - [`permissions`]: the role × command table.
//! - [`time_policy`]: R5, `occurred_at` versus `recorded_at`.
//! - [`lead_provider`]: the lead-provider aggregate (R6).
//! - [`inspection`]: the inspection aggregate, `decide` and `evolve` (R7–R28).
//! - [`deadlines`]: the deadline read model as a pure function (R29, R30).
//! - [`public`]: the PII-free report-shared message for DfE (R26, R31).
//! - [`views`]: read models (summary, survey window, report status, evidence checklist).
//! - [`error`]: refusals with stable rule codes.
//!
//! Nothing here does IO: no tokio, sqlx, tonic, prost or NATS (checked by `cargo tree`).

pub mod calendar;
pub mod clock;
pub mod deadlines;
pub mod error;
pub mod evidence;
pub mod ids;
pub mod inspection;
pub mod kind;
pub mod lead_provider;
pub mod london;
pub mod permissions;
pub mod personal;
pub mod public;
pub mod schedule;
pub mod time_policy;
pub mod values;
pub mod views;

pub use error::{DomainError, ErrorKind, ValueError};
