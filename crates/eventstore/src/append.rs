//! Appending: optimistic concurrency, idempotency keys, and the read-before-write rule.
//!
//! One append is one short transaction, always in this order:
//! 1. take a transaction-scoped advisory lock on the stream — it queues concurrent appends
//!    to one stream and, unlike `SELECT ... FOR UPDATE`, assigns no transaction id;
//! 2. read the stream's row (before any write);
//! 3. claim the idempotency key, if any (a concurrent request with the same key waits here
//!    for the first to finish, then gets its result) — the first write: the transaction
//!    gets its id here or in step 5;
//! 4. check the expected version against what step 2 read;
//! 5. move the stream's version, conditionally on the value read in step 2;
//! 6. insert the events, store the result with the key, commit;
//! 7. after the commit, `pg_notify` [`NOTIFY_CHANNEL`] in a transaction of its own (see
//!    `Notifier`: notifying inside the append would serialise all appends' commits).
//!
//! A request with a key first looks the key up (a read, before the lock), so a retry of a
//! committed request returns its first result without waiting for the stream.
//!
//! The steps run inside the Postgres function `eventstore_append` (migration
//! `20250401000001_append_function.sql`), called as one statement in autocommit mode: one
//! round trip per append, where running them from here took 8 + one per event (begin, key
//! look-up, lock, read, claim, move, each insert, store result, notify, commit; the pool's
//! liveness ping on top). The function
//! runs with the caller's privileges (the command role only needs EXECUTE on it) and the
//! append-only trigger on `events` still applies. A conflict found after the key was claimed
//! raises (SQLSTATE `OFC01`), so that the claim rolls back with everything else.
//!
//! Why the order matters: `read_all` sorts by the writing transaction's id, assigned at its
//! first write. This append builds on the version n that step 2 read, so n's writer had
//! its id and committed before step 2; this transaction gets its id after step 2, so it is
//! larger: version n+1 always sorts after n. The conditional update in step 5 makes that
//! hold even for a writer that bypassed the lock. (Inside the function each statement takes
//! a fresh snapshot, so step 2 sees what the previous lock holder committed.)
//!
//! Two designs that break it, both caught by tests: a transaction that writes something
//! first and reads the stream afterwards can hold an older id than n's writer
//! (`write_before_stream_read_can_sort_next_version_first` builds one by hand); and locking
//! the stream's row with `FOR UPDATE` assigns the id *before* waiting for the lock, so of
//! several queued appends an older id can be granted the lock later and sort before its
//! predecessor (`appends_keep_each_stream_in_version_order_under_contention` fails with it).
//! No caller can build either, since no transaction is exposed. The test hooks that hold an
//! append open before commit call the same function inside an explicit transaction.
//!
//! Locks are always taken stream first, then idempotency key, then the stream's row, and
//! one append touches one stream, so appends cannot deadlock one another.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use chrono::DurationRound;
use sqlx::postgres::PgDatabaseError;
use sqlx::{PgPool, Row};
use uuid::Uuid;

use crate::error::unique_violation;
use crate::read::{first_result, parse_xid, to_version};
use crate::{
    AppendOutcome, AppendRequest, AppendResult, Cursor, EventStore, ExpectedVersion, StoreError,
    StreamKind, StreamRef,
};

/// Channel `pg_notify`'d after appends, so that tailing readers can `LISTEN` instead of
/// polling hard. The payload is empty: a wake-up, not data. Every append is followed by a
/// notification sent after its commit, but one notification may stand for several appends
/// (see `Notifier` in `append.rs`).
pub const NOTIFY_CHANNEL: &str = "ofsted_events";

/// How many times an `ExpectedVersion::Any` append retries after losing a race; under the
/// advisory lock that only happens against a writer that bypassed it.
const ANY_RETRIES: u32 = 64;

/// First key of the two-key advisory lock space reserved for stream locks (the second is a
/// hash of the stream id; a collision only makes two streams queue together). The two-key
/// space is distinct from the one-`bigint` space of sqlx's migrator and the relay's leader lock.
const ADVISORY_LOCK_CLASS: i32 = 0x0F57_E501;

/// SQLSTATE that `eventstore_append` raises for a conflict found after it claimed the
/// idempotency key (raising rolls the claim back); the current version is in the DETAIL.
const CONFLICT_AFTER_CLAIM: &str = "OFC01";

/// Something to await between writing and committing (tests only).
enum BeforeCommit<'a> {
    Nothing,
    Delay(Duration),
    /// Awaited once, on the first attempt.
    Pause(Option<Pin<Box<dyn Future<Output = ()> + Send + 'a>>>),
}

