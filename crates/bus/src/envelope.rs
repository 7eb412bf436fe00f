//! The JSON body of every message on the internal stream.
//!
//! Consumers deserialise this same struct, so publisher and consumers share one definition;
//! it carries the whole stored event (not only the payload) so a consumer never has to go back
//! to the store to learn a version, a cursor or who acted.

use chrono::{DateTime, Utc};
use eventstore::{EventMetadata, RecordedEvent, StreamKind};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::subject::event_subject;

/// One committed event as published on the bus.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Envelope {
    pub event_id: Uuid,
    /// The inspection id, or the lead provider id for a lead-provider stream.
    pub stream_id: Uuid,
    pub stream_kind: StreamKind,
    pub lead_provider_id: Uuid,
    /// Version within the stream, from 1, without gaps: consumers detect gaps with it.
    pub version: u64,
    pub event_type: String,
    pub schema_version: u32,
    pub payload: serde_json::Value,
    pub metadata: EventMetadata,
    pub recorded_at: DateTime<Utc>,
    /// The store cursor of the event (opaque text), to resume a store read after it.
    pub cursor: String,
}

impl Envelope {
    /// The envelope of a stored event.
    pub fn from_recorded(event: &RecordedEvent) -> Self {
        Self {
            event_id: event.event_id,
            stream_id: event.stream.id,
            stream_kind: event.stream.kind,
            lead_provider_id: event.stream.lead_provider_id,
            version: event.version,
            event_type: event.event_type.clone(),
            schema_version: event.schema_version,
            payload: event.payload.clone(),
            metadata: event.metadata.clone(),
            recorded_at: event.recorded_at,
            cursor: event.cursor.to_string(),
        }
    }

    /// The subject this envelope is published on under `prefix`.
    pub fn subject(&self, prefix: &str) -> String {
        event_subject(
            prefix,
            self.lead_provider_id,
            self.stream_id,
            &self.event_type,
        )
    }

    /// Parses a message body.
    pub fn from_json(body: &[u8]) -> Result<Self, serde_json::Error> {
        serde_json::from_slice(body)
    }

    /// Serialises the message body.
    pub fn to_json(&self) -> Result<Vec<u8>, serde_json::Error> {
        serde_json::to_vec(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_round_trip_keeps_every_field() {
        let env = Envelope {
            event_id: Uuid::from_u128(1),
            stream_id: Uuid::from_u128(2),
            stream_kind: StreamKind::Inspection,
            lead_provider_id: Uuid::from_u128(3),
            version: 4,
            event_type: "InspectionPlanned".into(),
            schema_version: 1,
            payload: serde_json::json!({"a": 1}),
            metadata: EventMetadata {
                actor: "u".into(),
                role: "inspector".into(),
                correlation_id: Uuid::from_u128(5),
                causation_id: None,
                idempotency_key: Some("k".into()),
                occurred_at: DateTime::from_timestamp(1_700_000_000, 0).unwrap(),
                traceparent: None,
            },
            recorded_at: DateTime::from_timestamp(1_700_000_001, 0).unwrap(),
            cursor: "1.2.3".into(),
        };
        let back = Envelope::from_json(&env.to_json().unwrap()).unwrap();
        assert_eq!(back, env);
        assert!(env.subject("p").ends_with(".InspectionPlanned"));
    }
}
