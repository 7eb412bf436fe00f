//! What the fault tests count: events in the store, events applied to the read models, and
//! whether anything was applied twice.

use std::collections::HashSet;

use sqlx::PgPool;
use uuid::Uuid;

/// Every event id in the store.
pub async fn stored_event_ids(events: &PgPool) -> HashSet<Uuid> {
    sqlx::query_scalar::<_, Uuid>("SELECT event_id FROM events")
        .fetch_all(events)
        .await
        .expect("read the store's event ids")
        .into_iter()
        .collect()
}

/// Every event id of an inspection stream applied to the read models (the projection's copy of
/// each inspection's events), with how often each appears.
pub async fn projected_event_ids(views: &PgPool) -> Vec<Uuid> {
    sqlx::query_scalar::<_, Uuid>("SELECT event_id FROM inspection_events")
        .fetch_all(views)
        .await
        .unwrap_or_default()
}

/// Events in the store.
pub async fn stored(events: &PgPool) -> i64 {
    sqlx::query_scalar::<_, i64>("SELECT count(*) FROM events")
        .fetch_one(events)
        .await
        .expect("count the store's events")
}

/// Entries of the Watch log: one per applied event.
pub async fn changes(views: &PgPool) -> i64 {
    sqlx::query_scalar::<_, i64>("SELECT count(*) FROM changes")
        .fetch_one(views)
        .await
        .unwrap_or(0)
}

/// How the read models stand against the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Convergence {
    /// Events in the store.
    pub stored: i64,
    /// Entries in the Watch log (one per applied event).
    pub changes: i64,
    /// Distinct (stream, version) pairs in the Watch log.
    pub distinct_changes: i64,
    /// Streams whose applied version differs from the store's.
    pub streams_behind: i64,
}

impl Convergence {
    /// Everything in the store applied exactly once.
    pub fn converged(&self) -> bool {
        self.stored == self.changes
            && self.changes == self.distinct_changes
            && self.streams_behind == 0
    }
}

/// Compare the read models with the store (two databases, so two reads).
pub async fn convergence(events: &PgPool, views: &PgPool) -> Convergence {
    let stored = stored(events).await;
    let store_versions: Vec<(Uuid, i64)> =
        sqlx::query_as("SELECT stream_id, version FROM streams ORDER BY stream_id")
            .fetch_all(events)
            .await
            .expect("read the store's stream versions");
    let applied: Vec<(Uuid, i64)> =
        sqlx::query_as("SELECT stream_id, version FROM applied ORDER BY stream_id")
            .fetch_all(views)
            .await
            .unwrap_or_default();
    let applied: std::collections::HashMap<Uuid, i64> = applied.into_iter().collect();
    let streams_behind = store_versions
        .iter()
        .filter(|(id, v)| applied.get(id) != Some(v))
        .count() as i64;
    let (changes, distinct_changes): (i64, i64) =
        sqlx::query_as("SELECT count(*), count(DISTINCT (stream_id, version)) FROM changes")
            .fetch_one(views)
            .await
            .unwrap_or((0, 0));
    Convergence {
        stored,
        changes,
        distinct_changes,
        streams_behind,
    }
}
