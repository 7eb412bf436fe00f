//! Handling one command: validate → load → decide → append, with optimistic concurrency,
//! idempotency keys and retries, written once for both aggregates.
//!
//! - `aggregate`: the [`aggregate::Aggregate`] trait and its two implementations;
//! - `context`: [`RequestContext`] (actor, correlation, causation, trace);
//! - `stream`: loading a stream into state, and turning decided events into store events
//!   (unsealing and sealing personal data, R31);
//! - `cache`: the bounded cache of folded inspection states that a command decides on
//!   first, and why that never acts on a stale state.

pub(crate) mod aggregate;
mod cache;
mod context;
mod stream;

use std::sync::Arc;

use domain::calendar::Calendar;
use domain::inspection::Command;
use eventstore::{
    AppendOutcome, AppendRequest, AppendResult, EventStore, ExpectedVersion, IdempotencyRecord,
    StoreError, StreamRef,
};
use privacy::Vault;
use proto::CommandRequest;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::clock::Clock;
use crate::errors::CommandError;
use aggregate::Aggregate;
use cache::{Caches, StateCache};
pub use context::{CAUSATION_HEADER, CORRELATION_HEADER, RequestContext, TRACEPARENT_HEADER};
use stream::Loaded;

/// How often a command without `expected_version` is re-decided after losing a race.
const MAX_ATTEMPTS: u32 = 5;

/// What a successful command returns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// The stream acted on.
    pub stream_id: Uuid,
    /// Its version afterwards.
    pub new_version: u64,
    /// Events appended (none when the command changed nothing).
    pub event_ids: Vec<Uuid>,
    /// Opaque store cursor of the last event appended (or of the stream's last event).
    pub cursor: String,
}

impl From<AppendResult> for Outcome {
    fn from(r: AppendResult) -> Self {
        Outcome {
            stream_id: r.stream_id,
            new_version: r.new_version,
            event_ids: r.event_ids,
            cursor: r.cursor.to_string(),
        }
    }
}

/// Everything a command needs: the store, the personal-data vault, the clock and the
/// calendar.
#[derive(Debug, Clone)]
pub struct Handler {
    store: EventStore,
    vault: Vault,
    clock: Arc<dyn Clock>,
    calendar: Arc<Calendar>,
    /// Folded states of recently used streams (see `cache`), shared by clones.
    caches: Arc<Caches>,
}

impl Handler {
    /// A handler over a migrated store.
    pub fn new(
        store: EventStore,
        vault: Vault,
        clock: Arc<dyn Clock>,
        calendar: Arc<Calendar>,
    ) -> Self {
        Handler {
            store,
            vault,
            clock,
            calendar,
            caches: Arc::new(Caches::new(cache::DEFAULT_CAPACITY)),
        }
    }

