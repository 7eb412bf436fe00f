//! The store's one error type, with caller errors kept apart from infrastructure failures.

use uuid::Uuid;

use crate::{ExpectedVersion, StreamRef};

/// Everything an event-store operation can fail with.
///
/// The first group are outcomes the caller must handle (a lost race, a reused idempotency
/// key, a bad cursor or request); [`StoreError::Unavailable`] means "retry later" (the
/// gRPC layer maps it to `UNAVAILABLE`); the rest are internal.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Optimistic concurrency: the stream was not at the expected version.
    #[error("stream {stream_id} is at version {current:?}, expected {expected:?}")]
    Conflict {
        stream_id: Uuid,
        expected: ExpectedVersion,
        /// The stream's version when the conflict was detected (`None`: no such stream).
        current: Option<u64>,
    },
    /// The (actor, key) pair was already used for a request with another hash.
    #[error("idempotency key {key:?} of {actor:?} was already used for a different request")]
    IdempotencyMismatch { actor: String, key: String },
    /// A resume token that this store did not produce.
    #[error("invalid cursor {0:?}")]
    InvalidCursor(String),
    /// An append to an existing stream named another kind or lead provider.
    #[error("stream {} exists as {existing:?}, not as {requested:?}", existing.id)]
    StreamMismatch {
        existing: StreamRef,
        requested: StreamRef,
    },
    /// An append must carry at least one event.
    #[error("an append needs at least one event")]
    EmptyAppend,
    /// An event id already in the store: ids are unique across streams.
    #[error("event id {0} is already in the store")]
    DuplicateEventId(Uuid),
    /// Connection-level failure (refused, reset, pool timed out or closed, server shutting
    /// down): nothing is known to have been written unless the commit was sent.
    #[error("event store unavailable")]
    Unavailable(#[source] sqlx::Error),
    /// Any other database error.
    #[error("event store database error")]
    Database(#[source] sqlx::Error),
    /// Running the embedded migrations failed.
    #[error("event store migration failed")]
    Migrate(#[source] sqlx::migrate::MigrateError),
    /// A stored row could not be decoded (schema drift or manual edits).
    #[error("corrupt event store row: {0}")]
    Corrupt(String),
}

impl From<sqlx::Error> for StoreError {
    fn from(err: sqlx::Error) -> Self {
        if is_connection_level(&err) {
            StoreError::Unavailable(err)
        } else {
            StoreError::Database(err)
        }
    }
}

/// Whether an error says "the database cannot be reached right now" rather than "this
/// statement is wrong".
pub(crate) fn is_connection_level(err: &sqlx::Error) -> bool {
    match err {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed
        | sqlx::Error::BeginFailed => true,
        sqlx::Error::Database(db) => db.code().is_some_and(|code| {
            // 08: connection exception; 57P01..57P05: admin/crash shutdown, cannot connect
            // now, idle-session timeout; 53300: too many connections; 53: resources.
            code.starts_with("08") || code.starts_with("57P") || code.starts_with("53")
        }),
        _ => false,
    }
}

/// The unique constraint a database error violated, if it is a unique violation (23505).
pub(crate) fn unique_violation(err: &sqlx::Error) -> Option<&str> {
    match err {
        sqlx::Error::Database(db) if db.code().as_deref() == Some("23505") => {
            Some(db.constraint().unwrap_or(""))
        }
        _ => None,
    }
}
