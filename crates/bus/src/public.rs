//! The public side of the relay: messages for other organisations (DfE), mapped from internal
//! events, on subjects and in a stream of their own.
//!
//! The bus stays domain-free: what is public, and in which shape, is decided by a
//! [`PublicMapper`] the service provides (the command service maps `report_shared_with_dfe`
//! through `domain::public`). The relay publishes an event's public message BEFORE the event's
//! internal message and waits for its ack, so a crash between the two can only repeat the
//! public message (de-duplicated by `Nats-Msg-Id` = event id within the window, and by the
//! message's own id at the subscriber), never lose it.
//!
//! Subjects: `<public prefix>.<topic>.<lead_provider_id>`, e.g.
//! `ofsted.inspections.v1.public.report_shared.<uuid>`. The public stream binds
//! `<public prefix>.>` and nothing else, so an account that is given only that stream (see
//! `deploy/nats/`) cannot see an internal event.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use async_nats::HeaderMap;
use async_nats::jetstream::{self, stream};
use eventstore::RecordedEvent;
use uuid::Uuid;

use crate::config::BusConfig;
use crate::headers;
use crate::stream::StreamError;

/// Default public stream name.
pub const DEFAULT_PUBLIC_STREAM_NAME: &str = "INSPECTION_PUBLIC";
/// Default public subject prefix.
pub const DEFAULT_PUBLIC_SUBJECT_PREFIX: &str = "ofsted.inspections.v1.public";
/// Header naming the public message's schema and version, e.g.
/// `ofsted.inspections.v1.report_shared/1`, so a subscriber can route before parsing.
pub const SCHEMA_HEADER: &str = "Ofsted-Schema";

/// Where public messages go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicConfig {
    /// JetStream stream holding only public messages.
    pub stream_name: String,
    /// Subject prefix without a trailing dot; the stream binds `<prefix>.>`.
    pub subject_prefix: String,
    /// De-duplication window on `Nats-Msg-Id` (the event id).
    pub duplicate_window: Duration,
    /// Stream replicas.
    pub replicas: usize,
}

impl PublicConfig {
    /// The public names that go with an internal configuration, so that every environment
    /// (and every test, with its own internal names) gets a public stream of its own without
    /// configuring one: a trailing `_EVENTS` of the stream name becomes `_PUBLIC` (else
    /// `_PUBLIC` is appended), and a trailing `.events` of the prefix becomes `.public` (else
    /// `_public` is appended to its last token, so the two never overlap). The defaults give
    /// `INSPECTION_PUBLIC` and `ofsted.inspections.v1.public`.
    pub fn derived_from(bus: &BusConfig) -> Self {
        let stream_name = match bus.stream_name.strip_suffix("_EVENTS") {
            Some(base) => format!("{base}_PUBLIC"),
            None => format!("{}_PUBLIC", bus.stream_name),
        };
        let subject_prefix = match bus.subject_prefix.strip_suffix(".events") {
            Some(base) => format!("{base}.public"),
            None => format!("{}_public", bus.subject_prefix),
        };
        Self {
            stream_name,
            subject_prefix,
            duplicate_window: bus.duplicate_window,
            replicas: bus.replicas,
        }
    }

    /// The subject of one message: `<prefix>.<topic>.<lead_provider_id>`.
    pub fn subject(&self, topic: &str, lead_provider_id: Uuid) -> String {
        format!("{}.{topic}.{lead_provider_id}", self.subject_prefix)
    }

    /// The wildcard of one topic: `<prefix>.<topic>.*` (every provider).
    pub fn topic_subjects(&self, topic: &str) -> String {
        format!("{}.{topic}.*", self.subject_prefix)
    }

    /// The wildcard the stream binds.
    pub fn stream_subjects(&self) -> String {
        format!("{}.>", self.subject_prefix)
    }