impl BeforeCommit<'_> {
    async fn run(&mut self) {
        match self {
            BeforeCommit::Nothing => {}
            BeforeCommit::Delay(d) => tokio::time::sleep(*d).await,
            BeforeCommit::Pause(pause) => {
                if let Some(pause) = pause.take() {
                    pause.await;
                }
            }
        }
    }
}

/// How one transaction attempt ended, short of an error.
enum Attempt {
    Committed(AppendResult),
    /// The idempotency key was used before for this request (possibly after waiting for
    /// its holder): the first result.
    Duplicate(AppendResult),
    /// The stream was not at the expected version, or moved under us; its version then.
    Conflict(Option<u64>),
    /// The idempotency key is taken but has no result (cannot happen: only committed keys
    /// are visible, and they have one); retried.
    KeyTaken,
}

/// Sends the `NOTIFY` for appends, outside their transactions.
///
/// A transaction that notifies holds a cluster-wide lock from pre-commit until its commit
/// record is flushed, so notifying inside each append serialises every append's commit and
/// fsync (measured: about 600 appends/s at 32 writers with it, 4,500 without). Instead, a
/// committed append asks for a wake-up here; one task per burst sends `pg_notify` in its own
/// short transaction with `synchronous_commit` off (a lost wake-up only costs a reader its
/// poll interval) until no append asked since its last one. So every append is followed by a
/// notification sent after its commit, and a burst of appends shares a few.
#[derive(Debug, Default)]
pub(crate) struct Notifier {
    /// An append committed since the last notification was sent.
    pending: AtomicBool,
    /// A task is sending notifications.
    running: AtomicBool,
}

impl Notifier {
    /// Ask for a notification after a committed append.
    fn wake(self: &Arc<Self>, pool: &PgPool) {
        self.pending.store(true, Ordering::SeqCst);
        if self.running.swap(true, Ordering::SeqCst) {
            return;
        }
        let (notifier, pool) = (Arc::clone(self), pool.clone());
        tokio::spawn(async move {
            loop {
                while notifier.pending.swap(false, Ordering::SeqCst) {
                    let sent = sqlx::query(
                        "SELECT pg_notify($1, ''), set_config('synchronous_commit', 'off', true)",
                    )
                    .bind(NOTIFY_CHANNEL)
                    .execute(&pool)
                    .await;
                    if let Err(e) = sent {
                        // Readers poll as well; a closed pool means the store is gone.
                        tracing::debug!(error = %e, "append notification not sent");
                        if matches!(e, sqlx::Error::PoolClosed) {
                            notifier.pending.store(false, Ordering::SeqCst);
                        }
                    }
                }
                notifier.running.store(false, Ordering::SeqCst);
                // An append that asked after the loop's last look, but saw it running.
                if !notifier.pending.load(Ordering::SeqCst)
                    || notifier.running.swap(true, Ordering::SeqCst)
                {
                    return;
                }
            }
        });
    }
}

