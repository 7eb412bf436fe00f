//! End-to-end support: both real services against the real Postgres and NATS, driven over
//! gRPC the way other Ofsted systems drive them. Used by the scenario and fault tests in
//! `tests/` and by the `demo` binary.
//!
//! # Layout
//! - [`poll`]: wait for a condition with a deadline (no fixed sleeps).
//! - [`clock`]: [`clock::Clocks`], the one manual clock both services read.
//! - [`stack`]: [`stack::Stack`], both services in-process on port 0 with databases, a stream
//!   and a subject prefix of their own.
//! - [`process`]: [`process::ServiceProcess`], a service binary as a child process (kill -9,
//!   restart), and the helpers those binaries use.
//! - [`nats_server`]: [`nats_server::PrivateNats`], a nats-server of the test's own.
//! - [`api`]: gRPC clients and the actors of DOMAIN.md as request metadata.
//! - [`journey`]: [`journey::Journey`], one inspection driven command by command, waiting for
//!   the read models after each.
//! - [`load`]: [`load::Load`], concurrent commands with a tally of what was acknowledged.
//! - [`requests`]: request bodies (evidence submissions, documents, grades).
//! - [`script`]: the worked examples of DOMAIN.md as stages (demo and scenarios).
//! - [`show`]: read models as text (the demo prints them).
//! - [`counts`]: what is in the store and the read models, for the fault tests.
//! - [`roles`]: the services' least-privilege Postgres roles (`deploy/postgres/roles.sql`).

pub mod api;
pub mod clock;
pub mod counts;
pub mod journey;
pub mod load;
pub mod nats_server;
pub mod poll;
pub mod process;
pub mod requests;
pub mod roles;
pub mod script;
pub mod show;
pub mod stack;
