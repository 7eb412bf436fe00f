//! The JetStream consumer: the messages of `<prefix>.>` applied to the live read models, the
//! ones received together in one Postgres transaction, then acked.
//!
//! Per stream, `applied.version` is the last version applied:
//! - a message at or below it is a duplicate (a redelivery, or a re-publish): acked, no-op;
//! - the next version is applied;
//! - a version further ahead means the bus skipped or reordered something: the missing
//!   versions are read from the event store and applied first, in order, in the same
//!   transaction — never skipped;
//! - a message that is not an [`bus::Envelope`] at all is NAK'd, and terminated after
//!   `max_deliveries` (its event, if it exists, is fetched from the store as a gap later);
//! - an event the domain cannot read (schema drift) or a database failure is NAK'd with a
//!   delay and retried: the read model stalls for that stream rather than lose an event.

use std::sync::Arc;
use std::time::Duration;

use async_nats::jetstream::{self, AckKind, consumer};
use domain::calendar::Calendar;
use eventstore::EventStore;
use futures::StreamExt;
use sqlx::PgPool;
use tokio::sync::watch;
use uuid::Uuid;

use crate::config::Config;
use crate::store::apply::{self, ApplyError, Incoming, Mode};
use crate::store::sql::{self, LIVE};

/// What happened to one event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Applied (with `filled` earlier versions fetched from the store first).
    Applied { filled: u64 },
    /// At or below the applied version: nothing to do.
    Duplicate,
}

/// Applies events to the live tables; shared by the consumer and the tests.
#[derive(Debug, Clone)]
pub struct Projector {
    pool: PgPool,
    store: EventStore,
    calendar: Arc<Calendar>,
}

impl Projector {
    /// A projector writing to `pool`, filling gaps from `store`.
    pub fn new(pool: PgPool, store: EventStore, calendar: Arc<Calendar>) -> Self {
        Projector {
            pool,
            store,
            calendar,
        }
    }

    /// Apply `ev` (and any versions missing before it) in one transaction.
    pub async fn project(&self, ev: &Incoming) -> Result<Outcome, ApplyError> {
        let outcomes = self.project_batch(vec![ev.clone()]).await?;
        Ok(outcomes.first().copied().unwrap_or(Outcome::Duplicate))
    }

    /// Apply `events` (in order, any streams, duplicates allowed) and any versions missing
    /// before them, all in one transaction; one outcome per event. On an error nothing is
    /// applied.
    #[tracing::instrument(skip_all, fields(events = events.len()))]
    pub async fn project_batch(&self, events: Vec<Incoming>) -> Result<Vec<Outcome>, ApplyError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(sql::LOCK_APPLY).execute(&mut *tx).await?;
        let mut ids: Vec<Uuid> = events.iter().map(|e| e.stream_id).collect();
        ids.sort_unstable();
        ids.dedup();
        let mut versions = apply::applied_versions(&mut tx, &LIVE, &ids).await?;
        let mut todo: Vec<Incoming> = Vec::with_capacity(events.len());
        let mut outcomes = Vec::with_capacity(events.len());
        for ev in events {
            let applied = versions.get(&ev.stream_id).copied().unwrap_or(0);
            if ev.version <= applied {
                tracing::debug!(stream = %ev.stream_id, version = ev.version, applied, "duplicate: already applied");
                outcomes.push(Outcome::Duplicate);
                continue;
            }
            let mut filled = 0;
            if ev.version > applied + 1 {
                tracing::info!(stream = %ev.stream_id, version = ev.version, applied,
                    "gap: reading the missing versions from the event store");
                let missing = self.store.read_stream(ev.stream_id, applied + 1).await?;
                for recorded in missing.iter().take_while(|r| r.version < ev.version) {
                    let expected = applied + 1 + filled;
                    if recorded.version != expected {
                        break;
                    }
                    todo.push(Incoming::from(recorded));
                    filled += 1;
                }
                if applied + 1 + filled != ev.version {
                    return Err(ApplyError::GapNotInStore {
                        stream_id: ev.stream_id,
                        missing: applied + 1 + filled,
                    });
                }
            }
            versions.insert(ev.stream_id, ev.version);
            todo.push(ev);
            outcomes.push(Outcome::Applied { filled });
        }
        if todo.is_empty() {
            tx.rollback().await?;
            return Ok(outcomes);
        }
        let seqs = apply::apply_many(&mut tx, &LIVE, &self.calendar, todo, Mode::Live).await?;
        tx.commit().await?;
        if let Some(last) = seqs.last() {
            let woken = sqlx::query(sql::NOTIFY_CHANGE)
                .bind(last.to_string())
                .execute(&self.pool)
                .await;
            if let Err(e) = woken {
                tracing::warn!(error = %e, "could not wake Watch streams; they poll");
            }
        }
        Ok(outcomes)
    }
}

