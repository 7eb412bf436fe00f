//! NATS JetStream adapter of the write side: where committed events go after Postgres.
//!
//! Postgres is the source of truth; this crate carries its events, in the store's order, to
//! the internal JetStream stream that the projection service and operators consume.
//!
//! # Layout
//! - [`config`] — [`BusConfig`], the stream name, subject prefix and duplicate window shared by
//!   the relay and every consumer;
//! - [`credentials`] — [`NatsCredentials`] (`NATS_USER`, `NATS_PASSWORD`) and the connect
//!   options built from them;
//! - [`subject`] — how an event's subject is built (`<prefix>.<lead_provider>.<stream>.<type>`);
//! - [`stream`] — [`ensure_stream`], creating or updating the stream with an explicit window;
//! - [`headers`] — the header names every published message carries;
//! - [`envelope`] — [`Envelope`], the JSON body published and deserialised by consumers;
//! - [`relay`] — the transactional outbox relay (leader election, durable cursor, reconcile);
//! - [`replay`] — operators' re-publish of stored events (idempotent by `Nats-Msg-Id`);
//! - [`consumer`] — small helpers to open durable and ordered consumers on the stream;
//! - [`public`] — the public stream and subjects (DfE): [`PublicMapper`], the domain-free hook
//!   through which the relay publishes a mapped message before the internal one.

pub mod config;
pub mod consumer;
pub mod credentials;
pub mod envelope;
pub mod headers;
pub mod public;
pub mod relay;
pub mod replay;
pub mod stream;
pub mod subject;

pub use config::BusConfig;
pub use consumer::{durable_pull_consumer, ephemeral_ordered_consumer};
pub use credentials::{NatsCredentials, connect_options};
pub use envelope::Envelope;
pub use public::{PublicConfig, PublicMapError, PublicMapper, PublicMessage, PublicPublisher};
pub use relay::{Relay, RelayConfig, RelayError, RelayStatus};
pub use stream::{StreamError, ensure_stream};
pub use subject::event_subject;
