//! Delivery faults: duplicates, redeliveries, a stopped or killed service, events out of
//! order, poison messages. In every case the read models equal, row for row, a projection
//! that applied each event once in the store's order.

mod common;

use bus::Envelope;
use common::author::{Author, d, london};
use common::{Env, Running, assert_each_applied_once, assert_same, poll_until};
use projection::clock::ManualClock;
use testkit::TestDb;

#[tokio::test]
async fn every_event_delivered_twice_gives_the_same_read_models() -> anyhow::Result<()> {
    let env = Env::new().await;
    let mut author = Author::new(env.store.clone(), london(d(2026, 11, 2), 9, 0)).await;
    author.lifecycle(d(2027, 1, 11)).await;
    author.lifecycle(d(2027, 1, 18)).await;
    let relay = env.spawn_relay().await;

    // Every first delivery is applied but left unacked, so JetStream redelivers it.
    let db = TestDb::new().await;
    let clock = ManualClock::new(london(d(2027, 3, 1), 12, 0));
    let mut config = env.config(&db, &clock);
    config.skip_first_ack = true;
    config.ack_wait = std::time::Duration::from_secs(1);
    let service = Running::start(config).await;
    env.wait_caught_up(db.pool()).await?;

    // And every event is published a second time on purpose (no de-duplication id).
    let events = env.all_events().await?;
    for e in &events {
        env.publish(&Envelope::from_recorded(e)).await?;
    }
    // Both rounds of redeliveries are drained when nothing is pending for the consumer.
    poll_until("every message acked", || async {
        let mut consumers = env
            .nats
            .jetstream()
            .get_stream(env.nats.stream_name())
            .await?;
        let info = consumers.info().await?;
        let stream_messages = info.state.messages;
        let names: Vec<String> = {
            use futures::TryStreamExt;
            consumers.consumer_names().try_collect().await?
        };
        let mut done = stream_messages as usize == 2 * events.len() && !names.is_empty();
        for name in names {
            let mut c: async_nats::jetstream::consumer::PullConsumer = consumers
                .get_consumer(&name)
                .await
                .map_err(|e| anyhow::anyhow!("consumer {name}: {e}"))?;
            let ci = c.info().await?;
            done &= ci.num_pending == 0 && ci.num_ack_pending == 0;
        }
        Ok(done.then_some(()))
    })
    .await?;

    let reference = env.reference().await?;
    assert_same(db.pool(), reference.pool(), true).await?;
    assert_each_applied_once(db.pool(), events.len()).await?;

    service.stop().await?;
    relay.stop().await;
    db.cleanup().await;
    reference.cleanup().await;
    env.cleanup().await;
    Ok(())
}

#[tokio::test]
async fn stopped_or_killed_mid_stream_and_restarted_applies_each_event_once() -> anyhow::Result<()>
{
    let env = Env::new().await;
    let mut author = Author::new(env.store.clone(), london(d(2026, 11, 2), 9, 0)).await;
    let relay = env.spawn_relay().await;
    let db = TestDb::new().await;
    let clock = ManualClock::new(london(d(2027, 3, 1), 12, 0));
    let config = env.config(&db, &clock);

    let applied = |n: i64| {
        let pool = db.pool().clone();
        move || {
            let pool = pool.clone();
            async move {
                let got: i64 = sqlx::query_scalar("SELECT count(*) FROM changes")
                    .fetch_one(&pool)
                    .await?;
                Ok((got >= n).then_some(()))
            }
        }
    };

    // Traffic while the service is started, stopped gracefully, restarted, killed, restarted.
    let service = Running::start(config.clone()).await;
    author.lifecycle(d(2027, 1, 11)).await;
    poll_until("some events applied", applied(5)).await?;
    service.stop().await?;
    author.lifecycle(d(2027, 1, 18)).await;
    let service = Running::start(config.clone()).await;
    poll_until("more events applied", applied(50)).await?;
    author.lifecycle(d(2027, 1, 25)).await;
    service.kill().await;
    author.lifecycle(d(2027, 2, 1)).await;
    let service = Running::start(config).await;
    env.wait_caught_up(db.pool()).await?;

    let events = env.all_events().await?;
    assert_each_applied_once(db.pool(), events.len()).await?;
    // Redeliveries after the kill may interleave the streams differently from the store's
    // order, so only the Watch log's numbering across streams may differ.
    let reference = env.reference().await?;
    assert_same(db.pool(), reference.pool(), false).await?;

    service.stop().await?;
    relay.stop().await;
    db.cleanup().await;
    reference.cleanup().await;
    env.cleanup().await;
    Ok(())
}

#[tokio::test]
async fn events_out_of_order_and_poison_messages_give_the_same_read_models() -> anyhow::Result<()> {
    let env = Env::new().await;
    let mut author = Author::new(env.store.clone(), london(d(2026, 11, 2), 9, 0)).await;
    author.lifecycle(d(2027, 1, 11)).await;
    author.lifecycle(d(2027, 1, 18)).await;
    let events = env.all_events().await?;

    // No relay: the test publishes. The provider's stream in order, a poison message, then
    // each inspection's events in reverse, interleaved.
    let (lp, inspections): (Vec<_>, Vec<_>) = events
        .iter()
        .partition(|e| e.stream.kind == eventstore::StreamKind::LeadProvider);
    for e in &lp {
        env.publish(&Envelope::from_recorded(e)).await?;
    }
    env.publish_raw(b"{not an envelope").await?;
    let mut reversed: Vec<_> = inspections.iter().rev().collect();
    // Interleave the two inspections' reversed histories.
    reversed.sort_by_key(|e| std::cmp::Reverse(e.version));
    for e in reversed {
        env.publish(&Envelope::from_recorded(e)).await?;
    }

    let db = TestDb::new().await;
    let clock = ManualClock::new(london(d(2027, 3, 1), 12, 0));
    let mut config = env.config(&db, &clock);
    config.max_deliveries = 2;
    let service = Running::start(config).await;
    env.wait_caught_up(db.pool()).await?;

    let reference = env.reference().await?;
    // The two inspections may be applied in another order than the store's, so only the
    // Watch log's numbering may differ: each event is still in it exactly once.
    assert_same(db.pool(), reference.pool(), false).await?;
    assert_each_applied_once(db.pool(), events.len()).await?;

    service.stop().await?;
    db.cleanup().await;
    reference.cleanup().await;
    env.cleanup().await;
    Ok(())
}
