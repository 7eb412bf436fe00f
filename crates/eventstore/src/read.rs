//! Reading: one stream, the whole store in tailing-safe order, and idempotency look-ups.

use sqlx::Row;
use sqlx::postgres::PgRow;
use uuid::Uuid;

use crate::{
    AppendResult, Cursor, EventMetadata, EventStore, IdempotencyRecord, RecordedEvent, StoreError,
    StreamKind, StreamRef,
};

/// The columns every event read selects, in the order [`decode_event`] expects.
/// (A macro so that `concat!` can build `&'static str` queries from it.)
macro_rules! event_columns {
    () => {
        "position, xid::text AS xid_text, stream_id, stream_kind, lead_provider_id, version, \
         event_id, event_type, schema_version, payload, metadata, recorded_at"
    };
}

impl EventStore {
    /// The events of one stream with `version >= from_version`, in version order.
    ///
    /// Unlike [`EventStore::read_all`] this sees every committed event at once: within a
    /// stream, versions are dense and the unique (stream, version) key orders them.
    #[tracing::instrument(skip(self))]
    pub async fn read_stream(
        &self,
        stream_id: Uuid,
        from_version: u64,
    ) -> Result<Vec<RecordedEvent>, StoreError> {
        let from = i64::try_from(from_version).unwrap_or(i64::MAX);
        let rows = sqlx::query(concat!(
            "SELECT ",
            event_columns!(),
            " FROM events WHERE stream_id = $1 AND version >= $2 ORDER BY version"
        ))
        .bind(stream_id)
        .bind(from)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(decode_event).collect()
    }

    /// The version of the stream's last event, `None` if the stream does not exist.
    #[tracing::instrument(skip(self))]
    pub async fn stream_version(&self, stream_id: Uuid) -> Result<Option<u64>, StoreError> {
        let version: Option<i64> =
            sqlx::query_scalar("SELECT version FROM streams WHERE stream_id = $1")
                .bind(stream_id)
                .fetch_optional(&self.pool)
                .await?;
        version.map(to_version).transpose()
    }

    /// Up to `limit` events strictly after `after` (`None`: from the start), in the order a
    /// tailing reader can follow without ever skipping an event that commits late.
    ///
    /// Only rows whose transaction id is below the snapshot's `xmin` are returned: every
    /// transaction below `xmin` has finished, so no row can later appear *before* the last
    /// one returned. Rows are ordered by `(xid, position)` and resumed by the same pair,
    /// wrapped in the opaque [`Cursor`]. The price: one long transaction anywhere on the
    /// Postgres cluster holds every reader back until it ends.
    #[tracing::instrument(skip(self), fields(after = %after.copied().unwrap_or(Cursor::START)))]
    pub async fn read_all(
        &self,
        after: Option<&Cursor>,
        limit: i64,
    ) -> Result<Vec<RecordedEvent>, StoreError> {
        if limit <= 0 {
            return Ok(Vec::new());
        }
        let after = after.copied().unwrap_or(Cursor::START);
        let rows = sqlx::query(concat!(
            "SELECT ",
            event_columns!(),
            " FROM events \
             WHERE xid < pg_snapshot_xmin(pg_current_snapshot()) \
               AND (xid, position) > ($1::text::xid8, $2) \
             ORDER BY events.xid, events.position \
             LIMIT $3"
        ))
        .bind(after.xid().to_string())
        .bind(after.position())
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(decode_event).collect()
    }

