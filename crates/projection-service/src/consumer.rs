//! The JetStream consumer: every message of `<prefix>.>` applied to the live read models in
//! one Postgres transaction, then acked.
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
    #[tracing::instrument(skip_all, fields(stream = %ev.stream_id, version = ev.version, event_type = %ev.event_type))]
    pub async fn project(&self, ev: &Incoming) -> Result<Outcome, ApplyError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(sql::LOCK_APPLY).execute(&mut *tx).await?;
        let applied = apply::applied_version(&mut tx, &LIVE, ev.stream_id).await?;
        if ev.version <= applied {
            tx.rollback().await?;
            tracing::debug!(applied, "duplicate: already applied");
            return Ok(Outcome::Duplicate);
        }
        let mut filled = 0;
        if ev.version > applied + 1 {
            tracing::info!(
                applied,
                "gap: reading the missing versions from the event store"
            );
            let missing = self.store.read_stream(ev.stream_id, applied + 1).await?;
            for recorded in missing.iter().take_while(|r| r.version < ev.version) {
                let expected = applied + 1 + filled;
                if recorded.version != expected {
                    return Err(ApplyError::GapNotInStore {
                        stream_id: ev.stream_id,
                        missing: expected,
                    });
                }
                apply::apply(
                    &mut tx,
                    &LIVE,
                    &self.calendar,
                    &Incoming::from(recorded),
                    Mode::Live,
                )
                .await?;
                filled += 1;
            }
            if applied + 1 + filled != ev.version {
                return Err(ApplyError::GapNotInStore {
                    stream_id: ev.stream_id,
                    missing: applied + 1 + filled,
                });
            }
        }
        apply::apply(&mut tx, &LIVE, &self.calendar, ev, Mode::Live).await?;
        tx.commit().await?;
        Ok(Outcome::Applied { filled })
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
        .max_messages_per_batch(100)
        .heartbeat(Duration::from_secs(5))
        .expires(Duration::from_secs(30))
        .messages()
        .await
        .map_err(|e| format!("messages: {e}"))?;
    tracing::info!("consuming");
    loop {
        let next = tokio::select! {
            biased;
            _ = stop.wait_for(|s| *s) => return Ok(()),
            next = messages.next() => next,
        };
        match next {
            None => return Err("message stream ended".into()),
            Some(Err(e)) => return Err(format!("message stream: {e}")),
            Some(Ok(message)) => handle(projector, settings, &message).await,
        }
    }
}

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

/// Apply and ack one message; NAK (with a delay growing with the deliveries) on failure.
async fn handle(projector: &Projector, settings: &ConsumerSettings, message: &jetstream::Message) {
    let delivered = message.info().map(|i| i.delivered).unwrap_or(1);
    let envelope = match bus::Envelope::from_json(&message.payload) {
        Ok(envelope) => envelope,
        Err(e) if delivered >= settings.max_deliveries => {
            tracing::error!(subject = %message.subject, delivered, error = %e, "unreadable message: terminated");
            ack(message, AckKind::Term).await;
            return;
        }
        Err(e) => {
            tracing::warn!(subject = %message.subject, delivered, error = %e, "unreadable message");
            ack(message, AckKind::Nak(Some(retry_delay(delivered)))).await;
            return;
        }
    };
    match projector.project(&Incoming::from(&envelope)).await {
        Ok(outcome) => {
            tracing::debug!(?outcome, stream = %envelope.stream_id, version = envelope.version, "projected");
            if settings.skip_first_ack && delivered == 1 {
                return;
            }
            ack(message, AckKind::Ack).await;
        }
        Err(e) => {
            tracing::warn!(stream = %envelope.stream_id, version = envelope.version, delivered, error = %e, source = ?std::error::Error::source(&e), "not applied; will retry");
            ack(message, AckKind::Nak(Some(retry_delay(delivered)))).await;
        }
    }
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
