//! The read-all order under concurrency: late commits are never skipped, each stream's
//! versions arrive in order, and the naive `position > last` reader is shown to skip.

mod common;

use std::collections::{BTreeSet, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use common::{Tail, inspection, jitter, request, store};
use eventstore::{AppendOutcome, EventStore, ExpectedVersion, RecordedEvent};
use tokio::sync::oneshot;

const WRITERS: u64 = 8;
const APPENDS_PER_WRITER: u64 = 500;
const STREAMS: usize = 16;

/// 8 writers × 500 appends with random delays inside their transactions, read meanwhile by
/// the cursor-based tailing reader (every event exactly once, versions in order) and by the
/// naive position reader (which misses some).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_writers_tailing_reader_sees_every_event_once_in_stream_order() {
    let (db, store) = store().await;
    let streams: Arc<Vec<_>> = Arc::new((0..STREAMS).map(|_| inspection()).collect());
    let started = Instant::now();
    let writing = Arc::new(AtomicBool::new(true));

    let mut writers = Vec::new();
    for _ in 0..WRITERS {
        let (store, streams) = (store.clone(), streams.clone());
        writers.push(tokio::spawn(async move {
            for _ in 0..APPENDS_PER_WRITER {
                let stream = &streams[usize::try_from(jitter(STREAMS as u64)).unwrap()];
                let delay = Duration::from_millis(jitter(4).saturating_sub(1));
                let outcome = store
                    .append_with_delay_before_commit(
                        request(stream, ExpectedVersion::Any, 1),
                        delay,
                    )
                    .await
                    .expect("append");
                assert!(matches!(outcome, AppendOutcome::Appended(_)));
            }
        }));
    }

    let naive = tokio::spawn(naive_reader(store.clone(), writing.clone()));

    let total = usize::try_from(WRITERS * APPENDS_PER_WRITER).unwrap();
    let mut tail = Tail::new(&store).await;
    tail.until(&store, total).await;
    for writer in writers {
        writer.await.expect("writer");
    }
    writing.store(false, Ordering::SeqCst);
    let naive_seen = naive.await.expect("naive reader");

    assert_eq!(
        store.count_events().await.unwrap(),
        i64::try_from(total).unwrap()
    );
    let ids: HashSet<_> = tail.events.iter().map(|e| e.event_id).collect();
    assert_eq!(
        ids.len(),
        total,
        "read_all delivered every event exactly once"
    );
    drop(tail);
    let skipped = total - naive_seen.len();
    println!(
        "{total} events in {:?}; the naive reader skipped {skipped}",
        started.elapsed()
    );
    assert!(
        skipped > 0,
        "the naive position reader should have skipped late-committing events"
    );
    db.cleanup().await;
}

/// Polls `position > last` in a tight loop until writing stops, then once more; returns
/// the positions it saw.
async fn naive_reader(store: EventStore, writing: Arc<AtomicBool>) -> BTreeSet<i64> {
    let mut last = 0;
    let mut seen = BTreeSet::new();
    loop {
        let done = !writing.load(Ordering::SeqCst);
        loop {
            let batch = store.read_all_naive_for_tests(last, 1000).await.unwrap();
            let Some(max) = batch.iter().map(|e| e.position).max() else {
                break;
            };
            seen.extend(batch.iter().map(|e| e.position));
            last = max;
        }
        if done {
            return seen;
        }
        tokio::task::yield_now().await;
    }
}

/// Transaction A takes position p and stays open; B commits p+1. Returns A's handle (to be
/// released), its release switch, and B's committed event.
struct LateCommit {
    release: oneshot::Sender<()>,
    a: tokio::task::JoinHandle<AppendOutcome>,
    b: RecordedEvent,
}

async fn late_commit_scenario(store: &EventStore) -> LateCommit {
    let (reached_tx, reached_rx) = oneshot::channel();
    let (release, release_rx) = oneshot::channel::<()>();
    let a = {
        let store = store.clone();
        let req = request(&inspection(), ExpectedVersion::NoStream, 1);
        tokio::spawn(async move {
            store
                .append_with_pause_before_commit(req, async move {
                    let _ = reached_tx.send(());
                    let _ = release_rx.await;
                })
                .await
                .expect("append A")
        })
    };
    reached_rx.await.expect("A inserted its event");
    let b_stream = inspection();
    store
        .append(request(&b_stream, ExpectedVersion::NoStream, 1))
        .await
        .expect("append B");
    let b = store.read_stream(b_stream.id, 1).await.unwrap().remove(0);
    LateCommit { release, a, b }
}

