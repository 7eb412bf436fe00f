//! Rebuild without downtime: replay the event store into fresh `<table>_rebuild` copies while
//! queries keep reading the live tables, then swap them in atomically.
//!
//! It reads the event store DIRECTLY (`EventStore::read_all`, the store's tailing-safe
//! order; `read_stream` for the last events of a stream), not through the command service:
//! the store is the source of truth, and read-only access to it is all a rebuild needs.
//!
//! The copies never get ahead of the live tables: an event of a stream beyond what the live
//! consumer has applied is held back (with the rest of that stream), and before the swap the
//! copies are caught up, stream by stream, to exactly the live versions. The swap is one
//! transaction holding the advisory lock every live apply also takes: catch up the last
//! events, optionally compare every table row for row, rename live → `_old`, `_rebuild` →
//! live, drop `_old`. Queries blocked on the renames for that moment then read the new
//! tables; prepared statements are re-analysed by name after DDL, so pooled connections keep
//! working. The Watch log (`changes`) is not rebuilt: its sequence numbers stay valid.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use domain::calendar::Calendar;
use eventstore::{Cursor, EventStore, RecordedEvent, StreamKind};
use sqlx::{PgConnection, PgPool, Row};
use tokio::task::JoinHandle;
use uuid::Uuid;

use crate::store::apply::{self, ApplyError, Incoming, Mode, to_u64};
use crate::store::bulk::{Batch, Folded, Replace};
use crate::store::dump;
use crate::store::sql::{self, LIVE, REBUILD, REBUILT_TABLES};

macro_rules! prepare_sql {
    ($t:literal) => {
        [
            concat!("DROP TABLE IF EXISTS ", $t, "_rebuild"),
            concat!(
                "CREATE UNLOGGED TABLE ",
                $t,
                "_rebuild (LIKE ",
                $t,
                " INCLUDING ALL)"
            ),
        ]
    };
}

macro_rules! swap_sql {
    ($t:literal) => {
        [
            concat!("ALTER TABLE ", $t, " RENAME TO ", $t, "_old"),
            concat!("ALTER TABLE ", $t, "_rebuild RENAME TO ", $t),
            concat!("DROP TABLE ", $t, "_old"),
        ]
    };
}

/// Fresh, empty copies of every rebuilt table (same columns, defaults, indexes).
const PREPARE: [[&str; 2]; 6] = [
    prepare_sql!("inspections"),
    prepare_sql!("inspection_events"),
    prepare_sql!("deadlines"),
    prepare_sql!("reports"),
    prepare_sql!("lead_providers"),
    prepare_sql!("applied"),
];

/// The copies are filled unlogged (no WAL record per row and index entry), then turned into
/// ordinary tables in one pass each before the catch-up and the swap.
const LOGGED: [&str; 6] = [
    "ALTER TABLE inspections_rebuild SET LOGGED",
    "ALTER TABLE inspection_events_rebuild SET LOGGED",
    "ALTER TABLE deadlines_rebuild SET LOGGED",
    "ALTER TABLE reports_rebuild SET LOGGED",
    "ALTER TABLE lead_providers_rebuild SET LOGGED",
    "ALTER TABLE applied_rebuild SET LOGGED",
];

/// The renames of the swap.
const SWAP: [[&str; 3]; 6] = [
    swap_sql!("inspections"),
    swap_sql!("inspection_events"),
    swap_sql!("deadlines"),
    swap_sql!("reports"),
    swap_sql!("lead_providers"),
    swap_sql!("applied"),
];

/// Streams where the live tables are ahead of the copies.
const BEHIND: &str = "SELECT l.stream_id, l.version AS live, coalesce(r.version, 0) AS copy \
     FROM applied l LEFT JOIN applied_rebuild r USING (stream_id) \
     WHERE l.version > coalesce(r.version, 0) ORDER BY l.stream_id";

/// How a rebuild runs.
#[derive(Debug, Clone)]
pub struct RebuildOptions {
    /// Events read from the store and applied per transaction.
    pub batch_size: i64,
    /// Compare every table with its copy inside the swap, and refuse to swap on a difference.
    pub verify: bool,
    /// Shortest time between two progress reports.
    pub progress_every: Duration,
}

impl Default for RebuildOptions {
    fn default() -> Self {
        RebuildOptions {
            batch_size: 5000,
            verify: false,
            progress_every: Duration::from_secs(1),
        }
    }
}

