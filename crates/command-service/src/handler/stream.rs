//! Between the store and the domain: a stream's events folded into state, and decided
//! events turned into store events with their metadata.

use eventstore::{Cursor, EventMetadata, EventStore, IdempotencyRecord, NewEvent};
use uuid::Uuid;

use super::RequestContext;
use super::aggregate::Aggregate;
use crate::errors::CommandError;

/// A stream's state as of its last event.
#[derive(Debug)]
pub(crate) struct Loaded<S> {
    /// The folded state.
    pub state: S,
    /// The last event's version (0: no stream).
    pub version: u64,
    /// The last event's store cursor.
    pub cursor: Option<Cursor>,
}

/// Read and fold the whole stream (streams are short: tens of events per inspection).
#[tracing::instrument(skip(store), fields(kind = A::NAME))]
pub(crate) async fn load<A: Aggregate>(
    store: &EventStore,
    stream_id: Uuid,
) -> Result<Loaded<A::State>, CommandError> {
    let events = store.read_stream(stream_id, 1).await?;
    let mut loaded = Loaded {
        state: A::State::default(),
        version: 0,
        cursor: None,
    };
    for recorded in events {
        if recorded.stream.kind != A::KIND {
            return Err(domain::DomainError::not_found(
                "STREAM_KIND_MISMATCH",
                format!(
                    "{stream_id} is a {} stream, not a {} stream",
                    recorded.stream.kind.as_str(),
                    A::KIND.as_str()
                ),
            )
            .into());
        }
        let event: A::Event = serde_json::from_value(recorded.payload).map_err(|e| {
            CommandError::Corrupt(format!(
                "{} {stream_id} version {}: {e}",
                A::NAME,
                recorded.version
            ))
        })?;
        loaded.state = A::evolve(loaded.state, &event);
        loaded.version = recorded.version;
        loaded.cursor = Some(recorded.cursor);
    }
    Ok(loaded)
}

/// Store events for decided domain events, each with the request's metadata.
pub(crate) fn new_events<A: Aggregate>(
    events: &[A::Event],
    ctx: &RequestContext,
    idempotency: Option<&IdempotencyRecord>,
) -> Result<Vec<NewEvent>, CommandError> {
    events
        .iter()
        .map(|event| {
            Ok(NewEvent {
                event_id: Uuid::now_v7(),
                event_type: A::event_type(event).to_owned(),
                schema_version: domain::inspection::SCHEMA_VERSION,
                payload: serde_json::to_value(event)
                    .map_err(|e| CommandError::Corrupt(format!("encoding an event: {e}")))?,
                metadata: EventMetadata {
                    actor: ctx.actor.subject.clone(),
                    role: ctx.actor.role.as_str().to_owned(),
                    correlation_id: ctx.correlation_id,
                    causation_id: Some(ctx.causation_id),
                    idempotency_key: idempotency.map(|i| i.key.clone()),
                    occurred_at: A::occurred_at(event),
                    traceparent: ctx.traceparent.clone(),
                },
            })
        })
        .collect()
}
