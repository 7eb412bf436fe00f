//! Test support shared by the integration tests: a fresh Postgres database per test and
//! unique names, so tests run in parallel against one shared server.
//!
//! # Layout
//! - `db.rs`: [`TestDb`], a throw-away database, and [`admin_url`].
//! - `nats.rs`: [`nats::TestNats`], a stream name and subject prefix per test, and
//!   [`nats::TcpProxy`] to cut a client off the shared server.
//!
//! Add further helpers (e.g. NATS) as sibling modules re-exported here.

pub mod db;
pub mod nats;

pub use db::{ADMIN_URL_DEFAULT, TestDb, admin_url};

/// A short string unique to this call (a v4 UUID, hex without dashes), for database,
/// stream, subject or consumer names that must not collide between parallel tests.
pub fn unique_suffix() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}
