//! Fault tests: both real services against the real Postgres and NATS (or a private NATS the
//! test stops), under a load of commands, with the failure injected mid-way. Each asserts and
//! prints its counts: commands acknowledged, events stored, events projected.
//!
//! `.config/nextest.toml` runs these one at a time (they load the machine) and shows their
//! output on success too.

mod kill_command_service;
mod kill_projection_service;
mod nats_outage;
mod postgres_cut;
mod support;
