//! Shared harness of the relay tests: a database, a stream and prefix of the test's own, a
//! relay running in the background, appends, and the exactly-once / in-order verification.

#![allow(dead_code)]

use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::time::Duration;

use anyhow::{Context as _, bail, ensure};
use async_nats::jetstream::consumer::DeliverPolicy;
use bus::{BusConfig, Envelope, Relay, RelayConfig, RelayError, RelayStatus};
use chrono::Utc;
use eventstore::{
    AppendRequest, EventMetadata, EventStore, ExpectedVersion, NewEvent, RecordedEvent, StreamKind,
    StreamRef,
};
use futures::StreamExt;
use testkit::TestDb;
use testkit::nats::TestNats;
use tokio::sync::{oneshot, watch};
use tokio::task::JoinHandle;
use tokio::time::Instant;
use uuid::Uuid;

/// Upper bound for anything a test waits for.
pub const DEADLINE: Duration = Duration::from_secs(120);

pub struct Harness {
    pub db: TestDb,
    pub nats: TestNats,
    pub store: EventStore,
    pub bus: BusConfig,
}

impl Harness {
    pub async fn new(duplicate_window: Duration) -> Harness {
        let db = TestDb::new().await;
        let store = EventStore::from_pool(db.pool().clone());
        store.migrate().await.expect("migrate store");
        let nats = TestNats::new().await;
        let bus = BusConfig {
            nats_url: nats.url().to_owned(),
            stream_name: nats.stream_name().to_owned(),
            subject_prefix: nats.subject_prefix().to_owned(),
            duplicate_window,
            replicas: 1,
        };
        Harness {
            db,
            nats,
            store,
            bus,
        }
    }

    /// Fast settings so failures and recoveries happen within a test's time.
    pub fn relay_config(&self, who: &str) -> RelayConfig {
        RelayConfig {
            application_name: format!("relay_{who}_{}", testkit::unique_suffix()),
            batch_size: 100,
            poll_interval: Duration::from_millis(200),
            min_backoff: Duration::from_millis(20),
            max_backoff: Duration::from_millis(300),
            ack_timeout: Duration::from_secs(1),
            ..RelayConfig::default()
        }
    }

    /// Starts a relay in the background with its own client connected to `nats_url`.
    pub async fn spawn_relay(&self, nats_url: &str, config: RelayConfig) -> RunningRelay {
        let client = testkit::nats::connect(nats_url).await;
        let relay = Relay::new(self.store.clone(), client, self.bus.clone(), config.clone());
        let status = relay.status();
        let (stop, stopped) = oneshot::channel::<()>();
        let handle = tokio::spawn(relay.run(async move {
            let _ = stopped.await;
        }));
        RunningRelay {
            config,
            status,
            stop,
            handle,
        }
    }

    /// Appends one event to `stream` (any version) after `delay` inside the transaction.
    pub async fn append_one(&self, stream: &StreamRef, delay: Duration) -> anyhow::Result<()> {
        let req = AppendRequest {
            stream: stream.clone(),
            expected: ExpectedVersion::Any,
            events: vec![new_event("SomethingHappened")],
            idempotency: None,
            recorded_at: Utc::now(),
        };
        self.store
            .append_with_delay_before_commit(req, delay)
            .await
            .context("append")?;
        Ok(())
    }

    /// `n` appends spread round-robin over `streams`.
    pub async fn append_many(&self, streams: &[StreamRef], n: usize) -> anyhow::Result<()> {
        for i in 0..n {
            self.append_one(&streams[i % streams.len()], Duration::ZERO)
                .await?;
        }
        Ok(())
    }

    /// Messages currently in the stream (read directly, not through any proxy).
    pub async fn stream_len(&self) -> anyhow::Result<u64> {
        let mut stream = self
            .nats
            .jetstream()
            .get_stream(&self.bus.stream_name)
            .await?;
        Ok(stream.info().await?.state.messages)
    }

    /// Every event the store has, once every writer finished (polls past other tests'
    /// transactions holding back the read-all horizon).
    pub async fn all_store_events(&self) -> anyhow::Result<Vec<RecordedEvent>> {
        let total = self.store.count_events().await? as usize;
        let store = &self.store;
        poll_until("store read-all sees every event", || async move {
            let events = store.read_all(None, 1_000_000).await?;
            Ok((events.len() == total).then_some(events))
        })
        .await
    }

    /// Waits until the stream holds as many messages as the store holds events.
    pub async fn wait_caught_up(&self) -> anyhow::Result<()> {
        let total = self.store.count_events().await? as u64;
        poll_until("stream caught up with the store", || async move {
            Ok((self.stream_len().await.unwrap_or(0) >= total).then_some(()))
        })
        .await
    }

    /// Reads the whole stream in sequence order.
    pub async fn read_stream(&self) -> anyhow::Result<Vec<(u64, String, Envelope)>> {
        let last = {
            let mut stream = self
                .nats
                .jetstream()
                .get_stream(&self.bus.stream_name)
                .await?;
            stream.info().await?.state.last_sequence
        };
        let mut out = Vec::new();
        if last == 0 {
            return Ok(out);
        }
        let filter = self.bus.stream_subjects();
        let consumer = bus::ephemeral_ordered_consumer(
            self.nats.jetstream(),
            &self.bus,
            &filter,
            DeliverPolicy::All,
        )
        .await?;
        let mut messages = consumer.messages().await?;
        let deadline = Instant::now() + DEADLINE;
        while out.last().is_none_or(|(seq, _, _)| *seq < last) {
            let msg = tokio::time::timeout_at(deadline, messages.next())
                .await
                .context("timed out reading the stream")?
                .context("message stream ended")??;
            let seq = msg
                .info()
                .map_err(|e| anyhow::anyhow!("{e}"))?
                .stream_sequence;
            let envelope = Envelope::from_json(&msg.payload)?;
            out.push((seq, msg.subject.to_string(), envelope));
        }
        Ok(out)
    }