#[tokio::test]
async fn naive_position_reader_skips_late_commit() {
    let (db, store) = store().await;
    let LateCommit { release, a, b } = late_commit_scenario(&store).await;

    // The naive reader sees B (A is uncommitted) and moves its position past A's.
    let first = store.read_all_naive_for_tests(0, 100).await.unwrap();
    assert_eq!(
        first.iter().map(|e| e.event_id).collect::<Vec<_>>(),
        [b.event_id]
    );
    let last = b.position;

    release.send(()).unwrap();
    let a = a.await.unwrap().into_result();
    let a_event = store.read_stream(a.stream_id, 1).await.unwrap().remove(0);
    assert!(a_event.position < b.position, "A took its position first");

    // A is committed now, but behind the naive reader: it is never delivered.
    let after = store.read_all_naive_for_tests(last, 100).await.unwrap();
    assert!(after.is_empty(), "naive reader found {after:?}");
    assert_eq!(store.count_events().await.unwrap(), 2);
    db.cleanup().await;
}

#[tokio::test]
async fn read_all_never_skips_late_commits() {
    let (db, store) = store().await;
    // Something committed before the scenario, to resume after.
    store
        .append(request(&inspection(), ExpectedVersion::NoStream, 1))
        .await
        .unwrap();
    let mut tail = Tail::new(&store).await;
    tail.until(&store, 1).await;

    let LateCommit { release, a, b } = late_commit_scenario(&store).await;
    // B is committed, but A's older transaction is still running: read_all holds B back.
    assert_eq!(
        tail.poll(&store).await,
        0,
        "read_all must not pass the open transaction"
    );

    release.send(()).unwrap();
    let a = a.await.unwrap().into_result();
    tail.until(&store, 3).await;
    let ids: Vec<_> = tail.events[1..].iter().map(|e| e.event_id).collect();
    assert_eq!(ids, [a.event_ids[0], b.event_id], "A then B, each once");
    assert!(tail.events[1].position < tail.events[2].position);
    drop(tail);
    db.cleanup().await;
}

/// The hazard the read-before-write rule prevents, built by hand: a transaction that writes
/// (here: an idempotency key) before reading its stream holds an older xid than the append
/// it builds on, so its version 2 sorts before version 1 in the read-all order.
#[tokio::test]
async fn write_before_stream_read_can_sort_next_version_first() {
    let (db, store) = store().await;
    let stream = inspection();

    let mut raw = store.pool().begin().await.unwrap();
    sqlx::query(
        "INSERT INTO idempotency_keys (actor, key, request_hash, result) \
         VALUES ('raw', 'k', 'h', '{}')",
    )
    .execute(&mut *raw)
    .await
    .unwrap();

    // Version 1 through the API, committed by a younger transaction.
    store
        .append(request(&stream, ExpectedVersion::NoStream, 1))
        .await
        .unwrap();

    // Now the raw transaction reads the stream (sees version 1) and appends version 2.
    let version: i64 = sqlx::query_scalar("SELECT version FROM streams WHERE stream_id = $1")
        .bind(stream.id)
        .fetch_one(&mut *raw)
        .await
        .unwrap();
    assert_eq!(version, 1);
    sqlx::query("UPDATE streams SET version = 2 WHERE stream_id = $1 AND version = 1")
        .bind(stream.id)
        .execute(&mut *raw)
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO events (stream_id, stream_kind, lead_provider_id, version, event_id, \
         event_type, schema_version, payload, metadata, recorded_at) \
         SELECT stream_id, stream_kind, lead_provider_id, 2, gen_random_uuid(), event_type, \
                schema_version, payload, metadata, recorded_at \
         FROM events WHERE stream_id = $1 AND version = 1",
    )
    .bind(stream.id)
    .execute(&mut *raw)
    .await
    .unwrap();
    raw.commit().await.unwrap();

    // Read with plain read_all polling: the tail helper would reject the order itself.
    let deadline = Instant::now() + common::VISIBILITY_DEADLINE;
    let events = loop {
        let events = store.read_all(None, 10).await.unwrap();
        if events.len() == 2 {
            break events;
        }
        assert!(Instant::now() < deadline, "events never became visible");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let versions: Vec<_> = events.iter().map(|e| e.version).collect();
    assert_eq!(
        versions,
        [2, 1],
        "the hand-built transaction broke per-stream order"
    );
    db.cleanup().await;
}

/// Through the API the same contention cannot reorder a stream: many concurrent appends to
/// one stream, with delays inside their transactions, come out as 1, 2, 3, …
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn appends_keep_each_stream_in_version_order_under_contention() {
    const TASKS: u64 = 10;
    const APPENDS: u64 = 30;
    let (db, store) = store().await;
    let stream = inspection();
    let mut tasks = Vec::new();
    for _ in 0..TASKS {
        let (store, stream) = (store.clone(), stream.clone());
        tasks.push(tokio::spawn(async move {
            for _ in 0..APPENDS {
                let delay = Duration::from_millis(jitter(3));
                let events = 1 + jitter(2);
                store
                    .append_with_delay_before_commit(
                        request(&stream, ExpectedVersion::Any, events),
                        delay,
                    )
                    .await
                    .expect("append");
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    let total = store.stream_version(stream.id).await.unwrap().unwrap();
    let mut tail = Tail::new(&store).await;
    // Tail checks version n+1 follows n for every event it reads.
    tail.until(&store, usize::try_from(total).unwrap()).await;
    assert_eq!(tail.events.last().unwrap().version, total);
    drop(tail);
    db.cleanup().await;
}
