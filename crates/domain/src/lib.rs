//! Pure domain core of the Ofsted ECF/NPQ lead-provider inspection system.
//!
//! # Layout
//! - [`calendar`]: England-and-Wales working days (R1–R3) from the gov.uk `bank-holidays.json`.
//! - [`london`]: Europe/London wall-clock rules (R4).
//! - [`schedule`]: the standard timeline of an inspection (R8, R10, R20, R19, R25, R28).
//! - [`kind`]: full inspection or LPMV (R7).
//!
//! Nothing here does IO: no tokio, sqlx, tonic, prost or NATS (checked by `cargo tree`).

pub mod calendar;
pub mod kind;
pub mod london;
pub mod schedule;