    /// Carry out one command request for aggregate `A`.
    #[tracing::instrument(
        skip_all,
        fields(rpc = R::RPC, actor = %ctx.actor.subject, role = %ctx.actor.role, stream_id)
    )]
    pub(crate) async fn execute<A, R>(
        &self,
        ctx: RequestContext,
        request: R,
    ) -> Result<Outcome, CommandError>
    where
        A: Aggregate,
        R: CommandRequest<Id = A::Id, Body = A::Command>,
    {
        let parsed = request.parse()?;
        let stream_id = A::stream_id(parsed.id);
        tracing::Span::current().record("stream_id", tracing::field::display(stream_id));
        let idempotency = parsed
            .meta
            .idempotency_key
            .clone()
            .map(|key| IdempotencyRecord {
                actor: ctx.actor.subject.clone(),
                key,
                request_hash: request_hash(R::RPC, &request),
            });
        if let Some(idem) = &idempotency
            && let Some(first) = self
                .store
                .find_idempotent(&idem.actor, &idem.key, &idem.request_hash)
                .await?
        {
            tracing::debug!("idempotent replay");
            return Ok(first.into());
        }
        let expected = parsed.meta.expected_version;
        let command = Command {
            actor: ctx.actor.clone(),
            occurred_at: parsed.meta.occurred_at,
            backdate_reason: parsed.meta.backdate_reason.clone(),
            body: parsed.body,
        };
        let cache = A::cache(&self.caches);
        let unseal = cache.is_none();
        let mut attempt = 0;
        loop {
            attempt += 1;
            // The first attempt may decide on the cached state; every retry reloads.
            let cached = cache
                .filter(|_| attempt == 1)
                .and_then(|c| c.get(stream_id));
            let from_cache = cached.is_some();
            let loaded = match cached {
                Some(entry) => entry,
                None => {
                    let loaded = Arc::new(
                        stream::load::<A>(&self.store, &self.vault, stream_id, unseal).await?,
                    );
                    if let Some(c) = cache {
                        c.put(stream_id, Arc::clone(&loaded));
                    }
                    loaded
                }
            };
            let lead_provider = match A::lead_provider_needed(&loaded.state, &command.body) {
                Some(lp) => Some(
                    stream::load::<aggregate::LeadProviderAggregate>(
                        &self.store,
                        &self.vault,
                        lp.as_uuid(),
                        unseal,
                    )
                    .await?
                    .state,
                ),
                None => None,
            };
            let now = self.clock.now();
            let decided = A::decide(
                &loaded.state,
                &command,
                now,
                &self.calendar,
                lead_provider.as_ref(),
            );
            // An answer that no append confirms must not rest on a stale cached state.
            let expected_differs = expected.is_some_and(|e| e != loaded.version);
            let answers_without_append = match &decided {
                Ok(events) => events.is_empty() || expected_differs,
                Err(_) => true,
            };
            if from_cache
                && answers_without_append
                && let Some(c) = cache
                && !self.still_current(c, stream_id, loaded.version).await?
            {
                continue;
            }
            // A caller refused by the permission table, or a provider user on another
            // provider's inspection, learns nothing of the stream: not even its version.
            if let Err(e) = &decided
                && e.kind == domain::ErrorKind::PermissionDenied
            {
                return Err(e.clone().into());
            }
            if let Some(expected) = expected
                && expected_differs
            {
                return Err(CommandError::Conflict {
                    current: loaded.version,
                    expected: Some(expected),
                });
            }
            let events = decided.map_err(|mut e| {
                e.field = e.field.as_deref().map(R::wire_field);
                e
            })?;
            if events.is_empty() {
                tracing::debug!(version = loaded.version, "command changed nothing");
                return Ok(Outcome {
                    stream_id,
                    new_version: loaded.version,
                    event_ids: Vec::new(),
                    cursor: loaded.cursor.map(|c| c.to_string()).unwrap_or_default(),
                });
            }
            let filed_under =
                A::filed_under(parsed.id, &loaded.state, &command.body).ok_or_else(|| {
                    CommandError::Corrupt(format!(
                        "{} {} has events to append but no lead provider",
                        A::NAME,
                        parsed.id
                    ))
                })?;
            // R31: the key goes first. A crash after this line leaves the person erased and
            // the event missing; the retry deletes nothing more and appends it. The other order
            // could leave an event saying "erased" over data that still opens.
            if let Some(person) = A::erases(&command.body) {
                self.vault
                    .erase(person.as_uuid())
                    .await
                    .map_err(stream::vault_error)?;
            }
            let new_events =
                stream::new_events::<A>(&self.vault, &events, &ctx, idempotency.as_ref()).await?;
            let request = AppendRequest {
                stream: StreamRef {
                    id: stream_id,
                    kind: A::KIND,
                    lead_provider_id: filed_under.as_uuid(),
                },
                expected: ExpectedVersion::Exact(loaded.version),
                events: new_events,
                idempotency: idempotency.clone(),
                recorded_at: now,
            };
            // The state after this append, for the cache (computed before the request moves).
            let next = match cache {
                Some(_) => Some(stream::fold_stored::<A>(
                    loaded.state.clone(),
                    &request.events,
                    stream_id,
                    loaded.version + 1,
                )?),
                None => None,
            };
            match self.store.append(request).await {
                Ok(AppendOutcome::Appended(result)) => {
                    tracing::info!(new_version = result.new_version, "command appended");
                    if let (Some(c), Some(state)) = (cache, next) {
                        let entry = Loaded {
                            state,
                            version: result.new_version,
                            cursor: Some(result.cursor),
                        };
                        c.put(stream_id, Arc::new(entry));
                    }
                    return Ok(result.into());
                }
                Ok(AppendOutcome::Duplicate(first)) => {
                    tracing::debug!("idempotent replay (concurrent)");
                    return Ok(first.into());
                }
                Err(StoreError::Conflict { current, .. })
                    if expected.is_none() && attempt < MAX_ATTEMPTS =>
                {
                    if let Some(c) = cache {
                        c.remove(stream_id);
                    }
                    tracing::debug!(?current, attempt, from_cache, "lost a race; deciding again");
                }
                Err(StoreError::Conflict { current, .. }) => {
                    if let Some(c) = cache {
                        c.remove(stream_id);
                    }
                    return Err(CommandError::Conflict {
                        current: current.unwrap_or(0),
                        expected,
                    });
                }
                Err(e) => return Err(e.into()),
            }
        }
    }
}

impl Handler {
    /// Whether the stream is still at `version`, the version of its cached state; forgets
    /// the entry when it is not.
    async fn still_current<S>(
        &self,
        cache: &StateCache<S>,
        stream_id: Uuid,
        version: u64,
    ) -> Result<bool, CommandError> {
        let current = self.store.stream_version(stream_id).await?;
        if current == Some(version) {
            return Ok(true);
        }
        tracing::debug!(cached = version, ?current, "cached state was stale");
        cache.remove(stream_id);
        Ok(false)
    }
}

/// Hex SHA-256 of the RPC name and the encoded request: what an idempotency key is bound to.
fn request_hash<R: prost::Message>(rpc: &str, request: &R) -> String {
    let mut hasher = Sha256::new();
    hasher.update(rpc.as_bytes());
    hasher.update([0u8]);
    hasher.update(request.encode_to_vec());
    hex::encode(hasher.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proto::pb;

    #[test]
    fn request_hash_depends_on_rpc_and_body() {
        let a = pb::CancelInspectionRequest {
            meta: None,
            reason: "a".into(),
        };
        let b = pb::CancelInspectionRequest {
            meta: None,
            reason: "b".into(),
        };
        assert_eq!(request_hash("X", &a), request_hash("X", &a));
        assert_ne!(request_hash("X", &a), request_hash("X", &b));
        assert_ne!(request_hash("X", &a), request_hash("Y", &a));
    }
}
