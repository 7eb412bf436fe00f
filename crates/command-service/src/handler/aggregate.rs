//! The two aggregates as the handler sees them: how to fold, decide and file their events.
//!
//! One trait so that loading, appending, idempotency and retries are written once for both.

use chrono::{DateTime, Utc};
use domain::DomainError;
use domain::calendar::Calendar;
use domain::ids::{InspectionId, LeadProviderId, PersonId};
use domain::inspection::{
    self, Command, DecideContext, Inspection, InspectionCommand, InspectionEvent,
};
use domain::lead_provider::{self, LeadProvider, LeadProviderCommand, LeadProviderEvent};
use eventstore::StreamKind;
use serde::Serialize;
use serde::de::DeserializeOwned;
use uuid::Uuid;

use super::cache::{Caches, StateCache};

/// An aggregate whose commands the service handles.
pub(crate) trait Aggregate {
    /// Its id.
    type Id: Copy + std::fmt::Display + Send + Sync;
    /// Its command.
    type Command: Send + Sync;
    /// Its state.
    type State: Default + Clone + Send + Sync;
    /// Its event.
    type Event: Serialize + DeserializeOwned + Send;
    /// The store's name for its streams.
    const KIND: StreamKind;
    /// Name used in messages (`inspection`, `lead provider`).
    const NAME: &'static str;
    /// The schema version of the events it writes.
    const SCHEMA_VERSION: u32;

    /// The stream id.
    fn stream_id(id: Self::Id) -> Uuid;
    /// Fold one event.
    fn evolve(state: Self::State, event: &Self::Event) -> Self::State;
    /// The lead provider whose state `decide` needs, if any.
    fn lead_provider_needed(state: &Self::State, command: &Self::Command)
    -> Option<LeadProviderId>;
    /// The lead provider the stream is filed under (the relay's subject, provider scoping).
    fn filed_under(
        id: Self::Id,
        state: &Self::State,
        command: &Self::Command,
    ) -> Option<LeadProviderId>;
    /// The domain's `decide`.
    fn decide(
        state: &Self::State,
        command: &Command<Self::Command>,
        now: DateTime<Utc>,
        calendar: &Calendar,
        lead_provider: Option<&LeadProvider>,
    ) -> Result<Vec<Self::Event>, DomainError>;
    /// The event's stable type name.
    fn event_type(event: &Self::Event) -> &'static str;
    /// When the event happened (R5).
    fn occurred_at(event: &Self::Event) -> DateTime<Utc>;
    /// R31: the person whose data key the command deletes before its events are appended.
    fn erases(_command: &Self::Command) -> Option<PersonId> {
        None
    }
    /// The cache of its states, for an aggregate whose rules decide on personal data sealed
    /// (they compare person ids, never details). Its streams, and the lead provider its
    /// `decide` needs, are then always folded without unsealing, cached or not, so a decision
    /// cannot depend on where the state came from, and the cache holds no personal data in
    /// the clear. `None`: loaded and unsealed for every command, never cached.
    fn cache(_caches: &Caches) -> Option<&StateCache<Self::State>> {
        None
    }
}

/// The inspection aggregate (R7–R28).
#[derive(Debug)]
pub(crate) struct InspectionAggregate;

impl Aggregate for InspectionAggregate {
    type Id = InspectionId;
    type Command = InspectionCommand;
    type State = Inspection;
    type Event = InspectionEvent;
    const KIND: StreamKind = StreamKind::Inspection;
    const NAME: &'static str = "inspection";
    const SCHEMA_VERSION: u32 = inspection::SCHEMA_VERSION;

    fn stream_id(id: InspectionId) -> Uuid {
        id.as_uuid()
    }

    fn evolve(state: Inspection, event: &InspectionEvent) -> Inspection {
        inspection::evolve(state, event)
    }

    /// Planning checks the provider's contracts (R6); the call checks who is a named
    /// representative (R10).
    fn lead_provider_needed(
        state: &Inspection,
        command: &InspectionCommand,
    ) -> Option<LeadProviderId> {
        match command {
            InspectionCommand::Plan(p) => Some(p.lead_provider_id),
            InspectionCommand::RecordNotificationCall { .. } => state.lead_provider_id,
            _ => None,
        }
    }

    fn filed_under(
        _id: InspectionId,
        state: &Inspection,
        command: &InspectionCommand,
    ) -> Option<LeadProviderId> {
        match command {
            InspectionCommand::Plan(p) => Some(p.lead_provider_id),
            _ => state.lead_provider_id,
        }
    }

    fn decide(
        state: &Inspection,
        command: &Command<InspectionCommand>,
        now: DateTime<Utc>,
        calendar: &Calendar,
        lead_provider: Option<&LeadProvider>,
    ) -> Result<Vec<InspectionEvent>, DomainError> {
        inspection::decide(
            state,
            command,
            &DecideContext {
                now,
                calendar,
                lead_provider,
            },
        )
    }

    fn event_type(event: &InspectionEvent) -> &'static str {
        event.event_type()
    }

    /// The rules look at who was spoken to or written to, and at the provider's named
    /// representatives, by person id only (R10).
    fn cache(caches: &Caches) -> Option<&StateCache<Inspection>> {
        Some(&caches.inspections)
    }

    fn occurred_at(event: &InspectionEvent) -> DateTime<Utc> {
        event.occurred_at
    }
}

/// The lead-provider aggregate (R6).
#[derive(Debug)]
pub(crate) struct LeadProviderAggregate;

impl Aggregate for LeadProviderAggregate {
    type Id = LeadProviderId;
    type Command = LeadProviderCommand;
    type State = LeadProvider;
    type Event = LeadProviderEvent;
    const KIND: StreamKind = StreamKind::LeadProvider;
    const NAME: &'static str = "lead provider";
    const SCHEMA_VERSION: u32 = lead_provider::SCHEMA_VERSION;

    fn stream_id(id: LeadProviderId) -> Uuid {
        id.as_uuid()
    }

    fn evolve(state: LeadProvider, event: &LeadProviderEvent) -> LeadProvider {
        lead_provider::evolve(state, event)
    }

    fn lead_provider_needed(_: &LeadProvider, _: &LeadProviderCommand) -> Option<LeadProviderId> {
        None
    }

    /// A provider's own stream is filed under itself.
    fn filed_under(
        id: LeadProviderId,
        _: &LeadProvider,
        _: &LeadProviderCommand,
    ) -> Option<LeadProviderId> {
        Some(id)
    }

    fn decide(
        state: &LeadProvider,
        command: &Command<LeadProviderCommand>,
        now: DateTime<Utc>,
        calendar: &Calendar,
        _: Option<&LeadProvider>,
    ) -> Result<Vec<LeadProviderEvent>, DomainError> {
        lead_provider::decide(state, command, now, calendar)
    }

    fn event_type(event: &LeadProviderEvent) -> &'static str {
        event.event_type()
    }

    fn occurred_at(event: &LeadProviderEvent) -> DateTime<Utc> {
        event.occurred_at
    }

    fn erases(command: &LeadProviderCommand) -> Option<PersonId> {
        match command {
            LeadProviderCommand::ErasePersonalData { person_id, .. } => Some(*person_id),
            LeadProviderCommand::Register { .. } | LeadProviderCommand::Update { .. } => None,
        }
    }
}
