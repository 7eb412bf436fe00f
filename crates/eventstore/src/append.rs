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
//! 6. insert the events, store the result with the key, `pg_notify`, commit.
//!
//! Why the order matters: `read_all` sorts by the writing transaction's id, assigned at its
//! first write. This append builds on the version n that step 2 read, so n's writer had
//! its id and committed before step 2; this transaction gets its id after step 2, so it is
//! larger: version n+1 always sorts after n. The conditional update in step 5 makes that
//! hold even for a writer that bypassed the lock.
//!
//! Two designs that break it, both caught by tests: a transaction that writes something
//! first and reads the stream afterwards can hold an older id than n's writer
//! (`write_before_stream_read_can_sort_next_version_first` builds one by hand); and locking
//! the stream's row with `FOR UPDATE` assigns the id *before* waiting for the lock, so of
//! several queued appends an older id can be granted the lock later and sort before its
//! predecessor (`appends_keep_each_stream_in_version_order_under_contention` fails with it).
//! No caller can build either, since no transaction is exposed.
//!
//! Locks are always taken stream first, then idempotency key, then the stream's row, and
//! one append touches one stream, so appends cannot deadlock one another.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use chrono::DurationRound;
use sqlx::{Postgres, Row, Transaction};

use crate::error::unique_violation;
use crate::read::{parse_xid, to_version};
use crate::{
    AppendOutcome, AppendRequest, AppendResult, Cursor, EventStore, ExpectedVersion, StoreError,
    StreamKind, StreamRef,
};

/// Channel `pg_notify`'d by every append, so that tailing readers can `LISTEN` instead of
/// polling hard. The payload is empty: a wake-up, not data.
pub const NOTIFY_CHANNEL: &str = "ofsted_events";

/// How many times an `ExpectedVersion::Any` append retries after losing a race; under the
/// advisory lock that only happens against a writer that bypassed it.
const ANY_RETRIES: u32 = 64;