    /// The acceptance check: every store event exactly once in the stream, each stream's
    /// versions in order of stream sequence. Returns the stream contents.
    pub async fn assert_exactly_once_in_order(
        &self,
    ) -> anyhow::Result<Vec<(u64, String, Envelope)>> {
        let events = self.all_store_events().await?;
        let mut store_versions: HashMap<Uuid, u64> = HashMap::new();
        for e in &events {
            let last = store_versions.entry(e.stream.id).or_insert(0);
            ensure!(
                e.version == *last + 1,
                "the store's read-all order itself has stream {} version {} after {} (cursor {})",
                e.stream.id,
                e.version,
                last,
                e.cursor
            );
            *last = e.version;
        }
        let messages = self.read_stream().await?;
        let mut seen = HashSet::new();
        for (seq, _, env) in &messages {
            ensure!(
                seen.insert(env.event_id),
                "event {} published twice (again at sequence {seq})",
                env.event_id
            );
        }
        let expected: HashSet<Uuid> = events.iter().map(|e| e.event_id).collect();
        let missing: Vec<_> = expected.difference(&seen).collect();
        ensure!(
            missing.is_empty(),
            "{} events missing, e.g. {:?}",
            missing.len(),
            missing.first()
        );
        let extra: Vec<_> = seen.difference(&expected).collect();
        ensure!(
            extra.is_empty(),
            "{} unknown events in the stream",
            extra.len()
        );
        ensure!(
            messages.len() == events.len(),
            "message count differs from event count"
        );
        let mut versions: HashMap<Uuid, u64> = HashMap::new();
        for (seq, _, env) in &messages {
            let last = versions.entry(env.stream_id).or_insert(0);
            if env.version != *last + 1 {
                bail!(
                    "stream {} version {} at sequence {seq} follows version {}",
                    env.stream_id,
                    env.version,
                    last
                );
            }
            *last = env.version;
        }
        Ok(messages)
    }

    pub async fn cleanup(self) {
        self.nats.cleanup().await;
        self.db.cleanup().await;
    }
}

pub struct RunningRelay {
    pub config: RelayConfig,
    pub status: watch::Receiver<RelayStatus>,
    stop: oneshot::Sender<()>,
    handle: JoinHandle<Result<(), RelayError>>,
}

impl RunningRelay {
    /// Waits until the status satisfies `f`.
    pub async fn wait_for(
        &mut self,
        what: &str,
        f: impl Fn(&RelayStatus) -> bool,
    ) -> anyhow::Result<RelayStatus> {
        let got = tokio::time::timeout(DEADLINE, self.status.wait_for(|s| f(s)))
            .await
            .with_context(|| format!("timed out waiting for: {what}"))?
            .context("relay status channel closed")?;
        Ok(got.clone())
    }

    /// Requests a graceful shutdown and returns what `run` returned.
    pub async fn stop(self) -> anyhow::Result<Result<(), RelayError>> {
        let _ = self.stop.send(());
        Ok(tokio::time::timeout(DEADLINE, self.handle)
            .await
            .context("relay did not stop")??)
    }

    /// Waits for `run` to return on its own (e.g. the failpoint).
    pub async fn join(self) -> anyhow::Result<Result<(), RelayError>> {
        Ok(tokio::time::timeout(DEADLINE, self.handle)
            .await
            .context("relay did not return")??)
    }
}

/// Polls `f` every 20 ms until it yields a value or [`DEADLINE`] passes.
pub async fn poll_until<T, F, Fut>(what: &str, mut f: F) -> anyhow::Result<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = anyhow::Result<Option<T>>>,
{
    let deadline = Instant::now() + DEADLINE;
    loop {
        if let Some(v) = f().await? {
            return Ok(v);
        }
        if Instant::now() > deadline {
            bail!("timed out waiting for: {what}");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// `n` inspection streams spread over two lead providers.
pub fn inspection_streams(n: usize) -> Vec<StreamRef> {
    let providers = [Uuid::now_v7(), Uuid::now_v7()];
    (0..n)
        .map(|i| StreamRef {
            id: Uuid::now_v7(),
            kind: StreamKind::Inspection,
            lead_provider_id: providers[i % 2],
        })
        .collect()
}

pub fn new_event(event_type: &str) -> NewEvent {
    NewEvent {
        event_id: Uuid::now_v7(),
        event_type: event_type.to_owned(),
        schema_version: 1,
        payload: serde_json::json!({ "n": 1 }),
        metadata: EventMetadata {
            actor: "tester".into(),
            role: "inspector".into(),
            correlation_id: Uuid::new_v4(),
            causation_id: None,
            idempotency_key: None,
            occurred_at: Utc::now(),
            traceparent: Some("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01".into()),
        },
    }
}

/// A random number below `n` (uuid v4 bytes: good enough for test jitter, no extra crate).
pub fn random_below(n: u64) -> u64 {
    (Uuid::new_v4().as_u128() % u128::from(n.max(1))) as u64
}