impl EventStore {
    /// Append `req.events` to `req.stream` atomically, if the stream is at `req.expected`.
    ///
    /// Returns [`AppendOutcome::Duplicate`] with the first result when `req.idempotency`
    /// was already used with the same request hash; fails with
    /// [`StoreError::IdempotencyMismatch`] when it was used with another, and with
    /// [`StoreError::Conflict`] (carrying the current version) when the stream has moved.
    #[tracing::instrument(
        skip(self, req),
        fields(stream_id = %req.stream.id, expected = ?req.expected, events = req.events.len())
    )]
    pub async fn append(&self, req: AppendRequest) -> Result<AppendOutcome, StoreError> {
        self.append_inner(req, BeforeCommit::Nothing).await
    }

    /// [`EventStore::append`] sleeping `delay` inside the transaction, after the events are
    /// inserted and before commit: widens races in tests. Never use it in production.
    #[doc(hidden)]
    #[tracing::instrument(skip(self, req), fields(stream_id = %req.stream.id))]
    pub async fn append_with_delay_before_commit(
        &self,
        req: AppendRequest,
        delay: Duration,
    ) -> Result<AppendOutcome, StoreError> {
        self.append_inner(req, BeforeCommit::Delay(delay)).await
    }

    /// [`EventStore::append`] awaiting `pause` inside the transaction, after the events are
    /// inserted (their positions taken) and before commit. When `pause` is first polled the
    /// rows exist, uncommitted; the commit waits for it to complete. Awaited on the first
    /// attempt only. For tests that need a transaction held open; never use in production.
    #[doc(hidden)]
    #[tracing::instrument(skip(self, req, pause), fields(stream_id = %req.stream.id))]
    pub async fn append_with_pause_before_commit<F>(
        &self,
        req: AppendRequest,
        pause: F,
    ) -> Result<AppendOutcome, StoreError>
    where
        F: Future<Output = ()> + Send,
    {
        self.append_inner(req, BeforeCommit::Pause(Some(Box::pin(pause))))
            .await
    }

    async fn append_inner(
        &self,
        mut req: AppendRequest,
        mut before_commit: BeforeCommit<'_>,
    ) -> Result<AppendOutcome, StoreError> {
        if req.events.is_empty() {
            return Err(StoreError::EmptyAppend);
        }
        // Postgres keeps microseconds: truncate now so the result equals what is read back.
        req.recorded_at = req
            .recorded_at
            .duration_trunc(chrono::TimeDelta::microseconds(1))
            .unwrap_or(req.recorded_at);

        let mut retries = 0;
        loop {
            match self.try_append(&req, &mut before_commit).await? {
                Attempt::Committed(result) => {
                    tracing::debug!(new_version = result.new_version, "appended");
                    self.notifier.wake(&self.pool);
                    return Ok(AppendOutcome::Appended(result));
                }
                Attempt::Duplicate(first) => return Ok(AppendOutcome::Duplicate(first)),
                Attempt::KeyTaken => {}
                Attempt::Conflict(current) => {
                    // A concurrent request with our key may have won the race after our
                    // claim rolled back: it is then our first result, not a conflict.
                    if let Some(first) = self.duplicate_of(&req).await? {
                        return Ok(AppendOutcome::Duplicate(first));
                    }
                    if req.expected != ExpectedVersion::Any || retries >= ANY_RETRIES {
                        tracing::debug!(?current, "version conflict");
                        return Err(StoreError::Conflict {
                            stream_id: req.stream.id,
                            expected: req.expected,
                            current,
                        });
                    }
                }
            }
            retries += 1;
        }
    }

    /// The first result for `req`'s idempotency key, if it has one and it was used.
    async fn duplicate_of(&self, req: &AppendRequest) -> Result<Option<AppendResult>, StoreError> {
        match &req.idempotency {
            Some(idem) => {
                self.find_idempotent(&idem.actor, &idem.key, &idem.request_hash)
                    .await
            }
            None => Ok(None),
        }
    }

    /// One attempt: one call of `eventstore_append`, which runs the steps of the module docs.
    /// Without a hook it is a single statement in autocommit mode (one round trip); with one,
    /// it runs in an explicit transaction so that the hook can hold it open before commit.
    async fn try_append(
        &self,
        req: &AppendRequest,
        before_commit: &mut BeforeCommit<'_>,
    ) -> Result<Attempt, StoreError> {
        let metadata = req
            .events
            .iter()
            .map(|e| {
                serde_json::to_value(&e.metadata)
                    .map_err(|err| StoreError::Corrupt(format!("event metadata: {err}")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let schema_versions = req
            .events
            .iter()
            .map(|e| {
                i32::try_from(e.schema_version).map_err(|_| {
                    StoreError::Corrupt(format!("schema version {} out of range", e.schema_version))
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let expected = match req.expected {
            ExpectedVersion::Any => None,
            ExpectedVersion::NoStream => Some(0),
            ExpectedVersion::Exact(v) => Some(to_db_version(v)?),
        };
        let idem = req.idempotency.as_ref();
        let event_ids: Vec<Uuid> = req.events.iter().map(|e| e.event_id).collect();
        let query = sqlx::query(
            "SELECT status, version, existing_kind, existing_lead_provider_id, stored_hash, \
             stored_result, last_xid, last_position \
             FROM eventstore_append($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
        )
        .bind(ADVISORY_LOCK_CLASS)
        .bind(req.stream.id)
        .bind(req.stream.kind.as_str())
        .bind(req.stream.lead_provider_id)
        .bind(expected)
        .bind(idem.map(|i| i.actor.as_str()))
        .bind(idem.map(|i| i.key.as_str()))
        .bind(idem.map(|i| i.request_hash.as_str()))
        .bind(&event_ids)
        .bind(
            req.events
                .iter()
                .map(|e| e.event_type.as_str())
                .collect::<Vec<_>>(),
        )
        .bind(schema_versions)
        .bind(req.events.iter().map(|e| &e.payload).collect::<Vec<_>>())
        .bind(metadata)
        .bind(req.recorded_at);

        let row = if matches!(before_commit, BeforeCommit::Nothing) {
            query.fetch_one(&self.pool).await
        } else {
            let mut tx = self.pool.begin().await?;
            let row = query.fetch_one(&mut *tx).await;
            if let Ok(row) = &row {
                if row.try_get::<&str, _>("status")? == "appended" {
                    before_commit.run().await;
                }
                tx.commit().await?;
            }
            row
        };
        let row = match row {
            Ok(row) => row,
            Err(err) => return self.failed_attempt(req, err).await,
        };

        let status: String = row.try_get("status")?;
        match status.as_str() {
            "appended" => {
                let new_version = to_version(row.try_get("version")?)?;
                let count = u64::try_from(req.events.len()).unwrap_or(u64::MAX);
                let xid: String = row.try_get("last_xid")?;
                Ok(Attempt::Committed(AppendResult {
                    stream_id: req.stream.id,
                    first_version: new_version + 1 - count,
                    new_version,
                    event_ids,
                    cursor: Cursor::new(parse_xid(&xid)?, row.try_get("last_position")?),
                    recorded_at: req.recorded_at,
                }))
            }
            "duplicate" => {
                let idem = idem.ok_or_else(|| {
                    StoreError::Corrupt("a duplicate of a request without a key".into())
                })?;
                match first_result(
                    idem,
                    &row.try_get::<String, _>("stored_hash")?,
                    row.try_get("stored_result")?,
                )? {
                    Some(first) => Ok(Attempt::Duplicate(first)),
                    None => Ok(Attempt::KeyTaken),
                }
            }
            "conflict" => Ok(Attempt::Conflict(
                row.try_get::<Option<i64>, _>("version")?
                    .map(to_version)
                    .transpose()?,
            )),
            "stream_mismatch" => {
                let kind: String = row.try_get("existing_kind")?;
                Err(StoreError::StreamMismatch {
                    existing: StreamRef {
                        id: req.stream.id,
                        kind: StreamKind::from_db(&kind).ok_or_else(|| {
                            StoreError::Corrupt(format!("unknown stream kind {kind:?}"))
                        })?,
                        lead_provider_id: row.try_get("existing_lead_provider_id")?,
                    },
                    requested: req.stream.clone(),
                })
            }
            other => Err(StoreError::Corrupt(format!("append status {other:?}"))),
        }
    }

    /// An attempt that ended in an error: a conflict raised after the key was claimed (the
    /// claim rolled back with it), a unique key that caught a reused event id or a writer
    /// that bypassed `streams`, or a real failure.
    async fn failed_attempt(
        &self,
        req: &AppendRequest,
        err: sqlx::Error,
    ) -> Result<Attempt, StoreError> {
        if let sqlx::Error::Database(db) = &err
            && db.code().as_deref() == Some(CONFLICT_AFTER_CLAIM)
        {
            let detail = db
                .try_downcast_ref::<PgDatabaseError>()
                .and_then(PgDatabaseError::detail)
                .unwrap_or_default();
            let current = match detail {
                "" => None,
                v => Some(
                    v.parse::<u64>()
                        .map_err(|_| StoreError::Corrupt(format!("conflict detail {v:?}")))?,
                ),
            };
            return Ok(Attempt::Conflict(current));
        }
        match unique_violation(&err) {
            Some("events_event_id_key") => Err(StoreError::DuplicateEventId(
                self.reused_event_id(req).await?,
            )),
            // Cannot happen while every writer goes through `streams`, but the unique key is
            // the last line of defence: report it as the race it is.
            Some("events_stream_version_key") => {
                Ok(Attempt::Conflict(self.stream_version(req.stream.id).await?))
            }
            _ => Err(err.into()),
        }
    }

    /// The event id of `req` that made its insert fail: one already in the store, else one
    /// the request repeats.
    async fn reused_event_id(&self, req: &AppendRequest) -> Result<Uuid, StoreError> {
        let ids: Vec<Uuid> = req.events.iter().map(|e| e.event_id).collect();
        let stored: Option<Uuid> =
            sqlx::query_scalar("SELECT event_id FROM events WHERE event_id = ANY($1) LIMIT 1")
                .bind(&ids)
                .fetch_optional(&self.pool)
                .await?;
        let repeated = || {
            ids.iter()
                .enumerate()
                .find(|(i, id)| ids[..*i].contains(id))
                .map(|(_, id)| *id)
        };
        stored
            .or_else(repeated)
            .ok_or_else(|| StoreError::Corrupt("event id violation without a reused id".into()))
    }
}

fn to_db_version(v: u64) -> Result<i64, StoreError> {
    i64::try_from(v).map_err(|_| StoreError::Corrupt(format!("version {v} out of range")))
}