    /// The naive tailing read, `WHERE position > $1 ORDER BY position`: it skips events whose
    /// transaction commits after a later position became visible. Exists only so that tests
    /// can demonstrate that; never use it.
    #[doc(hidden)]
    #[tracing::instrument(skip(self))]
    pub async fn read_all_naive_for_tests(
        &self,
        after_position: i64,
        limit: i64,
    ) -> Result<Vec<RecordedEvent>, StoreError> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            event_columns!(),
            " FROM events WHERE position > $1 ORDER BY position LIMIT $2"
        ))
        .bind(after_position)
        .bind(limit.max(0))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(decode_event).collect()
    }

    /// The committed result of the first append made with (`actor`, `key`), if any.
    ///
    /// Fails with [`StoreError::IdempotencyMismatch`] when that append had another
    /// `request_hash`: a key names one request, and reusing it for another is refused.
    #[tracing::instrument(skip(self, request_hash))]
    pub async fn find_idempotent(
        &self,
        actor: &str,
        key: &str,
        request_hash: &str,
    ) -> Result<Option<AppendResult>, StoreError> {
        let row = sqlx::query(
            "SELECT request_hash, result FROM idempotency_keys WHERE actor = $1 AND key = $2",
        )
        .bind(actor)
        .bind(key)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let record = IdempotencyRecord {
            actor: actor.to_owned(),
            key: key.to_owned(),
            request_hash: request_hash.to_owned(),
        };
        first_result(
            &record,
            &row.try_get::<String, _>("request_hash")?,
            row.try_get("result")?,
        )
    }
}

/// The first result stored with an idempotency key, for a request that uses it again.
///
/// Fails with [`StoreError::IdempotencyMismatch`] when the key was stored with another
/// request hash. `None` when the result is missing: it is NULL only inside the appending
/// transaction, which a reader cannot see.
pub(crate) fn first_result(
    request: &IdempotencyRecord,
    stored_hash: &str,
    result: Option<serde_json::Value>,
) -> Result<Option<AppendResult>, StoreError> {
    if stored_hash != request.request_hash {
        return Err(StoreError::IdempotencyMismatch {
            actor: request.actor.clone(),
            key: request.key.clone(),
        });
    }
    result
        .map(|value| {
            serde_json::from_value(value)
                .map_err(|e| StoreError::Corrupt(format!("idempotency result: {e}")))
        })
        .transpose()
}

/// A stored bigint version as the API's `u64`.
pub(crate) fn to_version(v: i64) -> Result<u64, StoreError> {
    u64::try_from(v).map_err(|_| StoreError::Corrupt(format!("negative version {v}")))
}

/// The `xid8` column, selected as text (`xid_text`) because sqlx has no `xid8` type. The alias
/// must differ from the column's name: `ORDER BY xid` would otherwise sort by the text, and
/// "100000" sorts before "99999".
pub(crate) fn parse_xid(text: &str) -> Result<u64, StoreError> {
    text.parse()
        .map_err(|_| StoreError::Corrupt(format!("unparseable xid {text:?}")))
}

/// Decode a row selected with `event_columns!()`.
fn decode_event(row: &PgRow) -> Result<RecordedEvent, StoreError> {
    let position: i64 = row.try_get("position")?;
    let xid: String = row.try_get("xid_text")?;
    let kind: String = row.try_get("stream_kind")?;
    let kind = StreamKind::from_db(&kind)
        .ok_or_else(|| StoreError::Corrupt(format!("unknown stream kind {kind:?}")))?;
    let schema_version: i32 = row.try_get("schema_version")?;
    let metadata: serde_json::Value = row.try_get("metadata")?;
    let metadata: EventMetadata = serde_json::from_value(metadata)
        .map_err(|e| StoreError::Corrupt(format!("event metadata at position {position}: {e}")))?;
    Ok(RecordedEvent {
        cursor: Cursor::new(parse_xid(&xid)?, position),
        position,
        stream: StreamRef {
            id: row.try_get("stream_id")?,
            kind,
            lead_provider_id: row.try_get("lead_provider_id")?,
        },
        version: to_version(row.try_get("version")?)?,
        event_id: row.try_get("event_id")?,
        event_type: row.try_get("event_type")?,
        schema_version: u32::try_from(schema_version)
            .map_err(|_| StoreError::Corrupt(format!("schema version {schema_version}")))?,
        payload: row.try_get("payload")?,
        metadata,
        recorded_at: row.try_get("recorded_at")?,
    })
}