/// The consumer loop's settings.
#[derive(Debug, Clone)]
pub struct ConsumerSettings {
    pub bus: bus::BusConfig,
    pub name: String,
    pub max_deliveries: i64,
    pub ack_wait: Duration,
    pub skip_first_ack: bool,
}

impl From<&Config> for ConsumerSettings {
    fn from(c: &Config) -> Self {
        ConsumerSettings {
            bus: c.bus.clone(),
            name: c.consumer_name.clone(),
            max_deliveries: c.max_deliveries,
            ack_wait: c.ack_wait,
            skip_first_ack: c.skip_first_ack,
        }
    }
}

/// Consume until `stop` becomes true, reconnecting on errors. The message being handled when
/// the stop comes is finished (applied and acked) first.
#[tracing::instrument(skip_all, fields(consumer = %settings.name, stream = %settings.bus.stream_name))]
pub async fn run(
    projector: Projector,
    client: async_nats::Client,
    settings: ConsumerSettings,
    mut stop: watch::Receiver<bool>,
) {
    let js = jetstream::new(client);
    let mut delay = Duration::from_millis(100);
    loop {
        if *stop.borrow() {
            return;
        }
        match consume(&projector, &js, &settings, &mut stop).await {
            Ok(()) => return,
            Err(e) => {
                tracing::warn!(error = %e, retry_in_ms = delay.as_millis() as u64, "consumer interrupted")
            }
        }
        tokio::select! {
            _ = stop.wait_for(|s| *s) => return,
            () = tokio::time::sleep(delay) => {}
        }
        delay = (delay * 2).min(Duration::from_secs(5));
    }
}

/// One session of the consumer; `Ok` when stopped, `Err` to reconnect.
async fn consume(
    projector: &Projector,
    js: &jetstream::Context,
    settings: &ConsumerSettings,
    stop: &mut watch::Receiver<bool>,
) -> Result<(), String> {
    let stream = open_stream(js, &settings.bus).await?;
    let consumer = stream
        .get_or_create_consumer(
            &settings.name,
            consumer::pull::Config {
                durable_name: Some(settings.name.clone()),
                filter_subject: settings.bus.stream_subjects(),
                ack_policy: consumer::AckPolicy::Explicit,
                deliver_policy: consumer::DeliverPolicy::All,
                ack_wait: settings.ack_wait,
                ..Default::default()
            },
        )
        .await
        .map_err(|e| format!("consumer: {e}"))?;
    let mut messages = consumer
        .stream()
        .max_messages_per_batch(PULL_BATCH)
        .heartbeat(Duration::from_secs(5))
        .expires(Duration::from_secs(30))
        .messages()
        .await
        .map_err(|e| format!("messages: {e}"))?
        .ready_chunks(APPLY_BATCH);
    tracing::info!("consuming");
    loop {
        let next = tokio::select! {
            biased;
            _ = stop.wait_for(|s| *s) => return Ok(()),
            next = messages.next() => next,
        };
        let Some(chunk) = next else {
            return Err("message stream ended".into());
        };
        let mut received = Vec::with_capacity(chunk.len());
        let mut failed = None;
        for item in chunk {
            match item {
                Ok(message) => received.push(message),
                Err(e) => failed = Some(format!("message stream: {e}")),
            }
        }
        handle(projector, settings, &received).await;
        if let Some(e) = failed {
            return Err(e);
        }
    }
}

/// Messages pulled from the server per request.
const PULL_BATCH: usize = 500;

/// At most this many messages already received are applied in one transaction. The consumer
/// never waits to fill a batch: it takes what has arrived, so a batch is one message when
/// the projection keeps up and grows only when it falls behind.
const APPLY_BATCH: usize = 500;