/// Where a rebuild is.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Progress {
    /// Events read from the store so far.
    pub done: u64,
    /// Events in the store when the rebuild started (it may grow meanwhile).
    pub total: u64,
    /// Events per second so far.
    pub rate: f64,
    /// Estimated time left at that rate.
    pub eta: Duration,
}

impl std::fmt::Display for Progress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "rebuild: {}/{} events, {:.0} events/s, eta {}s",
            self.done,
            self.total,
            self.rate,
            self.eta.as_secs()
        )
    }
}

/// What a finished rebuild did.
#[derive(Debug, Clone, PartialEq)]
pub struct RebuildReport {
    /// Events read from the store in the replay.
    pub replayed: u64,
    /// Events applied to the copies during the catch-up (held back ones and new ones).
    pub caught_up: u64,
    /// Streams whose events were held back in the replay.
    pub held_streams: usize,
    /// Rows that differed at the swap, per table (all zero when verified; empty otherwise).
    pub differences: Vec<(&'static str, i64)>,
    /// Wall time.
    pub elapsed: Duration,
    /// Replay rate in events per second.
    pub rate: f64,
}

/// Why a rebuild stopped (the live tables are untouched in every case).
#[derive(Debug, thiserror::Error)]
pub enum RebuildError {
    #[error("read-model database")]
    Db(#[from] sqlx::Error),
    #[error("event store")]
    Store(#[from] eventstore::StoreError),
    #[error("applying an event")]
    Apply(#[from] ApplyError),
    #[error("the rebuilt tables differ from the live ones: {0:?}")]
    Differs(Vec<(&'static str, i64)>),
    #[error("a rebuild stage failed: {0}")]
    Stage(String),
}

/// Rebuild every read-model table from `store` and swap the copies in.
#[tracing::instrument(skip_all)]
pub async fn rebuild(
    pool: &PgPool,
    store: &EventStore,
    calendar: &Calendar,
    options: &RebuildOptions,
    mut progress: impl FnMut(Progress),
) -> Result<RebuildReport, RebuildError> {
    let started = Instant::now();
    {
        let mut conn = pool.acquire().await?;
        for [drop, create] in PREPARE {
            sqlx::query(drop).execute(&mut *conn).await?;
            sqlx::query(create).execute(&mut *conn).await?;
        }
    }
    let total = to_u64(store.count_events().await?);
    let mut done = 0u64;
    let mut held: HashSet<Uuid> = HashSet::new();
    // Inspections folded in memory until they reach the live version, then written once.
    let mut folding: HashMap<Uuid, Folded> = HashMap::new();
    let mut written: HashSet<Uuid> = HashSet::new();
    let mut last_report = Instant::now();
    let shared = Arc::new(calendar.clone());
    // Three stages overlap: the next batch is read (and the live versions of its streams
    // looked up) while this one is folded, and the previous one's rows are written meanwhile.
    // Writes stay in order, one at a time, so lead-provider events apply in order.
    let mut reading = tokio::spawn(read_batch(
        store.clone(),
        pool.clone(),
        None,
        options.batch_size,
    ));
    let mut writing: Option<JoinHandle<Result<(), RebuildError>>> = None;
    loop {
        let (batch, live) = joined(reading.await)?;
        let Some(last) = batch.last() else { break };
        let read = batch.len() as u64;
        reading = tokio::spawn(read_batch(
            store.clone(),
            pool.clone(),
            Some(last.cursor),
            options.batch_size,
        ));
        let mut rows = Batch::default();
        let mut lead_provider_events = Vec::new();
        for recorded in batch {
            let id = recorded.stream.id;
            if held.contains(&id) {
                continue;
            }
            let live_version = live.get(&id).copied().unwrap_or(0);
            if recorded.version > live_version || written.contains(&id) {
                // The live consumer has not applied it yet (or it moved on since this
                // stream's rows were written): catch up to it before the swap.
                held.insert(id);
                continue;
            }
            let version = recorded.version;
            let ev = Incoming::from(recorded);
            match ev.stream_kind {
                // A handful per store: the ordinary path.
                StreamKind::LeadProvider => lead_provider_events.push(ev),
                StreamKind::Inspection => {
                    folding
                        .entry(id)
                        .or_insert_with(|| Folded::new(&ev))
                        .push(&ev)?;
                    rows.event(ev);
                    if version == live_version
                        && let Some(done) = folding.remove(&id)
                    {
                        rows.inspection(id, &done, calendar)?;
                        rows.applied(id, StreamKind::Inspection, done.version);
                        written.insert(id);
                    }
                }
            }
        }
        if let Some(previous) = writing.take() {
            joined(previous.await)?;
        }
        writing = Some(tokio::spawn(write_copies(
            pool.clone(),
            Arc::clone(&shared),
            rows,
            lead_provider_events,
        )));
        done += read;
        if last_report.elapsed() >= options.progress_every {
            last_report = Instant::now();
            progress(measure(done, total, started.elapsed()));
        }
    }
    if let Some(previous) = writing.take() {
        joined(previous.await)?;
    }
    // Streams the store had no more events of (yet): their rows as of what was folded; the
    // catch-up below continues from there.
    let mut rows = Batch::default();
    for (id, folded) in folding.drain() {
        rows.inspection(id, &folded, calendar)?;
        rows.applied(id, StreamKind::Inspection, folded.version);
    }
    write_copies(pool.clone(), shared, rows, Vec::new()).await?;
    progress(measure(done, total.max(done), started.elapsed()));
    let replay_time = started.elapsed();
    {
        let mut conn = pool.acquire().await?;
        for statement in LOGGED {
            sqlx::query(statement).execute(&mut *conn).await?;
        }
    }

    // Catch up outside the lock first, so the locked part has little left to do.
    let mut caught_up = 0;
    for _ in 0..3 {
        let mut tx = pool.begin().await?;
        let n = catch_up(&mut tx, store, calendar).await?;
        tx.commit().await?;
        caught_up += n;
        if n < 50 {
            break;
        }
    }

    // The swap: under the apply lock, catch up the last events, verify, then take every live
    // table's ACCESS EXCLUSIVE lock in one statement before renaming. A query that already
    // holds one of them while waiting for another would deadlock with renames taken table by
    // table; with a lock timeout shorter than the deadlock check, the swap gives way instead
    // and tries again, and queries only ever wait.
    let mut attempt = 0;
    let (more, differences) = loop {
        attempt += 1;
        match swap_once(pool, store, calendar, options).await {
            Err(RebuildError::Db(sqlx::Error::Database(e)))
                if e.code().as_deref() == Some(LOCK_NOT_AVAILABLE) && attempt < SWAP_ATTEMPTS =>
            {
                tracing::info!(attempt, "swap gave way to running queries; trying again");
            }
            other => break other?,
        }
    };
    caught_up += more;
    let report = RebuildReport {
        replayed: done,
        caught_up,
        held_streams: held.len(),
        differences,
        elapsed: started.elapsed(),
        rate: done as f64 / replay_time.as_secs_f64().max(1e-3),
    };
    tracing::info!(?report, "rebuild swapped in");
    Ok(report)
}

/// The copies' batches commit without waiting for the WAL flush: nothing reads them before
/// the swap, and a crash before it means running the rebuild again. The swap itself is an
/// ordinary (synchronous) commit.
const COPY_COMMIT: &str = "SET LOCAL synchronous_commit = off";

/// SQLSTATE `lock_not_available`: the swap's lock timeout expired.
const LOCK_NOT_AVAILABLE: &str = "55P03";

/// How many times the swap gives way to running queries before the rebuild fails.
const SWAP_ATTEMPTS: u32 = 50;

/// Below Postgres's default `deadlock_timeout` (1 s), so the swap times out before a deadlock
/// check could pick a query as the victim.
const SWAP_LOCK_TIMEOUT: &str = "SET LOCAL lock_timeout = '200ms'";

/// Every live table, locked in one statement just before the renames.
const LOCK_LIVE: &str = "LOCK TABLE inspections, inspection_events, deadlines, reports, lead_providers, applied \
     IN ACCESS EXCLUSIVE MODE";

/// One try at the locked phase of the swap: catch up, verify, lock, rename, commit. Returns
/// how many events were caught up and the verification's differences.
async fn swap_once(
    pool: &PgPool,
    store: &EventStore,
    calendar: &Calendar,
    options: &RebuildOptions,
) -> Result<(u64, Vec<(&'static str, i64)>), RebuildError> {
    let mut tx = pool.begin().await?;
    sqlx::query(sql::LOCK_APPLY).execute(&mut *tx).await?;
    let caught_up = catch_up(&mut tx, store, calendar).await?;
    let mut differences = Vec::new();
    if options.verify {
        for table in REBUILT_TABLES {
            differences.push((table, dump::differences(&mut tx, table).await?));
        }
        if differences.iter().any(|(_, n)| *n != 0) {
            tx.rollback().await?;
            return Err(RebuildError::Differs(differences));
        }
    }
    sqlx::query(SWAP_LOCK_TIMEOUT).execute(&mut *tx).await?;
    sqlx::query(LOCK_LIVE).execute(&mut *tx).await?;
    for statements in SWAP {
        for statement in statements {
            sqlx::query(statement).execute(&mut *tx).await?;
        }
    }
    tx.commit().await?;
    Ok((caught_up, differences))
}

/// The next batch of the store's read-all order after `after`, with the live versions of its
/// streams.
async fn read_batch(
    store: EventStore,
    pool: PgPool,
    after: Option<Cursor>,
    limit: i64,
) -> Result<(Vec<RecordedEvent>, HashMap<Uuid, u64>), RebuildError> {
    let batch = store.read_all(after.as_ref(), limit).await?;
    let ids: Vec<Uuid> = batch.iter().map(|e| e.stream.id).collect();
    let live = sqlx::query(LIVE.applied_versions_of)
        .bind(&ids)
        .fetch_all(&pool)
        .await?
        .iter()
        .map(|r| Ok((r.try_get("stream_id")?, to_u64(r.try_get("version")?))))
        .collect::<Result<_, sqlx::Error>>()?;
    Ok((batch, live))
}

/// Apply `lead_provider_events` (in order) and write `rows` to the copies, in one
/// transaction.
async fn write_copies(
    pool: PgPool,
    calendar: Arc<Calendar>,
    mut rows: Batch,
    lead_provider_events: Vec<Incoming>,
) -> Result<(), RebuildError> {
    let mut tx = pool.begin().await?;
    sqlx::query(COPY_COMMIT).execute(&mut *tx).await?;
    apply::apply_many(
        &mut tx,
        &REBUILD,
        &calendar,
        lead_provider_events,
        Mode::Rebuild,
    )
    .await?;
    rows.write(&mut tx, &REBUILD, Replace::No).await?;
    tx.commit().await?;
    Ok(())
}

/// A spawned stage's result; a stage that panicked is a bug, reported as such.
fn joined<T>(
    result: Result<Result<T, RebuildError>, tokio::task::JoinError>,
) -> Result<T, RebuildError> {
    result.map_err(|e| RebuildError::Stage(e.to_string()))?
}

/// Bring every copy up to the live version of its stream, reading the missing events from
/// the store. Returns how many were applied.
async fn catch_up(
    conn: &mut PgConnection,
    store: &EventStore,
    calendar: &Calendar,
) -> Result<u64, RebuildError> {
    let behind = sqlx::query(BEHIND).fetch_all(&mut *conn).await?;
    let mut applied = 0;
    for row in behind {
        let id: Uuid = row.try_get("stream_id")?;
        let live = to_u64(row.try_get("live")?);
        let copy = to_u64(row.try_get("copy")?);
        let events: Vec<Incoming> = store
            .read_stream(id, copy + 1)
            .await?
            .into_iter()
            .take_while(|e| e.version <= live)
            .map(Incoming::from)
            .collect();
        applied += events.len() as u64;
        apply::apply_many(conn, &REBUILD, calendar, events, Mode::Rebuild).await?;
    }
    Ok(applied)
}

fn measure(done: u64, total: u64, elapsed: Duration) -> Progress {
    let rate = done as f64 / elapsed.as_secs_f64().max(1e-3);
    let left = total.saturating_sub(done) as f64;
    Progress {
        done,
        total,
        rate,
        eta: Duration::from_secs_f64(if rate > 0.0 { left / rate } else { 0.0 }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_reads_done_total_rate_eta() {
        let p = measure(500, 2000, Duration::from_secs(2));
        assert_eq!(p.rate, 250.0);
        assert_eq!(p.eta, Duration::from_secs(6));
        assert_eq!(
            p.to_string(),
            "rebuild: 500/2000 events, 250 events/s, eta 6s"
        );
    }
}