/// First key of the two-key advisory lock space reserved for stream locks (the second is a
/// hash of the stream id; a collision only makes two streams queue together). The two-key
/// space is distinct from the one-`bigint` space of sqlx's migrator and the relay's leader lock.
const ADVISORY_LOCK_CLASS: i32 = 0x0F57_E501;

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
    /// The stream was not at the expected version, or moved under us.
    Conflict,
    /// The idempotency key is already committed (possibly after waiting for its holder).
    KeyTaken,
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

        // Fast path for a retried request: no transaction at all.
        if let Some(first) = self.duplicate_of(&req).await? {
            return Ok(AppendOutcome::Duplicate(first));
        }

        let mut retries = 0;
        loop {
            match self.try_append(&req, &mut before_commit).await? {
                Attempt::Committed(result) => {
                    tracing::debug!(new_version = result.new_version, "appended");
                    return Ok(AppendOutcome::Appended(result));
                }
                Attempt::KeyTaken => {
                    if let Some(first) = self.duplicate_of(&req).await? {
                        return Ok(AppendOutcome::Duplicate(first));
                    }
                    // Keys are never deleted, so this is unreachable in practice; retry.
                }
                Attempt::Conflict => {
                    // A concurrent request with our key may have won the race: it is then
                    // our first result, not a conflict.
                    if let Some(first) = self.duplicate_of(&req).await? {
                        return Ok(AppendOutcome::Duplicate(first));
                    }
                    if req.expected != ExpectedVersion::Any || retries >= ANY_RETRIES {
                        let current = self.stream_version(req.stream.id).await?;
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

    /// One transaction attempt, in the order the module docs explain.
    async fn try_append(
        &self,
        req: &AppendRequest,
        before_commit: &mut BeforeCommit<'_>,
    ) -> Result<Attempt, StoreError> {
        let stream = &req.stream;
        let mut tx = self.pool.begin().await?;

        // 1. Queue behind other appends to this stream, without taking a transaction id.
        sqlx::query("SELECT pg_advisory_xact_lock($1, hashtext($2::text))")
            .bind(ADVISORY_LOCK_CLASS)
            .bind(stream.id)
            .execute(&mut *tx)
            .await?;

        // 2. Read the stream before any write.
        let current = read_stream_row(&mut tx, stream).await?;

        // 3. Claim the idempotency key; waits for an in-flight holder of the same key.
        if let Some(idem) = &req.idempotency {
            let claimed = sqlx::query(
                "INSERT INTO idempotency_keys (actor, key, request_hash) VALUES ($1, $2, $3) \
                 ON CONFLICT (actor, key) DO NOTHING",
            )
            .bind(&idem.actor)
            .bind(&idem.key)
            .bind(&idem.request_hash)
            .execute(&mut *tx)
            .await?
            .rows_affected()
                == 1;
            if !claimed {
                tx.rollback().await?;
                return Ok(Attempt::KeyTaken);
            }
        }

        // 4. The caller's expectation, against what was read.
        if !req.expected.admits(current) {
            tx.rollback().await?;
            return Ok(Attempt::Conflict);
        }

        // 5. Move the stream, only if nobody did since step 2.
        let base = current.unwrap_or(0);
        let count = u64::try_from(req.events.len()).unwrap_or(u64::MAX);
        let first_version = base + 1;
        let new_version = base + count;
        let new_version_db = to_db_version(new_version)?;
        let moved = match current {
            None => sqlx::query(
                "INSERT INTO streams (stream_id, kind, lead_provider_id, version) \
                 VALUES ($1, $2, $3, $4) ON CONFLICT (stream_id) DO NOTHING",
            )
            .bind(stream.id)
            .bind(stream.kind.as_str())
            .bind(stream.lead_provider_id)
            .bind(new_version_db),
            Some(read) => {
                sqlx::query("UPDATE streams SET version = $2 WHERE stream_id = $1 AND version = $3")
                    .bind(stream.id)
                    .bind(new_version_db)
                    .bind(to_db_version(read)?)
            }
        }
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        if !moved {
            tx.rollback().await?;
            return Ok(Attempt::Conflict);
        }

        // 6. The events themselves.
        let metadata_json = |e: &crate::NewEvent| {
            serde_json::to_value(&e.metadata)
                .map_err(|err| StoreError::Corrupt(format!("event metadata: {err}")))
        };
        let mut last_cursor = Cursor::START;
        for (offset, event) in (0u64..).zip(&req.events) {
            let inserted = sqlx::query(
                "INSERT INTO events (stream_id, stream_kind, lead_provider_id, version, event_id, \
                 event_type, schema_version, payload, metadata, recorded_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
                 RETURNING position, xid::text AS xid",
            )
            .bind(stream.id)
            .bind(stream.kind.as_str())
            .bind(stream.lead_provider_id)
            .bind(to_db_version(first_version + offset)?)
            .bind(event.event_id)
            .bind(&event.event_type)
            .bind(i32::try_from(event.schema_version).map_err(|_| {
                StoreError::Corrupt(format!(
                    "schema version {} out of range",
                    event.schema_version
                ))
            })?)
            .bind(&event.payload)
            .bind(metadata_json(event)?)
            .bind(req.recorded_at)
            .fetch_one(&mut *tx)
            .await;
            let row = match inserted {
                Ok(row) => row,
                Err(err) => {
                    return match unique_violation(&err) {
                        Some("events_event_id_key") => {
                            Err(StoreError::DuplicateEventId(event.event_id))
                        }
                        // Cannot happen while every writer goes through `streams`, but the
                        // unique key is the last line of defence: report it as the race it is.
                        Some("events_stream_version_key") => Ok(Attempt::Conflict),
                        _ => Err(err.into()),
                    };
                }
            };
            let xid: String = row.try_get("xid")?;
            last_cursor = Cursor::new(parse_xid(&xid)?, row.try_get("position")?);
        }

        let result = AppendResult {
            stream_id: stream.id,
            first_version,
            new_version,
            event_ids: req.events.iter().map(|e| e.event_id).collect(),
            cursor: last_cursor,
            recorded_at: req.recorded_at,
        };

        if let Some(idem) = &req.idempotency {
            let json = serde_json::to_value(&result)
                .map_err(|err| StoreError::Corrupt(format!("append result: {err}")))?;
            sqlx::query("UPDATE idempotency_keys SET result = $3 WHERE actor = $1 AND key = $2")
                .bind(&idem.actor)
                .bind(&idem.key)
                .bind(json)
                .execute(&mut *tx)
                .await?;
        }

        // Delivered at commit; wakes `LISTEN`ing tailing readers.
        sqlx::query("SELECT pg_notify($1, '')")
            .bind(NOTIFY_CHANNEL)
            .execute(&mut *tx)
            .await?;

        before_commit.run().await;
        tx.commit().await?;
        Ok(Attempt::Committed(result))
    }
}

/// Step 2: the stream's current version, checking that the request names it consistently.
async fn read_stream_row(
    tx: &mut Transaction<'static, Postgres>,
    requested: &StreamRef,
) -> Result<Option<u64>, StoreError> {
    let row =
        sqlx::query("SELECT kind, lead_provider_id, version FROM streams WHERE stream_id = $1")
            .bind(requested.id)
            .fetch_optional(&mut **tx)
            .await?;
    let Some(row) = row else { return Ok(None) };
    let kind: String = row.try_get("kind")?;
    let existing = StreamRef {
        id: requested.id,
        kind: StreamKind::from_db(&kind)
            .ok_or_else(|| StoreError::Corrupt(format!("unknown stream kind {kind:?}")))?,
        lead_provider_id: row.try_get("lead_provider_id")?,
    };
    if existing != *requested {
        return Err(StoreError::StreamMismatch {
            existing,
            requested: requested.clone(),
        });
    }
    Ok(Some(to_version(row.try_get("version")?)?))
}

fn to_db_version(v: u64) -> Result<i64, StoreError> {
    i64::try_from(v).map_err(|_| StoreError::Corrupt(format!("version {v} out of range")))
}
