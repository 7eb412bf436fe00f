//! Appending and reading one stream: optimistic concurrency, idempotency keys, cursors and
//! error mapping.

mod common;

use std::sync::Arc;

use common::{inspection, request, store, with_key};
use eventstore::{
    AppendOutcome, Cursor, EventStore, ExpectedVersion, StoreError, StreamKind, StreamRef,
};
use tokio::sync::Barrier;

#[tokio::test]
async fn append_assigns_versions_and_read_stream_returns_them_from_a_version() {
    let (db, store) = store().await;
    let stream = inspection();
    assert_eq!(store.stream_version(stream.id).await.unwrap(), None);
    assert!(store.read_stream(stream.id, 1).await.unwrap().is_empty());

    let first_req = request(&stream, ExpectedVersion::NoStream, 3);
    let first = store.append(first_req.clone()).await.unwrap();
    let AppendOutcome::Appended(first) = first else {
        panic!("{first:?}")
    };
    assert_eq!((first.first_version, first.new_version), (1, 3));
    let second = store
        .append(request(&stream, ExpectedVersion::Exact(3), 2))
        .await
        .unwrap()
        .into_result();
    assert_eq!((second.first_version, second.new_version), (4, 5));
    assert_eq!(store.stream_version(stream.id).await.unwrap(), Some(5));

    let all = store.read_stream(stream.id, 1).await.unwrap();
    assert_eq!(
        all.iter().map(|e| e.version).collect::<Vec<_>>(),
        [1, 2, 3, 4, 5]
    );
    let tail = store.read_stream(stream.id, 4).await.unwrap();
    assert_eq!(
        tail.iter().map(|e| e.event_id).collect::<Vec<_>>(),
        second.event_ids
    );
    assert!(store.read_stream(stream.id, 6).await.unwrap().is_empty());

    // What was appended is what is read back, to the microsecond.
    for (read, sent) in all.iter().zip(&first_req.events) {
        assert_eq!(read.stream, stream);
        assert_eq!(read.event_id, sent.event_id);
        assert_eq!(read.event_type, sent.event_type);
        assert_eq!(read.schema_version, sent.schema_version);
        assert_eq!(read.payload, sent.payload);
        assert_eq!(read.metadata, sent.metadata);
        assert_eq!(read.recorded_at, first.recorded_at);
    }
    assert_eq!(
        all[2].cursor, first.cursor,
        "result cursor is the last event's"
    );
    assert_eq!(all[4].cursor, second.cursor);
    assert_eq!(store.count_events().await.unwrap(), 5);
    db.cleanup().await;
}

