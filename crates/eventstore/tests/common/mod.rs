//! Helpers shared by the event-store integration tests: a migrated store in a fresh
//! database, request builders, and a tailing reader that polls with a deadline.
#![allow(dead_code)] // each test binary uses a different subset

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use chrono::Utc;
use eventstore::{
    AppendRequest, Cursor, EventMetadata, EventStore, ExpectedVersion, IdempotencyRecord,
    NOTIFY_CHANNEL, NewEvent, RecordedEvent, StreamKind, StreamRef,
};
use serde_json::json;
use sqlx::postgres::PgListener;
use testkit::TestDb;
use uuid::Uuid;

/// How long a test waits for events to become visible to `read_all`. Generous because
/// `xmin` is cluster-wide: other tests on the same server hold transactions open.
pub const VISIBILITY_DEADLINE: Duration = Duration::from_secs(60);

/// A migrated store in a database of its own.
pub async fn store() -> (TestDb, EventStore) {
    let db = TestDb::new().await;
    let store = EventStore::from_pool(db.pool().clone());
    store.migrate().await.expect("migrate");
    (db, store)
}

/// A new inspection stream under a new lead provider.
pub fn inspection() -> StreamRef {
    StreamRef {
        id: Uuid::now_v7(),
        kind: StreamKind::Inspection,
        lead_provider_id: Uuid::now_v7(),
    }
}

pub fn metadata(actor: &str) -> EventMetadata {
    EventMetadata {
        actor: actor.to_owned(),
        role: "inspector".to_owned(),
        correlation_id: Uuid::new_v4(),
        causation_id: None,
        idempotency_key: None,
        occurred_at: Utc::now(),
        traceparent: Some("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01".to_owned()),
    }
}

pub fn event(event_type: &str, n: u64) -> NewEvent {
    NewEvent {
        event_id: Uuid::now_v7(),
        event_type: event_type.to_owned(),
        schema_version: 1,
        payload: json!({ "n": n }),
        metadata: metadata("inspector-1"),
    }
}

/// An append of `count` events to `stream`.
pub fn request(stream: &StreamRef, expected: ExpectedVersion, count: u64) -> AppendRequest {
    AppendRequest {
        stream: stream.clone(),
        expected,
        events: (0..count).map(|n| event("InspectionPlanned", n)).collect(),
        idempotency: None,
        recorded_at: Utc::now(),
    }
}

pub fn with_key(mut req: AppendRequest, actor: &str, key: &str, hash: &str) -> AppendRequest {
    req.idempotency = Some(IdempotencyRecord {
        actor: actor.to_owned(),
        key: key.to_owned(),
        request_hash: hash.to_owned(),
    });
    for e in &mut req.events {
        e.metadata.actor = actor.to_owned();
        e.metadata.idempotency_key = Some(key.to_owned());
    }
    req
}

/// A number in `0..n` (tests only need jitter, not quality).
pub fn jitter(n: u64) -> u64 {
    u64::try_from(Uuid::new_v4().as_u128() % u128::from(n)).expect("below n")
}

/// A tailing reader over `read_all`, woken by the store's notifications and checking, as
/// it goes, that no event arrives twice and each stream's versions arrive as 1, 2, 3, …
pub struct Tail {
    listener: PgListener,
    pub cursor: Option<Cursor>,
    pub events: Vec<RecordedEvent>,
    seen: HashSet<Uuid>,
    last_version: HashMap<Uuid, u64>,
}

impl Tail {
    pub async fn new(store: &EventStore) -> Tail {
        let mut listener = PgListener::connect_with(store.pool())
            .await
            .expect("listener");
        listener.listen(NOTIFY_CHANNEL).await.expect("listen");
        Tail {
            listener,
            cursor: None,
            events: Vec::new(),
            seen: HashSet::new(),
            last_version: HashMap::new(),
        }
    }

    /// Read one batch after the cursor; returns how many events it brought.
    pub async fn poll(&mut self, store: &EventStore) -> usize {
        let batch = store
            .read_all(self.cursor.as_ref(), 1000)
            .await
            .expect("read_all");
        for e in &batch {
            assert!(
                self.cursor.is_none_or(|c| e.cursor > c),
                "cursor went backwards"
            );
            assert!(
                self.seen.insert(e.event_id),
                "event {} delivered twice",
                e.event_id
            );
            let last = self.last_version.entry(e.stream.id).or_insert(0);
            assert_eq!(
                e.version,
                *last + 1,
                "stream {} out of order: version {} after {}",
                e.stream.id,
                e.version,
                last
            );
            *last = e.version;
            self.cursor = Some(e.cursor);
        }
        let n = batch.len();
        self.events.extend(batch);
        n
    }

    /// Wait (bounded) for a notification, so an idle poll loop does not spin.
    pub async fn wait(&mut self) {
        let _ = tokio::time::timeout(Duration::from_millis(50), self.listener.recv()).await;
    }

    /// Poll until `total` events were read, or panic at the deadline.
    pub async fn until(&mut self, store: &EventStore, total: usize) {
        let deadline = Instant::now() + VISIBILITY_DEADLINE;
        while self.events.len() < total {
            assert!(
                Instant::now() < deadline,
                "only {} of {total} events became visible to read_all",
                self.events.len()
            );
            if self.poll(store).await == 0 {
                self.wait().await;
            }
        }
        assert_eq!(self.events.len(), total, "more events than appended");
    }
}
