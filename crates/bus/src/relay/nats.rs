//! The relay's NATS side: reading the stream's tail back (reconcile) and publishing a batch.
//!
//! Every message carries `Nats-Expected-Last-Sequence`. The relay is the stream's only writer
//! and publishes in the store's order, so message k of that order must land at sequence k:
//! a publish that would leave a gap (an earlier one lost when the connection dropped) or
//! repeat an event (a stale relay, a publish buffered by the client during an outage and
//! flushed after it) is refused by JetStream, whatever the duplicate window. The window and
//! `Nats-Msg-Id` remain as the first line of defence.

use async_nats::jetstream::{self, message::PublishMessage};
use async_nats::{HeaderMap, connection::State};
use eventstore::{Cursor, RecordedEvent};

use crate::config::BusConfig;
use crate::envelope::Envelope;
use crate::headers;
use crate::public::{PublicMapError, PublicPublisher, ensure_public_stream, public_headers};
use crate::stream::{StreamError, ensure_stream};

/// Why talking to JetStream failed; always retried by the relay.
#[derive(Debug, thiserror::Error)]
pub(crate) enum NatsError {
    #[error("not connected to nats")]
    NotConnected,
    #[error(transparent)]
    Stream(#[from] StreamError),
    #[error("failed to read the stream's last message")]
    LastMessage(#[source] jetstream::stream::RawMessageError),
    #[error(
        "stream's last message (sequence {sequence}) has no valid {} header",
        headers::CURSOR
    )]
    MissingCursor { sequence: u64 },
    #[error("failed to serialise the envelope")]
    Encode(#[source] serde_json::Error),
    #[error("publish failed")]
    Publish(#[source] jetstream::context::PublishError),
    #[error(transparent)]
    PublicMap(#[from] PublicMapError),
    #[error("public publish failed")]
    PublicPublish(#[source] jetstream::context::PublishError),
}

/// What the stream's tail says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Tail {
    /// Sequence of the last message, 0 for an empty stream.
    pub(crate) sequence: u64,
    /// Store cursor of the last message, `None` for an empty stream.
    pub(crate) cursor: Option<Cursor>,
}

/// The outcome of one batch: how many events at the front were acked, and the first failure.
#[derive(Debug)]
pub(crate) struct BatchOutcome {
    pub(crate) acked: usize,
    /// Stream sequence of the last acked message.
    pub(crate) last_sequence: u64,
    /// Whether some ack said "duplicate": the relay's idea of the tail is then stale.
    pub(crate) saw_duplicate: bool,
    pub(crate) error: Option<NatsError>,
}

/// Ensures the stream (and the public one, when configured) exists with the configured window,
/// then reads its last message.
#[tracing::instrument(skip_all, fields(stream = %bus.stream_name))]
pub(crate) async fn read_tail(
    js: &jetstream::Context,
    client: &async_nats::Client,
    bus: &BusConfig,
    public: Option<&PublicPublisher>,
) -> Result<Tail, NatsError> {
    if client.connection_state() != State::Connected {
        return Err(NatsError::NotConnected);
    }
    if let Some(public) = public {
        ensure_public_stream(js, &public.config).await?;
    }
    let info = ensure_stream(js, bus).await?;
    let sequence = info.state.last_sequence;
    if sequence == 0 {
        return Ok(Tail {
            sequence,
            cursor: None,
        });
    }
    let stream = js
        .get_stream_no_info(&bus.stream_name)
        .await
        .map_err(|e| NatsError::Stream(StreamError::Lookup(e)))?;
    let last = stream
        .get_raw_message(sequence)
        .await
        .map_err(NatsError::LastMessage)?;
    let cursor = last
        .headers
        .get(headers::CURSOR)
        .and_then(|v| v.as_str().parse::<Cursor>().ok())
        .ok_or(NatsError::MissingCursor { sequence })?;
    Ok(Tail {
        sequence,
        cursor: Some(cursor),
    })
}

/// The headers of an event's message (also used by [`crate::replay`]).
pub fn message_headers(event: &RecordedEvent) -> HeaderMap {
    let mut h = HeaderMap::new();
    h.insert(headers::MSG_ID, event.event_id.to_string());
    h.insert(headers::CURSOR, event.cursor.to_string());
    h.insert(headers::EVENT_TYPE, event.event_type.as_str());
    h.insert(headers::STREAM_VERSION, event.version.to_string());
    if let Some(tp) = &event.metadata.traceparent {
        h.insert(headers::TRACEPARENT, tp.as_str());
    }
    h
}

/// Publishes the public message of `event`, if it has one, and waits for its ack.
#[tracing::instrument(skip_all, fields(event_id = %event.event_id))]
async fn publish_public(
    js: &jetstream::Context,
    public: &PublicPublisher,
    event: &RecordedEvent,
) -> Result<(), NatsError> {
    let Some(message) = public.mapper.map(event)? else {
        return Ok(());
    };
    let subject = public
        .config
        .subject(&message.topic, event.stream.lead_provider_id);
    let headers = public_headers(event.event_id, &message);
    let ack = js
        .publish_with_headers(subject, headers, message.body.into())
        .await
        .map_err(NatsError::PublicPublish)?
        .await
        .map_err(NatsError::PublicPublish)?;
    tracing::debug!(
        sequence = ack.sequence,
        duplicate = ack.duplicate,
        "public message acked"
    );
    Ok(())
}

/// Publishes `events` pipelined (all sends first, then the acks in order), expecting the
/// stream to end at `tail_sequence`. Stops at the first failure: only the acked prefix counts.
///
/// An event with a public message has it published and ACKED before its own internal message
/// is sent (earlier internal sends stay in flight meanwhile): the internal message is what
/// moves the relay on, so the public one can be repeated after a crash, never skipped.
#[tracing::instrument(skip_all, fields(events = events.len(), tail_sequence))]
pub(crate) async fn publish_batch(
    js: &jetstream::Context,
    client: &async_nats::Client,
    bus: &BusConfig,
    public: Option<&PublicPublisher>,
    events: &[RecordedEvent],
    tail_sequence: u64,
) -> BatchOutcome {
    let mut outcome = BatchOutcome {
        acked: 0,
        last_sequence: tail_sequence,
        saw_duplicate: false,
        error: None,
    };
    // Checked once per batch: publishing while disconnected only queues messages in the
    // client, to be flushed (and refused by the sequence check) after reconnecting.
    if client.connection_state() != State::Connected {
        outcome.error = Some(NatsError::NotConnected);
        return outcome;
    }
    let mut pending = Vec::with_capacity(events.len());
    for (expected, event) in (tail_sequence..).zip(events) {
        if let Some(public) = public
            && let Err(e) = publish_public(js, public, event).await
        {
            outcome.error = Some(e);
            break;
        }
        let envelope = Envelope::from_recorded(event);
        let body = match envelope.to_json() {
            Ok(body) => body,
            Err(e) => {
                outcome.error = Some(NatsError::Encode(e));
                break;
            }
        };
        let message = PublishMessage::build()
            .payload(body.into())
            .headers(message_headers(event))
            .expected_last_sequence(expected);
        match js
            .send_publish(envelope.subject(&bus.subject_prefix), message)
            .await
        {
            Ok(ack) => pending.push(ack),
            Err(e) => {
                outcome.error = Some(NatsError::Publish(e));
                break;
            }
        }
    }
    for ack in pending {
        match ack.await {
            Ok(ack) => {
                outcome.acked += 1;
                outcome.last_sequence = ack.sequence;
                outcome.saw_duplicate |= ack.duplicate;
            }
            Err(e) => {
                // Later acks are not awaited: their messages were refused or will be (each
                // expects its predecessor), and the retry re-reads the tail anyway.
                outcome.error = Some(NatsError::Publish(e));
                break;
            }
        }
    }
    outcome
}
