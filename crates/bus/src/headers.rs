//! Header names carried by every message the relay publishes, in one place so publisher and
//! consumers cannot drift apart.

/// JetStream de-duplication id: the event id, so a re-publish inside the window is dropped.
pub const MSG_ID: &str = "Nats-Msg-Id";
/// The store cursor of the event; the relay reads it back from the stream's last message to
/// reconcile its durable cursor after a crash between ack and cursor update.
pub const CURSOR: &str = "Ofsted-Cursor";
/// The event type, so consumers can route without parsing the body.
pub const EVENT_TYPE: &str = "Ofsted-Event-Type";
/// The event's version within its stream, for gap detection without parsing the body.
pub const STREAM_VERSION: &str = "Ofsted-Stream-Version";
/// W3C trace context copied from the event metadata when the command carried one.
pub const TRACEPARENT: &str = "traceparent";
