//! Re-publishing stored events into the internal stream, for operators (`inspectionctl events
//! replay`): the same envelope, subject and headers the relay publishes, so consumers cannot
//! tell a replayed message from the original.
//!
//! What makes it safe: each message carries `Nats-Msg-Id` = event id, so JetStream drops a
//! re-publish INSIDE the stream's duplicate window (the ack says `duplicate`); outside the
//! window the message is stored again, and consumers are idempotent by stream version (the
//! projection service acks an event at or below its applied version as a no-op). Unlike the
//! relay, a replay asserts no expected stream sequence (it deliberately repeats events), and
//! it does not move the relay's cursor.

use async_nats::jetstream::{self, message::PublishMessage};
use eventstore::RecordedEvent;

use crate::config::BusConfig;
use crate::envelope::Envelope;
use crate::relay::message_headers;

/// Why a replay stopped.
#[derive(Debug, thiserror::Error)]
pub enum ReplayError {
    /// The envelope could not be encoded.
    #[error("failed to serialise the envelope of event {0}")]
    Encode(uuid::Uuid, #[source] serde_json::Error),
    /// JetStream refused or did not ack a publish.
    #[error("publish of event {0} failed")]
    Publish(uuid::Uuid, #[source] jetstream::context::PublishError),
}

/// What a batch of re-publishes did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReplayOutcome {
    /// Stored (again) in the stream.
    pub stored: u64,
    /// Dropped by JetStream as duplicates (inside the window).
    pub duplicates: u64,
}

/// Re-publishes `events` in order, pipelined, and waits for every ack.
#[tracing::instrument(skip_all, fields(events = events.len(), stream = %bus.stream_name))]
pub async fn republish(
    js: &jetstream::Context,
    bus: &BusConfig,
    events: &[RecordedEvent],
) -> Result<ReplayOutcome, ReplayError> {
    let mut pending = Vec::with_capacity(events.len());
    for event in events {
        let envelope = Envelope::from_recorded(event);
        let body = envelope
            .to_json()
            .map_err(|e| ReplayError::Encode(event.event_id, e))?;
        let message = PublishMessage::build()
            .payload(body.into())
            .headers(message_headers(event));
        let ack = js
            .send_publish(envelope.subject(&bus.subject_prefix), message)
            .await
            .map_err(|e| ReplayError::Publish(event.event_id, e))?;
        pending.push((event.event_id, ack));
    }
    let mut outcome = ReplayOutcome::default();
    for (id, ack) in pending {
        let ack = ack.await.map_err(|e| ReplayError::Publish(id, e))?;
        if ack.duplicate {
            outcome.duplicates += 1;
        } else {
            outcome.stored += 1;
        }
    }
    Ok(outcome)
}
