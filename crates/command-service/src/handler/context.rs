//! What a request says about itself besides its body: who (the verified actor of
//! [`crate::auth`]), and the correlation, causation and trace ids that go into every event's
//! metadata.

use domain::permissions::Actor;
use tonic::metadata::MetadataMap;
use uuid::Uuid;

/// Header carrying the correlation id of a conversation (a UUID; a new one when absent).
pub const CORRELATION_HEADER: &str = "x-correlation-id";
/// Header carrying the id of the message that caused this command (a UUID; optional).
pub const CAUSATION_HEADER: &str = "x-causation-id";
/// W3C trace context header.
pub const TRACEPARENT_HEADER: &str = "traceparent";

/// Who is asking, and how the request relates to others.
#[derive(Debug, Clone)]
pub struct RequestContext {
    /// The caller.
    pub actor: Actor,
    /// Shared by every command of one conversation.
    pub correlation_id: Uuid,
    /// What caused this command: the caller's `x-causation-id`, else this request's own id.
    pub causation_id: Uuid,
    /// The caller's W3C trace context, stored so the projection's span joins the trace.
    pub traceparent: Option<String>,
}

fn uuid_header(metadata: &MetadataMap, name: &str) -> Option<Uuid> {
    metadata
        .get(name)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| Uuid::parse_str(v.trim()).ok())
}

impl RequestContext {
    /// The context of a request by `actor` (verified by [`crate::auth`]) with `metadata`.
    pub fn new(actor: Actor, metadata: &MetadataMap) -> Self {
        let traceparent = metadata
            .get(TRACEPARENT_HEADER)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            // version-traceid-parentid-flags: 55 characters; refuse junk rather than store it.
            .filter(|v| v.len() == 55 && v.split('-').count() == 4)
            .map(str::to_owned);
        RequestContext {
            actor,
            correlation_id: uuid_header(metadata, CORRELATION_HEADER).unwrap_or_else(Uuid::now_v7),
            causation_id: uuid_header(metadata, CAUSATION_HEADER).unwrap_or_else(Uuid::now_v7),
            traceparent,
        }
    }
}