/// The stream, created when missing (with the write side's settings) so that the projection
/// may start first; an existing stream is left as the write side configured it.
async fn open_stream(
    js: &jetstream::Context,
    bus: &bus::BusConfig,
) -> Result<jetstream::stream::Stream, String> {
    match js.get_stream(&bus.stream_name).await {
        Ok(stream) => Ok(stream),
        Err(e)
            if matches!(e.kind(), jetstream::context::GetStreamErrorKind::JetStream(ref js)
                if js.error_code() == jetstream::ErrorCode::STREAM_NOT_FOUND) =>
        {
            bus::ensure_stream(js, bus)
                .await
                .map_err(|e| format!("create stream: {e}"))?;
            js.get_stream(&bus.stream_name)
                .await
                .map_err(|e| format!("stream: {e}"))
        }
        Err(e) => Err(format!("stream: {e}")),
    }
}

/// Apply and ack the messages received together, in one transaction. When that fails, each
/// is applied on its own, so that one bad message (NAK'd, with a delay growing with the
/// deliveries) holds up only its own stream.
async fn handle(
    projector: &Projector,
    settings: &ConsumerSettings,
    messages: &[jetstream::Message],
) {
    let mut readable = Vec::with_capacity(messages.len());
    for message in messages {
        let delivered = delivered(message);
        match bus::Envelope::from_json(&message.payload) {
            Ok(envelope) => readable.push((message, Incoming::from(&envelope))),
            Err(e) if delivered >= settings.max_deliveries => {
                tracing::error!(subject = %message.subject, delivered, error = %e, "unreadable message: terminated");
                ack(message, AckKind::Term).await;
            }
            Err(e) => {
                tracing::warn!(subject = %message.subject, delivered, error = %e, "unreadable message");
                ack(message, AckKind::Nak(Some(retry_delay(delivered)))).await;
            }
        }
    }
    if readable.is_empty() {
        return;
    }
    let events: Vec<Incoming> = readable.iter().map(|(_, ev)| ev.clone()).collect();
    match projector.project_batch(events).await {
        Ok(outcomes) => {
            for ((message, ev), outcome) in readable.iter().zip(outcomes) {
                tracing::debug!(?outcome, stream = %ev.stream_id, version = ev.version, "projected");
                acknowledge(settings, message).await;
            }
        }
        Err(e) if readable.len() > 1 => {
            tracing::info!(events = readable.len(), error = %e, "batch not applied; applying its events one by one");
            for (message, ev) in &readable {
                handle_one(projector, settings, message, ev).await;
            }
        }
        Err(_) => {
            let (message, ev) = &readable[0];
            handle_one(projector, settings, message, ev).await;
        }
    }
}

/// Apply and ack one event; NAK it on failure.
async fn handle_one(
    projector: &Projector,
    settings: &ConsumerSettings,
    message: &jetstream::Message,
    ev: &Incoming,
) {
    match projector.project(ev).await {
        Ok(outcome) => {
            tracing::debug!(?outcome, stream = %ev.stream_id, version = ev.version, "projected");
            acknowledge(settings, message).await;
        }
        Err(e) => {
            let delivered = delivered(message);
            tracing::warn!(stream = %ev.stream_id, version = ev.version, delivered, error = %e, source = ?std::error::Error::source(&e), "not applied; will retry");
            ack(message, AckKind::Nak(Some(retry_delay(delivered)))).await;
        }
    }
}

/// Ack an applied message (the tests' `skip_first_ack` leaves first deliveries unacked, to
/// force redeliveries).
async fn acknowledge(settings: &ConsumerSettings, message: &jetstream::Message) {
    if settings.skip_first_ack && delivered(message) == 1 {
        return;
    }
    ack(message, AckKind::Ack).await;
}

fn delivered(message: &jetstream::Message) -> i64 {
    message.info().map(|i| i.delivered).unwrap_or(1)
}

fn retry_delay(delivered: i64) -> Duration {
    let exp = u32::try_from(delivered.clamp(1, 7)).unwrap_or(7);
    Duration::from_millis(100 * 2u64.pow(exp - 1))
}

async fn ack(message: &jetstream::Message, kind: AckKind) {
    if let Err(e) = message.ack_with(kind).await {
        // Not fatal: an unacked message is redelivered and then found applied.
        tracing::warn!(error = %e, "ack failed");
    }
}
