//! Acceptance tests of the outbox relay against the real Postgres and NATS: each test has
//! its own database, stream and subject prefix.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anyhow::{Context as _, ensure};
use bus::RelayError;
use common::{Harness, inspection_streams, poll_until, random_below};
use eventstore::Cursor;
use sqlx::Row;
use testkit::nats::TcpProxy;
use tokio::time::Instant;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn relay_delivers_every_event_exactly_once_under_concurrent_writers() -> anyhow::Result<()> {
    let h = Arc::new(Harness::new(Duration::from_secs(120)).await);
    let mut relay = h.spawn_relay(&h.bus.nats_url, h.relay_config("a")).await;
    relay.wait_for("leader", |s| s.is_leader).await?;

    // 8 writers x 500 appends over 16 shared streams, with random delays inside the
    // transactions so commits land out of position order while the relay tails.
    let streams = Arc::new(inspection_streams(16));
    let mut writers = Vec::new();
    for _ in 0..8 {
        let (h, streams) = (Arc::clone(&h), Arc::clone(&streams));
        writers.push(tokio::spawn(async move {
            for _ in 0..500 {
                let stream = &streams[random_below(streams.len() as u64) as usize];
                let delay = Duration::from_millis(random_below(3));
                h.append_one(stream, delay).await?;
            }
            anyhow::Ok(())
        }));
    }
    for w in writers {
        w.await??;
    }
    assert_eq!(h.store.count_events().await?, 4000);
    h.wait_caught_up().await?;
    relay.stop().await??;

    let messages = h.assert_exactly_once_in_order().await?;
    assert_eq!(messages.len(), 4000);

    // Subject and headers of a published message.
    let (_, subject, env) = &messages[0];
    assert_eq!(
        subject,
        &bus::event_subject(
            &h.bus.subject_prefix,
            env.lead_provider_id,
            env.stream_id,
            &env.event_type
        )
    );
    let stream = h.nats.jetstream().get_stream(&h.bus.stream_name).await?;
    let raw = stream.get_raw_message(1).await?;
    let header = |name: &str| raw.headers.get(name).map(|v| v.as_str().to_owned());
    assert_eq!(header(bus::headers::MSG_ID), Some(env.event_id.to_string()));
    assert_eq!(header(bus::headers::CURSOR), Some(env.cursor.clone()));
    assert_eq!(
        header(bus::headers::EVENT_TYPE),
        Some(env.event_type.clone())
    );
    assert_eq!(
        header(bus::headers::STREAM_VERSION),
        Some(env.version.to_string())
    );
    assert_eq!(
        header(bus::headers::TRACEPARENT),
        env.metadata.traceparent.clone()
    );

    Arc::into_inner(h)
        .context("harness still shared")?
        .cleanup()
        .await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nats_outage_longer_than_duplicate_window() -> anyhow::Result<()> {
    let window = Duration::from_secs(1);
    let h = Harness::new(window).await;
    let proxy = TcpProxy::start(h.nats.socket_addr().await).await;
    let mut relay = h.spawn_relay(&proxy.nats_url(), h.relay_config("a")).await;
    let streams = inspection_streams(5);

    h.append_many(&streams, 100).await?;
    h.wait_caught_up().await?;

    proxy.cut();
    let cut_at = Instant::now();
    let failures_before = relay.status.borrow().total_failures;
    // Commands keep succeeding: appends are Postgres only.
    h.append_many(&streams, 200).await?;
    relay
        .wait_for("the relay failed a few times", |s| {
            s.total_failures >= failures_before + 3 && s.consecutive_failures > 0
        })
        .await?;
    poll_until("the duplicate window has passed since the cut", || async {
        Ok((cut_at.elapsed() > window * 2).then_some(()))
    })
    .await?;
    assert_eq!(
        h.stream_len().await?,
        100,
        "nothing got through the cut proxy"
    );

    proxy.restore();
    h.wait_caught_up().await?;
    relay
        .wait_for("healthy again", |s| s.consecutive_failures == 0)
        .await?;
    relay.stop().await??;
    let messages = h.assert_exactly_once_in_order().await?;
    assert_eq!(messages.len(), 300);
    h.cleanup().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn relay_crash_between_ack_and_cursor_update() -> anyhow::Result<()> {
    let window = Duration::from_secs(1);
    let h = Harness::new(window).await;
    let streams = inspection_streams(5);
    h.append_many(&streams, 50).await?;

    let mut crashing = h.relay_config("crash");
    crashing.batch_size = 20;
    crashing.fail_after_ack_before_cursor_update = true;
    let relay = h.spawn_relay(&h.bus.nats_url, crashing).await;
    let result = relay.join().await?;
    assert!(matches!(result, Err(RelayError::Failpoint)), "{result:?}");
    let crashed_at = Instant::now();
    assert_eq!(h.stream_len().await?, 20, "the first batch was acked");
    assert_eq!(
        stored_cursor(&h).await?,
        Some(Cursor::START),
        "cursor not advanced"
    );

    // Past the window, JetStream's de-duplication no longer helps: reconcile must.
    poll_until(
        "the duplicate window has passed since the crash",
        || async { Ok((crashed_at.elapsed() > window * 2).then_some(())) },
    )
    .await?;
    let mut relay = h
        .spawn_relay(&h.bus.nats_url, h.relay_config("fresh"))
        .await;
    h.wait_caught_up().await?;
    let last = h.all_store_events().await?.last().map(|e| e.cursor);
    let status = relay
        .wait_for("cursor at the last event", |s| s.cursor == last)
        .await?;
    assert_eq!(
        status.published, 30,
        "only the 30 unpublished events were published"
    );
    assert_eq!(
        status.total_failures, 0,
        "reconcile, not a refused publish, skipped the 20"
    );
    relay.stop().await??;
    let messages = h.assert_exactly_once_in_order().await?;
    assert_eq!(messages.len(), 50);
    assert_eq!(stored_cursor(&h).await?, last);
    h.cleanup().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn relay_session_terminated_while_second_relay_takes_over() -> anyhow::Result<()> {
    let h = Arc::new(Harness::new(Duration::from_secs(120)).await);
    let streams = Arc::new(inspection_streams(8));

    // Appends run throughout.
    let stop_writers = Arc::new(AtomicBool::new(false));
    let mut writers = Vec::new();
    for _ in 0..3 {
        let (h, streams, stop) = (
            Arc::clone(&h),
            Arc::clone(&streams),
            Arc::clone(&stop_writers),
        );
        writers.push(tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                let stream = &streams[random_below(streams.len() as u64) as usize];
                h.append_one(stream, Duration::from_millis(random_below(3)))
                    .await?;
                tokio::time::sleep(Duration::from_millis(random_below(5))).await;
            }
            anyhow::Ok(())
        }));
    }

    // The stored cursor never goes back, whoever writes it.
    let stop_sampler = Arc::new(AtomicBool::new(false));
    let sampler = {
        let (h, stop) = (Arc::clone(&h), Arc::clone(&stop_sampler));
        tokio::spawn(async move {
            let mut samples = 0u32;
            let mut last = Cursor::START;
            while !stop.load(Ordering::Relaxed) {
                if let Some(cursor) = stored_cursor(&h).await? {
                    ensure!(cursor >= last, "cursor regressed from {last} to {cursor}");
                    last = cursor;
                    samples += 1;
                }
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            anyhow::Ok(samples)
        })
    };

    // A leads; it retries slowly once it lost its lock, so B wins the takeover.
    let mut a_config = h.relay_config("a");
    a_config.min_backoff = Duration::from_millis(500);
    a_config.max_backoff = Duration::from_millis(500);
    let mut a = h.spawn_relay(&h.bus.nats_url, a_config).await;
    a.wait_for("a leads", |s| s.is_leader).await?;
    let mut b_config = h.relay_config("b");
    b_config.max_backoff = Duration::from_millis(50);
    let mut b = h.spawn_relay(&h.bus.nats_url, b_config).await;
    a.wait_for("a published", |s| s.published >= 50).await?;
    assert!(!b.status.borrow().is_leader, "one leader at a time");

    // Terminate every session of A (lock, listener, reads) until B leads.
    let a_app = a.config.application_name.clone();
    let pool = h.db.pool().clone();
    poll_until("b took over", || {
        let (pool, a_app, b_status) = (pool.clone(), a_app.clone(), b.status.clone());
        async move {
            if b_status.borrow().is_leader {
                return Ok(Some(()));
            }
            sqlx::query(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1",
            )
            .bind(a_app)
            .execute(&pool)
            .await?;
            Ok(None)
        }
    })
    .await?;
    let b_start = b.status.borrow().published;
    b.wait_for("b published", |s| s.published >= b_start + 50)
        .await?;

    stop_writers.store(true, Ordering::Relaxed);
    for w in writers {
        w.await??;
    }
    h.wait_caught_up().await?;
    let last = h.all_store_events().await?.last().map(|e| e.cursor);
    b.wait_for("b's cursor at the last event", |s| s.cursor == last)
        .await?;
    stop_sampler.store(true, Ordering::Relaxed);
    let samples = sampler.await??;
    assert!(samples > 10, "the sampler observed the cursor");
    a.stop().await??;
    b.stop().await??;

    let messages = h.assert_exactly_once_in_order().await?;
    assert_eq!(messages.len() as i64, h.store.count_events().await?);
    assert_eq!(stored_cursor(&h).await?, last);
    Arc::into_inner(h)
        .context("harness still shared")?
        .cleanup()
        .await;
    Ok(())
}

/// The stored cursor of the default relay, if the row exists yet.
async fn stored_cursor(h: &Harness) -> anyhow::Result<Option<Cursor>> {
    let row = sqlx::query("SELECT cursor FROM relay_cursors WHERE name = 'default'")
        .fetch_optional(h.db.pool())
        .await;
    match row {
        Ok(Some(row)) => Ok(Some(row.try_get::<String, _>(0)?.parse()?)),
        Ok(None) => Ok(None),
        // The table is created when a relay first leads.
        Err(sqlx::Error::Database(e)) if e.code().as_deref() == Some("42P01") => Ok(None),
        Err(e) => Err(e.into()),
    }
}
