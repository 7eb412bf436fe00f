//! A Postgres event store that tailing readers can trust.
//!
//! Generic over the domain: streams are identified by UUID, events carry a JSON payload and
//! metadata, and the store enforces only stream versions and idempotency keys.
//!
//! # Layout
//! - [`EventStore`] (`store.rs`): connecting and migrations (`migrations/`, embedded with
//!   `sqlx::migrate!`, tracked in their own `_eventstore_migrations` table).
//! - `append.rs`: [`EventStore::append`] — optimistic concurrency, idempotency keys, and
//!   the read-before-write rule below.
//! - `read.rs`: [`EventStore::read_stream`], [`EventStore::read_all`],
//!   [`EventStore::find_idempotent`].
//! - `cursor.rs`: [`Cursor`], the opaque resume token of `read_all`.
//! - `types.rs`, `error.rs`: the request/result values and [`StoreError`].
//!
//! # Why the read-all order is `(xid, position)` below `xmin`
//! `position` is an identity column: its value is taken at insert, long before commit. A
//! reader that resumes with `WHERE position > last` can see position 11 committed while 10
//! is still in flight, move past 10, and never see it — a bug found again and again in
//! event stores (Marten, Eventuous, SQLStreamStore). Instead each row stores its writing
//! transaction's id (`pg_current_xact_id()`, a 64-bit `xid8`), and [`EventStore::read_all`]
//! returns only rows with `xid < pg_snapshot_xmin(pg_current_snapshot())`: every
//! transaction below the oldest still running one has finished, so nothing can commit
//! *behind* what the reader has seen. Rows are sorted and resumed by `(xid, position)`,
//! which is why the resume token is a [`Cursor`] and never the raw position (positions are
//! not monotonic in that order).
//!
//! Two consequences. An append must read (here: lock) its stream before any other write
//! (see `append.rs`), or version n+1 could get an older xid than version n and sort before
//! it; the API exposes no transaction, so callers cannot break that. And `xmin` is
//! cluster-wide: one long transaction anywhere on the server holds back every tailing
//! reader until it ends, so transactions here are short, and shared test clusters see
//! readers lag while other tests hold transactions open.

mod append;
mod cursor;
mod error;
mod read;
mod store;
mod types;

pub use append::NOTIFY_CHANNEL;
pub use cursor::Cursor;
pub use error::StoreError;
pub use store::EventStore;
pub use types::{
    AppendOutcome, AppendRequest, AppendResult, EventMetadata, ExpectedVersion, IdempotencyRecord,
    NewEvent, RecordedEvent, StreamKind, StreamRef,
};