#[tokio::test]
async fn stale_expected_version_conflicts_with_the_current_version() {
    let (db, store) = store().await;
    let stream = inspection();
    let missing = store
        .append(request(&stream, ExpectedVersion::Exact(4), 1))
        .await;
    assert!(
        matches!(missing, Err(StoreError::Conflict { current: None, .. })),
        "{missing:?}"
    );
    store
        .append(request(&stream, ExpectedVersion::Exact(0), 2))
        .await
        .expect("Exact(0) means NoStream");
    for expected in [ExpectedVersion::NoStream, ExpectedVersion::Exact(1)] {
        match store.append(request(&stream, expected, 1)).await {
            Err(StoreError::Conflict {
                stream_id,
                expected: e,
                current,
            }) => {
                assert_eq!((stream_id, e, current), (stream.id, expected, Some(2)));
            }
            other => panic!("expected a conflict, got {other:?}"),
        }
    }
    assert_eq!(store.count_events().await.unwrap(), 2);
    db.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_concurrent_appends_with_one_expected_version_let_exactly_one_win() {
    const CONTENDERS: usize = 50;
    let (db, store) = store().await;
    let stream = inspection();
    store
        .append(request(&stream, ExpectedVersion::NoStream, 1))
        .await
        .unwrap();

    let barrier = Arc::new(Barrier::new(CONTENDERS));
    let tasks: Vec<_> = (0..CONTENDERS)
        .map(|_| {
            let (store, stream, barrier) = (store.clone(), stream.clone(), barrier.clone());
            tokio::spawn(async move {
                barrier.wait().await;
                store
                    .append(request(&stream, ExpectedVersion::Exact(1), 1))
                    .await
            })
        })
        .collect();
    let (mut won, mut conflicts) = (0, 0);
    for task in tasks {
        match task.await.unwrap() {
            Ok(AppendOutcome::Appended(r)) => {
                assert_eq!(r.new_version, 2);
                won += 1;
            }
            Err(StoreError::Conflict {
                current, expected, ..
            }) => {
                assert_eq!(expected, ExpectedVersion::Exact(1));
                assert_eq!(current, Some(2), "the conflict carries the current version");
                conflicts += 1;
            }
            other => panic!("unexpected outcome {other:?}"),
        }
    }
    assert_eq!((won, conflicts), (1, CONTENDERS - 1));
    assert_eq!(store.stream_version(stream.id).await.unwrap(), Some(2));
    assert_eq!(store.count_events().await.unwrap(), 2);
    db.cleanup().await;
}

#[tokio::test]
async fn idempotent_retry_returns_the_first_result_and_appends_nothing() {
    let (db, store) = store().await;
    let stream = inspection();
    let req = with_key(
        request(&stream, ExpectedVersion::NoStream, 2),
        "inspector-1",
        "plan-1",
        "hash-a",
    );
    let AppendOutcome::Appended(first) = store.append(req.clone()).await.unwrap() else {
        panic!("first append must append");
    };
    // The retry carries a stale expected version and new event ids: still the first result.
    let mut retry = req.clone();
    for e in &mut retry.events {
        e.event_id = uuid::Uuid::now_v7();
    }
    assert_eq!(
        store.append(retry).await.unwrap(),
        AppendOutcome::Duplicate(first.clone())
    );
    assert_eq!(
        store
            .find_idempotent("inspector-1", "plan-1", "hash-a")
            .await
            .unwrap(),
        Some(first)
    );
    assert_eq!(store.count_events().await.unwrap(), 2);
    db.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_concurrent_identical_requests_append_once_with_identical_results() {
    const COPIES: usize = 20;
    let (db, store) = store().await;
    let stream = inspection();
    let req = with_key(
        request(&stream, ExpectedVersion::NoStream, 1),
        "inspector-1",
        "plan-1",
        "hash-a",
    );
    let barrier = Arc::new(Barrier::new(COPIES));
    let tasks: Vec<_> = (0..COPIES)
        .map(|_| {
            let (store, req, barrier) = (store.clone(), req.clone(), barrier.clone());
            tokio::spawn(async move {
                barrier.wait().await;
                store.append(req).await
            })
        })
        .collect();
    let mut outcomes = Vec::new();
    for task in tasks {
        outcomes.push(task.await.unwrap().expect("no conflict, no error"));
    }
    let appended = outcomes
        .iter()
        .filter(|o| matches!(o, AppendOutcome::Appended(_)))
        .count();
    assert_eq!(appended, 1, "exactly one request appended");
    let first = outcomes[0].result().clone();
    assert!(
        outcomes.iter().all(|o| *o.result() == first),
        "identical results"
    );
    assert_eq!(store.count_events().await.unwrap(), 1);
    assert_eq!(store.stream_version(stream.id).await.unwrap(), Some(1));
    db.cleanup().await;
}

#[tokio::test]
async fn idempotency_key_reused_for_another_request_is_refused() {
    let (db, store) = store().await;
    let stream = inspection();
    let key = |hash| {
        with_key(
            request(&stream, ExpectedVersion::Any, 1),
            "inspector-1",
            "k",
            hash,
        )
    };
    store.append(key("hash-a")).await.unwrap();
    let refused = store.append(key("hash-b")).await;
    assert!(
        matches!(&refused, Err(StoreError::IdempotencyMismatch { actor, key })
            if actor == "inspector-1" && key == "k"),
        "{refused:?}"
    );
    assert!(matches!(
        store.find_idempotent("inspector-1", "k", "hash-b").await,
        Err(StoreError::IdempotencyMismatch { .. })
    ));
    assert_eq!(store.count_events().await.unwrap(), 1);
    db.cleanup().await;
}

#[tokio::test]
async fn idempotency_keys_are_scoped_per_actor() {
    let (db, store) = store().await;
    let stream = inspection();
    let a = store
        .append(with_key(
            request(&stream, ExpectedVersion::Any, 1),
            "alice",
            "k",
            "h1",
        ))
        .await
        .unwrap();
    let b = store
        .append(with_key(
            request(&stream, ExpectedVersion::Any, 1),
            "bob",
            "k",
            "h2",
        ))
        .await
        .unwrap();
    assert!(matches!(a, AppendOutcome::Appended(_)));
    assert!(matches!(b, AppendOutcome::Appended(_)));
    assert_ne!(a.result(), b.result());
    assert_eq!(
        store.find_idempotent("carol", "k", "h1").await.unwrap(),
        None
    );
    assert_eq!(store.count_events().await.unwrap(), 2);
    db.cleanup().await;
}

#[tokio::test]
async fn cursor_round_trips_and_resumes_read_all() {
    let (db, store) = store().await;
    let stream = inspection();
    let appended = store
        .append(request(&stream, ExpectedVersion::NoStream, 4))
        .await
        .unwrap()
        .into_result();
    let mut tail = common::Tail::new(&store).await;
    tail.until(&store, 4).await;
    let events = std::mem::take(&mut tail.events);
    drop(tail);
    assert_eq!(events[3].cursor, appended.cursor);

    let text = events[1].cursor.to_string();
    let parsed: Cursor = text.parse().unwrap();
    assert_eq!(parsed, events[1].cursor);
    let json = serde_json::to_string(&parsed).unwrap();
    assert_eq!(serde_json::from_str::<Cursor>(&json).unwrap(), parsed);

    let rest = store.read_all(Some(&parsed), 10).await.unwrap();
    assert_eq!(rest, events[2..].to_vec());
    assert_eq!(
        store.read_all(Some(&Cursor::START), 2).await.unwrap(),
        events[..2].to_vec()
    );
    assert!(
        store
            .read_all(Some(&appended.cursor), 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(store.read_all(None, 0).await.unwrap().is_empty());

    for bad in ["", "garbage", "1.2", "9.1.1", "1.x.1"] {
        assert!(
            matches!(bad.parse::<Cursor>(), Err(StoreError::InvalidCursor(ref s)) if s == bad),
            "{bad:?}"
        );
    }
    db.cleanup().await;
}

#[tokio::test]
async fn requests_that_misuse_the_store_are_refused() {
    let (db, store) = store().await;
    let stream = inspection();
    let req = request(&stream, ExpectedVersion::NoStream, 1);
    store.append(req.clone()).await.unwrap();

    let empty = request(&stream, ExpectedVersion::Any, 0);
    assert!(matches!(
        store.append(empty).await,
        Err(StoreError::EmptyAppend)
    ));

    let mut reused = request(&stream, ExpectedVersion::Any, 1);
    reused.events[0].event_id = req.events[0].event_id;
    assert!(matches!(
        store.append(reused).await,
        Err(StoreError::DuplicateEventId(id)) if id == req.events[0].event_id
    ));

    let other_provider = StreamRef {
        lead_provider_id: uuid::Uuid::now_v7(),
        ..stream.clone()
    };
    let other_kind = StreamRef {
        kind: StreamKind::LeadProvider,
        ..stream.clone()
    };
    for wrong in [other_provider, other_kind] {
        let result = store.append(request(&wrong, ExpectedVersion::Any, 1)).await;
        assert!(
            matches!(&result, Err(StoreError::StreamMismatch { existing, requested })
                if *existing == stream && *requested == wrong),
            "{result:?}"
        );
    }
    assert_eq!(store.count_events().await.unwrap(), 1);
    db.cleanup().await;
}

#[tokio::test]
async fn connection_failures_are_unavailable() {
    // Nothing listens on port 1. (`EventStore::connect` would retry for its acquire timeout
    // first; a lazy pool with a short one shows the same mapping quickly.)
    let nowhere = sqlx::postgres::PgPoolOptions::new()
        .acquire_timeout(std::time::Duration::from_millis(300))
        .connect_lazy("postgres://postgres:postgres@127.0.0.1:1/postgres")
        .unwrap();
    let refused = EventStore::from_pool(nowhere).count_events().await;
    assert!(
        matches!(refused, Err(StoreError::Unavailable(_))),
        "{refused:?}"
    );

    let (db, _) = store().await;
    // One pooled session, not pinged before use, so the store meets the dead session itself.
    let pool = sqlx::postgres::PgPoolOptions::new()
        .max_connections(1)
        .test_before_acquire(false)
        .connect(db.url())
        .await
        .unwrap();
    let store = EventStore::from_pool(pool);
    assert_eq!(store.count_events().await.unwrap(), 0);
    // The server ends the session (as on failover or an admin's pg_terminate_backend).
    let admin = sqlx::PgPool::connect(&testkit::admin_url()).await.unwrap();
    let terminated: i64 = sqlx::query_scalar(
        "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid, 10000)) FROM pg_stat_activity \
         WHERE datname = $1 AND pid <> pg_backend_pid() AND backend_type = 'client backend'",
    )
    .bind(db.name())
    .fetch_one(&admin)
    .await
    .unwrap();
    admin.close().await;
    assert!(terminated >= 1);
    let dead = store.count_events().await;
    assert!(matches!(dead, Err(StoreError::Unavailable(_))), "{dead:?}");

    store.pool().close().await;
    let closed = store.stream_version(inspection().id).await;
    assert!(
        matches!(closed, Err(StoreError::Unavailable(_))),
        "{closed:?}"
    );
    db.cleanup().await;
}

/// A keyed request that conflicts after claiming its key leaves no trace: the conflict
/// reports the current version, and the key is still free for the corrected request.
#[tokio::test]
async fn a_conflicting_keyed_request_does_not_use_up_its_key() {
    let (db, store) = store().await;
    let stream = inspection();
    store
        .append(request(&stream, ExpectedVersion::NoStream, 1))
        .await
        .unwrap();
    let keyed = |expected| with_key(request(&stream, expected, 1), "inspector-1", "k", "hash-a");
    let stale = store.append(keyed(ExpectedVersion::Exact(5))).await;
    assert!(
        matches!(
            stale,
            Err(StoreError::Conflict {
                current: Some(1),
                ..
            })
        ),
        "{stale:?}"
    );
    assert_eq!(
        store
            .find_idempotent("inspector-1", "k", "hash-a")
            .await
            .unwrap(),
        None,
        "the claim rolled back with the conflict"
    );
    let AppendOutcome::Appended(appended) = store
        .append(keyed(ExpectedVersion::Exact(1)))
        .await
        .unwrap()
    else {
        panic!("the corrected request appends");
    };
    assert_eq!(appended.new_version, 2);
    assert_eq!(store.count_events().await.unwrap(), 2);
    db.cleanup().await;
}

/// The command service's group role appends (the append function runs with its
/// privileges) and still cannot change an event.
#[tokio::test]
async fn the_writer_role_appends_and_cannot_rewrite_events() {
    let (db, _) = store().await;
    let pool = sqlx::postgres::PgPoolOptions::new()
        .max_connections(1)
        .after_connect(|conn, _| {
            Box::pin(async move {
                sqlx::Executor::execute(conn, "SET ROLE ofsted_eventstore_writer").await?;
                Ok(())
            })
        })
        .connect(db.url())
        .await
        .unwrap();
    let writer = EventStore::from_pool(pool);
    let stream = inspection();
    let keyed = with_key(
        request(&stream, ExpectedVersion::NoStream, 2),
        "inspector-1",
        "k",
        "hash-a",
    );
    let first = writer.append(keyed.clone()).await.unwrap();
    assert!(matches!(first, AppendOutcome::Appended(_)));
    assert_eq!(
        writer.append(keyed).await.unwrap(),
        AppendOutcome::Duplicate(first.into_result())
    );
    let rewrite = sqlx::query("UPDATE events SET event_type = 'x'")
        .execute(writer.pool())
        .await;
    assert!(
        matches!(&rewrite, Err(sqlx::Error::Database(e)) if e.code().as_deref() == Some("42501")),
        "{rewrite:?}"
    );
    writer.pool().close().await;
    db.cleanup().await;
}
