//! Between the store and the domain: a stream's events folded into state, and decided
//! events turned into store events with their metadata.
//!
//! Personal data (R31) is sealed here and nowhere else: decided events are sealed before they
//! reach the store (so the store, the relay and the bus only ever see ciphertext), and a
//! loaded stream is unsealed before it is folded (erased people come back as erased).

use eventstore::{Cursor, EventMetadata, EventStore, IdempotencyRecord, NewEvent};
use privacy::Vault;
use serde::Deserialize;
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

/// Read and fold the whole stream (streams are short: tens of events per inspection), with
/// personal data unsealed when `unseal` (through `vault`), else as stored: sealed, naming
/// only whose data it is.
#[tracing::instrument(skip(store, vault), fields(kind = A::NAME))]
pub(crate) async fn load<A: Aggregate>(
    store: &EventStore,
    vault: &Vault,
    stream_id: Uuid,
    unseal: bool,
) -> Result<Loaded<A::State>, CommandError> {
    let mut events = store.read_stream(stream_id, 1).await?;
    let mut payloads: Vec<serde_json::Value> = events
        .iter_mut()
        .map(|e| std::mem::take(&mut e.payload))
        .collect();
    if unseal {
        vault.unseal(&mut payloads).await.map_err(vault_error)?;
    }
    let mut loaded = Loaded {
        state: A::State::default(),
        version: 0,
        cursor: None,
    };
    for (recorded, payload) in events.into_iter().zip(payloads) {
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
        loaded.state = evolve_stored::<A>(loaded.state, &payload, stream_id, recorded.version)?;
        loaded.version = recorded.version;
        loaded.cursor = Some(recorded.cursor);
    }
    Ok(loaded)
}

/// `state` after `events`, the first at `first_version`, folded from their payloads as the
/// store keeps them — personal data sealed, as [`load`] without unsealing folds them.
pub(crate) fn fold_stored<A: Aggregate>(
    mut state: A::State,
    events: &[NewEvent],
    stream_id: Uuid,
    first_version: u64,
) -> Result<A::State, CommandError> {
    for (version, event) in (first_version..).zip(events) {
        state = evolve_stored::<A>(state, &event.payload, stream_id, version)?;
    }
    Ok(state)
}

/// Fold one stored payload.
fn evolve_stored<A: Aggregate>(
    state: A::State,
    payload: &serde_json::Value,
    stream_id: Uuid,
    version: u64,
) -> Result<A::State, CommandError> {
    let event = A::Event::deserialize(payload).map_err(|e| {
        CommandError::Corrupt(format!("{} {stream_id} version {version}: {e}", A::NAME))
    })?;
    Ok(A::evolve(state, &event))
}

/// Store events for decided domain events, personal data sealed, each with the request's
/// metadata.
pub(crate) async fn new_events<A: Aggregate>(
    vault: &Vault,
    events: &[A::Event],
    ctx: &RequestContext,
    idempotency: Option<&IdempotencyRecord>,
) -> Result<Vec<NewEvent>, CommandError> {
    let mut payloads = events
        .iter()
        .map(|event| {
            serde_json::to_value(event)
                .map_err(|e| CommandError::Corrupt(format!("encoding an event: {e}")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    vault.seal(&mut payloads).await.map_err(vault_error)?;
    events
        .iter()
        .zip(payloads)
        .map(|(event, payload)| {
            Ok(NewEvent {
                event_id: Uuid::now_v7(),
                event_type: A::event_type(event).to_owned(),
                schema_version: A::SCHEMA_VERSION,
                payload,
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

/// A vault failure as a command error: its database like the store's (unavailable or
/// internal), anything else internal. Never the caller's fault.
pub(crate) fn vault_error(e: privacy::VaultError) -> CommandError {
    match e {
        privacy::VaultError::Database(e) => eventstore::StoreError::from(e).into(),
        other @ (privacy::VaultError::Corrupt { .. } | privacy::VaultError::Random(_)) => {
            CommandError::Corrupt(other.to_string())
        }
    }
}