    /// The stream's configuration: like the internal one, file storage with an explicit
    /// window, but bound to the public prefix only.
    pub fn stream_config(&self) -> stream::Config {
        stream::Config {
            name: self.stream_name.clone(),
            description: Some("public messages for other organisations (no personal data)".into()),
            subjects: vec![self.stream_subjects()],
            storage: stream::StorageType::File,
            retention: stream::RetentionPolicy::Limits,
            duplicate_window: self.duplicate_window,
            num_replicas: self.replicas,
            ..Default::default()
        }
    }
}

impl Default for PublicConfig {
    fn default() -> Self {
        Self::derived_from(&BusConfig::default())
    }
}

/// One public message, as a mapper makes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicMessage {
    /// The subject token naming the message kind, e.g. `report_shared`.
    pub topic: String,
    /// The schema header value, e.g. `ofsted.inspections.v1.report_shared/1`.
    pub schema: String,
    /// The JSON body, already validated by its maker against the published schema.
    pub body: Vec<u8>,
}

/// A mapping that could not be made: the relay stops and retries rather than skip a public
/// message (the event is the domain's own, so this is a bug to fix, not data to drop).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot map event {event_id} to its public message: {reason}")]
pub struct PublicMapError {
    /// The event.
    pub event_id: Uuid,
    /// Why.
    pub reason: String,
}

/// Decides which internal events have a public message, and makes it.
///
/// An implementation MUST be a pure function of the event (the relay may call it more than
/// once for the same event, and a re-publish must produce the same bytes), MUST NOT copy
/// personal data into the message, and returns `Ok(None)` for events with no public message.
pub trait PublicMapper: Send + Sync + fmt::Debug {
    /// The public message of `event`, if it has one.
    fn map(&self, event: &RecordedEvent) -> Result<Option<PublicMessage>, PublicMapError>;
}

/// What the relay needs to publish public messages.
#[derive(Debug, Clone)]
pub struct PublicPublisher {
    /// Stream and subjects.
    pub config: PublicConfig,
    /// The mapping.
    pub mapper: Arc<dyn PublicMapper>,
}

/// The headers of a public message: its id (the event id) and schema; nothing internal.
pub fn public_headers(event_id: Uuid, message: &PublicMessage) -> HeaderMap {
    let mut h = HeaderMap::new();
    h.insert(headers::MSG_ID, event_id.to_string());
    h.insert(SCHEMA_HEADER, message.schema.as_str());
    h
}

/// Creates or updates the public stream.
#[tracing::instrument(skip_all, fields(stream = %cfg.stream_name, prefix = %cfg.subject_prefix))]
pub async fn ensure_public_stream(
    js: &jetstream::Context,
    cfg: &PublicConfig,
) -> Result<stream::Info, StreamError> {
    js.create_or_update_stream(cfg.stream_config())
        .await
        .map_err(|source| StreamError::CreateOrUpdate {
            name: cfg.stream_name.clone(),
            source,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_the_documented_names() {
        let p = PublicConfig::default();
        assert_eq!(p.stream_name, DEFAULT_PUBLIC_STREAM_NAME);
        assert_eq!(p.subject_prefix, DEFAULT_PUBLIC_SUBJECT_PREFIX);
        let lp = Uuid::from_u128(1);
        assert_eq!(
            p.subject("report_shared", lp),
            format!("ofsted.inspections.v1.public.report_shared.{lp}")
        );
    }

    #[test]
    fn derived_names_never_overlap_the_internal_ones() {
        let bus = BusConfig {
            stream_name: "T_abc".into(),
            subject_prefix: "t_abc.events".into(),
            ..BusConfig::default()
        };
        let p = PublicConfig::derived_from(&bus);
        assert_eq!(p.stream_name, "T_abc_PUBLIC");
        assert_eq!(p.subject_prefix, "t_abc.public");
        let odd = BusConfig {
            subject_prefix: "x.y".into(),
            ..BusConfig::default()
        };
        let p = PublicConfig::derived_from(&odd);
        assert_eq!(p.subject_prefix, "x.y_public");
        assert!(!p.stream_subjects().starts_with("x.y."));
    }
}
