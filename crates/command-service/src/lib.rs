//! The command service: the write side of the inspections system over gRPC.
//!
//! Each RPC authenticates the caller (a bearer JWT, verified by the `auth` crate), parses the request into a domain command (`proto`),
//! loads the stream(s), runs the domain's `decide` and appends the events to the Postgres
//! event store with optimistic concurrency and idempotency keys. The outbox relay (`bus`)
//! runs as a task and carries committed events to NATS JetStream; commands never wait for
//! NATS.
//!
//! # Layout
//! - [`config`]: environment variables and their local defaults; the R5 clock rule.
//! - [`clock`]: the [`Clock`] trait, system and controllable clocks.
//! - [`auth`]: who is calling: the identity verified from the bearer token, nothing else.
//! - [`errors`]: [`errors::CommandError`] and its one mapping to gRPC statuses.
//! - `handler`: validate → load → decide → append, written once for both aggregates.
//! - `service`: the `InspectionCommandService` implementation, one line per RPC.
//! - [`public`]: the relay's mapper of report shares to the public DfE message (R26, R31).
//! - `startup`: database creation, migrations, readiness, the relay task.
//! - `server`: [`run`], health, reflection and graceful shutdown.
//! - `telemetry`: [`init_telemetry`].

pub mod auth;
pub mod clock;
pub mod config;
pub mod errors;
mod handler;
pub mod public;
mod server;
mod service;
mod startup;
mod telemetry;

pub use clock::{Clock, ManualClock, OffsetClock, SystemClock};
pub use config::{ClockSetting, Config, ConfigError, Environment};
pub use handler::{CAUSATION_HEADER, CORRELATION_HEADER, TRACEPARENT_HEADER};
pub use server::{RunError, run};
pub use telemetry::init_telemetry;
