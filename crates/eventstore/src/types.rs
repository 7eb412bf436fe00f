//! The values exchanged with the store: what to append, what was appended, what is read.
//!
//! The store is generic: it knows streams, versions and JSON payloads, not the domain.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::Cursor;

/// Which stream an event belongs to, and the lead provider it is filed under (the relay
/// puts it in the NATS subject, and provider users only ever see their own).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StreamRef {
    pub id: Uuid,
    pub kind: StreamKind,
    pub lead_provider_id: Uuid,
}

/// The kinds of stream; stored as the text `inspection` / `lead_provider`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StreamKind {
    Inspection,
    LeadProvider,
}

impl StreamKind {
    /// The stored text form.
    pub fn as_str(self) -> &'static str {
        match self {
            StreamKind::Inspection => "inspection",
            StreamKind::LeadProvider => "lead_provider",
        }
    }

    pub(crate) fn from_db(s: &str) -> Option<Self> {
        match s {
            "inspection" => Some(StreamKind::Inspection),
            "lead_provider" => Some(StreamKind::LeadProvider),
            _ => None,
        }
    }
}

/// The version an append expects its stream to be at. Versions start at 1, so
/// `Exact(0)` means the same as `NoStream`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExpectedVersion {
    /// Append whatever the version is (the store retries internally on a lost race).
    Any,
    /// The stream must not exist yet.
    NoStream,
    /// The stream's last event must have this version.
    Exact(u64),
}

impl ExpectedVersion {
    /// Whether a stream at `current` satisfies this expectation.
    pub fn admits(self, current: Option<u64>) -> bool {
        match (self, current) {
            (ExpectedVersion::Any, _) => true,
            (ExpectedVersion::NoStream | ExpectedVersion::Exact(0), None) => true,
            (ExpectedVersion::NoStream | ExpectedVersion::Exact(0), Some(_)) => false,
            (ExpectedVersion::Exact(v), current) => current == Some(v),
        }
    }
}

/// Who did what, when, and why — carried on every event (stored as JSON).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EventMetadata {
    pub actor: String,
    pub role: String,
    pub correlation_id: Uuid,
    pub causation_id: Option<Uuid>,
    pub idempotency_key: Option<String>,
    /// When it happened in the world (may be earlier than `recorded_at`).
    pub occurred_at: DateTime<Utc>,
    /// W3C trace context of the command, so the projection span can join the trace.
    pub traceparent: Option<String>,
}

/// An event to append; its version is assigned by the store.
#[derive(Clone, Debug)]
pub struct NewEvent {
    pub event_id: Uuid,
    pub event_type: String,
    pub schema_version: u32,
    pub payload: serde_json::Value,
    pub metadata: EventMetadata,
}

/// The idempotency key of a request: scoped to the actor, and bound to a hash of the request
/// so that reusing a key for another request is refused rather than silently deduplicated.
#[derive(Clone, Debug)]
pub struct IdempotencyRecord {
    pub actor: String,
    pub key: String,
    pub request_hash: String,
}

/// One atomic append of one or more events to one stream.
#[derive(Clone, Debug)]
pub struct AppendRequest {
    pub stream: StreamRef,
    pub expected: ExpectedVersion,
    pub events: Vec<NewEvent>,
    pub idempotency: Option<IdempotencyRecord>,
    /// Stored truncated to microseconds (Postgres' precision), so results and reads agree.
    pub recorded_at: DateTime<Utc>,
}

/// What an append wrote; kept with the idempotency key and returned again for duplicates.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppendResult {
    pub stream_id: Uuid,
    /// Version of the first event appended.
    pub first_version: u64,
    /// Version of the last event appended: the stream's version after the append.
    pub new_version: u64,
    pub event_ids: Vec<Uuid>,
    /// Cursor of the last event appended.
    pub cursor: Cursor,
    pub recorded_at: DateTime<Utc>,
}

/// How an append ended when it did not fail.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AppendOutcome {
    /// The events were appended.
    Appended(AppendResult),
    /// The same (actor, key, request hash) was seen before: this is the FIRST append's
    /// result, and nothing was appended now.
    Duplicate(AppendResult),
}

impl AppendOutcome {
    /// The result, whether it was appended now or before.
    pub fn result(&self) -> &AppendResult {
        match self {
            AppendOutcome::Appended(r) | AppendOutcome::Duplicate(r) => r,
        }
    }

    /// The result, whether it was appended now or before.
    pub fn into_result(self) -> AppendResult {
        match self {
            AppendOutcome::Appended(r) | AppendOutcome::Duplicate(r) => r,
        }
    }
}

/// An event as stored.
#[derive(Clone, Debug, PartialEq)]
pub struct RecordedEvent {
    /// Where this event is in the read-all order: resume after it with this.
    pub cursor: Cursor,
    /// The identity value taken at insert: unique, but NOT monotonic in the read-all order,
    /// so never a resume token (see the crate docs).
    pub position: i64,
    pub stream: StreamRef,
    pub version: u64,
    pub event_id: Uuid,
    pub event_type: String,
    pub schema_version: u32,
    pub payload: serde_json::Value,
    pub metadata: EventMetadata,
    pub recorded_at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expected_version_admits() {
        use ExpectedVersion::*;
        assert!(Any.admits(None) && Any.admits(Some(3)));
        assert!(NoStream.admits(None) && !NoStream.admits(Some(1)));
        assert!(Exact(0).admits(None) && !Exact(0).admits(Some(1)));
        assert!(Exact(2).admits(Some(2)) && !Exact(2).admits(Some(3)) && !Exact(2).admits(None));
    }

    #[test]
    fn stream_kind_text_matches_serde() {
        for kind in [StreamKind::Inspection, StreamKind::LeadProvider] {
            let json = serde_json::to_string(&kind).unwrap();
            assert_eq!(json, format!("\"{}\"", kind.as_str()));
            assert_eq!(StreamKind::from_db(kind.as_str()), Some(kind));
        }
        assert_eq!(StreamKind::from_db("other"), None);
    }
}
